//! The engine's writes carried out in IndexedDB. Documents arriving from the edge are gathered
//! for [`ARRIVALS_DELAY_MS`] into one transaction (a first sync brings thousands; a transaction
//! per few would cost more than the writes), and any other write first sends those gathered
//! before it, so writes commit in the order the engine asked for them. A write that fails is
//! reported and tried again, its edit kept in memory meanwhile.

use std::rc::Rc;

use crm_core::sync::device::{Persist, StoredDoc, Write};
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::Session;
use crate::browser::{pause, trace};

/// How long documents arriving from the edge are gathered into one transaction.
const ARRIVALS_DELAY_MS: i32 = 100;

impl Session {
    /// Carries out one write the engine asked for.
    pub(super) fn write(self: &Rc<Self>, persist: Persist) {
        if matches!(persist.writes[..], [Write::Arrived { .. }]) {
            let mut arrivals = self.arrivals.borrow_mut();
            arrivals.push(persist);
            if arrivals.len() == 1 {
                let session = Rc::clone(self);
                spawn_local(async move {
                    pause(ARRIVALS_DELAY_MS).await;
                    session.write_arrivals();
                });
            }
            return;
        }
        self.write_arrivals();
        self.spawn_commit(vec![persist]);
    }

    /// Writes the arrivals gathered so far, if any.
    fn write_arrivals(self: &Rc<Self>) {
        let arrivals = self.arrivals.take();
        if !arrivals.is_empty() {
            self.spawn_commit(arrivals);
        }
    }

    /// Starts writing `batch`; until it commits the badge says "saving".
    fn spawn_commit(self: &Rc<Self>, batch: Vec<Persist>) {
        self.signals.unsaved_writes.update(|n| *n += 1);
        spawn_local(Rc::clone(self).commit(batch));
    }

    /// Writes `batch` in one transaction, again and again until it commits, then tells the
    /// engine. The transaction is created before this first awaits, so batches commit in the
    /// order they were started.
    async fn commit(self: Rc<Self>, batch: Vec<Persist>) {
        let writes: Vec<Write> = batch.iter().flat_map(|p| p.writes.clone()).collect();
        self.retrying(|| self.store.write(&writes)).await;
        trace("crm:written");
        self.signals.unsaved_writes.update(|n| *n -= 1);
        for persist in batch {
            let effects = self.repo.borrow_mut().written(persist.ticket);
            self.run(effects);
        }
    }

    /// Moves an unreadable document aside and tells the person.
    pub(super) async fn quarantine(self: Rc<Self>, stored: StoredDoc, reason: String) {
        match self.store.quarantine(&stored, js_sys::Date::now()).await {
            Ok(kept) => self
                .signals
                .quarantined
                .update(|q| q.push((stored.id.clone(), format!("{reason}; kept as {kept}")))),
            Err(error) => self.report(error),
        }
    }
}
