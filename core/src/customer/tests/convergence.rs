//! Property: random operations on three replicas, merged in random orders, converge to the
//! same customer and the same summary row.

use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone)]
enum Op {
    Company(u8),
    Lifecycle(usize),
    Tag(u8),
    Untag(u8),
    Interaction(u8),
    Deal(u8),
    MoveDeal(u8, usize),
    FollowUp(u8),
    Complete(u8),
    RemoveFollowUp(u8),
    Notes(u8),
    Order(u8),
    Phone(u8),
    EditPhone(u8),
    EditInteraction(u8),
    Reassign(u8, u8),
    EditOrder(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::Company),
        (0..Lifecycle::ALL.len()).prop_map(Op::Lifecycle),
        (0u8..4).prop_map(Op::Tag),
        (0u8..4).prop_map(Op::Untag),
        any::<u8>().prop_map(Op::Interaction),
        (0u8..3).prop_map(Op::Deal),
        ((0u8..3), 0usize..5).prop_map(|(d, s)| Op::MoveDeal(d, s)),
        (0u8..3).prop_map(Op::FollowUp),
        (0u8..3).prop_map(Op::Complete),
        (0u8..3).prop_map(Op::RemoveFollowUp),
        any::<u8>().prop_map(Op::Notes),
        any::<u8>().prop_map(Op::Order),
        (0u8..2).prop_map(Op::Phone),
        any::<u8>().prop_map(Op::EditPhone),
        any::<u8>().prop_map(Op::EditInteraction),
        ((0u8..3), (0u8..3)).prop_map(|(f, m)| Op::Reassign(f, m)),
        any::<u8>().prop_map(Op::EditOrder),
    ]
}

/// Applies `op` as `replica`; refused operations (e.g. an unknown deal) are simply skipped,
/// which is exactly what a user would see.
fn apply(doc: &mut CustomerDoc, replica: usize, step: usize, op: &Op) {
    let pipeline = Pipeline::standard();
    let stages = ["initial", "qualified", "proposal", "negotiation", "won"];
    let by = ["li", "wang", "zhao"][replica];
    let s = stamp(by, step as i64);
    let unique = |prefix: &str| id(&format!("{prefix}{replica}x{step}"));
    let _ = match op {
        Op::Company(n) => doc.edit_profile(ProfileEdit::Company(format!("公司{n}")), &s),
        Op::Lifecycle(i) => doc.edit_profile(ProfileEdit::Lifecycle(Lifecycle::ALL[*i]), &s),
        Op::Tag(t) => doc.add_tag(&format!("标签{t}"), &s),
        Op::Untag(t) => doc.remove_tag(&format!("标签{t}"), &s),
        Op::Interaction(n) => doc.add_interaction(
            &unique("i"),
            interaction(&format!("沟通 {n}"), step as i64),
            &s,
        ),
        Op::Deal(d) => doc.add_deal(&id(&format!("d{d}")), deal("单"), &pipeline, &s),
        Op::MoveDeal(d, st) => {
            doc.move_deal_stage(&format!("d{d}"), stages[*st], None, &pipeline, &s)
        }
        Op::FollowUp(f) => doc.add_follow_up(
            &id(&format!("f{f}")),
            NewFollowUp {
                title: "跟进".into(),
                due_at: T0 + *f as i64,
                assignee: by.into(),
                origin: MANUAL_ORIGIN.into(),
            },
            &s,
        ),
        Op::Complete(f) => doc.complete_follow_up(&format!("f{f}"), &s),
        Op::RemoveFollowUp(f) => doc.remove_follow_up(&format!("f{f}"), &s),
        Op::Notes(n) => {
            let current = doc.customer().unwrap().notes.as_str().to_owned();
            let at = (*n as usize) % (current.chars().count() + 1);
            let mut next: String = current.chars().take(at).collect();
            next.push_str(&format!("[{by}{n}]"));
            next.extend(current.chars().skip(at));
            doc.set_notes(&next, &s)
        }
        Op::Order(n) => doc.add_order(
            &unique("o"),
            NewOrder {
                at: T0,
                amount: Money::cny(*n as i64 * 100),
                items: "货".into(),
                channel: OrderChannel::Pos,
            },
            &s,
        ),
        Op::Phone(p) => doc.add_contact(&id(&format!("p{p}")), phone("13800000000"), &s),
        Op::EditPhone(n) => doc.edit_contact(
            &format!("p{}", n % 2),
            ContactEdit::Value {
                value: format!("1390000{n:04}"),
                e164: Some(format!("+861390000{n:04}")),
            },
            &s,
        ),
        // Edits the first interaction logged, if any.
        Op::EditInteraction(n) => match doc.customer().unwrap().interactions.keys().next() {
            Some(first) => {
                doc.edit_interaction(first, InteractionEdit::Summary(format!("改 {n}")), &s)
            }
            None => Ok(()),
        },
        Op::Reassign(f, m) => {
            doc.reassign_follow_up(&format!("f{f}"), ["li", "wang", "zhao"][*m as usize], &s)
        }
        Op::EditOrder(n) => match doc.customer().unwrap().orders.keys().next() {
            Some(first) => doc.edit_order(first, OrderEdit::Amount(Money::cny(*n as i64)), &s),
            None => Ok(()),
        },
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn replicas_converge_whatever_the_merge_order(
        ops in proptest::collection::vec((0usize..3, op()), 1..40),
        sync_every in 1usize..10,
        order in Just([0usize, 1, 2]).prop_shuffle(),
    ) {
        let base = new_customer();
        let mut replicas: Vec<CustomerDoc> = (0..3).map(|_| base.clone().fork()).collect();
        for (step, (replica, op)) in ops.iter().enumerate() {
            apply(&mut replicas[*replica], *replica, step, op);
            // Occasionally two replicas sync mid-way, as devices do.
            if step % sync_every == 0 {
                let (left, right) = replicas.split_at_mut(2);
                left[step % 2].merge(&mut right[0]).unwrap();
            }
        }
        let mut forward = replicas[order[0]].clone();
        forward.merge(&mut replicas[order[1]].clone()).unwrap();
        forward.merge(&mut replicas[order[2]].clone()).unwrap();
        let mut backward = replicas[order[2]].clone();
        backward.merge(&mut replicas[order[1]].clone()).unwrap();
        backward.merge(&mut replicas[order[0]].clone()).unwrap();

        prop_assert_eq!(forward.customer().unwrap(), backward.customer().unwrap());
        prop_assert_eq!(forward.summary().unwrap(), backward.summary().unwrap());
        // The one-pass reader agrees with the typed reference, conflicts included.
        prop_assert_eq!(forward.summary().unwrap(), SummaryRow::of(&forward.customer().unwrap()));
        prop_assert_eq!(forward.conflicts(), backward.conflicts());
        // Every interaction and order any replica logged survives.
        let logged: usize = ops.iter().filter(|(_, o)| matches!(o, Op::Interaction(_))).count();
        prop_assert_eq!(forward.customer().unwrap().interactions.len(), logged);
    }
}
