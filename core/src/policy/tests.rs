//! The rights table row by row, as a hostile client would try it: raw Automerge writes merged
//! into the server's copy, judged, and put back.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use autosurgeon::{Reconcile, hydrate_prop, reconcile_prop};

use super::{Subject, Verdict, judge, restore};
use crate::contact::ContactKind;
use crate::customer::{
    AutoTag, Channel, ContactPoint, Direction, FollowUp, Interaction, Lifecycle, NewInteraction,
    NewOrder, OrderChannel, ProfileEdit, RuleFiring, Source,
};
use crate::document::{CrmDocument, Stamp};
use crate::id::Id;
use crate::token::Grant;
use crate::values::Money;
use crate::workspace::{DirectoryEntry, Role, WorkspaceDoc};
use crate::{CustomerDoc, customer::NewCustomer};

fn grant(member: &str, role: Role) -> Grant {
    Grant {
        workspace: "w".into(),
        member: member.into(),
        role,
        expires_at: i64::MAX,
    }
}

/// Writes `value` as entry `key` of the collection at `collection`, the way a hostile client
/// writing raw Automerge would (no operation, no check).
fn put_entry(doc: &mut AutoCommit, collection: &[&str], key: &str, value: &impl Reconcile) {
    let parent = obj(doc, collection);
    reconcile_prop(doc, parent, key, value).unwrap();
}

fn interaction(author: &str, summary: &str) -> Interaction {
    Interaction {
        channel: Channel::Call,
        direction: Direction::Outbound,
        at: 1,
        author: author.into(),
        summary: summary.into(),
        deal_id: None,
    }
}

/// The id of the customers these tests build.
const CUSTOMER: &str = "c1";

/// A customer owned by `owner`, with an interaction by sales-c (i1), an order (o1) and notes.
fn customer(owner: &str) -> AutoCommit {
    let new = NewCustomer {
        name: "周芳".into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: if owner.is_empty() { "m" } else { owner }.into(),
        source: Source::Referral,
        lifecycle: Lifecycle::Lead,
    };
    let by = |member: &str| Stamp::new(member, 1);
    let id = |s: &str| Id::parse(s).unwrap();
    let mut doc = CustomerDoc::create(&id(CUSTOMER), new, &by("m")).unwrap();
    if owner.is_empty() {
        let mut unowned = doc.automerge().clone();
        let profile = obj(&unowned, &["profile"]);
        unowned.put(&profile, "owner", "").unwrap();
        unowned.commit();
        doc = CustomerDoc::from_automerge(unowned).unwrap();
    }
    let call = NewInteraction {
        channel: Channel::Call,
        direction: Direction::Outbound,
        at: 1,
        summary: "first call".into(),
        deal_id: None,
    };
    doc.add_interaction(&id("i1"), call, &by("sales-c"))
        .unwrap();
    let order = NewOrder {
        at: 1,
        amount: Money::new("amount", 100, "CNY").unwrap(),
        items: "tea".into(),
        channel: OrderChannel::Offline,
    };
    doc.add_order(&id("o1"), order, &by("m")).unwrap();
    doc.set_notes("likes tea", &by("m")).unwrap();
    doc.automerge().clone()
}

/// A workspace with a name, a rule, a segment and a directory entry.
fn workspace() -> AutoCommit {
    let mut workspace = WorkspaceDoc::new();
    workspace.set_name("Team").unwrap();
    let mut doc = workspace.automerge().clone();
    let rules = obj(&doc, &["rules"]);
    doc.put(&rules, "high-value", "{}").unwrap();
    doc.put(&rules, "segment:vip", "{}").unwrap();
    put_entry(&mut doc, &["directory"], "c1", &listed("admin"));
    doc.commit();
    doc
}

/// A directory entry as this build writes it: the lister's id.
fn listed(by: &str) -> String {
    by.into()
}

/// A directory entry as workspaces from before 2026-12 hold it.
#[derive(Reconcile)]
struct ListedBefore {
    created_at: i64,
    created_by: String,
}

/// `edit` made on a device's copy of `server`, merged into the server, judged against
/// `grant` and put back where breached (dropped whole when refused): the verdict and what the
/// server then holds.
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
    let subject = match workspace {
        true => Subject::Workspace,
        false => Subject::Customer(CUSTOMER),
    };
    let verdict = judge(grant, &mut server, subject, &before).verdict;
    match &verdict {
        Verdict::Restore(breaches) => {
            restore(&mut server, &before, breaches).unwrap();
            server.commit();
        }
        Verdict::Refuse(_) => server = server.fork_at(&before).unwrap(),
        Verdict::Accept => {}
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
            let tag = AutoTag {
                rule_id: "r".into(),
                applied_at: 1,
            };
            put_entry(d, &["auto_tags"], "高价值", &tag);
            let firing = RuleFiring {
                active: true,
                count: 1,
                fired_at: 1,
            };
            put_entry(d, &["rule_firings"], "r", &firing);
        });
        assert!(!accepted(&verdict), "{role:?}");
        assert_eq!(get(&after, &["auto_tags", "高价值"]), None);
        assert_eq!(get(&after, &["rule_firings", "r"]), None);
    }
}

#[test]
fn new_entries_name_their_author_and_only_authors_remove_them() {
    let doc = customer("sales-a");
    let spoof = |d: &mut AutoCommit| {
        put_entry(
            d,
            &["interactions"],
            "i2",
            &interaction("admin", "said by the boss"),
        );
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
    let not_duplicates = |d: &mut AutoCommit| {
        let mut ws = WorkspaceDoc::from_automerge(d.clone()).unwrap();
        // Real ids: a pair's key is two of them.
        ws.dismiss_duplicate(&Id::random(), &Id::random(), &Stamp::new("x", 1))
            .unwrap();
        *d = ws.automerge().clone();
    };
    // What, the edit, and whether sales, managers and admins may make it.
    let table: [(&str, &Edit, [bool; 3]); 4] = [
        ("rename", &rename, [false, false, true]),
        ("segment", &segment, [false, true, true]),
        ("wipe rules", &wipe_rules, [false, false, true]),
        ("two people", &not_duplicates, [false, true, true]),
    ];
    for (what, edit, allowed) in table {
        for (role, allowed) in [Role::Sales, Role::Manager, Role::Admin]
            .into_iter()
            .zip(allowed)
        {
            let (verdict, after) = attempt(&doc, &grant("x", role), true, edit);
            assert_eq!(accepted(&verdict), allowed, "{what} by {role:?}");
            if !allowed {
                assert_eq!(get(&after, &["not_duplicates"]), None);
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
    let list_as = |by: &'static str, before: bool| {
        move |d: &mut AutoCommit| match before {
            false => put_entry(d, &["directory"], "c2", &listed(by)),
            true => put_entry(
                d,
                &["directory"],
                "c2",
                &ListedBefore {
                    created_at: 1,
                    created_by: by.into(),
                },
            ),
        }
    };
    for before in [false, true] {
        let sales = grant("sales-a", Role::Sales);
        let (verdict, after) = attempt(&doc, &sales, true, list_as("sales-a", before));
        assert!(accepted(&verdict), "own entry (older form: {before})");
        let listed: BTreeMap<String, DirectoryEntry> =
            hydrate_prop(&after, ROOT, "directory").unwrap();
        assert_eq!(listed["c2"].created_by, "sales-a");
        let (verdict, after) = attempt(&doc, &sales, true, list_as("admin", before));
        assert!(
            !accepted(&verdict),
            "another's entry (older form: {before})"
        );
        assert_eq!(get(&after, &["directory", "c2"]), None);
    }
    let unlist = |d: &mut AutoCommit| {
        let directory = obj(d, &["directory"]);
        d.delete(&directory, "c1").unwrap();
    };
    let (verdict, after) = attempt(&doc, &grant("m", Role::Manager), true, unlist);
    assert!(!accepted(&verdict));
    assert_eq!(get(&after, &["directory", "c1"]).unwrap(), "admin");
    let (verdict, _) = attempt(&doc, &grant("admin", Role::Admin), true, unlist);
    assert!(accepted(&verdict));
}

/// A breach and an allowed edit made at once on two devices, reaching the server in either
/// order: the same state, the allowed edit kept and the breach undone.
#[test]
fn concurrent_breach_and_edit_converge_in_every_order() {
    let mut base = customer("sales-a");
    let mut a = base.fork();
    put_entry(
        &mut a,
        &["interactions"],
        "i2",
        &interaction("sales-a", "met"),
    );
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
            let subject = Subject::Customer(CUSTOMER);
            if let Verdict::Restore(breaches) =
                judge(&members[n], &mut server, subject, &before).verdict
            {
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
    let follow_up = FollowUp {
        title: "call back".into(),
        due_at: 1,
        assignee: "sales-a".into(),
        done: false,
        done_at: None,
        origin: "manual".into(),
        created_at: 1,
    };
    put_entry(&mut doc, &["follow_ups"], "f1", &follow_up);
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

/// A document new to the server, judged whole: what `grant` may create.
fn create(doc: &AutoCommit, grant: &Grant) -> Verdict {
    judge(grant, &mut doc.clone(), Subject::Customer(CUSTOMER), &[]).verdict
}

#[test]
fn a_salesperson_creates_customers_of_their_own_as_themselves() {
    let mine = customer("sales-a");
    assert_eq!(
        create(&mine, &grant("sales-a", Role::Sales)),
        Verdict::Refuse(
            "created_by: created_by names the member who created the customer and never changes"
                .into()
        ),
        "customer() is created by m, who added the order and notes"
    );
    let sales = grant("sales-a", Role::Sales);
    let new = NewCustomer {
        name: "新客户".into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: "sales-a".into(),
        source: Source::Referral,
        lifecycle: Lifecycle::Lead,
    };
    let id = Id::parse(CUSTOMER).unwrap();
    let own = CustomerDoc::create(&id, new.clone(), &Stamp::new("sales-a", 1)).unwrap();
    assert_eq!(create(own.automerge(), &sales), Verdict::Accept);
    let theirs = NewCustomer {
        owner: "sales-b".into(),
        ..new.clone()
    };
    let theirs = CustomerDoc::create(&id, theirs, &Stamp::new("sales-a", 1)).unwrap();
    assert!(
        matches!(create(theirs.automerge(), &sales), Verdict::Refuse(r) if r.starts_with("profile.owner"))
    );
    // A manager's device fills in a customer the server lost, teammates' entries and all.
    assert_eq!(create(&mine, &grant("m2", Role::Manager)), Verdict::Accept);
}

#[test]
fn invalid_values_are_refused_whole_naming_the_field() {
    let doc = customer("sales-a");
    let admin = grant("admin", Role::Admin);
    let cases: [(&str, &Edit); 5] = [
        ("profile", &|d| {
            let profile = obj(d, &["profile"]);
            d.put(&profile, "name", 42).unwrap();
        }),
        ("interactions.i2.summary: 6000 characters", &|d| {
            put_entry(
                d,
                &["interactions"],
                "i2",
                &interaction("admin", &"长".repeat(6_000)),
            );
        }),
        ("contacts.p9.normalized: a phone not in E.164 form", &|d| {
            let phone = ContactPoint {
                kind: ContactKind::Phone,
                value: "138".into(),
                normalized: "138".into(),
                label: String::new(),
                primary: false,
            };
            put_entry(d, &["contacts"], "p9", &phone);
        }),
        ("payload: not a field of a customer", &|d| {
            d.put(&ROOT, "payload", "x".repeat(100)).unwrap();
        }),
        ("is not the document's id", &|d| {
            d.put(&ROOT, "id", "someone-else").unwrap()
        }),
    ];
    for (reason, edit) in cases {
        let (verdict, mut after) = attempt(&doc, &admin, false, edit);
        assert!(
            matches!(&verdict, Verdict::Refuse(r) if r.contains(reason)),
            "{reason}: {verdict:?}"
        );
        assert_eq!(
            after.get_heads(),
            doc.clone().get_heads(),
            "nothing of it stays"
        );
    }
}

/// A member's honest edit, made through the model's operations on an up-to-date device.
#[derive(Debug, Clone)]
enum Op {
    Rename(u8),
    AddTag(u8),
    RemoveTag(u8),
    SetOwner(usize),
}

/// Who edits: two salespeople and a manager.
const MEMBERS: [(&str, Role); 3] = [
    ("sales-a", Role::Sales),
    ("sales-b", Role::Sales),
    ("m", Role::Manager),
];

/// The rights table as a plain model: what the customer holds after the edits it allows.
#[derive(Debug, Clone, PartialEq, Default)]
struct Model {
    name: String,
    owner: String,
    tags: std::collections::BTreeMap<String, String>,
}

impl Model {
    fn apply(&mut self, who: usize, op: &Op) {
        let (me, role) = MEMBERS[who];
        let manager = role != Role::Sales;
        if !manager && !self.owner.is_empty() && self.owner != me {
            return;
        }
        match op {
            Op::Rename(n) => self.name = format!("客户 {n}"),
            Op::AddTag(t) => {
                // Adding a tag that is there already changes nothing.
                self.tags
                    .entry(format!("t{t}"))
                    .or_insert_with(|| me.to_owned());
            }
            Op::RemoveTag(t) => {
                let tag = format!("t{t}");
                if manager || self.tags.get(&tag).is_some_and(|by| by == me) {
                    self.tags.remove(&tag);
                }
            }
            Op::SetOwner(o) if manager => self.owner = MEMBERS[*o].0.to_owned(),
            Op::SetOwner(_) => {}
        }
    }

    fn of(doc: &AutoCommit) -> Self {
        let customer = CustomerDoc::from_automerge(doc.clone())
            .unwrap()
            .customer()
            .unwrap();
        Self {
            name: customer.profile.name,
            owner: customer.profile.owner,
            tags: (customer.tags.into_iter())
                .map(|(tag, t)| (tag, t.added_by))
                .collect(),
        }
    }
}

fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    use proptest::prelude::*;
    prop_oneof![
        (0..4u8).prop_map(Op::Rename),
        (0..3u8).prop_map(Op::AddTag),
        (0..3u8).prop_map(Op::RemoveTag),
        (0..3usize).prop_map(Op::SetOwner),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Random edits by random members, each made on an up-to-date device and judged by the
    /// server: what the server holds is what the allowed edits alone make.
    #[test]
    fn the_server_holds_what_the_allowed_edits_alone_make(
        edits in proptest::collection::vec((0..3usize, op()), 1..12)
    ) {
        let mut server = customer("sales-a");
        let mut model = Model::of(&server);
        for (who, op) in &edits {
            let (me, role) = MEMBERS[*who];
            let stamp = Stamp::new(me, 10);
            let mut device = CustomerDoc::from_automerge(server.fork()).unwrap();
            // An operation the model refuses on its own (removing a missing tag) is a no-op.
            let _ = match op {
                Op::Rename(n) => device.edit_profile(ProfileEdit::Name(format!("客户 {n}")), &stamp),
                Op::AddTag(t) => device.add_tag(&format!("t{t}"), &stamp),
                Op::RemoveTag(t) => device.remove_tag(&format!("t{t}"), &stamp),
                Op::SetOwner(o) => device.edit_profile(ProfileEdit::Owner(MEMBERS[*o].0.into()), &stamp),
            };
            let before = server.get_heads();
            server.merge(device.automerge_mut()).unwrap();
            let verdict = judge(&grant(me, role), &mut server, Subject::Customer(CUSTOMER), &before).verdict;
            if let Verdict::Restore(breaches) = &verdict {
                restore(&mut server, &before, breaches).unwrap();
                server.commit();
            }
            proptest::prop_assert!(!matches!(verdict, Verdict::Refuse(_)), "{verdict:?}");
            model.apply(*who, op);
            proptest::prop_assert_eq!(Model::of(&server), model.clone(), "after {:?} by {}", op, me);
        }
    }
}

/// The app's [`super::Offer`] and the edge's judgement agree on every edit a customer screen
/// offers, for every kind of member, on an owned and an unowned customer.
#[test]
fn what_the_app_offers_is_what_the_edge_keeps() {
    use super::Offer;
    use crate::customer::{ContactEdit, InteractionEdit, NewFollowUp, OrderEdit};
    type Op = fn(&mut CustomerDoc, &Stamp) -> Result<(), crate::ModelError>;
    type Offered = fn(&Offer) -> bool;
    let ops: [(&str, Op, Offered); 13] = [
        (
            "rename",
            |d, s| d.edit_profile(ProfileEdit::Name("周芳芳".into()), s),
            Offer::edit,
        ),
        (
            "assign",
            |d, s| d.edit_profile(ProfileEdit::Owner("sales-b".into()), s),
            Offer::assign_owner,
        ),
        (
            "edit sales-c's call",
            |d, s| d.edit_interaction("i1", InteractionEdit::Summary("改".into()), s),
            |o| o.change_entry_of("sales-c"),
        ),
        (
            "remove sales-c's call",
            |d, s| d.remove_interaction("i1", s),
            |o| o.change_entry_of("sales-c"),
        ),
        (
            "reassign",
            |d, s| d.reassign_follow_up("f1", "sales-b", s),
            Offer::reassign,
        ),
        (
            "reschedule sales-a's follow-up",
            |d, s| d.reschedule_follow_up("f1", 99, s),
            |o| o.change_entry_of("sales-a"),
        ),
        (
            "edit order",
            |d, s| d.edit_order("o1", OrderEdit::Items("茶具".into()), s),
            Offer::edit,
        ),
        (
            "remove order",
            |d, s| d.remove_order("o1", s),
            Offer::remove_orders,
        ),
        (
            "relabel contact",
            |d, s| d.edit_contact("p1", ContactEdit::Label("家".into()), s),
            Offer::edit,
        ),
        (
            "remove contact",
            |d, s| d.remove_contact("p1", s),
            Offer::edit,
        ),
        ("erase", CustomerDoc::erase, Offer::erase),
        ("release", CustomerDoc::release_to_pool, Offer::release),
        (
            "merge",
            |d, s| d.merge_into(&Id::parse("c9").unwrap(), &["owner"], s),
            Offer::merge,
        ),
    ];
    let members = [
        ("sales-a", Role::Sales),
        ("sales-b", Role::Sales),
        ("sales-c", Role::Sales),
        ("boss", Role::Manager),
        ("root", Role::Admin),
    ];
    for owner in ["sales-a", ""] {
        let mut doc = CustomerDoc::from_automerge(customer(owner)).unwrap();
        let by = Stamp::new("m", 1);
        let follow_up = NewFollowUp {
            title: "回访".into(),
            due_at: 5,
            assignee: "sales-a".into(),
            origin: crate::customer::MANUAL_ORIGIN.into(),
        };
        doc.add_follow_up(&Id::parse("f1").unwrap(), follow_up, &by)
            .unwrap();
        let phone = crate::customer::NewContact {
            kind: ContactKind::Email,
            value: "zf@example.com".into(),
            e164: None,
            label: String::new(),
            primary: true,
        };
        doc.add_contact(&Id::parse("p1").unwrap(), phone, &by)
            .unwrap();
        let server = doc.automerge().clone();
        for (member, role) in members {
            let offer = Offer::new(member, role, owner);
            for (what, op, offered) in &ops {
                let (verdict, _) = attempt(&server, &grant(member, role), false, |d| {
                    let mut typed = CustomerDoc::from_automerge(d.clone()).unwrap();
                    op(&mut typed, &Stamp::new(member, 2)).unwrap();
                    *d = typed.automerge().clone();
                });
                assert_eq!(
                    accepted(&verdict),
                    offered(&offer),
                    "{member} ({role:?}) on a customer owned by {owner:?}: {what} ({verdict:?})"
                );
            }
        }
    }
}

#[test]
fn archiving_names_the_member_who_did_it() {
    let doc = customer("sales-a");
    let as_member = |by: &'static str| {
        move |d: &mut AutoCommit| {
            let mut typed = CustomerDoc::from_automerge(d.clone()).unwrap();
            typed.archive(&Stamp::new(by, 2)).unwrap();
            *d = typed.automerge().clone();
        }
    };
    let (verdict, _) = attempt(
        &doc,
        &grant("sales-a", Role::Sales),
        false,
        as_member("sales-a"),
    );
    assert!(accepted(&verdict), "{verdict:?}");
    let (verdict, after) = attempt(
        &doc,
        &grant("sales-a", Role::Sales),
        false,
        as_member("boss"),
    );
    assert!(!accepted(&verdict), "{verdict:?}");
    let restored = CustomerDoc::from_automerge(after)
        .unwrap()
        .customer()
        .unwrap();
    assert_eq!(restored.archived, None, "put back: not archived");
}

#[test]
fn only_admins_erase_in_their_own_name_and_never_a_new_customer() {
    let doc = customer("sales-a");
    let erase_as = |by: &'static str| {
        move |d: &mut AutoCommit| {
            let mut typed = CustomerDoc::from_automerge(d.clone()).unwrap();
            typed.erase(&Stamp::new(by, 2)).unwrap();
            *d = typed.automerge().clone();
        }
    };
    let admin = grant("boss", Role::Admin);
    let (verdict, _) = attempt(&doc, &admin, false, erase_as("boss"));
    assert!(accepted(&verdict), "{verdict:?}");
    for (who, role, by) in [
        ("boss", Role::Admin, "m2"),
        ("m2", Role::Manager, "m2"),
        ("sales-a", Role::Sales, "sales-a"),
    ] {
        let (verdict, after) = attempt(&doc, &grant(who, role), false, erase_as(by));
        assert!(!accepted(&verdict), "{who} as {by}: {verdict:?}");
        let after = CustomerDoc::from_automerge(after).unwrap();
        assert_eq!(after.erased(), None, "put back");
        assert!(after.customer().is_ok());
    }
    let mut new = CustomerDoc::from_automerge(doc.clone()).unwrap();
    new.erase(&Stamp::new("boss", 2)).unwrap();
    assert!(matches!(
        create(new.automerge(), &admin),
        Verdict::Refuse(_)
    ));
}

#[test]
fn two_admins_demoting_each_other_offline_leave_the_first_change_and_an_admin() {
    let mut ws = WorkspaceDoc::new();
    let stamp = Stamp::new("a", 1);
    for (id, name) in [("a", "A"), ("b", "B")] {
        ws.add_member(&Id::parse(id).unwrap(), name, Role::Admin, &stamp)
            .unwrap();
    }
    let mut doc = ws.automerge().clone();
    type Step = fn(&mut WorkspaceDoc) -> Result<(), crate::ModelError>;
    let demote_b: Step = |w| w.set_member_role("b", Role::Sales);
    let drop_a: Step = |w| w.deactivate_member("a");
    let on_device = |step: Step| {
        move |d: &mut AutoCommit| {
            let mut w = WorkspaceDoc::from_automerge(d.clone()).unwrap();
            step(&mut w).unwrap();
            *d = w.automerge().clone();
        }
    };
    // In either order the first change stands and the second's member edit is put back.
    for ((first, by_first), (second, by_second), admin) in [
        ((demote_b, "a"), (drop_a, "b"), "a"),
        ((drop_a, "b"), (demote_b, "a"), "b"),
    ] {
        let (verdict, server) =
            attempt(&doc, &grant(by_first, Role::Admin), true, on_device(first));
        assert!(accepted(&verdict));
        // The second admin's device has not heard of the first change.
        let mut device = doc.fork();
        on_device(second)(&mut device);
        device.commit();
        let mut merged = server.clone();
        let before = merged.get_heads();
        merged.merge(&mut device).unwrap();
        let verdict = judge(
            &grant(by_second, Role::Admin),
            &mut merged,
            Subject::Workspace,
            &before,
        );
        let Verdict::Restore(breaches) = verdict.verdict else {
            panic!("{:?}", verdict.verdict)
        };
        assert!(
            breaches.iter().all(|b| b.path[0] == "members"),
            "{breaches:?}"
        );
        restore(&mut merged, &before, &breaches).unwrap();
        merged.commit();
        let team = WorkspaceDoc::from_automerge(merged)
            .unwrap()
            .workspace()
            .unwrap();
        let admins: Vec<&String> = (team.members.iter())
            .filter(|(_, m)| m.active && m.role == Role::Admin)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(admins, [admin]);
    }
}
