//! The report's tables: one line per lead source, one per owner.

use std::collections::BTreeMap;

use super::{Closing, Count, Period, ReportFilter, Tally, add_money, mean_days, monies, tally};
use crate::customer::{MINUTE_MS, Source, SummaryRow};
use crate::pipeline::Pipeline;
use crate::values::{Millis, Money};

/// What one lead source brought in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceLine<'a> {
    /// Customers created in the period.
    pub customers: Count<'a>,
    /// Deals created in the period.
    pub deals: Count<'a>,
    /// Deals won in the period.
    pub won: Count<'a>,
    /// Of the period's new customers, the share with a deal won (by now).
    pub conversion: Option<f64>,
    pub won_amount: Vec<Money>,
    /// Mean days from creation to won of the deals won in the period.
    pub average_cycle_days: Option<f64>,
}

/// One line per source that has anything in the period, by source.
pub fn by_source<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    period: Period,
) -> BTreeMap<Source, SourceLine<'a>> {
    tally(rows, filter, SourceTally::new(pipeline, period))
}

/// The source lines, a row at a time.
pub(super) struct SourceTally<'a, 'p> {
    by: BTreeMap<Source, SourceSums<'a>>,
    closing: Closing<'p>,
    period: Period,
}

#[derive(Default)]
struct SourceSums<'a> {
    line: SourceLine<'a>,
    converted: usize,
    amount: BTreeMap<String, i64>,
    cycles: Vec<Millis>,
}

impl<'p> SourceTally<'_, 'p> {
    pub(super) fn new(pipeline: &'p Pipeline, period: Period) -> Self {
        Self {
            by: BTreeMap::new(),
            closing: Closing::of(pipeline),
            period,
        }
    }
}

impl<'a> Tally<'a> for SourceTally<'a, '_> {
    type Out = BTreeMap<Source, SourceLine<'a>>;

    fn add(&mut self, row: &'a SummaryRow) {
        let (closing, period) = (&self.closing, self.period);
        let new = period.contains(row.created_at);
        let sums = self.by.entry(row.source).or_default();
        if new {
            sums.line.customers.add(&row.id);
            sums.converted += usize::from(row.deals.iter().any(|d| closing.won(d).is_some()));
        }
        for deal in &row.deals {
            if period.contains(deal.created_at) {
                sums.line.deals.add(&row.id);
            }
            if let Some(at) = closing.won(deal).filter(|at| period.contains(*at)) {
                sums.line.won.add(&row.id);
                add_money(&mut sums.amount, &deal.amount);
                sums.cycles.push(at - deal.created_at);
            }
        }
    }

    fn finish(self) -> BTreeMap<Source, SourceLine<'a>> {
        (self.by.into_iter())
            .filter(|(_, s)| s.line.customers.n + s.line.deals.n + s.line.won.n > 0)
            .map(|(source, s)| {
                let new = s.line.customers.n;
                let line = SourceLine {
                    conversion: (new > 0).then(|| s.converted as f64 / new as f64),
                    won_amount: monies(s.amount),
                    average_cycle_days: mean_days(&s.cycles),
                    ..s.line
                };
                (source, line)
            })
            .collect()
    }
}

/// What one member did in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnerLine<'a> {
    /// Customers they own now.
    pub customers: Count<'a>,
    /// Interactions they logged in the period (on any customer let through).
    pub interactions: usize,
    /// Follow-ups of theirs done in the period.
    pub follow_ups_done: Count<'a>,
    /// Follow-ups of theirs due in the period, still open and past due at `now`.
    pub overdue: Count<'a>,
    /// Deals of their customers won in the period.
    pub won: Count<'a>,
    pub won_amount: Vec<Money>,
}

/// One line per member who owns a customer or did anything in the period, by member id (the
/// filter's owner is not applied: this is the breakdown by owner).
pub fn by_owner<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    period: Period,
    now: Millis,
) -> BTreeMap<&'a str, OwnerLine<'a>> {
    tally(
        rows,
        &filter.any_owner(),
        OwnerTally::new(pipeline, period, now),
    )
}

/// The owner lines, a row at a time.
pub(super) struct OwnerTally<'a, 'p> {
    by: BTreeMap<&'a str, (OwnerLine<'a>, BTreeMap<String, i64>)>,
    closing: Closing<'p>,
    period: Period,
    /// The period in minutes, as interactions are logged.
    minutes: (i64, i64),
    now: Millis,
}

impl<'p> OwnerTally<'_, 'p> {
    pub(super) fn new(pipeline: &'p Pipeline, period: Period, now: Millis) -> Self {
        Self {
            by: BTreeMap::new(),
            closing: Closing::of(pipeline),
            period,
            minutes: (
                period.from.div_euclid(MINUTE_MS),
                period.to.div_euclid(MINUTE_MS),
            ),
            now,
        }
    }
}

impl<'a> Tally<'a> for OwnerTally<'a, '_> {
    type Out = BTreeMap<&'a str, OwnerLine<'a>>;

    fn add(&mut self, row: &'a SummaryRow) {
        let (by, period) = (&mut self.by, self.period);
        if !row.owner.is_empty() {
            let (line, amount) = by.entry(row.owner.as_str()).or_default();
            line.customers.add(&row.id);
            for deal in &row.deals {
                if self.closing.won(deal).is_some_and(|at| period.contains(at)) {
                    line.won.add(&row.id);
                    add_money(amount, &deal.amount);
                }
            }
        }
        let (from, to) = self.minutes;
        // The latest interaction, kept in the row itself, spares reading the log of a customer
        // quiet since before the period (most of them, for a month).
        let quiet = (row.last_interaction).is_none_or(|(at, _)| at.div_euclid(MINUTE_MS) < from);
        if !quiet {
            for (author, minutes) in &row.logged {
                // Oldest first: the period's are a run, found by bisection.
                let logged =
                    minutes.partition_point(|m| *m < to) - minutes.partition_point(|m| *m < from);
                if logged > 0 {
                    by.entry(author.as_str()).or_default().0.interactions += logged;
                }
            }
        }
        for (_, done, assignee) in &row.done_follow_ups {
            if period.contains(*done) {
                (by.entry(assignee.as_str()).or_default().0)
                    .follow_ups_done
                    .add(&row.id);
            }
        }
        for open in &row.open_follow_ups {
            if period.contains(open.due_at) && open.due_at < self.now {
                (by.entry(open.assignee.as_str()).or_default().0)
                    .overdue
                    .add(&row.id);
            }
        }
    }

    fn finish(self) -> BTreeMap<&'a str, OwnerLine<'a>> {
        (self.by.into_iter())
            .map(|(member, (line, amount))| {
                let line = OwnerLine {
                    won_amount: monies(amount),
                    ..line
                };
                (member, line)
            })
            .collect()
    }
}
