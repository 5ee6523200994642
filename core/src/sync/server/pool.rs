//! Claims from the public pool ([`crate::policy::pool`]): the server makes the claiming member
//! the owner of a customer nobody owns — decided one claim at a time, so of concurrent claims
//! exactly one wins — stores the change as the member's (and in the audit trail), runs the
//! rules, and offers the customer to every device that may now read it (the claimer's
//! included).

use super::{DocumentStore, Effect, StoreError, SyncServer};
use crate::audit::Decision;
use crate::customer::ProfileEdit;
use crate::document::Stamp;
use crate::policy::pool::{ClaimRefusal, claim};
use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::sync::doc_id::RepoDocId;
use crate::token::Grant;
use crate::values::Millis;

impl SyncServer {
    /// `grant`'s member claims customer `doc_id` at `now`, holding `owned` customers already.
    /// `Ok(Err(_))`: refused (someone owns it, the cap, or no such customer).
    pub fn claim(
        &mut self,
        grant: &Grant,
        doc_id: &str,
        owned: usize,
        now: Millis,
        store: &mut impl DocumentStore,
    ) -> Result<Result<Vec<Effect>, ClaimRefusal>, StoreError> {
        let document_id = match RepoDocId::from_local(doc_id) {
            Ok(id) if doc_id != WORKSPACE_DOC_ID => id,
            _ => return Ok(Err(ClaimRefusal::Missing)),
        };
        if !self.ensure_loaded(doc_id, store)? {
            self.docs.remove(doc_id);
            return Ok(Err(ClaimRefusal::Missing));
        }
        let cap = self.team(store)?.pool_cap;
        let Some(Replica::Customer(doc)) =
            self.docs.get_mut(doc_id).and_then(|l| l.slot.replica_mut())
        else {
            return Ok(Err(ClaimRefusal::Missing));
        };
        if let Err(refusal) = claim(&doc.owner(), owned, cap) {
            return Ok(Err(refusal));
        }
        let stamp = Stamp::new(&grant.member, now);
        if doc
            .edit_profile(ProfileEdit::Owner(grant.member.clone()), &stamp)
            .is_err()
        {
            return Ok(Err(ClaimRefusal::Missing));
        }
        if let Some(refused) = self.persist(doc_id, true, store)? {
            self.forget_document(doc_id);
            return Err(StoreError(refused));
        }
        let owner = vec!["profile.owner".to_owned()];
        self.record(grant, doc_id, owner, false, Decision::Accepted, store)?;
        self.after_change(doc_id, false, store)?;
        Ok(Ok(self.broadcast(doc_id, document_id)))
    }
}
