//! The server's limits and refusals as a hostile device meets them: creating what it may not,
//! beyond the quota or a document's size, inflation bombs, ephemeral spoofing and floods, an
//! expired token on an open socket, a deactivated member — and an honest device told what was
//! put back.

use automerge::sync::ChunkList;

use super::super::tests::{NOW, grant, joined_as, sends};
use super::super::*;
use crate::audit::Decision;
use crate::customer::{
    Channel, Direction, Lifecycle, NewCustomer, NewInteraction, ProfileEdit, Source,
};
use crate::document::{CrmDocument, Stamp};
use crate::id::Id;
use crate::replica::WORKSPACE_DOC_ID;
use crate::sync::client::{Inbound, SyncClient};
use crate::sync::memory_store::MemoryStore;
use crate::sync::presence::Presence;
use crate::workspace::Role;
use crate::{CustomerDoc, demo};

const CUSTOMER: &str = "0123456789abcdef0123456789abcdef";
const OTHER: &str = "fedcba9876543210fedcba9876543210";

fn customer(owner: &str) -> DocSlot {
    let new = NewCustomer {
        name: "周芳".into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: owner.into(),
        source: Source::Referral,
        lifecycle: Lifecycle::Lead,
    };
    let id = Id::parse(CUSTOMER).unwrap();
    let doc = CustomerDoc::create(&id, new, &Stamp::new("sales", 1)).unwrap();
    DocSlot::known(Replica::Customer(doc))
}

fn doc(slot: &mut DocSlot) -> &mut CustomerDoc {
    match slot.replica_mut() {
        Some(Replica::Customer(doc)) => doc,
        _ => panic!("a customer"),
    }
}

/// Syncs `doc_id` from the device on `conn` until it has nothing more to say or the server
/// closes the socket; every effect the server returned.
pub(in crate::sync::server) fn push(
    server: &mut SyncServer,
    store: &mut MemoryStore,
    conn: ConnId,
    client: &mut SyncClient,
    doc_id: &str,
    slot: &mut DocSlot,
) -> Vec<Effect> {
    let mut all = Vec::new();
    for _ in 0..8 {
        let Some(frame) = client.outgoing(doc_id, slot) else {
            break;
        };
        let effects = server.receive(conn, &frame, store);
        all.extend(effects.iter().cloned());
        if closed(&effects).is_some() {
            break;
        }
        for reply in sends(&effects, conn) {
            if let RepoMessage::Sync(m) = reply {
                let message = automerge::sync::Message::decode(&m.data).unwrap();
                client.apply(doc_id, slot, message).unwrap();
            }
        }
    }
    all
}

pub(in crate::sync::server) fn closed(effects: &[Effect]) -> Option<u16> {
    effects.iter().find_map(|e| match e {
        Effect::Close(_, code, _) => Some(*code),
        _ => None,
    })
}

fn server() -> (SyncServer, MemoryStore) {
    let mut server = SyncServer::new("edge", 10, []);
    server.set_time(NOW);
    (server, MemoryStore::with(demo::saved_workspace(0, NOW)))
}

#[test]
fn a_salesperson_creates_only_customers_of_their_own() {
    let (mut server, mut store) = server();
    let mut client = joined_as(&mut server, &mut store, 1, Role::Sales);
    let effects = push(
        &mut server,
        &mut store,
        1,
        &mut client,
        CUSTOMER,
        &mut customer("admin"),
    );
    assert_eq!(closed(&effects), Some(CLOSE_POLICY));
    assert!(
        !store.docs.contains_key(CUSTOMER),
        "nothing of it is stored"
    );
    assert_eq!(server.loaded(), 0, "nor kept in memory");
    let refused = store.audit.last().unwrap();
    assert_eq!(
        (refused.member.as_str(), refused.role),
        ("sales", Role::Sales)
    );
    assert!(
        matches!(&refused.decision, Decision::Refused { reason } if reason.contains("profile.owner"))
    );
    assert!(refused.created && refused.paths.is_empty());

    let mut client = joined_as(&mut server, &mut store, 2, Role::Sales);
    let effects = push(
        &mut server,
        &mut store,
        2,
        &mut client,
        CUSTOMER,
        &mut customer("sales"),
    );
    assert_eq!(closed(&effects), None, "{effects:?}");
    assert!(store.docs.contains_key(CUSTOMER));
}

#[test]
fn documents_beyond_the_quota_are_refused() {
    let (mut server, mut store) = server();
    server.limits.documents = 2;
    let mut client = joined_as(&mut server, &mut store, 1, Role::Admin);
    let effects = push(
        &mut server,
        &mut store,
        1,
        &mut client,
        CUSTOMER,
        &mut customer("sales"),
    );
    assert_eq!(closed(&effects), None, "the workspace and one customer fit");
    let mut client = joined_as(&mut server, &mut store, 2, Role::Admin);
    let other = OTHER;
    let mut slot = customer("sales");
    doc(&mut slot)
        .edit_profile(ProfileEdit::Name("另一位".into()), &Stamp::new("admin", 2))
        .unwrap();
    // Under another id: a fresh document with the same content.
    let mut copy = doc(&mut slot).automerge().clone();
    automerge::transaction::Transactable::put(&mut copy, automerge::ROOT, "id", other).unwrap();
    copy.commit();
    let mut slot = DocSlot::known(Replica::Customer(
        CustomerDoc::from_automerge(copy).unwrap(),
    ));
    let effects = push(&mut server, &mut store, 2, &mut client, other, &mut slot);
    assert_eq!(closed(&effects), Some(CLOSE_POLICY));
    assert_eq!(store.docs.len(), 2);
}

#[test]
fn invalid_entries_and_foreign_ids_are_refused_naming_the_field() {
    let (mut server, mut store) = server();
    let mut client = joined_as(&mut server, &mut store, 1, Role::Admin);
    let mut slot = customer("sales");
    push(&mut server, &mut store, 1, &mut client, CUSTOMER, &mut slot);
    let stored = store.docs[CUSTOMER].clone();

    let mut long = doc(&mut slot).automerge().clone();
    let notes = match automerge::ReadDoc::get(&long, automerge::ROOT, "notes") {
        Ok(Some((_, notes))) => notes,
        _ => panic!("notes"),
    };
    let text = "很长".repeat(12_000);
    automerge::transaction::Transactable::splice_text(&mut long, &notes, 0, 0, &text).unwrap();
    long.commit();
    let mut long = DocSlot::known(Replica::Customer(
        CustomerDoc::from_automerge(long).unwrap(),
    ));
    let effects = push(&mut server, &mut store, 1, &mut client, CUSTOMER, &mut long);
    assert_eq!(closed(&effects), Some(CLOSE_POLICY));
    let reason = effects.iter().find_map(|e| match e {
        Effect::Close(_, _, reason) => Some(reason.clone()),
        _ => None,
    });
    assert!(reason.unwrap().contains("notes: 24000 characters"));
    assert_eq!(store.docs[CUSTOMER], stored, "nothing stored");

    // The same customer offered under another document id.
    let mut client = joined_as(&mut server, &mut store, 2, Role::Admin);
    let effects = push(
        &mut server,
        &mut store,
        2,
        &mut client,
        OTHER,
        &mut customer("sales"),
    );
    assert_eq!(closed(&effects), Some(CLOSE_POLICY));
    assert!(!store.docs.contains_key(OTHER));
}

#[test]
fn a_customer_growing_beyond_its_size_is_refused_and_forgotten() {
    let (mut server, mut store) = server();
    server.limits.customer_bytes = 6_000;
    let mut client = joined_as(&mut server, &mut store, 1, Role::Admin);
    let mut slot = customer("sales");
    push(&mut server, &mut store, 1, &mut client, CUSTOMER, &mut slot);
    let stored = store.docs[CUSTOMER].clone();
    for n in 0..40 {
        let call = NewInteraction {
            channel: Channel::Call,
            direction: Direction::Outbound,
            at: n,
            summary: format!("第 {n} 次电话：{}", "详细记录".repeat(20)),
            deal_id: None,
        };
        let id = Id::parse(&format!("i{n}")).unwrap();
        doc(&mut slot)
            .add_interaction(&id, call, &Stamp::new("admin", n))
            .unwrap();
    }
    let effects = push(&mut server, &mut store, 1, &mut client, CUSTOMER, &mut slot);
    assert_eq!(closed(&effects), Some(CLOSE_POLICY));
    assert_eq!(store.docs[CUSTOMER], stored);
    // Another device sees the customer as stored, not as the refused change left it.
    let mut other = joined_as(&mut server, &mut store, 2, Role::Admin);
    let mut copy = DocSlot::awaited();
    push(&mut server, &mut store, 2, &mut other, CUSTOMER, &mut copy);
    let copy = copy.loaded(CUSTOMER).unwrap().unwrap();
    assert!(copy.summary().unwrap().row.last_interaction.is_none());
}

#[test]
fn inflation_bombs_close_the_socket_before_inflating() {
    let (mut server, mut store) = server();
    server.limits.inflated_bytes = 1 << 20;
    let mut client = joined_as(&mut server, &mut store, 1, Role::Admin);
    let frame = client.outgoing(CUSTOMER, &mut customer("sales")).unwrap();
    let (RepoMessage::Request(mut m) | RepoMessage::Sync(mut m)) =
        RepoMessage::decode(&frame).unwrap()
    else {
        panic!("a sync message")
    };
    // A compressed change chunk whose 20 KB inflate to 20 MB.
    let mut deflated = Vec::new();
    {
        use std::io::Write;
        let mut encoder =
            flate2::write::DeflateEncoder::new(&mut deflated, flate2::Compression::best());
        encoder.write_all(&vec![0u8; 20 << 20]).unwrap();
        encoder.finish().unwrap();
    }
    let mut bomb = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    let mut len = deflated.len();
    while len >= 0x80 {
        bomb.push((len as u8 & 0x7f) | 0x80);
        len >>= 7;
    }
    bomb.push(len as u8);
    bomb.extend(&deflated);
    let mut message = automerge::sync::Message::decode(&m.data).unwrap();
    message.changes = ChunkList::from(vec![bomb]);
    m.data = message.encode();
    let effects = server.receive(1, &RepoMessage::Sync(m).encode(), &mut store);
    assert_eq!(closed(&effects), Some(CLOSE_TOO_BIG));
    let recorded = store.audit.last().expect("the refusal recorded");
    assert!(
        matches!(&recorded.decision, Decision::Refused { reason } if reason.contains("inflate"))
    );
}

#[test]
fn ephemeral_messages_only_as_oneself_small_and_not_flooding() {
    let (mut server, mut store) = server();
    let _a = joined_as(&mut server, &mut store, 1, Role::Sales);
    let _b = joined_as(&mut server, &mut store, 2, Role::Sales);
    let ephemeral = |sender: &str, data: Vec<u8>| {
        RepoMessage::Ephemeral {
            sender_id: sender.into(),
            target_id: "edge".into(),
            count: 1,
            session_id: "s".into(),
            document_id: RepoDocId::from_local(CUSTOMER).unwrap(),
            data,
        }
        .encode()
    };
    let relayed = server.receive(1, &ephemeral("device-1", vec![1]), &mut store);
    assert_eq!(sends(&relayed, 2).len(), 1, "relayed to the other device");
    let spoofed = server.receive(1, &ephemeral("device-2", vec![1]), &mut store);
    assert_eq!(closed(&spoofed), Some(CLOSE_INVALID));
    // A presence goes out under the token's member only.
    let presence = |member: &str| {
        let p = Presence {
            member: member.into(),
            card: "notes".into(),
            cursor: Some(3),
        };
        ephemeral("device-2", p.encode())
    };
    let own = server.receive(2, &presence("sales"), &mut store);
    assert_eq!(
        sends(&own, 1).len(),
        0,
        "not to a device that never spoke presence"
    );
    let hello = |sender: &str| ephemeral(sender, Presence::left("sales").encode());
    server.receive(1, &hello("device-1"), &mut store);
    let own = server.receive(2, &presence("sales"), &mut store);
    assert_eq!(sends(&own, 1).len(), 1, "relayed to one that does");
    let posing = server.receive(2, &presence("admin"), &mut store);
    assert!(
        posing.is_empty(),
        "a presence in another member's name is dropped"
    );

    let _c = joined_as(&mut server, &mut store, 3, Role::Sales);
    let big = server.receive(3, &ephemeral("device-3", vec![0; 5 << 10]), &mut store);
    assert_eq!(closed(&big), Some(CLOSE_TOO_BIG));

    let _d = joined_as(&mut server, &mut store, 4, Role::Sales);
    let relayed: usize = (0..100)
        .map(|_| {
            sends(
                &server.receive(4, &ephemeral("device-4", vec![1]), &mut store),
                2,
            )
            .len()
        })
        .sum();
    assert_eq!(relayed, 20, "20 a second are relayed, the rest dropped");
}

#[test]
fn an_expired_token_closes_its_open_socket() {
    let (mut server, mut store) = server();
    let client = SyncClient::new("device-1");
    let mut expiring = grant(Role::Sales);
    expiring.expires_at = NOW + 1_000;
    server.connect(1, expiring);
    let effects = server.receive(1, &client.join(), &mut store);
    assert_eq!(closed(&effects), None);
    server.set_time(NOW + 1_000);
    let effects = server.receive(1, &client.join(), &mut store);
    assert_eq!(closed(&effects), Some(CLOSE_EXPIRED));
}

#[test]
fn a_deactivated_member_is_closed_at_once_and_refused_after() {
    let (mut server, mut store) = server();
    let sales = SyncClient::new("device-1");
    let zhang = Grant {
        member: "sales-zhang".into(),
        ..grant(Role::Sales)
    };
    server.connect(1, zhang.clone());
    server.receive(1, &sales.join(), &mut store);
    let mut admin = joined_as(&mut server, &mut store, 2, Role::Admin);
    let stored = &store.docs[WORKSPACE_DOC_ID];
    let mut ws = DocSlot::known(Replica::load(WORKSPACE_DOC_ID, &stored.snapshot).unwrap());
    match ws.replica_mut() {
        Some(Replica::Workspace(doc)) => doc.deactivate_member("sales-zhang").unwrap(),
        _ => panic!("the workspace"),
    }
    let effects = push(
        &mut server,
        &mut store,
        2,
        &mut admin,
        WORKSPACE_DOC_ID,
        &mut ws,
    );
    assert!(effects.contains(&Effect::Close(
        1,
        CLOSE_DEACTIVATED,
        "this member was deactivated".into()
    )));
    server.disconnect(1);
    server.connect(3, zhang);
    let effects = server.receive(3, &SyncClient::new("device-3").join(), &mut store);
    assert_eq!(closed(&effects), Some(CLOSE_DEACTIVATED));
}

#[test]
fn a_device_hears_which_entries_were_put_back() {
    let (mut server, mut store) = server();
    let mut admin = joined_as(&mut server, &mut store, 1, Role::Admin);
    let mut slot = customer("sales");
    push(&mut server, &mut store, 1, &mut admin, CUSTOMER, &mut slot);
    let mut manager = joined_as(&mut server, &mut store, 2, Role::Manager);
    let mut copy = DocSlot::awaited();
    push(
        &mut server,
        &mut store,
        2,
        &mut manager,
        CUSTOMER,
        &mut copy,
    );
    let mut sales = SyncClient::new("device-3");
    server.connect(
        3,
        Grant {
            member: "sales-other".into(),
            ..grant(Role::Sales)
        },
    );
    for frame in server.receive(3, &sales.join(), &mut store) {
        if let Effect::Send(_, frame) = frame {
            for inbound in sales.decode(&frame) {
                inbound.unwrap();
            }
        }
    }
    let mut theirs = slot.clone();
    doc(&mut theirs)
        .edit_profile(
            ProfileEdit::Name("改名".into()),
            &Stamp::new("sales-other", 5),
        )
        .unwrap();
    let effects = push(
        &mut server,
        &mut store,
        3,
        &mut sales,
        CUSTOMER,
        &mut theirs,
    );
    let notices: Vec<Inbound> = (effects.iter())
        .flat_map(|e| match e {
            Effect::Send(3, frame) => sales.decode(frame),
            _ => Vec::new(),
        })
        .filter_map(Result::ok)
        .filter(|inbound| matches!(inbound, Inbound::Restored { .. }))
        .collect();
    let [Inbound::Restored { doc_id, notice }] = &notices[..] else {
        panic!("one notice, got {notices:?}")
    };
    assert_eq!(doc_id, CUSTOMER);
    assert!(
        notice
            .restored
            .iter()
            .any(|(path, _)| path == "profile.name")
    );
    assert!(
        sends(&effects, 2)
            .iter()
            .all(|m| !matches!(m, RepoMessage::Ephemeral { .. }))
    );
    // The audit trail: the admin's creation accepted, the salesperson's rename put back.
    let trail: Vec<(&str, &Decision)> = (store.audit.iter())
        .map(|e| (e.member.as_str(), &e.decision))
        .collect();
    assert_eq!(trail[0], ("admin", &Decision::Accepted));
    let (member, Decision::Restored { entries }) = trail.last().unwrap() else {
        panic!("the rename was put back: {trail:?}")
    };
    assert_eq!(*member, "sales-other");
    assert!(entries.iter().any(|(path, _)| path == "profile.name"));
}
