//! Conditions, windows at their edges, actions, idempotency and rule edits.

mod conditions;
mod firing;
mod form;
mod rule_book;

use super::*;
use crate::customer::{
    Channel, Customer, Direction, Lifecycle, NewCustomer, NewDeal, NewInteraction, NewOrder,
    OrderChannel, Source,
};
use crate::pipeline::Pipeline;
use crate::values::{DAY_MS, Millis, Money};
use crate::{CustomerDoc, Id, Stamp};

const T0: Millis = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn at(day: i64) -> Millis {
    T0 + day * DAY_MS
}

fn stamp(day: i64) -> Stamp {
    Stamp::new("li", at(day))
}

/// A lead created on day 0, owned by `li`.
fn customer() -> CustomerDoc {
    let new = NewCustomer {
        name: "张伟".into(),
        name_latin: "Zhang Wei".into(),
        company: "华东贸易".into(),
        title: "采购经理".into(),
        owner: "li".into(),
        source: Source::Douyin,
        lifecycle: Lifecycle::Lead,
    };
    CustomerDoc::create(&Id::parse("c1").unwrap(), new, &stamp(0)).unwrap()
}

fn order(doc: &mut CustomerDoc, id: &str, day: i64, minor: i64) {
    let new = NewOrder {
        at: at(day),
        amount: Money::cny(minor),
        items: "茶叶礼盒".into(),
        channel: OrderChannel::OnlineShop,
    };
    doc.add_order(&Id::parse(id).unwrap(), new, &stamp(day))
        .unwrap();
}

fn interaction(doc: &mut CustomerDoc, id: &str, channel: Channel, day: i64, summary: &str) {
    let new = NewInteraction {
        channel,
        direction: Direction::Inbound,
        at: at(day),
        summary: summary.into(),
        deal_id: None,
    };
    doc.add_interaction(&Id::parse(id).unwrap(), new, &stamp(day))
        .unwrap();
}

fn deal(doc: &mut CustomerDoc, id: &str, minor: i64, stage: &str, day: i64) {
    let new = NewDeal {
        title: "年度采购".into(),
        amount: Money::cny(minor),
        stage: Some(stage.into()),
        expected_close: None,
    };
    let pipeline = Pipeline::standard();
    doc.add_deal(&Id::parse(id).unwrap(), new, &pipeline, &stamp(day))
        .unwrap();
}

/// A rule from its JSON form, as an admin would write it.
fn rule(json: serde_json::Value) -> Rule {
    serde_json::from_value(json).expect("a rule in the documented format")
}

fn holds(condition: serde_json::Value, doc: &CustomerDoc, now: Millis) -> bool {
    let rule = rule(serde_json::json!({
        "id": "r", "name": "r", "when": condition, "then": [{"add_tag": "t"}]
    }));
    let pipeline = Pipeline::standard();
    let ctx = Context {
        now,
        pipeline: &pipeline,
    };
    !matching(std::slice::from_ref(&rule), &doc.customer().unwrap(), &ctx).is_empty()
}

fn plan_at(rules: &[Rule], doc: &CustomerDoc, now: Millis) -> Plan {
    let pipeline = Pipeline::standard();
    plan(
        rules,
        &doc.customer().unwrap(),
        &Context {
            now,
            pipeline: &pipeline,
        },
    )
}

fn run(rules: &[Rule], doc: &mut CustomerDoc, now: Millis) -> RulesRun {
    doc.run_rules(rules, &Pipeline::standard(), now).unwrap()
}

fn view(doc: &CustomerDoc) -> Customer {
    doc.customer().unwrap()
}
