//! Web workers the app starts on demand (the phone checker, the sheet reader): each answers
//! `[ticket, …request]` with `[ticket, answer]` and says `"ready"` once it listens. A worker
//! that does not load in time or dies fails every request waiting on it; the next request
//! starts it again. The service worker keeps the workers' files with the app shell, so they
//! work offline too.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Function, Promise};
use leptos::prelude::set_timeout;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

/// How long a worker may take to load before the requests waiting on it are given up.
const LOAD_PATIENCE: Duration = Duration::from_secs(15);

/// The answer of the worker at `loader` (its Trunk loader script) to `request`, or `None`
/// when it could not be had (the worker did not load, or died).
pub async fn ask(loader: &'static str, request: &[JsValue]) -> Option<JsValue> {
    let link = Link::get(loader)?;
    let ticket = link.next.replace(link.next.get() + 1);
    let answer = Promise::new(&mut |resolve, _| {
        link.pending.borrow_mut().insert(ticket, resolve);
    });
    let message = Array::of1(&ticket.into());
    request.iter().for_each(|part| {
        message.push(part);
    });
    link.send(message);
    let answer = wasm_bindgen_futures::JsFuture::from(answer).await.ok()?;
    (!answer.is_undefined()).then_some(answer)
}

/// Starts the worker at `loader` ahead of need, so the first request does not wait for it.
pub fn warm_up(loader: &'static str) {
    Link::get(loader);
}

thread_local! {
    static LINKS: RefCell<HashMap<&'static str, Rc<Link>>> = RefCell::default();
}

/// A running worker and the requests waiting for its answers.
struct Link {
    loader: &'static str,
    worker: Worker,
    ready: Cell<bool>,
    /// Requests made before the worker listens.
    queued: RefCell<Vec<Array>>,
    /// Resolvers of the requests sent, by ticket.
    pending: RefCell<HashMap<u32, Function>>,
    next: Cell<u32>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn()>,
}

impl Link {
    /// The running worker at `loader`, started if need be; `None` if the browser refuses to
    /// start it.
    fn get(loader: &'static str) -> Option<Rc<Link>> {
        if let Some(link) = LINKS.with_borrow(|links| links.get(loader).cloned()) {
            return Some(link);
        }
        let worker = Worker::new(loader).ok()?;
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(link) = LINKS.with_borrow(|links| links.get(loader).cloned()) {
                link.receive(event.data());
            }
        });
        let on_error = Closure::<dyn Fn()>::new(move || Link::fail(loader));
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let link = Rc::new(Link {
            loader,
            worker,
            ready: Cell::new(false),
            queued: RefCell::default(),
            pending: RefCell::default(),
            next: Cell::new(0),
            _on_message: on_message,
            _on_error: on_error,
        });
        LINKS.with_borrow_mut(|links| links.insert(loader, Rc::clone(&link)));
        let started = Rc::downgrade(&link);
        set_timeout(
            move || {
                if let Some(link) = started.upgrade().filter(|link| !link.ready.get()) {
                    Link::fail(link.loader);
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
            Link::fail(self.loader);
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

    /// The worker at `loader` could not load or died: every waiting request hears
    /// `undefined`, and the next request starts a new worker.
    fn fail(loader: &'static str) {
        let Some(link) = LINKS.with_borrow_mut(|links| links.remove(loader)) else {
            return;
        };
        link.worker.terminate();
        for resolve in link.pending.take().into_values() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::UNDEFINED);
        }
        // Its closures may be the caller: they go once this turn is over.
        set_timeout(move || drop(link), Duration::ZERO);
    }
}
