//! What [`super::DeviceRepo`] asks its shell to do, and the stored documents it starts from.

use automerge::ChangeHash;

use crate::customer::HeadedRow;

/// Something the device's shell carries out for the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceEffect {
    /// Send this frame to the edge.
    Send(Vec<u8>),
    /// Write to the device's storage; report the outcome with
    /// [`super::DeviceRepo::written`] once the write committed.
    Write(Box<Persist>),
    /// The summary rows changed: the list should be shown again (the shell may gather these).
    RowsChanged,
    /// A customer that a page watches changed: read it again.
    CustomerChanged(String),
    /// The workspace's settings or rules changed: read them again.
    WorkspaceChanged,
    /// Read document `id` from storage and hand it to [`super::DeviceRepo::loaded`] (the shell
    /// may gather several into one read): it is kept there, and something needs more of it
    /// than its heads.
    Load(String),
    /// Fetch the edge's page of summary rows after this customer id (empty: the first page)
    /// and hand it to [`super::DeviceRepo::rows_page`].
    FetchRows { after: String },
    /// A stored document does not load: keep it aside where nothing is lost, and tell the
    /// person.
    Quarantine { stored: StoredDoc, reason: String },
    /// The edge did not accept a change as this device made it: the document (when the edge
    /// named one) and the entries it put back, or the edge's reason for refusing.
    NotAccepted {
        doc_id: Option<String>,
        what: Vec<String>,
    },
    /// Another device (`peer`) says where its member is on customer `doc_id`.
    Presence {
        peer: String,
        doc_id: String,
        presence: crate::sync::presence::Presence,
    },
    /// Something from the edge was ignored, and why (for the console).
    Ignored(String),
}

/// Writes to storage in one transaction, numbered so that its completion can be reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Persist {
    /// Tells this transaction's completion apart.
    pub ticket: u64,
    /// What to write, all or nothing.
    pub writes: Vec<Write>,
}

/// The writes the device's storage offers. A row travels with its document's write so that
/// the two never disagree on disk.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// A whole snapshot of document `id` at `heads` (kept beside it, in the same
    /// transaction), replacing the stored one and the appended changes numbered `folded`.
    Snapshot {
        id: String,
        bytes: Vec<u8>,
        heads: Vec<ChangeHash>,
        folded: Vec<u64>,
        row: Option<HeadedRow>,
    },
    /// Changes appended to document `id` under sequence number `seq` (rising per device).
    Append {
        id: String,
        seq: u64,
        bytes: Vec<u8>,
        row: Option<HeadedRow>,
    },
    /// A document that arrived whole from the edge at `heads`, kept as it came (the shell
    /// may gather several into one transaction, in order with its other writes).
    Arrived {
        id: String,
        bytes: Vec<u8>,
        heads: Vec<ChangeHash>,
        row: Option<HeadedRow>,
    },
    /// The heads of document `id`'s stored snapshot, which storage did not keep yet (a
    /// snapshot stored before heads were).
    Heads { id: String, heads: Vec<ChangeHash> },
    /// Summary rows to cache.
    Rows(Vec<HeadedRow>),
    /// Customer `id` was erased: its tombstone `bytes` at `heads` replace everything stored
    /// of it — snapshot, every appended change, its cached rows (its own and in the edge's
    /// pages) and any quarantined copy.
    Erased {
        id: String,
        bytes: Vec<u8>,
        heads: Vec<ChangeHash>,
    },
    /// Customer `id` is not the member's to read (any more): remove every trace of it —
    /// snapshot, heads, appended changes, its cached rows and any quarantined copy.
    Dropped { id: String },
}

/// One document as storage holds it: a snapshot and the changes appended after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDoc {
    /// Document id.
    pub id: String,
    /// The last snapshot (absent only if the first write never completed).
    pub snapshot: Option<Vec<u8>>,
    /// The snapshot's heads as kept beside it (absent for snapshots stored before heads were).
    pub heads: Option<Vec<ChangeHash>>,
    /// (sequence number, bytes) of the appended changes, oldest first.
    pub changes: Vec<(u64, Vec<u8>)>,
}

/// What the sync badge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncCounts {
    /// Local changes the edge has not confirmed yet.
    pub unconfirmed: usize,
    /// Documents requested from the edge that have not arrived.
    pub awaited: usize,
    /// A probe has not been answered yet: "synced" is not proven.
    pub unproven: bool,
}

/// Heads as storage keeps them: the 32-byte hashes one after the other.
pub fn encode_heads(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

/// Heads read back from [`encode_heads`]' bytes (`None` if they are not such bytes).
pub fn decode_heads(bytes: &[u8]) -> Option<Vec<ChangeHash>> {
    if !bytes.len().is_multiple_of(32) {
        return None;
    }
    (bytes.chunks(32))
        .map(|hash| ChangeHash::try_from(hash).ok())
        .collect()
}
