//! The duplicates scan over 100,000 summary rows (target from the import issue: < 500 ms in
//! the browser; this is the scan natively): every row with its own phone and e-mail, one in a
//! hundred sharing the previous row's phone, names repeating as real ones do.
//!
//! Run: `cargo bench -p crm-core --bench dedup`.

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crm_core::contact::ContactKind;
use crm_core::customer::SummaryRow;
use crm_core::{dedup, demo};

const NOW: i64 = 1_767_225_600_000;
const ROWS: usize = 100_000;

fn scan(c: &mut Criterion) {
    let base: Vec<SummaryRow> = demo::customers(42, NOW)
        .take(1_000)
        .map(|doc| doc.summary().unwrap())
        .collect();
    let rows: Vec<SummaryRow> = (0..ROWS)
        .map(|i| {
            let phone = if i % 100 == 99 { i - 1 } else { i };
            SummaryRow {
                id: format!("c{i}"),
                contact_keys: vec![
                    (ContactKind::Phone, format!("+86139{phone:08}")),
                    (ContactKind::Email, format!("p{i}@example.com")),
                ],
                ..base[i % base.len()].clone()
            }
        })
        .collect();
    let found = dedup::pairs(&rows, &BTreeSet::new());
    println!("{} pairs among {ROWS} rows", found.len());
    let mut group = c.benchmark_group("dedup");
    group.sample_size(10);
    group.bench_function("duplicates scan, 100k rows", |b| {
        b.iter(|| black_box(dedup::pairs(&rows, &BTreeSet::new())))
    });
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
