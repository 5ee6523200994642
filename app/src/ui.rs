//! The page: the workspace's customers and a form to add one.

use std::rc::Rc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::config::Config;
use crate::edge_link::LinkStatus;
use crate::session::{Session, SessionSignals};

/// Root component: opens the session, then shows the workspace.
#[component]
pub fn App() -> impl IntoView {
    let session = StoredValue::new_local(None::<Rc<Session>>);
    let (state, set_state) = signal(None::<Result<SessionSignals, String>>);
    spawn_local(async move {
        match Session::start(&Config::from_location()).await {
            Ok(started) => {
                set_state.set(Some(Ok(started.signals)));
                session.set_value(Some(started));
            }
            Err(error) => set_state.set(Some(Err(error.to_string()))),
        }
    });
    let add = move |name: String| -> Result<(), String> {
        session.with_value(|s| match s {
            Some(s) => s.add_customer(&name).map_err(|e| e.to_string()),
            None => Err("The workspace is still opening.".into()),
        })
    };

    view! {
        <header class="topbar">
            <span class="brand">
                <span class="brand-mark">"轻"</span>
                "Qingke CRM"
            </span>
            {move || state.get().and_then(Result::ok).map(|s| view! { <SyncBadge signals=s /> })}
        </header>
        <main class="page">
            {move || match state.get() {
                None => view! { <p class="muted">"Opening workspace…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="banner banner-error">{error}</p> }.into_any(),
                Some(Ok(signals)) => view! { <Customers signals add /> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn SyncBadge(signals: SessionSignals) -> impl IntoView {
    let label = move || match (signals.link.get(), signals.unsaved_writes.get()) {
        (_, n) if n > 0 => ("saving", "Saving…"),
        (LinkStatus::Online, _) => ("online", "Synced"),
        (LinkStatus::Connecting, _) => ("connecting", "Connecting…"),
        (LinkStatus::Offline, _) => ("offline", "Offline · saved on this device"),
    };
    view! {
        <span class="sync-badge" data-status=move || label().0>
            <span class="dot"></span>
            {move || label().1}
        </span>
    }
}

#[component]
fn Customers(
    signals: SessionSignals,
    add: impl Fn(String) -> Result<(), String> + Copy + 'static,
) -> impl IntoView {
    let (name, set_name) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match add(name.get_untracked()) {
            Ok(()) => {
                set_name.set(String::new());
                set_error.set(None);
            }
            Err(e) => set_error.set(Some(e)),
        }
    };

    view! {
        <For
            each=move || signals.storage_problems.get()
            key=|problem| problem.clone()
            children=|problem| view! { <p class="banner banner-error" role="alert">{problem}</p> }
        />
        <section class="card">
            <div class="card-head">
                <h1>"Customers"</h1>
                <span class="count">{move || signals.rows.with(Vec::len)}</span>
            </div>
            <form class="add-customer" on:submit=on_submit>
                <input
                    type="text"
                    aria-label="Customer name"
                    placeholder="Customer name, e.g. 张伟 Zhang Wei"
                    prop:value=name
                    on:input=move |ev| set_name.set(event_target_value(&ev))
                />
                <button type="submit">"Add customer"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Show
                when=move || signals.rows.with(|rows| !rows.is_empty())
                fallback=|| view! { <p class="empty">"No customers yet. Add the first one above."</p> }
            >
                <ul class="customer-list">
                    <For
                        each=move || signals.rows.get()
                        key=|row| (row.id.clone(), row.updated_at)
                        children=|row| {
                            let initial = row.name.chars().next().unwrap_or('?');
                            view! {
                                <li class="customer-row">
                                    <span class="avatar">{initial}</span>
                                    <span class="name">{row.name}</span>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}
