//! What changed between two lists of summary rows (the device's rows before and after a
//! publish): which rows were kept as they were and where they went, which went, which came.

use std::collections::HashMap;
use std::sync::Arc;

use crate::customer::SummaryRow;

/// The change from `old` rows to `new` rows. Kept rows keep their relative order; a row that
/// changed or moved counts as gone from its old position and come at its new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsDiff {
    /// For each old position, the new position of the same row, unchanged.
    pub kept: Vec<Option<usize>>,
    /// Old positions whose row went or changed, ascending.
    pub gone: Vec<usize>,
    /// New positions whose row came or changed, ascending.
    pub came: Vec<usize>,
}

impl RowsDiff {
    /// The change from `old` to `new`. An edit (the same customers in the same order) is found
    /// by comparing positions; otherwise the common head and tail are skipped and only the
    /// middle is matched by id.
    pub fn between(old: &[Arc<SummaryRow>], new: &[Arc<SummaryRow>]) -> Self {
        let same = |a: &Arc<SummaryRow>, b: &Arc<SummaryRow>| Arc::ptr_eq(a, b);
        if old.len() == new.len() && (old.iter().zip(new)).all(|(a, b)| same(a, b) || a.id == b.id)
        {
            let changed: Vec<usize> = (0..old.len())
                .filter(|at| !same(&old[*at], &new[*at]))
                .collect();
            let kept = (0..old.len())
                .map(|at| changed.binary_search(&at).is_err().then_some(at))
                .collect();
            return Self {
                kept,
                gone: changed.clone(),
                came: changed,
            };
        }
        let head = (old.iter().zip(new))
            .take_while(|(a, b)| same(a, b))
            .count();
        let tail = (old[head..].iter().rev().zip(new[head..].iter().rev()))
            .take_while(|(a, b)| same(a, b))
            .count();
        let (old_end, new_end) = (old.len() - tail, new.len() - tail);
        let mut kept: Vec<Option<usize>> = (0..old.len()).map(Some).collect();
        let shift = |at: usize| at + new_end - old_end;
        for (at, slot) in kept.iter_mut().enumerate().skip(old_end) {
            *slot = Some(shift(at));
        }
        let by_id: HashMap<&str, usize> = (head..old_end)
            .map(|at| (old[at].id.as_str(), at))
            .collect();
        for slot in &mut kept[head..old_end] {
            *slot = None;
        }
        let mut came = Vec::new();
        // The last old position kept: later ones only, so kept rows keep their order.
        let mut last = None;
        for (at, row) in new.iter().enumerate().take(new_end).skip(head) {
            match by_id.get(row.id.as_str()) {
                Some(&was) if same(&old[was], row) && last.is_none_or(|last| was > last) => {
                    kept[was] = Some(at);
                    last = Some(was);
                }
                _ => came.push(at),
            }
        }
        let gone = (head..old_end).filter(|at| kept[*at].is_none()).collect();
        Self { kept, gone, came }
    }

    /// Whether only rows changed in place: every position holds the same customer as before.
    pub fn is_edit(&self) -> bool {
        // Kept rows keep their order, so with the same positions gone and come they keep
        // their positions too.
        self.gone == self.came
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.gone.is_empty() && self.came.is_empty()
    }

    /// Brings `rows`, the old rows this diff was made from, to `new`: after an edit only the
    /// edited rows are replaced.
    pub fn bring(&self, rows: &mut Vec<Arc<SummaryRow>>, new: &[Arc<SummaryRow>]) {
        if self.is_edit() {
            for at in &self.came {
                rows[*at] = Arc::clone(&new[*at]);
            }
        } else {
            *rows = new.to_vec();
        }
    }

    /// For each new position, the old position of the same unchanged row.
    pub fn sources(&self, new_len: usize) -> Vec<Option<usize>> {
        let mut sources = vec![None; new_len];
        for (was, now) in self.kept.iter().enumerate() {
            if let Some(now) = now {
                sources[*now] = Some(was);
            }
        }
        sources
    }
}

#[cfg(test)]
mod tests;
