//! The named operations on a workspace document.

use automerge::{ObjId, ObjType, ROOT, ReadDoc, Value, transaction::Transactable};
use autosurgeon::{Reconcile, reconcile_prop};

use super::{Dismissal, KIND, Member, ReadScope, Role, WorkspaceDoc};
use crate::custom_field::{CustomFieldDef, FieldKind, FieldOption};
use crate::dedup::pair_key;
use crate::document::{Stamp, layout};
use crate::error::ModelError;
use crate::id::Id;
use crate::pipeline::StageDef;
use crate::rules::Language;
use crate::values::{optional_text, required_text};

const MAX_NAME: usize = 100;

/// One change to a custom field's definition, for [`WorkspaceDoc::edit_custom_field`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldDefEdit {
    /// Its labels, Chinese (required) and English.
    Labels { zh: String, en: String },
    /// Option `id` of a select field, added or renamed.
    Option { id: Id, zh: String, en: String },
}

impl WorkspaceDoc {
    /// Renames the workspace.
    pub fn set_name(&mut self, name: &str) -> Result<(), ModelError> {
        let name = required_text("workspace name", name, MAX_NAME)?;
        self.put(&ROOT, "name", name)
    }

    /// Sets the most customers a salesperson may hold by claiming from the pool (`None`: no
    /// cap).
    pub fn set_pool_cap(&mut self, cap: Option<u32>) -> Result<(), ModelError> {
        match cap {
            Some(cap) => self.put(&ROOT, "pool_cap", u64::from(cap)),
            None => self.put(&ROOT, "pool_cap", Option::<u64>::None),
        }
    }

    /// Sets which customers salespeople's devices receive.
    pub fn set_read_scope(&mut self, scope: ReadScope) -> Result<(), ModelError> {
        self.put(&ROOT, "read_scope", scope)
    }

    /// Sets the team's language (the interface's default where nobody chose one).
    pub fn set_language(&mut self, language: Language) -> Result<(), ModelError> {
        self.put(&ROOT, "language", language)
    }

    /// Adds a member.
    pub fn add_member(
        &mut self,
        id: &Id,
        name: &str,
        role: Role,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let name = required_text("member name", name, MAX_NAME)?;
        let members = self.map(&ROOT, "members")?;
        if self.map(&members, id.as_str()).is_ok() {
            return Err(ModelError::DuplicateId {
                kind: "member",
                id: id.to_string(),
            });
        }
        let member = Member {
            name,
            role,
            active: true,
            joined_at: stamp.at,
        };
        self.put(&members, id.as_str(), member)
    }

    /// Changes a member's role (refused for the team's last active admin).
    pub fn set_member_role(&mut self, id: &str, role: Role) -> Result<(), ModelError> {
        let member = self.entry("members", "member", id)?;
        if role != Role::Admin {
            self.keep_an_admin(id)?;
        }
        self.put(&member, "role", role)
    }

    /// Removes a member from the team; their past edits stay attributed (refused for the
    /// team's last active admin).
    pub fn deactivate_member(&mut self, id: &str) -> Result<(), ModelError> {
        let member = self.entry("members", "member", id)?;
        self.keep_an_admin(id)?;
        self.put(&member, "active", false)
    }

    /// Refuses an edit that takes `id` out of the admins when no other active admin is left.
    fn keep_an_admin(&self, id: &str) -> Result<(), ModelError> {
        let members = self.settings()?.members;
        let other_admin =
            (members.iter()).any(|(other, m)| other != id && m.active && m.role == Role::Admin);
        let is_admin = members
            .get(id)
            .is_some_and(|m| m.active && m.role == Role::Admin);
        match is_admin && !other_admin {
            true => Err(ModelError::LastAdmin),
            false => Ok(()),
        }
    }

    /// Adds a pipeline stage.
    pub fn add_stage(&mut self, id: &Id, stage: StageDef) -> Result<(), ModelError> {
        let stage = StageDef {
            name_zh: required_text("stage name", &stage.name_zh, MAX_NAME)?,
            name_en: optional_text("stage name", &stage.name_en, MAX_NAME)?,
            ..stage
        };
        let stages = self.stages()?;
        if self.map(&stages, id.as_str()).is_ok() {
            return Err(ModelError::DuplicateId {
                kind: "stage",
                id: id.to_string(),
            });
        }
        self.put(&stages, id.as_str(), stage)
    }

    /// Renames a pipeline stage.
    pub fn rename_stage(
        &mut self,
        id: &str,
        name_zh: &str,
        name_en: &str,
    ) -> Result<(), ModelError> {
        let stages = self.stages()?;
        let stage = self
            .map(&stages, id)
            .map_err(|_| ModelError::UnknownStage {
                stage: id.to_owned(),
            })?;
        self.put(
            &stage,
            "name_zh",
            required_text("stage name", name_zh, MAX_NAME)?,
        )?;
        self.put(
            &stage,
            "name_en",
            optional_text("stage name", name_en, MAX_NAME)?,
        )
    }

    /// Removes a pipeline stage. Refused while it is the pipeline's last stage of its kind or
    /// a rule names it; the deals in it are moved first by whoever removes it (a deal moved
    /// into it meanwhile on another device shows in the first stage).
    pub fn remove_stage(&mut self, id: &str) -> Result<(), ModelError> {
        let settings = self.settings()?;
        let stage = settings.pipeline.stage(id)?;
        let in_use = |reason: String| ModelError::StageInUse {
            stage: id.to_owned(),
            reason,
        };
        let others = (settings.pipeline.stages.iter())
            .filter(|(other, s)| other.as_str() != id && s.kind == stage.kind);
        if others.count() == 0 {
            return Err(in_use(format!(
                "the pipeline needs a {} stage",
                stage.kind.as_str()
            )));
        }
        let naming = (self.rule_book().rules.into_iter()).find(|rule| rule.names_stage(id));
        if let Some(rule) = naming {
            return Err(in_use(format!("rule {:?} names it", rule.name)));
        }
        let stages = self.stages()?;
        self.doc.delete(&stages, id).map_err(layout(KIND))
    }

    /// Moves a pipeline stage on the board.
    pub fn reorder_stage(&mut self, id: &str, order: i64) -> Result<(), ModelError> {
        let stages = self.stages()?;
        let stage = self
            .map(&stages, id)
            .map_err(|_| ModelError::UnknownStage {
                stage: id.to_owned(),
            })?;
        self.put(&stage, "order", order)
    }

    /// Defines a custom field.
    pub fn add_custom_field(&mut self, id: &Id, def: CustomFieldDef) -> Result<(), ModelError> {
        let def = CustomFieldDef {
            label_zh: required_text("field label", &def.label_zh, MAX_NAME)?,
            ..def
        };
        let fields = self.map(&ROOT, "custom_fields")?;
        if self.map(&fields, id.as_str()).is_ok() {
            return Err(ModelError::DuplicateId {
                kind: "custom field",
                id: id.to_string(),
            });
        }
        self.put(&fields, id.as_str(), def)
    }

    /// Changes a custom field's definition: its labels, or one option of a select field
    /// (added, or renamed when it exists). Its kind never changes: values already stored in
    /// customers keep their meaning.
    pub fn edit_custom_field(&mut self, id: &str, edit: FieldDefEdit) -> Result<(), ModelError> {
        let field = self.entry("custom_fields", "custom field", id)?;
        match edit {
            FieldDefEdit::Labels { zh, en } => {
                self.put(
                    &field,
                    "label_zh",
                    required_text("field label", &zh, MAX_NAME)?,
                )?;
                self.put(
                    &field,
                    "label_en",
                    optional_text("field label", &en, MAX_NAME)?,
                )
            }
            FieldDefEdit::Option { id: option, zh, en } => {
                let kind = match self.doc.get(&field, "kind") {
                    Ok(Some((Value::Scalar(kind), _))) => kind.as_str().map(FieldKind::from_stored),
                    _ => None,
                };
                if !matches!(kind, Some(FieldKind::SingleSelect | FieldKind::MultiSelect)) {
                    return Err(ModelError::InvalidFieldValue {
                        field: id.to_owned(),
                        reason: "only select fields have options".into(),
                    });
                }
                let options = self.map(&field, "options")?;
                let option_def = FieldOption {
                    label_zh: required_text("option label", &zh, MAX_NAME)?,
                    label_en: optional_text("option label", &en, MAX_NAME)?,
                };
                self.put(&options, option.as_str(), option_def)
            }
        }
    }

    /// Removes a custom field definition (values already stored in customers stay).
    pub fn remove_custom_field(&mut self, id: &str) -> Result<(), ModelError> {
        self.entry("custom_fields", "custom field", id)?;
        let fields = self.map(&ROOT, "custom_fields")?;
        self.doc.delete(&fields, id).map_err(layout(KIND))
    }

    /// Lists a new customer document in the directory.
    pub fn register_customer(&mut self, id: &Id, stamp: &Stamp) -> Result<(), ModelError> {
        self.register_customers(std::slice::from_ref(id), stamp)
    }

    /// Lists new customer documents in the directory: all of them, or none when one is listed
    /// already (or twice in `ids`).
    pub fn register_customers(&mut self, ids: &[Id], stamp: &Stamp) -> Result<(), ModelError> {
        let directory = self.map(&ROOT, "directory")?;
        let mut seen = std::collections::HashSet::new();
        if let Some(id) = (ids.iter())
            .find(|id| !seen.insert(id.as_str()) || self.listed(&directory, id.as_str()))
        {
            return Err(ModelError::DuplicateId {
                kind: "customer",
                id: id.to_string(),
            });
        }
        for id in ids {
            self.put(&directory, id.as_str(), stamp.by.as_str())?;
        }
        Ok(())
    }

    /// Removes a customer from the directory.
    pub fn unregister_customer(&mut self, id: &str) -> Result<(), ModelError> {
        let directory = self.map(&ROOT, "directory")?;
        if !self.listed(&directory, id) {
            return Err(ModelError::NotFound {
                kind: "customer",
                id: id.to_owned(),
            });
        }
        self.doc.delete(&directory, id).map_err(layout(KIND))
    }

    /// Whether `directory` lists customer `id` (in either form of entry).
    fn listed(&self, directory: &ObjId, id: &str) -> bool {
        matches!(self.doc.get(directory, id), Ok(Some(_)))
    }

    fn stages(&self) -> Result<ObjId, ModelError> {
        let pipeline = self.map(&ROOT, "pipeline")?;
        self.map(&pipeline, "stages")
    }

    fn entry(
        &self,
        collection: &'static str,
        kind: &'static str,
        id: &str,
    ) -> Result<ObjId, ModelError> {
        let collection = self.map(&ROOT, collection)?;
        self.map(&collection, id).map_err(|_| ModelError::NotFound {
            kind,
            id: id.to_owned(),
        })
    }

    /// Says customers `a` and `b` are two people: the duplicates screen stops pairing them.
    /// The first dismissal makes the `not_duplicates` map (two made at once, offline: one
    /// map wins and the other's dismissals show as pairs again, to dismiss once more).
    pub fn dismiss_duplicate(&mut self, a: &Id, b: &Id, stamp: &Stamp) -> Result<(), ModelError> {
        let map = match self.map(&ROOT, "not_duplicates") {
            Ok(map) => map,
            Err(_) => (self.doc)
                .put_object(ROOT, "not_duplicates", ObjType::Map)
                .map_err(layout(KIND))?,
        };
        let dismissal = Dismissal {
            at: stamp.at,
            by: stamp.by.clone(),
        };
        self.put(&map, &pair_key(a.as_str(), b.as_str()), dismissal)
    }

    fn map(&self, parent: &ObjId, key: &str) -> Result<ObjId, ModelError> {
        match self.doc.get(parent, key) {
            Ok(Some((Value::Object(ObjType::Map), obj))) => Ok(obj),
            _ => Err(ModelError::NotFound {
                kind: KIND,
                id: key.to_owned(),
            }),
        }
    }

    fn put<R: Reconcile>(&mut self, obj: &ObjId, key: &str, value: R) -> Result<(), ModelError> {
        reconcile_prop(&mut self.doc, obj, key, value).map_err(layout(KIND))
    }
}
