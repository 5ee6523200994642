//! The running workspace: its document, where it is stored, and its link to the edge.
//!
//! Local edits are written to IndexedDB before they are reported saved and then pushed to the
//! edge; frames from the edge are merged, stored and shown.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use crm_core::{CustomerEntry, WorkspaceDoc, WorkspaceError};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::config::Config;
use crate::edge_link::{EdgeLink, LinkHandlers, LinkStatus};
use crate::storage::{DocumentStore, StorageError};

/// IndexedDB key of the workspace document.
pub const WORKSPACE_KEY: &str = "workspace";

/// Reactive view of the session, for the UI.
#[derive(Clone, Copy)]
pub struct SessionSignals {
    /// Customers, oldest first.
    pub customers: RwSignal<Vec<(String, CustomerEntry)>>,
    /// State of the link to the edge.
    pub link: RwSignal<LinkStatus>,
    /// Local writes not yet committed to IndexedDB.
    pub unsaved_writes: RwSignal<u32>,
    /// The last storage problem, shown until the next successful write.
    pub storage_problem: RwSignal<Option<String>>,
}

impl SessionSignals {
    fn new() -> Self {
        Self {
            customers: RwSignal::new(Vec::new()),
            link: RwSignal::new(LinkStatus::Connecting),
            unsaved_writes: RwSignal::new(0),
            storage_problem: RwSignal::new(None),
        }
    }
}

/// A workspace open in this tab.
pub struct Session {
    doc: RefCell<WorkspaceDoc>,
    store: DocumentStore,
    link: OnceCell<EdgeLink>,
    /// What the UI renders.
    pub signals: SessionSignals,
}

impl Session {
    /// Opens the workspace from IndexedDB (or starts it empty) and connects to the edge.
    pub async fn start(config: &Config) -> Result<Rc<Self>, StorageError> {
        let signals = SessionSignals::new();
        let store = DocumentStore::open(&config.database_name()).await?;
        let doc = match store.get(WORKSPACE_KEY).await? {
            Some(bytes) => match WorkspaceDoc::load(&bytes) {
                Ok(doc) => doc,
                Err(error) => {
                    let key = format!("quarantine/{WORKSPACE_KEY}/{}", js_sys::Date::now());
                    store.put(&key, &bytes).await?;
                    signals.storage_problem.set(Some(format!(
                        "The stored workspace could not be read ({error}); it was kept as {key}."
                    )));
                    WorkspaceDoc::new()
                }
            },
            None => WorkspaceDoc::new(),
        };
        let session = Rc::new(Self {
            doc: RefCell::new(doc),
            store,
            link: OnceCell::new(),
            signals,
        });
        session.refresh();
        let link = EdgeLink::connect(config.socket_url(), session.link_handlers());
        let _ = session.link.set(link);
        Ok(session)
    }

    /// Adds a customer, stores it and pushes it to the edge.
    pub fn add_customer(self: &Rc<Self>, name: &str) -> Result<(), WorkspaceError> {
        let id = web_sys::window()
            .expect("a browser window")
            .crypto()
            .expect("Web Crypto")
            .random_uuid();
        self.doc
            .borrow_mut()
            .add_customer(&id, name, js_sys::Date::now() as i64)?;
        self.refresh();
        self.persist(true);
        Ok(())
    }

    fn link_handlers(self: &Rc<Self>) -> LinkHandlers {
        let on_frame = {
            let session = Rc::clone(self);
            Box::new(move |frame: Vec<u8>| session.receive(&frame))
        };
        let on_status = {
            let session = Rc::clone(self);
            Box::new(move |status: LinkStatus| {
                session.signals.link.set(status);
                if status == LinkStatus::Online {
                    session.push();
                }
            })
        };
        LinkHandlers {
            on_frame,
            on_status,
        }
    }

    fn receive(self: &Rc<Self>, frame: &[u8]) {
        let merged = self.doc.borrow_mut().merge_bytes(frame);
        match merged {
            Ok(true) => {
                self.refresh();
                self.persist(false);
            }
            Ok(false) => {}
            Err(error) => leptos::logging::warn!("ignored a frame from the edge: {error}"),
        }
    }

    fn refresh(&self) {
        self.signals.customers.set(self.doc.borrow().customers());
    }

    fn push(&self) {
        if let Some(link) = self.link.get() {
            link.send(&self.doc.borrow_mut().save());
        }
    }

    /// Writes the document to IndexedDB; with `push`, sends it to the edge once it is durable.
    fn persist(self: &Rc<Self>, push: bool) {
        let bytes = self.doc.borrow_mut().save();
        let session = Rc::clone(self);
        session.signals.unsaved_writes.update(|n| *n += 1);
        spawn_local(async move {
            let result = session.store.put(WORKSPACE_KEY, &bytes).await;
            session.signals.unsaved_writes.update(|n| *n -= 1);
            match result {
                Ok(()) => {
                    session.signals.storage_problem.set(None);
                    if push {
                        session.push();
                    }
                }
                Err(error) => session.signals.storage_problem.set(Some(error.to_string())),
            }
        });
    }
}
