//! Starting from what the device stored. Reading storage is fast; turning the bytes back into
//! Automerge documents takes about a millisecond each, so the shell restores a few per turn of
//! its event loop while the cached rows show — and a document something needs meanwhile is
//! restored at once.

use super::{DeviceEffect, DeviceRepo, StoredDoc};
use crate::WorkspaceDoc;
use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::sync::DocSlot;

impl DeviceRepo {
    /// Takes what storage holds; each document is restored when something needs it or its
    /// turn comes in [`DeviceRepo::restore_some`].
    pub fn shelve(&mut self, stored: Vec<StoredDoc>) {
        self.shelved
            .extend(stored.into_iter().map(|doc| (doc.id.clone(), doc)));
    }

    /// Restores the workspace document (a new one if there is none) and the watched
    /// customers: after this, customers open and edits are taken.
    pub fn restore_first(&mut self) -> Vec<DeviceEffect> {
        let first: Vec<String> = std::iter::once(WORKSPACE_DOC_ID.to_owned())
            .chain(self.watched.iter().cloned())
            .collect();
        for id in &first {
            self.restore(id);
        }
        self.docs
            .entry(WORKSPACE_DOC_ID.to_owned())
            .or_insert_with(|| DocSlot::Known(Replica::Workspace(WorkspaceDoc::new())));
        self.adopt(WORKSPACE_DOC_ID, false);
        self.take_effects()
    }

    /// Restores up to `n` more documents; the second value says whether any remain.
    pub fn restore_some(&mut self, n: usize) -> (Vec<DeviceEffect>, bool) {
        let next: Vec<String> = self.shelved.keys().take(n).cloned().collect();
        for id in &next {
            self.restore(id);
        }
        (self.take_effects(), !self.shelved.is_empty())
    }

    /// Every stored document is restored: rows of documents that are not here (quarantined)
    /// leave the list, and rows found stale are cached.
    pub fn restored(&mut self) -> Vec<DeviceEffect> {
        let docs = &self.docs;
        self.rows.retain(|id, _| docs.contains_key(id));
        self.cache_stale_rows();
        self.out.push(DeviceEffect::RowsChanged);
        self.take_effects()
    }

    /// Restores document `id` if it is still shelved (a no-op otherwise). One that does not
    /// load is handed back for quarantine.
    pub(super) fn restore(&mut self, id: &str) {
        let Some(stored) = self.shelved.remove(id) else {
            return;
        };
        let changes: Vec<Vec<u8>> = stored.changes.iter().map(|(_, b)| b.clone()).collect();
        let restored = match &stored.snapshot {
            Some(snapshot) => Replica::restore(id, snapshot, &changes),
            None => Replica::load(id, &changes.concat()),
        };
        match restored {
            Ok(replica) => {
                let seqs = stored.changes.iter().map(|(seq, _)| *seq).collect();
                self.appended.insert(id.to_owned(), seqs);
                self.docs.insert(id.to_owned(), DocSlot::Known(replica));
                self.adopt(id, true);
            }
            Err(error) => self.out.push(DeviceEffect::Quarantine {
                reason: error.to_string(),
                stored,
            }),
        }
    }
}
