//! The client side of the protocol, without I/O: what the app runs over its WebSocket. It
//! joins, turns frames into events about documents, and produces the sync frame each document
//! needs next. Sync states outlive a dropped connection in their durable part (the heads both
//! sides were known to share), as automerge-repo keeps them.

use std::collections::{HashMap, HashSet};

use automerge::sync::MessageFlags;
use automerge::{ChangeHash, sync};

use super::doc_id::RepoDocId;
use super::message::{DocMessage, MessageError, PROTOCOL_VERSION, PeerMetadata, RepoMessage};
use super::notice::{Erasure, Notice, OUT_OF_SCOPE};
use super::presence::Presence;
use super::slot::DocSlot;
use super::{chunks, stored_reply};
use crate::error::ModelError;

/// What a frame from the server means to the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// The server accepted the join: every document can sync now.
    Ready,
    /// A sync message for a document; apply it with [`SyncClient::apply`].
    Sync {
        doc_id: String,
        message: sync::Message,
    },
    /// The server does not have this document.
    Unavailable { doc_id: String },
    /// The server refused something and is closing the connection.
    Refused(String),
    /// The server kept a change of this device's to the document but put these entries back
    /// (the member may not change them so).
    Restored { doc_id: String, notice: Notice },
    /// The customer was erased: this tombstone (a saved document) replaces the device's copy.
    Erased { doc_id: String, tombstone: Vec<u8> },
    /// The member may not read this customer (any more): drop it and what is stored of it.
    OutOfScope { doc_id: String },
    /// Another device's presence on customer `doc_id` (see [`Presence`]).
    Presence {
        peer: String,
        doc_id: String,
        presence: Presence,
    },
    /// Nothing for the client to do (other ephemeral data, gossip).
    Nothing,
}

/// Why a frame from the server could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// Not a protocol message.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// A sync payload that is not an Automerge sync message.
    #[error("invalid sync message for {doc_id}: {reason}")]
    SyncData { doc_id: String, reason: String },
}

/// One device's sync with the workspace server.
pub struct SyncClient {
    peer_id: String,
    server: Option<String>,
    /// The server said it reads frames of several messages.
    server_packs: bool,
    states: HashMap<String, sync::State>,
    /// Documents probed (see [`SyncClient::probe`]) that the server has not answered yet.
    probes: HashSet<String>,
    /// Ephemeral messages sent (automerge-repo numbers them).
    ephemeral_sent: u64,
}

impl SyncClient {
    /// A client that calls itself `peer_id` on the wire (unique per device and tab).
    pub fn new(peer_id: impl Into<String>) -> Self {
        Self {
            peer_id: peer_id.into(),
            server: None,
            server_packs: false,
            states: HashMap::new(),
            probes: HashSet::new(),
            ephemeral_sent: 0,
        }
    }

    /// The `join` frame to send when the socket opens.
    pub fn join(&self) -> Vec<u8> {
        RepoMessage::Join {
            sender_id: self.peer_id.clone(),
            supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
            peer_metadata: Some(PeerMetadata {
                storage_id: None,
                is_ephemeral: false,
                many_per_frame: true,
            }),
        }
        .encode()
    }

    /// Whether the server has accepted the join on the current connection.
    pub fn is_ready(&self) -> bool {
        self.server.is_some()
    }

    /// The connection dropped: keep only what both sides are known to share.
    pub fn disconnected(&mut self) {
        self.server = None;
        self.probes.clear();
        for state in self.states.values_mut() {
            *state = sync::State::decode(&state.encode()).unwrap_or_default();
        }
    }

    /// Whether the server reads frames of several messages (see [`super::message::pack`]).
    pub fn packs(&self) -> bool {
        self.is_ready() && self.server_packs
    }

    /// Reads one frame from the server: what each of its messages means.
    pub fn decode(&mut self, frame: &[u8]) -> Vec<Result<Inbound, ClientError>> {
        match RepoMessage::decode_all(frame) {
            Ok(messages) => (messages.into_iter())
                .map(|(message, _)| self.inbound(message))
                .collect(),
            Err(error) => vec![Err(error.into())],
        }
    }

    fn inbound(&mut self, message: RepoMessage) -> Result<Inbound, ClientError> {
        Ok(match message {
            RepoMessage::Peer {
                sender_id,
                peer_metadata,
                ..
            } => {
                self.server = Some(sender_id);
                self.server_packs = peer_metadata.is_some_and(|m| m.many_per_frame);
                Inbound::Ready
            }
            RepoMessage::Sync(m) | RepoMessage::Request(m) => {
                let doc_id = m.document_id.local();
                self.probes.remove(&doc_id);
                let message =
                    sync::Message::decode(&m.data).map_err(|e| ClientError::SyncData {
                        doc_id: doc_id.clone(),
                        reason: e.to_string(),
                    })?;
                Inbound::Sync { doc_id, message }
            }
            RepoMessage::DocUnavailable { document_id, .. } => {
                let doc_id = document_id.local();
                self.probes.remove(&doc_id);
                Inbound::Unavailable { doc_id }
            }
            RepoMessage::Error { message } => Inbound::Refused(message),
            RepoMessage::Ephemeral {
                sender_id,
                document_id,
                data,
                ..
            } if self.server.as_ref() == Some(&sender_id) => {
                let doc_id = document_id.local();
                if data == OUT_OF_SCOPE {
                    self.forget(&doc_id);
                    return Ok(Inbound::OutOfScope { doc_id });
                }
                match (Notice::decode(&data), Erasure::decode(&data)) {
                    (Some(notice), _) => Inbound::Restored { doc_id, notice },
                    (None, Some(erasure)) => {
                        self.forget(&doc_id);
                        Inbound::Erased {
                            doc_id,
                            tombstone: erasure.tombstone,
                        }
                    }
                    (None, None) => Inbound::Nothing,
                }
            }
            RepoMessage::Ephemeral {
                sender_id,
                document_id,
                data,
                ..
            } => match Presence::decode(&data) {
                Some(presence) => Inbound::Presence {
                    peer: sender_id,
                    doc_id: document_id.local(),
                    presence,
                },
                None => Inbound::Nothing,
            },
            RepoMessage::Join { .. } | RepoMessage::Leave { .. } | RepoMessage::Ignored { .. } => {
                Inbound::Nothing
            }
        })
    }

    /// Applies a sync message to the document's slot. Returns whether the document changed.
    ///
    /// An awaited document that arrives whole (the server's answer to a device that has
    /// nothing) is kept as the bytes it came in, checksums checked, without loading it: the
    /// slot becomes [`DocSlot::Stored`] and loads when something needs more than its heads.
    pub fn apply(
        &mut self,
        doc_id: &str,
        slot: &mut DocSlot,
        message: sync::Message,
    ) -> Result<bool, ModelError> {
        let state = self.state(doc_id, slot);
        if let DocSlot::Awaited(doc) = slot
            && doc.get_heads().is_empty()
            && doc.get_missing_deps(&[]).is_empty()
            && stored_reply::is_whole(&message)
        {
            let bytes = stored_reply::joined(&message);
            if chunks::intact(&bytes) {
                stored_reply::accept_whole(&message, state);
                let heads = stored_reply::sorted(&message.heads);
                *slot = DocSlot::Stored {
                    bytes: Some(bytes),
                    heads,
                };
                return Ok(true);
            }
        }
        slot.receive(doc_id, state, message)
    }

    /// The sync state of `doc_id`, started when first needed: a document kept at heads
    /// starts sharing them with the server, which had them when they were stored (a new
    /// session of the same device) — so 100,000 kept documents cost no state until they sync.
    fn state(&mut self, doc_id: &str, slot: &DocSlot) -> &mut sync::State {
        self.states.entry(doc_id.to_owned()).or_insert_with(|| {
            let mut state = sync::State::new();
            if let DocSlot::Stored { heads, .. } = slot {
                state.shared_heads.clone_from(heads);
            }
            state
        })
    }

    /// Whether what the server needs next of `doc_id`, kept in `slot` at its heads, can be
    /// said from those heads alone (otherwise the document's bytes are needed).
    pub fn can_report(&mut self, doc_id: &str, slot: &DocSlot) -> bool {
        let DocSlot::Stored { heads, .. } = slot else {
            return false;
        };
        stored_reply::can_report(heads, self.state(doc_id, slot))
    }

    /// Forgets what was known about `doc_id`'s sync (this device lost its copy and asks for it
    /// again).
    pub fn forget(&mut self, doc_id: &str) {
        self.states.remove(doc_id);
        self.probes.remove(doc_id);
    }

    /// The frame the server needs next for `doc_id`, if any (none before the join is
    /// accepted, and none for ids that cannot travel).
    pub fn outgoing(&mut self, doc_id: &str, slot: &mut DocSlot) -> Option<Vec<u8>> {
        let document_id = RepoDocId::from_local(doc_id).ok()?;
        self.server.as_ref()?;
        let state = self.state(doc_id, slot);
        let message = slot.generate(doc_id, state)?;
        self.frame(document_id, slot, message)
    }

    /// A frame that checks that `doc_id` is level with the server, whatever this side believes:
    /// our heads and a summary of our changes, flagged so that the server answers even when it
    /// has nothing new, and forgets which changes it believes it sent us (so a change that
    /// never arrived is sent again). Until the answer comes the probe counts in
    /// [`SyncClient::unanswered_probes`]. `None` before the join is accepted.
    pub fn probe(&mut self, doc_id: &str, slot: &mut DocSlot) -> Option<Vec<u8>> {
        let document_id = RepoDocId::from_local(doc_id).ok()?;
        self.server.as_ref()?;
        let state = self.state(doc_id, slot);
        state.have_responded = false;
        state.in_flight = false;
        let mut message = slot.generate(doc_id, state)?;
        let mut flags = message.flags.unwrap_or_default();
        flags.set(MessageFlags::SYNC_RESET);
        message.flags = Some(flags);
        let frame = self.frame(document_id, slot, message)?;
        self.probes.insert(doc_id.to_owned());
        Some(frame)
    }

    /// Probes sent on this connection that the server has not answered yet.
    pub fn unanswered_probes(&self) -> usize {
        self.probes.len()
    }

    /// `message` as a frame to the server: a request while the document is awaited, else a
    /// sync message.
    /// The frame announcing this device's `presence` on customer `doc_id` to the other
    /// devices (none before the server answered `join`).
    pub fn presence(&mut self, doc_id: &str, presence: &Presence) -> Option<Vec<u8>> {
        let server = self.server.clone()?;
        self.ephemeral_sent += 1;
        let message = RepoMessage::Ephemeral {
            sender_id: self.peer_id.clone(),
            target_id: server,
            count: self.ephemeral_sent,
            session_id: self.peer_id.clone(),
            document_id: RepoDocId::from_local(doc_id).ok()?,
            data: presence.encode(),
        };
        Some(message.encode())
    }

    fn frame(
        &self,
        document_id: RepoDocId,
        slot: &DocSlot,
        message: sync::Message,
    ) -> Option<Vec<u8>> {
        let server = self.server.clone()?;
        let doc = DocMessage {
            sender_id: self.peer_id.clone(),
            target_id: server,
            document_id,
            data: message.encode(),
        };
        Some(
            match slot {
                DocSlot::Awaited(_) => RepoMessage::Request(doc),
                DocSlot::Known(_) | DocSlot::Stored { .. } => RepoMessage::Sync(doc),
            }
            .encode(),
        )
    }

    /// Whether the server has confirmed it holds `heads`, everything this device holds of
    /// the document.
    pub fn is_confirmed(&self, doc_id: &str, heads: &[ChangeHash]) -> bool {
        self.states
            .get(doc_id)
            .and_then(|state| state.their_heads.as_ref())
            .is_some_and(|theirs| stored_reply::sorted(theirs) == heads)
    }
}
