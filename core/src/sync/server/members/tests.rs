//! The team at the server: role changes close sockets to renew, invitations register members
//! (a new workspace's first admin included).

use super::super::limits::tests::{closed, push};
use super::super::tests::{NOW, grant, joined_as, sends};
use super::super::*;
use crate::document::CrmDocument;
use crate::replica::WORKSPACE_DOC_ID;
use crate::rules::Language;
use crate::sync::client::SyncClient;
use crate::sync::memory_store::MemoryStore;
use crate::token::Invitation;
use crate::workspace::{Role, RuleBook, Standing};
use crate::{WorkspaceDoc, demo};

fn workspace_of(slot: &mut DocSlot) -> &mut WorkspaceDoc {
    match slot.replica_mut() {
        Some(Replica::Workspace(doc)) => doc,
        _ => panic!("the workspace"),
    }
}

fn invitation(member: &str, role: Role) -> Invitation {
    Invitation {
        workspace: "demo".into(),
        id: format!("inv-{member}"),
        member: member.into(),
        name: "吴磊 Wu Lei".into(),
        role,
        expires_at: NOW + 1_000,
        invited_by: "admin".into(),
        invited_at: NOW,
    }
}

#[test]
fn a_member_given_another_role_is_closed_to_renew_and_rejoins_with_it() {
    let mut store = MemoryStore::with(demo::saved_workspace(0, NOW));
    let mut server = SyncServer::new("edge", 10, []);
    server.set_time(NOW);
    joined_as(&mut server, &mut store, 1, Role::Manager);
    let mut admin = joined_as(&mut server, &mut store, 2, Role::Admin);
    let stored = &store.docs[WORKSPACE_DOC_ID];
    let mut ws = DocSlot::known(Replica::load(WORKSPACE_DOC_ID, &stored.snapshot).unwrap());
    push(
        &mut server,
        &mut store,
        2,
        &mut admin,
        WORKSPACE_DOC_ID,
        &mut ws,
    );
    workspace_of(&mut ws)
        .set_member_role("manager", Role::Sales)
        .unwrap();
    let effects = push(
        &mut server,
        &mut store,
        2,
        &mut admin,
        WORKSPACE_DOC_ID,
        &mut ws,
    );
    let closes: Vec<_> = effects
        .iter()
        .filter(|e| matches!(e, Effect::Close(..)))
        .collect();
    assert_eq!(
        closes,
        [&Effect::Close(
            1,
            CLOSE_ROLE_CHANGED,
            super::ROLE_CHANGED.into()
        )]
    );
    assert_eq!(
        server.standing("manager", &mut store),
        Ok(Standing::Active(Role::Sales))
    );
    // The old token is refused at join; the renewed one (the new role) joins.
    server.connect(3, grant(Role::Manager));
    let effects = server.receive(3, &SyncClient::new("device-3").join(), &mut store);
    assert_eq!(closed(&effects), Some(CLOSE_ROLE_CHANGED));
    let renewed = Grant {
        member: "manager".into(),
        ..grant(Role::Sales)
    };
    server.connect(4, renewed);
    let effects = server.receive(4, &SyncClient::new("device-4").join(), &mut store);
    assert_eq!(closed(&effects), None);
}

#[test]
fn a_first_admin_starts_a_new_workspace_with_the_default_rules() {
    let mut store = MemoryStore::default();
    let mut server = SyncServer::new("edge", 10, []);
    server.set_time(NOW);
    server.set_defaults(RuleBook::defaults(Language::Zh));
    assert_eq!(server.standing("owner", &mut store), Ok(Standing::Unlisted));
    server
        .welcome(&invitation("owner", Role::Admin), NOW, &mut store)
        .unwrap();
    assert_eq!(
        server.standing("owner", &mut store),
        Ok(Standing::Active(Role::Admin))
    );
    // What is stored is a workspace every device shares the genesis of.
    let stored = &store.docs[WORKSPACE_DOC_ID];
    let mut restored = Replica::restore(WORKSPACE_DOC_ID, &stored.snapshot, &stored.changes);
    let Ok(Replica::Workspace(doc)) = &mut restored else {
        panic!("a workspace")
    };
    let settings = doc.settings().unwrap();
    assert_eq!(settings.members["owner"].name, "吴磊 Wu Lei");
    assert_eq!(settings.members["owner"].joined_at, NOW);
    assert!(!doc.rule_book().is_empty());
    assert_eq!(settings.read_scope, Some(crate::workspace::ReadScope::Own));
    // A device that started the same workspace offline keeps both teams' entries.
    let mut offline = WorkspaceDoc::new();
    let id = crate::Id::parse("offline").unwrap();
    (offline.add_member(
        &id,
        "赵六",
        Role::Sales,
        &crate::document::Stamp::new("x", 1),
    ))
    .unwrap();
    offline.merge(doc).unwrap();
    assert_eq!(offline.settings().unwrap().members.len(), 2);
}

#[test]
fn a_welcomed_member_reaches_every_joined_device_once() {
    let mut store = MemoryStore::with(demo::saved_workspace(0, NOW));
    let mut server = SyncServer::new("edge", 10, []);
    server.set_time(NOW);
    let mut manager = joined_as(&mut server, &mut store, 1, Role::Manager);
    let stored = &store.docs[WORKSPACE_DOC_ID];
    let mut ws = DocSlot::known(Replica::load(WORKSPACE_DOC_ID, &stored.snapshot).unwrap());
    push(
        &mut server,
        &mut store,
        1,
        &mut manager,
        WORKSPACE_DOC_ID,
        &mut ws,
    );
    let effects = server
        .welcome(&invitation("m-wu", Role::Sales), NOW, &mut store)
        .unwrap();
    assert!(!sends(&effects, 1).is_empty());
    for reply in sends(&effects, 1) {
        if let RepoMessage::Sync(m) = reply {
            let message = automerge::sync::Message::decode(&m.data).unwrap();
            manager.apply(WORKSPACE_DOC_ID, &mut ws, message).unwrap();
        }
    }
    push(
        &mut server,
        &mut store,
        1,
        &mut manager,
        WORKSPACE_DOC_ID,
        &mut ws,
    );
    let members = workspace_of(&mut ws).settings().unwrap().members;
    assert_eq!(members["m-wu"].role, Role::Sales);
    assert!(members["m-wu"].active);
    // The same member again changes nothing.
    let again = server
        .welcome(&invitation("m-wu", Role::Admin), NOW, &mut store)
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(
        server.standing("m-wu", &mut store),
        Ok(Standing::Active(Role::Sales))
    );
}
