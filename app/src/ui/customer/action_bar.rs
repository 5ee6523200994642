//! The customer page's actions within a thumb's reach on phones: call the preferred phone, copy
//! the WeChat id, log an interaction, add a follow-up — a bar fixed above the navigation.

use std::collections::BTreeMap;

use crm_core::contact::ContactKind;
use crm_core::customer::ContactPoint;
use crm_core::policy::Offer;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::use_lang;

/// The bar, for the customer's contact points.
#[component]
pub(super) fn ActionBar(
    contacts: BTreeMap<String, ContactPoint>,
    offer: Memo<Offer>,
) -> impl IntoView {
    let lang = use_lang();
    let phone = preferred(&contacts, ContactKind::Phone).map(|c| format!("tel:{}", c.normalized));
    let wechat = preferred(&contacts, ContactKind::WeChat).map(|c| c.value.clone());
    let copied = RwSignal::new(false);
    view! {
        <nav class="action-bar" aria-label=move || lang.get().t().actions>
            {phone.map(|href| view! {
                // A button, not a second tel: link beside the contact card's.
                <button type="button" class="action call" on:click=move |_| {
                    let _dialing_is_the_browsers = window().location().set_href(&href);
                }>"☎ " {move || lang.get().t().call}</button>
            })}
            {wechat.map(|id| view! {
                <button type="button" class="action" on:click=move |_| {
                    let clipboard = window().navigator().clipboard();
                    let _pending = clipboard.write_text(&id);
                    copied.set(true);
                }>
                    {move || match copied.get() {
                        true => lang.get().t().copied,
                        false => lang.get().t().copy_wechat,
                    }}
                </button>
            })}
            // Logging and following up only where the member may change the customer.
            {move || offer.get().edit().then(|| view! {
                <button type="button" class="action" on:click=move |_| focus(".log-card textarea")>
                    "✎ " {move || lang.get().t().log_short}
                </button>
                <button type="button" class="action" on:click=move |_| focus(".follow-ups-card form input")>
                    "+ " {move || lang.get().t().follow_up_short}
                </button>
            })}
        </nav>
    }
}

/// The preferred contact point of `kind` (the first one when none is preferred).
fn preferred(
    contacts: &BTreeMap<String, ContactPoint>,
    kind: ContactKind,
) -> Option<&ContactPoint> {
    let mut of_kind = contacts.values().filter(|c| c.kind == kind);
    of_kind
        .clone()
        .find(|c| c.primary)
        .or_else(|| of_kind.next())
}

/// Moves the focus (and the view) to the first element `selector` finds.
fn focus(selector: &str) {
    let found = document().query_selector(selector).ok().flatten();
    if let Some(element) = found.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _focus_is_best_effort = element.focus();
    }
}
