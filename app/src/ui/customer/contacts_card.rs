//! The customer's contact points of every kind: calling or writing from them, editing,
//! removing, choosing the preferred one of a kind, and adding one.

use std::collections::BTreeMap;

use crm_core::contact::ContactKind;
use crm_core::customer::{ContactEdit, ContactPoint, NewContact};
use crm_core::policy::Offer;
use crm_core::{CustomerDoc, Id};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::draft::{
    Draft, DraftForm, DraftInput, RowActions, RowButton, editing, opener, remover, save_entry,
};
use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
use crate::phone::{e164_of, warm_up};
use crate::ui::already_held::AlreadyHeld;
use crate::ui::fields::QuickInput;

/// Contact points, primary first within each kind; phones and e-mails are links.
#[component]
pub(super) fn ContactsCard(
    customer_id: String,
    items: BTreeMap<String, ContactPoint>,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let mut items: Vec<_> = items.into_iter().collect();
    items.sort_by(|(a_id, a), (b_id, b)| {
        (a.kind, !a.primary, a_id).cmp(&(b.kind, !b.primary, b_id))
    });
    view! {
        <section class="card contacts-card" on:pointerdown=mark(inputs, "contacts") on:focusin=mark(inputs, "contacts")>
            <h2>{move || lang.get().t().contacts}</h2>
            <ul class="contacts">
                {items.into_iter().map(|(id, c)| view! { <ContactRow id c offer edit inputs /> }).collect_view()}
            </ul>
            {move || offer.get().edit().then(|| view! { <AddContact customer_id=customer_id.clone() edit inputs /> })}
            <ErrorHere inputs place="contacts" />
        </section>
    }
}

/// One contact point, or its editor while it is open.
#[component]
fn ContactRow(
    id: String,
    c: ContactPoint,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let (draft, error) = (inputs.draft, inputs.error);
    let key = format!("contact:{id}");
    let kind = c.kind;
    let href = match kind {
        ContactKind::Phone => Some(format!("tel:{}", c.normalized)),
        ContactKind::Email => Some(format!("mailto:{}", c.normalized)),
        _ => None,
    };
    let open = opener(
        inputs,
        key.clone(),
        vec![("value", c.value.clone()), ("label", c.label.clone())],
    );
    let on_edit = Callback::new(move |()| {
        if kind == ContactKind::Phone {
            warm_up();
        }
        open.run(());
    });
    let on_remove = remover(edit, lang, id.clone(), CustomerDoc::remove_contact);
    let primary = {
        let id = id.clone();
        move || {
            let id = id.clone();
            edit.run(Box::new(move |doc, stamp| doc.make_primary(&id, stamp)));
        }
    };
    let on_save = Callback::new(move |d: Draft| {
        let id = id.clone();
        spawn_local(async move {
            let mut edits = Vec::new();
            for (field, typed) in d.changed() {
                edits.push(match field.as_str() {
                    "value" => match e164_of(kind, &typed).await {
                        Ok(e164) => ContactEdit::Value { value: typed, e164 },
                        Err(_) => {
                            return error
                                .set(Some(lang.get_untracked().t().err_phone_unavailable.into()));
                        }
                    },
                    _ => ContactEdit::Label(typed),
                });
            }
            save_entry(edit, inputs, id, edits, CustomerDoc::edit_contact);
        });
    });
    view! {
        <li class="contact" data-kind=kind.as_str()>
            {move || match editing(draft, &key) {
                true => view! {
                    <DraftForm draft on_save>
                        <div class="draft-grid">
                            <DraftInput draft field="value" label=|t| t.contact_value kind=if kind == ContactKind::Phone { "tel" } else { "text" } />
                            <DraftInput draft field="label" label=|t| t.contact_label />
                        </div>
                    </DraftForm>
                }.into_any(),
                false => {
                    let (value, label, primary) = (c.value.clone(), c.label.clone(), primary.clone());
                    view! {
                        <span class="contact-kind">{move || lang.get().contact_kind(kind)}</span>
                        {match href.clone() {
                            Some(href) => view! { <a href=href class="contact-value">{value}</a> }.into_any(),
                            None => view! { <span class="contact-value">{value}</span> }.into_any(),
                        }}
                        {(!label.is_empty()).then(|| view! { <span class="muted contact-label">{label}</span> })}
                        {c.primary.then(|| view! { <span class="chip primary-chip">{move || lang.get().t().primary}</span> })}
                        {move || offer.get().edit().then(|| {
                            let primary = primary.clone();
                            view! {
                                {(!c.primary).then(|| view! { <RowButton label=|t| t.make_primary glyph="☆" on_click=primary /> })}
                                <RowActions on_edit on_remove=Some(on_remove) />
                            }
                        })}
                    }.into_any()
                }
            }}
        </li>
    }
}

/// Adds a contact point of any kind; the first of its kind becomes the primary one.
#[component]
fn AddContact(customer_id: String, edit: Edit, inputs: Inputs) -> impl IntoView {
    let lang = use_lang();
    let (kind, value, label, error) = (
        inputs.contact_kind,
        inputs.contact_value,
        inputs.contact_label,
        inputs.error,
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (kind, typed, label) = (
            kind.get_untracked(),
            value.get_untracked(),
            label.get_untracked(),
        );
        spawn_local(async move {
            let Ok(e164) = e164_of(kind, &typed).await else {
                error.set(Some(lang.get_untracked().t().err_phone_unavailable.into()));
                return;
            };
            let new = NewContact {
                kind,
                value: typed,
                e164,
                label,
                primary: false,
            };
            edit.run(Box::new(move |doc, stamp| {
                let first = doc.customer()?.contacts.values().all(|c| c.kind != kind);
                doc.add_contact(
                    &Id::random(),
                    NewContact {
                        primary: first,
                        ..new
                    },
                    stamp,
                )
            }));
            if error.get_untracked().is_none() {
                value.set(String::new());
                inputs.contact_label.set(String::new());
            }
        });
    };
    view! {
        <form class="inline-fields add-contact" on:submit=submit>
            <select
                aria-label=move || lang.get().t().contact_kind
                on:change=move |ev| {
                    let picked = ContactKind::from_stored(&event_target_value(&ev));
                    if picked == ContactKind::Phone {
                        warm_up();
                    }
                    kind.set(picked);
                }
            >
                {ContactKind::ALL.iter().map(|k| view! {
                    <option value=k.as_str() selected=move || kind.get() == *k>{move || lang.get().contact_kind(*k)}</option>
                }).collect_view()}
            </select>
            <QuickInput label=|t| t.contact_value value />
            <QuickInput label=|t| t.contact_label value=label />
            <button type="submit">{move || lang.get().t().add_contact}</button>
            <AlreadyHeld kind=Signal::from(kind) typed=value except=customer_id />
        </form>
    }
}
