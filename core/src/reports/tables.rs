//! The report's tables: one line per lead source, one per owner.

use std::collections::BTreeMap;

use super::facts::{Facts, Names, Pass, minute};
use super::{Amounts, Count, Cycles, Period, ReportFilter, Tally, tally};
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
    tally(rows, filter, pipeline, SourceTally::new(period))
}

/// The source lines, a run of rows at a time.
#[derive(Clone)]
pub(super) struct SourceTally {
    /// By source, in declaration order.
    by: Vec<SourceSums>,
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
    pub(super) fn new(period: Period) -> Self {
        Self {
            by: vec![SourceSums::default(); Source::ALL.len()],
            period,
        }
    }
}

impl Tally for SourceTally {
    type Out = BTreeMap<Source, SourceLine>;

    fn add(&mut self, facts: &Facts, pass: &[Pass]) {
        let period = self.period;
        for (at, row) in facts.rows.iter().enumerate() {
            if pass[at].figures() && period.contains(row.created_at) {
                let sums = &mut self.by[row.source as usize];
                sums.line.customers.add(at as u32);
                sums.converted += usize::from(row.won_any);
            }
        }
        for deal in (facts.deals.iter()).filter(|d| pass[d.row as usize].figures()) {
            let sums = &mut self.by[facts.rows[deal.row as usize].source as usize];
            if period.contains(deal.created_at) {
                sums.line.deals.add(deal.row);
            }
            if let Some(won) = deal.won.filter(|t| period.contains(*t)) {
                sums.line.won.add(deal.row);
                sums.amount.add(deal.currency, deal.amount);
                sums.cycles.add(won - deal.created_at);
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        for (sums, more) in self.by.iter_mut().zip(&other.by) {
            sums.line.customers.merge(&more.line.customers, offset);
            sums.line.deals.merge(&more.line.deals, offset);
            sums.line.won.merge(&more.line.won, offset);
            sums.converted += more.converted;
            sums.amount.merge(&more.amount);
            sums.cycles.merge(&more.cycles);
        }
    }

    fn finish(self, names: &Names) -> BTreeMap<Source, SourceLine> {
        (Source::ALL.iter().copied().zip(self.by))
            .filter(|(_, s)| s.line.customers.n + s.line.deals.n + s.line.won.n > 0)
            .map(|(source, s)| {
                let new = s.line.customers.n;
                let line = SourceLine {
                    conversion: (new > 0).then(|| s.converted as f64 / new as f64),
                    won_amount: s.amount.monies(names),
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
        pipeline,
        OwnerTally::new(period, now),
    )
}

/// The owner lines, a run of rows at a time.
#[derive(Clone)]
pub(super) struct OwnerTally {
    /// Each member's line and won amounts, by member number (see [`Names`]).
    by: Vec<(OwnerLine, Amounts)>,
    period: Period,
    /// The period in minutes, as interactions are logged.
    minutes: (i32, i32),
    now: Millis,
}

impl OwnerTally {
    pub(super) fn new(period: Period, now: Millis) -> Self {
        Self {
            by: Vec::new(),
            period,
            minutes: (
                minute(period.from.div_euclid(MINUTE_MS)),
                minute(period.to.div_euclid(MINUTE_MS)),
            ),
            now,
        }
    }

    /// `member`'s line and won amounts.
    fn line(&mut self, member: u32) -> &mut (OwnerLine, Amounts) {
        let at = member as usize;
        if self.by.len() <= at {
            self.by.resize_with(at + 1, Default::default);
        }
        &mut self.by[at]
    }
}

impl Tally for OwnerTally {
    type Out = BTreeMap<String, OwnerLine>;

    fn add(&mut self, facts: &Facts, pass: &[Pass]) {
        let (period, now) = (self.period, self.now);
        for (at, row) in facts.rows.iter().enumerate() {
            if pass[at].owners() && row.owned {
                self.line(row.owner).0.customers.add(at as u32);
            }
        }
        for deal in (facts.deals.iter()).filter(|d| pass[d.row as usize].owners()) {
            let row = &facts.rows[deal.row as usize];
            if row.owned && deal.won.is_some_and(|t| period.contains(t)) {
                let (line, amount) = self.line(row.owner);
                line.won.add(deal.row);
                amount.add(deal.currency, deal.amount);
            }
        }
        for logged in (facts.logged.iter()).filter(|l| pass[l.row as usize].owners()) {
            let n = logged.within(self.minutes, &facts.minutes);
            if n > 0 {
                self.line(logged.author).0.interactions += n;
            }
        }
        for done in (facts.done.iter()).filter(|d| pass[d.row as usize].owners()) {
            if period.contains(done.done) {
                self.line(done.assignee).0.follow_ups_done.add(done.row);
            }
        }
        for open in (facts.open.iter()).filter(|o| pass[o.row as usize].owners()) {
            if period.contains(open.due) && open.due < now {
                self.line(open.assignee).0.overdue.add(open.row);
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        for (member, (more, more_amount)) in other.by.iter().enumerate() {
            let (line, amount) = self.line(member as u32);
            line.customers.merge(&more.customers, offset);
            line.interactions += more.interactions;
            line.follow_ups_done.merge(&more.follow_ups_done, offset);
            line.overdue.merge(&more.overdue, offset);
            line.won.merge(&more.won, offset);
            amount.merge(more_amount);
        }
    }

    fn finish(self, names: &Names) -> BTreeMap<String, OwnerLine> {
        (self.by.into_iter().enumerate())
            .filter(|(_, (line, _))| {
                line.customers.n + line.interactions + line.follow_ups_done.n + line.overdue.n > 0
            })
            .map(|(member, (line, amount))| {
                let line = OwnerLine {
                    won_amount: amount.monies(names),
                    ..line
                };
                (names.members.name(member as u32).to_owned(), line)
            })
            .collect()
    }
}
