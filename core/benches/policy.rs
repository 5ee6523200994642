//! The rights check (`crm_core::policy::judge`) on one edit of a customer with 20
//! interactions, by the owning salesperson (target from the trusted-edge issue: < 200 µs
//! median), and on a breach by another salesperson, with its compensating change.
//!
//! Run: `cargo bench -p crm-core --bench policy`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crm_core::customer::ProfileEdit;
use crm_core::policy::{Subject, Verdict, judge, restore};
use crm_core::token::Grant;
use crm_core::workspace::Role;
use crm_core::{CrmDocument, Stamp, demo};

const NOW: i64 = 1_767_225_600_000;

fn grant(member: &str) -> Grant {
    Grant {
        workspace: "demo".into(),
        member: member.into(),
        role: Role::Sales,
        expires_at: i64::MAX,
    }
}

fn judge_one_edit(c: &mut Criterion) {
    let mut doc = demo::customers(42, NOW)
        .find(|d| d.customer().unwrap().interactions.len() == 20)
        .expect("the demo stream has such customers");
    let customer = doc.customer().unwrap();
    let (owner, id) = (customer.profile.owner, customer.id);
    let subject = Subject::Customer(&id);
    let before = doc.heads();
    let edit = ProfileEdit::Company("新公司".into());
    doc.edit_profile(edit, &Stamp::new(owner.clone(), NOW))
        .unwrap();
    let edited = doc.automerge_mut().clone();
    c.bench_function(
        "judge an owner's edit of a customer with 20 interactions",
        |b| {
            b.iter_batched(
                || edited.clone(),
                |mut doc| black_box(judge(&grant(&owner), &mut doc, subject, &before)),
                BatchSize::SmallInput,
            )
        },
    );
    c.bench_function("judge and undo another salesperson's edit", |b| {
        b.iter_batched(
            || edited.clone(),
            |mut doc| {
                if let Verdict::Restore(breaches) =
                    judge(&grant("someone-else"), &mut doc, subject, &before).verdict
                {
                    restore(&mut doc, &before, &breaches).unwrap();
                }
                black_box(doc)
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, judge_one_edit);
criterion_main!(benches);
