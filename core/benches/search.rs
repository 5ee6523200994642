//! Customer search over 100,000 summary rows (the device engine issue's scale; the browser's
//! keystroke target is p95 < 16 ms, this is the scan alone, natively): building the index and
//! one query each of a common surname, a company word, phone digits and a miss, and each typed on; and the list's
//! view of the rows made anew and brought up to date after an edit and an addition.
//!
//! Run: `cargo bench -p crm-core --bench search`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crm_core::customer::SummaryRow;
use crm_core::demo;
use crm_core::listing::Listing;
use crm_core::search::{LastSearch, RowSort, SearchIndex};

const NOW: i64 = 1_767_225_600_000;
const ROWS: usize = 100_000;

/// 1,000 demo customers' rows, repeated with their own ids up to 100,000.
fn rows() -> Vec<SummaryRow> {
    let base: Vec<SummaryRow> = demo::customers(42, NOW)
        .take(1_000)
        .map(|doc| doc.summary().unwrap())
        .collect();
    (0..ROWS)
        .map(|i| SummaryRow {
            id: format!("c{i}"),
            ..base[i % base.len()].clone()
        })
        .collect()
}

fn search(c: &mut Criterion) {
    let rows = rows();
    c.bench_function("search index, 100k rows", |b| {
        b.iter(|| black_box(SearchIndex::new(&rows)))
    });
    let index = SearchIndex::new(&rows);
    for query in ["王", "有限", "138", "没有这个人"] {
        c.bench_function(&format!("search {query}, 100k rows"), |b| {
            b.iter(|| black_box(index.matching_set(query)))
        });
    }
    // Typing on: the second query is looked for among the first one's hits.
    for (first, then) in [("王", "王芳"), ("有限", "有限公司"), ("138", "1380")] {
        c.bench_function(&format!("search {then} after {first}, 100k rows"), |b| {
            b.iter_batched(
                || {
                    let mut last = LastSearch::default();
                    index.matching_set_after(first, &mut last);
                    last
                },
                |mut last| black_box(index.matching_set_after(then, &mut last)),
                BatchSize::LargeInput,
            )
        });
    }
}

/// The list's view of 100,000 rows made anew, and brought up to date after one customer was
/// edited and after one was added (what going back to the list, or a teammate's change, costs).
fn listing(c: &mut Criterion) {
    let rows: Vec<Arc<SummaryRow>> = rows().into_iter().map(Arc::new).collect();
    let sort = RowSort::default();
    c.bench_function("listing made anew, 100k rows", |b| {
        b.iter(|| black_box(Listing::new(&rows, sort)))
    });
    let mut edited = rows.clone();
    let mut row = (*edited[50_000]).clone();
    row.tags.push("新标签".into());
    row.updated_at += 1;
    edited[50_000] = Arc::new(row.clone());
    let mut added = rows.clone();
    row.id = "c50000a".into();
    added.insert(50_001, Arc::new(row));
    for (what, next) in [("one row edited", &edited), ("one row added", &added)] {
        let listing = Listing::new(&rows, sort);
        c.bench_function(&format!("listing after {what}, 100k rows"), |b| {
            b.iter_batched(
                || listing.clone(),
                |mut listing| {
                    listing.update(next, sort);
                    listing
                },
                BatchSize::LargeInput,
            )
        });
    }
}

criterion_group!(benches, search, listing);
criterion_main!(benches);
