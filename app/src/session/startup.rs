//! Opening the workspace's stored documents (the list's first screen shows meanwhile, see
//! `first_screen`). IndexedDB hands over the heads of the documents kept as one snapshot —
//! nearly all of them: they stay in storage, read when something needs them (`reads`) — and
//! the few others whole (the workspace, documents with changes appended since their
//! snapshot), which the engine restores a chunk per browser turn. People open and edit
//! customers from the moment the workspace document is in; the link to the edge opens once the
//! few are restored; then every cached row is read (100,000 take seconds), for search, filters
//! and the pages built from all rows.

use std::rc::Rc;

use leptos::prelude::*;

use super::first_screen::{FIRST_SCREEN_KEY, FirstScreen};
use super::settings::{self, SETTINGS_KEY};
use super::signals::SessionSignals;
use super::{Session, edge_rows};
use crate::browser::yield_to_browser;
use crate::edge_link::EdgeLink;
use crate::storage::{DeviceStore, StorageError};

/// Documents restored between two yields to the browser while loading.
const LOAD_CHUNK: usize = 50;

/// Shows what the start paints before anything else, from two row-cache records: the
/// workspace's settings and rules, and the list's first screen, as last seen.
pub(super) async fn show_last_seen(
    store: &DeviceStore,
    signals: &SessionSignals,
) -> Result<(), StorageError> {
    let [settings, first] =
        <[_; 2]>::try_from(store.rows_named(&[SETTINGS_KEY, FIRST_SCREEN_KEY]).await?)
            .unwrap_or_default();
    settings::show_cached(settings, store, signals).await?;
    let first: Option<FirstScreen> = first.and_then(|json| serde_json::from_slice(&json).ok());
    signals.first_screen.set(first);
    Ok(())
}

impl Session {
    /// Reads what is stored, restores the workspace document, lets people work, restores the
    /// rest a chunk at a time, connects to the edge, then reads every cached row.
    pub(super) async fn load(self: Rc<Self>) {
        // Let the first screen paint first.
        yield_to_browser().await;
        let stored = match self.store.start().await {
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
        self.signals.restoring.set(false);
        self.renew_if_due().await;
        let config = self.config();
        let link = EdgeLink::connect(
            config.socket_url(),
            config.socket_protocols(),
            self.link_handlers(),
        );
        let _ = self.link.set(link);
        self.watch_liveness();
        self.watch_presence();
        // Every cached row, for search, filters and the pages built from all rows.
        let records = self.store.rows().await.unwrap_or_else(|error| {
            self.report(error);
            Vec::new()
        });
        let rows = edge_rows::cached(records).await;
        let effects = self.repo.borrow_mut().cache_rows(rows);
        self.signals.rows_ready.set(true);
        self.publish();
        self.signals.first_screen.set(None);
        self.run(effects);
    }
}
