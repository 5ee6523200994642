//! Team settings (admins change them; everyone else reads): the team's name, the pipeline's
//! stages and the custom fields customers carry; admins also back the workspace up and
//! restore it. Each edit is one change to the workspace document; a refused one is said in
//! the page's banner.

mod backup_card;
mod field_settings;
mod stage_settings;

use crm_core::rules::Language;
use crm_core::workspace::{ReadScope, Role};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::errors::edit_workspace;
use super::{use_session, use_signals};
use crate::i18n::use_lang;

/// Whether the member signed in may change the settings.
fn is_admin() -> bool {
    use_signals().role.get_value() == Role::Admin
}

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let lang = use_lang();
    let admin = is_admin();
    let error = RwSignal::new(None::<String>);
    view! {
        <div class="page-head">
            <h1>{move || lang.get().t().settings_title}</h1>
        </div>
        {(!admin).then(|| view! { <p class="muted">{move || lang.get().t().settings_admins_only}</p> })}
        {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        <div class="settings" data-read-only=(!admin).then_some("true")>
            <TeamName error />
            <stage_settings::StageSettings error />
            <field_settings::FieldSettings error />
            {admin.then(|| view! { <backup_card::BackupCard /> })}
        </div>
    }
}

/// The team's name: the input follows the current name until someone types.
#[component]
fn TeamName(error: RwSignal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let current = move || {
        signals
            .workspace
            .with(|ws| ws.as_ref().map(|w| w.name.clone()).unwrap_or_default())
    };
    let typed = RwSignal::new(None::<String>);
    let shown = move || typed.get().unwrap_or_else(current);
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(name) = typed.get_untracked() else {
            return;
        };
        if edit_workspace(session, lang, error, |ws| ws.set_name(&name)) {
            typed.set(None);
        }
    };
    view! {
        <section class="card">
            <h2>{move || lang.get().t().team_name}</h2>
            <form class="inline-fields" on:submit=save>
                <input
                    type="text"
                    aria-label=move || lang.get().t().team_name
                    prop:value=shown
                    on:input=move |ev| typed.set(Some(event_target_value(&ev)))
                />
                <button type="submit" disabled=move || typed.get().is_none_or(|t| t == current())>
                    {move || lang.get().t().save}
                </button>
            </form>
            <label class="inline-fields team-language">
                <span>{move || lang.get().t().read_scope}</span>
                <select on:change=move |ev| {
                    let scope = ReadScope::from_stored(&event_target_value(&ev));
                    edit_workspace(session, lang, error, |ws| ws.set_read_scope(scope));
                }>
                    {move || {
                        let t = lang.get().t();
                        let now = signals.workspace.with(|ws| ws.as_ref().map(|w| w.read_scope()));
                        [
                            (ReadScope::Own, t.read_scope_own),
                            (ReadScope::Listed, t.read_scope_listed),
                            (ReadScope::Everyone, t.read_scope_everyone),
                        ]
                        .into_iter()
                            .map(|(scope, label)| view! {
                                <option value=scope.as_str() selected=now == Some(scope)>{label}</option>
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="inline-fields team-language">
                <span>{move || lang.get().t().team_language}</span>
                <select on:change=move |ev| {
                    let language = Language::from_stored(&event_target_value(&ev));
                    edit_workspace(session, lang, error, |ws| ws.set_language(language));
                }>
                    {move || {
                        let team = signals.workspace.with(|ws| ws.as_ref().and_then(|w| w.language));
                        [(Language::Zh, "中文"), (Language::En, "English")].into_iter().map(|(l, name)| view! {
                            <option value=l.as_str() selected=team == Some(l)>{name}</option>
                        }).collect_view()
                    }}
                </select>
            </label>
        </section>
    }
}
