//! The report's tables: one line per lead source, one per owner.

use std::collections::BTreeMap;

use super::{Closing, Count, Period, ReportFilter, add_money, mean_days, monies};
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
    #[derive(Default)]
    struct Sums<'a> {
        line: SourceLine<'a>,
        converted: usize,
        amount: BTreeMap<String, i64>,
        cycles: Vec<Millis>,
    }
    let mut by: BTreeMap<Source, Sums> = BTreeMap::new();
    let closing = Closing::of(pipeline);
    for row in rows.into_iter().filter(|r| filter.matches(r)) {
        let won_ever = (row.deals.iter()).any(|d| closing.won(d).is_some());
        let new = period.contains(row.created_at);
        let sums = by.entry(row.source).or_default();
        if new {
            sums.line.customers.add(&row.id);
            sums.converted += usize::from(won_ever);
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
    (by.into_iter())
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
    let filter = ReportFilter {
        owner: None,
        ..filter.clone()
    };
    let (from, to) = (
        period.from.div_euclid(MINUTE_MS),
        period.to.div_euclid(MINUTE_MS),
    );
    let mut by: BTreeMap<&str, (OwnerLine, BTreeMap<String, i64>)> = BTreeMap::new();
    let closing = Closing::of(pipeline);
    for row in rows.into_iter().filter(|r| filter.matches(r)) {
        if !row.owner.is_empty() {
            let (line, amount) = by.entry(row.owner.as_str()).or_default();
            line.customers.add(&row.id);
            for deal in &row.deals {
                if closing.won(deal).is_some_and(|at| period.contains(at)) {
                    line.won.add(&row.id);
                    add_money(amount, &deal.amount);
                }
            }
        }
        for (author, minutes) in &row.logged {
            let logged = minutes.iter().filter(|m| from <= **m && **m < to).count();
            if logged > 0 {
                by.entry(author.as_str()).or_default().0.interactions += logged;
            }
        }
        for (_, done, assignee) in &row.done_follow_ups {
            if period.contains(*done) {
                by.entry(assignee.as_str())
                    .or_default()
                    .0
                    .follow_ups_done
                    .add(&row.id);
            }
        }
        for open in &row.open_follow_ups {
            if period.contains(open.due_at) && open.due_at < now {
                by.entry(open.assignee.as_str())
                    .or_default()
                    .0
                    .overdue
                    .add(&row.id);
            }
        }
    }
    (by.into_iter())
        .map(|(member, (line, amount))| {
            let line = OwnerLine {
                won_amount: monies(amount),
                ..line
            };
            (member, line)
        })
        .collect()
}
