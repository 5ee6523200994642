//! The account menu in the top bar: who is signed in to which workspace, a switch to the
//! other workspaces this device is signed in to, another sign-in, and signing out (keeping or
//! deleting this device's data of the workspace).

use leptos::prelude::*;

use crate::i18n::use_lang;
use crate::sign_ins;
use crate::ui::sign_in::{LinkForm, open_home};
use crate::ui::{member_name, use_session, use_signals};
use crm_core::workspace::Role;

/// The signed-in member's menu.
#[component]
pub fn AccountMenu() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let config = use_session().with_value(|s| s.config());
    let workspace = config.workspace.clone();
    let member = signals.member.get_value();
    let role = move || lang.get().role(signals.role.get_value());
    let team = Signal::derive(move || {
        signals
            .workspace
            .with(|ws| ws.as_ref().map(|ws| ws.name.clone()))
            .unwrap_or_else(|| config.workspace.clone())
    });
    let others: Vec<_> = sign_ins::all()
        .into_iter()
        .filter(|c| c.workspace != workspace)
        .collect();
    let sign_out = {
        let workspace = workspace.clone();
        move |_| {
            sign_ins::sign_out(&workspace, false);
            open_home();
        }
    };
    let sign_out_delete = move |_| {
        let t = lang.get_untracked().t();
        let mut question = t
            .confirm_delete
            .replace("{workspace}", &team.get_untracked());
        let unsynced = signals.unconfirmed.get_untracked();
        if unsynced > 0 {
            question.push(' ');
            question.push_str(&t.unsynced_lost.replace("{n}", &unsynced.to_string()));
        }
        let confirmed = web_sys::window()
            .and_then(|w| w.confirm_with_message(&question).ok())
            .unwrap_or(false);
        if confirmed {
            sign_ins::sign_out(&workspace, true);
            open_home();
        }
    };
    let admin = signals.role.get_value() == Role::Admin;
    // Follows the workspace: a member who just joined is named once its document arrives.
    let name = Signal::derive(move || member_name(signals, &member));
    let initial = move || name.with(|n| n.chars().next().map(String::from).unwrap_or_default());
    view! {
        <details class="account-menu">
            <summary aria-label=move || lang.get().t().account_menu>
                <span class="avatar small" aria-hidden="true">{initial}</span>
                <span class="account-name">{name}</span>
            </summary>
            <div class="account-panel">
                <p class="account-who">
                    <strong>{name}</strong>
                    " · "
                    {role}
                    <br />
                    <span class="muted">{team}</span>
                </p>
                {(!others.is_empty())
                    .then(|| {
                        view! {
                            <p class="muted">{move || lang.get().t().other_workspaces}</p>
                            <ul class="account-workspaces">
                                {others
                                    .into_iter()
                                    .map(|other| {
                                        let label = format!("{} · {}", other.workspace, other.member);
                                        view! {
                                            <li>
                                                <button
                                                    type="button"
                                                    on:click=move |_| {
                                                        sign_ins::switch_to(&other.workspace);
                                                        open_home();
                                                    }
                                                >
                                                    {label}
                                                </button>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })}
                <a class="account-link" href="/settings">{move || lang.get().t().settings_title}</a>
                <a class="account-link" href="/team">{move || lang.get().t().team_title}</a>
                {admin.then(|| view! {
                    <a class="account-link" href="/audit">{move || lang.get().t().audit_title}</a>
                })}
                <p class="muted">{move || lang.get().t().add_workspace}</p>
                <LinkForm />
                <div class="account-actions">
                    <button type="button" on:click=sign_out>
                        {move || lang.get().t().sign_out}
                    </button>
                    <button type="button" class="danger" on:click=sign_out_delete>
                        {move || lang.get().t().sign_out_delete}
                    </button>
                </div>
            </div>
        </details>
    }
}
