//! The team as the workspace document lists it: a member it marks inactive is refused at
//! `join` and their open sockets close as soon as a change deactivates them; a member whose
//! role changed since their token was minted is closed the same way, to renew the token (which
//! then carries the new role). [`SyncServer::standing`] answers the edge's renewals, and
//! [`SyncServer::welcome`] registers the member an invitation names.

use std::collections::BTreeMap;

use super::{
    CLOSE_DEACTIVATED, CLOSE_ROLE_CHANGED, CLOSE_SCOPE_CHANGED, ConnId, DocumentStore, Effect,
    StoreError, SyncServer, refuse,
};
use crate::document::Stamp;
use crate::id::Id;
use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::sync::doc_id::RepoDocId;
use crate::sync::slot::DocSlot;
use crate::token::{Grant, Invitation};
use crate::values::Millis;
use crate::workspace::{Member, ReadScope, Role, Standing, WorkspaceDoc};

/// The team as the workspace document says.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Team {
    pub(super) members: BTreeMap<String, Member>,
    /// The document's setting as stored (absent: everyone).
    pub(super) scope: Option<ReadScope>,
    /// The cap on customers claimed from the pool (absent: none).
    pub(super) pool_cap: Option<u32>,
}

const DEACTIVATED: &str = "this member was deactivated";
const ROLE_CHANGED: &str = "this member's role changed: renew the sign-in";
const RESCOPED: &str = "which customers this member may read changed: reconnect";

impl SyncServer {
    /// Where `member` stands in the team (the workspace document is read once, then again
    /// after each of its changes).
    pub fn standing(
        &mut self,
        member: &str,
        store: &mut impl DocumentStore,
    ) -> Result<Standing, StoreError> {
        let team = self.team(store)?;
        Ok(standing_in(Some(&team.members), member))
    }

    /// Which customers salespeople's devices receive.
    pub fn read_scope(&mut self, store: &mut impl DocumentStore) -> Result<ReadScope, StoreError> {
        Ok(self.team(store)?.scope.unwrap_or(ReadScope::Everyone))
    }

    /// The team, read from the workspace document when not known yet.
    pub(super) fn team(&mut self, store: &mut impl DocumentStore) -> Result<&Team, StoreError> {
        if self.roster.is_none() {
            // Read once per wake; the document is not kept for it (a new device is better
            // served the stored bytes as they are).
            let was_loaded = self.docs.contains_key(WORKSPACE_DOC_ID);
            self.ensure_loaded(WORKSPACE_DOC_ID, store)?;
            self.roster = Some(self.read_roster());
            if !was_loaded {
                self.docs.remove(WORKSPACE_DOC_ID);
            }
        }
        Ok(self.roster.as_ref().expect("just read"))
    }

    /// Registers the member `invitation` names (redeemed at `now`) in the workspace document
    /// — a new workspace's document starts with them — and sends the change to every joined
    /// device. A member already listed is left as they are.
    pub fn welcome(
        &mut self,
        invitation: &Invitation,
        now: Millis,
        store: &mut impl DocumentStore,
    ) -> Result<Vec<Effect>, StoreError> {
        let known = self.ensure_loaded(WORKSPACE_DOC_ID, store)?;
        let loaded = self.docs.get_mut(WORKSPACE_DOC_ID).expect("just loaded");
        if !known {
            loaded.slot = DocSlot::known(Replica::Workspace(WorkspaceDoc::new()));
        }
        let Some(Replica::Workspace(workspace)) = loaded.slot.replica_mut() else {
            return Ok(Vec::new());
        };
        let (Ok(id), stamp) = (
            Id::parse(&invitation.member),
            Stamp::new(&invitation.invited_by, now),
        ) else {
            return Ok(Vec::new());
        };
        if (workspace.add_member(&id, &invitation.name, invitation.role, &stamp)).is_err() {
            return Ok(Vec::new());
        }
        if !known {
            // A team started now begins with salespeople receiving their own customers.
            let _ = workspace.set_read_scope(ReadScope::Own);
        }
        if let Some(refused) = self.persist_new_or_known(WORKSPACE_DOC_ID, known, store)? {
            self.forget_document(WORKSPACE_DOC_ID);
            return Err(StoreError(refused));
        }
        self.after_change(WORKSPACE_DOC_ID, !known, store)?;
        self.roster = Some(self.read_roster());
        let document_id = RepoDocId::from_local(WORKSPACE_DOC_ID).expect("the workspace's id");
        Ok(self.broadcast(WORKSPACE_DOC_ID, document_id))
    }

    /// Why `conn` may not go on (close code and reason), if it may not.
    pub(super) fn outdated(
        &mut self,
        conn: ConnId,
        store: &mut impl DocumentStore,
    ) -> Result<Option<(u16, &'static str)>, StoreError> {
        let Some(grant) = self.connections.get(&conn).map(|c| c.grant.clone()) else {
            return Ok(None);
        };
        let standing = self.standing(&grant.member, store)?;
        Ok(stale(&grant, standing))
    }

    /// After a change to `doc_id`: when it is the workspace document, re-reads the team and
    /// closes the sockets of members deactivated or given another role.
    pub(super) fn close_outdated(&mut self, doc_id: &str) -> Vec<Effect> {
        if doc_id != WORKSPACE_DOC_ID {
            return Vec::new();
        }
        let roster = self.read_roster();
        let scope = |team: &Team| team.scope.unwrap_or(ReadScope::Everyone);
        let rescoped = self
            .roster
            .as_ref()
            .is_some_and(|was| scope(was) != scope(&roster));
        let closes = (self.connections.iter())
            .filter_map(|(conn, c)| {
                let standing = standing_in(Some(&roster.members), &c.grant.member);
                let rescoped = (rescoped && c.grant.role == Role::Sales)
                    .then_some((CLOSE_SCOPE_CHANGED, RESCOPED));
                (stale(&c.grant, standing).or(rescoped))
                    .map(|(code, reason)| refuse(*conn, code, reason))
            })
            .flatten()
            .collect();
        self.roster = Some(roster);
        closes
    }

    /// The team of the workspace document in memory (nobody without one).
    fn read_roster(&self) -> Team {
        match (self.docs.get(WORKSPACE_DOC_ID)).and_then(|l| l.slot.replica()) {
            Some(Replica::Workspace(doc)) => (doc.settings())
                .map(|w| Team {
                    members: w.members,
                    scope: w.read_scope,
                    pool_cap: w.pool_cap,
                })
                .unwrap_or_default(),
            _ => Team::default(),
        }
    }
}

fn standing_in(members: Option<&BTreeMap<String, Member>>, member: &str) -> Standing {
    members.map_or(Standing::Unlisted, |r| Standing::of(r, member))
}

/// Why a connection with `grant` may not go on given the member's `standing`, if it may not.
fn stale(grant: &Grant, standing: Standing) -> Option<(u16, &'static str)> {
    match standing {
        Standing::Inactive => Some((CLOSE_DEACTIVATED, DEACTIVATED)),
        Standing::Active(role) if role != grant.role => Some((CLOSE_ROLE_CHANGED, ROLE_CHANGED)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
