//! What loading a workspace document with a large directory costs — the time, the heap it
//! keeps and the heap it peaks at (which a Durable Object's 128 MB must hold every time it
//! wakes) — for directory entries as this build writes them (one scalar, the lister's id) and
//! as older builds did (a map `{created_at, created_by}`), listed in one change, in imports of
//! 1,000, or one customer per change: `cargo run --release -p crm-core --example
//! workspace_load [-- N]` (N customers, 100,000 by default). Native sizes: wasm32's pointers
//! are half as wide.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ROOT, ReadDoc};
use crm_core::id::Id;
use crm_core::workspace::WorkspaceDoc;
use crm_core::{CrmDocument, Stamp};

/// The system allocator, counting the bytes it holds and their peak.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let held = HELD.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(held, Relaxed);
}

// SAFETY: every call is passed on to `System` unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        HELD.fetch_sub(layout.size(), Relaxed);
        grew(size);
        unsafe { System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// A saved workspace listing `count` customers, committed every `per_change`; `older`: entries
/// in the map form of builds before 2026-12.
fn saved(count: usize, per_change: usize, older: bool) -> Vec<u8> {
    let mut ws = WorkspaceDoc::new();
    let stamp = Stamp::new("sales-zhang", 1_780_000_000_000);
    for n in 0..count {
        let id = format!("{:032x}", n as u128 * 0x9e37_79b9_7f4a_7c15);
        if older {
            let doc = ws.automerge_mut();
            let directory = doc.get(ROOT, "directory").ok().flatten().expect("a map").1;
            let entry = (doc.put_object(&directory, id.as_str(), ObjType::Map)).expect("a map");
            doc.put(&entry, "created_at", stamp.at).expect("an entry");
            doc.put(&entry, "created_by", stamp.by.as_str())
                .expect("an entry");
        } else {
            let id = Id::parse(&id).expect("a valid id");
            ws.register_customer(&id, &stamp).expect("a new customer");
        }
        if (n + 1) % per_change == 0 {
            ws.automerge_mut().commit();
        }
    }
    ws.save()
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    println!("| entries | listed | saved | load | heap kept | heap peak |");
    println!("|---|---|---:|---:|---:|---:|");
    for (older, form) in [(false, "scalar"), (true, "map (before 2026-12)")] {
        for (per_change, listed) in [
            (count, "at once"),
            (1_000, "1,000 a change"),
            (1, "one a change"),
        ] {
            let bytes = saved(count, per_change, older);
            let before = HELD.load(Relaxed);
            PEAK.store(before, Relaxed);
            let start = Instant::now();
            let doc = Automerge::load(&bytes).expect("a saved workspace loads");
            let took = start.elapsed();
            let kept = HELD.load(Relaxed) - before;
            let peak = PEAK.load(Relaxed) - before;
            drop(doc);
            println!(
                "| {form} | {listed} | {} KB | {:.0} ms | {} | {} |",
                bytes.len() / 1_000,
                took.as_secs_f64() * 1e3,
                mib(kept),
                mib(peak),
            );
        }
    }
}
