//! The workspace's rules and segments: the `rules` map of the workspace document, rule id →
//! the rule as JSON text, and `segment:{id}` → a saved segment as JSON text (docs/rules.md).
//! A whole rule is one value, so two admins editing the same rule at once leave one version
//! (the other stays visible as a conflict), and edits to different rules merge.

use automerge::{ObjId, ROOT, ReadDoc, ScalarValueRef, Value, ValueRef, transaction::Transactable};

use serde::de::DeserializeOwned;

use super::{KIND, WorkspaceDoc};
use crate::document::layout;
use crate::error::ModelError;
use crate::rules::{Language, Rule, SEGMENT_KEY_PREFIX, Segment, default_rules, default_segments};

/// The rules and segments of a workspace as read from its document.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RuleBook {
    /// Readable rules, by id.
    pub rules: Vec<Rule>,
    /// Readable segments, by id.
    pub segments: Vec<Segment>,
    /// Entries this build cannot read: (key, why). Never evaluated.
    pub unreadable: Vec<(String, String)>,
}

impl RuleBook {
    /// The rules and segments a new workspace starts with, in `lang`.
    pub fn defaults(lang: Language) -> Self {
        Self {
            rules: default_rules(lang),
            segments: default_segments(lang),
            unreadable: Vec::new(),
        }
    }

    /// Whether the workspace has no rules and no segments (readable or not).
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.segments.is_empty() && self.unreadable.is_empty()
    }
}

/// Something kept as JSON under its own id.
trait Entry: DeserializeOwned {
    fn id(&self) -> &str;
}

impl Entry for Rule {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Entry for Segment {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The entry stored under `id` as JSON `value`, or why not.
fn parse<T: Entry>(id: &str, value: &ValueRef) -> Result<T, String> {
    let ValueRef::Scalar(ScalarValueRef::Str(json)) = value else {
        return Err("not a JSON text".to_owned());
    };
    // From bytes, as the settings cache is read: one copy of the rule format's decoder.
    let entry: T = serde_json::from_slice(json.as_bytes()).map_err(|e| e.to_string())?;
    if entry.id() != id {
        return Err(format!("it says its id is {:?}", entry.id()));
    }
    Ok(entry)
}

impl WorkspaceDoc {
    /// The workspace's rules and segments.
    pub fn rule_book(&self) -> RuleBook {
        let mut book = RuleBook::default();
        let Ok(rules) = self.rules_map() else {
            return book;
        };
        for item in self.doc.map_range(&rules, ..) {
            let key = item.key.to_string();
            let read = match key.strip_prefix(SEGMENT_KEY_PREFIX) {
                Some(id) => parse(id, &item.value).map(|s| book.segments.push(s)),
                None => parse(&key, &item.value).map(|r| book.rules.push(r)),
            };
            if let Err(reason) = read {
                book.unreadable.push((key, reason));
            }
        }
        book
    }

    /// Adds or replaces a rule (admins only), after checking it against this workspace.
    pub fn put_rule(&mut self, rule: &Rule) -> Result<(), ModelError> {
        rule.validate(self.settings()?.rule_scope())?;
        self.put_json(&rule.id, serde_json::to_string(rule))
    }

    /// Removes a rule (admins only). What it did to customers is undone where level-triggered
    /// (its tags go); follow-ups it created stay.
    pub fn remove_rule(&mut self, id: &str) -> Result<(), ModelError> {
        self.remove_entry("rule", id, id)
    }

    /// Adds or replaces a segment.
    pub fn put_segment(&mut self, segment: &Segment) -> Result<(), ModelError> {
        segment.validate()?;
        self.put_json(&segment.key(), serde_json::to_string(segment))
    }

    /// Removes a segment.
    pub fn remove_segment(&mut self, id: &str) -> Result<(), ModelError> {
        self.remove_entry("segment", id, &format!("{SEGMENT_KEY_PREFIX}{id}"))
    }

    /// Adds each rule and segment of `book` whose id the workspace does not have yet (the
    /// defaults of a new workspace; two devices doing it at once write equal values).
    pub fn install(&mut self, book: &RuleBook) -> Result<(), ModelError> {
        let rules = self.rules_map()?;
        let absent = |doc: &Self, key: &str| doc.doc.get(&rules, key).ok().flatten().is_none();
        for rule in &book.rules {
            if absent(self, &rule.id) {
                self.put_rule(rule)?;
            }
        }
        for segment in &book.segments {
            if absent(self, &segment.key()) {
                self.put_segment(segment)?;
            }
        }
        Ok(())
    }

    fn put_json(&mut self, key: &str, json: serde_json::Result<String>) -> Result<(), ModelError> {
        let json = json.expect("rules and segments serialise");
        let rules = self.rules_map()?;
        self.doc.put(&rules, key, json).map_err(layout(KIND))
    }

    fn remove_entry(&mut self, kind: &'static str, id: &str, key: &str) -> Result<(), ModelError> {
        let rules = self.rules_map()?;
        if self.doc.get(&rules, key).ok().flatten().is_none() {
            return Err(ModelError::NotFound {
                kind,
                id: id.to_owned(),
            });
        }
        self.doc.delete(&rules, key).map_err(layout(KIND))
    }

    fn rules_map(&self) -> Result<ObjId, ModelError> {
        match self.doc.get(ROOT, "rules") {
            Ok(Some((Value::Object(automerge::ObjType::Map), obj))) => Ok(obj),
            _ => Err(ModelError::Layout {
                kind: KIND,
                reason: "no rules map".into(),
            }),
        }
    }
}
