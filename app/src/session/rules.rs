//! Every customer read once, a slice per browser turn, to show whom a rule matches now (the
//! edge runs the rules).

use std::rc::Rc;

use crm_core::customer::Customer;
use leptos::prelude::*;

use super::Session;
use crate::browser::yield_to_browser;

/// Customers read per browser turn.
const READ_PER_TURN: usize = 100;

impl Session {
    /// Every customer as it stands, read a slice per browser turn (documents kept unloaded are
    /// read from storage and loaded); `progress` says (read, total) as it goes. Unreadable
    /// ones are skipped.
    pub async fn all_customers(
        self: &Rc<Self>,
        progress: RwSignal<(usize, usize)>,
    ) -> Vec<Customer> {
        let ids = self.repo.borrow().customer_ids();
        let mut customers = Vec::with_capacity(ids.len());
        for (n, chunk) in ids.chunks(READ_PER_TURN).enumerate() {
            self.open(chunk).await;
            customers.extend(
                chunk
                    .iter()
                    .filter_map(|id| self.read(|repo| repo.customer(id))),
            );
            progress.set(((n * READ_PER_TURN + chunk.len()).min(ids.len()), ids.len()));
            yield_to_browser().await;
        }
        progress.set((ids.len(), ids.len()));
        customers
    }
}
