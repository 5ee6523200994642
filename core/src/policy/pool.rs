//! The public pool (公海): customers nobody owns. In a workspace scoped to `own`, salespeople
//! see pool customers' rows with their contact points masked (138****5678) and no documents
//! until they claim one — and scoped to `listed`, every colleague's customer too, so the
//! masking goes wherever a row goes (the list, an export, a notification); a claim makes them the owner unless someone was first or they hold
//! their cap of customers already. The edge decides claims one at a time, so of two
//! concurrent claims exactly one wins and the other is told who did.

use crate::contact::mask;
use crate::customer::SummaryRow;
use crate::token::Grant;
use crate::workspace::ReadScope;

use super::scope::{may_read, scoped};

/// Why a claim is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimRefusal {
    /// Someone owns the customer (first to claim, or assigned).
    #[error("already owned by {0}")]
    Owned(String),
    /// The member holds the workspace's cap of customers.
    #[error("holds {0} customers already, the team's cap")]
    Cap(u32),
    /// No such customer at the edge.
    #[error("no such customer")]
    Missing,
}

impl ClaimRefusal {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Owned(_) => 409,
            Self::Cap(_) => 403,
            Self::Missing => 404,
        }
    }
}

/// Whether a member holding `owned` customers may claim a customer owned by `owner` now, under
/// the team's `cap`.
pub fn claim(owner: &str, owned: usize, cap: Option<u32>) -> Result<(), ClaimRefusal> {
    if !owner.is_empty() {
        return Err(ClaimRefusal::Owned(owner.to_owned()));
    }
    match cap {
        Some(cap) if owned >= cap as usize => Err(ClaimRefusal::Cap(cap)),
        _ => Ok(()),
    }
}

/// The row `grant`'s member is shown of `row` under `scope`: whole when they may read the
/// customer, masked when it is in the pool (or anyone's, scoped to `listed`), none otherwise.
pub fn row_for(grant: &Grant, scope: ReadScope, row: &SummaryRow) -> Option<SummaryRow> {
    if may_read(grant, scope, &row.owner) {
        return Some(row.clone());
    }
    (scoped(grant, scope) && (row.owner.is_empty() || scope == ReadScope::Listed))
        .then(|| masked(row))
}

/// The owner whose rows (and the pool's) are all `grant`'s member may be shown under `scope`,
/// when not every row: lets a store filter before [`row_for`] decides each.
pub fn rows_limited_to(grant: &Grant, scope: ReadScope) -> Option<&str> {
    (scoped(grant, scope) && scope == ReadScope::Own).then_some(grant.member.as_str())
}

/// `row` with its contact points masked and its follow-ups and activity left out.
pub fn masked(row: &SummaryRow) -> SummaryRow {
    SummaryRow {
        contact_keys: (row.contact_keys.iter())
            .map(|(kind, value)| (*kind, mask(*kind, value)))
            .collect(),
        open_follow_ups: Vec::new(),
        logged: Default::default(),
        done_follow_ups: Vec::new(),
        ..row.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::ContactKind;
    use crate::workspace::Role;

    #[test]
    fn contact_points_are_masked_in_the_middle() {
        assert_eq!(mask(ContactKind::Phone, "+8613812345678"), "+86138****5678");
        assert_eq!(mask(ContactKind::Phone, "13812345678"), "138****5678");
        assert_eq!(
            mask(ContactKind::Email, "zhou.fang@example.com"),
            "z***@example.com"
        );
        assert_eq!(mask(ContactKind::WeChat, "wxid_zhoufang"), "w***");
        assert_eq!(mask(ContactKind::Phone, "12345"), "1***");
    }

    #[test]
    fn a_claim_goes_to_the_first_and_within_the_cap() {
        assert_eq!(claim("", 3, None), Ok(()));
        assert_eq!(claim("", 2, Some(3)), Ok(()));
        assert_eq!(claim("", 3, Some(3)), Err(ClaimRefusal::Cap(3)));
        let owned = claim("sales-chen", 0, None).unwrap_err();
        assert_eq!(
            (owned.status(), owned.to_string().as_str()),
            (409, "already owned by sales-chen")
        );
    }

    #[test]
    fn a_scoped_salesperson_sees_their_rows_whole_the_pool_masked_and_no_other() {
        let zhang = Grant {
            workspace: "w".into(),
            member: "zhang".into(),
            role: Role::Sales,
            expires_at: 0,
        };
        let row = |owner: &str| SummaryRow {
            id: "c1".into(),
            name: "周芳".into(),
            name_latin: String::new(),
            company: String::new(),
            owner: owner.into(),
            source: crate::customer::Source::WeChat,
            lifecycle: crate::customer::Lifecycle::Lead,
            tags: vec![],
            contact_keys: vec![(ContactKind::Phone, "+8613812345678".into())],
            open_follow_ups: vec![],
            last_interaction: None,
            lifetime_spend: vec![],
            order_count: 0,
            deals: vec![],
            updated_at: 0,
            archived: false,
            merged_into: None,
            created_at: 0,
            logged: Default::default(),
            done_follow_ups: Vec::new(),
            flagged: Vec::new(),
        };
        let own = row_for(&zhang, ReadScope::Own, &row("zhang")).unwrap();
        assert_eq!(own.contact_keys[0].1, "+8613812345678");
        let pool = row_for(&zhang, ReadScope::Own, &row("")).unwrap();
        assert_eq!(pool.contact_keys[0].1, "+86138****5678");
        assert_eq!(row_for(&zhang, ReadScope::Own, &row("chen")), None);
        let everyone = row_for(&zhang, ReadScope::Everyone, &row("")).unwrap();
        assert_eq!(everyone.contact_keys[0].1, "+8613812345678");
        // Listed: a colleague's customer is shown, masked, without its follow-ups.
        let listed = row_for(&zhang, ReadScope::Listed, &row("chen")).unwrap();
        assert_eq!(listed.contact_keys[0].1, "+86138****5678");
        assert_eq!(
            (listed.owner.as_str(), listed.name.as_str()),
            ("chen", "周芳")
        );
        let own = row_for(&zhang, ReadScope::Listed, &row("zhang")).unwrap();
        assert_eq!(own.contact_keys[0].1, "+8613812345678");
        assert_eq!(rows_limited_to(&zhang, ReadScope::Own), Some("zhang"));
        assert_eq!(rows_limited_to(&zhang, ReadScope::Listed), None);
        let mut manager = zhang.clone();
        manager.role = Role::Manager;
        let whole = row_for(&manager, ReadScope::Listed, &row("chen")).unwrap();
        assert_eq!(whole.contact_keys[0].1, "+8613812345678");
        assert_eq!(rows_limited_to(&manager, ReadScope::Own), None);
    }
}
