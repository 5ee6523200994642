//! The parts of the reports page, each drawn from its own figures: the key figures, the
//! funnel, the charts, the lifecycles, and the tables by source and by owner. Every number
//! opens the customer list on the customers it counts.

use std::collections::{BTreeMap, BTreeSet};

use crm_core::customer::{Lifecycle, Source};
use crm_core::pipeline::Pipeline;
use crm_core::reports::{Bucket, Count, FunnelLine, KeyFigures, OwnerLine, SourceLine};
use crm_core::values::Money;
use leptos::prelude::*;

use super::span::Span;
use crate::i18n::Lang;
use crate::session::SessionSignals;
use crate::ui::bar_chart::{BarChart, PALETTE, Series};
use crate::ui::member_name;

/// How the parts are shown: the language, the period (named in a list a number opens) and
/// what opens the list on a count's customers.
#[derive(Clone, Copy)]
pub(super) struct Shown {
    pub(super) lang: Lang,
    pub(super) span: Span,
    pub(super) open: Callback<(String, Count)>,
}

impl Shown {
    /// "New customers · This month": what a list opened from a number is about.
    fn named(self, what: &str) -> String {
        format!("{what} · {}", self.span.label(self.lang))
    }

    /// A number that opens the list on its customers.
    fn number(self, label: String, count: &Count) -> impl IntoView + use<> {
        let (open, count) = (self.open, count.clone());
        let n = count.n;
        view! {
            <button type="button" class="link-number" on:click=move |_| open.run((label.clone(), count.clone()))>{n}</button>
        }
    }

    fn days(self, x: Option<f64>) -> String {
        x.map_or("—".to_owned(), |x| {
            format!("{x:.1} {}", self.lang.t().days)
        })
    }

    /// The period's key figures, each a card opening its customers, against the period before.
    pub(super) fn key_figures(
        self,
        (figures, before): &(KeyFigures, KeyFigures),
    ) -> impl IntoView + use<> {
        let t = self.lang.t();
        let card = |label: &'static str, count: &Count, shown: String, change: Option<String>| {
            let (open, count, named) = (self.open, count.clone(), self.named(label));
            view! {
                <button type="button" class="figure" on:click=move |_| open.run((named.clone(), count.clone()))>
                    <span class="figure-label">{label}</span>
                    <strong class="figure-value">{shown}</strong>
                    {change.map(|c| view! { <span class="figure-change">{c}</span> })}
                </button>
            }
        };
        let delta =
            |now: &Count, then: &Count| Some(change(now.n as f64, then.n as f64, t.vs_previous));
        let f = figures;
        view! {
            {card(t.fig_new_customers, &f.new_customers, f.new_customers.n.to_string(), delta(&f.new_customers, &before.new_customers))}
            {card(t.fig_new_deals, &f.new_deals, f.new_deals.n.to_string(), delta(&f.new_deals, &before.new_deals))}
            {card(t.fig_won, &f.won, f.won.n.to_string(), delta(&f.won, &before.won))}
            {card(t.fig_won_amount, &f.won, self.lang.monies(&f.won_amount), None)}
            {card(t.fig_win_rate, &f.won, percent(f.win_rate), None)}
            {card(t.fig_cycle, &f.won, self.days(f.average_cycle_days), None)}
            {card(t.fig_on_time, &f.on_time, f.on_time.n.to_string(), None)}
            {card(t.fig_late, &f.late, f.late.n.to_string(), None)}
        }
    }

    /// The period's funnel: reached, conversion and median days per stage.
    pub(super) fn funnel(self, lines: &[FunnelLine], pipeline: &Pipeline) -> impl IntoView + use<> {
        let (t, lang) = (self.lang.t(), self.lang);
        view! {
            <table class="report-table">
                <thead><tr><th></th><th>{t.report_reached}</th><th>{t.report_conversion}</th><th>{t.report_median_days}</th></tr></thead>
                <tbody>{lines.iter().map(|line| {
                    let stage = pipeline.stages.get(&line.step.stage).map_or(line.step.stage.clone(), |s| lang.configured_name(&s.name_zh, &s.name_en));
                    let count = Count { n: line.step.reached, customers: line.customers.clone() };
                    view! { <tr>
                        <th>{stage.clone()}</th>
                        <td>{self.number(self.named(&stage), &count)}</td>
                        <td>{percent(line.step.conversion)}</td>
                        <td>{self.days(line.median_days)}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table>
        }
    }

    /// The won amount of each of the last twelve months, a series per currency.
    pub(super) fn won_by_month(self, buckets: &[Bucket]) -> impl IntoView + use<> {
        let title = self.lang.t().report_by_month;
        let labels: Vec<String> = (buckets.iter())
            .map(|b| month_label(self.lang, b.period.from))
            .collect();
        view! {
            <BarChart title=title.to_owned() description=describe(title, &labels)
                labels=labels series=currency_series(self.lang, buckets) />
        }
    }

    /// The period's new customers of each week, a series per source.
    pub(super) fn new_by_week(self, buckets: &[Bucket]) -> impl IntoView + use<> {
        let title = self.lang.t().report_new_by_source;
        let labels: Vec<String> = buckets.iter().map(|b| day_label(b.period.from)).collect();
        view! {
            <BarChart title=title.to_owned() description=describe(title, &labels)
                labels=labels series=source_series(self.lang, buckets) />
        }
    }

    /// How many customers are in each lifecycle stage.
    pub(super) fn lifecycles(self, counts: &BTreeMap<Lifecycle, Count>) -> impl IntoView + use<> {
        view! {
            <table class="report-table">
                <tbody>{Lifecycle::ALL.iter().map(|l| {
                    let count = counts.get(l).cloned().unwrap_or_default();
                    let name = self.lang.lifecycle(*l);
                    view! { <tr><th>{name}</th><td>{self.number(name.to_owned(), &count)}</td></tr> }
                }).collect_view()}</tbody>
            </table>
        }
    }

    /// A line per lead source.
    pub(super) fn sources(self, lines: &BTreeMap<Source, SourceLine>) -> impl IntoView + use<> {
        let (t, lang) = (self.lang.t(), self.lang);
        view! {
            <table class="report-table">
                <thead><tr><th></th><th>{t.fig_new_customers}</th><th>{t.fig_new_deals}</th><th>{t.fig_won}</th><th>{t.report_conversion}</th><th>{t.fig_won_amount}</th><th>{t.fig_cycle}</th></tr></thead>
                <tbody>{lines.iter().map(|(s, line)| {
                    let name = lang.source(*s);
                    view! { <tr>
                        <th>{name}</th>
                        <td>{self.number(self.named(name), &line.customers)}</td>
                        <td>{self.number(self.named(name), &line.deals)}</td>
                        <td>{self.number(self.named(name), &line.won)}</td>
                        <td>{percent(line.conversion)}</td>
                        <td>{lang.monies(&line.won_amount)}</td>
                        <td>{self.days(line.average_cycle_days)}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table>
        }
    }

    /// A line per member (a salesperson sees their own).
    pub(super) fn owners(
        self,
        lines: &BTreeMap<String, OwnerLine>,
        signals: SessionSignals,
        sales: bool,
    ) -> impl IntoView + use<> {
        let t = self.lang.t();
        let me = signals.member.get_value();
        view! {
            <table class="report-table">
                <thead><tr><th></th><th>{t.report_customers}</th><th>{t.report_interactions}</th><th>{t.report_done}</th><th>{t.report_overdue}</th><th>{t.fig_won}</th><th>{t.fig_won_amount}</th></tr></thead>
                <tbody>{lines.iter().filter(|(m, _)| !sales || **m == *me).map(|(member, line)| {
                    let name = member_name(signals, member);
                    view! { <tr>
                        <th>{name.clone()}</th>
                        <td>{self.number(self.named(&name), &line.customers)}</td>
                        <td>{line.interactions}</td>
                        <td>{self.number(self.named(&name), &line.follow_ups_done)}</td>
                        <td>{self.number(self.named(&name), &line.overdue)}</td>
                        <td>{self.number(self.named(&name), &line.won)}</td>
                        <td>{self.lang.monies(&line.won_amount)}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table>
        }
    }
}

/// "42%" ("—" for none).
fn percent(x: Option<f64>) -> String {
    x.map_or("—".to_owned(), |x| format!("{:.0}%", x * 100.0))
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
fn currency_series(lang: Lang, buckets: &[Bucket]) -> Vec<Series> {
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
fn source_series(lang: Lang, buckets: &[Bucket]) -> Vec<Series> {
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
