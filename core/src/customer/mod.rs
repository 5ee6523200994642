//! One customer = one Automerge document, edited only through named, validating operations.
//!
//! Each operation checks its input first and returns a [`ModelError`] without touching the
//! document when it fails; on success it writes only the fields it changes (so concurrent
//! edits to other fields never conflict) and stamps `updated_at` / `updated_by`.

mod conflicts;
mod model;
mod ops;
mod projection;

use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use autosurgeon::{hydrate, reconcile};

pub use conflicts::{ConflictValue, FieldConflict};
pub use model::*;
pub use ops::{
    DealEdit, NewContact, NewCustomer, NewDeal, NewFollowUp, NewInteraction, NewOrder, ProfileEdit,
};
pub use projection::{NextFollowUp, SummaryRow};

use crate::error::ModelError;
use crate::id::Id;
use crate::values::Millis;

/// Layout version written by this build.
pub const SCHEMA_VERSION: u64 = 1;
const KIND: &str = "customer";

/// Who makes an edit, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// Member id.
    pub by: String,
    /// Time of the edit.
    pub at: Millis,
}

impl Stamp {
    /// A stamp for member `by` at time `at`.
    pub fn new(by: impl Into<String>, at: Millis) -> Self {
        Self { by: by.into(), at }
    }
}

/// A customer document.
#[derive(Debug, Clone)]
pub struct CustomerDoc {
    doc: AutoCommit,
}

impl CustomerDoc {
    /// Loads a saved customer. Random bytes, truncated saves and documents of another shape
    /// or a newer schema are errors, never panics.
    pub fn load(bytes: &[u8]) -> Result<Self, ModelError> {
        let doc = AutoCommit::load(bytes).map_err(|e| ModelError::Corrupt {
            reason: e.to_string(),
        })?;
        let loaded = Self { doc };
        loaded.check_layout()?;
        Ok(loaded)
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes made since the last `save` / `save_incremental`.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
    }

    /// Applies changes saved elsewhere (`save_incremental` output or a whole save).
    ///
    /// Like Automerge's `load_incremental`, every well-formed change chunk is applied and an
    /// unparseable tail is skipped; an error leaves the document unchanged.
    pub fn apply_changes(&mut self, bytes: &[u8]) -> Result<(), ModelError> {
        let mut next = self.doc.clone();
        next.load_incremental(bytes)
            .map_err(|e| ModelError::Corrupt {
                reason: e.to_string(),
            })?;
        Self { doc: next }.check_layout_into(&mut self.doc)
    }

    /// Merges another replica of the same customer into this one.
    pub fn merge(&mut self, other: &mut CustomerDoc) -> Result<(), ModelError> {
        let mut next = self.doc.clone();
        next.merge(&mut other.doc)
            .map_err(|e| ModelError::Corrupt {
                reason: e.to_string(),
            })?;
        Self { doc: next }.check_layout_into(&mut self.doc)
    }

    /// A copy that edits as a new actor (another device).
    pub fn fork(&mut self) -> Self {
        Self {
            doc: self.doc.fork(),
        }
    }

    /// The customer id stored in the document.
    pub fn id(&self) -> Result<String, ModelError> {
        autosurgeon::hydrate_prop(&self.doc, ROOT, "id").map_err(layout_error)
    }

    /// The whole customer, typed.
    pub fn customer(&self) -> Result<Customer, ModelError> {
        hydrate(&self.doc).map_err(layout_error)
    }

    /// Heads of the document (changes it includes), for comparing replicas.
    pub fn heads(&mut self) -> Vec<automerge::ChangeHash> {
        self.doc.get_heads()
    }

    fn check_layout(&self) -> Result<(), ModelError> {
        let version: u64 =
            autosurgeon::hydrate_prop(&self.doc, ROOT, "schema_version").map_err(layout_error)?;
        if version > SCHEMA_VERSION {
            return Err(ModelError::NewerSchema {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        // Version 1 is the first layout: there is nothing older to migrate yet. A later
        // version adds its migration here, keyed on `version`.
        self.customer().map(|_| ())
    }

    /// Replaces `target` with this document if it has a valid layout.
    fn check_layout_into(self, target: &mut AutoCommit) -> Result<(), ModelError> {
        self.check_layout()?;
        *target = self.doc;
        Ok(())
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
    ModelError::Layout {
        kind: KIND,
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests;
