//! The rights table (docs/permissions.md): for each entry a change touched, whether the
//! connection's member and role may change it.

use std::collections::BTreeSet;

use automerge::{AutoCommit, ChangeHash, ReadDoc, ScalarValue, Value};

use super::restore::object_at;
use super::touched::Path;
use crate::rules::SEGMENT_KEY_PREFIX;
use crate::token::Grant;
use crate::workspace::Role;

/// An entry the member may not change as they did, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    /// The entry, from the document's root (e.g. `["interactions", "i1"]`).
    pub path: Vec<String>,
    /// Why, in English, for logs and the audit trail.
    pub reason: &'static str,
}

/// Fields only the rules engine writes.
const ENGINE_ONLY: [&str; 2] = ["auto_tags", "rule_firings"];

/// A document read before the change (`then`) and now.
struct Reader<'a> {
    doc: &'a AutoCommit,
    before: &'a [ChangeHash],
}

impl Reader<'_> {
    /// The string at `path` now, or before the change.
    fn text(&self, path: &[&str], then: bool) -> Option<String> {
        let (last, parent) = path.split_last()?;
        let parent: Vec<String> = parent.iter().map(|k| k.to_string()).collect();
        let heads = then.then_some(self.before);
        let obj = object_at(self.doc, &parent, heads)?;
        let value = match heads {
            Some(heads) => self.doc.get_at(&obj, *last, heads),
            None => self.doc.get(&obj, *last),
        };
        match value.ok()?? {
            (Value::Scalar(scalar), _) => match scalar.as_ref() {
                ScalarValue::Str(s) => Some(s.to_string()),
                _ => None,
            },
            _ => None,
        }
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
    touched
        .iter()
        .filter_map(|path| {
            let reason = match workspace {
                true => workspace_entry(grant, &read, path),
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
    let top = path[0].as_str();
    if ENGINE_ONLY.contains(&top) {
        return Some("written only by the rules engine");
    }
    if foreign {
        return Some("sales change only the customers they own");
    }
    match (top, path.get(1).map(String::as_str)) {
        ("profile", Some("owner")) if sales => {
            Some("only managers and admins assign a customer's owner")
        }
        ("created_by", _) => Some("created_by never changes"),
        ("updated_by", _) => (read.text(&[top], false).as_deref() != Some(me))
            .then_some("updated_by names the member signed in"),
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
    let known = list_at(Some(read.before)).map_or(0, |list| read.doc.length_at(&list, read.before));
    let list = list_at(None)?;
    (known..read.doc.length(&list))
        .any(|index| {
            let entry = read
                .doc
                .get(&list, index)
                .ok()
                .flatten()
                .map(|(_, entry)| entry);
            let by = entry.and_then(|entry| match read.doc.get(&entry, "by").ok().flatten() {
                Some((Value::Scalar(s), _)) => s.as_str().map(str::to_owned),
                _ => None,
            });
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
        ("directory", Some(_)) => {
            let created = !read.exists(path, true) && read.exists(path, false);
            let by: Vec<&str> = path
                .iter()
                .map(String::as_str)
                .chain(["created_by"])
                .collect();
            (!created || read.text(&by, false).as_deref() != Some(grant.member.as_str())).then_some(
                "members list the customers they create; only admins change the directory",
            )
        }
        ("rules", _) => Some("only admins change rules"),
        _ => Some("only admins change the team's settings"),
    }
}
