//! A checked row written into a customer: a new document, or an update of the customer the
//! row already is — empty profile fields filled, contact points and tags it lacks added,
//! notes appended — never overwriting what the team wrote.

use super::check::Candidate;
use crate::CustomerDoc;
use crate::customer::ProfileEdit;
use crate::document::Stamp;
use crate::error::ModelError;
use crate::id::Id;

/// The customer `candidate` describes, as a new document with id `id`.
pub fn create(id: &Id, candidate: &Candidate, stamp: &Stamp) -> Result<CustomerDoc, ModelError> {
    let contacts = (candidate.contacts.iter())
        .map(|c| (Id::random(), c.clone()))
        .collect();
    let new = candidate.new.clone();
    CustomerDoc::create_with(id, new, contacts, &candidate.tags, &candidate.notes, stamp)
}

/// Adds to customer `doc` what `candidate` knows and it lacks; whether anything changed. On
/// error `doc` may hold the additions made before it (the caller forks first to keep none).
pub fn update(
    doc: &mut CustomerDoc,
    candidate: &Candidate,
    stamp: &Stamp,
) -> Result<bool, ModelError> {
    let customer = doc.customer()?;
    let profile = &customer.profile;
    let mut changed = false;
    let fills = [
        (
            &profile.name_latin,
            &candidate.new.name_latin,
            ProfileEdit::NameLatin as fn(String) -> ProfileEdit,
        ),
        (
            &profile.company,
            &candidate.new.company,
            ProfileEdit::Company,
        ),
        (&profile.title, &candidate.new.title, ProfileEdit::Title),
    ];
    for (now, sheet, edit) in fills {
        if now.is_empty() && !sheet.is_empty() {
            doc.edit_profile(edit(sheet.clone()), stamp)?;
            changed = true;
        }
    }
    let held: Vec<_> = (customer.contacts.values())
        .map(|c| (c.kind, c.normalized.clone()))
        .collect();
    for (contact, key) in candidate.contacts.iter().zip(&candidate.keys) {
        if !held.contains(key) {
            let primary = !held.iter().any(|(kind, _)| *kind == contact.kind) && contact.primary;
            let contact = crate::customer::NewContact {
                primary,
                ..contact.clone()
            };
            doc.add_contact(&Id::random(), contact, stamp)?;
            changed = true;
        }
    }
    for tag in &candidate.tags {
        if !customer.tags.contains_key(tag) {
            doc.add_tag(tag, stamp)?;
            changed = true;
        }
    }
    let notes = customer.notes.as_str();
    if !candidate.notes.is_empty() && !notes.contains(&candidate.notes) {
        let joined = match notes.is_empty() {
            true => candidate.notes.clone(),
            false => format!("{notes}\n{}", candidate.notes),
        };
        doc.set_notes(&joined, stamp)?;
        changed = true;
    }
    Ok(changed)
}
