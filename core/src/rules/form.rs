//! The rule builder's model: a rule as a form holds it — every choice picked, every number as
//! the text typed (money in yuan, not fen) — read from a rule ([`RuleForm::of`]) and written
//! back ([`RuleForm::rule`]). A rule read into a form and written back is the same rule (tested
//! over the default rules and generated ones), so the builder edits whatever the JSON can say.

use super::model::{
    Action, Condition, CustomTest, DealTest, FollowUpAction, InteractionsTest, LastInteractionTest,
    OrdersTest, ProfileTest, Range, Rule,
};
use crate::values::{amount_text, parse_amount};

/// A rule in the builder.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleForm {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub when: ConditionForm,
    pub then: Vec<ActionForm>,
}

/// Bounds as typed; an empty one does not limit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RangeForm {
    pub at_least: String,
    pub at_most: String,
}

/// A condition in the builder: the rule format's, with its numbers as text.
#[derive(Debug, Clone, PartialEq)]
pub enum ConditionForm {
    All(Vec<ConditionForm>),
    Any(Vec<ConditionForm>),
    Not(Box<ConditionForm>),
    Profile(ProfileTest),
    /// A custom field: `number` bounds as text; `test` says which test is used.
    Custom {
        field: String,
        test: CustomCheck,
        is: Vec<String>,
        number: RangeForm,
    },
    HasTag(String),
    HasContact(crate::contact::ContactKind),
    /// A deal: amount in yuan.
    Deal {
        stage: Option<Vec<String>>,
        stage_kind: Option<crate::pipeline::StageKind>,
        amount: RangeForm,
        days_in_stage: RangeForm,
    },
    /// Orders: the window in days, the sum in yuan.
    Orders {
        within_days: String,
        count: RangeForm,
        sum: RangeForm,
    },
    Interactions {
        channels: Option<Vec<crate::customer::Channel>>,
        mentions: Option<String>,
        within_days: String,
        count: RangeForm,
    },
    DaysSinceLastInteraction {
        channels: Option<Vec<crate::customer::Channel>>,
        days: RangeForm,
    },
    DaysSinceCreated(RangeForm),
}

/// Which test a custom field condition makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomCheck {
    /// Equals one of `is`.
    Is,
    /// A number within bounds.
    Number,
    /// Has a value.
    Set,
    /// Has none.
    Unset,
}

/// An action in the builder: a follow-up's due days as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionForm {
    AddTag(String),
    RemoveTag(String),
    FollowUp { title: String, due_in_days: String },
    SetLifecycle(crate::customer::Lifecycle),
    ReleaseToPool,
}

/// A number the form could not read: where, and what was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: “{typed}” is not a number")]
pub struct FormError {
    /// The field, as the rule format names it (`days_in_stage.at_least`, …).
    pub field: &'static str,
    pub typed: String,
}

impl RuleForm {
    /// The form of `rule`.
    pub fn of(rule: &Rule) -> Self {
        Self {
            id: rule.id.clone(),
            name: rule.name.clone(),
            enabled: rule.enabled,
            when: ConditionForm::of(&rule.when),
            then: rule.then.iter().map(ActionForm::of).collect(),
        }
    }

    /// The rule the form says (to be validated against the workspace like any rule), or the
    /// first number it cannot read.
    pub fn rule(&self) -> Result<Rule, FormError> {
        Ok(Rule {
            id: self.id.clone(),
            name: self.name.clone(),
            enabled: self.enabled,
            when: self.when.condition()?,
            then: (self.then.iter())
                .map(ActionForm::action)
                .collect::<Result<_, _>>()?,
        })
    }
}

impl ConditionForm {
    /// The form of `condition`.
    pub fn of(condition: &Condition) -> Self {
        match condition {
            Condition::All(all) => Self::All(all.iter().map(Self::of).collect()),
            Condition::Any(any) => Self::Any(any.iter().map(Self::of).collect()),
            Condition::Not(inner) => Self::Not(Box::new(Self::of(inner))),
            Condition::Profile(test) => Self::Profile(test.clone()),
            Condition::Custom(test) => Self::Custom {
                field: test.field.clone(),
                test: match (&test.is, &test.number, test.set) {
                    (Some(_), _, _) => CustomCheck::Is,
                    (None, Some(_), _) => CustomCheck::Number,
                    (None, None, Some(false)) => CustomCheck::Unset,
                    (None, None, _) => CustomCheck::Set,
                },
                is: test.is.clone().unwrap_or_default(),
                number: test
                    .number
                    .map(|r| range_form(&r, plain))
                    .unwrap_or_default(),
            },
            Condition::HasTag(tag) => Self::HasTag(tag.clone()),
            Condition::HasContact(kind) => Self::HasContact(*kind),
            Condition::Deal(test) => Self::Deal {
                stage: test.stage.clone(),
                stage_kind: test.stage_kind,
                amount: range_form(&test.amount, yuan),
                days_in_stage: range_form(&test.days_in_stage, plain),
            },
            Condition::Orders(test) => Self::Orders {
                within_days: window_text(test.within_days),
                count: range_form(&test.count, plain),
                sum: range_form(&test.sum, yuan),
            },
            Condition::Interactions(test) => Self::Interactions {
                channels: test.channels.clone(),
                mentions: test.mentions.clone(),
                within_days: window_text(test.within_days),
                count: range_form(&test.count, plain),
            },
            Condition::DaysSinceLastInteraction(test) => Self::DaysSinceLastInteraction {
                channels: test.channels.clone(),
                days: range_form(&test.days, plain),
            },
            Condition::DaysSinceCreated(range) => Self::DaysSinceCreated(range_form(range, plain)),
        }
    }

    /// The condition the form says.
    pub fn condition(&self) -> Result<Condition, FormError> {
        let all = |items: &[Self]| -> Result<Vec<Condition>, FormError> {
            items.iter().map(Self::condition).collect()
        };
        Ok(match self {
            Self::All(items) => Condition::All(all(items)?),
            Self::Any(items) => Condition::Any(all(items)?),
            Self::Not(inner) => Condition::Not(Box::new(inner.condition()?)),
            Self::Profile(test) => Condition::Profile(test.clone()),
            Self::Custom {
                field,
                test,
                is,
                number,
            } => Condition::Custom(CustomTest {
                field: field.clone(),
                is: (*test == CustomCheck::Is).then(|| is.clone()),
                number: match test {
                    CustomCheck::Number => Some(range(number, "number", read_plain)?),
                    _ => None,
                },
                set: match test {
                    CustomCheck::Set => Some(true),
                    CustomCheck::Unset => Some(false),
                    _ => None,
                },
            }),
            Self::HasTag(tag) => Condition::HasTag(tag.clone()),
            Self::HasContact(kind) => Condition::HasContact(*kind),
            Self::Deal {
                stage,
                stage_kind,
                amount,
                days_in_stage,
            } => Condition::Deal(DealTest {
                stage: stage.clone(),
                stage_kind: *stage_kind,
                amount: range(amount, "amount", read_yuan)?,
                days_in_stage: range(days_in_stage, "days_in_stage", read_plain)?,
            }),
            Self::Orders {
                within_days,
                count,
                sum,
            } => Condition::Orders(OrdersTest {
                within_days: number(within_days, "within_days")?,
                count: range(count, "count", read_plain)?,
                sum: range(sum, "sum", read_yuan)?,
            }),
            Self::Interactions {
                channels,
                mentions,
                within_days,
                count,
            } => Condition::Interactions(InteractionsTest {
                channels: channels.clone(),
                mentions: mentions.clone(),
                within_days: number(within_days, "within_days")?,
                count: range(count, "count", read_plain)?,
            }),
            Self::DaysSinceLastInteraction { channels, days } => {
                Condition::DaysSinceLastInteraction(LastInteractionTest {
                    channels: channels.clone(),
                    days: range(days, "days", read_plain)?,
                })
            }
            Self::DaysSinceCreated(days) => {
                Condition::DaysSinceCreated(range(days, "days_since_created", read_plain)?)
            }
        })
    }
}

/// The kinds of condition the builder offers, by their rule-format names.
pub const CONDITION_KINDS: [&str; 12] = [
    "all",
    "any",
    "not",
    "profile",
    "custom",
    "has_tag",
    "has_contact",
    "deal",
    "orders",
    "interactions",
    "days_since_last_interaction",
    "days_since_created",
];

impl ConditionForm {
    /// The kind of this condition, as [`CONDITION_KINDS`] names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::All(_) => "all",
            Self::Any(_) => "any",
            Self::Not(_) => "not",
            Self::Profile(_) => "profile",
            Self::Custom { .. } => "custom",
            Self::HasTag(_) => "has_tag",
            Self::HasContact(_) => "has_contact",
            Self::Deal { .. } => "deal",
            Self::Orders { .. } => "orders",
            Self::Interactions { .. } => "interactions",
            Self::DaysSinceLastInteraction { .. } => "days_since_last_interaction",
            Self::DaysSinceCreated(_) => "days_since_created",
        }
    }

    /// A new condition of `kind` to fill in (`custom_field`: the field a custom test starts
    /// on); a group switched between all and any keeps its conditions.
    pub fn switched(&self, kind: &str, custom_field: &str) -> Self {
        let at_least = |n: &str| RangeForm {
            at_least: n.to_owned(),
            at_most: String::new(),
        };
        let children = match self {
            Self::All(items) | Self::Any(items) => items.clone(),
            other => vec![other.clone()],
        };
        match kind {
            "all" => Self::All(children),
            "any" => Self::Any(children),
            "not" => Self::Not(Box::new(self.clone())),
            "profile" => Self::Profile(ProfileTest {
                field: super::model::ProfileField::Company,
                is: None,
                contains: Some(String::new()),
                empty: None,
            }),
            "custom" => Self::Custom {
                field: custom_field.to_owned(),
                test: CustomCheck::Set,
                is: Vec::new(),
                number: RangeForm::default(),
            },
            "has_contact" => Self::HasContact(crate::contact::ContactKind::WeChat),
            "deal" => Self::Deal {
                stage: None,
                stage_kind: Some(crate::pipeline::StageKind::Open),
                amount: RangeForm::default(),
                days_in_stage: at_least("14"),
            },
            "orders" => Self::Orders {
                within_days: "30".into(),
                count: at_least("1"),
                sum: RangeForm::default(),
            },
            "interactions" => Self::Interactions {
                channels: None,
                mentions: None,
                within_days: "7".into(),
                count: at_least("1"),
            },
            "days_since_last_interaction" => Self::DaysSinceLastInteraction {
                channels: None,
                days: at_least("30"),
            },
            "days_since_created" => Self::DaysSinceCreated(at_least("7")),
            _ => Self::HasTag(String::new()),
        }
    }

    /// The condition at `path` (child indexes from here), if there is one.
    pub fn at(&self, path: &[usize]) -> Option<&Self> {
        let Some((first, rest)) = path.split_first() else {
            return Some(self);
        };
        match self {
            Self::All(items) | Self::Any(items) => items.get(*first)?.at(rest),
            Self::Not(inner) if *first == 0 => inner.at(rest),
            _ => None,
        }
    }

    /// The condition at `path`, to change.
    pub fn at_mut(&mut self, path: &[usize]) -> Option<&mut Self> {
        let Some((first, rest)) = path.split_first() else {
            return Some(self);
        };
        match self {
            Self::All(items) | Self::Any(items) => items.get_mut(*first)?.at_mut(rest),
            Self::Not(inner) if *first == 0 => inner.at_mut(rest),
            _ => None,
        }
    }
}

impl ActionForm {
    /// The form of `action`.
    pub fn of(action: &Action) -> Self {
        match action {
            Action::AddTag(tag) => Self::AddTag(tag.clone()),
            Action::RemoveTag(tag) => Self::RemoveTag(tag.clone()),
            Action::FollowUp(f) => Self::FollowUp {
                title: f.title.clone(),
                due_in_days: f.due_in_days.to_string(),
            },
            Action::SetLifecycle(stage) => Self::SetLifecycle(*stage),
            Action::ReleaseToPool => Self::ReleaseToPool,
        }
    }

    /// The action the form says.
    pub fn action(&self) -> Result<Action, FormError> {
        Ok(match self {
            Self::AddTag(tag) => Action::AddTag(tag.clone()),
            Self::RemoveTag(tag) => Action::RemoveTag(tag.clone()),
            Self::FollowUp { title, due_in_days } => Action::FollowUp(FollowUpAction {
                title: title.clone(),
                due_in_days: number(due_in_days, "due_in_days")?.unwrap_or(0),
            }),
            Self::SetLifecycle(stage) => Action::SetLifecycle(*stage),
            Self::ReleaseToPool => Action::ReleaseToPool,
        })
    }
}

fn plain(n: i64) -> String {
    n.to_string()
}

fn yuan(minor: i64) -> String {
    amount_text(minor)
}

fn range_form(range: &Range, text: fn(i64) -> String) -> RangeForm {
    RangeForm {
        at_least: range.at_least.map(text).unwrap_or_default(),
        at_most: range.at_most.map(text).unwrap_or_default(),
    }
}

fn read_plain(typed: &str) -> Option<i64> {
    typed.parse().ok()
}

/// Yuan as typed (`1.2万`, `500`), negative bounds too, in fen.
fn read_yuan(typed: &str) -> Option<i64> {
    match typed.strip_prefix('-') {
        Some(rest) => parse_amount(rest).map(|minor| -minor),
        None => parse_amount(typed),
    }
}

fn range(
    form: &RangeForm,
    field: &'static str,
    read: fn(&str) -> Option<i64>,
) -> Result<Range, FormError> {
    let bound = |typed: &str| match typed.trim() {
        "" => Ok(None),
        typed => read(typed).map(Some).ok_or_else(|| FormError {
            field,
            typed: typed.to_owned(),
        }),
    };
    Ok(Range {
        at_least: bound(&form.at_least)?,
        at_most: bound(&form.at_most)?,
    })
}

fn window_text(days: Option<u32>) -> String {
    days.map(|d| d.to_string()).unwrap_or_default()
}

/// A whole number as typed (`None` when nothing is), or which field could not read it.
fn number<T: std::str::FromStr>(typed: &str, field: &'static str) -> Result<Option<T>, FormError> {
    match typed.trim() {
        "" => Ok(None),
        typed => typed.parse().map(Some).map_err(|_| FormError {
            field,
            typed: typed.to_owned(),
        }),
    }
}
