//! Two devices — the real device engine, `DeviceRepo`, over a storage whose writes commit when
//! the simulation says — and the workspace server over a simulated network that duplicates,
//! reorders and drops frames (a dropped frame breaks the connection, which is then
//! re-established), with server restarts, hibernation and device reloads in between, and the
//! reads of documents kept in storage served late (frames for them arrive meanwhile). Whatever
//! happens, once the network delivers again every replica and the store hold the same
//! documents with every edit whose write committed, and so does each device's storage.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crm_core::customer::{Customer, HeadedRow, Lifecycle, NewCustomer, Source};
use crm_core::replica::{Replica, WORKSPACE_DOC_ID};
use crm_core::sync::device::{BULK_ROWS_FROM, DeviceEffect, Persist, StoredDoc, Write};
use crm_core::sync::memory_store::MemoryStore;
use crm_core::sync::server::{ConnId, OpenSocket};
use crm_core::sync::{DeviceRepo, Effect, SyncServer};
use crm_core::token::Grant;
use crm_core::workspace::Role;
use crm_core::{Id, Stamp, demo};
use proptest::prelude::*;

const NOW: i64 = 1_780_000_000_000;

/// What the token of the device named `member` grants: an admin's rights, as that member.
fn grant(member: &str) -> Grant {
    Grant {
        workspace: "demo".into(),
        member: member.into(),
        role: Role::Admin,
        expires_at: i64::MAX,
    }
}

/// A device: the real engine (`DeviceRepo`) over a storage whose writes commit one at a time,
/// in order, when the simulation says so — so a reload may lose the writes still in flight.
struct Device {
    name: &'static str,
    repo: DeviceRepo,
    conn: ConnId,
    up: VecDeque<Vec<u8>>,
    down: VecDeque<Vec<u8>>,
    /// What the socket's attachment holds: the peer id the server saw it join as.
    attachment: Option<String>,
    /// What storage holds, committed.
    disk: BTreeMap<String, StoredDoc>,
    disk_rows: BTreeMap<String, HeadedRow>,
    /// Writes issued and not committed yet, oldest first.
    writing: VecDeque<Persist>,
    /// The tag each write in flight carries, by ticket.
    unsaved: BTreeMap<u64, (String, String)>,
    /// Tags this device added whose write committed, by document: all must survive.
    written: BTreeMap<String, BTreeSet<String>>,
    /// Sessions started so far (each numbers its appended changes higher).
    sessions: u64,
    /// The page of the edge's rows asked for (after this id), not served yet.
    fetching: Option<String>,
    /// Documents whose read from storage the engine asked for, not served yet.
    loads: VecDeque<String>,
    /// Documents handed back for quarantine.
    quarantined: Vec<String>,
}

impl Device {
    fn new(name: &'static str, conn: ConnId) -> Self {
        let mut device = Self {
            name,
            repo: DeviceRepo::new(name, 0),
            conn,
            up: VecDeque::new(),
            down: VecDeque::new(),
            attachment: None,
            disk: BTreeMap::new(),
            disk_rows: BTreeMap::new(),
            writing: VecDeque::new(),
            unsaved: BTreeMap::new(),
            written: BTreeMap::new(),
            sessions: 0,
            fetching: None,
            loads: VecDeque::new(),
            quarantined: Vec::new(),
        };
        device.start();
        device
    }

    /// A new session from what storage holds (the tab was reloaded): writes and reads in
    /// flight are lost, and the device connects again. As the app does, documents stored as
    /// one snapshot with heads are kept in storage; the rest is handed over whole.
    fn start(&mut self) {
        self.sessions += 1;
        self.writing.clear();
        self.unsaved.clear();
        self.fetching = None;
        self.loads.clear();
        let rows = self.disk_rows.values().cloned().collect();
        self.repo = DeviceRepo::new(self.name, self.sessions << 32);
        let (kept, whole): (Vec<&StoredDoc>, Vec<&StoredDoc>) =
            self.disk.values().partition(|doc| {
                doc.id != WORKSPACE_DOC_ID && doc.changes.is_empty() && doc.heads.is_some()
            });
        let kept = (kept.into_iter())
            .map(|doc| (doc.id.clone(), doc.heads.clone().unwrap_or_default()))
            .collect();
        self.repo.keep(kept);
        self.repo.shelve(whole.into_iter().cloned().collect());
        let mut effects = self.repo.cache_rows(rows);
        effects.extend(self.repo.restore_first());
        loop {
            let (more_effects, more) = self.repo.restore_some(2);
            effects.extend(more_effects);
            if !more {
                break;
            }
        }
        effects.extend(self.repo.restored());
        effects.extend(self.repo.connected());
        self.run(effects);
    }

    fn run(&mut self, effects: Vec<DeviceEffect>) {
        for effect in effects {
            match effect {
                DeviceEffect::Send(frame) => self.up.push_back(frame),
                DeviceEffect::Write(persist) => self.writing.push_back(*persist),
                DeviceEffect::FetchRows { after } => self.fetching = Some(after),
                DeviceEffect::Load(id) => self.loads.push_back(id),
                DeviceEffect::Quarantine { stored, .. } => self.quarantined.push(stored.id),
                DeviceEffect::NotAccepted { doc_id, what } => {
                    panic!("{} not accepted on {doc_id:?}: {what:?}", self.name)
                }
                DeviceEffect::Ignored(what) => panic!("{} ignored {what}", self.name),
                DeviceEffect::RowsChanged
                | DeviceEffect::CustomerChanged(_)
                | DeviceEffect::WorkspaceChanged
                | DeviceEffect::Presence { .. } => {}
            }
        }
        while self.repo.has_offers() {
            let effects = self.repo.pump(2);
            self.run(effects);
        }
    }

    /// The oldest write in flight commits.
    fn commit(&mut self) {
        let Some(Persist { ticket, writes }) = self.writing.pop_front() else {
            return;
        };
        for write in writes {
            self.store_write(write);
        }
        if let Some((doc, tag)) = self.unsaved.remove(&ticket) {
            self.written.entry(doc).or_default().insert(tag);
        }
        let effects = self.repo.written(ticket);
        self.run(effects);
    }

    fn store_write(&mut self, write: Write) {
        fn stored<'a>(disk: &'a mut BTreeMap<String, StoredDoc>, id: &str) -> &'a mut StoredDoc {
            disk.entry(id.to_owned()).or_insert_with(|| StoredDoc {
                id: id.to_owned(),
                snapshot: None,
                heads: None,
                changes: Vec::new(),
            })
        }
        let row = match write {
            Write::Snapshot {
                id,
                bytes,
                heads,
                folded,
                row,
            } => {
                let doc = stored(&mut self.disk, &id);
                doc.snapshot = Some(bytes);
                doc.heads = Some(heads);
                doc.changes.retain(|(seq, _)| !folded.contains(seq));
                row
            }
            Write::Append {
                id,
                seq,
                bytes,
                row,
            } => {
                stored(&mut self.disk, &id).changes.push((seq, bytes));
                row
            }
            Write::Arrived {
                id,
                bytes,
                heads,
                row,
            } => {
                let doc = stored(&mut self.disk, &id);
                doc.snapshot = Some(bytes);
                doc.heads = Some(heads);
                row
            }
            Write::Heads { id, heads } => {
                stored(&mut self.disk, &id).heads = Some(heads);
                None
            }
            Write::Rows(rows) => {
                for row in rows {
                    self.disk_rows.insert(row.row.id.clone(), row);
                }
                None
            }
            Write::Erased { id, bytes, heads } => {
                let doc = stored(&mut self.disk, &id);
                doc.snapshot = Some(bytes);
                doc.heads = Some(heads);
                doc.changes.clear();
                self.disk_rows.remove(&id);
                None
            }
            Write::Dropped { id } => {
                self.disk.remove(&id);
                self.disk_rows.remove(&id);
                None
            }
        };
        if let Some(row) = row {
            self.disk_rows.insert(row.row.id.clone(), row);
        }
    }

    /// The oldest read asked for is served from what storage holds now.
    fn load(&mut self) {
        let Some(id) = self.loads.pop_front() else {
            return;
        };
        let stored = self.disk.get(&id).cloned();
        let effects = self.repo.loaded(&id, stored);
        self.run(effects);
    }

    fn load_all(&mut self) {
        while !self.loads.is_empty() {
            self.load();
        }
    }

    fn handle(&mut self, frame: &[u8]) {
        let effects = self.repo.receive(frame);
        self.run(effects);
    }

    /// Probes the workspace and the customers a page shows, `shown` among them.
    fn probe(&mut self, shown: &str) {
        self.repo.watch(shown);
        let effects = self.repo.probe();
        self.run(effects);
    }

    /// Customer `doc_id`, read from storage first if need be.
    fn customer(&mut self, doc_id: &str) -> Option<Customer> {
        if let Some(customer) = self.repo.customer(doc_id) {
            return Some(customer);
        }
        let effects = self.repo.take_effects();
        self.run(effects);
        self.load_all();
        self.repo.customer(doc_id)
    }

    fn tags(&mut self, doc_id: &str) -> BTreeSet<String> {
        let customer = (self.customer(doc_id))
            .unwrap_or_else(|| panic!("{} has customer {doc_id}", self.name));
        customer.tags.into_keys().collect()
    }

    /// Tags customer `doc_id`, reading it from storage first if need be (as the app does).
    fn tag(&mut self, doc_id: &str, tag: String) {
        if self.repo.needs_load(doc_id) {
            self.customer(doc_id);
        }
        self.tag_now(doc_id, tag);
    }

    /// Tags customer `doc_id` if it can be edited now (not while awaited from the edge or
    /// read from storage: the read is asked for).
    fn tag_now(&mut self, doc_id: &str, tag: String) {
        let stamp = Stamp::new(self.name, NOW);
        let Ok(effects) = self
            .repo
            .edit_customer(doc_id, &stamp, |doc, stamp| doc.add_tag(&tag, stamp))
        else {
            let effects = self.repo.take_effects();
            self.run(effects);
            return;
        };
        for effect in &effects {
            if let DeviceEffect::Write(persist) = effect {
                self.unsaved
                    .insert(persist.ticket, (doc_id.to_owned(), tag.clone()));
            }
        }
        self.run(effects);
    }

    fn create(&mut self, bits: u128) -> String {
        let id = Id::from_bits(bits);
        let new = NewCustomer {
            name: format!("客户 {bits}"),
            name_latin: String::new(),
            company: String::new(),
            title: String::new(),
            owner: self.name.into(),
            source: Source::Referral,
            lifecycle: Lifecycle::Lead,
        };
        let stamp = Stamp::new(self.name, NOW);
        let effects = self
            .repo
            .create_customer(&id, new, Vec::new(), &stamp)
            .expect("valid customer");
        self.run(effects);
        id.to_string()
    }

    /// Whether anything is in flight; with `reads`, reads from storage count too.
    fn is_busy(&self, reads: bool) -> bool {
        !self.up.is_empty()
            || !self.down.is_empty()
            || !self.writing.is_empty()
            || self.fetching.is_some()
            || (reads && !self.loads.is_empty())
    }
}

#[derive(Debug, Clone)]
enum Step {
    Tag {
        device: usize,
        doc: usize,
        tag: u8,
    },
    Create {
        device: usize,
        bits: u128,
    },
    Deliver {
        device: usize,
        up: bool,
    },
    Duplicate {
        device: usize,
        up: bool,
    },
    Swap {
        device: usize,
        up: bool,
    },
    Drop {
        device: usize,
        up: bool,
    },
    /// The device's oldest write in flight commits.
    Commit {
        device: usize,
    },
    /// The device's oldest read from storage asked for is served.
    Load {
        device: usize,
    },
    /// The device's tab is reloaded: what storage holds is all it keeps.
    Reload {
        device: usize,
    },
    RestartServer,
    /// The Durable Object is evicted from memory while its sockets stay open.
    Hibernate,
    /// Time passes (a broadcast window may end).
    Tick,
}

fn step() -> impl Strategy<Value = Step> {
    let device = 0..2usize;
    prop_oneof![
        3 => (device.clone(), 0..8usize, 0..6u8).prop_map(|(device, doc, tag)| Step::Tag { device, doc, tag }),
        1 => (device.clone(), any::<u128>()).prop_map(|(device, bits)| Step::Create { device, bits: bits >> 1 }),
        8 => (device.clone(), any::<bool>()).prop_map(|(device, up)| Step::Deliver { device, up }),
        1 => (device.clone(), any::<bool>()).prop_map(|(device, up)| Step::Duplicate { device, up }),
        1 => (device.clone(), any::<bool>()).prop_map(|(device, up)| Step::Swap { device, up }),
        1 => (device.clone(), any::<bool>()).prop_map(|(device, up)| Step::Drop { device, up }),
        4 => device.clone().prop_map(|device| Step::Commit { device }),
        2 => device.clone().prop_map(|device| Step::Load { device }),
        1 => device.prop_map(|device| Step::Reload { device }),
        1 => Just(Step::RestartServer),
        1 => Just(Step::Hibernate),
        2 => Just(Step::Tick),
    ]
}

struct World {
    server: SyncServer,
    store: MemoryStore,
    devices: Vec<Device>,
    next_conn: ConnId,
    seeded: Vec<String>,
    created: Vec<String>,
    /// The server's clock (ms after `NOW`), moved by `Step::Tick`.
    clock: i64,
    /// When the server asked to be flushed, if it did.
    flush_at: Option<i64>,
}

impl World {
    /// A tiny cache so that eviction and reloading happen all the time.
    fn new() -> Self {
        Self::with_cache(2)
    }

    /// A world whose server keeps at most `cache` documents in memory.
    fn with_cache(cache: usize) -> Self {
        Self::with(3, cache)
    }

    /// A world of `customers` customers whose server keeps at most `cache` documents in
    /// memory.
    fn with(customers: usize, cache: usize) -> Self {
        let saved = demo::saved_workspace(customers, NOW);
        let seeded = saved.iter().map(|doc| doc.id.clone()).collect();
        let mut world = Self {
            server: SyncServer::new("edge", cache, []),
            store: MemoryStore::with(saved),
            devices: vec![Device::new("phone", 1), Device::new("laptop", 2)],
            next_conn: 3,
            seeded,
            created: Vec::new(),
            clock: 0,
            flush_at: None,
        };
        for device in &world.devices {
            world.server.connect(device.conn, grant(device.name));
        }
        world
    }

    fn doc_ids(&self) -> Vec<String> {
        self.seeded.iter().chain(&self.created).cloned().collect()
    }

    fn send_up(&mut self, device: usize, frame: Vec<u8>) {
        let conn = self.devices[device].conn;
        self.server.set_time(NOW + self.clock);
        let effects = self.server.receive(conn, &frame, &mut self.store);
        self.carry_out(effects);
    }

    /// The time of the flush the server asked for has come.
    fn flush(&mut self) {
        if self.flush_at.take().is_some() {
            self.server.set_time(NOW + self.clock);
            let effects = self.server.flush();
            self.carry_out(effects);
        }
    }

    fn carry_out(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send(to, frame) => {
                    if let Some(d) = self.devices.iter_mut().find(|d| d.conn == to) {
                        d.down.push_back(frame);
                    }
                }
                Effect::Close(_, code, reason) => panic!("server closed a device: {code} {reason}"),
                Effect::Joined(to, peer) => {
                    if let Some(d) = self.devices.iter_mut().find(|d| d.conn == to) {
                        d.attachment = Some(peer);
                    }
                }
                Effect::FlushIn(ms) => self.flush_at = Some(self.clock + ms),
            }
        }
    }

    fn deliver(&mut self, device: usize, up: bool, keep: bool) {
        let d = &mut self.devices[device];
        let queue = if up { &mut d.up } else { &mut d.down };
        let Some(frame) = (if keep {
            queue.front().cloned()
        } else {
            queue.pop_front()
        }) else {
            return;
        };
        if up {
            self.send_up(device, frame);
        } else {
            self.devices[device].handle(&frame);
        }
    }

    /// The connection breaks: both ends forget it, the device connects again.
    fn reconnect(&mut self, device: usize) {
        self.server.disconnect(self.devices[device].conn);
        let conn = self.next_conn;
        self.next_conn += 1;
        let d = &mut self.devices[device];
        d.conn = conn;
        d.attachment = None;
        d.up.clear();
        d.down.clear();
        d.repo.disconnected();
        let join = d.repo.connected();
        d.run(join);
        self.server.connect(conn, grant(d.name));
    }

    fn apply(&mut self, step: Step) {
        match step {
            Step::Tag { device, doc, tag } => {
                let ids = self.doc_ids();
                let id = ids[doc % ids.len()].clone();
                self.devices[device].tag_now(&id, format!("t{tag}-{device}"));
            }
            Step::Create { device, bits } => {
                let id = self.devices[device].create(bits);
                self.created.push(id);
            }
            Step::Deliver { device, up } => self.deliver(device, up, false),
            Step::Duplicate { device, up } => self.deliver(device, up, true),
            Step::Swap { device, up } => {
                let d = &mut self.devices[device];
                let queue = if up { &mut d.up } else { &mut d.down };
                if queue.len() >= 2 {
                    queue.swap(0, 1);
                }
            }
            Step::Drop { device, up } => {
                let d = &mut self.devices[device];
                let queue = if up { &mut d.up } else { &mut d.down };
                if queue.pop_front().is_some() {
                    self.reconnect(device);
                }
            }
            Step::Commit { device } => self.devices[device].commit(),
            Step::Load { device } => self.devices[device].load(),
            Step::Reload { device } => {
                self.server.disconnect(self.devices[device].conn);
                let conn = self.next_conn;
                self.next_conn += 1;
                let d = &mut self.devices[device];
                d.conn = conn;
                d.attachment = None;
                d.up.clear();
                d.down.clear();
                d.start();
                self.server.connect(conn, grant(d.name));
            }
            Step::Tick => {
                self.clock += 40;
                if self.flush_at.is_some_and(|at| at <= self.clock) {
                    self.flush();
                }
            }
            Step::Hibernate => {
                // An object waiting for a timer does not hibernate: the flush comes first.
                self.clock = self.flush_at.unwrap_or(self.clock).max(self.clock);
                self.flush();
                // Memory is gone; the store and the open sockets with what they carry remain.
                let open = self.devices.iter().map(|device| OpenSocket {
                    conn: device.conn,
                    grant: grant(device.name),
                    peer: device.attachment.clone(),
                });
                self.server = SyncServer::new("edge", 2, open);
            }
            Step::RestartServer => {
                // Memory, sockets and timers are gone; the store remains.
                self.flush_at = None;
                self.server = SyncServer::new("edge", 2, []);
                for device in 0..self.devices.len() {
                    self.reconnect(device);
                }
            }
        }
    }

    /// Delivers everything until the network is quiet.
    fn settle(&mut self) {
        self.settle_holding(None);
    }

    /// The same, with `device`'s reads from storage left pending.
    fn settle_holding_reads(&mut self, device: usize) {
        self.settle_holding(Some(device));
    }

    fn settle_holding(&mut self, reads_of: Option<usize>) {
        for _ in 0..100_000 {
            let busy =
                (0..self.devices.len()).find(|&i| self.devices[i].is_busy(reads_of != Some(i)));
            let Some(device) = busy else {
                match self.flush_at {
                    Some(at) => {
                        self.clock = self.clock.max(at);
                        self.flush();
                        continue;
                    }
                    None => return,
                }
            };
            let d = &self.devices[device];
            if let Some(after) = d.fetching.clone() {
                self.serve_rows(device, &after);
                continue;
            }
            if !d.writing.is_empty() {
                self.devices[device].commit();
                continue;
            }
            if !d.loads.is_empty() && reads_of != Some(device) {
                self.devices[device].load();
                continue;
            }
            let up = !d.up.is_empty();
            self.deliver(device, up, false);
        }
        panic!("the network never went quiet");
    }

    /// The edge's page of rows after `after` goes to `device` (`GET /rows`).
    fn serve_rows(&mut self, device: usize, after: &str) {
        let page: Vec<HeadedRow> = (self.store.rows.iter())
            .filter(|(id, _)| id.as_str() > after)
            .take(25)
            .map(|(_, row)| row.clone())
            .collect();
        let d = &mut self.devices[device];
        d.fetching = None;
        let effects = d.repo.rows_page(Some(page));
        d.run(effects);
    }

    /// Every document the server stored is on every device at the server's heads, loaded or
    /// not, and in every device's storage; the tags whose write committed are all there.
    fn assert_converged(&mut self) {
        let ids: Vec<String> = self.store.docs.keys().cloned().collect();
        let mut from_disk: Vec<DeviceRepo> = (self.devices.iter())
            .map(|d| {
                let mut repo = DeviceRepo::new(d.name, 0);
                repo.shelve(d.disk.values().cloned().collect());
                repo
            })
            .collect();
        for id in &ids {
            let stored = &self.store.docs[id];
            let mut on_server =
                Replica::restore(id, &stored.snapshot, &stored.changes).expect("stored is valid");
            let server_heads = on_server.heads();
            for (device, disk) in self.devices.iter_mut().zip(&mut from_disk) {
                assert_eq!(
                    device.repo.heads(id),
                    server_heads,
                    "{} on {id}",
                    device.name
                );
                assert_eq!(disk.heads(id), server_heads, "{} stored {id}", device.name);
                if id != WORKSPACE_DOC_ID {
                    assert!(device.customer(id).is_some(), "{} loads {id}", device.name);
                }
            }
            // The row served to new devices summarises what is stored.
            assert_eq!(
                self.store.rows.get(id),
                on_server.summary().as_ref(),
                "row of {id}"
            );
            if let Replica::Customer(customer) = &on_server {
                let tags = customer.customer().unwrap().tags;
                for device in &self.devices {
                    for tag in device.written.get(id).into_iter().flatten() {
                        assert!(
                            tags.contains_key(tag),
                            "{tag} by {} on {id} kept",
                            device.name
                        );
                    }
                }
            }
        }
        for device in &self.devices {
            assert!(device.quarantined.is_empty(), "{} quarantined", device.name);
            let extra: Vec<String> = (device.repo.customer_ids().into_iter())
                .filter(|id| !ids.contains(id))
                .collect();

            assert!(
                extra.is_empty(),
                "{} has {extra:?}, unknown to the edge",
                device.name
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn devices_and_server_converge_through_a_faulty_network(steps in proptest::collection::vec(step(), 1..120)) {
        let mut world = World::new();
        world.settle();
        for step in steps {
            world.apply(step);
        }
        world.settle();
        world.assert_converged();
    }
}

#[test]
fn a_quiet_network_needs_no_reconnect_after_duplicates_and_reordering() {
    let mut world = World::new();
    world.settle();
    for round in 0..5u8 {
        world.apply(Step::Tag {
            device: 0,
            doc: 1,
            tag: round,
        });
        world.apply(Step::Tag {
            device: 1,
            doc: 1,
            tag: round,
        });
        world.apply(Step::Duplicate {
            device: 0,
            up: true,
        });
        world.apply(Step::Swap {
            device: 1,
            up: true,
        });
        world.apply(Step::Deliver {
            device: 1,
            up: true,
        });
        world.apply(Step::Duplicate {
            device: 0,
            up: false,
        });
    }
    world.settle();
    world.assert_converged();
}

#[test]
fn documents_that_arrive_whole_stay_unloaded_until_something_needs_them() {
    let unloaded = |world: &World, device: usize| -> usize {
        (world.seeded.iter())
            .filter(|id| world.devices[device].repo.is_kept_unloaded(id))
            .count()
    };
    // Enough customers missing for a new device to list them from the edge's rows first.
    let customers = BULK_ROWS_FROM + 10;
    let mut world = World::with(customers, 2);
    world.settle();
    assert_eq!(unloaded(&world, 0), customers, "kept as they arrived");
    assert_eq!(world.devices[0].repo.rows().count(), customers, "listed");
    // Served from storage and not acknowledged: the server remembers nothing per device for
    // documents it does not hold in memory.
    assert!(world.server.sync_states() <= 2 * world.server.loaded());
    // Reconnecting exchanges heads only: nothing is resent, nothing loaded.
    world.reconnect(0);
    world.settle();
    assert_eq!(unloaded(&world, 0), customers, "still unloaded");
    // A teammate's edit loads the document it touches, and only that one.
    let id = world.seeded[1].clone();
    world.devices[1].tag(&id, "vip".into());
    world.settle();
    assert_eq!(unloaded(&world, 0), customers - 1);
    world.assert_converged();
}

#[test]
fn after_hibernation_a_change_reaches_a_device_that_edits_nothing() {
    let mut world = World::new();
    world.settle();
    let id = world.seeded[1].clone();
    for round in 0..3u8 {
        world.apply(Step::Hibernate);
        let tag = format!("after-sleep-{round}");
        world.devices[0].tag(&id, tag.clone());
        // The other device only answers what the server sends it.
        world.settle();
        assert!(world.devices[1].tags(&id).contains(&tag), "round {round}");
    }
}

#[test]
fn a_probe_is_answered_when_level_and_brings_back_a_lost_change() {
    for cache in [1, 10] {
        // Level, with the documents kept in memory by the server or not: an answer each.
        let mut world = World::with_cache(cache);
        world.settle();
        // Loaded on the server, which holds sync states for both devices.
        for doc in &world.seeded[1..] {
            world.devices[0].tag(doc, "seen".into());
        }
        world.settle();
        for doc in world.doc_ids() {
            world.devices[1].repo.watch(&doc);
        }
        world.devices[1].probe(&world.seeded[1].clone());
        assert_eq!(world.devices[1].repo.unanswered_probes(), 4);
        world.settle();
        assert_eq!(
            world.devices[1].repo.unanswered_probes(),
            0,
            "cache {cache}"
        );
    }
    let mut world = World::with_cache(10);
    world.settle();
    let id = world.seeded[1].clone();

    // A teammate's change whose frames to this device are lost, the socket staying up.
    world.devices[0].tag(&id, "lost".into());
    world.devices[0].commit();
    while !world.devices[0].up.is_empty() {
        world.deliver(0, true, false);
        world.devices[1].down.clear();
        world.deliver(0, false, false);
    }
    world.settle();
    assert!(!world.devices[1].tags(&id).contains("lost"), "really lost");
    world.devices[1].probe(&id);
    world.settle();
    assert!(world.devices[1].tags(&id).contains("lost"), "recovered");
    assert_eq!(world.devices[1].repo.unanswered_probes(), 0);
    world.assert_converged();
}

#[test]
fn an_edit_stored_but_not_sent_before_a_reload_reaches_the_edge_after_it() {
    let mut world = World::new();
    world.settle();
    let id = world.seeded[2].clone();
    world.devices[0].tag(&id, "before-reload".into());
    world.devices[0].commit();
    // The frame never leaves: the tab is reloaded first.
    world.apply(Step::Reload { device: 0 });
    world.settle();
    assert!(world.devices[1].tags(&id).contains("before-reload"));
    world.assert_converged();
}

#[test]
fn an_edit_whose_write_never_committed_is_lost_to_everyone_alike() {
    let mut world = World::new();
    world.settle();
    let id = world.seeded[2].clone();
    world.devices[0].tag(&id, "unsaved".into());
    world.apply(Step::Reload { device: 0 });
    world.settle();
    // Never reported saved, never sent: no device has it, and all agree.
    assert!(!world.devices[0].tags(&id).contains("unsaved"));
    assert!(!world.devices[1].tags(&id).contains("unsaved"));
    world.assert_converged();
}

#[test]
fn frames_for_a_document_being_read_from_storage_wait_for_it_in_order() {
    let mut world = World::with_cache(10);
    world.settle();
    let id = world.seeded[1].clone();
    world.apply(Step::Reload { device: 1 });
    world.settle();
    assert!(world.devices[1].repo.needs_load(&id), "kept in storage");
    // Two changes from a teammate reach the device while the read they caused is pending.
    world.devices[0].tag(&id, "first".into());
    world.settle_holding_reads(1);
    world.devices[0].tag(&id, "second".into());
    world.settle_holding_reads(1);
    assert!(world.devices[1].repo.needs_load(&id), "still being read");
    assert_eq!(
        world.devices[1].loads,
        std::slice::from_ref(&id),
        "asked for once"
    );
    assert_eq!(world.devices[1].loads.len(), 1, "one read asked for");
    world.settle();
    let tags = world.devices[1].tags(&id);
    assert!(tags.contains("first") && tags.contains("second"));
    world.assert_converged();
}

#[test]
fn a_kept_document_that_storage_lost_or_cannot_load_is_fetched_again() {
    let mut world = World::new();
    world.settle();
    let (lost, corrupt) = (world.seeded[1].clone(), world.seeded[2].clone());
    world.apply(Step::Reload { device: 0 });
    world.settle();
    let device = &mut world.devices[0];
    device.disk.remove(&lost);
    if let Some(doc) = device.disk.get_mut(&corrupt) {
        doc.snapshot = Some(b"not automerge".to_vec());
    }
    assert!(device.customer(&lost).is_none());
    assert!(device.customer(&corrupt).is_none());
    assert_eq!(device.quarantined, vec![corrupt.clone()]);
    device.quarantined.clear();
    world.settle();
    assert!(world.devices[0].customer(&lost).is_some());
    assert!(world.devices[0].customer(&corrupt).is_some());
    world.assert_converged();
}
