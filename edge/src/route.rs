//! The edge's addresses, parsed once: `/health`, and under `/ws/{workspace}` the WebSocket,
//! `rows`, `audit`, the team's addresses and the test hooks.

use crate::team::Call;
use crate::test_hooks::Hook;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// `GET /health`.
    Health,
    /// `/ws/{workspace}`: the WebSocket.
    Socket(&'a str),
    /// `GET /ws/{workspace}/rows?after=…`: summary rows, a page at a time.
    Rows(&'a str),
    /// `GET /ws/{workspace}/audit?…`: the audit trail, newest first.
    Audit(&'a str),
    /// The team's addresses: `invite`, `team`, `revoke`, `redeem`, `renew` (see [`Call`]).
    Team(&'a str, Call),
    /// `POST /ws/{workspace}/claim?customer=ID`: a salesperson claims a pool customer.
    Claim(&'a str),
    /// A test hook (`clock`, `rules-bench`, `store-contract`, `seed`, `memory`), served only with `TEST_HOOKS=1`.
    Test(&'a str, Hook),
}

impl<'a> Route<'a> {
    /// The route of `path`, if it is one.
    pub fn parse(path: &'a str) -> Option<Self> {
        if path == "/health" {
            return Some(Self::Health);
        }
        let rest = path.strip_prefix("/ws/")?;
        Some(match rest.split_once('/') {
            None => Self::Socket(rest),
            Some((workspace, "rows")) => Self::Rows(workspace),
            Some((workspace, "audit")) => Self::Audit(workspace),
            Some((workspace, "claim")) => Self::Claim(workspace),
            Some((workspace, "invite")) => Self::Team(workspace, Call::Invite),
            Some((workspace, "team")) => Self::Team(workspace, Call::List),
            Some((workspace, "revoke")) => Self::Team(workspace, Call::Revoke),
            Some((workspace, "redeem")) => Self::Team(workspace, Call::Redeem),
            Some((workspace, "renew")) => Self::Team(workspace, Call::Renew),
            Some((workspace, "clock")) => Self::Test(workspace, Hook::Clock),
            Some((workspace, "rules-bench")) => Self::Test(workspace, Hook::RulesBench),
            Some((workspace, "store-contract")) => Self::Test(workspace, Hook::StoreContract),
            Some((workspace, "seed")) => Self::Test(workspace, Hook::Seed),
            Some((workspace, "memory")) => Self::Test(workspace, Hook::Memory),
            Some(_) => return None,
        })
    }

    /// The workspace it concerns (none for `/health`).
    pub fn workspace(self) -> Option<&'a str> {
        match self {
            Self::Health => None,
            Self::Socket(w)
            | Self::Rows(w)
            | Self::Audit(w)
            | Self::Team(w, _)
            | Self::Claim(w)
            | Self::Test(w, _) => Some(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_once_into_routes() {
        assert_eq!(Route::parse("/health"), Some(Route::Health));
        assert_eq!(Route::parse("/ws/team-1"), Some(Route::Socket("team-1")));
        assert_eq!(Route::parse("/ws/team-1/rows"), Some(Route::Rows("team-1")));
        assert_eq!(
            Route::parse("/ws/team-1/audit"),
            Some(Route::Audit("team-1"))
        );
        assert_eq!(
            Route::parse("/ws/team-1/clock"),
            Some(Route::Test("team-1", Hook::Clock))
        );
        assert_eq!(
            Route::parse("/ws/team-1/renew"),
            Some(Route::Team("team-1", Call::Renew))
        );
        assert_eq!(Route::parse("/ws/team-1/other"), None);
        assert_eq!(Route::parse("/elsewhere"), None);
    }
}
