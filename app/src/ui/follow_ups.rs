//! The signed-in member's follow-ups: overdue, today and upcoming, each done with one tap;
//! reminders through the Notification API once the member allows them. Managers and admins
//! also see the team's, everyone's or one member's.

use std::collections::HashSet;

use crm_core::customer::OpenFollowUp;
use leptos::prelude::*;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use super::errors::error_text;
use super::{member_choices, member_name, use_session, use_signals};
use crate::i18n::{Lang, use_lang};
use crm_core::workspace::Role;

/// A follow-up with the customer it belongs to.
#[derive(Clone, PartialEq)]
pub(super) struct Due {
    pub(super) customer_id: String,
    pub(super) customer_name: String,
    pub(super) follow_up: OpenFollowUp,
}

/// The open follow-ups of live customers among `rows` that `keep` keeps, earliest due first.
pub(super) fn due_among(
    rows: &[std::sync::Arc<crm_core::customer::SummaryRow>],
    keep: impl Fn(&OpenFollowUp) -> bool,
) -> Vec<Due> {
    let mut due: Vec<Due> = (rows.iter().filter(|row| row.live()))
        .flat_map(|row| {
            (row.open_follow_ups.iter())
                .filter(|f| keep(f))
                .map(|f| Due {
                    customer_id: row.id.clone(),
                    customer_name: row.name.clone(),
                    follow_up: f.clone(),
                })
        })
        .collect();
    due.sort_by(|a, b| {
        (a.follow_up.due_at, &a.follow_up.id).cmp(&(b.follow_up.due_at, &b.follow_up.id))
    });
    due
}

/// Which list a follow-up falls in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Overdue,
    Today,
    Upcoming,
}

/// The follow-ups page.
#[component]
pub fn FollowUps() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let now = RwSignal::new(js_sys::Date::now() as i64);
    let error = RwSignal::new(None::<String>);
    // Re-bucket every minute so "overdue" stays true while the page is open.
    let tick = set_interval_with_handle(
        move || now.set(js_sys::Date::now() as i64),
        std::time::Duration::from_secs(60),
    )
    .ok();
    on_cleanup(move || {
        if let Some(tick) = tick {
            tick.clear();
        }
    });
    let me = signals.member.get_value();
    // Whose follow-ups are shown: a member's id, or empty for everyone's (managers, admins).
    let whose = RwSignal::new(me.clone());
    let lead = signals.role.get_value() != Role::Sales;
    let due_of = move |assignee: Option<String>| {
        signals
            .rows
            .with(|rows| due_among(rows, |f| assignee.as_ref().is_none_or(|a| f.assignee == *a)))
    };
    let mine = {
        let me = me.clone();
        Memo::new(move |_| due_of(Some(me.clone())))
    };
    // The member's own are `mine`, not read from the rows again.
    let shown = Memo::new(move |_| match whose.get() {
        whose if whose == me => mine.get(),
        whose => due_of((!whose.is_empty()).then_some(whose)),
    });
    remind_when_due(mine, now, lang);
    // Overdue: past its time. Today: later today. Upcoming: after today.
    let bucket_of = move |at: i64| {
        let now = now.get();
        if at < now {
            Bucket::Overdue
        } else if at < end_of_day(now) {
            Bucket::Today
        } else {
            Bucket::Upcoming
        }
    };
    let section = move |bucket: Bucket| {
        let items = move || {
            shown
                .get()
                .into_iter()
                .filter(|d| bucket_of(d.follow_up.due_at) == bucket)
                .collect::<Vec<_>>()
        };
        let title = move || {
            let t = lang.get().t();
            match bucket {
                Bucket::Overdue => t.overdue,
                Bucket::Today => t.today,
                Bucket::Upcoming => t.upcoming,
            }
        };
        let class = match bucket {
            Bucket::Overdue => "card bucket overdue",
            Bucket::Today => "card bucket today",
            Bucket::Upcoming => "card bucket upcoming",
        };
        view! {
            <section class=class>
                <h2>{title} <span class="count">{move || items().len()}</span></h2>
                <Show
                    when=move || !items().is_empty()
                    fallback=move || view! { <p class="empty">{move || lang.get().t().no_follow_ups}</p> }
                >
                    <ul class="follow-ups">
                        <For
                            each=items
                            key=|d| (d.customer_id.clone(), d.follow_up.id.clone())
                            children=move |d| {
                                // Someone else's follow-up says whose it is.
                                let assignee = (d.follow_up.assignee != signals.member.get_value())
                                    .then(|| member_name(signals, &d.follow_up.assignee));
                                view! { <DueItem due=d assignee lang error /> }
                            }
                        />
                    </ul>
                </Show>
            </section>
        }
    };
    view! {
        <div class="page-head">
            <h1>{move || lang.get().t().nav_follow_ups}</h1>
            {lead.then(|| view! { <WhosePicker whose /> })}
            <ReminderSwitch lang />
        </div>
        {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        {section(Bucket::Overdue)}
        {section(Bucket::Today)}
        {section(Bucket::Upcoming)}
    }
}

/// Picks whose follow-ups the page shows: mine, everyone's, or one member's.
#[component]
fn WhosePicker(whose: RwSignal<String>) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let me = signals.member.get_value();
    let others = {
        let me = me.clone();
        let members = member_choices(signals);
        move || {
            members
                .get()
                .into_iter()
                .filter(|(id, _)| *id != me)
                .collect::<Vec<_>>()
        }
    };
    view! {
        <select
            class="whose"
            aria-label=move || lang.get().t().assignee
            on:change=move |ev| whose.set(event_target_value(&ev))
        >
            <option value=me.clone() selected=move || whose.get() == me>{move || lang.get().t().mine}</option>
            <option value="" selected=move || whose.get().is_empty()>{move || lang.get().t().everyone}</option>
            <For each=others key=|(id, _)| id.clone() let((id, name))>
                <option value=id.clone() selected=move || whose.get() == id>{name}</option>
            </For>
        </select>
    }
}

/// One follow-up with its customer (and whose it is, when not the member's) and a one-tap
/// "done" (a refused one says why in `error`).
#[component]
pub(super) fn DueItem(
    due: Due,
    assignee: Option<String>,
    lang: RwSignal<Lang>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let Due {
        customer_id,
        customer_name,
        follow_up,
    } = due;
    let href = format!("/customers/{customer_id}");
    let due_at = follow_up.due_at;
    let complete = move |_| {
        let id = follow_up.id.clone();
        session.with_value(|s| {
            s.edit_customer_soon(
                customer_id.clone(),
                move |doc, stamp| doc.complete_follow_up(&id, stamp),
                move |done| error.set(done.err().map(|e| error_text(lang.get_untracked(), &e))),
            );
        });
    };
    view! {
        <li class="follow-up">
            <button
                type="button"
                class="check"
                aria-label=move || lang.get().t().complete
                on:click=complete
            ></button>
            <span class="follow-up-title">{follow_up.title.clone()}</span>
            <a class="follow-up-customer" href=href>{customer_name}</a>
            {assignee.map(|name| view! { <span class="chip assignee">{name}</span> })}
            <span class="due">{move || lang.get().date_time(due_at)}</span>
        </li>
    }
}

/// Local midnight after `now`.
pub(super) fn end_of_day(now: i64) -> i64 {
    let d = js_sys::Date::new(&(now as f64).into());
    d.set_hours(24);
    d.set_minutes(0);
    d.set_seconds(0);
    d.set_milliseconds(0);
    d.get_time() as i64
}

/// Asks for permission to show reminders; shows that they are on once granted.
#[component]
fn ReminderSwitch(lang: RwSignal<Lang>) -> impl IntoView {
    let granted = RwSignal::new(Notification::permission() == NotificationPermission::Granted);
    let ask = move |_| {
        if let Ok(promise) = Notification::request_permission() {
            leptos::task::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                granted.set(Notification::permission() == NotificationPermission::Granted);
            });
        }
    };
    view! {
        <Show
            when=move || granted.get()
            fallback=move || view! {
                <button type="button" on:click=ask>{move || lang.get().t().enable_reminders}</button>
            }
        >
            <span class="chip">{move || lang.get().t().reminders_on}</span>
        </Show>
    }
}

/// Shows a notification once for each follow-up that falls due while the app is open.
fn remind_when_due(mine: Memo<Vec<Due>>, now: RwSignal<i64>, lang: RwSignal<Lang>) {
    let started = js_sys::Date::now() as i64;
    let shown = StoredValue::new(HashSet::<String>::new());
    Effect::new(move |_| {
        let now = now.get();
        if Notification::permission() != NotificationPermission::Granted {
            return;
        }
        for d in mine.get() {
            let fresh = (started..=now).contains(&d.follow_up.due_at);
            if fresh && shown.try_update_value(|s| s.insert(d.follow_up.id.clone())) == Some(true) {
                let options = NotificationOptions::new();
                options.set_body(&format!("{} · {}", d.customer_name, d.follow_up.title));
                options.set_tag(&d.follow_up.id);
                let _ = Notification::new_with_options(
                    lang.get_untracked().t().reminder_title,
                    &options,
                );
            }
        }
    });
}
