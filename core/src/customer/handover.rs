//! Handing a member's customers over to another member (someone left, or territories moved):
//! what a handover concerns, read from the rows ([`Handover::of`]), and the edit of one
//! customer ([`CustomerDoc::hand_over`]). Who owned a customer when is read back from the
//! document's own history ([`CustomerDoc::owner_history`]): every owner change is a change
//! Automerge keeps, so no second record can disagree with it.

use automerge::{ChangeHash, ROOT, ReadDoc, Value};

use super::{CustomerDoc, ProfileEdit, SummaryRow};
use crate::document::Stamp;
use crate::error::ModelError;
use crate::values::Millis;

/// What handing over `from`'s work concerns, counted before anyone confirms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handover {
    /// Customers `from` owns.
    pub customers: usize,
    /// Open follow-ups assigned to `from`, on any customer.
    pub follow_ups: usize,
    /// Every customer with something to hand over, by id.
    pub ids: Vec<String>,
}

impl Handover {
    /// What handing over `from`'s customers and open follow-ups concerns among `rows`.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a SummaryRow>, from: &str) -> Self {
        let mut handover = Self::default();
        for row in rows {
            let owned = row.owner == from;
            let follow_ups = (row.open_follow_ups.iter())
                .filter(|f| f.assignee == from)
                .count();
            if owned || follow_ups > 0 {
                handover.customers += usize::from(owned);
                handover.follow_ups += follow_ups;
                handover.ids.push(row.id.clone());
            }
        }
        handover
    }
}

/// What one customer's handover changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Handed {
    /// The customer changed owner.
    pub owner: bool,
    /// Open follow-ups reassigned.
    pub follow_ups: usize,
}

/// One owner change, as the document's history has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerChange {
    /// When (the change's `updated_at`).
    pub at: Millis,
    /// Who made it (its `updated_by`).
    pub by: String,
    /// The owner before (empty for a customer created with its owner).
    pub from: String,
    /// The owner after.
    pub to: String,
}

impl CustomerDoc {
    /// Makes `to` the owner if `from` owns the customer, and the assignee of every open
    /// follow-up assigned to `from`; writes nothing when there is nothing of `from`'s.
    pub fn hand_over(&mut self, from: &str, to: &str, stamp: &Stamp) -> Result<Handed, ModelError> {
        let customer = self.customer()?;
        let mut handed = Handed::default();
        if customer.profile.owner == from && from != to {
            self.edit_profile(ProfileEdit::Owner(to.to_owned()), stamp)?;
            handed.owner = true;
        }
        for (id, follow_up) in &customer.follow_ups {
            if !follow_up.done && follow_up.assignee == from && from != to {
                self.reassign_follow_up(id, to, stamp)?;
                handed.follow_ups += 1;
            }
        }
        Ok(handed)
    }

    /// Puts the customer back in the public pool: nobody owns it.
    pub fn release_to_pool(&mut self, stamp: &Stamp) -> Result<(), ModelError> {
        let profile = self.child(&ROOT, "profile", "profile", "profile")?;
        self.put(&profile, "owner", "")?;
        self.touch(stamp)
    }

    /// The owner's member id now (empty when unowned), read without hydrating the customer.
    pub fn owner(&self) -> String {
        let profile = match self.doc.get(ROOT, "profile") {
            Ok(Some((Value::Object(_), id))) => id,
            _ => return String::new(),
        };
        match self.doc.get(&profile, "owner") {
            Ok(Some((Value::Scalar(s), _))) => s.as_str().unwrap_or_default().to_owned(),
            _ => String::new(),
        }
    }

    /// Every change of the customer's owner, oldest first (concurrent ones in the order
    /// Automerge sorts them; each says the owner its own change saw before).
    pub fn owner_history(&mut self) -> Vec<OwnerChange> {
        let changes: Vec<(ChangeHash, Vec<ChangeHash>)> = (self.doc.get_changes_meta(&[]))
            .into_iter()
            .map(|c| (c.hash, c.deps))
            .collect();
        let mut history = Vec::new();
        for (hash, deps) in changes {
            let after = self.text_at(&["profile", "owner"], &[hash]);
            let before = self.text_at(&["profile", "owner"], &deps);
            if let Some(to) = after.filter(|to| Some(to) != before.as_ref()) {
                history.push(OwnerChange {
                    at: self.number_at("updated_at", &[hash]),
                    by: self.text_at(&["updated_by"], &[hash]).unwrap_or_default(),
                    from: before.unwrap_or_default(),
                    to,
                });
            }
        }
        history.sort_by_key(|c| c.at);
        history
    }

    /// The text at `path` (from the root) as of `heads`.
    fn text_at(&self, path: &[&str], heads: &[ChangeHash]) -> Option<String> {
        let (last, parents) = path.split_last()?;
        let mut obj = ROOT;
        for key in parents {
            obj = match self.doc.get_at(&obj, *key, heads).ok()?? {
                (Value::Object(_), id) => id,
                _ => return None,
            };
        }
        match self.doc.get_at(&obj, *last, heads).ok()?? {
            (Value::Scalar(s), _) => s.as_str().map(str::to_owned),
            _ => None,
        }
    }

    /// The integer at root key `key` as of `heads` (0 when absent).
    fn number_at(&self, key: &str, heads: &[ChangeHash]) -> Millis {
        match self.doc.get_at(ROOT, key, heads) {
            Ok(Some((Value::Scalar(s), _))) => s.as_i64().unwrap_or(0),
            _ => 0,
        }
    }
}
