//! `crm-edge`: the Worker in front of the team workspaces.
//!
//! `GET /ws/{workspace}` with `Upgrade: websocket` is routed to that workspace's Durable
//! Object (one per workspace, addressed by name); `GET /health` answers `ok`.

use worker::{Context, Env, Request, Response, Result, event};

mod workspace_object;

pub use workspace_object::Workspace;

/// Longest accepted workspace id.
const MAX_WORKSPACE_ID: usize = 64;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    if path == "/health" {
        return Response::ok("ok");
    }
    let Some(workspace) = path.strip_prefix("/ws/") else {
        return Response::error("not found", 404);
    };
    if !is_valid_workspace_id(workspace) {
        return Response::error("invalid workspace id", 400);
    }
    if req.headers().get("Upgrade")?.as_deref() != Some("websocket") {
        return Response::error("expected a WebSocket upgrade", 426);
    }
    env.durable_object("WORKSPACE")?
        .get_by_name(workspace)?
        .fetch_with_request(req)
        .await
}

/// Workspace ids are short slugs: ASCII letters, digits, `-` and `_`.
fn is_valid_workspace_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_WORKSPACE_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
