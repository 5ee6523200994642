//! The running workspace: the device engine (`crm_core::sync::DeviceRepo`) and the effects it
//! asks for — frames over the link to the edge, writes to IndexedDB, rows fetched from the
//! edge — plus the signals the UI reads.
//!
//! The list paints its first screen as last seen; the documents stay in IndexedDB until
//! something needs them (`startup`, `reads`), the link opens, then every cached row is read.
//! A local edit is written to IndexedDB before the
//! engine offers it to the edge; a failed write is reported and tried again, the edit kept in
//! memory meanwhile (`writes`). A changed document updates its own row and, if a page shows
//! it, its own customer signal; the list is republished at most once per frame-sized batch.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use crm_core::Id;
use crm_core::customer::Customer;
use crm_core::sync::DeviceRepo;
use crm_core::sync::device::DeviceEffect;
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

mod backup;
mod calls;
mod edge_rows;
mod first_screen;
mod handover;
mod link;
mod liveness;
mod presence;
mod reads;
mod renewal;
mod rules;
mod settings;
mod signals;
mod startup;
mod writes;

pub use first_screen::FirstScreen;
pub use handover::HandedOver;
pub use presence::Seen;
pub use signals::{NotAccepted, SessionSignals};

use crate::browser::{pause, trace, yield_to_browser};
use crate::config::Config;
use crate::edge_link::EdgeLink;
use crate::storage::{DeviceStore, StorageError};

/// Documents offered to the edge between two yields to the browser after connecting.
const OFFER_CHUNK: usize = 200;
/// How long row updates are gathered before the list is republished.
const PUBLISH_DELAY: std::time::Duration = std::time::Duration::from_millis(16);
/// The same while documents are still arriving from the edge (a first sync), so that the list
/// is not re-sorted for every one of thousands of arrivals.
const PUBLISH_DELAY_SYNCING: std::time::Duration = std::time::Duration::from_millis(1000);
/// How long sync frames are gathered before the badge's counts are updated.
const COUNT_DELAY: std::time::Duration = std::time::Duration::from_millis(50);
/// The first wait before a failed storage request is tried again; it doubles up to
/// [`MAX_RETRY_MS`].
const FIRST_RETRY_MS: i32 = 1_000;
const MAX_RETRY_MS: i32 = 30_000;

/// A workspace open in this tab.
pub struct Session {
    repo: RefCell<DeviceRepo>,
    open_customers: RefCell<HashMap<String, ArcRwSignal<Option<Customer>>>>,
    publish_scheduled: Cell<bool>,
    count_scheduled: Cell<bool>,
    /// Queued offers are being sent, a chunk per browser turn.
    pumping: Cell<bool>,
    /// Documents to read from IndexedDB, gathered into one transaction (see `reads`).
    reads: RefCell<Vec<String>>,
    /// Writes of documents that arrived whole, gathered into one transaction (see `writes`).
    arrivals: RefCell<Vec<crm_core::sync::device::Persist>>,
    /// The page of the edge's rows being fetched (see `edge_rows`).
    rows_page: Cell<usize>,
    /// When the last probe round was sent (ms since epoch; see `liveness`).
    last_probe: Cell<f64>,
    /// The workspace settings last written to the row cache (JSON).
    cached_settings: RefCell<Vec<u8>>,
    /// The list's first screen last written to the row cache (JSON; see `first_screen`).
    first_screen: RefCell<Vec<u8>>,
    store: DeviceStore,
    /// Where and as whom to sync (its token renewed as it goes: see `renewal`).
    edge: RefCell<Config>,
    /// A renewal of the token is under way.
    renewing: Cell<bool>,
    /// Where this device's member is (see `presence`).
    here: RefCell<presence::Here>,
    link: OnceCell<EdgeLink>,
    /// What the UI renders.
    pub signals: SessionSignals,
}

impl Session {
    /// Opens the workspace: the list's first screen as last seen is shown at once, every
    /// cached row soon after; the documents are then restored in the background (see
    /// `startup`), and the link to the edge opens.
    pub async fn start(config: &Config) -> Result<Rc<Self>, StorageError> {
        let signals = SessionSignals::new(config);
        let store = DeviceStore::open(&config.database_name()).await?;
        startup::show_last_seen(&store, &signals).await?;
        let peer = format!("app-{}", Id::random());
        let first_seq = js_sys::Date::now() as u64 * 1000;
        let mut repo = DeviceRepo::new(peer, first_seq);
        repo.set_member(&config.member, config.role);
        let session = Rc::new(Self {
            repo: RefCell::new(repo),
            open_customers: RefCell::new(HashMap::new()),
            publish_scheduled: Cell::new(false),
            count_scheduled: Cell::new(false),
            pumping: Cell::new(false),
            reads: RefCell::new(Vec::new()),
            arrivals: RefCell::new(Vec::new()),
            rows_page: Cell::new(0),
            last_probe: Cell::new(0.0),
            cached_settings: RefCell::new(Vec::new()),
            first_screen: RefCell::new(Vec::new()),
            store,
            edge: RefCell::new(config.clone()),
            renewing: Cell::new(false),
            here: RefCell::new(Default::default()),
            link: OnceCell::new(),
            signals,
        });
        spawn_local(Rc::clone(&session).load());
        Ok(session)
    }

    /// The sign-in this session syncs as.
    pub fn config(&self) -> Config {
        self.edge.borrow().clone()
    }

    /// Carries out the engine's effects; pages hear of their customer's changes last, once
    /// the frames are sent and the writes started.
    fn run(self: &Rc<Self>, effects: Vec<DeviceEffect>) {
        let mut shown = Vec::new();
        for effect in effects {
            match effect {
                DeviceEffect::Send(frame) => {
                    if let Some(link) = self.link.get() {
                        link.send(&frame);
                        trace("crm:send");
                    }
                }
                DeviceEffect::Write(persist) => self.write(*persist),
                DeviceEffect::Load(id) => self.read_later(id),
                DeviceEffect::RowsChanged => self.schedule_publish(),
                DeviceEffect::CustomerChanged(id) if !shown.contains(&id) => shown.push(id),
                DeviceEffect::CustomerChanged(_) => {}
                DeviceEffect::WorkspaceChanged => self.show_settings(),
                DeviceEffect::FetchRows { after } => {
                    spawn_local(Rc::clone(self).fetch_rows(after));
                }
                DeviceEffect::Quarantine { stored, reason } => {
                    spawn_local(Rc::clone(self).quarantine(stored, reason));
                }
                DeviceEffect::NotAccepted { doc_id, what } => {
                    self.signals.not_accepted.update(|notices| {
                        let n = notices.last().map_or(0, |last| last.n + 1);
                        notices.push(NotAccepted { doc_id, what, n });
                    });
                }
                DeviceEffect::Presence {
                    peer,
                    doc_id,
                    presence,
                } => self.heard(peer, doc_id, presence),
                DeviceEffect::Ignored(what) => leptos::logging::warn!("ignored {what}"),
            }
        }
        if self.repo.borrow().has_offers() && !self.pumping.replace(true) {
            spawn_local(Rc::clone(self).pump());
        }
        for id in shown {
            if let Some(signal) = self.open_customers.borrow().get(&id) {
                signal.set(self.repo.borrow_mut().customer(&id));
                trace("crm:shown");
            }
        }
        self.schedule_count();
    }

    /// Offers the queued documents to the edge, a chunk per browser turn.
    async fn pump(self: Rc<Self>) {
        while self.repo.borrow().has_offers() {
            let effects = self.repo.borrow_mut().pump(OFFER_CHUNK);
            self.run(effects);
            yield_to_browser().await;
        }
        self.pumping.set(false);
    }

    /// Writes `json` to the row cache under `key`, unless it is what was written there last
    /// (`last`).
    fn cache_json(
        self: &Rc<Self>,
        key: &'static str,
        last: fn(&Self) -> &RefCell<Vec<u8>>,
        json: Vec<u8>,
    ) {
        if *last(self).borrow() == json {
            return;
        }
        *last(self).borrow_mut() = json.clone();
        let session = Rc::clone(self);
        spawn_local(async move {
            if let Err(error) = session.store.put_row(key, &json).await {
                session.report(error);
            }
        });
    }

    /// Shows the current rows, and keeps the list's first screen of them — once the cached
    /// rows are in (until then the first screen as last seen stands, and must not be
    /// overwritten by a few rows).
    fn publish(self: &Rc<Self>) {
        if !self.signals.rows_ready.get_untracked() {
            return;
        }
        let mut merged = Vec::new();
        let rows: Vec<_> = (self.repo.borrow().rows())
            .inspect(|row| {
                if row.merged_into.is_some() {
                    merged.push(Arc::clone(row));
                }
            })
            .cloned()
            .collect();
        self.keep_first_screen(&rows);
        if self.signals.merged.with_untracked(|was| *was != merged) {
            self.signals.merged.set(merged);
        }
        self.signals.rows.set(rows);
    }

    fn schedule_publish(self: &Rc<Self>) {
        let delay = if self.repo.borrow().is_syncing() {
            PUBLISH_DELAY_SYNCING
        } else {
            PUBLISH_DELAY
        };
        self.coalesce(|s| &s.publish_scheduled, delay, Self::publish);
    }

    /// Recounts soon: frames arrive by the thousand during a first sync, and the badge needs
    /// no more than a few updates a second.
    fn schedule_count(self: &Rc<Self>) {
        self.coalesce(|s| &s.count_scheduled, COUNT_DELAY, Self::count_sync);
    }

    /// Recounts unconfirmed changes and awaited documents for the sync badge.
    fn count_sync(self: &Rc<Self>) {
        let counts = self.repo.borrow_mut().counts();
        self.signals.unconfirmed.set(counts.unconfirmed);
        self.signals.awaited.set(counts.awaited);
        self.signals.unproven.set(counts.unproven);
    }

    /// Runs `action` once, `delay` from now, however often it is asked for meanwhile
    /// (`pending` says whether a run is already scheduled).
    fn coalesce(
        self: &Rc<Self>,
        pending: fn(&Self) -> &Cell<bool>,
        delay: std::time::Duration,
        action: fn(&Rc<Self>),
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

    fn report(&self, error: StorageError) {
        self.signals
            .storage_errors
            .update(|p| p.push(error.to_string()));
    }

    /// Runs a storage request until it succeeds, reporting each failure and waiting before
    /// the next try (1 s, doubling up to 30 s): what waits on it stays in memory meanwhile.
    async fn retrying<T, F>(&self, mut attempt: impl FnMut() -> F) -> T
    where
        F: std::future::Future<Output = Result<T, StorageError>>,
    {
        let mut wait = FIRST_RETRY_MS;
        loop {
            match attempt().await {
                Ok(done) => return done,
                Err(error) => self.report(error),
            }
            pause(wait).await;
            wait = (wait * 2).min(MAX_RETRY_MS);
        }
    }
}
