//! The interaction timeline, newest first — editing and deleting within the member's rights —
//! and the quick add of an interaction.

use std::collections::BTreeMap;

use crm_core::customer::{Channel, Direction, Interaction, InteractionEdit, NewInteraction};
use crm_core::policy::Offer;
use crm_core::{CustomerDoc, Id};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::draft::{
    Draft, DraftForm, DraftInput, DraftSelect, RowActions, date_input_value, editing, opener,
    parse_date_input, remover, save_entry,
};
use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
use crate::ui::{member_name, use_signals};

/// Quick add of an interaction: channel, direction and what was said, logged now.
#[component]
pub(super) fn LogInteraction(edit: Edit, inputs: Inputs) -> impl IntoView {
    let lang = use_lang();
    let Inputs {
        channel,
        direction,
        summary,
        ..
    } = inputs;
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = NewInteraction {
            channel: channel.get_untracked(),
            direction: direction.get_untracked(),
            at: js_sys::Date::now() as i64,
            summary: summary.get_untracked(),
            deal_id: None,
        };
        edit.run(Box::new(move |doc, stamp| {
            doc.add_interaction(&Id::random(), new, stamp)
        }));
        summary.set(String::new());
    };
    view! {
        <form class="card quick-add log-card" on:submit=submit on:pointerdown=mark(inputs, "log") on:focusin=mark(inputs, "log")>
            <h2>{move || lang.get().t().log_interaction}</h2>
            <div class="inline-fields">
                <select aria-label=move || lang.get().t().channel on:change=move |ev| channel.set(Channel::from_stored(&event_target_value(&ev)))>
                    {Channel::ALL.iter().map(|c| view! {
                        <option value=c.as_str() selected=*c == Channel::WeChatChat>{move || lang.get().channel(*c)}</option>
                    }).collect_view()}
                </select>
                <select aria-label=move || lang.get().t().direction on:change=move |ev| direction.set(Direction::from_stored(&event_target_value(&ev)))>
                    {Direction::ALL.iter().map(|d| view! {
                        <option value=d.as_str() selected=*d == Direction::Outbound>{move || lang.get().direction(*d)}</option>
                    }).collect_view()}
                </select>
            </div>
            <textarea
                rows="2"
                aria-label=move || lang.get().t().interaction_summary
                placeholder=move || lang.get().t().interaction_summary
                prop:value=summary
                on:input=move |ev| summary.set(event_target_value(&ev))
            ></textarea>
            <button type="submit" class="primary">{move || lang.get().t().log_interaction}</button>
            <ErrorHere inputs place="log" />
        </form>
    }
}

/// The interaction timeline, newest first: keyed by each interaction as it stands, so a
/// teammate's new interaction inserts one row and an edit replaces one, not the whole list.
#[component]
pub(super) fn Timeline(
    items: Memo<Option<BTreeMap<String, Interaction>>>,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let sorted = Memo::new(move |_| {
        let mut items: Vec<_> = items.get().unwrap_or_default().into_iter().collect();
        items.sort_by(|(a_id, a), (b_id, b)| (b.at, b_id).cmp(&(a.at, a_id)));
        items
    });
    view! {
        <section class="card timeline-card" on:pointerdown=mark(inputs, "timeline") on:focusin=mark(inputs, "timeline")>
            <h2>{move || lang.get().t().timeline}</h2>
            {move || sorted.with(Vec::is_empty).then(|| view! { <p class="empty">{move || lang.get().t().no_interactions}</p> })}
            <ol class="timeline">
                <For
                    each=move || sorted.get()
                    key=|(id, i)| (id.clone(), format!("{i:?}"))
                    children=move |(id, i)| view! { <TimelineEvent id i offer edit inputs /> }
                />
            </ol>
            <ErrorHere inputs place="timeline" />
        </section>
    }
}

/// One interaction; its author (or a manager or admin) edits what was said and on which
/// channel, or deletes it.
#[component]
fn TimelineEvent(
    id: String,
    i: Interaction,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let draft = inputs.draft;
    let key = format!("interaction:{id}");
    let (channel, direction, at) = (i.channel, i.direction, i.at);
    let mine = {
        let author = i.author.clone();
        Memo::new(move |_| offer.get().change_entry_of(&author))
    };
    let on_edit = opener(
        inputs,
        key.clone(),
        vec![
            ("summary", i.summary.clone()),
            ("channel", channel.as_str().to_owned()),
            ("at", date_input_value(at)),
        ],
    );
    let on_remove = remover(edit, lang, id.clone(), CustomerDoc::remove_interaction);
    let on_save = Callback::new(move |d: Draft| {
        let edits: Vec<InteractionEdit> = (d.changed().into_iter())
            .filter_map(|(field, typed)| match field.as_str() {
                "summary" => Some(InteractionEdit::Summary(typed)),
                "at" => parse_date_input(&typed).map(InteractionEdit::At),
                _ => Some(InteractionEdit::Channel(Channel::from_stored(&typed))),
            })
            .collect();
        save_entry(
            edit,
            inputs,
            id.clone(),
            edits,
            CustomerDoc::edit_interaction,
        );
    });
    let channels = Signal::derive(move || {
        let lang = lang.get();
        Channel::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), lang.channel(*c).to_owned()))
            .collect()
    });
    let author = member_name(signals, &i.author);
    let shown = key.clone();
    view! {
        <li class="event" data-channel=channel.as_str()>
            <span class="channel-icon" aria-hidden="true">{channel_glyph(channel)}</span>
            <div class="event-body">
                <p class="event-head">
                    <strong>{move || lang.get().channel(channel)}</strong>
                    " · " {move || lang.get().direction(direction)}
                    " · " {author}
                    {move || (mine.get() && !editing(draft, &shown)).then(|| view! {
                        <RowActions on_edit on_remove=Some(on_remove) />
                    })}
                </p>
                {move || match editing(draft, &key) {
                    true => view! {
                        <DraftForm draft on_save>
                            <DraftSelect draft field="channel" label=|t| t.channel options=channels />
                            <DraftInput draft field="at" label=|t| t.when kind="date" />
                            <DraftInput draft field="summary" label=|t| t.interaction_summary multiline=true />
                        </DraftForm>
                    }.into_any(),
                    false => view! { <p class="event-text">{i.summary.clone()}</p> }.into_any(),
                }}
                <time class="muted">{move || lang.get().date_time(at)}</time>
            </div>
        </li>
    }
}

/// One glyph per channel for the timeline.
fn channel_glyph(channel: Channel) -> &'static str {
    match channel {
        Channel::Call => "☎",
        Channel::Visit => "⌂",
        Channel::Email => "✉",
        Channel::WeChatChat | Channel::WeChatGroup => "微",
        Channel::WeCom => "企",
        Channel::DouyinComment => "抖",
        Channel::Xiaohongshu => "红",
        Channel::Website => "◎",
        Channel::Other => "•",
    }
}
