//! Members the workspace document marks inactive: their tokens still verify, but the server
//! refuses them at `join` and closes their open sockets as soon as a change deactivates them.

use std::collections::HashSet;

use super::{CLOSE_DEACTIVATED, ConnId, DocumentStore, Effect, StoreError, SyncServer, refuse};
use crate::replica::{Replica, WORKSPACE_DOC_ID};

impl SyncServer {
    /// Whether the member behind `conn` is inactive (the workspace document is read once,
    /// then again after each of its changes).
    pub(super) fn is_inactive(
        &mut self,
        conn: ConnId,
        store: &mut impl DocumentStore,
    ) -> Result<bool, StoreError> {
        let Some(member) = self.connections.get(&conn).map(|c| c.grant.member.clone()) else {
            return Ok(false);
        };
        if self.inactive.is_none() {
            // Read once per wake; the document is not kept for it (a new device is better
            // served the stored bytes as they are).
            let was_loaded = self.docs.contains_key(WORKSPACE_DOC_ID);
            self.ensure_loaded(WORKSPACE_DOC_ID, store)?;
            self.inactive = Some(self.read_inactive());
            if !was_loaded {
                self.docs.remove(WORKSPACE_DOC_ID);
            }
        }
        Ok(self.inactive.as_ref().is_some_and(|i| i.contains(&member)))
    }

    /// After a change to `doc_id`: when it is the workspace document, re-reads who is
    /// inactive and closes their sockets.
    pub(super) fn close_inactive(&mut self, doc_id: &str) -> Vec<Effect> {
        if doc_id != WORKSPACE_DOC_ID {
            return Vec::new();
        }
        let inactive = self.read_inactive();
        let closes = (self.connections.iter())
            .filter(|(_, c)| inactive.contains(&c.grant.member))
            .flat_map(|(conn, _)| refuse(*conn, CLOSE_DEACTIVATED, "this member was deactivated"))
            .collect();
        self.inactive = Some(inactive);
        closes
    }

    /// The inactive members of the workspace document in memory (none without one).
    fn read_inactive(&self) -> HashSet<String> {
        let workspace = match self
            .docs
            .get(WORKSPACE_DOC_ID)
            .and_then(|l| l.slot.replica())
        {
            Some(Replica::Workspace(doc)) => doc.settings().ok(),
            _ => None,
        };
        workspace
            .map(|w| {
                w.members
                    .into_iter()
                    .filter(|(_, m)| !m.active)
                    .map(|(id, _)| id)
                    .collect()
            })
            .unwrap_or_default()
    }
}
