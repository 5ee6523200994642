//! The team's calls to the edge: redeeming an invitation, renewing this device's token,
//! claiming a customer from the public pool, and the admin's invitations (mint, list with when
//! members were last seen, revoke). Online only:
//! invitations and tokens are the edge's to give.

use std::collections::BTreeMap;

use crm_core::token::{Ask, Invitation};
use crm_core::values::Millis;

use crate::browser::ask;
use crate::config::{Config, InvitationLink, LinkError};

/// Why a call did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The edge could not be reached.
    Offline,
    /// The edge answered with this status and reason.
    Refused(u16, String),
}

impl From<CallError> for LinkError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Offline => Self::Offline,
            CallError::Refused(410, _) => Self::InvitationSpent,
            CallError::Refused(401, reason) if reason.contains("expired") => {
                Self::InvitationExpired
            }
            CallError::Refused(..) => Self::Unreadable,
        }
    }
}

/// What the Team screen shows beside the members: invitations still open, and when each
/// member last connected.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct TeamState {
    /// Open invitations, oldest first.
    pub invitations: Vec<Invitation>,
    /// Member id → when they last connected (ms).
    pub seen: BTreeMap<String, Millis>,
}

/// A minted invitation: its link and what it says.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Minted {
    code: String,
    /// The invitation.
    pub invitation: Invitation,
}

impl Minted {
    /// The address the invited person opens: this app, with the code and the edge.
    pub fn link(&self, config: &Config) -> String {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        format!("{origin}/?invite={}&edge={}", self.code, config.edge)
    }
}

#[derive(serde::Deserialize)]
struct Token {
    token: String,
}

/// The answer to `url`, read as `T`.
async fn call<T: serde::de::DeserializeOwned>(
    url: &str,
    config: Option<&Config>,
    body: Option<&str>,
) -> Result<T, CallError> {
    let (status, text) = ask(url, config, body).await.ok_or(CallError::Offline)?;
    if !(200..300).contains(&status) {
        return Err(CallError::Refused(status, text));
    }
    serde_json::from_str(&text).map_err(|e| CallError::Refused(status, e.to_string()))
}

/// Redeems `link`: the sign-in of the member it registered.
pub async fn redeem(link: &InvitationLink) -> Result<Config, LinkError> {
    let answer: Token = call(&link.redeem_url(), None, Some(&link.code)).await?;
    Config::new(Some(&link.edge), &answer.token)
}

/// A fresh token for `config`'s member (the edge says their role now).
pub async fn renew(config: &Config) -> Result<String, CallError> {
    let answer: Token = call(&config.team_url("renew"), Some(config), Some("")).await?;
    Ok(answer.token)
}

/// Mints an invitation (admins only).
pub async fn invite(config: &Config, what: &Ask) -> Result<Minted, CallError> {
    let body = serde_json::to_string(what).unwrap_or_default();
    call(&config.team_url("invite"), Some(config), Some(&body)).await
}

/// The open invitations and when members were last seen (admins only).
pub async fn state(config: &Config) -> Result<TeamState, CallError> {
    call(&config.team_url("team"), Some(config), None).await
}

/// Claims customer `id` from the public pool.
pub async fn claim(config: &Config, id: &str) -> Result<(), CallError> {
    let url = format!("{}?customer={id}", config.team_url("claim"));
    call::<serde_json::Value>(&url, Some(config), Some(""))
        .await
        .map(|_| ())
}

/// Revokes invitation `id` (admins only).
pub async fn revoke(config: &Config, id: &str) -> Result<(), CallError> {
    let url = format!("{}?id={id}", config.team_url("revoke"));
    call::<serde_json::Value>(&url, Some(config), Some(""))
        .await
        .map(|_| ())
}
