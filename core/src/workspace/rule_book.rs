//! The workspace's rules: the `rules` map of the workspace document, rule id → the rule as
//! JSON text (docs/rules.md). A whole rule is one value, so two admins editing the same rule
//! at once leave one version (the other stays visible as a conflict), and edits to different
//! rules merge.

use automerge::{ROOT, ReadDoc, ScalarValueRef, Value, ValueRef, transaction::Transactable};

use super::{KIND, WorkspaceDoc};
use crate::document::layout;
use crate::error::ModelError;
use crate::rules::Rule;

/// The rules of a workspace as read from its document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleBook {
    /// Readable rules, by id.
    pub rules: Vec<Rule>,
    /// Entries that are not a rule this build can read: (key, why). Never evaluated.
    pub unreadable: Vec<(String, String)>,
}

impl WorkspaceDoc {
    /// The workspace's rules.
    pub fn rule_book(&self) -> RuleBook {
        let mut book = RuleBook::default();
        let Ok(Some((Value::Object(_), rules))) = self.doc.get(ROOT, "rules") else {
            return book;
        };
        for item in self.doc.map_range(&rules, ..) {
            let parsed = match &item.value {
                ValueRef::Scalar(ScalarValueRef::Str(json)) => serde_json::from_str::<Rule>(json)
                    .map_err(|e| e.to_string())
                    .and_then(|rule| {
                        if rule.id == item.key {
                            Ok(rule)
                        } else {
                            Err(format!("the rule says its id is {:?}", rule.id))
                        }
                    }),
                _ => Err("not a JSON text".to_owned()),
            };
            match parsed {
                Ok(rule) => book.rules.push(rule),
                Err(reason) => book.unreadable.push((item.key.to_string(), reason)),
            }
        }
        book
    }

    /// Adds or replaces a rule (admins only), after checking it against this workspace.
    pub fn put_rule(&mut self, rule: &Rule) -> Result<(), ModelError> {
        rule.validate(&self.workspace()?)?;
        let json = serde_json::to_string(rule).expect("a rule serialises");
        let rules = self.rules_map()?;
        self.doc
            .put(&rules, rule.id.as_str(), json)
            .map_err(layout(KIND))
    }

    /// Removes a rule (admins only). What it did to customers is undone where level-triggered
    /// (its tags go); follow-ups it created stay.
    pub fn remove_rule(&mut self, id: &str) -> Result<(), ModelError> {
        let rules = self.rules_map()?;
        if self.doc.get(&rules, id).ok().flatten().is_none() {
            return Err(ModelError::NotFound {
                kind: "rule",
                id: id.to_owned(),
            });
        }
        self.doc.delete(&rules, id).map_err(layout(KIND))
    }

    /// Adds each of `rules` whose id the workspace does not have yet (the default set for a
    /// new workspace; two devices doing it at once write equal values).
    pub fn install_rules(&mut self, rules: &[Rule]) -> Result<(), ModelError> {
        let rules_map = self.rules_map()?;
        for rule in rules {
            if self
                .doc
                .get(&rules_map, rule.id.as_str())
                .ok()
                .flatten()
                .is_none()
            {
                self.put_rule(rule)?;
            }
        }
        Ok(())
    }

    fn rules_map(&self) -> Result<automerge::ObjId, ModelError> {
        match self.doc.get(ROOT, "rules") {
            Ok(Some((Value::Object(automerge::ObjType::Map), obj))) => Ok(obj),
            _ => Err(ModelError::Layout {
                kind: KIND,
                reason: "no rules map".into(),
            }),
        }
    }
}
