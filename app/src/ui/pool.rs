//! The public pool (公海) on the list: a customer nobody owns carries a "Pool" chip, and a
//! salesperson of a scoped team claims it there — the edge gives it to the first claimer
//! (within the team's cap) and their devices receive it at once; a later claimer is told who
//! was first.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{member_name, use_session, use_signals};
use crate::i18n::use_lang;
use crate::team::{self, CallError};

/// What became of a claim.
#[derive(Debug, Clone, PartialEq)]
enum Claim {
    Idle,
    Sent,
    Done,
    Refused(String),
}

/// The chip of a pool customer, with a claim button for salespeople.
#[component]
pub fn PoolChip(id: String) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let sales = signals.role.get_value() == crm_core::workspace::Role::Sales;
    let claim = RwSignal::new(Claim::Idle);
    let send = move |ev: leptos::ev::MouseEvent| {
        // The button sits in the row's link.
        ev.prevent_default();
        ev.stop_propagation();
        let (config, id) = (session.with_value(|s| s.config()), id.clone());
        claim.set(Claim::Sent);
        spawn_local(async move {
            let t = lang.get_untracked().t();
            claim.set(match team::claim(&config, &id).await {
                Ok(()) => Claim::Done,
                Err(CallError::Refused(409, reason)) => {
                    let owner = reason.rsplit(' ').next().unwrap_or_default();
                    Claim::Refused(format!("{} {}", t.pool_taken, member_name(signals, owner)))
                }
                Err(CallError::Refused(403, _)) => Claim::Refused(t.pool_cap.to_owned()),
                Err(CallError::Refused(status, reason)) => {
                    Claim::Refused(format!("{status} · {reason}"))
                }
                Err(CallError::Offline) => Claim::Refused(t.team_offline.to_owned()),
            });
        });
    };
    view! {
        <span class="chip pool">{move || lang.get().t().pool}</span>
        {sales.then(|| view! {
            {move || match claim.get() {
                Claim::Idle | Claim::Sent => view! {
                    <button type="button" class="claim" disabled=move || claim.get() == Claim::Sent on:click=send.clone()>
                        {move || lang.get().t().pool_claim}
                    </button>
                }.into_any(),
                Claim::Done => view! { <span class="muted">{move || lang.get().t().pool_claimed}</span> }.into_any(),
                Claim::Refused(why) => view! { <span class="form-error" role="alert">{why}</span> }.into_any(),
            }}
        })}
    }
}
