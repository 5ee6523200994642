//! Pairs by shared contact points and by names (Chinese against pinyin), their confidence,
//! crowds, archived and dismissed pairs left out.

use super::*;
use crate::customer::{Lifecycle, Source};

fn row(
    id: &str,
    name: &str,
    latin: &str,
    company: &str,
    keys: &[(ContactKind, &str)],
) -> SummaryRow {
    SummaryRow {
        id: id.into(),
        name: name.into(),
        name_latin: latin.into(),
        company: company.into(),
        owner: "li".into(),
        source: Source::Other,
        lifecycle: Lifecycle::Lead,
        tags: vec![],
        contact_keys: keys.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        open_follow_ups: vec![],
        last_interaction: None,
        lifetime_spend: vec![],
        order_count: 0,
        deals: vec![],
        updated_at: 0,
        archived: false,
        merged_into: None,
        created_at: 0,
        logged: Default::default(),
        done_follow_ups: Vec::new(),
        flagged: Vec::new(),
    }
}

const PHONE: ContactKind = ContactKind::Phone;

#[test]
fn a_shared_phone_or_a_name_with_the_company_makes_a_pair() {
    let rows = [
        row(
            "a",
            "周芳",
            "Zhou Fang",
            "华东贸易",
            &[(PHONE, "+8613812345678")],
        ),
        row("b", "周女士", "", "", &[(PHONE, "+8613812345678")]),
        row("c", "Zhou Fang", "", "华东贸易", &[]),
        row("d", "李娜", "", "南京建材", &[]),
        row("e", "李娜", "", "苏州电子", &[]),
        row("f", "王磊", "", "", &[(ContactKind::WeChat, "wanglei")]),
        row(
            "g",
            "王磊",
            "",
            "杭州丝绸",
            &[(ContactKind::WeChat, "wanglei")],
        ),
    ];
    let pairs = pairs(&rows, &BTreeSet::new());
    let found: Vec<(&str, &str, u8)> = (pairs.iter())
        .map(|p| (p.ids.0.as_str(), p.ids.1.as_str(), p.confidence))
        .collect();
    assert_eq!(found, [("a", "b", 95), ("f", "g", 94), ("a", "c", 84)]);
    let by = |a: &str, b: &str| {
        pairs
            .iter()
            .find(|p| p.ids == (a.into(), b.into()))
            .cloned()
    };
    assert_eq!(by("a", "b").unwrap().reasons, [Reason::Shared(PHONE)]);
    let pinyin = by("a", "c").expect("周芳 is Zhou Fang at the same company");
    assert_eq!(
        (pinyin.reasons.clone(), pinyin.confidence),
        (vec![Reason::Name, Reason::Company], 84)
    );
    let wang = by("f", "g").unwrap();
    assert_eq!(
        (wang.reasons.clone(), wang.confidence),
        (vec![Reason::Shared(ContactKind::WeChat), Reason::Name], 94)
    );
    assert!(
        by("d", "e").is_none(),
        "the same name at two companies: two people"
    );
}

#[test]
fn crowds_archived_and_dismissed_pairs_are_left_out() {
    let mut rows: Vec<SummaryRow> = (0..25)
        .map(|i| {
            row(
                &format!("s{i:02}"),
                &format!("客户{i}"),
                "",
                "",
                &[(PHONE, "+86108888")],
            )
        })
        .collect();
    rows.push(row("x1", "赵敏", "", "", &[(PHONE, "+8613900001111")]));
    rows.push(row("x2", "赵敏", "", "", &[(PHONE, "+8613900001111")]));
    let mut archived = row("x3", "赵敏", "", "", &[(PHONE, "+8613900001111")]);
    archived.archived = true;
    rows.push(archived);
    let all = pairs(&rows, &BTreeSet::new());
    assert_eq!(
        all.len(),
        1,
        "the switchboard shared by 25 makes no pairs: {all:?}"
    );
    assert_eq!(all[0].ids, ("x1".into(), "x2".into()));
    let dismissed = BTreeSet::from([pair_key("x2", "x1")]);
    assert!(pairs(&rows, &dismissed).is_empty());
}
