//! A shown customer brought up to date after a change: only the parts the change touched are
//! read again, and of a collection only the entries it touched (a teammate's tag on an open
//! page reads that tag, not every interaction).

use std::collections::{BTreeMap, BTreeSet};

use automerge::{AutoCommit, ChangeHash, ObjType, Prop, ROOT, ReadDoc, Value};
use automerge::{Patch, PatchAction};
use autosurgeon::{Hydrate, hydrate_prop};

use super::{Customer, CustomerDoc};
use crate::document::CrmDocument;
use crate::error::ModelError;

/// Top-level key → the entries of it touched (`None`: all of it).
type Touched = BTreeMap<String, Option<BTreeSet<String>>>;

impl CustomerDoc {
    /// Brings `customer`, read at heads `at`, to the document as it stands, and returns the
    /// heads it is then at. Only the parts changed since `at` are read again; all of it when
    /// that cannot be told (heads this document does not have, a part taken out). The result
    /// always equals [`CustomerDoc::customer`].
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
        let touched = known.then(|| touched(&self.doc.diff(at, &heads))).flatten();
        let partly = self.erased().is_none()
            && touched.is_some_and(|touched| {
                (touched.iter()).all(|(part, entries)| {
                    read_again(&self.doc, customer, part, entries.as_ref()).is_some()
                })
            });
        if !partly {
            *customer = self.customer()?;
        }
        Ok(heads)
    }
}

/// What `patches` touch (`None`: a top-level key taken out, which only a whole read tells
/// apart from a part's absent form, or a change this cannot place).
fn touched(patches: &[Patch]) -> Option<Touched> {
    let mut touched = Touched::new();
    for patch in patches {
        let (part, entry) = match (patch.path.as_slice(), &patch.action) {
            ([(_, Prop::Map(part)), (_, Prop::Map(entry)), ..], _) => (part, Some(entry)),
            // On the part's own object: an entry put, taken out or in conflict.
            ([(_, Prop::Map(part))], action) => (part, map_key(action)),
            ([(_, Prop::Map(part)), ..], _) => (part, None),
            ([], action @ (PatchAction::PutMap { .. } | PatchAction::Conflict { .. })) => {
                (map_key(action)?, None)
            }
            _ => return None,
        };
        let entries = touched
            .entry(part.clone())
            .or_insert_with(|| Some(BTreeSet::new()));
        match (entries.as_mut(), entry) {
            (Some(entries), Some(entry)) => {
                entries.insert(entry.clone());
            }
            (_, None) => *entries = None,
            (None, Some(_)) => {}
        }
    }
    Some(touched)
}

/// The map key an action is at, if it is at one.
fn map_key(action: &PatchAction) -> Option<&String> {
    match action {
        PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => Some(key),
        PatchAction::Conflict {
            prop: Prop::Map(key),
        }
        | PatchAction::Increment {
            prop: Prop::Map(key),
            ..
        } => Some(key),
        _ => None,
    }
}

/// Reads part `key` of the document into `customer` — of a collection, only `entries` when
/// given (keys a customer does not hold, such as the edge's merge records, are left). `None`
/// when it does not read: the caller then reads the whole customer, which says why.
fn read_again(
    doc: &AutoCommit,
    customer: &mut Customer,
    key: &str,
    entries: Option<&BTreeSet<String>>,
) -> Option<()> {
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
    match key {
        "schema_version" => *schema_version = hydrate_prop(doc, ROOT, key).ok()?,
        "id" => *id = hydrate_prop(doc, ROOT, key).ok()?,
        "profile" => *profile = hydrate_prop(doc, ROOT, key).ok()?,
        "contacts" => read_entries(doc, contacts, key, entries)?,
        "tags" => read_entries(doc, tags, key, entries)?,
        "auto_tags" => read_entries(doc, auto_tags, key, entries)?,
        "rule_firings" => read_entries(doc, rule_firings, key, entries)?,
        "custom" => read_entries(doc, custom, key, entries)?,
        "deals" => read_entries(doc, deals, key, entries)?,
        "follow_ups" => read_entries(doc, follow_ups, key, entries)?,
        "interactions" => read_entries(doc, interactions, key, entries)?,
        "orders" => read_entries(doc, orders, key, entries)?,
        "notes" => *notes = hydrate_prop(doc, ROOT, key).ok()?,
        "created_at" => *created_at = hydrate_prop(doc, ROOT, key).ok()?,
        "created_by" => *created_by = hydrate_prop(doc, ROOT, key).ok()?,
        "updated_at" => *updated_at = hydrate_prop(doc, ROOT, key).ok()?,
        "updated_by" => *updated_by = hydrate_prop(doc, ROOT, key).ok()?,
        "archived" => *archived = hydrate_prop(doc, ROOT, key).ok()?,
        "merged_into" => *merged_into = hydrate_prop(doc, ROOT, key).ok()?,
        _ => {}
    }
    Some(())
}

/// Reads collection `key` into `map`: only `entries` when given (each read again, or taken
/// out when gone), else all of it.
fn read_entries<T: Hydrate>(
    doc: &AutoCommit,
    map: &mut BTreeMap<String, T>,
    key: &str,
    entries: Option<&BTreeSet<String>>,
) -> Option<()> {
    let Some(entries) = entries else {
        *map = hydrate_prop(doc, ROOT, key).ok()?;
        return Some(());
    };
    let Ok(Some((Value::Object(ObjType::Map), collection))) = doc.get(ROOT, key) else {
        return None;
    };
    for entry in entries {
        if doc.get(&collection, entry.as_str()).ok()?.is_some() {
            let value = hydrate_prop(doc, &collection, entry.as_str()).ok()?;
            map.insert(entry.clone(), value);
        } else {
            map.remove(entry);
        }
    }
    Some(())
}
