//! Pipeline stages in the interface: their names per language, and moving a deal between them.

use crm_core::pipeline::{Pipeline, StageDef, StageKind};
use leptos::prelude::*;

use super::SessionHandle;
use super::errors::error_text;
use crate::i18n::Lang;

/// Moves a deal, asking for the reason when the stage is a lost one.
pub fn move_deal(
    session: SessionHandle,
    customer: &str,
    deal: &str,
    stage: &str,
    pipeline: &Pipeline,
    lang: RwSignal<Lang>,
    error: RwSignal<Option<String>>,
) {
    let lost = pipeline
        .stages
        .get(stage)
        .is_some_and(|s| s.kind == StageKind::Lost);
    let reason = if lost {
        match window().prompt_with_message(lang.get_untracked().t().lost_reason) {
            Ok(Some(reason)) => Some(reason),
            _ => return,
        }
    } else {
        None
    };
    let moved = session.with_value(|s| {
        s.edit_customer(customer, |doc, stamp| {
            doc.move_deal_stage(deal, stage, reason.as_deref(), pipeline, stamp)
        })
    });
    error.set(moved.err().map(|e| error_text(lang.get_untracked(), &e)));
}

/// The stage's name in `lang`.
pub fn name(lang: Lang, stage: &StageDef) -> &str {
    match lang {
        Lang::Zh => &stage.name_zh,
        Lang::En => &stage.name_en,
    }
}
