//! The workspace's rules on this device: admins edit them (the edge runs them), and every
//! customer is read once, a slice per browser turn, to show whom a rule matches now.

use std::rc::Rc;

use crm_core::customer::Customer;
use crm_core::replica::{Replica, WORKSPACE_DOC_ID};
use crm_core::sync::DocSlot;
use crm_core::{ModelError, WorkspaceDoc};
use leptos::prelude::*;

use super::{Session, yield_to_browser};

/// Customers read per browser turn.
const READ_PER_TURN: usize = 100;

impl Session {
    /// Applies an operation to the workspace document (a rule added, changed or removed),
    /// then stores and pushes it. On error the document is unchanged.
    pub fn edit_workspace(
        self: &Rc<Self>,
        op: impl FnOnce(&mut WorkspaceDoc) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        {
            let mut docs = self.docs.borrow_mut();
            match docs
                .get_mut(WORKSPACE_DOC_ID)
                .and_then(DocSlot::replica_mut)
            {
                Some(Replica::Workspace(ws)) => op(ws)?,
                _ => {
                    return Err(ModelError::NotFound {
                        kind: "workspace",
                        id: WORKSPACE_DOC_ID.into(),
                    });
                }
            }
        }
        self.changed(WORKSPACE_DOC_ID);
        self.persist(WORKSPACE_DOC_ID, true);
        Ok(())
    }

    /// Every customer as it stands, read a slice per browser turn (documents kept unloaded are
    /// loaded); `progress` says (read, total) as it goes. Unreadable ones are skipped.
    pub async fn all_customers(
        self: &Rc<Self>,
        progress: RwSignal<(usize, usize)>,
    ) -> Vec<Customer> {
        let mut ids: Vec<String> = self
            .docs
            .borrow()
            .keys()
            .chain(self.unrestored.borrow().keys())
            .filter(|id| id.as_str() != WORKSPACE_DOC_ID)
            .cloned()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut customers = Vec::with_capacity(ids.len());
        for (n, chunk) in ids.chunks(READ_PER_TURN).enumerate() {
            for id in chunk {
                self.restore_now(id);
            }
            {
                let mut docs = self.docs.borrow_mut();
                for id in chunk {
                    let Some(slot) = docs.get_mut(id) else {
                        continue;
                    };
                    if let Ok(Some(Replica::Customer(doc))) = slot.loaded(id)
                        && let Ok(customer) = doc.customer()
                    {
                        customers.push(customer);
                    }
                }
            }
            progress.set(((n * READ_PER_TURN + chunk.len()).min(ids.len()), ids.len()));
            yield_to_browser().await;
        }
        progress.set((ids.len(), ids.len()));
        customers
    }
}
