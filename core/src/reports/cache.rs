//! The reports kept up to date as rows change, recomputing only what a change touched.
//!
//! The rows are cut into runs ("chunks") where a row's address says so — content-defined, as
//! rsync cuts files: a row added, removed or replaced moves no cut but its own, so the other
//! chunks are the same shared rows as before. Each chunk keeps its rows' facts and its tally
//! of every figure; a chunk whose rows are not all the very rows it was read from is read and
//! tallied again, and the figures are the chunks' tallies merged. Asking for other figures
//! (period, filter, now) tallies every chunk again from its facts, reading no row; another
//! pipeline (its stages tell deals won and lost) reads every row again.

use std::collections::HashMap;
use std::sync::Arc;

use super::facts::{Facts, Names};
use super::{Ask, Count, Every, Period, Report, ReportFilter};
use crate::customer::SummaryRow;
use crate::pipeline::Pipeline;
use crate::values::Millis;

/// The figures of the reports screen, kept per chunk of rows between calls.
pub struct ReportCache {
    /// A chunk ends after about one row in this many (by address), or after four times as
    /// many rows whatever the addresses.
    cut_one_in: u64,
    /// What the last call asked.
    asked: Option<Asked>,
    /// Counts the questions asked (a chunk tallied for an earlier one is tallied again).
    question: u64,
    /// The strings the chunks' facts refer to by number.
    names: Names,
    /// The pipeline the chunks' facts were read with.
    read_with: Option<Pipeline>,
    /// The chunks of the last call, by their first row's address.
    chunks: HashMap<usize, Chunk>,
    /// Each chunk of the last call: its first position and first row's address, in order.
    starts: Vec<(u32, usize)>,
}

/// The question the kept tallies answer, owned.
#[derive(PartialEq)]
struct Asked {
    pipeline: Pipeline,
    filter: ReportFilter,
    period: Period,
    now: Millis,
    months: Vec<Millis>,
    weeks: Vec<Millis>,
}

/// A run of rows, their facts and their tally (positions from the run's first row).
struct Chunk {
    rows: Vec<Arc<SummaryRow>>,
    facts: Facts,
    /// The tally, and the question it answers ([`ReportCache::question`]); none for a chunk
    /// read ahead.
    tally: Option<(u64, Every)>,
}

/// How much of the rows a call tallied again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retallied {
    /// Chunks tallied again.
    pub chunks: usize,
    /// The rows in them.
    pub rows: usize,
    /// Of those, the rows read again (the others were tallied from their kept facts).
    pub read: usize,
}

impl Default for ReportCache {
    fn default() -> Self {
        Self::cutting_one_in(1024)
    }
}

impl ReportCache {
    /// A cache whose chunks hold about `one_in` rows (a power of two).
    pub(super) fn cutting_one_in(one_in: u64) -> Self {
        Self {
            cut_one_in: one_in,
            asked: None,
            question: 0,
            names: Names::default(),
            read_with: None,
            chunks: HashMap::new(),
            starts: Vec::new(),
        }
    }

    /// Every figure over `rows` ([`super::report`]'s answer), tallying again only the chunks
    /// that changed since the last call (every one if `ask` or `pipeline` did).
    pub fn report(
        &mut self,
        rows: &[Arc<SummaryRow>],
        pipeline: &Pipeline,
        ask: Ask<'_>,
    ) -> (Report, Retallied) {
        let asked = Asked {
            pipeline: pipeline.clone(),
            filter: ask.filter.clone(),
            period: ask.period,
            now: ask.now,
            months: ask.months.to_vec(),
            weeks: ask.weeks.to_vec(),
        };
        if self.asked.as_ref() != Some(&asked) {
            self.asked = Some(asked);
            self.question += 1;
        }
        self.read_with(pipeline);
        let mut kept = std::mem::take(&mut self.chunks);
        let mut all = Every::new(pipeline, ask);
        let names = &mut self.names;
        let (question, mut retallied) = (self.question, Retallied::default());
        self.starts.clear();
        for (start, run) in chunks(rows, self.cut_one_in) {
            let first = address(&run[0]);
            let same = kept
                .remove(&first)
                .filter(|chunk| same_rows(&chunk.rows, run));
            let chunk = match same {
                Some(chunk) if chunk.tally.as_ref().is_some_and(|(q, _)| *q == question) => chunk,
                same => {
                    retallied.chunks += 1;
                    retallied.rows += run.len();
                    // The same rows asked something else: tallied again from their facts, the
                    // rows kept as they are (not let go of and taken again: 100,000 reference
                    // counts, far apart).
                    let (rows, facts) = same.map_or_else(
                        || {
                            retallied.read += run.len();
                            let facts = Facts::of(run.iter().map(|r| &**r), pipeline, names);
                            (run.to_vec(), facts)
                        },
                        |chunk| (chunk.rows, chunk.facts),
                    );
                    let mut every = Every::new(pipeline, ask);
                    every.add(&facts, names);
                    Chunk {
                        rows,
                        facts,
                        tally: Some((question, every)),
                    }
                }
            };
            let (_, every) = chunk.tally.as_ref().expect("tallied just now or before");
            all.merge(every, start);
            self.starts.push((start, first));
            self.chunks.insert(first, chunk);
        }
        (all.finish(names), retallied)
    }

    /// Reads the chunks of `rows` not read yet while `more` says so (asked before each), so
    /// that the next report over them only tallies: work for idle time (a chunk is about 1,000
    /// rows, a millisecond or two in a browser). Lets go of chunks no longer in `rows`.
    /// Whether every chunk is read.
    pub fn read_ahead(
        &mut self,
        rows: &[Arc<SummaryRow>],
        pipeline: &Pipeline,
        mut more: impl FnMut() -> bool,
    ) -> bool {
        self.read_with(pipeline);
        let mut kept = std::mem::take(&mut self.chunks);
        let mut done = true;
        for (_, run) in chunks(rows, self.cut_one_in) {
            let first = address(&run[0]);
            let chunk = match kept.remove(&first).filter(|c| same_rows(&c.rows, run)) {
                Some(chunk) => chunk,
                None if !done || !more() => {
                    done = false;
                    continue;
                }
                None => Chunk {
                    rows: run.to_vec(),
                    facts: Facts::of(run.iter().map(|r| &**r), pipeline, &mut self.names),
                    tally: None,
                },
            };
            self.chunks.insert(first, chunk);
        }
        done
    }

    /// Forgets the facts read with another pipeline (its stages tell deals won and lost).
    fn read_with(&mut self, pipeline: &Pipeline) {
        if self.read_with.as_ref() != Some(pipeline) {
            self.chunks.clear();
            self.read_with = Some(pipeline.clone());
        }
    }

    /// The ids of `count`'s customers, a count of the last report.
    pub fn ids<'c>(&'c self, count: &'c Count) -> impl Iterator<Item = &'c str> + 'c {
        (count.customers.iter()).filter_map(|at| {
            let chunk = self.starts.partition_point(|(start, _)| start <= at);
            let (start, first) = *self.starts.get(chunk.checked_sub(1)?)?;
            let row = self.chunks.get(&first)?.rows.get((at - start) as usize)?;
            Some(row.id.as_str())
        })
    }
}

/// `rows` cut into chunks, each with its first position.
fn chunks(
    rows: &[Arc<SummaryRow>],
    one_in: u64,
) -> impl Iterator<Item = (u32, &[Arc<SummaryRow>])> {
    let longest = 4 * one_in as usize;
    let mut start = 0;
    std::iter::from_fn(move || {
        if start == rows.len() {
            return None;
        }
        let rest = &rows[start..];
        let len = (rest
            .iter()
            .take(longest)
            .position(|row| ends_chunk(row, one_in)))
        .map_or(rest.len().min(longest), |at| at + 1);
        let chunk = (start as u32, &rest[..len]);
        start += len;
        Some(chunk)
    })
}

/// Whether a chunk ends after `row`, by a hash of its address (a row is not read to cut;
/// murmur3's finaliser, as rows allocated one after another have evenly spaced addresses).
fn ends_chunk(row: &Arc<SummaryRow>, one_in: u64) -> bool {
    let mut hash = address(row) as u64;
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    hash.is_multiple_of(one_in)
}

fn address(row: &Arc<SummaryRow>) -> usize {
    Arc::as_ptr(row) as usize
}

/// Whether `run` is exactly the rows `kept` holds (the same shared rows, not equal copies).
fn same_rows(kept: &[Arc<SummaryRow>], run: &[Arc<SummaryRow>]) -> bool {
    kept.len() == run.len() && kept.iter().zip(run).all(|(a, b)| Arc::ptr_eq(a, b))
}
