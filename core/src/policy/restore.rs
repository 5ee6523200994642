//! The compensating change: an entry put back as it was at earlier heads (a deleted entry
//! written again, an added one deleted, an edited one set back field by field).

use std::borrow::Cow;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ChangeHash, ObjId, ObjType, ReadDoc, Value};

/// The object at `path` now (`heads: None`) or at `heads`.
pub(super) fn object_at(
    doc: &AutoCommit,
    path: &[String],
    heads: Option<&[ChangeHash]>,
) -> Option<ObjId> {
    let mut obj = automerge::ROOT;
    for key in path {
        let found = match heads {
            Some(heads) => doc.get_at(&obj, key.as_str(), heads),
            None => doc.get(&obj, key.as_str()),
        };
        obj = match found.ok()?? {
            (Value::Object(ObjType::Map), id) => id,
            _ => return None,
        };
    }
    Some(obj)
}

/// Puts `path` back as it was at `before`; returns whether anything changed.
pub(super) fn restore_path(
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    path: &[String],
) -> Result<bool, AutomergeError> {
    let Some((last, parent)) = path.split_last() else {
        return Ok(false);
    };
    let (Some(now), Some(then)) = (
        object_at(doc, parent, None),
        object_at(doc, parent, Some(before)),
    ) else {
        // The parent itself was added, removed or replaced: put the parent back.
        return restore_path(doc, before, parent);
    };
    put_back(doc, before, &now, &then, last)
}

/// Makes key `key` of map `now` what it was in map `then` at `before`.
fn put_back(
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    now: &ObjId,
    then: &ObjId,
    key: &str,
) -> Result<bool, AutomergeError> {
    let was = doc.get_at(then, key, before)?;
    let is = doc.get(now, key)?;
    match (was, is) {
        (None, None) => Ok(false),
        (None, Some(_)) => doc.delete(now, key).map(|_| true),
        (Some((Value::Scalar(old), _)), Some((Value::Scalar(new), _))) if old == new => Ok(false),
        (Some((Value::Scalar(old), _)), _) => doc.put(now, key, old.into_owned()).map(|_| true),
        (Some((Value::Object(kind), old)), Some((Value::Object(_), new))) if old == new => {
            copy_into(doc, before, &old, &new, kind)
        }
        (Some((Value::Object(kind), old)), _) => {
            let new = doc.put_object(now, key, kind)?;
            copy_into(doc, before, &old, &new, kind).map(|_| true)
        }
    }
}

/// Makes object `target` (now) hold what object `source` held at `before`.
fn copy_into(
    doc: &mut AutoCommit,
    before: &[ChangeHash],
    source: &ObjId,
    target: &ObjId,
    kind: ObjType,
) -> Result<bool, AutomergeError> {
    match kind {
        ObjType::Map | ObjType::Table => {
            let old_keys: Vec<String> = doc
                .map_range_at(source, .., before)
                .map(|item| item.key.to_string())
                .collect();
            let new_keys: Vec<String> = doc
                .map_range(target, ..)
                .map(|item| item.key.to_string())
                .collect();
            let mut changed = false;
            for key in new_keys.iter().filter(|k| !old_keys.contains(k)) {
                doc.delete(target, key.as_str())?;
                changed = true;
            }
            for key in &old_keys {
                changed |= put_back(doc, before, target, source, key)?;
            }
            Ok(changed)
        }
        ObjType::Text => {
            let old = doc.text_at(source, before)?;
            let new = doc.text(target)?;
            if old == new {
                return Ok(false);
            }
            let length = doc.length(target) as isize;
            doc.splice_text(target, 0, length, &old)?;
            Ok(true)
        }
        ObjType::List => {
            // Lists are append-only in the schema: keep the common start, put back the rest.
            let old: Vec<(ObjId, Value<'static>)> = doc
                .list_range_at(source, .., before)
                .map(|item| (item.id(), item.value.into_value()))
                .collect();
            let new: Vec<(ObjId, Value<'static>)> = doc
                .list_range(target, ..)
                .map(|item| (item.id(), item.value.into_value()))
                .collect();
            let same = old
                .iter()
                .zip(&new)
                .take_while(|(a, b)| same_item(a, b))
                .count();
            if same == old.len() && same == new.len() {
                return Ok(false);
            }
            for index in (same..new.len()).rev() {
                doc.delete(target, index)?;
            }
            for (index, (id, value)) in old.into_iter().enumerate().skip(same) {
                match value {
                    Value::Scalar(scalar) => doc.insert(target, index, scalar.into_owned())?,
                    Value::Object(kind) => {
                        let inserted = doc.insert_object(target, index, kind)?;
                        copy_into(doc, before, &id, &inserted, kind)?;
                    }
                }
            }
            Ok(true)
        }
    }
}

fn same_item(a: &(ObjId, Value<'_>), b: &(ObjId, Value<'_>)) -> bool {
    match (&a.1, &b.1) {
        (Value::Scalar(x), Value::Scalar(y)) => Cow::as_ref(x) == Cow::as_ref(y),
        (Value::Object(_), Value::Object(_)) => a.0 == b.0,
        _ => false,
    }
}
