//! The audit trail as people read it: a customer's History card (who owned the customer when,
//! from its document, on any device; who changed what, when, and what the edge decided), and
//! the entry line the admin's audit screen lists too.

use crm_core::audit::{AuditEntry, Decision, Numbered};
use leptos::prelude::*;

use super::on_demand::{self, OnDemand};
use super::{member_name, use_session, use_signals};
use crate::audit_trail::{self, TrailError};
use crate::i18n::{Lang, Texts, use_lang};
use crate::session::SessionSignals;

/// The last changes to customer `customer_id`, read from the edge each time the card opens
/// (what draws them is loaded on demand: `on_demand::history_entries`).
#[component]
pub fn HistoryCard(customer_id: String) -> impl IntoView {
    let lang = use_lang();
    let opened = RwSignal::new(0u32);
    let toggled = move |ev: leptos::ev::Event| {
        let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        if open {
            opened.update(|n| *n += 1);
        }
    };
    view! {
        <details class="card history" on:toggle=toggled>
            <summary><h2>{move || lang.get().t().history}</h2></summary>
            <Show when=move || opened.get() != 0>
                <OnDemand load={
                    let id = customer_id.clone();
                    move || on_demand::history_entries(id.clone(), opened)
                } />
            </Show>
        </details>
    }
}

/// Who owned customer `customer_id` when, and its last audit entries, read again each time
/// `opened` counts another opening.
#[component]
pub fn HistoryEntries(customer_id: String, opened: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let owners = {
        let id = customer_id.clone();
        move || {
            opened.track();
            session.with_value(|s| s.owner_history(&id))
        }
    };
    let entries = LocalResource::new(move || {
        opened.track();
        let config = session.with_value(|s| s.config());
        let query = format!("doc={customer_id}&limit=30");
        async move { audit_trail::read(&config, &query).await }
    });
    view! {
        <ol class="owner-history">
            {move || owners().into_iter().map(|change| {
                let from = (!change.from.is_empty()).then(|| member_name(signals, &change.from));
                let to = member_name(signals, &change.to);
                let by = member_name(signals, &change.by);
                view! {
                    <li>
                        {move || lang.get().t().owner} ": "
                        {from.clone().map(|f| format!("{f} → "))}
                        <strong>{to.clone()}</strong>
                        <span class="muted">{format!(" · {by} · ")} {move || lang.get().date_time(change.at)}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
        {move || match entries.get() {
            None => view! { <p class="muted">{lang.get().t().opening}</p> }.into_any(),
            Some(Err(error)) => view! { <p class="muted">{trail_error(lang.get().t(), error)}</p> }.into_any(),
            Some(Ok(entries)) => view! { <EntryList entries show_doc=false /> }.into_any(),
        }}
    }
}

/// Audit entries, newest first; `show_doc`: each names its customer (a link) or the
/// workspace.
#[component]
pub fn EntryList(entries: Vec<Numbered>, show_doc: bool) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let empty = entries.is_empty();
    view! {
        {empty.then(|| view! { <p class="empty">{move || lang.get().t().history_empty}</p> })}
        <ol class="audit-entries">
            {entries
                .into_iter()
                .map(|Numbered { entry, .. }| {
                    let who = member_name(signals, &entry.member);
                    let doc = show_doc.then(|| doc_link(signals, lang, &entry.doc_id));
                    let kind = decision_kind(&entry.decision);
                    let created = entry.created;
                    let entry_for_text = entry.clone();
                    let what = move || what(lang.get().t(), &entry_for_text);
                    let at = entry.at;
                    let decision = entry.decision.clone();
                    view! {
                        <li class="audit-entry" data-decision=kind>
                            <p class="event-head">
                                <strong>{who}</strong>
                                " · "
                                <span class="chip decision">{move || decision_text(lang.get(), &decision)}</span>
                                {doc}
                            </p>
                            <p class="event-text">
                                {move || match created {
                                    true => view! { <span>{what()}</span> }.into_any(),
                                    false => view! { <code>{what()}</code> }.into_any(),
                                }}
                            </p>
                            <time class="muted">{move || lang.get().date_time(at)}</time>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The entries a change touched (or that it created the document), and (put back or
/// refused) why.
fn what(t: &Texts, entry: &AuditEntry) -> String {
    let mut text = match entry.created {
        true => t.history_created.to_owned(),
        false => entry.paths.join(", "),
    };
    if entry.more > 0 {
        text.push_str(&format!(" (+{})", entry.more));
    }
    match &entry.decision {
        Decision::Accepted => text,
        Decision::Restored { entries } => {
            let reasons: Vec<String> = entries.iter().map(|(p, r)| format!("{p}: {r}")).collect();
            format!("{text} — {}", reasons.join("; "))
        }
        Decision::Refused { reason } => format!("{text} — {reason}"),
    }
}

fn decision_kind(decision: &Decision) -> &'static str {
    match decision {
        Decision::Accepted => "accepted",
        Decision::Restored { .. } => "restored",
        Decision::Refused { .. } => "refused",
    }
}

fn decision_text(lang: Lang, decision: &Decision) -> &'static str {
    let t = lang.t();
    match decision {
        Decision::Accepted => t.decision_accepted,
        Decision::Restored { .. } => t.decision_restored,
        Decision::Refused { .. } => t.decision_refused,
    }
}

/// Why the trail could not be shown.
pub fn trail_error(t: &Texts, error: TrailError) -> &'static str {
    match error {
        TrailError::Offline => t.history_offline,
        TrailError::Status(403) => t.admins_only,
        TrailError::Status(_) => t.history_offline,
    }
}

/// The document an entry concerns: a link to the customer (by name when the list has it), or
/// the workspace.
fn doc_link(signals: SessionSignals, lang: RwSignal<Lang>, doc_id: &str) -> impl IntoView + use<> {
    let name = signals.rows.with_untracked(|rows| {
        rows.iter()
            .find(|row| row.id == doc_id)
            .map(|row| row.name.clone())
    });
    let href = format!("/customers/{doc_id}");
    let customer = doc_id != crm_core::replica::WORKSPACE_DOC_ID;
    view! {
        " · "
        {match customer {
            true => view! { <a href=href>{name.unwrap_or_else(|| doc_id.to_owned())}</a> }.into_any(),
            false => view! { <span>{move || lang.get().t().workspace_document}</span> }.into_any(),
        }}
    }
}
