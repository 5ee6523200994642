use super::*;
use crate::custom_field::{CustomFieldDef, FieldKind};
use automerge::transaction::Transactable;
use std::collections::BTreeMap;

#[test]
fn create_validates_and_round_trips_through_save() {
    let mut doc = new_customer();
    let loaded = CustomerDoc::load(&doc.save()).unwrap();
    let c = loaded.customer().unwrap();
    assert_eq!(c.profile.name, "张伟");
    assert_eq!(c.profile.source, Source::Douyin);
    assert_eq!(c.schema_version, SCHEMA_VERSION);
    assert_eq!(loaded.id().unwrap(), "c1");

    let mut bad = NewCustomer {
        name: " ".into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: "li".into(),
        source: Source::Other,
        lifecycle: Lifecycle::Lead,
    };
    let make =
        |n: &NewCustomer| CustomerDoc::create(&id("c2"), n.clone(), &stamp("li", 0)).map(|_| ());
    assert_eq!(make(&bad), Err(ModelError::Empty { field: "name" }));
    bad.name = "王".into();
    bad.owner = "not an id".into();
    assert!(matches!(make(&bad), Err(ModelError::InvalidId { .. })));
}

#[test]
fn profile_edits_touch_only_their_field_and_stamp_the_edit() {
    let mut doc = new_customer();
    doc.edit_profile(ProfileEdit::Company("新公司".into()), &stamp("wang", 2))
        .unwrap();
    doc.edit_profile(
        ProfileEdit::Lifecycle(Lifecycle::Prospect),
        &stamp("wang", 2),
    )
    .unwrap();
    let c = doc.customer().unwrap();
    assert_eq!(c.profile.company, "新公司");
    assert_eq!(c.profile.lifecycle, Lifecycle::Prospect);
    assert_eq!(
        (c.updated_by.as_str(), c.updated_at),
        ("wang", T0 + 2 * DAY_MS)
    );
    let before = doc.save();
    assert_eq!(
        doc.edit_profile(ProfileEdit::Name("x".repeat(101)), &stamp("wang", 3)),
        Err(ModelError::TooLong {
            field: "name",
            chars: 101,
            max: 100
        })
    );
    assert_eq!(
        doc.save(),
        before,
        "a refused edit must not touch the document"
    );
}

#[test]
fn contacts_are_normalised_and_one_primary_per_kind() {
    let mut doc = new_customer();
    doc.add_contact(&id("p1"), phone("138 1234 5678"), &stamp("li", 1))
        .unwrap();
    doc.add_contact(&id("p2"), phone("+86 139 0000 1111"), &stamp("li", 1))
        .unwrap();
    let email = NewContact {
        kind: ContactKind::Email,
        value: "ZW@Example.com".into(),
        e164: None,
        label: String::new(),
        primary: true,
    };
    doc.add_contact(&id("e1"), email, &stamp("li", 1)).unwrap();
    let c = doc.customer().unwrap();
    assert_eq!(c.contacts["p1"].normalized, "+8613812345678");
    assert!(!c.contacts["p1"].primary && c.contacts["p2"].primary && c.contacts["e1"].primary);

    doc.make_primary("p1", &stamp("li", 2)).unwrap();
    let c = doc.customer().unwrap();
    assert!(c.contacts["p1"].primary && !c.contacts["p2"].primary && c.contacts["e1"].primary);

    assert_eq!(
        doc.add_contact(&id("p3"), phone("12"), &stamp("li", 2)),
        Err(ModelError::InvalidPhone { input: "12".into() })
    );
    assert_eq!(
        doc.add_contact(&id("p1"), phone("13800000000"), &stamp("li", 2)),
        Err(ModelError::DuplicateId {
            kind: "contact",
            id: "p1".into()
        })
    );
    doc.remove_contact("p2", &stamp("li", 3)).unwrap();
    assert_eq!(
        doc.remove_contact("p2", &stamp("li", 3)),
        Err(ModelError::NotFound {
            kind: "contact",
            id: "p2".into()
        })
    );
    assert_eq!(
        doc.make_primary("zz", &stamp("li", 3)),
        Err(ModelError::NotFound {
            kind: "contact",
            id: "zz".into()
        })
    );
}

#[test]
fn manual_and_automatic_tags() {
    let mut doc = new_customer();
    doc.add_tag(" VIP ", &stamp("li", 1)).unwrap();
    doc.add_tag("VIP", &stamp("wang", 2)).unwrap();
    doc.apply_auto_tag("高意向", "rule_intent", &stamp("edge", 2))
        .unwrap();
    let c = doc.customer().unwrap();
    assert_eq!(
        c.tags["VIP"].added_by, "li",
        "re-adding keeps the first stamp"
    );
    assert_eq!(c.auto_tags["高意向"].rule_id, "rule_intent");
    assert_eq!(doc.summary().unwrap().tags, vec!["VIP", "高意向"]);
    for bad in ["", "  ", "a\u{7}b", &"标".repeat(33)] {
        assert_eq!(
            doc.add_tag(bad, &stamp("li", 3)),
            Err(ModelError::InvalidTag { input: bad.into() })
        );
    }
    doc.remove_tag("VIP", &stamp("li", 3)).unwrap();
    doc.remove_auto_tag("高意向", &stamp("edge", 3)).unwrap();
    assert!(doc.summary().unwrap().tags.is_empty());
    assert!(matches!(
        doc.remove_tag("VIP", &stamp("li", 3)),
        Err(ModelError::NotFound { .. })
    ));
    assert!(matches!(
        doc.apply_auto_tag("x", "bad id!", &stamp("edge", 3)),
        Err(ModelError::InvalidId { .. })
    ));
}

#[test]
fn custom_fields_follow_their_definition() {
    let mut doc = new_customer();
    let def = CustomFieldDef {
        label_zh: "预算".into(),
        label_en: "Budget".into(),
        kind: FieldKind::Number,
        options: BTreeMap::new(),
    };
    doc.set_custom_field(
        "budget",
        &def,
        Some(CustomValue::Number(12.5)),
        &stamp("li", 1),
    )
    .unwrap();
    assert_eq!(
        doc.customer().unwrap().custom["budget"],
        CustomValue::Number(12.5)
    );
    assert!(matches!(
        doc.set_custom_field(
            "budget",
            &def,
            Some(CustomValue::Text("lots".into())),
            &stamp("li", 1)
        ),
        Err(ModelError::InvalidFieldValue { .. })
    ));
    assert!(matches!(
        doc.set_custom_field("bad field", &def, None, &stamp("li", 1)),
        Err(ModelError::UnknownField { .. })
    ));
    doc.set_custom_field("budget", &def, None, &stamp("li", 2))
        .unwrap();
    assert!(doc.customer().unwrap().custom.is_empty());
}

#[test]
fn deals_move_through_stages_with_history() {
    let pipeline = Pipeline::standard();
    let mut doc = new_customer();
    doc.add_deal(&id("d1"), deal("年度采购"), &pipeline, &stamp("li", 1))
        .unwrap();
    doc.move_deal_stage("d1", "proposal", None, &pipeline, &stamp("li", 5))
        .unwrap();
    assert_eq!(
        doc.move_deal_stage("d1", "lost", None, &pipeline, &stamp("li", 6)),
        Err(ModelError::LostReasonRequired)
    );
    doc.move_deal_stage("d1", "lost", Some("价格太高"), &pipeline, &stamp("li", 7))
        .unwrap();
    let d = &doc.customer().unwrap().deals["d1"];
    assert_eq!(d.stage, "lost");
    assert_eq!(d.lost_reason.as_deref(), Some("价格太高"));
    let history: Vec<_> = d
        .stage_history
        .iter()
        .map(|h| (h.stage.as_str(), h.at))
        .collect();
    assert_eq!(
        history,
        vec![
            ("initial", T0 + DAY_MS),
            ("proposal", T0 + 5 * DAY_MS),
            ("lost", T0 + 7 * DAY_MS)
        ]
    );

    doc.move_deal_stage("d1", "negotiation", None, &pipeline, &stamp("li", 8))
        .unwrap();
    assert_eq!(
        doc.customer().unwrap().deals["d1"].lost_reason,
        None,
        "reopening clears the reason"
    );

    assert_eq!(
        doc.move_deal_stage("d1", "signed", None, &pipeline, &stamp("li", 9)),
        Err(ModelError::UnknownStage {
            stage: "signed".into()
        })
    );
    assert_eq!(
        doc.move_deal_stage("d9", "won", None, &pipeline, &stamp("li", 9)),
        Err(ModelError::NotFound {
            kind: "deal",
            id: "d9".into()
        })
    );
    let mut bad = deal("x");
    bad.expected_close = Some("2026-02-30".into());
    assert!(matches!(
        doc.add_deal(&id("d2"), bad, &pipeline, &stamp("li", 9)),
        Err(ModelError::InvalidDate { .. })
    ));
    let mut bad = deal("x");
    bad.amount = Money {
        minor: 1,
        currency: "yuan".into(),
    };
    assert!(matches!(
        doc.add_deal(&id("d2"), bad, &pipeline, &stamp("li", 9)),
        Err(ModelError::InvalidCurrency { .. })
    ));

    doc.edit_deal("d1", DealEdit::Amount(Money::cny(42)), &stamp("li", 10))
        .unwrap();
    doc.edit_deal("d1", DealEdit::ExpectedClose(None), &stamp("li", 10))
        .unwrap();
    let d = &doc.customer().unwrap().deals["d1"];
    assert_eq!((d.amount_minor, d.expected_close.clone()), (42, None));
    doc.remove_deal("d1", &stamp("li", 11)).unwrap();
    assert!(doc.customer().unwrap().deals.is_empty());
}

#[test]
fn follow_ups_complete_reopen_and_feed_the_summary() {
    let mut doc = new_customer();
    let follow = |title: &str, day| NewFollowUp {
        title: title.into(),
        due_at: T0 + day * DAY_MS,
        assignee: "li".into(),
        origin: MANUAL_ORIGIN.into(),
    };
    doc.add_follow_up(&id("f1"), follow("寄样品", 3), &stamp("li", 1))
        .unwrap();
    doc.add_follow_up(&id("f2"), follow("回访", 2), &stamp("li", 1))
        .unwrap();
    assert_eq!(doc.summary().unwrap().next_follow_up().unwrap().id, "f2");
    doc.complete_follow_up("f2", &stamp("li", 2)).unwrap();
    let f2 = &doc.customer().unwrap().follow_ups["f2"];
    assert!(f2.done && f2.done_at == Some(T0 + 2 * DAY_MS));
    assert_eq!(doc.summary().unwrap().next_follow_up().unwrap().id, "f1");
    doc.reopen_follow_up("f2", &stamp("li", 3)).unwrap();
    doc.reschedule_follow_up("f2", T0 + 9 * DAY_MS, &stamp("li", 3))
        .unwrap();
    assert_eq!(doc.summary().unwrap().next_follow_up().unwrap().id, "f1");
    assert_eq!(
        doc.add_follow_up(&id("f3"), follow("", 1), &stamp("li", 1)),
        Err(ModelError::Empty {
            field: "follow-up title"
        })
    );
    assert!(matches!(
        doc.complete_follow_up("nope", &stamp("li", 1)),
        Err(ModelError::NotFound { .. })
    ));
    doc.remove_follow_up("f1", &stamp("li", 4)).unwrap();
    doc.remove_follow_up("f2", &stamp("li", 4)).unwrap();
    assert_eq!(doc.summary().unwrap().next_follow_up(), None);
}

#[test]
fn interactions_and_orders_feed_the_summary() {
    let pipeline = Pipeline::standard();
    let mut doc = new_customer();
    doc.add_deal(&id("d1"), deal("样品单"), &pipeline, &stamp("li", 1))
        .unwrap();
    doc.add_interaction(&id("i1"), interaction("问了促销活动", 1), &stamp("li", 1))
        .unwrap();
    let mut linked = interaction("电话确认报价", 4);
    linked.channel = Channel::Call;
    linked.deal_id = Some("d1".into());
    doc.add_interaction(&id("i2"), linked, &stamp("wang", 4))
        .unwrap();
    let mut dangling = interaction("x", 5);
    dangling.deal_id = Some("d404".into());
    assert_eq!(
        doc.add_interaction(&id("i3"), dangling, &stamp("li", 5)),
        Err(ModelError::NotFound {
            kind: "deal",
            id: "d404".into()
        })
    );
    assert_eq!(
        doc.add_interaction(&id("i3"), interaction(" ", 5), &stamp("li", 5)),
        Err(ModelError::Empty { field: "summary" })
    );

    let order = |minor, currency: &str| NewOrder {
        at: T0 + 6 * DAY_MS,
        amount: Money {
            minor,
            currency: currency.into(),
        },
        items: "茶叶礼盒 x2".into(),
        channel: OrderChannel::OnlineShop,
    };
    doc.add_order(&id("o1"), order(29_900, "CNY"), &stamp("li", 6))
        .unwrap();
    doc.add_order(&id("o2"), order(10_100, "CNY"), &stamp("li", 6))
        .unwrap();
    doc.add_order(&id("o3"), order(500, "USD"), &stamp("li", 6))
        .unwrap();
    assert!(matches!(
        doc.add_order(&id("o4"), order(-1, "CNY"), &stamp("li", 6)),
        Err(ModelError::NegativeAmount { .. })
    ));

    let row = doc.summary().unwrap();
    assert_eq!(row.last_interaction, Some((T0 + 4 * DAY_MS, Channel::Call)));
    assert_eq!(
        row.lifetime_spend,
        vec![
            Money::cny(40_000),
            Money {
                minor: 500,
                currency: "USD".into()
            }
        ]
    );
    assert_eq!((row.order_count, row.deals.len()), (3, 1));
    assert_eq!(doc.customer().unwrap().interactions["i2"].author, "wang");
    doc.remove_interaction("i2", &stamp("li", 7)).unwrap();
    assert_eq!(
        doc.summary().unwrap().last_interaction,
        Some((T0 + DAY_MS, Channel::WeChatChat))
    );
}

#[test]
fn notes_are_collaborative_text_with_a_length_limit() {
    let mut doc = new_customer();
    doc.set_notes("喜欢绿茶。", &stamp("li", 1)).unwrap();
    assert_eq!(doc.customer().unwrap().notes.as_str(), "喜欢绿茶。");
    let long = "字".repeat(20_001);
    assert!(matches!(
        doc.set_notes(&long, &stamp("li", 1)),
        Err(ModelError::TooLong { field: "notes", .. })
    ));
}

#[test]
fn incremental_saves_replay_on_another_replica() {
    let mut a = new_customer();
    let mut b = CustomerDoc::load(&a.save()).unwrap();
    a.add_tag("VIP", &stamp("li", 1)).unwrap();
    let delta = a.save_incremental();
    b.apply_changes(&delta).unwrap();
    assert_eq!(a.customer().unwrap(), b.customer().unwrap());
    let before = b.customer().unwrap();
    b.apply_changes(b"junk").unwrap();
    assert_eq!(
        b.customer().unwrap(),
        before,
        "an unparseable chunk changes nothing"
    );
}

#[test]
fn hostile_bytes_are_errors_never_panics() {
    let mut doc = new_customer();
    doc.add_interaction(&id("i1"), interaction("hello", 1), &stamp("li", 1))
        .unwrap();
    let bytes = doc.save();
    for cut in [1, 8, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            CustomerDoc::load(&bytes[..cut]).is_err(),
            "truncated at {cut}"
        );
    }
    assert!(matches!(
        CustomerDoc::load(b""),
        Err(ModelError::Layout { .. })
    ));
    assert!(matches!(
        CustomerDoc::load(b"\x85\x6f\x4a\x83garbage"),
        Err(ModelError::Corrupt { .. })
    ));
}

#[test]
fn documents_of_another_shape_are_refused_with_the_field_named() {
    let mut doc = new_customer();
    let profile = doc
        .child(&automerge::ROOT, "profile", "profile", "profile")
        .unwrap();
    doc.doc.put(&profile, "company", 42).unwrap();
    let err = CustomerDoc::load(&doc.save()).unwrap_err();
    assert_eq!(
        err,
        ModelError::Layout {
            kind: "customer",
            reason: "profile.company: expected a string".into()
        }
    );
    let mut workspace = crate::workspace::WorkspaceDoc::new();
    assert!(matches!(
        CustomerDoc::load(&workspace.save()),
        Err(ModelError::Layout { .. })
    ));
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_error() {
    let mut doc = new_customer();
    doc.doc
        .put(automerge::ROOT, "schema_version", SCHEMA_VERSION + 1)
        .unwrap();
    assert_eq!(
        CustomerDoc::load(&doc.save()).unwrap_err(),
        ModelError::NewerSchema {
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION
        }
    );
}

#[test]
fn unknown_enum_strings_from_newer_clients_read_as_the_fallback() {
    let mut doc = new_customer();
    let profile = doc
        .child(&automerge::ROOT, "profile", "profile", "profile")
        .unwrap();
    doc.doc.put(&profile, "source", "kuaishou").unwrap();
    assert_eq!(doc.customer().unwrap().profile.source, Source::Other);
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_bytes_never_panic_the_loader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(doc) = CustomerDoc::load(&bytes) {
                let _ = doc.summary();
            }
        }

        #[test]
        fn damaged_saves_are_errors_or_valid_customers(cut in 0usize..10_000, flip in any::<(usize, u8)>()) {
            let mut doc = new_customer();
            doc.add_interaction(&id("i1"), interaction("来电咨询", 1), &stamp("li", 1)).unwrap();
            let mut bytes = doc.save();
            let len = bytes.len();
            bytes[flip.0 % len] ^= flip.1 | 1;
            bytes.truncate(cut % (len + 1));
            if let Ok(loaded) = CustomerDoc::load(&bytes) {
                prop_assert!(loaded.summary().is_ok());
            }
        }
    }
}

#[test]
fn a_customer_made_whole_equals_one_made_step_by_step_and_checks_the_same() {
    let new = NewCustomer {
        name: "周芳".into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: "li".into(),
        source: Source::Other,
        lifecycle: Lifecycle::Lead,
    };
    let phone = |n: &str, primary| NewContact {
        kind: ContactKind::Phone,
        value: n.into(),
        e164: Some(format!("+86{n}")),
        label: String::new(),
        primary,
    };
    let contacts = vec![
        (id("p1"), phone("13812345678", true)),
        (id("p2"), phone("13900001111", true)),
    ];
    let tags = ["VIP".to_owned()];
    let at = stamp("li", 0);
    let whole = CustomerDoc::create_with(
        &id("c1"),
        new.clone(),
        contacts.clone(),
        &tags,
        "老客户",
        &at,
    )
    .unwrap();
    let mut steps = CustomerDoc::create(&id("c1"), new.clone(), &at).unwrap();
    steps
        .add_contact(&id("p1"), phone("13812345678", true), &at)
        .unwrap();
    steps
        .add_contact(&id("p2"), phone("13900001111", false), &at)
        .unwrap();
    steps.add_tag("VIP", &at).unwrap();
    steps.set_notes("老客户", &at).unwrap();
    assert_eq!(
        whole.customer().unwrap(),
        steps.customer().unwrap(),
        "one primary phone"
    );
    let bad = vec![(id("p1"), phone("12", true))];
    let refused = CustomerDoc::create_with(&id("c1"), new.clone(), bad, &[], "", &at);
    assert!(
        matches!(refused, Err(ModelError::InvalidPhone { .. })),
        "{refused:?}"
    );
    let twice = vec![contacts[0].clone(), contacts[0].clone()];
    let refused = CustomerDoc::create_with(&id("c1"), new, twice, &[], "", &at);
    assert!(matches!(refused, Err(ModelError::DuplicateId { .. })));
}
