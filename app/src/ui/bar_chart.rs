//! A stacked bar chart drawn as SVG (no chart library): a title and description for screen
//! readers, each bar's value in its tooltip, a legend, and the same figures as a table behind
//! the chart. It scales to its container, so it reads at 390 px as on a desktop.

use leptos::prelude::*;

/// One series of a chart: its name, colour, and a value per bar with how it reads.
#[derive(Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub values: Vec<f64>,
    pub shown: Vec<String>,
}

impl Series {
    fn at(&self, bar: usize) -> (f64, &str) {
        let value = self.values.get(bar).copied().unwrap_or(0.0);
        (value, self.shown.get(bar).map_or("", String::as_str))
    }
}

/// Tells charts' title and description ids apart.
static CHARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Colours for series, in order (readable on white, distinct for common colour blindness).
pub const PALETTE: [&str; 9] = [
    "#1f6f5c", "#e69f00", "#56b4e9", "#cc79a7", "#0072b2", "#d55e00", "#009e73", "#9a8c00",
    "#7f7f7f",
];

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 220.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;
/// Room either side for a label wider than its bar's slot ("Jan 2026" under the first bar).
const MARGIN: f64 = 12.0;

/// Bars labelled `labels` (every few shown when there are many), stacked from `series`.
#[component]
pub fn BarChart(
    title: String,
    description: String,
    labels: Vec<String>,
    series: Vec<Series>,
) -> impl IntoView {
    let id = format!(
        "chart-{}",
        CHARTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| series.iter().map(|s| s.at(i).0).sum())
        .collect();
    let every = labels.len().div_ceil(12).max(1);
    let most = totals.iter().copied().fold(0.0_f64, f64::max).max(1.0);
    let slot = WIDTH / labels.len().max(1) as f64;
    let bar = slot * 0.7;
    let scale = (HEIGHT - BOTTOM - TOP) / most;
    let bars = labels.iter().enumerate().map(|(i, label)| {
        let x = i as f64 * slot + (slot - bar) / 2.0;
        let mut base = HEIGHT - BOTTOM;
        let pieces = series
            .iter()
            .filter_map(|s| {
                let (value, shown) = s.at(i);
                (value > 0.0).then(|| {
                    let h = value * scale;
                    base -= h;
                    let tip = format!("{label} · {}: {shown}", s.name);
                    view! {
                        <rect x=x y=base width=bar height=h fill=s.color><title>{tip}</title></rect>
                    }
                })
            })
            .collect_view();
        let middle = x + bar / 2.0;
        view! {
            <g>
                {pieces}
                {(i % every == 0).then(|| view! {
                    <text x=middle y=HEIGHT - 8.0 text-anchor="middle" class="chart-label">{label.clone()}</text>
                })}
            </g>
        }
    });
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let labelled_by = format!("{title_id} {desc_id}");
    let legend = (series.len() > 1).then(|| {
        view! {
            <ul class="chart-legend">
                {series.iter().map(|s| view! {
                    <li><span class="swatch" style=format!("background:{}", s.color)></span>{s.name.clone()}</li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <figure class="chart">
            <svg viewBox=format!("{} 0 {} {HEIGHT}", -MARGIN, WIDTH + 2.0 * MARGIN) role="img"
                aria-labelledby=labelled_by>
                <title id=title_id>{title.clone()}</title>
                <desc id=desc_id>{description}</desc>
                <line x1="0" x2=WIDTH y1=HEIGHT - BOTTOM y2=HEIGHT - BOTTOM class="chart-axis" />
                {bars.collect_view()}
            </svg>
            {legend}
            <details class="chart-data">
                <summary>{title}</summary>
                <table class="report-table">
                    <thead><tr><th></th>{series.iter().map(|s| view! { <th>{s.name.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>{labels.iter().enumerate().map(|(i, label)| view! {
                        <tr><th>{label.clone()}</th>{series.iter().map(|s| view! {
                            <td>{s.at(i).1.to_owned()}</td>
                        }).collect_view()}</tr>
                    }).collect_view()}</tbody>
                </table>
            </details>
        </figure>
    }
}
