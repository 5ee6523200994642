//! "Already a customer": while a phone, e-mail or social handle is typed, the customers that
//! hold it already (from the rows on this device, offline too) — so nobody makes a second
//! record of one person, or works a teammate's customer without knowing (撞单).

use crm_core::contact::{ContactKind, normalize};
use crm_core::search::holding;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{member_name, use_signals};
use crate::i18n::use_lang;
use crate::phone::e164_of;

/// The customers holding `typed` as a contact point of `kind`, each with a link.
#[component]
pub fn AlreadyHeld(
    kind: Signal<ContactKind>,
    typed: RwSignal<String>,
    /// The customer being edited, not a duplicate of itself.
    #[prop(optional)]
    except: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    // The typed value as stored (a phone as E.164), once known; answers to older keystrokes
    // are dropped.
    let key = RwSignal::new(None::<(ContactKind, String)>);
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (kind, value) = (kind.get(), typed.get());
        let ticket = asked.get_value() + 1;
        asked.set_value(ticket);
        if kind == ContactKind::Address || value.trim().is_empty() {
            key.set(None);
            return;
        }
        spawn_local(async move {
            let e164 = e164_of(kind, &value).await.ok().flatten();
            let normalized = normalize(kind, &value, e164.as_deref())
                .ok()
                .map(|(_, n)| n);
            if asked.get_value() == ticket {
                key.set(normalized.map(|n| (kind, n)));
            }
        });
    });
    let found = Memo::new(move |_| {
        let Some((kind, normalized)) = key.get() else {
            return Vec::new();
        };
        signals.rows.with(|rows| {
            (holding(rows, kind, &normalized).into_iter())
                .filter(|row| except.as_ref() != Some(&row.id))
                .map(|row| (row.id.clone(), row.name.clone(), row.owner.clone()))
                .collect::<Vec<_>>()
        })
    });
    move || {
        (!found.with(Vec::is_empty)).then(|| {
            view! {
                <p class="already-held" role="status">
                    {move || lang.get().t().already_held} " "
                    {found.get().into_iter().map(|(id, name, owner)| view! {
                        <span class="held-by">
                            <strong>{name}</strong>
                            " (" {move || lang.get().t().owner} ": " {member_name(signals, &owner)} ") — "
                            <a href=format!("/customers/{id}")>{move || lang.get().t().open_customer}</a>
                        </span>
                    }).collect_view()}
                </p>
            }
        })
    }
}
