//! Phone numbers checked by the phone worker (`crm-phone`): the numbering plans (~300 KB gzip)
//! stay out of the app's bundle and load the first time a phone is typed. The service worker
//! keeps the worker's files with the app shell, so this works offline too.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use crm_core::contact::ContactKind;
use js_sys::{Array, Function, Promise};
use leptos::prelude::set_timeout;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// The worker's loader, written by Trunk (`index.html`); workers' names carry no hash.
pub const LOADER: &str = "/crm-phone_loader.js";
/// How long the worker may take to load before the pending checks are given up.
const LOAD_PATIENCE: Duration = Duration::from_secs(15);

/// Why a phone has no E.164 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Not a valid number.
    Invalid,
    /// The checker could not be loaded (first use offline, before the app was ever cached).
    Unavailable,
}

/// The E.164 form of `typed` (`138 1234 5678` → `+8613812345678`).
pub async fn to_e164(typed: &str) -> Result<String, PhoneError> {
    let Some(link) = Link::get() else {
        return Err(PhoneError::Unavailable);
    };
    let ticket = link.next.replace(link.next.get() + 1);
    let answer = Promise::new(&mut |resolve, _| {
        link.pending.borrow_mut().insert(ticket, resolve);
    });
    link.send(Array::of2(&ticket.into(), &typed.into()));
    let answer = wasm_bindgen_futures::JsFuture::from(answer).await;
    match answer.ok().map(|a| (a.as_string(), a.is_null())) {
        Some((Some(e164), _)) => Ok(e164),
        Some((None, true)) => Err(PhoneError::Invalid),
        _ => Err(PhoneError::Unavailable),
    }
}

/// The E.164 form to store with a contact point of `kind` typed as `typed`: `None` for other
/// kinds and for an empty or invalid phone (the model then names the error); an error only
/// when the checker could not be loaded ([`PhoneError::Unavailable`]).
pub async fn e164_of(kind: ContactKind, typed: &str) -> Result<Option<String>, PhoneError> {
    if kind != ContactKind::Phone || typed.trim().is_empty() {
        return Ok(None);
    }
    match to_e164(typed).await {
        Ok(e164) => Ok(Some(e164)),
        Err(PhoneError::Invalid) => Ok(None),
        Err(PhoneError::Unavailable) => Err(PhoneError::Unavailable),
    }
}

/// Starts the worker ahead of need (a form with a phone field opened), so the first check
/// does not wait for it to load.
pub fn warm_up() {
    Link::get();
}

thread_local! {
    static LINK: RefCell<Option<Rc<Link>>> = const { RefCell::new(None) };
}

/// The running worker and the checks waiting for its answers.
struct Link {
    worker: Worker,
    ready: Cell<bool>,
    /// Requests made before the worker listens.
    queued: RefCell<Vec<Array>>,
    /// Resolvers of the checks sent, by ticket.
    pending: RefCell<HashMap<u32, Function>>,
    next: Cell<u32>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn()>,
}

impl Link {
    /// The running worker, started if need be; `None` if the browser refuses to start it.
    fn get() -> Option<Rc<Link>> {
        if let Some(link) = LINK.with_borrow(Clone::clone) {
            return Some(link);
        }
        let worker = Worker::new(LOADER).ok()?;
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(|event: MessageEvent| {
            if let Some(link) = LINK.with_borrow(Clone::clone) {
                link.receive(event.data());
            }
        });
        let on_error = Closure::<dyn Fn()>::new(Link::fail);
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let link = Rc::new(Link {
            worker,
            ready: Cell::new(false),
            queued: RefCell::default(),
            pending: RefCell::default(),
            next: Cell::new(0),
            _on_message: on_message,
            _on_error: on_error,
        });
        LINK.set(Some(Rc::clone(&link)));
        let started = Rc::downgrade(&link);
        set_timeout(
            move || {
                if started.upgrade().is_some_and(|link| !link.ready.get()) {
                    Link::fail();
                }
            },
            LOAD_PATIENCE,
        );
        Some(link)
    }

    fn send(&self, request: Array) {
        match self.ready.get() {
            true => self.post(&request),
            false => self.queued.borrow_mut().push(request),
        }
    }

    fn post(&self, request: &Array) {
        if self.worker.post_message(request).is_err() {
            Link::fail();
        }
    }

    fn receive(&self, data: JsValue) {
        if data.as_string().as_deref() == Some("ready") {
            self.ready.set(true);
            let queued = self.queued.take();
            queued.iter().for_each(|request| self.post(request));
            return;
        }
        let reply = Array::from(&data);
        let ticket = reply.get(0).as_f64().map(|t| t as u32);
        if let Some(resolve) = ticket.and_then(|t| self.pending.borrow_mut().remove(&t)) {
            let _ = resolve.call1(&JsValue::NULL, &reply.get(1));
        }
    }

    /// The worker could not load or died: every waiting check hears it is unavailable, and
    /// the next check starts a new worker.
    fn fail() {
        let Some(link) = LINK.take() else { return };
        link.worker.terminate();
        for resolve in link.pending.take().into_values() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::UNDEFINED);
        }
        // Its closures may be the caller: they go once this turn is over.
        set_timeout(move || drop(link), Duration::ZERO);
    }
}
