//! Validation errors of the model, said in the interface language; a workspace edit that says
//! its refusal.

use crm_core::{ModelError, WorkspaceDoc};
use leptos::prelude::*;

use super::SessionHandle;

use crate::i18n::{Lang, Texts};

/// `error` as a sentence for the user, naming the field it concerns.
pub fn error_text(lang: Lang, error: &ModelError) -> String {
    let t = lang.t();
    match error {
        ModelError::Empty { field } => format!("{} {}", field_label(t, field), t.err_empty),
        ModelError::TooLong { field, .. } => {
            format!("{} {}", field_label(t, field), t.err_too_long)
        }
        ModelError::InvalidPhone { input } => format!("“{input}” {}", t.err_phone),
        ModelError::InvalidEmail { input } => format!("“{input}” {}", t.err_email),
        ModelError::InvalidHandle { input, .. } => format!("“{input}” {}", t.err_handle),
        ModelError::NotLoaded { .. } => t.err_not_loaded.to_owned(),
        ModelError::Erased { .. } => t.err_erased.to_owned(),
        other => format!("{}: {other}", t.err_other),
    }
}

fn field_label(t: &Texts, field: &str) -> &'static str {
    match field {
        "name" => t.name,
        "Latin name" => t.name_latin,
        "company" => t.company,
        "title" => t.job_title,
        "summary" => t.interaction_summary,
        "follow-up title" => t.follow_ups,
        "lost reason" => t.lost_reason,
        _ => t.err_other,
    }
}

/// Runs `op` on the workspace document; a refused edit is said in `error` (which a taken one
/// clears). Returns whether it was taken.
pub fn edit_workspace(
    session: SessionHandle,
    lang: RwSignal<Lang>,
    error: RwSignal<Option<String>>,
    op: impl FnOnce(&mut WorkspaceDoc) -> Result<(), ModelError>,
) -> bool {
    match session.with_value(|s| s.edit_workspace(op)) {
        Ok(()) => {
            error.set(None);
            true
        }
        Err(e) => {
            error.set(Some(error_text(lang.get_untracked(), &e)));
            false
        }
    }
}
