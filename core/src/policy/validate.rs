//! Full validation of what a change touched: every touched entry must hydrate as its type
//! (docs/schema.md) with texts within their lengths, root keys must be the layout's, and a
//! customer's `id` must be its document's id. The list-level layout is checked on every
//! change already (`CrmDocument::check`); this reads the touched entries, so its cost follows
//! the change, not the document.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{AutoCommit, ROOT, ReadDoc};
use autosurgeon::{Hydrate, Text, hydrate_path};

use super::restore::object_at;
use crate::contact::{ContactKind, is_e164};
use crate::custom_field::CustomFieldDef;
use crate::customer::{
    Archived, AutoTag, ContactPoint, CustomValue, Deal, Erased, FollowUp, Interaction,
    MERGE_FIELDS, ManualTag, MergeRecord, Merged, Order, Profile, RuleFiring,
};
use crate::pipeline::StageDef;
use crate::touched::Path;
use crate::values::Millis;
use crate::workspace::{DirectoryEntry, Member};

/// Longest key of a collection entry (ids, member ids, tag names are shorter).
pub const MAX_KEY: usize = 64;
/// Longest free text a customer holds (the notes).
pub const MAX_NOTES: usize = 20_000;
/// Longest summary, order items or custom text value.
const MAX_LONG: usize = 5_000;
/// Longest title, company, label, lost reason or contact value.
const MAX_SHORT: usize = 200;
/// Longest name or member id.
const MAX_NAME: usize = 100;
/// Longest stored rule (JSON text).
const MAX_RULE: usize = 20_000;
/// Most stage moves one deal records.
const MAX_STAGE_MOVES: usize = 1_000;

const CUSTOMER_KEYS: [&str; 21] = [
    "schema_version",
    "id",
    "profile",
    "contacts",
    "tags",
    "auto_tags",
    "rule_firings",
    "custom",
    "deals",
    "follow_ups",
    "interactions",
    "orders",
    "notes",
    "created_at",
    "created_by",
    "updated_at",
    "archived",
    "updated_by",
    "erased",
    "merged_into",
    "merges",
];
const WORKSPACE_KEYS: [&str; 11] = [
    "schema_version",
    "name",
    "language",
    "read_scope",
    "pool_cap",
    "members",
    "pipeline",
    "custom_fields",
    "rules",
    "directory",
    "not_duplicates",
];

/// Why the touched entries of a customer document `doc_id` (or the workspace document, when
/// `doc_id` is `None`) are not valid, naming the field; `None` when they are.
pub(super) fn invalid(
    doc: &AutoCommit,
    doc_id: Option<&str>,
    touched: &BTreeSet<Path>,
) -> Option<String> {
    touched.iter().find_map(|path| match doc_id {
        Some(id) => customer_entry(doc, id, path).err(),
        None => workspace_entry(doc, path).err(),
    })
}

type Checked = Result<(), String>;

fn customer_entry(doc: &AutoCommit, doc_id: &str, path: &[String]) -> Checked {
    let top = path[0].as_str();
    if !CUSTOMER_KEYS.contains(&top) {
        return Err(format!("{top}: not a field of a customer"));
    }
    let entry = path.get(1).map(String::as_str);
    if let Some(key) = entry
        && top != "profile"
    {
        key_length(top, key, if top == "tags" { 32 } else { MAX_KEY })?;
    }
    let at = |field: &str| format!("{}.{field}", path.join("."));
    match (top, entry) {
        ("id", _) => {
            let id: Option<String> = read(doc, path)?;
            match id.as_deref() == Some(doc_id) {
                true => Ok(()),
                false => Err(format!("id {id:?} is not the document's id {doc_id:?}")),
            }
        }
        ("profile", _) => read::<Profile>(doc, &path[..1])?.map_or(Ok(()), |p| {
            texts(&[
                ("profile.name", &p.name, MAX_NAME),
                ("profile.name_latin", &p.name_latin, MAX_NAME),
                ("profile.company", &p.company, MAX_SHORT),
                ("profile.title", &p.title, MAX_NAME),
                ("profile.owner", &p.owner, MAX_KEY),
            ])
        }),
        ("contacts", Some(_)) => read::<ContactPoint>(doc, path)?.map_or(Ok(()), |c| {
            texts(&[
                (&at("value"), &c.value, MAX_SHORT),
                (&at("normalized"), &c.normalized, MAX_SHORT),
                (&at("label"), &c.label, MAX_NAME),
            ])?;
            match c.kind == ContactKind::Phone && !is_e164(&c.normalized) {
                true => Err(format!("{}: a phone not in E.164 form", at("normalized"))),
                false => Ok(()),
            }
        }),
        ("tags", Some(_)) => read::<ManualTag>(doc, path)?.map_or(Ok(()), |t| {
            texts(&[(&at("added_by"), &t.added_by, MAX_KEY)])
        }),
        ("auto_tags", Some(_)) => read::<AutoTag>(doc, path)?
            .map_or(Ok(()), |t| texts(&[(&at("rule_id"), &t.rule_id, MAX_KEY)])),
        ("rule_firings", Some(_)) => read::<RuleFiring>(doc, path).map(|_| ()),
        ("custom", Some(_)) => read::<CustomValue>(doc, path)?.map_or(Ok(()), |v| match v {
            CustomValue::Text(text) => texts(&[(&path.join("."), &text, MAX_LONG)]),
            CustomValue::Number(_) => Ok(()),
            CustomValue::Choices(choices) if choices.len() > MAX_SHORT => {
                Err(format!("{}: more than {MAX_SHORT} choices", path.join(".")))
            }
            CustomValue::Choices(choices) => choices
                .keys()
                .try_for_each(|k| key_length(&path.join("."), k, MAX_KEY)),
        }),
        ("deals", Some(_)) => read::<Deal>(doc, path)?.map_or(Ok(()), |d| {
            if d.stage_history.len() > MAX_STAGE_MOVES {
                return Err(format!(
                    "{}: more than {MAX_STAGE_MOVES} moves",
                    at("stage_history")
                ));
            }
            let lost = d.lost_reason.unwrap_or_default();
            let close = d.expected_close.unwrap_or_default();
            texts(&[
                (&at("title"), &d.title, MAX_SHORT),
                (&at("currency"), &d.currency, 3),
                (&at("stage"), &d.stage, MAX_KEY),
                (&at("lost_reason"), &lost, MAX_SHORT),
                (&at("expected_close"), &close, 10),
            ])?;
            d.stage_history.iter().try_for_each(|m| {
                texts(&[
                    (&at("stage_history.stage"), &m.stage, MAX_KEY),
                    (&at("stage_history.by"), &m.by, MAX_KEY),
                ])
            })
        }),
        ("follow_ups", Some(_)) => read::<FollowUp>(doc, path)?.map_or(Ok(()), |f| {
            texts(&[
                (&at("title"), &f.title, MAX_SHORT),
                (&at("assignee"), &f.assignee, MAX_KEY),
                (&at("origin"), &f.origin, MAX_KEY),
            ])
        }),
        ("interactions", Some(_)) => read::<Interaction>(doc, path)?.map_or(Ok(()), |i| {
            let deal = i.deal_id.unwrap_or_default();
            texts(&[
                (&at("summary"), &i.summary, MAX_LONG),
                (&at("author"), &i.author, MAX_KEY),
                (&at("deal_id"), &deal, MAX_KEY),
            ])
        }),
        ("orders", Some(_)) => read::<Order>(doc, path)?.map_or(Ok(()), |o| {
            texts(&[
                (&at("items"), &o.items, MAX_LONG),
                (&at("currency"), &o.currency, 3),
            ])
        }),
        ("notes", _) => read::<Text>(doc, &path[..1])?
            .map_or(Ok(()), |t| texts(&[("notes", t.as_str(), MAX_NOTES)])),
        ("archived", _) => read::<Option<Archived>>(doc, &path[..1])?
            .flatten()
            .map_or(Ok(()), |a| texts(&[("archived.by", &a.by, MAX_KEY)])),
        ("erased", _) => read::<Option<Erased>>(doc, &path[..1])?
            .flatten()
            .map_or(Ok(()), |e| texts(&[("erased.by", &e.by, MAX_KEY)])),
        ("merged_into", _) => read::<Option<Merged>>(doc, &path[..1])?
            .flatten()
            .map_or(Ok(()), |m| merged(doc_id, &m)),
        ("merges", Some(_)) => read::<MergeRecord>(doc, path).map(|_| ()),
        ("merges", None) => read::<BTreeMap<String, MergeRecord>>(doc, path).map(|_| ()),
        ("created_at" | "updated_at", _) => read::<Millis>(doc, path).map(|_| ()),
        ("created_by" | "updated_by", _) => {
            read::<String>(doc, path)?.map_or(Ok(()), |by| texts(&[(top, &by, MAX_KEY)]))
        }
        _ => Ok(()),
    }
}

/// A merge names another customer and only the profile fields a merge takes.
fn merged(doc_id: &str, m: &Merged) -> Checked {
    texts(&[
        ("merged_into.into", &m.into, MAX_KEY),
        ("merged_into.by", &m.by, MAX_KEY),
    ])?;
    let undone = m.undone.as_ref().map_or("", |u| u.by.as_str());
    texts(&[("merged_into.undone.by", undone, MAX_KEY)])?;
    if m.into == doc_id {
        return Err("merged_into: a customer is not merged into itself".into());
    }
    match m.take.iter().find(|f| !MERGE_FIELDS.contains(&f.as_str())) {
        Some(field) => Err(format!(
            "merged_into.take: {field:?} is not a profile field"
        )),
        None => Ok(()),
    }
}

fn workspace_entry(doc: &AutoCommit, path: &[String]) -> Checked {
    let top = path[0].as_str();
    if !WORKSPACE_KEYS.contains(&top) {
        return Err(format!("{top}: not a field of the workspace"));
    }
    let entry = path.get(1).map(String::as_str);
    if let Some(key) = entry {
        // A dismissed pair is keyed by two customer ids.
        let longest = if top == "not_duplicates" {
            2 * MAX_KEY + 1
        } else {
            MAX_KEY
        };
        key_length(top, key, longest)?;
    }
    let at = |field: &str| format!("{}.{field}", path.join("."));
    match (top, entry) {
        ("name", _) => {
            read::<String>(doc, path)?.map_or(Ok(()), |name| texts(&[("name", &name, MAX_NAME)]))
        }
        ("pool_cap", _) => read::<Option<u32>>(doc, path).map(|_| ()),
        ("not_duplicates", Some(_)) => read::<crate::workspace::Dismissal>(doc, path)?
            .map_or(Ok(()), |d| texts(&[(&at("by"), &d.by, MAX_KEY)])),
        ("not_duplicates", None) => {
            read::<std::collections::BTreeMap<String, crate::workspace::Dismissal>>(doc, path)
                .map(|_| ())
        }
        ("members", Some(_)) => read::<Member>(doc, path)?
            .map_or(Ok(()), |m| texts(&[(&at("name"), &m.name, MAX_NAME)])),
        ("pipeline", Some(_)) => {
            let stages: Option<std::collections::BTreeMap<String, StageDef>> =
                read(doc, &[path[0].clone(), "stages".into()])?;
            stages.unwrap_or_default().iter().try_for_each(|(id, s)| {
                key_length("pipeline.stages", id, MAX_KEY)?;
                texts(&[
                    (
                        &format!("pipeline.stages.{id}.name_zh"),
                        &s.name_zh,
                        MAX_NAME,
                    ),
                    (
                        &format!("pipeline.stages.{id}.name_en"),
                        &s.name_en,
                        MAX_NAME,
                    ),
                ])
            })
        }
        ("custom_fields", Some(_)) => read::<CustomFieldDef>(doc, path)?.map_or(Ok(()), |f| {
            texts(&[
                (&at("label_zh"), &f.label_zh, MAX_NAME),
                (&at("label_en"), &f.label_en, MAX_NAME),
            ])
        }),
        ("rules", Some(_)) => read::<String>(doc, path)?
            .map_or(Ok(()), |rule| texts(&[(&path.join("."), &rule, MAX_RULE)])),
        ("directory", Some(_)) => read::<DirectoryEntry>(doc, path)?.map_or(Ok(()), |e| {
            texts(&[(&at("created_by"), &e.created_by, MAX_KEY)])
        }),
        _ => Ok(()),
    }
}

/// The value at `path`, typed (`None` when the entry is gone).
fn read<T: Hydrate>(doc: &AutoCommit, path: &[String]) -> Result<Option<T>, String> {
    let (last, parent) = path.split_last().expect("a touched path has a key");
    let present = object_at(doc, parent, None)
        .is_some_and(|obj| matches!(doc.get(&obj, last.as_str()), Ok(Some(_))));
    if !present {
        return Ok(None);
    }
    hydrate_path(doc, &ROOT, path.iter().map(|k| k.as_str().into()))
        .map_err(|error| format!("{}: {error}", path.join(".")))
}

/// Every text within its length, in characters.
fn texts(fields: &[(&str, &str, usize)]) -> Checked {
    fields.iter().try_for_each(|(field, text, max)| {
        let chars = text.chars().count();
        match chars > *max {
            true => Err(format!("{field}: {chars} characters, at most {max}")),
            false => Ok(()),
        }
    })
}

fn key_length(collection: &str, key: &str, max: usize) -> Checked {
    match key.chars().count() > max {
        true => Err(format!("{collection}: a key longer than {max} characters")),
        false => Ok(()),
    }
}
