//! The running workspace: its documents, where they are stored, and the link to the edge.
//!
//! Every document (the workspace document and one per customer) is kept in IndexedDB under its
//! document id. Local edits are written there before they are reported saved and then pushed
//! to the edge; documents from the edge are merged, stored and shown.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use crm_core::customer::{Lifecycle, NewCustomer, Source, SummaryRow};
use crm_core::frame::DocFrame;
use crm_core::replica::{Replica, WORKSPACE_DOC_ID};
use crm_core::{CustomerDoc, Id, ModelError, Stamp, WorkspaceDoc};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::config::Config;
use crate::edge_link::{EdgeLink, LinkHandlers, LinkStatus};
use crate::storage::{DocumentStore, StorageError};

/// Member id used for edits until sign-in exists.
const LOCAL_MEMBER: &str = "local";
/// Prefix of IndexedDB keys holding documents that could not be read.
const QUARANTINE: &str = "quarantine/";

/// Reactive view of the session, for the UI.
#[derive(Clone, Copy)]
pub struct SessionSignals {
    /// One row per customer, most recently updated first.
    pub rows: RwSignal<Vec<SummaryRow>>,
    /// State of the link to the edge.
    pub link: RwSignal<LinkStatus>,
    /// Local writes not yet committed to IndexedDB.
    pub unsaved_writes: RwSignal<u32>,
    /// Storage problems to show (unreadable documents kept aside, failed writes).
    pub storage_problems: RwSignal<Vec<String>>,
}

impl SessionSignals {
    fn new() -> Self {
        Self {
            rows: RwSignal::new(Vec::new()),
            link: RwSignal::new(LinkStatus::Connecting),
            unsaved_writes: RwSignal::new(0),
            storage_problems: RwSignal::new(Vec::new()),
        }
    }
}

/// A workspace open in this tab.
pub struct Session {
    replicas: RefCell<BTreeMap<String, Replica>>,
    store: DocumentStore,
    link: OnceCell<EdgeLink>,
    /// What the UI renders.
    pub signals: SessionSignals,
}

impl Session {
    /// Opens the workspace's documents from IndexedDB and connects to the edge. A stored
    /// document that cannot be read is moved under `quarantine/` and reported; the rest load.
    pub async fn start(config: &Config) -> Result<Rc<Self>, StorageError> {
        let signals = SessionSignals::new();
        let store = DocumentStore::open(&config.database_name()).await?;
        let mut replicas = BTreeMap::new();
        for (key, bytes) in store.all().await? {
            if key.starts_with(QUARANTINE) {
                continue;
            }
            match Replica::load(&key, &bytes) {
                Ok(replica) => {
                    replicas.insert(key, replica);
                }
                Err(error) => {
                    let kept = format!("{QUARANTINE}{key}/{}", js_sys::Date::now());
                    store.put(&kept, &bytes).await?;
                    store.delete(&key).await?;
                    signals.storage_problems.update(|p| {
                        p.push(format!(
                            "Document {key} could not be read ({error}); it was kept as {kept}."
                        ))
                    });
                }
            }
        }
        replicas
            .entry(WORKSPACE_DOC_ID.to_owned())
            .or_insert_with(|| Replica::Workspace(WorkspaceDoc::new()));
        let session = Rc::new(Self {
            replicas: RefCell::new(replicas),
            store,
            link: OnceCell::new(),
            signals,
        });
        session.refresh();
        let link = EdgeLink::connect(config.socket_url(), session.link_handlers());
        let _ = session.link.set(link);
        Ok(session)
    }

    /// Creates a customer, lists it in the workspace, stores both and pushes them to the edge.
    pub fn add_customer(self: &Rc<Self>, name: &str) -> Result<(), ModelError> {
        let id = Id::random();
        let stamp = Stamp::new(LOCAL_MEMBER, js_sys::Date::now() as i64);
        let new = NewCustomer {
            name: name.to_owned(),
            name_latin: String::new(),
            company: String::new(),
            title: String::new(),
            owner: LOCAL_MEMBER.to_owned(),
            source: Source::Other,
            lifecycle: Lifecycle::Lead,
        };
        let customer = CustomerDoc::create(&id, new, &stamp)?;
        {
            let mut replicas = self.replicas.borrow_mut();
            match replicas.get_mut(WORKSPACE_DOC_ID) {
                Some(Replica::Workspace(ws)) => ws.register_customer(&id, &stamp)?,
                _ => unreachable!("the workspace document is loaded at start"),
            }
            replicas.insert(id.to_string(), Replica::Customer(customer));
        }
        self.refresh();
        self.persist(id.as_str(), true);
        self.persist(WORKSPACE_DOC_ID, true);
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
                    let ids: Vec<String> = session.replicas.borrow().keys().cloned().collect();
                    ids.iter().for_each(|id| session.push(id));
                }
            })
        };
        LinkHandlers {
            on_frame,
            on_status,
        }
    }

    fn receive(self: &Rc<Self>, frame: &[u8]) {
        let frame = match DocFrame::decode(frame) {
            Ok(frame) => frame,
            Err(error) => return leptos::logging::warn!("ignored a frame from the edge: {error}"),
        };
        let merged = {
            let mut replicas = self.replicas.borrow_mut();
            match replicas.get_mut(&frame.doc_id) {
                Some(replica) => replica.merge_bytes(&frame.bytes),
                None => Replica::load(&frame.doc_id, &frame.bytes).map(|replica| {
                    replicas.insert(frame.doc_id.clone(), replica);
                    true
                }),
            }
        };
        match merged {
            Ok(true) => {
                self.refresh();
                self.persist(&frame.doc_id, false);
            }
            Ok(false) => {}
            Err(error) => {
                leptos::logging::warn!("ignored document {} from the edge: {error}", frame.doc_id)
            }
        }
    }

    fn refresh(&self) {
        let mut rows: Vec<SummaryRow> = self
            .replicas
            .borrow()
            .values()
            .filter_map(|replica| match replica {
                Replica::Customer(doc) => doc.summary().ok(),
                Replica::Workspace(_) => None,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.updated_at
                .cmp(&a.updated_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        self.signals.rows.set(rows);
    }

    fn save(&self, id: &str) -> Option<Vec<u8>> {
        self.replicas.borrow_mut().get_mut(id).map(Replica::save)
    }

    fn push(&self, id: &str) {
        if let (Some(link), Some(bytes)) = (self.link.get(), self.save(id)) {
            link.send(
                &DocFrame {
                    doc_id: id.to_owned(),
                    bytes,
                }
                .encode(),
            );
        }
    }

    /// Writes document `id` to IndexedDB; with `push`, sends it to the edge once it is durable.
    fn persist(self: &Rc<Self>, id: &str, push: bool) {
        let Some(bytes) = self.save(id) else { return };
        let (session, id) = (Rc::clone(self), id.to_owned());
        session.signals.unsaved_writes.update(|n| *n += 1);
        spawn_local(async move {
            let result = session.store.put(&id, &bytes).await;
            session.signals.unsaved_writes.update(|n| *n -= 1);
            match result {
                Ok(()) if push => session.push(&id),
                Ok(()) => {}
                Err(error) => session
                    .signals
                    .storage_problems
                    .update(|p| p.push(error.to_string())),
            }
        });
    }
}
