//! A shown customer brought up to date after a change: only the parts the change touched are
//! read again (a teammate's tag on an open page reads the tags, not every interaction).

use automerge::{AutoCommit, ChangeHash, Prop, ROOT};
use automerge::{Patch, PatchAction};
use autosurgeon::{HydrateError, hydrate_prop};

use super::{Customer, CustomerDoc, layout_error};
use crate::document::CrmDocument;
use crate::error::ModelError;

impl CustomerDoc {
    /// Brings `customer`, read at heads `at`, to the document as it stands, and returns the
    /// heads it is then at. Only the top-level parts changed since `at` are read again; all
    /// of it when that cannot be told (heads this document does not have, a part taken out).
    /// The result always equals [`CustomerDoc::customer`].
    pub fn refresh(
        &mut self,
        customer: &mut Customer,
        at: &[ChangeHash],
    ) -> Result<Vec<ChangeHash>, ModelError> {
        let heads = self.heads();
        if heads == at {
            return Ok(heads);
        }
        // Heads this document lacks (another copy's, one rolled back) are missing deps of it.
        let known = self.doc.get_missing_deps(at).is_empty();
        let touched = known
            .then(|| touched_parts(&self.doc.diff(at, &heads)))
            .flatten();
        let partly = self.erased().is_none()
            && touched.is_some_and(|parts| {
                (parts.iter()).all(|part| read_again(&self.doc, customer, part).is_ok())
            });
        if !partly {
            *customer = self.customer()?;
        }
        Ok(heads)
    }
}

/// The top-level keys `patches` change (`None`: one is taken out, which a part's absent form
/// says, or a change this cannot place).
fn touched_parts(patches: &[Patch]) -> Option<Vec<String>> {
    let mut parts: Vec<String> = Vec::new();
    for patch in patches {
        let part = match (patch.path.first(), &patch.action) {
            (Some((_, Prop::Map(key))), _) => key,
            (None, PatchAction::PutMap { key, .. }) => key,
            (
                None,
                PatchAction::Conflict {
                    prop: Prop::Map(key),
                },
            ) => key,
            (
                None,
                PatchAction::Increment {
                    prop: Prop::Map(key),
                    ..
                },
            ) => key,
            _ => return None,
        };
        if !parts.contains(part) {
            parts.push(part.clone());
        }
    }
    Some(parts)
}

/// Reads part `key` of the document into `customer` (keys a customer does not hold, such as
/// the edge's merge records, are left).
fn read_again(doc: &AutoCommit, customer: &mut Customer, key: &str) -> Result<(), ModelError> {
    // Every field named: a field added to `Customer` must be added here too.
    let Customer {
        schema_version,
        id,
        profile,
        contacts,
        tags,
        auto_tags,
        rule_firings,
        custom,
        deals,
        follow_ups,
        interactions,
        orders,
        notes,
        created_at,
        created_by,
        updated_at,
        updated_by,
        archived,
        merged_into,
    } = customer;
    let read: Result<(), HydrateError> = match key {
        "schema_version" => hydrate_prop(doc, ROOT, key).map(|v| *schema_version = v),
        "id" => hydrate_prop(doc, ROOT, key).map(|v| *id = v),
        "profile" => hydrate_prop(doc, ROOT, key).map(|v| *profile = v),
        "contacts" => hydrate_prop(doc, ROOT, key).map(|v| *contacts = v),
        "tags" => hydrate_prop(doc, ROOT, key).map(|v| *tags = v),
        "auto_tags" => hydrate_prop(doc, ROOT, key).map(|v| *auto_tags = v),
        "rule_firings" => hydrate_prop(doc, ROOT, key).map(|v| *rule_firings = v),
        "custom" => hydrate_prop(doc, ROOT, key).map(|v| *custom = v),
        "deals" => hydrate_prop(doc, ROOT, key).map(|v| *deals = v),
        "follow_ups" => hydrate_prop(doc, ROOT, key).map(|v| *follow_ups = v),
        "interactions" => hydrate_prop(doc, ROOT, key).map(|v| *interactions = v),
        "orders" => hydrate_prop(doc, ROOT, key).map(|v| *orders = v),
        "notes" => hydrate_prop(doc, ROOT, key).map(|v| *notes = v),
        "created_at" => hydrate_prop(doc, ROOT, key).map(|v| *created_at = v),
        "created_by" => hydrate_prop(doc, ROOT, key).map(|v| *created_by = v),
        "updated_at" => hydrate_prop(doc, ROOT, key).map(|v| *updated_at = v),
        "updated_by" => hydrate_prop(doc, ROOT, key).map(|v| *updated_by = v),
        "archived" => hydrate_prop(doc, ROOT, key).map(|v| *archived = v),
        "merged_into" => hydrate_prop(doc, ROOT, key).map(|v| *merged_into = v),
        _ => Ok(()),
    };
    read.map_err(layout_error)
}
