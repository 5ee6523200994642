//! Signing in: the screen shown when this device keeps no sign-in, and the login-link form it
//! shares with the account menu. There is never a default member.

use leptos::prelude::*;

use crate::config::{Config, InvitationLink, LinkError};
use crate::i18n::{Texts, use_lang};
use crate::sign_ins;

/// The message explaining why a link does not sign in.
pub fn link_error_text(t: &Texts, error: LinkError) -> &'static str {
    match error {
        LinkError::NoToken => t.link_no_token,
        LinkError::Unreadable => t.link_unreadable,
        LinkError::OtherWorkspace => t.link_other_workspace,
        LinkError::ForeignEdge => t.link_foreign_edge,
        LinkError::InvitationSpent => t.link_invitation_spent,
        LinkError::InvitationExpired => t.link_invitation_expired,
        LinkError::Offline => t.link_offline,
        LinkError::Deactivated => t.link_deactivated,
    }
}

/// The whole page for a device that is not signed in to any workspace; `error` says why the
/// link it was opened with did not sign in.
#[component]
pub fn SignInPage(error: Option<LinkError>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card sign-in">
            <h1>{move || lang.get().t().sign_in_title}</h1>
            <p>{move || lang.get().t().sign_in_intro}</p>
            <LinkForm error />
            <p class="muted">{move || lang.get().t().sign_in_dev_hint}</p>
        </section>
    }
}

/// A field to paste a login link into; a good one is kept and opened.
#[component]
pub fn LinkForm(#[prop(optional_no_strip)] error: Option<LinkError>) -> impl IntoView {
    let lang = use_lang();
    let link = RwSignal::new(String::new());
    let error = RwSignal::new(error);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = link.get_untracked();
        match InvitationLink::from_link(&typed) {
            Ok(Some(invitation)) => {
                return leptos::task::spawn_local(async move {
                    match crate::team::redeem(&invitation).await {
                        Ok(config) => {
                            sign_ins::remember(&config);
                            open_home();
                        }
                        Err(problem) => error.set(Some(problem)),
                    }
                });
            }
            Err(problem) => return error.set(Some(problem)),
            Ok(None) => {}
        }
        match Config::from_link(&typed) {
            Ok(Some(config)) => {
                sign_ins::remember(&config);
                open_home();
            }
            Ok(None) => error.set(Some(LinkError::NoToken)),
            Err(problem) => error.set(Some(problem)),
        }
    };
    view! {
        <form class="link-form" on:submit=submit>
            <input
                type="url"
                aria-label=move || lang.get().t().login_link
                placeholder=move || lang.get().t().login_link
                prop:value=link
                on:input=move |ev| {
                    error.set(None);
                    link.set(event_target_value(&ev));
                }
            />
            <button class="primary" type="submit">{move || lang.get().t().sign_in}</button>
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="form-error" role="alert">
                                {link_error_text(lang.get().t(), e)}
                            </p>
                        }
                    })
            }}
        </form>
    }
}

/// Reloads the app at its home page, opening the sign-in in use.
pub fn open_home() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign("/");
    }
}
