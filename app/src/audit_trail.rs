//! Reading the edge's audit trail (`GET /ws/{id}/audit`): who changed what and what the edge
//! decided. Online only: the trail lives at the edge.

use crm_core::audit::Numbered;

use crate::browser::fetch;
use crate::config::Config;

/// Why the trail could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrailError {
    /// The edge could not be reached.
    Offline,
    /// The edge answered with this HTTP status (403: not this member's to read).
    Status(u16),
}

/// The entries `query` (a query string: `doc`, `member`, `from`, `to`, `before`, `limit`)
/// asks for, newest first.
pub async fn read(config: &Config, query: &str) -> Result<Vec<Numbered>, TrailError> {
    let response = fetch(&config.audit_url(query), config)
        .await
        .ok_or(TrailError::Offline)?;
    if !response.ok() {
        return Err(TrailError::Status(response.status()));
    }
    let text = response.text().map_err(|_| TrailError::Offline)?;
    let text = wasm_bindgen_futures::JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or(TrailError::Offline)?;
    serde_json::from_str(&text).map_err(|_| TrailError::Status(500))
}
