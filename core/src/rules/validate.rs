//! Checks a rule against the format's limits and the workspace it is for, so a stored rule
//! always evaluates meaningfully.

use super::model::{
    Action, Condition, CustomTest, DealTest, InteractionsTest, MAX_DEPTH, OrdersTest, ProfileTest,
    Range, Rule,
};
use crate::customer::tag_name;
use crate::error::ModelError;
use crate::id::Id;
use crate::values::required_text;
use std::collections::BTreeMap;

use crate::custom_field::CustomFieldDef;
use crate::pipeline::Pipeline;

/// Longest rule id (so that `{rule id}-{occurrence}` stays a valid id).
pub const MAX_RULE_ID: usize = 48;
/// Longest window or day count a rule may name (ten years).
pub const MAX_DAYS: i64 = 3_650;
const MAX_RULE_NAME: usize = 100;
const MAX_TITLE: usize = 200;

/// What a rule may name: the workspace's pipeline stages and custom fields.
#[derive(Debug, Clone, Copy)]
pub struct RuleScope<'a> {
    /// The stages a deal test may name.
    pub pipeline: &'a Pipeline,
    /// Custom field id → definition, for custom field tests.
    pub custom_fields: &'a BTreeMap<String, CustomFieldDef>,
}

impl Rule {
    /// Whether a deal test of the rule names pipeline stage `id` (the stage cannot go while it
    /// does).
    pub fn names_stage(&self, id: &str) -> bool {
        self.when.names_stage(id)
    }

    /// Checks the rule; `workspace` supplies the stages and custom fields it may name.
    pub fn validate(&self, workspace: RuleScope<'_>) -> Result<(), ModelError> {
        let invalid = |reason: String| ModelError::InvalidRule {
            rule: self.id.clone(),
            reason,
        };
        Id::parse(&self.id)?;
        if self.id.len() > MAX_RULE_ID {
            return Err(invalid(format!(
                "the id is longer than {MAX_RULE_ID} characters"
            )));
        }
        required_text("rule name", &self.name, MAX_RULE_NAME)?;
        if self.then.is_empty() {
            return Err(invalid("the rule has no action".into()));
        }
        self.when.validate(workspace, 1).map_err(invalid)?;
        for action in &self.then {
            match action {
                Action::AddTag(tag) | Action::RemoveTag(tag) => {
                    tag_name(tag)?;
                }
                Action::FollowUp(follow_up) => {
                    required_text("follow-up title", &follow_up.title, MAX_TITLE)?;
                    days(i64::from(follow_up.due_in_days)).map_err(invalid)?;
                }
                Action::SetLifecycle(_) | Action::ReleaseToPool => {}
            }
        }
        Ok(())
    }
}

impl Condition {
    fn names_stage(&self, id: &str) -> bool {
        match self {
            Self::All(all) | Self::Any(all) => all.iter().any(|c| c.names_stage(id)),
            Self::Not(inner) => inner.names_stage(id),
            Self::Deal(test) => test.stage.iter().flatten().any(|stage| stage == id),
            _ => false,
        }
    }

    fn validate(&self, workspace: RuleScope<'_>, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("conditions nest deeper than {MAX_DEPTH}"));
        }
        match self {
            Self::All(children) | Self::Any(children) => children
                .iter()
                .try_for_each(|c| c.validate(workspace, depth + 1)),
            Self::Not(child) => child.validate(workspace, depth + 1),
            Self::Profile(test) => test.validate(),
            Self::Custom(test) => test.validate(workspace),
            Self::HasTag(tag) => tag_name(tag).map(|_| ()).map_err(|e| e.to_string()),
            Self::HasContact(_) => Ok(()),
            Self::Deal(test) => test.validate(workspace),
            Self::Orders(test) => test.validate(),
            Self::Interactions(test) => test.validate(),
            Self::DaysSinceLastInteraction(test) => day_range(&test.days, "days"),
            Self::DaysSinceCreated(range) => day_range(range, "days_since_created"),
        }
    }

    /// Whether any part of the condition tests tags (so tag rules must settle first).
    pub(super) fn mentions_tags(&self) -> bool {
        match self {
            Self::All(children) | Self::Any(children) => children.iter().any(Self::mentions_tags),
            Self::Not(child) => child.mentions_tags(),
            Self::HasTag(_) => true,
            _ => false,
        }
    }
}

fn exactly_one(what: &str, set: &[bool]) -> Result<(), String> {
    match set.iter().filter(|s| **s).count() {
        1 => Ok(()),
        _ => Err(format!("a {what} test needs exactly one of its tests")),
    }
}

impl ProfileTest {
    fn validate(&self) -> Result<(), String> {
        exactly_one(
            "profile",
            &[
                self.is.is_some(),
                self.contains.is_some(),
                self.empty.is_some(),
            ],
        )
    }
}

impl CustomTest {
    fn validate(&self, workspace: RuleScope<'_>) -> Result<(), String> {
        if !workspace.custom_fields.contains_key(&self.field) {
            return Err(format!("unknown custom field {:?}", self.field));
        }
        exactly_one(
            "custom field",
            &[self.is.is_some(), self.number.is_some(), self.set.is_some()],
        )?;
        self.number
            .as_ref()
            .map_or(Ok(()), |r| ordered(r, "number"))
    }
}

impl DealTest {
    fn validate(&self, workspace: RuleScope<'_>) -> Result<(), String> {
        for stage in self.stage.iter().flatten() {
            if !workspace.pipeline.stages.contains_key(stage) {
                return Err(format!("unknown pipeline stage {stage:?}"));
            }
        }
        ordered(&self.amount, "amount")?;
        if self.days_in_stage.is_open() {
            return Ok(());
        }
        day_range(&self.days_in_stage, "days_in_stage")
    }
}

impl OrdersTest {
    fn validate(&self) -> Result<(), String> {
        window(self.within_days)?;
        if self.count.is_open() && self.sum.is_open() {
            return Err("an orders test needs a count or a sum".into());
        }
        ordered(&self.count, "count")?;
        ordered(&self.sum, "sum")
    }
}

impl InteractionsTest {
    fn validate(&self) -> Result<(), String> {
        window(self.within_days)?;
        if self.count.is_open() {
            return Err("an interactions test needs a count".into());
        }
        ordered(&self.count, "count")
    }
}

fn window(within_days: Option<u32>) -> Result<(), String> {
    match within_days {
        Some(0) => Err("within_days must be at least 1".into()),
        Some(d) => days(i64::from(d)),
        None => Ok(()),
    }
}

fn days(d: i64) -> Result<(), String> {
    if (0..=MAX_DAYS).contains(&d) {
        Ok(())
    } else {
        Err(format!("{d} days is outside 0–{MAX_DAYS}"))
    }
}

fn ordered(range: &Range, what: &str) -> Result<(), String> {
    match (range.at_least, range.at_most) {
        (Some(min), Some(max)) if min > max => {
            Err(format!("{what}: at_least {min} is above at_most {max}"))
        }
        _ => Ok(()),
    }
}

fn day_range(range: &Range, what: &str) -> Result<(), String> {
    if range.is_open() {
        return Err(format!("{what} needs at_least or at_most"));
    }
    range.at_least.map_or(Ok(()), days)?;
    range.at_most.map_or(Ok(()), days)?;
    ordered(range, what)
}
