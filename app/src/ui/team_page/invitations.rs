//! Inviting a colleague (name, role, how long the link stays open) and the invitations still
//! pending, which an admin revokes. The edge mints each invitation; its link is shown once,
//! to copy into WeChat or an e-mail.

use crm_core::token::{Ask, Invitation};
use crm_core::workspace::Role;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{EdgeState, call_error_text, refresh};
use crate::i18n::use_lang;
use crate::team::{self, Minted};
use crate::ui::{member_name, use_session, use_signals};

/// How long an invitation may stay open, in days, as offered.
const DAYS: [i64; 3] = [1, 7, 30];

/// The form, and the link of the invitation it last made.
#[component]
pub(super) fn InviteForm(state: EdgeState) -> impl IntoView {
    let lang = use_lang();
    let config = use_session().with_value(|s| s.config());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Sales);
    let days = RwSignal::new(7);
    let minted = RwSignal::new(None::<(String, Invitation)>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        let ask = Ask {
            name: name.get_untracked(),
            role: role.get_untracked(),
            days: days.get_untracked(),
        };
        let config = config.clone();
        busy.set(true);
        spawn_local(async move {
            match team::invite(&config, &ask).await {
                Ok(made) => {
                    let Minted { invitation, .. } = &made;
                    minted.set(Some((made.link(&config), invitation.clone())));
                    name.set(String::new());
                    error.set(None);
                    copied.set(false);
                    refresh(state, config);
                }
                Err(problem) => error.set(Some(call_error_text(lang.get_untracked(), &problem))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card team-invite">
            <h2>{move || lang.get().t().team_invite}</h2>
            <form class="inline-fields" on:submit=create>
                <input
                    type="text"
                    required
                    aria-label=move || lang.get().t().name
                    placeholder=move || lang.get().t().name
                    prop:value=name
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <select
                    aria-label=move || lang.get().t().team_role
                    on:change=move |ev| role.set(Role::from_stored(&event_target_value(&ev)))
                >
                    {[Role::Sales, Role::Manager, Role::Admin].into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || role.get() == r>
                            {move || lang.get().role(r)}
                        </option>
                    }).collect_view()}
                </select>
                <select
                    aria-label=move || lang.get().t().team_valid_for
                    on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(7))
                >
                    {DAYS.into_iter().map(|d| view! {
                        <option value=d.to_string() selected=move || days.get() == d>
                            {move || format!("{d}{}", lang.get().t().team_days)}
                        </option>
                    }).collect_view()}
                </select>
                <button class="primary" type="submit" disabled=move || busy.get() || name.get().trim().is_empty()>
                    {move || lang.get().t().team_create_link}
                </button>
            </form>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || minted.get().map(|(link, invitation)| {
                let copy = {
                    let link = link.clone();
                    move |_| {
                        let _pending = window().navigator().clipboard().write_text(&link);
                        copied.set(true);
                    }
                };
                view! {
                    <div class="invite-link">
                        <p>
                            <strong>{invitation.name.clone()}</strong>
                            " · "
                            {move || lang.get().role(invitation.role)}
                        </p>
                        <input type="text" readonly prop:value=link.clone() aria-label=move || lang.get().t().team_copy_link />
                        <button type="button" on:click=copy>
                            {move || match copied.get() {
                                true => lang.get().t().copied,
                                false => lang.get().t().team_copy_link,
                            }}
                        </button>
                        <p class="muted">
                            {move || format!("{} {}", lang.get().t().team_link_hint, lang.get().date_time(invitation.expires_at))}
                        </p>
                    </div>
                }
            })}
        </section>
    }
}

/// The invitations not yet redeemed, each with a way to revoke it.
#[component]
pub(super) fn Pending(state: EdgeState) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let config = use_session().with_value(|s| s.config());
    let error = RwSignal::new(None::<String>);
    let pending = Memo::new(move |_| {
        state.with(|s| match s {
            Some(Ok(state)) => state.invitations.clone(),
            _ => Vec::new(),
        })
    });
    let revoke = move |id: String| {
        let config = config.clone();
        spawn_local(async move {
            match team::revoke(&config, &id).await {
                Ok(()) => refresh(state, config),
                Err(problem) => error.set(Some(call_error_text(lang.get_untracked(), &problem))),
            }
        });
    };
    view! {
        <section class="card team-pending">
            <h2>{move || lang.get().t().team_pending}</h2>
            {move || state.with(|s| match s {
                Some(Err(problem)) => Some(call_error_text(lang.get(), problem)),
                _ => None,
            }).map(|e| view! { <p class="muted">{e}</p> })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <ul class="member-list">
                <For
                    each=move || pending.get()
                    key=|i| i.id.clone()
                    children=move |invitation| {
                        let id = invitation.id.clone();
                        let revoke = revoke.clone();
                        let by = member_name(signals, &invitation.invited_by);
                        view! {
                            <li class="member-row">
                                <div class="member-who">
                                    <strong>{invitation.name.clone()}</strong>
                                    " · "
                                    {move || lang.get().role(invitation.role)}
                                    <br />
                                    <span class="muted">
                                        {move || format!(
                                            "{} {} · {} {}",
                                            lang.get().t().team_invited_by,
                                            by,
                                            lang.get().t().team_link_hint_short,
                                            lang.get().date_time(invitation.expires_at),
                                        )}
                                    </span>
                                </div>
                                <button type="button" on:click=move |_| revoke(id.clone())>
                                    {move || lang.get().t().team_revoke}
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
}
