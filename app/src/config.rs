//! One sign-in: the edge, the workspace and the member's token, made from a login link.
//!
//! A login link is the app's address with `?token=…` (and `&edge=ws://host:port` when the edge
//! is not on the page's host at port 8787; `&workspace=ID` may repeat what the token says).
//! The token names the workspace, the member and their role; only the edge decides whether it
//! is valid. The token travels in a WebSocket subprotocol and an `Authorization` header, never
//! in an address, so it stays out of logs and error messages. An invitation link carries
//! `?invite=…` instead: the edge redeems it once for a token of the member it registers.

use crm_core::token::{Grant, Invitation};
use crm_core::workspace::Role;

/// Connection settings of one sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// WebSocket base URL of the edge, without a trailing slash.
    pub edge: String,
    /// Workspace id.
    pub workspace: String,
    /// Member id this device edits as (from the token).
    pub member: String,
    /// What the member may do (from the token; the edge enforces it).
    pub role: Role,
    /// Workspace token presented to the edge.
    pub token: String,
}

/// Why a link does not sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// The text has no `token=`: not a login link.
    NoToken,
    /// The token cannot be read (cut short when copied, or not a Qingke token).
    Unreadable,
    /// `workspace=` names another workspace than the token.
    OtherWorkspace,
    /// `edge=` names a host this app does not sign in to (not the page's own host, nor one
    /// the build allows): a link that would send the device's data and token elsewhere.
    ForeignEdge,
    /// The invitation was already used or revoked (the edge answered 410).
    InvitationSpent,
    /// The invitation expired.
    InvitationExpired,
    /// The edge could not be reached to redeem the invitation.
    Offline,
    /// The edge said this member was deactivated: the device deleted the workspace's data.
    Deactivated,
}

/// An invitation link: the edge it names and its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationLink {
    /// WebSocket base URL of the edge.
    pub edge: String,
    /// The workspace it opens.
    pub workspace: String,
    /// The sealed invitation.
    pub code: String,
}

impl InvitationLink {
    /// The invitation a link (a whole address or its query) carries. `Ok(None)`: none.
    pub fn from_link(link: &str) -> Result<Option<Self>, LinkError> {
        let Some(params) = query_params(link) else {
            return Ok(None);
        };
        let Some(code) = params.get("invite").filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        let invitation = Invitation::peek(code.trim()).ok_or(LinkError::Unreadable)?;
        Ok(Some(Self {
            edge: checked_edge(params.get("edge").as_deref())?,
            workspace: invitation.workspace,
            code: code.trim().to_owned(),
        }))
    }

    /// The HTTP(S) address that redeems it.
    pub fn redeem_url(&self) -> String {
        format!("{}/redeem", http_base(&self.edge, &self.workspace))
    }
}

/// A link's query parameters (of a whole address or of the query alone).
fn query_params(link: &str) -> Option<web_sys::UrlSearchParams> {
    let query = link.split_once('?').map_or(link, |(_, q)| q);
    let query = query.split('#').next().unwrap_or_default();
    web_sys::UrlSearchParams::new_with_str(query).ok()
}

/// The edge `edge=` names, if this app signs in to it (`None`: this page's default edge).
fn checked_edge(edge: Option<&str>) -> Result<String, LinkError> {
    match edge.filter(|e| !e.is_empty()) {
        Some(edge) if allowed_edge(edge) => Ok(edge.trim_end_matches('/').to_owned()),
        Some(_) => Err(LinkError::ForeignEdge),
        None => Ok(default_edge()),
    }
}

/// The HTTP(S) base address of `workspace` on `edge`.
fn http_base(edge: &str, workspace: &str) -> String {
    format!("{edge}/ws/{workspace}").replacen("ws", "http", 1)
}

/// Hosts of edges this build signs in to besides the page's own, comma-separated, from
/// `QINGKE_EDGES` at build time (e.g. `edge.example.com`).
const ALLOWED_EDGES: Option<&str> = option_env!("QINGKE_EDGES");

impl Config {
    /// The sign-in that `token` makes on `edge` (`None`: the default edge of this page).
    pub fn new(edge: Option<&str>, token: &str) -> Result<Self, LinkError> {
        let grant = Grant::peek(token.trim()).ok_or(LinkError::Unreadable)?;
        let edge = checked_edge(edge)?;
        Ok(Self {
            edge,
            workspace: grant.workspace,
            member: grant.member,
            role: grant.role,
            token: token.trim().to_owned(),
        })
    }

    /// The sign-in a login link makes (a whole address or its query). `Ok(None)`: the text
    /// carries no sign-in at all.
    pub fn from_link(link: &str) -> Result<Option<Self>, LinkError> {
        let params = query_params(link).ok_or(LinkError::NoToken)?;
        let Some(token) = params.get("token").filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let config = Self::new(params.get("edge").as_deref(), &token)?;
        match params.get("workspace").filter(|w| !w.is_empty()) {
            Some(workspace) if workspace != config.workspace => Err(LinkError::OtherWorkspace),
            _ => Ok(Some(config)),
        }
    }

    /// The WebSocket URL of this workspace on the edge.
    pub fn socket_url(&self) -> String {
        format!("{}/ws/{}", self.edge, self.workspace)
    }

    /// The subprotocols the socket offers: ours, and the token as a second one.
    pub fn socket_protocols(&self) -> [String; 2] {
        ["qingke.v1".to_owned(), format!("token.{}", self.token)]
    }

    /// The same address over HTTP(S): answers whether the token is refused (401 / 403).
    pub fn probe_url(&self) -> String {
        http_base(&self.edge, &self.workspace)
    }

    /// The HTTP(S) address of the team's call `call` (`invite`, `team`, `revoke`, `renew`).
    pub fn team_url(&self, call: &str) -> String {
        format!("{}/{call}", self.probe_url())
    }

    /// This sign-in with `token` (renewed) instead of its own.
    pub fn with_token(&self, token: &str) -> Self {
        let role = Grant::peek(token).map_or(self.role, |g| g.role);
        Self {
            token: token.to_owned(),
            role,
            ..self.clone()
        }
    }

    /// The HTTP(S) address of the page of customers' summary rows after customer `after`
    /// (empty: the first page) on the edge.
    pub fn rows_url(&self, after: &str) -> String {
        format!("{}/rows?after={after}", self.probe_url())
    }

    /// The HTTP(S) address of the audit trail's entries that `query` (a query string) asks for.
    pub fn audit_url(&self, query: &str) -> String {
        format!("{}/audit?{query}", self.probe_url())
    }

    /// The `Authorization` header value of plain requests to the edge.
    pub fn authorization(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// The IndexedDB database name that holds this workspace's documents.
    pub fn database_name(&self) -> String {
        database_name(&self.workspace)
    }
}

/// The IndexedDB database name that holds `workspace`'s documents.
pub fn database_name(workspace: &str) -> String {
    format!("crm-{workspace}")
}

/// Whether `edge` is a WebSocket address on the page's own host or on a host the build allows.
fn allowed_edge(edge: &str) -> bool {
    let Ok(url) = web_sys::Url::new(edge) else {
        return false;
    };
    let page = web_sys::window().and_then(|w| w.location().hostname().ok());
    let host = url.hostname();
    matches!(url.protocol().as_str(), "ws:" | "wss:")
        && (page.as_deref() == Some(host.as_str())
            || ALLOWED_EDGES.is_some_and(|list| list.split(',').any(|h| h.trim() == host)))
}

/// The edge of a page served without `?edge=`: the page's host, port 8787 (`wrangler dev`).
fn default_edge() -> String {
    let location = web_sys::window().expect("a browser window").location();
    let hostname = location.hostname().unwrap_or_else(|_| "127.0.0.1".into());
    let scheme = if location.protocol().as_deref() == Ok("https:") {
        "wss"
    } else {
        "ws"
    };
    format!("{scheme}://{hostname}:8787")
}
