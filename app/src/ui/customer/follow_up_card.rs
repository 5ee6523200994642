//! The customer's follow-ups: open ones (overdue marked), done ones, and a quick add.

use std::collections::BTreeMap;

use crm_core::Id;
use crm_core::customer::{FollowUp, MANUAL_ORIGIN, NewFollowUp};
use crm_core::values::DAY_MS;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{Edit, Inputs};
use crate::i18n::use_lang;
use crate::ui::fields::QuickInput;
use crate::ui::use_signals;

/// Open follow-ups (overdue ones marked), a quick add, and the done ones.
#[component]
pub(super) fn FollowUpCard(
    items: BTreeMap<String, FollowUp>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let now = js_sys::Date::now() as i64;
    let mut items: Vec<_> = items.into_iter().collect();
    items.sort_by(|(a_id, a), (b_id, b)| (a.done, a.due_at, a_id).cmp(&(b.done, b.due_at, b_id)));
    let (title, due) = (inputs.follow_up, inputs.due);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewFollowUp {
            title: title.get_untracked(),
            due_at: parse_date_input(&due.get_untracked()).unwrap_or(now + DAY_MS),
            assignee: signals.member.get_value(),
            origin: MANUAL_ORIGIN.to_owned(),
        };
        edit.run(Box::new(move |doc, stamp| {
            doc.add_follow_up(&Id::random(), new, stamp)
        }));
        title.set(String::new());
    };
    view! {
        <section class="card">
            <h2>{move || lang.get().t().follow_ups}</h2>
            <ul class="follow-ups">
                {items.into_iter().map(|(id, f)| {
                    let overdue = !f.done && f.due_at < now;
                    let done = f.done;
                    let due_at = f.due_at;
                    view! {
                        <li class="follow-up" class:overdue=overdue class:done=done>
                            <button
                                type="button"
                                class="check"
                                aria-label=move || if done { lang.get().t().reopen } else { lang.get().t().complete }
                                on:click=move |_| {
                                    let id = id.clone();
                                    edit.run(Box::new(move |doc, stamp| if done {
                                        doc.reopen_follow_up(&id, stamp)
                                    } else {
                                        doc.complete_follow_up(&id, stamp)
                                    }));
                                }
                            >{if done { "✓" } else { "" }}</button>
                            <span class="follow-up-title">{f.title.clone()}</span>
                            {(f.origin != MANUAL_ORIGIN).then(|| view! {
                                <span class="chip rule-mark" title=move || lang.get().t().auto_tag>"⚙"</span>
                            })}
                            <span class="due">{move || lang.get().date(due_at)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="inline-fields" on:submit=submit>
                <QuickInput label=|t| t.follow_up_title value=title />
                <input
                    type="date"
                    aria-label=move || lang.get().t().due
                    prop:value=due
                    on:input=move |ev| due.set(event_target_value(&ev))
                />
                <button type="submit" class="primary">{move || lang.get().t().add_follow_up}</button>
            </form>
        </section>
    }
}

/// `YYYY-MM-DD` of `at` in local time, for `<input type=date>`.
pub(super) fn date_input_value(at: i64) -> String {
    let d = js_sys::Date::new(&(at as f64).into());
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// 09:00 local time of the day in an `<input type=date>` value.
fn parse_date_input(value: &str) -> Option<i64> {
    let at = js_sys::Date::new(&format!("{value}T09:00").into()).get_time();
    (!at.is_nan()).then_some(at as i64)
}
