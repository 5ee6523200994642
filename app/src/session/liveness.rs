//! Proof that this device is level with the edge, whatever it may have missed.
//!
//! When the page becomes visible or regains focus, and every [`PROBE_EVERY_MS`] while it is
//! shown, the device probes the workspace document and every customer opened in this tab: one
//! sync message each, flagged so that the edge answers even when both sides are level
//! (`DeviceRepo::probe`). A change whose broadcast was lost, for whatever reason, so arrives
//! within [`PROBE_EVERY_MS`]. The badge says "Synced" only while no probe is unanswered; one
//! still unanswered after [`PROBE_PATIENCE_MS`] means the socket died without saying so, and
//! the link is reopened.

use std::rc::Rc;

use leptos::prelude::GetUntracked;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::Session;
use crate::edge_link::LinkStatus;

/// How often a shown page proves it is level with the edge.
const PROBE_EVERY_MS: i32 = 30_000;
/// How long a probe may go unanswered before the link is reopened.
const PROBE_PATIENCE_MS: i32 = 10_000;

impl Session {
    /// Probes on every return to the page and on a timer, for the life of the page.
    pub(super) fn watch_liveness(self: &Rc<Self>) {
        let window = web_sys::window().expect("a browser window");
        let document = window.document().expect("a document");
        let session = Rc::clone(self);
        let probe = Closure::<dyn Fn()>::new(move || session.probe_all());
        let callback = probe.as_ref().unchecked_ref();
        let _ = document.add_event_listener_with_callback("visibilitychange", callback);
        let _ = window.add_event_listener_with_callback("focus", callback);
        let _ =
            window.set_interval_with_callback_and_timeout_and_arguments_0(callback, PROBE_EVERY_MS);
        // The listeners live as long as the page.
        probe.forget();
    }

    /// Probes the workspace document and the customers opened in this tab, unless the page is
    /// hidden or the link is down (the join that follows a reconnect exchanges them anyway).
    pub(crate) fn probe_all(self: &Rc<Self>) {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        if hidden || self.signals.link.get_untracked() != LinkStatus::Online {
            return;
        }
        let session = Rc::clone(self);
        wasm_bindgen_futures::spawn_local(async move { session.renew_if_due().await });
        let effects = self.repo.borrow_mut().probe();
        self.run(effects);
        self.count_sync();
        let sent = js_sys::Date::now();
        self.last_probe.set(sent);
        let session = Rc::clone(self);
        let check = Closure::once_into_js(move || {
            // A later round is checked by its own timer.
            let latest = session.last_probe.get() == sent;
            let silent = session.repo.borrow().unanswered_probes() > 0;
            if latest
                && silent
                && let Some(link) = session.link.get()
            {
                leptos::logging::warn!("the edge did not answer a probe: reconnecting");
                link.reconnect();
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                check.unchecked_ref(),
                PROBE_PATIENCE_MS,
            );
        }
    }
}
