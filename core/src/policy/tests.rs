//! The rights table row by row, as a hostile client would try it: raw Automerge writes merged
//! into the server's copy, judged, and put back.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use super::{Verdict, judge, restore};
use crate::token::Grant;
use crate::workspace::Role;

fn grant(member: &str, role: Role) -> Grant {
    Grant {
        workspace: "w".into(),
        member: member.into(),
        role,
        expires_at: i64::MAX,
    }
}

fn map(doc: &mut AutoCommit, parent: &automerge::ObjId, key: &str) -> automerge::ObjId {
    doc.put_object(parent, key, ObjType::Map).unwrap()
}

/// A customer owned by `owner`, with an interaction by sales-c, an order and notes.
fn customer(owner: &str) -> AutoCommit {
    let mut doc = AutoCommit::new();
    let profile = map(&mut doc, &ROOT, "profile");
    doc.put(&profile, "owner", owner).unwrap();
    doc.put(&profile, "name", "周芳").unwrap();
    let interactions = map(&mut doc, &ROOT, "interactions");
    let i1 = map(&mut doc, &interactions, "i1");
    doc.put(&i1, "author", "sales-c").unwrap();
    doc.put(&i1, "summary", "first call").unwrap();
    let orders = map(&mut doc, &ROOT, "orders");
    let o1 = map(&mut doc, &orders, "o1");
    doc.put(&o1, "amount_minor", 100).unwrap();
    map(&mut doc, &ROOT, "tags");
    map(&mut doc, &ROOT, "auto_tags");
    let notes = doc.put_object(&ROOT, "notes", ObjType::Text).unwrap();
    doc.splice_text(&notes, 0, 0, "likes tea").unwrap();
    doc.commit();
    doc
}

/// A workspace with a name, a rule, a segment and a directory entry.
fn workspace() -> AutoCommit {
    let mut doc = AutoCommit::new();
    doc.put(&ROOT, "name", "Team").unwrap();
    let rules = map(&mut doc, &ROOT, "rules");
    doc.put(&rules, "high-value", "{}").unwrap();
    doc.put(&rules, "segment:vip", "{}").unwrap();
    let directory = map(&mut doc, &ROOT, "directory");
    let entry = map(&mut doc, &directory, "c1");
    doc.put(&entry, "created_by", "admin").unwrap();
    doc.commit();
    doc
}

/// `edit` made on a device's copy of `server`, merged into the server, judged against
/// `grant` and put back where breached: the verdict and what the server then holds.
fn attempt(
    server: &AutoCommit,
    grant: &Grant,
    workspace: bool,
    edit: impl FnOnce(&mut AutoCommit),
) -> (Verdict, AutoCommit) {
    let mut server = server.clone();
    let mut device = server.fork();
    edit(&mut device);
    device.commit();
    let before = server.get_heads();
    server.merge(&mut device).unwrap();
    let verdict = judge(grant, &mut server, workspace, &before);
    if let Verdict::Restore(breaches) = &verdict {
        restore(&mut server, &before, breaches).unwrap();
        server.commit();
    }
    (verdict, server)
}

fn get(doc: &AutoCommit, path: &[&str]) -> Option<String> {
    let mut obj = ROOT;
    let (last, parent) = path.split_last()?;
    for key in parent {
        obj = doc.get(&obj, *key).unwrap()?.1;
    }
    match doc.get(&obj, *last).unwrap()? {
        (Value::Scalar(s), _) => Some(match s.as_ref() {
            ScalarValue::Str(s) => s.to_string(),
            other => other.to_string(),
        }),
        (Value::Object(ObjType::Text), id) => Some(doc.text(&id).unwrap()),
        (Value::Object(_), _) => Some("{…}".into()),
    }
}

fn obj(doc: &AutoCommit, path: &[&str]) -> automerge::ObjId {
    path.iter()
        .fold(ROOT, |obj, key| doc.get(&obj, *key).unwrap().unwrap().1)
}

/// An edit a device makes.
type Edit = dyn Fn(&mut AutoCommit);

fn accepted(verdict: &Verdict) -> bool {
    *verdict == Verdict::Accept
}

#[test]
fn sales_edit_their_own_customers_and_nobody_elses() {
    let doc = customer("sales-a");
    let edit = |d: &mut AutoCommit| {
        let profile = obj(d, &["profile"]);
        d.put(&profile, "name", "周芳芳").unwrap();
    };
    let (verdict, mine) = attempt(&doc, &grant("sales-a", Role::Sales), false, edit);
    assert!(accepted(&verdict));
    assert_eq!(get(&mine, &["profile", "name"]).unwrap(), "周芳芳");
    let (verdict, theirs) = attempt(&doc, &grant("sales-b", Role::Sales), false, edit);
    assert!(!accepted(&verdict));
    assert_eq!(get(&theirs, &["profile", "name"]).unwrap(), "周芳");
    let unowned = customer("");
    let (verdict, _) = attempt(&unowned, &grant("sales-b", Role::Sales), false, edit);
    assert!(accepted(&verdict), "unowned customers are anyone's");
    for role in [Role::Manager, Role::Admin] {
        let (verdict, _) = attempt(&doc, &grant("boss", role), false, edit);
        assert!(accepted(&verdict), "{role:?} edits any customer");
    }
}

#[test]
fn a_foreign_customers_notes_wiped_come_back_whole() {
    let doc = customer("sales-a");
    let (verdict, after) = attempt(&doc, &grant("sales-b", Role::Sales), false, |d| {
        let notes = obj(d, &["notes"]);
        d.splice_text(&notes, 0, 9, "").unwrap();
        d.delete(&ROOT, "interactions").unwrap();
    });
    assert!(!accepted(&verdict));
    assert_eq!(get(&after, &["notes"]).unwrap(), "likes tea");
    assert_eq!(
        get(&after, &["interactions", "i1", "summary"]).unwrap(),
        "first call"
    );
}

#[test]
fn only_managers_and_admins_assign_owners() {
    let doc = customer("sales-a");
    let reassign = |d: &mut AutoCommit| {
        let profile = obj(d, &["profile"]);
        d.put(&profile, "owner", "sales-b").unwrap();
    };
    let (verdict, after) = attempt(&doc, &grant("sales-a", Role::Sales), false, reassign);
    assert!(!accepted(&verdict));
    assert_eq!(get(&after, &["profile", "owner"]).unwrap(), "sales-a");
    let (verdict, after) = attempt(&doc, &grant("m", Role::Manager), false, reassign);
    assert!(accepted(&verdict));
    assert_eq!(get(&after, &["profile", "owner"]).unwrap(), "sales-b");
}

#[test]
fn engine_fields_are_never_written_by_a_device() {
    let doc = customer("sales-a");
    for role in [Role::Sales, Role::Manager, Role::Admin] {
        let (verdict, after) = attempt(&doc, &grant("sales-a", role), false, |d| {
            let auto = obj(d, &["auto_tags"]);
            map(d, &auto, "高价值");
            let firings = map(d, &ROOT, "rule_firings");
            d.put(&firings, "r", 1).unwrap();
        });
        assert!(!accepted(&verdict), "{role:?}");
        assert_eq!(get(&after, &["auto_tags", "高价值"]), None);
        assert_eq!(get(&after, &["rule_firings"]), None);
    }
}

#[test]
fn new_entries_name_their_author_and_only_authors_remove_them() {
    let doc = customer("sales-a");
    let spoof = |d: &mut AutoCommit| {
        let interactions = obj(d, &["interactions"]);
        let i2 = map(d, &interactions, "i2");
        d.put(&i2, "author", "admin").unwrap();
        d.put(&i2, "summary", "said by the boss").unwrap();
    };
    let (verdict, after) = attempt(&doc, &grant("sales-a", Role::Sales), false, spoof);
    assert!(!accepted(&verdict));
    assert_eq!(get(&after, &["interactions", "i2"]), None);
    let (verdict, _) = attempt(&doc, &grant("admin", Role::Admin), false, spoof);
    assert!(accepted(&verdict), "the admin writes as the admin");

    let remove = |d: &mut AutoCommit| {
        let interactions = obj(d, &["interactions"]);
        d.delete(&interactions, "i1").unwrap();
        let orders = obj(d, &["orders"]);
        d.delete(&orders, "o1").unwrap();
    };
    let (verdict, after) = attempt(&doc, &grant("sales-a", Role::Sales), false, remove);
    let Verdict::Restore(breaches) = verdict else {
        panic!("sales-c's interaction and the order are not sales-a's to remove")
    };
    assert_eq!(breaches.len(), 2);
    assert_eq!(
        get(&after, &["interactions", "i1", "summary"]).unwrap(),
        "first call"
    );
    assert_eq!(
        get(&after, &["orders", "o1", "amount_minor"]).unwrap(),
        "100"
    );
    let (verdict, _) = attempt(&doc, &grant("sales-c", Role::Sales), false, |d| {
        let profile = obj(d, &["profile"]);
        d.put(&profile, "owner", "").unwrap();
    });
    assert!(!accepted(&verdict), "not sales-c's customer");
    let (verdict, _) = attempt(&doc, &grant("m", Role::Manager), false, remove);
    assert!(accepted(&verdict));
}

#[test]
fn workspace_settings_are_the_admins_segments_the_managers_too() {
    let doc = workspace();
    let rename = |d: &mut AutoCommit| d.put(&ROOT, "name", "Mine").unwrap();
    let segment = |d: &mut AutoCommit| {
        let rules = obj(d, &["rules"]);
        d.put(&rules, "segment:mine", "{}").unwrap();
    };
    let wipe_rules = |d: &mut AutoCommit| d.delete(&ROOT, "rules").unwrap();
    // What, the edit, and whether sales, managers and admins may make it.
    let table: [(&str, &Edit, [bool; 3]); 3] = [
        ("rename", &rename, [false, false, true]),
        ("segment", &segment, [false, true, true]),
        ("wipe rules", &wipe_rules, [false, false, true]),
    ];
    for (what, edit, allowed) in table {
        for (role, allowed) in [Role::Sales, Role::Manager, Role::Admin]
            .into_iter()
            .zip(allowed)
        {
            let (verdict, after) = attempt(&doc, &grant("x", role), true, edit);
            assert_eq!(accepted(&verdict), allowed, "{what} by {role:?}");
            if !allowed {
                assert_eq!(get(&after, &["name"]).unwrap(), "Team");
                assert_eq!(get(&after, &["rules", "high-value"]).unwrap(), "{}");
                assert_eq!(get(&after, &["rules", "segment:mine"]), None);
            }
        }
    }
}

#[test]
fn members_list_the_customers_they_create_and_only_admins_remove_them() {
    let doc = workspace();
    let list_as = |by: &'static str| {
        move |d: &mut AutoCommit| {
            let directory = obj(d, &["directory"]);
            let entry = map(d, &directory, "c2");
            d.put(&entry, "created_by", by).unwrap();
        }
    };
    let (verdict, _) = attempt(
        &doc,
        &grant("sales-a", Role::Sales),
        true,
        list_as("sales-a"),
    );
    assert!(accepted(&verdict));
    let (verdict, after) = attempt(&doc, &grant("sales-a", Role::Sales), true, list_as("admin"));
    assert!(!accepted(&verdict));
    assert_eq!(get(&after, &["directory", "c2"]), None);
    let unlist = |d: &mut AutoCommit| {
        let directory = obj(d, &["directory"]);
        d.delete(&directory, "c1").unwrap();
    };
    let (verdict, after) = attempt(&doc, &grant("m", Role::Manager), true, unlist);
    assert!(!accepted(&verdict));
    assert_eq!(
        get(&after, &["directory", "c1", "created_by"]).unwrap(),
        "admin"
    );
    let (verdict, _) = attempt(&doc, &grant("admin", Role::Admin), true, unlist);
    assert!(accepted(&verdict));
}

/// A breach and an allowed edit made at once on two devices, reaching the server in either
/// order: the same state, the allowed edit kept and the breach undone.
#[test]
fn concurrent_breach_and_edit_converge_in_every_order() {
    let mut base = customer("sales-a");
    let mut a = base.fork();
    let interactions = obj(&a, &["interactions"]);
    let i2 = map(&mut a, &interactions, "i2");
    a.put(&i2, "author", "sales-a").unwrap();
    a.commit();
    let mut b = base.fork();
    let profile = obj(&b, &["profile"]);
    b.put(&profile, "name", "被改了").unwrap();
    b.commit();
    let members = [grant("sales-a", Role::Sales), grant("sales-b", Role::Sales)];
    let mut ends = Vec::new();
    for order in [[0, 1], [1, 0]] {
        let mut server = base.clone();
        for n in order {
            let mut device = [&a, &b][n].clone();
            let before = server.get_heads();
            server.merge(&mut device).unwrap();
            if let Verdict::Restore(breaches) = judge(&members[n], &mut server, false, &before) {
                restore(&mut server, &before, &breaches).unwrap();
                server.commit();
            }
        }
        ends.push((
            get(&server, &["profile", "name"]),
            get(&server, &["interactions", "i2", "author"]),
        ));
    }
    assert_eq!(ends[0], ends[1]);
    assert_eq!(ends[0], (Some("周芳".into()), Some("sales-a".into())));
}

#[test]
fn managers_reassign_follow_ups_sales_do_not() {
    let mut doc = customer("sales-a");
    let follow_ups = map(&mut doc, &ROOT, "follow_ups");
    let f1 = map(&mut doc, &follow_ups, "f1");
    doc.put(&f1, "assignee", "sales-a").unwrap();
    doc.commit();
    let reassign = |d: &mut AutoCommit| {
        let f1 = obj(d, &["follow_ups", "f1"]);
        d.put(&f1, "assignee", "sales-b").unwrap();
    };
    let (verdict, after) = attempt(&doc, &grant("sales-a", Role::Sales), false, reassign);
    assert!(!accepted(&verdict));
    assert_eq!(
        get(&after, &["follow_ups", "f1", "assignee"]).unwrap(),
        "sales-a"
    );
    let (verdict, after) = attempt(&doc, &grant("m", Role::Manager), false, reassign);
    assert!(accepted(&verdict));
    assert_eq!(
        get(&after, &["follow_ups", "f1", "assignee"]).unwrap(),
        "sales-b"
    );
}
