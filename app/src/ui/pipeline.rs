//! The pipeline: the funnel with stage-to-stage conversion, and a board of deals by stage —
//! dragged between columns on desktop, moved with a stage picker on phones.

use crm_core::customer::SummaryRow;
use crm_core::funnel::{board, funnel};
use crm_core::pipeline::{Pipeline, StageKind};
use crm_core::values::DAY_MS;
use leptos::prelude::*;

use super::stages::{StagePicker, move_deal, name, use_pipeline};
use super::{use_session, use_signals};
use crate::i18n::use_lang;

/// A deal being dragged: (customer id, deal id).
type Dragged = Option<(String, String)>;

/// The pipeline page.
#[component]
pub fn PipelinePage() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let session = use_session();
    let pipeline = use_pipeline();
    // "My deals only": the board and the funnel of the signed-in member's customers.
    let mine = RwSignal::new(false);
    let me = signals.member;
    let of_me = move |row: &&SummaryRow| !mine.get() || me.with_value(|me| row.owner == *me);
    let columns = Memo::new(move |_| {
        pipeline.with(|p| {
            signals
                .rows
                .with(|rows| board(rows.iter().map(|r| &**r).filter(of_me), p))
        })
    });
    let steps = Memo::new(move |_| {
        pipeline.with(|p| {
            signals
                .rows
                .with(|rows| funnel(rows.iter().map(|r| &**r).filter(of_me), p))
        })
    });
    // Open stages take the room; won and lost stay wide enough to drop a deal on.
    let board_columns = Memo::new(move |_| {
        pipeline.with(|p| {
            let widths: Vec<&str> = (p.ordered().into_iter())
                .map(|(_, s)| match s.kind {
                    StageKind::Open => "minmax(150px, 1fr)",
                    StageKind::Won | StageKind::Lost => "minmax(120px, 0.7fr)",
                })
                .collect();
            format!("grid-template-columns: {}", widths.join(" "))
        })
    });
    let stage_name = move |id: &str| {
        pipeline.with(|p| {
            p.stages
                .get(id)
                .map(|s| name(lang.get(), s).to_owned())
                .unwrap_or_else(|| id.to_owned())
        })
    };
    // On phones one column is shown at a time, picked here.
    let shown = RwSignal::new(String::new());
    let dragged = RwSignal::new(None::<(String, String)>);
    let error = RwSignal::new(None::<String>);

    view! {
        <div class="page-head">
            <h1>{move || lang.get().t().nav_pipeline}</h1>
            <label class="archived-toggle mine-toggle">
                <input type="checkbox" prop:checked=mine on:change=move |ev| mine.set(event_target_checked(&ev)) />
                {move || lang.get().t().my_deals_only}
            </label>
        </div>
        {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        <section class="card">
            <h2>{move || lang.get().t().funnel}</h2>
            <ol class="funnel">
                {move || {
                    let top = steps.with(|s| s.first().map(|f| f.reached).unwrap_or(0)).max(1);
                    steps.get().into_iter().map(|step| {
                        let width = format!("width: {:.1}%", 100.0 * step.reached as f64 / top as f64);
                        let conversion = step.conversion.map(|c| format!("{:.0}%", c * 100.0));
                        view! {
                            <li class="funnel-step" data-stage=step.stage.clone()>
                                <span class="funnel-name">{stage_name(&step.stage)}</span>
                                <span class="funnel-bar"><span style=width></span></span>
                                <span class="funnel-count">{step.reached}</span>
                                <span class="funnel-conversion" title=move || lang.get().t().conversion>
                                    {conversion.map(|c| format!("↓ {c}"))}
                                </span>
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
        </section>
        <label class="field stage-picker">
            <span>{move || lang.get().t().stage_totals}</span>
            <select on:change=move |ev| shown.set(event_target_value(&ev))>
                {move || columns.get().into_iter().map(|c| {
                    let label = format!("{} ({})", stage_name(&c.stage), c.deals.len());
                    view! { <option value=c.stage.clone()>{label}</option> }
                }).collect_view()}
            </select>
        </label>
        <div class="board" style=board_columns>
            {move || {
                let first = columns.with(|c| c.first().map(|c| c.stage.clone()).unwrap_or_default());
                columns.get().into_iter().map(|column| {
                    let stage = column.stage.clone();
                    let is_shown = {
                        let stage = stage.clone();
                        let first = first.clone();
                        move || {
                            let picked = shown.get();
                            if picked.is_empty() { stage == first } else { picked == stage }
                        }
                    };
                    let drop_stage = stage.clone();
                    let on_drop = move |ev: leptos::ev::DragEvent| {
                        ev.prevent_default();
                        if let Some((customer, deal)) = dragged.get_untracked() {
                            move_deal(session, &customer, &deal, &drop_stage, &pipeline.get_untracked(), lang, error);
                        }
                        dragged.set(None);
                    };
                    view! {
                        <section
                            class="column-stage card"
                            class:shown=is_shown
                            data-stage=stage.clone()
                            on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                            on:drop=on_drop
                        >
                            <h2>
                                {stage_name(&stage)}
                                <span class="count">{column.deals.len()}</span>
                            </h2>
                            <p class="stage-total">
                                {column.totals.into_iter().map(|m| view! { <span class="spend">{move || lang.get().money(&m)}</span> }).collect_view()}
                            </p>
                            <ul class="deal-cards">
                                {column.deals.into_iter().map(|(customer, customer_name, deal)| {
                                    view! {
                                        <DealCard
                                            customer
                                            customer_name
                                            deal
                                            pipeline
                                            dragged
                                            error
                                        />
                                    }
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                }).collect_view()
            }}
        </div>
    }
}

/// One deal on the board.
#[component]
fn DealCard(
    customer: String,
    customer_name: String,
    deal: crm_core::customer::DealRow,
    pipeline: Memo<Pipeline>,
    dragged: RwSignal<Dragged>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let days = ((js_sys::Date::now() as i64 - deal.stage_since) / DAY_MS).max(0);
    let amount = deal.amount.clone();
    let href = format!("/customers/{customer}");
    let current = deal.stage.clone();
    let (drag_customer, drag_deal) = (customer.clone(), deal.id.clone());
    view! {
        <li
            class="deal-card"
            draggable="true"
            on:dragstart=move |_| dragged.set(Some((drag_customer.clone(), drag_deal.clone())))
        >
            <a class="deal-title" href=href>{deal.title.clone()}</a>
            <span class="row-sub">{customer_name}</span>
            <span class="deal-meta">
                <span class="spend">{move || lang.get().money(&amount)}</span>
                <span class="muted">{days} {move || lang.get().t().days_in_stage}</span>
            </span>
            <StagePicker customer deal=deal.id.clone() current pipeline error />
        </li>
    }
}
