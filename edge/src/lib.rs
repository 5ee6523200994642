//! `crm-edge`: the Worker in front of the team workspaces.
//!
//! `GET /ws/{workspace}` with `Upgrade: websocket` and a token is routed to that workspace's
//! Durable Object (one per workspace, addressed by name) once the token is checked: signed
//! with the `AUTH_SECRET` secret, unexpired and for this very workspace (401 / 403 otherwise,
//! and no socket); the same GET without the upgrade answers 426 for a good token, so a client
//! can tell a refused token from an unreachable edge. The token comes as `Authorization: Bearer`,
//! as a WebSocket subprotocol `token.…` beside `qingke.v1` (the app: never in an address), or
//! as `?token=…` (the official JavaScript client). `GET /ws/{workspace}/rows[?after=ID]`
//! answers customers' summary rows as JSON, a page at a time in id order, so that a new device
//! lists the workspace before its documents arrive. The team's addresses (`invite`, `team`,
//! `revoke`, `redeem` with an invitation's code instead of a token, `renew` with a token up to
//! its renewal grace past expiry) are described in [`team`]. With `TEST_HOOKS=1` (tests and benches
//! only; 404 otherwise) `/ws/{workspace}/clock` and `/ws/{workspace}/rules-bench` are served
//! too (see [`test_hooks`]). `GET /health` answers `ok`.

use crm_core::token::Grant;
use route::Route;
use team::Call;
use worker::{Context, Env, Method, Request, Response, Result, event};

mod pool;
mod route;
mod sql_store;
mod team;
mod test_hooks;
mod workspace_object;

pub use workspace_object::Workspace;

/// Header carrying the checked grant (workspace, member, role, expiry) from the Worker to the
/// Durable Object.
const GRANT_HEADER: &str = "X-Crm-Grant";
/// Shortest `AUTH_SECRET` accepted: a shorter one makes tokens guessable offline.
const MIN_SECRET_BYTES: usize = 32;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    let Some(route) = Route::parse(&path) else {
        return Response::error("not found", 404);
    };
    let Some(workspace) = route.workspace() else {
        return Response::ok("ok");
    };
    // `rows`, `audit` and the test hooks are plain requests; the workspace is a WebSocket.
    let plain = !matches!(route, Route::Socket(_));
    if crm_core::Id::parse(workspace).is_err() {
        return Response::error("invalid workspace id", 400);
    }
    let Ok(secret) = env.secret("AUTH_SECRET").map(|s| s.to_string()) else {
        worker::console_error!("AUTH_SECRET is not set: refusing every connection");
        return Response::error("the edge has no AUTH_SECRET", 500);
    };
    if secret.len() < MIN_SECRET_BYTES {
        worker::console_error!("AUTH_SECRET is shorter than {MIN_SECRET_BYTES} bytes: refusing");
        return Response::error("the edge's AUTH_SECRET is too short", 500);
    }
    if req.method() == Method::Options {
        return preflight();
    }
    let now = worker::Date::now().as_millis() as i64;
    if route == Route::Team(workspace, Call::Redeem) {
        // No token: the object checks the invitation's seal and its single use.
        let mut inner = req.clone_mut()?;
        inner.headers_mut()?.delete(GRANT_HEADER)?;
        return object(&env, workspace)?.fetch_with_request(inner).await;
    }
    let Some(token) = token_of(&req)? else {
        return refusal("a workspace token is required", 401);
    };
    let verified = match route {
        Route::Team(_, Call::Renew) => {
            Grant::verify_for_renewal(&token, secret.as_bytes(), workspace, now)
        }
        _ => Grant::verify(&token, secret.as_bytes(), workspace, now),
    };
    let grant = match verified {
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
    // The token offered as a subprotocol goes no further; the object answers with ours.
    if offered_protocols(&req)?.any(|p| p == PROTOCOL) {
        inner.headers_mut()?.set(PROTOCOL_HEADER, PROTOCOL)?;
    } else {
        inner.headers_mut()?.delete(PROTOCOL_HEADER)?;
    }
    object(&env, workspace)?.fetch_with_request(inner).await
}

/// The Durable Object of `workspace`.
fn object(env: &Env, workspace: &str) -> Result<worker::Stub> {
    env.durable_object("WORKSPACE")?.get_by_name(workspace)
}

/// The WebSocket subprotocol the app offers, with its token as a second one
/// (`token.<token>`), so that the token stays out of addresses and logs. The edge answers with
/// this one.
pub(crate) const PROTOCOL: &str = "qingke.v1";
/// Prefix of the subprotocol carrying the token.
const TOKEN_PROTOCOL: &str = "token.";
pub(crate) const PROTOCOL_HEADER: &str = "Sec-WebSocket-Protocol";

/// The token a request presents: `Authorization: Bearer …` (the app's plain requests), a
/// `token.…` subprotocol (the app's socket), or `?token=…` (the official JavaScript client,
/// which can set neither).
fn token_of(req: &Request) -> Result<Option<String>> {
    if let Some(bearer) = req.headers().get("Authorization")?
        && let Some(token) = bearer.strip_prefix("Bearer ")
    {
        return Ok(Some(token.trim().to_owned()));
    }
    if let Some(token) =
        offered_protocols(req)?.find_map(|p| p.strip_prefix(TOKEN_PROTOCOL).map(str::to_owned))
    {
        return Ok(Some(token));
    }
    Ok(req
        .url()?
        .query_pairs()
        .find_map(|(k, v)| (k == "token").then(|| v.into_owned())))
}

/// The subprotocols a WebSocket request offers.
fn offered_protocols(req: &Request) -> Result<impl Iterator<Item = String>> {
    let offered = req.headers().get(PROTOCOL_HEADER)?.unwrap_or_default();
    let list: Vec<String> = offered.split(',').map(|p| p.trim().to_owned()).collect();
    Ok(list.into_iter())
}

/// The answer to a browser's CORS preflight: any origin may send the `Authorization` header
/// with a GET or a POST (the token is the credential; no cookies are involved).
fn preflight() -> Result<Response> {
    let mut response = Response::empty()?.with_status(204);
    let headers = response.headers_mut();
    headers.set("Access-Control-Allow-Origin", "*")?;
    headers.set("Access-Control-Allow-Methods", "GET, POST")?;
    headers.set(
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type",
    )?;
    headers.set("Access-Control-Max-Age", "86400")?;
    Ok(response)
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
pub(crate) fn refusal(message: &str, status: u16) -> Result<Response> {
    readable_anywhere(Response::error(message, status)?)
}

/// Lets a page on another origin (the app) read `response`. No cookies are involved: the token
/// is the credential.
pub(crate) fn readable_anywhere(mut response: Response) -> Result<Response> {
    response
        .headers_mut()
        .set("Access-Control-Allow-Origin", "*")?;
    Ok(response)
}
