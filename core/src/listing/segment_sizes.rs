//! How many customers each segment holds, kept current edit by edit.

use std::sync::Arc;

use super::changed_rows;
use crate::customer::SummaryRow;
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

    /// Counts again for `rows` and `segments`: after an edit, only the edited rows.
    pub fn update(&mut self, rows: &[Arc<SummaryRow>], segments: &[Segment]) {
        let changed = (self.segments == segments)
            .then(|| changed_rows(&self.rows, rows))
            .flatten();
        let Some(changed) = changed else {
            *self = Self::new(rows, segments);
            return;
        };
        for at in changed {
            let (was, now) = (&self.rows[at], &rows[at]);
            for (segment, size) in self.segments.iter().zip(&mut self.sizes) {
                *size =
                    *size - usize::from(segment.matches(was)) + usize::from(segment.matches(now));
            }
            self.rows[at] = Arc::clone(now);
        }
    }

    /// Customers in the segment called `id` (none for a segment it does not know).
    pub fn of(&self, id: &str) -> usize {
        (self.segments.iter().zip(&self.sizes))
            .find(|(s, _)| s.id == id)
            .map_or(0, |(_, size)| *size)
    }
}
