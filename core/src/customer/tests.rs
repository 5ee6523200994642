//! Operations, validation errors, concurrency and hostile input of customer documents.

mod concurrency;
mod convergence;
mod editing;
mod handover;
mod merge;
mod operations;

use super::*;
use crate::contact::ContactKind;
use crate::document::CrmDocument;
pub(super) use crate::merge_orders::ORDERS_OF_THREE;
use crate::pipeline::Pipeline;
use crate::values::{DAY_MS, Millis, Money};

pub(super) const T0: Millis = 1_767_225_600_000; // 2026-01-01T00:00:00Z

pub(super) fn stamp(by: &str, day: i64) -> Stamp {
    Stamp::new(by, T0 + day * DAY_MS)
}

pub(super) fn new_customer() -> CustomerDoc {
    let new = NewCustomer {
        name: "张伟".into(),
        name_latin: "Zhang Wei".into(),
        company: "华东贸易有限公司".into(),
        title: "采购经理".into(),
        owner: "li".into(),
        source: Source::Douyin,
        lifecycle: Lifecycle::Lead,
    };
    CustomerDoc::create(&Id::parse("c1").unwrap(), new, &stamp("li", 0)).unwrap()
}

pub(super) fn id(text: &str) -> Id {
    Id::parse(text).unwrap()
}

pub(super) fn deal(title: &str) -> NewDeal {
    NewDeal {
        title: title.into(),
        amount: Money::cny(5_000_000),
        stage: None,
        expected_close: Some("2026-03-31".into()),
    }
}

pub(super) fn interaction(summary: &str, day: i64) -> NewInteraction {
    NewInteraction {
        channel: Channel::WeChatChat,
        direction: Direction::Inbound,
        at: T0 + day * DAY_MS,
        summary: summary.into(),
        deal_id: None,
    }
}

pub(super) fn phone(value: &str) -> NewContact {
    NewContact {
        kind: ContactKind::Phone,
        value: value.into(),
        e164: crate::contact::to_e164(value).ok(),
        label: "mobile".into(),
        primary: true,
    }
}

/// Merges `b` into a copy of `a` and `a` into a copy of `b`; both results must be equal.
pub(super) fn merge_both_ways(a: &CustomerDoc, b: &CustomerDoc) -> Customer {
    let (mut ab, mut ba) = (a.clone(), b.clone());
    ab.merge(&mut b.clone()).unwrap();
    ba.merge(&mut a.clone()).unwrap();
    let (x, y) = (ab.customer().unwrap(), ba.customer().unwrap());
    assert_eq!(x, y, "merge order changed the result");
    assert_eq!(ab.conflicts(), ba.conflicts());
    x
}

#[test]
fn pipeline_default_starts_at_initial_contact() {
    assert_eq!(Pipeline::standard().first_stage(), Some("initial"));
}
