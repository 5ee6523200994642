//! The Durable Object of one team workspace.
//!
//! It keeps every document of the workspace (the workspace document and one per customer) in
//! its SQLite storage, merges what each connected device sends, stores the result and forwards
//! it to the other devices. Sockets use the hibernation API, so idle connections cost nothing.

use crm_core::Id;
use crm_core::frame::DocFrame;
use crm_core::replica::merge_stored;
use worker::{
    DurableObject, Env, Request, Response, Result, SqlStorageValue, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair, durable_object,
};

/// Largest frame accepted from a device; bigger ones close that socket.
const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;
/// WebSocket close code for a frame of the wrong type.
const CLOSE_UNSUPPORTED: u16 = 1003;
/// WebSocket close code for a frame whose content is invalid.
const CLOSE_INVALID: u16 = 1007;
/// WebSocket close code for an oversize frame.
const CLOSE_TOO_BIG: u16 = 1009;

/// One team workspace.
#[durable_object]
pub struct Workspace {
    state: State,
    env: Env,
}

impl DurableObject for Workspace {
    fn new(state: State, env: Env) -> Self {
        state
            .storage()
            .sql()
            .exec(
                "CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, bytes BLOB NOT NULL)",
                None,
            )
            .expect("creating the documents table");
        Self { state, env }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        self.seed_demo_if_asked(&req)?;
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        for (doc_id, bytes) in self.all_documents()? {
            pair.server
                .send_with_bytes(DocFrame { doc_id, bytes }.encode())?;
        }
        Response::from_websocket(pair.client)
    }

    async fn websocket_message(
        &self,
        ws: WebSocket,
        message: WebSocketIncomingMessage,
    ) -> Result<()> {
        let frame = match message {
            WebSocketIncomingMessage::Binary(frame) => frame,
            WebSocketIncomingMessage::String(_) => {
                return refuse(&ws, CLOSE_UNSUPPORTED, "binary frames only");
            }
        };
        if frame.len() > MAX_FRAME_BYTES {
            return refuse(&ws, CLOSE_TOO_BIG, "frame too large");
        }
        let frame = match DocFrame::decode(&frame) {
            Ok(frame) if Id::parse(&frame.doc_id).is_ok() => frame,
            Ok(frame) => {
                return refuse(
                    &ws,
                    CLOSE_INVALID,
                    &format!("invalid document id {:?}", frame.doc_id),
                );
            }
            Err(error) => return refuse(&ws, CLOSE_INVALID, &format!("invalid frame: {error}")),
        };
        let stored = self.document(&frame.doc_id)?;
        match merge_stored(&frame.doc_id, stored.as_deref(), &frame.bytes) {
            Ok(Some(bytes)) => {
                self.persist(&frame.doc_id, &bytes)?;
                let out = DocFrame {
                    doc_id: frame.doc_id,
                    bytes,
                }
                .encode();
                for peer in self.state.get_websockets() {
                    if peer != ws {
                        // A peer that went away is cleaned up by its own close event.
                        let _ = peer.send_with_bytes(&out);
                    }
                }
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(error) => refuse(&ws, CLOSE_INVALID, &format!("invalid document: {error}")),
        }
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        // Completes the closing handshake; the runtime forgets the socket afterwards.
        let _ = ws.close(Some(1000), Some("bye"));
        Ok(())
    }
}

impl Workspace {
    /// Fills an empty workspace with the demo data when the edge runs with
    /// `DEMO_WORKSPACE` naming it (set by `cargo xtask dev`); `DEMO_CUSTOMERS` says how many
    /// customers (default 100). Never touches a workspace that has documents.
    fn seed_demo_if_asked(&self, req: &Request) -> Result<()> {
        let var = |name: &str| self.env.var(name).ok().map(|v| v.to_string());
        let workspace = req.path().strip_prefix("/ws/").map(str::to_owned);
        if var("DEMO_WORKSPACE").is_none() || var("DEMO_WORKSPACE") != workspace {
            return Ok(());
        }
        let stored = self
            .state
            .storage()
            .sql()
            .exec("SELECT id FROM documents LIMIT 1", None)?;
        if stored.raw().next().is_some() {
            return Ok(());
        }
        let count = var("DEMO_CUSTOMERS")
            .and_then(|n| n.parse().ok())
            .unwrap_or(100);
        let now = worker::Date::now().as_millis() as i64;
        for (id, bytes) in crm_core::demo::saved_workspace(count, now) {
            self.persist(&id, &bytes)?;
        }
        worker::console_log!("seeded the demo workspace with {count} customers");
        Ok(())
    }

    fn document(&self, id: &str) -> Result<Option<Vec<u8>>> {
        let rows = self
            .state
            .storage()
            .sql()
            .exec("SELECT bytes FROM documents WHERE id = ?", vec![id.into()])?
            .raw()
            .collect::<Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .find_map(|row| match row.into_iter().next() {
                Some(SqlStorageValue::Blob(bytes)) => Some(bytes),
                _ => None,
            }))
    }

    fn all_documents(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let rows = self
            .state
            .storage()
            .sql()
            .exec("SELECT id, bytes FROM documents ORDER BY id", None)?
            .raw()
            .collect::<Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match <[SqlStorageValue; 2]>::try_from(row) {
                Ok([SqlStorageValue::String(id), SqlStorageValue::Blob(bytes)]) => {
                    Some((id, bytes))
                }
                _ => None,
            })
            .collect())
    }

    fn persist(&self, id: &str, bytes: &[u8]) -> Result<()> {
        self.state.storage().sql().exec(
            "INSERT INTO documents (id, bytes) VALUES (?, ?) \
             ON CONFLICT(id) DO UPDATE SET bytes = excluded.bytes",
            vec![id.into(), SqlStorageValue::Blob(bytes.to_vec())],
        )?;
        Ok(())
    }
}

/// Longest close reason the WebSocket protocol allows, in bytes.
const MAX_REASON_BYTES: usize = 123;

/// Closes one socket with a reason; the object and its other sockets carry on.
fn refuse(ws: &WebSocket, code: u16, reason: &str) -> Result<()> {
    worker::console_warn!("closing a socket: {reason}");
    let mut end = reason.len().min(MAX_REASON_BYTES);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    ws.close(Some(code), Some(&reason[..end]))
}
