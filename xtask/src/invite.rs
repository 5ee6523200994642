//! `cargo xtask invite`: the invitation link of a team's first admin on a deployed edge —
//! sealed with the edge's `AUTH_SECRET` (from the environment, or `edge/.dev.vars` for the
//! local edge), never typed by hand. Opening it registers the admin in the workspace (a new
//! one starts then) and signs that device in; it opens once, within 7 days.

use crm_core::Id;
use crm_core::workspace::Role;

use crm_core::token::Invitation;

use crate::process::{Result, root};

/// How long the printed link stays open.
const OPEN_DAYS: i64 = 7;

/// What to invite: `--app URL --edge URL --workspace ID --member ID --name NAME --role ROLE`.
#[derive(Debug, PartialEq, Eq)]
struct Invite {
    app: String,
    edge: String,
    workspace: String,
    member: String,
    name: String,
    role: Role,
}

const USAGE: &str = "usage: cargo xtask invite --app https://APP --edge wss://EDGE \
--workspace ID --name NAME [--member ID] [--role admin|manager|sales]";

/// Prints the link.
pub fn run(args: &[String]) -> Result {
    let invite = parse(args)?;
    let secret = secret()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let link = link(&invite, &secret, now);
    println!(
        "{} ({}, {}) joins workspace {} by opening, once and within 7 days:\n{link}",
        invite.name,
        invite.member,
        invite.role.as_str(),
        invite.workspace
    );
    Ok(())
}

/// The app's address that redeems `invite`, sealed with `secret` at `now`.
fn link(invite: &Invite, secret: &str, now: i64) -> String {
    let invitation = Invitation {
        workspace: invite.workspace.clone(),
        id: Id::random().to_string(),
        member: invite.member.clone(),
        name: invite.name.clone(),
        role: invite.role,
        expires_at: now + OPEN_DAYS * 24 * 3600 * 1000,
        invited_by: "setup".into(),
        invited_at: now,
    };
    let code = invitation.sign(secret.as_bytes());
    format!("{}/?invite={code}&edge={}", invite.app, invite.edge)
}

/// The edge's token secret: `AUTH_SECRET` from the environment, else the local edge's.
fn secret() -> Result<String> {
    if let Ok(secret) = std::env::var("AUTH_SECRET") {
        return Ok(secret);
    }
    let dev_vars = std::fs::read_to_string(root().join("edge/.dev.vars")).unwrap_or_default();
    (dev_vars.lines())
        .find_map(|line| line.strip_prefix("AUTH_SECRET="))
        .map(|s| s.trim().to_owned())
        .ok_or_else(|| {
            "no AUTH_SECRET: set it to the value given to `wrangler secret put AUTH_SECRET`".into()
        })
}

fn parse(args: &[String]) -> Result<Invite> {
    let value = |flag: &str| -> Option<String> {
        let at = args.iter().position(|a| a == flag)?;
        args.get(at + 1).cloned()
    };
    let required = |flag: &str| value(flag).ok_or_else(|| format!("{flag} is missing; {USAGE}"));
    let id = |flag: &str| -> Result<String> {
        let typed = required(flag)?;
        Id::parse(&typed).map_err(|e| format!("{flag}: {e}"))?;
        Ok(typed)
    };
    let app = required("--app")?;
    let edge = required("--edge")?;
    if !(app.starts_with("https://") || app.starts_with("http://")) {
        return Err(format!("--app must be an http(s) address: {app}"));
    }
    if !(edge.starts_with("wss://") || edge.starts_with("ws://")) {
        return Err(format!("--edge must be a ws(s) address: {edge}"));
    }
    let role = match value("--role").as_deref() {
        None => Role::Admin,
        Some(role) => Role::parse(role).ok_or_else(|| format!("--role: unknown role {role}"))?,
    };
    Ok(Invite {
        app: app.trim_end_matches('/').to_owned(),
        edge,
        workspace: id("--workspace")?,
        member: match value("--member") {
            Some(_) => id("--member")?,
            None => Id::random().to_string(),
        },
        name: required("--name")?,
        role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn an_invitation_is_read_from_its_flags_and_refuses_what_would_not_sign_in() {
        let invite = parse(&args(
            "--app https://crm.example.com/ --edge wss://edge.example.workers.dev \
             --workspace acme --member wang --name 王经理",
        ))
        .unwrap();
        assert_eq!(invite.app, "https://crm.example.com");
        assert_eq!(invite.role, Role::Admin);
        assert_eq!(invite.name, "王经理");
        for wrong in [
            "--app crm.example.com --edge wss://e --workspace a --member b --name c",
            "--app https://a --edge https://e --workspace a --member b --name c",
            "--app https://a --edge wss://e --workspace a/b --member b --name c",
            "--app https://a --edge wss://e --workspace a --member b --name c --role boss",
            "--app https://a --edge wss://e --workspace a --member b",
        ] {
            assert!(parse(&args(wrong)).is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_link_carries_an_invitation_the_edge_verifies() {
        let invite = parse(&args(
            "--app https://a --edge wss://e --workspace acme --member wang --name 王经理",
        ))
        .unwrap();
        let secret = "0123456789abcdef0123456789abcdef";
        let link = link(&invite, secret, 1_000);
        assert!(link.starts_with("https://a/?invite=") && link.ends_with("&edge=wss://e"));
        let code = link
            .split("invite=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        let invitation = Invitation::verify(code, secret.as_bytes(), "acme", 1_000).unwrap();
        assert_eq!(
            (invitation.member.as_str(), invitation.name.as_str()),
            ("wang", "王经理")
        );
        assert_eq!(invitation.role, Role::Admin);
        // Without --member the admin gets a fresh id.
        let unnamed = parse(&args(
            "--app https://a --edge wss://e --workspace acme --name 李",
        ));
        assert_eq!(unnamed.unwrap().member.len(), 32);
    }
}
