//! A customer erased at the edge: its tombstone replaces the device's copy — in memory and in
//! storage, with the appended changes and cached rows that held what it was — and it leaves
//! the list. Edits of it made here and not yet confirmed go with it: that is what erasing
//! means. A customer the member may not read (any more) leaves the same way, without a
//! tombstone.

use super::{AfterWrite, DeviceEffect, DeviceRepo, Write};
use crate::CustomerDoc;
use crate::customer::Erased;
use crate::document::CrmDocument;
use crate::replica::Replica;
use crate::sync::DocSlot;

impl DeviceRepo {
    /// When and by whom customer `id` was erased (`None`: it was not, or is not here).
    pub fn erasure(&mut self, id: &str) -> Option<Erased> {
        self.with_customer(id, |doc| doc.erased()).flatten()
    }

    /// The edge erased customer `id`; `tombstone` is what is left of it.
    pub(super) fn replace_erased(&mut self, id: String, tombstone: Vec<u8>) {
        let mut doc = match CustomerDoc::load(&tombstone) {
            Ok(doc) if doc.erased().is_some() && doc.id().as_deref() == Ok(id.as_str()) => doc,
            _ => {
                let warning = format!("an erasure of {id} that is not its tombstone");
                self.out.push(DeviceEffect::Ignored(warning));
                return;
            }
        };
        let heads = doc.heads();
        self.forget(&id);
        self.docs
            .insert(id.clone(), DocSlot::known(Replica::Customer(doc)));
        self.appended.insert(id.clone(), Vec::new());
        self.tell_gone(&id);
        let write = Write::Erased {
            id,
            bytes: tombstone,
            heads,
        };
        self.write(vec![write], AfterWrite::default());
    }

    /// The edge says customer `id` is not this member's to read (any more, or ever): it leaves
    /// the device — memory, list and storage (unconfirmed edits of it included: the edge would
    /// not take them from this member).
    pub(super) fn drop_out_of_scope(&mut self, id: String) {
        self.forget(&id);
        self.docs.remove(&id);
        self.appended.remove(&id);
        self.offers.retain(|o| *o != id);
        self.tell_gone(&id);
        self.write(vec![Write::Dropped { id }], AfterWrite::default());
    }

    /// Forgets what the engine tracked of customer `id` besides its document.
    pub(super) fn forget(&mut self, id: &str) {
        self.shelved.remove(id);
        self.parked.remove(id);
        self.loading.remove(id);
        self.awaited.remove(id);
        self.requested.remove(id);
        self.unconfirmed.remove(id);
    }

    /// Customer `id` left the list (and a page watching it is told).
    pub(super) fn tell_gone(&mut self, id: &str) {
        if self.rows.remove(id).is_some() {
            self.out.push(DeviceEffect::RowsChanged);
        }
        if self.watched.contains(id) {
            self.out.push(DeviceEffect::CustomerChanged(id.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, edge_with, exchange, settle, started, writes};
    use super::*;
    use crate::customer::ProfileEdit;
    use crate::sync::server::Effect;
    use crate::token::Grant;
    use crate::workspace::Role;
    use crate::{ModelError, Stamp};

    /// Whether `bytes` hold `text` as it is.
    fn holds(bytes: &[u8], text: &str) -> bool {
        bytes.windows(text.len()).any(|w| w == text.as_bytes())
    }

    #[test]
    fn an_erased_customer_is_gone_everywhere_and_offline_edits_do_not_bring_it_back() {
        let (mut server, mut store) = edge_with(3, 10);
        let manager = Grant {
            workspace: "demo".into(),
            member: "m".into(),
            role: Role::Manager,
            expires_at: i64::MAX,
        };
        server.connect(2, manager);
        let (mut admin, _) = started(Vec::new());
        let (mut phone, _) = started(Vec::new());
        settle(&mut admin, &mut server, &mut store, 1);
        settle(&mut phone, &mut server, &mut store, 2);
        let id = store.rows.keys().next().unwrap().clone();

        // The manager's phone, offline, renames the customer.
        let name = "离线改名的客户";
        let stamp = Stamp::new("m", NOW + 1);
        let effects = phone
            .edit_customer(&id, &stamp, |doc, s| {
                doc.edit_profile(ProfileEdit::Name(name.into()), s)
            })
            .unwrap();
        for persist in writes(&effects) {
            let _offers_left_unsent = phone.written(persist.ticket);
        }
        phone.disconnected();

        let stamp = Stamp::new("admin", NOW + 2);
        let effects = admin
            .edit_customer(&id, &stamp, |doc, s| doc.erase(s))
            .unwrap();
        assert!(
            admin.rows().all(|row| row.id != id),
            "gone from the list at once"
        );
        exchange(&mut admin, &mut server, &mut store, 1, effects);

        let stored = store.docs[&id].clone();
        let mut tombstone = CustomerDoc::load(&stored.snapshot).unwrap();
        assert!(stored.changes.is_empty() && !store.rows.contains_key(&id));
        assert_eq!(tombstone.erased().map(|e| e.by), Some("admin".into()));
        assert!(matches!(
            tombstone.customer(),
            Err(ModelError::Erased { .. })
        ));
        assert_eq!(
            tombstone.automerge_mut().get_changes(&[]).len(),
            1,
            "one change: no history"
        );
        assert_eq!(
            admin.heads(&id),
            stored.heads,
            "the admin's copy is the tombstone"
        );
        assert!(matches!(
            store.audit.last().map(|e| &e.decision),
            Some(crate::audit::Decision::Accepted)
        ));

        // Back online, the phone's edit is not merged: its copy becomes the tombstone.
        let join = phone.connected();
        let mut seen = Vec::new();
        let mut pending = join;
        while !pending.is_empty() || phone.has_offers() {
            pending.extend(phone.pump(usize::MAX));
            for effect in std::mem::take(&mut pending) {
                match effect {
                    DeviceEffect::Send(frame) => {
                        for answer in server.receive(2, &frame, &mut store) {
                            if let Effect::Send(2, frame) = answer {
                                pending.extend(phone.receive(&frame));
                            }
                        }
                    }
                    DeviceEffect::Write(persist) => {
                        seen.extend(persist.writes.clone());
                        pending.extend(phone.written(persist.ticket));
                    }
                    _ => {}
                }
            }
        }
        assert!(
            seen.iter()
                .any(|w| matches!(w, Write::Erased { id: e, .. } if *e == id))
        );
        assert_eq!(
            store.docs[&id], stored,
            "the edge still holds only the tombstone"
        );
        assert_eq!(phone.heads(&id), stored.heads);
        assert!(phone.rows().all(|row| row.id != id));
        assert!(phone.customer(&id).is_none());
        let edit = phone.edit_customer(&id, &Stamp::new("m", NOW + 3), |doc, s| {
            doc.edit_profile(ProfileEdit::Name(name.into()), s)
        });
        assert!(matches!(edit, Err(ModelError::Erased { .. })));
        assert!(!holds(&store.docs[&id].snapshot, name));
        assert!(store.rows.values().all(|r| r.row.name != name));
    }
}
