//! How many customers each segment holds, kept current edit by edit.

use std::sync::Arc;

use crate::customer::SummaryRow;
use crate::rows_diff::RowsDiff;
use crate::rules::Segment;

/// Each segment's count among the rows.
#[derive(Debug, Clone)]
pub struct SegmentSizes {
    rows: Vec<Arc<SummaryRow>>,
    segments: Vec<Segment>,
    /// Parallel to `segments`.
    sizes: Vec<usize>,
}

impl SegmentSizes {
    /// Counts `rows` in each of `segments`.
    pub fn new(rows: &[Arc<SummaryRow>], segments: &[Segment]) -> Self {
        let sizes = (segments.iter())
            .map(|s| rows.iter().filter(|row| s.matches(row)).count())
            .collect();
        Self {
            rows: rows.to_vec(),
            segments: segments.to_vec(),
            sizes,
        }
    }

    /// Counts again for `rows` and `segments`: only the rows that changed, came or went, when
    /// the segments are the same.
    pub fn update(&mut self, rows: &[Arc<SummaryRow>], segments: &[Segment]) {
        if self.segments != segments {
            *self = Self::new(rows, segments);
            return;
        }
        let diff = RowsDiff::between(&self.rows, rows);
        if diff.is_empty() {
            return;
        }
        for (segment, size) in self.segments.iter().zip(&mut self.sizes) {
            let gone = (diff.gone.iter())
                .filter(|at| segment.matches(&self.rows[**at]))
                .count();
            let came = (diff.came.iter())
                .filter(|at| segment.matches(&rows[**at]))
                .count();
            *size = *size - gone + came;
        }
        diff.bring(&mut self.rows, rows);
    }

    /// Customers in the segment called `id` (none for a segment it does not know).
    pub fn of(&self, id: &str) -> usize {
        (self.segments.iter().zip(&self.sizes))
            .find(|(s, _)| s.id == id)
            .map_or(0, |(_, size)| *size)
    }
}
