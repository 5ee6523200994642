//! `cargo xtask invite`: the login link of a team's first admin on a deployed edge — signed
//! with the edge's `AUTH_SECRET` (from the environment, or `edge/.dev.vars` for the local
//! edge), never typed by hand.

use crm_core::Id;
use crm_core::workspace::Role;

use crate::login;
use crate::process::{Result, root};

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
--workspace ID --member ID --name NAME [--role admin|manager|sales]";

/// Prints the link.
pub fn run(args: &[String]) -> Result {
    let invite = parse(args)?;
    let secret = secret()?;
    let link = login::link(
        &secret,
        &invite.app,
        &invite.workspace,
        &invite.member,
        invite.role,
    );
    let link = format!("{link}&edge={}", invite.edge);
    println!(
        "{} ({}, {}) signs in to workspace {} with:\n{link}",
        invite.name,
        invite.member,
        invite.role.as_str(),
        invite.workspace
    );
    Ok(())
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
        member: id("--member")?,
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
    fn the_link_carries_a_token_the_edge_verifies() {
        let link = login::link(
            "0123456789abcdef0123456789abcdef",
            "https://a",
            "acme",
            "wang",
            Role::Admin,
        );
        let token = link.split("token=").nth(1).unwrap();
        let grant =
            crm_core::token::Grant::verify(token, b"0123456789abcdef0123456789abcdef", "acme", 0)
                .unwrap();
        assert_eq!((grant.member.as_str(), grant.role), ("wang", Role::Admin));
    }
}
