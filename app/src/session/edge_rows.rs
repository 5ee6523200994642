//! The summary rows the list shows before documents are here: cached in IndexedDB (each
//! customer's own record, and the pages last fetched from the edge), and fetched from the edge
//! a page at a time when a device lacks many documents.

use std::rc::Rc;

use crm_core::customer::HeadedRow;

use super::Session;
use crate::browser::{fetch, yield_to_browser};
use crate::storage::EDGE_ROWS_KEY;

/// Row-cache records parsed between two yields to the browser (100,000 take ~2 s to parse:
/// the page stays responsive meanwhile).
const PARSE_CHUNK: usize = 2_000;

/// The row cache as stored: the rows last fetched from the edge, overridden by each
/// customer's own record (the other `~` records — settings, the first screen — are not rows).
/// Records that do not parse (an older format) are left out; the rows are recomputed from the
/// documents.
pub(super) async fn cached(records: Vec<(String, Vec<u8>)>) -> Vec<HeadedRow> {
    let mut from_edge = Vec::new();
    let mut own = Vec::new();
    for (n, (key, json)) in records.into_iter().enumerate() {
        if n % PARSE_CHUNK == PARSE_CHUNK - 1 {
            yield_to_browser().await;
        }
        if key.starts_with(EDGE_ROWS_KEY) {
            from_edge.extend(
                serde_json::from_slice::<Vec<HeadedRow>>(&json)
                    .into_iter()
                    .flatten(),
            );
        } else if !key.starts_with('~')
            && let Ok(row) = serde_json::from_slice::<HeadedRow>(&json)
        {
            own.push(row);
        }
    }
    // Each customer's own record comes last: it is the one kept.
    from_edge.extend(own);
    from_edge
}

impl Session {
    /// Fetches the edge's page of rows after customer `after` (the first page for an empty
    /// one), hands it to the engine (nothing when it could not be had: the rows then come
    /// with their documents) and caches it as one record.
    pub(super) async fn fetch_rows(self: Rc<Self>, after: String) {
        if after.is_empty() {
            self.rows_page.set(0);
        }
        let page = self.rows_page.get();
        self.rows_page.set(page + 1);
        let config = self.config();
        let text = match fetch(&config.rows_url(&after), &config).await {
            Some(response) if response.ok() => match response.text() {
                Ok(text) => wasm_bindgen_futures::JsFuture::from(text).await.ok(),
                Err(_) => None,
            },
            _ => None,
        };
        let text = text.and_then(|t| t.as_string());
        let rows = text
            .as_deref()
            .and_then(|t| serde_json::from_slice::<Vec<HeadedRow>>(t.as_bytes()).ok());
        if rows.is_none() {
            leptos::logging::warn!("no summary rows from the edge");
        }
        let cache = rows.as_ref().is_some_and(|rows| !rows.is_empty());
        // The engine asks for the next page (and this page's documents) while this one is
        // cached.
        let effects = self.repo.borrow_mut().rows_page(rows);
        self.run(effects);
        if let (true, Some(text)) = (cache, &text) {
            let key = format!("{EDGE_ROWS_KEY}/{page}");
            if let Err(error) = self.store.put_row(&key, text.as_bytes()).await {
                self.report(error);
            }
        }
    }
}
