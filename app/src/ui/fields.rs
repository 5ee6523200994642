//! The small text field of the quick-add forms: labelled and hinted by the same message.

use leptos::prelude::*;

use crate::i18n::{Texts, use_lang};

/// A one-line input bound to `value`, its accessible name and placeholder the message
/// `label` picks.
#[component]
pub fn QuickInput(
    label: fn(&Texts) -> &'static str,
    value: RwSignal<String>,
    /// Extra class, e.g. `amount`.
    #[prop(optional)]
    class: &'static str,
    /// `inputmode` hint for on-screen keyboards, e.g. `decimal`.
    #[prop(optional)]
    inputmode: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <input
            type="text"
            class=class
            inputmode=(!inputmode.is_empty()).then_some(inputmode)
            aria-label=move || label(lang.get().t())
            placeholder=move || label(lang.get().t())
            prop:value=value
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}
