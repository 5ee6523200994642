//! Presence, this device's and its teammates': where the member is (a customer open, the card
//! they work in, the cursor in its notes) is announced when it changes and repeated while it
//! lasts; what other devices announce is kept per device until they leave or stop repeating
//! (`crm_core::sync::presence`).

use std::rc::Rc;

use crm_core::sync::presence::{FORGET_MS, Presence, REPEAT_MS};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::Session;

/// How often presence is repeated and stale presence forgotten.
const TICK_MS: i32 = 5_000;
/// How long after the person's last touch, key or edit their presence is still repeated.
const ACTIVE_MS: i64 = 30_000;

/// A teammate's device on a customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The device.
    pub peer: String,
    /// The customer.
    pub doc_id: String,
    /// What it announced.
    pub presence: Presence,
    /// When it last did (ms).
    pub at: i64,
}

/// This device's presence and when it was last sent.
#[derive(Default)]
pub(super) struct Here {
    at: Option<(String, Presence)>,
    sent: i64,
    /// The person's last touch or key.
    active: i64,
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

impl Session {
    /// This device's member is on customer `doc_id`, in `card` (empty: only looking), with the
    /// cursor at `cursor` in a text: announced at once if that changed.
    pub fn be_here(self: &Rc<Self>, doc_id: &str, card: &str, cursor: Option<u32>) {
        let presence = Presence {
            member: self.signals.member.get_value(),
            card: card.to_owned(),
            cursor,
        };
        let changed = self.here.borrow().at != Some((doc_id.to_owned(), presence.clone()));
        let mut here = self.here.borrow_mut();
        here.at = Some((doc_id.to_owned(), presence));
        here.active = now();
        drop(here);
        if changed {
            self.announce_here();
        }
    }

    /// This device's member left customer `doc_id`: its teammates are told at once.
    pub fn leave_customer(self: &Rc<Self>, doc_id: &str) {
        let was_here = matches!(&self.here.borrow().at, Some((at, _)) if at == doc_id);
        if was_here {
            self.here.borrow_mut().at = None;
            let left = Presence::left(&self.signals.member.get_value());
            let effects = self.repo.borrow_mut().announce(doc_id, &left);
            self.run(effects);
        }
    }

    /// Sends this device's presence, if it is on a customer.
    pub(super) fn announce_here(self: &Rc<Self>) {
        let Some((doc_id, presence)) = self.here.borrow().at.clone() else {
            return;
        };
        self.here.borrow_mut().sent = now();
        let effects = self.repo.borrow_mut().announce(&doc_id, &presence);
        self.run(effects);
    }

    /// A teammate's device said where it is.
    pub(super) fn heard(&self, peer: String, doc_id: String, presence: Presence) {
        self.signals.presence.update(|seen| {
            seen.retain(|s| s.peer != peer);
            if !presence.is_left() {
                let at = now();
                seen.push(Seen {
                    peer,
                    doc_id,
                    presence,
                    at,
                });
            }
        });
    }

    /// Repeats this device's presence while its person is active and forgets teammates' that
    /// stopped, for the life of the page.
    pub(super) fn watch_presence(self: &Rc<Self>) {
        let session = Rc::clone(self);
        let touched = Closure::<dyn Fn()>::new(move || session.here.borrow_mut().active = now());
        if let Some(window) = web_sys::window() {
            for event in ["pointerdown", "keydown"] {
                let _ = window
                    .add_event_listener_with_callback(event, touched.as_ref().unchecked_ref());
            }
        }
        touched.forget();
        let session = Rc::clone(self);
        let tick = Closure::<dyn Fn()>::new(move || {
            let Here { sent, active, .. } = *session.here.borrow();
            let due = now() - sent >= REPEAT_MS - i64::from(TICK_MS) / 2;
            if due && now() - active < ACTIVE_MS {
                session.announce_here();
            }
            let stale = |s: &Seen| now() - s.at > FORGET_MS;
            if session
                .signals
                .presence
                .with_untracked(|seen| seen.iter().any(stale))
            {
                session
                    .signals
                    .presence
                    .update(|seen| seen.retain(|s| !stale(s)));
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                TICK_MS,
            );
        }
        // The timer lives as long as the page.
        tick.forget();
    }
}
