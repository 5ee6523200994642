//! Spreadsheet files read and written by the sheet worker (`crm-sheets`, started by
//! [`crate::worker`]): the CSV and XLSX code stays out of the app's bundle and loads when the
//! import or export screen opens.

use crm_core::import::Table;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

/// The worker's loader, written by Trunk (`index.html`).
pub const LOADER: &str = "/crm-sheets_loader.js";

/// A file format the worker writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// UTF-8 with a BOM, formula-like cells guarded.
    Csv,
    /// Excel, every cell as text.
    Xlsx,
}

impl Format {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    /// The file's media type.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Csv => "text/csv;charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Why the worker gave no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    /// The file or table was refused, with the worker's reason.
    Refused(String),
    /// The worker could not be loaded (first use offline, before the app was ever cached).
    Unavailable,
}

/// Starts the worker ahead of need (the import or export screen opened).
pub fn warm_up() {
    crate::worker::warm_up(LOADER);
}

async fn ask(request: &[JsValue]) -> Result<JsValue, SheetError> {
    let answer = crate::worker::ask(LOADER, request).await;
    let answer = Array::from(&answer.ok_or(SheetError::Unavailable)?);
    match answer.get(0).as_string().as_deref() {
        Some("ok") => Ok(answer.get(1)),
        _ => Err(SheetError::Refused(
            answer.get(1).as_string().unwrap_or_default(),
        )),
    }
}

/// The table in file `bytes`, named `name`.
pub async fn read(name: &str, bytes: &Uint8Array) -> Result<Table, SheetError> {
    let json = ask(&["read".into(), name.into(), bytes.into()]).await?;
    serde_json::from_str(&json.as_string().unwrap_or_default())
        .map_err(|e| SheetError::Refused(e.to_string()))
}

/// `table` as a file in `format`.
pub async fn write(table: &Table, format: Format) -> Result<Uint8Array, SheetError> {
    let json = serde_json::to_string(table).map_err(|e| SheetError::Refused(e.to_string()))?;
    let bytes = ask(&[format.extension().into(), json.into()]).await?;
    Ok(Uint8Array::new(&bytes))
}
