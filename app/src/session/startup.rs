//! Opening the workspace's stored documents. Everything stored is read from IndexedDB at once
//! (fast); turning it back into Automerge documents is what takes time (about a millisecond
//! each), so the engine restores a chunk per browser turn in the background — while the list
//! shows the cached rows and people already open and edit customers (a document something
//! needs is restored at once, out of turn). The link to the edge opens once every document is
//! in.

use std::rc::Rc;

use leptos::prelude::*;

use super::{Session, yield_to_browser};
use crate::edge_link::EdgeLink;

/// Documents restored between two yields to the browser while loading.
const LOAD_CHUNK: usize = 50;

impl Session {
    /// Reads every stored document, restores the workspace document, lets people work, then
    /// restores the rest a chunk at a time and connects to the edge.
    pub(super) async fn load(self: Rc<Self>) {
        // Let the cached list paint first.
        yield_to_browser().await;
        let stored = match self.store.documents().await {
            Ok(stored) => stored,
            Err(error) => return self.report(error),
        };
        self.repo.borrow_mut().shelve(stored);
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
