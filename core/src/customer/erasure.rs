//! Erasing a customer for good. Automerge keeps every change, so removing a customer's content
//! takes a new document: an admin marks the customer `erased` (a change like any other, made
//! offline too), and the edge, once it has judged that change, stores in its place a fresh
//! document that holds only the id and the mark ([`CustomerDoc::tombstone`]); every device
//! replaces its copy with that one on its next contact.

use automerge::{AutoCommit, ROOT, ReadDoc};
use autosurgeon::{Reconcile, hydrate_prop, reconcile, reconcile_prop};

use super::{CustomerDoc, SCHEMA_VERSION, Stamp, layout_error, model::Erased};
use crate::error::ModelError;

/// All a tombstone holds.
#[derive(Reconcile)]
struct Tombstone {
    schema_version: u64,
    id: String,
    erased: Erased,
}

impl CustomerDoc {
    /// Marks the customer erased by `stamp`'s member (an admin): the edge then replaces the
    /// document with its [`CustomerDoc::tombstone`].
    pub fn erase(&mut self, stamp: &Stamp) -> Result<(), ModelError> {
        let erased = Erased {
            at: stamp.at,
            by: stamp.by.clone(),
        };
        reconcile_prop(&mut self.doc, ROOT, "erased", &erased).map_err(layout_error)
    }

    /// When and by whom the customer was erased (`None`: it was not).
    pub fn erased(&self) -> Option<Erased> {
        erased_in(&self.doc).ok().flatten()
    }

    /// A fresh document for customer `id` holding only `erased` — nothing of the customer's
    /// history, which stays behind in the document it replaces.
    pub fn tombstone(id: &str, erased: &Erased) -> Result<Self, ModelError> {
        let mut doc = AutoCommit::new();
        let tombstone = Tombstone {
            schema_version: SCHEMA_VERSION,
            id: id.to_owned(),
            erased: erased.clone(),
        };
        reconcile(&mut doc, &tombstone).map_err(layout_error)?;
        Ok(Self { doc })
    }
}

/// The `erased` mark of `doc`, checked for its layout.
pub(super) fn erased_in(doc: &AutoCommit) -> Result<Option<Erased>, ModelError> {
    if matches!(doc.get(ROOT, "erased"), Ok(None)) {
        return Ok(None);
    }
    hydrate_prop::<_, Option<Erased>, _, _>(doc, ROOT, "erased").map_err(layout_error)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{id, new_customer, stamp};
    use super::*;
    use crate::customer::ProfileEdit;
    use crate::document::CrmDocument;

    #[test]
    fn an_erasure_merged_with_edits_in_any_order_leaves_an_erased_customer() {
        let mut a = new_customer();
        let mut b = a.fork();
        let mut c = a.fork();
        a.erase(&stamp("boss", 2)).unwrap();
        b.edit_profile(ProfileEdit::Name("周芳芳".into()), &stamp("li", 2))
            .unwrap();
        c.add_interaction(
            &id("i9"),
            super::super::tests::interaction("回访", 2),
            &stamp("wang", 2),
        )
        .unwrap();
        let orders = [[0, 1, 2], [1, 0, 2], [2, 1, 0], [1, 2, 0]];
        for order in orders {
            let mut docs = [a.clone(), b.clone(), c.clone()];
            let mut merged = docs[order[0]].clone();
            for &i in &order[1..] {
                merged.merge(&mut docs[i]).unwrap();
            }
            assert_eq!(
                merged.erased().map(|e| e.by),
                Some("boss".into()),
                "{order:?}"
            );
            assert!(matches!(merged.customer(), Err(ModelError::Erased { .. })));
            assert!(matches!(merged.summary(), Err(ModelError::Erased { .. })));
        }
    }

    #[test]
    fn a_tombstone_holds_only_the_id_and_the_erasure() {
        let mut customer = new_customer();
        customer
            .edit_profile(ProfileEdit::Name("周芳".into()), &stamp("li", 1))
            .unwrap();
        let erased = Erased {
            at: 5,
            by: "boss".into(),
        };
        let id = customer.id().unwrap();
        let mut tombstone = CustomerDoc::tombstone(&id, &erased).unwrap();
        let bytes = tombstone.save();
        let loaded = CustomerDoc::load(&bytes).unwrap();
        assert_eq!(loaded.erased(), Some(erased));
        assert_eq!(loaded.id().unwrap(), id);
        let keys: Vec<String> = loaded.doc.keys(ROOT).collect();
        assert_eq!(keys, ["erased", "id", "schema_version"]);
        assert!(!bytes.windows("周芳".len()).any(|w| w == "周芳".as_bytes()));
    }
}
