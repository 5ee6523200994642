//! The pipeline's stages: renamed in both languages, moved up and down the board, and added
//! (open stages, placed after the last open one).

use crm_core::Id;
use crm_core::pipeline::{Pipeline, StageDef, StageKind};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::i18n::{Lang, use_lang};
use crate::ui::errors::edit_workspace;
use crate::ui::fields::QuickInput;
use crate::ui::stages::use_pipeline;
use crate::ui::use_session;

/// The label of a stage kind.
fn kind_label(lang: Lang, kind: StageKind) -> &'static str {
    let t = lang.t();
    match kind {
        StageKind::Open => t.stage_open,
        StageKind::Won => t.stage_won,
        StageKind::Lost => t.stage_lost,
    }
}

/// The order that puts a new open stage after the last open one (and before the next stage).
fn order_after_open(pipeline: &Pipeline) -> i64 {
    let ordered = pipeline.ordered();
    let last_open = ordered.iter().rposition(|(_, s)| s.kind == StageKind::Open);
    let before = last_open.map_or(0, |i| ordered[i].1.order);
    let after = last_open
        .and_then(|i| ordered.get(i + 1))
        .map_or(before + 20, |(_, s)| s.order);
    before + (after - before).max(2) / 2
}

/// Every stage in board order, and a form adding one.
#[component]
pub(super) fn StageSettings(error: RwSignal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let pipeline = use_pipeline();
    let (zh, en) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let stage = StageDef {
            name_zh: zh.get_untracked(),
            name_en: en.get_untracked(),
            order: order_after_open(&pipeline.get_untracked()),
            kind: StageKind::Open,
        };
        if edit_workspace(session, lang, error, |ws| {
            ws.add_stage(&Id::random(), stage)
        }) {
            zh.set(String::new());
            en.set(String::new());
        }
    };
    view! {
        <section class="card">
            <h2>{move || lang.get().t().pipeline_stages}</h2>
            <ol class="stage-settings">
                {move || {
                    let pipeline = pipeline.get();
                    let ordered: Vec<(String, StageDef)> =
                        pipeline.ordered().into_iter().map(|(id, s)| (id.to_owned(), s.clone())).collect();
                    let neighbours: Vec<Option<(String, i64)>> = ordered.iter().map(|(id, s)| Some((id.clone(), s.order))).collect();
                    ordered.into_iter().enumerate().map(|(i, (id, stage))| {
                        let up = i.checked_sub(1).and_then(|j| neighbours[j].clone());
                        let down = neighbours.get(i + 1).cloned().flatten();
                        view! { <StageRow id stage up down error /> }
                    }).collect_view()
                }}
            </ol>
            {super::is_admin().then(|| view! {
                <form class="inline-fields" on:submit=add>
                    <QuickInput label=|t| t.stage_name_zh value=zh />
                    <QuickInput label=|t| t.stage_name_en value=en />
                    <button type="submit">{move || lang.get().t().add_stage}</button>
                </form>
            })}
        </section>
    }
}

/// One stage: its names (saved when changed), its kind, and moves swapping it with the stage
/// above (`up`) or below (`down`), given as (id, order).
#[component]
fn StageRow(
    id: String,
    stage: StageDef,
    up: Option<(String, i64)>,
    down: Option<(String, i64)>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let (zh, en) = (
        RwSignal::new(stage.name_zh.clone()),
        RwSignal::new(stage.name_en.clone()),
    );
    let (was_zh, was_en) = (stage.name_zh.clone(), stage.name_en.clone());
    let kind = stage.kind;
    let order = stage.order;
    let rename = {
        let id = id.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let (zh, en) = (zh.get_untracked(), en.get_untracked());
            edit_workspace(session, lang, error, |ws| ws.rename_stage(&id, &zh, &en));
        }
    };
    // Swaps this stage's place with `other`'s (equal orders get apart by one).
    let swap = {
        let id = id.clone();
        move |(other, other_order): (String, i64)| {
            let (mine, theirs) = match other_order == order {
                true => (order + 1, order),
                false => (other_order, order),
            };
            let id = id.clone();
            edit_workspace(session, lang, error, move |ws| {
                ws.reorder_stage(&id, mine)?;
                ws.reorder_stage(&other, theirs)
            });
        }
    };
    let changed = move || zh.get() != was_zh || en.get() != was_en;
    let swap_up = swap.clone();
    view! {
        <li class="stage-setting" data-stage=id.clone()>
            <form class="inline-fields" on:submit=rename>
                <QuickInput label=|t| t.stage_name_zh value=zh />
                <QuickInput label=|t| t.stage_name_en value=en />
                <span class="chip" data-kind=kind.as_str()>{move || kind_label(lang.get(), kind)}</span>
                <button type="submit" disabled=move || !changed()>{move || lang.get().t().save}</button>
                <button type="button" class="row-button" aria-label=move || lang.get().t().move_up disabled=up.is_none()
                    on:click=move |_| if let Some(up) = up.clone() { swap_up(up) }>"↑"</button>
                <button type="button" class="row-button" aria-label=move || lang.get().t().move_down disabled=down.is_none()
                    on:click=move |_| if let Some(down) = down.clone() { swap(down) }>"↓"</button>
            </form>
        </li>
    }
}
