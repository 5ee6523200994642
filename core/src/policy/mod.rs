//! Who may change what ([docs/permissions.md](../../../docs/permissions.md)), judged sans-IO on
//! a document before and after a device's change.
//!
//! [`judge`] reads which entries the change touched (Automerge's diff between the heads before
//! it and now, cut to an entry of a collection: `interactions/{id}`, `profile/owner`,
//! `rules/{id}`) and checks each against the connection's grant: its role, its member, and
//! what the document said before (the customer's owner, an entry's author). [`restore`] writes
//! the compensating change that puts every breached entry back as it was, so that the change
//! and its undoing are stored and sent together and no other device ever sees the breach.

mod restore;
mod rights;
mod touched;

use automerge::{AutoCommit, AutomergeError, ChangeHash};

use crate::token::Grant;
pub use rights::Breach;

/// What the server does with a change a device brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Everything in it was the member's to change.
    Accept,
    /// Keep it, then put back what these entries held before it.
    Restore(Vec<Breach>),
}

/// Judges the change that took `doc` from heads `before` (a document the server had) to its
/// current heads, brought by a connection holding `grant`; `workspace`: the document is the
/// workspace document, else a customer.
pub fn judge(
    grant: &Grant,
    doc: &mut AutoCommit,
    workspace: bool,
    before: &[ChangeHash],
) -> Verdict {
    let touched = touched::touched(doc, before);
    let breaches = rights::breaches(grant, doc, before, &touched, workspace);
    if breaches.is_empty() {
        Verdict::Accept
    } else {
        Verdict::Restore(breaches)
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
