//! `crm-edge`: the Worker in front of the team workspaces.
//!
//! `GET /ws/{workspace}?token=…` with `Upgrade: websocket` is routed to that workspace's
//! Durable Object (one per workspace, addressed by name) once the token is checked: signed
//! with the `AUTH_SECRET` secret, unexpired and for this very workspace (401 / 403 otherwise,
//! and no socket); the same GET without the upgrade answers 426 for a good token, so a client
//! can tell a refused token from an unreachable edge. `GET /ws/{workspace}/rows?token=…[&after=ID]`
//! answers customers' summary rows as JSON, a page at a time in id order, so that a new device
//! lists the workspace before its documents arrive. With `TEST_HOOKS=1` (tests and benches
//! only; 404 otherwise) `/ws/{workspace}/clock` and `/ws/{workspace}/rules-bench` are served
//! too (see [`test_hooks`]). `GET /health` answers `ok`.

use crm_core::token::Grant;
use worker::{Context, Env, Request, Response, Result, event};

mod sql_store;
mod test_hooks;
mod workspace_object;

pub use workspace_object::Workspace;

/// Header carrying the checked grant (workspace, member, role, expiry) from the Worker to the
/// Durable Object.
const GRANT_HEADER: &str = "X-Crm-Grant";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    if path == "/health" {
        return Response::ok("ok");
    }
    let Some(route) = path.strip_prefix("/ws/") else {
        return Response::error("not found", 404);
    };
    // `rows` and the test `clock` are plain requests; the workspace itself is a WebSocket.
    let (workspace, plain) = match route.split_once('/') {
        Some((workspace, "rows" | "clock" | "rules-bench")) => (workspace, true),
        Some(_) => return Response::error("not found", 404),
        None => (route, false),
    };
    if crm_core::Id::parse(workspace).is_err() {
        return Response::error("invalid workspace id", 400);
    }
    let Ok(secret) = env.secret("AUTH_SECRET").map(|s| s.to_string()) else {
        worker::console_error!("AUTH_SECRET is not set: refusing every connection");
        return Response::error("the edge has no AUTH_SECRET", 500);
    };
    let url = req.url()?;
    let Some(token) = url
        .query_pairs()
        .find_map(|(k, v)| (k == "token").then(|| v.into_owned()))
    else {
        return refusal("a workspace token is required", 401);
    };
    let now = worker::Date::now().as_millis() as i64;
    let grant = match Grant::verify(&token, secret.as_bytes(), workspace, now) {
        Ok(grant) => grant,
        Err(error) => return refusal(&error.to_string(), error.status()),
    };
    // Checked after the token, so that a client whose socket fails can ask with a plain GET
    // whether its token is the reason (401 / 403) or not (426).
    if !plain && req.headers().get("Upgrade")?.as_deref() != Some("websocket") {
        return refusal("expected a WebSocket upgrade", 426);
    }
    // The Durable Object trusts this header: only this Worker can reach it, and a client's
    // own copy is overwritten here.
    let mut inner = req.clone_mut()?;
    inner
        .headers_mut()?
        .set(GRANT_HEADER, &grant_header(&grant))?;
    inner.headers_mut()?.delete("Sec-WebSocket-Extensions")?;
    env.durable_object("WORKSPACE")?
        .get_by_name(workspace)?
        .fetch_with_request(inner)
        .await
}

/// The checked grant as the Durable Object receives it: the token's payload fields, dot
/// separated (ids never contain dots).
fn grant_header(grant: &Grant) -> String {
    let Grant {
        workspace,
        member,
        role,
        expires_at,
    } = grant;
    format!("{workspace}.{member}.{}.{expires_at}", role.as_str())
}

/// The grant the Worker checked for a request to the Durable Object, if any.
pub(crate) fn grant_of(req: &Request) -> Result<Option<Grant>> {
    let Some(header) = req.headers().get(GRANT_HEADER)? else {
        return Ok(None);
    };
    let mut parts = header.split('.');
    let mut next = || parts.next().map(str::to_owned);
    let (Some(workspace), Some(member), Some(role), Some(expires)) =
        (next(), next(), next(), next())
    else {
        return Ok(None);
    };
    Ok(Some(Grant {
        workspace,
        member,
        role: crm_core::workspace::Role::from_stored(&role),
        expires_at: expires.parse().unwrap_or_default(),
    }))
}

/// An error answer to `/ws/…` that a page on another origin (the app) may read, so it can tell
/// a refused token from an unreachable edge.
fn refusal(message: &str, status: u16) -> Result<Response> {
    readable_anywhere(Response::error(message, status)?)
}

/// Lets a page on another origin (the app) read `response`. No credentials are involved: the
/// token is in the address.
pub(crate) fn readable_anywhere(mut response: Response) -> Result<Response> {
    response
        .headers_mut()
        .set("Access-Control-Allow-Origin", "*")?;
    Ok(response)
}
