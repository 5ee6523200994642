//! Read scope at the server: a salesperson of a scoped workspace neither gets nor keeps a
//! customer they do not own, whichever way they ask; a reassignment moves the customer from
//! one salesperson's devices to the other's; a scope change sends salespeople to reconnect.

use super::super::limits::tests::{closed, push};
use super::super::tests::{NOW, grant, sends};
use super::super::*;
use crate::customer::ProfileEdit;
use crate::demo::{self, SavedDoc};
use crate::document::CrmDocument;
use crate::policy::pool::ClaimRefusal;
use crate::replica::WORKSPACE_DOC_ID;
use crate::sync::client::{Inbound, SyncClient};
use crate::sync::memory_store::MemoryStore;
use crate::workspace::{ReadScope, Role};

/// A demo workspace of 12 customers whose scope is `scope`, and a customer of Zhang's and one
/// of Chen's.
pub(in crate::sync::server) fn workspace(
    scope: Option<ReadScope>,
) -> (MemoryStore, String, String) {
    let mut docs = demo::saved_workspace(12, NOW);
    if let Some(scope) = scope {
        let ws = &mut docs[0];
        let Ok(Replica::Workspace(mut doc)) = Replica::load(WORKSPACE_DOC_ID, &ws.bytes) else {
            panic!("the workspace first")
        };
        doc.set_read_scope(scope).unwrap();
        *ws = SavedDoc {
            bytes: doc.save(),
            heads: doc.heads(),
            ..ws.clone()
        };
    }
    let owned_by = |member: &str| {
        (docs.iter())
            .find(|d| d.row.as_ref().is_some_and(|r| r.row.owner == member))
            .map(|d| d.id.clone())
            .expect("the demo spreads customers over its salespeople")
    };
    let (zhang, chen) = (owned_by("sales-zhang"), owned_by("sales-chen"));
    (MemoryStore::with(docs), zhang, chen)
}

pub(in crate::sync::server) fn sales(member: &str) -> Grant {
    Grant {
        member: member.into(),
        ..grant(Role::Sales)
    }
}

/// Connects and joins a device of `grant` as `conn`.
pub(in crate::sync::server) fn device(
    server: &mut SyncServer,
    store: &mut MemoryStore,
    conn: ConnId,
    grant: Grant,
) -> SyncClient {
    let mut client = SyncClient::new(format!("device-{conn}"));
    server.connect(conn, grant);
    let effects = server.receive(conn, &client.join(), store);
    let Some(Effect::Send(_, peer)) = effects.last() else {
        panic!("joined")
    };
    for inbound in client.decode(peer) {
        inbound.unwrap();
    }
    client
}

/// Asks for customer `id` from nothing, as a new device does; what comes back.
fn ask(
    server: &mut SyncServer,
    store: &mut MemoryStore,
    conn: ConnId,
    client: &mut SyncClient,
    id: &str,
) -> Vec<Inbound> {
    let mut slot = DocSlot::awaited();
    let effects = push(server, store, conn, client, id, &mut slot);
    heard(client, &effects, conn)
}

/// What `conn`'s device makes of `effects`.
fn heard(client: &mut SyncClient, effects: &[Effect], conn: ConnId) -> Vec<Inbound> {
    (sends(effects, conn).iter())
        .flat_map(|m| client.decode(&m.encode()))
        .filter_map(Result::ok)
        .collect()
}

fn told_to_drop(heard: &[Inbound]) -> bool {
    heard
        .iter()
        .any(|i| matches!(i, Inbound::OutOfScope { .. }))
}

/// Whether changes of the document came.
fn got(heard: &[Inbound]) -> bool {
    (heard.iter())
        .any(|i| matches!(i, Inbound::Sync { message, .. } if !message.changes.is_empty()))
}

#[test]
fn a_salesperson_gets_only_their_own_customers_in_a_scoped_workspace() {
    scoped_to(ReadScope::Own);
    // Listed: the rest of the list is rows, masked; documents are still theirs only.
    scoped_to(ReadScope::Listed);
}

fn scoped_to(scope: ReadScope) {
    let (mut store, zhang_s, chen_s) = workspace(Some(scope));
    let mut server = SyncServer::new("edge", 50, []);
    server.set_time(NOW);
    let mut zhang = device(&mut server, &mut store, 1, sales("sales-zhang"));
    let own = ask(&mut server, &mut store, 1, &mut zhang, &zhang_s);
    assert!(got(&own) && !told_to_drop(&own));
    let foreign = ask(&mut server, &mut store, 1, &mut zhang, &chen_s);
    assert!(!got(&foreign), "nothing of Chen's customer");
    assert!(told_to_drop(&foreign));
    // A manager gets both.
    let mut manager = device(&mut server, &mut store, 2, grant(Role::Manager));
    assert!(got(&ask(&mut server, &mut store, 2, &mut manager, &chen_s)));
    // Without the setting, everyone gets everything (workspaces from before it).
    let (mut store, _, chen_s) = workspace(None);
    let mut server = SyncServer::new("edge", 50, []);
    let mut zhang = device(&mut server, &mut store, 1, sales("sales-zhang"));
    assert!(got(&ask(&mut server, &mut store, 1, &mut zhang, &chen_s)));
}

#[test]
fn an_offered_copy_of_a_foreign_customer_is_answered_with_drop_it_and_not_merged() {
    let (mut store, _, chen_s) = workspace(Some(ReadScope::Own));
    let before = store.docs[&chen_s].clone();
    let mut server = SyncServer::new("edge", 50, []);
    server.set_time(NOW);
    let mut zhang = device(&mut server, &mut store, 1, sales("sales-zhang"));
    // A copy kept from before the scope, edited offline.
    let mut slot = DocSlot::known(Replica::load(&chen_s, &before.snapshot).unwrap());
    if let Some(Replica::Customer(doc)) = slot.replica_mut() {
        doc.edit_profile(
            ProfileEdit::Company("改名".into()),
            &crate::document::Stamp::new("sales-zhang", NOW),
        )
        .unwrap();
    }
    let effects = push(&mut server, &mut store, 1, &mut zhang, &chen_s, &mut slot);
    let heard = heard(&mut zhang, &effects, 1);
    assert!(told_to_drop(&heard));
    assert!(
        !heard.iter().any(|i| matches!(i, Inbound::Sync { .. })),
        "no sync of it"
    );
    assert_eq!(
        store.docs[&chen_s], before,
        "nothing of the offline edit stored"
    );
}

#[test]
fn a_reassignment_moves_the_customer_between_salespeoples_devices() {
    let (mut store, zhang_s, _) = workspace(Some(ReadScope::Own));
    let mut server = SyncServer::new("edge", 50, []);
    server.set_time(NOW);
    let mut zhang = device(&mut server, &mut store, 1, sales("sales-zhang"));
    assert!(got(&ask(&mut server, &mut store, 1, &mut zhang, &zhang_s)));
    let _chen = device(&mut server, &mut store, 2, sales("sales-chen"));
    let mut manager = device(&mut server, &mut store, 3, grant(Role::Manager));
    let stored = &store.docs[&zhang_s];
    let mut slot = DocSlot::known(Replica::load(&zhang_s, &stored.snapshot).unwrap());
    push(
        &mut server,
        &mut store,
        3,
        &mut manager,
        &zhang_s,
        &mut slot,
    );
    if let Some(Replica::Customer(doc)) = slot.replica_mut() {
        let stamp = crate::document::Stamp::new("manager", NOW);
        doc.hand_over("sales-zhang", "sales-chen", &stamp).unwrap();
    }
    let mut effects = push(
        &mut server,
        &mut store,
        3,
        &mut manager,
        &zhang_s,
        &mut slot,
    );
    effects.extend(server.flush());
    let to_zhang = heard(&mut zhang, &effects, 1);
    assert!(told_to_drop(&to_zhang), "Zhang's devices drop it");
    assert!(!to_zhang.iter().any(|i| matches!(i, Inbound::Sync { .. })));
    assert!(
        sends(&effects, 2)
            .iter()
            .any(|m| matches!(m, RepoMessage::Sync(_))),
        "Chen's devices are offered it"
    );
}

#[test]
fn a_scope_change_sends_salespeople_to_reconnect() {
    let (mut store, _, _) = workspace(None);
    let mut server = SyncServer::new("edge", 50, []);
    server.set_time(NOW);
    let _zhang = device(&mut server, &mut store, 1, sales("sales-zhang"));
    let _manager = device(&mut server, &mut store, 2, grant(Role::Manager));
    let mut admin = device(&mut server, &mut store, 3, grant(Role::Admin));
    let stored = &store.docs[WORKSPACE_DOC_ID];
    let mut ws = DocSlot::known(Replica::load(WORKSPACE_DOC_ID, &stored.snapshot).unwrap());
    if let Some(Replica::Workspace(doc)) = ws.replica_mut() {
        doc.set_read_scope(ReadScope::Own).unwrap();
    }
    let effects = push(
        &mut server,
        &mut store,
        3,
        &mut admin,
        WORKSPACE_DOC_ID,
        &mut ws,
    );
    let closes: Vec<_> = (effects.iter())
        .filter_map(|e| match e {
            Effect::Close(conn, code, _) => Some((*conn, *code)),
            _ => None,
        })
        .collect();
    assert_eq!(closes, [(1, CLOSE_SCOPE_CHANGED)], "only the salesperson");
    let _ = closed(&effects);
}

/// `id` released to the pool in `store` (its owner cleared by a manager).
fn to_pool(store: &mut MemoryStore, id: &str) {
    let stored = store.docs[id].clone();
    let Ok(Replica::Customer(mut doc)) = Replica::load(id, &stored.snapshot) else {
        panic!("a customer")
    };
    let stamp = crate::document::Stamp::new("manager", NOW);
    doc.release_to_pool(&stamp).unwrap();
    store.docs.insert(
        id.to_owned(),
        Stored {
            snapshot: doc.save(),
            changes: vec![],
            heads: doc.heads(),
        },
    );
}

#[test]
fn of_two_claims_on_a_pool_customer_one_wins_and_the_claimer_is_offered_it() {
    let (mut store, _, chen_s) = workspace(Some(ReadScope::Own));
    to_pool(&mut store, &chen_s);
    let mut server = SyncServer::new("edge", 50, []);
    server.set_time(NOW);
    let mut zhang = device(&mut server, &mut store, 1, sales("sales-zhang"));
    // Before the claim: not Zhang's to read.
    assert!(told_to_drop(&ask(
        &mut server,
        &mut store,
        1,
        &mut zhang,
        &chen_s
    )));
    let won = server
        .claim(&sales("sales-zhang"), &chen_s, 0, NOW, &mut store)
        .unwrap();
    let effects = won.expect("the first claim wins");
    assert!(
        sends(&effects, 1)
            .iter()
            .any(|m| matches!(m, RepoMessage::Sync(_))),
        "offered"
    );
    let lost = server
        .claim(&sales("sales-chen"), &chen_s, 0, NOW, &mut store)
        .unwrap();
    assert_eq!(lost.unwrap_err(), ClaimRefusal::Owned("sales-zhang".into()));
    let audited: Vec<_> = (store.audit.iter())
        .filter(|e| e.doc_id == chen_s && e.paths == ["profile.owner"])
        .map(|e| e.member.as_str())
        .collect();
    assert_eq!(
        audited,
        ["sales-zhang"],
        "the claim, not the refused one, in the trail"
    );
    assert!(
        got(&ask(&mut server, &mut store, 1, &mut zhang, &chen_s)),
        "Zhang's now"
    );
}

#[test]
fn a_claim_beyond_the_teams_cap_is_refused() {
    let (mut store, _, chen_s) = workspace(Some(ReadScope::Own));
    to_pool(&mut store, &chen_s);
    let ws = store.docs[WORKSPACE_DOC_ID].clone();
    let Ok(Replica::Workspace(mut doc)) = Replica::load(WORKSPACE_DOC_ID, &ws.snapshot) else {
        panic!("the workspace")
    };
    doc.set_pool_cap(Some(5)).unwrap();
    let heads = doc.heads();
    store.docs.insert(
        WORKSPACE_DOC_ID.to_owned(),
        Stored {
            snapshot: doc.save(),
            changes: vec![],
            heads,
        },
    );
    let mut server = SyncServer::new("edge", 50, []);
    let refused = server
        .claim(&sales("sales-zhang"), &chen_s, 5, NOW, &mut store)
        .unwrap();
    assert_eq!(refused.unwrap_err(), ClaimRefusal::Cap(5));
    assert!(
        server
            .claim(&sales("sales-zhang"), &chen_s, 4, NOW, &mut store)
            .unwrap()
            .is_ok()
    );
}
