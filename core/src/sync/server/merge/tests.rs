//! Merges at the server: the survivor gets what the duplicate holds, then what a device that
//! edited the duplicate offline brings later; only managers and admins merge; an unmerge
//! takes it all out again.

use super::super::limits::tests::push;
use super::super::scope::tests::{device, sales, workspace};
use super::super::tests::{NOW, grant, sends};
use super::super::*;
use crate::customer::{Channel, Direction, NewInteraction};
use crate::document::Stamp;
use crate::id::Id;
use crate::values::DAY_MS;
use crate::workspace::Role;

/// Customer `id` as the store holds it.
fn stored(store: &MemoryStore, id: &str) -> crate::CustomerDoc {
    let s = &store.docs[id];
    match Replica::restore(id, &s.snapshot, &s.changes).unwrap() {
        Replica::Customer(doc) => doc,
        Replica::Workspace(_) => panic!("a customer"),
    }
}

/// A device's copy of customer `id`, synced with the server over `conn`.
fn copy(
    server: &mut SyncServer,
    store: &mut MemoryStore,
    conn: ConnId,
    client: &mut SyncClient,
    id: &str,
) -> DocSlot {
    let s = &store.docs[id];
    let mut slot = DocSlot::known(Replica::restore(id, &s.snapshot, &s.changes).unwrap());
    push(server, store, conn, client, id, &mut slot);
    slot
}

fn edit(slot: &mut DocSlot, op: impl FnOnce(&mut crate::CustomerDoc)) {
    match slot.replica_mut() {
        Some(Replica::Customer(doc)) => op(doc),
        _ => panic!("a customer"),
    }
}

use crate::sync::client::SyncClient;
use crate::sync::memory_store::MemoryStore;

#[test]
fn a_merge_reaches_the_survivor_and_so_does_an_offline_edit_and_an_unmerge_undoes_it() {
    let (mut store, zhang_s, chen_s) = workspace(None);
    let mut server = SyncServer::new("edge", 50, []);
    server.set_time(NOW);
    let mut manager = device(&mut server, &mut store, 1, grant(Role::Manager));
    let mut zhang = device(&mut server, &mut store, 2, sales("sales-zhang"));
    let mut zhang_copy = copy(&mut server, &mut store, 2, &mut zhang, &zhang_s);
    let theirs: Vec<String> = stored(&store, &zhang_s)
        .customer()
        .unwrap()
        .interactions
        .into_keys()
        .collect();
    assert!(!theirs.is_empty());

    // The manager merges Zhang's customer into Chen's, the survivor taking Zhang as owner.
    let mut merging = copy(&mut server, &mut store, 1, &mut manager, &zhang_s);
    let into = Id::parse(&chen_s).unwrap();
    edit(&mut merging, |doc| {
        doc.merge_into(&into, &["owner"], &Stamp::new("manager", NOW))
            .unwrap()
    });
    let mut effects = push(
        &mut server,
        &mut store,
        1,
        &mut manager,
        &zhang_s,
        &mut merging,
    );
    effects.extend(server.flush());
    let survivor = stored(&store, &chen_s).customer().unwrap();
    assert!(theirs.iter().all(|i| survivor.interactions.contains_key(i)));
    assert_eq!(survivor.profile.owner, "sales-zhang");
    let chen_doc = RepoDocId::from_local(&chen_s).unwrap();
    let told = |conn| {
        sends(&effects, conn)
            .iter()
            .any(|m| matches!(m, RepoMessage::Sync(s) if s.document_id == chen_doc))
    };
    assert!(told(1) && told(2), "both devices are sent the survivor");
    assert_eq!(
        store.rows[&zhang_s].row.merged_into.as_ref().map(|m| &m.0),
        Some(&chen_s)
    );

    // Zhang, offline since before the merge, logged a visit on his copy; it syncs now.
    edit(&mut zhang_copy, |doc| {
        let visit = NewInteraction {
            channel: Channel::Visit,
            direction: Direction::Outbound,
            at: NOW,
            summary: "上门拜访".into(),
            deal_id: None,
        };
        let by = Stamp::new("sales-zhang", NOW + 1);
        doc.add_interaction(&Id::parse("offline-visit").unwrap(), visit, &by)
            .unwrap();
    });
    push(
        &mut server,
        &mut store,
        2,
        &mut zhang,
        &zhang_s,
        &mut zhang_copy,
    );
    let survivor = stored(&store, &chen_s).customer().unwrap();
    assert!(survivor.interactions.contains_key("offline-visit"));
    // Told of the merge, he tries to undo it himself: put back.
    edit(&mut zhang_copy, |doc| {
        doc.unmerge(&Stamp::new("sales-zhang", NOW + 2)).unwrap()
    });
    push(
        &mut server,
        &mut store,
        2,
        &mut zhang,
        &zhang_s,
        &mut zhang_copy,
    );
    assert_eq!(
        stored(&store, &zhang_s).merged_into().as_deref(),
        Some(chen_s.as_str()),
        "a salesperson's unmerge is put back"
    );

    // The manager unmerges a day later: the survivor is as it was, the duplicate whole.
    let mut merging = copy(&mut server, &mut store, 1, &mut manager, &zhang_s);
    edit(&mut merging, |doc| {
        doc.unmerge(&Stamp::new("manager", NOW + DAY_MS)).unwrap()
    });
    push(
        &mut server,
        &mut store,
        1,
        &mut manager,
        &zhang_s,
        &mut merging,
    );
    let survivor = stored(&store, &chen_s).customer().unwrap();
    assert!(
        !survivor
            .interactions
            .keys()
            .any(|i| theirs.contains(i) || i == "offline-visit")
    );
    assert_eq!(survivor.profile.owner, "sales-chen");
    let duplicate = stored(&store, &zhang_s).customer().unwrap();
    assert!(duplicate.interactions.contains_key("offline-visit"));
    assert!(store.rows[&zhang_s].row.live());
}

#[test]
fn a_salesperson_cannot_merge() {
    let (mut store, zhang_s, chen_s) = workspace(None);
    let mut server = SyncServer::new("edge", 50, []);
    server.set_time(NOW);
    let mut zhang = device(&mut server, &mut store, 1, sales("sales-zhang"));
    let mut own = copy(&mut server, &mut store, 1, &mut zhang, &zhang_s);
    let into = Id::parse(&chen_s).unwrap();
    edit(&mut own, |doc| {
        doc.merge_into(&into, &[], &Stamp::new("sales-zhang", NOW))
            .unwrap()
    });
    push(&mut server, &mut store, 1, &mut zhang, &zhang_s, &mut own);
    assert_eq!(stored(&store, &zhang_s).merged_into(), None);
    assert!(stored(&store, &chen_s).merge_record(&zhang_s).is_none());
}

#[test]
fn two_customers_merged_into_each_other_offline_leave_one_of_them_in_the_list() {
    for first in [0, 1] {
        let (mut store, zhang_s, chen_s) = workspace(None);
        let mut server = SyncServer::new("edge", 50, []);
        server.set_time(NOW);
        let mut a = device(&mut server, &mut store, 1, grant(Role::Manager));
        let mut b = device(&mut server, &mut store, 2, grant(Role::Admin));
        // Both copies taken before either merge reaches the edge.
        let mut a_copy = copy(&mut server, &mut store, 1, &mut a, &zhang_s);
        let mut b_copy = copy(&mut server, &mut store, 2, &mut b, &chen_s);
        let (into_chen, into_zhang) = (Id::parse(&chen_s).unwrap(), Id::parse(&zhang_s).unwrap());
        edit(&mut a_copy, |doc| {
            doc.merge_into(&into_chen, &[], &Stamp::new("manager", NOW))
                .unwrap()
        });
        edit(&mut b_copy, |doc| {
            doc.merge_into(&into_zhang, &[], &Stamp::new("admin", NOW))
                .unwrap()
        });
        let mut pushes = [
            (1, &mut a, zhang_s.clone(), &mut a_copy),
            (2, &mut b, chen_s.clone(), &mut b_copy),
        ];
        if first == 1 {
            pushes.swap(0, 1);
        }
        for (conn, client, id, slot) in pushes {
            push(&mut server, &mut store, conn, client, &id, slot);
        }
        let live: Vec<&String> = [&zhang_s, &chen_s]
            .into_iter()
            .filter(|id| store.rows[*id].row.live())
            .collect();
        assert_eq!(live.len(), 1, "first push {first}: one stays listed");
        // The one that stands is the merge that reached the edge first.
        let survivor = if first == 0 { &chen_s } else { &zhang_s };
        assert_eq!(live, [survivor]);
    }
}
