//! What every CRM document shares: loading with layout and version checks, saving, merging.

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash, ROOT};

use crate::error::ModelError;
use crate::values::Millis;

/// Member id the rules engine writes as.
pub const RULES_AUTHOR: &str = "rules";

/// Who makes an edit, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Member id.
    pub by: String,
    /// Time of the edit.
    pub at: Millis,
}

impl Stamp {
    /// A stamp for member `by` at time `at`.
    pub fn new(by: impl Into<String>, at: Millis) -> Self {
        Self { by: by.into(), at }
    }
}

/// An Automerge document with a checked layout. Implementors provide access to the inner
/// document and the layout check; loading, saving and merging come with the trait and never
/// leave a document in an unchecked state.
pub trait CrmDocument: Sized {
    /// Name of the layout, for error messages.
    const KIND: &'static str;
    /// Newest layout version this build reads and writes.
    const SCHEMA_VERSION: u64;

    /// Wraps a document whose layout was checked.
    fn from_checked(doc: AutoCommit) -> Self;
    /// The inner document.
    fn automerge(&self) -> &AutoCommit;
    /// The inner document, mutably.
    fn automerge_mut(&mut self) -> &mut AutoCommit;
    /// Checks (and, for older versions, migrates) the layout of `doc`.
    fn check(doc: &mut AutoCommit) -> Result<(), ModelError>;

    /// Wraps a document assembled elsewhere (by sync), checking its layout first.
    fn from_automerge(mut doc: AutoCommit) -> Result<Self, ModelError> {
        Self::check(&mut doc)?;
        Ok(Self::from_checked(doc))
    }

    /// Loads a saved document. Random bytes, truncated saves and documents of another shape
    /// or a newer schema are errors, never panics.
    fn load(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut doc = AutoCommit::load(bytes).map_err(corrupt)?;
        Self::check(&mut doc)?;
        Ok(Self::from_checked(doc))
    }

    /// The whole document, compacted.
    fn save(&mut self) -> Vec<u8> {
        self.automerge_mut().save()
    }

    /// The changes made since the last `save` / `save_incremental`.
    fn save_incremental(&mut self) -> Vec<u8> {
        self.automerge_mut().save_incremental()
    }

    /// Applies changes saved elsewhere (`save_incremental` output or a whole save). Like
    /// Automerge's `load_incremental`, every well-formed change chunk is applied and an
    /// unparseable tail is skipped. On error the document is unchanged.
    fn apply_changes(&mut self, bytes: &[u8]) -> Result<(), ModelError> {
        let mut next = self.automerge().clone();
        next.load_incremental(bytes).map_err(corrupt)?;
        Self::check(&mut next)?;
        *self.automerge_mut() = next;
        Ok(())
    }

    /// Merges another replica of the same document. Returns whether this one changed. On error
    /// this document is unchanged.
    fn merge(&mut self, other: &mut Self) -> Result<bool, ModelError> {
        let before = self.automerge_mut().get_heads();
        let mut next = self.automerge().clone();
        next.merge(other.automerge_mut()).map_err(corrupt)?;
        Self::check(&mut next)?;
        let changed = next.get_heads() != before;
        *self.automerge_mut() = next;
        Ok(changed)
    }

    /// Merges a saved replica given as bytes. Returns whether this one changed.
    fn merge_bytes(&mut self, bytes: &[u8]) -> Result<bool, ModelError> {
        self.merge(&mut Self::load(bytes)?)
    }

    /// Applies a sync message from a peer whose sync state is `state`. Returns whether the
    /// document changed. A message whose changes would break the layout is an error and the
    /// document is left unchanged.
    fn receive_sync_message(
        &mut self,
        state: &mut sync::State,
        message: sync::Message,
    ) -> Result<bool, ModelError> {
        if message.changes.is_empty() {
            // Only heads, needs and a bloom filter: the document cannot change.
            self.automerge_mut()
                .sync()
                .receive_sync_message(state, message)
                .map_err(corrupt)?;
            return Ok(false);
        }
        // Applied in place (cloning the document per message would cost more than the rest of
        // the round); a change that breaks the layout is rolled back by rebuilding the
        // document at the heads it had, which only a faulty or hostile peer ever pays for.
        let doc = self.automerge_mut();
        let before = doc.get_heads();
        let actor = doc.get_actor().clone();
        let received = doc
            .sync()
            .receive_sync_message(state, message)
            .map_err(corrupt);
        let changed = doc.get_heads() != before;
        let outcome = received.and_then(|()| if changed { Self::check(doc) } else { Ok(()) });
        if let Err(error) = outcome {
            if changed {
                let mut restored = doc.fork_at(&before).map_err(corrupt)?;
                restored.set_actor(actor);
                *doc = restored;
            }
            return Err(error);
        }
        Ok(changed)
    }

    /// The next sync message for a peer whose sync state is `state`, if one is due.
    fn generate_sync_message(&mut self, state: &mut sync::State) -> Option<sync::Message> {
        self.automerge_mut().sync().generate_sync_message(state)
    }

    /// A copy that edits as a new actor (another device).
    fn fork(&mut self) -> Self {
        Self::from_checked(self.automerge_mut().fork())
    }

    /// The changes this replica includes, for comparing replicas.
    fn heads(&mut self) -> Vec<ChangeHash> {
        self.automerge_mut().get_heads()
    }
}

/// Reads the root `schema_version` and refuses versions newer than `supported`.
pub(crate) fn schema_version(
    doc: &AutoCommit,
    kind: &'static str,
    supported: u64,
) -> Result<u64, ModelError> {
    let found: u64 = autosurgeon::hydrate_prop(doc, ROOT, "schema_version")
        .map_err(layout::<autosurgeon::HydrateError>(kind))?;
    if found > supported {
        return Err(ModelError::NewerSchema { found, supported });
    }
    Ok(found)
}

/// Maps a hydrate/reconcile failure to a layout error of `kind`.
pub(crate) fn layout<E: std::fmt::Display>(kind: &'static str) -> impl Fn(E) -> ModelError {
    move |e| ModelError::Layout {
        kind,
        reason: e.to_string(),
    }
}

pub(crate) fn corrupt(e: automerge::AutomergeError) -> ModelError {
    ModelError::Corrupt {
        reason: e.to_string(),
    }
}
