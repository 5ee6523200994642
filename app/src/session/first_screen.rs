//! The list's first screen as last seen — its first rows in the default order and how many
//! customers there were — kept as one row-cache record, so a start paints the list from one
//! small read while every row (100,000 at the largest workspaces we plan for) is still being
//! read. The list shows it only unfiltered and unsorted; any other view waits for the rows.

use std::rc::Rc;
use std::sync::Arc;

use crm_core::customer::SummaryRow;
use crm_core::search::{RowSort, first_rows};
use serde::{Deserialize, Serialize};

use super::Session;

/// Row-cache key of the first screen.
pub(super) const FIRST_SCREEN_KEY: &str = "~first";
/// Rows kept: the list's first two pages.
const ROWS_KEPT: usize = 60;

/// The list's first screen as last seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstScreen {
    /// Customers in the list then.
    pub total: usize,
    /// Its first rows, in the default order.
    pub rows: Vec<SummaryRow>,
}

impl FirstScreen {
    /// The first screen of `rows` (archived and merged customers left out, as the list does).
    fn of(rows: &[Arc<SummaryRow>]) -> Self {
        let listed = || rows.iter().map(|row| &**row).filter(|row| row.live());
        Self {
            total: listed().count(),
            rows: (first_rows(listed(), RowSort::default(), ROWS_KEPT).into_iter())
                .cloned()
                .collect(),
        }
    }
}

impl Session {
    /// Keeps the first screen of `rows` in the row cache, when it changed.
    pub(super) fn keep_first_screen(self: &Rc<Self>, rows: &[Arc<SummaryRow>]) {
        if let Ok(json) = serde_json::to_vec(&FirstScreen::of(rows)) {
            self.cache_json(FIRST_SCREEN_KEY, |s| &s.first_screen, json);
        }
    }
}
