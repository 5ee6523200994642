//! A shown customer brought up to date reads again only what changed (of a collection, the
//! entries), and always equals the customer read whole.

use super::*;

/// `doc`'s customer, with the heads it was read at.
fn shown(doc: &mut CustomerDoc) -> (Customer, Vec<automerge::ChangeHash>) {
    (doc.customer().unwrap(), doc.heads())
}

#[test]
fn a_teammates_tag_reads_that_tag_again_and_nothing_else() {
    let mut mine = new_customer();
    mine.add_interaction(&id("i1"), interaction("初次沟通", 1), &stamp("li", 1))
        .unwrap();
    mine.add_tag("老客户", &stamp("li", 1)).unwrap();
    let mut theirs = mine.fork();
    let (mut customer, at) = shown(&mut mine);
    // What no change touches is not read again: what is shown of it stays.
    customer.notes = autosurgeon::Text::with_value("shown before");
    customer.tags.get_mut("老客户").unwrap().added_by = "shown before".into();
    theirs.add_tag("重点客户", &stamp("wang", 2)).unwrap();
    mine.merge(&mut theirs).unwrap();

    let now = mine.refresh(&mut customer, &at).unwrap();

    assert_eq!(now, mine.heads());
    assert_eq!(customer.tags["重点客户"].added_by, "wang");
    assert_eq!(customer.updated_by, "wang");
    assert_eq!(customer.tags["老客户"].added_by, "shown before");
    assert_eq!(customer.notes.as_str(), "shown before");
    assert_eq!(customer.interactions, mine.customer().unwrap().interactions);
}

#[test]
fn an_entry_taken_out_leaves_the_shown_collection() {
    let mut doc = new_customer();
    doc.add_tag("老客户", &stamp("li", 1)).unwrap();
    doc.add_tag("重点客户", &stamp("li", 1)).unwrap();
    let (mut customer, at) = shown(&mut doc);
    doc.remove_tag("老客户", &stamp("li", 2)).unwrap();

    doc.refresh(&mut customer, &at).unwrap();

    assert_eq!(customer, doc.customer().unwrap());
    assert!(!customer.tags.contains_key("老客户"));
}

#[test]
fn a_refreshed_customer_equals_the_one_read_whole_in_every_merge_order() {
    let base = new_customer();
    for order in ORDERS_OF_THREE {
        let mut replicas: Vec<CustomerDoc> = (0..3).map(|_| base.clone().fork()).collect();
        replicas[0]
            .edit_profile(ProfileEdit::Company("甲公司".into()), &stamp("li", 1))
            .unwrap();
        replicas[1]
            .edit_profile(ProfileEdit::Company("乙公司".into()), &stamp("wang", 1))
            .unwrap();
        replicas[1].add_tag("老客户", &stamp("wang", 1)).unwrap();
        replicas[2]
            .add_deal(
                &id("d1"),
                deal("年度采购"),
                &Pipeline::standard(),
                &stamp("zhao", 1),
            )
            .unwrap();
        replicas[2]
            .set_notes("电话里说下周见", &stamp("zhao", 1))
            .unwrap();
        replicas[2].archive(&stamp("zhao", 2)).unwrap();

        let mut doc = replicas[order[0]].clone();
        let (mut customer, mut at) = shown(&mut doc);
        for &next in &order[1..] {
            doc.merge(&mut replicas[next].clone()).unwrap();
            at = doc.refresh(&mut customer, &at).unwrap();
            assert_eq!(customer, doc.customer().unwrap(), "order {order:?}");
        }
        doc.restore(&stamp("li", 3)).unwrap();
        doc.remove_tag("老客户", &stamp("li", 3)).unwrap();
        doc.refresh(&mut customer, &at).unwrap();
        assert_eq!(customer, doc.customer().unwrap(), "order {order:?}");
    }
}

#[test]
fn heads_the_document_does_not_have_read_it_whole() {
    let mut doc = new_customer();
    let mut other = new_customer();
    other.add_tag("别处", &stamp("li", 1)).unwrap();
    let (mut customer, at) = shown(&mut other);
    doc.add_tag("这里", &stamp("li", 1)).unwrap();

    doc.refresh(&mut customer, &at).unwrap();

    assert_eq!(customer, doc.customer().unwrap());
}

#[test]
fn an_erased_customer_refreshes_to_erased() {
    let mut doc = new_customer();
    let (mut customer, at) = shown(&mut doc);
    doc.erase(&stamp("li", 1)).unwrap();

    let refreshed = doc.refresh(&mut customer, &at);

    assert!(
        matches!(refreshed, Err(ModelError::Erased { .. })),
        "{refreshed:?}"
    );
}
