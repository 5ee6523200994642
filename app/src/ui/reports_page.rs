//! The reports screen: a period (this week, month, quarter or year, in the device's time
//! zone) and owner / source filters over every figure — key figures against the previous
//! period, the period's funnel, a line per lead source and per owner, won amount by month and
//! the lifecycle distribution. Every number opens the customer list on exactly the customers
//! it counts. Salespeople see their own figures.

use std::collections::BTreeSet;
use std::sync::Arc;

use crm_core::customer::{Lifecycle, MINUTE_MS, Source};
use crm_core::reports::{self, Count, Period, ReportCache, ReportFilter};
use crm_core::values::{DAY_MS, Money};
use crm_core::workspace::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::bar_chart::{BarChart, PALETTE, Series};
use super::customer_list::{ListView, Picked};
use super::{member_choices, member_name, use_signals};
use crate::i18n::{Lang, use_lang};

/// The periods offered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Span {
    Week,
    Month,
    Quarter,
    Year,
}

impl Span {
    const ALL: [Span; 4] = [Span::Week, Span::Month, Span::Quarter, Span::Year];

    fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            Span::Week => t.period_week,
            Span::Month => t.period_month,
            Span::Quarter => t.period_quarter,
            Span::Year => t.period_year,
        }
    }

    /// The current week (from Monday), month, quarter or year, in local time.
    fn period(self, now: &js_sys::Date) -> Period {
        let (year, month, day) = (now.get_full_year(), now.get_month(), now.get_date());
        let local = |y: u32, m: i32, d: i32| {
            js_sys::Date::new_with_year_month_day(y, m, d).get_time() as i64
        };
        let (from, to) = match self {
            Span::Week => {
                let back = (now.get_day() as i32 + 6) % 7;
                let start = day as i32 - back;
                (
                    local(year, month as i32, start),
                    local(year, month as i32, start + 7),
                )
            }
            Span::Month => (
                local(year, month as i32, 1),
                local(year, month as i32 + 1, 1),
            ),
            Span::Quarter => {
                let first = month as i32 - month as i32 % 3;
                (local(year, first, 1), local(year, first + 3, 1))
            }
            Span::Year => (local(year, 0, 1), local(year + 1, 0, 1)),
        };
        Period { from, to }
    }
}

/// The reports page.
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
    // The figures, kept between renders: a changed row tallies its chunk of rows again.
    let cache = StoredValue::new(ReportCache::default());
    // Opens the list on `count`'s customers (their ids read on the click, from the rows of
    // the figures shown).
    let open = move |label: String, count: &Count| {
        let count = count.clone();
        let navigate = navigate.clone();
        move |_| {
            let ids: BTreeSet<String> =
                cache.with_value(|c| c.ids(&count).map(str::to_owned).collect());
            list.picked.set(Some(Picked {
                label: label.clone(),
                ids: Arc::new(ids),
            }));
            navigate("/", Default::default());
        }
    };
    move || {
        let lang = lang.get();
        let t = lang.t();
        let now = js_sys::Date::new_0();
        // To the minute: the figures asked again within it are the kept ones.
        let at = (now.get_time() as i64).div_euclid(MINUTE_MS) * MINUTE_MS;
        let period = span.get().period(&now);
        let filter = ReportFilter {
            owner: owner.get(),
            source: source.get(),
        };
        let pipeline = signals
            .workspace
            .with(|ws| ws.as_ref().map(|w| w.pipeline.clone()).unwrap_or_default());
        let rows = signals.rows.read();
        let months = month_edges(&now);
        let week_edges: Vec<i64> = (0..)
            .map(|w| period.from + w * 7 * DAY_MS)
            .take_while(|at| *at < period.to + 7 * DAY_MS)
            .map(|at| at.min(period.to))
            .collect::<Vec<_>>();
        let ask = reports::Ask {
            filter: &filter,
            period,
            now: at,
            months: &months,
            weeks: &week_edges,
        };
        let reports::Report {
            figures,
            before,
            funnel,
            sources,
            owners: by_owner,
            months: buckets,
            weeks,
            lifecycles,
        } = crate::browser::timed("reports", || {
            cache
                .try_update_value(|c| c.report(&rows, &pipeline, ask).0)
                .expect("the page's cache lives as long as the page")
        });
        let month_labels: Vec<String> = buckets
            .iter()
            .map(|b| month_label(lang, b.period.from))
            .collect();
        let won_series = currency_series(lang, &buckets);
        let week_labels: Vec<String> = weeks.iter().map(|b| day_label(b.period.from)).collect();
        let source_series = source_series(lang, &weeks);
        let span_label = span.get().label(lang);
        let named = |what: &str| format!("{what} · {span_label}");
        let card = |label: &'static str, count: &Count, shown: String, change: Option<String>| {
            view! {
                <button type="button" class="figure" on:click=open(named(label), count)>
                    <span class="figure-label">{label}</span>
                    <strong class="figure-value">{shown}</strong>
                    {change.map(|c| view! { <span class="figure-change">{c}</span> })}
                </button>
            }
        };
        let delta = |now: usize, then: usize| Some(change(now as f64, then as f64, t.vs_previous));
        let money = |amounts: &[Money]| lang.monies(amounts);
        let percent = |x: Option<f64>| x.map_or("—".to_owned(), |x| format!("{:.0}%", x * 100.0));
        let days = |x: Option<f64>| x.map_or("—".to_owned(), |x| format!("{x:.1} {}", t.days));
        let number = |label: String, count: &Count| {
            view! { <button type="button" class="link-number" on:click=open(label, count)>{count.n}</button> }
        };
        view! {
            <div class="page-head reports-head">
                <h1>{t.reports_title}</h1>
                <div class="segmented" role="group">
                    {Span::ALL.into_iter().map(|s| view! {
                        <button type="button" aria-pressed=move || (span.get() == s).to_string()
                            on:click=move |_| span.set(s)>{s.label(lang)}</button>
                    }).collect_view()}
                </div>
                <div class="inline-fields report-filters">
                    {(!sales).then(|| view! {
                        <select aria-label=t.owner on:change=move |ev| {
                            let v = event_target_value(&ev);
                            owner.set((!v.is_empty()).then_some(v));
                        }>
                            <option value="">{t.report_everyone}</option>
                            {owners.get().into_iter().map(|(id, name)| {
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
                {card(t.fig_new_customers, &figures.new_customers, figures.new_customers.n.to_string(), delta(figures.new_customers.n, before.new_customers.n))}
                {card(t.fig_new_deals, &figures.new_deals, figures.new_deals.n.to_string(), delta(figures.new_deals.n, before.new_deals.n))}
                {card(t.fig_won, &figures.won, figures.won.n.to_string(), delta(figures.won.n, before.won.n))}
                {card(t.fig_won_amount, &figures.won, money(&figures.won_amount), None)}
                {card(t.fig_win_rate, &figures.won, percent(figures.win_rate), None)}
                {card(t.fig_cycle, &figures.won, days(figures.average_cycle_days), None)}
                {card(t.fig_on_time, &figures.on_time, figures.on_time.n.to_string(), None)}
                {card(t.fig_late, &figures.late, figures.late.n.to_string(), None)}
            </section>
            <div class="report-grid">
                <section class="card">
                    <h2>{t.report_funnel}</h2>
                    <table class="report-table">
                        <thead><tr><th></th><th>{t.report_reached}</th><th>{t.report_conversion}</th><th>{t.report_median_days}</th></tr></thead>
                        <tbody>{funnel.iter().map(|line| {
                            let stage = pipeline.stages.get(&line.step.stage).map_or(line.step.stage.clone(), |s| lang.configured_name(&s.name_zh, &s.name_en));
                            let count = Count { n: line.step.reached, customers: line.customers.clone() };
                            view! { <tr>
                                <th>{stage.clone()}</th>
                                <td>{number(named(&stage), &count)}</td>
                                <td>{percent(line.step.conversion)}</td>
                                <td>{days(line.median_days)}</td>
                            </tr> }
                        }).collect_view()}</tbody>
                    </table>
                </section>
                <section class="card">
                    <h2>{t.report_by_month}</h2>
                    <BarChart title=t.report_by_month.to_owned() description=describe(t.report_by_month, &month_labels)
                        labels=month_labels series=won_series />
                    <h2>{t.report_lifecycle}</h2>
                    <table class="report-table">
                        <tbody>{Lifecycle::ALL.iter().map(|l| {
                            let count = lifecycles.get(l).cloned().unwrap_or_default();
                            let name = lang.lifecycle(*l);
                            view! { <tr><th>{name}</th><td>{number(name.to_owned(), &count)}</td></tr> }
                        }).collect_view()}</tbody>
                    </table>
                </section>
                <section class="card report-wide">
                    <h2>{t.report_new_by_source}</h2>
                    <BarChart title=t.report_new_by_source.to_owned() description=describe(t.report_new_by_source, &week_labels)
                        labels=week_labels series=source_series />
                </section>
                <section class="card report-wide">
                    <h2>{t.report_by_source}</h2>
                    <table class="report-table">
                        <thead><tr><th></th><th>{t.fig_new_customers}</th><th>{t.fig_new_deals}</th><th>{t.fig_won}</th><th>{t.report_conversion}</th><th>{t.fig_won_amount}</th><th>{t.fig_cycle}</th></tr></thead>
                        <tbody>{sources.iter().map(|(s, line)| {
                            let name = lang.source(*s);
                            view! { <tr>
                                <th>{name}</th>
                                <td>{number(named(name), &line.customers)}</td>
                                <td>{number(named(name), &line.deals)}</td>
                                <td>{number(named(name), &line.won)}</td>
                                <td>{percent(line.conversion)}</td>
                                <td>{money(&line.won_amount)}</td>
                                <td>{days(line.average_cycle_days)}</td>
                            </tr> }
                        }).collect_view()}</tbody>
                    </table>
                </section>
                <section class="card report-wide">
                    <h2>{t.report_by_owner}</h2>
                    <table class="report-table">
                        <thead><tr><th></th><th>{t.report_customers}</th><th>{t.report_interactions}</th><th>{t.report_done}</th><th>{t.report_overdue}</th><th>{t.fig_won}</th><th>{t.fig_won_amount}</th></tr></thead>
                        <tbody>{by_owner.iter().filter(|(m, _)| !sales || **m == *signals.member.get_value()).map(|(member, line)| {
                            let name = member_name(signals, member);
                            view! { <tr>
                                <th>{name.clone()}</th>
                                <td>{number(named(&name), &line.customers)}</td>
                                <td>{line.interactions}</td>
                                <td>{number(named(&name), &line.follow_ups_done)}</td>
                                <td>{number(named(&name), &line.overdue)}</td>
                                <td>{number(named(&name), &line.won)}</td>
                                <td>{money(&line.won_amount)}</td>
                            </tr> }
                        }).collect_view()}</tbody>
                    </table>
                </section>
            </div>
        }
    }
}

/// "+12% vs previous period" (or "—" when the previous period had none).
fn change(now: f64, then: f64, versus: &str) -> String {
    if then == 0.0 {
        return format!("— {versus}");
    }
    let percent = (now - then) / then * 100.0;
    format!(
        "{}{percent:.0}% {versus}",
        if percent >= 0.0 { "+" } else { "" }
    )
}

/// The starts of the last twelve months and of the next one, in local time.
fn month_edges(now: &js_sys::Date) -> Vec<i64> {
    let (year, month) = (now.get_full_year(), now.get_month() as i32);
    (-11..=1)
        .map(|back| js_sys::Date::new_with_year_month_day(year, month + back, 1).get_time() as i64)
        .collect()
}

/// A month as "11月" / "Nov" (January with its year: "2026年1月" / "Jan 2026").
fn month_label(lang: Lang, start: i64) -> String {
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(start as f64));
    let (year, month) = (date.get_full_year(), date.get_month() as usize);
    match (lang, month) {
        (Lang::Zh, 0) => format!("{year}年1月"),
        (Lang::Zh, m) => format!("{}月", m + 1),
        (Lang::En, 0) => format!("Jan {year}"),
        (Lang::En, m) => EN[m].to_owned(),
    }
}

/// A day as "11-30".
fn day_label(start: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(start as f64));
    format!("{:02}-{:02}", date.get_month() + 1, date.get_date())
}

/// A chart's description for screen readers: what it shows, from when to when.
fn describe(what: &str, labels: &[String]) -> String {
    match (labels.first(), labels.last()) {
        (Some(first), Some(last)) => format!("{what}: {first} – {last}"),
        _ => what.to_owned(),
    }
}

/// The won amounts per bucket, one series per currency (in major units).
fn currency_series(lang: Lang, buckets: &[reports::Bucket]) -> Vec<Series> {
    let currencies: BTreeSet<&str> = (buckets.iter())
        .flat_map(|b| b.won.iter().map(|m| m.currency.as_str()))
        .collect();
    (currencies.into_iter().zip(PALETTE.iter().cycle()))
        .map(|(currency, color)| {
            let amounts: Vec<Money> = (buckets.iter())
                .map(|b| {
                    let minor = (b.won.iter())
                        .find(|m| m.currency == currency)
                        .map_or(0, |m| m.minor);
                    Money {
                        minor,
                        currency: currency.to_owned(),
                    }
                })
                .collect();
            Series {
                name: currency.to_owned(),
                color,
                values: amounts.iter().map(|m| m.minor as f64 / 100.0).collect(),
                shown: amounts.iter().map(|m| lang.money(m)).collect(),
            }
        })
        .collect()
}

/// New customers per bucket, one series per source that brought any.
fn source_series(lang: Lang, buckets: &[reports::Bucket]) -> Vec<Series> {
    (Source::ALL.iter().zip(PALETTE.iter().cycle()))
        .filter(|(s, _)| buckets.iter().any(|b| b.new_by_source.contains_key(*s)))
        .map(|(source, color)| {
            let counts: Vec<usize> = (buckets.iter())
                .map(|b| b.new_by_source.get(source).map_or(0, |c| c.n))
                .collect();
            Series {
                name: lang.source(*source).to_owned(),
                color,
                values: counts.iter().map(|n| *n as f64).collect(),
                shown: counts.iter().map(ToString::to_string).collect(),
            }
        })
        .collect()
}
