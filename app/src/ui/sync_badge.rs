//! The sync state in the top bar: saving, synced, connecting or offline.

use leptos::prelude::*;

use crate::edge_link::LinkStatus;
use crate::i18n::use_lang;
use crate::session::SessionSignals;

/// Shows whether edits are saved on this device and whether the edge is reachable.
#[component]
pub fn SyncBadge(signals: SessionSignals) -> impl IntoView {
    let lang = use_lang();
    let state = move || {
        let t = lang.get().t();
        match (signals.link.get(), signals.unsaved_writes.get()) {
            (_, n) if n > 0 => ("saving", t.sync_saving),
            (LinkStatus::Online, _) => ("online", t.sync_online),
            (LinkStatus::Connecting, _) => ("connecting", t.sync_connecting),
            (LinkStatus::Offline, _) => ("offline", t.sync_offline),
        }
    };
    view! {
        <span class="sync-badge" data-status=move || state().0 role="status">
            <span class="dot"></span>
            <span class="sync-label">{move || state().1}</span>
        </span>
    }
}
