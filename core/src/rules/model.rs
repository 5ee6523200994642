//! The rule format: what admins write and the workspace document stores (one JSON text per
//! rule, see docs/rules.md). Everything here is plain serde data; [`Rule::validate`] checks it.

use serde::{Deserialize, Serialize};

use crate::contact::ContactKind;
use crate::customer::{Channel, Lifecycle};
use crate::pipeline::StageKind;

/// One rule: when the condition holds for a customer, the actions apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id (`[A-Za-z0-9_-]`, at most 48 characters): the key in the workspace and in
    /// every firing record.
    pub id: String,
    /// What the rule is for, as shown to people.
    pub name: String,
    /// A disabled rule matches nothing (its tags go away).
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// When it applies.
    pub when: Condition,
    /// What it does.
    pub then: Vec<Action>,
}

fn enabled() -> bool {
    true
}

/// A test on one customer at one instant. Combinators nest (at most [`MAX_DEPTH`] deep).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Every condition holds (true when empty).
    All(Vec<Condition>),
    /// At least one holds (false when empty).
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
    /// A profile field.
    Profile(ProfileTest),
    /// A custom field defined in the workspace.
    Custom(CustomTest),
    /// The customer carries this tag (manual or automatic).
    HasTag(String),
    /// The customer has a contact point of this kind.
    HasContact(ContactKind),
    /// At least one deal passes.
    Deal(DealTest),
    /// Orders placed in a window (or ever), counted and summed.
    Orders(OrdersTest),
    /// Interactions in a window (or ever), counted.
    Interactions(InteractionsTest),
    /// Days since the last interaction (on these channels), or since the customer was created
    /// when there is none.
    DaysSinceLastInteraction(LastInteractionTest),
    /// Days since the customer was created.
    DaysSinceCreated(Range),
}

/// Deepest nesting of conditions accepted.
pub const MAX_DEPTH: usize = 8;

/// Inclusive bounds; an absent bound does not limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Lowest value that passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<i64>,
    /// Highest value that passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<i64>,
}

impl Range {
    /// Whether `value` is within the bounds.
    pub fn holds(&self, value: i64) -> bool {
        self.at_least.is_none_or(|min| value >= min) && self.at_most.is_none_or(|max| value <= max)
    }

    /// Whether neither bound is set.
    pub fn is_open(&self) -> bool {
        self.at_least.is_none() && self.at_most.is_none()
    }
}

/// Profile fields a rule can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileField {
    Name,
    NameLatin,
    Company,
    Title,
    Owner,
    Source,
    Lifecycle,
}

impl ProfileField {
    /// Every field, in the order screens list them.
    pub const ALL: [Self; 7] = [
        Self::Name,
        Self::NameLatin,
        Self::Company,
        Self::Title,
        Self::Owner,
        Self::Source,
        Self::Lifecycle,
    ];
}

/// A test of one profile field: exactly one of `is`, `contains`, `empty`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileTest {
    /// Which field.
    pub field: ProfileField,
    /// The field equals one of these (stored strings: `douyin`, `customer`, a member id …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is: Option<Vec<String>>,
    /// The field contains this text (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    /// The field is empty (`true`) or not (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty: Option<bool>,
}

/// A test of a custom field: exactly one of `is`, `number`, `set`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomTest {
    /// The custom field id.
    pub field: String,
    /// Text, date or option id equals one of these (for multi-select: any option selected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is: Option<Vec<String>>,
    /// A number within these bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<Range>,
    /// The field has a value (`true`) or not (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<bool>,
}

/// A test one deal must pass; every part set must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealTest {
    /// The deal's current stage is one of these stage ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Vec<String>>,
    /// The deal's current stage is of this kind (open, won, lost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_kind: Option<StageKind>,
    /// Amount in minor units (fen, cents), whatever the currency.
    #[serde(default, skip_serializing_if = "Range::is_open")]
    pub amount: Range,
    /// Whole days since the deal entered its current stage.
    #[serde(default, skip_serializing_if = "Range::is_open")]
    pub days_in_stage: Range,
}

/// Orders counted and summed over a window.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdersTest {
    /// Only orders of the last N days (`now − N days < at ≤ now`); every order when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
    /// How many orders.
    #[serde(default, skip_serializing_if = "Range::is_open")]
    pub count: Range,
    /// Their total in minor units.
    #[serde(default, skip_serializing_if = "Range::is_open")]
    pub sum: Range,
}

/// Interactions counted over a window.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InteractionsTest {
    /// Only these channels; every channel when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<Channel>>,
    /// Only interactions whose summary contains this text (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mentions: Option<String>,
    /// Only the last N days (`now − N days < at ≤ now`); all time when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
    /// How many interactions.
    #[serde(default, skip_serializing_if = "Range::is_open")]
    pub count: Range,
}

/// Days since the last interaction.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastInteractionTest {
    /// Only these channels; every channel when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<Channel>>,
    /// Whole days elapsed.
    pub days: Range,
}

/// What a rule does while (tags) or when (the rest) its condition holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Keeps this automatic tag on the customer while the condition holds; it is removed
    /// when no rule keeps it any more.
    AddTag(String),
    /// Keeps this automatic tag off while the condition holds (wins over `add_tag`).
    RemoveTag(String),
    /// Once per occurrence: a follow-up for the customer's owner.
    FollowUp(FollowUpAction),
    /// Once per occurrence: moves the customer to this lifecycle stage.
    SetLifecycle(Lifecycle),
    /// Once per occurrence: puts the customer back in the public pool (nobody owns it; the
    /// owner's open follow-ups stay theirs).
    ReleaseToPool,
}

/// A follow-up a rule creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpAction {
    /// Title; `{name}` and `{company}` are replaced by the customer's.
    pub title: String,
    /// Due this many days after the rule fires (0: at once).
    #[serde(default)]
    pub due_in_days: u32,
}
