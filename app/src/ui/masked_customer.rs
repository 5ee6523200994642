//! A customer this device may list but not open: one of the pool's, or — in a team scoped to
//! `listed` — a colleague's. Shown as the edge's masked row: who it is, who owns it, the
//! contact points' masked forms; claimable when in the pool.

use std::sync::Arc;

use crm_core::customer::SummaryRow;
use leptos::prelude::*;

use super::pool::PoolChip;
use super::{member_name, use_signals};
use crate::i18n::use_lang;

/// The masked row `row`, as a page.
#[component]
pub fn MaskedCustomer(row: Arc<SummaryRow>) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let pooled = row.owner.is_empty();
    let owner = member_name(signals, &row.owner);
    let lifecycle = row.lifecycle;
    view! {
        <section class="card masked-customer" data-testid="masked-customer">
            <h1>
                {row.name.clone()} " "
                <span class="latin">{row.name_latin.clone()}</span>
            </h1>
            <p class="muted">{row.company.clone()}</p>
            <p class="chips">
                {pooled.then(|| view! { <PoolChip id=row.id.clone() /> })}
                <span class="chip stage" data-stage=lifecycle.as_str()>
                    {move || lang.get().lifecycle(lifecycle)}
                </span>
                {row.tags.iter().map(|t| view! { <span class="chip">{t.clone()}</span> }).collect_view()}
            </p>
            <ul class="contacts">
                {row.contact_keys.iter().map(|(kind, value)| {
                    let kind = *kind;
                    view! {
                        <li class="contact" data-kind=kind.as_str()>
                            <span class="contact-kind">{move || lang.get().contact_kind(kind)}</span>
                            <span class="contact-value masked">{value.clone()}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="masked-note" role="note">
                {move || match pooled {
                    true => lang.get().t().masked_pool.to_owned(),
                    false => format!("{} {owner}", lang.get().t().masked_owned),
                }}
            </p>
        </section>
    }
}
