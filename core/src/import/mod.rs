//! Spreadsheets in and out (docs/import.md), sans-IO: the app's sheet worker turns a CSV or
//! XLSX file into a [`Table`] and back; here a table's columns are recognised from their
//! headers, each row is checked as a customer (every problem with its line) and matched to
//! the customer it already is by a normalised contact point, and a checked row becomes a new
//! customer or an update of that one. The list goes out as a table headed so that it imports
//! again without duplicates.

mod apply;
mod check;
mod columns;
mod export;
mod table;

pub use apply::{create, update};
pub use check::{
    Candidate, Checked, Found, Importer, Problem, RowError, Vocabulary, check, phone_cells,
};
pub use columns::{Column, recognise_all};
pub use export::{EXPORTED, Names, guarded, table};
pub use table::{SheetRow, Table};

#[cfg(test)]
mod tests;
