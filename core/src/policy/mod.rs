//! Who may change what ([docs/permissions.md](../../../docs/permissions.md)), judged sans-IO on
//! a document before and after a device's change.
//!
//! [`judge`] reads which entries the change touched (Automerge's diff between the heads before
//! it and now, cut to an entry of a collection: `interactions/{id}`, `profile/owner`,
//! `rules/{id}`), validates each (types, lengths, the customer's id) and checks it against the
//! connection's grant: its role, its member, and what the document said before (the
//! customer's owner, an entry's author). [`restore`] writes the compensating change that puts
//! every breached entry back as it was, so that the change and its undoing are stored and sent
//! together and no other device ever sees the breach.

mod offer;
pub mod pool;
mod restore;
mod rights;
pub mod scope;
mod validate;

use automerge::{AutoCommit, AutomergeError, ChangeHash};

use crate::document::CrmDocument;
use crate::token::Grant;
use crate::workspace::{Role, WorkspaceDoc};
pub use offer::Offer;
pub use rights::Breach;
pub use validate::{MAX_KEY, MAX_NOTES};

/// What the server does with a change a device brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Everything in it was the member's to change.
    Accept,
    /// Keep it, then put back what these entries held before it.
    Restore(Vec<Breach>),
    /// Store none of it: it is invalid, or it creates a document the member may not create as
    /// it is. The reason names the field.
    Refuse(String),
}

/// A verdict, with the entries the change touched (`profile.name`, `interactions.i1`), for the
/// audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// What to do with the change.
    pub verdict: Verdict,
    /// The entries it touched, as dotted paths.
    pub touched: Vec<String>,
}

/// Which document a change is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// The workspace document.
    Workspace,
    /// The customer document with this id.
    Customer(&'a str),
}

/// Judges the change that took `doc` from heads `before` to its current heads, brought by a
/// connection holding `grant`. Empty `before`: the document is new to the server — created by
/// the device, or filled in again after the server lost it; then a salesperson's document
/// must hold only what they may write themselves (else it is refused whole), while a manager's
/// or admin's is validated only (it may carry teammates' entries).
pub fn judge(
    grant: &Grant,
    doc: &mut AutoCommit,
    subject: Subject<'_>,
    before: &[ChangeHash],
) -> Judgement {
    let genesis;
    let before = match (subject, before.is_empty()) {
        (Subject::Workspace, true) => {
            // Every workspace replica starts from the same genesis change: a new one is judged
            // from there.
            genesis = WorkspaceDoc::new().heads();
            match genesis.iter().all(|h| doc.get_change_by_hash(h).is_some()) {
                true => &genesis[..],
                false => before,
            }
        }
        _ => before,
    };
    let touched = crate::touched::touched(doc, before);
    let verdict = verdict(grant, doc, subject, before, &touched);
    let touched = touched.iter().map(|path| path.join(".")).collect();
    Judgement { verdict, touched }
}

fn verdict(
    grant: &Grant,
    doc: &AutoCommit,
    subject: Subject<'_>,
    before: &[ChangeHash],
    touched: &std::collections::BTreeSet<crate::touched::Path>,
) -> Verdict {
    let customer = match subject {
        Subject::Customer(id) => Some(id),
        Subject::Workspace => None,
    };
    if let Some(reason) = validate::invalid(doc, customer, touched) {
        return Verdict::Refuse(reason);
    }
    let creating = before.is_empty();
    if creating && customer.is_some() && touched.iter().any(|path| path[0] == "erased") {
        return Verdict::Refuse("a customer is erased once stored, never created erased".into());
    }
    if creating && grant.role != Role::Sales {
        return Verdict::Accept;
    }
    let breaches = rights::breaches(grant, doc, before, touched, customer.is_none());
    match (breaches.first(), creating) {
        (None, _) => Verdict::Accept,
        (Some(breach), true) => {
            Verdict::Refuse(format!("{}: {}", breach.path.join("."), breach.reason))
        }
        (Some(_), false) => Verdict::Restore(breaches),
    }
}

/// Puts every breached entry back as it was at `before`, as one change; returns whether
/// anything had to change.
pub fn restore(
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    breaches: &[Breach],
) -> Result<bool, AutomergeError> {
    let mut changed = false;
    for breach in breaches {
        changed |= restore::restore_path(doc, before, &breach.path)?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests;
