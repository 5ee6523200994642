//! Two or three devices edit the same customer at once; merged in every order they agree,
//! and nothing the model promises to keep is lost.

use super::*;
use crate::customer::conflicts::ConflictValue;

#[test]
fn same_field_converges_and_the_conflict_stays_visible_until_resolved() {
    let mut a = new_customer();
    let mut b = a.fork();
    a.edit_profile(ProfileEdit::Company("甲公司".into()), &stamp("li", 1))
        .unwrap();
    b.edit_profile(ProfileEdit::Company("乙公司".into()), &stamp("wang", 1))
        .unwrap();
    let merged = merge_both_ways(&a, &b);
    assert!(["甲公司", "乙公司"].contains(&merged.profile.company.as_str()));

    a.merge(&mut b).unwrap();
    let conflicts = a.conflicts();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].path, vec!["profile", "company"]);
    let mut values = conflicts[0].values.clone();
    values.sort_by_key(|v| format!("{v:?}"));
    assert_eq!(
        values,
        vec![
            ConflictValue::Scalar("乙公司".into()),
            ConflictValue::Scalar("甲公司".into())
        ]
    );
    assert_eq!(
        conflicts[0].values.last(),
        Some(&ConflictValue::Scalar(merged.profile.company.clone())),
        "the last value is the one shown"
    );

    let pick = conflicts[0]
        .values
        .iter()
        .position(|v| *v == ConflictValue::Scalar("甲公司".into()))
        .unwrap();
    a.resolve_conflict(&conflicts[0].path, pick, &stamp("li", 2))
        .unwrap();
    assert!(a.conflicts().is_empty());
    assert_eq!(a.customer().unwrap().profile.company, "甲公司");
    assert!(matches!(
        a.resolve_conflict(&conflicts[0].path, 0, &stamp("li", 2)),
        Err(ModelError::NoConflict { .. })
    ));
}

#[test]
fn concurrent_additions_to_every_collection_are_all_kept() {
    let pipeline = Pipeline::standard();
    let mut a = new_customer();
    let mut b = a.fork();
    let mut c = a.fork();
    a.add_interaction(&id("ia"), interaction("A 打电话", 1), &stamp("li", 1))
        .unwrap();
    b.add_interaction(&id("ib"), interaction("B 拜访", 1), &stamp("wang", 1))
        .unwrap();
    c.add_interaction(&id("ic"), interaction("C 微信", 1), &stamp("zhao", 1))
        .unwrap();
    a.add_contact(&id("pa"), phone("13800000001"), &stamp("li", 1))
        .unwrap();
    b.add_contact(&id("pb"), phone("13800000002"), &stamp("wang", 1))
        .unwrap();
    a.add_deal(&id("da"), deal("A 单"), &pipeline, &stamp("li", 1))
        .unwrap();
    b.add_deal(&id("db"), deal("B 单"), &pipeline, &stamp("wang", 1))
        .unwrap();
    a.add_tag("VIP", &stamp("li", 1)).unwrap();
    b.add_tag("VIP", &stamp("wang", 1)).unwrap();
    c.add_tag("批发", &stamp("zhao", 1)).unwrap();

    let orders: [[&CustomerDoc; 3]; 3] = [[&a, &b, &c], [&c, &b, &a], [&b, &c, &a]];
    let results: Vec<Customer> = orders
        .iter()
        .map(|order| {
            let mut acc = order[0].clone();
            for other in &order[1..] {
                acc.merge(&mut (*other).clone()).unwrap();
            }
            acc.customer().unwrap()
        })
        .collect();
    assert!(results.windows(2).all(|w| w[0] == w[1]));
    let merged = &results[0];
    assert_eq!(merged.interactions.len(), 3);
    assert_eq!(merged.contacts.len(), 2);
    assert_eq!(merged.deals.len(), 2);
    assert_eq!(merged.tags.keys().collect::<Vec<_>>(), vec!["VIP", "批发"]);
}

#[test]
fn concurrent_stage_moves_keep_both_history_entries_and_show_the_conflict() {
    let pipeline = Pipeline::standard();
    let mut a = new_customer();
    a.add_deal(&id("d1"), deal("年单"), &pipeline, &stamp("li", 1))
        .unwrap();
    let mut b = a.fork();
    a.move_deal_stage("d1", "proposal", None, &pipeline, &stamp("li", 2))
        .unwrap();
    b.move_deal_stage("d1", "negotiation", None, &pipeline, &stamp("wang", 2))
        .unwrap();
    let merged = merge_both_ways(&a, &b);
    let d = &merged.deals["d1"];
    let mut entered: Vec<_> = d.stage_history.iter().map(|h| h.stage.as_str()).collect();
    entered.sort();
    assert_eq!(entered, vec!["initial", "negotiation", "proposal"]);
    a.merge(&mut b).unwrap();
    assert!(
        a.conflicts()
            .iter()
            .any(|c| c.path == vec!["deals", "d1", "stage"])
    );
}

#[test]
fn delete_wins_over_a_concurrent_edit_inside_the_deleted_item() {
    let mut a = new_customer();
    a.add_follow_up(
        &id("f1"),
        NewFollowUp {
            title: "回访".into(),
            due_at: T0,
            assignee: "li".into(),
            origin: MANUAL_ORIGIN.into(),
        },
        &stamp("li", 1),
    )
    .unwrap();
    let mut b = a.fork();
    a.remove_follow_up("f1", &stamp("li", 2)).unwrap();
    b.complete_follow_up("f1", &stamp("wang", 2)).unwrap();
    let merged = merge_both_ways(&a, &b);
    assert!(merged.follow_ups.is_empty());
}

#[test]
fn re_adding_a_tag_wins_over_a_concurrent_removal() {
    let mut a = new_customer();
    a.add_tag("VIP", &stamp("li", 1)).unwrap();
    let mut b = a.fork();
    a.remove_tag("VIP", &stamp("li", 2)).unwrap();
    b.apply_auto_tag("VIP", "rule_spend", &stamp("edge", 2))
        .unwrap();
    b.remove_tag("VIP", &stamp("wang", 2)).unwrap();
    b.add_tag("VIP", &stamp("wang", 3)).unwrap();
    let merged = merge_both_ways(&a, &b);
    assert!(merged.tags.contains_key("VIP"));
    assert!(merged.auto_tags.contains_key("VIP"));
}

#[test]
fn concurrent_typing_in_the_notes_keeps_both_insertions() {
    let mut a = new_customer();
    a.set_notes("客户喜欢绿茶。", &stamp("li", 1)).unwrap();
    let mut b = a.fork();
    a.set_notes("重要：客户喜欢绿茶。", &stamp("li", 2))
        .unwrap();
    b.set_notes("客户喜欢绿茶。下周再约。", &stamp("wang", 2))
        .unwrap();
    let merged = merge_both_ways(&a, &b);
    assert_eq!(merged.notes.as_str(), "重要：客户喜欢绿茶。下周再约。");
}

#[test]
fn notes_saved_from_a_stale_screen_keep_what_arrived_meanwhile() {
    // B's screen shows the notes at `seen`; A's typing arrives before B saves B's own typing.
    let mut a = new_customer();
    a.set_notes("客户喜欢绿茶。", &stamp("li", 1)).unwrap();
    let mut b = a.fork();
    let seen = b.heads();
    a.set_notes("甲：周五回访。客户喜欢绿茶。", &stamp("li", 2))
        .unwrap();
    b.merge(&mut a).unwrap();
    b.edit_notes(&seen, "客户喜欢绿茶。乙：报价已发。", &stamp("wang", 2))
        .unwrap();
    let expected = "甲：周五回访。客户喜欢绿茶。乙：报价已发。";
    assert_eq!(b.customer().unwrap().notes.as_str(), expected);
    // The plain replace would have dropped A's line; both orders of merging agree.
    let merged = merge_both_ways(&a, &b);
    assert_eq!(merged.notes.as_str(), expected);
    // An unknown base is an error and changes nothing.
    let before = b.save();
    let bogus = [automerge::ChangeHash([7; 32])];
    assert!(b.edit_notes(&bogus, "x", &stamp("wang", 3)).is_err());
    assert_eq!(b.save(), before);
}

#[test]
fn edits_to_different_fields_never_conflict() {
    let mut a = new_customer();
    let mut b = a.fork();
    a.edit_profile(ProfileEdit::Title("总监".into()), &stamp("li", 1))
        .unwrap();
    b.edit_profile(
        ProfileEdit::Lifecycle(Lifecycle::Customer),
        &stamp("wang", 1),
    )
    .unwrap();
    let merged = merge_both_ways(&a, &b);
    assert_eq!(
        (merged.profile.title.as_str(), merged.profile.lifecycle),
        ("总监", Lifecycle::Customer)
    );
    a.merge(&mut b).unwrap();
    assert!(a.conflicts().is_empty(), "{:?}", a.conflicts());
}

#[test]
fn a_synced_change_that_breaks_the_layout_is_refused_and_rolled_back() {
    use automerge::sync::{self, SyncDoc};
    use automerge::transaction::Transactable;
    let mut good = new_customer();
    good.add_tag("VIP", &stamp("li", 1)).unwrap();
    let mut bad = good.fork();
    let profile = bad
        .child(&automerge::ROOT, "profile", "profile", "profile")
        .unwrap();
    bad.doc.put(&profile, "company", 42).unwrap();
    let before = good.customer().unwrap();
    let heads = good.heads();
    let (mut to_good, mut to_bad) = (sync::State::new(), sync::State::new());
    let mut refused = None;
    for _ in 0..6 {
        if let Some(m) = good.generate_sync_message(&mut to_bad) {
            let _ = bad.doc.sync().receive_sync_message(&mut to_good, m);
        }
        if let Some(m) = bad.doc.sync().generate_sync_message(&mut to_good)
            && let Err(e) = good.receive_sync_message(&mut to_bad, m)
        {
            refused = Some(e);
            break;
        }
    }
    assert!(
        matches!(refused, Some(ModelError::Layout { .. })),
        "{refused:?}"
    );
    assert_eq!(good.heads(), heads, "rolled back to the heads it had");
    assert_eq!(good.customer().unwrap(), before);
    // It keeps working: edits, saves, loads.
    good.add_tag("回访", &stamp("li", 2)).unwrap();
    let reloaded = CustomerDoc::load(&good.save()).unwrap();
    assert!(reloaded.customer().unwrap().tags.contains_key("回访"));
}

/// Every field holding concurrent values, found the slow way: every key of every map read
/// with `get_all` (what `conflicts` did before it used `map_range`'s conflict flag).
fn conflicts_by_reading_every_key(doc: &CustomerDoc) -> Vec<Vec<String>> {
    fn walk(
        doc: &automerge::AutoCommit,
        obj: &automerge::ObjId,
        path: &mut Vec<String>,
        out: &mut Vec<Vec<String>>,
    ) {
        use automerge::ReadDoc;
        for key in doc.keys(obj) {
            let values = doc.get_all(obj, key.as_str()).unwrap();
            if values.len() > 1
                && !(path.is_empty() && ["updated_at", "updated_by"].contains(&key.as_str()))
            {
                out.push(path.iter().cloned().chain([key.clone()]).collect());
            }
            if let Ok(Some((automerge::Value::Object(automerge::ObjType::Map), child))) =
                doc.get(obj, key.as_str())
            {
                path.push(key);
                walk(doc, &child, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    walk(&doc.doc, &automerge::ROOT, &mut Vec::new(), &mut out);
    out
}

#[test]
fn conflicts_at_every_depth_are_found_in_every_merge_order() {
    let pipeline = Pipeline::standard();
    let mut base = new_customer();
    base.add_deal(&id("d1"), deal("年单"), &pipeline, &stamp("li", 1))
        .unwrap();
    let mut devices = [base.fork(), base.fork(), base.fork()];
    let (companies, stages) = (
        ["甲公司", "乙公司", "丙公司"],
        ["proposal", "negotiation", "won"],
    );
    for (i, doc) in devices.iter_mut().enumerate() {
        let by = stamp(["li", "wang", "zhao"][i], 2);
        doc.edit_profile(ProfileEdit::Company(companies[i].into()), &by)
            .unwrap();
        doc.move_deal_stage("d1", stages[i], None, &pipeline, &by)
            .unwrap();
        doc.add_interaction(&id(&format!("i{i}")), interaction("电话", 2), &by)
            .unwrap();
    }
    let mut seen = Vec::new();
    for order in ORDERS_OF_THREE {
        let mut merged = devices[order[0]].fork();
        for &i in &order[1..] {
            merged.merge(&mut devices[i].fork()).unwrap();
        }
        let found: Vec<Vec<String>> = merged.conflicts().into_iter().map(|c| c.path).collect();
        assert_eq!(
            found,
            conflicts_by_reading_every_key(&merged),
            "order {order:?}"
        );
        assert!(found.contains(&vec!["profile".into(), "company".into()]));
        assert!(found.contains(&vec!["deals".into(), "d1".into(), "stage".into()]));
        assert!(merged.conflicts().iter().all(|c| c.values.len() == 3));
        seen.push(merged.conflicts());
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "every order agrees");
}
