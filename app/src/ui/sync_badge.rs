//! The sync state in the top bar: saving, syncing (with the changes still to confirm),
//! synced, connecting or offline.

use leptos::prelude::*;

use crate::edge_link::LinkStatus;
use crate::i18n::use_lang;
use crate::session::SessionSignals;

/// Shows whether edits are saved on this device and how far the edge has them.
#[component]
pub fn SyncBadge(signals: SessionSignals) -> impl IntoView {
    let lang = use_lang();
    let state = move || {
        let t = lang.get().t();
        let pending = signals.unconfirmed.get();
        let busy = pending > 0 || signals.awaited.get() > 0 || signals.unproven.get();
        let refused = signals.token_refused.get().is_some();
        match (signals.link.get(), signals.unsaved_writes.get()) {
            (_, n) if n > 0 => ("saving", t.sync_saving),
            (LinkStatus::Offline | LinkStatus::Connecting, _) if refused => {
                ("signed-out", t.sync_token_refused)
            }
            (LinkStatus::Online, _) if busy => ("syncing", t.sync_syncing),
            (LinkStatus::Online, _) => ("online", t.sync_online),
            (LinkStatus::Connecting, _) => ("connecting", t.sync_connecting),
            (LinkStatus::Offline, _) => ("offline", t.sync_offline),
        }
    };
    let pending = move || {
        let n = signals.unconfirmed.get();
        (n > 0).then(|| {
            let t = lang.get().t();
            let text = match n {
                1 => t.sync_pending_one.to_owned(),
                n => t.sync_pending.replace("{n}", &n.to_string()),
            };
            view! { <span class="sync-pending" data-pending=n>{text}</span> }
        })
    };
    view! {
        <span class="sync-badge" data-status=move || state().0 role="status">
            <span class="dot"></span>
            <span class="sync-label">{move || state().1}</span>
            {pending}
        </span>
    }
}
