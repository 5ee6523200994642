//! Finding customers among summary rows: free-text search, filters and sort orders.
//!
//! Search is a case-insensitive substring match (CJK works as is, no pinyin) over names,
//! company, tags and normalised contact points. A query that looks like a phone number is
//! compared by its digits, so `138-1234-5678` finds `+8613812345678`. The lowered text of
//! every row is built once ([`SearchIndex`]) into two strings per chunk of rows — fields with
//! other characters, and everything in ASCII (ASCII fields and the ASCII runs of the others) —
//! so a keystroke is a scan of one of them with one searcher, not a search per row, and a
//! changed row makes only its chunk again.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use memchr::memmem;

use crate::contact::{ContactKind, mask};
use crate::customer::{Lifecycle, Source, SummaryRow};
use crate::rows_diff::RowsDiff;

/// Separates fields in a row's search text so a query never matches across two fields.
const FIELD_SEPARATOR: char = '\u{1f}';

/// Tells indexes apart, so a search is narrowed only within the index it was made on.
static BUILT: AtomicU64 = AtomicU64::new(0);

/// Rows per chunk of the search text, as made: a row that changes makes its chunk again, not
/// the whole text (chunks then grow and shrink with the rows that come and go).
const CHUNK: usize = 1024;

/// The prepared search text of every row, in the rows' order, in chunks of about [`CHUNK`]
/// rows: fields written in ASCII apart from the others, which a query with any other
/// character need not read (at 100,000 demo rows, 5 of 13 MB).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchIndex {
    chunks: Vec<Chunk>,
    /// How many rows.
    rows: usize,
    /// Which index this is (a new one for every [`SearchIndex::new`] and
    /// [`SearchIndex::apply`]).
    built: u64,
}

/// The search text of consecutive rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Chunk {
    /// Fields with a character outside ASCII (names and companies in Chinese, tags).
    wide: Text,
    /// Fields all in ASCII (latin names, phone numbers, emails, WeChat ids), and the ASCII
    /// runs of the wide fields: all an ASCII needle can be in.
    ascii: Text,
}

impl Chunk {
    fn of<R: Borrow<SummaryRow>>(rows: &[R]) -> Self {
        let mut chunk = Self {
            wide: Text::with_capacity(rows.len(), 64),
            ascii: Text::with_capacity(rows.len(), 80),
        };
        for row in rows.iter().map(Borrow::borrow) {
            let fields = [&row.name, &row.name_latin, &row.company]
                .into_iter()
                .chain(row.tags.iter())
                .chain(row.contact_keys.iter().map(|(_, key)| key));
            for field in fields {
                // An ASCII field lowers to ASCII, which no needle with another character is in.
                match field.is_ascii() {
                    true => {
                        chunk.ascii.push(field);
                    }
                    false => {
                        let lowered = chunk.wide.push(field);
                        chunk.ascii.push_ascii_runs(lowered);
                    }
                }
            }
            chunk.wide.end_row();
            chunk.ascii.end_row();
        }
        chunk
    }

    /// How many rows.
    fn len(&self) -> usize {
        self.wide.ends.len()
    }

    /// The text `needle` can be in.
    fn text_for(&self, needle: &str) -> &Text {
        match needle.is_ascii() {
            true => &self.ascii,
            false => &self.wide,
        }
    }

    /// Marks in `set` (this chunk's rows) the rows whose text holds `needle`.
    fn mark(&self, needle: &Needle, set: &mut [bool]) {
        self.text_for(needle.text).mark(&needle.finder, set);
    }

    /// Keeps marked in `set` (this chunk's rows, marked for a needle this one contains) only
    /// the rows whose text holds `needle`: row by row where few are marked, else one scan
    /// (reading a row on its own costs more than scanning past it).
    fn narrow(&self, needle: &Needle, set: &mut [bool]) {
        let text = self.text_for(needle.text);
        if set.iter().filter(|hit| **hit).count() * DENSE > set.len() {
            // Every row holding the needle holds the one it contains: marked already.
            set.fill(false);
            return text.mark(&needle.finder, set);
        }
        for (row, hit) in set.iter_mut().enumerate() {
            *hit = *hit && needle.finder.find(text.row(row).as_bytes()).is_some();
        }
    }
}

/// Narrowing scans a chunk whole where more than one row in `DENSE` is still marked.
const DENSE: usize = 8;

/// A lowered query, with the searcher made for it once.
struct Needle<'a> {
    text: &'a str,
    finder: memmem::Finder<'a>,
}

impl<'a> Needle<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            finder: memmem::Finder::new(text),
        }
    }
}

/// Lowered fields, each followed by [`FIELD_SEPARATOR`], row after row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Text {
    text: String,
    /// Where each row's text ends in `text`.
    ends: Vec<usize>,
}

impl Text {
    fn with_capacity(rows: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(rows * bytes),
            ends: Vec::with_capacity(rows),
        }
    }

    /// Adds `field`, lowered as [`needle`] lowers a query (the same characters, faster where
    /// a character has no case: ASCII is lowered in place, CJK kept as it is).
    fn push(&mut self, field: &str) -> &str {
        let start = self.text.len();
        if field.is_ascii() {
            self.text.push_str(field);
            self.text[start..].make_ascii_lowercase();
        } else {
            for c in field.chars() {
                match c {
                    _ if c.is_ascii() => self.text.push(c.to_ascii_lowercase()),
                    _ if caseless(c) => self.text.push(c),
                    _ => self.text.extend(c.to_lowercase()),
                }
            }
        }
        self.text.push(FIELD_SEPARATOR);
        &self.text[start..]
    }

    /// Adds each run of ASCII characters in `lowered` (a field as [`Text::push`] wrote it,
    /// separator included) as a field of its own: an ASCII needle in the field is in one of
    /// them.
    fn push_ascii_runs(&mut self, lowered: &str) {
        let runs = lowered.split(|c: char| !c.is_ascii() || c == FIELD_SEPARATOR);
        for run in runs.filter(|run| !run.is_empty()) {
            self.text.push_str(run);
            self.text.push(FIELD_SEPARATOR);
        }
    }

    fn end_row(&mut self) {
        self.ends.push(self.text.len());
    }

    /// Marks in `set` the rows whose text holds `finder`'s needle, in one scan that goes on
    /// from the end of each row found (its other matches need not be read); matches come in
    /// order, so the row of each is found by walking on from the last one's.
    fn mark(&self, finder: &memmem::Finder, set: &mut [bool]) {
        let text = self.text.as_bytes();
        let (mut from, mut row) = (0, 0);
        while let Some(at) = finder.find(&text[from..]).map(|at| from + at) {
            while self.ends[row] <= at {
                row += 1;
            }
            set[row] = true;
            from = self.ends[row];
        }
    }

    /// The text of row `row`.
    fn row(&self, row: usize) -> &str {
        let start = row.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[row]]
    }
}

/// The last search made on an index, kept by whoever searches as a person types: a query that
/// contains it is looked for only in the rows it matched.
#[derive(Debug, Clone, Default)]
pub struct LastSearch {
    built: u64,
    needle: String,
    set: Vec<bool>,
}

impl SearchIndex {
    /// Prepares `rows` for searching.
    pub fn new<R: Borrow<SummaryRow>>(rows: &[R]) -> Self {
        Self {
            chunks: rows.chunks(CHUNK).map(Chunk::of).collect(),
            rows: rows.len(),
            built: BUILT.fetch_add(1, AtomicOrdering::Relaxed),
        }
    }

    /// Follows the rows from those it was made of to `rows`, as `diff` says they changed:
    /// chunks that lost, gained or changed a row are made again, the others kept.
    pub fn apply<R: Borrow<SummaryRow>>(&mut self, rows: &[R], diff: &RowsDiff) {
        if self.chunks.is_empty() {
            *self = Self::new(rows);
            return;
        }
        // Where each old chunk starts, and whether it changed.
        let starts: Vec<usize> = (self.chunks.iter())
            .scan(0, |start, chunk| {
                let at = *start;
                *start += chunk.len();
                Some(at)
            })
            .collect();
        let chunk_of = |at: usize| starts.partition_point(|start| *start <= at) - 1;
        if diff.is_edit() {
            // Every row where it was: the chunks of the rows edited are made again.
            let mut edited: Vec<usize> = diff.came.iter().map(|at| chunk_of(*at)).collect();
            edited.dedup();
            for k in edited {
                let range = starts[k]..starts[k] + self.chunks[k].len();
                self.chunks[k] = Chunk::of(&rows[range]);
            }
            self.built = BUILT.fetch_add(1, AtomicOrdering::Relaxed);
            return;
        }
        let mut changed = vec![false; self.chunks.len()];
        for at in &diff.gone {
            changed[chunk_of(*at)] = true;
        }
        // The new rows of each old chunk: its kept rows, and the rows that came after them
        // (before any kept row: the first chunk's).
        let mut ranges = vec![0..0; self.chunks.len()];
        let mut chunk = 0;
        for (now, was) in diff.sources(rows.len()).into_iter().enumerate() {
            match was {
                Some(was) => chunk = chunk_of(was),
                None => changed[chunk] = true,
            }
            let range: &mut std::ops::Range<usize> = &mut ranges[chunk];
            if range.start == range.end {
                range.start = now;
            }
            range.end = now + 1;
        }
        let old = std::mem::take(&mut self.chunks);
        for ((chunk, range), changed) in old.into_iter().zip(ranges).zip(changed) {
            match changed {
                false if !range.is_empty() => self.chunks.push(chunk),
                false => {}
                true => (self.chunks).extend(rows[range].chunks(CHUNK).map(Chunk::of)),
            }
        }
        self.rows = rows.len();
        self.built = BUILT.fetch_add(1, AtomicOrdering::Relaxed);
    }

    /// For each row, whether it matches `query`; `None` when the query is empty (every row
    /// matches). Lets a caller keep its own row order.
    pub fn matching_set(&self, query: &str) -> Option<Vec<bool>> {
        self.scan(&needle(query))
    }

    /// The chunks, each with the part of a per-row `set` that is its rows'.
    fn parts<'a, T>(&'a self, set: &'a mut [T]) -> impl Iterator<Item = (&'a Chunk, &'a mut [T])> {
        let mut rest = set;
        self.chunks.iter().map(move |chunk| {
            let (part, after) = std::mem::take(&mut rest).split_at_mut(chunk.len());
            rest = after;
            (chunk, part)
        })
    }

    /// The rows whose text holds `needle`: one scan of each chunk's wide fields, and of its
    /// ASCII ones for an ASCII needle.
    fn scan(&self, needle: &str) -> Option<Vec<bool>> {
        (!needle.is_empty()).then(|| {
            let needle = Needle::new(needle);
            let mut set = vec![false; self.rows];
            for (chunk, part) in self.parts(&mut set) {
                chunk.mark(&needle, part);
            }
            set
        })
    }

    /// [`SearchIndex::matching_set`] after `last`: a query containing the last one on this
    /// index (typing on: "王" then "王芳") reads only the rows that one matched; `last`
    /// becomes this search.
    pub fn matching_set_after(&self, query: &str, last: &mut LastSearch) -> Option<Vec<bool>> {
        let needle = needle(query);
        if needle.is_empty() {
            return None;
        }
        let set = if last.built == self.built
            && !last.needle.is_empty()
            && needle.contains(last.needle.as_str())
        {
            let mut set = last.set.clone();
            let narrower = Needle::new(&needle);
            for (chunk, part) in self.parts(&mut set) {
                chunk.narrow(&narrower, part);
            }
            set
        } else {
            self.scan(&needle)?
        };
        *last = LastSearch {
            built: self.built,
            needle,
            set: set.clone(),
        };
        Some(set)
    }

    /// Positions of the rows matching `query`, in order. An empty query matches every row.
    pub fn matching(&self, query: &str) -> Vec<usize> {
        match self.matching_set(query) {
            None => (0..self.rows).collect(),
            Some(set) => set
                .into_iter()
                .enumerate()
                .filter_map(|(i, hit)| hit.then_some(i))
                .collect(),
        }
    }
}

/// Whether `c` is in a block of characters without case (CJK punctuation, kana, ideographs,
/// Hangul syllables): lowering leaves it as it is.
fn caseless(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{9fff}' | '\u{ac00}'..='\u{d7a3}')
}

/// The lowered query; a phone-like query reduced to its digits.
fn needle(query: &str) -> String {
    let query = query.trim();
    let phone_like = query.chars().filter(char::is_ascii_digit).count() >= 3
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || " -+().".contains(c));
    if phone_like {
        query.chars().filter(char::is_ascii_digit).collect()
    } else {
        query.chars().flat_map(char::to_lowercase).collect()
    }
}

/// The customers (archived ones too, merged ones not) that hold contact point `normalized` of `kind` — the
/// same person already in the CRM, before a second record is made for them. Addresses are not
/// compared (rows do not carry them); a phone also finds a row listed masked (`138****5678`).
pub fn holding<'a, R: Borrow<SummaryRow>>(
    rows: &'a [R],
    kind: ContactKind,
    normalized: &str,
) -> Vec<&'a SummaryRow> {
    // A phone also finds a customer listed masked (the pool's, a colleague's).
    let masked = (kind == ContactKind::Phone).then(|| mask(kind, normalized));
    (rows.iter().map(Borrow::borrow))
        .filter(|row| {
            row.merged_into.is_none()
                && (row.contact_keys.iter()).any(|(k, key)| {
                    *k == kind && (key == normalized || masked.as_ref() == Some(key))
                })
        })
        .collect()
}

/// Filters of the customer list; `None` lets every row through. Archived customers are
/// listed only with `archived`, and then only they; merged ones never.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowFilter {
    pub owner: Option<String>,
    pub lifecycle: Option<Lifecycle>,
    pub source: Option<Source>,
    pub tag: Option<String>,
    pub archived: bool,
}

impl RowFilter {
    /// Whether `row` passes every filter that is set.
    pub fn matches(&self, row: &SummaryRow) -> bool {
        self.archived == row.archived
            && row.merged_into.is_none()
            && self.owner.as_ref().is_none_or(|o| *o == row.owner)
            && self.lifecycle.is_none_or(|l| l == row.lifecycle)
            && self.source.is_none_or(|s| s == row.source)
            && self.tag.as_ref().is_none_or(|t| row.tags.contains(t))
    }
}

/// Orders of the customer list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowSort {
    /// Most recently updated first.
    #[default]
    RecentlyUpdated,
    /// By name, in Unicode order.
    Name,
    /// Earliest open follow-up first; customers without one last.
    NextFollowUp,
    /// Highest lifetime spend (sum over currencies, in minor units) first.
    LifetimeSpend,
}

impl RowSort {
    /// Every order, for pickers.
    pub const ALL: [Self; 4] = [
        Self::RecentlyUpdated,
        Self::Name,
        Self::NextFollowUp,
        Self::LifetimeSpend,
    ];

    /// Compares two rows in this order; ties fall back to the id so the order is total.
    pub fn compare(self, a: &SummaryRow, b: &SummaryRow) -> Ordering {
        let spend = |r: &SummaryRow| r.lifetime_spend.iter().map(|m| m.minor).sum::<i64>();
        let due = |r: &SummaryRow| r.next_follow_up().map(|f| f.due_at);
        match self {
            Self::RecentlyUpdated => b.updated_at.cmp(&a.updated_at),
            Self::Name => a.name.cmp(&b.name),
            Self::NextFollowUp => match (due(a), due(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            Self::LifetimeSpend => spend(b).cmp(&spend(a)),
        }
        .then_with(|| a.id.cmp(&b.id))
    }
}

/// The first `n` of `rows` in `sort`'s order (what a list shows before it scrolls), without
/// sorting them all.
pub fn first_rows<'a>(
    rows: impl IntoIterator<Item = &'a SummaryRow>,
    sort: RowSort,
    n: usize,
) -> Vec<&'a SummaryRow> {
    let mut rows: Vec<&SummaryRow> = rows.into_iter().collect();
    let order = |a: &&SummaryRow, b: &&SummaryRow| sort.compare(a, b);
    if rows.len() > n {
        rows.select_nth_unstable_by(n, order);
        rows.truncate(n);
    }
    rows.sort_unstable_by(order);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::ContactKind;
    use crate::customer::OpenFollowUp;
    use crate::values::Money;

    fn row(id: &str, name: &str, latin: &str, company: &str) -> SummaryRow {
        SummaryRow {
            id: id.into(),
            name: name.into(),
            name_latin: latin.into(),
            company: company.into(),
            owner: "li".into(),
            source: Source::WeChat,
            lifecycle: Lifecycle::Lead,
            tags: vec!["高意向".into()],
            contact_keys: vec![
                (ContactKind::Phone, "+8613812345678".into()),
                (ContactKind::Email, "zhang.wei@huadong.cn".into()),
            ],
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
        }
    }

    fn rows() -> Vec<SummaryRow> {
        vec![
            row("a", "张伟", "Zhang Wei", "华东贸易有限公司"),
            row("b", "李娜", "Li Na", "Shenzhen Bright Tech"),
        ]
    }

    #[test]
    fn a_contact_point_is_found_on_whoever_holds_it_of_that_kind() {
        let mut rows = rows();
        rows[1].contact_keys = vec![(ContactKind::WeChat, "lina88".into())];
        let ids = |found: Vec<&SummaryRow>| found.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(holding(&rows, ContactKind::Phone, "+8613812345678")),
            ["a"]
        );
        assert_eq!(ids(holding(&rows, ContactKind::WeChat, "lina88")), ["b"]);
        assert!(
            holding(&rows, ContactKind::WeCom, "lina88").is_empty(),
            "another kind"
        );
        assert!(holding(&rows, ContactKind::Phone, "+8613812345679").is_empty());
        // A colleague's customer listed masked is found by the whole number.
        rows[1].contact_keys = vec![(ContactKind::Phone, "+86139****1111".into())];
        assert_eq!(
            ids(holding(&rows, ContactKind::Phone, "+8613900001111")),
            ["b"]
        );
        assert!(holding(&rows, ContactKind::Phone, "+8613900002222").is_empty());
    }

    #[test]
    fn chinese_substrings_find_names_and_companies() {
        let index = SearchIndex::new(&rows());
        assert_eq!(index.matching("张"), vec![0]);
        assert_eq!(index.matching("华东贸易"), vec![0]);
        assert_eq!(index.matching("高意向"), vec![0, 1]);
    }

    #[test]
    fn latin_search_ignores_case_and_reaches_emails() {
        let index = SearchIndex::new(&rows());
        assert_eq!(index.matching("zhang wei"), vec![0]);
        assert_eq!(index.matching("BRIGHT"), vec![1]);
        assert_eq!(index.matching("huadong.cn"), vec![0, 1]);
    }

    #[test]
    fn phone_queries_match_by_digits() {
        let index = SearchIndex::new(&rows()[..1]);
        assert_eq!(index.matching("138-1234-5678"), vec![0]);
        assert_eq!(index.matching("+86 138 1234"), vec![0]);
        assert!(index.matching("139").is_empty());
    }

    #[test]
    fn the_matching_set_agrees_with_the_positions() {
        let index = SearchIndex::new(&rows());
        assert_eq!(index.matching_set("李"), Some(vec![false, true]));
        assert_eq!(index.matching_set(""), None);
    }

    #[test]
    fn characters_taken_as_caseless_have_no_lower_case() {
        let blocks = ('\u{3000}'..='\u{9fff}').chain('\u{ac00}'..='\u{d7a3}');
        for c in blocks {
            assert!(caseless(c));
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
        }
        let mut text = Text::default();
        text.push("Zhang 张伟 ÅSTRÖM ǅ");
        assert_eq!(text.text, "zhang 张伟 åström ǆ\u{1f}");
    }

    #[test]
    fn an_empty_query_matches_all_and_fields_do_not_run_together() {
        let index = SearchIndex::new(&rows());
        assert_eq!(index.matching("  "), vec![0, 1]);
        // "Wei" ends one field and "华" starts the next: no match across the boundary.
        assert!(index.matching("wei华").is_empty());
    }

    proptest::proptest! {
        /// The one-string scan finds exactly the rows a search of each row's fields alone
        /// finds, at row and field edges too.
        #[test]
        fn the_scan_agrees_with_searching_each_row(
            names in proptest::collection::vec("[aAbk王芳 \u{212a}\u{130}]{0,4}", 0..12),
            query in "[aAbik王芳]{1,3}",
        ) {
            let rows: Vec<SummaryRow> = (names.iter().enumerate())
                .map(|(i, name)| row(&i.to_string(), name, "", "b"))
                .collect();
            let lowered = query.to_lowercase();
            let expected: Vec<usize> = (rows.iter().enumerate())
                .filter(|(_, r)| {
                    [&r.name, &r.name_latin, &r.company]
                        .into_iter()
                        .chain(&r.tags)
                        .chain(r.contact_keys.iter().map(|(_, k)| k))
                        .any(|field| field.to_lowercase().contains(&lowered))
                })
                .map(|(i, _)| i)
                .collect();
            proptest::prop_assert_eq!(SearchIndex::new(&rows).matching(&query), expected);
        }

        /// Typing on (each query the last one plus more, or something else) narrows to exactly
        /// what a search from scratch finds, also after the rows changed.
        #[test]
        fn a_search_narrowed_from_the_last_finds_what_a_new_one_finds(
            names in proptest::collection::vec("[aAb王芳 ]{0,4}", 0..12),
            typed in proptest::collection::vec("[aAb王芳]{0,2}", 1..6),
            rebuilt_at in 0..6usize,
        ) {
            let rows: Vec<SummaryRow> = (names.iter().enumerate())
                .map(|(i, name)| row(&i.to_string(), name, "", "b"))
                .collect();
            let mut index = SearchIndex::new(&rows);
            let mut last = LastSearch::default();
            let mut query = String::new();
            for (step, more) in typed.iter().enumerate() {
                if step == rebuilt_at {
                    // A teammate's change: the rows are indexed again, in another order.
                    index = SearchIndex::new(&rows.iter().rev().cloned().collect::<Vec<_>>());
                }
                // Mostly typing on; sometimes starting again.
                if more.len() == 2 { query.clear(); }
                query.push_str(more);
                proptest::prop_assert_eq!(
                    index.matching_set_after(&query, &mut last),
                    index.matching_set(&query),
                    "{:?}", query
                );
            }
        }

        /// The first rows are those a full sort puts first, in every order.
        #[test]
        fn first_rows_are_the_head_of_the_full_sort(
            stamps in proptest::collection::vec((0..5i64, "[ab王]{0,2}"), 0..30),
            n in 0..12usize,
        ) {
            let rows: Vec<SummaryRow> = (stamps.iter().enumerate())
                .map(|(i, (at, name))| {
                    let mut r = row(&format!("c{i:02}"), name, "", "");
                    r.updated_at = *at;
                    r
                })
                .collect();
            for sort in RowSort::ALL {
                let mut sorted: Vec<&SummaryRow> = rows.iter().collect();
                sorted.sort_by(|a, b| sort.compare(a, b));
                sorted.truncate(n);
                proptest::prop_assert_eq!(first_rows(&rows, sort, n), sorted);
            }
        }
    }

    #[test]
    fn filters_combine() {
        let mut r = rows();
        r[1].owner = "wang".into();
        r[1].lifecycle = Lifecycle::Customer;
        let owner = RowFilter {
            owner: Some("wang".into()),
            ..RowFilter::default()
        };
        assert!(!owner.matches(&r[0]) && owner.matches(&r[1]));
        let both = RowFilter {
            lifecycle: Some(Lifecycle::Lead),
            tag: Some("高意向".into()),
            ..owner.clone()
        };
        assert!(!both.matches(&r[0]) && !both.matches(&r[1]));
        assert!(RowFilter::default().matches(&r[0]));
    }

    #[test]
    fn sorts_are_total_and_put_missing_follow_ups_last() {
        let mut r = rows();
        r.push(row("c", "王芳", "Wang Fang", "Acme"));
        r[0].lifetime_spend = vec![Money::cny(100)];
        r[2].lifetime_spend = vec![Money::cny(900)];
        r[1].open_follow_ups = vec![OpenFollowUp {
            id: "f".into(),
            title: "回访".into(),
            due_at: 5,
            assignee: "li".into(),
        }];
        let order = |sort: RowSort| {
            let mut v = r.clone();
            v.sort_by(|a, b| sort.compare(a, b));
            v.into_iter().map(|x| x.id).collect::<Vec<_>>()
        };
        assert_eq!(order(RowSort::LifetimeSpend), ["c", "a", "b"]);
        assert_eq!(order(RowSort::NextFollowUp), ["b", "a", "c"]);
        assert_eq!(order(RowSort::RecentlyUpdated), ["a", "b", "c"]);
        // Unicode order of the first characters: 张 U+5F20, 李 U+674E, 王 U+738B.
        assert_eq!(order(RowSort::Name), ["a", "b", "c"]);
    }
}
