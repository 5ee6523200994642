//! A document as sync sees it: a checked [`Replica`]; a document still on its way (asked for,
//! nothing received yet); or, on a device, a document kept as saved bytes — in memory, or in
//! the device's storage only — whose heads both sides are known to share, loaded only when
//! something needs more than those heads. The first
//! sync message that brings changes turns an awaited document into a replica, after its layout
//! is checked (a device may keep one that arrived whole as bytes instead, see
//! [`super::SyncClient::apply`]).

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};

use super::stored_reply;
use crate::document::corrupt;
use crate::error::ModelError;
use crate::replica::Replica;

/// One document of the workspace during sync.
#[derive(Debug, Clone)]
pub enum DocSlot {
    /// Nothing received yet: an empty Automerge document that only carries sync state.
    Awaited(Box<AutoCommit>),
    /// Saved bytes, not loaded, at `heads` (sorted), which the other side is known to have;
    /// `bytes` is `None` while they are in the device's storage only (its engine asks for
    /// them before anything needs more than the heads).
    Stored {
        bytes: Option<Vec<u8>>,
        heads: Vec<ChangeHash>,
    },
    /// A checked replica (boxed: a workspace of 100,000 documents keeps most of them as a
    /// few dozen bytes of heads, not as room for a replica).
    Known(Box<Replica>),
}

impl DocSlot {
    /// A slot for a document this side does not have yet.
    pub fn awaited() -> Self {
        Self::Awaited(Box::default())
    }

    /// A slot holding `replica`.
    pub fn known(replica: Replica) -> Self {
        Self::Known(Box::new(replica))
    }

    /// The replica, once there is one in memory.
    pub fn replica(&self) -> Option<&Replica> {
        match self {
            Self::Known(replica) => Some(replica.as_ref()),
            Self::Awaited(_) | Self::Stored { .. } => None,
        }
    }

    /// The replica, mutably, once there is one in memory.
    pub fn replica_mut(&mut self) -> Option<&mut Replica> {
        match self {
            Self::Known(replica) => Some(replica.as_mut()),
            Self::Awaited(_) | Self::Stored { .. } => None,
        }
    }

    /// Whether the document is here, loaded or not.
    pub fn is_present(&self) -> bool {
        !matches!(self, Self::Awaited(_))
    }

    /// Whether the document's bytes are in storage only: they must be read before anything
    /// needs more than its heads.
    pub fn is_in_storage_only(&self) -> bool {
        matches!(self, Self::Stored { bytes: None, .. })
    }

    /// The replica, loading kept bytes first if need be (`Ok(None)` while awaited or while the
    /// bytes are in storage only). A document that does not load stays stored and the error
    /// says why.
    pub fn loaded(&mut self, doc_id: &str) -> Result<Option<&mut Replica>, ModelError> {
        if let Self::Stored {
            bytes: Some(bytes), ..
        } = self
        {
            *self = Self::known(Replica::load(doc_id, bytes)?);
        }
        Ok(self.replica_mut())
    }

    /// The document's heads, sorted (empty while awaited).
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        match self {
            Self::Known(replica) => replica.heads(),
            Self::Stored { heads, .. } => heads.clone(),
            Self::Awaited(_) => Vec::new(),
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
            Self::Stored { heads, .. } if stored_reply::reports(&message, heads) => {
                stored_reply::receive_level(&message, heads, state);
                Ok(false)
            }
            Self::Stored { bytes: None, .. } => Err(ModelError::NotLoaded {
                id: doc_id.to_owned(),
            }),
            Self::Stored { .. } => {
                self.loaded(doc_id)?;
                self.receive(doc_id, state, message)
            }
            Self::Awaited(doc) => {
                let mut next = doc.clone();
                next.sync()
                    .receive_sync_message(state, message)
                    .map_err(corrupt)?;
                if next.get_heads().is_empty() {
                    *doc = next;
                    return Ok(false);
                }
                *self = Self::known(Replica::from_automerge(doc_id, *next)?);
                Ok(true)
            }
        }
    }

    /// Whether changes received before their dependencies are waiting in memory.
    pub fn has_queued_changes(&mut self) -> bool {
        match self {
            Self::Known(replica) => replica.has_queued_changes(),
            Self::Stored { .. } => false,
            Self::Awaited(doc) => !doc.get_missing_deps(&[]).is_empty(),
        }
    }

    /// The next sync message for a peer, if one is due. A stored document answers from its
    /// heads when that is all the peer needs; otherwise it is loaded first (and says nothing
    /// if it cannot be, or while its bytes are in storage only).
    pub fn generate(&mut self, doc_id: &str, state: &mut sync::State) -> Option<sync::Message> {
        match self {
            Self::Known(replica) => replica.generate_sync_message(state),
            Self::Stored { heads, .. } if stored_reply::can_report(heads, state) => {
                stored_reply::report(heads, state)
            }
            Self::Stored { bytes: None, .. } => None,
            Self::Stored { .. } => {
                self.loaded(doc_id).ok()?;
                self.generate(doc_id, state)
            }
            Self::Awaited(doc) => doc.sync().generate_sync_message(state),
        }
    }
}
