//! `POST /ws/{workspace}/claim?customer=ID`: a member claims a customer of the public pool
//! ([`SyncServer::claim`](crm_core::sync::SyncServer::claim)). 200 once they own it (their
//! devices are offered it at once), 409 with the owner when someone was first, 403 at the
//! team's cap.

use crm_core::token::Grant;
use worker::{Response, Result};

use crate::workspace_object::{Workspace, json_response};

impl Workspace {
    /// Claims `customer` for `grant`'s member.
    pub(crate) fn claim(&self, grant: &Grant, customer: &str) -> Result<Response> {
        let failed = |e: crm_core::sync::StoreError| worker::Error::RustError(e.to_string());
        let owned = self.store().owned_by(&grant.member).map_err(failed)?;
        let decided = {
            let now = self.now();
            let mut server = self.server.borrow_mut();
            server.set_time(now);
            (server.claim(grant, customer, owned, now, &mut self.store())).map_err(failed)?
        };
        match decided {
            Ok(effects) => {
                self.carry_out_all(None, effects).0?;
                json_response(serde_json::json!({ "owner": grant.member }).to_string())
            }
            Err(refusal) => crate::refusal(&refusal.to_string(), refusal.status()),
        }
    }
}
