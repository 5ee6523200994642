//! The Durable Object of one team workspace: a thin shell around `crm_core`'s
//! [`SyncServer`]. It accepts the WebSockets the Worker authenticated (hibernation API, so idle
//! connections cost nothing), feeds their frames to the server and carries out what it returns,
//! with documents in the object's SQLite ([`SqlStore`]).
//!
//! Each socket is tagged with a connection number at accept time and carries the peer id it
//! joined as in its attachment, so the server can pick it up again after hibernation.

use std::cell::{Cell, RefCell};

use crm_core::sync::server::{CLOSE_UNSUPPORTED, ConnId};
use crm_core::sync::{DocumentStore, Effect, SyncServer};
use worker::{
    DurableObject, Env, Request, Response, Result, State, WebSocket, WebSocketIncomingMessage,
    WebSocketPair, durable_object,
};

use crate::sql_store::{SqlStore, create_tables};

/// Documents kept in memory at most; the rest are read from SQLite when needed. A customer
/// document takes well under 100 KB in memory, so this stays far below the 128 MB limit.
const MAX_LOADED_DOCS: usize = 1_000;
/// Summary rows per answer to `GET /ws/{workspace}/rows` (about 4 MB of JSON).
const ROWS_PAGE: u32 = 5_000;
/// Prefix of the tag that numbers a socket.
const CONN_TAG: &str = "conn:";

/// One team workspace.
#[durable_object]
pub struct Workspace {
    state: State,
    env: Env,
    server: RefCell<SyncServer>,
    next_conn: Cell<ConnId>,
}

impl DurableObject for Workspace {
    fn new(state: State, env: Env) -> Self {
        create_tables(&state.storage().sql()).expect("creating the tables");
        let peer_id = format!("edge-{}", state.id());
        Self {
            state,
            env,
            server: RefCell::new(SyncServer::new(peer_id, MAX_LOADED_DOCS)),
            // Unique across wake-ups: connection numbers start at the current time in µs.
            next_conn: Cell::new(worker::Date::now().as_millis() * 1000),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let member = req.headers().get(crate::MEMBER_HEADER)?;
        let role = req.headers().get(crate::ROLE_HEADER)?;
        let (Some(member), Some(role)) = (member, role) else {
            return Response::error("not authenticated", 401);
        };
        self.seed_demo_if_asked(&req)?;
        if req.path().ends_with("/rows") {
            let url = req.url()?;
            let after = url
                .query_pairs()
                .find_map(|(k, v)| (k == "after").then(|| v.into_owned()))
                .unwrap_or_default();
            let sql = self.state.storage().sql();
            let page = SqlStore(&sql).rows_json(&after, ROWS_PAGE)?;
            let mut response = Response::ok(page)?;
            response
                .headers_mut()
                .set("Content-Type", "application/json")?;
            return crate::readable_anywhere(response);
        }
        let conn = self.next_conn.get();
        self.next_conn.set(conn + 1);
        let pair = WebSocketPair::new()?;
        let tags = [
            format!("{CONN_TAG}{conn}"),
            format!("member:{member}"),
            format!("role:{role}"),
        ];
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        self.state.accept_websocket_with_tags(&pair.server, &tags);
        self.server.borrow_mut().connect(conn, None);
        Response::from_websocket(pair.client)
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let Some(conn) = self.conn_of(&ws) else {
            return close(&ws, CLOSE_UNSUPPORTED, "unknown connection");
        };
        let frame = match message {
            WebSocketIncomingMessage::Binary(frame) => frame,
            WebSocketIncomingMessage::String(_) => {
                self.server.borrow_mut().disconnect(conn);
                return close(&ws, CLOSE_UNSUPPORTED, "binary frames only");
            }
        };
        let effects = {
            let mut server = self.server.borrow_mut();
            if !server.knows(conn) {
                // Woken from hibernation: the socket remembers who it is.
                let peer = ws.deserialize_attachment::<String>().ok().flatten();
                server.connect(conn, peer);
            }
            let sql = self.state.storage().sql();
            server.receive(conn, &frame, &mut SqlStore(&sql))
        };
        for effect in effects {
            self.carry_out(conn, &ws, effect)?;
        }
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        if let Some(conn) = self.conn_of(&ws) {
            self.server.borrow_mut().disconnect(conn);
        }
        // Completes the closing handshake; the runtime forgets the socket afterwards.
        let _ = ws.close(Some(1000), Some("bye"));
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        if let Some(conn) = self.conn_of(&ws) {
            self.server.borrow_mut().disconnect(conn);
        }
        Ok(())
    }
}

impl Workspace {
    /// The connection number a socket was tagged with.
    fn conn_of(&self, ws: &WebSocket) -> Option<ConnId> {
        self.state
            .get_tags(ws)
            .iter()
            .find_map(|tag| tag.strip_prefix(CONN_TAG)?.parse().ok())
    }

    fn carry_out(&self, from: ConnId, from_ws: &WebSocket, effect: Effect) -> Result<()> {
        match effect {
            Effect::Send(to, frame) => {
                let socket = if to == from {
                    Some(from_ws.clone())
                } else {
                    self.state
                        .get_websockets_with_tag(&format!("{CONN_TAG}{to}"))
                        .into_iter()
                        .next()
                };
                // A peer that went away is cleaned up by its own close event.
                if let Some(socket) = socket {
                    let _ = socket.send_with_bytes(frame);
                }
                Ok(())
            }
            Effect::Close(conn, code, reason) => {
                self.server.borrow_mut().disconnect(conn);
                if conn == from {
                    close(from_ws, code, &reason)
                } else {
                    Ok(())
                }
            }
            Effect::Joined(_, peer) => from_ws.serialize_attachment(peer),
        }
    }

    /// Fills an empty workspace with the demo data when the edge runs with
    /// `DEMO_WORKSPACE` naming it (set by `cargo xtask dev`); `DEMO_CUSTOMERS` says how many
    /// customers (default 100). Never touches a workspace that has documents.
    fn seed_demo_if_asked(&self, req: &Request) -> Result<()> {
        let var = |name: &str| self.env.var(name).ok().map(|v| v.to_string());
        let path = req.path();
        let workspace = path
            .strip_prefix("/ws/")
            .map(|route| route.split('/').next().unwrap_or(route).to_owned());
        if var("DEMO_WORKSPACE").is_none() || var("DEMO_WORKSPACE") != workspace {
            return Ok(());
        }
        let sql = self.state.storage().sql();
        let mut store = SqlStore(&sql);
        if !store.is_empty()? {
            return Ok(());
        }
        let count = var("DEMO_CUSTOMERS")
            .and_then(|n| n.parse().ok())
            .unwrap_or(100);
        let now = worker::Date::now().as_millis() as i64;
        for doc in crm_core::demo::saved_workspace(count, now) {
            store
                .replace(&doc.id, &doc.bytes, &doc.heads)
                .and_then(|()| match &doc.row {
                    Some(row) => store.put_row(&doc.id, row),
                    None => Ok(()),
                })
                .map_err(|e| worker::Error::RustError(e.to_string()))?;
        }
        worker::console_log!("seeded the demo workspace with {count} customers");
        Ok(())
    }
}

/// Longest close reason the WebSocket protocol allows, in bytes.
const MAX_REASON_BYTES: usize = 123;

/// Closes one socket with a reason; the object and its other sockets carry on.
fn close(ws: &WebSocket, code: u16, reason: &str) -> Result<()> {
    worker::console_warn!("closing a socket: {reason}");
    let mut end = reason.len().min(MAX_REASON_BYTES);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    ws.close(Some(code), Some(&reason[..end]))
}
