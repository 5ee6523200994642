//! Fields that two people changed at the same time.
//!
//! Automerge keeps every concurrent value of a field and picks the same winner on every
//! replica. This module lists the fields that currently hold more than one value, so the UI
//! can show "changed by two people at once" and let someone pick; picking writes the chosen
//! value again, which supersedes all of them.

use automerge::{ObjId, ObjType, ROOT, ReadDoc, Value, ValueRef, transaction::Transactable};

use super::{CustomerDoc, Stamp, layout_error};
use crate::error::ModelError;

/// Bookkeeping fields whose concurrent values are not worth a person's attention.
const IGNORED: [&str; 2] = ["updated_at", "updated_by"];

/// One of the concurrent values of a field.
#[derive(Debug, Clone, PartialEq)]
pub enum ConflictValue {
    /// A scalar, rendered as text (strings without quotes).
    Scalar(String),
    /// A nested object (a whole map or list was replaced concurrently).
    Object,
}

/// A field holding concurrent values.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldConflict {
    /// Keys from the document root, e.g. `["profile", "company"]`.
    pub path: Vec<String>,
    /// All values, in Automerge's order; the last is the one every replica shows.
    pub values: Vec<ConflictValue>,
}

impl CustomerDoc {
    /// Every field that currently holds concurrent values, in document order.
    pub fn conflicts(&self) -> Vec<FieldConflict> {
        let mut found = Vec::new();
        self.collect_conflicts(&ROOT, &mut Vec::new(), &mut found);
        found
    }

    /// Resolves the conflict at `path` by writing its `choice`-th value again.
    pub fn resolve_conflict(
        &mut self,
        path: &[String],
        choice: usize,
        stamp: &Stamp,
    ) -> Result<(), ModelError> {
        let no_conflict = || ModelError::NoConflict {
            path: path.join("."),
        };
        let (key, parents) = path.split_last().ok_or_else(no_conflict)?;
        let mut obj = ROOT;
        for parent in parents {
            obj = match self.doc.get(&obj, parent.as_str()) {
                Ok(Some((Value::Object(ObjType::Map), id))) => id,
                _ => return Err(no_conflict()),
            };
        }
        let values = self.doc.get_all(&obj, key.as_str()).map_err(layout_error)?;
        if values.len() < 2 {
            return Err(no_conflict());
        }
        match values.get(choice) {
            Some((Value::Scalar(value), _)) => {
                let value = value.clone().into_owned();
                self.doc
                    .put(&obj, key.as_str(), value)
                    .map_err(layout_error)?;
            }
            _ => return Err(no_conflict()),
        }
        self.touch(stamp)
    }

    /// One pass over each map (`map_range` says which keys hold concurrent values); the
    /// values are read only for those.
    fn collect_conflicts(
        &self,
        obj: &ObjId,
        path: &mut Vec<String>,
        found: &mut Vec<FieldConflict>,
    ) {
        for item in self.doc.map_range(obj, ..) {
            let key = item.key.as_ref();
            if item.conflict
                && !(path.is_empty() && IGNORED.contains(&key))
                && let Ok(values) = self.doc.get_all(obj, key)
            {
                let mut full = path.clone();
                full.push(key.to_owned());
                found.push(FieldConflict {
                    path: full,
                    values: values
                        .iter()
                        .map(|(value, _)| match value {
                            Value::Scalar(s) => ConflictValue::Scalar(match s.as_ref() {
                                automerge::ScalarValue::Str(text) => text.to_string(),
                                other => other.to_string(),
                            }),
                            Value::Object(_) => ConflictValue::Object,
                        })
                        .collect(),
                });
            }
            // Descend into the visible (winning) value only.
            if matches!(item.value, ValueRef::Object(ObjType::Map)) {
                path.push(key.to_owned());
                self.collect_conflicts(&item.id(), path, found);
                path.pop();
            }
        }
    }
}
