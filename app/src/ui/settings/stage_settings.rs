//! The pipeline's stages: renamed in both languages, moved up and down the board, added (of a
//! kind, placed after the last stage of that kind) and removed — the deals in a removed stage moved to
//! the stage the admin picks first.

use crm_core::Id;
use crm_core::pipeline::{Pipeline, StageDef, StageKind};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::i18n::{Lang, use_lang};
use crate::ui::errors::{edit_workspace, error_text};
use crate::ui::fields::QuickInput;
use crate::ui::stages::{name, use_pipeline};
use crate::ui::{use_session, use_signals};

/// The label of a stage kind.
fn kind_label(lang: Lang, kind: StageKind) -> &'static str {
    let t = lang.t();
    match kind {
        StageKind::Open => t.stage_open,
        StageKind::Won => t.stage_won,
        StageKind::Lost => t.stage_lost,
    }
}

/// The order that puts a new stage of `kind` after the last stage of its kind (open stages
/// before the closed ones; a closed one at the end when there is none of its kind).
fn order_for(pipeline: &Pipeline, kind: StageKind) -> i64 {
    let ordered = pipeline.ordered();
    let last = ordered.iter().rposition(|(_, s)| s.kind == kind);
    let Some(last) = last.or_else(|| (kind == StageKind::Open).then_some(0)) else {
        return ordered.last().map_or(0, |(_, s)| s.order) + 10;
    };
    let before = ordered.get(last).map_or(0, |(_, s)| s.order);
    let after = ordered.get(last + 1).map_or(before + 20, |(_, s)| s.order);
    before + (after - before).max(2) / 2
}

/// Every stage in board order, and a form adding one.
#[component]
pub(super) fn StageSettings(error: RwSignal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let pipeline = use_pipeline();
    let (zh, en) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let kind = RwSignal::new(StageKind::Open);
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let stage = StageDef {
            name_zh: zh.get_untracked(),
            name_en: en.get_untracked(),
            order: order_for(&pipeline.get_untracked(), kind.get_untracked()),
            kind: kind.get_untracked(),
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
                    <select aria-label=move || lang.get().t().stage_kind on:change=move |ev| {
                        kind.set(StageKind::parse(&event_target_value(&ev)).unwrap_or(StageKind::Open));
                    }>
                        {StageKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind.get() == *k>{move || kind_label(lang.get(), *k)}</option>
                        }).collect_view()}
                    </select>
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
    let removing = RwSignal::new(false);
    let removed = id.clone();
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
                {super::is_admin().then(|| view! {
                    <button type="button" class="row-button" aria-label=move || lang.get().t().remove_stage
                        on:click=move |_| removing.set(true)>"×"</button>
                })}
            </form>
            {move || removing.get().then(|| view! { <RemoveStage id=removed.clone() removing error /> })}
        </li>
    }
}

/// Removing stage `id`: confirmed, and when deals are in it, where they go first.
#[component]
fn RemoveStage(
    id: String,
    removing: RwSignal<bool>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let pipeline = use_pipeline();
    // (customer, deal) of every deal in the stage now.
    let here: Vec<(String, String)> = signals.rows.with_untracked(|rows| {
        (rows.iter())
            .flat_map(|row| {
                (row.deals.iter())
                    .filter(|deal| deal.stage == id)
                    .map(|deal| (row.id.clone(), deal.id.clone()))
            })
            .collect()
    });
    let count = here.len();
    let others: Vec<(String, String)> = pipeline.with_untracked(|p| {
        (p.ordered().into_iter())
            .filter(|(other, _)| *other != id)
            .map(|(other, stage)| {
                (
                    other.to_owned(),
                    name(lang.get_untracked(), stage).to_owned(),
                )
            })
            .collect()
    });
    let target = RwSignal::new(others.first().map(|(o, _)| o.clone()).unwrap_or_default());
    let remove = move |_| {
        let pipeline = pipeline.get_untracked();
        let target = target.get_untracked();
        let lost = pipeline
            .stages
            .get(&target)
            .is_some_and(|s| s.kind == StageKind::Lost);
        let gone = pipeline
            .stages
            .get(&id)
            .map(|s| name(lang.get_untracked(), s).to_owned());
        let reason = lost.then(|| {
            lang.get_untracked()
                .t()
                .stage_removed
                .replace("{stage}", &gone.unwrap_or_default())
        });
        for (customer, deal) in here.clone() {
            let (target, reason, pipeline) = (target.clone(), reason.clone(), pipeline.clone());
            session.with_value(|s| {
                s.edit_customer_soon(
                    customer,
                    move |doc, stamp| {
                        doc.move_deal_stage(&deal, &target, reason.as_deref(), &pipeline, stamp)
                    },
                    move |moved| {
                        if let Err(e) = moved {
                            error.set(Some(error_text(lang.get_untracked(), &e)));
                        }
                    },
                );
            });
        }
        if edit_workspace(session, lang, error, |ws| ws.remove_stage(&id)) {
            removing.set(false);
        }
    };
    view! {
        <div class="banner banner-error remove-stage" role="alertdialog">
            <p>
                {move || match count {
                    0 => lang.get().t().remove_stage_empty.to_owned(),
                    n => lang.get().t().remove_stage_deals.replace("{n}", &n.to_string()),
                }}
            </p>
            {(count > 0).then(|| view! {
                <select aria-label=move || lang.get().t().move_deals_to on:change=move |ev| target.set(event_target_value(&ev))>
                    {others.into_iter().map(|(other, label)| view! { <option value=other>{label}</option> }).collect_view()}
                </select>
            })}
            <button type="button" class="confirm-danger" on:click=remove>{move || lang.get().t().remove_stage}</button>
            <button type="button" on:click=move |_| removing.set(false)>{move || lang.get().t().cancel}</button>
        </div>
    }
}
