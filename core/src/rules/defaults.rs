//! The rule set a new workspace starts with, in the team's language: the everyday SCRM
//! examples (high intent not converted, no purchase in 30 days, high spenders, the new
//! customer's catalogue, the after-sales call, repeat customers, churn risk) and the public
//! pool's recycling (公海: no contact for 30 days, not won 90 days after creation).

use super::model::{
    Action, Condition, DealTest, FollowUpAction, InteractionsTest, LastInteractionTest, OrdersTest,
    ProfileField, ProfileTest, Range, Rule,
};
use super::segment::Segment;
use crate::customer::{Channel, Lifecycle};
use crate::pipeline::StageKind;

crate::string_enum::string_enum! {
    /// A language of the team: of the default rules' names, tags and follow-up titles, and
    /// the interface's default on a device where nobody chose one.
    pub enum Language fallback Zh {
        /// 简体中文.
        Zh => "zh",
        /// English.
        En => "en",
    }
}

/// Days without contact after which an owned customer goes back to the pool.
pub const RECYCLE_IDLE_DAYS: i64 = 30;
/// Days before that recycling at which the owner is warned with a follow-up.
pub const RECYCLE_WARNING_DAYS: i64 = 3;
/// Days after creation by which a customer not won goes back to the pool.
pub const RECYCLE_NOT_WON_DAYS: i64 = 90;

/// Ids of the default rules that put customers back into the pool.
pub const RECYCLING_RULES: [&str; 3] = ["recycle-warning", "recycle-idle", "recycle-not-won"];

/// Spend that makes a customer "high value" over 30 days, in minor units (¥500.00).
const HIGH_VALUE_MINOR: i64 = 50_000;

/// The default rules, named and worded in `lang`.
pub fn default_rules(lang: Language) -> Vec<Rule> {
    let t = |zh: &str, en: &str| match lang {
        Language::Zh => zh.to_owned(),
        Language::En => en.to_owned(),
    };
    let at_least = |n| Range {
        at_least: Some(n),
        at_most: None,
    };
    let between = |min, max| Range {
        at_least: Some(min),
        at_most: Some(max),
    };
    let follow_up =
        |title: String, due_in_days| Action::FollowUp(FollowUpAction { title, due_in_days });
    let promotion_asked = |mentions: &str| {
        Condition::Interactions(InteractionsTest {
            channels: Some(vec![
                Channel::DouyinComment,
                Channel::WeChatChat,
                Channel::WeChatGroup,
                Channel::WeCom,
                Channel::Xiaohongshu,
                Channel::Website,
            ]),
            mentions: Some(mentions.into()),
            within_days: Some(7),
            count: at_least(1),
        })
    };
    let owned = Condition::Profile(ProfileTest {
        field: ProfileField::Owner,
        is: None,
        contains: None,
        empty: Some(false),
    });
    let idle = |days| {
        Condition::DaysSinceLastInteraction(LastInteractionTest {
            channels: None,
            days: at_least(days),
        })
    };
    // A customer or repeat customer (bought, whether or not through a deal).
    let bought = Condition::Profile(ProfileTest {
        field: ProfileField::Lifecycle,
        is: Some(vec![
            Lifecycle::Customer.as_str().into(),
            Lifecycle::RepeatCustomer.as_str().into(),
        ]),
        contains: None,
        empty: None,
    });
    let won = Condition::Any(vec![
        Condition::Deal(DealTest {
            stage_kind: Some(StageKind::Won),
            ..DealTest::default()
        }),
        bought.clone(),
    ]);
    let orders = |within_days, count, sum| {
        Condition::Orders(OrdersTest {
            within_days,
            count,
            sum,
        })
    };
    vec![
        Rule {
            id: "high-intent".into(),
            name: t(
                "高意向未转化：问过促销、点过链接但没下单",
                "High intent, not converted: asked about the promotion, no order",
            ),
            enabled: true,
            when: Condition::All(vec![
                Condition::Any(vec![promotion_asked("促销"), promotion_asked("promotion")]),
                orders(Some(14), between(0, 0), Range::default()),
            ]),
            then: vec![
                Action::AddTag(t("高意向", "High intent")),
                follow_up(t("给{name}发送优惠券", "Send {name} a coupon"), 0),
            ],
        },
        Rule {
            id: "no-purchase-30d".into(),
            name: t("30 天未购买", "No purchase in 30 days"),
            enabled: true,
            when: Condition::All(vec![
                orders(None, at_least(1), Range::default()),
                orders(Some(30), between(0, 0), Range::default()),
            ]),
            then: vec![
                Action::AddTag(t("30天未购买", "No purchase in 30 days")),
                follow_up(
                    t(
                        "回访{name}，了解复购意向",
                        "Check in with {name} about reordering",
                    ),
                    0,
                ),
            ],
        },
        Rule {
            id: "high-value".into(),
            name: t(
                "高价值：30 天消费满 500 元",
                "High value: spent 500 or more in 30 days",
            ),
            enabled: true,
            when: orders(Some(30), Range::default(), at_least(HIGH_VALUE_MINOR)),
            then: vec![Action::AddTag(t("高价值", "High value"))],
        },
        Rule {
            id: "new-customer-catalogue".into(),
            name: t(
                "新客户第 3 天：发送新品目录",
                "New customer, day 3: send the catalogue",
            ),
            enabled: true,
            when: Condition::DaysSinceCreated(between(3, 6)),
            then: vec![follow_up(
                t("给{name}发送新品目录", "Send {name} the new catalogue"),
                0,
            )],
        },
        Rule {
            id: "won-after-sales".into(),
            name: t(
                "赢单 7 天后：售后回访",
                "Deal won 7 days ago: after-sales call",
            ),
            enabled: true,
            when: Condition::Deal(DealTest {
                stage_kind: Some(StageKind::Won),
                days_in_stage: between(7, 13),
                ..DealTest::default()
            }),
            then: vec![follow_up(
                t("售后回访：{name}", "After-sales call: {name}"),
                0,
            )],
        },
        Rule {
            id: "repeat-customer".into(),
            name: t(
                "两单及以上：复购客户",
                "Two or more orders: repeat customer",
            ),
            enabled: true,
            when: orders(None, at_least(2), Range::default()),
            then: vec![Action::SetLifecycle(Lifecycle::RepeatCustomer)],
        },
        Rule {
            id: "churn-risk".into(),
            name: t(
                "老客户 30 天无互动：流失风险",
                "Customer with no contact for 30 days: churn risk",
            ),
            enabled: true,
            when: Condition::All(vec![bought, idle(30)]),
            then: vec![Action::AddTag(t("流失风险", "Churn risk"))],
        },
        Rule {
            id: RECYCLING_RULES[0].into(),
            name: t(
                "27 天无互动：提醒负责人，3 天后回到公海",
                "No contact for 27 days: warn the owner, back to the pool in 3 days",
            ),
            enabled: true,
            when: Condition::All(vec![
                owned.clone(),
                idle(RECYCLE_IDLE_DAYS - RECYCLE_WARNING_DAYS),
            ]),
            then: vec![follow_up(
                t(
                    "跟进{name}，否则 3 天后回到公海",
                    "Follow up with {name} or they go back to the pool in 3 days",
                ),
                0,
            )],
        },
        Rule {
            id: RECYCLING_RULES[1].into(),
            name: t(
                "30 天无互动：回到公海",
                "No contact for 30 days: back to the pool",
            ),
            enabled: true,
            when: Condition::All(vec![owned.clone(), idle(RECYCLE_IDLE_DAYS)]),
            then: vec![Action::ReleaseToPool],
        },
        Rule {
            id: RECYCLING_RULES[2].into(),
            name: t(
                "创建 90 天未成交：回到公海",
                "Not won 90 days after creation: back to the pool",
            ),
            enabled: true,
            when: Condition::All(vec![
                owned,
                Condition::DaysSinceCreated(at_least(RECYCLE_NOT_WON_DAYS)),
                Condition::Not(Box::new(won)),
            ]),
            then: vec![Action::ReleaseToPool],
        },
    ]
}

/// The segments a new workspace starts with, built on the default rules' tags.
pub fn default_segments(lang: Language) -> Vec<Segment> {
    let t = |zh: &str, en: &str| match lang {
        Language::Zh => zh.to_owned(),
        Language::En => en.to_owned(),
    };
    let segment = |id: &str, name: String, tags: Vec<String>| Segment {
        id: id.into(),
        name,
        tags,
        lifecycle: Vec::new(),
        source: Vec::new(),
        owner: None,
    };
    vec![
        segment(
            "high-value-churn-risk",
            t("高价值 · 流失风险", "High value, at risk of churn"),
            vec![t("高价值", "High value"), t("流失风险", "Churn risk")],
        ),
        segment(
            "high-intent",
            t("高意向未转化", "High intent, not converted"),
            vec![t("高意向", "High intent")],
        ),
        segment(
            "lapsed",
            t("30 天未购买", "No purchase in 30 days"),
            vec![t("30天未购买", "No purchase in 30 days")],
        ),
    ]
}

/// The name the defaults give rule or segment `id` in `lang`, when `name` is what they call it
/// in some language — so a default rule reads in the interface's language; a name the team
/// chose (or changed) stays as written.
pub fn default_name(id: &str, name: &str, lang: Language) -> Option<String> {
    let rules = |l| default_rules(l).into_iter().map(|r| (r.id, r.name));
    let segments = |l| default_segments(l).into_iter().map(|s| (s.id, s.name));
    let named = |l| {
        rules(l)
            .chain(segments(l))
            .any(|(i, n)| i == id && n == name)
    };
    if !Language::ALL.iter().any(|l| named(*l)) {
        return None;
    }
    rules(lang)
        .chain(segments(lang))
        .find(|(i, _)| i == id)
        .map(|(_, n)| n)
}

#[cfg(test)]
mod names {
    use super::*;

    #[test]
    fn default_names_read_in_either_language_and_team_names_stay() {
        for (zh, en) in default_rules(Language::Zh)
            .iter()
            .zip(default_rules(Language::En))
        {
            assert_eq!(
                default_name(&zh.id, &zh.name, Language::En),
                Some(en.name.clone())
            );
            assert_eq!(
                default_name(&en.id, &en.name, Language::Zh),
                Some(zh.name.clone())
            );
            assert_eq!(default_name(&zh.id, "我们自己的规则", Language::En), None);
        }
        let segment = &default_segments(Language::Zh)[0];
        assert!(default_name(&segment.id, &segment.name, Language::En).is_some());
        assert_eq!(default_name("ours", "Ours", Language::Zh), None);
    }
}
