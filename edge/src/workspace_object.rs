//! The Durable Object of one team workspace.
//!
//! It holds the workspace document, merges what every connected device sends, persists the
//! result in its SQLite storage and sends the merged state to the other devices. Sockets use
//! the hibernation API, so idle connections cost nothing.

use std::cell::RefCell;

use crm_core::WorkspaceDoc;
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
const WORKSPACE_DOC_ID: &str = "workspace";

/// One team workspace.
#[durable_object]
pub struct Workspace {
    state: State,
    doc: RefCell<Option<WorkspaceDoc>>,
}

impl DurableObject for Workspace {
    fn new(state: State, _env: Env) -> Self {
        state
            .storage()
            .sql()
            .exec(
                "CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, bytes BLOB NOT NULL)",
                None,
            )
            .expect("creating the documents table");
        Self {
            state,
            doc: RefCell::new(None),
        }
    }

    async fn fetch(&self, _req: Request) -> Result<Response> {
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server
            .send_with_bytes(self.with_doc(|doc| doc.save())?)?;
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
        let merged =
            self.with_doc(|doc| doc.merge_bytes(&frame).map(|changed| (changed, doc.save())))?;
        match merged {
            Ok((true, bytes)) => {
                self.persist(&bytes)?;
                for peer in self.state.get_websockets() {
                    if peer != ws {
                        // A peer that went away is cleaned up by its own close event.
                        let _ = peer.send_with_bytes(&bytes);
                    }
                }
                Ok(())
            }
            Ok((false, _)) => Ok(()),
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
    /// Runs `f` on the workspace document, loading it from storage on first use.
    fn with_doc<T>(&self, f: impl FnOnce(&mut WorkspaceDoc) -> T) -> Result<T> {
        let mut slot = self.doc.borrow_mut();
        if slot.is_none() {
            *slot = Some(self.load()?);
        }
        Ok(f(slot.as_mut().expect("loaded above")))
    }

    fn load(&self) -> Result<WorkspaceDoc> {
        let rows = self
            .state
            .storage()
            .sql()
            .exec(
                "SELECT bytes FROM documents WHERE id = ?",
                vec![WORKSPACE_DOC_ID.into()],
            )?
            .raw()
            .collect::<Result<Vec<_>>>()?;
        match rows
            .into_iter()
            .next()
            .and_then(|row| row.into_iter().next())
        {
            Some(SqlStorageValue::Blob(bytes)) => WorkspaceDoc::load(&bytes)
                .map_err(|e| worker::Error::RustError(format!("stored workspace unreadable: {e}"))),
            _ => Ok(WorkspaceDoc::new()),
        }
    }

    fn persist(&self, bytes: &[u8]) -> Result<()> {
        self.state.storage().sql().exec(
            "INSERT INTO documents (id, bytes) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET bytes = excluded.bytes",
            vec![WORKSPACE_DOC_ID.into(), SqlStorageValue::Blob(bytes.to_vec())],
        )?;
        Ok(())
    }
}

/// Closes one socket with a reason; the object and its other sockets carry on.
fn refuse(ws: &WebSocket, code: u16, reason: &str) -> Result<()> {
    worker::console_warn!("closing a socket: {reason}");
    ws.close(Some(code), Some(reason))
}
