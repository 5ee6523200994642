//! Every figure checked against a straightforward computation over the whole customers (not
//! their rows), on the demo workspace and on generated ones; the edges of a period.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::customer::{Customer, CustomerDoc, DealRow, NewCustomer, NewDeal};
use crate::demo;
use crate::document::Stamp;
use crate::id::Id;
use crate::pipeline::StageKind;

const NOW: Millis = 1_780_000_000_000;

/// Demo customers `seed` (the first `count`), whole and as rows.
fn workspace(seed: u64, count: usize) -> (Vec<Customer>, Vec<SummaryRow>) {
    demo::customers(seed, NOW)
        .take(count)
        .map(|doc| (doc.customer().unwrap(), doc.summary().unwrap()))
        .unzip()
}

/// The demo workspace's first 150 customers, made once for every test here.
fn demo_workspace() -> &'static (Vec<Customer>, Vec<SummaryRow>) {
    static DEMO: std::sync::OnceLock<(Vec<Customer>, Vec<SummaryRow>)> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| workspace(demo::DEMO_SEED, 150))
}

/// When a deal's current stage was last entered (its creation when never): the reference.
fn entered(deal: &crate::customer::Deal) -> Millis {
    (deal.stage_history.iter())
        .rev()
        .find(|c| c.stage == deal.stage)
        .map_or(deal.created_at, |c| c.at)
}

fn kind(pipeline: &Pipeline, stage: &str) -> Option<StageKind> {
    pipeline.stages.get(stage).map(|s| s.kind)
}

/// The positions of `of` among `customers`, ascending, each once.
fn positions(customers: &[Customer], of: &[&Customer]) -> Vec<u32> {
    let set: BTreeSet<u32> = (of.iter())
        .map(|c| customers.iter().position(|x| std::ptr::eq(x, *c)).unwrap() as u32)
        .collect();
    set.into_iter().collect()
}

/// `f` with each count's customers sorted, to compare with the reference.
fn sorted(f: KeyFigures) -> KeyFigures {
    fn sort(mut c: Count) -> Count {
        c.customers.sort_unstable();
        c
    }
    KeyFigures {
        new_customers: sort(f.new_customers),
        new_deals: sort(f.new_deals),
        won: sort(f.won),
        lost: sort(f.lost),
        on_time: sort(f.on_time),
        late: sort(f.late),
        win_rate: None,
        average_cycle_days: None,
        ..f
    }
}

/// The key figures, computed the long way.
fn reference(customers: &[Customer], period: Period, now: Millis) -> KeyFigures {
    let pipeline = Pipeline::standard();
    let p = &pipeline;
    let closed = |c: &&Customer, k: StageKind| {
        (c.deals.values()).any(|d| kind(p, &d.stage) == Some(k) && period.contains(entered(d)))
    };
    let count = |of: Vec<&Customer>, n: usize| Count {
        n,
        customers: positions(customers, &of),
    };
    let new: Vec<&Customer> = customers
        .iter()
        .filter(|c| period.contains(c.created_at))
        .collect();
    let deals_in = |c: &Customer, keep: &dyn Fn(&crate::customer::Deal) -> bool| {
        c.deals.values().filter(|d| keep(d)).count()
    };
    let new_deals: usize = customers
        .iter()
        .map(|c| deals_in(c, &|d| period.contains(d.created_at)))
        .sum();
    let won_deal = |d: &crate::customer::Deal| {
        kind(p, &d.stage) == Some(StageKind::Won) && period.contains(entered(d))
    };
    let lost_deal = |d: &crate::customer::Deal| {
        kind(p, &d.stage) == Some(StageKind::Lost) && period.contains(entered(d))
    };
    let won: usize = customers.iter().map(|c| deals_in(c, &won_deal)).sum();
    let lost: usize = customers.iter().map(|c| deals_in(c, &lost_deal)).sum();
    let mut amount: BTreeMap<String, i64> = BTreeMap::new();
    let mut cycle_total = 0;
    for d in customers
        .iter()
        .flat_map(|c| c.deals.values())
        .filter(|d| won_deal(d))
    {
        *amount.entry(d.currency.clone()).or_default() += d.amount_minor;
        cycle_total += entered(d) - d.created_at;
    }
    let due_in = |c: &Customer, on_time: bool| {
        (c.follow_ups.values())
            .filter(|f| period.contains(f.due_at))
            .filter(|f| match (f.done, on_time) {
                (true, true) => f.done_at.unwrap_or(f.due_at) <= f.due_at,
                (true, false) => f.done_at.unwrap_or(f.due_at) > f.due_at,
                (false, true) => false,
                (false, false) => f.due_at < now,
            })
            .count()
    };
    let on_time: usize = customers.iter().map(|c| due_in(c, true)).sum();
    let late: usize = customers.iter().map(|c| due_in(c, false)).sum();
    KeyFigures {
        new_customers: count(new.clone(), new.len()),
        new_deals: count(
            customers
                .iter()
                .filter(|c| deals_in(c, &|d| period.contains(d.created_at)) > 0)
                .collect(),
            new_deals,
        ),
        won: count(
            customers
                .iter()
                .filter(|c| closed(c, StageKind::Won))
                .collect(),
            won,
        ),
        won_amount: (amount.into_iter())
            .map(|(currency, minor)| Money { minor, currency })
            .collect(),
        lost: count(
            customers
                .iter()
                .filter(|c| closed(c, StageKind::Lost))
                .collect(),
            lost,
        ),
        win_rate: (won + lost > 0).then(|| won as f64 / (won + lost) as f64),
        average_cycle_days: (won > 0).then(|| cycle_total as f64 / won as f64 / DAY_MS as f64),
        on_time: count(
            customers.iter().filter(|c| due_in(c, true) > 0).collect(),
            on_time,
        ),
        late: count(
            customers.iter().filter(|c| due_in(c, false) > 0).collect(),
            late,
        ),
    }
}

/// Months (30 days) back from `NOW`, and the whole year.
fn periods() -> Vec<Period> {
    let mut periods: Vec<Period> = (0..12)
        .map(|m| Period {
            from: NOW - (m + 1) * 30 * DAY_MS,
            to: NOW - m * 30 * DAY_MS,
        })
        .collect();
    periods.push(Period {
        from: NOW - 365 * DAY_MS,
        to: NOW + DAY_MS,
    });
    periods
}

fn assert_close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{what}: {a} vs {b}"),
        _ => assert_eq!(a, b, "{what}"),
    }
}

fn check(customers: &[Customer], rows: &[SummaryRow], period: Period) {
    let pipeline = Pipeline::standard();
    let got = key_figures(rows, &ReportFilter::default(), &pipeline, period, NOW);
    let want = reference(customers, period, NOW);
    assert_close(got.win_rate, want.win_rate, "win rate");
    assert_close(got.average_cycle_days, want.average_cycle_days, "cycle");
    assert_eq!(sorted(got), sorted(want), "{period:?}");
}

#[test]
fn key_figures_match_the_reference_over_the_demo_workspace() {
    let (customers, rows) = (&demo_workspace().0, &demo_workspace().1[..]);
    for period in periods() {
        check(customers, rows, period);
    }
    // The demo has something in its last year.
    let year = *periods().last().unwrap();
    let f = key_figures(
        rows,
        &ReportFilter::default(),
        &Pipeline::standard(),
        year,
        NOW,
    );
    assert!(
        f.new_customers.n > 0 && f.won.n > 0 && f.on_time.n + f.late.n > 0,
        "{f:?}"
    );
}

#[test]
fn tables_add_up_to_the_key_figures() {
    let rows = &demo_workspace().1[..];
    let pipeline = Pipeline::standard();
    let all = ReportFilter::default();
    for period in periods() {
        let f = key_figures(rows, &all, &pipeline, period, NOW);
        let sources = by_source(rows, &all, &pipeline, period);
        let sum = |pick: fn(&SourceLine) -> usize| sources.values().map(pick).sum::<usize>();
        assert_eq!(sum(|l| l.customers.n), f.new_customers.n);
        assert_eq!(sum(|l| l.deals.n), f.new_deals.n);
        assert_eq!(sum(|l| l.won.n), f.won.n);
        let owners = by_owner(rows, &all, &pipeline, period, NOW);
        let won_by_owners: usize = owners.values().map(|l| l.won.n).sum();
        let pool_won = (rows.iter().filter(|r| r.owner.is_empty()))
            .flat_map(|r| &r.deals)
            .filter(|d| {
                kind(&pipeline, &d.stage) == Some(StageKind::Won) && period.contains(d.stage_since)
            })
            .count();
        assert_eq!(won_by_owners + pool_won, f.won.n);
        let owned: usize = owners.values().map(|l| l.customers.n).sum();
        assert_eq!(owned, rows.iter().filter(|r| !r.owner.is_empty()).count());
        // A source filter gives that source's line.
        for (source, line) in &sources {
            let only = ReportFilter {
                source: Some(*source),
                ..ReportFilter::default()
            };
            let f = key_figures(rows, &only, &pipeline, period, NOW);
            assert_eq!(f.new_customers, line.customers);
            assert_eq!(f.won, line.won);
            assert_eq!(f.won_amount, line.won_amount);
        }
    }
}

#[test]
fn interactions_per_member_count_those_logged_in_the_period() {
    let (customers, rows) = (&demo_workspace().0, &demo_workspace().1[..]);
    let pipeline = Pipeline::standard();
    for period in periods() {
        let owners = by_owner(rows, &ReportFilter::default(), &pipeline, period, NOW);
        let mut want: BTreeMap<String, usize> = BTreeMap::new();
        for i in customers.iter().flat_map(|c| c.interactions.values()) {
            // Periods here are whole days, so minutes decide as milliseconds would.
            if period.contains(i.at) {
                *want.entry(i.author.clone()).or_default() += 1;
            }
        }
        let got: BTreeMap<String, usize> = (owners.into_iter())
            .filter(|(_, l)| l.interactions > 0)
            .map(|(m, l)| (m, l.interactions))
            .collect();
        assert_eq!(got, want, "{period:?}");
    }
}

#[test]
fn a_deal_won_at_the_last_millisecond_of_a_period_counts_in_it_and_not_in_the_next() {
    let day = |d: i64| NOW + d * DAY_MS;
    let new = NewCustomer {
        name: "周芳".into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: "sales-zhang".into(),
        source: Source::Referral,
        lifecycle: Lifecycle::Lead,
    };
    let pipeline = Pipeline::standard();
    let mut doc = CustomerDoc::create(
        &Id::parse("c1").unwrap(),
        new,
        &Stamp::new("sales-zhang", day(0)),
    )
    .unwrap();
    let deal = NewDeal {
        title: "年度采购".into(),
        amount: Money::cny(1_280_000),
        stage: None,
        expected_close: None,
    };
    doc.add_deal(
        &Id::parse("d1").unwrap(),
        deal,
        &pipeline,
        &Stamp::new("sales-zhang", day(0)),
    )
    .unwrap();
    // 23:59:59.999 on the period's last day.
    let last_moment = day(30) - 1;
    doc.move_deal_stage(
        "d1",
        "won",
        None,
        &pipeline,
        &Stamp::new("sales-zhang", last_moment),
    )
    .unwrap();
    let rows = &[doc.summary().unwrap()][..];
    let month = Period {
        from: day(0),
        to: day(30),
    };
    let next = Period {
        from: day(30),
        to: day(60),
    };
    let all = ReportFilter::default();
    let f = key_figures(rows, &all, &pipeline, month, day(61));
    assert_eq!(
        (f.won.n, f.won_amount.clone()),
        (1, vec![Money::cny(1_280_000)])
    );
    assert_close(
        f.average_cycle_days,
        Some(30.0 - 1.0 / DAY_MS as f64),
        "cycle",
    );
    assert_eq!(key_figures(rows, &all, &pipeline, next, day(61)).won.n, 0);
    assert_eq!(
        month.previous(),
        Period {
            from: day(-30),
            to: day(0)
        }
    );
    let funnel = period_funnel(rows, &all, &pipeline, month);
    assert!(
        funnel
            .iter()
            .all(|l| l.step.reached == 1 && l.customers == [0])
    );
    let buckets = buckets(rows, &all, &pipeline, &[day(0), day(30), day(60)]);
    assert_eq!(buckets[0].won, vec![Money::cny(1_280_000)]);
    assert!(buckets[1].won.is_empty());
    assert_eq!(buckets[0].new_by_source[&Source::Referral].customers, [0]);
}

#[test]
fn the_funnel_counts_the_periods_deals_with_their_median_days_per_stage() {
    let rows = &demo_workspace().1[..];
    let pipeline = Pipeline::standard();
    let year = *periods().last().unwrap();
    let lines = period_funnel(rows, &ReportFilter::default(), &pipeline, year);
    let deals: Vec<&DealRow> = (rows.iter().flat_map(|r| &r.deals))
        .filter(|d| year.contains(d.created_at))
        .collect();
    assert_eq!(lines[0].step.reached, deals.len());
    assert!(
        lines
            .windows(2)
            .all(|w| w[0].step.reached >= w[1].step.reached)
    );
    // The first stage's median, the long way.
    let first = &lines[0].step.stage;
    let mut stays: Vec<Millis> = (deals.iter())
        .flat_map(|d| {
            d.moves
                .windows(2)
                .filter(|w| &w[0].0 == first)
                .map(|w| w[1].1 - w[0].1)
        })
        .collect();
    stays.sort_unstable();
    if !stays.is_empty() {
        let mid = stays.len() / 2;
        let median = match stays.len() % 2 {
            1 => stays[mid] as f64,
            _ => (stays[mid - 1] + stays[mid]) as f64 / 2.0,
        };
        assert_close(lines[0].median_days, Some(median / DAY_MS as f64), "median");
    }
    let lifecycle = lifecycles(rows, &ReportFilter::default());
    assert_eq!(lifecycle.values().map(|c| c.n).sum::<usize>(), rows.len());
}

/// [`report`]'s one pass against each figure computed alone, for `filter` and `period`.
fn check_one_pass(rows: &[SummaryRow], filter: &ReportFilter, period: Period) {
    let pipeline = Pipeline::standard();
    let months = month_edges();
    let weeks: Vec<Millis> = (0..=5).map(|w| period.from + w * 7 * DAY_MS).collect();
    let ask = Ask {
        filter,
        period,
        now: NOW,
        months: &months,
        weeks: &weeks,
    };
    let got = report(rows, &pipeline, ask);
    let want = Report {
        figures: key_figures(rows, filter, &pipeline, period, NOW),
        before: key_figures(rows, filter, &pipeline, period.previous(), NOW),
        funnel: period_funnel(rows, filter, &pipeline, period),
        sources: by_source(rows, filter, &pipeline, period),
        owners: by_owner(rows, filter, &pipeline, period, NOW),
        months: buckets(rows, filter, &pipeline, &months),
        weeks: buckets(rows, filter, &pipeline, &weeks),
        lifecycles: lifecycles(rows, filter),
    };
    assert_eq!(got, want, "{filter:?} {period:?}");
}

#[test]
fn one_pass_gives_every_figure_as_computed_alone() {
    let rows = &demo_workspace().1[..];
    let filters = [
        ReportFilter::default(),
        ReportFilter {
            owner: Some(rows[0].owner.clone()),
            source: None,
        },
        ReportFilter {
            owner: None,
            source: Some(rows[0].source),
        },
    ];
    for filter in &filters {
        for period in periods() {
            check_one_pass(rows, filter, period);
        }
    }
}

/// The reports screen's ask over a month back from `NOW` (or the year), for `filter`.
fn asking<'e>(filter: &'e ReportFilter, edges: &'e [Millis], year: bool) -> Ask<'e> {
    let period = match year {
        true => *periods().last().unwrap(),
        false => periods()[0],
    };
    Ask {
        filter,
        period,
        now: NOW,
        months: edges,
        weeks: &edges[edges.len() - 5..],
    }
}

/// The cache's report and ids against one pass over `rows`.
fn check_cache(cache: &mut ReportCache, rows: &[Arc<SummaryRow>], ask: Ask<'_>) -> Retallied {
    let pipeline = Pipeline::standard();
    let (got, retallied) = cache.report(rows, &pipeline, ask);
    let want = report(rows.iter().map(|r| &**r), &pipeline, ask);
    assert_eq!(got, want);
    for count in [
        &got.figures.new_customers,
        &got.figures.won,
        &got.lifecycles.values().next().cloned().unwrap_or_default(),
    ] {
        let ids: Vec<&str> = cache.ids(count).collect();
        assert_eq!(ids, count.ids(rows).collect::<Vec<_>>());
    }
    retallied
}

/// `row` changed as a teammate's edit would: another owner, a deal won later, created a day on.
fn edited(row: &SummaryRow, owner: &str) -> Arc<SummaryRow> {
    let mut row = row.clone();
    row.owner = owner.to_owned();
    row.created_at += DAY_MS;
    if let Some(deal) = row.deals.first_mut() {
        deal.stage = "won".into();
        deal.stage_since = NOW - DAY_MS;
    }
    Arc::new(row)
}

/// `n` of the demo's rows from `skip` on, over and over, each its own allocation (the demo
/// made once: a workspace per case took a minute).
fn shared_rows(skip: usize, n: usize) -> Vec<Arc<SummaryRow>> {
    let demo = &demo_workspace().1;
    (demo.iter().cycle().skip(skip).take(n))
        .map(|row| Arc::new(row.clone()))
        .collect()
}

/// The starts of twelve 30-day months back from `NOW`, and `NOW`.
fn month_edges() -> Vec<Millis> {
    (0..=12).rev().map(|m| NOW - m * 30 * DAY_MS).collect()
}

#[test]
fn the_cache_tallies_again_only_the_chunk_a_changed_row_is_in() {
    let rows = shared_rows(0, 12_000);
    let filter = ReportFilter::default();
    let edges = month_edges();
    let ask = asking(&filter, &edges, false);
    let mut cache = ReportCache::default();
    assert_eq!(check_cache(&mut cache, &rows, ask).rows, 12_000);
    assert_eq!(check_cache(&mut cache, &rows, ask), Retallied::default());
    let mut changed = rows.clone();
    changed[6_000] = edited(&rows[6_000], "sales-li");
    changed.remove(9_000);
    // Its chunk, or two if its address cuts where the row's did not: at most 2 × 2,048 rows.
    let retallied = check_cache(&mut cache, &changed, ask);
    assert!(
        retallied.chunks <= 4 && retallied.rows <= 8_192,
        "{retallied:?}"
    );
    assert_eq!(retallied.read, retallied.rows);
    // Another period: every row tallied again, from the facts kept, none read.
    let year = asking(&filter, &edges, true);
    let retallied = check_cache(&mut cache, &changed, year);
    assert_eq!((retallied.rows, retallied.read), (11_999, 0));
    // Another pipeline: every row read again.
    let mut pipeline = Pipeline::standard();
    pipeline
        .stages
        .retain(|_, stage| stage.kind != StageKind::Lost);
    let (got, retallied) = cache.report(&changed, &pipeline, year);
    let rows = changed.iter().map(|row| &**row);
    assert_eq!(got, report(rows, &pipeline, year));
    assert_eq!(retallied.read, 11_999);
}

#[test]
fn rows_read_ahead_are_only_tallied_by_the_next_report() {
    let rows = shared_rows(0, 12_000);
    let (filter, pipeline) = (ReportFilter::default(), Pipeline::standard());
    let edges = month_edges();
    let ask = asking(&filter, &edges, false);
    let mut cache = ReportCache::default();
    // Two chunks at a time.
    let two = || {
        let mut left = 2;
        move || {
            left -= 1;
            left >= 0
        }
    };
    let mut steps = 1;
    while !cache.read_ahead(&rows, &pipeline, two()) {
        steps += 1;
    }
    // About a dozen chunks.
    assert!(steps >= 3, "{steps} steps");
    let retallied = check_cache(&mut cache, &rows, ask);
    assert_eq!((retallied.rows, retallied.read), (12_000, 0));
    // A row changed: reading ahead reads its chunk (or two) only, and the report none.
    let mut changed = rows.clone();
    changed[6_000] = edited(&rows[6_000], "sales-li");
    assert!(cache.read_ahead(&changed, &pipeline, two()));
    let retallied = check_cache(&mut cache, &changed, ask);
    assert_eq!(retallied.read, 0);
    assert!(retallied.rows <= 8_192, "{retallied:?}");
}

/// A change to the rows, as sync and edits make them.
#[derive(Debug, Clone)]
enum Change {
    Edit(usize),
    Add(usize),
    Remove(usize),
    Year(bool),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => (0usize..1_000).prop_map(Change::Edit),
        2 => (0usize..1_000).prop_map(Change::Add),
        2 => (0usize..1_000).prop_map(Change::Remove),
        1 => any::<bool>().prop_map(Change::Year),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// Whatever rows change, the cache's figures are one pass's over the rows of the time.
    #[test]
    fn the_cache_gives_one_pass_figures_as_rows_change(
        start in 0usize..150,
        owner_filter in any::<bool>(),
        changes in proptest::collection::vec(change(), 1..25),
    ) {
        let mut rows = shared_rows(start, 100);
        let filter = ReportFilter {
            owner: owner_filter.then(|| rows[0].owner.clone()),
            source: None,
        };
        let edges = month_edges();
        let mut year = false;
        let mut cache = ReportCache::cutting_one_in(8);
        check_cache(&mut cache, &rows, asking(&filter, &edges, year));
        for (k, change) in changes.into_iter().enumerate() {
            match change {
                Change::Edit(i) if !rows.is_empty() => {
                    let i = i % rows.len();
                    rows[i] = edited(&rows[i], &rows[(i + 1) % rows.len()].owner.clone());
                }
                Change::Add(i) => {
                    let mut row = (*rows[i % rows.len()]).clone();
                    row.id = format!("added-{k}");
                    rows.insert(i % (rows.len() + 1), Arc::new(row));
                }
                Change::Remove(i) if rows.len() > 1 => {
                    rows.remove(i % rows.len());
                }
                Change::Year(y) => year = y,
                _ => {}
            }
            check_cache(&mut cache, &rows, asking(&filter, &edges, year));
        }
    }

    /// Over generated workspaces and periods, the key figures match the reference.
    #[test]
    fn key_figures_match_the_reference_over_generated_workspaces(
        seed in 0u64..10_000,
        from_days in 0i64..720,
        length in 1i64..120,
    ) {
        let (customers, rows) = workspace(seed, 25);
        let period = Period {
            from: NOW - from_days * DAY_MS,
            to: NOW - from_days * DAY_MS + length * DAY_MS,
        };
        check(&customers, &rows, period);
        check_one_pass(&rows, &ReportFilter::default(), period);
    }
}
