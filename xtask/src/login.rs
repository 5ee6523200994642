//! The local edge's token secret and demo login links for `cargo xtask dev`.

use std::fs;
use std::io::Read;

use crm_core::token::Grant;
use crm_core::workspace::Role;

use crate::process::{Result, root};

/// How long a printed login link stays valid.
const LINK_VALID_MS: i64 = 30 * 24 * 3600 * 1000;

/// The `AUTH_SECRET` of `edge/.dev.vars` (git-ignored), created with 32 random bytes the first
/// time; `wrangler dev` reads the file itself.
pub fn dev_secret() -> Result<String> {
    let path = root().join("edge/.dev.vars");
    let existing = fs::read_to_string(&path).unwrap_or_default();
    if let Some(secret) = existing
        .lines()
        .find_map(|line| line.strip_prefix("AUTH_SECRET="))
    {
        return Ok(secret.trim().to_owned());
    }
    let mut bytes = [0u8; 32];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut text = existing;
    text.push_str(&format!("AUTH_SECRET={secret}\n"));
    fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(secret)
}

/// The app's address for `workspace`, signed in as `member` with `role`.
pub fn link(secret: &str, app: &str, workspace: &str, member: &str, role: Role) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let token = Grant {
        workspace: workspace.into(),
        member: member.into(),
        role,
        expires_at: now + LINK_VALID_MS,
    }
    .sign(secret.as_bytes());
    format!("{app}/?workspace={workspace}&token={token}")
}
