//! A document as sync sees it: either a checked [`Replica`], or a document still on its way
//! (asked for, nothing received yet). The first sync message that brings changes turns the
//! second into the first, after its layout is checked.

use automerge::AutoCommit;
use automerge::sync::{self, SyncDoc};

use crate::document::corrupt;
use crate::error::ModelError;
use crate::replica::Replica;

/// One document of the workspace during sync.
#[derive(Debug, Clone)]
pub enum DocSlot {
    /// Nothing received yet: an empty Automerge document that only carries sync state.
    Awaited(AutoCommit),
    /// A checked replica.
    Known(Replica),
}

impl DocSlot {
    /// A slot for a document this side does not have yet.
    pub fn awaited() -> Self {
        Self::Awaited(AutoCommit::new())
    }

    /// The replica, once there is one.
    pub fn replica(&self) -> Option<&Replica> {
        match self {
            Self::Known(replica) => Some(replica),
            Self::Awaited(_) => None,
        }
    }

    /// The replica, mutably, once there is one.
    pub fn replica_mut(&mut self) -> Option<&mut Replica> {
        match self {
            Self::Known(replica) => Some(replica),
            Self::Awaited(_) => None,
        }
    }

    /// Applies a sync message for document `doc_id`. Returns whether the document changed (an
    /// awaited one arriving counts). On error — changes that do not form a document of the
    /// kind `doc_id` names — the slot is unchanged.
    pub fn receive(
        &mut self,
        doc_id: &str,
        state: &mut sync::State,
        message: sync::Message,
    ) -> Result<bool, ModelError> {
        match self {
            Self::Known(replica) => replica.receive_sync_message(state, message),
            Self::Awaited(doc) => {
                let mut next = doc.clone();
                next.sync()
                    .receive_sync_message(state, message)
                    .map_err(corrupt)?;
                if next.get_heads().is_empty() {
                    *doc = next;
                    return Ok(false);
                }
                *self = Self::Known(Replica::from_automerge(doc_id, next)?);
                Ok(true)
            }
        }
    }

    /// Whether changes received before their dependencies are waiting in memory.
    pub fn has_queued_changes(&mut self) -> bool {
        match self {
            Self::Known(replica) => replica.has_queued_changes(),
            Self::Awaited(doc) => !doc.get_missing_deps(&[]).is_empty(),
        }
    }

    /// The next sync message for a peer, if one is due.
    pub fn generate(&mut self, state: &mut sync::State) -> Option<sync::Message> {
        match self {
            Self::Known(replica) => replica.generate_sync_message(state),
            Self::Awaited(doc) => doc.sync().generate_sync_message(state),
        }
    }
}
