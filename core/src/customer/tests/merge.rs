//! Merging a duplicate into its survivor, with edits made offline to either, and undoing it.

use proptest::prelude::*;

use super::*;

/// The duplicate: 周芳 again as `c2`, owned by wang, with a phone the survivor has (written
/// differently), an e-mail it lacks, an interaction, an open follow-up, a deal, a tag and notes.
fn duplicate() -> CustomerDoc {
    let new = NewCustomer {
        name: "周芳".into(),
        name_latin: "Zhou Fang".into(),
        company: "华东贸易".into(),
        title: "总经理".into(),
        owner: "wang".into(),
        source: Source::Referral,
        lifecycle: Lifecycle::Prospect,
    };
    let by = stamp("wang", 1);
    let mut doc = CustomerDoc::create(&id("c2"), new, &by).unwrap();
    doc.add_contact(&id("p2"), phone("+86 138 1234 5678"), &by)
        .unwrap();
    let email = NewContact {
        kind: ContactKind::Email,
        value: "zhou@example.com".into(),
        e164: None,
        label: String::new(),
        primary: true,
    };
    doc.add_contact(&id("e2"), email, &by).unwrap();
    doc.add_interaction(&id("i2"), interaction("问了报价", 1), &by)
        .unwrap();
    doc.add_follow_up(&id("f2"), follow_up("寄样品", "wang"), &by)
        .unwrap();
    doc.add_deal(&id("d2"), deal("样品单"), &Pipeline::standard(), &by)
        .unwrap();
    doc.add_tag("展会", &by).unwrap();
    doc.set_notes("喜欢绿茶", &by).unwrap();
    doc.heads();
    doc
}

/// The survivor: `c1` (张伟's document renamed 周芳), with the same phone and its own
/// interaction and notes.
fn survivor() -> CustomerDoc {
    let mut doc = new_customer();
    let by = stamp("li", 0);
    doc.edit_profile(ProfileEdit::Name("周芳".into()), &by)
        .unwrap();
    doc.add_contact(&id("p1"), phone("13812345678"), &by)
        .unwrap();
    doc.add_interaction(&id("i1"), interaction("初次电话", 0), &by)
        .unwrap();
    doc.set_notes("老客户介绍", &by).unwrap();
    doc.heads();
    doc
}

fn follow_up(title: &str, assignee: &str) -> NewFollowUp {
    NewFollowUp {
        title: title.into(),
        due_at: T0 + 5 * DAY_MS,
        assignee: assignee.into(),
        origin: MANUAL_ORIGIN.into(),
    }
}

const BOSS_DAY: i64 = 2;

fn edge(day: i64) -> Stamp {
    stamp("boss", day)
}

/// What a customer says, less who touched it last and when and its merge mark.
fn content(doc: &CustomerDoc) -> Customer {
    let mut c = doc.customer().unwrap();
    (c.updated_at, c.updated_by) = (0, String::new());
    c.merged_into = None;
    c
}

#[test]
fn a_merge_unites_both_customers_in_the_survivor() {
    let (mut s, mut l) = (survivor(), duplicate());
    l.merge_into(&id("c1"), &["owner", "title"], &edge(BOSS_DAY))
        .unwrap();
    assert!(s.carry(&mut l, &edge(BOSS_DAY)).unwrap());
    let c = s.customer().unwrap();
    assert_eq!(
        (c.profile.owner.as_str(), c.profile.title.as_str()),
        ("wang", "总经理")
    );
    assert_eq!(
        c.profile.company, "华东贸易有限公司",
        "the survivor's own value"
    );
    let kinds: Vec<_> = c.contacts.values().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [ContactKind::Email, ContactKind::Phone],
        "one phone, not two"
    );
    assert!(c.interactions.contains_key("i1") && c.interactions.contains_key("i2"));
    assert_eq!(c.interactions["i2"].author, "wang", "authors kept");
    assert!(c.follow_ups.contains_key("f2") && c.deals.contains_key("d2"));
    assert!(c.tags.contains_key("展会"));
    assert_eq!(c.notes.as_str(), "老客户介绍\n\n喜欢绿茶");
    assert_eq!(s.summary().unwrap().merged_into, None);
    assert_eq!(
        l.summary().unwrap().merged_into.map(|m| m.0),
        Some("c1".into())
    );
    assert!(!l.summary().unwrap().live());
    assert!(
        !s.carry(&mut l, &edge(BOSS_DAY)).unwrap(),
        "nothing new to carry"
    );
}

#[test]
fn offline_edits_to_the_duplicate_reach_the_survivor_in_every_order() {
    // The manager merges; wang, offline, logs a call, completes the follow-up and renames the
    // deal on the duplicate; li adds an order to the survivor. The edge carries after each
    // arrival of the duplicate, whichever comes first.
    let (s0, l0) = (survivor(), duplicate());
    let mut merged = l0.clone().fork();
    merged
        .merge_into(&id("c1"), &["owner"], &edge(BOSS_DAY))
        .unwrap();
    let mut offline = l0.clone().fork();
    let by = stamp("wang", 3);
    offline
        .add_interaction(&id("i3"), interaction("电话确认", 3), &by)
        .unwrap();
    offline.complete_follow_up("f2", &by).unwrap();
    offline
        .edit_deal("d2", DealEdit::Title("大单".into()), &by)
        .unwrap();
    let mut order_edit = s0.clone().fork();
    let order = NewOrder {
        at: T0,
        amount: Money::cny(100),
        items: "茶".into(),
        channel: OrderChannel::Pos,
    };
    order_edit
        .add_order(&id("o1"), order, &stamp("li", 3))
        .unwrap();
    // Committed once, as a device's saved change is.
    for doc in [&mut merged, &mut offline, &mut order_edit] {
        doc.heads();
    }
    let arrivals = [merged, offline];
    for first in [0, 1] {
        for survivor_edit_first in [false, true] {
            let (mut s, mut l) = (s0.clone(), l0.clone());
            if survivor_edit_first {
                s.merge(&mut order_edit.clone()).unwrap();
            }
            for i in [first, 1 - first] {
                l.merge(&mut arrivals[i].clone()).unwrap();
                s.carry(&mut l, &edge(4)).unwrap();
            }
            if !survivor_edit_first {
                s.merge(&mut order_edit.clone()).unwrap();
            }
            let c = s.customer().unwrap();
            let case =
                format!("duplicate {first} first, survivor edit first {survivor_edit_first}");
            assert!(c.interactions.contains_key("i3"), "{case}");
            assert!(c.follow_ups["f2"].done, "{case}");
            assert_eq!(c.deals["d2"].title, "大单", "{case}");
            assert!(c.orders.contains_key("o1"), "{case}");
            assert_eq!(c.profile.owner, "wang", "{case}");
        }
    }
}

#[test]
fn an_unmerge_gives_each_customer_back_with_what_happened_since() {
    let (mut s, mut l) = (survivor(), duplicate());
    let (s_before, l_before) = (content(&s), content(&l));
    l.merge_into(&id("c1"), &["owner", "company"], &edge(BOSS_DAY))
        .unwrap();
    s.carry(&mut l, &edge(BOSS_DAY)).unwrap();
    // Since the merge: the survivor completes the duplicate's follow-up and logs a new
    // interaction.
    let by = stamp("li", 5);
    s.complete_follow_up("f2", &by).unwrap();
    s.add_interaction(&id("i9"), interaction("新的", 5), &by)
        .unwrap();
    l.unmerge(&edge(6)).unwrap();
    assert_eq!(s.uncarry(&mut l, &edge(6)).unwrap(), (true, true));
    let (c, d) = (s.customer().unwrap(), l.customer().unwrap());
    assert!(d.follow_ups["f2"].done, "the completion went back with it");
    assert!(!c.follow_ups.contains_key("f2") && !c.interactions.contains_key("i2"));
    assert!(
        c.interactions.contains_key("i9"),
        "what was added since stays"
    );
    let mut expected = s_before.clone();
    expected
        .interactions
        .insert("i9".into(), c.interactions["i9"].clone());
    assert_eq!(content(&s), expected);
    let mut expected = l_before.clone();
    expected.follow_ups.get_mut("f2").unwrap().done = true;
    expected.follow_ups.get_mut("f2").unwrap().done_at = Some(T0 + 5 * DAY_MS);
    assert_eq!(content(&l), expected);
    assert!(s.merge_record("c2").is_none());
    assert!(l.summary().unwrap().live());
}

#[test]
fn an_unmerge_is_refused_after_thirty_days_and_a_merge_twice() {
    let mut l = duplicate();
    l.merge_into(&id("c1"), &[], &edge(0)).unwrap();
    assert!(matches!(
        l.merge_into(&id("c3"), &[], &edge(0)),
        Err(ModelError::NotMergeable { .. })
    ));
    assert!(matches!(
        l.unmerge(&edge(UNMERGE_DAYS + 1)),
        Err(ModelError::MergeWindow { .. })
    ));
    l.unmerge(&edge(UNMERGE_DAYS)).unwrap();
    assert!(matches!(
        l.merge_into(&id("c2"), &[], &edge(0)),
        Err(ModelError::NotMergeable { .. })
    ));
    assert!(matches!(
        l.merge_into(&id("c1"), &["owner", "birthday"], &edge(0)),
        Err(ModelError::UnknownField { .. })
    ));
}

#[test]
fn a_merge_and_an_unmerge_concurrent_with_edits_converge() {
    // Three actors on the duplicate: the manager's merge, wang's offline note, another
    // manager's rename; merged in all six orders the duplicate is merged, renamed, noted.
    let l0 = duplicate();
    let mut a = l0.clone().fork();
    a.merge_into(&id("c1"), &["name"], &edge(BOSS_DAY)).unwrap();
    let mut b = l0.clone().fork();
    b.set_notes("喜欢绿茶和红茶", &stamp("wang", 3)).unwrap();
    let mut c = l0.clone().fork();
    c.edit_profile(ProfileEdit::Name("周芳芳".into()), &stamp("chen", 3))
        .unwrap();
    for doc in [&mut a, &mut b, &mut c] {
        doc.heads();
    }
    let docs = [a, b, c];
    let mut results = Vec::new();
    for order in ORDERS_OF_THREE {
        let mut merged = docs[order[0]].clone();
        for &i in &order[1..] {
            merged.merge(&mut docs[i].clone()).unwrap();
        }
        assert_eq!(merged.merged_into().as_deref(), Some("c1"), "{order:?}");
        let mut s = survivor();
        s.carry(&mut merged, &edge(4)).unwrap();
        let got = s.customer().unwrap();
        assert_eq!(got.profile.name, "周芳芳", "{order:?}");
        assert!(got.notes.as_str().ends_with("喜欢绿茶和红茶"), "{order:?}");
        results.push(content(&s));
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]));
}

/// A customer with some of every united collection, from generated choices.
fn generated(name: &str, doc_id: &str, owner: &str, parts: &Parts) -> CustomerDoc {
    let new = NewCustomer {
        name: name.into(),
        name_latin: String::new(),
        company: parts.company.clone(),
        title: String::new(),
        owner: owner.into(),
        source: Source::Other,
        lifecycle: Lifecycle::Lead,
    };
    let by = stamp(owner, 0);
    let mut doc = CustomerDoc::create(&id(doc_id), new, &by).unwrap();
    for (n, digits) in parts.phones.iter().enumerate() {
        let value = format!("+86138{digits:08}");
        let point = phone(&value);
        doc.add_contact(&id(&format!("{doc_id}p{n}")), point, &by)
            .unwrap();
    }
    for n in 0..parts.interactions {
        let summary = format!("{name} {n}");
        doc.add_interaction(&id(&format!("{doc_id}i{n}")), interaction(&summary, 1), &by)
            .unwrap();
    }
    for tag in &parts.tags {
        doc.add_tag(tag, &by).unwrap();
    }
    if parts.follow_up {
        doc.add_follow_up(&id(&format!("{doc_id}f")), follow_up("回访", owner), &by)
            .unwrap();
    }
    doc.set_notes(&parts.notes, &by).unwrap();
    doc
}

#[derive(Debug, Clone)]
struct Parts {
    company: String,
    phones: Vec<u32>,
    interactions: usize,
    tags: Vec<String>,
    follow_up: bool,
    notes: String,
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        prop::sample::select(vec!["", "华东贸易", "Acme"]),
        prop::collection::vec(0u32..4, 0..3),
        0usize..3,
        prop::collection::btree_set(prop::sample::select(vec!["VIP", "展会", "老客户"]), 0..3),
        any::<bool>(),
        prop::sample::select(vec!["", "喜欢绿茶", "notes"]),
    )
        .prop_map(
            |(company, phones, interactions, tags, follow_up, notes)| Parts {
                company: company.into(),
                phones,
                interactions,
                tags: tags.into_iter().map(String::from).collect(),
                follow_up,
                notes: notes.into(),
            },
        )
}

proptest! {
    /// A merge then its unmerge, nothing else in between, gives both customers back as they
    /// were.
    #[test]
    fn merge_then_unmerge_returns_both_customers(
        a in parts(),
        b in parts(),
        take in prop::sample::subsequence(MERGE_FIELDS.to_vec(), 0..=MERGE_FIELDS.len()),
    ) {
        let mut s = generated("周芳", "s1", "li", &a);
        let mut l = generated("周芳芳", "l1", "wang", &b);
        let (s_before, l_before) = (content(&s), content(&l));
        l.merge_into(&id("s1"), &take, &edge(BOSS_DAY)).unwrap();
        s.carry(&mut l, &edge(BOSS_DAY)).unwrap();
        let united = s.customer().unwrap();
        prop_assert!(b.interactions == 0 || united.interactions.contains_key("l1i0"));
        l.unmerge(&edge(3)).unwrap();
        s.uncarry(&mut l, &edge(3)).unwrap();
        prop_assert_eq!(content(&s), s_before);
        prop_assert_eq!(content(&l), l_before);
    }
}
