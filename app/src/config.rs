//! Where this client syncs: the edge URL and the workspace, taken from the page address.
//!
//! `?edge=ws://host:port` overrides the edge (default: same host, port 8787, the local
//! `wrangler dev`); `?workspace=ID` picks the workspace (default `demo`); `?token=…` is the
//! workspace token the edge checks (a login link carries it), which also says who edits.

use crm_core::workspace::Role;

/// Connection settings of this page.
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

impl Config {
    /// Reads the settings from `window.location`.
    pub fn from_location() -> Self {
        let location = web_sys::window().expect("a browser window").location();
        let search = location.search().unwrap_or_default();
        let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
        // A setting given in the address is remembered for the tab, so reloading a deeper
        // page (which has no query) keeps the same workspace and edge.
        let tab = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
        let param = |name: &str| {
            let key = format!("qingke.{name}");
            let given = params
                .as_ref()
                .and_then(|p| p.get(name))
                .filter(|v| !v.is_empty());
            match (&given, &tab) {
                (Some(value), Some(tab)) => {
                    let _ = tab.set_item(&key, value);
                }
                (None, Some(tab)) => return tab.get_item(&key).ok().flatten(),
                _ => {}
            }
            given
        };
        let hostname = location.hostname().unwrap_or_else(|_| "127.0.0.1".into());
        let scheme = if location.protocol().as_deref() == Ok("https:") {
            "wss"
        } else {
            "ws"
        };
        let token = param("token").unwrap_or_default();
        let grant = crm_core::token::Grant::peek(&token);
        // Without a login link the device works alone, as the demo's salesperson, and may
        // change its own rules.
        let (member, role) = match grant {
            Some(grant) => (grant.member, grant.role),
            None => (crm_core::demo::MEMBERS[2].0.into(), Role::Admin),
        };
        Self {
            edge: param("edge")
                .map(|e| e.trim_end_matches('/').to_owned())
                .unwrap_or_else(|| format!("{scheme}://{hostname}:8787")),
            workspace: param("workspace").unwrap_or_else(|| "demo".into()),
            member,
            role,
            token,
        }
    }

    /// The WebSocket URL of this workspace on the edge.
    pub fn socket_url(&self) -> String {
        // Tokens are base64url and a dot: safe in a query as they are.
        format!("{}/ws/{}?token={}", self.edge, self.workspace, self.token)
    }

    /// The same address over HTTP(S): answers whether the token is refused (401 / 403).
    pub fn probe_url(&self) -> String {
        self.socket_url().replacen("ws", "http", 1)
    }

    /// The HTTP(S) address of the page of customers' summary rows after customer `after`
    /// (empty: the first page) on the edge.
    pub fn rows_url(&self, after: &str) -> String {
        let edge = self.edge.replacen("ws", "http", 1);
        let (workspace, token) = (&self.workspace, &self.token);
        format!("{edge}/ws/{workspace}/rows?token={token}&after={after}")
    }

    /// The IndexedDB database name that holds this workspace's documents.
    pub fn database_name(&self) -> String {
        format!("crm-{}", self.workspace)
    }
}
