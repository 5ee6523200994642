//! Sync server benchmarks (native): serving a customer to a device that has nothing (the
//! initial-sync path: load from the store, first sync round), and relaying one edit from one
//! device to another through the server.
//!
//! Run: `cargo bench -p crm-core --bench sync`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use crm_core::customer::ProfileEdit;
use crm_core::replica::Replica;
use crm_core::sync::memory_store::MemoryStore;
use crm_core::sync::{DocSlot, Effect, Inbound, SyncClient, SyncServer};
use crm_core::token::Grant;
use crm_core::workspace::Role;
use crm_core::{Stamp, demo};

const NOW: i64 = 1_767_225_600_000;

/// A joined client on connection `conn`.
fn join(server: &mut SyncServer, store: &mut MemoryStore, conn: u64) -> SyncClient {
    let mut client = SyncClient::new(format!("device-{conn}"));
    let grant = Grant {
        workspace: "demo".into(),
        member: "admin".into(),
        role: Role::Admin,
        expires_at: i64::MAX,
    };
    server.connect(conn, grant);
    for effect in server.receive(conn, &client.join(), store) {
        if let Effect::Send(_, frame) = effect {
            for inbound in client.decode(&frame) {
                inbound.unwrap();
            }
        }
    }
    client
}

/// Delivers every frame the server sends to `conn` into `client`'s slot for `doc_id`.
fn deliver(
    effects: Vec<Effect>,
    conn: u64,
    client: &mut SyncClient,
    doc_id: &str,
    slot: &mut DocSlot,
) {
    for effect in effects {
        let Effect::Send(to, frame) = effect else {
            continue;
        };
        if to != conn {
            continue;
        }
        for inbound in client.decode(&frame) {
            if let Ok(Inbound::Sync { message, .. }) = inbound {
                client.apply(doc_id, slot, message).unwrap();
            }
        }
    }
}

fn serve_to_a_fresh_device(c: &mut Criterion) {
    let saved = demo::saved_workspace(2_000, NOW);
    let ids: Vec<String> = saved.iter().skip(1).map(|doc| doc.id.clone()).collect();
    let mut store = MemoryStore::with(saved);
    // A cache smaller than the workspace, as on the edge: most requests load from the store.
    let mut server = SyncServer::new("edge", 500, []);
    let mut next = 0;
    c.bench_function("serve a customer to a device that has nothing", |b| {
        b.iter(|| {
            let conn = next as u64 + 10;
            let doc_id = &ids[next % ids.len()];
            next += 1;
            let mut client = join(&mut server, &mut store, conn);
            let mut slot = DocSlot::awaited();
            let request = client.outgoing(doc_id, &mut slot).unwrap();
            let effects = server.receive(conn, &request, &mut store);
            deliver(effects, conn, &mut client, doc_id, &mut slot);
            server.disconnect(conn);
            black_box(slot.replica().is_some())
        })
    });
}

/// A server and two devices A and B that both hold the demo customer `doc_id`, settled.
struct Pair {
    server: SyncServer,
    store: MemoryStore,
    a: (SyncClient, DocSlot),
    b: (SyncClient, DocSlot),
    doc_id: String,
}

impl Pair {
    fn new() -> Self {
        let saved = demo::saved_workspace(1, NOW);
        let doc_id = saved[1].id.clone();
        let mut store = MemoryStore::with(saved.clone());
        let mut server = SyncServer::new("edge", 500, []);
        let slot = || DocSlot::known(Replica::load(&saved[1].id, &saved[1].bytes).unwrap());
        let a = (join(&mut server, &mut store, 1), slot());
        let b = (join(&mut server, &mut store, 2), slot());
        let mut pair = Self {
            server,
            store,
            a,
            b,
            doc_id,
        };
        pair.settle();
        // The first edit after connecting sends the whole (young) document; measure the
        // steady state after it.
        pair.edit("第一次修改");
        pair.settle();
        pair
    }

    fn edit(&mut self, company: &str) {
        if let Some(Replica::Customer(doc)) = self.a.1.replica_mut() {
            doc.edit_profile(ProfileEdit::Company(company.into()), &Stamp::new("a", NOW))
                .unwrap();
        }
    }

    /// Exchanges frames until neither device has anything to send.
    fn settle(&mut self) {
        loop {
            let mut quiet = true;
            for conn in [1, 2] {
                let (client, slot) = if conn == 1 { &mut self.a } else { &mut self.b };
                if let Some(frame) = client.outgoing(&self.doc_id, slot) {
                    quiet = false;
                    let effects = self.server.receive(conn, &frame, &mut self.store);
                    let (to_a, to_b): (Vec<_>, Vec<_>) = effects
                        .into_iter()
                        .partition(|e| matches!(e, Effect::Send(1, _)));
                    deliver(to_a, 1, &mut self.a.0, &self.doc_id, &mut self.a.1);
                    deliver(to_b, 2, &mut self.b.0, &self.doc_id, &mut self.b.1);
                }
            }
            if quiet {
                return;
            }
        }
    }
}

fn relay_one_edit(c: &mut Criterion) {
    c.bench_function("relay one edit from device A to device B", |bench| {
        bench.iter_batched(
            Pair::new,
            |mut pair| {
                pair.edit("新公司");
                pair.settle();
                black_box(pair)
            },
            criterion::BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, serve_to_a_fresh_device, relay_one_edit);
criterion_main!(benches);
