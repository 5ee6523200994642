//! The workspace's settings and rules: shown from the row cache at start (names and stages
//! before the workspace document is read), shown and cached again whenever it changes.

use std::rc::Rc;

use crm_core::replica::WORKSPACE_DOC_ID;
use crm_core::{CrmDocument, WorkspaceDoc};
use leptos::prelude::*;

use super::Session;
use super::signals::SessionSignals;
use crate::storage::{DeviceStore, StorageError};

/// Row-cache key of the workspace's settings and rules (JSON of both).
pub(super) const SETTINGS_KEY: &str = "~workspace";

/// Shows the settings and rules as last cached (`json`), or else as the stored workspace
/// document says.
pub(super) async fn show_cached(
    json: Option<Vec<u8>>,
    store: &DeviceStore,
    signals: &SessionSignals,
) -> Result<(), StorageError> {
    match json.and_then(|json| serde_json::from_slice(&json).ok()) {
        Some((workspace, rules)) => {
            signals.workspace.set(Some(workspace));
            signals.rules.set(rules);
        }
        None => {
            if let Some(bytes) = store.get(WORKSPACE_DOC_ID).await?
                && let Ok(ws) = WorkspaceDoc::load(&bytes)
            {
                signals.workspace.set(ws.settings().ok());
                signals.rules.set(ws.rule_book());
            }
        }
    }
    Ok(())
}

impl Session {
    /// Shows the workspace's settings and rules, and keeps them in the row cache (when they
    /// changed) so the next start shows names and stages before anything is restored.
    pub(super) fn show_settings(self: &Rc<Self>) {
        let Some((settings, book)) = self.repo.borrow().settings() else {
            return;
        };
        if let Ok(json) = serde_json::to_vec(&(&settings, &book)) {
            self.cache_json(SETTINGS_KEY, |s| &s.cached_settings, json);
        }
        self.signals.workspace.set(Some(settings));
        if self
            .signals
            .rules
            .with_untracked(|current| *current != book)
        {
            self.signals.rules.set(book);
        }
    }
}
