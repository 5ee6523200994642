//! Rules in the workspace document: validation, storage, merging, the default set.

use serde_json::json;

use super::*;
use crate::CrmDocument;
use crate::error::ModelError;
use crate::workspace::{RuleBook, WorkspaceDoc};

fn invalid(json: serde_json::Value) -> ModelError {
    let mut workspace = WorkspaceDoc::new();
    workspace.put_rule(&rule(json)).unwrap_err()
}

#[test]
fn the_default_rules_are_valid_in_both_languages_and_round_trip_as_json() {
    for lang in [Language::Zh, Language::En] {
        let defaults = RuleBook::defaults(lang);
        let mut workspace = WorkspaceDoc::new();
        workspace.install(&defaults).unwrap();
        let book = workspace.rule_book();
        assert!(book.unreadable.is_empty());
        let mut expected = defaults.clone();
        expected.rules.sort_by(|a, b| a.id.cmp(&b.id));
        expected.segments.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(book, expected);
    }
}

#[test]
fn invalid_rules_are_refused_with_the_reason() {
    let tag = json!([{"add_tag": "t"}]);
    assert!(matches!(
        invalid(json!({"id": "has space", "name": "n", "when": {"all": []}, "then": tag})),
        ModelError::InvalidId { .. }
    ));
    assert!(matches!(
        invalid(json!({"id": "r", "name": " ", "when": {"all": []}, "then": tag})),
        ModelError::Empty { .. }
    ));
    let reasons = [
        (json!({"all": []}), json!([]), "no action"),
        (
            json!({"deal": {"stage": ["signed"]}}),
            tag.clone(),
            "unknown pipeline stage",
        ),
        (
            json!({"custom": {"field": "x", "set": true}}),
            tag.clone(),
            "unknown custom field",
        ),
        (
            json!({"orders": {"within_days": 30}}),
            tag.clone(),
            "a count or a sum",
        ),
        (
            json!({"orders": {"within_days": 0, "count": {"at_least": 1}}}),
            tag.clone(),
            "at least 1",
        ),
        (
            json!({"interactions": {"within_days": 7}}),
            tag.clone(),
            "needs a count",
        ),
        (
            json!({"days_since_created": {}}),
            tag.clone(),
            "needs at_least or at_most",
        ),
        (
            json!({"days_since_created": {"at_least": 9, "at_most": 3}}),
            tag.clone(),
            "above",
        ),
        (
            json!({"days_since_created": {"at_least": 99999}}),
            tag.clone(),
            "outside",
        ),
        (
            json!({"profile": {"field": "name", "is": ["a"], "empty": true}}),
            tag.clone(),
            "exactly one",
        ),
    ];
    for (when, then, reason) in reasons {
        let error = invalid(json!({"id": "r", "name": "n", "when": when, "then": then}));
        let ModelError::InvalidRule { rule, reason: got } = &error else {
            panic!("{error:?} for {reason}")
        };
        assert_eq!(rule, "r");
        assert!(got.contains(reason), "{got:?} should say {reason:?}");
    }
    let deep = (0..MAX_DEPTH + 1).fold(json!({"all": []}), |c, _| json!({"not": c}));
    assert!(matches!(
        invalid(json!({"id": "r", "name": "n", "when": deep, "then": tag})),
        ModelError::InvalidRule { .. }
    ));
    assert!(matches!(
        invalid(json!({"id": "r", "name": "n", "when": {"has_tag": ""}, "then": tag})),
        ModelError::InvalidRule { .. }
    ));
    assert!(matches!(
        invalid(json!({"id": "r", "name": "n", "when": {"all": []},
            "then": [{"follow_up": {"title": ""}}]})),
        ModelError::Empty { .. }
    ));
    // Unknown keys are a parse error, not silently ignored.
    assert!(
        serde_json::from_value::<Rule>(json!({"id": "r", "name": "n",
        "when": {"all": []}, "then": tag, "priority": 1}))
        .is_err()
    );
}

#[test]
fn rules_edited_on_two_devices_merge_and_unreadable_entries_are_reported() {
    let mut base = WorkspaceDoc::new();
    let rules = default_rules(Language::Zh);
    for rule in &rules[..2] {
        base.put_rule(rule).unwrap();
    }
    let mut a = base.fork();
    let mut b = base.fork();
    let mut edited = rules[0].clone();
    edited.enabled = false;
    a.put_rule(&edited).unwrap();
    b.put_rule(&rules[2]).unwrap();
    b.remove_rule(&rules[1].id).unwrap();
    let mut ab = a.clone();
    ab.merge(&mut b.clone()).unwrap();
    let mut ba = b.clone();
    ba.merge(&mut a.clone()).unwrap();
    assert_eq!(ab.rule_book(), ba.rule_book());
    let ids: Vec<_> = ab.rule_book().rules.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, ["high-intent", "high-value"]);
    assert!(!ab.rule_book().rules[0].enabled);
    assert!(matches!(
        ab.remove_rule("nope"),
        Err(ModelError::NotFound { .. })
    ));
    // A JavaScript client writing nonsense: reported, never evaluated.
    use automerge::{ROOT, ReadDoc, transaction::Transactable};
    let doc = ab.automerge_mut();
    let map = doc.get(ROOT, "rules").unwrap().unwrap().1;
    doc.put(&map, "junk", "{not json").unwrap();
    doc.put(&map, "other-id", serde_json::to_string(&rules[3]).unwrap())
        .unwrap();
    let book = ab.rule_book();
    assert_eq!(book.rules.len(), 2);
    let keys: Vec<_> = book.unreadable.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["junk", "other-id"]);
}

#[test]
fn segments_filter_summary_rows_and_merge_like_rules() {
    let mut doc = customer();
    doc.add_tag("VIP", &stamp(0)).unwrap();
    doc.apply_auto_tag("高价值", "high-value", &stamp(0))
        .unwrap();
    let row = doc.summary().unwrap();
    let segment = |json: serde_json::Value| serde_json::from_value::<Segment>(json).unwrap();
    let vip_value =
        segment(json!({"id": "vip-value", "name": "VIP 高价值", "tags": ["VIP", "高价值"]}));
    assert!(vip_value.matches(&row));
    assert!(!segment(json!({"id": "s", "name": "s", "tags": ["VIP", "流失风险"]})).matches(&row));
    assert!(
        segment(
            json!({"id": "s", "name": "s", "lifecycle": ["lead", "prospect"], "source": ["douyin"]})
        )
        .matches(&row)
    );
    assert!(!segment(json!({"id": "s", "name": "s", "owner": "wang"})).matches(&row));
    assert!(
        segment(json!({"id": "s", "name": "s"})).matches(&row),
        "no parts: everyone"
    );

    let mut base = WorkspaceDoc::new();
    assert!(matches!(
        base.put_segment(&segment(json!({"id": "s", "name": " "}))),
        Err(ModelError::Empty { .. })
    ));
    assert!(matches!(
        base.put_segment(&segment(json!({"id": "s", "name": "s", "tags": [""]}))),
        Err(ModelError::InvalidTag { .. })
    ));
    let (mut a, mut b) = (base.fork(), base.fork());
    a.put_segment(&vip_value).unwrap();
    b.put_rule(&default_rules(Language::Zh)[0]).unwrap();
    b.put_segment(&default_segments(Language::Zh)[0]).unwrap();
    a.merge(&mut b).unwrap();
    let book = a.rule_book();
    let ids: Vec<_> = book.segments.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["high-value-churn-risk", "vip-value"]);
    assert_eq!(book.rules.len(), 1, "segments are not rules");
    a.remove_segment("vip-value").unwrap();
    assert!(matches!(
        a.remove_segment("vip-value"),
        Err(ModelError::NotFound { .. })
    ));
    assert_eq!(a.rule_book().segments.len(), 1);
}
