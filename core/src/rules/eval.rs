//! Whether a condition holds for a customer at an instant, and the instants at which it can
//! change (so the edge wakes exactly then, not on a blind sweep).
//!
//! Time is measured in whole days: `days since t` is `⌊(now − t) / 1 day⌋`, a window of N days
//! holds the events with `now − N days < at ≤ now`. Events dated in the future count from
//! their time on.

use std::collections::BTreeSet;

use super::model::{
    Condition, CustomTest, DealTest, InteractionsTest, LastInteractionTest, OrdersTest,
    ProfileField, ProfileTest, Range,
};
use crate::customer::{Channel, CustomValue, Customer, Deal};
use crate::pipeline::Pipeline;
use crate::values::{DAY_MS, Millis};

/// What a condition is evaluated against besides the customer.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The instant of evaluation.
    pub now: Millis,
    /// The workspace's stages (for `stage_kind`).
    pub pipeline: &'a Pipeline,
}

/// The customer as the rules see it: the document plus the tags it carries (manual tags and
/// the automatic tags the evaluation currently expects).
pub(super) struct Subject<'a> {
    pub customer: &'a Customer,
    pub tags: &'a BTreeSet<String>,
}

impl Condition {
    /// Whether the condition holds for `subject` at `ctx.now`.
    pub(super) fn holds(&self, subject: &Subject, ctx: &Context) -> bool {
        let customer = subject.customer;
        match self {
            Self::All(all) => all.iter().all(|c| c.holds(subject, ctx)),
            Self::Any(any) => any.iter().any(|c| c.holds(subject, ctx)),
            Self::Not(not) => !not.holds(subject, ctx),
            Self::Profile(test) => test.holds(customer),
            Self::Custom(test) => test.holds(customer),
            Self::HasTag(tag) => subject.tags.contains(tag.trim()),
            Self::HasContact(kind) => customer.contacts.values().any(|c| c.kind == *kind),
            Self::Deal(test) => customer.deals.values().any(|deal| test.holds(deal, ctx)),
            Self::Orders(test) => test.holds(customer, ctx.now),
            Self::Interactions(test) => test.holds(customer, ctx.now),
            Self::DaysSinceLastInteraction(test) => test
                .days
                .holds(days_between(test.last(customer, ctx.now), ctx.now)),
            Self::DaysSinceCreated(range) => {
                range.holds(days_between(customer.created_at, ctx.now))
            }
        }
    }

    /// Adds every instant at which this condition's truth can change for `customer` (whatever
    /// else happens to the document in between) to `out`.
    pub(super) fn instants(&self, customer: &Customer, out: &mut Vec<Millis>) {
        match self {
            Self::All(children) | Self::Any(children) => {
                children.iter().for_each(|c| c.instants(customer, out));
            }
            Self::Not(child) => child.instants(customer, out),
            Self::Profile(_) | Self::Custom(_) | Self::HasTag(_) | Self::HasContact(_) => {}
            Self::Deal(test) => {
                for deal in customer.deals.values() {
                    day_thresholds(entered_stage(deal), &test.days_in_stage, out);
                }
            }
            Self::Orders(test) => {
                let times = customer.orders.values().map(|o| o.at);
                window_edges(times, test.within_days, out);
            }
            Self::Interactions(test) => {
                let times = test.matching(customer).map(|i| i.at);
                window_edges(times, test.within_days, out);
            }
            Self::DaysSinceLastInteraction(test) => {
                day_thresholds(customer.created_at, &test.days, out);
                for at in matching_channel(customer, test.channels.as_deref()).map(|i| i.at) {
                    out.push(at);
                    day_thresholds(at, &test.days, out);
                }
            }
            Self::DaysSinceCreated(range) => day_thresholds(customer.created_at, range, out),
        }
    }
}

/// Whole days from `from` to `now` (negative before `from`).
fn days_between(from: Millis, now: Millis) -> i64 {
    (now - from).div_euclid(DAY_MS)
}

/// The instants at which `days_between(from, now)` enters and leaves `range`.
fn day_thresholds(from: Millis, range: &Range, out: &mut Vec<Millis>) {
    if let Some(min) = range.at_least {
        out.push(from.saturating_add(min.saturating_mul(DAY_MS)));
    }
    if let Some(max) = range.at_most {
        out.push(from.saturating_add(max.saturating_add(1).saturating_mul(DAY_MS)));
    }
}

/// The instants at which events at `times` enter (their time) and leave a window of `days`.
fn window_edges(times: impl Iterator<Item = Millis>, days: Option<u32>, out: &mut Vec<Millis>) {
    for at in times {
        out.push(at);
        if let Some(days) = days {
            out.push(at.saturating_add(i64::from(days) * DAY_MS));
        }
    }
}

/// Whether an event at `at` is inside a window of `days` ending at `now` (all time up to
/// `now` when `None`).
fn in_window(at: Millis, days: Option<u32>, now: Millis) -> bool {
    at <= now && days.is_none_or(|days| now - i64::from(days) * DAY_MS < at)
}

/// When the deal entered its current stage: the latest entry into that stage in its history
/// (concurrent moves keep both entries), or its creation.
fn entered_stage(deal: &Deal) -> Millis {
    deal.stage_history
        .iter()
        .filter(|change| change.stage == deal.stage)
        .map(|change| change.at)
        .max()
        .unwrap_or(deal.created_at)
}

fn matching_channel<'a>(
    customer: &'a Customer,
    channels: Option<&'a [Channel]>,
) -> impl Iterator<Item = &'a crate::customer::Interaction> {
    customer
        .interactions
        .values()
        .filter(move |i| channels.is_none_or(|channels| channels.contains(&i.channel)))
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    haystack
        .to_lowercase()
        .contains(&needle.trim().to_lowercase())
}

impl ProfileTest {
    fn holds(&self, customer: &Customer) -> bool {
        let profile = &customer.profile;
        let value = match self.field {
            ProfileField::Name => profile.name.as_str(),
            ProfileField::NameLatin => profile.name_latin.as_str(),
            ProfileField::Company => profile.company.as_str(),
            ProfileField::Title => profile.title.as_str(),
            ProfileField::Owner => profile.owner.as_str(),
            ProfileField::Source => profile.source.as_str(),
            ProfileField::Lifecycle => profile.lifecycle.as_str(),
        };
        self.is
            .as_ref()
            .is_none_or(|any| any.iter().any(|v| v == value))
            && self
                .contains
                .as_ref()
                .is_none_or(|needle| contains_folded(value, needle))
            && self.empty.is_none_or(|empty| value.is_empty() == empty)
    }
}

impl CustomTest {
    fn holds(&self, customer: &Customer) -> bool {
        let value = customer.custom.get(&self.field);
        self.set.is_none_or(|set| value.is_some() == set)
            && self.is.as_ref().is_none_or(|any| match value {
                Some(CustomValue::Text(text)) => any.contains(text),
                Some(CustomValue::Choices(chosen)) => {
                    any.iter().any(|v| chosen.get(v).copied().unwrap_or(false))
                }
                _ => false,
            })
            && self.number.is_none_or(|range| match value {
                Some(CustomValue::Number(n)) => {
                    range.at_least.is_none_or(|min| *n >= min as f64)
                        && range.at_most.is_none_or(|max| *n <= max as f64)
                }
                _ => false,
            })
    }
}

impl DealTest {
    fn holds(&self, deal: &Deal, ctx: &Context) -> bool {
        self.stage
            .as_ref()
            .is_none_or(|any| any.contains(&deal.stage))
            && self.stage_kind.is_none_or(|kind| {
                ctx.pipeline
                    .stages
                    .get(&deal.stage)
                    .is_some_and(|stage| stage.kind == kind)
            })
            && self.amount.holds(deal.amount_minor)
            && (self.days_in_stage.is_open()
                || self
                    .days_in_stage
                    .holds(days_between(entered_stage(deal), ctx.now)))
    }
}

impl OrdersTest {
    fn holds(&self, customer: &Customer, now: Millis) -> bool {
        let (count, sum) = customer
            .orders
            .values()
            .filter(|o| in_window(o.at, self.within_days, now))
            .fold((0i64, 0i64), |(n, sum), o| {
                (n + 1, sum.saturating_add(o.amount_minor))
            });
        self.count.holds(count) && self.sum.holds(sum)
    }
}

impl InteractionsTest {
    fn matching<'a>(
        &'a self,
        customer: &'a Customer,
    ) -> impl Iterator<Item = &'a crate::customer::Interaction> {
        matching_channel(customer, self.channels.as_deref()).filter(|i| {
            self.mentions
                .as_ref()
                .is_none_or(|needle| contains_folded(&i.summary, needle))
        })
    }

    fn holds(&self, customer: &Customer, now: Millis) -> bool {
        let count = self
            .matching(customer)
            .filter(|i| in_window(i.at, self.within_days, now))
            .count();
        self.count.holds(count as i64)
    }
}

impl LastInteractionTest {
    /// The time of the last interaction on the channels up to `now`, or the creation time.
    fn last(&self, customer: &Customer, now: Millis) -> Millis {
        matching_channel(customer, self.channels.as_deref())
            .map(|i| i.at)
            .filter(|at| *at <= now)
            .max()
            .unwrap_or(customer.created_at)
    }
}
