//! A change the edge refused whole (invalid, beyond a limit, or not the member's to make as a
//! whole — a new document, say): offered again it would be refused again, and the link would
//! close and reopen for ever. So the document as this device has it is set aside in quarantine
//! (nothing is lost), the edge's copy is asked for instead, the person is told why, and sync
//! carries on with everything else.

use super::effect::{DeviceEffect, StoredDoc, Write};
use super::{AfterWrite, DeviceRepo};
use crate::sync::DocSlot;
use crate::sync::server::{REFUSED_PREFIX, REFUSED_SUFFIX};

impl DeviceRepo {
    /// The edge's error `reason`: a change to a document this device holds refused whole
    /// sets that document aside; either way the person is told.
    pub(super) fn refused(&mut self, reason: String) {
        let named = (reason.strip_prefix(REFUSED_PREFIX))
            .and_then(|rest| rest.split_once(REFUSED_SUFFIX))
            .map(|(id, why)| (id.to_owned(), why.to_owned()))
            .filter(|(id, _)| self.docs.contains_key(id));
        let Some((id, why)) = named else {
            self.out.push(DeviceEffect::NotAccepted {
                doc_id: None,
                what: vec![reason],
            });
            return;
        };
        self.set_refused_aside(&id, &reason);
        self.out.push(DeviceEffect::NotAccepted {
            doc_id: Some(id),
            what: vec![why],
        });
    }

    /// Quarantines document `id` as this device has it and awaits the edge's copy.
    fn set_refused_aside(&mut self, id: &str, reason: &str) {
        let Some(replica) = self.docs.get_mut(id).and_then(DocSlot::replica_mut) else {
            // Kept in storage only: this device has not changed it since it was stored.
            return;
        };
        let stored = StoredDoc {
            id: id.to_owned(),
            snapshot: Some(replica.save()),
            heads: Some(replica.heads()),
            changes: Vec::new(),
        };
        self.forget(id);
        self.sync.forget(id);
        self.appended.remove(id);
        self.tell_gone(id);
        self.docs.insert(id.to_owned(), DocSlot::awaited());
        self.awaited.insert(id.to_owned());
        self.offers.retain(|o| o != id);
        self.offers.push_back(id.to_owned());
        self.out.push(DeviceEffect::Quarantine {
            stored,
            reason: reason.to_owned(),
        });
        self.write(
            vec![Write::Dropped { id: id.to_owned() }],
            AfterWrite::default(),
        );
    }
}
