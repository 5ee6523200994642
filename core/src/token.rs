//! Workspace access tokens: who (member, role) may open which workspace until when, signed
//! with HMAC-SHA256 under the edge's secret. The edge checks one before it accepts a
//! WebSocket; `cargo xtask dev` signs the demo login link.
//!
//! Form: `base64url(payload) "." base64url(mac)`, payload `v1.{workspace}.{member}.{role}.{expires ms}`
//! (ids never contain dots). The MAC covers the encoded payload; comparison is constant-time.
//! [`Invitation`]s are sealed the same way; a token renews itself ([`Grant::renewed`]) while its
//! member is active.

mod invitation;
mod renewal;

pub use invitation::{Ask, Invitation};
pub use renewal::{LIFETIME_MS, RENEWAL_GRACE_MS, Refusal};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::id::Id;
use crate::values::Millis;
use crate::workspace::Role;

/// What a token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The one workspace it opens.
    pub workspace: String,
    /// The member it speaks for.
    pub member: String,
    /// The member's role.
    pub role: Role,
    /// Expiry, in milliseconds since the epoch.
    pub expires_at: Millis,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of this form.
    #[error("malformed token")]
    Malformed,
    /// The signature does not match (tampered, or signed with another secret).
    #[error("token signature does not match")]
    BadSignature,
    /// Past its expiry.
    #[error("token expired")]
    Expired,
    /// Valid, but for another workspace.
    #[error("token is for workspace {0:?}")]
    OtherWorkspace(String),
}

impl TokenError {
    /// The HTTP status to answer with: 403 for a valid token of another workspace, else 401.
    pub fn status(&self) -> u16 {
        match self {
            Self::OtherWorkspace(_) => 403,
            _ => 401,
        }
    }
}

const VERSION: &str = "v1";

impl Grant {
    /// Signs the grant with `secret`.
    pub fn sign(&self, secret: &[u8]) -> String {
        let payload = format!(
            "{VERSION}.{}.{}.{}.{}",
            self.workspace,
            self.member,
            self.role.as_str(),
            self.expires_at
        );
        seal(&payload, secret)
    }

    /// Checks `token` for `workspace` at time `now`.
    pub fn verify(
        token: &str,
        secret: &[u8],
        workspace: &str,
        now: Millis,
    ) -> Result<Self, TokenError> {
        Self::verify_until(token, secret, workspace, now, 0)
    }

    /// Checks `token` like [`Grant::verify`], accepting it up to `grace` ms past its expiry.
    pub(crate) fn verify_until(
        token: &str,
        secret: &[u8],
        workspace: &str,
        now: Millis,
        grace: Millis,
    ) -> Result<Self, TokenError> {
        let payload = open(token, secret)?;
        let grant = Self::parse_payload(&payload).ok_or(TokenError::Malformed)?;
        if grant.expires_at.saturating_add(grace) <= now {
            return Err(TokenError::Expired);
        }
        if grant.workspace != workspace {
            return Err(TokenError::OtherWorkspace(grant.workspace));
        }
        Ok(grant)
    }

    /// Reads a token's grant without checking its signature or expiry: for a client to show
    /// who it signs in as. Only [`Grant::verify`] decides access.
    pub fn peek(token: &str) -> Option<Self> {
        let (payload, _) = token.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        Self::parse_payload(&payload)
    }

    fn parse_payload(payload: &str) -> Option<Self> {
        let mut parts = payload.split('.');
        let (version, workspace, member, role, expires) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        if version != VERSION || parts.next().is_some() {
            return None;
        }
        Some(Self {
            workspace: Id::parse(workspace).ok()?.to_string(),
            member: Id::parse(member).ok()?.to_string(),
            role: Role::parse(role)?,
            expires_at: expires.parse().ok()?,
        })
    }
}

/// `payload` encoded and signed: `base64url(payload) "." base64url(mac)`.
fn seal(payload: &str, secret: &[u8]) -> String {
    let payload = URL_SAFE_NO_PAD.encode(payload);
    let mac = URL_SAFE_NO_PAD.encode(mac(secret, &payload).finalize().into_bytes());
    format!("{payload}.{mac}")
}

/// The payload of sealed `text` once its signature holds.
fn open(text: &str, secret: &[u8]) -> Result<String, TokenError> {
    let (payload, signature) = text.split_once('.').ok_or(TokenError::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| TokenError::Malformed)?;
    mac(secret, payload)
        .verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;
    URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(TokenError::Malformed)
}

fn mac(secret: &[u8], payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(payload.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"dev secret";

    fn grant() -> Grant {
        Grant {
            workspace: "demo".into(),
            member: "sales-zhang".into(),
            role: Role::Sales,
            expires_at: 2_000,
        }
    }

    #[test]
    fn a_signed_grant_verifies_for_its_workspace_until_it_expires() {
        let token = grant().sign(SECRET);
        assert_eq!(Grant::verify(&token, SECRET, "demo", 1_999), Ok(grant()));
        assert_eq!(Grant::peek(&token), Some(grant()));
        assert_eq!(Grant::peek("garbage"), None);
        assert_eq!(
            Grant::verify(&token, SECRET, "demo", 2_000),
            Err(TokenError::Expired)
        );
        let refused = Grant::verify(&token, SECRET, "other", 0).unwrap_err();
        assert_eq!(refused, TokenError::OtherWorkspace("demo".into()));
        assert_eq!(refused.status(), 403);
    }

    #[test]
    fn tampered_foreign_and_garbage_tokens_are_refused() {
        let token = grant().sign(SECRET);
        assert_eq!(
            Grant::verify(&token, b"another secret", "demo", 0),
            Err(TokenError::BadSignature)
        );
        let admin = Grant {
            role: Role::Admin,
            ..grant()
        };
        let forged = format!(
            "{}.{}",
            admin.sign(SECRET).split_once('.').unwrap().0,
            token.split_once('.').unwrap().1
        );
        assert_eq!(
            Grant::verify(&forged, SECRET, "demo", 0),
            Err(TokenError::BadSignature)
        );
        for garbage in ["", "abc", "a.b", "a.b.c", "🙂.🙂"] {
            let error = Grant::verify(garbage, SECRET, "demo", 0).unwrap_err();
            assert!(matches!(
                error,
                TokenError::Malformed | TokenError::BadSignature
            ));
            assert_eq!(error.status(), 401);
        }
        // A correctly signed payload that is not a grant is malformed, not accepted.
        let payload = URL_SAFE_NO_PAD.encode("v1.demo.zhang");
        let mac = URL_SAFE_NO_PAD.encode(mac(SECRET, &payload).finalize().into_bytes());
        assert_eq!(
            Grant::verify(&format!("{payload}.{mac}"), SECRET, "demo", 0),
            Err(TokenError::Malformed)
        );
    }
}
