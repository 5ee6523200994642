//! Invitations: a sealed, single-use offer to join one workspace as a named member with a
//! role, until an expiry. Admins have the edge mint one (`cargo xtask invite` seals the first
//! admin's with the edge's secret); whoever opens its link redeems it once: the edge registers
//! the member in the workspace document and gives that device its own token. The edge keeps
//! which invitations were redeemed or revoked, by [`Invitation::id`].

use serde::{Deserialize, Serialize};

use super::{Grant, LIFETIME_MS, TokenError, open, seal};
use crate::error::ModelError;
use crate::id::Id;
use crate::values::Millis;
use crate::values::required_text;
use crate::workspace::Role;

/// Longest a member's name may be.
const MAX_NAME: usize = 100;
/// Longest an invitation stays open, in days.
pub const MAX_DAYS: i64 = 30;
const DAY_MS: Millis = 24 * 3600 * 1000;

/// What an admin asks an invitation for (the Team screen's form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    /// The new member's display name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Open for this many days (1 to [`MAX_DAYS`]; beyond, the nearest).
    pub days: i64,
}

/// Payload version (the payload is `["i1", {…}]`): a token's payload is never read as an
/// invitation, nor the other way round.
const VERSION: &str = "i1";

/// An invitation to a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// The workspace it opens.
    pub workspace: String,
    /// Names the invitation: listing, revoking, and redeeming it once.
    pub id: String,
    /// The member it registers.
    pub member: String,
    /// The member's display name.
    pub name: String,
    /// The member's role.
    pub role: Role,
    /// Redeemable until then (ms since the epoch).
    pub expires_at: Millis,
    /// The admin who invited.
    pub invited_by: String,
    /// When.
    pub invited_at: Millis,
}

impl Invitation {
    /// A new invitation to `workspace` for what `ask` says, made by admin `by` at `now`, with
    /// fresh ids for itself and the member.
    pub fn new(workspace: &str, ask: &Ask, by: &str, now: Millis) -> Result<Self, ModelError> {
        Ok(Self {
            workspace: workspace.to_owned(),
            id: Id::random().to_string(),
            member: Id::random().to_string(),
            name: required_text("member name", &ask.name, MAX_NAME)?,
            role: ask.role,
            expires_at: now + ask.days.clamp(1, MAX_DAYS) * DAY_MS,
            invited_by: by.to_owned(),
            invited_at: now,
        })
    }

    /// Seals the invitation with `secret`: the code its link carries.
    pub fn sign(&self, secret: &[u8]) -> String {
        let sealed = (VERSION, self);
        seal(
            &serde_json::to_string(&sealed).expect("plain fields"),
            secret,
        )
    }

    /// Checks `code` for `workspace` at `now`.
    pub fn verify(
        code: &str,
        secret: &[u8],
        workspace: &str,
        now: Millis,
    ) -> Result<Self, TokenError> {
        let invitation = Self::read(&open(code, secret)?).ok_or(TokenError::Malformed)?;
        if invitation.expires_at <= now {
            return Err(TokenError::Expired);
        }
        if invitation.workspace != workspace {
            return Err(TokenError::OtherWorkspace(invitation.workspace));
        }
        Ok(invitation)
    }

    /// Reads an invitation's payload without checking its signature: for the app to show whom
    /// a link invites. Only [`Invitation::verify`] decides.
    pub fn peek(code: &str) -> Option<Self> {
        let (payload, _) = code.split_once('.')?;
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?;
        Self::read(std::str::from_utf8(&bytes).ok()?)
    }

    fn read(payload: &str) -> Option<Self> {
        let (version, invitation): (String, Self) = serde_json::from_str(payload).ok()?;
        let Invitation {
            workspace,
            id,
            member,
            ..
        } = &invitation;
        let ids = [workspace, id, member]
            .into_iter()
            .all(|i| Id::parse(i).is_ok());
        (version == VERSION && ids).then_some(invitation)
    }

    /// The grant its redemption at `now` gives the new member's device.
    pub fn grant(&self, now: Millis) -> Grant {
        Grant {
            workspace: self.workspace.clone(),
            member: self.member.clone(),
            role: self.role,
            expires_at: now + LIFETIME_MS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"invitation secret";

    fn invitation() -> Invitation {
        Invitation {
            workspace: "team".into(),
            id: "inv-1".into(),
            member: "m-wang".into(),
            name: "王芳 (Fang.Wang)".into(),
            role: Role::Sales,
            expires_at: 10_000,
            invited_by: "admin".into(),
            invited_at: 1_000,
        }
    }

    #[test]
    fn an_invitation_verifies_for_its_workspace_until_it_expires() {
        let code = invitation().sign(SECRET);
        assert_eq!(
            Invitation::verify(&code, SECRET, "team", 9_999),
            Ok(invitation())
        );
        assert_eq!(Invitation::peek(&code), Some(invitation()));
        assert_eq!(
            Invitation::verify(&code, SECRET, "team", 10_000),
            Err(TokenError::Expired)
        );
        assert_eq!(
            Invitation::verify(&code, SECRET, "other", 0),
            Err(TokenError::OtherWorkspace("team".into()))
        );
        assert_eq!(
            Invitation::verify(&code, b"another", "team", 0),
            Err(TokenError::BadSignature)
        );
        let grant = invitation().grant(2_000);
        assert_eq!(
            (grant.member.as_str(), grant.role, grant.expires_at),
            ("m-wang", Role::Sales, 2_000 + LIFETIME_MS)
        );
    }

    #[test]
    fn an_asked_invitation_has_fresh_ids_a_checked_name_and_a_bounded_life() {
        let ask = Ask {
            name: "  吴磊 ".into(),
            role: Role::Manager,
            days: 90,
        };
        let a = Invitation::new("team", &ask, "admin", 1_000).unwrap();
        let b = Invitation::new("team", &ask, "admin", 1_000).unwrap();
        assert_eq!((a.name.as_str(), a.role), ("吴磊", Role::Manager));
        assert_eq!(a.expires_at, 1_000 + MAX_DAYS * DAY_MS);
        assert!(a.id != b.id && a.member != b.member && a.id != a.member);
        assert_eq!(
            Invitation::verify(&a.sign(SECRET), SECRET, "team", 0),
            Ok(a)
        );
        let nameless = Ask {
            name: " ".into(),
            ..ask
        };
        assert_eq!(
            Invitation::new("team", &nameless, "admin", 0),
            Err(ModelError::Empty {
                field: "member name"
            })
        );
    }

    #[test]
    fn tokens_and_invitations_are_not_taken_for_each_other() {
        let token = invitation().grant(0).sign(SECRET);
        assert_eq!(
            Invitation::verify(&token, SECRET, "team", 0),
            Err(TokenError::Malformed)
        );
        let code = invitation().sign(SECRET);
        assert_eq!(
            Grant::verify(&code, SECRET, "team", 0),
            Err(TokenError::Malformed)
        );
        // Ids that could not be stored or put in a token are refused even when signed.
        let dotted = Invitation {
            member: "m.wang".into(),
            ..invitation()
        };
        assert_eq!(
            Invitation::verify(&dotted.sign(SECRET), SECRET, "team", 0),
            Err(TokenError::Malformed)
        );
    }
}
