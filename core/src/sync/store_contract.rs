//! What every [`DocumentStore`] must do, as one check run on a new, empty store: core's tests
//! run it on [`MemoryStore`](super::memory_store::MemoryStore), the edge's test hook on its
//! SQLite store inside workerd, so both stores keep one behaviour.

use automerge::ChangeHash;

use super::server::{DocumentStore, Stored};
use crate::replica::WORKSPACE_DOC_ID;

/// A snapshot larger than a SQLite row may be (the edge stores it in parts).
const LARGE_SNAPSHOT: usize = (5 << 20) / 2;

/// Checks `store`, which must hold nothing yet; the first broken promise is the error.
pub fn check(store: &mut impl DocumentStore) -> Result<(), String> {
    let mut check = Check(store);
    check.documents()?;
    check.erase()?;
    check.schedule()
}

struct Check<'a, S>(&'a mut S);

/// A made-up head: the store keeps heads without reading them.
fn head(n: u8) -> ChangeHash {
    ChangeHash([n; 32])
}

fn expect<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
    match got == want {
        true => Ok(()),
        false => Err(format!("{what}: got {got:?}, want {want:?}")),
    }
}

impl<S: DocumentStore> Check<'_, S> {
    fn load(&mut self, id: &str) -> Result<Option<Stored>, String> {
        self.0.load(id).map_err(|e| format!("load {id}: {}", e.0))
    }

    fn count(&mut self) -> Result<usize, String> {
        self.0.count().map_err(|e| format!("count: {}", e.0))
    }

    fn replace(&mut self, id: &str, snapshot: &[u8], heads: &[ChangeHash]) -> Result<(), String> {
        (self.0.replace(id, snapshot, heads)).map_err(|e| format!("replace {id}: {}", e.0))
    }

    fn documents(&mut self) -> Result<(), String> {
        expect("documents in a new store", self.count()?, 0)?;
        expect("a missing document", self.load("a")?, None)?;
        expect(
            "a missing document's heads",
            self.0.heads("a").ok().flatten(),
            None,
        )?;
        // Changes for a document never stored do not make one.
        let _ = self.0.append("ghost", b"change", &[head(9)]);
        expect("changes without a snapshot", self.load("ghost")?, None)?;

        self.replace("a", b"snapshot", &[head(1)])?;
        let appended = [b"first".to_vec(), b"second".to_vec()];
        for (n, change) in (2..).zip(&appended) {
            (self.0.append("a", change, &[head(n)])).map_err(|e| format!("append: {}", e.0))?;
        }
        let stored = Stored {
            snapshot: b"snapshot".to_vec(),
            changes: appended.to_vec(),
            heads: vec![head(3)],
        };
        expect(
            "snapshot and changes in order",
            self.load("a")?,
            Some(stored),
        )?;
        expect(
            "heads after appends",
            self.0.heads("a").ok(),
            Some(Some(vec![head(3)])),
        )?;
        expect("documents stored", self.count()?, 1)?;

        // A large snapshot comes back whole; a smaller one after it leaves none of it behind.
        let large: Vec<u8> = (0..LARGE_SNAPSHOT).map(|i| (i % 251) as u8).collect();
        let heads = [head(4), head(5)];
        self.replace("a", &large, &heads)?;
        let stored = self.load("a")?.ok_or("the large snapshot is gone")?;
        expect(
            "a large snapshot's length",
            stored.snapshot.len(),
            large.len(),
        )?;
        expect("a large snapshot", stored.snapshot == large, true)?;
        expect("changes after a replace", stored.changes.len(), 0)?;
        expect("heads of a replace", stored.heads, heads.to_vec())?;
        self.replace("a", b"small", &[head(6)])?;
        let stored = self.load("a")?.ok_or("the small snapshot is gone")?;
        expect(
            "a snapshot after a larger one",
            stored.snapshot,
            b"small".to_vec(),
        )?;

        self.replace("b", b"other", &[head(7)])?;
        (self.0.schedule("a", Some(1))).map_err(|e| e.0)?;
        (self.0.quarantine("a", "unreadable")).map_err(|e| format!("quarantine: {}", e.0))?;
        expect("a quarantined document", self.load("a")?, None)?;
        expect(
            "a quarantined document's schedule",
            self.0.due(i64::MAX, 10).ok(),
            Some(vec![]),
        )?;
        expect("documents after a quarantine", self.count()?, 1)?;
        (self.0.quarantine("never", "missing")).map_err(|e| format!("quarantine: {}", e.0))?;
        expect(
            "the other document",
            self.load("b")?.map(|s| s.snapshot),
            Some(b"other".to_vec()),
        )?;
        self.0.quarantine("b", "clean up").map_err(|e| e.0)
    }

    /// An erased document keeps only its tombstone: no changes, no schedule.
    fn erase(&mut self) -> Result<(), String> {
        self.replace("e", b"customer", &[head(1)])?;
        (self.0.append("e", b"change", &[head(2)])).map_err(|e| e.0)?;
        (self.0.schedule("e", Some(1))).map_err(|e| e.0)?;
        (self.0.erase("e", b"tombstone", &[head(3)])).map_err(|e| format!("erase: {}", e.0))?;
        let tombstone = Stored {
            snapshot: b"tombstone".to_vec(),
            changes: Vec::new(),
            heads: vec![head(3)],
        };
        expect("an erased document", self.load("e")?, Some(tombstone))?;
        expect(
            "an erased document's schedule",
            self.0.due(i64::MAX, 10).ok(),
            Some(vec![]),
        )?;
        self.0.quarantine("e", "clean up").map_err(|e| e.0)
    }

    fn schedule(&mut self) -> Result<(), String> {
        let store = &mut *self.0;
        for (id, at) in [("x", 30), ("y", 10), ("z", 20)] {
            store.schedule(id, Some(at)).map_err(|e| e.0)?;
        }
        expect(
            "due, earliest first",
            store.due(25, 10).ok(),
            Some(vec!["y".into(), "z".into()]),
        )?;
        expect(
            "due within the limit",
            store.due(25, 1).ok(),
            Some(vec!["y".into()]),
        )?;
        expect("the next due", store.next_due().ok(), Some(Some(10)))?;
        store.schedule("y", None).map_err(|e| e.0)?;
        store.schedule("z", Some(40)).map_err(|e| e.0)?;
        expect(
            "next due after changes",
            store.next_due().ok(),
            Some(Some(30)),
        )?;

        // Every stored customer, never the workspace document, is scheduled at once.
        store.replace("c", b"customer", &[]).map_err(|e| e.0)?;
        (store.replace(WORKSPACE_DOC_ID, b"workspace", &[])).map_err(|e| e.0)?;
        store.schedule_all(5).map_err(|e| e.0)?;
        expect(
            "scheduled all",
            store.due(5, 10).ok(),
            Some(vec!["c".into()]),
        )?;
        expect(
            "the rest kept their times",
            store.due(35, 10).ok().map(|d| d.len()),
            Some(2),
        )?;
        expect("documents at the end", store.count().ok(), Some(2))?;
        for id in ["c", WORKSPACE_DOC_ID] {
            store.quarantine(id, "clean up").map_err(|e| e.0)?;
        }
        for id in ["x", "z"] {
            store.schedule(id, None).map_err(|e| e.0)?;
        }
        expect(
            "nothing due after cleaning up",
            store.next_due().ok(),
            Some(None),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::sync::memory_store::MemoryStore;

    #[test]
    fn the_memory_store_keeps_the_contract() {
        check(&mut MemoryStore::default()).unwrap();
    }
}
