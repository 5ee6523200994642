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
mod facts;
mod tables;

use std::borrow::Borrow;
use std::collections::BTreeMap;

use crate::customer::{Lifecycle, Source, SummaryRow};
use crate::funnel::{FunnelStep, Steps};
use crate::pipeline::Pipeline;
use crate::values::{DAY_MS, Millis, Money};

pub use cache::{ReportCache, Retallied};
use facts::{DealFact, Facts, Names, Pass};
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
    let mut names = Names::default();
    let facts = Facts::of(rows, pipeline, &mut names);
    let mut every = Every::new(pipeline, ask);
    every.add(&facts, &names);
    every.finish(&names)
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
            figures: KeyTally::new(period, now),
            before: KeyTally::new(period.previous(), now),
            funnel: FunnelTally::new(pipeline, period),
            sources: tables::SourceTally::new(period),
            owners: tables::OwnerTally::new(period, now),
            months: BucketTally::new(ask.months),
            weeks: BucketTally::new(ask.weeks),
            lifecycles: LifecycleTally::default(),
        }
    }

    /// Adds a run's facts (their strings numbered in `names`).
    fn add(&mut self, facts: &Facts, names: &Names) {
        let filter = &self.filter;
        let pass = Pass::of(facts, filter.owner.as_deref(), filter.source, names);
        self.figures.add(facts, &pass);
        self.before.add(facts, &pass);
        self.funnel.add(facts, &pass);
        self.sources.add(facts, &pass);
        self.owners.add(facts, &pass);
        self.months.add(facts, &pass);
        self.weeks.add(facts, &pass);
        self.lifecycles.add(facts, &pass);
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

    fn finish(self, names: &Names) -> Report {
        Report {
            figures: self.figures.finish(names),
            before: self.before.finish(names),
            funnel: self.funnel.finish(names),
            sources: self.sources.finish(names),
            owners: self.owners.finish(names),
            months: self.months.finish(names),
            weeks: self.weeks.finish(names),
            lifecycles: self.lifecycles.finish(names),
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
        if other.n == 0 {
            return;
        }
        self.n += other.n;
        (self.customers).extend(other.customers.iter().map(|at| at + offset));
    }

    /// Both counts added up, their customers each once.
    fn union(self, other: Count) -> Count {
        let mut customers = self.customers;
        customers.extend(other.customers);
        customers.sort_unstable();
        customers.dedup();
        Count {
            n: self.n + other.n,
            customers,
        }
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
    tally(rows, filter, pipeline, KeyTally::new(period, now))
}

/// The key figures, a run of rows at a time.
#[derive(Clone)]
struct KeyTally {
    f: KeyFigures,
    /// Open follow-ups past due (`f.late` holds those done late).
    overdue: Count,
    won_amount: Amounts,
    cycles: Cycles,
    period: Period,
    now: Millis,
}

impl KeyTally {
    fn new(period: Period, now: Millis) -> Self {
        Self {
            f: KeyFigures::default(),
            overdue: Count::default(),
            won_amount: Amounts::default(),
            cycles: Cycles::default(),
            period,
            now,
        }
    }
}

impl Tally for KeyTally {
    type Out = KeyFigures;

    fn add(&mut self, facts: &Facts, pass: &[Pass]) {
        let (f, period) = (&mut self.f, self.period);
        for (at, row) in facts.rows.iter().enumerate() {
            if pass[at].figures() && period.contains(row.created_at) {
                f.new_customers.add(at as u32);
            }
        }
        for deal in (facts.deals.iter()).filter(|d| pass[d.row as usize].figures()) {
            if period.contains(deal.created_at) {
                f.new_deals.add(deal.row);
            }
            if let Some(won) = deal.won.filter(|t| period.contains(*t)) {
                f.won.add(deal.row);
                self.won_amount.add(deal.currency, deal.amount);
                self.cycles.add(won - deal.created_at);
            }
            if deal.lost.is_some_and(|t| period.contains(t)) {
                f.lost.add(deal.row);
            }
        }
        for done in (facts.done.iter()).filter(|d| pass[d.row as usize].figures()) {
            if period.contains(done.due) {
                match done.done <= done.due {
                    true => f.on_time.add(done.row),
                    false => f.late.add(done.row),
                }
            }
        }
        for open in (facts.open.iter()).filter(|o| pass[o.row as usize].figures()) {
            if period.contains(open.due) && open.due < self.now {
                self.overdue.add(open.row);
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
        self.overdue.merge(&other.overdue, offset);
        self.won_amount.merge(&other.won_amount);
        self.cycles.merge(&other.cycles);
    }

    fn finish(self, names: &Names) -> KeyFigures {
        let mut f = self.f;
        f.late = std::mem::take(&mut f.late).union(self.overdue);
        let closed = f.won.n + f.lost.n;
        f.win_rate = (closed > 0).then(|| f.won.n as f64 / closed as f64);
        f.average_cycle_days = self.cycles.mean_days();
        f.won_amount = self.won_amount.monies(names);
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
    tally(rows, filter, pipeline, FunnelTally::new(pipeline, period))
}

/// The period's deals, a run of rows at a time.
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

    fn add(&mut self, facts: &Facts, pass: &[Pass]) {
        let period = self.period;
        let new = |d: &&DealFact| pass[d.row as usize].figures() && period.contains(d.created_at);
        for deal in facts.deals.iter().filter(new) {
            self.deals.push((deal.row, deal.furthest));
            for stay in &facts.stays[deal.stays.0 as usize..deal.stays.1 as usize] {
                self.stays[stay.step as usize].push(stay.span);
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        (self.deals).extend(other.deals.iter().map(|(at, f)| (at + offset, *f)));
        for (stays, more) in self.stays.iter_mut().zip(&other.stays) {
            stays.extend_from_slice(more);
        }
    }

    fn finish(mut self, _: &Names) -> Vec<FunnelLine> {
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
    tally(rows, filter, pipeline, BucketTally::new(edges))
}

/// The buckets, a run of rows at a time.
#[derive(Clone)]
struct BucketTally {
    edges: Vec<Millis>,
    won: Vec<Amounts>,
    /// New customers by bucket, then by source in declaration order.
    new: Vec<Count>,
}

impl BucketTally {
    fn new(edges: &[Millis]) -> Self {
        let n = edges.len().saturating_sub(1);
        Self {
            edges: edges.to_vec(),
            won: vec![Amounts::default(); n],
            new: vec![Count::default(); n * Source::ALL.len()],
        }
    }

    /// The bucket holding `at`, found by bisection (a year of weeks is 52 buckets).
    fn bucket_of(&self, at: Millis) -> Option<usize> {
        let (first, last) = (self.edges.first()?, self.edges.last()?);
        if at < *first || at >= *last {
            return None;
        }
        Some(self.edges.partition_point(|edge| *edge <= at) - 1)
    }
}

impl Tally for BucketTally {
    type Out = Vec<Bucket>;

    fn add(&mut self, facts: &Facts, pass: &[Pass]) {
        for (at, row) in facts.rows.iter().enumerate() {
            if let Some(i) = self
                .bucket_of(row.created_at)
                .filter(|_| pass[at].figures())
            {
                self.new[i * Source::ALL.len() + row.source as usize].add(at as u32);
            }
        }
        for deal in (facts.deals.iter()).filter(|d| pass[d.row as usize].figures()) {
            if let Some(i) = deal.won.and_then(|t| self.bucket_of(t)) {
                self.won[i].add(deal.currency, deal.amount);
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        for (won, more) in self.won.iter_mut().zip(&other.won) {
            won.merge(more);
        }
        for (new, more) in self.new.iter_mut().zip(&other.new) {
            new.merge(more, offset);
        }
    }

    fn finish(self, names: &Names) -> Vec<Bucket> {
        let periods = (self.edges.windows(2)).map(|e| Period {
            from: e[0],
            to: e[1],
        });
        let mut new = self.new.into_iter();
        (periods.zip(self.won))
            .map(|(period, won)| Bucket {
                period,
                won: won.monies(names),
                new_by_source: (Source::ALL.iter().copied())
                    .zip(new.by_ref().take(Source::ALL.len()))
                    .filter(|(_, count)| count.n > 0)
                    .collect(),
            })
            .collect()
    }
}

/// How many customers are in each lifecycle stage now.
pub fn lifecycles<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
) -> BTreeMap<Lifecycle, Count> {
    let no_stages = Pipeline::default();
    tally(rows, filter, &no_stages, LifecycleTally::default())
}

/// The lifecycle distribution, a run of rows at a time.
#[derive(Clone)]
struct LifecycleTally(Vec<Count>);

impl Default for LifecycleTally {
    fn default() -> Self {
        Self(vec![Count::default(); Lifecycle::ALL.len()])
    }
}

impl Tally for LifecycleTally {
    type Out = BTreeMap<Lifecycle, Count>;

    fn add(&mut self, facts: &Facts, pass: &[Pass]) {
        for (at, row) in facts.rows.iter().enumerate() {
            if pass[at].figures() {
                let stage = Lifecycle::ALL.iter().position(|l| *l == row.lifecycle);
                if let Some(stage) = stage {
                    self.0[stage].add(at as u32);
                }
            }
        }
    }

    fn merge(&mut self, other: &Self, offset: u32) {
        for (count, more) in self.0.iter_mut().zip(&other.0) {
            count.merge(more, offset);
        }
    }

    fn finish(self, _: &Names) -> BTreeMap<Lifecycle, Count> {
        (Lifecycle::ALL.iter().copied().zip(self.0))
            .filter(|(_, count)| count.n > 0)
            .collect()
    }
}

/// A figure added up over a run of rows' facts (every figure of the screen is added up from
/// one reading of the rows, [`Facts`]); tallies of consecutive runs merge ([`ReportCache`]
/// keeps one per run).
trait Tally {
    type Out;
    /// Adds the facts of a run of rows, of the rows `pass` lets through (one per row).
    fn add(&mut self, facts: &Facts, pass: &[Pass]);
    /// Adds `other`'s tally, of rows `offset` positions further on (after this one's).
    fn merge(&mut self, other: &Self, offset: u32);
    /// The figure, its strings named by `names`.
    fn finish(self, names: &Names) -> Self::Out;
}

/// `tally` over the rows `filter` lets through.
fn tally<'a, T: Tally>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    filter: &ReportFilter,
    pipeline: &Pipeline,
    mut tally: T,
) -> T::Out {
    let mut names = Names::default();
    let facts = Facts::of(rows, pipeline, &mut names);
    let pass = Pass::of(&facts, filter.owner.as_deref(), filter.source, &names);
    tally.add(&facts, &pass);
    tally.finish(&names)
}

/// Totals by currency number (see [`Names`]).
#[derive(Debug, Clone, Default)]
struct Amounts(Vec<Option<i64>>);

impl Amounts {
    /// Adds `minor` to `currency`'s total.
    fn add(&mut self, currency: u32, minor: i64) {
        let at = currency as usize;
        if self.0.len() <= at {
            self.0.resize(at + 1, None);
        }
        let total = self.0[at].get_or_insert(0);
        *total = total.saturating_add(minor);
    }

    fn merge(&mut self, other: &Amounts) {
        for (currency, minor) in other.0.iter().enumerate() {
            if let Some(minor) = minor {
                self.add(currency as u32, *minor);
            }
        }
    }

    /// The totals, sorted by currency.
    fn monies(self, names: &Names) -> Vec<Money> {
        let mut monies: Vec<Money> = (self.0.into_iter().enumerate())
            .filter_map(|(currency, minor)| {
                Some(Money {
                    minor: minor?,
                    currency: names.currencies.name(currency as u32).to_owned(),
                })
            })
            .collect();
        monies.sort_by(|a, b| a.currency.cmp(&b.currency));
        monies
    }
}

fn median_days(mut spans: Vec<Millis>) -> Option<f64> {
    if spans.is_empty() {
        return None;
    }
    // Selected, not sorted: over 100,000 customers a year's deals stayed in their stages
    // some 200,000 times.
    let odd = spans.len() % 2 == 1;
    let mid = spans.len() / 2;
    let (below, at, _) = spans.select_nth_unstable(mid);
    let median = match odd {
        true => *at as f64,
        // The other middle one is the largest below.
        false => (*below.iter().max().expect("an even count of two or more") + *at) as f64 / 2.0,
    };
    Some(median / DAY_MS as f64)
}

#[cfg(test)]
mod tests;
