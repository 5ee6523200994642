//! The sign-ins this device keeps, one per workspace, and the one in use.
//!
//! They live in local storage, not in the tab, so that new windows and the installed app (which
//! starts without the login link's query) open signed in. A login link in the address is taken
//! in, then removed from the address bar so that the token is not left in history or shared by
//! copying the address. Deleting a workspace's local data is done at the next start, before
//! anything opens it.

use crate::config::{Config, InvitationLink, LinkError, database_name};

/// Local-storage key of the kept sign-ins: a JSON list of `[edge, token]`.
const SIGN_INS_KEY: &str = "qingke.sign-ins";
/// Local-storage key of the workspace in use.
const CURRENT_KEY: &str = "qingke.workspace";
/// Local-storage key of the databases to delete at the next start (a JSON list of names).
const DOOMED_KEY: &str = "qingke.delete-databases";
/// Local-storage key set when the edge said this device's member was deactivated, so the next
/// start says why it is signed out.
const DEACTIVATED_KEY: &str = "qingke.deactivated";

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The JSON kept under `key` (empty if there is none or it cannot be read).
fn read_json<T: serde::de::DeserializeOwned + Default>(key: &str) -> T {
    local()
        .and_then(|s| s.get_item(key).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn write(key: &str, json: String) {
    if let Some(storage) = local() {
        let _ = storage.set_item(key, &json);
    }
}

/// Every kept sign-in, in the order they were made.
pub fn all() -> Vec<Config> {
    read_json::<Vec<(String, String)>>(SIGN_INS_KEY)
        .into_iter()
        .filter_map(|(edge, token)| Config::new(Some(&edge), &token).ok())
        .collect()
}

fn keep(sign_ins: &[Config]) {
    let list: Vec<(&str, &str)> = sign_ins
        .iter()
        .map(|c| (c.edge.as_str(), c.token.as_str()))
        .collect();
    write(
        SIGN_INS_KEY,
        serde_json::to_string(&list).unwrap_or_default(),
    );
}

/// The sign-in in use: the one last chosen, else the first kept.
pub fn current() -> Option<Config> {
    let chosen = local().and_then(|s| s.get_item(CURRENT_KEY).ok().flatten());
    let all = all();
    chosen
        .and_then(|w| all.iter().find(|c| c.workspace == w).cloned())
        .or_else(|| all.into_iter().next())
}

/// Keeps `config` (replacing an earlier sign-in to the same workspace) and uses it.
pub fn remember(config: &Config) {
    let mut all = all();
    match all.iter_mut().find(|c| c.workspace == config.workspace) {
        Some(kept) => *kept = config.clone(),
        None => all.push(config.clone()),
    }
    keep(&all);
    switch_to(&config.workspace);
}

/// Uses the kept sign-in to `workspace` from the next start.
pub fn switch_to(workspace: &str) {
    write(CURRENT_KEY, workspace.to_owned());
}

/// Forgets the sign-in to `workspace`; with `delete_data`, its documents on this device are
/// deleted at the next start.
pub fn sign_out(workspace: &str, delete_data: bool) {
    let mut all = all();
    all.retain(|c| c.workspace != workspace);
    keep(&all);
    if let Some(storage) = local() {
        let _ = storage.remove_item(CURRENT_KEY);
    }
    if delete_data {
        let mut doomed: Vec<String> = read_json(DOOMED_KEY);
        doomed.push(database_name(workspace));
        write(
            DOOMED_KEY,
            serde_json::to_string(&doomed).unwrap_or_default(),
        );
    }
}

/// Deletes the local data of workspaces signed out of with "delete" (before anything opens
/// them). A deletion that fails is tried again at the next start.
pub async fn delete_doomed_data() {
    let doomed: Vec<String> = read_json(DOOMED_KEY);
    if doomed.is_empty() {
        return;
    }
    let mut left = Vec::new();
    for name in doomed {
        if let Err(error) = crate::storage::delete_database(&name).await {
            leptos::logging::warn!("{error}");
            left.push(name);
        }
    }
    write(DOOMED_KEY, serde_json::to_string(&left).unwrap_or_default());
}

/// Forgets the sign-in to `workspace` and deletes its data at the next start, because the edge
/// said its member was deactivated; that start says so.
pub fn deactivated(workspace: &str) {
    sign_out(workspace, true);
    write(DEACTIVATED_KEY, "true".into());
}

/// Whether the last sign-in ended because its member was deactivated (said once).
pub fn take_deactivated() -> bool {
    let Some(storage) = local() else {
        return false;
    };
    let was = storage.get_item(DEACTIVATED_KEY).ok().flatten().is_some();
    let _ = storage.remove_item(DEACTIVATED_KEY);
    was
}

/// Takes in the login link in the page address, if there is one: it is kept and used, and the
/// address loses its query. A link that does not sign in is reported (and also removed). An
/// invitation link is handed back, to be redeemed.
pub fn take_login_link() -> Result<Option<InvitationLink>, LinkError> {
    let window = web_sys::window().expect("a browser window");
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let invitation = InvitationLink::from_link(&search);
    let taken = Config::from_link(&search);
    let carried_sign_in = !matches!((&invitation, &taken), (Ok(None), Ok(None)));
    if carried_sign_in {
        let path = location.pathname().unwrap_or_else(|_| "/".into());
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    }
    if let Some(invitation) = invitation? {
        return Ok(Some(invitation));
    }
    if let Ok(Some(config)) = &taken {
        remember(config);
    }
    taken.map(|_| None)
}
