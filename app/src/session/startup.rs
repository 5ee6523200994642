//! Opening the workspace's stored documents, once the cached rows are read (the list's first
//! screen shows meanwhile, see `first_screen`). IndexedDB hands over the heads of the documents
//! kept as one snapshot — nearly all of them: they stay in storage, read when something needs
//! them (`reads`) — and the few others whole (the workspace, documents with changes appended
//! since their snapshot), which the engine restores a chunk per browser turn while the list
//! shows the cached rows. People open and edit customers from the moment the workspace
//! document is in; the link to the edge opens once the few are restored.

use std::rc::Rc;

use futures::future::join;
use leptos::prelude::*;

use super::{Session, edge_rows, yield_to_browser};
use crate::edge_link::EdgeLink;

/// Documents restored between two yields to the browser while loading.
const LOAD_CHUNK: usize = 50;

impl Session {
    /// Reads what is stored, restores the workspace document, lets people work, then
    /// restores the rest a chunk at a time and connects to the edge.
    pub(super) async fn load(self: Rc<Self>) {
        // Let the first screen paint first, then show every cached row.
        yield_to_browser().await;
        // Both reads are in flight together: IndexedDB serves them side by side.
        let (records, stored) = join(self.store.rows(), self.store.start()).await;
        let records = records.unwrap_or_else(|error| {
            self.report(error);
            Vec::new()
        });
        self.repo
            .borrow_mut()
            .cache_rows(edge_rows::cached(records));
        self.publish();
        self.signals.rows_ready.set(true);
        self.signals.first_screen.set(None);
        let stored = match stored {
            Ok(stored) => stored,
            Err(error) => return self.report(error),
        };
        {
            let mut repo = self.repo.borrow_mut();
            repo.keep(stored.kept);
            repo.shelve(stored.whole);
        }
        let effects = self.repo.borrow_mut().restore_first();
        self.run(effects);
        // Customers open and edits are taken from here on.
        self.signals.loading.set(false);
        loop {
            let (effects, more) = self.repo.borrow_mut().restore_some(LOAD_CHUNK);
            self.run(effects);
            if !more {
                break;
            }
            yield_to_browser().await;
        }
        let effects = self.repo.borrow_mut().restored();
        self.run(effects);
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
}
