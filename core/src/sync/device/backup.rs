//! A workspace saved whole on the device ([`DeviceRepo::saved`], for a backup file) and a
//! backup restored into an empty workspace ([`DeviceRepo::restore_customers`]; its workspace
//! document is merged with `edit_workspace`): restored documents are stored and offered to
//! the edge like the device's own.

use super::effect::DeviceEffect;
use super::{DeviceRepo, Offer};
use crate::customer::CustomerDoc;
use crate::error::ModelError;
use crate::replica::Replica;
use crate::sync::DocSlot;

impl DeviceRepo {
    /// Document `id` as saved bytes, with its whole history (`NotLoaded` while it is kept in
    /// storage only: read it first).
    pub fn saved(&mut self, id: &str) -> Result<Vec<u8>, ModelError> {
        let not_loaded = || ModelError::NotLoaded { id: id.to_owned() };
        match self.slot(id).ok_or_else(not_loaded)? {
            DocSlot::Stored {
                bytes: Some(bytes), ..
            } => Ok(bytes.clone()),
            slot => slot.replica_mut().map(Replica::save).ok_or_else(not_loaded),
        }
    }

    /// Stores customers of a backup (whose directory entries came with its workspace
    /// document) and offers them to the edge; a customer already here is left as it is.
    pub fn restore_customers(
        &mut self,
        customers: Vec<(String, CustomerDoc)>,
    ) -> Vec<DeviceEffect> {
        let mut ids = Vec::with_capacity(customers.len());
        for (id, customer) in customers {
            if self.holds(&id) {
                continue;
            }
            self.docs
                .insert(id.clone(), DocSlot::known(Replica::Customer(customer)));
            self.changed(&id);
            ids.push(id);
        }
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.persist(&ids, Offer::OnceStored);
        self.take_effects()
    }
}
