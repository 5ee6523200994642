//! Editing and removing what was added: contact points, follow-ups, interactions and orders —
//! alone, and by two or three devices at once, merged in every order.

use super::*;

fn order(amount: i64) -> NewOrder {
    NewOrder {
        at: T0,
        amount: Money::cny(amount),
        items: "茶叶 x2".into(),
        channel: OrderChannel::Pos,
    }
}

fn follow_up(assignee: &str) -> NewFollowUp {
    NewFollowUp {
        title: "回访".into(),
        due_at: T0 + DAY_MS,
        assignee: assignee.into(),
        origin: MANUAL_ORIGIN.into(),
    }
}

fn value(value: &str) -> ContactEdit {
    ContactEdit::Value {
        value: value.into(),
        e164: crate::contact::to_e164(value).ok(),
    }
}

/// A customer with one phone `p1`, follow-up `f1`, interaction `i1` and order `o1`.
fn furnished() -> CustomerDoc {
    let mut doc = new_customer();
    let s = stamp("li", 1);
    doc.add_contact(&id("p1"), phone("13812345678"), &s)
        .unwrap();
    doc.add_follow_up(&id("f1"), follow_up("li"), &s).unwrap();
    doc.add_interaction(&id("i1"), interaction("电话沟通报价", 1), &s)
        .unwrap();
    doc.add_order(&id("o1"), order(12_800), &s).unwrap();
    doc
}

#[test]
fn a_contact_value_is_normalised_again_and_a_bad_one_changes_nothing() {
    let mut doc = furnished();
    doc.edit_contact("p1", value("+86 139 0000 1111"), &stamp("li", 2))
        .unwrap();
    doc.edit_contact("p1", ContactEdit::Label("办公".into()), &stamp("li", 2))
        .unwrap();
    let c = doc.customer().unwrap();
    let p1 = &c.contacts["p1"];
    assert_eq!(
        (p1.value.as_str(), p1.normalized.as_str()),
        ("+86 139 0000 1111", "+8613900001111")
    );
    assert_eq!(
        (p1.label.as_str(), p1.kind, p1.primary),
        ("办公", ContactKind::Phone, true)
    );
    assert_eq!(c.updated_at, T0 + 2 * DAY_MS);

    let before = doc.customer().unwrap();
    assert_eq!(
        doc.edit_contact("p1", value("12"), &stamp("li", 3)),
        Err(ModelError::InvalidPhone { input: "12".into() })
    );
    assert!(matches!(
        doc.edit_contact("nope", ContactEdit::Label("x".into()), &stamp("li", 3)),
        Err(ModelError::NotFound { .. })
    ));
    assert_eq!(doc.customer().unwrap(), before);
}

#[test]
fn follow_ups_are_reassigned_interactions_and_orders_edited_and_removed() {
    let mut doc = furnished();
    let s = stamp("chen", 2);
    doc.reassign_follow_up("f1", "wang", &s).unwrap();
    doc.edit_interaction("i1", InteractionEdit::Summary("上门拜访".into()), &s)
        .unwrap();
    doc.edit_interaction("i1", InteractionEdit::Channel(Channel::Visit), &s)
        .unwrap();
    doc.edit_order("o1", OrderEdit::Amount(Money::cny(9_900)), &s)
        .unwrap();
    doc.edit_order("o1", OrderEdit::Items("茶叶 x1".into()), &s)
        .unwrap();
    let c = doc.customer().unwrap();
    assert_eq!(c.follow_ups["f1"].assignee, "wang");
    let i1 = &c.interactions["i1"];
    assert_eq!(
        (i1.summary.as_str(), i1.channel, i1.author.as_str()),
        ("上门拜访", Channel::Visit, "li")
    );
    assert_eq!(
        (c.orders["o1"].amount_minor, c.orders["o1"].items.as_str()),
        (9_900, "茶叶 x1")
    );
    assert_eq!(
        doc.summary().unwrap().lifetime_spend,
        vec![Money::cny(9_900)]
    );

    assert!(matches!(
        doc.edit_interaction("i1", InteractionEdit::Summary("  ".into()), &s),
        Err(ModelError::Empty { .. })
    ));
    assert!(doc.reassign_follow_up("f1", "not an id!", &s).is_err());
    assert!(
        doc.edit_order("o1", OrderEdit::Amount(Money::cny(-1)), &s)
            .is_err()
    );

    doc.remove_order("o1", &s).unwrap();
    doc.remove_interaction("i1", &s).unwrap();
    let c = doc.customer().unwrap();
    assert!(c.orders.is_empty() && c.interactions.is_empty());
    assert_eq!(doc.summary().unwrap().order_count, 0);
    assert!(matches!(
        doc.remove_order("o1", &s),
        Err(ModelError::NotFound { .. })
    ));
}

#[test]
fn two_devices_rewriting_one_phone_agree_on_value_and_normalised_form() {
    let mut a = furnished();
    let mut b = a.fork();
    a.edit_contact("p1", value("13900001111"), &stamp("li", 2))
        .unwrap();
    b.edit_contact("p1", value("13700002222"), &stamp("wang", 2))
        .unwrap();
    let merged = merge_both_ways(&a, &b);
    let p1 = &merged.contacts["p1"];
    assert_eq!(
        crate::contact::to_e164(&p1.value).unwrap(),
        p1.normalized,
        "value and normalised form come from the same edit"
    );
}

#[test]
fn three_devices_editing_different_fields_keep_all_three() {
    let mut a = furnished();
    let (mut b, mut c) = (a.fork(), a.fork());
    a.edit_contact("p1", ContactEdit::Label("家".into()), &stamp("li", 2))
        .unwrap();
    b.edit_contact("p1", value("13900001111"), &stamp("wang", 2))
        .unwrap();
    c.reassign_follow_up("f1", "zhao", &stamp("chen", 2))
        .unwrap();
    a.reschedule_follow_up("f1", T0 + 7 * DAY_MS, &stamp("li", 2))
        .unwrap();
    b.complete_follow_up("f1", &stamp("wang", 2)).unwrap();
    c.edit_order("o1", OrderEdit::Items("茶具".into()), &stamp("chen", 2))
        .unwrap();
    a.edit_order("o1", OrderEdit::Amount(Money::cny(5_000)), &stamp("li", 2))
        .unwrap();
    let orders: [[&CustomerDoc; 3]; 3] = [[&a, &b, &c], [&c, &b, &a], [&b, &c, &a]];
    let results: Vec<Customer> = orders
        .iter()
        .map(|order| {
            let mut acc = order[0].clone();
            acc.merge(&mut order[1].clone()).unwrap();
            acc.merge(&mut order[2].clone()).unwrap();
            acc.customer().unwrap()
        })
        .collect();
    assert!(results.windows(2).all(|w| w[0] == w[1]));
    let m = &results[0];
    let (p1, f1, o1) = (&m.contacts["p1"], &m.follow_ups["f1"], &m.orders["o1"]);
    assert_eq!(
        (p1.label.as_str(), p1.normalized.as_str()),
        ("家", "+8613900001111")
    );
    assert_eq!(
        (f1.assignee.as_str(), f1.due_at, f1.done),
        ("zhao", T0 + 7 * DAY_MS, true)
    );
    assert_eq!((o1.items.as_str(), o1.amount_minor), ("茶具", 5_000));
}

#[test]
fn a_removal_wins_over_a_concurrent_edit_of_what_it_removed() {
    let mut a = furnished();
    let mut b = a.fork();
    a.remove_contact("p1", &stamp("li", 2)).unwrap();
    a.remove_order("o1", &stamp("li", 2)).unwrap();
    b.edit_contact("p1", ContactEdit::Label("新".into()), &stamp("wang", 2))
        .unwrap();
    b.edit_order("o1", OrderEdit::Items("改".into()), &stamp("wang", 2))
        .unwrap();
    let merged = merge_both_ways(&a, &b);
    assert!(merged.contacts.is_empty() && merged.orders.is_empty());
}

#[test]
fn ticking_and_unticking_different_options_at_once_keeps_both() {
    use crate::custom_field::{CustomFieldDef, CustomValue, FieldKind, FieldOption};
    let option = |zh: &str| FieldOption {
        label_zh: zh.into(),
        label_en: String::new(),
    };
    let def = CustomFieldDef {
        label_zh: "渠道".into(),
        label_en: String::new(),
        kind: FieldKind::MultiSelect,
        options: [
            ("shop".to_owned(), option("门店")),
            ("online".to_owned(), option("网店")),
        ]
        .into(),
    };
    let choices = |on: &[&str]| {
        Some(CustomValue::Choices(
            on.iter().map(|o| (o.to_string(), true)).collect(),
        ))
    };
    let mut a = furnished();
    a.set_choice("channel", &def, "shop", true, &stamp("li", 1))
        .unwrap();
    let mut b = a.fork();
    a.set_choice("channel", &def, "online", true, &stamp("li", 2))
        .unwrap();
    b.set_choice("channel", &def, "shop", false, &stamp("wang", 2))
        .unwrap();
    let merged = merge_both_ways(&a, &b);
    assert_eq!(merged.custom.get("channel"), choices(&["online"]).as_ref());
    // The last unticked leaves an empty choice; unknown options and other kinds are refused.
    a.merge(&mut b).unwrap();
    a.set_choice("channel", &def, "online", false, &stamp("li", 3))
        .unwrap();
    assert_eq!(
        a.customer().unwrap().custom.get("channel"),
        choices(&[]).as_ref()
    );
    assert!(matches!(
        a.set_choice("channel", &def, "nope", true, &stamp("li", 3)),
        Err(ModelError::InvalidFieldValue { .. })
    ));
    let text = CustomFieldDef {
        kind: FieldKind::Text,
        ..def.clone()
    };
    assert!(
        a.set_choice("channel", &text, "shop", true, &stamp("li", 3))
            .is_err()
    );
}

#[test]
fn an_archived_customer_leaves_lists_and_rules_and_comes_back_whole() {
    use crate::rules::{Context, plan};
    use crate::search::RowFilter;
    use crate::workspace::RuleBook;
    let mut doc = furnished();
    doc.archive(&stamp("chen", 2)).unwrap();
    let c = doc.customer().unwrap();
    assert_eq!(
        c.archived,
        Some(Archived {
            at: T0 + 2 * DAY_MS,
            by: "chen".into()
        })
    );
    assert_eq!(c.contacts.len(), 1, "archiving deletes nothing");
    let row = doc.summary().unwrap();
    assert!(row.archived && row == SummaryRow::of(&c));
    assert!(!RowFilter::default().matches(&row));
    assert!(
        RowFilter {
            archived: true,
            ..RowFilter::default()
        }
        .matches(&row)
    );
    let rules = RuleBook::defaults(crate::rules::Language::Zh).rules;
    let ctx = Context {
        now: T0 + 400 * DAY_MS,
        pipeline: &Pipeline::standard(),
    };
    assert!(
        plan(&rules, &c, &ctx).is_empty(),
        "the rules leave it alone"
    );

    doc.restore(&stamp("li", 3)).unwrap();
    let c = doc.customer().unwrap();
    assert_eq!(c.archived, None);
    assert!(!doc.summary().unwrap().archived);
    assert!(
        !plan(&rules, &c, &ctx).is_empty(),
        "a year without contact: the rules act again"
    );
}

#[test]
fn archiving_on_one_device_while_another_edits_keeps_both() {
    let mut a = furnished();
    let mut b = a.fork();
    a.archive(&stamp("li", 2)).unwrap();
    b.edit_contact("p1", ContactEdit::Label("家".into()), &stamp("wang", 2))
        .unwrap();
    let merged = merge_both_ways(&a, &b);
    assert!(merged.archived.is_some());
    assert_eq!(merged.contacts["p1"].label, "家");
}
