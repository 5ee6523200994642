//! Customer document benchmarks on the deterministic demo data (targets from the model issue):
//! load 10k saved customers and build their summary rows (< 1 s); one edit plus
//! `save_incremental` (< 100 µs median); merging two concurrently edited copies (< 1 ms
//! median); what an open customer page reads on every change to it (the whole customer, and
//! its fields holding concurrent values); and, printed once, the median saved size of a
//! customer with 20 interactions (< 6 KB).
//!
//! Run: `cargo bench -p crm-core --bench customer`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crm_core::customer::ProfileEdit;
use crm_core::{CrmDocument, CustomerDoc, Stamp, demo};

const NOW: i64 = 1_767_225_600_000;
const SEED: u64 = 42;

/// The first demo customer with exactly 20 interactions.
fn customer_with_20_interactions() -> CustomerDoc {
    demo::customers(SEED, NOW)
        .find(|d| d.customer().unwrap().interactions.len() == 20)
        .expect("the demo stream has such customers")
}

fn report_saved_size() {
    let mut sizes: Vec<usize> = demo::customers(SEED, NOW)
        .filter(|d| d.customer().unwrap().interactions.len() == 20)
        .take(101)
        .map(|mut d| d.save().len())
        .collect();
    sizes.sort_unstable();
    println!(
        "saved size of a customer with 20 interactions: median {} B (min {}, max {}, n={})",
        sizes[sizes.len() / 2],
        sizes[0],
        sizes[sizes.len() - 1],
        sizes.len()
    );
}

fn load_and_summarize_10k(c: &mut Criterion) {
    report_saved_size();
    let saved: Vec<Vec<u8>> = demo::customers(SEED, NOW)
        .take(10_000)
        .map(|mut d| d.save())
        .collect();
    let total: usize = saved.iter().map(Vec::len).sum();
    println!("10k demo customers: {} bytes saved in all", total);
    let mut group = c.benchmark_group("10k customers");
    group.sample_size(10);
    group.bench_function("load + summary rows", |b| {
        b.iter(|| {
            for bytes in &saved {
                let doc = CustomerDoc::load(bytes).unwrap();
                black_box(doc.summary().unwrap());
            }
        })
    });
    group.finish();
}

fn edit_then_save_incremental(c: &mut Criterion) {
    let mut doc = customer_with_20_interactions();
    doc.save();
    let mut n = 0u64;
    c.bench_function("edit company + save_incremental (20 interactions)", |b| {
        b.iter(|| {
            n += 1;
            doc.edit_profile(
                ProfileEdit::Company(format!("公司 {n}")),
                &Stamp::new("li", NOW),
            )
            .unwrap();
            black_box(doc.save_incremental())
        })
    });
}

fn merge_concurrent_copies(c: &mut Criterion) {
    let mut base = customer_with_20_interactions();
    c.bench_function(
        "merge two concurrently edited copies (20 interactions)",
        |b| {
            b.iter_batched(
                || {
                    let mut a = base.fork();
                    let mut other = base.fork();
                    a.edit_profile(
                        ProfileEdit::Company("甲公司".into()),
                        &Stamp::new("li", NOW),
                    )
                    .unwrap();
                    other.add_tag("VIP", &Stamp::new("wang", NOW)).unwrap();
                    (a, other)
                },
                |(mut a, mut other)| {
                    a.merge(&mut other).unwrap();
                    a
                },
                BatchSize::SmallInput,
            )
        },
    );
}

fn read_for_the_page(c: &mut Criterion) {
    let doc = customer_with_20_interactions();
    c.bench_function("customer (20 interactions)", |b| {
        b.iter(|| black_box(doc.customer().unwrap()))
    });
    c.bench_function("conflicts (20 interactions)", |b| {
        b.iter(|| black_box(doc.conflicts()))
    });
}

criterion_group!(
    benches,
    load_and_summarize_10k,
    edit_then_save_incremental,
    merge_concurrent_copies,
    read_for_the_page
);
criterion_main!(benches);
