//! The Durable Object of one team workspace: a thin shell around `crm_core`'s
//! [`SyncServer`]. It accepts the WebSockets the Worker authenticated (hibernation API, so idle
//! connections cost nothing), feeds their frames to the server and carries out what it returns,
//! with documents in the object's SQLite ([`SqlStore`]).
//!
//! Each socket is tagged at accept time with a connection number and what its token grants, and
//! carries the peer id it joined as in its attachment. The object is constructed anew whenever
//! it wakes from hibernation, and its constructor hands every open socket to the
//! [`SyncServer`], so that whatever wakes it (a frame, a close, an alarm, a request) finds the
//! server knowing every socket.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crm_core::audit::AuditQuery;
use crm_core::customer::HeadedRow;
use crm_core::policy::pool::{row_for, rows_limited_to};
use crm_core::policy::scope::scoped;
use crm_core::rules::Language;
use crm_core::sync::server::{CLOSE_UNSUPPORTED, ConnId, OpenSocket};
use crm_core::sync::{DocumentStore, Effect, SyncServer};
use crm_core::token::Grant;
use crm_core::workspace::{Role, RuleBook};
use worker::{
    DurableObject, Env, Request, Response, Result, State, WebSocket, WebSocketIncomingMessage,
    WebSocketPair, durable_object,
};

use crate::route::Route;
use crate::sql_store::{SqlStore, create_tables};

/// Documents kept in memory at most; the rest are read from SQLite when needed. A customer
/// document takes well under 100 KB in memory, so this stays far below the 128 MB limit.
const MAX_LOADED_DOCS: usize = 1_000;
/// Summary rows per answer to `GET /ws/{workspace}/rows` (about 4 MB of JSON).
const ROWS_PAGE: u32 = 5_000;
/// Prefix of the tag that numbers a socket.
const CONN_TAG: &str = "conn:";
/// Prefixes of the tags that hold what the socket's token grants.
const WORKSPACE_TAG: &str = "workspace:";
const MEMBER_TAG: &str = "member:";
const ROLE_TAG: &str = "role:";
const EXPIRES_TAG: &str = "expires:";
/// Customers the rules look at per alarm run (a few ms each), so sockets are served between
/// runs when a rule change reschedules the whole workspace.
const RULES_BATCH: usize = 100;
/// `settings` key of the test clock's offset from the real clock, in ms.
pub(crate) const CLOCK_OFFSET: &str = "clock_offset_ms";

/// One team workspace.
#[durable_object]
pub struct Workspace {
    pub(crate) state: State,
    pub(crate) env: Env,
    pub(crate) server: RefCell<SyncServer>,
    next_conn: Cell<ConnId>,
    /// The alarm time last set (real clock), so it is not set again for every change.
    pub(crate) alarm_at: Cell<Option<i64>>,
    /// Whether the schedule may have gained an earlier time since the alarm was last armed
    /// (set by the store's writes of `schedule`), so a frame that scheduled nothing does not
    /// query it. Entries deleted only make it later: an alarm that fires early finds nothing
    /// due and is armed again.
    rescheduled: Rc<Cell<bool>>,
    /// The test clock's offset, once read.
    pub(crate) clock_offset: Cell<Option<i64>>,
}

impl DurableObject for Workspace {
    fn new(state: State, env: Env) -> Self {
        create_tables(&state.storage().sql()).expect("creating the tables");
        let peer_id = format!("edge-{}", state.id());
        let open: Vec<OpenSocket> = (state.get_websockets().iter())
            .filter_map(|ws| open_socket(&state, ws))
            .collect();
        if !open.is_empty() {
            worker::console_log!("workspace woke up with {} open sockets", open.len());
        }
        let mut server = SyncServer::new(peer_id, MAX_LOADED_DOCS, open);
        // New workspaces start with the default rules, in Chinese unless
        // `DEFAULT_RULES_LANG=en`.
        let lang = match env
            .var("DEFAULT_RULES_LANG")
            .map(|v| v.to_string())
            .as_deref()
        {
            Ok("en") => Language::En,
            _ => Language::Zh,
        };
        server.set_defaults(RuleBook::defaults(lang));
        // The workspace's document quota, if the deployment sets one (`MAX_DOCUMENTS`).
        if let Some(most) = env
            .var("MAX_DOCUMENTS")
            .ok()
            .and_then(|v| v.to_string().parse().ok())
        {
            server.limits.documents = most;
        }
        Self {
            state,
            env,
            server: RefCell::new(server),
            // Unique across wake-ups: connection numbers start at the current time in µs.
            next_conn: Cell::new(worker::Date::now().as_millis() * 1000),
            alarm_at: Cell::new(None),
            rescheduled: Rc::new(Cell::new(true)),
            clock_offset: Cell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let grant = crate::grant_of(&req)?;
        let path = req.path();
        let route = Route::parse(&path);
        if self.seed_demo_if_asked(route.and_then(Route::workspace))? {
            self.arm_alarm().await?;
        }
        if let Some(Route::Team(workspace, call)) = route {
            return self.team_call(workspace, call, grant, req).await;
        }
        let Some(grant) = grant else {
            return Response::error("not authenticated", 401);
        };
        // A token's role stands only while the workspace document agrees (a socket is told
        // at `join`, with a close code its device understands).
        let role = match route {
            Some(Route::Rows(_) | Route::Audit(_) | Route::Claim(_)) => {
                match self.role_now(&grant)? {
                    Some(role) => role,
                    None => return crate::refusal("this member was deactivated", 403),
                }
            }
            _ => grant.role,
        };
        let url = req.url()?;
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let pairs = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        match route {
            Some(Route::Test(_, hook)) => return self.test_hook(hook, req).await,
            Some(Route::Rows(_)) => {
                let after = pairs.clone().find_map(|(k, v)| (k == "after").then_some(v));
                // A salesperson of a scoped workspace: their own customers whole, the pool's
                // (and, listed, everyone's) masked.
                let scope = (self.server.borrow_mut())
                    .read_scope(&mut self.store())
                    .map_err(|e| worker::Error::RustError(e.to_string()))?;
                let grant = Grant { role, ..grant };
                let owner = rows_limited_to(&grant, scope);
                let page = (self.store()).rows_json(after.unwrap_or_default(), ROWS_PAGE, owner)?;
                if !scoped(&grant, scope) {
                    return json_response(page);
                }
                let rows: Vec<HeadedRow> = serde_json::from_str(&page)?;
                let shown: Vec<HeadedRow> = (rows.into_iter())
                    .filter_map(|r| {
                        let row = row_for(&grant, scope, &r.row)?;
                        Some(HeadedRow {
                            row: row.into(),
                            ..r
                        })
                    })
                    .collect();
                return json_response(serde_json::to_string(&shown)?);
            }
            Some(Route::Claim(_)) => {
                let customer = pairs
                    .clone()
                    .find_map(|(k, v)| (k == "customer").then_some(v));
                return self.claim(&Grant { role, ..grant }, customer.unwrap_or_default());
            }
            Some(Route::Audit(_)) => {
                let query = AuditQuery::from_pairs(pairs);
                if !query.allowed(role) {
                    return crate::refusal("only admins read the whole audit trail", 403);
                }
                return json_response(self.store().audit_json(&query)?);
            }
            _ => {}
        }
        let conn = self.next_conn.get();
        self.next_conn.set(conn + 1);
        let pair = WebSocketPair::new()?;
        let tags = [
            format!("{CONN_TAG}{conn}"),
            format!("{WORKSPACE_TAG}{}", grant.workspace),
            format!("{MEMBER_TAG}{}", grant.member),
            format!("{ROLE_TAG}{}", grant.role.as_str()),
            format!("{EXPIRES_TAG}{}", grant.expires_at),
        ];
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        self.state.accept_websocket_with_tags(&pair.server, &tags);
        let seen = self
            .store()
            .mark_seen(&grant.member, worker::Date::now().as_millis() as i64);
        if let Err(error) = seen {
            worker::console_warn!("recording when a member was seen: {error}");
        }
        self.server.borrow_mut().connect(conn, grant);
        let mut response = Response::from_websocket(pair.client)?;
        if req.headers().get(crate::PROTOCOL_HEADER)?.as_deref() == Some(crate::PROTOCOL) {
            response
                .headers_mut()
                .set(crate::PROTOCOL_HEADER, crate::PROTOCOL)?;
        }
        Ok(response)
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
            let now = self.now();
            let mut server = self.server.borrow_mut();
            server.set_time(now);
            server.receive(conn, &frame, &mut self.store())
        };
        let (carried, flush_in) = self.carry_out_all(Some((conn, &ws)), effects);
        let armed = self.arm_alarm().await;
        if let Some(ms) = flush_in {
            // Other frames are handled meanwhile; a pending timer keeps the object awake.
            worker::Delay::from(std::time::Duration::from_millis(ms.max(0) as u64)).await;
            let effects = {
                let mut server = self.server.borrow_mut();
                server.set_time(self.now());
                server.flush()
            };
            self.carry_out_all(None, effects).0?;
        }
        carried.and(armed)
    }

    /// Runs the rules on the customers whose time has come, a batch at a time.
    async fn alarm(&self) -> Result<Response> {
        self.forget_alarm();
        self.run_due_rules()?;
        self.arm_alarm().await?;
        Response::ok("")
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
    /// The object's documents in its SQLite.
    pub(crate) fn store(&self) -> SqlStore {
        SqlStore::of(&self.state, Rc::clone(&self.rescheduled))
    }

    /// The connection number a socket was tagged with.
    fn conn_of(&self, ws: &WebSocket) -> Option<ConnId> {
        tagged(&self.state.get_tags(ws), CONN_TAG)
    }

    /// Carries out every effect, even after one fails (the first failure is returned), and
    /// returns when to flush the server, if it asked.
    pub(crate) fn carry_out_all(
        &self,
        from: Option<(ConnId, &WebSocket)>,
        effects: Vec<Effect>,
    ) -> (Result<()>, Option<i64>) {
        let mut outcome = Ok(());
        let mut flush_in = None;
        for effect in effects {
            match self.carry_out(from, effect) {
                Ok(asked) => flush_in = flush_in.or(asked),
                Err(error) => outcome = outcome.and(Err(error)),
            }
        }
        (outcome, flush_in)
    }

    /// Carries out one effect of the server; `from` is the socket whose frame caused it, if
    /// any (an alarm has none). Returns when to flush the server, if it asked.
    fn carry_out(&self, from: Option<(ConnId, &WebSocket)>, effect: Effect) -> Result<Option<i64>> {
        let from_ws = |conn: ConnId| from.filter(|(c, _)| *c == conn).map(|(_, ws)| ws.clone());
        match effect {
            Effect::Send(to, frame) => {
                let socket = if let Some(ws) = from_ws(to) {
                    Some(ws)
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
            }
            Effect::Close(conn, code, reason) => {
                self.server.borrow_mut().disconnect(conn);
                if let Some(ws) = from_ws(conn) {
                    close(&ws, code, &reason)?;
                }
            }
            Effect::Joined(conn, peer) => {
                if let Some(ws) = from_ws(conn) {
                    ws.serialize_attachment(peer)?;
                }
            }
            Effect::FlushIn(ms) => return Ok(Some(ms)),
        }
        Ok(None)
    }

    /// The time the rules see: the real clock, plus the offset a test moved it by.
    pub(crate) fn now(&self) -> i64 {
        let offset = match self.clock_offset.get() {
            Some(offset) => offset,
            None => {
                let offset = self.store().setting(CLOCK_OFFSET).unwrap_or(0);
                self.clock_offset.set(Some(offset));
                offset
            }
        };
        worker::Date::now().as_millis() as i64 + offset
    }

    /// Runs one batch of due customers and sends their writes to every socket.
    pub(crate) fn run_due_rules(&self) -> Result<()> {
        let now = self.now();
        let effects = {
            let mut server = self.server.borrow_mut();
            server.set_time(now);
            server
                .run_due(RULES_BATCH, &mut self.store())
                .map_err(|e| worker::Error::RustError(e.to_string()))?
        };
        self.carry_out_all(None, effects).0
    }

    /// Sets the alarm to the earliest time a customer's rules can change, if it moved.
    pub(crate) async fn arm_alarm(&self) -> Result<()> {
        if !self.rescheduled.replace(false) {
            return Ok(());
        }
        let next = self
            .store()
            .next_due()
            .map_err(|e| worker::Error::RustError(e.to_string()))?;
        let Some(next) = next else {
            return Ok(());
        };
        let real = next - self.now() + worker::Date::now().as_millis() as i64;
        if self.alarm_at.get() == Some(real) {
            return Ok(());
        }
        self.alarm_at.set(Some(real));
        let delay = (real - worker::Date::now().as_millis() as i64).max(0);
        self.state.storage().set_alarm(delay).await
    }

    /// Forgets the alarm set (it fired, or the clock moved): the next `arm_alarm` sets it anew.
    pub(crate) fn forget_alarm(&self) {
        self.alarm_at.set(None);
        self.rescheduled.set(true);
    }

    /// Fills an empty workspace with the demo data when the edge runs with
    /// `DEMO_WORKSPACE` naming it (set by `cargo xtask dev`); `DEMO_CUSTOMERS` says how many
    /// customers (default 100). Never touches a workspace that has documents. Returns whether
    /// it seeded. `workspace`: the one the request is for.
    fn seed_demo_if_asked(&self, workspace: Option<&str>) -> Result<bool> {
        let var = |name: &str| self.env.var(name).ok().map(|v| v.to_string());
        let demo = var("DEMO_WORKSPACE");
        if demo.is_none() || demo.as_deref() != workspace {
            return Ok(false);
        }
        let mut store = self.store();
        if !store.is_empty()? {
            return Ok(false);
        }
        let count = var("DEMO_CUSTOMERS")
            .and_then(|n| n.parse().ok())
            .unwrap_or(100);
        let now = worker::Date::now().as_millis() as i64;
        store
            .put_saved(crm_core::demo::saved_workspace(count, now))
            .map_err(|e| worker::Error::RustError(e.to_string()))?;
        worker::console_log!("seeded the demo workspace with {count} customers");
        Ok(true)
    }
}

/// An open socket as its tags and attachment describe it (`None` for one without them).
fn open_socket(state: &State, ws: &WebSocket) -> Option<OpenSocket> {
    let tags = state.get_tags(ws);
    let grant = Grant {
        workspace: tagged(&tags, WORKSPACE_TAG)?,
        member: tagged(&tags, MEMBER_TAG)?,
        role: Role::from_stored(&tagged::<String>(&tags, ROLE_TAG)?),
        expires_at: tagged(&tags, EXPIRES_TAG)?,
    };
    Some(OpenSocket {
        conn: tagged(&tags, CONN_TAG)?,
        grant,
        peer: ws.deserialize_attachment::<String>().ok().flatten(),
    })
}

/// The value of the tag with `prefix`, parsed.
fn tagged<T: std::str::FromStr>(tags: &[String], prefix: &str) -> Option<T> {
    tags.iter()
        .find_map(|tag| tag.strip_prefix(prefix)?.parse().ok())
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

/// A JSON answer any page may read.
pub(crate) fn json_response(json: String) -> Result<Response> {
    let mut response = Response::ok(json)?;
    response
        .headers_mut()
        .set("Content-Type", "application/json")?;
    crate::readable_anywhere(response)
}
