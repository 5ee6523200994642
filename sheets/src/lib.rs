//! Spreadsheet files ↔ [`Table`]s, for the sheet worker (`main.rs`) and natively for tests:
//! CSV in UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 (what Chinese Excel
//! writes), its delimiter sniffed; XLSX's first sheet; CSV out with a BOM (so Excel reads
//! Chinese) and formula-like cells guarded; XLSX out with every cell as text.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use crm_core::import::{Table, guarded};
use rust_xlsxwriter::{Format, Workbook};

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// An XLSX file that does not open (the reader's reason).
    Xlsx(String),
    /// A CSV line that does not parse.
    Csv { line: u64, reason: String },
    /// Nothing in it.
    Empty,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Xlsx(reason) => write!(f, "the Excel file does not open: {reason}"),
            Self::Csv { line, reason } => write!(f, "line {line}: {reason}"),
            Self::Empty => write!(f, "the file has no rows"),
        }
    }
}

/// The table in file `bytes` (named `name`): XLSX by its zip signature or `.xlsx` name, else
/// CSV.
pub fn read(name: &str, bytes: &[u8]) -> Result<Table, ReadError> {
    let xlsx = bytes.starts_with(b"PK\x03\x04") || name.to_lowercase().ends_with(".xlsx");
    let table = match xlsx {
        true => read_xlsx(bytes)?,
        false => read_csv(&decode(bytes))?,
    };
    match table.headers.is_empty() {
        true => Err(ReadError::Empty),
        false => Ok(table),
    }
}

/// CSV text from `bytes`: by its BOM if it has one, as UTF-8 if it is valid UTF-8, else as
/// GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// The delimiter of the first line: a comma, unless it has more semicolons or tabs.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or_default();
    let count = |c| first.matches(c).count();
    [(b',', count(',')), (b';', count(';')), (b'\t', count('\t'))]
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| d)
}

fn read_csv(text: &str) -> Result<Table, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    // A record's line is counted from its first byte (the reader skips blank lines and counts
    // a quoted line break as a line).
    let (mut lines, mut counted, mut line) = (Vec::new(), 0, 1);
    let mut line_at = |byte: u64| {
        // The reader's offset may point at the line break before the record.
        let from = (byte as usize).min(text.len());
        let byte = from
            + (text.as_bytes()[from..].iter())
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        line += text.as_bytes()[counted..byte]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted = byte;
        line
    };
    for record in reader.records() {
        let record = record.map_err(|e| ReadError::Csv {
            line: line_at(e.position().map_or(0, |p| p.byte())),
            reason: e.to_string(),
        })?;
        let line = line_at(record.position().map_or(0, |p| p.byte())) as u32;
        lines.push((line, record.iter().map(String::from).collect()));
    }
    Ok(Table::of(lines))
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, ReadError> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| ReadError::Xlsx(e.to_string()))?;
    let Some(range) = book.worksheet_range_at(0) else {
        return Err(ReadError::Empty);
    };
    let range = range.map_err(|e| ReadError::Xlsx(e.to_string()))?;
    let first = range.start().map_or(0, |(row, _)| row) + 1;
    let lines = (range.rows().zip(first..)).map(|(cells, line)| {
        let cells = cells.iter().map(text_of).collect();
        (line, cells)
    });
    Ok(Table::of(lines))
}

/// A cell as text; a number as Excel shows it without a format (`13812345678`, `3.5`).
fn text_of(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `table` as a CSV file Excel opens in any language: UTF-8 with a BOM, CRLF line ends, every
/// cell that starts like a formula guarded.
pub fn write_csv(table: &Table) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    let rows = std::iter::once(&table.headers).chain(table.rows.iter().map(|r| &r.cells));
    for cells in rows {
        // Writing to memory does not fail.
        let _ = writer.write_record(cells.iter().map(|c| guarded(c).into_owned()));
    }
    drop(writer);
    out
}

/// `table` as an XLSX file: a bold, frozen header row and every cell as text (a phone stays
/// `13812345678`, never `1.38E+10`, and nothing is a formula).
pub fn write_xlsx(table: &Table) -> Result<Vec<u8>, String> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let error = |e: rust_xlsxwriter::XlsxError| e.to_string();
    for (col, header) in table.headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, header, &bold)
            .map_err(error)?;
    }
    for (row, cells) in table.rows.iter().enumerate() {
        for (col, cell) in cells.cells.iter().enumerate() {
            if !cell.is_empty() {
                sheet
                    .write_string(row as u32 + 1, col as u16, cell)
                    .map_err(error)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(error)?;
    book.save_to_buffer().map_err(error)
}

#[cfg(test)]
mod tests;
