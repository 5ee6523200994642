//! The team's addresses under `/ws/{workspace}`, answered by the workspace's Durable Object:
//!
//! - `POST invite` (an admin's token; body `{"name", "role", "days"}`, [`Ask`]) mints an
//!   invitation: answers `{"code", "invitation"}`; the code goes into the link the admin sends.
//! - `GET team` (admin): the open invitations and when each member was last seen.
//! - `POST revoke?id=…` (admin): the invitation never opens.
//! - `POST redeem` (no token; body: the invitation's code): registers the member
//!   in the workspace document ([`SyncServer::welcome`](crm_core::sync::SyncServer::welcome)),
//!   spends the invitation and answers `{"token"}` for the device that redeemed it.
//! - `POST renew` (a token, even expired up to `RENEWAL_GRACE_MS`): a fresh token with the
//!   role the workspace document gives, or 403 for a member who was deactivated.
//!
//! A token's role stands only while the workspace document agrees: the admin's calls ask the
//! document ([`Workspace::role_now`]).

use crm_core::token::{Ask, Grant, Invitation};
use crm_core::workspace::{Role, Standing};
use worker::{Request, Response, Result};

use crate::workspace_object::{Workspace, json_response};

/// A team address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Invite,
    List,
    Revoke,
    Redeem,
    Renew,
}

fn failed(error: impl std::fmt::Display) -> worker::Error {
    worker::Error::RustError(error.to_string())
}

impl Workspace {
    /// Answers team call `call` of `workspace`; `grant`: the token's, checked by the Worker
    /// (none for `redeem`).
    pub(crate) async fn team_call(
        &self,
        workspace: &str,
        call: Call,
        grant: Option<Grant>,
        mut req: Request,
    ) -> Result<Response> {
        let now = worker::Date::now().as_millis() as i64;
        if call == Call::Redeem {
            let code = req.text().await?;
            return self.redeem(workspace, code.trim(), now);
        }
        let Some(grant) = grant else {
            return crate::refusal("not authenticated", 401);
        };
        if call == Call::Renew {
            return self.renew(&grant, now);
        }
        if self.role_now(&grant)? != Some(Role::Admin) {
            return crate::refusal("only admins manage the team", 403);
        }
        let store = self.store();
        match call {
            Call::Invite => {
                let Ok(ask) = serde_json::from_str::<Ask>(&req.text().await?) else {
                    return crate::refusal("expected {\"name\", \"role\", \"days\"}", 400);
                };
                let invitation = match Invitation::new(&grant.workspace, &ask, &grant.member, now) {
                    Ok(invitation) => invitation,
                    Err(error) => return crate::refusal(&error.to_string(), 400),
                };
                store.put_invitation(&invitation).map_err(failed)?;
                let code = invitation.sign(self.secret()?.as_bytes());
                let answer = serde_json::json!({ "code": code, "invitation": invitation });
                json_response(answer.to_string())
            }
            Call::List => {
                let pending = store.pending_json(now).map_err(failed)?;
                let seen = store.seen_json().map_err(failed)?;
                json_response(format!(r#"{{"invitations":{pending},"seen":{seen}}}"#))
            }
            Call::Revoke => {
                let url = req.url()?;
                let Some(id) = url
                    .query_pairs()
                    .find_map(|(k, v)| (k == "id").then_some(v))
                else {
                    return crate::refusal("which invitation? ?id=…", 400);
                };
                store.spend(&id, now).map_err(failed)?;
                json_response("{}".into())
            }
            Call::Redeem | Call::Renew => unreachable!("answered above"),
        }
    }

    /// The role `grant`'s member has now ([`Grant::role_now`]), none for one who left.
    pub(crate) fn role_now(&self, grant: &Grant) -> Result<Option<Role>> {
        Ok(grant.role_now(self.standing(grant)?))
    }

    fn standing(&self, grant: &Grant) -> Result<Standing> {
        (self.server.borrow_mut())
            .standing(&grant.member, &mut self.store())
            .map_err(failed)
    }

    fn redeem(&self, workspace: &str, code: &str, now: i64) -> Result<Response> {
        let invitation = match Invitation::verify(code, self.secret()?.as_bytes(), workspace, now) {
            Ok(invitation) => invitation,
            Err(error) => return crate::refusal(&error.to_string(), error.status()),
        };
        let store = self.store();
        if store.is_spent(&invitation.id).map_err(failed)? {
            return crate::refusal("this invitation was already used or revoked", 410);
        }
        let effects = {
            let mut server = self.server.borrow_mut();
            server.set_time(self.now());
            (server.welcome(&invitation, now, &mut self.store())).map_err(failed)?
        };
        store.spend(&invitation.id, now).map_err(failed)?;
        self.carry_out_all(None, effects).0?;
        let token = invitation.grant(now).sign(self.secret()?.as_bytes());
        json_response(serde_json::json!({ "token": token }).to_string())
    }

    fn renew(&self, grant: &Grant, now: i64) -> Result<Response> {
        match grant.renewed(self.standing(grant)?, now) {
            Ok(renewed) => {
                let token = renewed.sign(self.secret()?.as_bytes());
                json_response(serde_json::json!({ "token": token }).to_string())
            }
            Err(refusal) => crate::refusal(&refusal.to_string(), refusal.status()),
        }
    }

    /// The edge's token secret.
    fn secret(&self) -> Result<String> {
        Ok(self.env.secret("AUTH_SECRET")?.to_string())
    }
}
