//! A self-reconnecting WebSocket to the workspace's Durable Object.
//!
//! Binary frames in and out; status changes and received frames are handed to callbacks.
//! After a drop it reconnects with exponential backoff (0.5 s doubling to 30 s, with jitter).
//! The browser's `offline` event closes the socket at once (a dead network can keep a socket
//! looking open for minutes) and `online` reconnects at once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, MessageEvent, WebSocket};

const FIRST_RETRY_MS: f64 = 500.0;
const MAX_RETRY_MS: f64 = 30_000.0;

/// Connection state shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// Opening the socket.
    Connecting,
    /// Socket open: edits flow both ways.
    Online,
    /// No connection; a retry is scheduled.
    Offline,
}

/// Callbacks a link reports to.
pub struct LinkHandlers {
    /// Called with every binary frame received.
    pub on_frame: Box<dyn Fn(Vec<u8>)>,
    /// Called on every status change.
    pub on_status: Box<dyn Fn(LinkStatus)>,
    /// Called with the code of every close (before the retry it schedules).
    pub on_close: Box<dyn Fn(u16)>,
}

/// Handle to a live link; cheap to clone.
#[derive(Clone)]
pub struct EdgeLink {
    inner: Rc<Inner>,
}

/// A DOM event callback kept alive for as long as its socket.
type Listener = Closure<dyn FnMut(web_sys::Event)>;

struct Inner {
    url: String,
    /// WebSocket subprotocols offered (they carry the token, which the URL does not).
    protocols: RefCell<js_sys::Array>,
    handlers: LinkHandlers,
    socket: RefCell<Option<WebSocket>>,
    retry_ms: Cell<f64>,
    listeners: RefCell<Vec<Listener>>,
    /// The window's `online` / `offline` listeners, for the life of the link.
    network_listeners: RefCell<Vec<Listener>>,
    /// A reconnect is scheduled (or waiting for the network to come back).
    retry_pending: Cell<bool>,
}

impl EdgeLink {
    /// Starts connecting to `url`, offering `protocols`, and keeps the link up for the life of
    /// the page.
    pub fn connect(url: String, protocols: [String; 2], handlers: LinkHandlers) -> Self {
        let link = Self {
            inner: Rc::new(Inner {
                url,
                protocols: RefCell::new(offered(&protocols)),
                handlers,
                socket: RefCell::new(None),
                retry_ms: Cell::new(FIRST_RETRY_MS),
                listeners: RefCell::new(Vec::new()),
                network_listeners: RefCell::new(Vec::new()),
                retry_pending: Cell::new(false),
            }),
        };
        link.watch_network();
        link.open();
        link
    }

    /// Follows the browser's view of the network.
    fn watch_network(&self) {
        let window = web_sys::window().expect("a browser window");
        let offline = {
            let link = self.clone();
            Listener::new(move |_| {
                if link.drop_socket() {
                    link.retry_later();
                }
            })
        };
        let online = {
            let link = self.clone();
            Listener::new(move |_| {
                if link.inner.retry_pending.replace(false) {
                    link.inner.retry_ms.set(FIRST_RETRY_MS);
                    link.open();
                }
            })
        };
        let _ =
            window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        *self.inner.network_listeners.borrow_mut() = vec![offline, online];
    }

    /// Offers `protocols` from the next socket on (a renewed token).
    pub fn set_protocols(&self, protocols: [String; 2]) {
        *self.inner.protocols.borrow_mut() = offered(&protocols);
    }

    /// Closes the socket, however it seems, and opens a new one at once (one that no longer
    /// answers can look open for minutes).
    pub fn reconnect(&self) {
        self.drop_socket();
        self.inner.retry_ms.set(FIRST_RETRY_MS);
        self.open();
    }

    /// Closes the socket without the retry its closing would schedule; returns whether there
    /// was one.
    fn drop_socket(&self) -> bool {
        let socket = self.inner.socket.borrow_mut().take();
        if let Some(ws) = &socket {
            ws.set_onclose(None);
            let _ = ws.close();
        }
        socket.is_some()
    }

    /// Sends a binary frame if the socket is open; returns whether it was handed to the socket.
    pub fn send(&self, bytes: &[u8]) -> bool {
        match self.inner.socket.borrow().as_ref() {
            Some(ws) if ws.ready_state() == WebSocket::OPEN => ws.send_with_u8_array(bytes).is_ok(),
            _ => false,
        }
    }

    fn open(&self) {
        self.inner.retry_pending.set(false);
        (self.inner.handlers.on_status)(LinkStatus::Connecting);
        let protocols = self.inner.protocols.borrow().clone();
        let ws = match WebSocket::new_with_str_sequence(&self.inner.url, &protocols) {
            Ok(ws) => ws,
            Err(_) => return self.retry_later(),
        };
        ws.set_binary_type(BinaryType::Arraybuffer);

        let on_open = {
            let link = self.clone();
            Listener::new(move |_| {
                link.inner.retry_ms.set(FIRST_RETRY_MS);
                (link.inner.handlers.on_status)(LinkStatus::Online);
            })
        };
        let on_message = {
            let link = self.clone();
            Listener::new(move |event: web_sys::Event| {
                let Ok(event) = event.dyn_into::<MessageEvent>() else {
                    return;
                };
                if let Ok(buffer) = event.data().dyn_into::<js_sys::ArrayBuffer>() {
                    (link.inner.handlers.on_frame)(js_sys::Uint8Array::new(&buffer).to_vec());
                }
            })
        };
        let on_close = {
            let link = self.clone();
            Listener::new(move |event: web_sys::Event| {
                if let Ok(event) = event.dyn_into::<web_sys::CloseEvent>() {
                    (link.inner.handlers.on_close)(event.code());
                }
                link.retry_later();
            })
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        *self.inner.listeners.borrow_mut() = vec![on_open, on_message, on_close];
        *self.inner.socket.borrow_mut() = Some(ws);
    }

    fn retry_later(&self) {
        self.inner.socket.borrow_mut().take();
        (self.inner.handlers.on_status)(LinkStatus::Offline);
        self.inner.retry_pending.set(true);
        let window = web_sys::window().expect("a browser window");
        if !window.navigator().on_line() {
            // The `online` event reconnects.
            return;
        }
        let delay = self.inner.retry_ms.get();
        self.inner.retry_ms.set((delay * 2.0).min(MAX_RETRY_MS));
        let jittered = delay * (0.5 + js_sys::Math::random() / 2.0);
        let link = self.clone();
        let retry = Closure::once_into_js(move || {
            // Unless the `online` event reconnected first.
            if link.inner.retry_pending.get() {
                link.open();
            }
        });
        // A failed setTimeout leaves the link offline until the page reloads; nothing to undo.
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            retry.unchecked_ref(),
            jittered as i32,
        );
    }
}

/// Subprotocols as the WebSocket constructor takes them.
fn offered(protocols: &[String; 2]) -> js_sys::Array {
    protocols.iter().map(|p| JsValue::from_str(p)).collect()
}
