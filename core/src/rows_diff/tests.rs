use proptest::prelude::*;

use super::*;
use crate::contact::ContactKind;
use crate::customer::{Lifecycle, Source};

fn row(id: usize, version: u64) -> Arc<SummaryRow> {
    Arc::new(SummaryRow {
        id: format!("c{id:05}"),
        name: format!("客户{version}"),
        name_latin: String::new(),
        company: String::new(),
        owner: String::new(),
        source: Source::Other,
        lifecycle: Lifecycle::Lead,
        tags: Vec::new(),
        contact_keys: vec![(ContactKind::Email, format!("c{id}@x.cn"))],
        open_follow_ups: Vec::new(),
        last_interaction: None,
        lifetime_spend: Vec::new(),
        order_count: 0,
        deals: Vec::new(),
        updated_at: version as i64,
        archived: false,
        created_at: 0,
        logged: Default::default(),
        done_follow_ups: Vec::new(),
        merged_into: None,
        flagged: Vec::new(),
    })
}

/// Checks that `diff` accounts for every old and new position, keeps rows only unchanged and
/// in order.
fn accounts_for(
    diff: &RowsDiff,
    old: &[Arc<SummaryRow>],
    new: &[Arc<SummaryRow>],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(diff.kept.len(), old.len());
    let mut last = None;
    for (was, now) in diff.kept.iter().enumerate() {
        match now {
            Some(now) => {
                prop_assert!(Arc::ptr_eq(&old[was], &new[*now]));
                prop_assert!(last.is_none_or(|last| *now > last));
                prop_assert!(diff.gone.binary_search(&was).is_err());
                last = Some(*now);
            }
            None => prop_assert!(diff.gone.binary_search(&was).is_ok()),
        }
    }
    let sources = diff.sources(new.len());
    for (now, was) in sources.iter().enumerate() {
        prop_assert_eq!(was.is_none(), diff.came.binary_search(&now).is_ok());
    }
    if diff.is_edit() {
        prop_assert_eq!(old.len(), new.len());
        prop_assert!(
            diff.kept
                .iter()
                .enumerate()
                .all(|(was, now)| now.is_none_or(|now| now == was))
        );
    }
    prop_assert!(diff.gone.windows(2).all(|w| w[0] < w[1]));
    prop_assert!(diff.came.windows(2).all(|w| w[0] < w[1]));
    Ok(())
}

proptest! {
    /// Rows edited, added, removed and moved (a customer claimed from the pool moves from the
    /// tail to its place by id): every position is accounted for.
    #[test]
    fn a_diff_accounts_for_every_row(
        count in 0usize..60,
        edits in prop::collection::vec((0usize..4, any::<usize>()), 0..8),
    ) {
        let old: Vec<_> = (0..count).map(|i| row(i * 2, 0)).collect();
        let mut new = old.clone();
        for (kind, at) in edits {
            let at = at % (new.len() + 1);
            match kind {
                0 if at < new.len() => new[at] = row(new[at].id[1..].parse().unwrap(), 1),
                1 => new.insert(at, row(1_000 + at, 0)),
                2 if at < new.len() => {
                    new.remove(at);
                }
                3 if at < new.len() => {
                    let moved = new.remove(at);
                    new.push(moved);
                }
                _ => {}
            }
        }
        let diff = RowsDiff::between(&old, &new);
        accounts_for(&diff, &old, &new)?;
    }
}

#[test]
fn an_edit_is_found_by_position_and_only_the_edited_rows_change() {
    let old: Vec<_> = (0..5).map(|i| row(i, 0)).collect();
    let mut new = old.clone();
    new[3] = row(3, 1);
    let diff = RowsDiff::between(&old, &new);
    assert_eq!((diff.gone, diff.came), (vec![3], vec![3]));
    assert_eq!(diff.kept, vec![Some(0), Some(1), Some(2), None, Some(4)]);
    assert!(RowsDiff::between(&old, &old).is_empty());
}

#[test]
fn a_customer_that_came_shifts_the_rows_after_it() {
    let old: Vec<_> = (0..4).map(|i| row(i * 2, 0)).collect();
    let mut new = old.clone();
    new.insert(2, row(3, 0));
    let diff = RowsDiff::between(&old, &new);
    assert_eq!(diff.came, vec![2]);
    assert!(diff.gone.is_empty());
    assert_eq!(diff.kept, vec![Some(0), Some(1), Some(3), Some(4)]);
}
