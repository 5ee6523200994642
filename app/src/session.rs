//! The running workspace: its documents, where they are stored, and the link to the edge.
//!
//! Every document (the workspace document and one per customer) is kept in IndexedDB under its
//! document id. Local edits are written there before they are reported saved and then synced
//! with the edge (automerge-repo protocol, `crm_core::sync::SyncClient`); changes from the edge
//! are applied, stored and shown. A document listed in the workspace directory but not on this
//! device yet is requested from the edge; when many are missing (a new device), every
//! customer's summary row is fetched from the edge first, so the list is complete at once, and
//! documents that arrive whole are stored as they came and loaded only when opened or edited.
//! A changed document
//! updates only its own summary row and, if a page shows it, its own customer signal; the list
//! of rows is republished at most once per animation-frame-sized batch.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use crm_core::customer::{Customer, FieldConflict, HeadedRow, NewContact, NewCustomer};
use crm_core::replica::{Replica, WORKSPACE_DOC_ID};
use crm_core::sync::{DocSlot, Inbound, SyncClient};
use crm_core::workspace::{Role, RuleBook, WorkspaceSettings};
use crm_core::{CrmDocument, CustomerDoc, Id, ModelError, Stamp, WorkspaceDoc};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

mod liveness;
mod rules;
mod startup;

use crate::config::Config;
use crate::edge_link::{EdgeLink, LinkHandlers, LinkStatus};
use crate::storage::{DeviceStore, StorageError, StoredDocument};

/// Prefix of IndexedDB keys holding documents that could not be read.
pub(crate) const QUARANTINE: &str = "quarantine/";
/// Appended changes of one document that trigger a compaction into a new snapshot.
const COMPACT_AFTER: usize = 32;
/// Documents offered to the edge between two yields to the browser after connecting.
const OFFER_CHUNK: usize = 200;
/// Missing documents from which their summary rows are fetched from the edge in one request
/// before the documents themselves.
const BULK_ROWS_FROM: usize = 50;
/// How long row updates are gathered before the list is republished.
const PUBLISH_DELAY: std::time::Duration = std::time::Duration::from_millis(16);
/// The same while documents are still arriving from the edge (a first sync), so that the list
/// is not re-sorted for every one of thousands of arrivals.
const PUBLISH_DELAY_SYNCING: std::time::Duration = std::time::Duration::from_millis(1000);
/// How long documents arriving from the edge are gathered into one IndexedDB transaction.
const ARRIVALS_DELAY_MS: i32 = 100;
/// How long sync frames are gathered before the badge's counts are updated.
const COUNT_DELAY: std::time::Duration = std::time::Duration::from_millis(50);
/// Key prefix of the row cache records holding the rows last fetched from the edge, a page per
/// record as fetched (not one per customer; a customer's own record, written when it changes
/// here, takes precedence).
const EDGE_ROWS_KEY: &str = "~edge";
/// Row-cache key of the workspace's settings and rules (JSON of both).
const SETTINGS_KEY: &str = "~workspace";

/// Reactive view of the session, for the UI.
#[derive(Clone, Copy)]
pub struct SessionSignals {
    /// One row per customer, in no particular order.
    pub rows: RwSignal<Vec<crm_core::customer::SummaryRow>>,
    /// The workspace: members, pipeline, custom fields (not its directory).
    pub workspace: RwSignal<Option<WorkspaceSettings>>,
    /// The workspace's rules.
    pub rules: RwSignal<RuleBook>,
    /// The member using this device.
    pub member: StoredValue<String>,
    /// Their role.
    pub role: StoredValue<Role>,
    /// State of the link to the edge.
    pub link: RwSignal<LinkStatus>,
    /// The edge refused this device's token (HTTP 401 or 403) the last time it was asked.
    pub token_refused: RwSignal<Option<u16>>,
    /// A probe of the edge (see `liveness`) has not been answered yet: "Synced" is not proven.
    pub unproven: RwSignal<bool>,
    /// Local changes the edge has not confirmed yet.
    pub unconfirmed: RwSignal<usize>,
    /// Documents requested from the edge that have not arrived yet.
    pub awaited: RwSignal<usize>,
    /// Local writes not yet committed to IndexedDB.
    pub unsaved_writes: RwSignal<u32>,
    /// The stored documents have not been read from IndexedDB yet (the rows shown come from
    /// the cache; edits wait for this, not for every document to be restored).
    pub loading: RwSignal<bool>,
    /// Stored documents are still being restored in the background (the edge link waits).
    pub restoring: RwSignal<bool>,
    /// Documents set aside because they could not be read: (document id, reason).
    pub quarantined: RwSignal<Vec<(String, String)>>,
    /// Failed writes to show.
    pub storage_errors: RwSignal<Vec<String>>,
    /// Changes of this device's the edge did not accept as made, newest last.
    pub not_accepted: RwSignal<Vec<NotAccepted>>,
}

/// A change the edge did not accept as this device made it.
#[derive(Debug, Clone, PartialEq)]
pub struct NotAccepted {
    /// The document, when the edge named one.
    pub doc_id: Option<String>,
    /// The entries it put back (`profile.owner`), or the edge's reason for refusing.
    pub what: Vec<String>,
    /// Tells notices apart (two alike may come).
    pub n: u64,
}

/// A workspace open in this tab.
pub struct Session {
    /// Every document by id: a replica, or a slot awaiting its first sync.
    docs: RefCell<BTreeMap<String, DocSlot>>,
    sync: RefCell<SyncClient>,
    /// Edits made here that the edge has not confirmed yet, by document.
    unconfirmed: RefCell<BTreeMap<String, usize>>,
    /// Documents requested from the edge that have not arrived.
    awaited: RefCell<HashSet<String>>,
    /// Documents that arrived from the edge, as received, to store in one transaction.
    arrivals: RefCell<Vec<(String, Vec<u8>)>>,
    /// Summary rows by document, with the heads each summarises.
    rows: RefCell<BTreeMap<String, HeadedRow>>,
    open_customers: RefCell<HashMap<String, ArcRwSignal<Option<Customer>>>>,
    publish_scheduled: Cell<bool>,
    count_scheduled: Cell<bool>,
    /// Rows are being fetched from the edge: documents kept unloaded wait for them.
    fetching_rows: Cell<bool>,
    /// Documents kept unloaded that arrived without a row while rows were being fetched.
    rowless: RefCell<HashSet<String>>,
    /// Rows found stale in the cache while loading, written back in one go: (id, json).
    stale_rows: RefCell<Vec<(String, Vec<u8>)>>,
    /// Keys of the changes appended after each stored snapshot, by document.
    pending: RefCell<HashMap<String, Vec<String>>>,
    /// Documents read from IndexedDB at start and not restored yet: restored a chunk per
    /// browser turn, or at once when something needs one (see `startup`).
    unrestored: RefCell<HashMap<String, StoredDocument>>,
    /// Documents restored out of turn, for the start-up loop to settle: their id, or what
    /// could not be read and why.
    restored_early: RefCell<Vec<Result<String, (StoredDocument, String)>>>,
    /// When the last probe round was sent (ms since epoch; see `liveness`).
    last_probe: Cell<f64>,
    /// The workspace settings last written to the row cache (JSON).
    cached_settings: RefCell<Vec<u8>>,
    /// Sequence of the next appended change; rises across sessions (starts at µs since epoch).
    next_seq: Cell<u64>,
    store: DeviceStore,
    /// Where and as whom to sync.
    edge: Config,
    link: OnceCell<EdgeLink>,
    /// What the UI renders.
    pub signals: SessionSignals,
}

impl Session {
    /// Opens the workspace: the cached summary rows are shown at once; the documents are then
    /// read (and `signals.loading` turns false: customers open and edits are taken) and
    /// restored in the background (one that cannot be read is moved under `quarantine/` and
    /// reported); once all are in, the link to the edge opens.
    pub async fn start(config: &Config) -> Result<Rc<Self>, StorageError> {
        let signals = SessionSignals {
            rows: RwSignal::new(Vec::new()),
            workspace: RwSignal::new(None),
            rules: RwSignal::new(RuleBook::default()),
            member: StoredValue::new(config.member.clone()),
            role: StoredValue::new(config.role),
            loading: RwSignal::new(true),
            restoring: RwSignal::new(true),
            link: RwSignal::new(LinkStatus::Connecting),
            token_refused: RwSignal::new(None),
            unproven: RwSignal::new(false),
            unconfirmed: RwSignal::new(0),
            awaited: RwSignal::new(0),
            unsaved_writes: RwSignal::new(0),
            quarantined: RwSignal::new(Vec::new()),
            storage_errors: RwSignal::new(Vec::new()),
            not_accepted: RwSignal::new(Vec::new()),
        };
        let store = DeviceStore::open(&config.database_name()).await?;
        let mut records = store.rows().await?;
        let settings = take_settings(&mut records);
        let rows = cached_rows(records);
        match settings {
            // Names, stages and rules as last seen: the workspace document itself is restored
            // after the list has painted.
            Some((workspace, rules)) => {
                signals.workspace.set(Some(workspace));
                signals.rules.set(rules);
            }
            None => {
                if let Some(bytes) = store.get(WORKSPACE_DOC_ID).await?
                    && let Ok(ws) = WorkspaceDoc::load(&bytes)
                {
                    signals.workspace.set(ws.settings().ok());
                    signals.rules.set(ws.rule_book());
                }
            }
        }
        let session = Rc::new(Self {
            docs: RefCell::new(BTreeMap::new()),
            sync: RefCell::new(SyncClient::new(format!("app-{}", Id::random()))),
            unconfirmed: RefCell::new(BTreeMap::new()),
            awaited: RefCell::new(HashSet::new()),
            arrivals: RefCell::new(Vec::new()),
            rows: RefCell::new(rows),
            open_customers: RefCell::new(HashMap::new()),
            publish_scheduled: Cell::new(false),
            count_scheduled: Cell::new(false),
            fetching_rows: Cell::new(false),
            rowless: RefCell::new(HashSet::new()),
            stale_rows: RefCell::new(Vec::new()),
            pending: RefCell::new(HashMap::new()),
            unrestored: RefCell::new(HashMap::new()),
            restored_early: RefCell::new(Vec::new()),
            last_probe: Cell::new(0.0),
            cached_settings: RefCell::new(Vec::new()),
            next_seq: Cell::new(js_sys::Date::now() as u64 * 1000),
            store,
            edge: config.clone(),
            link: OnceCell::new(),
            signals,
        });
        session.publish();
        spawn_local(Rc::clone(&session).load());
        Ok(session)
    }

    /// The sign-in this session syncs as.
    pub fn config(&self) -> &Config {
        &self.edge
    }

    /// A stamp for an edit made now by this device's member.
    fn stamp(&self) -> Stamp {
        Stamp::new(self.signals.member.get_value(), js_sys::Date::now() as i64)
    }

    /// Creates a customer with its first contact points, lists it in the workspace, stores
    /// both and pushes them to the edge. Nothing is kept if any input is invalid.
    pub fn create_customer(
        self: &Rc<Self>,
        new: NewCustomer,
        contacts: Vec<NewContact>,
    ) -> Result<String, ModelError> {
        let id = Id::random();
        let stamp = self.stamp();
        let mut customer = CustomerDoc::create(&id, new, &stamp)?;
        for contact in contacts {
            customer.add_contact(&Id::random(), contact, &stamp)?;
        }
        {
            let mut docs = self.docs.borrow_mut();
            match docs
                .get_mut(WORKSPACE_DOC_ID)
                .and_then(DocSlot::replica_mut)
            {
                Some(Replica::Workspace(ws)) => ws.register_customer(&id, &stamp)?,
                _ => unreachable!("the workspace document is loaded at start"),
            }
            docs.insert(id.to_string(), DocSlot::Known(Replica::Customer(customer)));
        }
        for doc in [id.as_str(), WORKSPACE_DOC_ID] {
            self.changed(doc);
            self.persist(doc, true);
        }
        Ok(id.to_string())
    }

    /// Applies a named operation to customer `id` as this device's member, then stores and
    /// pushes the document. On error the document is unchanged.
    pub fn edit_customer(
        self: &Rc<Self>,
        id: &str,
        op: impl FnOnce(&mut CustomerDoc, &Stamp) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let stamp = self.stamp();
        self.restore_now(id);
        {
            let mut docs = self.docs.borrow_mut();
            match docs
                .get_mut(id)
                .map(|slot| slot.loaded(id))
                .transpose()?
                .flatten()
            {
                Some(Replica::Customer(doc)) => op(doc, &stamp)?,
                _ => {
                    return Err(ModelError::NotFound {
                        kind: "customer",
                        id: id.to_owned(),
                    });
                }
            }
        }
        self.changed(id);
        self.persist(id, true);
        Ok(())
    }

    /// Customer `id`, kept current as edits arrive from this device or the edge. The signal
    /// is reference-counted, not owned by the view that first asked for it.
    pub fn customer(&self, id: &str) -> ArcRwSignal<Option<Customer>> {
        if let Some(signal) = self.open_customers.borrow().get(id) {
            return signal.clone();
        }
        let signal = ArcRwSignal::new(self.hydrate(id));
        self.open_customers
            .borrow_mut()
            .insert(id.to_owned(), signal.clone());
        signal
    }

    /// The heads of document `id` (empty if there is no such document).
    pub fn heads(&self, id: &str) -> Vec<automerge::ChangeHash> {
        self.restore_now(id);
        self.docs
            .borrow_mut()
            .get_mut(id)
            .map(DocSlot::heads)
            .unwrap_or_default()
    }

    /// Fields of customer `id` that two people changed at once.
    pub fn conflicts(&self, id: &str) -> Vec<FieldConflict> {
        self.with_customer(id, |doc| doc.conflicts())
            .unwrap_or_default()
    }

    fn hydrate(&self, id: &str) -> Option<Customer> {
        self.with_customer(id, |doc| doc.customer().ok()).flatten()
    }

    /// Reads customer `id`, loading its document if it is kept unloaded.
    fn with_customer<T>(&self, id: &str, read: impl FnOnce(&CustomerDoc) -> T) -> Option<T> {
        self.restore_now(id);
        let mut docs = self.docs.borrow_mut();
        match docs.get_mut(id)?.loaded(id) {
            Ok(Some(Replica::Customer(doc))) => Some(read(doc)),
            Ok(_) => None,
            Err(error) => {
                leptos::logging::warn!("customer {id} does not load: {error}");
                None
            }
        }
    }

    /// Updates what the UI shows of document `id` after it changed.
    fn changed(self: &Rc<Self>, id: &str) {
        if self.adopt(id, false) {
            self.schedule_publish();
        }
    }

    /// Brings the row, the open page and the workspace signal of document `id` up to date;
    /// returns whether its row changed. With `cache`, a changed row is also queued for the
    /// row cache (documents loaded at start whose cached row was stale or missing).
    ///
    /// A document kept unloaded is loaded only if its row is not known at its heads or a page
    /// shows it.
    fn adopt(self: &Rc<Self>, id: &str, cache: bool) -> bool {
        let mut docs = self.docs.borrow_mut();
        let Some(slot) = docs.get_mut(id) else {
            return false;
        };
        if let DocSlot::Stored { heads, .. } = slot {
            let known = self.rows.borrow().get(id).is_some_and(|r| r.is_at(heads));
            if !self.open_customers.borrow().contains_key(id) {
                if known {
                    return false;
                }
                if self.fetching_rows.get() {
                    self.rowless.borrow_mut().insert(id.to_owned());
                    return false;
                }
            }
            if let Err(error) = slot.loaded(id) {
                leptos::logging::warn!("document {id} does not load: {error}");
                return false;
            }
        }
        match slot.replica_mut() {
            Some(Replica::Workspace(ws)) => {
                let settings = ws.settings().ok();
                let book = ws.rule_book();
                if let Some(settings) = &settings {
                    self.cache_settings(settings, &book);
                }
                self.signals.workspace.set(settings);
                if self
                    .signals
                    .rules
                    .with_untracked(|current| *current != book)
                {
                    self.signals.rules.set(book);
                }
                false
            }
            Some(replica @ Replica::Customer(_)) => {
                if let (Some(signal), Replica::Customer(doc)) =
                    (self.open_customers.borrow().get(id), &*replica)
                {
                    signal.set(doc.customer().ok());
                }
                let row = replica.summary();
                let mut rows = self.rows.borrow_mut();
                if rows.get(id) == row.as_ref() {
                    return false;
                }
                match row {
                    Some(row) => {
                        if cache && let Ok(json) = serde_json::to_vec(&row) {
                            self.stale_rows.borrow_mut().push((id.to_owned(), json));
                        }
                        rows.insert(id.to_owned(), row);
                    }
                    None => {
                        rows.remove(id);
                    }
                }
                true
            }
            None => false,
        }
    }

    /// Writes the summary row of `id` to the row cache, in the background.
    fn cache_row(self: &Rc<Self>, id: &str, row: &HeadedRow) {
        let Ok(json) = serde_json::to_vec(row) else {
            return;
        };
        let (session, id) = (Rc::clone(self), id.to_owned());
        spawn_local(async move {
            if let Err(error) = session.store.put_row(&id, &json).await {
                session.report(error);
            }
        });
    }

    /// Shows the current rows.
    fn publish(&self) {
        let rows = self.rows.borrow().values().map(|r| r.row.clone()).collect();
        self.signals.rows.set(rows);
    }

    fn schedule_publish(self: &Rc<Self>) {
        let delay = if self.awaited.borrow().is_empty() {
            PUBLISH_DELAY
        } else {
            PUBLISH_DELAY_SYNCING
        };
        self.coalesce(|s| &s.publish_scheduled, delay, Self::publish);
    }

    /// Runs `action` once, `delay` from now, however often it is asked for meanwhile
    /// (`pending` says whether a run is already scheduled).
    fn coalesce(
        self: &Rc<Self>,
        pending: fn(&Self) -> &Cell<bool>,
        delay: std::time::Duration,
        action: fn(&Self),
    ) {
        if pending(self).replace(true) {
            return;
        }
        let session = Rc::clone(self);
        set_timeout(
            move || {
                pending(&session).set(false);
                action(&session);
            },
            delay,
        );
    }

    fn link_handlers(self: &Rc<Self>) -> LinkHandlers {
        let on_frame = {
            let session = Rc::clone(self);
            Box::new(move |frame: Vec<u8>| session.receive(&frame))
        };
        let on_status = {
            let session = Rc::clone(self);
            Box::new(move |status: LinkStatus| {
                let was = session.signals.link.get_untracked();
                session.signals.link.set(status);
                if status == LinkStatus::Offline && was == LinkStatus::Connecting {
                    // The socket never opened: find out whether the token is the reason.
                    spawn_local(Rc::clone(&session).probe_token());
                }
                if status == LinkStatus::Online {
                    session.signals.token_refused.set(None);
                    let join = session.sync.borrow().join();
                    if let Some(link) = session.link.get() {
                        link.send(&join);
                    }
                } else {
                    session.sync.borrow_mut().disconnected();
                }
            })
        };
        LinkHandlers {
            on_frame,
            on_status,
        }
    }

    /// Asks the edge with a plain GET whether it refuses this device's token (it answers 401
    /// or 403 before looking for a WebSocket upgrade, 426 for a good token).
    async fn probe_token(self: Rc<Self>) {
        let status = fetch(&self.edge.probe_url(), &self.edge)
            .await
            .map(|r| r.status());
        let refused = status.filter(|s| matches!(s, 401 | 403));
        self.signals.token_refused.set(refused);
    }

    fn receive(self: &Rc<Self>, frame: &[u8]) {
        let inbound = self.sync.borrow_mut().decode(frame);
        match inbound {
            Ok(Inbound::Ready) => spawn_local(Rc::clone(self).offer_all()),
            Ok(Inbound::Sync { doc_id, message }) => {
                let (applied, arrived) = {
                    let mut docs = self.docs.borrow_mut();
                    let slot = docs.entry(doc_id.clone()).or_insert_with(|| {
                        self.awaited.borrow_mut().insert(doc_id.clone());
                        DocSlot::awaited()
                    });
                    // A document arriving whole is stored as it came, without re-saving it.
                    let first = !slot.is_present() && !message.changes.is_empty();
                    let bytes: Vec<u8> = if first {
                        message.changes.iter().flatten().copied().collect()
                    } else {
                        Vec::new()
                    };
                    let applied = self.sync.borrow_mut().apply(&doc_id, slot, message);
                    let arrived = first && slot.is_present();
                    (applied, arrived.then_some(bytes))
                };
                match applied {
                    Ok(true) => {
                        self.changed(&doc_id);
                        match arrived {
                            Some(bytes) => self.arrived(&doc_id, bytes),
                            None => self.persist(&doc_id, false),
                        }
                        if doc_id == WORKSPACE_DOC_ID {
                            let missing = self.await_directory();
                            spawn_local(Rc::clone(self).request(missing));
                        }
                    }
                    Ok(false) => {}
                    Err(error) => {
                        leptos::logging::warn!("ignored document {doc_id} from the edge: {error}")
                    }
                }
                self.offer(&doc_id);
                self.schedule_count();
            }
            Ok(Inbound::Unavailable { doc_id }) => {
                let mut docs = self.docs.borrow_mut();
                if matches!(docs.get(&doc_id), Some(DocSlot::Awaited(_))) {
                    docs.remove(&doc_id);
                    self.awaited.borrow_mut().remove(&doc_id);
                }
                drop(docs);
                self.schedule_count();
            }
            Ok(Inbound::Refused(reason)) => {
                leptos::logging::warn!("the edge refused this device: {reason}");
                self.not_accepted(None, vec![reason]);
            }
            Ok(Inbound::Restored { doc_id, notice }) => {
                let what = notice.restored.into_iter().map(|(path, _)| path).collect();
                self.not_accepted(Some(doc_id), what);
            }
            Ok(Inbound::Nothing) => {}
            Err(error) => leptos::logging::warn!("ignored a frame from the edge: {error}"),
        }
    }

    /// Shows that the edge did not accept a change as made (see [`NotAccepted`]).
    fn not_accepted(&self, doc_id: Option<String>, what: Vec<String>) {
        self.signals.not_accepted.update(|notices| {
            let n = notices.last().map_or(0, |last| last.n + 1);
            notices.push(NotAccepted { doc_id, what, n });
        });
    }

    /// After the edge accepted the join: requests the documents the workspace lists that
    /// this device lacks, and offers every document, a chunk per browser turn.
    async fn offer_all(self: Rc<Self>) {
        let missing = self.await_directory();
        self.fetch_rows_if_many(missing.len()).await;
        let ids: Vec<String> = self.docs.borrow().keys().cloned().collect();
        for (n, id) in ids.iter().enumerate() {
            if n % OFFER_CHUNK == OFFER_CHUNK - 1 {
                yield_to_browser().await;
                if !self.sync.borrow().is_ready() {
                    return;
                }
            }
            self.offer(id);
        }
        self.count_sync();
    }

    /// Requests documents this device lacks, after fetching their rows if there are many.
    async fn request(self: Rc<Self>, missing: Vec<String>) {
        self.fetch_rows_if_many(missing.len()).await;
        for (n, id) in missing.iter().enumerate() {
            if n % OFFER_CHUNK == OFFER_CHUNK - 1 {
                yield_to_browser().await;
            }
            self.offer(id);
        }
        self.count_sync();
    }

    /// With [`BULK_ROWS_FROM`] or more documents missing, reads every customer's summary row
    /// from the edge, a page at a time, before the documents are requested (the edge serves
    /// one request at a time: pages asked for while thousands of documents stream in would
    /// wait behind them). A new device so lists the whole workspace at once and need not load
    /// the documents that arrive; those the edge had no current row for are loaded to compute
    /// one. A failed fetch only means the rows come with their documents.
    async fn fetch_rows_if_many(self: &Rc<Self>, missing: usize) {
        if missing < BULK_ROWS_FROM || self.fetching_rows.replace(true) {
            return;
        }
        let mut next = self.fetch_rows_page("").await;
        let mut page = 0;
        while let Some(response) = next {
            let Some(last) = self.read_rows(response, page).await else {
                break;
            };
            page += 1;
            next = self.fetch_rows_page(&last).await;
        }
        self.fetching_rows.set(false);
        let mut changed = false;
        for id in self.rowless.take() {
            changed |= self.adopt(&id, true);
        }
        let stale = self.stale_rows.take();
        if let Err(error) = self.store.put_rows(&stale).await {
            self.report(error);
        }
        if changed {
            self.publish();
        }
    }

    /// The edge's page of summary rows after customer `after`.
    async fn fetch_rows_page(&self, after: &str) -> Option<web_sys::Response> {
        let url = self.edge.rows_url(after);
        fetch(&url, &self.edge).await.filter(web_sys::Response::ok)
    }

    /// Reads page number `page` of the edge's rows, caches it as one record and shows the rows
    /// this device has none for. Returns the page's last customer id (`None` for an empty or
    /// unreadable page: the last one).
    async fn read_rows(&self, response: web_sys::Response, page: usize) -> Option<String> {
        let text = match response.text() {
            Ok(text) => wasm_bindgen_futures::JsFuture::from(text).await.ok(),
            Err(_) => None,
        };
        let Some((text, rows)) = text.and_then(|t| t.as_string()).and_then(|t| {
            let rows = serde_json::from_str::<Vec<HeadedRow>>(&t).ok()?;
            Some((t, rows))
        }) else {
            leptos::logging::warn!("unreadable summary rows from the edge");
            return None;
        };
        let last = rows.last()?.row.id.clone();
        {
            let docs = self.docs.borrow();
            let mut known = self.rows.borrow_mut();
            for row in rows {
                if docs.contains_key(&row.row.id) && !known.contains_key(&row.row.id) {
                    known.insert(row.row.id.clone(), row);
                }
            }
        }
        self.publish();
        let key = format!("{EDGE_ROWS_KEY}/{page}");
        if let Err(error) = self.store.put_row(&key, text.as_bytes()).await {
            self.report(error);
        }
        Some(last)
    }

    /// Adds an awaiting slot for every customer in the workspace directory that this device
    /// does not have; returns their ids.
    fn await_directory(&self) -> Vec<String> {
        let listed: Vec<String> = match self
            .docs
            .borrow()
            .get(WORKSPACE_DOC_ID)
            .and_then(DocSlot::replica)
        {
            Some(Replica::Workspace(ws)) => ws.directory_ids(),
            _ => Vec::new(),
        };
        let mut docs = self.docs.borrow_mut();
        let missing: Vec<String> = listed
            .into_iter()
            .filter(|id| !docs.contains_key(id))
            .collect();
        let mut awaited = self.awaited.borrow_mut();
        for id in &missing {
            docs.insert(id.clone(), DocSlot::awaited());
            awaited.insert(id.clone());
        }
        missing
    }

    /// Sends the edge the sync message document `id` needs next, if any.
    fn offer(&self, id: &str) {
        let frame = {
            let mut docs = self.docs.borrow_mut();
            let Some(slot) = docs.get_mut(id) else {
                return;
            };
            self.sync.borrow_mut().outgoing(id, slot)
        };
        if let (Some(frame), Some(link)) = (frame, self.link.get()) {
            link.send(&frame);
        }
    }

    /// Recounts soon: frames arrive by the thousand during a first sync, and the badge needs
    /// no more than a few updates a second.
    fn schedule_count(self: &Rc<Self>) {
        self.coalesce(|s| &s.count_scheduled, COUNT_DELAY, Self::count_sync);
    }

    /// Recounts unconfirmed changes and awaited documents for the sync badge.
    fn count_sync(&self) {
        let mut docs = self.docs.borrow_mut();
        let sync = self.sync.borrow();
        let mut unconfirmed = self.unconfirmed.borrow_mut();
        unconfirmed.retain(|id, _| {
            docs.get_mut(id)
                .is_some_and(|slot| !sync.is_confirmed(id, &slot.heads()))
        });
        let total = unconfirmed.values().sum();
        self.signals.unconfirmed.set(total);
        self.signals.awaited.set(self.awaited.borrow().len());
        self.signals.unproven.set(sync.unanswered_probes() > 0);
    }

    /// Document `id` arrived whole from the edge as `bytes`: it is stored as it came, with
    /// every other arrival of the next [`ARRIVALS_DELAY_MS`], in one transaction with their
    /// rows (a first sync brings thousands; a transaction per few would cost more than the
    /// writes).
    fn arrived(self: &Rc<Self>, id: &str, bytes: Vec<u8>) {
        self.awaited.borrow_mut().remove(id);
        self.pending.borrow_mut().insert(id.to_owned(), Vec::new());
        let mut arrivals = self.arrivals.borrow_mut();
        arrivals.push((id.to_owned(), bytes));
        if arrivals.len() > 1 {
            return;
        }
        let session = Rc::clone(self);
        session.signals.unsaved_writes.update(|n| *n += 1);
        spawn_local(async move {
            pause(ARRIVALS_DELAY_MS).await;
            let docs = session.arrivals.take();
            // Rows of documents kept unloaded came from the edge and are cached already.
            let rows: Vec<(String, Vec<u8>)> = {
                let rows = session.rows.borrow();
                let slots = session.docs.borrow();
                docs.iter()
                    .filter(|(id, _)| slots.get(id).is_some_and(|s| s.replica().is_some()))
                    .filter_map(|(id, _)| {
                        Some((id.clone(), serde_json::to_vec(rows.get(id)?).ok()?))
                    })
                    .collect()
            };
            let stored = session.store.put_arrivals(&docs, &rows).await;
            session.signals.unsaved_writes.update(|n| *n -= 1);
            if let Err(error) = stored {
                session.report(error);
            }
        });
    }

    fn save(&self, id: &str) -> Option<Vec<u8>> {
        let mut docs = self.docs.borrow_mut();
        docs.get_mut(id)?
            .loaded(id)
            .ok()
            .flatten()
            .map(Replica::save)
    }

    /// Writes what changed in document `id` to IndexedDB — a snapshot the first time, else an
    /// appended change — and with `push` (a local edit) offers it to the edge once that is
    /// durable.
    /// After [`COMPACT_AFTER`] appends the document is compacted in the background. Must be
    /// called right after every change to a replica, so no change escapes the store.
    fn persist(self: &Rc<Self>, id: &str, push: bool) {
        let first = !self.pending.borrow().contains_key(id);
        let Some(bytes) = self
            .docs
            .borrow_mut()
            .get_mut(id)
            .and_then(DocSlot::replica_mut)
            .map(|r| {
                if first {
                    r.save()
                } else {
                    r.save_incremental()
                }
            })
        else {
            return;
        };
        if first {
            self.pending.borrow_mut().insert(id.to_owned(), Vec::new());
        }
        let seq = self.next_seq.get();
        self.next_seq.set(seq + 1);
        let (session, id) = (Rc::clone(self), id.to_owned());
        session.signals.unsaved_writes.update(|n| *n += 1);
        spawn_local(async move {
            let result = match (first, bytes.is_empty()) {
                (true, _) => session.store.compact(&id, &bytes, &[]).await,
                (false, true) => Ok(()),
                (false, false) => session.store.append(&id, seq, &bytes).await.map(|key| {
                    if let Some(keys) = session.pending.borrow_mut().get_mut(&id) {
                        keys.push(key);
                    }
                }),
            };
            session.signals.unsaved_writes.update(|n| *n -= 1);
            match result {
                Ok(()) => {
                    if push {
                        *session
                            .unconfirmed
                            .borrow_mut()
                            .entry(id.clone())
                            .or_default() += 1;
                        session.offer(&id);
                        session.count_sync();
                    }
                    let row = session.rows.borrow().get(&id).cloned();
                    if let Some(row) = row {
                        session.cache_row(&id, &row);
                    }
                    session.compact_if_due(&id).await;
                }
                Err(error) => session.report(error),
            }
        });
    }

    /// Folds the appended changes of `id` into a new snapshot once there are enough of them.
    async fn compact_if_due(self: &Rc<Self>, id: &str) {
        let folded = match self.pending.borrow().get(id) {
            Some(keys) if keys.len() >= COMPACT_AFTER => keys.clone(),
            _ => return,
        };
        let Some(snapshot) = self.save(id) else {
            return;
        };
        match self.store.compact(id, &snapshot, &folded).await {
            Ok(()) => {
                if let Some(keys) = self.pending.borrow_mut().get_mut(id) {
                    keys.retain(|k| !folded.contains(k));
                }
            }
            Err(error) => self.report(error),
        }
    }

    /// Keeps the workspace's settings and rules in the row cache (when they changed), so the
    /// next start shows names and stages without restoring the workspace document first.
    fn cache_settings(self: &Rc<Self>, settings: &WorkspaceSettings, rules: &RuleBook) {
        let Ok(json) = serde_json::to_vec(&(settings, rules)) else {
            return;
        };
        if *self.cached_settings.borrow() == json {
            return;
        }
        *self.cached_settings.borrow_mut() = json.clone();
        let this = Rc::clone(self);
        spawn_local(async move {
            if let Err(error) = this.store.put_row(SETTINGS_KEY, &json).await {
                this.report(error);
            }
        });
    }

    fn report(&self, error: StorageError) {
        self.signals
            .storage_errors
            .update(|p| p.push(error.to_string()));
    }
}

/// The row cache as stored: the rows last fetched from the edge, overridden by each
/// customer's own record. Records that do not parse (an older format) are left out; the rows
/// are recomputed from the documents.
/// Takes the cached workspace settings and rules out of the row cache's records.
fn take_settings(records: &mut Vec<(String, Vec<u8>)>) -> Option<(WorkspaceSettings, RuleBook)> {
    let at = records.iter().position(|(key, _)| key == SETTINGS_KEY)?;
    serde_json::from_slice(&records.remove(at).1).ok()
}

fn cached_rows(records: Vec<(String, Vec<u8>)>) -> BTreeMap<String, HeadedRow> {
    let (edge, own): (Vec<_>, Vec<_>) =
        (records.into_iter()).partition(|(k, _)| k.starts_with(EDGE_ROWS_KEY));
    let from_edge = edge
        .into_iter()
        .filter_map(|(_, json)| serde_json::from_slice::<Vec<HeadedRow>>(&json).ok())
        .flatten()
        .map(|row| (row.row.id.clone(), row));
    let own = own
        .into_iter()
        .filter_map(|(id, json)| Some((id, serde_json::from_slice(&json).ok()?)));
    from_edge.chain(own).collect()
}

/// Moves an unreadable document (snapshot and changes) under `quarantine/{key}/{time}` so
/// nothing is lost; returns that key.
pub(crate) async fn quarantine(
    store: &DeviceStore,
    doc: &StoredDocument,
) -> Result<String, StorageError> {
    let kept = format!("{QUARANTINE}{}/{}", doc.key, js_sys::Date::now());
    if let Some(snapshot) = &doc.snapshot {
        store.put(&kept, snapshot).await?;
        store.delete(&doc.key).await?;
    }
    for (n, (_, bytes)) in doc.changes.iter().enumerate() {
        store.put(&format!("{kept}/change-{n}"), bytes).await?;
    }
    let keys: Vec<String> = doc.changes.iter().map(|(k, _)| k.clone()).collect();
    store.delete_changes(&keys).await?;
    store.delete_row(&doc.key).await?;
    Ok(kept)
}

/// GETs `url` from the edge with this sign-in's token; `None` if the edge is unreachable.
pub(crate) async fn fetch(url: &str, config: &Config) -> Option<web_sys::Response> {
    let window = web_sys::window()?;
    let headers = web_sys::Headers::new().ok()?;
    headers.set("Authorization", &config.authorization()).ok()?;
    let init = web_sys::RequestInit::new();
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request)).await;
    wasm_bindgen::JsCast::dyn_into::<web_sys::Response>(answer.ok()?).ok()
}

/// Lets the browser render and handle input before the next chunk of work.
pub(crate) async fn yield_to_browser() {
    pause(0).await;
}

/// Resumes after `ms` milliseconds (or at the browser's next turn, for 0).
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
