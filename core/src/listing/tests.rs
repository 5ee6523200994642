use proptest::prelude::*;

use super::*;
use crate::contact::ContactKind;
use crate::customer::{Lifecycle, OpenFollowUp, Source};
use crate::rules::Segment;
use crate::values::Money;

const NAMES: [&str; 6] = ["王芳", "王伟", "张伟", "李娜", "Zhang Wei", "陈静"];
const TAGS: [&str; 4] = ["高意向", "vip", "展会", "老客户"];

/// Row `id` with its fields drawn from `seed`.
fn row(id: usize, seed: u64) -> Arc<SummaryRow> {
    let pick = |shift: u32, n: u64| ((seed >> shift) % n) as usize;
    Arc::new(SummaryRow {
        id: format!("c{id:05}"),
        name: NAMES[pick(0, 6)].into(),
        name_latin: String::new(),
        company: ["华东贸易", "", "Bright Ltd"][pick(3, 3)].into(),
        owner: ["li", "wang", ""][pick(5, 3)].into(),
        source: Source::WeChat,
        lifecycle: Lifecycle::ALL[pick(7, Lifecycle::ALL.len() as u64)],
        tags: TAGS
            .iter()
            .take(pick(10, 3))
            .map(|t| t.to_string())
            .collect(),
        contact_keys: vec![(ContactKind::Phone, format!("+86138{:08}", seed % 1000))],
        open_follow_ups: (pick(12, 2) == 1)
            .then(|| OpenFollowUp {
                id: "f".into(),
                title: String::new(),
                due_at: (seed % 97) as i64,
                assignee: "li".into(),
            })
            .into_iter()
            .collect(),
        last_interaction: None,
        lifetime_spend: vec![Money::new("spend", (seed % 89) as i64, "CNY").unwrap()],
        order_count: 0,
        deals: vec![],
        updated_at: (seed % 101) as i64,
        archived: pick(14, 9) == 0,
        created_at: 0,
        logged: Default::default(),
        done_follow_ups: Vec::new(),
        merged_into: None,
        flagged: Vec::new(),
    })
}

/// Whether `listing` says what a listing made anew of `rows` says.
fn same_as_new(
    listing: &Listing,
    rows: &[Arc<SummaryRow>],
    sort: RowSort,
) -> Result<(), TestCaseError> {
    let fresh = Listing::new(rows, sort);
    prop_assert_eq!(listing.order(), fresh.order());
    prop_assert_eq!(listing.listed(), fresh.listed());
    prop_assert_eq!(
        listing.tags().collect::<Vec<_>>(),
        fresh.tags().collect::<Vec<_>>()
    );
    prop_assert!(
        listing
            .rows()
            .iter()
            .zip(rows)
            .all(|(a, b)| Arc::ptr_eq(a, b))
    );
    for query in ["王", "张伟", "vip", "bright", "138000", "高意向"] {
        prop_assert_eq!(
            listing.index().matching_set(query),
            fresh.index().matching_set(query)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Edits, customers coming and going, and new orders, one after another: the listing kept
    /// current agrees with one made anew each time (across chunks of the search text).
    #[test]
    fn a_listing_kept_current_agrees_with_one_made_anew(
        count in 1usize..2_600,
        seeds in prop::collection::vec(any::<u64>(), 2_600),
        steps in prop::collection::vec((0usize..6, prop::collection::vec((any::<usize>(), any::<u64>()), 1..6)), 1..8),
    ) {
        let mut rows: Vec<Arc<SummaryRow>> = (0..count).map(|i| row(i, seeds[i])).collect();
        let mut sort = RowSort::default();
        let mut listing = Listing::new(&rows, sort);
        let segment = |id: &str, tags: &[&str], lifecycle: &[Lifecycle]| Segment {
            id: id.into(),
            name: id.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            lifecycle: lifecycle.to_vec(),
            source: vec![],
            owner: None,
        };
        let mut segments = vec![segment("vip", &["vip"], &[]), segment("leads", &[], &[Lifecycle::Lead])];
        let mut sizes = SegmentSizes::new(&rows, &segments);
        for (kind, edits) in steps {
            match kind {
                // A new order, and a segment more.
                0 => {
                    sort = RowSort::ALL[edits[0].0 % RowSort::ALL.len()];
                    segments.push(segment("fair", &["展会", "高意向"], &[]));
                }
                // A customer comes, in its place by id, or goes.
                1 => {
                    let at = edits[0].0 % (rows.len() + 1);
                    rows.insert(at, row(10_000 + count + at, edits[0].1));
                }
                2 if rows.len() > 1 => {
                    rows.remove(edits[0].0 % rows.len());
                }
                // Many customers edited at once (merged in rather than placed one by one).
                3 => {
                    let (from, seed) = edits[0];
                    let len = rows.len();
                    for at in (from..from + 33 + seed as usize % 40).map(|at| at % len) {
                        let id = rows[at].id[1..].parse().unwrap();
                        rows[at] = row(id, seed.rotate_left(at as u32));
                    }
                }
                // Edits to a few customers (their ids unchanged).
                _ => {
                    for (at, seed) in edits {
                        let at = at % rows.len();
                        let id = rows[at].id[1..].parse().unwrap();
                        rows[at] = row(id, seed);
                    }
                }
            }
            listing.update(&rows, sort);
            same_as_new(&listing, &rows, sort)?;
            sizes.update(&rows, &segments);
            let fresh = SegmentSizes::new(&rows, &segments);
            for s in &segments {
                prop_assert_eq!(sizes.of(&s.id), fresh.of(&s.id));
            }
        }
    }
}

#[test]
fn a_row_tagged_no_more_drops_its_tag() {
    let mut rows: Vec<_> = (0..3).map(|i| row(i, 0)).collect();
    Arc::make_mut(&mut rows[1]).tags = vec!["独有".into()];
    let mut listing = Listing::new(&rows, RowSort::Name);
    assert!(listing.tags().any(|t| t == "独有"));
    rows[1] = row(1, 0);
    listing.update(&rows, RowSort::Name);
    assert!(!listing.tags().any(|t| t == "独有"));
}
