//! One customer = one Automerge document, edited only through named, validating operations.
//!
//! Each operation checks its input first and returns a [`ModelError`] without touching the
//! document when it fails; on success it writes only the fields it changes (so concurrent
//! edits to other fields never conflict) and stamps `updated_at` / `updated_by`.

mod conflicts;
mod erasure;
mod handover;
mod merge;
mod model;
mod ops;
mod projection;
mod summary_scan;

use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{hydrate, reconcile};

pub use conflicts::{ConflictValue, FieldConflict};
pub use handover::{Handed, Handover, OwnerChange};
pub use merge::MERGE_FIELDS;
pub use model::*;
pub(crate) use ops::tag_name;
pub use ops::{
    ContactEdit, DealEdit, InteractionEdit, NewContact, NewCustomer, NewDeal, NewFollowUp,
    NewInteraction, NewOrder, OrderEdit, ProfileEdit,
};
pub use projection::{DealRow, HeadedRow, MINUTE_MS, OpenFollowUp, ROW_VERSION, SummaryRow};

pub use crate::document::Stamp;
use crate::document::{CrmDocument, schema_version};
use crate::error::ModelError;
use crate::id::Id;

/// Layout version written by this build.
pub const SCHEMA_VERSION: u64 = 1;
const KIND: &str = "customer";

/// A customer document.
#[derive(Debug, Clone)]
pub struct CustomerDoc {
    doc: AutoCommit,
}

impl CrmDocument for CustomerDoc {
    const KIND: &'static str = KIND;
    const SCHEMA_VERSION: u64 = SCHEMA_VERSION;

    fn from_checked(doc: AutoCommit) -> Self {
        Self { doc }
    }

    fn automerge(&self) -> &AutoCommit {
        &self.doc
    }

    fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    fn check(doc: &mut AutoCommit) -> Result<(), ModelError> {
        // Version 1 is the first layout: nothing older to migrate yet. A later version adds
        // its migration here, keyed on the version found.
        schema_version(doc, KIND, SCHEMA_VERSION)?;
        if erasure::erased_in(doc)?.is_some() {
            // Erased: only its id is left to check.
            return autosurgeon::hydrate_prop::<_, String, _, _>(&*doc, ROOT, "id")
                .map(|_| ())
                .map_err(layout_error);
        }
        summary_scan::summary_row(doc).map(|_| ())
    }
}

impl CustomerDoc {
    /// The customer id stored in the document.
    pub fn id(&self) -> Result<String, ModelError> {
        autosurgeon::hydrate_prop(&self.doc, ROOT, "id").map_err(layout_error)
    }

    /// The whole customer, typed ([`ModelError::Erased`] once it was erased).
    pub fn customer(&self) -> Result<Customer, ModelError> {
        if self.erased().is_some() {
            return Err(ModelError::Erased { id: self.id()? });
        }
        hydrate(&self.doc).map_err(layout_error)
    }

    /// The object at `key` of `parent`, which must be a map (or, for `notes`, text).
    fn child(
        &self,
        parent: &ObjId,
        key: &str,
        kind: &'static str,
        id: &str,
    ) -> Result<ObjId, ModelError> {
        match self.doc.get(parent, key) {
            Ok(Some((Value::Object(ObjType::Map | ObjType::Text | ObjType::List), obj))) => Ok(obj),
            _ => Err(ModelError::NotFound {
                kind,
                id: id.to_owned(),
            }),
        }
    }

    /// The root-level collection `name` (contacts, deals, …).
    fn collection(&self, name: &'static str) -> Result<ObjId, ModelError> {
        self.child(&ROOT, name, name, name)
    }

    /// Entry `id` of the root-level collection `name`.
    fn entry(&self, name: &'static str, kind: &'static str, id: &str) -> Result<ObjId, ModelError> {
        let collection = self.collection(name)?;
        self.child(&collection, id, kind, id)
    }

    fn new_document(id: &Id, customer: &Customer) -> Result<Self, ModelError> {
        let mut doc = AutoCommit::new();
        reconcile(&mut doc, customer).map_err(|e| ModelError::Layout {
            kind: KIND,
            reason: e.to_string(),
        })?;
        debug_assert_eq!(customer.id, id.as_str());
        Ok(Self { doc })
    }
}

fn layout_error(e: impl std::fmt::Display) -> ModelError {
    crate::document::layout(KIND)(e)
}

#[cfg(test)]
mod tests;
