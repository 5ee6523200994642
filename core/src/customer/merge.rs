//! One record per real person: merging a customer into another, and undoing it.
//!
//! A manager marks the duplicate `merged_into` the survivor ([`CustomerDoc::merge_into`]), a
//! change like any other, made offline too. The edge then carries what the duplicate holds
//! into the survivor ([`CustomerDoc::carry`]): contact points it lacks, deals, follow-ups,
//! interactions, orders, manual tags, custom values, the profile fields the manager took from
//! the duplicate and its notes — and, each time the duplicate changes later (a device that
//! edited it offline), what changed since. Everything carried is recorded in the survivor's
//! `merges`, so an unmerge ([`CustomerDoc::unmerge`] on the duplicate, within
//! [`UNMERGE_DAYS`]) takes it out again ([`CustomerDoc::uncarry`]): entries edited in the
//! survivor meanwhile go back to the duplicate as edited, what was added to the survivor since
//! stays there, and the duplicate was never emptied.

use std::collections::BTreeSet;

use automerge::{ChangeHash, ROOT, ReadDoc, transaction::Transactable};
use autosurgeon::hydrate_path;

use super::{CustomerDoc, Stamp, layout_error, model::*};
use crate::document::CrmDocument;
use crate::error::ModelError;
use crate::id::Id;
use crate::values::DAY_MS;

/// The profile fields a survivor may take from the customer merged into it.
pub const MERGE_FIELDS: [&str; 7] = [
    "name",
    "name_latin",
    "company",
    "title",
    "owner",
    "source",
    "lifecycle",
];

/// Collections whose entries a merge unites, by id.
const UNITED: [&str; 6] = [
    "contacts",
    "deals",
    "follow_ups",
    "interactions",
    "orders",
    "custom",
];

impl CustomerDoc {
    /// Marks this customer merged into customer `into`, the survivor taking `take` (of
    /// [`MERGE_FIELDS`]) from this one; the edge carries the rest.
    pub fn merge_into(
        &mut self,
        into: &Id,
        take: &[&str],
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let refuse = |reason: &'static str| Err(ModelError::NotMergeable { reason });
        if into.as_str() == self.id()? {
            return refuse("a customer is not merged into itself");
        }
        if self.merged_into().is_some() {
            return refuse("the customer is merged already");
        }
        if let Some(field) = take.iter().find(|f| !MERGE_FIELDS.contains(f)) {
            return Err(ModelError::UnknownField {
                field: (*field).to_owned(),
            });
        }
        let merged = Merged {
            into: into.as_str().to_owned(),
            at: stamp.at,
            by: stamp.by.clone(),
            take: take.iter().map(|f| (*f).to_owned()).collect(),
            undone: None,
        };
        self.put(&ROOT, "merged_into", Some(merged))?;
        self.touch(stamp)
    }

    /// Undoes this customer's merge, within [`UNMERGE_DAYS`] of it; the edge takes what it
    /// carried out of the survivor.
    pub fn unmerge(&mut self, stamp: &Stamp) -> Result<(), ModelError> {
        let Some(mut merged) = self.merged().filter(|m| m.undone.is_none()) else {
            return Err(ModelError::NotMergeable {
                reason: "the customer is not merged",
            });
        };
        if stamp.at > merged.at.saturating_add(UNMERGE_DAYS * DAY_MS) {
            return Err(ModelError::MergeWindow { days: UNMERGE_DAYS });
        }
        merged.undone = Some(Unmerged {
            at: stamp.at,
            by: stamp.by.clone(),
        });
        self.put(&ROOT, "merged_into", Some(merged))?;
        self.touch(stamp)
    }

    /// Undoes this customer's merge whenever it was made, in the name of whoever made it: the
    /// edge's answer to two customers merged into each other.
    pub(crate) fn cancel_merge(&mut self, at: crate::values::Millis) -> Result<(), ModelError> {
        let Some(merged) = self.merged().filter(|m| m.undone.is_none()) else {
            return Ok(());
        };
        let stamp = Stamp::new(merged.by.as_str(), at);
        let merged = Merged {
            undone: Some(Unmerged {
                at,
                by: merged.by.clone(),
            }),
            ..merged
        };
        self.put(&ROOT, "merged_into", Some(merged))?;
        self.touch(&stamp)
    }

    /// This customer's merge, undone or not (`None`: never merged).
    pub fn merged(&self) -> Option<Merged> {
        if matches!(self.doc.get(ROOT, "merged_into"), Ok(None)) {
            return None;
        }
        hydrate_path::<_, Option<Merged>, _>(&self.doc, &ROOT, ["merged_into".into()])
            .ok()
            .flatten()
            .flatten()
    }

    /// The survivor's id while this customer is merged into it.
    pub fn merged_into(&self) -> Option<String> {
        self.merged().filter(|m| m.undone.is_none()).map(|m| m.into)
    }

    /// What was carried into this customer from merged-away customer `id`.
    pub(crate) fn merge_record(&self, id: &str) -> Option<MergeRecord> {
        hydrate_path::<_, Option<MergeRecord>, _>(&self.doc, &ROOT, ["merges".into(), id.into()])
            .ok()
            .flatten()
            .flatten()
    }

    /// Carries into this customer (the survivor) what `loser`, merged into it, holds — or,
    /// after the first time, what changed in `loser` since it was last carried. Returns
    /// whether this customer changed.
    pub(crate) fn carry(
        &mut self,
        loser: &mut CustomerDoc,
        stamp: &Stamp,
    ) -> Result<bool, ModelError> {
        let id = self.id()?;
        let Some(merged) = loser
            .merged()
            .filter(|m| m.undone.is_none() && m.into == id)
        else {
            return Ok(false);
        };
        let loser_id = loser.id()?;
        let first = self.merge_record(&loser_id).is_none();
        let mut record = self.merge_record(&loser_id).unwrap_or_default();
        let since: Vec<ChangeHash> = (record.carried.iter())
            .filter_map(|hex| hex.parse().ok())
            .collect();
        let heads = loser.heads();
        if !first && sorted(&since) == sorted(&heads) {
            return Ok(false);
        }
        let touched = crate::touched::touched(&mut loser.doc, &since);
        let from = loser.customer()?;
        let into = self.customer()?;
        for path in &touched {
            match (path[0].as_str(), path.get(1)) {
                (collection, Some(key)) if UNITED.contains(&collection) => {
                    self.carry_entry(&from, &into, collection, key, &mut record)?
                }
                ("tags", Some(tag)) => self.carry_tag(&from, &into, tag, &mut record)?,
                ("profile", Some(field)) => {
                    let carried = match first {
                        true => merged.take.contains(field),
                        false => field != "owner",
                    };
                    if carried && MERGE_FIELDS.contains(&field.as_str()) {
                        self.carry_field(&from, field, &mut record)?;
                    }
                }
                ("notes", _) => self.carry_notes(&from, &mut record)?,
                _ => {}
            }
        }
        record.carried = sorted(&heads);
        self.put_record(&loser_id, Some(record))?;
        self.touch(stamp)?;
        Ok(true)
    }

    /// Takes out of this customer (the survivor) what was carried from `loser`, whose merge
    /// was undone: entries edited here since go back to `loser` as edited. Returns whether
    /// this customer and `loser` changed.
    pub(crate) fn uncarry(
        &mut self,
        loser: &mut CustomerDoc,
        stamp: &Stamp,
    ) -> Result<(bool, bool), ModelError> {
        let loser_id = loser.id()?;
        let Some(record) = self.merge_record(&loser_id) else {
            return Ok((false, false));
        };
        if loser.merged_into().is_some() {
            return Ok((false, false));
        }
        let mut loser_changed = false;
        for entry in &record.entries {
            let Some((collection, key)) = entry.split_once('/') else {
                continue;
            };
            let here = self.entry_value(collection, key)?;
            let there = loser.entry_value(collection, key)?;
            if let Some(value) = &here
                && !same_entry(collection, Some(value), there.as_ref())
            {
                loser.put_entry(collection, key, value)?;
                loser_changed = true;
            }
            if here.is_some() {
                let parent = self.collection_obj(collection)?;
                self.doc.delete(&parent, key).map_err(layout_error)?;
            }
        }
        let profile = self.child(&ROOT, "profile", "profile", "profile")?;
        for (field, taken) in &record.profile {
            let now: Option<String> =
                autosurgeon::hydrate_prop(&self.doc, &profile, field.as_str())
                    .map_err(layout_error)?;
            if now.as_deref() == Some(taken.after.as_str()) {
                self.put(&profile, field, taken.before.as_str())?;
            }
        }
        if let Some(taken) = &record.notes
            && self.customer()?.notes.as_str() == taken.after
        {
            let notes = self.collection("notes")?;
            self.doc
                .update_text(&notes, &taken.before)
                .map_err(layout_error)?;
        }
        self.put_record(&loser_id, None)?;
        self.touch(stamp)?;
        Ok((true, loser_changed))
    }

    /// Entry `key` of `collection` carried from `from` (or, gone there, taken out here).
    fn carry_entry(
        &mut self,
        from: &Customer,
        into: &Customer,
        collection: &str,
        key: &str,
        record: &mut MergeRecord,
    ) -> Result<(), ModelError> {
        let path = format!("{collection}/{key}");
        let recorded = record.entries.contains(&path);
        let Some(mut value) = entry_of(from, collection, key) else {
            if recorded {
                record.entries.retain(|e| *e != path);
                if let Ok(parent) = self.collection_obj(collection) {
                    self.doc.delete(&parent, key).map_err(layout_error)?;
                }
            }
            return Ok(());
        };
        let own = entry_of(into, collection, key).is_some() && !recorded;
        if let Entry::Contact(point) = &mut value {
            // The same point under another id is not a second one; a carried point is not
            // the survivor's preferred one where it has its own.
            let held = (into.contacts.iter()).any(|(id, c)| {
                id != key && c.kind == point.kind && c.normalized == point.normalized
            });
            if held && !recorded {
                return Ok(());
            }
            point.primary &= !(into.contacts.iter())
                .any(|(id, c)| id != key && c.kind == point.kind && c.primary);
        }
        // The survivor's own custom value stays; an entry id it has already is its own.
        if own {
            return Ok(());
        }
        self.put_entry(collection, key, &value)?;
        if !recorded {
            record.entries.push(path);
        }
        Ok(())
    }

    /// Manual tag `tag` carried from `from` when the survivor lacks it (or taken out, gone
    /// there).
    fn carry_tag(
        &mut self,
        from: &Customer,
        into: &Customer,
        tag: &str,
        record: &mut MergeRecord,
    ) -> Result<(), ModelError> {
        let path = format!("tags/{tag}");
        let recorded = record.entries.contains(&path);
        let tags = self.collection("tags")?;
        match from.tags.get(tag) {
            Some(added) if !into.tags.contains_key(tag) || recorded => {
                self.put(&tags, tag, added.clone())?;
                if !recorded {
                    record.entries.push(path);
                }
            }
            None if recorded => {
                record.entries.retain(|e| *e != path);
                self.doc.delete(&tags, tag).map_err(layout_error)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Profile field `field` set to `from`'s value, its value before recorded once.
    fn carry_field(
        &mut self,
        from: &Customer,
        field: &str,
        record: &mut MergeRecord,
    ) -> Result<(), ModelError> {
        let value = profile_field(&from.profile, field);
        let profile = self.child(&ROOT, "profile", "profile", "profile")?;
        let before: String =
            autosurgeon::hydrate_prop(&self.doc, &profile, field).map_err(layout_error)?;
        if before == value && !record.profile.contains_key(field) {
            return Ok(());
        }
        self.put(&profile, field, value.as_str())?;
        let taken = record.profile.entry(field.to_owned()).or_insert(Taken {
            before,
            after: String::new(),
        });
        taken.after = value;
        Ok(())
    }

    /// `from`'s notes after the survivor's own (written again in place while the survivor's
    /// notes are as the merge left them; else appended if not there yet).
    fn carry_notes(&mut self, from: &Customer, record: &mut MergeRecord) -> Result<(), ModelError> {
        let theirs = from.notes.as_str().trim();
        let now = self.customer()?.notes.as_str().to_owned();
        let before = match &record.notes {
            Some(taken) if taken.after == now => taken.before.clone(),
            _ if theirs.is_empty() || now.contains(theirs) => return Ok(()),
            _ => now.clone(),
        };
        let after = match (before.trim().is_empty(), theirs.is_empty()) {
            (_, true) => before.clone(),
            (true, false) => theirs.to_owned(),
            (false, false) => format!("{before}\n\n{theirs}"),
        };
        if after.chars().count() > super::ops::MAX_NOTES {
            // The survivor's notes are full: the duplicate's stay in the duplicate.
            return Ok(());
        }
        let notes = self.collection("notes")?;
        self.doc.update_text(&notes, &after).map_err(layout_error)?;
        let before = record.notes.take().map_or(before, |taken| taken.before);
        record.notes = Some(Taken { before, after });
        Ok(())
    }

    /// Writes `merges/{id}` (or deletes it).
    fn put_record(&mut self, id: &str, record: Option<MergeRecord>) -> Result<(), ModelError> {
        let merges = match self.doc.get(ROOT, "merges").map_err(layout_error)? {
            Some((automerge::Value::Object(automerge::ObjType::Map), obj)) => obj,
            _ => self
                .doc
                .put_object(ROOT, "merges", automerge::ObjType::Map)
                .map_err(layout_error)?,
        };
        match record {
            Some(record) => self.put(&merges, id, record),
            None => self.doc.delete(&merges, id).map_err(layout_error),
        }
    }

    /// The root collection `collection`'s object.
    fn collection_obj(&self, collection: &str) -> Result<automerge::ObjId, ModelError> {
        let name = UNITED
            .into_iter()
            .chain(["tags"])
            .find(|c| *c == collection)
            .ok_or_else(|| ModelError::UnknownField {
                field: collection.to_owned(),
            })?;
        self.collection(name)
    }

    /// Entry `key` of `collection` (`tags` included), typed.
    fn entry_value(&self, collection: &str, key: &str) -> Result<Option<Entry>, ModelError> {
        let path: [autosurgeon::Prop<'_>; 2] = [collection.into(), key.into()];
        let read = |_: ()| -> Result<Option<Entry>, autosurgeon::HydrateError> {
            Ok(match collection {
                "contacts" => hydrate_path(&self.doc, &ROOT, path.clone())?.map(Entry::Contact),
                "deals" => hydrate_path(&self.doc, &ROOT, path.clone())?.map(Entry::Deal),
                "follow_ups" => hydrate_path(&self.doc, &ROOT, path.clone())?.map(Entry::FollowUp),
                "interactions" => {
                    hydrate_path(&self.doc, &ROOT, path.clone())?.map(Entry::Interaction)
                }
                "orders" => hydrate_path(&self.doc, &ROOT, path.clone())?.map(Entry::Order),
                "custom" => hydrate_path(&self.doc, &ROOT, path.clone())?.map(Entry::Custom),
                "tags" => hydrate_path(&self.doc, &ROOT, path.clone())?.map(Entry::Tag),
                _ => None,
            })
        };
        read(()).map_err(layout_error)
    }

    /// Writes `value` as entry `key` of `collection`.
    fn put_entry(&mut self, collection: &str, key: &str, value: &Entry) -> Result<(), ModelError> {
        let parent = self.collection_obj(collection)?;
        match value {
            Entry::Contact(v) => self.put(&parent, key, v.clone()),
            Entry::Deal(v) => self.put(&parent, key, v.clone()),
            Entry::FollowUp(v) => self.put(&parent, key, v.clone()),
            Entry::Interaction(v) => self.put(&parent, key, v.clone()),
            Entry::Order(v) => self.put(&parent, key, v.clone()),
            Entry::Custom(v) => self.put(&parent, key, v.clone()),
            Entry::Tag(v) => self.put(&parent, key, v.clone()),
        }
    }
}

/// An entry of one of the united collections.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Contact(ContactPoint),
    Deal(Deal),
    FollowUp(FollowUp),
    Interaction(Interaction),
    Order(Order),
    Custom(CustomValue),
    Tag(ManualTag),
}

/// Entry `key` of `collection` in `customer`.
fn entry_of(customer: &Customer, collection: &str, key: &str) -> Option<Entry> {
    match collection {
        "contacts" => customer.contacts.get(key).cloned().map(Entry::Contact),
        "deals" => customer.deals.get(key).cloned().map(Entry::Deal),
        "follow_ups" => customer.follow_ups.get(key).cloned().map(Entry::FollowUp),
        "interactions" => customer
            .interactions
            .get(key)
            .cloned()
            .map(Entry::Interaction),
        "orders" => customer.orders.get(key).cloned().map(Entry::Order),
        "custom" => customer.custom.get(key).cloned().map(Entry::Custom),
        "tags" => customer.tags.get(key).cloned().map(Entry::Tag),
        _ => None,
    }
}

/// Whether two versions of an entry say the same (a contact point's preferred flag aside,
/// which a merge may have taken off).
fn same_entry(collection: &str, a: Option<&Entry>, b: Option<&Entry>) -> bool {
    match (a, b) {
        (Some(Entry::Contact(a)), Some(Entry::Contact(b))) if collection == "contacts" => {
            (a.kind, &a.value, &a.normalized, &a.label)
                == (b.kind, &b.value, &b.normalized, &b.label)
        }
        _ => a == b,
    }
}

/// Profile field `field` as stored text.
fn profile_field(profile: &Profile, field: &str) -> String {
    match field {
        "name" => profile.name.clone(),
        "name_latin" => profile.name_latin.clone(),
        "company" => profile.company.clone(),
        "title" => profile.title.clone(),
        "owner" => profile.owner.clone(),
        "source" => profile.source.as_str().to_owned(),
        _ => profile.lifecycle.as_str().to_owned(),
    }
}

fn sorted(heads: &[ChangeHash]) -> Vec<String> {
    let hex: BTreeSet<String> = heads.iter().map(ToString::to_string).collect();
    hex.into_iter().collect()
}
