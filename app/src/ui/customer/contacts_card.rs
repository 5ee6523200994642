//! The customer's contact points.

use std::collections::BTreeMap;

use crm_core::contact::ContactKind;
use crm_core::customer::ContactPoint;
use leptos::prelude::*;

use crate::i18n::use_lang;

/// Contact points; phones and e-mails are links that call or write.
#[component]
pub(super) fn ContactsCard(items: BTreeMap<String, ContactPoint>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{move || lang.get().t().contacts}</h2>
            <ul class="contacts">
                {items.into_values().map(|c| {
                    let kind = c.kind;
                    let href = match kind {
                        ContactKind::Phone => Some(format!("tel:{}", c.normalized)),
                        ContactKind::Email => Some(format!("mailto:{}", c.normalized)),
                        _ => None,
                    };
                    let value = c.value.clone();
                    view! {
                        <li class="contact">
                            <span class="contact-kind">{move || lang.get().contact_kind(kind)}</span>
                            {match href {
                                Some(href) => view! { <a href=href class="contact-value">{value}</a> }.into_any(),
                                None => view! { <span class="contact-value">{value}</span> }.into_any(),
                            }}
                            {c.primary.then(|| view! { <span class="chip primary-chip">{move || lang.get().t().primary}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
