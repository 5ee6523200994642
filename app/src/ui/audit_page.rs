//! The admin's audit screen: every decision the edge made about the team's changes, newest
//! first, filtered by member and day, a page at a time.

use crm_core::audit::Numbered;
use crm_core::values::DAY_MS;
use crm_core::workspace::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::history::{EntryList, trail_error};
use super::{member_choices, use_session, use_signals};
use crate::audit_trail::{self, TrailError};
use crate::i18n::use_lang;

/// Entries per page.
const PAGE: usize = 50;

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let member = RwSignal::new(String::new());
    let day = RwSignal::new(String::new());
    let entries = RwSignal::new(Vec::<Numbered>::new());
    let error = RwSignal::new(None::<TrailError>);
    let more = RwSignal::new(false);
    // Reads a page: the first for the filters (`before`: None), or the one after it.
    let load = move |before: Option<i64>| {
        let config = session.with_value(|s| s.config());
        let mut query = format!("limit={PAGE}");
        let member = member.get_untracked();
        if !member.is_empty() {
            query.push_str(&format!("&member={member}"));
        }
        if let Some(from) = day_start(&day.get_untracked()) {
            query.push_str(&format!("&from={from}&to={}", from + DAY_MS));
        }
        if let Some(before) = before {
            query.push_str(&format!("&before={before}"));
        }
        spawn_local(async move {
            match audit_trail::read(&config, &query).await {
                Ok(page) => {
                    more.set(page.len() == PAGE);
                    error.set(None);
                    entries.update(|all| match before {
                        Some(_) => all.extend(page),
                        None => *all = page,
                    });
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        member.track();
        day.track();
        load(None);
    });
    let members = member_choices(signals);
    let admin = signals.role.get_value() == Role::Admin;
    view! {
        <div class="page-head">
            <h1>{move || lang.get().t().audit_title}</h1>
        </div>
        {(!admin).then(|| view! { <p class="banner">{move || lang.get().t().admins_only}</p> })}
        <div class="filters">
            <select
                aria-label=move || lang.get().t().all_members
                on:change=move |ev| member.set(event_target_value(&ev))
            >
                <option value="">{move || lang.get().t().all_members}</option>
                {move || {
                    members
                        .get()
                        .into_iter()
                        .map(|(id, name)| view! { <option value=id>{name}</option> })
                        .collect_view()
                }}
            </select>
            <input
                type="date"
                aria-label=move || lang.get().t().when
                on:change=move |ev| day.set(event_target_value(&ev))
            />
        </div>
        {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{trail_error(lang.get().t(), e)}</p> })}
        <section class="card">
            {move || view! { <EntryList entries=entries.get() show_doc=true /> }}
            {move || more.get().then(|| {
                let next = move |_| load(entries.with_untracked(|e| e.last().map(|n| n.seq)));
                view! { <button type="button" class="more" on:click=next>{lang.get().t().load_more}</button> }
            })}
        </section>
    }
}

/// The first instant of local day `date` (`YYYY-MM-DD`), if it is one.
fn day_start(date: &str) -> Option<i64> {
    if date.is_empty() {
        return None;
    }
    let start = js_sys::Date::new(&format!("{date}T00:00:00").into());
    let ms = start.get_time();
    (!ms.is_nan()).then_some(ms as i64)
}
