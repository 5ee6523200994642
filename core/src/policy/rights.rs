//! The rights table (docs/permissions.md): for each entry a change touched, whether the
//! connection's member and role may change it.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash, ReadDoc, ScalarValue, Value};

use super::restore::object_at;
use crate::customer::UNMERGE_DAYS;
use crate::rules::SEGMENT_KEY_PREFIX;
use crate::token::Grant;
use crate::touched::Path;
use crate::values::DAY_MS;
use crate::workspace::Role;

/// An entry the member may not change as they did, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// The entry, from the document's root (e.g. `["interactions", "i1"]`).
    pub path: Vec<String>,
    /// Why, in English, for logs and the audit trail.
    pub reason: &'static str,
}

/// Fields only the edge writes: the rules engine, and what a merge carried.
const ENGINE_ONLY: [&str; 3] = ["auto_tags", "rule_firings", "merges"];

/// A document read before the change (`then`) and now.
struct Reader<'a> {
    doc: &'a AutoCommit,
    before: &'a [ChangeHash],
}

impl Reader<'_> {
    /// The string at `path` now, or before the change.
    fn text(&self, path: &[&str], then: bool) -> Option<String> {
        match self.scalar(path, then)? {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }

    /// The scalar at `path` now, or before the change.
    fn scalar(&self, path: &[&str], then: bool) -> Option<ScalarValue> {
        let (last, parent) = path.split_last()?;
        let parent: Vec<String> = parent.iter().map(|k| k.to_string()).collect();
        let heads = then.then_some(self.before);
        let obj = object_at(self.doc, &parent, heads)?;
        let value = match heads {
            Some(heads) => self.doc.get_at(&obj, *last, heads),
            None => self.doc.get(&obj, *last),
        };
        match value.ok()?? {
            (Value::Scalar(scalar), _) => Some(scalar.into_owned()),
            _ => None,
        }
    }

    /// Every string a root key holds now, concurrent values included.
    fn values(&self, key: &str) -> Vec<String> {
        let values = self.doc.get_all(automerge::ROOT, key).unwrap_or_default();
        values
            .into_iter()
            .filter_map(|(value, _)| value.into_string().ok())
            .collect()
    }

    /// How many active admins the workspace's `members` lists now, or before the change.
    fn active_admins(&self, then: bool) -> usize {
        let heads = then.then_some(self.before);
        let Some(members) = object_at(self.doc, &["members".to_owned()], heads) else {
            return 0;
        };
        let keys: Vec<String> = match heads {
            Some(heads) => self.doc.keys_at(&members, heads).collect(),
            None => self.doc.keys(&members).collect(),
        };
        let field = |id: &str, name: &str| self.scalar(&["members", id, name], then);
        keys.iter()
            .filter(|id| {
                field(id, "active") == Some(ScalarValue::Boolean(true))
                    && field(id, "role") == Some(ScalarValue::Str(Role::Admin.as_str().into()))
            })
            .count()
    }

    /// Whether the map entry at `path` exists now, or before the change.
    fn exists(&self, path: &[String], then: bool) -> bool {
        let Some((last, parent)) = path.split_last() else {
            return true;
        };
        let heads = then.then_some(self.before);
        object_at(self.doc, parent, heads).is_some_and(|obj| match heads {
            Some(heads) => matches!(self.doc.get_at(&obj, last.as_str(), heads), Ok(Some(_))),
            None => matches!(self.doc.get(&obj, last.as_str()), Ok(Some(_))),
        })
    }
}

/// The entries of `touched` the member of `grant` may not change as they did; `workspace`:
/// the document is the workspace document, else a customer.
pub(super) fn breaches(
    grant: &Grant,
    doc: &AutoCommit,
    before: &[ChangeHash],
    touched: &BTreeSet<Path>,
    workspace: bool,
) -> Vec<Breach> {
    let read = Reader { doc, before };
    let foreign = !workspace && foreign_customer(grant, &read);
    // Two admins who demote or deactivate each other offline would each leave the other one:
    // the later change's member edits are put back when no active admin would remain.
    let members = workspace && touched.iter().any(|path| path[0] == "members");
    let headless = members && read.active_admins(true) > 0 && read.active_admins(false) == 0;
    touched
        .iter()
        .filter_map(|path| {
            let reason = match workspace {
                true => workspace_entry(grant, &read, path).or_else(|| {
                    (headless && path[0] == "members")
                        .then_some("the team would be left without an active admin")
                }),
                false => customer_entry(grant, &read, foreign, path),
            };
            reason.map(|reason| Breach {
                path: path.clone(),
                reason,
            })
        })
        .collect()
}

/// Whether the customer was owned by someone other than a salesperson of `grant`.
fn foreign_customer(grant: &Grant, read: &Reader<'_>) -> bool {
    let owner_then = read.text(&["profile", "owner"], true).unwrap_or_default();
    grant.role == Role::Sales && !owner_then.is_empty() && owner_then != grant.member
}

/// Why the member may not change customer entry `path` as they did (`foreign`: the customer
/// is not theirs to change), if they may not.
fn customer_entry(
    grant: &Grant,
    read: &Reader<'_>,
    foreign: bool,
    path: &[String],
) -> Option<&'static str> {
    let me = grant.member.as_str();
    let sales = grant.role == Role::Sales;
    let creating = read.before.is_empty();
    let top = path[0].as_str();
    // A new document's empty engine maps are part of its layout; their entries are not.
    if ENGINE_ONLY.contains(&top) && (path.len() > 1 || read.exists(path, true)) {
        return Some("written only by the rules engine");
    }
    if foreign {
        return Some("sales change only the customers they own");
    }
    match (top, path.get(1).map(String::as_str)) {
        // A salesperson creating a customer owns it or leaves it unowned, and releases their
        // own to the pool.
        ("profile", Some("owner"))
            if sales && !(creating && mine_or_empty(read, path, me)) && !released(read, me) =>
        {
            Some("only managers and admins assign a customer's owner")
        }
        ("created_by", _) if !(creating && read.text(&[top], false).as_deref() == Some(me)) => {
            Some("created_by names the member who created the customer and never changes")
        }
        // Concurrent edits leave several values, of which any may win: one must be the
        // member's own.
        ("updated_by", _) => (!read.values(top).iter().any(|by| by == me))
            .then_some("updated_by names the member signed in"),
        // Archiving names who did it.
        ("archived", _) => (read.text(&["archived", "by"], false))
            .is_some_and(|by| by != me)
            .then_some("archived names the member signed in"),
        // Erasing is the admin's, in their own name.
        ("erased", _) => (grant.role != Role::Admin
            || read.text(&["erased", "by"], false).as_deref() != Some(me))
        .then_some("only admins erase customers, in their own name"),
        // Merging and unmerging are a manager's or admin's, in their own name, an unmerge
        // within its window after the merge.
        ("merged_into", _) => merging(grant, read),
        ("interactions", Some(_)) => authored(read, path, "author", me, sales, true),
        ("tags", Some(_)) => authored(read, path, "added_by", me, sales, true),
        // Managers and admins assign follow-ups to anyone.
        ("follow_ups", Some(_)) => authored(read, path, "assignee", me, sales, sales),
        ("orders", Some(_)) => (sales && read.exists(path, true) && !read.exists(path, false))
            .then_some("only managers and admins remove orders"),
        ("deals", Some(id)) => stage_history(read, id, me),
        _ => None,
    }
}

/// Why the member may not change the customer's merge as they did, if they may not.
fn merging(grant: &Grant, read: &Reader<'_>) -> Option<&'static str> {
    let me = grant.member.as_str();
    let int = |path: &[&str]| match read.scalar(path, false) {
        Some(ScalarValue::Int(n)) => Some(n),
        _ => None,
    };
    let by = read.text(&["merged_into", "by"], false);
    let by_then = read.text(&["merged_into", "by"], true);
    if by.is_none() && by_then.is_none() {
        // Not merged before or after (a new customer's empty mark).
        return None;
    }
    if grant.role == Role::Sales {
        return Some("only managers and admins merge customers");
    }
    let undone_by = read.text(&["merged_into", "undone", "by"], false);
    let (at, undone_at) = (
        int(&["merged_into", "at"]),
        int(&["merged_into", "undone", "at"]),
    );
    let window = UNMERGE_DAYS * DAY_MS;
    match (undone_by, undone_at, at) {
        // A merge, made now or an unmerge of it.
        (None, _, _) if by.as_deref().is_some_and(|by| by != me) && by != by_then => {
            Some("a merge names the member signed in")
        }
        (Some(who), Some(undone), Some(at))
            if read.text(&["merged_into", "undone", "by"], true).is_none() =>
        {
            (who != me || undone > at.saturating_add(window) || undone < at)
                .then_some("an unmerge names the member signed in, within 30 days of the merge")
        }
        _ => None,
    }
}

/// Whether the customer went from `me` to nobody (released to the pool).
fn released(read: &Reader<'_>, me: &str) -> bool {
    let owner = ["profile", "owner"];
    read.text(&owner, true).as_deref() == Some(me)
        && read.text(&owner, false).as_deref() == Some("")
}

/// Whether the string at `path` names `me` or nobody.
fn mine_or_empty(read: &Reader<'_>, path: &[String], me: &str) -> bool {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    read.text(&path, false)
        .is_none_or(|who| who.is_empty() || who == me)
}

/// Whether a change to entry `path`, whose member is named by its `key`, breaks authorship:
/// only its member (or a manager or admin) edits or removes it; when `named_by_me`, a new
/// entry names `me` and the name never changes.
fn authored(
    read: &Reader<'_>,
    path: &[String],
    key: &str,
    me: &str,
    sales: bool,
    named_by_me: bool,
) -> Option<&'static str> {
    let field: Vec<&str> = path.iter().map(String::as_str).chain([key]).collect();
    let (then, now) = (read.exists(path, true), read.exists(path, false));
    let (who_then, who_now) = (read.text(&field, true), read.text(&field, false));
    match (then, now) {
        (false, true) if named_by_me && who_now.as_deref() != Some(me) => {
            Some("a new entry names the member signed in as its author")
        }
        (false, _) => None,
        (true, _) if sales && who_then.as_deref() != Some(me) => {
            Some("sales change or remove only the entries they wrote")
        }
        (true, true) if named_by_me && who_then != who_now => {
            Some("an entry's author never changes")
        }
        _ => None,
    }
}

/// Whether deal `id`'s stage history gained an entry that does not name `me`.
fn stage_history(read: &Reader<'_>, id: &str, me: &str) -> Option<&'static str> {
    let deal = ["deals".to_owned(), id.to_owned()];
    let list_at = |heads: Option<&[ChangeHash]>| {
        let deal = object_at(read.doc, &deal, heads)?;
        let found = match heads {
            Some(heads) => read.doc.get_at(&deal, "stage_history", heads),
            None => read.doc.get(&deal, "stage_history"),
        };
        found.ok().flatten().map(|(_, list)| list)
    };
    // Entries are told apart by their objects: concurrent appends interleave, so a new
    // entry can sit anywhere in the list.
    let entries = |heads: Option<&[ChangeHash]>| -> Vec<automerge::ObjId> {
        let Some(list) = list_at(heads) else {
            return Vec::new();
        };
        let length = match heads {
            Some(heads) => read.doc.length_at(&list, heads),
            None => read.doc.length(&list),
        };
        (0..length)
            .filter_map(|index| {
                let found = match heads {
                    Some(heads) => read.doc.get_at(&list, index, heads),
                    None => read.doc.get(&list, index),
                };
                found.ok().flatten().map(|(_, entry)| entry)
            })
            .collect()
    };
    let known = entries(Some(read.before));
    entries(None)
        .into_iter()
        .filter(|entry| !known.contains(entry))
        .any(|entry| {
            let by = match read.doc.get(&entry, "by").ok().flatten() {
                Some((Value::Scalar(s), _)) => s.as_str().map(str::to_owned),
                _ => None,
            };
            by.as_deref() != Some(me)
        })
        .then_some("a stage move names the member signed in")
}

/// Why the member may not change workspace entry `path` as they did, if they may not.
fn workspace_entry(grant: &Grant, read: &Reader<'_>, path: &[String]) -> Option<&'static str> {
    let role = grant.role;
    match (path[0].as_str(), path.get(1).map(String::as_str)) {
        _ if role == Role::Admin => None,
        ("rules", Some(key)) if key.starts_with(SEGMENT_KEY_PREFIX) => {
            (role != Role::Manager).then_some("only managers and admins change segments")
        }
        ("not_duplicates", _) => (role != Role::Manager)
            .then_some("only managers and admins say two customers are two people"),
        ("directory", Some(_)) => {
            let created = !read.exists(path, true) && read.exists(path, false);
            // An entry is its lister's id (`{created_by, …}` in older workspaces).
            let entry: Vec<&str> = path.iter().map(String::as_str).collect();
            let legacy: Vec<&str> = entry.iter().copied().chain(["created_by"]).collect();
            let by = (read.text(&entry, false)).or_else(|| read.text(&legacy, false));
            (!created || by.as_deref() != Some(grant.member.as_str())).then_some(
                "members list the customers they create; only admins change the directory",
            )
        }
        ("rules", _) => Some("only admins change rules"),
        _ => Some("only admins change the team's settings"),
    }
}
