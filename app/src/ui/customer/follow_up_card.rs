//! The customer's follow-ups: open ones (overdue marked) and done ones; ticking, moving to
//! tomorrow or next week, rescheduling, reassigning, deleting; and a quick add.

use std::collections::BTreeMap;

use crm_core::customer::{FollowUp, MANUAL_ORIGIN, NewFollowUp};
use crm_core::policy::Offer;
use crm_core::values::DAY_MS;
use crm_core::{CustomerDoc, Id, ModelError, Stamp};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::draft::{
    Draft, DraftForm, DraftInput, DraftSelect, RowActions, editing, opener, remover, save_entry,
};
use super::draft::{date_input_value, parse_date_input};
use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
use crate::ui::fields::QuickInput;
use crate::ui::{member_choices, member_name, use_signals};

/// Open follow-ups (overdue ones marked), then the done ones, and a quick add.
#[component]
pub(super) fn FollowUpCard(
    items: BTreeMap<String, FollowUp>,
    offer: Memo<Offer>,
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
        <section class="card follow-ups-card" on:pointerdown=mark(inputs, "follow-ups") on:focusin=mark(inputs, "follow-ups")>
            <h2>{move || lang.get().t().follow_ups}</h2>
            <ul class="follow-ups">
                {items.into_iter().map(|(id, f)| view! { <FollowUpRow id f now offer edit inputs /> }).collect_view()}
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
            <ErrorHere inputs place="follow-ups" />
        </section>
    }
}

/// How a follow-up changes: its due time or its assignee.
enum FollowUpEdit {
    Due(i64),
    Assignee(String),
}

/// Writes one [`FollowUpEdit`] of follow-up `id`.
fn edit_follow_up(
    doc: &mut CustomerDoc,
    id: &str,
    edit: FollowUpEdit,
    stamp: &Stamp,
) -> Result<(), ModelError> {
    match edit {
        FollowUpEdit::Due(due) => doc.reschedule_follow_up(id, due, stamp),
        FollowUpEdit::Assignee(member) => doc.reassign_follow_up(id, &member, stamp),
    }
}

/// One follow-up with its tick and, for whoever may change it, quick moves, edit and delete;
/// or its editor (due day; assignee for managers and admins) while it is open.
#[component]
fn FollowUpRow(
    id: String,
    f: FollowUp,
    now: i64,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let draft = inputs.draft;
    let key = format!("follow-up:{id}");
    let (done, due_at, overdue) = (f.done, f.due_at, !f.done && f.due_at < now);
    let mine = {
        let assignee = f.assignee.clone();
        Memo::new(move |_| offer.get().change_entry_of(&assignee))
    };
    let tick = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            edit.run(Box::new(move |doc, stamp| match done {
                true => doc.reopen_follow_up(&id, stamp),
                false => doc.complete_follow_up(&id, stamp),
            }));
        }
    };
    // Moves it to 09:00 `days` from today.
    let move_to = {
        let id = id.clone();
        move |days: i64| {
            let today = js_sys::Date::now() as i64;
            let due = parse_date_input(&date_input_value(today + days * DAY_MS))
                .unwrap_or(today + days * DAY_MS);
            save_entry(
                edit,
                inputs,
                id.clone(),
                vec![FollowUpEdit::Due(due)],
                edit_follow_up,
            );
        }
    };
    let on_edit = opener(
        inputs,
        key.clone(),
        vec![
            ("due", date_input_value(due_at)),
            ("assignee", f.assignee.clone()),
        ],
    );
    let on_remove = remover(edit, lang, id.clone(), CustomerDoc::remove_follow_up);
    let on_save = {
        let id = id.clone();
        Callback::new(move |d: Draft| {
            let edits = (d.changed().into_iter())
                .filter_map(|(field, typed)| match field.as_str() {
                    "due" => parse_date_input(&typed).map(FollowUpEdit::Due),
                    _ => Some(FollowUpEdit::Assignee(typed)),
                })
                .collect();
            save_entry(edit, inputs, id.clone(), edits, edit_follow_up);
        })
    };
    let members = member_choices(signals);
    let assignees = Signal::derive(move || members.get());
    let by_rule = f.origin != MANUAL_ORIGIN;
    let who = member_name(signals, &f.assignee);
    view! {
        <li class="follow-up" class:overdue=overdue class:done=done>
            {move || match editing(draft, &key) {
                true => view! {
                    <DraftForm draft on_save>
                        <div class="draft-grid">
                            <DraftInput draft field="due" label=|t| t.due kind="date" />
                            {move || offer.get().reassign().then(|| view! {
                                <DraftSelect draft field="assignee" label=|t| t.assignee options=assignees />
                            })}
                        </div>
                    </DraftForm>
                }.into_any(),
                false => {
                    let (tick, move_to) = (tick.clone(), move_to.clone());
                    view! {
                        <button
                            type="button"
                            class="check"
                            disabled=move || !mine.get()
                            aria-label=move || if done { lang.get().t().reopen } else { lang.get().t().complete }
                            on:click=tick
                        >{if done { "✓" } else { "" }}</button>
                        <span class="follow-up-title">{f.title.clone()}</span>
                        {by_rule.then(|| view! {
                            <span class="chip rule-mark" title=move || lang.get().t().auto_tag>"⚙"</span>
                        })}
                        <span class="muted follow-up-assignee">{who.clone()}</span>
                        <span class="due">{move || lang.get().date(due_at)}</span>
                        {move || mine.get().then(|| {
                            let (soon, later) = (move_to.clone(), move_to.clone());
                            view! {
                                {(!done).then(|| view! {
                                    <button type="button" class="quick-move" on:click=move |_| soon(1)>{move || lang.get().t().tomorrow}</button>
                                    <button type="button" class="quick-move" on:click=move |_| later(7)>{move || lang.get().t().next_week}</button>
                                })}
                                <RowActions on_edit on_remove=Some(on_remove) />
                            }
                        })}
                    }.into_any()
                }
            }}
        </li>
    }
}
