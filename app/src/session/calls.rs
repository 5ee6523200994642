//! What the UI asks of the session: edits as this device's member, and customers to show.

use std::rc::Rc;

use crm_core::customer::{Customer, Erased, FieldConflict, NewContact, NewCustomer};
use crm_core::sync::DeviceRepo;
use crm_core::{CustomerDoc, Id, ModelError, Stamp, WorkspaceDoc};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::Session;
use crate::browser::trace;

impl Session {
    /// A stamp for an edit made now by this device's member.
    pub fn stamp(&self) -> Stamp {
        Stamp::new(self.signals.member.get_value(), js_sys::Date::now() as i64)
    }

    /// Creates a customer with its first contact points and lists it in the workspace.
    /// Nothing is kept if any input is invalid.
    pub fn create_customer(
        self: &Rc<Self>,
        new: NewCustomer,
        contacts: Vec<NewContact>,
    ) -> Result<String, ModelError> {
        let id = Id::random();
        let stamp = self.stamp();
        let effects = (self.repo.borrow_mut()).create_customer(&id, new, contacts, &stamp)?;
        self.run(effects);
        Ok(id.to_string())
    }

    /// Lists customers made here (an import's batch) in the workspace and stores them: all of
    /// them, or on an error none.
    pub fn adopt_customers(
        self: &Rc<Self>,
        batch: Vec<(Id, CustomerDoc)>,
    ) -> Result<(), ModelError> {
        let stamp = self.stamp();
        let effects = (self.repo.borrow_mut()).adopt_customers(batch, &stamp)?;
        self.run(effects);
        Ok(())
    }

    /// Whether customer `id`'s document is on this device (not only its masked row).
    pub fn holds(&self, id: &str) -> bool {
        self.repo.borrow().holds(id)
    }

    /// Applies a named operation to customer `id` as this device's member. On error the
    /// document is unchanged.
    pub fn edit_customer(
        self: &Rc<Self>,
        id: &str,
        op: impl FnOnce(&mut CustomerDoc, &Stamp) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        trace("crm:edit");
        let stamp = self.stamp();
        let edited = self.repo.borrow_mut().edit_customer(id, &stamp, op);
        trace("crm:edited");
        match edited {
            Ok(effects) => self.run(effects),
            // Not in memory yet: its read was asked for.
            Err(error) => {
                let effects = self.repo.borrow_mut().take_effects();
                self.run(effects);
                return Err(error);
            }
        }
        Ok(())
    }

    /// [`Session::edit_customer`] for a customer that may still be kept in storage only (a
    /// quick action on a list): read first if need be; `done` hears the outcome.
    pub fn edit_customer_soon(
        self: &Rc<Self>,
        id: String,
        op: impl FnOnce(&mut CustomerDoc, &Stamp) -> Result<(), ModelError> + 'static,
        done: impl FnOnce(Result<(), ModelError>) + 'static,
    ) {
        let session = Rc::clone(self);
        spawn_local(async move {
            session.open(std::slice::from_ref(&id)).await;
            done(session.edit_customer(&id, op));
        });
    }

    /// Whether customer `id` is on this device but still being read from its storage (a page
    /// shows "opening", not "not found").
    pub fn is_opening(&self, id: &str) -> bool {
        self.repo.borrow().needs_load(id)
    }

    /// Applies an operation to the workspace document (a rule added, changed or removed). On
    /// error the document is unchanged.
    pub fn edit_workspace(
        self: &Rc<Self>,
        op: impl FnOnce(&mut WorkspaceDoc) -> Result<(), ModelError>,
    ) -> Result<(), ModelError> {
        let effects = self.repo.borrow_mut().edit_workspace(op)?;
        self.run(effects);
        Ok(())
    }

    /// Customer `id`, kept current as edits arrive from this device or the edge. The signal
    /// is reference-counted, not owned by the view that first asked for it.
    pub fn customer(self: &Rc<Self>, id: &str) -> ArcRwSignal<Option<Customer>> {
        if let Some(signal) = self.open_customers.borrow().get(id) {
            return signal.clone();
        }
        self.repo.borrow_mut().watch(id);
        let signal = ArcRwSignal::new(self.read(|repo| repo.customer(id)));
        self.open_customers
            .borrow_mut()
            .insert(id.to_owned(), signal.clone());
        signal
    }

    /// When and by whom customer `id` was erased, if it was.
    pub fn erasure(self: &Rc<Self>, id: &str) -> Option<Erased> {
        self.read(|repo| repo.erasure(id))
    }

    /// The heads of document `id` (empty if there is no such document).
    pub fn heads(self: &Rc<Self>, id: &str) -> Vec<automerge::ChangeHash> {
        self.read(|repo| repo.heads(id))
    }

    /// Fields of customer `id` that two people changed at once.
    pub fn conflicts(self: &Rc<Self>, id: &str) -> Vec<FieldConflict> {
        self.read(|repo| repo.conflicts(id))
    }

    /// Every change of customer `id`'s owner, oldest first, from its document's history.
    pub fn owner_history(self: &Rc<Self>, id: &str) -> Vec<crm_core::customer::OwnerChange> {
        self.read(|repo| repo.owner_history(id))
    }

    /// Reads from the engine, then carries out what the read queued (a document restored
    /// for it may have a new row).
    pub(super) fn read<T>(self: &Rc<Self>, read: impl FnOnce(&mut DeviceRepo) -> T) -> T {
        let value = read(&mut self.repo.borrow_mut());
        let effects = self.repo.borrow_mut().take_effects();
        self.run(effects);
        value
    }
}
