//! Handing a member's customers and open follow-ups over to another member, in one action:
//! what it concerns is counted from the rows on this device before anyone confirms, and
//! progress is shown while the customers are edited (managers and admins).

use crm_core::customer::Handover;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::use_lang;
use crate::session::HandedOver;
use crate::ui::{member_choices, use_session, use_signals};

/// The panel for member `from`.
#[component]
pub(super) fn HandoverPanel(from: String) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let concerned = {
        let from = from.clone();
        Memo::new(move |_| {
            signals
                .rows
                .with(|rows| Handover::of(rows.iter().map(|r| &**r), &from))
        })
    };
    let members = member_choices(signals);
    let active = move || {
        signals.workspace.with(|ws| {
            ws.as_ref()
                .map(|w| {
                    w.members
                        .iter()
                        .filter(|(_, m)| m.active)
                        .map(|(id, _)| id.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let to = RwSignal::new(String::new());
    let progress = RwSignal::new(None::<usize>);
    let result = RwSignal::new(None::<HandedOver>);
    let start = {
        let from = from.clone();
        move |_| {
            let (from, target) = (from.clone(), to.get_untracked());
            let ids = concerned.get_untracked().ids;
            let session = session.get_value();
            progress.set(Some(0));
            spawn_local(async move {
                let done = session
                    .hand_over(&from, &target, &ids, |n| progress.set(Some(n)))
                    .await;
                progress.set(None);
                result.set(Some(done));
            });
        }
    };
    let from_for_options = from.clone();
    view! {
        <div class="handover">
            {move || {
                let Handover { customers, follow_ups, ids } = concerned.get();
                let t = lang.get().t();
                match (result.get(), ids.is_empty()) {
                    (Some(done), _) => format!(
                        "{} {} {} · {} {}{}",
                        t.team_handed, done.customers, t.team_customers_n, done.follow_ups, t.team_follow_ups_n,
                        if done.failed > 0 { format!(" · {} {}", done.failed, t.team_handover_failed) } else { String::new() },
                    ),
                    (None, true) => t.team_nothing_to_hand_over.to_owned(),
                    (None, false) => format!("{customers} {} · {follow_ups} {}", t.team_customers_n, t.team_follow_ups_n),
                }
            }}
            {move || (result.get().is_none() && !concerned.with(|c| c.ids.is_empty())).then(|| {
                let from = from_for_options.clone();
                view! {
                    <div class="inline-fields">
                        <select
                            aria-label=move || lang.get().t().team_hand_over_to
                            on:change=move |ev| to.set(event_target_value(&ev))
                        >
                            <option value="" selected=move || to.get().is_empty()>
                                {move || lang.get().t().team_hand_over_to}
                            </option>
                            {active().into_iter().filter(|id| *id != from).map(|id| {
                                let name = members.with(|m| m.iter().find(|(m, _)| *m == id).map(|(_, n)| n.clone())).unwrap_or_else(|| id.clone());
                                view! { <option value=id.clone() selected=move || to.get() == id>{name}</option> }
                            }).collect_view()}
                        </select>
                        <button
                            type="button"
                            class="primary"
                            disabled=move || to.get().is_empty() || progress.get().is_some()
                            on:click=start.clone()
                        >
                            {move || match progress.get() {
                                Some(n) => format!("{n} / {}", concerned.with(|c| c.ids.len())),
                                None => lang.get().t().team_hand_over_confirm.to_owned(),
                            }}
                        </button>
                    </div>
                }
            })}
        </div>
    }
}
