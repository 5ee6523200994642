//! Renewing a token: a device trades its token for a fresh one while its member is active in
//! the workspace document, which also says the member's role now. A device offline past its
//! token's expiry still renews within [`RENEWAL_GRACE_MS`] and then syncs what it kept.

use super::{Grant, TokenError};
use crate::values::Millis;
use crate::workspace::Standing;

/// How long a token is valid once minted or renewed (30 days).
pub const LIFETIME_MS: Millis = 30 * DAY_MS;
/// How long past its expiry a token may still be renewed (90 days).
pub const RENEWAL_GRACE_MS: Millis = 90 * DAY_MS;
const DAY_MS: Millis = 24 * 3600 * 1000;

/// Why a token is not renewed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The token itself does not hold (tampered, another workspace, expired beyond the grace).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The workspace document says the member left the team.
    #[error("this member was deactivated")]
    Deactivated,
}

impl Refusal {
    /// The HTTP status to answer with: 403 for a deactivated member, else the token's.
    pub fn status(&self) -> u16 {
        match self {
            Self::Token(error) => error.status(),
            Self::Deactivated => 403,
        }
    }
}

impl Grant {
    /// Checks `token` presented for renewal: as [`Grant::verify`] does, but accepted up to
    /// [`RENEWAL_GRACE_MS`] past its expiry.
    pub fn verify_for_renewal(
        token: &str,
        secret: &[u8],
        workspace: &str,
        now: Millis,
    ) -> Result<Self, TokenError> {
        Self::verify_until(token, secret, workspace, now, RENEWAL_GRACE_MS)
    }

    /// Whether a device renews this token now: less than half its lifetime left.
    pub fn renewal_due(&self, now: Millis) -> bool {
        self.expires_at - now < LIFETIME_MS / 2
    }

    /// The role the member of this grant has given their `standing`: the workspace
    /// document's, the token's for a member it does not list, none for one who left.
    pub fn role_now(&self, standing: Standing) -> Option<crate::workspace::Role> {
        match standing {
            Standing::Active(role) => Some(role),
            Standing::Unlisted => Some(self.role),
            Standing::Inactive => None,
        }
    }

    /// The grant a renewal at `now` gives a member of `standing`: a full lifetime, with the
    /// role the workspace document gives the member (a member it does not list keeps the
    /// token's role: a team's first admin before the workspace is stored).
    pub fn renewed(&self, standing: Standing, now: Millis) -> Result<Self, Refusal> {
        let role = self.role_now(standing).ok_or(Refusal::Deactivated)?;
        Ok(Self {
            role,
            expires_at: now + LIFETIME_MS,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Role;

    const SECRET: &[u8] = b"renewal secret";

    fn grant(expires_at: Millis) -> Grant {
        Grant {
            workspace: "team".into(),
            member: "li".into(),
            role: Role::Manager,
            expires_at,
        }
    }

    #[test]
    fn an_expired_token_renews_within_the_grace_and_not_after() {
        let token = grant(1_000).sign(SECRET);
        assert_eq!(
            Grant::verify(&token, SECRET, "team", 1_000),
            Err(TokenError::Expired)
        );
        let last = 1_000 + RENEWAL_GRACE_MS - 1;
        assert_eq!(
            Grant::verify_for_renewal(&token, SECRET, "team", last),
            Ok(grant(1_000))
        );
        assert_eq!(
            Grant::verify_for_renewal(&token, SECRET, "team", last + 1),
            Err(TokenError::Expired)
        );
        assert_eq!(
            Grant::verify_for_renewal(&token, b"other", "team", 0),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn a_renewal_takes_the_role_of_the_document_and_refuses_who_left() {
        let now = 5_000;
        let renewed = grant(1_000).renewed(Standing::Active(Role::Sales), now);
        assert_eq!(
            renewed,
            Ok(Grant {
                role: Role::Sales,
                expires_at: now + LIFETIME_MS,
                ..grant(0)
            })
        );
        let unlisted = grant(1_000).renewed(Standing::Unlisted, now).unwrap();
        assert_eq!(unlisted.role, Role::Manager);
        let refused = grant(1_000).renewed(Standing::Inactive, now).unwrap_err();
        assert_eq!(
            (refused.clone(), refused.status()),
            (Refusal::Deactivated, 403)
        );
    }

    #[test]
    fn a_device_renews_once_half_the_lifetime_is_gone() {
        let minted = grant(LIFETIME_MS);
        assert!(!minted.renewal_due(0));
        assert!(!minted.renewal_due(LIFETIME_MS / 2));
        assert!(minted.renewal_due(LIFETIME_MS / 2 + 1));
        assert!(minted.renewal_due(LIFETIME_MS + 1));
    }
}
