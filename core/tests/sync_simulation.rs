//! Two devices and the workspace server over a simulated network that duplicates, reorders and
//! drops frames (a dropped frame breaks the connection, which is then re-established), with
//! server restarts from its store in between. Whatever happens, once the network delivers
//! again every replica and the store hold the same documents with every edit in them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crm_core::customer::{Lifecycle, NewCustomer, Source};
use crm_core::replica::Replica;
use crm_core::sync::memory_store::MemoryStore;
use crm_core::sync::server::{ConnId, OpenSocket};
use crm_core::sync::{DocSlot, Effect, Inbound, SyncClient, SyncServer};
use crm_core::token::Grant;
use crm_core::workspace::Role;
use crm_core::{CustomerDoc, Id, Stamp, demo};
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

struct Device {
    name: &'static str,
    client: SyncClient,
    docs: BTreeMap<String, DocSlot>,
    conn: ConnId,
    up: VecDeque<Vec<u8>>,
    down: VecDeque<Vec<u8>>,
    /// What the socket's attachment holds: the peer id the server saw it join as.
    attachment: Option<String>,
    /// Tags this device added, by document: all must survive.
    written: BTreeMap<String, BTreeSet<String>>,
}

impl Device {
    fn new(name: &'static str, conn: ConnId) -> Self {
        let mut device = Self {
            name,
            client: SyncClient::new(name),
            docs: BTreeMap::new(),
            conn,
            up: VecDeque::new(),
            down: VecDeque::new(),
            attachment: None,
            written: BTreeMap::new(),
        };
        device.up.push_back(device.client.join());
        device
    }

    fn offer(&mut self, doc_id: &str) {
        let slot = self.docs.get_mut(doc_id).expect("offered documents exist");
        if let Some(frame) = self.client.outgoing(doc_id, slot) {
            self.up.push_back(frame);
        }
    }

    fn handle(&mut self, frame: &[u8], known_ids: &[String]) {
        match self
            .client
            .decode(frame)
            .expect("the server sends valid frames")
        {
            Inbound::Ready => {
                for id in known_ids {
                    self.docs.entry(id.clone()).or_insert_with(DocSlot::awaited);
                }
                let ids: Vec<String> = self.docs.keys().cloned().collect();
                for id in ids {
                    self.offer(&id);
                }
            }
            Inbound::Sync { doc_id, message } => {
                let slot = self
                    .docs
                    .entry(doc_id.clone())
                    .or_insert_with(DocSlot::awaited);
                self.client
                    .apply(&doc_id, slot, message)
                    .expect("valid documents");
                self.offer(&doc_id);
            }
            Inbound::Unavailable { .. } | Inbound::Nothing => {}
            Inbound::Refused(reason) => panic!("{} refused: {reason}", self.name),
            Inbound::Restored { doc_id, notice } => {
                panic!("{}'s change to {doc_id} put back: {notice:?}", self.name)
            }
        }
    }

    fn probe(&mut self, doc_id: &str) {
        let slot = self.docs.get_mut(doc_id).expect("probed documents exist");
        let frame = self.client.probe(doc_id, slot).expect("joined");
        self.up.push_back(frame);
    }

    fn tags(&mut self, doc_id: &str) -> BTreeSet<String> {
        match self.docs.get_mut(doc_id).map(|slot| slot.loaded(doc_id)) {
            Some(Ok(Some(Replica::Customer(doc)))) => {
                doc.customer().unwrap().tags.into_keys().collect()
            }
            _ => panic!("{} has customer {doc_id}", self.name),
        }
    }

    fn tag(&mut self, doc_id: &str, tag: String) {
        // A document kept as it arrived is loaded on its first edit.
        let Some(Ok(Some(Replica::Customer(customer)))) =
            self.docs.get_mut(doc_id).map(|slot| slot.loaded(doc_id))
        else {
            return;
        };
        customer
            .add_tag(&tag, &Stamp::new(self.name, NOW))
            .expect("valid tag");
        self.written
            .entry(doc_id.to_owned())
            .or_default()
            .insert(tag);
        self.offer(doc_id);
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
        let doc = CustomerDoc::create(&id, new, &Stamp::new(self.name, NOW)).unwrap();
        self.docs
            .insert(id.to_string(), DocSlot::Known(Replica::Customer(doc)));
        self.offer(id.as_str());
        id.to_string()
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
        1 => (device, any::<bool>()).prop_map(|(device, up)| Step::Drop { device, up }),
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
        let saved = demo::saved_workspace(3, NOW);
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
        let ids = self.doc_ids();
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
            self.devices[device].handle(&frame, &ids);
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
        d.client.disconnected();
        d.up.push_back(d.client.join());
        self.server.connect(conn, grant(d.name));
    }

    fn apply(&mut self, step: Step) {
        match step {
            Step::Tag { device, doc, tag } => {
                let ids = self.doc_ids();
                let id = ids[doc % ids.len()].clone();
                self.devices[device].tag(&id, format!("t{tag}-{device}"));
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
        for _ in 0..100_000 {
            let busy = (0..self.devices.len())
                .find(|&i| !self.devices[i].up.is_empty() || !self.devices[i].down.is_empty());
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
            let up = !self.devices[device].up.is_empty();
            self.deliver(device, up, false);
        }
        panic!("the network never went quiet");
    }

    fn assert_converged(&mut self) {
        let ids = self.doc_ids();
        for id in &ids {
            let stored = self
                .store
                .docs
                .get(id)
                .unwrap_or_else(|| panic!("{id} stored"));
            let mut on_server =
                Replica::restore(id, &stored.snapshot, &stored.changes).expect("stored is valid");
            let server_heads = on_server.heads();
            for device in &mut self.devices {
                let slot = device
                    .docs
                    .get_mut(id)
                    .unwrap_or_else(|| panic!("{} has {id}", device.name));
                assert_eq!(slot.heads(), server_heads, "{} on {id}", device.name);
                let replica = slot.loaded(id).expect("loads").expect("present");
                assert_eq!(replica.heads(), server_heads, "{} loaded {id}", device.name);
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
    let stored = |world: &World, device: usize| -> usize {
        let docs = &world.devices[device].docs;
        (world.seeded.iter())
            .filter(|id| matches!(docs.get(*id), Some(DocSlot::Stored { .. })))
            .count()
    };
    let mut world = World::new();
    world.settle();
    assert_eq!(
        stored(&world, 0),
        world.seeded.len(),
        "kept as they arrived"
    );
    // Served from storage and not acknowledged: the server remembers nothing per device for
    // documents it does not hold in memory.
    assert!(world.server.sync_states() <= 2 * world.server.loaded());
    // Reconnecting exchanges heads only: nothing is resent, nothing loaded.
    world.reconnect(0);
    world.settle();
    assert_eq!(stored(&world, 0), world.seeded.len(), "still unloaded");
    // A teammate's edit loads the document it touches, and only that one.
    let id = world.seeded[1].clone();
    world.devices[1].tag(&id, "vip".into());
    world.settle();
    assert_eq!(stored(&world, 0), world.seeded.len() - 1);
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
            world.devices[1].probe(&doc);
        }
        assert_eq!(world.devices[1].client.unanswered_probes(), 4);
        world.settle();
        assert_eq!(
            world.devices[1].client.unanswered_probes(),
            0,
            "cache {cache}"
        );
    }
    let mut world = World::with_cache(10);
    world.settle();
    let id = world.seeded[1].clone();

    // A teammate's change whose frames to this device are lost, the socket staying up.
    world.devices[0].tag(&id, "lost".into());
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
    assert_eq!(world.devices[1].client.unanswered_probes(), 0);
    world.assert_converged();
}
