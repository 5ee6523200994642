//! The report's tables: one line per lead source, one per owner.

use std::collections::BTreeMap;

use super::{Amounts, Closing, Count, Cycles, Period, ReportFilter, Tally, tally};
use crate::customer::{MINUTE_MS, Source, SummaryRow};
use crate::pipeline::Pipeline;
use crate::values::{Millis, Money};

/// What one lead source brought in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceLine {
    /// Customers created in the period.
    pub customers: Count,
    /// Deals created in the period.
    pub deals: Count,
    /// Deals won in the period.
    pub won: Count,
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
) -> BTreeMap<Source, SourceLine> {
    tally(rows, filter, SourceTally::new(pipeline, period))
}

/// The source lines, a row at a time.
#[derive(Clone)]
pub(super) struct SourceTally {
    by: BTreeMap<Source, SourceSums>,
    closing: Closing,
    period: Period,
}

#[derive(Clone, Default)]
struct SourceSums {
    line: SourceLine,
    converted: usize,
    amount: Amounts,
    cycles: Cycles,
}

impl SourceTally {
    pub(super) fn new(pipeline: &Pipeline, period: Period) -> Self {
        Self {
            by: BTreeMap::new(),
            closing: Closing::of(pipeline),
            period,
        }
    }
}

impl Tally for SourceTally {
    type Out = BTreeMap<Source, SourceLine>;

    fn add(&mut self, at: u32, row: &SummaryRow) {
        let (closing, period) = (&self.closing, self.period);
        let new = period.contains(row.created_at);
        let sums = self.by.entry(row.source).or_default();
        if new {
            sums.line.customers.add(at);
            sums.converted += usize::from(row.deals.iter().any(|d| closing.won(d).is_some()));
        }
        for deal in &row.deals {
            if period.contains(deal.created_at) {
                sums.line.deals.add(at);
            }
            if let Some(won) = closing.won(deal).filter(|t| period.contains(*t)) {
                sums.line.won.add(at);
                sums.amount.add(&deal.amount);
                sums.cycles.add(won - deal.created_at);
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        for (source, more) in &other.by {
            let sums = self.by.entry(*source).or_default();
            sums.line.customers.merge(&more.line.customers, offset);
            sums.line.deals.merge(&more.line.deals, offset);
            sums.line.won.merge(&more.line.won, offset);
            sums.converted += more.converted;
            sums.amount.merge(&more.amount);
            sums.cycles.merge(&more.cycles);
        }
    }

    fn finish(self) -> BTreeMap<Source, SourceLine> {
        (self.by.into_iter())
            .filter(|(_, s)| s.line.customers.n + s.line.deals.n + s.line.won.n > 0)
            .map(|(source, s)| {
                let new = s.line.customers.n;
                let line = SourceLine {
                    conversion: (new > 0).then(|| s.converted as f64 / new as f64),
                    won_amount: s.amount.monies(),
                    average_cycle_days: s.cycles.mean_days(),
                    ..s.line
                };
                (source, line)
            })
            .collect()
    }
}

/// What one member did in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnerLine {
    /// Customers they own now.
    pub customers: Count,
    /// Interactions they logged in the period (on any customer let through).
    pub interactions: usize,
    /// Follow-ups of theirs done in the period.
    pub follow_ups_done: Count,
    /// Follow-ups of theirs due in the period, still open and past due at `now`.
    pub overdue: Count,
    /// Deals of their customers won in the period.
    pub won: Count,
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
) -> BTreeMap<String, OwnerLine> {
    tally(
        rows,
        &filter.any_owner(),
        OwnerTally::new(pipeline, period, now),
    )
}

/// Each member's line and won amounts.
type Lines = Vec<(String, (OwnerLine, Amounts))>;

/// The owner lines, a row at a time.
#[derive(Clone)]
pub(super) struct OwnerTally {
    by: Lines,
    closing: Closing,
    period: Period,
    /// The period in minutes, as interactions are logged.
    minutes: (i64, i64),
    now: Millis,
}

impl OwnerTally {
    pub(super) fn new(pipeline: &Pipeline, period: Period, now: Millis) -> Self {
        Self {
            by: Vec::new(),
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

/// `member`'s line and won amounts, found by a scan (a team has a handful of members; a tree
/// took two searches per look-up), its id copied only the first time.
fn line_of<'m>(by: &'m mut Lines, member: &str) -> &'m mut (OwnerLine, Amounts) {
    let at = match by.iter().position(|(m, _)| m == member) {
        Some(at) => at,
        None => {
            by.push((member.to_owned(), Default::default()));
            by.len() - 1
        }
    };
    &mut by[at].1
}

impl Tally for OwnerTally {
    type Out = BTreeMap<String, OwnerLine>;

    fn add(&mut self, at: u32, row: &SummaryRow) {
        let (by, period) = (&mut self.by, self.period);
        if !row.owner.is_empty() {
            let (line, amount) = line_of(by, &row.owner);
            line.customers.add(at);
            for deal in &row.deals {
                if self.closing.won(deal).is_some_and(|t| period.contains(t)) {
                    line.won.add(at);
                    amount.add(&deal.amount);
                }
            }
        }
        let (from, to) = self.minutes;
        // The latest interaction, kept in the row itself, spares reading the log of a customer
        // quiet since before the period (most of them, for a month).
        let quiet = (row.last_interaction).is_none_or(|(t, _)| t.div_euclid(MINUTE_MS) < from);
        if !quiet {
            for (author, minutes) in &row.logged {
                // Oldest first: the period's are a run, found by bisection.
                let logged =
                    minutes.partition_point(|m| *m < to) - minutes.partition_point(|m| *m < from);
                if logged > 0 {
                    line_of(by, author).0.interactions += logged;
                }
            }
        }
        for (_, done, assignee) in &row.done_follow_ups {
            if period.contains(*done) {
                line_of(by, assignee).0.follow_ups_done.add(at);
            }
        }
        for open in &row.open_follow_ups {
            if period.contains(open.due_at) && open.due_at < self.now {
                line_of(by, &open.assignee).0.overdue.add(at);
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        for (member, (more, more_amount)) in &other.by {
            let (line, amount) = line_of(&mut self.by, member);
            line.customers.merge(&more.customers, offset);
            line.interactions += more.interactions;
            line.follow_ups_done.merge(&more.follow_ups_done, offset);
            line.overdue.merge(&more.overdue, offset);
            line.won.merge(&more.won, offset);
            amount.merge(more_amount);
        }
    }

    fn finish(self) -> BTreeMap<String, OwnerLine> {
        (self.by.into_iter())
            .map(|(member, (line, amount))| {
                let line = OwnerLine {
                    won_amount: amount.monies(),
                    ..line
                };
                (member, line)
            })
            .collect()
    }
}
