//! A [`DocumentStore`] in memory, for tests and benchmarks of the sync server.

use std::collections::BTreeMap;

use automerge::ChangeHash;

use super::server::{DocumentStore, StoreError, Stored};
use crate::audit::AuditEntry;
use crate::customer::HeadedRow;
use crate::demo::SavedDoc;
use crate::replica::WORKSPACE_DOC_ID;
use crate::values::Millis;

/// Documents kept in maps; `quarantined` holds what could not be read, with the reason.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    /// Stored documents by id.
    pub docs: BTreeMap<String, Stored>,
    /// Quarantined documents by id, with the reason.
    pub quarantined: BTreeMap<String, (Stored, String)>,
    /// Summary rows of customers by id.
    pub rows: BTreeMap<String, HeadedRow>,
    /// When the rules look at each customer again.
    pub schedule: BTreeMap<String, Millis>,
    /// The audit trail, oldest first.
    pub audit: Vec<AuditEntry>,
}

impl MemoryStore {
    /// A store holding these saved documents as snapshots.
    pub fn with(docs: impl IntoIterator<Item = SavedDoc>) -> Self {
        let mut store = Self::default();
        for doc in docs {
            if let Some(row) = doc.row {
                store.rows.insert(doc.id.clone(), row);
            }
            let stored = Stored {
                snapshot: doc.bytes,
                changes: Vec::new(),
                heads: doc.heads,
            };
            if let Some(at) = doc.rules_due {
                store.schedule.insert(doc.id.clone(), at);
            }
            store.docs.insert(doc.id, stored);
        }
        store
    }
}

impl DocumentStore for MemoryStore {
    fn load(&mut self, doc_id: &str) -> Result<Option<Stored>, StoreError> {
        Ok(self.docs.get(doc_id).cloned())
    }

    fn heads(&mut self, doc_id: &str) -> Result<Option<Vec<ChangeHash>>, StoreError> {
        Ok(self.docs.get(doc_id).map(|d| d.heads.clone()))
    }

    fn append(
        &mut self,
        doc_id: &str,
        change: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError> {
        let stored = self
            .docs
            .get_mut(doc_id)
            .ok_or_else(|| StoreError(format!("append to missing {doc_id}")))?;
        stored.changes.push(change.to_vec());
        stored.heads = heads.to_vec();
        Ok(())
    }

    fn replace(
        &mut self,
        doc_id: &str,
        snapshot: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError> {
        self.docs.insert(
            doc_id.to_owned(),
            Stored {
                snapshot: snapshot.to_vec(),
                changes: Vec::new(),
                heads: heads.to_vec(),
            },
        );
        Ok(())
    }

    fn erase(
        &mut self,
        doc_id: &str,
        tombstone: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError> {
        self.rows.remove(doc_id);
        self.schedule.remove(doc_id);
        self.quarantined.remove(doc_id);
        self.replace(doc_id, tombstone, heads)
    }

    fn put_row(&mut self, doc_id: &str, row: &HeadedRow) -> Result<(), StoreError> {
        self.rows.insert(doc_id.to_owned(), row.clone());
        Ok(())
    }

    fn quarantine(&mut self, doc_id: &str, reason: &str) -> Result<(), StoreError> {
        self.rows.remove(doc_id);
        self.schedule.remove(doc_id);
        if let Some(stored) = self.docs.remove(doc_id) {
            self.quarantined
                .insert(doc_id.to_owned(), (stored, reason.to_owned()));
        }
        Ok(())
    }

    fn schedule(&mut self, doc_id: &str, at: Option<Millis>) -> Result<(), StoreError> {
        match at {
            Some(at) => self.schedule.insert(doc_id.to_owned(), at),
            None => self.schedule.remove(doc_id),
        };
        Ok(())
    }

    fn schedule_all(&mut self, at: Millis) -> Result<(), StoreError> {
        for id in self.docs.keys().filter(|id| *id != WORKSPACE_DOC_ID) {
            self.schedule.insert(id.clone(), at);
        }
        Ok(())
    }

    fn due(&mut self, now: Millis, limit: usize) -> Result<Vec<String>, StoreError> {
        let mut due: Vec<(Millis, &String)> = self
            .schedule
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(id, at)| (*at, id))
            .collect();
        due.sort();
        Ok(due
            .into_iter()
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect())
    }

    fn count(&mut self) -> Result<usize, StoreError> {
        Ok(self.docs.len())
    }

    fn audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.audit.push(entry.clone());
        Ok(())
    }

    fn next_due(&mut self) -> Result<Option<Millis>, StoreError> {
        Ok(self.schedule.values().min().copied())
    }
}
