//! The audit trail: what the edge decided about each change a device brought — who (from the
//! token, never the change's claim), which document, the entries it touched, and whether it
//! was accepted, put back in part, or refused. The sync server hands each entry to its store
//! ([`crate::sync::DocumentStore::audit`]); admins read them (`GET /ws/{id}/audit`), and a
//! customer's History card reads that customer's.

use serde::{Deserialize, Serialize};

use crate::values::Millis;
use crate::workspace::Role;

/// Most touched entries an audit entry lists (a new document touches all of its own).
pub const MAX_PATHS: usize = 40;

/// One decision about one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When the edge decided.
    pub at: Millis,
    /// The member of the connection's token.
    pub member: String,
    /// Their role, from the token.
    pub role: Role,
    /// The document changed (`workspace`, or a customer id).
    pub doc_id: String,
    /// The entries the change touched (`profile.name`, `interactions.i1`), at most
    /// [`MAX_PATHS`]; `more` counts the rest.
    pub paths: Vec<String>,
    /// Touched entries beyond `paths`.
    #[serde(default)]
    pub more: usize,
    /// The change brought a document the edge did not have (created, or filled in again):
    /// `paths` is left empty, since it touched everything.
    #[serde(default)]
    pub created: bool,
    /// What the edge did.
    pub decision: Decision,
}

/// What the edge did with a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// Stored as it came.
    Accepted,
    /// Stored, with these entries put back, each with the reason.
    Restored { entries: Vec<(String, String)> },
    /// Nothing of it stored, for this reason.
    Refused { reason: String },
}

impl AuditEntry {
    /// An entry for `paths` (cut to [`MAX_PATHS`]); `created`: the document was new to the
    /// edge (its paths are not listed).
    pub fn new(
        at: Millis,
        member: &str,
        role: Role,
        doc_id: &str,
        mut paths: Vec<String>,
        created: bool,
        decision: Decision,
    ) -> Self {
        if created {
            paths.clear();
        }
        let more = paths.len().saturating_sub(MAX_PATHS);
        paths.truncate(MAX_PATHS);
        Self {
            at,
            member: member.to_owned(),
            role,
            doc_id: doc_id.to_owned(),
            paths,
            more,
            created,
            decision,
        }
    }
}

/// Which audit entries to read, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this document's.
    pub doc_id: Option<String>,
    /// Only this member's.
    pub member: Option<String>,
    /// Only at or after this time.
    pub from: Option<Millis>,
    /// Only before this time.
    pub to: Option<Millis>,
    /// Only entries older than this one (its sequence number), for the next page.
    pub before: Option<i64>,
    /// At most this many (capped at [`AuditQuery::MAX_LIMIT`]).
    pub limit: usize,
}

impl AuditQuery {
    /// The largest page.
    pub const MAX_LIMIT: usize = 200;

    /// Reads a query string's `doc`, `member`, `from`, `to`, `before` and `limit`.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut query = Self {
            limit: 50,
            ..Self::default()
        };
        for (key, value) in pairs {
            let number = value.parse::<i64>().ok();
            match key {
                "doc" => query.doc_id = Some(value.to_owned()),
                "member" => query.member = Some(value.to_owned()),
                "from" => query.from = number,
                "to" => query.to = number,
                "before" => query.before = number,
                "limit" => query.limit = number.map_or(50, |n| n.max(1) as usize),
                _ => {}
            }
        }
        query.limit = query.limit.min(Self::MAX_LIMIT);
        query
    }

    /// Whether a member of `role` may read what this query asks: admins everything, others
    /// one customer's history.
    pub fn allowed(&self, role: Role) -> bool {
        role == Role::Admin || self.doc_id.as_deref().is_some_and(|d| d != "workspace")
    }

    /// Whether `entry` (numbered `seq`) is one this query asks for.
    pub fn matches(&self, seq: i64, entry: &AuditEntry) -> bool {
        self.doc_id.as_ref().is_none_or(|d| *d == entry.doc_id)
            && self.member.as_ref().is_none_or(|m| *m == entry.member)
            && self.from.is_none_or(|from| entry.at >= from)
            && self.to.is_none_or(|to| entry.at < to)
            && self.before.is_none_or(|before| seq < before)
    }
}

/// An audit entry with its sequence number, as `GET /audit` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Numbered {
    /// Its place in the trail (ascending with time).
    pub seq: i64,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_read_from_the_address_and_only_admins_read_everything() {
        let query = AuditQuery::from_pairs([("doc", "c1"), ("limit", "5000"), ("from", "10")]);
        assert_eq!(query.limit, AuditQuery::MAX_LIMIT);
        assert!(query.allowed(Role::Sales), "a customer's history");
        assert!(!AuditQuery::from_pairs([]).allowed(Role::Manager));
        assert!(AuditQuery::from_pairs([]).allowed(Role::Admin));
        assert!(!AuditQuery::from_pairs([("doc", "workspace")]).allowed(Role::Sales));
        let entry = AuditEntry::new(
            10,
            "li",
            Role::Sales,
            "c1",
            vec![],
            false,
            Decision::Accepted,
        );
        assert!(query.matches(1, &entry));
        assert!(!query.matches(
            1,
            &AuditEntry {
                at: 9,
                ..entry.clone()
            }
        ));
        let json = serde_json::to_string(&Numbered {
            seq: 3,
            entry: entry.clone(),
        })
        .unwrap();
        assert_eq!(
            serde_json::from_str::<Numbered>(&json).unwrap().entry,
            entry
        );
    }

    #[test]
    fn long_path_lists_are_cut_and_counted() {
        let paths = (0..50).map(|n| format!("interactions.i{n}")).collect();
        let entry = AuditEntry::new(1, "li", Role::Admin, "c1", paths, false, Decision::Accepted);
        assert_eq!((entry.paths.len(), entry.more), (MAX_PATHS, 10));
    }
}
