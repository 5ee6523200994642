//! Who may read which customer: managers and admins every one; a salesperson, when the
//! workspace's [`ReadScope`] is `own` or `listed`, only the customers they own. The edge applies it
//! wherever data leaves it — the rows it serves, the documents it answers with and the changes
//! it broadcasts — and a device holding a customer it may no longer read is told to drop it.

use crate::token::Grant;
use crate::workspace::{ReadScope, Role};

/// Whether `grant`'s member may read a customer owned by `owner` under `scope`.
pub fn may_read(grant: &Grant, scope: ReadScope, owner: &str) -> bool {
    !scoped(grant, scope) || owner == grant.member
}

/// Whether `grant`'s member reads only some customers under `scope`.
pub fn scoped(grant: &Grant, scope: ReadScope) -> bool {
    grant.role == Role::Sales && scope != ReadScope::Everyone
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role) -> Grant {
        Grant {
            workspace: "w".into(),
            member: "zhang".into(),
            role,
            expires_at: 0,
        }
    }

    #[test]
    fn salespeople_read_their_own_when_scoped_and_everything_otherwise() {
        for (role, scope, owner, readable) in [
            (Role::Sales, ReadScope::Own, "zhang", true),
            (Role::Sales, ReadScope::Own, "chen", false),
            (Role::Sales, ReadScope::Own, "", false),
            (Role::Sales, ReadScope::Listed, "zhang", true),
            (Role::Sales, ReadScope::Listed, "chen", false),
            (Role::Manager, ReadScope::Listed, "chen", true),
            (Role::Sales, ReadScope::Everyone, "chen", true),
            (Role::Manager, ReadScope::Own, "chen", true),
            (Role::Admin, ReadScope::Own, "", true),
        ] {
            assert_eq!(
                may_read(&grant(role), scope, owner),
                readable,
                "{role:?} {scope:?} {owner}"
            );
        }
        assert!(scoped(&grant(Role::Sales), ReadScope::Own));
        assert!(!scoped(&grant(Role::Manager), ReadScope::Own));
    }
}
