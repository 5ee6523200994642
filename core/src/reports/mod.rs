//! The figures a sales manager reads every morning, computed from summary rows for a period
//! and a filter (owner, source): key figures against the previous period, the funnel of the
//! period's deals with median days per stage, a table per lead source and per owner, amounts
//! and counts per time bucket (months, weeks: the app gives their bounds, in the team's
//! time zone), and the lifecycle distribution. Every figure carries the customers behind it,
//! so a number opens the list of exactly those customers.
//!
//! A deal is *won* (or *lost*) at the time it last entered its current stage when that stage
//! is a won (lost) one; its *cycle* runs from its creation to then.

mod tables;

use std::collections::BTreeMap;

use crate::customer::{DealRow, Lifecycle, Source, SummaryRow};
use crate::funnel::{FunnelStep, funnel_of};
use crate::pipeline::{Pipeline, StageKind};
use crate::values::{DAY_MS, Millis, Money};

pub use tables::{OwnerLine, SourceLine, by_owner, by_source};

/// A span of time, `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Millis,
    pub to: Millis,
}

impl Period {
    /// Whether `at` falls in the period.
    pub fn contains(&self, at: Millis) -> bool {
        self.from <= at && at < self.to
    }

    /// The period of the same length just before this one.
    pub fn previous(&self) -> Period {
        let length = self.to - self.from;
        Period {
            from: self.from - length,
            to: self.from,
        }
    }
}

/// Which customers the figures are about: `None` lets every one through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub owner: Option<String>,
    pub source: Option<Source>,
}

impl ReportFilter {
    /// Whether `row` is counted: live, and matching the owner and source set.
    pub fn matches(&self, row: &SummaryRow) -> bool {
        row.live()
            && self.owner.as_ref().is_none_or(|o| *o == row.owner)
            && self.source.is_none_or(|s| s == row.source)
    }
}

/// A count, and the customers it counts (ids borrowed from the rows, in the rows' order,
/// each once: 100,000 rows counted allocate no id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Count<'a> {
    pub n: usize,
    pub customers: Vec<&'a str>,
}

impl<'a> Count<'a> {
    /// Counts one more for `customer` (a row's entries are counted one after another).
    fn add(&mut self, customer: &'a str) {
        self.n += 1;
        if self.customers.last() != Some(&customer) {
            self.customers.push(customer);
        }
    }
}

/// The figures of one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyFigures<'a> {
    /// Customers created in the period.
    pub new_customers: Count<'a>,
    /// Deals created in the period.
    pub new_deals: Count<'a>,
    /// Deals won in the period.
    pub won: Count<'a>,
    /// Their amounts, per currency (sorted by currency).
    pub won_amount: Vec<Money>,
    /// Deals lost in the period.
    pub lost: Count<'a>,
    /// Won over won and lost in the period (`None`: none closed).
    pub win_rate: Option<f64>,
    /// Mean days from creation to won of the deals won in the period.
    pub average_cycle_days: Option<f64>,
    /// Follow-ups due in the period and done by their due time.
    pub on_time: Count<'a>,
    /// Follow-ups due in the period done after it, or still open and past due at `now`.
    pub late: Count<'a>,
}

/// The pipeline's won and lost stages, to tell closed deals apart without a map lookup per
/// deal (which took most of the time over 100,000 rows).
struct Closing<'p> {
    won: Vec<&'p str>,
    lost: Vec<&'p str>,
}

impl<'p> Closing<'p> {
    fn of(pipeline: &'p Pipeline) -> Self {
        let of_kind = |kind| {
            (pipeline.stages.iter())
                .filter(|(_, s)| s.kind == kind)
                .map(|(id, _)| id.as_str())
                .collect()
        };
        Self {
            won: of_kind(StageKind::Won),
            lost: of_kind(StageKind::Lost),
        }
    }

    /// When `deal` was won, if it is.
    fn won(&self, deal: &DealRow) -> Option<Millis> {
        self.won
            .contains(&deal.stage.as_str())
            .then_some(deal.stage_since)
    }

    /// When `deal` was lost, if it is.
    fn lost(&self, deal: &DealRow) -> Option<Millis> {
        self.lost
            .contains(&deal.stage.as_str())
            .then_some(deal.stage_since)
    }
}

/// The key figures of `period` at `now` over the rows `filter` lets through.
pub fn key_figures<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    period: Period,
    now: Millis,
) -> KeyFigures<'a> {
    let mut f = KeyFigures::default();
    let mut won_amount: BTreeMap<String, i64> = BTreeMap::new();
    let mut cycles: Vec<Millis> = Vec::new();
    let closing = Closing::of(pipeline);
    for row in rows.into_iter().filter(|r| filter.matches(r)) {
        if period.contains(row.created_at) {
            f.new_customers.add(&row.id);
        }
        for deal in &row.deals {
            if period.contains(deal.created_at) {
                f.new_deals.add(&row.id);
            }
            if let Some(at) = closing.won(deal).filter(|at| period.contains(*at)) {
                f.won.add(&row.id);
                add_money(&mut won_amount, &deal.amount);
                cycles.push(at - deal.created_at);
            }
            if closing.lost(deal).is_some_and(|at| period.contains(at)) {
                f.lost.add(&row.id);
            }
        }
        for (due, done, _) in &row.done_follow_ups {
            if period.contains(*due) {
                match done <= due {
                    true => f.on_time.add(&row.id),
                    false => f.late.add(&row.id),
                }
            }
        }
        for open in &row.open_follow_ups {
            if period.contains(open.due_at) && open.due_at < now {
                f.late.add(&row.id);
            }
        }
    }
    let closed = f.won.n + f.lost.n;
    f.win_rate = (closed > 0).then(|| f.won.n as f64 / closed as f64);
    f.average_cycle_days = mean_days(&cycles);
    f.won_amount = monies(won_amount);
    f
}

/// One stage of the period's funnel: how many of the period's new deals reached it, the
/// conversion from the step before, and the median days those deals stayed in it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelLine<'a> {
    pub step: FunnelStep,
    pub median_days: Option<f64>,
    pub customers: Vec<&'a str>,
}

/// The funnel of the deals created in `period`.
pub fn period_funnel<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow> + Clone,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    period: Period,
) -> Vec<FunnelLine<'a>> {
    let deals: Vec<(&'a str, &'a DealRow)> = (rows.into_iter())
        .filter(|r| filter.matches(r))
        .flat_map(|r| r.deals.iter().map(move |d| (r.id.as_str(), d)))
        .filter(|(_, d)| period.contains(d.created_at))
        .collect();
    let steps = funnel_of(deals.iter().map(|(_, d)| *d), pipeline);
    // Each deal's furthest open or won stage, looked up once.
    let orders: Vec<(&str, i64)> = (pipeline.ordered().into_iter())
        .filter(|(_, s)| s.kind != StageKind::Lost)
        .map(|(id, s)| (id, s.order))
        .collect();
    let furthest: Vec<Option<i64>> = (deals.iter())
        .map(|(_, d)| {
            (d.reached.iter())
                .filter_map(|r| orders.iter().find(|(id, _)| id == r))
                .map(|(_, order)| *order)
                .max()
        })
        .collect();
    steps
        .into_iter()
        .map(|step| {
            let order = orders
                .iter()
                .find(|(id, _)| *id == step.stage)
                .map_or(0, |s| s.1);
            let mut customers: Vec<&str> = (deals.iter().zip(&furthest))
                .filter(|(_, f)| f.is_some_and(|f| f >= order))
                .map(|((id, _), _)| *id)
                .collect();
            customers.dedup();
            let stays: Vec<Millis> = (deals.iter())
                .flat_map(|(_, d)| stays_in(d, &step.stage))
                .collect();
            FunnelLine {
                median_days: median_days(stays),
                step,
                customers,
            }
        })
        .collect()
}

/// How long `deal` stayed in `stage` each time it left it (a stay not over yet is not
/// counted).
fn stays_in(deal: &DealRow, stage: &str) -> Vec<Millis> {
    (deal.moves.windows(2))
        .filter(|pair| pair[0].0 == stage)
        .map(|pair| pair[1].1 - pair[0].1)
        .collect()
}

/// Amounts and counts per time bucket: `edges` are the buckets' bounds, ascending (n + 1
/// edges for n buckets).
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket<'a> {
    pub period: Period,
    /// Won amounts per currency.
    pub won: Vec<Money>,
    /// New customers per source.
    pub new_by_source: BTreeMap<Source, Count<'a>>,
}

/// The won amount and the new customers per source of each bucket between `edges`.
pub fn buckets<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    edges: &[Millis],
) -> Vec<Bucket<'a>> {
    let periods: Vec<Period> = (edges.windows(2))
        .map(|e| Period {
            from: e[0],
            to: e[1],
        })
        .collect();
    let mut won: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); periods.len()];
    let mut new: Vec<BTreeMap<Source, Count>> = vec![BTreeMap::new(); periods.len()];
    // The bucket holding `at`, found by bisection (a year of weeks is 52 buckets).
    let bucket_of = |at: Millis| {
        let after = edges.partition_point(|edge| *edge <= at);
        (after > 0 && after < edges.len()).then(|| after - 1)
    };
    let closing = Closing::of(pipeline);
    for row in rows.into_iter().filter(|r| filter.matches(r)) {
        if let Some(i) = bucket_of(row.created_at) {
            new[i].entry(row.source).or_default().add(&row.id);
        }
        for deal in &row.deals {
            if let Some(i) = closing.won(deal).and_then(bucket_of) {
                add_money(&mut won[i], &deal.amount);
            }
        }
    }
    (periods.into_iter().zip(won).zip(new))
        .map(|((period, won), new)| Bucket {
            period,
            won: monies(won),
            new_by_source: new,
        })
        .collect()
}

/// How many customers are in each lifecycle stage now.
pub fn lifecycles<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
) -> BTreeMap<Lifecycle, Count<'a>> {
    let mut by: Vec<Count> = vec![Count::default(); Lifecycle::ALL.len()];
    for row in rows.into_iter().filter(|r| filter.matches(r)) {
        if let Some(at) = Lifecycle::ALL.iter().position(|l| *l == row.lifecycle) {
            by[at].add(&row.id);
        }
    }
    (Lifecycle::ALL.iter().copied().zip(by))
        .filter(|(_, count)| count.n > 0)
        .collect()
}

fn add_money(totals: &mut BTreeMap<String, i64>, amount: &Money) {
    let total = totals.entry(amount.currency.clone()).or_default();
    *total = total.saturating_add(amount.minor);
}

fn monies(totals: BTreeMap<String, i64>) -> Vec<Money> {
    (totals.into_iter())
        .map(|(currency, minor)| Money { minor, currency })
        .collect()
}

fn mean_days(spans: &[Millis]) -> Option<f64> {
    (!spans.is_empty())
        .then(|| spans.iter().sum::<Millis>() as f64 / spans.len() as f64 / DAY_MS as f64)
}

fn median_days(mut spans: Vec<Millis>) -> Option<f64> {
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let mid = spans.len() / 2;
    let median = match spans.len() % 2 {
        1 => spans[mid] as f64,
        _ => (spans[mid - 1] + spans[mid]) as f64 / 2.0,
    };
    Some(median / DAY_MS as f64)
}

#[cfg(test)]
mod tests;
