//! Pipeline stages in the interface: their names per language, and moving a deal between them.

use crm_core::pipeline::{Pipeline, StageDef, StageKind};
use leptos::prelude::*;

use super::errors::error_text;
use super::{SessionHandle, use_session, use_signals};
use crate::i18n::{Lang, use_lang};

/// The workspace's pipeline (the standard one until the workspace document is in).
pub fn use_pipeline() -> Memo<Pipeline> {
    let signals = use_signals();
    Memo::new(move |_| {
        signals
            .workspace
            .with(|ws| ws.as_ref().map(|w| w.pipeline.clone()).unwrap_or_default())
    })
}

/// A select that moves deal `deal` of `customer` to the picked stage; a refused move is
/// shown in `error`.
#[component]
pub fn StagePicker(
    customer: String,
    deal: String,
    current: String,
    pipeline: Memo<Pipeline>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let shown = current.clone();
    view! {
        <select
            class="move-to"
            aria-label=move || lang.get().t().move_to
            on:change=move |ev| {
                let stage = event_target_value(&ev);
                if !move_deal(session, &customer, &deal, &stage, &pipeline.get_untracked(), lang, error) {
                    // Not moved (the lost reason was not given): the picker says where it is.
                    event_target::<web_sys::HtmlSelectElement>(&ev).set_value(&shown);
                }
            }
        >
            {move || pipeline.get().ordered().into_iter().map(|(id, def)| {
                let selected = id == current;
                let label = name(lang.get(), def).to_owned();
                view! { <option value=id.to_owned() selected=selected>{label}</option> }
            }).collect_view()}
        </select>
    }
}

/// Moves a deal, asking for the reason when the stage is a lost one; returns `false` when the
/// person gave none (nothing moves).
pub fn move_deal(
    session: SessionHandle,
    customer: &str,
    deal: &str,
    stage: &str,
    pipeline: &Pipeline,
    lang: RwSignal<Lang>,
    error: RwSignal<Option<String>>,
) -> bool {
    let lost = pipeline
        .stages
        .get(stage)
        .is_some_and(|s| s.kind == StageKind::Lost);
    let reason = if lost {
        match window().prompt_with_message(lang.get_untracked().t().lost_reason) {
            Ok(Some(reason)) if !reason.trim().is_empty() => Some(reason),
            _ => return false,
        }
    } else {
        None
    };
    let (deal, stage, pipeline) = (deal.to_owned(), stage.to_owned(), pipeline.clone());
    session.with_value(|s| {
        s.edit_customer_soon(
            customer.to_owned(),
            move |doc, stamp| {
                doc.move_deal_stage(&deal, &stage, reason.as_deref(), &pipeline, stamp)
            },
            move |moved| error.set(moved.err().map(|e| error_text(lang.get_untracked(), &e))),
        );
    });
    true
}

/// The stage's name in `lang`.
pub fn name(lang: Lang, stage: &StageDef) -> &str {
    match lang {
        Lang::Zh => &stage.name_zh,
        Lang::En => &stage.name_en,
    }
}
