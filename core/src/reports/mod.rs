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
use crate::funnel::{FunnelStep, Steps};
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

    /// This filter without its owner (the breakdown by owner).
    pub fn any_owner(&self) -> Self {
        Self {
            owner: None,
            ..self.clone()
        }
    }
}

/// What the reports screen asks for: the filter, the period, now, and the bounds of the
/// monthly and weekly buckets (ascending).
#[derive(Debug, Clone, Copy)]
pub struct Ask<'e> {
    pub filter: &'e ReportFilter,
    pub period: Period,
    pub now: Millis,
    pub months: &'e [Millis],
    pub weeks: &'e [Millis],
}

/// Every figure of the reports screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Report<'a> {
    pub figures: KeyFigures<'a>,
    /// The key figures of the period before.
    pub before: KeyFigures<'a>,
    pub funnel: Vec<FunnelLine<'a>>,
    pub sources: BTreeMap<Source, SourceLine<'a>>,
    pub owners: BTreeMap<&'a str, OwnerLine<'a>>,
    pub months: Vec<Bucket<'a>>,
    pub weeks: Vec<Bucket<'a>>,
    pub lifecycles: BTreeMap<Lifecycle, Count<'a>>,
}

/// Every figure of the reports screen in one pass over the rows: the same figures as
/// [`key_figures`], [`period_funnel`], [`by_source`], [`by_owner`], [`buckets`] and
/// [`lifecycles`] each computed alone.
pub fn report<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    pipeline: &Pipeline,
    ask: Ask<'_>,
) -> Report<'a> {
    let (period, now) = (ask.period, ask.now);
    let mut figures = KeyTally::new(pipeline, period, now);
    let mut before = KeyTally::new(pipeline, period.previous(), now);
    let mut funnel = FunnelTally::new(pipeline, period);
    let mut sources = tables::SourceTally::new(pipeline, period);
    let mut owners = tables::OwnerTally::new(pipeline, period, now);
    let mut months = BucketTally::new(pipeline, ask.months);
    let mut weeks = BucketTally::new(pipeline, ask.weeks);
    let mut lifecycles = LifecycleTally::default();
    let any_owner = ask.filter.any_owner();
    for row in rows.into_iter().filter(|r| any_owner.matches(r)) {
        owners.add(row);
        if ask.filter.owner.as_ref().is_some_and(|o| *o != row.owner) {
            continue;
        }
        figures.add(row);
        before.add(row);
        funnel.add(row);
        sources.add(row);
        months.add(row);
        weeks.add(row);
        lifecycles.add(row);
    }
    Report {
        figures: figures.finish(),
        before: before.finish(),
        funnel: funnel.finish(),
        sources: sources.finish(),
        owners: owners.finish(),
        months: months.finish(),
        weeks: weeks.finish(),
        lifecycles: lifecycles.finish(),
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
    /// Counts one more for `customer`, a row's id (a row's entries are counted one after
    /// another, so the same row is the same address: its id's bytes are not read).
    fn add(&mut self, customer: &'a str) {
        self.n += 1;
        if self
            .customers
            .last()
            .is_none_or(|last| !std::ptr::eq(*last, customer))
        {
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
    tally(rows, filter, KeyTally::new(pipeline, period, now))
}

/// The key figures, a row at a time.
struct KeyTally<'a, 'p> {
    f: KeyFigures<'a>,
    won_amount: BTreeMap<String, i64>,
    cycles: Vec<Millis>,
    closing: Closing<'p>,
    period: Period,
    now: Millis,
}

impl<'a, 'p> KeyTally<'a, 'p> {
    fn new(pipeline: &'p Pipeline, period: Period, now: Millis) -> Self {
        Self {
            f: KeyFigures::default(),
            won_amount: BTreeMap::new(),
            cycles: Vec::new(),
            closing: Closing::of(pipeline),
            period,
            now,
        }
    }
}

impl<'a> Tally<'a> for KeyTally<'a, '_> {
    type Out = KeyFigures<'a>;

    fn add(&mut self, row: &'a SummaryRow) {
        let (f, period) = (&mut self.f, self.period);
        if period.contains(row.created_at) {
            f.new_customers.add(&row.id);
        }
        for deal in &row.deals {
            if period.contains(deal.created_at) {
                f.new_deals.add(&row.id);
            }
            if let Some(at) = self.closing.won(deal).filter(|at| period.contains(*at)) {
                f.won.add(&row.id);
                add_money(&mut self.won_amount, &deal.amount);
                self.cycles.push(at - deal.created_at);
            }
            if self
                .closing
                .lost(deal)
                .is_some_and(|at| period.contains(at))
            {
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
            if period.contains(open.due_at) && open.due_at < self.now {
                f.late.add(&row.id);
            }
        }
    }

    fn finish(self) -> KeyFigures<'a> {
        let mut f = self.f;
        let closed = f.won.n + f.lost.n;
        f.win_rate = (closed > 0).then(|| f.won.n as f64 / closed as f64);
        f.average_cycle_days = mean_days(&self.cycles);
        f.won_amount = monies(self.won_amount);
        f
    }
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
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    period: Period,
) -> Vec<FunnelLine<'a>> {
    tally(rows, filter, FunnelTally::new(pipeline, period))
}

/// The period's deals, a row at a time: each deal's furthest step and its stays in each stage
/// are read while its row is at hand (read again at the end, a year's deals were most of the
/// time of every figure, waiting on memory).
struct FunnelTally<'a, 'p> {
    /// Each deal's customer and furthest step's order.
    deals: Vec<(&'a str, Option<i64>)>,
    /// How long deals stayed in each step's stage, each time they left it (a stay not over yet
    /// is not counted), by step.
    stays: Vec<Vec<Millis>>,
    steps: Steps<'p>,
    period: Period,
}

impl<'p> FunnelTally<'_, 'p> {
    fn new(pipeline: &'p Pipeline, period: Period) -> Self {
        let steps = Steps::of(pipeline);
        Self {
            deals: Vec::new(),
            stays: vec![Vec::new(); steps.len()],
            steps,
            period,
        }
    }
}

impl<'a> Tally<'a> for FunnelTally<'a, '_> {
    type Out = Vec<FunnelLine<'a>>;

    fn add(&mut self, row: &'a SummaryRow) {
        for deal in (row.deals.iter()).filter(|d| self.period.contains(d.created_at)) {
            self.deals.push((&row.id, self.steps.furthest(deal)));
            for pair in deal.moves.windows(2) {
                if let Some(at) = self.steps.position(&pair[0].0) {
                    self.stays[at].push(pair[1].1 - pair[0].1);
                }
            }
        }
    }

    fn finish(mut self) -> Vec<FunnelLine<'a>> {
        let furthest: Vec<i64> = self.deals.iter().filter_map(|(_, f)| *f).collect();
        let steps = self.steps.funnel(&furthest);
        (steps.into_iter().enumerate())
            .map(|(at, step)| {
                let order = self.steps.order(at);
                let mut customers: Vec<&str> = (self.deals.iter())
                    .filter(|(_, f)| f.is_some_and(|f| f >= order))
                    .map(|(id, _)| *id)
                    .collect();
                customers.dedup_by(|a, b| std::ptr::eq(*a, *b));
                FunnelLine {
                    median_days: median_days(std::mem::take(&mut self.stays[at])),
                    step,
                    customers,
                }
            })
            .collect()
    }
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
    tally(rows, filter, BucketTally::new(pipeline, edges))
}

/// The buckets, a row at a time.
struct BucketTally<'a, 'p, 'e> {
    edges: &'e [Millis],
    won: Vec<BTreeMap<String, i64>>,
    new: Vec<BTreeMap<Source, Count<'a>>>,
    closing: Closing<'p>,
}

impl<'p, 'e> BucketTally<'_, 'p, 'e> {
    fn new(pipeline: &'p Pipeline, edges: &'e [Millis]) -> Self {
        let n = edges.len().saturating_sub(1);
        Self {
            edges,
            won: vec![BTreeMap::new(); n],
            new: vec![BTreeMap::new(); n],
            closing: Closing::of(pipeline),
        }
    }

    /// The bucket holding `at`, found by bisection (a year of weeks is 52 buckets).
    fn bucket_of(&self, at: Millis) -> Option<usize> {
        let after = self.edges.partition_point(|edge| *edge <= at);
        (after > 0 && after < self.edges.len()).then(|| after - 1)
    }
}

impl<'a> Tally<'a> for BucketTally<'a, '_, '_> {
    type Out = Vec<Bucket<'a>>;

    fn add(&mut self, row: &'a SummaryRow) {
        if let Some(i) = self.bucket_of(row.created_at) {
            self.new[i].entry(row.source).or_default().add(&row.id);
        }
        for deal in &row.deals {
            if let Some(i) = self.closing.won(deal).and_then(|at| self.bucket_of(at)) {
                add_money(&mut self.won[i], &deal.amount);
            }
        }
    }

    fn finish(self) -> Vec<Bucket<'a>> {
        let periods = (self.edges.windows(2)).map(|e| Period {
            from: e[0],
            to: e[1],
        });
        (periods.zip(self.won).zip(self.new))
            .map(|((period, won), new)| Bucket {
                period,
                won: monies(won),
                new_by_source: new,
            })
            .collect()
    }
}

/// How many customers are in each lifecycle stage now.
pub fn lifecycles<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
) -> BTreeMap<Lifecycle, Count<'a>> {
    tally(rows, filter, LifecycleTally::default())
}

/// The lifecycle distribution, a row at a time.
struct LifecycleTally<'a>(Vec<Count<'a>>);

impl Default for LifecycleTally<'_> {
    fn default() -> Self {
        Self(vec![Count::default(); Lifecycle::ALL.len()])
    }
}

impl<'a> Tally<'a> for LifecycleTally<'a> {
    type Out = BTreeMap<Lifecycle, Count<'a>>;

    fn add(&mut self, row: &'a SummaryRow) {
        if let Some(at) = Lifecycle::ALL.iter().position(|l| *l == row.lifecycle) {
            self.0[at].add(&row.id);
        }
    }

    fn finish(self) -> BTreeMap<Lifecycle, Count<'a>> {
        (Lifecycle::ALL.iter().copied().zip(self.0))
            .filter(|(_, count)| count.n > 0)
            .collect()
    }
}

/// A figure computed a row at a time: every figure of the screen is added up in one pass over
/// the rows ([`report`]), each row read once (nine passes took twice as long over 100,000).
trait Tally<'a> {
    type Out;
    fn add(&mut self, row: &'a SummaryRow);
    fn finish(self) -> Self::Out;
}

/// `tally` over the rows `filter` lets through.
fn tally<'a, T: Tally<'a>>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    mut tally: T,
) -> T::Out {
    for row in rows.into_iter().filter(|r| filter.matches(r)) {
        tally.add(row);
    }
    tally.finish()
}

/// Adds `amount` to its currency's total (the currency is copied only the first time).
fn add_money(totals: &mut BTreeMap<String, i64>, amount: &Money) {
    match totals.get_mut(amount.currency.as_str()) {
        Some(total) => *total = total.saturating_add(amount.minor),
        None => {
            totals.insert(amount.currency.clone(), amount.minor);
        }
    }
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
