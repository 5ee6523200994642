//! Customer search over 100,000 summary rows (the device engine issue's scale; the browser's
//! keystroke target is p95 < 16 ms, this is the scan alone, natively): building the index and
//! one query each of a common surname, a company word, phone digits and a miss.
//!
//! Run: `cargo bench -p crm-core --bench search`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crm_core::customer::SummaryRow;
use crm_core::demo;
use crm_core::search::SearchIndex;

const NOW: i64 = 1_767_225_600_000;
const ROWS: usize = 100_000;

fn search(c: &mut Criterion) {
    // 1,000 demo customers' rows, repeated with their own ids up to 100,000.
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
    c.bench_function("search index, 100k rows", |b| {
        b.iter(|| black_box(SearchIndex::new(&rows)))
    });
    let index = SearchIndex::new(&rows);
    for query in ["王", "有限公司", "1380", "没有这个人"] {
        c.bench_function(&format!("search {query}, 100k rows"), |b| {
            b.iter(|| black_box(index.matching_set(query)))
        });
    }
}

criterion_group!(benches, search);
criterion_main!(benches);
