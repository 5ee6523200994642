//! The server side of the protocol, without I/O: what the workspace Durable Object runs. It
//! takes frames from connections and returns frames to send and sockets to close; documents
//! come from and go to a [`DocumentStore`] (the object's SQLite, or memory in tests).
//!
//! - Documents load lazily on first use and the least recently used are evicted beyond
//!   [`SyncServer::max_loaded`]; per-connection sync states survive eviction.
//! - Every change is stored (appended, or a snapshot for a new document), with the customer's
//!   new summary row, before any reply leaves, so what a peer has seen acknowledged survives a restart; after
//!   [`COMPACT_AFTER`] appended changes the document is stored again as one snapshot.
//! - A malformed frame closes its connection only.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::sync::Capability;
use automerge::{ChangeHash, sync};

use super::chunks;
use super::doc_id::RepoDocId;
use super::message::{self, DocMessage, MessageError, PROTOCOL_VERSION, PeerMetadata, RepoMessage};
use super::notice::Notice;
use super::presence::Presence;
use super::slot::DocSlot;
use super::stored_reply;
use crate::audit::{AuditEntry, Decision};
use crate::customer::HeadedRow;
use crate::policy;
use crate::replica::Replica;
use crate::token::Grant;
use crate::values::Millis;

mod erasure;
mod limits;
mod members;
mod merge;
mod pool;
mod rules;
mod scope;

pub use limits::Limits;

/// Appended changes after which a document is stored again as one compacted snapshot.
pub const COMPACT_AFTER: usize = 64;
/// WebSocket close code: the frame broke the protocol or carried an invalid document.
pub const CLOSE_INVALID: u16 = 1007;
/// A refusal of a device's change to one document, whole, reads
/// `{REFUSED_PREFIX}{document id}{REFUSED_SUFFIX}{why}`.
pub const REFUSED_PREFIX: &str = "document ";
/// See [`REFUSED_PREFIX`].
pub const REFUSED_SUFFIX: &str = " refused: ";
/// WebSocket close code: the frame was larger than allowed.
pub const CLOSE_TOO_BIG: u16 = 1009;
/// WebSocket close code: a text frame (the protocol is binary).
pub const CLOSE_UNSUPPORTED: u16 = 1003;
/// WebSocket close code: the server could not store a change.
pub const CLOSE_INTERNAL: u16 = 1011;
/// WebSocket close code: the change was refused (invalid, beyond a limit, or creating a
/// document its member may not create as it is); nothing of it was stored.
pub const CLOSE_POLICY: u16 = 1008;
/// WebSocket close code: the token expired while the socket was open (the app asks its
/// member to sign in again).
pub const CLOSE_EXPIRED: u16 = 4001;
/// WebSocket close code: the member was deactivated in the workspace.
pub const CLOSE_DEACTIVATED: u16 = 4003;
/// WebSocket close code: the member's role changed since the token was minted (renew it).
pub const CLOSE_ROLE_CHANGED: u16 = 4004;
/// WebSocket close code: which customers the member may read changed (reconnect: every
/// document offered is then answered as the new scope says).
pub const CLOSE_SCOPE_CHANGED: u16 = 4005;

/// How long after a broadcast the next one waits, in ms: changes to documents arriving meanwhile
/// go out together when it ends. A burst of edits from several devices so travels as a few
/// messages instead of an exchange of heads per edit, whose crossings multiply the traffic
/// (automerge-repo's own servers gather 100 ms too). An edit after a quiet spell goes at once.
pub const BROADCAST_WINDOW_MS: Millis = 100;

/// A connection, numbered by the shell.
pub type ConnId = u64;

/// A socket that is open when the server starts (the shell woke from hibernation): what the
/// shell kept with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSocket {
    /// Its connection number.
    pub conn: ConnId,
    /// What the token it was accepted with grants.
    pub grant: Grant,
    /// The peer id it joined as, if it had joined.
    pub peer: Option<String>,
}

/// What is stored for one document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stored {
    /// The last compacted snapshot.
    pub snapshot: Vec<u8>,
    /// Incremental changes appended after it, in order.
    pub changes: Vec<Vec<u8>>,
    /// The heads of snapshot and changes together (empty if not recorded).
    pub heads: Vec<ChangeHash>,
}

/// A storage failure, as text from the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

/// Durable document storage.
pub trait DocumentStore {
    /// The stored snapshot and changes of `doc_id`, if it exists.
    fn load(&mut self, doc_id: &str) -> Result<Option<Stored>, StoreError>;
    /// The recorded heads of `doc_id`, if it exists (empty if not recorded).
    fn heads(&mut self, doc_id: &str) -> Result<Option<Vec<ChangeHash>>, StoreError>;
    /// Appends one incremental change to `doc_id`, whose heads are now `heads`.
    fn append(
        &mut self,
        doc_id: &str,
        change: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError>;
    /// Replaces everything stored for `doc_id` with one snapshot with these heads.
    fn replace(
        &mut self,
        doc_id: &str,
        snapshot: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError>;
    /// Replaces everything stored for customer `doc_id` — snapshot, changes, row, schedule and
    /// any quarantined copy — with its `tombstone` at `heads`: nothing of what it held stays.
    fn erase(
        &mut self,
        doc_id: &str,
        tombstone: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError>;
    /// Records the summary row of customer `doc_id` at its current heads (served to devices
    /// that need the list before the documents).
    fn put_row(&mut self, doc_id: &str, row: &HeadedRow) -> Result<(), StoreError>;
    /// Moves what is stored for `doc_id` aside, unreadable, with the reason (its row goes).
    fn quarantine(&mut self, doc_id: &str, reason: &str) -> Result<(), StoreError>;
    /// How many documents are stored.
    fn count(&mut self) -> Result<usize, StoreError>;
    /// Appends an entry to the audit trail (never changed or removed).
    fn audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// Records when the rules must look at customer `doc_id` again (`None`: no time-based
    /// outcome pending).
    fn schedule(&mut self, doc_id: &str, at: Option<Millis>) -> Result<(), StoreError>;
    /// Schedules every stored customer at `at` (the rules changed).
    fn schedule_all(&mut self, at: Millis) -> Result<(), StoreError>;
    /// Customers scheduled at or before `now`, earliest first, at most `limit`.
    fn due(&mut self, now: Millis, limit: usize) -> Result<Vec<String>, StoreError>;
    /// The earliest scheduled time, if any.
    fn next_due(&mut self) -> Result<Option<Millis>, StoreError>;
}

/// What the shell must do after a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this binary frame on the connection.
    Send(ConnId, Vec<u8>),
    /// Close the connection with a WebSocket code and a reason.
    Close(ConnId, u16, String),
    /// The connection identified itself as this peer (remember it across hibernation).
    Joined(ConnId, String),
    /// Call [`SyncServer::flush`] after this many ms (changes wait for the broadcast window).
    FlushIn(Millis),
}

struct Connection {
    peer: Option<String>,
    /// Who is behind it, as their checked token says.
    grant: Grant,
    syncs: HashMap<String, sync::State>,
    /// The server forgot this connection's sync states (hibernation): the device may believe
    /// the server holds changes it only ever queued in memory, so it owes the device a reset
    /// per document (sent once the device has said it understands resets).
    resumed: bool,
    owed_resets: HashSet<String>,
    /// Ephemeral messages it sent in the current second.
    ephemeral: limits::Rate,
    /// It sent a presence: it is told others' (see `presence`).
    hears_presence: bool,
    /// It reads frames of several messages (said at `join`; forgotten by hibernation, after
    /// which it is sent one message per frame).
    many_per_frame: bool,
}

impl Connection {
    fn new(grant: Grant, peer: Option<String>) -> Self {
        Self {
            resumed: peer.is_some(),
            peer,
            grant,
            syncs: HashMap::new(),
            owed_resets: HashSet::new(),
            ephemeral: Default::default(),
            hears_presence: false,
            many_per_frame: false,
        }
    }
}

struct Loaded {
    slot: DocSlot,
    appended: usize,
    /// Bytes stored for it (snapshot and appended changes).
    bytes: usize,
    used: u64,
}

/// The sync server of one workspace.
pub struct SyncServer {
    peer_id: String,
    connections: HashMap<ConnId, Connection>,
    docs: HashMap<String, Loaded>,
    clock: u64,
    /// Most documents kept in memory at once.
    pub max_loaded: usize,
    /// What the workspace holds and takes at most.
    pub limits: Limits,
    /// Documents stored, once counted.
    documents: Option<usize>,
    /// The team as the workspace document says (members, read scope), once read (again after
    /// each of its changes).
    roster: Option<members::Team>,
    /// The time, when the shell runs the rules engine (see [`SyncServer::set_time`]).
    now: Option<Millis>,
    /// The workspace's rules, read when first needed and again when the workspace changes.
    rules: Option<rules::Rules>,
    /// The rules and segments a new workspace starts with.
    defaults: crate::workspace::RuleBook,
    /// Documents changed since the last broadcast.
    unsent: BTreeMap<String, RepoDocId>,
    /// When the last broadcast went out.
    last_broadcast: Millis,
    /// An [`Effect::FlushIn`] is out and not yet followed by [`SyncServer::flush`].
    flush_scheduled: bool,
}

impl SyncServer {
    /// A server that calls itself `peer_id` on the wire, starting with the sockets that are
    /// open (none for a new object; every accepted one after hibernation, so that a change
    /// reaches them all, whichever socket or alarm wakes the object).
    pub fn new(
        peer_id: impl Into<String>,
        max_loaded: usize,
        open: impl IntoIterator<Item = OpenSocket>,
    ) -> Self {
        let connections = open
            .into_iter()
            .map(|s| (s.conn, Connection::new(s.grant, s.peer)))
            .collect();
        Self {
            peer_id: peer_id.into(),
            connections,
            docs: HashMap::new(),
            clock: 0,
            max_loaded: max_loaded.max(1),
            limits: Limits::default(),
            documents: None,
            roster: None,
            now: None,
            rules: None,
            defaults: Default::default(),
            unsent: BTreeMap::new(),
            last_broadcast: Millis::MIN,
            flush_scheduled: false,
        }
    }

    /// Registers a socket just accepted with a checked token; only admins may change the
    /// workspace's rules (a rule change from anyone else is undone by the server).
    pub fn connect(&mut self, conn: ConnId, grant: Grant) {
        self.connections.insert(conn, Connection::new(grant, None));
    }

    /// Forgets a closed connection.
    pub fn disconnect(&mut self, conn: ConnId) {
        self.connections.remove(&conn);
    }

    /// How many documents are in memory.
    pub fn loaded(&self) -> usize {
        self.docs.len()
    }

    /// How many per-connection sync states the server holds (bounded by what is loaded, not
    /// by the size of the workspace).
    pub fn sync_states(&self) -> usize {
        self.connections.values().map(|c| c.syncs.len()).sum()
    }

    /// Handles one binary frame from `conn`.
    pub fn receive(
        &mut self,
        conn: ConnId,
        frame: &[u8],
        store: &mut impl DocumentStore,
    ) -> Vec<Effect> {
        let Some(connection) = self.connections.get(&conn) else {
            // Every socket is registered when accepted or when the server starts.
            return refuse(conn, CLOSE_INTERNAL, "unknown connection");
        };
        if self
            .now
            .is_some_and(|now| connection.grant.expires_at <= now)
        {
            return refuse(conn, CLOSE_EXPIRED, "the sign-in expired: sign in again");
        }
        let messages = match RepoMessage::decode_all(frame) {
            Ok(messages) => messages,
            Err(error @ MessageError::TooLarge(_)) => {
                return refuse(conn, CLOSE_TOO_BIG, &error.to_string());
            }
            Err(error) => return refuse(conn, CLOSE_INVALID, &error.to_string()),
        };
        let mut effects = Vec::new();
        for (message, bytes) in messages {
            let answered = self.message(conn, message, &frame[bytes], store);
            let closed =
                (answered.iter()).any(|e| matches!(e, Effect::Close(to, ..) if *to == conn));
            effects.extend(answered);
            if closed {
                break;
            }
        }
        self.packed(effects)
    }

    /// Handles one message from `conn` (`raw`: its bytes).
    fn message(
        &mut self,
        conn: ConnId,
        message: RepoMessage,
        raw: &[u8],
        store: &mut impl DocumentStore,
    ) -> Vec<Effect> {
        let peer = self.connections.get(&conn).and_then(|c| c.peer.clone());
        match (message, peer) {
            (
                RepoMessage::Join {
                    sender_id,
                    supported_protocol_versions,
                    peer_metadata,
                },
                _,
            ) => {
                let many = peer_metadata.is_some_and(|m| m.many_per_frame);
                self.join(conn, sender_id, &supported_protocol_versions, many, store)
            }
            (_, None) => refuse(conn, CLOSE_INVALID, "the first message must be join"),
            (RepoMessage::Request(m) | RepoMessage::Sync(m), Some(peer)) => {
                if m.sender_id != peer {
                    return refuse(conn, CLOSE_INVALID, "senderId is not the joined peer");
                }
                self.sync(conn, &peer, m, store)
            }
            (
                RepoMessage::Ephemeral {
                    sender_id,
                    document_id,
                    data,
                    ..
                },
                Some(peer),
            ) => self.ephemeral(conn, &peer, &sender_id, document_id, &data, raw),
            (RepoMessage::Peer { .. }, Some(_)) => {
                refuse(conn, CLOSE_INVALID, "peer is a server message")
            }
            (
                RepoMessage::Leave { .. }
                | RepoMessage::Error { .. }
                | RepoMessage::DocUnavailable { .. }
                | RepoMessage::Ignored { .. },
                Some(_),
            ) => Vec::new(),
        }
    }

    /// `many`: the peer reads frames of several messages (and is sent them).
    fn join(
        &mut self,
        conn: ConnId,
        sender_id: String,
        versions: &[String],
        many: bool,
        store: &mut impl DocumentStore,
    ) -> Vec<Effect> {
        match self.outdated(conn, store) {
            Ok(None) => {}
            Ok(Some((code, reason))) => return refuse(conn, code, reason),
            Err(error) => return refuse(conn, CLOSE_INTERNAL, &error.to_string()),
        }
        if !versions.iter().any(|v| v == PROTOCOL_VERSION) {
            return refuse(
                conn,
                CLOSE_INVALID,
                &format!("unsupported protocol versions {versions:?}; this server speaks 1"),
            );
        }
        let Some(connection) = self.connections.get_mut(&conn) else {
            return Vec::new();
        };
        connection.peer = Some(sender_id.clone());
        connection.syncs.clear();
        connection.many_per_frame = many;
        let peer = RepoMessage::Peer {
            sender_id: self.peer_id.clone(),
            target_id: sender_id.clone(),
            selected_protocol_version: PROTOCOL_VERSION.into(),
            peer_metadata: Some(PeerMetadata {
                storage_id: Some(self.peer_id.clone()),
                is_ephemeral: false,
                many_per_frame: many,
            }),
        };
        vec![
            Effect::Joined(conn, sender_id),
            Effect::Send(conn, peer.encode()),
        ]
    }

    fn sync(
        &mut self,
        conn: ConnId,
        peer: &str,
        m: DocMessage,
        store: &mut impl DocumentStore,
    ) -> Vec<Effect> {
        let doc_id = m.document_id.local();
        let message = match sync::Message::decode(&m.data) {
            Ok(message) => message,
            Err(error) => {
                return refuse(
                    conn,
                    CLOSE_INVALID,
                    &format!("invalid sync message for {doc_id}: {error}"),
                );
            }
        };
        let cap = self.limits.inflated_bytes;
        let inflated = (message.changes.iter()).try_fold(0usize, |sum, c| {
            Some(sum + chunks::inflated_len(c, cap - sum)?)
        });
        if inflated.is_none() {
            let reason = format!("the changes inflate beyond {cap} bytes or are unreadable");
            self.audit_refused(conn, &doc_id, false, &reason, store);
            return refuse(conn, CLOSE_TOO_BIG, &refusal(&doc_id, &reason));
        }
        match self.out_of_scope(conn, m.document_id, store) {
            Ok(Some(effects)) => return effects,
            Ok(None) => {}
            Err(error) => return refuse(conn, CLOSE_INTERNAL, &error.to_string()),
        }
        if !self.docs.contains_key(&doc_id) && stored_reply::is_report(&message) {
            match self.answer_from_store(conn, peer, m.document_id, &message, store) {
                Ok(Some(effects)) => return effects,
                Ok(None) => {}
                Err(error) => return refuse(conn, CLOSE_INTERNAL, &error.to_string()),
            }
        }
        let peer_has_nothing = message.heads.is_empty();
        let known = match self.ensure_loaded(&doc_id, store) {
            Ok(known) => known,
            Err(error) => return refuse(conn, CLOSE_INTERNAL, &error.to_string()),
        };
        if !known && peer_has_nothing {
            self.docs.remove(&doc_id);
            return vec![self.unavailable(conn, peer, m.document_id)];
        }
        if let Some(effects) = self.erased_answer(conn, &doc_id, m.document_id, &message) {
            return effects;
        }
        let heads_before = self.docs.get_mut(&doc_id).map(|l| l.slot.heads());
        let changed = {
            let state = self.sync_state(conn, &doc_id);
            let mut state = std::mem::take(state);
            let loaded = self.docs.get_mut(&doc_id).expect("loaded above");
            let answer_owed = stored_reply::asks_answer(&message);
            let received = loaded.slot.receive(&doc_id, &mut state, message);
            if answer_owed {
                state.have_responded = false;
            }
            *self.sync_state(conn, &doc_id) = state;
            self.settle_owed_reset(conn, &doc_id);
            match received {
                Ok(changed) => changed,
                Err(error) => {
                    if !known {
                        self.docs.remove(&doc_id);
                    }
                    self.audit_refused(conn, &doc_id, !known, &error.to_string(), store);
                    return refuse(conn, CLOSE_INVALID, &refusal(&doc_id, &error));
                }
            }
        };
        let before = heads_before.unwrap_or_default();
        let mut effects = Vec::new();
        if changed {
            let settled = self.settle_change(conn, &doc_id, known, &before, store);
            let refusal = match settled {
                Ok(Settled::Stored { restored, carried }) => {
                    effects.extend(self.notice(conn, m.document_id, &restored));
                    for other in carried {
                        if let Ok(document_id) = RepoDocId::from_local(&other) {
                            effects.extend(self.broadcast_soon(&other, document_id));
                        }
                    }
                    None
                }
                Ok(Settled::Erased) => {
                    // Every device replaces its copy; nothing of the document is sent.
                    effects.extend(self.announce_erasure(&doc_id, m.document_id));
                    return effects;
                }
                Ok(Settled::Refused(reason)) => Some((CLOSE_POLICY, refusal(&doc_id, &reason))),
                Err(error) => Some((
                    CLOSE_INTERNAL,
                    format!("document {doc_id} not stored: {error}"),
                )),
            };
            if let Some((code, reason)) = refusal {
                // Memory goes back to what is stored: nothing of the change stays or is sent.
                self.forget_document(&doc_id);
                return refuse(conn, code, &reason);
            }
        }
        // The sender hears at once (with what the server wrote after its change); the others
        // with the next broadcast of the document. A customer the sender may not read once
        // changed (created unowned by a salesperson) leaves their device.
        match self.hidden(conn, &doc_id) {
            Some(true) => effects.extend(self.drop_from(conn, m.document_id)),
            _ => effects.extend(self.reply(conn, &doc_id, m.document_id)),
        }
        if changed {
            effects.extend(self.broadcast_soon(&doc_id, m.document_id));
            effects.extend(self.close_outdated(&doc_id));
        }
        self.evict_beyond_limit(&doc_id);
        effects
    }

    /// Settles a change connection `conn` brought to `doc_id` (`known`: the server had the
    /// document, at heads `before`): it is judged by the [`policy`] first — refused whole, or
    /// kept with whatever its member may not change put back — then the change and its
    /// undoing are stored together and the rules run, storing what they write. On refusal or
    /// a storage failure the caller forgets the document in memory.
    fn settle_change(
        &mut self,
        conn: ConnId,
        doc_id: &str,
        known: bool,
        before: &[ChangeHash],
        store: &mut impl DocumentStore,
    ) -> Result<Settled, StoreError> {
        let Some(grant) = self.connections.get(&conn).map(|c| c.grant.clone()) else {
            return Ok(Settled::Refused("unknown connection".into()));
        };
        let (verdict, touched) = self.admit(&grant, doc_id, before);
        if verdict.is_ok() && self.is_erased(doc_id) {
            self.erase(doc_id, store)?;
            self.record(&grant, doc_id, touched, false, Decision::Accepted, store)?;
            return Ok(Settled::Erased);
        }
        let outcome = match verdict {
            Err(reason) => Err(reason),
            Ok(restored) => match self.persist_new_or_known(doc_id, known, store)? {
                Some(reason) => Err(reason),
                None => Ok(Notice::of(&restored)),
            },
        };
        let decision = match &outcome {
            Err(reason) => Decision::Refused {
                reason: reason.clone(),
            },
            Ok(restored) if restored.restored.is_empty() => Decision::Accepted,
            Ok(restored) => Decision::Restored {
                entries: restored.restored.clone(),
            },
        };
        self.record(&grant, doc_id, touched, !known, decision, store)?;
        match outcome {
            Err(reason) => Ok(Settled::Refused(reason)),
            Ok(restored) => {
                self.after_change(doc_id, !known, store)?;
                let carried = self.after_merge_change(doc_id, store)?;
                Ok(Settled::Stored { restored, carried })
            }
        }
    }

    /// Records in the audit trail that `conn`'s change to `doc_id` was refused before the
    /// policy could judge it (unreadable, too large once inflated, not a valid document).
    fn audit_refused(
        &self,
        conn: ConnId,
        doc_id: &str,
        created: bool,
        reason: &str,
        store: &mut impl DocumentStore,
    ) {
        let Some(grant) = self.connections.get(&conn).map(|c| &c.grant) else {
            return;
        };
        let decision = Decision::Refused {
            reason: reason.to_owned(),
        };
        // The refusal stands whether or not the trail could record it.
        let _ = self.record(grant, doc_id, Vec::new(), created, decision, store);
    }

    /// Appends to the audit trail the decision on a change `grant`'s connection brought to
    /// `doc_id`, touching `paths` (`created`: the document was new to the server).
    pub(super) fn record(
        &self,
        grant: &Grant,
        doc_id: &str,
        paths: Vec<String>,
        created: bool,
        decision: Decision,
        store: &mut impl DocumentStore,
    ) -> Result<(), StoreError> {
        let (at, member, role) = (self.now.unwrap_or_default(), &grant.member, grant.role);
        let entry = AuditEntry::new(at, member, role, doc_id, paths, created, decision);
        store.audit(&entry)
    }

    /// Stores a change the policy admitted, within the workspace's quota for a new document
    /// and its size for any; returns why not when it is beyond them.
    fn persist_new_or_known(
        &mut self,
        doc_id: &str,
        known: bool,
        store: &mut impl DocumentStore,
    ) -> Result<Option<String>, StoreError> {
        let stored = match (known, self.documents) {
            (true, _) => None,
            (false, Some(count)) => Some(count),
            (false, None) => Some(store.count()?),
        };
        let most = self.limits.documents;
        if stored.is_some_and(|n| n >= most) {
            return Ok(Some(format!(
                "the workspace holds its most documents ({most})"
            )));
        }
        let refused = self.persist(doc_id, known, store)?;
        if refused.is_none()
            && let Some(n) = stored
        {
            self.documents = Some(n + 1);
        }
        Ok(refused)
    }

    /// Judges the change that took `doc_id` from `before` against `grant` and writes the
    /// compensating change for what it may not do; returns what it put back (or why the
    /// change is refused whole) and the entries the change touched.
    fn admit(
        &mut self,
        grant: &Grant,
        doc_id: &str,
        before: &[ChangeHash],
    ) -> (Result<Vec<policy::Breach>, String>, Vec<String>) {
        let Some(replica) = self.docs.get_mut(doc_id).and_then(|l| l.slot.replica_mut()) else {
            return (Ok(Vec::new()), Vec::new());
        };
        let subject = match replica {
            Replica::Workspace(_) => policy::Subject::Workspace,
            Replica::Customer(_) => policy::Subject::Customer(doc_id),
        };
        let doc = replica.automerge_mut();
        let judgement = policy::judge(grant, doc, subject, before);
        let verdict = match judgement.verdict {
            policy::Verdict::Accept => Ok(Vec::new()),
            policy::Verdict::Refuse(reason) => Err(reason),
            policy::Verdict::Restore(breaches) => {
                if let Err(error) = policy::restore(doc, before, &breaches) {
                    // Automerge refuses only writes to objects it does not have: not reachable.
                    debug_assert!(false, "restoring {doc_id}: {error}");
                }
                Ok(breaches)
            }
        };
        (verdict, judgement.touched)
    }

    /// Tells the device on `conn` which of its changes to a document were put back, as an
    /// ephemeral message from the server (automerge-repo clients hand it to the document's
    /// handle as an `ephemeral-message` event; the app shows it on the record).
    fn notice(&self, conn: ConnId, document_id: RepoDocId, restored: &Notice) -> Option<Effect> {
        if restored.restored.is_empty() {
            return None;
        }
        self.tell(conn, document_id, restored.encode())
    }

    /// An ephemeral message from the server to the device joined on `conn` about a document.
    fn tell(&self, conn: ConnId, document_id: RepoDocId, data: Vec<u8>) -> Option<Effect> {
        let peer = self.connections.get(&conn)?.peer.clone()?;
        let message = RepoMessage::Ephemeral {
            sender_id: self.peer_id.clone(),
            target_id: peer,
            count: 0,
            session_id: self.peer_id.clone(),
            document_id,
            data,
        };
        Some(Effect::Send(conn, message.encode()))
    }

    /// Drops `doc_id` from memory without storing anything: it reloads from the store when
    /// next needed.
    fn forget_document(&mut self, doc_id: &str) {
        self.unsent.remove(doc_id);
        if doc_id == crate::replica::WORKSPACE_DOC_ID {
            self.roster = None;
        }
        self.unload(doc_id, true);
    }

    /// Relays an ephemeral message from `conn` (joined as `peer`) to every other joined
    /// connection, never stored: only as the peer it joined as, small, and not too often.
    fn ephemeral(
        &mut self,
        conn: ConnId,
        peer: &str,
        sender_id: &str,
        document_id: RepoDocId,
        data: &[u8],
        frame: &[u8],
    ) -> Vec<Effect> {
        if sender_id != peer {
            return refuse(conn, CLOSE_INVALID, "senderId is not the joined peer");
        }
        if data.len() > self.limits.ephemeral_bytes {
            let most = self.limits.ephemeral_bytes;
            return refuse(
                conn,
                CLOSE_TOO_BIG,
                &format!("ephemeral data is {} bytes; at most {most}", data.len()),
            );
        }
        let (now, per_second) = (self.now, self.limits.ephemeral_per_second);
        let connection = self
            .connections
            .get_mut(&conn)
            .expect("a registered connection");
        if !connection.ephemeral.admit(now, per_second) {
            // Dropped, not refused: presence can be chatty; the socket carries on.
            return Vec::new();
        }
        // A presence speaks for the token's member only (dropped otherwise, like a flood).
        let presence = Presence::decode(data);
        if presence
            .as_ref()
            .is_some_and(|p| p.member != connection.grant.member)
        {
            return Vec::new();
        }
        connection.hears_presence |= presence.is_some();
        self.relay(conn, &document_id.local(), presence.is_some(), frame)
    }

    /// Sends `doc_id`'s changes to every joined device now, or once the broadcast window
    /// that is open ends (see [`BROADCAST_WINDOW_MS`]).
    fn broadcast_soon(&mut self, doc_id: &str, document_id: RepoDocId) -> Vec<Effect> {
        self.unsent.insert(doc_id.to_owned(), document_id);
        let Some(now) = self.now else {
            return self.flush();
        };
        let window_ends = self.last_broadcast.saturating_add(BROADCAST_WINDOW_MS);
        if now >= window_ends {
            return self.flush();
        }
        if std::mem::replace(&mut self.flush_scheduled, true) {
            return Vec::new();
        }
        vec![Effect::FlushIn(window_ends - now)]
    }

    /// Sends every document changed since the last broadcast to every joined device (what
    /// the shell calls when an [`Effect::FlushIn`] comes due).
    pub fn flush(&mut self) -> Vec<Effect> {
        self.flush_scheduled = false;
        if let Some(now) = self.now {
            self.last_broadcast = now;
        }
        let unsent = std::mem::take(&mut self.unsent);
        let effects = unsent
            .into_iter()
            .flat_map(|(doc_id, document_id)| self.broadcast(&doc_id, document_id))
            .collect();
        self.packed(effects)
    }

    /// `effects` with the frames to each connection that reads several messages per frame
    /// packed together in their order (see [`message::pack`]), sent before anything else
    /// concerning that connection (its close), else last.
    fn packed(&self, effects: Vec<Effect>) -> Vec<Effect> {
        let packs = |conn: &ConnId| self.connections.get(conn).is_some_and(|c| c.many_per_frame);
        let mut out: Vec<Effect> = Vec::with_capacity(effects.len());
        let mut pending: BTreeMap<ConnId, Vec<Vec<u8>>> = BTreeMap::new();
        for effect in effects {
            match effect {
                Effect::Send(to, frame) if packs(&to) => pending.entry(to).or_default().push(frame),
                Effect::Close(to, ..) | Effect::Joined(to, _) if pending.contains_key(&to) => {
                    let frames = pending.remove(&to).unwrap_or_default();
                    out.extend(
                        message::pack(frames)
                            .into_iter()
                            .map(|f| Effect::Send(to, f)),
                    );
                    out.push(effect);
                }
                effect => out.push(effect),
            }
        }
        for (to, frames) in pending {
            out.extend(
                message::pack(frames)
                    .into_iter()
                    .map(|f| Effect::Send(to, f)),
            );
        }
        out
    }

    /// The sync messages due to every joined device for `doc_id` — also to a device that has
    /// not synced it since the server last woke up (its sync states are gone).
    fn broadcast(&mut self, doc_id: &str, document_id: RepoDocId) -> Vec<Effect> {
        let targets: Vec<ConnId> = (self.connections.iter())
            .filter(|(_, c)| c.peer.is_some())
            .map(|(id, _)| *id)
            .collect();
        let mut effects = Vec::new();
        for to in targets {
            match self.hidden(to, doc_id) {
                Some(false) => effects.extend(self.reply(to, doc_id, document_id)),
                // Reassigned away from a device that had it.
                Some(true) if self.connections[&to].syncs.contains_key(doc_id) => {
                    effects.extend(self.drop_from(to, document_id));
                }
                // Not theirs, or not known yet whose (the next sync of theirs tells).
                _ => {}
            }
        }
        effects
    }

    /// Answers a report (heads, no changes, no needs) for a document that is not in memory
    /// from the store alone, when that suffices: `Ok(Some(effects))` then, `Ok(None)` when the
    /// document has to be loaded.
    fn answer_from_store(
        &mut self,
        conn: ConnId,
        peer: &str,
        document_id: RepoDocId,
        message: &sync::Message,
        store: &mut impl DocumentStore,
    ) -> Result<Option<Vec<Effect>>, StoreError> {
        let doc_id = document_id.local();
        let answer = if message.heads.is_empty() {
            let Some(stored) = store.load(&doc_id)? else {
                return Ok(Some(vec![self.unavailable(conn, peer, document_id)]));
            };
            // Stored bytes go out as they are only if their checksums hold; otherwise the
            // ordinary path loads the document and quarantines it.
            let intact = !stored.heads.is_empty()
                && chunks::intact(&stored.snapshot)
                && stored.changes.iter().all(|c| chunks::intact(c));
            if !intact {
                return Ok(None);
            }
            let state = self.sync_state(conn, &doc_id);
            let Some(answer) = stored_reply::whole_document(stored, message, state) else {
                return Ok(None);
            };
            // The device will hold these heads once the frame arrives (the socket is ordered
            // and reliable; if it breaks, its states go anyway): nothing to remember, and a
            // device need not acknowledge (ours does not).
            self.forget_state(conn, &doc_id);
            Some(answer)
        } else {
            let Some(heads) = store.heads(&doc_id)?.filter(|h| !h.is_empty()) else {
                return Ok(None);
            };
            let heads = stored_reply::sorted(&heads);
            if heads != stored_reply::sorted(&message.heads) {
                return Ok(None);
            }
            let state = self.sync_state(conn, &doc_id);
            let answer = stored_reply::level(&heads, message, state);
            // Level and not in memory: nothing worth remembering for this device (a later
            // change reaches every joined device anyway), so states stay bounded by what is
            // loaded, not by the size of the workspace.
            self.forget_state(conn, &doc_id);
            answer
        };
        Ok(Some(
            answer
                .and_then(|answer| self.frame(conn, document_id, answer))
                .into_iter()
                .collect(),
        ))
    }

    /// Drops what the server remembers of syncing `doc_id` with `conn`.
    fn forget_state(&mut self, conn: ConnId, doc_id: &str) {
        if let Some(connection) = self.connections.get_mut(&conn) {
            connection.syncs.remove(doc_id);
            connection.owed_resets.remove(doc_id);
        }
    }

    /// Tells `peer` the server does not have the document.
    fn unavailable(&self, conn: ConnId, peer: &str, document_id: RepoDocId) -> Effect {
        let unavailable = RepoMessage::DocUnavailable {
            sender_id: self.peer_id.clone(),
            target_id: peer.to_owned(),
            document_id,
        };
        Effect::Send(conn, unavailable.encode())
    }

    /// A sync message for `conn`, framed.
    fn frame(
        &self,
        conn: ConnId,
        document_id: RepoDocId,
        message: sync::Message,
    ) -> Option<Effect> {
        let peer = self.connections.get(&conn)?.peer.clone()?;
        let frame = RepoMessage::Sync(DocMessage {
            sender_id: self.peer_id.clone(),
            target_id: peer,
            document_id,
            data: message.encode(),
        });
        Some(Effect::Send(conn, frame.encode()))
    }

    /// Makes sure `doc_id` is in memory: loaded from the store, or awaited when the store has
    /// nothing. Returns whether the document exists (stored or already received).
    fn ensure_loaded(
        &mut self,
        doc_id: &str,
        store: &mut impl DocumentStore,
    ) -> Result<bool, StoreError> {
        self.clock += 1;
        if let Some(loaded) = self.docs.get_mut(doc_id) {
            loaded.used = self.clock;
            return Ok(loaded.slot.replica().is_some());
        }
        let (slot, appended, bytes) = match store.load(doc_id)? {
            Some(stored) => match Replica::restore(doc_id, &stored.snapshot, &stored.changes) {
                Ok(replica) => {
                    let bytes =
                        stored.snapshot.len() + stored.changes.iter().map(Vec::len).sum::<usize>();
                    (DocSlot::known(replica), stored.changes.len(), bytes)
                }
                Err(error) => {
                    // Kept aside for inspection; peers that have the document re-send it.
                    store.quarantine(doc_id, &error.to_string())?;
                    (DocSlot::awaited(), 0, 0)
                }
            },
            None => (DocSlot::awaited(), 0, 0),
        };
        let known = slot.replica().is_some();
        self.docs.insert(
            doc_id.to_owned(),
            Loaded {
                slot,
                appended,
                bytes,
                used: self.clock,
            },
        );
        Ok(known)
    }

    /// The sync state of registered connection `conn` for `doc_id`.
    fn sync_state(&mut self, conn: ConnId, doc_id: &str) -> &mut sync::State {
        let connection = (self.connections.get_mut(&conn)).expect("a registered connection");
        if connection.resumed && !connection.syncs.contains_key(doc_id) {
            connection.owed_resets.insert(doc_id.to_owned());
        }
        connection.syncs.entry(doc_id.to_owned()).or_default()
    }

    /// After receiving from `conn`: a reset owed for `doc_id` is due once the device has said
    /// it understands resets (without that, automerge would announce empty heads instead).
    fn settle_owed_reset(&mut self, conn: ConnId, doc_id: &str) {
        let Some(connection) = self.connections.get_mut(&conn) else {
            return;
        };
        if let Some(state) = connection.syncs.get_mut(doc_id)
            && supports_reset(state)
            && connection.owed_resets.remove(doc_id)
        {
            state.needs_reset = true;
        }
    }

    /// Stores the document's new changes: a snapshot for a new document, after
    /// [`COMPACT_AFTER`] appends or for a large change, otherwise the incremental changes.
    /// Returns why nothing was stored when the document would grow beyond its limit.
    fn persist(
        &mut self,
        doc_id: &str,
        was_known: bool,
        store: &mut impl DocumentStore,
    ) -> Result<Option<String>, StoreError> {
        let limits = &self.limits;
        let loaded = self.docs.get_mut(doc_id).expect("loaded");
        let replica = loaded
            .slot
            .replica_mut()
            .expect("a changed slot has a replica");
        let most = match replica {
            Replica::Workspace(_) => limits.workspace_bytes,
            Replica::Customer(_) => limits.customer_bytes,
        };
        let heads = replica.heads();
        let change = match was_known && loaded.appended + 1 < COMPACT_AFTER {
            true => Some(replica.save_incremental()),
            false => None,
        };
        match change.filter(|c| c.len() <= limits.append_bytes) {
            Some(change) => {
                let bytes = loaded.bytes + change.len();
                if bytes > most {
                    return Ok(Some(too_big(bytes, most)));
                }
                store.append(doc_id, &change, &heads)?;
                loaded.appended += 1;
                loaded.bytes = bytes;
            }
            None => {
                let snapshot = replica.save();
                if snapshot.len() > most {
                    return Ok(Some(too_big(snapshot.len(), most)));
                }
                store.replace(doc_id, &snapshot, &heads)?;
                loaded.appended = 0;
                loaded.bytes = snapshot.len();
            }
        }
        match replica.summary() {
            Some(row) => store.put_row(doc_id, &row).map(|()| None),
            None => Ok(None),
        }
    }

    /// The sync message due to `conn` for `doc_id`, framed, if any.
    fn reply(&mut self, conn: ConnId, doc_id: &str, document_id: RepoDocId) -> Option<Effect> {
        self.connections.get(&conn)?.peer.as_ref()?;
        let mut state = std::mem::take(self.sync_state(conn, doc_id));
        let message = self.docs.get_mut(doc_id)?.slot.generate(doc_id, &mut state);
        *self.sync_state(conn, doc_id) = state;
        self.frame(conn, document_id, message?)
    }

    /// Relays an ephemeral message about `doc_id` to every other joined connection — a
    /// presence only to the devices that speak presence (an official client is not told of
    /// documents it never asked for) and may read the customer; never stored.
    fn relay(&self, conn: ConnId, doc_id: &str, presence: bool, frame: &[u8]) -> Vec<Effect> {
        self.connections
            .iter()
            .filter(|(id, c)| **id != conn && c.peer.is_some())
            .filter(|(id, c)| {
                !presence || (c.hears_presence && self.hidden(**id, doc_id) == Some(false))
            })
            .map(|(id, _)| Effect::Send(*id, frame.to_vec()))
            .collect()
    }

    /// Drops the least recently used documents (never `keep`) once more than
    /// [`Self::max_loaded`] are in memory: down to 90 % of the limit, so eviction runs rarely.
    fn evict_beyond_limit(&mut self, keep: &str) {
        if self.docs.len() <= self.max_loaded {
            return;
        }
        let target = self.max_loaded - self.max_loaded / 10;
        let mut by_use: Vec<(u64, String)> = self
            .docs
            .iter()
            .filter(|(id, _)| id.as_str() != keep && !self.unsent.contains_key(*id))
            .map(|(id, loaded)| (loaded.used, id.clone()))
            .collect();
        by_use.sort_unstable();
        let excess = self.docs.len().saturating_sub(target);
        for (_, id) in by_use.into_iter().take(excess) {
            // Changes that waited in memory for their dependencies go with the document.
            let queued = (self.docs.get_mut(&id)).is_some_and(|l| l.slot.has_queued_changes());
            self.unload(&id, queued);
        }
    }

    /// Drops `doc_id` from memory with its sync states (rebuilt on the next message); when
    /// `lost` (memory held what the store does not), each device that synced it is owed a
    /// reset, so that none goes on believing the server has what it forgot.
    fn unload(&mut self, doc_id: &str, lost: bool) {
        self.docs.remove(doc_id);
        for connection in self.connections.values_mut() {
            if connection.syncs.remove(doc_id).is_some() && lost {
                connection.owed_resets.insert(doc_id.to_owned());
            }
        }
    }
}

fn supports_reset(state: &sync::State) -> bool {
    state
        .their_capabilities
        .as_ref()
        .is_some_and(|c| c.contains(&Capability::SyncReset))
}

/// Why a document is not stored at `bytes`.
fn too_big(bytes: usize, most: usize) -> String {
    format!("it would be {bytes} bytes stored; at most {most} are kept per document")
}

/// What became of a change a device brought.
enum Settled {
    /// Stored, with these entries put back; a merge carried it into these other customers.
    Stored {
        restored: Notice,
        carried: Vec<String>,
    },
    /// Not stored, for this reason.
    Refused(String),
    /// It erased the customer: its tombstone is stored instead.
    Erased,
}

/// How a change to `doc_id` refused whole is told (a device reads the document from it:
/// `DeviceRepo` sets its copy aside instead of offering the change again).
fn refusal(doc_id: &str, reason: &dyn std::fmt::Display) -> String {
    format!("{REFUSED_PREFIX}{doc_id}{REFUSED_SUFFIX}{reason}")
}

/// Tells the peer why, then closes its connection.
fn refuse(conn: ConnId, code: u16, reason: &str) -> Vec<Effect> {
    let error = RepoMessage::Error {
        message: reason.to_owned(),
    };
    vec![
        Effect::Send(conn, error.encode()),
        Effect::Close(conn, code, reason.to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::client::{Inbound, SyncClient};
    use crate::sync::memory_store::MemoryStore;
    use crate::workspace::{Role, WorkspaceDoc};
    use crate::{CrmDocument, CustomerDoc, demo};

    pub(super) const NOW: i64 = 1_780_000_000_000;

    pub(super) fn sends(effects: &[Effect], conn: ConnId) -> Vec<RepoMessage> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send(to, frame) if *to == conn => RepoMessage::decode_all(frame).ok(),
                _ => None,
            })
            .flatten()
            .map(|(message, _)| message)
            .collect()
    }

    fn closes(effects: &[Effect]) -> Vec<(ConnId, u16)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Close(conn, code, _) => Some((*conn, *code)),
                _ => None,
            })
            .collect()
    }

    /// What a token of `role` for the demo workspace grants.
    pub(super) fn grant(role: Role) -> Grant {
        Grant {
            workspace: "demo".into(),
            member: format!("{role:?}").to_lowercase(),
            role,
            expires_at: i64::MAX,
        }
    }

    /// A device of an admin, connected as `conn` and joined.
    pub(super) fn joined(
        server: &mut SyncServer,
        store: &mut MemoryStore,
        conn: ConnId,
    ) -> SyncClient {
        joined_as(server, store, conn, Role::Admin)
    }

    /// A device of a member with `role`, connected as `conn` and joined.
    pub(super) fn joined_as(
        server: &mut SyncServer,
        store: &mut MemoryStore,
        conn: ConnId,
        role: Role,
    ) -> SyncClient {
        let mut client = SyncClient::new(format!("device-{conn}"));
        server.connect(conn, grant(role));
        let effects = server.receive(conn, &client.join(), store);
        assert!(effects.contains(&Effect::Joined(conn, format!("device-{conn}"))));
        let Some(Effect::Send(_, peer)) = effects.last() else {
            panic!("a peer message answers join")
        };
        assert_eq!(client.decode(peer), [Ok(Inbound::Ready)]);
        client
    }

    /// A device that reads several messages per frame asks for 120 customers in one frame and
    /// gets them all in a few frames; a client that did not say so (automerge-repo's) gets one
    /// message per frame; an unreadable message in a packed frame closes the socket after
    /// the messages before it are answered, and nothing after it is read.
    #[test]
    fn packed_frames_for_peers_that_read_them_only() {
        let mut store = MemoryStore::with(demo::saved_workspace(120, NOW));
        let ids: Vec<String> = store
            .docs
            .keys()
            .filter(|id| *id != "workspace")
            .cloned()
            .collect();
        let mut server = SyncServer::new("edge", 1_000, []);
        let mut ours = joined(&mut server, &mut store, 1);
        let asked = |client: &mut SyncClient| -> Vec<Vec<u8>> {
            (ids.iter())
                .filter_map(|id| client.outgoing(id, &mut DocSlot::awaited()))
                .collect()
        };
        let mut requests = asked(&mut ours);
        let rest = requests.split_off(100);
        let effects = server.receive(1, &message::pack(requests).concat(), &mut store);
        let frames = (effects.iter())
            .filter(|e| matches!(e, Effect::Send(1, _)))
            .count();
        let answered = sends(&effects, 1);
        assert_eq!(answered.len(), 100);
        assert!(frames < 5, "{frames} frames");
        assert!(answered.iter().all(|m| matches!(m, RepoMessage::Sync(_))));

        let mut theirs = SyncClient::new("js-peer");
        server.connect(2, grant(Role::Admin));
        let join = RepoMessage::Join {
            sender_id: "js-peer".into(),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: None,
        };
        for effect in server.receive(2, &join.encode(), &mut store) {
            if let Effect::Send(2, frame) = effect {
                assert_eq!(theirs.decode(&frame), [Ok(Inbound::Ready)]);
                assert!(!theirs.packs());
            }
        }
        let effects = server.receive(2, &message::pack(asked(&mut theirs)).concat(), &mut store);
        let frames: Vec<&Vec<u8>> = (effects.iter())
            .filter_map(|e| match e {
                Effect::Send(2, frame) => Some(frame),
                _ => None,
            })
            .collect();
        assert_eq!(frames.len(), 120);
        assert!(frames.iter().all(|f| RepoMessage::decode(f).is_ok()));

        let unreadable = RepoMessage::Sync(DocMessage {
            sender_id: "device-1".into(),
            target_id: "edge".into(),
            document_id: RepoDocId::from_local(&ids[110]).unwrap(),
            data: vec![0xff],
        });
        let mut bad = rest[..3].to_vec();
        bad.insert(1, unreadable.encode());
        let effects = server.receive(1, &bad.concat(), &mut store);
        assert_eq!(closes(&effects), vec![(1, CLOSE_INVALID)]);
        let told = sends(&effects, 1);
        assert!(matches!(
            told[..],
            [RepoMessage::Sync(_), RepoMessage::Error { .. }]
        ));
    }

    #[test]
    fn garbage_closes_only_its_own_connection() {
        let mut store = MemoryStore::with(demo::saved_workspace(1, NOW));
        let mut server = SyncServer::new("edge", 10, []);
        let mut good = joined(&mut server, &mut store, 1);
        server.connect(2, grant(Role::Sales));
        let effects = server.receive(2, b"\xff\x00garbage", &mut store);
        assert_eq!(closes(&effects), vec![(2, CLOSE_INVALID)]);
        assert!(matches!(sends(&effects, 2)[0], RepoMessage::Error { .. }));
        // Sync before join is refused too.
        server.connect(3, grant(Role::Sales));
        let mut slot = DocSlot::awaited();
        let mut early = SyncClient::new("early");
        let _ = early.decode(
            &RepoMessage::Peer {
                sender_id: "edge".into(),
                target_id: "early".into(),
                selected_protocol_version: "1".into(),
                peer_metadata: None,
            }
            .encode(),
        );
        let frame = early.outgoing("workspace", &mut slot).unwrap();
        assert_eq!(
            closes(&server.receive(3, &frame, &mut store)),
            vec![(3, CLOSE_INVALID)]
        );
        // The good connection still syncs.
        let mut slot = DocSlot::awaited();
        let frame = good.outgoing("workspace", &mut slot).unwrap();
        let effects = server.receive(1, &frame, &mut store);
        assert!(closes(&effects).is_empty());
        assert!(matches!(sends(&effects, 1)[0], RepoMessage::Sync(_)));
        let huge = vec![0u8; crate::sync::message::MAX_MESSAGE_BYTES + 1];
        assert_eq!(
            closes(&server.receive(1, &huge, &mut store)),
            vec![(1, CLOSE_TOO_BIG)]
        );
    }

    #[test]
    fn unknown_documents_are_unavailable_and_wrong_layouts_refused() {
        let mut store = MemoryStore::default();
        let mut server = SyncServer::new("edge", 10, []);
        let mut client = joined(&mut server, &mut store, 1);
        let missing = "0123456789abcdef0123456789abcdef";
        let frame = client.outgoing(missing, &mut DocSlot::awaited()).unwrap();
        let effects = server.receive(1, &frame, &mut store);
        assert!(matches!(
            sends(&effects, 1)[0],
            RepoMessage::DocUnavailable { .. }
        ));
        assert_eq!(server.loaded(), 0, "nothing kept for a missing document");
        // A workspace document offered under a customer id is refused, and not stored.
        let mut slot = DocSlot::known(Replica::Workspace(WorkspaceDoc::new()));
        let mut effects = Vec::new();
        let mut state_rounds = 0;
        while let Some(frame) = client.outgoing(missing, &mut slot) {
            effects = server.receive(1, &frame, &mut store);
            if !closes(&effects).is_empty() || state_rounds > 4 {
                break;
            }
            for reply in sends(&effects, 1) {
                if let RepoMessage::Sync(m) = reply {
                    let message = automerge::sync::Message::decode(&m.data).unwrap();
                    client.apply(missing, &mut slot, message).unwrap();
                }
            }
            state_rounds += 1;
        }
        assert_eq!(closes(&effects), vec![(1, CLOSE_INVALID)]);
        assert!(store.docs.is_empty());
    }

    /// Runs sync rounds for one document until the client has nothing more to say.
    pub(super) fn exchange(
        server: &mut SyncServer,
        client: &mut SyncClient,
        doc_id: &str,
        slot: &mut DocSlot,
        store: &mut MemoryStore,
    ) {
        while let Some(frame) = client.outgoing(doc_id, slot) {
            for reply in sends(&server.receive(1, &frame, store), 1) {
                if let RepoMessage::Sync(m) = reply {
                    let message = automerge::sync::Message::decode(&m.data).unwrap();
                    client.apply(doc_id, slot, message).unwrap();
                }
            }
        }
    }

    fn tag(slot: &mut DocSlot, tag: &str) {
        let Some(Replica::Customer(c)) = slot.replica_mut() else {
            panic!("a customer")
        };
        c.add_tag(tag, &crate::Stamp::new("admin", NOW)).unwrap();
    }

    #[test]
    fn changes_are_appended_then_compacted_and_corrupt_documents_quarantined() {
        let saved = demo::saved_workspace(1, NOW);
        let id = saved[1].id.clone();
        let mut store = MemoryStore::with(saved.clone());
        let mut server = SyncServer::new("edge", 10, []);
        let mut client = joined(&mut server, &mut store, 1);
        let customer = CustomerDoc::load(&saved[1].bytes).unwrap();
        let tags_before = customer.customer().unwrap().tags.len();
        let mut slot = DocSlot::known(Replica::Customer(customer));
        exchange(&mut server, &mut client, &id, &mut slot, &mut store);
        for n in 0..COMPACT_AFTER - 1 {
            tag(&mut slot, &format!("t{n}"));
            exchange(&mut server, &mut client, &id, &mut slot, &mut store);
            assert_eq!(store.docs[&id].changes.len(), n + 1);
        }
        tag(&mut slot, "last");
        exchange(&mut server, &mut client, &id, &mut slot, &mut store);
        let stored = &store.docs[&id];
        assert!(stored.changes.is_empty(), "compacted into one snapshot");
        let tags = CustomerDoc::load(&stored.snapshot)
            .unwrap()
            .customer()
            .unwrap()
            .tags;
        assert_eq!(tags.len(), tags_before + COMPACT_AFTER);

        // A corrupt stored document is never sent as it is: it is quarantined, the device that
        // asked hears it is unavailable, and a device that has it fills it in again.
        store.docs.get_mut(&id).unwrap().snapshot[40] ^= 1;
        let rotten = store.docs[&id].snapshot.clone();
        let mut server = SyncServer::new("edge", 10, []);
        let mut fresh = joined(&mut server, &mut store, 2);
        let request = fresh.outgoing(&id, &mut DocSlot::awaited()).unwrap();
        let answer = sends(&server.receive(2, &request, &mut store), 2);
        assert!(matches!(answer[0], RepoMessage::DocUnavailable { .. }));
        let mut client = joined(&mut server, &mut store, 1);
        exchange(&mut server, &mut client, &id, &mut slot, &mut store);
        assert_eq!(store.quarantined[&id].0.snapshot, rotten);
        let refilled = CustomerDoc::load(&store.docs[&id].snapshot).unwrap();
        assert_eq!(refilled.customer().unwrap().tags, tags);
    }
}
