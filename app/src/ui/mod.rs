//! The interface: the shell (top bar, navigation, language switch) and the routes to the pages.

mod account_menu;
mod already_held;
mod audit_page;
mod bar_chart;
mod customer;
mod customer_list;
mod duplicates_page;
mod errors;
mod export;
mod fields;
mod follow_ups;
mod history;
mod import_page;
mod masked_customer;
mod merge_page;
mod new_customer;
mod on_demand;
mod pipeline;
mod pool;
mod presence;
mod reports_page;
mod rule_builder;
mod rules_page;
mod segments;
mod settings;
mod sign_in;
mod stages;
mod sync_badge;
mod team_page;
mod today_page;

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::config::LinkError;
use crate::i18n::{Lang, use_lang};
use crate::session::{Session, SessionSignals};
use crate::sign_ins;
use on_demand::OnDemand;

/// The open session, shared with every page.
pub type SessionHandle = StoredValue<Rc<Session>, LocalStorage>;

fn use_session() -> SessionHandle {
    expect_context()
}

fn use_signals() -> SessionSignals {
    expect_context()
}

/// The display name of member `id`, or the id while the workspace does not know it.
fn member_name(signals: SessionSignals, id: &str) -> String {
    signals.workspace.with(|ws| {
        ws.as_ref()
            .and_then(|ws| ws.members.get(id))
            .map(|m| m.name.clone())
            .unwrap_or_else(|| id.to_owned())
    })
}

/// The team's members as (id, name), for pickers; follows the workspace.
fn member_choices(signals: SessionSignals) -> Memo<Vec<(String, String)>> {
    Memo::new(move |_| {
        signals.workspace.with(|ws| {
            ws.as_ref()
                .map(|ws| {
                    ws.members
                        .iter()
                        .map(|(id, m)| (id.clone(), m.name.clone()))
                        .collect()
                })
                .unwrap_or_default()
        })
    })
}

/// The workspace's custom field definitions by id; follows the workspace.
fn use_custom_fields()
-> Memo<std::collections::BTreeMap<String, crm_core::custom_field::CustomFieldDef>> {
    let signals = use_signals();
    Memo::new(move |_| {
        signals.workspace.with(|ws| {
            ws.as_ref()
                .map(|w| w.custom_fields.clone())
                .unwrap_or_default()
        })
    })
}

/// What the root shows.
#[derive(Clone)]
enum Start {
    Opening,
    /// No sign-in on this device; why the login link in the address did not sign in, if so.
    SignedOut(Option<LinkError>),
    Failed(String),
    /// The workspace; why a link in the address did not sign in, if it did not.
    Open(SessionHandle, Option<LinkError>),
}

/// Root component: picks the language, takes in a login link from the address, opens the
/// workspace signed in to (or the sign-in page), then shows it.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(Lang::initial());
    lang.get_untracked().mark_document();
    provide_context(lang);
    let taken = sign_ins::take_login_link();
    today_page::land_on_phones();
    let state = RwSignal::new(Start::Opening);
    spawn_local(async move {
        sign_ins::delete_doomed_data().await;
        let link_error = match taken {
            Ok(Some(invitation)) => match crate::team::redeem(&invitation).await {
                Ok(config) => {
                    sign_ins::remember(&config);
                    None
                }
                Err(error) => Some(error),
            },
            Ok(None) => None,
            Err(error) => Some(error),
        };
        let link_error =
            link_error.or(sign_ins::take_deactivated().then_some(LinkError::Deactivated));
        let Some(config) = sign_ins::current() else {
            return state.set(Start::SignedOut(link_error));
        };
        state.set(match Session::start(&config).await {
            Ok(session) => Start::Open(StoredValue::new_local(session), link_error),
            Err(error) => Start::Failed(error.to_string()),
        });
    });

    view! {
        <Router>
            {move || match state.get() {
                Start::Opening => view! {
                    <Shell signals=None>
                        <p class="muted">{move || lang.get().t().opening}</p>
                    </Shell>
                }
                .into_any(),
                Start::SignedOut(error) => view! {
                    <Shell signals=None>
                        <sign_in::SignInPage error />
                    </Shell>
                }
                .into_any(),
                Start::Failed(error) => view! {
                    <Shell signals=None>
                        <p class="banner banner-error" role="alert">{error}</p>
                    </Shell>
                }
                .into_any(),
                Start::Open(session, link_error) => {
                    view! { <OpenWorkspace session link_error /> }.into_any()
                }
            }}
        </Router>
    }
}

/// The open workspace: its pages under the shell; `link_error` says why a login link it was
/// opened with did not sign in (the workspace signed in to before opens instead).
#[component]
fn OpenWorkspace(session: SessionHandle, link_error: Option<LinkError>) -> impl IntoView {
    let lang = use_lang();
    let signals = session.with_value(|s| s.signals);
    provide_context(session);
    provide_context(signals);
    provide_context(customer_list::ListView::new(signals));
    provide_context(segments::SegmentSizes::new(signals));
    provide_context(customer::NotesDrafts::new());
    reports_page::read_ahead(signals);
    duplicates_page::provide_scan(signals);
    // Once every row is in, the rarely used screens' modules are fetched in idle time.
    Effect::new(move |started: Option<bool>| {
        let start = started != Some(true) && signals.rows_ready.get();
        if start {
            on_demand::preload_when_idle();
        }
        start || started == Some(true)
    });
    // Where nobody chose a language on this device, the team's applies.
    Effect::new(move |_| {
        let team = signals
            .workspace
            .with(|ws| ws.as_ref().and_then(|w| w.language));
        if let Some(team) = team.map(Lang::of_team)
            && !Lang::chosen_on_device()
            && lang.get_untracked() != team
        {
            team.mark_document();
            lang.set(team);
        }
    });
    view! {
        <Shell signals=Some(signals)>
            {link_error
                .map(|e| {
                    view! {
                        <p class="banner banner-error" role="alert">
                            {move || sign_in::link_error_text(lang.get().t(), e)}
                        </p>
                    }
                })}
            <StorageProblems />
            <NotAcceptedNotices />
            <Routes fallback=|| view! { <p class="empty">"404"</p> }>
                <Route path=path!("/") view=customer_list::CustomerList />
                <Route path=path!("/customers/:id") view=customer::CustomerPage />
                <Route
                    path=path!("/follow-ups")
                    view=|| view! { <RowsReady><follow_ups::FollowUps /></RowsReady> }
                />
                <Route
                    path=path!("/pipeline")
                    view=|| view! { <RowsReady><pipeline::PipelinePage /></RowsReady> }
                />
                <Route
                    path=path!("/rules")
                    view=|| view! { <RowsReady><OnDemand load=on_demand::rules_screen /></RowsReady> }
                />
                <Route path=path!("/audit") view=|| view! { <OnDemand load=on_demand::audit_screen /> } />
                <Route
                    path=path!("/settings")
                    view=|| view! { <OnDemand load=on_demand::settings_screen /> }
                />
                <Route path=path!("/team") view=|| view! { <OnDemand load=on_demand::team_screen /> } />
                <Route
                    path=path!("/import")
                    view=|| view! { <OnDemand load=on_demand::import_screen /> }
                />
                <Route
                    path=path!("/duplicates")
                    view=|| view! { <OnDemand load=on_demand::duplicates_screen /> }
                />
                <Route
                    path=path!("/merge/:a/:b")
                    view=|| view! { <OnDemand load=on_demand::merge_screen /> }
                />
                <Route
                    path=path!("/today")
                    view=|| view! { <RowsReady><today_page::TodayPage /></RowsReady> }
                />
                <Route
                    path=path!("/reports")
                    view=|| view! { <RowsReady><OnDemand load=on_demand::reports_screen /></RowsReady> }
                />
            </Routes>
        </Shell>
    }
}

/// A page built from every customer's row: "opening" until the cached rows are read.
#[component]
fn RowsReady(children: ChildrenFn) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    view! {
        <Show
            when=move || signals.rows_ready.get()
            fallback=move || view! { <p class="muted">{move || lang.get().t().opening}</p> }
        >
            {children()}
        </Show>
    }
}

/// Top bar, page body and navigation (a side rail on desktop, a bottom bar on phones).
#[component]
fn Shell(signals: Option<SessionSignals>, children: Children) -> impl IntoView {
    let lang = use_lang();
    let switch = move |_| {
        let next = lang.get_untracked().other();
        next.remember();
        lang.set(next);
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark">"轻"</span>
                <span>{move || lang.get().t().brand}</span>
            </a>
            <div class="topbar-tools">
                {signals.map(|signals| view! { <sync_badge::SyncBadge signals /> })}
                <button class="lang-switch" type="button" on:click=switch>
                    {move || lang.get().t().switch_language}
                </button>
                {signals.map(|_| view! { <account_menu::AccountMenu /> })}
            </div>
        </header>
        <div class="layout">
            <nav class="nav" aria-label="Main" hidden=signals.is_none()>
                <A href="/today" attr:class="nav-item">
                    <span class="nav-icon" aria-hidden="true">"☀"</span>
                    <span>{move || lang.get().t().nav_today}</span>
                </A>
                <A href="/" exact=true attr:class="nav-item">
                    <span class="nav-icon" aria-hidden="true">"◉"</span>
                    <span>{move || lang.get().t().nav_customers}</span>
                </A>
                <A href="/follow-ups" attr:class="nav-item">
                    <span class="nav-icon" aria-hidden="true">"✓"</span>
                    <span>{move || lang.get().t().nav_follow_ups}</span>
                </A>
                <A href="/pipeline" attr:class="nav-item">
                    <span class="nav-icon" aria-hidden="true">"▤"</span>
                    <span>{move || lang.get().t().nav_pipeline}</span>
                </A>
                <A href="/reports" attr:class="nav-item">
                    <span class="nav-icon" aria-hidden="true">"▦"</span>
                    <span>{move || lang.get().t().nav_reports}</span>
                </A>
                <A href="/rules" attr:class="nav-item">
                    <span class="nav-icon" aria-hidden="true">"⚙"</span>
                    <span>{move || lang.get().t().nav_rules}</span>
                </A>
            </nav>
            <main class="page">{children()}</main>
        </div>
    }
}

/// Changes the edge did not accept as made: the customer (a link to it), what was put back,
/// and a button to dismiss the notice.
#[component]
fn NotAcceptedNotices() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let name_of = move |doc_id: &str| {
        let rows = signals.rows.read_untracked();
        let row = rows.iter().find(|row| row.id == doc_id);
        row.map_or_else(|| doc_id.to_owned(), |row| row.name.clone())
    };
    view! {
        <For
            each=move || signals.not_accepted.get()
            key=|notice| notice.n
            children=move |notice| {
                let n = notice.n;
                let record = notice.doc_id.as_deref().map(|id| {
                    let href = format!("/customers/{id}");
                    view! { <a href=href>{name_of(id)}</a> " — " }
                });
                let dismiss = move |_| {
                    signals.not_accepted.update(|all| all.retain(|other| other.n != n));
                };
                view! {
                    <p class="banner banner-error not-accepted" role="alert">
                        <span>{move || lang.get().t().not_accepted} ": "</span>
                        {record}
                        <code>{notice.what.join(", ")}</code>
                        <button type="button" class="dismiss" on:click=dismiss>
                            {move || lang.get().t().dismiss}
                        </button>
                    </p>
                }
            }
        />
    }
}

/// Documents set aside at start and failed writes, with the document ids.
#[component]
fn StorageProblems() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    view! {
        <For
            each=move || signals.quarantined.get()
            key=|(id, _)| id.clone()
            children=move |(id, reason)| {
                view! {
                    <p class="banner banner-error" role="alert">
                        {move || lang.get().t().quarantined}
                        ": "
                        <code>{id.clone()}</code>
                        " — "
                        {reason.clone()}
                    </p>
                }
            }
        />
        <For
            each=move || signals.storage_errors.get()
            key=|problem| problem.clone()
            children=|problem| view! { <p class="banner banner-error" role="alert">{problem}</p> }
        />
    }
}
