//! The workspace document: the team (members and roles), its pipeline, its custom fields, its
//! rules (see [`RuleBook`]) and the directory of its customer documents.
//!
//! Every replica starts from the same genesis change (fixed actor, time zero, the empty layout
//! with the standard pipeline), so two devices that start a workspace offline share its root
//! objects and their later edits merge instead of shadowing each other.

mod ops;
mod rule_book;

pub use ops::FieldDefEdit;
pub use rule_book::RuleBook;

use std::collections::BTreeMap;

use automerge::ReadDoc;
use automerge::{ActorId, AutoCommit, ROOT, transaction::CommitOptions, transaction::Transactable};
use autosurgeon::{Hydrate, Reconcile, hydrate, hydrate_prop, reconcile};

use crate::custom_field::CustomFieldDef;
use crate::document::{CrmDocument, layout, schema_version};
use crate::error::ModelError;
use crate::pipeline::Pipeline;
use crate::string_enum::string_enum;
use crate::values::Millis;

/// Layout version written by this build.
pub const SCHEMA_VERSION: u64 = 1;
const KIND: &str = "workspace";

string_enum! {
    /// What a member may do.
    pub enum Role fallback Sales {
        /// Everything, including members, pipeline, fields and rules.
        Admin => "admin",
        /// All customers of the team.
        Manager => "manager",
        /// Own customers.
        Sales => "sales",
    }
}

string_enum! {
    /// Which customers a salesperson's devices receive (managers and admins receive all).
    pub enum ReadScope fallback Own {
        /// Those they own (an unknown value reads as this, the safe one).
        Own => "own",
        /// Those they own; the rest of the team's list only as rows with contact points
        /// masked — who owns whom is visible (no 撞单), the numbers are not.
        Listed => "listed",
        /// Every customer of the team (a small team's choice).
        Everyone => "everyone",
    }
}

/// A person in the team.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, serde::Serialize, serde::Deserialize)]
pub struct Member {
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// False once removed from the team (kept so history stays attributable).
    pub active: bool,
    /// When the member was added.
    pub joined_at: Millis,
}

/// Where a member stands in the team, as the workspace document says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// In the team, with this role.
    Active(Role),
    /// Deactivated: left the team.
    Inactive,
    /// Not listed (a token minted before the member was registered).
    Unlisted,
}

impl Standing {
    /// Where `member` stands among `members`.
    pub fn of(members: &BTreeMap<String, Member>, member: &str) -> Self {
        match members.get(member) {
            Some(m) if m.active => Self::Active(m.role),
            Some(_) => Self::Inactive,
            None => Self::Unlisted,
        }
    }
}

/// A customer listed in the workspace: written as the id of the member who listed it, one
/// scalar per customer. Workspaces from before 2026-12 also hold entries as a map
/// `{created_at, created_by}` (three operations each: a 100,000-customer directory took three
/// times the memory and five times the time to load), which are still read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DirectoryEntry {
    /// Member who created it.
    pub created_by: String,
}

impl Hydrate for DirectoryEntry {
    fn hydrate_string(created_by: &str) -> Result<Self, autosurgeon::HydrateError> {
        Ok(Self {
            created_by: created_by.to_owned(),
        })
    }

    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, autosurgeon::HydrateError> {
        Ok(Self {
            created_by: hydrate_prop(doc, obj, "created_by")?,
        })
    }
}

/// Who said two customers are two people, and when.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, serde::Serialize, serde::Deserialize)]
pub struct Dismissal {
    /// When.
    pub at: Millis,
    /// The member.
    pub by: String,
}

/// The workspace's settings — team, members, pipeline, custom fields — and its directory, as
/// hydrated from its document. The `rules` map is read by [`WorkspaceDoc::rule_book`].
#[derive(Debug, Clone, PartialEq, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct WorkspaceSettings {
    /// Layout version.
    pub schema_version: u64,
    /// Display name of the team.
    pub name: String,
    /// Member id → member.
    pub members: BTreeMap<String, Member>,
    /// Deal stages.
    pub pipeline: Pipeline,
    /// Custom field id → definition.
    pub custom_fields: BTreeMap<String, CustomFieldDef>,
    /// Customer document id → entry.
    pub directory: BTreeMap<String, DirectoryEntry>,
    /// The team's language: the interface's default on a device where nobody chose one.
    /// Absent until an admin sets it.
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub language: Option<crate::rules::Language>,
    /// Which customers salespeople's devices receive. Absent in workspaces from before it
    /// existed, which keep receiving everything ([`WorkspaceSettings::read_scope`]); a team
    /// started by an invitation begins with [`ReadScope::Own`].
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub read_scope: Option<ReadScope>,
    /// Most customers a salesperson may hold by claiming from the pool (absent: no cap).
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub pool_cap: Option<u32>,
    /// Pairs of customers the team said are two people ([`crate::dedup::pair_key`] → who and
    /// when); absent until the first.
    #[autosurgeon(missing = "Option::default")]
    #[serde(default)]
    pub not_duplicates: Option<BTreeMap<String, Dismissal>>,
}

impl WorkspaceSettings {
    /// Which customers salespeople's devices receive.
    pub fn read_scope(&self) -> ReadScope {
        self.read_scope.unwrap_or(ReadScope::Everyone)
    }

    /// The stages and custom fields a rule of this workspace may name.
    pub fn rule_scope(&self) -> crate::rules::RuleScope<'_> {
        crate::rules::RuleScope {
            pipeline: &self.pipeline,
            custom_fields: &self.custom_fields,
        }
    }
}

/// A workspace document.
#[derive(Debug, Clone)]
pub struct WorkspaceDoc {
    doc: AutoCommit,
}

impl Default for WorkspaceDoc {
    fn default() -> Self {
        Self::new()
    }
}

impl WorkspaceDoc {
    /// A new workspace at its genesis: no members, no customers, the standard pipeline.
    /// Edits after genesis use a fresh random actor.
    pub fn new() -> Self {
        let mut doc = AutoCommit::new().with_actor(ActorId::from([0u8; 16]));
        let genesis = Genesis {
            schema_version: SCHEMA_VERSION,
            name: String::new(),
            members: BTreeMap::new(),
            pipeline: Pipeline::standard(),
            custom_fields: BTreeMap::new(),
            directory: BTreeMap::new(),
        };
        reconcile(&mut doc, &genesis).expect("reconciling into a fresh document cannot fail");
        doc.put_object(ROOT, "rules", automerge::ObjType::Map)
            .expect("a fresh document accepts a map");
        doc.commit_with(CommitOptions::default().with_time(0));
        doc.set_actor(ActorId::random());
        Self { doc }
    }

    /// The whole workspace, typed.
    pub fn workspace(&self) -> Result<WorkspaceSettings, ModelError> {
        hydrate(&self.doc).map_err(layout(KIND))
    }

    /// The workspace without its directory (left empty): the team, pipeline and fields a
    /// screen needs, read without going through a directory of many thousand customers.
    pub fn settings(&self) -> Result<WorkspaceSettings, ModelError> {
        settings_of(&self.doc)
    }

    /// The ids of the customers the directory lists.
    pub fn directory_ids(&self) -> Vec<String> {
        match self.doc.get(ROOT, "directory") {
            Ok(Some((automerge::Value::Object(_), directory))) => self
                .doc
                .map_range(&directory, ..)
                .map(|item| item.key.to_string())
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl CrmDocument for WorkspaceDoc {
    const KIND: &'static str = KIND;
    const SCHEMA_VERSION: u64 = SCHEMA_VERSION;

    fn from_checked(doc: AutoCommit) -> Self {
        Self { doc }
    }

    fn automerge(&self) -> &AutoCommit {
        &self.doc
    }

    fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    fn check(doc: &mut AutoCommit) -> Result<(), ModelError> {
        // Version 1 is the first layout: nothing older to migrate yet.
        schema_version(doc, KIND, SCHEMA_VERSION)?;
        settings_of(doc)?;
        // The directory's entries (100,000 in the largest workspaces: hydrating them took
        // four times Automerge's own load) are read when needed; it must be a map.
        match doc.get(ROOT, "directory") {
            Ok(Some((automerge::Value::Object(automerge::ObjType::Map), _))) => Ok(()),
            _ => Err(ModelError::Layout {
                kind: KIND,
                reason: "directory is not a map".into(),
            }),
        }
    }
}

/// What every workspace starts with, byte for byte the same in every replica (keys added to the
/// layout later, like `language`, are not part of it).
#[derive(Reconcile)]
struct Genesis {
    schema_version: u64,
    name: String,
    members: BTreeMap<String, Member>,
    pipeline: Pipeline,
    custom_fields: BTreeMap<String, CustomFieldDef>,
    /// Empty: only its map is part of the genesis.
    directory: BTreeMap<String, String>,
}

/// The settings of workspace document `doc`, without its directory.
fn settings_of(doc: &AutoCommit) -> Result<WorkspaceSettings, ModelError> {
    fn prop<T: Hydrate>(doc: &AutoCommit, key: &'static str) -> Result<T, ModelError> {
        hydrate_prop(doc, ROOT, key).map_err(layout(KIND))
    }
    /// A key added to the layout after the first: absent in older documents (or null).
    fn added<T: Hydrate>(doc: &AutoCommit, key: &'static str) -> Result<Option<T>, ModelError> {
        match doc.get(ROOT, key) {
            Ok(Some(_)) => prop(doc, key),
            _ => Ok(None),
        }
    }
    Ok(WorkspaceSettings {
        schema_version: prop(doc, "schema_version")?,
        name: prop(doc, "name")?,
        members: prop(doc, "members")?,
        pipeline: prop(doc, "pipeline")?,
        custom_fields: prop(doc, "custom_fields")?,
        directory: BTreeMap::new(),
        language: added(doc, "language")?,
        read_scope: added(doc, "read_scope")?,
        pool_cap: added(doc, "pool_cap")?,
        not_duplicates: added(doc, "not_duplicates")?,
    })
}

#[cfg(test)]
mod tests;
