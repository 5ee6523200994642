//! The rule builder's form says exactly the rule it was read from: every default rule and any
//! generated valid rule, read into a form and written back, is the same rule.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::super::form::{ConditionForm, RuleForm};
use super::*;
use crate::contact::ContactKind;
use crate::custom_field::{CustomFieldDef, FieldKind};
use crate::pipeline::StageKind;

fn fields() -> BTreeMap<String, CustomFieldDef> {
    let def = CustomFieldDef {
        label_zh: "预算".into(),
        label_en: "Budget".into(),
        kind: FieldKind::Number,
        options: BTreeMap::new(),
    };
    BTreeMap::from([("budget".to_owned(), def)])
}

#[test]
fn every_default_rule_opens_in_the_builder_and_saves_back_unchanged() {
    for language in Language::ALL {
        for rule in default_rules(*language) {
            assert_eq!(RuleForm::of(&rule).rule(), Ok(rule.clone()), "{}", rule.id);
        }
    }
}

#[test]
fn numbers_typed_wrong_name_their_field_and_money_is_read_in_yuan() {
    let mut form = RuleForm::of(&default_rules(Language::Zh)[0]);
    form.when = ConditionForm::Orders {
        within_days: "30".into(),
        count: Default::default(),
        sum: super::super::form::RangeForm {
            at_least: "1.2万".into(),
            at_most: String::new(),
        },
    };
    let Condition::Orders(orders) = form.rule().unwrap().when else {
        panic!("an orders test")
    };
    assert_eq!(orders.sum.at_least, Some(1_200_000));
    form.when = ConditionForm::DaysSinceCreated(super::super::form::RangeForm {
        at_least: "七".into(),
        at_most: String::new(),
    });
    let error = form.rule().unwrap_err();
    assert_eq!(
        (error.field, error.typed.as_str()),
        ("days_since_created", "七")
    );
}

#[test]
fn a_kind_switch_keeps_a_groups_conditions_and_paths_reach_nested_ones() {
    let tag = ConditionForm::HasTag("VIP".into());
    let group = ConditionForm::All(vec![tag.clone(), ConditionForm::Not(Box::new(tag.clone()))]);
    let any = group.switched("any", "");
    assert_eq!(
        any,
        ConditionForm::Any(match &group {
            ConditionForm::All(items) => items.clone(),
            _ => unreachable!(),
        })
    );
    assert_eq!(group.at(&[1, 0]), Some(&tag));
    assert_eq!(group.at(&[2]), None);
    for kind in super::super::form::CONDITION_KINDS {
        assert_eq!(tag.switched(kind, "budget").kind(), kind);
    }
}

fn range(max: i64) -> impl Strategy<Value = Range> {
    (proptest::option::of(0..max), proptest::option::of(0..max)).prop_map(|(a, b)| match (a, b) {
        (Some(a), Some(b)) if a > b => Range {
            at_least: Some(b),
            at_most: Some(a),
        },
        (a, b) => Range {
            at_least: a,
            at_most: b,
        },
    })
}

fn channels() -> impl Strategy<Value = Option<Vec<Channel>>> {
    proptest::option::of(proptest::sample::subsequence(Channel::ALL.to_vec(), 1..4))
}

fn leaf() -> impl Strategy<Value = Condition> {
    let days = 0..3_650i64;
    prop_oneof![
        (0..7usize, "[a-z]{0,6}", any::<bool>(), 0..3u8).prop_map(|(f, text, empty, which)| {
            let field = ProfileField::ALL[f];
            Condition::Profile(ProfileTest {
                field,
                is: (which == 0).then(|| vec![text.clone()]),
                contains: (which == 1).then(|| text.clone()),
                empty: (which == 2).then_some(empty),
            })
        }),
        (range(1_000_000), any::<bool>(), 0..3u8).prop_map(|(number, set, which)| {
            Condition::Custom(CustomTest {
                field: "budget".into(),
                is: (which == 0).then(|| vec!["12".into()]),
                number: (which == 1).then_some(number),
                set: (which == 2).then_some(set),
            })
        }),
        "[a-z高意向]{1,8}".prop_map(Condition::HasTag),
        proptest::sample::select(ContactKind::ALL.to_vec()).prop_map(Condition::HasContact),
        (
            proptest::option::of(proptest::sample::subsequence(
                vec!["initial".to_owned(), "proposal".into(), "won".into()],
                1..3
            )),
            proptest::option::of(proptest::sample::select(StageKind::ALL.to_vec())),
            range(100_000_000),
            (days.clone(), proptest::option::of(days.clone())),
        )
            .prop_map(|(stage, stage_kind, amount, (min, max))| {
                Condition::Deal(DealTest {
                    stage,
                    stage_kind,
                    amount,
                    days_in_stage: Range {
                        at_least: Some(min),
                        at_most: max.map(|m| m.max(min)),
                    },
                })
            }),
        (
            proptest::option::of(1..3_650u32),
            range(50),
            range(100_000_000)
        )
            .prop_map(|(within_days, count, sum)| {
                let count = match count.is_open() && sum.is_open() {
                    true => Range {
                        at_least: Some(1),
                        at_most: None,
                    },
                    false => count,
                };
                Condition::Orders(OrdersTest {
                    within_days,
                    count,
                    sum,
                })
            }),
        (
            channels(),
            proptest::option::of("[a-z优惠]{1,4}"),
            proptest::option::of(1..3_650u32),
            0..20i64
        )
            .prop_map(|(channels, mentions, within_days, n)| {
                Condition::Interactions(InteractionsTest {
                    channels,
                    mentions,
                    within_days,
                    count: Range {
                        at_least: Some(n),
                        at_most: None,
                    },
                })
            }),
        (channels(), days.clone()).prop_map(|(channels, d)| {
            Condition::DaysSinceLastInteraction(LastInteractionTest {
                channels,
                days: Range {
                    at_least: Some(d),
                    at_most: None,
                },
            })
        }),
        (days.clone(), days).prop_map(|(a, b)| {
            Condition::DaysSinceCreated(Range {
                at_least: Some(a.min(b)),
                at_most: Some(a.max(b)),
            })
        }),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Condition::All),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Condition::Any),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        "[a-z流失]{1,8}".prop_map(Action::AddTag),
        "[a-z流失]{1,8}".prop_map(Action::RemoveTag),
        ("[a-z给{name}]{1,20}", 0..365u32).prop_map(|(title, due_in_days)| Action::FollowUp(
            FollowUpAction { title, due_in_days }
        )),
        proptest::sample::select(Lifecycle::ALL.to_vec()).prop_map(Action::SetLifecycle),
        Just(Action::ReleaseToPool),
    ]
}

proptest! {
    #[test]
    fn any_valid_rule_saves_back_from_the_builder_unchanged(
        when in condition(),
        then in proptest::collection::vec(action(), 1..4),
        enabled in any::<bool>(),
    ) {
        let rule = Rule { id: "generated".into(), name: "生成的规则".into(), enabled, when, then };
        let pipeline = Pipeline::standard();
        let fields = fields();
        let scope = RuleScope { pipeline: &pipeline, custom_fields: &fields };
        prop_assume!(rule.validate(scope).is_ok());
        prop_assert_eq!(RuleForm::of(&rule).rule(), Ok(rule));
    }
}
