//! The new-customer form, with the model's validation said inline.

use crm_core::contact::ContactKind;
use crm_core::customer::{Lifecycle, NewContact, NewCustomer, Source};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::errors::error_text;
use super::{use_session, use_signals};
use crate::i18n::use_lang;
use crate::phone::{e164_of, warm_up};
use crate::ui::already_held::AlreadyHeld;

/// Creates a customer and opens its page; `on_done` closes the form.
#[component]
pub fn NewCustomerForm(on_done: impl Fn() + Copy + 'static) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let navigate = use_navigate();
    let field = || RwSignal::new(String::new());
    let (name, name_latin, company, title) = (field(), field(), field(), field());
    let (phone, email, wechat) = (field(), field(), field());
    let source = RwSignal::new(Source::Other);
    let lifecycle = RwSignal::new(Lifecycle::Lead);
    let error = RwSignal::new(None::<String>);

    let busy = RwSignal::new(false);
    warm_up();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let typed_phone = phone.get_untracked();
            let Ok(e164) = e164_of(ContactKind::Phone, &typed_phone).await else {
                busy.set(false);
                error.set(Some(lang.get_untracked().t().err_phone_unavailable.into()));
                return;
            };
            let contact = |kind, value: String, e164: Option<String>| {
                (!value.trim().is_empty()).then(|| NewContact {
                    kind,
                    value,
                    e164,
                    label: String::new(),
                    primary: true,
                })
            };
            let contacts = [
                contact(ContactKind::Phone, typed_phone, e164),
                contact(ContactKind::Email, email.get_untracked(), None),
                contact(ContactKind::WeChat, wechat.get_untracked(), None),
            ]
            .into_iter()
            .flatten()
            .collect();
            let new = NewCustomer {
                name: name.get_untracked(),
                name_latin: name_latin.get_untracked(),
                company: company.get_untracked(),
                title: title.get_untracked(),
                owner: signals.member.get_value(),
                source: source.get_untracked(),
                lifecycle: lifecycle.get_untracked(),
            };
            busy.set(false);
            match session.with_value(|s| s.create_customer(new, contacts)) {
                Ok(id) => {
                    on_done();
                    navigate(&format!("/customers/{id}"), Default::default());
                }
                Err(e) => error.set(Some(error_text(lang.get_untracked(), &e))),
            }
        });
    };

    let input = move |label: fn(&crate::i18n::Texts) -> &'static str,
                      value: RwSignal<String>,
                      kind: &'static str| {
        view! {
            <label class="field">
                <span>{move || label(lang.get().t())}</span>
                <input
                    type=kind
                    prop:value=value
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };

    view! {
        <form class="new-customer" on:submit=submit>
            <div class="form-grid">
                {input(|t| t.name, name, "text")}
                {input(|t| t.name_latin, name_latin, "text")}
                {input(|t| t.company, company, "text")}
                {input(|t| t.job_title, title, "text")}
                {input(|t| t.phone, phone, "tel")}
                <AlreadyHeld kind=Signal::stored(ContactKind::Phone) typed=phone />
                {input(|t| t.email, email, "email")}
                <AlreadyHeld kind=Signal::stored(ContactKind::Email) typed=email />
                {input(|t| t.wechat, wechat, "text")}
                <AlreadyHeld kind=Signal::stored(ContactKind::WeChat) typed=wechat />
                <label class="field">
                    <span>{move || lang.get().t().source}</span>
                    <select on:change=move |ev| source.set(Source::from_stored(&event_target_value(&ev)))>
                        {Source::ALL.iter().map(|s| view! {
                            <option value=s.as_str() selected=*s == Source::Other>
                                {move || lang.get().source(*s)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || lang.get().t().lifecycle}</span>
                    <select on:change=move |ev| lifecycle.set(Lifecycle::from_stored(&event_target_value(&ev)))>
                        {Lifecycle::ALL.iter().map(|l| view! {
                            <option value=l.as_str()>{move || lang.get().lifecycle(*l)}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="form-actions">
                <button type="button" on:click=move |_| on_done()>{move || lang.get().t().cancel}</button>
                <button type="submit" class="primary" disabled=busy>{move || lang.get().t().create}</button>
            </div>
        </form>
    }
}
