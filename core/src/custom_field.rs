//! Custom field definitions (kept per workspace) and validation of their values.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};

use crate::error::ModelError;
use crate::string_enum::string_enum;
use crate::values::{date, optional_text};

/// The value of a custom field. Stored as the bare value: a string (text, date, single
/// select option id), a number, or for multi-select a map of option id → `true`.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    /// Text, a `YYYY-MM-DD` date, or a single-select option id.
    Text(String),
    /// A number.
    Number(f64),
    /// Selected option ids of a multi-select.
    Choices(BTreeMap<String, bool>),
}

string_enum! {
    /// The type of a custom field.
    pub enum FieldKind fallback Text {
        Text => "text",
        Number => "number",
        Date => "date",
        SingleSelect => "single_select",
        MultiSelect => "multi_select",
    }
}

/// Longest text value of a custom field.
pub const MAX_FIELD_TEXT: usize = 500;

/// One option of a select field.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, serde::Serialize, serde::Deserialize)]
pub struct FieldOption {
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
}

/// A custom field the workspace defines for its customers.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile, serde::Serialize, serde::Deserialize)]
pub struct CustomFieldDef {
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
    /// Value type.
    pub kind: FieldKind,
    /// Option id → option, for select fields.
    pub options: BTreeMap<String, FieldOption>,
}

impl FieldOption {
    /// Its label in English when `english` and it has one, else in Chinese.
    pub fn label(&self, english: bool) -> &str {
        match english && !self.label_en.is_empty() {
            true => &self.label_en,
            false => &self.label_zh,
        }
    }
}

impl CustomFieldDef {
    /// Its label in English when `english` and it has one, else in Chinese.
    pub fn label(&self, english: bool) -> &str {
        match english && !self.label_en.is_empty() {
            true => &self.label_en,
            false => &self.label_zh,
        }
    }

    /// Checks `value` against this definition; returns it in canonical form.
    pub fn validate(&self, field: &str, value: CustomValue) -> Result<CustomValue, ModelError> {
        let invalid = |reason: String| ModelError::InvalidFieldValue {
            field: field.to_owned(),
            reason,
        };
        let known = |option: &str| {
            if self.options.contains_key(option) {
                Ok(())
            } else {
                Err(invalid(format!("no option {option:?}")))
            }
        };
        match (self.kind, value) {
            (FieldKind::Text, CustomValue::Text(t)) => Ok(CustomValue::Text(optional_text(
                "custom field",
                &t,
                MAX_FIELD_TEXT,
            )?)),
            (FieldKind::Number, CustomValue::Number(n)) if n.is_finite() => {
                Ok(CustomValue::Number(n))
            }
            (FieldKind::Number, CustomValue::Number(_)) => {
                Err(invalid("not a finite number".into()))
            }
            (FieldKind::Date, CustomValue::Text(d)) => date(&d)
                .map(CustomValue::Text)
                .map_err(|e| invalid(e.to_string())),
            (FieldKind::SingleSelect, CustomValue::Text(option)) => {
                known(&option)?;
                Ok(CustomValue::Text(option))
            }
            (FieldKind::MultiSelect, CustomValue::Choices(choices)) => {
                choices.keys().try_for_each(|o| known(o))?;
                Ok(CustomValue::Choices(
                    choices.into_iter().filter(|(_, on)| *on).collect(),
                ))
            }
            (kind, _) => Err(invalid(format!("expected a {} value", kind.as_str()))),
        }
    }
}

impl Hydrate for CustomValue {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Ok(Self::Text(s.to_owned()))
    }

    fn hydrate_f64(f: f64) -> Result<Self, HydrateError> {
        Ok(Self::Number(f))
    }

    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Ok(Self::Number(i as f64))
    }

    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        Ok(Self::Number(u as f64))
    }

    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        BTreeMap::hydrate_map(doc, obj).map(Self::Choices)
    }
}

impl Reconcile for CustomValue {
    type Key<'a> = autosurgeon::reconcile::NoKey;

    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        match self {
            Self::Text(t) => reconciler.str(t),
            Self::Number(n) => reconciler.f64(*n),
            Self::Choices(c) => c.reconcile(reconciler),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(kind: FieldKind) -> CustomFieldDef {
        let option = |zh: &str, en: &str| FieldOption {
            label_zh: zh.into(),
            label_en: en.into(),
        };
        CustomFieldDef {
            label_zh: "字段".into(),
            label_en: "Field".into(),
            kind,
            options: BTreeMap::from([
                ("a".into(), option("甲", "A")),
                ("b".into(), option("乙", "B")),
            ]),
        }
    }

    #[test]
    fn values_must_match_the_field_kind_and_options() {
        let text = CustomValue::Text(" 金牌 ".into());
        assert_eq!(
            def(FieldKind::Text).validate("f", text),
            Ok(CustomValue::Text("金牌".into()))
        );
        assert!(
            def(FieldKind::Number)
                .validate("f", CustomValue::Number(3.5))
                .is_ok()
        );
        assert!(
            def(FieldKind::Number)
                .validate("f", CustomValue::Number(f64::NAN))
                .is_err()
        );
        assert!(
            def(FieldKind::Date)
                .validate("f", CustomValue::Text("2026-13-01".into()))
                .is_err()
        );
        assert!(
            def(FieldKind::SingleSelect)
                .validate("f", CustomValue::Text("a".into()))
                .is_ok()
        );
        assert_eq!(
            def(FieldKind::SingleSelect).validate("f", CustomValue::Text("z".into())),
            Err(ModelError::InvalidFieldValue {
                field: "f".into(),
                reason: "no option \"z\"".into()
            })
        );
        let choices =
            CustomValue::Choices(BTreeMap::from([("a".into(), true), ("b".into(), false)]));
        assert_eq!(
            def(FieldKind::MultiSelect).validate("f", choices),
            Ok(CustomValue::Choices(BTreeMap::from([("a".into(), true)])))
        );
        assert!(
            def(FieldKind::Number)
                .validate("f", CustomValue::Text("1".into()))
                .is_err()
        );
    }
}
