//! A sheet as the file reader hands it over: the header row and the rows under it, every
//! cell as text, each row with its line in the file.

use serde::{Deserialize, Serialize};

/// A sheet read from a CSV or XLSX file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The first non-empty row.
    pub headers: Vec<String>,
    /// The non-empty rows under it.
    pub rows: Vec<SheetRow>,
}

/// One row of a sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRow {
    /// Its line in the file, from 1 (the header's).
    pub line: u32,
    /// Its cells, as text.
    pub cells: Vec<String>,
}

impl Table {
    /// The table of `lines` (each with its line number): the first with any text is the
    /// header, blank lines are skipped.
    pub fn of(lines: impl IntoIterator<Item = (u32, Vec<String>)>) -> Self {
        let mut lines =
            (lines.into_iter()).filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
        let Some((_, headers)) = lines.next() else {
            return Self::default();
        };
        let headers = headers.into_iter().map(|h| h.trim().to_owned()).collect();
        let rows = lines
            .map(|(line, cells)| SheetRow { line, cells })
            .collect();
        Self { headers, rows }
    }
}
