//! The Team screen: who is in the team, with their role, when they joined and were last seen
//! (admins: the edge keeps that), and for admins the means to run it — change a role,
//! deactivate someone who left (their sockets close at once and their devices delete the
//! team's data at their next contact), invite a colleague and revoke pending invitations
//! ([`invitations`]). Member edits are changes to the workspace document; invitations and
//! last-seen times are the edge's and need a connection.

mod handover;
mod invitations;

use crm_core::workspace::{Member, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::errors::edit_workspace;
use super::{use_session, use_signals};
use crate::config::Config;
use crate::i18n::use_lang;
use crate::team::{self, CallError, TeamState};

/// What the edge said of the team: `None` while asking.
type EdgeState = RwSignal<Option<Result<TeamState, CallError>>>;

/// What the member signed in may do here, and where refusals and the edge's answers go.
#[derive(Clone, Copy)]
struct Rights {
    /// Change roles, deactivate, invite.
    admin: bool,
    /// Hand a member's work over (managers and admins).
    lead: bool,
    error: RwSignal<Option<String>>,
    state: EdgeState,
}

/// The page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let admin = signals.role.get_value() == Role::Admin;
    let lead = signals.role.get_value() != Role::Sales;
    let error = RwSignal::new(None::<String>);
    let state: EdgeState = RwSignal::new(None);
    if admin {
        refresh(state, use_session().with_value(|s| s.config()));
    }
    view! {
        <div class="page-head">
            <h1>{move || lang.get().t().team_title}</h1>
        </div>
        {(!admin).then(|| view! { <p class="muted">{move || lang.get().t().team_admins_manage}</p> })}
        {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        {admin.then(|| view! { <invitations::InviteForm state /> })}
        <Members rights=Rights { admin, lead, error, state } />
        {admin.then(|| view! { <invitations::Pending state /> })}
    }
}

/// Asks the edge for the open invitations and last-seen times again.
fn refresh(state: EdgeState, config: Config) {
    spawn_local(async move { state.set(Some(team::state(&config).await)) });
}

/// The text of a failed call.
fn call_error_text(lang: crate::i18n::Lang, error: &CallError) -> String {
    match error {
        CallError::Offline => lang.t().team_offline.to_owned(),
        CallError::Refused(status, reason) => format!("{status} · {reason}"),
    }
}

/// Every member — active ones first, admins, managers, then sales — keyed by id so a teammate's edit re-renders its row.
#[component]
fn Members(rights: Rights) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let members = Memo::new(move |_| {
        let mut members: Vec<(String, Member)> = signals.workspace.with(|ws| {
            ws.as_ref()
                .map(|w| w.members.clone().into_iter().collect())
                .unwrap_or_default()
        });
        let rank = |m: &Member| {
            (
                !m.active,
                [Role::Admin, Role::Manager, Role::Sales]
                    .iter()
                    .position(|r| *r == m.role),
            )
        };
        members.sort_by(|(_, a), (_, b)| (rank(a), &a.name).cmp(&(rank(b), &b.name)));
        members
    });
    view! {
        <section class="card team-members">
            <h2>{move || lang.get().t().team_members}</h2>
            <ul class="member-list">
                <For
                    each=move || members.get()
                    key=|(id, m)| (id.clone(), m.clone().name, m.role, m.active)
                    children=move |(id, member)| {
                        view! { <MemberRow id member rights /> }
                    }
                />
            </ul>
        </section>
    }
}

/// One member: who, role (admins change it), joined, last seen, deactivate; managers and
/// admins hand their work over.
#[component]
fn MemberRow(id: String, member: Member, rights: Rights) -> impl IntoView {
    let Rights {
        admin,
        lead,
        error,
        state,
    } = rights;
    let lang = use_lang();
    let session = use_session();
    let me = use_signals().member.get_value() == id;
    let initial: String = member
        .name
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();
    let seen = {
        let id = id.clone();
        move || {
            let t = lang.get().t();
            let at = state.with(|s| match s {
                Some(Ok(state)) => Some(state.seen.get(&id).copied()),
                _ => None,
            });
            at.map(|at| match at {
                Some(at) => format!("{} {}", t.team_last_seen, lang.get().date_time(at)),
                None => t.team_never_seen.to_owned(),
            })
        }
    };
    let manage = admin && member.active && !me;
    let role_id = id.clone();
    let change_role = move |ev: leptos::ev::Event| {
        let role = Role::from_stored(&event_target_value(&ev));
        edit_workspace(session, lang, error, |ws| {
            ws.set_member_role(&role_id, role)
        });
    };
    let handing = RwSignal::new(false);
    let from = id.clone();
    let name = member.name.clone();
    let deactivate = move |_| {
        let question = format!(
            "{}{}",
            name,
            lang.get_untracked().t().team_deactivate_confirm
        );
        let confirmed = window().confirm_with_message(&question).unwrap_or(false);
        if confirmed {
            edit_workspace(session, lang, error, |ws| ws.deactivate_member(&id));
        }
    };
    let role = member.role;
    view! {
        <li class="member-row" class:inactive=!member.active>
            <span class="avatar" aria-hidden="true">{initial}</span>
            <div class="member-who">
                <strong>{member.name.clone()}</strong>
                {me.then(|| view! { <span class="muted">" · " {move || lang.get().t().team_you}</span> })}
                <br />
                <span class="muted">
                    {move || format!("{} {}", lang.get().t().team_joined, lang.get().date(member.joined_at))}
                </span>
                {move || seen().map(|s| view! { <span class="muted">" · " {s}</span> })}
            </div>
            {lead.then(|| view! {
                <button type="button" aria-expanded=move || handing.get().to_string() on:click=move |_| handing.update(|h| *h = !*h)>
                    {move || lang.get().t().team_hand_over}
                </button>
            })}
            {match (member.active, manage) {
                (false, _) => view! { <span class="chip">{move || lang.get().t().team_inactive}</span> }.into_any(),
                (true, false) => view! { <span class="chip">{move || lang.get().role(role)}</span> }.into_any(),
                (true, true) => view! {
                    <select aria-label=move || lang.get().t().team_role on:change=change_role>
                        {[Role::Sales, Role::Manager, Role::Admin].into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == role>{move || lang.get().role(r)}</option>
                        }).collect_view()}
                    </select>
                    <button type="button" class="deactivate" on:click=deactivate>
                        {move || lang.get().t().team_deactivate}
                    </button>
                }.into_any(),
            }}
            {move || handing.get().then(|| view! { <handover::HandoverPanel from=from.clone() /> })}
        </li>
    }
}
