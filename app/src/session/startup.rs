//! Opening the workspace's stored documents. Everything stored is read from IndexedDB at once
//! (fast); turning it back into Automerge documents is what takes time (about a millisecond
//! each), so it runs a chunk per browser turn in the background — while the list shows the
//! cached rows and people already open and edit customers: a document something needs is
//! restored at once, out of turn. The link to the edge opens once every document is in.

use std::rc::Rc;

use crm_core::WorkspaceDoc;
use crm_core::replica::{Replica, WORKSPACE_DOC_ID};
use crm_core::sync::DocSlot;
use leptos::prelude::*;

use super::{QUARANTINE, Session, quarantine, yield_to_browser};
use crate::edge_link::EdgeLink;

/// Documents restored between two yields to the browser while loading.
const LOAD_CHUNK: usize = 50;

impl Session {
    /// Reads every stored document, restores the workspace document, lets people work, then
    /// restores the rest a chunk at a time and connects to the edge (if there is a token).
    pub(super) async fn load(self: Rc<Self>) {
        // Let the cached list paint first.
        yield_to_browser().await;
        let stored = match self.store.documents().await {
            Ok(stored) => stored,
            Err(error) => return self.report(error),
        };
        let stored: Vec<_> = stored
            .into_iter()
            .filter(|doc| !doc.key.starts_with(QUARANTINE))
            .collect();
        let order: Vec<String> = stored.iter().map(|doc| doc.key.clone()).collect();
        *self.unrestored.borrow_mut() = stored
            .into_iter()
            .map(|doc| (doc.key.clone(), doc))
            .collect();
        // First the workspace and whatever a page already shows (a reload onto a customer).
        self.restore_now(WORKSPACE_DOC_ID);
        let open: Vec<String> = self.open_customers.borrow().keys().cloned().collect();
        for id in &open {
            self.restore_now(id);
        }
        self.docs
            .borrow_mut()
            .entry(WORKSPACE_DOC_ID.to_owned())
            .or_insert_with(|| DocSlot::Known(Replica::Workspace(WorkspaceDoc::new())));
        self.adopt(WORKSPACE_DOC_ID, false);
        self.settle_restored().await;
        // Customers open and edits are taken from here on.
        self.signals.loading.set(false);
        for (n, id) in order.iter().enumerate() {
            if n % LOAD_CHUNK == LOAD_CHUNK - 1 {
                self.settle_restored().await;
                yield_to_browser().await;
            }
            self.restore_now(id);
        }
        self.settle_restored().await;
        // Rows of documents that are gone (quarantined) leave the list.
        {
            let docs = self.docs.borrow();
            self.rows.borrow_mut().retain(|id, _| docs.contains_key(id));
        }
        let stale = self.stale_rows.take();
        if let Err(error) = self.store.put_rows(&stale).await {
            self.report(error);
        }
        self.publish();
        self.signals.restoring.set(false);
        let link = EdgeLink::connect(
            self.edge.socket_url(),
            self.edge.socket_protocols(),
            self.link_handlers(),
        );
        let _ = self.link.set(link);
        self.watch_liveness();
    }

    /// Restores document `id` now if it is still waiting to be (a no-op otherwise).
    pub(super) fn restore_now(&self, id: &str) {
        let Some(stored) = self.unrestored.borrow_mut().remove(id) else {
            return;
        };
        let changes: Vec<Vec<u8>> = stored.changes.iter().map(|(_, b)| b.clone()).collect();
        let restored = match &stored.snapshot {
            Some(snapshot) => Replica::restore(&stored.key, snapshot, &changes),
            None => Replica::load(&stored.key, &changes.concat()),
        };
        let settled = match restored {
            Ok(replica) => {
                let keys = stored.changes.into_iter().map(|(key, _)| key).collect();
                self.pending.borrow_mut().insert(stored.key.clone(), keys);
                self.docs
                    .borrow_mut()
                    .insert(stored.key.clone(), DocSlot::Known(replica));
                Ok(stored.key)
            }
            Err(error) => Err((stored, error.to_string())),
        };
        self.restored_early.borrow_mut().push(settled);
    }

    /// Brings the rows of the documents restored so far up to date, and moves the unreadable
    /// ones under `quarantine/`, reporting them.
    async fn settle_restored(self: &Rc<Self>) {
        let settled = self.restored_early.take();
        for outcome in settled {
            match outcome {
                Ok(id) => {
                    self.adopt(&id, true);
                }
                Err((stored, error)) => match quarantine(&self.store, &stored).await {
                    Ok(kept) => self.signals.quarantined.update(|q| {
                        q.push((stored.key.clone(), format!("{error}; kept as {kept}")))
                    }),
                    Err(error) => self.report(error),
                },
            }
        }
    }
}
