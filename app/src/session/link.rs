//! The session's side of the link to the edge: frames to the engine, and what a change of the
//! link's state means.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::Session;
use crate::browser::{fetch, trace};
use crate::edge_link::{LinkHandlers, LinkStatus};

impl Session {
    pub(super) fn link_handlers(self: &Rc<Self>) -> LinkHandlers {
        let on_frame = {
            let session = Rc::clone(self);
            Box::new(move |frame: Vec<u8>| {
                trace("crm:frame");
                let effects = session.repo.borrow_mut().receive(&frame);
                session.run(effects);
            })
        };
        let on_status = {
            let session = Rc::clone(self);
            Box::new(move |status: LinkStatus| {
                let was = session.signals.link.get_untracked();
                session.signals.link.set(status);
                if status == LinkStatus::Offline && was == LinkStatus::Connecting {
                    // The socket never opened: find out whether the token is the reason.
                    spawn_local(Rc::clone(&session).probe_token());
                }
                if status == LinkStatus::Online {
                    session.signals.token_refused.set(None);
                    let effects = session.repo.borrow_mut().connected();
                    session.run(effects);
                    session.announce_here();
                } else {
                    session.repo.borrow_mut().disconnected();
                }
            })
        };
        let on_close = {
            let session = Rc::clone(self);
            Box::new(move |code: u16| session.closed_with(code))
        };
        LinkHandlers {
            on_frame,
            on_status,
            on_close,
        }
    }

    /// Asks the edge with a plain GET whether it refuses this device's token (it answers 401
    /// or 403 before looking for a WebSocket upgrade, 426 for a good token); a refused one is
    /// renewed if it can be (a device offline past its token's expiry).
    async fn probe_token(self: Rc<Self>) {
        let config = self.config();
        let status = fetch(&config.probe_url(), &config)
            .await
            .map(|r| r.status());
        let refused = status.filter(|s| matches!(s, 401 | 403));
        self.signals.token_refused.set(refused);
        if refused.is_some() {
            self.renew().await;
        }
    }
}
