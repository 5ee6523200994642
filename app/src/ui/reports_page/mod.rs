//! The reports screen: a period (this week, month, quarter or year, in the device's time
//! zone) and owner / source filters over every figure — key figures against the previous
//! period, the period's funnel, a line per lead source and per owner, won amount by month and
//! the lifecycle distribution. Every number opens the customer list on exactly the customers
//! it counts. Salespeople see their own figures.

mod parts;
mod read_ahead;
mod span;

use std::collections::BTreeSet;
use std::sync::Arc;

use crm_core::customer::{MINUTE_MS, Source};
use crm_core::reports::{self, Count, ReportFilter};
use crm_core::values::DAY_MS;
use crm_core::workspace::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::customer_list::{ListView, Picked};
use super::{member_choices, use_signals};
use crate::i18n::use_lang;
use parts::Shown;
pub use read_ahead::{Figures, read_ahead};
use span::{Day, Span, month_edges};

/// The reports page. The figures are computed once per change of the rows or the question;
/// each part of the page is drawn again only when its own figures changed (a teammate's
/// logged call redraws the owner table, not the charts).
#[component]
pub fn ReportsPage() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let list = expect_context::<ListView>();
    let navigate = use_navigate();
    let span = RwSignal::new(Span::Month);
    let sales = signals.role.get_value() == Role::Sales;
    // Salespeople see their own figures.
    let owner = RwSignal::new(sales.then(|| signals.member.get_value()));
    let source = RwSignal::new(None::<Source>);
    let owners = member_choices(signals);
    // The figures, kept between renders and visits: a changed row tallies its chunk of rows
    // again; rows read ahead in idle time are only tallied.
    let cache = expect_context::<Figures>().cache;
    // Opens the list on a count's customers (their ids read on the click, from the rows of
    // the figures shown).
    let open = Callback::new(move |(label, count): (String, Count)| {
        let ids: BTreeSet<String> =
            cache.with_value(|c| c.ids(&count).map(str::to_owned).collect());
        list.picked.set(Some(Picked {
            label,
            ids: Arc::new(ids),
        }));
        navigate("/", Default::default());
    });
    let pipeline = Memo::new(move |_| {
        (signals.workspace).with(|ws| ws.as_ref().map(|w| w.pipeline.clone()).unwrap_or_default())
    });
    let report = Memo::new(move |_| {
        let now = js_sys::Date::new_0();
        // To the minute: the figures asked again within it are the kept ones.
        let at = (now.get_time() as i64).div_euclid(MINUTE_MS) * MINUTE_MS;
        let period = span.get().period(&now);
        let filter = ReportFilter {
            owner: owner.get(),
            source: source.get(),
        };
        let rows = signals.rows.read();
        let months = month_edges(&now);
        let weeks: Vec<i64> = (0..)
            .map(|w| period.from + w * 7 * DAY_MS)
            .take_while(|at| *at < period.to + 7 * DAY_MS)
            .map(|at| at.min(period.to))
            .collect();
        let ask = reports::Ask {
            filter: &filter,
            period,
            now: at,
            months: &months,
            weeks: &weeks,
        };
        pipeline.with(|pipeline| {
            crate::browser::timed("reports", || {
                cache
                    .try_update_value(|c| c.report(&rows, pipeline, ask).0)
                    .expect("the page's cache lives as long as the page")
            })
        })
    });
    // A memo per part of the page: it tells its part only when its figures differ.
    let key = Memo::new(move |_| report.with(|r| (r.figures.clone(), r.before.clone())));
    let funnel = Memo::new(move |_| report.with(|r| r.funnel.clone()));
    let by_month = Memo::new(move |_| report.with(|r| r.months.clone()));
    let by_week = Memo::new(move |_| report.with(|r| r.weeks.clone()));
    let lifecycles = Memo::new(move |_| report.with(|r| r.lifecycles.clone()));
    let sources = Memo::new(move |_| report.with(|r| r.sources.clone()));
    let by_owner = Memo::new(move |_| report.with(|r| r.owners.clone()));
    // Chosen days: from the period shown, then each end as picked.
    let choosing_days = move || matches!(span.get(), Span::Days(..));
    let days = move || match span.get() {
        Span::Days(first, last) => (first, last),
        named => {
            let period = named.period(&js_sys::Date::new_0());
            (Day::of(period.from), Day::of(period.to - 1))
        }
    };
    let choose_days = move || {
        let (first, last) = untrack(days);
        span.set(Span::Days(first, last));
    };
    let set_day = move |iso: &str, first: bool| {
        if let Some(day) = Day::parse(iso) {
            let (from, to) = untrack(days);
            span.set(match first {
                true => Span::Days(day, to),
                false => Span::Days(from, day),
            });
        }
    };
    let shown = move || Shown {
        lang: lang.get(),
        span: span.get(),
        open,
    };
    move || {
        let lang = lang.get();
        let t = lang.t();
        view! {
            <div class="page-head reports-head">
                <h1>{t.reports_title}</h1>
                <div class="segmented" role="group">
                    {Span::NAMED.into_iter().map(|s| view! {
                        <button type="button" aria-pressed=move || (span.get() == s).to_string()
                            on:click=move |_| span.set(s)>{s.label(lang)}</button>
                    }).collect_view()}
                    <button type="button" aria-pressed=move || choosing_days().to_string()
                        on:click=move |_| choose_days()>{t.period_custom}</button>
                </div>
                <Show when=choosing_days>
                    <div class="inline-fields report-days">
                        <input type="date" aria-label=t.period_from prop:value=move || days().0.iso()
                            on:change=move |ev| set_day(&event_target_value(&ev), true) />
                        <input type="date" aria-label=t.period_to prop:value=move || days().1.iso()
                            on:change=move |ev| set_day(&event_target_value(&ev), false) />
                    </div>
                </Show>
                <div class="inline-fields report-filters">
                    {(!sales).then(|| view! {
                        <select aria-label=t.owner on:change=move |ev| {
                            let v = event_target_value(&ev);
                            owner.set((!v.is_empty()).then_some(v));
                        }>
                            <option value="">{t.report_everyone}</option>
                            {move || owners.get().into_iter().map(|(id, name)| {
                                let selected = owner.get_untracked().as_deref() == Some(id.as_str());
                                view! { <option value=id selected=selected>{name}</option> }
                            }).collect_view()}
                        </select>
                    })}
                    <select aria-label=t.source on:change=move |ev| source.set(Source::parse(&event_target_value(&ev)))>
                        <option value="">{t.report_all_sources}</option>
                        {Source::ALL.iter().map(|s| view! {
                            <option value=s.as_str() selected=source.get_untracked() == Some(*s)>{lang.source(*s)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <section class="figures" aria-label=t.reports_title>
                {move || key.with(|k| shown().key_figures(k))}
            </section>
            <div class="report-grid">
                <section class="card">
                    <h2>{t.report_funnel}</h2>
                    {move || funnel.with(|f| pipeline.with(|p| shown().funnel(f, p)))}
                </section>
                <section class="card">
                    <h2>{t.report_by_month}</h2>
                    {move || by_month.with(|b| shown().won_by_month(b))}
                    <h2>{t.report_lifecycle}</h2>
                    {move || lifecycles.with(|l| shown().lifecycles(l))}
                </section>
                <section class="card report-wide">
                    <h2>{t.report_new_by_source}</h2>
                    {move || by_week.with(|b| shown().new_by_week(b))}
                </section>
                <section class="card report-wide">
                    <h2>{t.report_by_source}</h2>
                    {move || sources.with(|s| shown().sources(s))}
                </section>
                <section class="card report-wide">
                    <h2>{t.report_by_owner}</h2>
                    {move || by_owner.with(|o| shown().owners(o, signals, sales))}
                </section>
            </div>
        }
    }
}
