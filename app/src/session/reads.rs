//! Documents the engine keeps in IndexedDB only, read when something needs more than their
//! heads: a customer opened, edited from a list, changed by a teammate, or a row to compute.
//! The reads the engine asks for in one turn go in one transaction; a read that fails is
//! reported and tried again (1 s doubling to 30 s), what waits for it kept in memory.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use super::Session;

/// Documents read per transaction.
const READ_CHUNK: usize = 200;

impl Session {
    /// Queues the read the engine asked for; the reads queued in this turn go together.
    pub(super) fn read_later(self: &Rc<Self>, id: String) {
        let mut queued = self.reads.borrow_mut();
        queued.push(id);
        if queued.len() == 1 {
            spawn_local(Rc::clone(self).read_queued());
        }
    }

    async fn read_queued(self: Rc<Self>) {
        let ids = self.reads.take();
        for chunk in ids.chunks(READ_CHUNK) {
            self.open(chunk).await;
        }
    }

    /// Reads the documents among `ids` that are kept in storage only and hands them to the
    /// engine; returns once they are in memory (or found gone or unreadable).
    pub async fn open(self: &Rc<Self>, ids: &[String]) {
        let ids: Vec<String> = (ids.iter())
            .filter(|id| self.repo.borrow().needs_load(id))
            .cloned()
            .collect();
        if ids.is_empty() {
            return;
        }
        let docs = self.retrying(|| self.store.read(&ids)).await;
        for (id, doc) in docs {
            let effects = self.repo.borrow_mut().loaded(&id, doc);
            self.run(effects);
        }
    }
}
