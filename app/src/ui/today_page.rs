//! "Today" for the signed-in member: their overdue follow-ups and today's (done with one
//! tap), their customers the rules flagged this week, their pipeline by stage, and what
//! teammates logged on their customers this week.

use crm_core::customer::MINUTE_MS;
use crm_core::funnel;
use crm_core::pipeline::StageKind;
use crm_core::values::DAY_MS;
use leptos::prelude::*;

use super::follow_ups::{DueItem, due_among, end_of_day};
use super::{member_name, use_signals};
use crate::i18n::use_lang;

/// How far back teammates' activity is shown.
const RECENT_DAYS: i64 = 7;

/// The phone layout's width (as in `style/main.css`).
const PHONE_LAYOUT: &str = "(max-width: 720px)";

/// A phone opening the app at its root opens on Today: the address becomes `/today` before
/// the router reads it (moving about the app afterwards, the root is the customer list).
pub fn land_on_phones() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let at_root = window.location().pathname().is_ok_and(|p| p == "/");
    let phone = window
        .match_media(PHONE_LAYOUT)
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    if at_root
        && phone
        && let Ok(history) = window.history()
    {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/today"));
    }
}

/// The Today page.
#[component]
pub fn TodayPage() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let error = RwSignal::new(None::<String>);
    let me = signals.member.get_value();
    let now = js_sys::Date::now() as i64;
    let due = {
        let me = me.clone();
        Memo::new(move |_| {
            let today_ends = end_of_day(now);
            signals
                .rows
                .with(|rows| due_among(rows, |f| f.assignee == me && f.due_at < today_ends))
        })
    };
    let pipeline = {
        let me = me.clone();
        Memo::new(move |_| {
            let stages = signals
                .workspace
                .with(|ws| ws.as_ref().map(|w| w.pipeline.clone()).unwrap_or_default());
            let columns = signals.rows.with(|rows| {
                funnel::board(rows.iter().map(|r| &**r).filter(|r| r.owner == me), &stages)
            });
            (columns.into_iter())
                .filter(|c| {
                    stages
                        .stages
                        .get(&c.stage)
                        .is_some_and(|s| s.kind == StageKind::Open)
                })
                .map(|c| {
                    let name = stages
                        .stages
                        .get(&c.stage)
                        .map(|s| (s.name_zh.clone(), s.name_en.clone()));
                    (name.unwrap_or_default(), c.deals.len(), c.totals)
                })
                .collect::<Vec<_>>()
        })
    };
    // My customers that rules tagged in the last week: (customer id, name, the tags, the
    // latest time), the latest first.
    let flagged = {
        let me = me.clone();
        Memo::new(move |_| {
            let since = now - RECENT_DAYS * DAY_MS;
            let mut flagged: Vec<(String, String, Vec<String>, i64)> = signals.rows.with(|rows| {
                (rows.iter().filter(|r| r.live() && r.owner == me))
                    .filter_map(|row| {
                        let recent: Vec<&(String, i64)> =
                            row.flagged.iter().filter(|(_, at)| *at >= since).collect();
                        let latest = recent.iter().map(|(_, at)| *at).max()?;
                        let tags = recent.into_iter().map(|(tag, _)| tag.clone()).collect();
                        Some((row.id.clone(), row.name.clone(), tags, latest))
                    })
                    .collect()
            });
            flagged.sort_by_key(|f| std::cmp::Reverse(f.3));
            flagged
        })
    };
    // Teammates' interactions on my customers in the last week: (customer id, name, author,
    // how many, the latest minute).
    let activity = {
        let me = me.clone();
        Memo::new(move |_| {
            let since = (now - RECENT_DAYS * DAY_MS).div_euclid(MINUTE_MS);
            let mut seen: Vec<(String, String, String, usize, i64)> = signals.rows.with(|rows| {
                (rows.iter().filter(|r| r.live() && r.owner == me))
                    .flat_map(|row| {
                        (row.logged.iter())
                            .filter(|(author, _)| **author != me)
                            .filter_map(|(author, minutes)| {
                                let recent: Vec<&i64> =
                                    minutes.iter().filter(|m| **m >= since).collect();
                                let latest = **recent.last()?;
                                Some((
                                    row.id.clone(),
                                    row.name.clone(),
                                    author.clone(),
                                    recent.len(),
                                    latest,
                                ))
                            })
                    })
                    .collect()
            });
            seen.sort_by_key(|s| std::cmp::Reverse(s.4));
            seen
        })
    };
    view! {
        <div class="page-head"><h1>{move || lang.get().t().nav_today}</h1></div>
        {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        <section class="card today-due">
            <h2>{move || lang.get().t().today_due} <span class="count">{move || due.with(Vec::len)}</span></h2>
            <Show when=move || due.with(|d| !d.is_empty())
                fallback=move || view! { <p class="empty">{move || lang.get().t().no_follow_ups}</p> }>
                <ul class="follow-ups">
                    <For each=move || due.get()
                        key=|d| (d.customer_id.clone(), d.follow_up.id.clone())
                        children=move |d| view! { <DueItem due=d assignee=None lang error /> } />
                </ul>
            </Show>
        </section>
        <section class="card today-flagged">
            <h2>{move || lang.get().t().today_flagged} <span class="count">{move || flagged.with(Vec::len)}</span></h2>
            <Show when=move || flagged.with(|f| !f.is_empty())
                fallback=move || view! { <p class="empty">{move || lang.get().t().today_unflagged}</p> }>
                <ul class="activity">
                    <For each=move || flagged.get()
                        key=|f| f.clone()
                        children=move |(id, name, tags, at)| view! {
                            <li>
                                <a href=format!("/customers/{id}")>{name}</a>
                                " " {tags.into_iter().map(|t| view! { <span class="chip">{t}</span> }).collect_view()}
                                <span class="muted">" · " {move || lang.get().date_time(at)}</span>
                            </li>
                        } />
                </ul>
            </Show>
        </section>
        <div class="report-grid">
            <section class="card today-pipeline">
                <h2>{move || lang.get().t().today_pipeline}</h2>
                <table class="report-table"><tbody>
                    {move || {
                        let lang = lang.get();
                        pipeline.get().into_iter().map(|((zh, en), deals, totals)| {
                            view! { <tr><th>{lang.configured_name(&zh, &en)}</th><td>{deals}</td><td>{lang.monies(&totals)}</td></tr> }
                        }).collect_view()
                    }}
                </tbody></table>
            </section>
            <section class="card today-activity">
                <h2>{move || lang.get().t().today_teammates}</h2>
                <Show when=move || activity.with(|a| !a.is_empty())
                    fallback=move || view! { <p class="empty">{move || lang.get().t().today_quiet}</p> }>
                    <ul class="activity">
                        {move || {
                            let lang = lang.get();
                            activity.get().into_iter().map(|(id, name, author, n, latest)| view! {
                                <li>
                                    <a href=format!("/customers/{id}")>{name}</a>
                                    " · " {member_name(signals, &author)}
                                    " · " {format!("{n} {}", lang.t().report_interactions)}
                                    <span class="muted">" · " {lang.date_time(latest * MINUTE_MS)}</span>
                                </li>
                            }).collect_view()
                        }}
                    </ul>
                </Show>
            </section>
        </div>
    }
}
