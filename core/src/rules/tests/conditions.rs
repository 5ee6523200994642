//! Every condition, and time windows at their edges.

use serde_json::json;

use super::*;
use crate::contact::ContactKind;
use crate::custom_field::{CustomFieldDef, FieldKind};
use crate::customer::{CustomValue, NewContact};

#[test]
fn profile_fields_match_by_value_text_and_emptiness() {
    let doc = customer();
    let now = at(1);
    assert!(holds(
        json!({"profile": {"field": "source", "is": ["douyin", "wechat"]}}),
        &doc,
        now
    ));
    assert!(!holds(
        json!({"profile": {"field": "source", "is": ["referral"]}}),
        &doc,
        now
    ));
    assert!(holds(
        json!({"profile": {"field": "lifecycle", "is": ["lead"]}}),
        &doc,
        now
    ));
    assert!(holds(
        json!({"profile": {"field": "owner", "is": ["li"]}}),
        &doc,
        now
    ));
    assert!(holds(
        json!({"profile": {"field": "company", "contains": "华东"}}),
        &doc,
        now
    ));
    assert!(holds(
        json!({"profile": {"field": "name_latin", "contains": "zhang"}}),
        &doc,
        now
    ));
    assert!(holds(
        json!({"profile": {"field": "title", "empty": false}}),
        &doc,
        now
    ));
    assert!(!holds(
        json!({"profile": {"field": "name", "empty": true}}),
        &doc,
        now
    ));
}

#[test]
fn custom_fields_match_text_choices_numbers_and_presence() {
    let mut doc = customer();
    let text = CustomFieldDef {
        label_zh: "行业".into(),
        label_en: "Industry".into(),
        kind: FieldKind::Text,
        options: Default::default(),
    };
    let number = CustomFieldDef {
        kind: FieldKind::Number,
        ..text.clone()
    };
    let value = |v| Some(v);
    doc.set_custom_field(
        "industry",
        &text,
        value(CustomValue::Text("茶叶".into())),
        &stamp(0),
    )
    .unwrap();
    doc.set_custom_field(
        "budget",
        &number,
        value(CustomValue::Number(1200.0)),
        &stamp(0),
    )
    .unwrap();
    let now = at(1);
    assert!(holds(
        json!({"custom": {"field": "industry", "is": ["茶叶"]}}),
        &doc,
        now
    ));
    assert!(!holds(
        json!({"custom": {"field": "industry", "is": ["服饰"]}}),
        &doc,
        now
    ));
    assert!(holds(
        json!({"custom": {"field": "budget", "number": {"at_least": 1000}}}),
        &doc,
        now
    ));
    assert!(!holds(
        json!({"custom": {"field": "budget", "number": {"at_most": 1000}}}),
        &doc,
        now
    ));
    assert!(!holds(
        json!({"custom": {"field": "industry", "number": {"at_least": 0}}}),
        &doc,
        now
    ));
    assert!(holds(
        json!({"custom": {"field": "budget", "set": true}}),
        &doc,
        now
    ));
    assert!(holds(
        json!({"custom": {"field": "region", "set": false}}),
        &doc,
        now
    ));
}

#[test]
fn tags_contacts_and_combinators() {
    let mut doc = customer();
    doc.add_tag("VIP", &stamp(0)).unwrap();
    doc.apply_auto_tag("高意向", "high-intent", &stamp(0))
        .unwrap();
    let wechat = NewContact {
        kind: ContactKind::WeChat,
        value: "zhangwei88".into(),
        e164: None,
        label: String::new(),
        primary: true,
    };
    doc.add_contact(&Id::parse("w").unwrap(), wechat, &stamp(0))
        .unwrap();
    let now = at(1);
    assert!(holds(json!({"has_tag": "VIP"}), &doc, now));
    assert!(
        !holds(json!({"has_tag": "vip"}), &doc, now),
        "tags are exact"
    );
    assert!(holds(json!({"has_contact": "wechat"}), &doc, now));
    assert!(!holds(json!({"has_contact": "email"}), &doc, now));
    assert!(holds(json!({"all": []}), &doc, now));
    assert!(!holds(json!({"any": []}), &doc, now));
    assert!(holds(json!({"not": {"has_contact": "email"}}), &doc, now));
    let both = json!({"all": [{"has_tag": "VIP"}, {"has_contact": "phone"}]});
    assert!(!holds(both, &doc, now));
    let either = json!({"any": [{"has_tag": "VIP"}, {"has_contact": "phone"}]});
    assert!(holds(either, &doc, now));
}

#[test]
fn automatic_tags_are_seen_only_while_some_rule_keeps_them() {
    // A stale automatic tag no rule keeps is about to go: rules testing it see it gone.
    let mut doc = customer();
    doc.apply_auto_tag("高意向", "gone-rule", &stamp(0))
        .unwrap();
    let follow = rule(json!({
        "id": "vip-call", "name": "call", "when": {"has_tag": "高意向"},
        "then": [{"add_tag": "跟进中"}]
    }));
    let plan = plan_at(std::slice::from_ref(&follow), &doc, at(1));
    assert!(plan.add_tags.is_empty());
    assert_eq!(plan.remove_tags, ["高意向".to_owned()].into());
    // A rule adding a tag that another rule tests: both settle in one plan.
    let first = rule(json!({
        "id": "intent", "name": "intent", "when": {"profile": {"field": "source", "is": ["douyin"]}},
        "then": [{"add_tag": "高意向"}]
    }));
    let plan = plan_at(&[follow, first], &doc, at(1));
    assert_eq!(
        plan.add_tags.get("跟进中").map(String::as_str),
        Some("vip-call")
    );
    assert!(plan.remove_tags.is_empty());
}

#[test]
fn deals_match_on_stage_kind_amount_and_days_in_stage() {
    let mut doc = customer();
    deal(&mut doc, "d1", 500_000, "proposal", 0);
    let pipeline = Pipeline::standard();
    doc.move_deal_stage("d1", "won", None, &pipeline, &stamp(10))
        .unwrap();
    assert!(holds(json!({"deal": {"stage": ["won"]}}), &doc, at(10)));
    assert!(holds(json!({"deal": {"stage_kind": "won"}}), &doc, at(10)));
    assert!(!holds(
        json!({"deal": {"stage_kind": "open"}}),
        &doc,
        at(10)
    ));
    assert!(holds(
        json!({"deal": {"amount": {"at_least": 500000}}}),
        &doc,
        at(10)
    ));
    assert!(!holds(
        json!({"deal": {"amount": {"at_least": 500001}}}),
        &doc,
        at(10)
    ));
    // Days in stage count from entering "won" on day 10, in whole days.
    let won_a_week = json!({"deal": {"stage_kind": "won", "days_in_stage": {"at_least": 7}}});
    assert!(!holds(won_a_week.clone(), &doc, at(17) - 1));
    assert!(holds(won_a_week, &doc, at(17)));
    let within = json!({"deal": {"days_in_stage": {"at_most": 2}}});
    assert!(holds(within.clone(), &doc, at(13) - 1));
    assert!(!holds(within, &doc, at(13)));
}

#[test]
fn order_windows_include_the_last_n_days_and_exclude_their_start() {
    let mut doc = customer();
    order(&mut doc, "o1", 0, 30_000);
    order(&mut doc, "o2", 20, 25_000);
    let spent = json!({"orders": {"within_days": 30, "sum": {"at_least": 50000}}});
    assert!(holds(spent.clone(), &doc, at(20)));
    // o1 leaves the window exactly 30 days after it was placed.
    assert!(holds(spent.clone(), &doc, at(30) - 1));
    assert!(!holds(spent, &doc, at(30)));
    let none_lately = json!({"orders": {"within_days": 30, "count": {"at_most": 0}}});
    assert!(!holds(none_lately.clone(), &doc, at(50) - 1));
    assert!(holds(none_lately, &doc, at(50)));
    let ever = json!({"orders": {"count": {"at_least": 2}}});
    assert!(
        !holds(ever.clone(), &doc, at(20) - 1),
        "an order counts from its time on"
    );
    assert!(holds(ever, &doc, at(20)));
}

#[test]
fn interactions_count_by_channel_mention_and_window() {
    let mut doc = customer();
    interaction(
        &mut doc,
        "i1",
        Channel::DouyinComment,
        1,
        "客户在抖音评论区询问促销活动",
    );
    interaction(&mut doc, "i2", Channel::Call, 3, "电话沟通了报价");
    let asked = json!({"interactions": {
        "channels": ["douyin_comment", "wechat_chat"], "mentions": "促销",
        "within_days": 7, "count": {"at_least": 1}
    }});
    assert!(!holds(asked.clone(), &doc, at(1) - 1));
    assert!(holds(asked.clone(), &doc, at(1)));
    assert!(holds(asked.clone(), &doc, at(8) - 1));
    assert!(!holds(asked, &doc, at(8)));
    let calls = json!({"interactions": {"channels": ["call"], "count": {"at_least": 1}}});
    assert!(holds(calls, &doc, at(5)));
    let busy = json!({"interactions": {"within_days": 30, "count": {"at_least": 3}}});
    assert!(!holds(busy, &doc, at(5)));
}

#[test]
fn days_since_last_interaction_counts_from_creation_when_there_is_none() {
    let mut doc = customer();
    let quiet = json!({"days_since_last_interaction": {"days": {"at_least": 30}}});
    assert!(!holds(quiet.clone(), &doc, at(30) - 1));
    assert!(holds(quiet.clone(), &doc, at(30)));
    interaction(&mut doc, "i1", Channel::Visit, 25, "上门拜访");
    assert!(!holds(quiet.clone(), &doc, at(55) - 1));
    assert!(holds(quiet, &doc, at(55)));
    let quiet_on_wechat = json!({"days_since_last_interaction": {
        "channels": ["wechat_chat"], "days": {"at_least": 30}
    }});
    assert!(holds(quiet_on_wechat, &doc, at(30)), "visits do not count");
}

#[test]
fn days_since_created_is_whole_days() {
    let doc = customer();
    let young = json!({"days_since_created": {"at_least": 3, "at_most": 6}});
    assert!(!holds(young.clone(), &doc, at(3) - 1));
    assert!(holds(young.clone(), &doc, at(3)));
    assert!(holds(young.clone(), &doc, at(7) - 1));
    assert!(!holds(young, &doc, at(7)));
}

#[test]
fn the_next_change_is_the_first_instant_an_outcome_can_flip() {
    let mut doc = customer();
    order(&mut doc, "o1", 0, 60_000);
    let rules = default_rules(Language::Zh);
    // Day 1: high value (o1 in the last 30 days) until day 30; the new-customer rule starts
    // on day 3 — the earliest.
    let plan = plan_at(&rules, &doc, at(1));
    assert_eq!(plan.next_change, Some(at(3)));
    // Day 8: o1 leaves the high-intent rule's 14-day order window on day 14 (whether or not
    // that changes anything: an instant where an outcome *can* change), then high value ends.
    assert_eq!(plan_at(&rules, &doc, at(8)).next_change, Some(at(14)));
    // Day 27: without contact since creation, the owner's pool warning is due; then day 30.
    assert_eq!(plan_at(&rules, &doc, at(14)).next_change, Some(at(27)));
    let plan = plan_at(&rules, &doc, at(27));
    assert_eq!(plan.next_change, Some(at(30)));
    // Nothing changes between now and the next change, and something does at it.
    let before = plan_at(&rules, &doc, at(30) - 1);
    assert_eq!(before.add_tags, plan.add_tags);
    let after = plan_at(&rules, &doc, at(30));
    assert_ne!(after.add_tags, plan.add_tags);
}
