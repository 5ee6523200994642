//! The figures a sales manager reads every morning, computed from summary rows for a period
//! and a filter (owner, source): key figures against the previous period, the funnel of the
//! period's deals with median days per stage, a table per lead source and per owner, amounts
//! and counts per time bucket (months, weeks: the app gives their bounds, in the team's
//! time zone), and the lifecycle distribution. Every figure carries the customers behind it,
//! so a number opens the list of exactly those customers.
//!
//! A deal is *won* (or *lost*) at the time it last entered its current stage when that stage
//! is a won (lost) one; its *cycle* runs from its creation to then.

mod cache;
mod tables;

use std::borrow::Borrow;
use std::collections::BTreeMap;

use crate::customer::{DealRow, Lifecycle, Source, SummaryRow};
use crate::funnel::{FunnelStep, Steps};
use crate::pipeline::{Pipeline, StageKind};
use crate::values::{DAY_MS, Millis, Money};

pub use cache::{ReportCache, Retallied};
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
        self.matches_any_owner(row) && self.owner.as_ref().is_none_or(|o| *o == row.owner)
    }

    /// Whether `row` is counted in the breakdown by owner: live and matching the source set.
    fn matches_any_owner(&self, row: &SummaryRow) -> bool {
        row.live() && self.source.is_none_or(|s| s == row.source)
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
pub struct Report {
    pub figures: KeyFigures,
    /// The key figures of the period before.
    pub before: KeyFigures,
    pub funnel: Vec<FunnelLine>,
    pub sources: BTreeMap<Source, SourceLine>,
    /// By member id.
    pub owners: BTreeMap<String, OwnerLine>,
    pub months: Vec<Bucket>,
    pub weeks: Vec<Bucket>,
    pub lifecycles: BTreeMap<Lifecycle, Count>,
}

/// Every figure of the reports screen in one pass over the rows: the same figures as
/// [`key_figures`], [`period_funnel`], [`by_source`], [`by_owner`], [`buckets`] and
/// [`lifecycles`] each computed alone. [`ReportCache`] keeps them as rows change.
pub fn report<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    pipeline: &Pipeline,
    ask: Ask<'_>,
) -> Report {
    let mut every = Every::new(pipeline, ask);
    for (at, row) in rows.into_iter().enumerate() {
        every.add(at as u32, row);
    }
    every.finish()
}

/// Every figure's tally, over the rows `filter` lets through.
#[derive(Clone)]
struct Every {
    filter: ReportFilter,
    figures: KeyTally,
    before: KeyTally,
    funnel: FunnelTally,
    sources: tables::SourceTally,
    owners: tables::OwnerTally,
    months: BucketTally,
    weeks: BucketTally,
    lifecycles: LifecycleTally,
}

impl Every {
    fn new(pipeline: &Pipeline, ask: Ask<'_>) -> Self {
        let (period, now) = (ask.period, ask.now);
        Self {
            filter: ask.filter.clone(),
            figures: KeyTally::new(pipeline, period, now),
            before: KeyTally::new(pipeline, period.previous(), now),
            funnel: FunnelTally::new(pipeline, period),
            sources: tables::SourceTally::new(pipeline, period),
            owners: tables::OwnerTally::new(pipeline, period, now),
            months: BucketTally::new(pipeline, ask.months),
            weeks: BucketTally::new(pipeline, ask.weeks),
            lifecycles: LifecycleTally::default(),
        }
    }
}

impl Tally for Every {
    type Out = Report;

    fn add(&mut self, at: u32, row: &SummaryRow) {
        if !self.filter.matches_any_owner(row) {
            return;
        }
        self.owners.add(at, row);
        if self.filter.owner.as_ref().is_some_and(|o| *o != row.owner) {
            return;
        }
        self.figures.add(at, row);
        self.before.add(at, row);
        self.funnel.add(at, row);
        self.sources.add(at, row);
        self.months.add(at, row);
        self.weeks.add(at, row);
        self.lifecycles.add(at, row);
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        self.figures.merge(&other.figures, offset);
        self.before.merge(&other.before, offset);
        self.funnel.merge(&other.funnel, offset);
        self.sources.merge(&other.sources, offset);
        self.owners.merge(&other.owners, offset);
        self.months.merge(&other.months, offset);
        self.weeks.merge(&other.weeks, offset);
        self.lifecycles.merge(&other.lifecycles, offset);
    }

    fn finish(self) -> Report {
        Report {
            figures: self.figures.finish(),
            before: self.before.finish(),
            funnel: self.funnel.finish(),
            sources: self.sources.finish(),
            owners: self.owners.finish(),
            months: self.months.finish(),
            weeks: self.weeks.finish(),
            lifecycles: self.lifecycles.finish(),
        }
    }
}

/// A count, and the customers it counts: their positions among the rows the figures were
/// computed over, ascending, each once (100,000 rows counted read no id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Count {
    pub n: usize,
    pub customers: Vec<u32>,
}

impl Count {
    /// The counted customers' ids, from the rows the figures were computed over.
    pub fn ids<'r, R: Borrow<SummaryRow>>(
        &self,
        rows: &'r [R],
    ) -> impl Iterator<Item = &'r str> + use<'_, 'r, R> {
        (self.customers.iter()).map(|at| rows[*at as usize].borrow().id.as_str())
    }

    /// Counts one more for the row at `at` (a row's entries are counted one after another).
    fn add(&mut self, at: u32) {
        self.n += 1;
        if self.customers.last() != Some(&at) {
            self.customers.push(at);
        }
    }

    /// Adds `other`'s count, of rows `offset` further on.
    fn merge(&mut self, other: &Count, offset: u32) {
        self.n += other.n;
        (self.customers).extend(other.customers.iter().map(|at| at + offset));
    }
}

/// The figures of one period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyFigures {
    /// Customers created in the period.
    pub new_customers: Count,
    /// Deals created in the period.
    pub new_deals: Count,
    /// Deals won in the period.
    pub won: Count,
    /// Their amounts, per currency (sorted by currency).
    pub won_amount: Vec<Money>,
    /// Deals lost in the period.
    pub lost: Count,
    /// Won over won and lost in the period (`None`: none closed).
    pub win_rate: Option<f64>,
    /// Mean days from creation to won of the deals won in the period.
    pub average_cycle_days: Option<f64>,
    /// Follow-ups due in the period and done by their due time.
    pub on_time: Count,
    /// Follow-ups due in the period done after it, or still open and past due at `now`.
    pub late: Count,
}

/// The pipeline's won and lost stages, to tell closed deals apart without a map lookup per
/// deal (which took most of the time over 100,000 rows).
#[derive(Clone)]
struct Closing {
    won: Vec<String>,
    lost: Vec<String>,
}

impl Closing {
    fn of(pipeline: &Pipeline) -> Self {
        let of_kind = |kind| {
            (pipeline.stages.iter())
                .filter(|(_, s)| s.kind == kind)
                .map(|(id, _)| id.clone())
                .collect()
        };
        Self {
            won: of_kind(StageKind::Won),
            lost: of_kind(StageKind::Lost),
        }
    }

    /// When `deal` was won, if it is.
    fn won(&self, deal: &DealRow) -> Option<Millis> {
        self.won.contains(&deal.stage).then_some(deal.stage_since)
    }

    /// When `deal` was lost, if it is.
    fn lost(&self, deal: &DealRow) -> Option<Millis> {
        self.lost.contains(&deal.stage).then_some(deal.stage_since)
    }
}

/// Days from creation to won, added up to a mean.
#[derive(Debug, Clone, Copy, Default)]
struct Cycles {
    total: Millis,
    n: usize,
}

impl Cycles {
    fn add(&mut self, span: Millis) {
        self.total += span;
        self.n += 1;
    }

    fn merge(&mut self, other: &Cycles) {
        self.total += other.total;
        self.n += other.n;
    }

    fn mean_days(&self) -> Option<f64> {
        (self.n > 0).then(|| self.total as f64 / self.n as f64 / DAY_MS as f64)
    }
}

/// The key figures of `period` at `now` over the rows `filter` lets through.
pub fn key_figures<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    period: Period,
    now: Millis,
) -> KeyFigures {
    tally(rows, filter, KeyTally::new(pipeline, period, now))
}

/// The key figures, a row at a time.
#[derive(Clone)]
struct KeyTally {
    f: KeyFigures,
    won_amount: Amounts,
    cycles: Cycles,
    closing: Closing,
    period: Period,
    now: Millis,
}

impl KeyTally {
    fn new(pipeline: &Pipeline, period: Period, now: Millis) -> Self {
        Self {
            f: KeyFigures::default(),
            won_amount: Amounts::default(),
            cycles: Cycles::default(),
            closing: Closing::of(pipeline),
            period,
            now,
        }
    }
}

impl Tally for KeyTally {
    type Out = KeyFigures;

    fn add(&mut self, at: u32, row: &SummaryRow) {
        let (f, period) = (&mut self.f, self.period);
        if period.contains(row.created_at) {
            f.new_customers.add(at);
        }
        for deal in &row.deals {
            if period.contains(deal.created_at) {
                f.new_deals.add(at);
            }
            if let Some(won) = self.closing.won(deal).filter(|t| period.contains(*t)) {
                f.won.add(at);
                self.won_amount.add(&deal.amount);
                self.cycles.add(won - deal.created_at);
            }
            if self.closing.lost(deal).is_some_and(|t| period.contains(t)) {
                f.lost.add(at);
            }
        }
        for (due, done, _) in &row.done_follow_ups {
            if period.contains(*due) {
                match done <= due {
                    true => f.on_time.add(at),
                    false => f.late.add(at),
                }
            }
        }
        for open in &row.open_follow_ups {
            if period.contains(open.due_at) && open.due_at < self.now {
                f.late.add(at);
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        let (f, o) = (&mut self.f, &other.f);
        f.new_customers.merge(&o.new_customers, offset);
        f.new_deals.merge(&o.new_deals, offset);
        f.won.merge(&o.won, offset);
        f.lost.merge(&o.lost, offset);
        f.on_time.merge(&o.on_time, offset);
        f.late.merge(&o.late, offset);
        self.won_amount.merge(&other.won_amount);
        self.cycles.merge(&other.cycles);
    }

    fn finish(self) -> KeyFigures {
        let mut f = self.f;
        let closed = f.won.n + f.lost.n;
        f.win_rate = (closed > 0).then(|| f.won.n as f64 / closed as f64);
        f.average_cycle_days = self.cycles.mean_days();
        f.won_amount = self.won_amount.monies();
        f
    }
}

/// One stage of the period's funnel: how many of the period's new deals reached it, the
/// conversion from the step before, and the median days those deals stayed in it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelLine {
    pub step: FunnelStep,
    pub median_days: Option<f64>,
    /// Positions of the customers, as [`Count::customers`].
    pub customers: Vec<u32>,
}

/// The funnel of the deals created in `period`.
pub fn period_funnel<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    period: Period,
) -> Vec<FunnelLine> {
    tally(rows, filter, FunnelTally::new(pipeline, period))
}

/// The period's deals, a row at a time: each deal's furthest step and its stays in each stage
/// are read while its row is at hand (read again at the end, a year's deals were most of the
/// time of every figure, waiting on memory).
#[derive(Clone)]
struct FunnelTally {
    /// Each deal's customer and furthest step's order.
    deals: Vec<(u32, Option<i64>)>,
    /// How long deals stayed in each step's stage, each time they left it (a stay not over yet
    /// is not counted), by step.
    stays: Vec<Vec<Millis>>,
    steps: Steps,
    period: Period,
}

impl FunnelTally {
    fn new(pipeline: &Pipeline, period: Period) -> Self {
        let steps = Steps::of(pipeline);
        Self {
            deals: Vec::new(),
            stays: vec![Vec::new(); steps.len()],
            steps,
            period,
        }
    }
}

impl Tally for FunnelTally {
    type Out = Vec<FunnelLine>;

    fn add(&mut self, at: u32, row: &SummaryRow) {
        for deal in (row.deals.iter()).filter(|d| self.period.contains(d.created_at)) {
            self.deals.push((at, self.steps.furthest(deal)));
            for pair in deal.moves.windows(2) {
                if let Some(step) = self.steps.position(&pair[0].0) {
                    self.stays[step].push(pair[1].1 - pair[0].1);
                }
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        (self.deals).extend(other.deals.iter().map(|(at, f)| (at + offset, *f)));
        for (stays, more) in self.stays.iter_mut().zip(&other.stays) {
            stays.extend_from_slice(more);
        }
    }

    fn finish(mut self) -> Vec<FunnelLine> {
        let furthest: Vec<i64> = self.deals.iter().filter_map(|(_, f)| *f).collect();
        let steps = self.steps.funnel(&furthest);
        (steps.into_iter().enumerate())
            .map(|(step_at, step)| {
                let order = self.steps.order(step_at);
                let mut customers: Vec<u32> = (self.deals.iter())
                    .filter(|(_, f)| f.is_some_and(|f| f >= order))
                    .map(|(at, _)| *at)
                    .collect();
                customers.dedup();
                FunnelLine {
                    median_days: median_days(std::mem::take(&mut self.stays[step_at])),
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
pub struct Bucket {
    pub period: Period,
    /// Won amounts per currency.
    pub won: Vec<Money>,
    /// New customers per source.
    pub new_by_source: BTreeMap<Source, Count>,
}

/// The won amount and the new customers per source of each bucket between `edges`.
pub fn buckets<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    edges: &[Millis],
) -> Vec<Bucket> {
    tally(rows, filter, BucketTally::new(pipeline, edges))
}

/// The buckets, a row at a time.
#[derive(Clone)]
struct BucketTally {
    edges: Vec<Millis>,
    won: Vec<Amounts>,
    new: Vec<BTreeMap<Source, Count>>,
    closing: Closing,
}

impl BucketTally {
    fn new(pipeline: &Pipeline, edges: &[Millis]) -> Self {
        let n = edges.len().saturating_sub(1);
        Self {
            edges: edges.to_vec(),
            won: vec![Amounts::default(); n],
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

impl Tally for BucketTally {
    type Out = Vec<Bucket>;

    fn add(&mut self, at: u32, row: &SummaryRow) {
        if let Some(i) = self.bucket_of(row.created_at) {
            self.new[i].entry(row.source).or_default().add(at);
        }
        for deal in &row.deals {
            if let Some(i) = self.closing.won(deal).and_then(|t| self.bucket_of(t)) {
                self.won[i].add(&deal.amount);
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        for (won, more) in self.won.iter_mut().zip(&other.won) {
            won.merge(more);
        }
        for (new, more) in self.new.iter_mut().zip(&other.new) {
            for (source, count) in more {
                new.entry(*source).or_default().merge(count, offset);
            }
        }
    }

    fn finish(self) -> Vec<Bucket> {
        let periods = (self.edges.windows(2)).map(|e| Period {
            from: e[0],
            to: e[1],
        });
        (periods.zip(self.won).zip(self.new))
            .map(|((period, won), new)| Bucket {
                period,
                won: won.monies(),
                new_by_source: new,
            })
            .collect()
    }
}

/// How many customers are in each lifecycle stage now.
pub fn lifecycles<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
) -> BTreeMap<Lifecycle, Count> {
    tally(rows, filter, LifecycleTally::default())
}

/// The lifecycle distribution, a row at a time.
#[derive(Clone)]
struct LifecycleTally(Vec<Count>);

impl Default for LifecycleTally {
    fn default() -> Self {
        Self(vec![Count::default(); Lifecycle::ALL.len()])
    }
}

impl Tally for LifecycleTally {
    type Out = BTreeMap<Lifecycle, Count>;

    fn add(&mut self, at: u32, row: &SummaryRow) {
        if let Some(stage) = Lifecycle::ALL.iter().position(|l| *l == row.lifecycle) {
            self.0[stage].add(at);
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        for (count, more) in self.0.iter_mut().zip(&other.0) {
            count.merge(more, offset);
        }
    }

    fn finish(self) -> BTreeMap<Lifecycle, Count> {
        (Lifecycle::ALL.iter().copied().zip(self.0))
            .filter(|(_, count)| count.n > 0)
            .collect()
    }
}

/// A figure computed a row at a time: every figure of the screen is added up in one pass over
/// the rows ([`report`]), each row read once (nine passes took twice as long over 100,000);
/// tallies of consecutive runs of rows merge ([`ReportCache`] keeps one per run).
trait Tally {
    type Out;
    /// Adds the row at position `at`.
    fn add(&mut self, at: u32, row: &SummaryRow);
    /// Adds `other`'s tally, of rows `offset` positions further on (after this one's).
    fn merge(&mut self, other: &Self, offset: u32);
    fn finish(self) -> Self::Out;
}

/// `tally` over the rows `filter` lets through.
fn tally<'a, T: Tally>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    mut tally: T,
) -> T::Out {
    for (at, row) in rows.into_iter().enumerate() {
        if filter.matches(row) {
            tally.add(at as u32, row);
        }
    }
    tally.finish()
}

/// Totals per currency.
#[derive(Debug, Clone, Default)]
struct Amounts(BTreeMap<String, i64>);

impl Amounts {
    /// Adds `amount` to its currency's total (the currency is copied only the first time).
    fn add(&mut self, amount: &Money) {
        self.add_minor(&amount.currency, amount.minor);
    }

    fn add_minor(&mut self, currency: &str, minor: i64) {
        match self.0.get_mut(currency) {
            Some(total) => *total = total.saturating_add(minor),
            None => {
                self.0.insert(currency.to_owned(), minor);
            }
        }
    }

    fn merge(&mut self, other: &Amounts) {
        for (currency, minor) in &other.0 {
            self.add_minor(currency, *minor);
        }
    }

    fn monies(self) -> Vec<Money> {
        (self.0.into_iter())
            .map(|(currency, minor)| Money { minor, currency })
            .collect()
    }
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
