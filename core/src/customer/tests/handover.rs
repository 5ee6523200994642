//! Handing a member's work over: one customer's edit, what the rows say it concerns, the owner
//! history the document keeps, and a handover merged with concurrent offline edits.

use super::*;

fn follow_up(title: &str, assignee: &str) -> NewFollowUp {
    NewFollowUp {
        title: title.into(),
        due_at: T0 + 3 * DAY_MS,
        assignee: assignee.into(),
        origin: MANUAL_ORIGIN.into(),
    }
}

/// Li's customer with two open follow-ups of Li's, one done, and one of Wang's.
fn with_follow_ups() -> CustomerDoc {
    let mut doc = new_customer();
    let by = stamp("li", 1);
    doc.add_follow_up(&id("f1"), follow_up("回访", "li"), &by)
        .unwrap();
    doc.add_follow_up(&id("f2"), follow_up("报价", "li"), &by)
        .unwrap();
    doc.add_follow_up(&id("f3"), follow_up("寄样", "li"), &by)
        .unwrap();
    doc.complete_follow_up("f3", &by).unwrap();
    doc.add_follow_up(&id("f4"), follow_up("签约", "wang"), &stamp("wang", 1))
        .unwrap();
    doc
}

#[test]
fn a_handover_moves_the_customer_and_open_follow_ups_and_nothing_else() {
    let mut doc = with_follow_ups();
    let handed = doc.hand_over("li", "chen", &stamp("boss", 2)).unwrap();
    assert_eq!(
        handed,
        Handed {
            owner: true,
            follow_ups: 2
        }
    );
    let c = doc.customer().unwrap();
    assert_eq!(c.profile.owner, "chen");
    let assignees: Vec<_> = ["f1", "f2", "f3", "f4"]
        .map(|f| c.follow_ups[f].assignee.as_str())
        .into();
    assert_eq!(
        assignees,
        ["chen", "chen", "li", "wang"],
        "done and others' stay"
    );
    assert_eq!(
        (c.updated_by.as_str(), c.updated_at),
        ("boss", T0 + 2 * DAY_MS)
    );
    // Nothing of Li's left: nothing written.
    let heads = doc.heads();
    assert_eq!(
        doc.hand_over("li", "chen", &stamp("boss", 3)),
        Ok(Handed::default())
    );
    assert_eq!(doc.heads(), heads);
}

#[test]
fn the_rows_count_what_a_handover_concerns() {
    let mut owned = with_follow_ups();
    let mut assigned = new_customer();
    assigned
        .edit_profile(ProfileEdit::Owner("wang".into()), &stamp("boss", 1))
        .unwrap();
    assigned
        .add_follow_up(&id("g1"), follow_up("回访", "li"), &stamp("wang", 1))
        .unwrap();
    let mut other = new_customer();
    other
        .edit_profile(ProfileEdit::Owner("wang".into()), &stamp("boss", 1))
        .unwrap();
    let rows: Vec<SummaryRow> = [&mut owned, &mut assigned, &mut other]
        .into_iter()
        .enumerate()
        .map(|(n, doc)| SummaryRow {
            id: format!("c{n}"),
            ..SummaryRow::of(&doc.customer().unwrap())
        })
        .collect();
    let handover = Handover::of(&rows, "li");
    assert_eq!(
        handover,
        Handover {
            customers: 1,
            follow_ups: 3,
            ids: vec!["c0".into(), "c1".into()],
        }
    );
    assert_eq!(Handover::of(&rows, "nobody"), Handover::default());
}

#[test]
fn the_owner_history_is_read_from_the_document() {
    // Each edit is committed as a change of its own, as devices and the edge do.
    let mut doc = new_customer();
    doc.heads();
    doc.edit_profile(ProfileEdit::Company("新公司".into()), &stamp("li", 1))
        .unwrap();
    doc.heads();
    doc.hand_over("li", "chen", &stamp("boss", 2)).unwrap();
    doc.heads();
    doc.edit_profile(ProfileEdit::Owner("zhou".into()), &stamp("boss", 5))
        .unwrap();
    let reloaded = &mut CustomerDoc::load(&doc.save()).unwrap();
    let history: Vec<_> = (reloaded.owner_history().into_iter())
        .map(|c| (c.at, c.by, c.from, c.to))
        .collect();
    assert_eq!(
        history,
        [
            (T0, "li".into(), String::new(), "li".into()),
            (T0 + 2 * DAY_MS, "boss".into(), "li".into(), "chen".into()),
            (T0 + 5 * DAY_MS, "boss".into(), "chen".into(), "zhou".into()),
        ]
    );
}

#[test]
fn a_handover_merges_with_the_old_owners_offline_work_in_every_order() {
    let mut base = with_follow_ups();
    let mut manager = base.fork();
    manager.hand_over("li", "chen", &stamp("boss", 2)).unwrap();
    // Li, offline, completes one follow-up and logs a call.
    let mut li = base.fork();
    li.complete_follow_up("f1", &stamp("li", 2)).unwrap();
    li.add_interaction(&id("i1"), interaction("电话沟通", 2), &stamp("li", 2))
        .unwrap();
    // Another manager, at the same time, renames the customer.
    let mut other = base.fork();
    other
        .edit_profile(ProfileEdit::Name("张伟（华东）".into()), &stamp("wang", 2))
        .unwrap();
    let docs = [&manager, &li, &other];
    for order in ORDERS_OF_THREE {
        let mut merged = docs[order[0]].clone();
        merged.merge(&mut docs[order[1]].clone()).unwrap();
        merged.merge(&mut docs[order[2]].clone()).unwrap();
        let c = merged.customer().unwrap();
        assert_eq!(c.profile.owner, "chen");
        assert_eq!(c.profile.name, "张伟（华东）");
        assert!(c.follow_ups["f1"].done, "Li's completion stays");
        assert_eq!(c.follow_ups["f2"].assignee, "chen");
        assert!(c.interactions.contains_key("i1"));
        let history = merged.owner_history();
        assert_eq!(history.last().map(|h| h.to.as_str()), Some("chen"));
    }
    let _ = merge_both_ways(&manager, &li);
}
