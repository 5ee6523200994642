//! The device side of sync, without I/O: every document of the workspace on this device, its
//! sync with the edge, what is stored and what is shown — the app runs its effects, and the
//! simulation drives it through a faulty network.
//!
//! - **Start**: the shell hands over the heads of the documents kept in storage as one
//!   snapshot ([`DeviceRepo::keep`]: they stay there, read with [`DeviceEffect::Load`] only
//!   when something needs more than their heads) and the others whole
//!   ([`DeviceRepo::shelve`]); those are restored the workspace and watched ones first
//!   ([`DeviceRepo::restore_first`]), then a few at a time ([`DeviceRepo::restore_some`]), or
//!   at once when something needs one. One that does not load is handed back for quarantine
//!   and asked for again.
//! - **Edits** are named operations on a document; its changes are written to storage and
//!   offered to the edge only once the write committed ([`DeviceRepo::written`]), so nothing
//!   the edge confirms is missing on the device.
//! - **Sync** with the edge ([`super::SyncClient`]): after the join the documents the workspace
//!   directory lists and this device lacks are requested — after the edge's summary rows when
//!   many are missing, so a new device lists everything at once — and every document is
//!   offered, a batch per [`DeviceRepo::pump`]. Documents that arrive whole are kept as the
//!   bytes they came in (in storage only, once written) and loaded only when opened, edited
//!   or changed; a frame for a document being read from storage waits for it.
//! - **Rows**: one summary row per customer, with the heads it summarises; a change updates
//!   its own row, and a watched customer's page.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use automerge::{ChangeHash, sync};

use super::client::{Inbound, SyncClient};
use super::presence::Presence;
use super::slot::DocSlot;
use super::stored_reply;
use crate::customer::{Customer, FieldConflict, HeadedRow, NewContact, NewCustomer, SummaryRow};
use crate::error::ModelError;
use crate::id::Id;
use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::workspace::{ReadScope, Role, RuleBook, WorkspaceDoc, WorkspaceSettings};
use crate::{CustomerDoc, Stamp};

mod backup;
mod effect;
mod erasure;
mod refusal;
mod rows;
mod startup;
#[cfg(test)]
mod tests;

pub use effect::{DeviceEffect, Persist, StoredDoc, SyncCounts, Write, decode_heads, encode_heads};

/// Appended changes of one document that call for a compaction into a new snapshot.
pub const COMPACT_AFTER: usize = 32;
/// Missing documents from which their summary rows are fetched from the edge first.
pub const BULK_ROWS_FROM: usize = 50;
/// Most awaited documents requested and not answered yet: a first sync of 100,000 documents
/// asks for them in a window (~2.5 MB of answers), so that neither the edge's socket buffers
/// nor the device's hold the whole workspace at once.
pub const MAX_REQUESTED: usize = 1_000;

/// When the changes a write stores go to the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Offer {
    /// Never: they came from the edge.
    No,
    /// At once, beside their write: an edit of one document the edge already has (lost here
    /// before it is stored, it is kept there and comes back).
    Now,
    /// Once their write committed: customers made here and the directory entries listing
    /// them, which must not reach the edge unless this device keeps them (a customer listed
    /// in the directory that no device has).
    OnceStored,
}

/// What to do once a write committed.
#[derive(Debug, Default)]
struct AfterWrite {
    /// Local edits of these documents: offer them to the edge.
    push: Vec<String>,
    /// Appends of these documents under these numbers: count them towards compaction.
    appended: Vec<(String, u64)>,
    /// Compactions of these documents folding these appends.
    folded: Vec<(String, Vec<u64>)>,
    /// Documents that arrived whole, kept unloaded: their bytes now live in storage only.
    kept: Vec<String>,
}

/// One device's workspace: its documents, their sync with the edge, their rows.
pub struct DeviceRepo {
    /// Every document in memory by id: a replica, kept bytes, or one awaited from the edge.
    docs: BTreeMap<String, DocSlot>,
    sync: SyncClient,
    /// Documents read from storage and not restored yet.
    shelved: HashMap<String, StoredDoc>,
    /// Documents kept in storage only whose read was asked for ([`DeviceEffect::Load`]).
    loading: HashSet<String>,
    /// Messages from the edge for documents being read, in arrival order.
    parked: HashMap<String, Vec<sync::Message>>,
    /// Summary rows by customer, with the heads each summarises.
    rows: BTreeMap<String, HeadedRow>,
    /// Customers a page shows: kept loaded and reported when they change.
    watched: BTreeSet<String>,
    /// Edits made here that the edge has not confirmed yet, by document.
    unconfirmed: BTreeMap<String, usize>,
    /// Documents requested from the edge that have not arrived.
    awaited: HashSet<String>,
    /// Awaited documents whose request is out and unanswered (at most `max_requested`).
    requested: HashSet<String>,
    /// Most requests out at once ([`MAX_REQUESTED`] unless a test says otherwise).
    pub max_requested: usize,
    /// Numbers of the changes appended after each document's stored snapshot (no entry: no
    /// snapshot written yet).
    appended: HashMap<String, Vec<u64>>,
    /// Documents whose compaction is being written.
    compacting: HashSet<String>,
    /// Local edits being written before they are offered ([`Offer::OnceStored`]), by
    /// document: such a document says nothing to the edge until they are stored.
    storing: HashMap<String, usize>,
    next_seq: u64,
    next_ticket: u64,
    after_write: HashMap<u64, AfterWrite>,
    /// Rows are being fetched from the edge (the page asked for): documents kept unloaded
    /// wait for them, and so do the offers queued.
    fetching_rows: bool,
    /// Documents kept unloaded that arrived without a row while rows were being fetched.
    rowless: HashSet<String>,
    /// Rows found stale or missing while restoring, to cache in one write.
    stale_rows: Vec<HeadedRow>,
    /// Documents restored from a snapshot and changes (or without kept heads), folded into a
    /// snapshot with its heads so that the next start keeps them unloaded: written together.
    refold: Vec<(Write, AfterWrite)>,
    /// Documents to offer to the edge, a batch per [`DeviceRepo::pump`].
    offers: VecDeque<String>,
    /// Customers of the public pool (and, scoped to `listed`, colleagues' customers), as the
    /// edge's rows show them to a scoped salesperson
    /// (contact points masked; no documents until claimed), fetched again at each connection.
    masked: BTreeMap<String, Arc<SummaryRow>>,
    /// The member and their role (see [`DeviceRepo::set_member`]).
    member: Option<(String, Role)>,
    /// A scoped device asked the edge's rows since it connected.
    scoped_rows_asked: bool,
    out: Vec<DeviceEffect>,
}

impl DeviceRepo {
    /// A device that calls itself `peer_id` on the wire and numbers its appended changes from
    /// `first_seq` (rising across sessions: the shell passes the time in µs).
    pub fn new(peer_id: impl Into<String>, first_seq: u64) -> Self {
        Self {
            docs: BTreeMap::new(),
            sync: SyncClient::new(peer_id),
            shelved: HashMap::new(),
            loading: HashSet::new(),
            parked: HashMap::new(),
            rows: BTreeMap::new(),
            watched: BTreeSet::new(),
            unconfirmed: BTreeMap::new(),
            awaited: HashSet::new(),
            requested: HashSet::new(),
            max_requested: MAX_REQUESTED,
            appended: HashMap::new(),
            compacting: HashSet::new(),
            storing: HashMap::new(),
            next_seq: first_seq,
            next_ticket: 0,
            after_write: HashMap::new(),
            fetching_rows: false,
            rowless: HashSet::new(),
            stale_rows: Vec::new(),
            refold: Vec::new(),
            offers: VecDeque::new(),
            masked: BTreeMap::new(),
            member: None,
            scoped_rows_asked: false,
            out: Vec::new(),
        }
    }

    /// The member this device syncs as, and their role: a salesperson of a workspace scoped
    /// to their own customers learns which to request from the edge's rows (which list only
    /// theirs), not from the directory (which lists every customer); and on joining, the
    /// device says it speaks presence (a "left" on the workspace), so the edge relays others'.
    pub fn set_member(&mut self, member: &str, role: Role) {
        self.member = Some((member.to_owned(), role));
    }

    /// Whether a customer owned by `owner` is this device's member's.
    fn is_mine(&self, owner: &str) -> bool {
        self.member.as_ref().is_some_and(|(m, _)| m == owner)
    }

    /// Whether this device receives only some customers (see [`DeviceRepo::set_member`]).
    fn scoped(&self) -> bool {
        let scope = match self.docs.get(WORKSPACE_DOC_ID).and_then(DocSlot::replica) {
            Some(Replica::Workspace(ws)) => ws.settings().map(|s| s.read_scope()).ok(),
            _ => None,
        };
        self.member.as_ref().is_some_and(|(_, r)| *r == Role::Sales)
            && scope.is_some_and(|s| s != ReadScope::Everyone)
    }

    /// Shows `rows` as cached until the documents say otherwise — after
    /// [`DeviceRepo::keep`] and [`DeviceRepo::shelve`]: a row of a document that is not here
    /// is left out, and a document kept unloaded whose row is missing or not at its heads is
    /// read to compute it. Of two rows of one customer the later in `rows` is kept; a row
    /// computed since the start stands.
    pub fn cache_rows(&mut self, rows: Vec<HeadedRow>) -> Vec<DeviceEffect> {
        let rows: HashMap<String, HeadedRow> =
            (rows.into_iter()).map(|r| (r.row.id.clone(), r)).collect();
        for (id, row) in rows {
            if self.docs.contains_key(&id) || self.shelved.contains_key(&id) {
                self.rows.entry(id).or_insert(row);
            }
        }
        let rowless: Vec<String> = (self.docs.iter())
            .filter(|(id, slot)| match slot {
                DocSlot::Stored { heads, .. } => {
                    !self.rows.get(*id).is_some_and(|r| r.is_at(heads))
                }
                _ => false,
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in rowless {
            self.adopt(&id, true);
        }
        self.cache_stale_rows();
        self.out.push(DeviceEffect::RowsChanged);
        self.take_effects()
    }

    /// The effects queued by the calls since the last time they were taken (reads that had
    /// to restore a document may queue some).
    pub fn take_effects(&mut self) -> Vec<DeviceEffect> {
        let effects = std::mem::take(&mut self.out);
        if !self.sync.packs() {
            return effects;
        }
        // Frames next to each other go as one (see `message::pack`).
        let mut out: Vec<DeviceEffect> = Vec::with_capacity(effects.len());
        let mut frames: Vec<Vec<u8>> = Vec::new();
        for effect in effects {
            if let DeviceEffect::Send(frame) = effect {
                frames.push(frame);
                continue;
            }
            let packed = super::message::pack(std::mem::take(&mut frames));
            out.extend(packed.into_iter().map(DeviceEffect::Send));
            out.push(effect);
        }
        let packed = super::message::pack(frames);
        out.extend(packed.into_iter().map(DeviceEffect::Send));
        out
    }

    // Reading.

    /// Every customer's summary row, in id order.
    pub fn rows(&self) -> impl Iterator<Item = &Arc<SummaryRow>> {
        let pool = (self.masked.values()).filter(|r| !self.rows.contains_key(&r.id));
        self.rows.values().map(|r| &r.row).chain(pool)
    }

    /// The workspace's settings and rules (`None` before the workspace document is here).
    pub fn settings(&self) -> Option<(WorkspaceSettings, RuleBook)> {
        match self.docs.get(WORKSPACE_DOC_ID)?.replica()? {
            Replica::Workspace(ws) => Some((ws.settings().ok()?, ws.rule_book())),
            Replica::Customer(_) => None,
        }
    }

    /// Marks customer `id` as shown by a page: it is kept loaded and
    /// [`DeviceEffect::CustomerChanged`] reports its changes.
    pub fn watch(&mut self, id: &str) {
        self.watched.insert(id.to_owned());
    }

    /// Customer `id` as it stands (loading it if need be).
    pub fn customer(&mut self, id: &str) -> Option<Customer> {
        self.with_customer(id, |doc| doc.customer().ok()).flatten()
    }

    /// Fields of customer `id` that two people changed at once.
    pub fn conflicts(&mut self, id: &str) -> Vec<FieldConflict> {
        self.with_customer(id, |doc| doc.conflicts())
            .unwrap_or_default()
    }

    /// Every change of customer `id`'s owner, oldest first (none if it is not loaded here).
    pub fn owner_history(&mut self, id: &str) -> Vec<crate::customer::OwnerChange> {
        self.with_customer(id, CustomerDoc::owner_history)
            .unwrap_or_default()
    }

    /// The heads of document `id` (empty if there is no such document here).
    pub fn heads(&mut self, id: &str) -> Vec<ChangeHash> {
        self.slot(id).map(DocSlot::heads).unwrap_or_default()
    }

    /// Whether document `id` is here as kept bytes, not loaded.
    #[cfg(any(test, feature = "fixtures"))]
    pub fn is_kept_unloaded(&self, id: &str) -> bool {
        matches!(self.docs.get(id), Some(DocSlot::Stored { .. }))
    }

    /// Every customer's id, stored or in memory.
    pub fn customer_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = (self.docs.keys().chain(self.shelved.keys()))
            .filter(|id| id.as_str() != WORKSPACE_DOC_ID)
            .cloned()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Whether customer `id`'s document is on this device (in memory or storage), not only its
    /// row (a masked row of the pool's or a colleague's).
    pub fn holds(&self, id: &str) -> bool {
        id != WORKSPACE_DOC_ID && (self.docs.contains_key(id) || self.shelved.contains_key(id))
    }

    /// Whether document `id` is kept in storage only: it must be read (see
    /// [`DeviceRepo::loaded`]) before it can be shown or edited.
    pub fn needs_load(&self, id: &str) -> bool {
        self.docs.get(id).is_some_and(DocSlot::is_in_storage_only)
    }

    /// Whether document `id` can be read and changed now; if it is kept in storage only, its
    /// read is asked for (once) and this says no.
    fn ready(&mut self, id: &str) -> bool {
        if !self.needs_load(id) {
            return true;
        }
        if self.loading.insert(id.to_owned()) {
            self.out.push(DeviceEffect::Load(id.to_owned()));
        }
        false
    }

    /// Reads customer `id`, loading its document if it is kept unloaded (`None` while it is
    /// read from storage: a watched customer is reported changed once it is).
    fn with_customer<T>(
        &mut self,
        id: &str,
        read: impl FnOnce(&mut CustomerDoc) -> T,
    ) -> Option<T> {
        self.slot(id)?;
        if !self.ready(id) {
            return None;
        }
        match self.docs.get_mut(id)?.loaded(id) {
            Ok(Some(Replica::Customer(doc))) => Some(read(doc)),
            Ok(_) => None,
            Err(error) => {
                self.set_aside(id, &error);
                None
            }
        }
    }

    /// The slot of document `id`, restored from storage first if it is still shelved.
    fn slot(&mut self, id: &str) -> Option<&mut DocSlot> {
        self.restore(id);
        self.docs.get_mut(id)
    }

    // Editing.

    /// Creates customer `id` with its first contact points and lists it in the workspace;
    /// both are stored, then offered to the edge. Nothing is kept if any input is invalid.
    pub fn create_customer(
        &mut self,
        id: &Id,
        new: NewCustomer,
        contacts: Vec<NewContact>,
        stamp: &Stamp,
    ) -> Result<Vec<DeviceEffect>, ModelError> {
        let contacts = contacts.into_iter().map(|c| (Id::random(), c)).collect();
        let customer = CustomerDoc::create_with(id, new, contacts, &[], "", stamp)?;
        self.adopt_customers(vec![(id.clone(), customer)], stamp)
    }

    /// Lists customers made on this device (an import's) in the workspace as `stamp`'s member,
    /// stores them and offers them to the edge: all of them or, on an error, none.
    pub fn adopt_customers(
        &mut self,
        customers: Vec<(Id, CustomerDoc)>,
        stamp: &Stamp,
    ) -> Result<Vec<DeviceEffect>, ModelError> {
        let Some(Replica::Workspace(ws)) =
            self.slot(WORKSPACE_DOC_ID).and_then(DocSlot::replica_mut)
        else {
            return Err(ModelError::NotFound {
                kind: "workspace",
                id: WORKSPACE_DOC_ID.into(),
            });
        };
        let ids: Vec<Id> = customers.iter().map(|(id, _)| id.clone()).collect();
        ws.register_customers(&ids, stamp)?;
        let mut ids: Vec<String> = Vec::with_capacity(customers.len() + 1);
        for (id, customer) in customers {
            self.docs
                .insert(id.to_string(), DocSlot::known(Replica::Customer(customer)));
            self.changed(id.as_str());
            ids.push(id.to_string());
        }
        self.changed(WORKSPACE_DOC_ID);
        ids.push(WORKSPACE_DOC_ID.to_owned());
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.persist(&ids, Offer::OnceStored);
        Ok(self.take_effects())
    }

    /// Applies a named operation to customer `id`, then stores the document and offers it to
    /// the edge. On error the document is unchanged; [`ModelError::NotLoaded`] while it is
    /// being read from storage.
    pub fn edit_customer(
        &mut self,
        id: &str,
        stamp: &Stamp,
        op: impl FnOnce(&mut CustomerDoc, &Stamp) -> Result<(), ModelError>,
    ) -> Result<Vec<DeviceEffect>, ModelError> {
        let not_found = || ModelError::NotFound {
            kind: "customer",
            id: id.to_owned(),
        };
        self.slot(id).ok_or_else(not_found)?;
        if !self.ready(id) {
            return Err(ModelError::NotLoaded { id: id.to_owned() });
        }
        match self.docs.get_mut(id).ok_or_else(not_found)?.loaded(id)? {
            Some(Replica::Customer(doc)) if doc.erased().is_some() => {
                return Err(ModelError::Erased { id: id.to_owned() });
            }
            Some(Replica::Customer(doc)) => op(doc, stamp)?,
            _ => return Err(not_found()),
        }
        self.changed(id);
        self.persist(&[id], Offer::Now);
        Ok(self.take_effects())
    }

    /// Applies an operation to the workspace document (rules, segments, settings), then
    /// stores and offers it. On error the document is unchanged.
    pub fn edit_workspace(
        &mut self,
        op: impl FnOnce(&mut WorkspaceDoc) -> Result<(), ModelError>,
    ) -> Result<Vec<DeviceEffect>, ModelError> {
        match self.slot(WORKSPACE_DOC_ID).and_then(DocSlot::replica_mut) {
            Some(Replica::Workspace(ws)) => op(ws)?,
            _ => {
                return Err(ModelError::NotFound {
                    kind: "workspace",
                    id: WORKSPACE_DOC_ID.into(),
                });
            }
        }
        self.changed(WORKSPACE_DOC_ID);
        self.persist(&[WORKSPACE_DOC_ID], Offer::Now);
        Ok(self.take_effects())
    }

    // Storage.

    /// Writes what changed in the documents `ids` — for each a snapshot the first time, else
    /// an appended change — in one transaction, and offers local edits to the edge as `offer`
    /// says. Must follow every change to a replica, so that no change escapes storage; edits
    /// that belong together (a customer and its directory entry) are stored together.
    fn persist(&mut self, ids: &[&str], offer: Offer) {
        let mut writes = Vec::new();
        let mut after = AfterWrite::default();
        for &id in ids {
            // A document with an edit still waiting for its write waits with it.
            let now = offer == Offer::Now && !self.storing.contains_key(id);
            if now {
                *self.unconfirmed.entry(id.to_owned()).or_default() += 1;
                self.offer(id);
            }
            let first = !self.appended.contains_key(id);
            let Some(replica) = self.docs.get_mut(id).and_then(DocSlot::replica_mut) else {
                continue;
            };
            let bytes = if first {
                replica.save()
            } else {
                replica.save_incremental()
            };
            let heads = replica.heads();
            let row = self.rows.get(id).cloned();
            if offer != Offer::No && !now {
                after.push.push(id.to_owned());
            }
            if first {
                self.appended.insert(id.to_owned(), Vec::new());
                writes.push(Write::Snapshot {
                    id: id.to_owned(),
                    bytes,
                    heads,
                    folded: Vec::new(),
                    row,
                });
            } else if !bytes.is_empty() {
                let seq = self.next_seq;
                self.next_seq += 1;
                after.appended.push((id.to_owned(), seq));
                writes.push(Write::Append {
                    id: id.to_owned(),
                    seq,
                    bytes,
                    row,
                });
            }
        }
        if writes.is_empty() {
            self.after(after);
        } else {
            self.write(writes, after);
        }
    }

    fn write(&mut self, writes: Vec<Write>, after: AfterWrite) {
        for id in &after.push {
            *self.storing.entry(id.clone()).or_default() += 1;
        }
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.after_write.insert(ticket, after);
        let persist = Persist { ticket, writes };
        self.out.push(DeviceEffect::Write(Box::new(persist)));
    }

    /// Write `ticket` committed: a local edit goes to the edge, appends count towards
    /// compaction.
    pub fn written(&mut self, ticket: u64) -> Vec<DeviceEffect> {
        if let Some(after) = self.after_write.remove(&ticket) {
            self.after(after);
        }
        self.take_effects()
    }

    fn after(&mut self, after: AfterWrite) {
        for id in &after.push {
            if let Some(n) = self.storing.get_mut(id) {
                *n -= 1;
                if *n == 0 {
                    self.storing.remove(id);
                }
            }
            *self.unconfirmed.entry(id.clone()).or_default() += 1;
        }
        for id in &after.push {
            self.offer(id);
        }
        for id in after.kept {
            if let Some(DocSlot::Stored { bytes, .. }) = self.docs.get_mut(&id) {
                *bytes = None;
            }
        }
        for (id, folded) in after.folded {
            self.compacting.remove(&id);
            if let Some(seqs) = self.appended.get_mut(&id) {
                seqs.retain(|seq| !folded.contains(seq));
            }
        }
        for (id, seq) in after.appended {
            let Some(seqs) = self.appended.get_mut(&id) else {
                continue;
            };
            seqs.push(seq);
            if seqs.len() >= COMPACT_AFTER && !self.compacting.contains(&id) {
                let folded = seqs.clone();
                self.compact(&id, folded);
            }
        }
    }

    /// Folds the appended changes `folded` of `id` into a new snapshot.
    fn compact(&mut self, id: &str, folded: Vec<u64>) {
        if let Some((write, after)) = self.compaction(id, folded) {
            self.write(vec![write], after);
        }
    }

    /// The write that folds the appended changes `folded` of `id` into a new snapshot, and
    /// what follows its commit.
    fn compaction(&mut self, id: &str, folded: Vec<u64>) -> Option<(Write, AfterWrite)> {
        let replica = self.docs.get_mut(id).and_then(DocSlot::replica_mut)?;
        let (bytes, heads) = (replica.save(), replica.heads());
        self.compacting.insert(id.to_owned());
        let write = Write::Snapshot {
            id: id.to_owned(),
            bytes,
            heads,
            folded: folded.clone(),
            row: self.rows.get(id).cloned(),
        };
        let after = AfterWrite {
            folded: vec![(id.to_owned(), folded)],
            ..AfterWrite::default()
        };
        Some((write, after))
    }

    // Sync.

    /// The link to the edge opened: the join to send.
    pub fn connected(&mut self) -> Vec<DeviceEffect> {
        vec![DeviceEffect::Send(self.sync.join())]
    }

    /// The link to the edge closed: what both sides are known to share is kept.
    pub fn disconnected(&mut self) {
        self.sync.disconnected();
        self.offers.clear();
        self.requested.clear();
    }

    /// Whether documents are still awaited from the edge (a first sync is running).
    pub fn is_syncing(&self) -> bool {
        !self.awaited.is_empty()
    }

    /// Whether documents wait to be offered and may be (see [`DeviceRepo::pump`]).
    pub fn has_offers(&self) -> bool {
        !self.offers.is_empty()
            && !self.fetching_rows
            && self.sync.is_ready()
            && self.requested.len() < self.max_requested
    }

    /// Offers up to `budget` of the queued documents to the edge, fewer when the window of
    /// requests (`max_requested`) fills: answers reopen it.
    pub fn pump(&mut self, budget: usize) -> Vec<DeviceEffect> {
        for _ in 0..budget {
            if !self.has_offers() {
                break;
            }
            let Some(id) = self.offers.pop_front() else {
                break;
            };
            self.offer(&id);
        }
        self.take_effects()
    }

    /// Tells the other devices this device's `presence` on customer `doc_id` (nothing while
    /// the link is down: presence is repeated, never queued).
    pub fn announce(&mut self, doc_id: &str, presence: &Presence) -> Vec<DeviceEffect> {
        if let Some(frame) = self.sync.presence(doc_id, presence) {
            self.out.push(DeviceEffect::Send(frame));
        }
        self.take_effects()
    }

    /// Reads one frame from the edge.
    pub fn receive(&mut self, frame: &[u8]) -> Vec<DeviceEffect> {
        for inbound in self.sync.decode(frame) {
            self.inbound(inbound);
        }
        self.take_effects()
    }

    /// Acts on one message from the edge.
    fn inbound(&mut self, inbound: Result<Inbound, super::client::ClientError>) {
        match inbound {
            Ok(Inbound::Ready) => {
                if let Some((member, _)) = &self.member {
                    let hello = Presence::left(member);
                    self.out.extend(
                        self.sync
                            .presence(WORKSPACE_DOC_ID, &hello)
                            .map(DeviceEffect::Send),
                    );
                }
                self.request_directory(true);
            }
            Ok(Inbound::Sync { doc_id, message }) => self.receive_sync(doc_id, message),
            Ok(Inbound::Unavailable { doc_id }) => {
                self.requested.remove(&doc_id);
                if matches!(self.docs.get(&doc_id), Some(DocSlot::Awaited(_))) {
                    self.docs.remove(&doc_id);
                    self.awaited.remove(&doc_id);
                }
            }
            Ok(Inbound::Refused(reason)) => self.refused(reason),
            Ok(Inbound::Restored { doc_id, notice }) => {
                let what = notice.restored.into_iter().map(|(path, _)| path).collect();
                self.out.push(DeviceEffect::NotAccepted {
                    doc_id: Some(doc_id),
                    what,
                });
            }
            Ok(Inbound::Erased { doc_id, tombstone }) => self.replace_erased(doc_id, tombstone),
            Ok(Inbound::OutOfScope { doc_id }) => self.drop_out_of_scope(doc_id),
            Ok(Inbound::Presence {
                peer,
                doc_id,
                presence,
            }) => self.out.push(DeviceEffect::Presence {
                peer,
                doc_id,
                presence,
            }),
            Ok(Inbound::Nothing) => {}
            Err(error) => self.out.push(DeviceEffect::Ignored(format!(
                "a frame from the edge: {error}"
            ))),
        }
    }

    /// A sync message for `doc_id`: applied, or parked while the document is read from
    /// storage (when it needs more than the document's heads), then answered.
    fn receive_sync(&mut self, doc_id: String, message: sync::Message) {
        self.requested.remove(&doc_id);
        self.restore(&doc_id);
        let needs_bytes = match self.docs.get(&doc_id) {
            Some(DocSlot::Stored { bytes: None, heads }) => !stored_reply::reports(&message, heads),
            _ => false,
        };
        if needs_bytes || self.parked.contains_key(&doc_id) {
            self.parked.entry(doc_id.clone()).or_default().push(message);
            self.ready(&doc_id);
            return;
        }
        let slot = self.docs.entry(doc_id.clone()).or_insert_with(|| {
            self.awaited.insert(doc_id.clone());
            DocSlot::awaited()
        });
        // A document arriving whole is stored as it came, without saving it again.
        let first = !slot.is_present() && !message.changes.is_empty();
        let bytes: Vec<u8> = if first {
            stored_reply::joined(&message)
        } else {
            Vec::new()
        };
        match self.sync.apply(&doc_id, slot, message) {
            Ok(true) => {
                let arrived = first && slot.is_present();
                self.changed(&doc_id);
                if arrived {
                    self.arrived(&doc_id, bytes);
                } else {
                    self.persist(&[&doc_id], Offer::No);
                }
                if doc_id == WORKSPACE_DOC_ID {
                    self.request_directory(false);
                }
            }
            Ok(false) => {}
            Err(error) => self.out.push(DeviceEffect::Ignored(format!(
                "document {doc_id} from the edge: {error}"
            ))),
        }
        self.offer(&doc_id);
    }

    /// Awaits every customer the workspace directory lists that this device lacks, and queues
    /// their offers (with `all`, every document's); with many missing, the edge's rows are
    /// fetched first.
    fn request_directory(&mut self, all: bool) {
        let scoped = self.scoped();
        let listed = match self.docs.get(WORKSPACE_DOC_ID).and_then(DocSlot::replica) {
            Some(Replica::Workspace(ws)) if !scoped => ws.directory_ids(),
            _ => Vec::new(),
        };
        if all {
            self.scoped_rows_asked = false;
        }
        if scoped && !self.scoped_rows_asked && !self.fetching_rows {
            // The edge's rows say which customers are this member's; each connection asks
            // again (once the workspace says it is scoped), so a customer assigned while away
            // arrives.
            self.scoped_rows_asked = true;
            self.fetching_rows = true;
            self.masked.clear();
            self.out.push(DeviceEffect::FetchRows {
                after: String::new(),
            });
        }
        let missing: Vec<String> = listed
            .into_iter()
            .filter(|id| !self.docs.contains_key(id) && !self.shelved.contains_key(id))
            .collect();
        for id in &missing {
            self.docs.insert(id.clone(), DocSlot::awaited());
            self.awaited.insert(id.clone());
        }
        if missing.len() >= BULK_ROWS_FROM && !self.fetching_rows {
            self.fetching_rows = true;
            self.out.push(DeviceEffect::FetchRows {
                after: String::new(),
            });
        }
        if all {
            self.offers = self.customer_ids().into();
            self.offers.push_front(WORKSPACE_DOC_ID.to_owned());
        } else {
            self.offers.extend(missing);
        }
    }

    /// Sends the edge the sync message document `id` needs next, if any — none while a local
    /// edit of it is being stored (its commit offers it).
    fn offer(&mut self, id: &str) {
        if self.storing.contains_key(id) {
            return;
        }
        self.restore(id);
        if self.parked.contains_key(id) {
            return;
        }
        let Some(slot) = self.docs.get_mut(id) else {
            return;
        };
        if slot.is_in_storage_only() && !self.sync.can_report(id, slot) {
            // Offered again once read.
            self.ready(id);
            return;
        }
        if let Some(frame) = self.sync.outgoing(id, slot) {
            if self.awaited.contains(id) {
                self.requested.insert(id.to_owned());
            }
            self.out.push(DeviceEffect::Send(frame));
        }
    }

    /// Document `id` arrived whole from the edge as `bytes`: it is stored as it came.
    fn arrived(&mut self, id: &str, bytes: Vec<u8>) {
        self.awaited.remove(id);
        self.appended.insert(id.to_owned(), Vec::new());
        // The row of a document kept unloaded came from the edge and is cached already.
        let Some(slot) = self.docs.get_mut(id) else {
            return;
        };
        let loaded = slot.replica().is_some();
        let heads = slot.heads();
        let row = loaded.then(|| self.rows.get(id).cloned()).flatten();
        let write = Write::Arrived {
            id: id.to_owned(),
            bytes,
            heads,
            row,
        };
        let after = AfterWrite {
            kept: (!loaded).then(|| id.to_owned()).into_iter().collect(),
            ..AfterWrite::default()
        };
        self.write(vec![write], after);
    }

    /// Probes the workspace document and the watched customers: an answer proves this device
    /// level with the edge (see [`SyncClient::probe`]).
    pub fn probe(&mut self) -> Vec<DeviceEffect> {
        let ids: Vec<String> = std::iter::once(WORKSPACE_DOC_ID.to_owned())
            .chain(self.watched.iter().cloned())
            .filter(|id| !self.storing.contains_key(id))
            .collect();
        for id in ids {
            self.restore(&id);
            let Some(slot) = self.docs.get_mut(&id) else {
                continue;
            };
            if let Some(frame) = self.sync.probe(&id, slot) {
                self.out.push(DeviceEffect::Send(frame));
            }
        }
        self.take_effects()
    }

    /// Probes sent on this connection that the edge has not answered yet.
    pub fn unanswered_probes(&self) -> usize {
        self.sync.unanswered_probes()
    }

    /// Counts for the sync badge (drops confirmed documents from the unconfirmed ones).
    pub fn counts(&mut self) -> SyncCounts {
        let (docs, sync) = (&mut self.docs, &self.sync);
        self.unconfirmed.retain(|id, _| {
            docs.get_mut(id)
                .is_some_and(|slot| !sync.is_confirmed(id, &slot.heads()))
        });
        SyncCounts {
            unconfirmed: self.unconfirmed.values().sum(),
            awaited: self.awaited.len(),
            unproven: self.sync.unanswered_probes() > 0,
        }
    }
}
