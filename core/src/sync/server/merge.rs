//! Merges at the edge. A manager's change marks a duplicate `merged_into` the survivor; once
//! the policy has admitted it, the server carries what the duplicate holds into the survivor
//! (`CustomerDoc::carry`), stores it, runs the rules on it and sends it like any change — and
//! does so again whenever the duplicate changes later (a device that edited it offline), so
//! nothing written to a merged-away customer is lost. An unmerge takes out of the survivor
//! what was carried (`CustomerDoc::uncarry`), handing back to the duplicate what was edited
//! in the survivor meanwhile.

use super::{DocumentStore, StoreError, SyncServer};
use crate::document::Stamp;
use crate::replica::Replica;

/// Most survivors a change is carried through (a survivor merged on into another, …).
const MOST_CARRIED: usize = 4;

impl SyncServer {
    /// After a stored change of customer `doc_id`: carries it into the customer it is merged
    /// into (and on, when that one is merged too), or takes out what it carried when its
    /// merge was undone. Returns the other customers stored changed.
    pub(super) fn after_merge_change(
        &mut self,
        doc_id: &str,
        store: &mut impl DocumentStore,
    ) -> Result<Vec<String>, StoreError> {
        let Some(now) = self.now else {
            return Ok(Vec::new());
        };
        let mut changed: Vec<String> = Vec::new();
        let mut from = doc_id.to_owned();
        while changed.len() < MOST_CARRIED {
            let Some(merged) = self.customer(&from).and_then(|doc| doc.merged()) else {
                break;
            };
            let into = merged.into.clone();
            // A cycle (two customers merged into each other offline) stops here.
            if into == doc_id || changed.contains(&into) {
                break;
            }
            if !self.load_customer(&into, store)? {
                break;
            }
            if merged.undone.is_none() && self.leads_back(&into, &from, store)? {
                // Merged into each other (two people, offline): the merge that reached the
                // edge first stands, this one is undone — else both would leave the lists.
                if let Some(Replica::Customer(doc)) =
                    self.docs.get_mut(&from).and_then(|l| l.slot.replica_mut())
                {
                    doc.cancel_merge(now)
                        .map_err(|e| StoreError(format!("undoing the merge of {from}: {e}")))?;
                }
                if self.persist(&from, true, store)?.is_some() {
                    self.forget_document(&from);
                } else if from != doc_id {
                    changed.push(from.clone());
                }
                break;
            }
            let stamp = Stamp::new(merged.by.as_str(), now);
            let [Some(loser), Some(survivor)] = self.docs.get_disjoint_mut([&from, &into]) else {
                break;
            };
            let (Some(Replica::Customer(loser)), Some(Replica::Customer(survivor))) =
                (loser.slot.replica_mut(), survivor.slot.replica_mut())
            else {
                break;
            };
            if survivor.erased().is_some() {
                break;
            }
            let (survivor_changed, loser_changed) = match merged.undone {
                None => (survivor.carry(loser, &stamp).unwrap_or(false), false),
                Some(_) => survivor.uncarry(loser, &stamp).unwrap_or((false, false)),
            };
            if loser_changed {
                if self.persist(&from, true, store)?.is_some() {
                    // Beyond its size: memory goes back to what is stored.
                    self.forget_document(&from);
                    break;
                }
                if from != doc_id {
                    changed.push(from.clone());
                }
            }
            if !survivor_changed {
                break;
            }
            if self.persist(&into, true, store)?.is_some() {
                self.forget_document(&into);
                break;
            }
            self.after_change(&into, false, store)?;
            changed.push(into.clone());
            from = into;
        }
        Ok(changed)
    }

    /// Loads customer `id` if the store has it; whether it is here.
    fn load_customer(
        &mut self,
        id: &str,
        store: &mut impl DocumentStore,
    ) -> Result<bool, StoreError> {
        let present = self.docs.contains_key(id);
        let here = self.ensure_loaded(id, store)?;
        if !here && !present {
            // Not here yet (nor anyone waiting for it to keep).
            self.docs.remove(id);
        }
        Ok(here)
    }

    /// Whether following the merges from customer `start` reaches customer `to`.
    fn leads_back(
        &mut self,
        start: &str,
        to: &str,
        store: &mut impl DocumentStore,
    ) -> Result<bool, StoreError> {
        let mut at = start.to_owned();
        for _ in 0..MOST_CARRIED {
            let Some(next) = self.customer(&at).and_then(|doc| doc.merged_into()) else {
                return Ok(false);
            };
            if next == to {
                return Ok(true);
            }
            if !self.load_customer(&next, store)? {
                return Ok(false);
            }
            at = next;
        }
        Ok(false)
    }

    /// Loaded customer `doc_id`.
    fn customer(&self, doc_id: &str) -> Option<&crate::CustomerDoc> {
        match self.docs.get(doc_id)?.slot.replica()? {
            Replica::Customer(doc) => Some(doc),
            Replica::Workspace(_) => None,
        }
    }
}

#[cfg(test)]
mod tests;
