//! Rules engine benchmarks on the deterministic demo data (targets from the rules issue):
//! evaluating the default rule set on one customer (< 50 µs) and on all 10k demo customers
//! (< 500 ms); also, for the edge's cost per merged change, reading the customer from its
//! document and evaluating.
//!
//! Run: `cargo bench -p crm-core --bench rules`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crm_core::customer::Customer;
use crm_core::demo;
use crm_core::pipeline::Pipeline;
use crm_core::rules::{Context, Language, default_rules, plan};

const NOW: i64 = 1_767_225_600_000;
const SEED: u64 = 42;

fn rules(c: &mut Criterion) {
    let rules = default_rules(Language::Zh);
    let pipeline = Pipeline::standard();
    let ctx = Context {
        now: NOW,
        pipeline: &pipeline,
    };
    let docs: Vec<_> = demo::customers(SEED, NOW).take(10_000).collect();
    let customers: Vec<Customer> = docs.iter().map(|d| d.customer().unwrap()).collect();
    let firing = customers
        .iter()
        .filter(|c| !plan(&rules, c, &ctx).is_empty())
        .count();
    println!("default rules at the demo's now: {firing} of 10,000 customers get writes");

    c.bench_function("default rules, one customer", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % customers.len();
            black_box(plan(&rules, &customers[i], &ctx))
        })
    });
    c.bench_function("read one customer from its document + default rules", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % docs.len();
            black_box(plan(&rules, &docs[i].customer().unwrap(), &ctx))
        })
    });
    let mut group = c.benchmark_group("10k customers");
    group.sample_size(10);
    group.bench_function("default rules, all 10k", |b| {
        b.iter(|| {
            customers
                .iter()
                .filter(|c| !plan(&rules, c, &ctx).is_empty())
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, rules);
criterion_main!(benches);
