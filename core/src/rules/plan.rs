//! What the rules want done to one customer now: the [`Plan`], computed purely from the
//! customer, the rules and the clock, and carried out by [`CustomerDoc::apply_rules`] (the
//! edge) or only shown (the app's preview).
//!
//! - Tags are level-triggered: a rule's `add_tag` tags are on while its condition holds, and
//!   off once no matching rule keeps them.
//! - Follow-ups and lifecycle moves are edge-triggered: a rule fires when its condition starts
//!   to hold, once per occurrence. The customer's firing record of the rule (`rule_firings`)
//!   counts occurrences and says whether the current one has fired; it re-arms when the
//!   condition stops holding. The follow-up of occurrence `n` has id `{rule id}-{n}`, so two
//!   evaluations of the same occurrence write the same entry.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::CommitOptions;

use super::eval::{Context, Subject};
use super::model::{Action, Rule};
use crate::customer::{Customer, CustomerDoc, Lifecycle, NewFollowUp, RuleFiring, Stamp};
use crate::document::CrmDocument;
use crate::error::ModelError;
use crate::id::Id;
use crate::pipeline::Pipeline;
use crate::values::{DAY_MS, Millis};

/// Longest follow-up title (the model's limit).
const MAX_TITLE: usize = 200;

pub use crate::document::RULES_AUTHOR;

/// Most plan-and-apply rounds of one [`CustomerDoc::run_rules`].
pub const MAX_ROUNDS: usize = 4;

/// What [`CustomerDoc::run_rules`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RulesRun {
    /// Whether the document changed.
    pub changed: bool,
    /// The next instant at which any rule's outcome can change, if any.
    pub next_change: Option<Millis>,
}

/// How often tag rules that test tags are re-evaluated against the tags they produce.
const TAG_PASSES: usize = 4;

/// The writes the rules call for on one customer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Automatic tags to apply: tag → the rule that keeps it.
    pub add_tags: BTreeMap<String, String>,
    /// Automatic tags to remove.
    pub remove_tags: BTreeSet<String>,
    /// Rules firing now.
    pub fire: Vec<Firing>,
    /// Rules whose occurrence ended (condition no longer holds): their records re-arm.
    pub rearm: Vec<String>,
    /// The next instant at which any rule's outcome can change, if any.
    pub next_change: Option<Millis>,
}

/// One rule firing on one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing {
    /// The rule.
    pub rule_id: String,
    /// Which occurrence of the rule this is for the customer (1, 2, …).
    pub occurrence: u64,
    /// Follow-ups to create: (id, follow-up).
    pub follow_ups: Vec<(String, NewFollowUp)>,
    /// Lifecycle stage to move to, when different from the current one.
    pub lifecycle: Option<Lifecycle>,
    /// Put the customer back in the pool (it has an owner now).
    pub release: bool,
}

impl Plan {
    /// Whether nothing needs writing (the next change time aside).
    pub fn is_empty(&self) -> bool {
        self.add_tags.is_empty()
            && self.remove_tags.is_empty()
            && self.fire.is_empty()
            && self.rearm.is_empty()
    }
}

/// Whether the rules leave `customer` alone: archived, or merged into another.
fn resting(customer: &Customer) -> bool {
    customer.archived.is_some()
        || customer
            .merged_into
            .as_ref()
            .is_some_and(|m| m.undone.is_none())
}

/// Ids of the enabled rules whose condition holds for `customer` at `ctx.now` (none for an
/// archived or merged-away customer).
pub fn matching<'r>(rules: &'r [Rule], customer: &Customer, ctx: &Context) -> Vec<&'r str> {
    if resting(customer) {
        return Vec::new();
    }
    let tags = settled_tags(rules, customer, ctx);
    let subject = Subject {
        customer,
        tags: &tags,
    };
    rules
        .iter()
        .filter(|rule| rule.enabled && rule.when.holds(&subject, ctx))
        .map(|rule| rule.id.as_str())
        .collect()
}

/// The plan for `customer` at `ctx.now` under `rules`: nothing for an archived customer, whose
/// tags and follow-ups stay as they were until it is restored, nor for one merged away.
pub fn plan(rules: &[Rule], customer: &Customer, ctx: &Context) -> Plan {
    if resting(customer) {
        return Plan::default();
    }
    let tags = settled_tags(rules, customer, ctx);
    let subject = Subject {
        customer,
        tags: &tags,
    };
    let mut plan = Plan::default();
    let wanted = wanted_auto_tags(rules, &subject, ctx);
    for (tag, rule) in &wanted {
        if !customer.auto_tags.contains_key(tag) {
            plan.add_tags.insert(tag.clone(), rule.clone());
        }
    }
    plan.remove_tags = customer
        .auto_tags
        .keys()
        .filter(|tag| !wanted.contains_key(*tag))
        .cloned()
        .collect();
    let mut instants = Vec::new();
    for rule in rules.iter().filter(|rule| rule.enabled) {
        rule.when.instants(customer, &mut instants);
        if !rule.then.iter().any(is_once_per_occurrence) {
            continue;
        }
        let record = customer.rule_firings.get(&rule.id);
        let active = record.is_some_and(|r| r.active);
        match (rule.when.holds(&subject, ctx), active) {
            (true, false) => {
                let occurrence = record.map_or(0, |r| r.count) + 1;
                plan.fire.push(firing(rule, occurrence, customer, ctx.now));
            }
            (false, true) => plan.rearm.push(rule.id.clone()),
            _ => {}
        }
    }
    plan.next_change = instants.into_iter().filter(|at| *at > ctx.now).min();
    plan
}

/// The tags the customer carries once the tag rules have settled: manual tags plus the
/// automatic tags wanted, recomputed a few times so rules testing tags that other rules
/// apply see them (a cycle settles on the last pass).
fn settled_tags(rules: &[Rule], customer: &Customer, ctx: &Context) -> BTreeSet<String> {
    let manual: BTreeSet<String> = customer.tags.keys().cloned().collect();
    let mut tags: BTreeSet<String> = manual
        .iter()
        .chain(customer.auto_tags.keys())
        .cloned()
        .collect();
    let tests_tags = rules.iter().any(|rule| rule.when.mentions_tags());
    for _ in 0..if tests_tags { TAG_PASSES } else { 1 } {
        let subject = Subject {
            customer,
            tags: &tags,
        };
        let next: BTreeSet<String> = manual
            .iter()
            .cloned()
            .chain(wanted_auto_tags(rules, &subject, ctx).into_keys())
            .collect();
        if next == tags {
            break;
        }
        tags = next;
    }
    tags
}

/// Automatic tag → the first matching rule that adds it, without the tags a matching rule
/// removes.
fn wanted_auto_tags(rules: &[Rule], subject: &Subject, ctx: &Context) -> BTreeMap<String, String> {
    let mut added = BTreeMap::new();
    let mut removed = BTreeSet::new();
    for rule in rules.iter().filter(|rule| rule.enabled) {
        let tag_actions = rule
            .then
            .iter()
            .any(|a| matches!(a, Action::AddTag(_) | Action::RemoveTag(_)));
        if !tag_actions || !rule.when.holds(subject, ctx) {
            continue;
        }
        for action in &rule.then {
            match action {
                Action::AddTag(tag) => {
                    added
                        .entry(tag.trim().to_owned())
                        .or_insert_with(|| rule.id.clone());
                }
                Action::RemoveTag(tag) => {
                    removed.insert(tag.trim().to_owned());
                }
                Action::FollowUp(_) | Action::SetLifecycle(_) | Action::ReleaseToPool => {}
            }
        }
    }
    added.retain(|tag, _| !removed.contains(tag));
    added
}

fn is_once_per_occurrence(action: &Action) -> bool {
    matches!(
        action,
        Action::FollowUp(_) | Action::SetLifecycle(_) | Action::ReleaseToPool
    )
}

fn firing(rule: &Rule, occurrence: u64, customer: &Customer, now: Millis) -> Firing {
    let mut fire = Firing {
        rule_id: rule.id.clone(),
        occurrence,
        follow_ups: Vec::new(),
        lifecycle: None,
        release: false,
    };
    for action in &rule.then {
        match action {
            Action::FollowUp(follow_up) => {
                let n = fire.follow_ups.len();
                let id = match n {
                    0 => format!("{}-{occurrence}", rule.id),
                    _ => format!("{}-{occurrence}-{n}", rule.id),
                };
                // Filled in, then cut to the longest title a follow-up takes, so a long name
                // never makes the whole plan fail.
                let title = follow_up
                    .title
                    .replace("{name}", &customer.profile.name)
                    .replace("{company}", &customer.profile.company)
                    .chars()
                    .take(MAX_TITLE)
                    .collect();
                fire.follow_ups.push((
                    id,
                    NewFollowUp {
                        title,
                        due_at: now + i64::from(follow_up.due_in_days) * DAY_MS,
                        assignee: customer.profile.owner.clone(),
                        origin: rule.id.clone(),
                    },
                ));
            }
            Action::SetLifecycle(stage) if *stage != customer.profile.lifecycle => {
                fire.lifecycle = Some(*stage);
            }
            Action::ReleaseToPool => fire.release = !customer.profile.owner.is_empty(),
            Action::SetLifecycle(_) | Action::AddTag(_) | Action::RemoveTag(_) => {}
        }
    }
    fire
}

impl CustomerDoc {
    /// Carries out a [`Plan`] as the rules engine (rules engine only; devices never call it).
    /// A follow-up the occurrence already created is left as it is.
    /// On error the document is left as it was.
    pub fn apply_rules(&mut self, plan: &Plan, now: Millis) -> Result<(), ModelError> {
        self.automerge_mut().commit();
        match self.write_plan(plan, now) {
            Ok(()) => {
                self.automerge_mut()
                    .commit_with(CommitOptions::default().with_time(now.div_euclid(1000)));
                Ok(())
            }
            Err(error) => {
                self.automerge_mut().rollback();
                Err(error)
            }
        }
    }

    /// Runs the rules to a settled state: plans and applies until nothing is left to write
    /// (a lifecycle move can make another rule hold), at most [`MAX_ROUNDS`] times.
    pub fn run_rules(
        &mut self,
        rules: &[Rule],
        pipeline: &Pipeline,
        now: Millis,
    ) -> Result<RulesRun, ModelError> {
        let ctx = Context { now, pipeline };
        let mut run = RulesRun::default();
        for _ in 0..MAX_ROUNDS {
            let plan = plan(rules, &self.customer()?, &ctx);
            run.next_change = plan.next_change;
            if plan.is_empty() {
                break;
            }
            self.apply_rules(&plan, now)?;
            run.changed = true;
        }
        Ok(run)
    }

    fn write_plan(&mut self, plan: &Plan, now: Millis) -> Result<(), ModelError> {
        let stamp = Stamp::new(RULES_AUTHOR, now);
        for (tag, rule) in &plan.add_tags {
            self.apply_auto_tag(tag, rule, &stamp)?;
        }
        for tag in &plan.remove_tags {
            self.remove_auto_tag(tag, &stamp)?;
        }
        for fire in &plan.fire {
            for (id, follow_up) in &fire.follow_ups {
                match self.add_follow_up(&Id::parse(id)?, follow_up.clone(), &stamp) {
                    Ok(()) | Err(ModelError::DuplicateId { .. }) => {}
                    Err(error) => return Err(error),
                }
            }
            if let Some(stage) = fire.lifecycle {
                self.edit_profile(crate::customer::ProfileEdit::Lifecycle(stage), &stamp)?;
            }
            if fire.release {
                self.release_to_pool(&stamp)?;
            }
            let record = RuleFiring {
                active: true,
                count: fire.occurrence,
                fired_at: now,
            };
            self.record_firing(&fire.rule_id, &record, &stamp)?;
        }
        for rule in &plan.rearm {
            self.rearm_firing(rule, &stamp)?;
        }
        Ok(())
    }
}
