//! The app's Content-Security-Policy, written into `dist/index.html` after Trunk: the page
//! connects only to its own origin and to the edges the build signs in to, so a script that
//! found its way into the page still cannot send the workspace elsewhere.

use std::fs;
use std::path::Path;

/// Hosts an app built without `QINGKE_EDGES` reaches its edge on (`wrangler dev`).
const LOCAL_HOSTS: [&str; 2] = ["127.0.0.1", "localhost"];

/// The policy of a build whose allowed edge hosts are `edges` (`QINGKE_EDGES`, comma-separated;
/// none: a local build). Any port and scheme on those hosts: WebSocket and the plain requests.
pub fn policy(edges: Option<&str>) -> String {
    let listed: Vec<&str> = edges
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let hosts = if listed.is_empty() {
        LOCAL_HOSTS.to_vec()
    } else {
        listed
    };
    let mut connect = vec!["'self'".to_owned()];
    for host in hosts {
        for scheme in ["ws", "wss", "http", "https"] {
            connect.push(format!("{scheme}://{host}:*"));
        }
    }
    format!(
        "connect-src {}; object-src 'none'; base-uri 'none'",
        connect.join(" ")
    )
}

/// Puts `policy` into the page at `index` as the first element of its head.
pub fn apply(index: &Path, policy: &str) -> Result<(), String> {
    let page = fs::read_to_string(index).map_err(|e| format!("{}: {e}", index.display()))?;
    let meta = format!(r#"<meta http-equiv="Content-Security-Policy" content="{policy}">"#);
    let page = page
        .split_once("<head>")
        .map(|(before, after)| format!("{before}<head>{meta}{after}"))
        .ok_or_else(|| format!("{}: no <head>", index.display()))?;
    fs::write(index, page).map_err(|e| format!("{}: {e}", index.display()))
}

#[cfg(test)]
mod tests {
    use super::policy;

    #[test]
    fn a_local_build_connects_to_local_edges_only() {
        let policy = policy(None);
        assert!(policy.starts_with("connect-src 'self' ws://127.0.0.1:* "));
        assert!(policy.contains("http://localhost:*"));
        assert!(!policy.contains("wss://*"));
    }

    #[test]
    fn a_deployed_build_connects_to_its_listed_edges_only() {
        let policy = policy(Some("edge.example.com, crm.example.org"));
        assert!(policy.contains("wss://edge.example.com:* "));
        assert!(policy.contains("https://crm.example.org:*"));
        assert!(!policy.contains("127.0.0.1"));
    }
}
