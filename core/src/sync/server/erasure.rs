//! Erasing a customer at the edge. An admin's change marks the customer `erased`; once the
//! policy has admitted it, the server stores the customer's tombstone in place of everything
//! it held (`DocumentStore::erase`) and tells every device, which replaces its copy. From then
//! on a device that brings more than the tombstone — its old copy, edits made offline — is not
//! merged: it gets the tombstone again, so an erased customer never comes back.

use automerge::sync;

use super::{ConnId, DocumentStore, Effect, StoreError, SyncServer};
use crate::CustomerDoc;
use crate::document::CrmDocument;
use crate::replica::Replica;
use crate::sync::DocSlot;
use crate::sync::doc_id::RepoDocId;
use crate::sync::notice::Erasure;

impl SyncServer {
    /// Whether loaded customer `doc_id` is marked erased.
    pub(super) fn is_erased(&self, doc_id: &str) -> bool {
        match self.docs.get(doc_id).and_then(|l| l.slot.replica()) {
            Some(Replica::Customer(doc)) => doc.erased().is_some(),
            _ => false,
        }
    }

    /// Replaces loaded customer `doc_id`, marked erased, with its tombstone: in the store
    /// (with its row and schedule), in memory, and in every connection's sync state.
    pub(super) fn erase(
        &mut self,
        doc_id: &str,
        store: &mut impl DocumentStore,
    ) -> Result<(), StoreError> {
        let Some(loaded) = self.docs.get_mut(doc_id) else {
            return Ok(());
        };
        let Some(Replica::Customer(doc)) = loaded.slot.replica() else {
            return Ok(());
        };
        let Some(erased) = doc.erased() else {
            return Ok(());
        };
        let mut tombstone = CustomerDoc::tombstone(doc_id, &erased)
            .map_err(|error| StoreError(format!("the tombstone of {doc_id}: {error}")))?;
        let (bytes, heads) = (tombstone.save(), tombstone.heads());
        store.erase(doc_id, &bytes, &heads)?;
        loaded.slot = DocSlot::known(Replica::Customer(tombstone));
        loaded.appended = 0;
        loaded.bytes = bytes.len();
        self.unsent.remove(doc_id);
        for connection in self.connections.values_mut() {
            connection.syncs.remove(doc_id);
            connection.owed_resets.remove(doc_id);
        }
        Ok(())
    }

    /// Tells every joined device that customer `doc_id` was erased.
    pub(super) fn announce_erasure(&mut self, doc_id: &str, document_id: RepoDocId) -> Vec<Effect> {
        let Some(data) = self.erasure_data(doc_id) else {
            return Vec::new();
        };
        let conns: Vec<ConnId> = self.connections.keys().copied().collect();
        (conns.into_iter())
            .filter_map(|conn| self.tell(conn, document_id, data.clone()))
            .collect()
    }

    /// When `doc_id` is an erased customer and `message` from `conn` holds what its tombstone
    /// does not (changes, or heads it lacks): the tombstone for that device instead of a merge.
    pub(super) fn erased_answer(
        &mut self,
        conn: ConnId,
        doc_id: &str,
        document_id: RepoDocId,
        message: &sync::Message,
    ) -> Option<Vec<Effect>> {
        let Some(Replica::Customer(doc)) = self.docs.get_mut(doc_id)?.slot.replica_mut() else {
            return None;
        };
        doc.erased()?;
        let doc = doc.automerge_mut();
        let known = |hash| doc.get_change_by_hash(hash).is_some();
        if message.changes.is_empty() && message.heads.iter().all(known) {
            return None;
        }
        self.forget_state(conn, doc_id);
        let data = self.erasure_data(doc_id)?;
        Some(self.tell(conn, document_id, data).into_iter().collect())
    }

    /// The erasure of loaded customer `doc_id` as ephemeral data: its tombstone, saved once
    /// for however many devices are told.
    fn erasure_data(&mut self, doc_id: &str) -> Option<Vec<u8>> {
        match self.docs.get_mut(doc_id)?.slot.replica_mut()? {
            Replica::Customer(doc) => Some(
                Erasure {
                    tombstone: doc.save(),
                }
                .encode(),
            ),
            Replica::Workspace(_) => None,
        }
    }
}
