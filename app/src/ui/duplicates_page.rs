//! The duplicates screen (managers and admins): pairs of customers that look like one person
//! (`crm_core::dedup`) — a shared phone, e-mail or handle, or a name (Chinese against pinyin)
//! with the same company — most certain first, each with its reasons, both customers to open,
//! "Merge…" (`merge_page`), and "Not the same person", which the team remembers in the
//! workspace document.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crm_core::Id;
use crm_core::customer::SummaryRow;
use crm_core::dedup::{self, Pair, Reason};
use leptos::prelude::*;

use super::errors::edit_workspace;
use super::{member_name, use_session, use_signals};
use crate::i18n::{Lang, use_lang};
use crate::session::SessionSignals;

/// Pairs listed at once.
const SHOWN: usize = 100;

/// The pairs among the workspace's rows, scanned when first read (the duplicates screen) and
/// again on its next read after the rows change. Made with the workspace, so the scan stays in
/// the app's main module with the rows it reads: from the screen's own module, each of its
/// calls into the main module crosses wasm instances (at 100,000 rows, ~420 ms became ~560).
#[derive(Clone, Copy)]
pub struct Scan(Memo<Vec<Pair>>);

/// Provides the workspace's [`Scan`].
pub fn provide_scan(signals: SessionSignals) {
    provide_context(Scan(Memo::new(move |_| {
        let dismissed: BTreeSet<String> = signals.workspace.with(|ws| {
            (ws.iter()
                .flat_map(|w| w.not_duplicates.iter().flat_map(|d| d.keys())))
            .cloned()
            .collect()
        });
        signals
            .rows
            .with(|rows| crate::browser::timed("duplicates", || dedup::pairs(rows, &dismissed)))
    })));
}

/// The duplicates page.
#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let error = RwSignal::new(None::<String>);
    let Scan(pairs) = expect_context();
    let dismiss = move |(a, b): (String, String)| {
        let (Ok(a), Ok(b)) = (Id::parse(&a), Id::parse(&b)) else {
            return;
        };
        let stamp = session.with_value(|s| s.stamp());
        edit_workspace(session, lang, error, |ws| {
            ws.dismiss_duplicate(&a, &b, &stamp)
        });
    };
    move || {
        let lang = lang.get();
        let t = lang.t();
        let pairs = pairs.get();
        let total = pairs.len();
        // The shown pairs' customers, in one pass over the rows.
        let wanted: BTreeSet<&str> = (pairs.iter().take(SHOWN))
            .flat_map(|p| [p.ids.0.as_str(), p.ids.1.as_str()])
            .collect();
        let customers: HashMap<String, Arc<SummaryRow>> = signals.rows.with_untracked(|rows| {
            (rows.iter())
                .filter(|r| wanted.contains(r.id.as_str()))
                .map(|r| (r.id.clone(), r.clone()))
                .collect()
        });
        view! {
            <section class="card duplicates-page">
                <div class="card-head">
                    <h1>{t.dup_title}</h1>
                    <span class="count" data-testid="duplicate-count">{total}</span>
                </div>
                {error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                {(total == 0).then(|| view! { <p class="empty">{t.dup_none}</p> })}
                <ul class="duplicate-pairs">
                    {pairs.iter().take(SHOWN).map(|pair| pair_view(lang, signals, &customers, pair, dismiss)).collect_view()}
                </ul>
                {(total > SHOWN).then(|| view! { <p class="muted">{t.dup_more}</p> })}
            </section>
        }
    }
}

/// One pair: both customers, why they look alike, how sure, and the dismissal.
fn pair_view(
    lang: Lang,
    signals: crate::session::SessionSignals,
    customers: &HashMap<String, Arc<SummaryRow>>,
    pair: &Pair,
    dismiss: impl Fn((String, String)) + Copy + 'static,
) -> AnyView {
    let t = lang.t();
    let side = |id: &str| {
        customers.get(id).map(|row| view! {
            <a class="duplicate-side" href=format!("/customers/{}", row.id)>
                <strong>{row.name.clone()}</strong> " " <span class="latin">{row.name_latin.clone()}</span>
                <span class="muted">{
                    [row.company.clone(), member_name(signals, &row.owner)]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · ")
                }</span>
            </a>
        })
    };
    let reasons: Vec<String> = (pair.reasons.iter())
        .map(|r| match r {
            Reason::Shared(kind) => format!("{} {}", t.dup_same, lang.contact_kind(*kind)),
            Reason::Name => t.dup_same_name.to_owned(),
            Reason::Company => t.dup_same_company.to_owned(),
        })
        .collect();
    let ids = pair.ids.clone();
    view! {
        <li class="duplicate-pair" data-pair=dedup::pair_key(&pair.ids.0, &pair.ids.1)>
            <div class="duplicate-sides">{side(&pair.ids.0)} {side(&pair.ids.1)}</div>
            <div class="duplicate-why">
                {reasons.into_iter().map(|r| view! { <span class="chip">{r}</span> }).collect_view()}
                <span class="muted">{format!("{} {}%", t.dup_sure, pair.confidence)}</span>
                <a class="button" href=format!("/merge/{}/{}", pair.ids.0, pair.ids.1)>{t.merge_action}</a>
                <button type="button" on:click=move |_| dismiss(ids.clone())>{t.dup_dismiss}</button>
            </div>
        </li>
    }
    .into_any()
}
