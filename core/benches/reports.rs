//! Every figure of the reports screen over 100,000 summary rows in one pass (target from the
//! reports issue: < 100 ms in the browser; this is the computation natively): key figures for
//! a month and the one before, the period's funnel, the source and owner tables, twelve
//! monthly and five weekly buckets and the lifecycle distribution; then kept by `ReportCache`
//! as one row at a time changes (a teammate's edit); then each figure alone.
//!
//! Run: `cargo bench -p crm-core --bench reports`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use crm_core::customer::SummaryRow;
use crm_core::demo;
use crm_core::pipeline::Pipeline;
use crm_core::reports::{self, Ask, Period, Report, ReportCache, ReportFilter};
use crm_core::values::DAY_MS;

const NOW: i64 = 1_780_000_000_000;
const ROWS: usize = 100_000;

fn all_figures(rows: &[SummaryRow], pipeline: &Pipeline, filter: &ReportFilter) -> usize {
    figures_of(rows, pipeline, filter, 30)
}

/// The `days` before `NOW`, with twelve monthly and five weekly bucket edges.
fn span(days: i64) -> (Period, Vec<i64>, Vec<i64>) {
    let period = Period {
        from: NOW - days * DAY_MS,
        to: NOW,
    };
    let months: Vec<i64> = (0..=12).rev().map(|m| NOW - m * 30 * DAY_MS).collect();
    let weeks: Vec<i64> = (0..=5).map(|w| period.from + w * 7 * DAY_MS).collect();
    (period, months, weeks)
}

/// Every figure for the `days` before `NOW`.
fn figures_of(rows: &[SummaryRow], pipeline: &Pipeline, filter: &ReportFilter, days: i64) -> usize {
    let (period, months, weeks) = span(days);
    let ask = Ask {
        filter,
        period,
        now: NOW,
        months: &months,
        weeks: &weeks,
    };
    summed(&reports::report(rows, pipeline, ask))
}

/// A number from every figure, for `black_box`.
fn summed(r: &Report) -> usize {
    r.figures.won.n
        + r.before.won.n
        + r.funnel.len()
        + r.sources.len()
        + r.owners.len()
        + r.months.len()
        + r.weeks.len()
        + r.lifecycles.len()
}

fn figures(c: &mut Criterion) {
    let base: Vec<SummaryRow> = demo::customers(42, NOW)
        .take(1_000)
        .map(|doc| doc.summary().unwrap())
        .collect();
    let rows: Vec<SummaryRow> = (0..ROWS)
        .map(|i| SummaryRow {
            id: format!("c{i}"),
            ..base[i % base.len()].clone()
        })
        .collect();
    let pipeline = Pipeline::standard();
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    group.bench_function("every figure, 100k rows", |b| {
        b.iter(|| black_box(all_figures(&rows, &pipeline, &ReportFilter::default())))
    });
    let one_owner = ReportFilter {
        owner: Some("sales-zhang".into()),
        source: None,
    };
    group.bench_function("every figure, 100k rows, one owner", |b| {
        b.iter(|| black_box(all_figures(&rows, &pipeline, &one_owner)))
    });
    group.bench_function("every figure, 100k rows, a year", |b| {
        b.iter(|| black_box(figures_of(&rows, &pipeline, &ReportFilter::default(), 365)))
    });
    // Kept by the cache: every figure again after one row changed.
    let (period, months, weeks) = span(30);
    let all = ReportFilter::default();
    let ask = Ask {
        filter: &all,
        period,
        now: NOW,
        months: &months,
        weeks: &weeks,
    };
    let mut shared: Vec<Arc<SummaryRow>> = rows.iter().cloned().map(Arc::new).collect();
    group.bench_function(
        "every figure, 100k shared rows (as the app holds them)",
        |b| {
            b.iter(|| {
                black_box(summed(&reports::report(
                    shared.iter().map(|r| &**r),
                    &pipeline,
                    ask,
                )))
            })
        },
    );
    group.bench_function(
        "every figure, 100k rows, first time through the cache",
        |b| {
            b.iter(|| {
                black_box(summed(
                    &ReportCache::default().report(&shared, &pipeline, ask).0,
                ))
            })
        },
    );
    let mut cache = ReportCache::default();
    cache.report(&shared, &pipeline, ask);
    let mut k = 0;
    group.bench_function("every figure, 100k rows, one row changed (cache)", |b| {
        b.iter(|| {
            k += 1;
            let i = (k * 7_919) % ROWS;
            shared[i] = Arc::new((*shared[i]).clone());
            black_box(summed(&cache.report(&shared, &pipeline, ask).0))
        })
    });
    let (year, year_months, year_weeks) = span(365);
    let year = Ask {
        period: year,
        months: &year_months,
        weeks: &year_weeks,
        ..ask
    };
    let mut turn = false;
    group.bench_function("every figure, 100k shared rows, month ↔ year", |b| {
        b.iter(|| {
            turn = !turn;
            let asked = if turn { year } else { ask };
            black_box(summed(&reports::report(
                shared.iter().map(|r| &**r),
                &pipeline,
                asked,
            )))
        })
    });
    group.bench_function("every figure, 100k rows, month ↔ year (cache)", |b| {
        b.iter(|| {
            turn = !turn;
            let asked = if turn { year } else { ask };
            black_box(summed(&cache.report(&shared, &pipeline, asked).0))
        })
    });
    // Each figure alone, to see where the time goes.
    let month = Period {
        from: NOW - 30 * DAY_MS,
        to: NOW,
    };
    let edges: Vec<i64> = (0..=12).rev().map(|m| NOW - m * 30 * DAY_MS).collect();
    group.bench_function("key figures", |b| {
        b.iter(|| {
            black_box(
                reports::key_figures(&rows, &all, &pipeline, month, NOW)
                    .won
                    .n,
            )
        })
    });
    group.bench_function("funnel", |b| {
        b.iter(|| black_box(reports::period_funnel(&rows, &all, &pipeline, month).len()))
    });
    group.bench_function("by source", |b| {
        b.iter(|| black_box(reports::by_source(&rows, &all, &pipeline, month).len()))
    });
    group.bench_function("by owner", |b| {
        b.iter(|| black_box(reports::by_owner(&rows, &all, &pipeline, month, NOW).len()))
    });
    group.bench_function("monthly buckets", |b| {
        b.iter(|| black_box(reports::buckets(&rows, &all, &pipeline, &edges).len()))
    });
    group.bench_function("lifecycles", |b| {
        b.iter(|| black_box(reports::lifecycles(&rows, &all).len()))
    });
    group.finish();
}

criterion_group!(benches, figures);
criterion_main!(benches);
