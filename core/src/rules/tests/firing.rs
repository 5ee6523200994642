//! Actions: tags on and off, follow-ups and lifecycle moves once per occurrence, idempotency
//! under repeated and concurrent evaluation, and rule edits.

use serde_json::json;

use super::*;
use crate::CrmDocument;

fn lapsed() -> Rule {
    rule(json!({
        "id": "lapsed", "name": "No purchase in 30 days",
        "when": {"all": [
            {"orders": {"count": {"at_least": 1}}},
            {"orders": {"within_days": 30, "count": {"at_most": 0}}}
        ]},
        "then": [
            {"add_tag": "30天未购买"},
            {"follow_up": {"title": "回访{name}（{company}）", "due_in_days": 1}}
        ]
    }))
}

#[test]
fn tags_follow_the_condition_and_follow_ups_fire_once_per_occurrence() {
    let rules = [lapsed()];
    let mut doc = customer();
    order(&mut doc, "o1", 0, 10_000);
    assert!(!run(&rules, &mut doc, at(29)).changed);
    // Day 30: the lapse starts: tag on, one follow-up due a day later, for the owner.
    assert!(run(&rules, &mut doc, at(30)).changed);
    let c = view(&doc);
    assert_eq!(c.auto_tags["30天未购买"].rule_id, "lapsed");
    // The row says what the rule flagged and since when, read off the document as hydrated.
    let row = doc.summary().unwrap();
    assert_eq!(row.flagged, [("30天未购买".to_owned(), at(30))]);
    assert!(row.tags.contains(&"30天未购买".to_owned()));
    assert_eq!(row, crate::customer::SummaryRow::of(&c));
    let follow_up = &c.follow_ups["lapsed-1"];
    assert_eq!(follow_up.title, "回访张伟（华东贸易）");
    assert_eq!(
        (follow_up.due_at, follow_up.assignee.as_str()),
        (at(31), "li")
    );
    assert_eq!(follow_up.origin, "lapsed");
    assert_eq!(c.rule_firings["lapsed"].count, 1);
    assert_eq!(
        (c.updated_at, c.updated_by.as_str()),
        (at(0), "li"),
        "the rules' writes are not an edit by a person"
    );
    // Evaluating again, later, or after the follow-up is done changes nothing.
    let saved = doc.save();
    assert!(!run(&rules, &mut doc, at(30)).changed);
    assert!(!run(&rules, &mut doc, at(45)).changed);
    doc.complete_follow_up("lapsed-1", &stamp(46)).unwrap();
    assert!(!run(&rules, &mut doc, at(47)).changed);
    let mut reloaded = CustomerDoc::load(&saved).unwrap();
    assert!(
        !run(&rules, &mut reloaded, at(40)).changed,
        "the record survives a restart"
    );
    // A new order ends the occurrence: tag off, record re-armed; the next lapse fires again.
    order(&mut doc, "o2", 50, 10_000);
    assert!(run(&rules, &mut doc, at(50)).changed);
    let c = view(&doc);
    assert!(c.auto_tags.is_empty());
    assert!(!c.rule_firings["lapsed"].active);
    assert!(run(&rules, &mut doc, at(80)).changed);
    let c = view(&doc);
    assert_eq!(c.rule_firings["lapsed"].count, 2);
    assert!(c.follow_ups.contains_key("lapsed-2"));
    assert_eq!(c.follow_ups.len(), 2);
}

#[test]
fn remove_tag_wins_and_lifecycle_moves_once() {
    let rules = [
        rule(
            json!({"id": "spender", "name": "s", "when": {"orders": {"count": {"at_least": 1}}},
            "then": [{"add_tag": "老客"}]}),
        ),
        rule(
            json!({"id": "repeat", "name": "r", "when": {"orders": {"count": {"at_least": 2}}},
            "then": [{"set_lifecycle": "repeat_customer"}, {"remove_tag": "老客"}]}),
        ),
    ];
    let mut doc = customer();
    order(&mut doc, "o1", 1, 100);
    run(&rules, &mut doc, at(1));
    assert!(view(&doc).auto_tags.contains_key("老客"));
    order(&mut doc, "o2", 2, 100);
    run(&rules, &mut doc, at(2));
    let c = view(&doc);
    assert!(c.auto_tags.is_empty());
    assert_eq!(c.profile.lifecycle, Lifecycle::RepeatCustomer);
    // A person moves the customer back; the rule does not fight them.
    doc.edit_profile(
        crate::customer::ProfileEdit::Lifecycle(Lifecycle::Customer),
        &stamp(3),
    )
    .unwrap();
    assert!(!run(&rules, &mut doc, at(4)).changed);
    assert_eq!(view(&doc).profile.lifecycle, Lifecycle::Customer);
}

#[test]
fn a_lifecycle_move_lets_dependent_rules_settle_in_one_run() {
    let rules = default_rules(Language::En);
    let mut doc = customer();
    order(&mut doc, "o1", 0, 100);
    order(&mut doc, "o2", 1, 100);
    // Day 40: two orders → repeat customer; then no contact for 30 days → churn risk.
    let run = run(&rules, &mut doc, at(40));
    assert!(run.changed);
    let c = view(&doc);
    assert_eq!(c.profile.lifecycle, Lifecycle::RepeatCustomer);
    assert!(c.auto_tags.contains_key("Churn risk"));
    assert!(c.auto_tags.contains_key("No purchase in 30 days"));
    let pipeline = Pipeline::standard();
    assert!(
        doc.run_rules(&rules, &pipeline, at(40))
            .map(|r| !r.changed)
            .unwrap()
    );
}

/// Merges each way round; both results must be equal.
fn merge_both_ways(a: &CustomerDoc, b: &CustomerDoc) -> Customer {
    let (mut ab, mut ba) = (a.clone(), b.clone());
    ab.merge(&mut b.clone()).unwrap();
    ba.merge(&mut a.clone()).unwrap();
    assert_eq!(view(&ab), view(&ba), "merge order changed the result");
    view(&ab)
}

#[test]
fn concurrent_evaluations_of_one_occurrence_leave_one_follow_up() {
    let rules = [lapsed()];
    let mut base = customer();
    order(&mut base, "o1", 0, 10_000);
    let mut a = base.fork();
    let mut b = base.fork();
    run(&rules, &mut a, at(30));
    run(&rules, &mut b, at(31));
    let merged = merge_both_ways(&a, &b);
    assert_eq!(merged.follow_ups.len(), 1);
    assert!(merged.follow_ups.contains_key("lapsed-1"));
    assert_eq!(merged.rule_firings["lapsed"].count, 1);
    assert_eq!(merged.auto_tags.len(), 1);
    // A device's edit made meanwhile merges with the rules' writes.
    let mut device = base.fork();
    device.add_tag("重点", &stamp(31)).unwrap();
    let mut merged = a.clone();
    merged.merge(&mut device).unwrap();
    assert!(!run(&rules, &mut merged, at(32)).changed);
    assert!(view(&merged).tags.contains_key("重点"));
}

#[test]
fn an_edited_rule_re_evaluates_without_firing_again_for_the_same_occurrence() {
    let mut doc = customer();
    order(&mut doc, "o1", 0, 10_000);
    let mut other = customer();
    order(&mut other, "o1", 0, 10_000);
    order(&mut other, "o2", 10, 10_000);
    run(&[lapsed()], &mut doc, at(35));
    run(&[lapsed()], &mut other, at(35));
    assert_eq!(view(&other).follow_ups.len(), 0, "o2 was 25 days ago");
    // Lapse after 20 days now, and a new tag name.
    let mut edited = lapsed();
    edited.when = rule(json!({"id": "x", "name": "x", "when": {"all": [
        {"orders": {"count": {"at_least": 1}}},
        {"orders": {"within_days": 20, "count": {"at_most": 0}}}
    ]}, "then": [{"add_tag": "x"}]}))
    .when;
    edited.then[0] = Action::AddTag("20天未购买".into());
    let edited = [edited];
    assert!(run(&edited, &mut doc, at(35)).changed);
    let c = view(&doc);
    assert_eq!(c.auto_tags.keys().collect::<Vec<_>>(), ["20天未购买"]);
    assert_eq!(
        c.follow_ups.len(),
        1,
        "the same occurrence does not fire twice"
    );
    assert!(run(&edited, &mut other, at(35)).changed);
    assert!(
        view(&other).follow_ups.contains_key("lapsed-1"),
        "newly matching: fires"
    );
    // Disabled: its tags go, its records stay.
    let mut disabled = edited.clone();
    disabled[0].enabled = false;
    run(&disabled, &mut doc, at(36));
    let c = view(&doc);
    assert!(c.auto_tags.is_empty());
    assert!(c.rule_firings["lapsed"].active);
}

#[test]
fn a_long_name_in_a_title_template_is_cut_to_fit() {
    let mut doc = customer();
    doc.edit_profile(
        crate::customer::ProfileEdit::Name("长".repeat(100)),
        &stamp(0),
    )
    .unwrap();
    let rule = rule(json!({
        "id": "long", "name": "long", "when": {"all": []},
        "then": [{"follow_up": {"title": format!("{}{{name}}", "回".repeat(150))}}]
    }));
    assert!(run(&[rule], &mut doc, at(1)).changed);
    assert_eq!(view(&doc).follow_ups["long-1"].title.chars().count(), 200);
}

#[test]
fn a_refused_write_leaves_the_document_as_it_was() {
    let mut doc = customer();
    let before = doc.save();
    let plan = Plan {
        add_tags: [
            ("ok".to_owned(), "r".to_owned()),
            ("bad\u{7}".to_owned(), "r".to_owned()),
        ]
        .into(),
        ..Plan::default()
    };
    assert!(doc.apply_rules(&plan, at(1)).is_err());
    assert_eq!(doc.save(), before);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Demo customers evaluated on two replicas at different times merge to one state, and a
    /// settled customer stays settled: every occurrence fires at most once.
    #[test]
    fn evaluation_is_idempotent_and_merges(
        seed in 0u64..10_000,
        first in 0i64..90,
        second in 0i64..90,
    ) {
        let rules = default_rules(Language::Zh);
        let mut base = crate::demo::customers(seed, T0).next().unwrap();
        let mut a = base.fork();
        let mut b = base.fork();
        run(&rules, &mut a, at(first));
        run(&rules, &mut b, at(second));
        let merged = merge_both_ways(&a, &b);
        for (rule, record) in &merged.rule_firings {
            let created = merged.follow_ups.values().filter(|f| &f.origin == rule).count();
            proptest::prop_assert!(created as u64 <= record.count);
        }
        let mut merged_doc = a.clone();
        merged_doc.merge(&mut b).unwrap();
        let later = at(first.max(second));
        run(&rules, &mut merged_doc, later);
        proptest::prop_assert!(!run(&rules, &mut merged_doc, later).changed);
    }
}

#[test]
fn a_customer_nobody_followed_up_goes_back_to_the_pool_once_with_a_warning_before() {
    let rules = [
        rule(json!({
            "id": "pool-warning", "name": "27 days without contact: warn the owner",
            "when": {"days_since_last_interaction": {"days": {"at_least": 27}}},
            "then": [{"follow_up": {"title": "跟进{name}，否则 3 天后回到公海", "due_in_days": 0}}]
        })),
        rule(json!({
            "id": "recycle", "name": "30 days without contact: back to the pool",
            "when": {"days_since_last_interaction": {"days": {"at_least": 30}}},
            "then": ["release_to_pool"]
        })),
    ];
    let mut doc = customer();
    interaction(&mut doc, "i1", Channel::WeChatChat, 0, "微信沟通");
    assert!(!run(&rules, &mut doc, at(26)).changed);
    // Day 27: the owner is warned; the customer stays theirs.
    assert!(run(&rules, &mut doc, at(27)).changed);
    let c = view(&doc);
    assert_eq!(c.follow_ups["pool-warning-1"].assignee, "li");
    assert_eq!(c.profile.owner, "li");
    // Day 30, at the edge's exact time: released, once; the warning stays with the old owner.
    assert!(run(&rules, &mut doc, at(30)).changed);
    let c = view(&doc);
    assert_eq!(c.profile.owner, "");
    assert_eq!(c.follow_ups["pool-warning-1"].assignee, "li");
    assert_eq!(c.rule_firings["recycle"].count, 1);
    // Claimed again the same occurrence (no new interaction): not released again.
    let owner = crate::customer::ProfileEdit::Owner("chen".into());
    doc.edit_profile(owner, &stamp(31)).unwrap();
    assert!(!run(&rules, &mut doc, at(32)).changed);
    assert_eq!(view(&doc).profile.owner, "chen");
}

/// The default recycling rules only: the pool warning, no contact, not won.
fn recycling() -> Vec<Rule> {
    (default_rules(Language::Zh).into_iter())
        .filter(|r| RECYCLING_RULES.contains(&r.id.as_str()))
        .collect()
}

#[test]
fn the_default_recycling_warns_on_day_27_and_pools_on_day_30_of_silence() {
    let rules = recycling();
    let mut doc = customer();
    interaction(&mut doc, "i1", Channel::Call, 10, "电话沟通");
    assert!(!run(&rules, &mut doc, at(36)).changed);
    assert_eq!(plan_at(&rules, &doc, at(36)).next_change, Some(at(37)));
    assert!(run(&rules, &mut doc, at(37)).changed);
    let c = view(&doc);
    let warning = &c.follow_ups["recycle-warning-1"];
    assert_eq!((warning.assignee.as_str(), warning.due_at), ("li", at(37)));
    assert!(warning.title.contains("张伟"), "{}", warning.title);
    assert_eq!(c.profile.owner, "li");
    assert!(!run(&rules, &mut doc, at(40) - 1).changed);
    assert!(run(&rules, &mut doc, at(40)).changed);
    assert_eq!(view(&doc).profile.owner, "");
    // In the pool, nobody is warned and nothing is released again.
    assert!(!run(&rules, &mut doc, at(80)).changed);
    assert_eq!(view(&doc).follow_ups.len(), 1);
}

#[test]
fn the_default_recycling_pools_a_customer_not_won_by_day_90_and_keeps_a_won_one() {
    let rules = recycling();
    let mut kept_in_touch = customer();
    for (i, day) in (0..=90).step_by(20).enumerate() {
        interaction(
            &mut kept_in_touch,
            &format!("i{i}"),
            Channel::Visit,
            day,
            "拜访",
        );
    }
    let mut won = kept_in_touch.fork();
    deal(&mut won, "d1", 500_000, "won", 50);
    assert!(!run(&rules, &mut kept_in_touch, at(90) - 1).changed);
    assert!(run(&rules, &mut kept_in_touch, at(90)).changed);
    let c = view(&kept_in_touch);
    assert_eq!(c.profile.owner, "");
    assert!(c.follow_ups.is_empty(), "contact kept up: no warning");
    // Won: kept past day 90 while in touch (the last contact was on day 80).
    assert!(!run(&rules, &mut won, at(100)).changed);
    assert_eq!(view(&won).profile.owner, "li");
}
