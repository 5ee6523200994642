use std::collections::BTreeMap;

use super::*;
use crate::customer::{Lifecycle, Source};
use crate::sync::RepoMessage;
use crate::sync::memory_store::MemoryStore;
use crate::sync::presence::Presence;
use crate::sync::server::{ConnId, Effect, SyncServer};
use crate::token::Grant;
use crate::workspace::Role;
use crate::{CrmDocument, demo};

pub(super) const NOW: i64 = 1_780_000_000_000;

pub(super) fn stamp() -> Stamp {
    Stamp::new("admin", NOW)
}

fn new_customer(name: &str) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: "admin".into(),
        source: Source::Referral,
        lifecycle: Lifecycle::Lead,
    }
}

/// A customer as storage keeps it after its first write.
fn stored_customer(id: &Id, name: &str) -> StoredDoc {
    let mut doc = CustomerDoc::create(id, new_customer(name), &stamp()).unwrap();
    StoredDoc {
        id: id.to_string(),
        snapshot: Some(doc.save()),
        heads: None,
        changes: Vec::new(),
    }
}

/// The messages `effects` send (however many a frame packs).
fn sends(effects: &[DeviceEffect]) -> usize {
    (effects.iter())
        .filter_map(|e| match e {
            DeviceEffect::Send(frame) => RepoMessage::decode_all(frame).ok(),
            _ => None,
        })
        .map(|messages| messages.len())
        .sum()
}

pub(super) fn writes(effects: &[DeviceEffect]) -> Vec<Persist> {
    (effects.iter())
        .filter_map(|e| match e {
            DeviceEffect::Write(persist) => Some((**persist).clone()),
            _ => None,
        })
        .collect()
}

/// A device started from `stored`, every document restored.
pub(super) fn started(stored: Vec<StoredDoc>) -> (DeviceRepo, Vec<DeviceEffect>) {
    let mut repo = DeviceRepo::new("phone", 1);
    repo.shelve(stored);
    // No row cache: documents kept unloaded are loaded to compute their rows.
    let mut effects = repo.cache_rows(Vec::new());
    effects.extend(repo.restore_first());
    loop {
        let (more_effects, more) = repo.restore_some(10);
        effects.extend(more_effects);
        if !more {
            break;
        }
    }
    effects.extend(repo.restored());
    (repo, effects)
}

/// Joins, then carries every frame between `repo` and `server` until quiet.
pub(super) fn settle(
    repo: &mut DeviceRepo,
    server: &mut SyncServer,
    store: &mut MemoryStore,
    conn: ConnId,
) {
    let join = repo.connected();
    exchange(repo, server, store, conn, join);
}

/// Carries out `pending` and everything that follows (writes committing at once) until quiet;
/// returns the device's other effects and the server's closes.
pub(super) fn exchange(
    repo: &mut DeviceRepo,
    server: &mut SyncServer,
    store: &mut MemoryStore,
    conn: ConnId,
    mut pending: Vec<DeviceEffect>,
) -> (Vec<DeviceEffect>, Vec<Effect>) {
    let (mut others, mut closes) = (Vec::new(), Vec::new());
    while !pending.is_empty() || repo.has_offers() {
        pending.extend(repo.pump(usize::MAX));
        for effect in std::mem::take(&mut pending) {
            match effect {
                DeviceEffect::Send(frame) => {
                    for answer in server.receive(conn, &frame, store) {
                        match answer {
                            Effect::Send(to, frame) if to == conn => {
                                pending.extend(repo.receive(&frame))
                            }
                            close @ Effect::Close(..) => closes.push(close),
                            _ => {}
                        }
                    }
                }
                DeviceEffect::Write(persist) => pending.extend(repo.written(persist.ticket)),
                DeviceEffect::FetchRows { .. } => pending.extend(repo.rows_page(None)),
                other => others.push(other),
            }
        }
    }
    (others, closes)
}

/// An edge holding a demo workspace of `customers`, keeping at most `max_loaded` documents in
/// memory, with an admin connected as connection 1.
pub(super) fn edge_with(customers: usize, max_loaded: usize) -> (SyncServer, MemoryStore) {
    let store = MemoryStore::with(demo::saved_workspace(customers, NOW));
    let mut server = SyncServer::new("edge", max_loaded, []);
    server.connect(
        1,
        Grant {
            workspace: "demo".into(),
            member: "admin".into(),
            role: Role::Admin,
            expires_at: i64::MAX,
        },
    );
    (server, store)
}

fn connected_device() -> (DeviceRepo, SyncServer, MemoryStore) {
    let (mut server, mut store) = edge_with(2, 10);
    let (mut repo, _) = started(Vec::new());
    settle(&mut repo, &mut server, &mut store, 1);
    (repo, server, store)
}

#[test]
fn an_edit_goes_to_the_edge_beside_its_write() {
    let (mut repo, _server, _store) = connected_device();
    let id = repo.customer_ids()[0].clone();
    let effects = repo
        .edit_customer(&id, &stamp(), |doc, stamp| doc.add_tag("vip", stamp))
        .unwrap();
    let send = effects
        .iter()
        .position(|e| matches!(e, DeviceEffect::Send(_)));
    let write = effects
        .iter()
        .position(|e| matches!(e, DeviceEffect::Write(_)));
    assert!(send < write, "sent first, not after the write: {effects:?}");
    let written = writes(&effects);
    assert_eq!(written.len(), 1);
    assert!(
        matches!(&written[0].writes[..], [Write::Append { row: Some(row), .. }] if row.row.id == id)
    );
    assert_eq!(repo.counts().unconfirmed, 1);
    let effects = repo.written(written[0].ticket);
    assert_eq!(sends(&effects), 0, "not offered again once stored");
    assert_eq!(repo.counts().unconfirmed, 1);
}

#[test]
fn a_customer_made_here_goes_to_the_edge_only_once_stored() {
    let (mut repo, _server, _store) = connected_device();
    let id = Id::random();
    let effects = repo
        .create_customer(&id, new_customer("周芳"), Vec::new(), &stamp())
        .unwrap();
    assert_eq!(sends(&effects), 0, "neither it nor its directory entry");
    // An edit of it, or of the workspace, before that write commits waits for it too.
    let edit = repo
        .edit_customer(id.as_str(), &stamp(), |doc, stamp| {
            doc.add_tag("vip", stamp)
        })
        .unwrap();
    let settings = repo.edit_workspace(|ws| ws.set_name("华东销售")).unwrap();
    assert_eq!(sends(&edit) + sends(&settings), 0);
    let mut sent = 0;
    for persist in [&effects, &edit, &settings]
        .into_iter()
        .flat_map(|e| writes(e))
    {
        sent += sends(&repo.written(persist.ticket));
    }
    assert!(
        sent >= 2,
        "the customer and the workspace, once stored: {sent}"
    );
}

#[test]
fn the_edge_confirming_an_edit_clears_the_count() {
    let (mut repo, mut server, mut store) = connected_device();
    let id = repo.customer_ids()[1].clone();
    let effects = repo
        .edit_customer(&id, &stamp(), |doc, stamp| doc.add_tag("vip", stamp))
        .unwrap();
    assert_eq!(repo.counts().unconfirmed, 1);
    exchange(&mut repo, &mut server, &mut store, 1, effects);
    assert_eq!(repo.counts().unconfirmed, 0);
    let stored = &store.docs[&id];
    let on_edge = Replica::restore(&id, &stored.snapshot, &stored.changes).unwrap();
    let Replica::Customer(doc) = on_edge else {
        panic!("a customer")
    };
    assert!(doc.customer().unwrap().tags.contains_key("vip"));
}

#[test]
fn appends_are_folded_into_a_snapshot_once_enough_committed() {
    let id = Id::random();
    let (mut repo, effects) = started(vec![stored_customer(&id, "王芳")]);
    for persist in writes(&effects) {
        repo.written(persist.ticket);
    }
    let mut compactions = Vec::new();
    for n in 0..COMPACT_AFTER + 3 {
        let effects = repo
            .edit_customer(id.as_str(), &stamp(), |doc, stamp| {
                doc.add_tag(&format!("t{n}"), stamp)
            })
            .unwrap();
        for persist in writes(&effects) {
            let after = writes(&repo.written(persist.ticket));
            compactions.extend(after);
        }
    }
    // One compaction, folding exactly the appends committed before it; it is still being
    // written, so no second one starts.
    assert_eq!(compactions.len(), 1);
    let [Write::Snapshot { folded, bytes, .. }] = &compactions[0].writes[..] else {
        panic!("a snapshot")
    };
    assert_eq!(folded.len(), COMPACT_AFTER);
    assert!(CustomerDoc::load(bytes).is_ok());
    repo.written(compactions[0].ticket);
    assert_eq!(
        repo.appended[id.as_str()].len(),
        3,
        "the later appends remain"
    );
}

#[test]
fn an_unreadable_document_is_handed_back_and_the_rest_restored() {
    let good = Id::random();
    let broken = StoredDoc {
        id: Id::random().to_string(),
        snapshot: Some(b"not automerge".to_vec()),
        heads: None,
        changes: vec![(7, b"nor this".to_vec())],
    };
    let (mut repo, effects) = started(vec![stored_customer(&good, "张伟"), broken.clone()]);
    let quarantined: Vec<&StoredDoc> = (effects.iter())
        .filter_map(|e| match e {
            DeviceEffect::Quarantine { stored, .. } => Some(stored),
            _ => None,
        })
        .collect();
    assert_eq!(quarantined, [&broken], "handed back whole, nothing lost");
    assert!(repo.customer(good.as_str()).is_some());
    assert_eq!(repo.customer_ids(), [good.to_string()]);
    assert_eq!(repo.rows().count(), 1);
}

#[test]
fn a_document_something_needs_is_restored_before_its_turn() {
    let ids: Vec<Id> = (0..5).map(|_| Id::random()).collect();
    let stored = ids.iter().map(|id| stored_customer(id, "李娜")).collect();
    let mut repo = DeviceRepo::new("phone", 1);
    repo.shelve(stored);
    repo.restore_first();
    let last = ids[4].as_str();
    let effects = repo
        .edit_customer(last, &stamp(), |doc, stamp| doc.add_tag("抢先", stamp))
        .unwrap();
    assert_eq!(writes(&effects).len(), 1);
    let (_, more) = repo.restore_some(10);
    assert!(!more);
    repo.restored();
    let tags = repo.customer(last).unwrap().tags;
    assert!(
        tags.contains_key("抢先"),
        "the early edit was not undone by the restore"
    );
    assert_eq!(repo.rows().count(), 5);
}

#[test]
fn a_cached_row_of_a_document_that_is_gone_leaves_the_list() {
    let id = Id::random();
    let mut doc = CustomerDoc::create(&id, new_customer("赵敏"), &stamp()).unwrap();
    let row = HeadedRow::new(doc.summary().unwrap(), &doc.heads());
    let mut repo = DeviceRepo::new("phone", 1);
    repo.shelve(Vec::new());
    repo.cache_rows(vec![row]);
    repo.restore_first();
    repo.restored();
    assert_eq!(repo.rows().count(), 0);
}

#[test]
fn a_new_customer_and_its_directory_entry_are_stored_together() {
    let (mut repo, _) = started(Vec::new());
    let id = Id::random();
    let effects = repo
        .create_customer(&id, new_customer("周芳"), Vec::new(), &stamp())
        .unwrap();
    let written = writes(&effects);
    assert_eq!(written.len(), 1, "one transaction");
    let ids: Vec<&str> = (written[0].writes.iter())
        .map(|w| match w {
            Write::Snapshot { id, .. } | Write::Append { id, .. } => id.as_str(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(ids, [id.as_str(), WORKSPACE_DOC_ID]);
}

#[test]
fn an_import_lists_all_its_customers_in_one_write_or_none() {
    let (mut repo, _) = started(Vec::new());
    let made = |name| {
        let id = Id::random();
        let doc = CustomerDoc::create(&id, new_customer(name), &stamp()).unwrap();
        (id, doc)
    };
    let batch = vec![made("周芳"), made("李娜"), made("王磊")];
    let ids: Vec<String> = batch.iter().map(|(id, _)| id.to_string()).collect();
    let effects = repo.adopt_customers(batch, &stamp()).unwrap();
    let written = writes(&effects);
    assert_eq!(written.len(), 1, "one transaction");
    assert_eq!(
        written[0].writes.len(),
        4,
        "three customers and the workspace"
    );
    assert_eq!(repo.customer_ids().len(), 3);
    // A batch with an id already listed is refused whole.
    let again = vec![made("赵敏"), (Id::parse(&ids[0]).unwrap(), made("x").1)];
    assert!(repo.adopt_customers(again, &stamp()).is_err());
    assert_eq!(repo.customer_ids().len(), 3, "赵敏 not added either");
}

/// What storage holds after `effects`' writes commit, on top of `disk`.
fn commit(disk: &mut BTreeMap<String, StoredDoc>, effects: &[DeviceEffect]) {
    for persist in writes(effects) {
        for write in persist.writes {
            match write {
                Write::Snapshot {
                    id,
                    bytes,
                    heads,
                    folded,
                    ..
                } => {
                    let doc = disk.get_mut(&id).unwrap();
                    doc.snapshot = Some(bytes);
                    doc.heads = Some(heads);
                    doc.changes.retain(|(seq, _)| !folded.contains(seq));
                }
                Write::Append { id, seq, bytes, .. } => {
                    disk.get_mut(&id).unwrap().changes.push((seq, bytes));
                }
                Write::Heads { id, heads } => disk.get_mut(&id).unwrap().heads = Some(heads),
                Write::Erased { id, bytes, heads } => {
                    let doc = disk.get_mut(&id).unwrap();
                    doc.snapshot = Some(bytes);
                    doc.heads = Some(heads);
                    doc.changes.clear();
                }
                Write::Dropped { id } => {
                    disk.remove(&id);
                }
                Write::Arrived { .. } | Write::Rows(_) => {}
            }
        }
    }
}

#[test]
fn a_start_after_the_first_keeps_documents_unloaded_at_their_kept_heads() {
    let ids: Vec<Id> = (0..3).map(|_| Id::random()).collect();
    let mut disk: BTreeMap<String, StoredDoc> = (ids.iter())
        .map(|id| (id.to_string(), stored_customer(id, "王芳")))
        .collect();
    // An edit appended to one of them.
    disk.get_mut(ids[0].as_str())
        .unwrap()
        .changes
        .push((9, Vec::new()));

    // Stored before heads were kept: restored, and folded into snapshots with their heads.
    let (mut first, effects) = started(disk.values().cloned().collect());
    commit(&mut disk, &effects);
    assert!(
        disk.values()
            .all(|doc| doc.heads.is_some() && doc.changes.is_empty())
    );
    let rows: Vec<HeadedRow> = ids
        .iter()
        .map(|id| {
            let row = first.rows.get(id.as_str()).cloned().unwrap();
            assert!(row.is_at(&first.heads(id.as_str())));
            row
        })
        .collect();

    // The next start loads nothing: the cached rows are at the kept heads.
    let mut repo = DeviceRepo::new("phone", 2);
    repo.shelve(disk.values().cloned().collect());
    let effects = repo.cache_rows(rows);
    assert!(!effects.iter().any(|e| matches!(e, DeviceEffect::Load(_))));
    repo.restore_first();
    let (_, more) = repo.restore_some(10);
    assert!(!more);
    repo.restored();
    for id in &ids {
        assert!(repo.is_kept_unloaded(id.as_str()), "{id} kept unloaded");
    }
    assert_eq!(repo.rows().count(), 3);
    // An edit loads the one document it touches.
    let effects = repo
        .edit_customer(ids[1].as_str(), &stamp(), |doc, stamp| {
            doc.add_tag("vip", stamp)
        })
        .unwrap();
    assert_eq!(writes(&effects).len(), 1);
    assert!(!repo.is_kept_unloaded(ids[1].as_str()));
    assert!(repo.is_kept_unloaded(ids[2].as_str()));
}

#[test]
fn a_kept_document_that_does_not_load_is_handed_back() {
    let id = Id::random();
    let mut stored = stored_customer(&id, "王芳");
    stored.heads = Some(vec![ChangeHash([7; 32])]);
    stored.snapshot = Some(b"not a document".to_vec());
    // Without a cached row at its heads it is loaded at start, to compute one.
    let (repo, effects) = started(vec![stored.clone()]);
    assert!(effects.iter().any(
        |e| matches!(e, DeviceEffect::Quarantine { stored: s, .. } if s.snapshot == stored.snapshot)
    ));
    assert!(repo.customer_ids().is_empty());
}

#[test]
fn kept_heads_read_back_as_written() {
    let heads = vec![ChangeHash([1; 32]), ChangeHash([2; 32])];
    assert_eq!(decode_heads(&encode_heads(&heads)), Some(heads));
    assert_eq!(decode_heads(&[0; 33]), None);
}

/// One customer stored and started from (rows computed), with storage as that left it.
fn stored_and_started() -> (Id, BTreeMap<String, StoredDoc>, DeviceRepo) {
    let id = Id::random();
    let stored = stored_customer(&id, "林静");
    let (first, effects) = started(vec![stored.clone()]);
    let mut disk: BTreeMap<String, StoredDoc> = [(id.to_string(), stored)].into();
    commit(&mut disk, &effects);
    (id, disk, first)
}

#[test]
fn a_page_that_asked_before_storage_was_read_hears_of_its_customer() {
    let (id, disk, first) = stored_and_started();
    let rows: Vec<HeadedRow> = first.rows.values().cloned().collect();

    let mut repo = DeviceRepo::new("phone", 2);
    repo.watch(id.as_str());
    assert_eq!(repo.customer(id.as_str()), None, "nothing read yet");
    repo.shelve(disk.into_values().collect());
    repo.cache_rows(rows);
    let effects = repo.restore_first();
    assert!(effects.contains(&DeviceEffect::CustomerChanged(id.to_string())));
    assert!(repo.customer(id.as_str()).is_some());
}

#[test]
fn of_two_cached_rows_of_one_customer_the_later_is_kept() {
    let (id, disk, first) = stored_and_started();
    let own = first.rows.get(id.as_str()).cloned().unwrap();
    let mut older = own.clone();
    std::sync::Arc::make_mut(&mut older.row).name = "旧名".into();

    let mut repo = DeviceRepo::new("phone", 2);
    repo.shelve(disk.into_values().collect());
    repo.cache_rows(vec![older, own.clone()]);
    assert_eq!(repo.rows().next(), Some(&own.row));
}

#[test]
fn a_first_sync_keeps_a_window_of_requests_out() {
    let (mut server, mut store) = edge_with(12, 100);
    let (mut repo, _) = started(Vec::new());
    repo.max_requested = 3;
    // The edge's answers wait in the socket until the device reads them, one at a time.
    let mut socket = std::collections::VecDeque::new();
    let mut pending = repo.connected();
    let mut most_out = 0;
    loop {
        pending.extend(repo.pump(usize::MAX));
        most_out = most_out.max(repo.requested.len());
        for effect in std::mem::take(&mut pending) {
            match effect {
                DeviceEffect::Send(frame) => {
                    for answer in server.receive(1, &frame, &mut store) {
                        if let Effect::Send(1, frame) = answer {
                            socket.push_back(frame);
                        }
                    }
                }
                DeviceEffect::Write(persist) => pending.extend(repo.written(persist.ticket)),
                _ => {}
            }
        }
        if pending.is_empty() && !repo.has_offers() {
            let Some(frame) = socket.pop_front() else {
                break;
            };
            pending = repo.receive(&frame);
        }
    }
    assert_eq!(most_out, 3, "the window fills and holds");
    assert!(!repo.is_syncing(), "every customer arrived");
    assert_eq!(repo.customer_ids().len(), 12);
}

/// A new device's first sync of 120 customers: its requests and the edge's answers travel
/// many to a frame, and every customer arrives.
#[test]
fn a_first_sync_packs_requests_and_answers_into_few_frames() {
    let (mut server, mut store) = edge_with(120, 1_000);
    let (mut repo, _) = started(Vec::new());
    let mut pending = repo.connected();
    let (mut frames, mut messages) = ([0usize; 2], [0usize; 2]);
    while !pending.is_empty() || repo.has_offers() {
        pending.extend(repo.pump(usize::MAX));
        for effect in std::mem::take(&mut pending) {
            match effect {
                DeviceEffect::Send(frame) => {
                    frames[0] += 1;
                    messages[0] += RepoMessage::decode_all(&frame).unwrap().len();
                    for answer in server.receive(1, &frame, &mut store) {
                        if let Effect::Send(1, frame) = answer {
                            frames[1] += 1;
                            messages[1] += RepoMessage::decode_all(&frame).unwrap().len();
                            pending.extend(repo.receive(&frame));
                        }
                    }
                }
                DeviceEffect::Write(persist) => pending.extend(repo.written(persist.ticket)),
                DeviceEffect::FetchRows { .. } => pending.extend(repo.rows_page(None)),
                _ => {}
            }
        }
    }
    assert_eq!(repo.customer_ids().len(), 120);
    assert!(messages[0] > 120 && messages[1] > 120, "{messages:?}");
    assert!(
        frames[0] * 10 < messages[0],
        "requests: {frames:?} frames, {messages:?}"
    );
    assert!(
        frames[1] * 10 < messages[1],
        "answers: {frames:?} frames, {messages:?}"
    );
}

#[test]
fn a_presence_reaches_the_other_devices_under_its_member_only() {
    let (mut server, mut store) = edge_with(2, 10);
    let (mut admin, _) = started(Vec::new());
    settle(&mut admin, &mut server, &mut store, 1);
    let grant = Grant {
        workspace: "demo".into(),
        member: "manager".into(),
        role: Role::Manager,
        expires_at: i64::MAX,
    };
    server.connect(2, grant);
    let mut manager = DeviceRepo::new("tablet", 1);
    manager.set_member("manager", Role::Manager);
    settle(&mut manager, &mut server, &mut store, 2);
    let customer = admin.customer_ids()[0].clone();
    let mut announce = |presence: &Presence| {
        let mut heard = Vec::new();
        for effect in admin.announce(&customer, presence) {
            let DeviceEffect::Send(frame) = effect else {
                continue;
            };
            for answer in server.receive(1, &frame, &mut store) {
                let Effect::Send(2, frame) = answer else {
                    continue;
                };
                heard.extend(manager.receive(&frame).into_iter().filter_map(|e| match e {
                    DeviceEffect::Presence {
                        peer,
                        doc_id,
                        presence,
                    } => Some((peer, doc_id, presence)),
                    _ => None,
                }));
            }
        }
        heard
    };
    let typing = Presence {
        member: "admin".into(),
        card: "notes".into(),
        cursor: Some(7),
    };
    assert_eq!(
        announce(&typing),
        [("phone".to_owned(), customer.clone(), typing)]
    );
    let posing = Presence {
        member: "manager".into(),
        card: "notes".into(),
        cursor: None,
    };
    assert_eq!(announce(&posing), [], "dropped by the edge");
}

#[test]
fn a_scoped_salesperson_requests_only_their_own_customers_and_drops_one_reassigned() {
    use crate::workspace::ReadScope;
    scoped_device(ReadScope::Own);
    scoped_device(ReadScope::Listed);
}

/// A salesperson's device under `scope` (`own`: the edge's rows list theirs and the pool's;
/// `listed`: a colleague's too, masked).
fn scoped_device(scope: crate::workspace::ReadScope) {
    let mut saved = demo::saved_workspace(12, NOW);
    let Ok(Replica::Workspace(mut ws)) = Replica::load(WORKSPACE_DOC_ID, &saved[0].bytes) else {
        panic!("the workspace first")
    };
    ws.set_read_scope(scope).unwrap();
    saved[0].bytes = ws.save();
    saved[0].heads = ws.heads();
    let mut store = MemoryStore::with(saved);
    let mut server = SyncServer::new("edge", 50, []);
    server.set_time(NOW);
    let zhang = Grant {
        workspace: "demo".into(),
        member: "sales-zhang".into(),
        role: Role::Sales,
        expires_at: i64::MAX,
    };
    server.connect(1, zhang);
    let (mut repo, _) = started(Vec::new());
    repo.set_member("sales-zhang", Role::Sales);
    // The edge's rows for this member: theirs only.
    let theirs: Vec<HeadedRow> = (store.rows.values())
        .filter(|r| r.row.owner == "sales-zhang")
        .cloned()
        .collect();
    assert!(!theirs.is_empty() && theirs.len() < store.rows.len());
    // And one of the pool's (or, listed, a colleague's), masked as the edge shows it.
    let mut pooled = (store.rows.values())
        .find(|r| r.row.owner != "sales-zhang")
        .cloned()
        .unwrap();
    if scope == crate::workspace::ReadScope::Own {
        std::sync::Arc::make_mut(&mut pooled.row).owner = String::new();
    }
    pooled.row = crate::policy::pool::masked(&pooled.row).into();
    let page: Vec<HeadedRow> = theirs.iter().cloned().chain([pooled.clone()]).collect();
    let mut pending = repo.connected();
    let mut requested_foreign = false;
    for _ in 0..50 {
        pending.extend(repo.pump(usize::MAX));
        if pending.is_empty() {
            break;
        }
        for effect in std::mem::take(&mut pending) {
            match effect {
                DeviceEffect::Send(frame) => {
                    for (message, _) in RepoMessage::decode_all(&frame).unwrap() {
                        if let RepoMessage::Request(m) = message {
                            let owner = store
                                .rows
                                .get(&m.document_id.local())
                                .map(|r| r.row.owner.clone());
                            requested_foreign |= owner.is_some_and(|o| o != "sales-zhang");
                        }
                    }
                    for answer in server.receive(1, &frame, &mut store) {
                        if let Effect::Send(1, frame) = answer {
                            pending.extend(repo.receive(&frame));
                        }
                    }
                }
                DeviceEffect::Write(persist) => pending.extend(repo.written(persist.ticket)),
                DeviceEffect::FetchRows { after } => {
                    let page = (after.is_empty()).then(|| page.clone());
                    pending.extend(repo.rows_page(page));
                }
                _ => {}
            }
        }
    }
    assert!(!requested_foreign, "no customer of another's is asked for");
    let mut mine: Vec<String> = theirs.iter().map(|r| r.row.id.clone()).collect();
    mine.sort();
    assert_eq!(
        repo.customer_ids(),
        mine,
        "the pool's customer is not requested"
    );
    assert!(
        repo.rows().any(|r| r.id == pooled.row.id
            && r.owner == pooled.row.owner
            && r.contact_keys == pooled.row.contact_keys),
        "but listed, masked"
    );
    // The edge says one of them is not this member's any more: it leaves the device.
    let dropped = mine[0].clone();
    let notice = RepoMessage::Ephemeral {
        sender_id: "edge".into(),
        target_id: "phone".into(),
        count: 0,
        session_id: "edge".into(),
        document_id: crate::sync::RepoDocId::from_local(&dropped).unwrap(),
        data: crate::sync::notice::OUT_OF_SCOPE.to_vec(),
    };
    let effects = repo.receive(&notice.encode());
    assert!(
        writes(&effects)
            .iter()
            .any(|p| p.writes.contains(&Write::Dropped {
                id: dropped.clone()
            }))
    );
    assert!(!repo.customer_ids().contains(&dropped));
    assert!(repo.rows().all(|r| r.id != dropped));
}

#[test]
fn a_backup_restored_into_an_empty_workspace_reaches_the_edge_whole() {
    let (mut server, mut store) = edge_with(3, 10);
    let (mut repo, _) = started(Vec::new());
    settle(&mut repo, &mut server, &mut store, 1);
    let mut ids = vec![WORKSPACE_DOC_ID.to_owned()];
    ids.extend(repo.customer_ids());
    let documents = (ids.iter())
        .map(|id| (id.clone(), repo.saved(id).unwrap()))
        .collect();
    let backup = crate::backup::Backup {
        workspace: "demo".into(),
        at: NOW,
        documents,
    };
    let (read, unreadable) = crate::backup::Backup::decode(&backup.encode())
        .unwrap()
        .replicas();
    assert!(unreadable.is_empty());

    let (mut server, mut empty) = edge_with(0, 10);
    let (mut fresh, _) = started(Vec::new());
    settle(&mut fresh, &mut server, &mut empty, 1);
    let mut read = read.into_iter();
    let Some((_, Replica::Workspace(mut saved_ws))) = read.next() else {
        panic!("the workspace first")
    };
    let mut effects = fresh
        .edit_workspace(|ws| ws.merge(&mut saved_ws).map(|_| ()))
        .unwrap();
    let customers = read
        .filter_map(|(id, r)| match r {
            Replica::Customer(doc) => Some((id, doc)),
            Replica::Workspace(_) => None,
        })
        .collect();
    effects.extend(fresh.restore_customers(customers));
    exchange(&mut fresh, &mut server, &mut empty, 1, effects);
    for id in &ids[1..] {
        assert_eq!(
            empty.docs[id].heads, store.docs[id].heads,
            "{id} restored with its whole history"
        );
    }
    assert_eq!(fresh.customer_ids().len(), 3);
}

#[test]
fn a_change_the_edge_refuses_whole_is_set_aside_and_sync_carries_on() {
    let (mut server, mut store) = edge_with(1, 10);
    let sales = Grant {
        workspace: "demo".into(),
        member: "sales-zhang".into(),
        role: Role::Sales,
        expires_at: i64::MAX,
    };
    server.connect(2, sales.clone());
    let (mut repo, _) = started(Vec::new());
    settle(&mut repo, &mut server, &mut store, 2);
    // A salesperson may not create a customer owned by a colleague: refused whole.
    let id = Id::random();
    let colleague = NewCustomer {
        owner: "sales-chen".into(),
        ..new_customer("周芳")
    };
    let by = Stamp::new("sales-zhang", NOW);
    let effects = repo
        .create_customer(&id, colleague, Vec::new(), &by)
        .unwrap();
    let (seen, closes) = exchange(&mut repo, &mut server, &mut store, 2, effects);
    assert_eq!(closes.len(), 1, "the edge closes once");
    let quarantined = seen.iter().any(|e| {
        matches!(e, DeviceEffect::Quarantine { stored, .. }
            if stored.id == id.as_str() && stored.snapshot.is_some())
    });
    assert!(quarantined, "kept aside, not lost: {seen:?}");
    assert!(seen.iter().any(|e| matches!(e,
        DeviceEffect::NotAccepted { doc_id: Some(d), .. } if d == id.as_str())));
    assert!(!repo.customer_ids().contains(&id.to_string()));

    // The next connection does not offer it again: nothing is refused, nothing closes.
    repo.disconnected();
    server.disconnect(2);
    server.connect(2, sales);
    let join = repo.connected();
    let (seen, closes) = exchange(&mut repo, &mut server, &mut store, 2, join);
    assert!(closes.is_empty(), "{closes:?}");
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, DeviceEffect::NotAccepted { .. }))
    );
}
