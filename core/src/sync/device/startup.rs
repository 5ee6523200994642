//! Starting from what the device stored. A document stored as one snapshot with its heads kept
//! beside it — nearly all of them — starts at those heads, its bytes left in storage
//! ([`DeviceRepo::keep`], [`DocSlot::Stored`]), the heads taken as shared with the edge (if
//! they are not, the edge's first answer says so and the document is read then): a reload
//! costs reading the heads, not reading and restoring every document. A document kept so is
//! read when something needs it ([`DeviceEffect::Load`], [`DeviceRepo::loaded`]); meanwhile
//! what the edge sends for it waits. The others (changes appended since the snapshot, or a snapshot stored before
//! heads were) are restored — the shell does a few per turn of its event loop while the
//! cached rows show, and a document something needs is restored at once — and folded into a
//! snapshot with its heads (or, for a lone snapshot, given its heads), so that the next start
//! keeps them unloaded too.

use automerge::ChangeHash;

use super::{AfterWrite, DeviceEffect, DeviceRepo, StoredDoc, Write};
use crate::WorkspaceDoc;
use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::sync::{DocSlot, stored_reply};

impl DeviceRepo {
    /// Takes the documents storage keeps as one snapshot at these heads, leaving their bytes
    /// there. The workspace document is always handed whole ([`DeviceRepo::shelve`]): edits
    /// and the directory need it at once.
    pub fn keep(&mut self, kept: Vec<(String, Vec<ChangeHash>)>) {
        for (id, heads) in kept {
            if heads.is_empty() {
                continue;
            }
            let heads = stored_reply::sorted(&heads);
            self.appended.insert(id.clone(), Vec::new());
            self.docs.insert(id, DocSlot::Stored { bytes: None, heads });
        }
    }

    /// Document `id` as read from storage for a [`DeviceEffect::Load`] (`None`: storage no
    /// longer has it). It is restored; the messages from the edge that waited for it are
    /// applied and it is offered. One that is gone or does not load (handed back for
    /// quarantine) leaves the list and is asked for again from the edge. A read that comes
    /// when the document is no longer kept in storage only is ignored.
    pub fn loaded(&mut self, id: &str, stored: Option<StoredDoc>) -> Vec<DeviceEffect> {
        self.loading.remove(id);
        if !self.needs_load(id) {
            return self.take_effects();
        }
        self.docs.remove(id);
        let row = self.rows.get(id).cloned();
        if let Some(stored) = stored {
            self.shelved.insert(id.to_owned(), stored);
            self.restore(id);
        }
        if self.docs.contains_key(id) {
            for message in self.parked.remove(id).unwrap_or_default() {
                self.receive_sync(id.to_owned(), message);
            }
        } else {
            self.parked.remove(id);
            self.rows.remove(id);
            self.appended.remove(id);
            self.sync.forget(id);
            self.docs.insert(id.to_owned(), DocSlot::awaited());
            self.awaited.insert(id.to_owned());
        }
        if id == WORKSPACE_DOC_ID {
            self.request_directory(false);
        }
        self.offer(id);
        if self.rows.get(id) != row.as_ref() {
            self.out.push(DeviceEffect::RowsChanged);
        }
        self.write_refolds();
        self.cache_stale_rows();
        self.take_effects()
    }

    /// Takes what storage holds, whole.
    pub fn shelve(&mut self, stored: Vec<StoredDoc>) {
        for doc in stored {
            match doc {
                StoredDoc {
                    id,
                    snapshot: Some(bytes),
                    heads: Some(heads),
                    changes,
                } if changes.is_empty() && !heads.is_empty() => {
                    let heads = stored_reply::sorted(&heads);
                    self.appended.insert(id.clone(), Vec::new());
                    let bytes = Some(bytes);
                    self.docs.insert(id, DocSlot::Stored { bytes, heads });
                }
                doc => {
                    self.shelved.insert(doc.id.clone(), doc);
                }
            }
        }
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
            .or_insert_with(|| DocSlot::known(Replica::Workspace(WorkspaceDoc::new())));
        // A page that asked for a customer before storage was read hears of it now.
        for id in &first {
            self.changed(id);
        }
        self.write_refolds();
        self.take_effects()
    }

    /// Restores up to `n` more documents; the second value says whether any remain.
    pub fn restore_some(&mut self, n: usize) -> (Vec<DeviceEffect>, bool) {
        let next: Vec<String> = self.shelved.keys().take(n).cloned().collect();
        for id in &next {
            self.restore(id);
        }
        self.write_refolds();
        (self.take_effects(), !self.shelved.is_empty())
    }

    /// Every stored document is restored: rows of documents that are not here (quarantined)
    /// leave the list, and rows found stale are cached.
    pub fn restored(&mut self) -> Vec<DeviceEffect> {
        let docs = &self.docs;
        self.rows.retain(|id, _| docs.contains_key(id));
        self.write_refolds();
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
                let seqs: Vec<u64> = stored.changes.iter().map(|(seq, _)| *seq).collect();
                self.appended.insert(id.to_owned(), seqs.clone());
                self.docs.insert(id.to_owned(), DocSlot::known(replica));
                self.adopt(id, true);
                if !seqs.is_empty() || stored.snapshot.is_none() {
                    if let Some(refold) = self.compaction(id, seqs) {
                        self.refold.push(refold);
                    }
                } else if stored.heads.is_none()
                    && let Some(slot) = self.docs.get_mut(id)
                {
                    // The snapshot is as it should be: only its heads are missing.
                    let heads = slot.heads();
                    let write = Write::Heads {
                        id: id.to_owned(),
                        heads,
                    };
                    self.refold.push((write, AfterWrite::default()));
                }
            }
            Err(error) => self.out.push(DeviceEffect::Quarantine {
                reason: error.to_string(),
                stored,
            }),
        }
    }

    /// Writes the snapshots of the documents restored since the last time, in one write.
    fn write_refolds(&mut self) {
        let refolds = std::mem::take(&mut self.refold);
        if refolds.is_empty() {
            return;
        }
        let mut after = AfterWrite::default();
        let writes = (refolds.into_iter())
            .map(|(write, then)| {
                after.folded.extend(then.folded);
                write
            })
            .collect();
        self.write(writes, after);
    }
}
