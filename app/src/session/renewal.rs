//! Keeping the sign-in alive: the token is renewed when less than half its life is left
//! (checked before the link opens and with every probe round), when the edge closes the socket
//! because it expired or the member's role changed, and when the edge refuses it (a device
//! offline past its expiry). A renewed token is kept for the next start and offered by the
//! link's next socket; one with another role restarts the app, whose every screen offers what
//! the role may do. A member the edge says was deactivated is signed out and this device's
//! copy of the workspace deleted.

use std::rc::Rc;

use crm_core::sync::server::{CLOSE_DEACTIVATED, CLOSE_EXPIRED, CLOSE_ROLE_CHANGED};
use crm_core::token::Grant;
use leptos::prelude::Set;
use wasm_bindgen_futures::spawn_local;

use super::Session;
use crate::sign_ins;
use crate::team::{self, CallError};

impl Session {
    /// Renews the token if it is due.
    pub(super) async fn renew_if_due(self: &Rc<Self>) {
        let due = Grant::peek(&self.config().token)
            .is_none_or(|g| g.renewal_due(js_sys::Date::now() as i64));
        if due {
            self.renew().await;
        }
    }

    /// Renews the token now (once at a time); offline, the next round tries again.
    pub(super) async fn renew(self: &Rc<Self>) {
        if self.renewing.replace(true) {
            return;
        }
        let config = self.config();
        match team::renew(&config).await {
            Ok(token) => {
                let renewed = config.with_token(&token);
                sign_ins::remember(&renewed);
                if renewed.role != config.role {
                    // Every screen offers what the new role may do: start again.
                    return reload();
                }
                if let Some(link) = self.link.get() {
                    link.set_protocols(renewed.socket_protocols());
                }
                *self.edge.borrow_mut() = renewed;
                self.signals.token_refused.set(None);
            }
            Err(CallError::Refused(403, reason)) if reason.contains("deactivated") => {
                self.leave();
            }
            Err(error) => leptos::logging::warn!("renewing the sign-in: {error:?}"),
        }
        self.renewing.set(false);
    }

    /// After the edge closed the socket with `code`.
    pub(super) fn closed_with(self: &Rc<Self>, code: u16) {
        match code {
            CLOSE_DEACTIVATED => self.leave(),
            CLOSE_EXPIRED | CLOSE_ROLE_CHANGED => {
                let session = Rc::clone(self);
                spawn_local(async move {
                    session.renew().await;
                    if let Some(link) = session.link.get() {
                        link.reconnect();
                    }
                });
            }
            _ => {}
        }
    }

    /// Signs out of a workspace whose member was deactivated, deleting its data (at the
    /// restart that follows at once, before anything opens it).
    fn leave(&self) {
        sign_ins::deactivated(&self.config().workspace);
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign("/");
        }
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
