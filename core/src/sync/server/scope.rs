//! Read scope at the server ([`crate::policy::scope`]): a salesperson's connection in a
//! workspace scoped to `own` syncs only the customers its member owns. A document it may not
//! read is answered with [`OUT_OF_SCOPE`] (and no sync) whether it asks for it, offers it or
//! brings changes to it; a broadcast skips it, and a connection that held a customer it may no
//! longer read (reassigned) is told to drop it.

use super::{ConnId, DocumentStore, Effect, StoreError, SyncServer};
use crate::policy::scope::{may_read, scoped};
use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::sync::doc_id::RepoDocId;
use crate::sync::notice::OUT_OF_SCOPE;
use crate::workspace::{ReadScope, Role};

impl SyncServer {
    /// Whether `conn` may not read loaded customer `doc_id`; `None` when that cannot be told
    /// (the team not read yet, the document not in memory).
    pub(super) fn hidden(&self, conn: ConnId, doc_id: &str) -> Option<bool> {
        if doc_id == WORKSPACE_DOC_ID {
            return Some(false);
        }
        let grant = &self.connections.get(&conn)?.grant;
        if grant.role != Role::Sales {
            return Some(false);
        }
        let scope = self.roster.as_ref()?.scope.unwrap_or(ReadScope::Everyone);
        if !scoped(grant, scope) {
            return Some(false);
        }
        match self.docs.get(doc_id)?.slot.replica()? {
            Replica::Customer(doc) => Some(!may_read(grant, scope, &doc.owner())),
            Replica::Workspace(_) => Some(false),
        }
    }

    /// Before a sync message from `conn` about `document_id`: the answer when its member may
    /// not read that customer (a document the server does not have is the sender's to create).
    pub(super) fn out_of_scope(
        &mut self,
        conn: ConnId,
        document_id: RepoDocId,
        store: &mut impl DocumentStore,
    ) -> Result<Option<Vec<Effect>>, StoreError> {
        let doc_id = document_id.local();
        let Some(grant) = self.connections.get(&conn).map(|c| c.grant.clone()) else {
            return Ok(None);
        };
        if doc_id == WORKSPACE_DOC_ID || !scoped(&grant, self.read_scope(store)?) {
            return Ok(None);
        }
        if !self.ensure_loaded(&doc_id, store)? {
            return Ok(None);
        }
        Ok((self.hidden(conn, &doc_id) == Some(true)).then(|| self.drop_from(conn, document_id)))
    }

    /// Tells `conn` to drop the customer and forgets what it knew of it.
    pub(super) fn drop_from(&mut self, conn: ConnId, document_id: RepoDocId) -> Vec<Effect> {
        if let Some(connection) = self.connections.get_mut(&conn) {
            connection.syncs.remove(&document_id.local());
        }
        self.tell(conn, document_id, OUT_OF_SCOPE.to_vec())
            .into_iter()
            .collect()
    }
}

#[cfg(test)]
pub(super) mod tests;
