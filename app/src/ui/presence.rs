//! Teammates on a customer, as their devices announce it: avatars with what they are doing on
//! the customer's page, a marker on the list's rows, and where they type in the notes — so two
//! people do not work the same customer without knowing (撞单).

use std::collections::HashMap;

use leptos::prelude::*;

use super::{member_name, use_signals};
use crate::i18n::{Texts, use_lang};
use crate::session::{Seen, SessionSignals};

/// What a card's name says to people.
fn card_label(t: &Texts, card: &str) -> Option<&'static str> {
    Some(match card {
        "notes" => t.notes,
        "contacts" => t.contacts,
        "custom" => t.custom_fields,
        "deals" => t.deals,
        "follow-ups" => t.follow_ups,
        "orders" => t.orders,
        "profile" => t.name,
        "tags" => t.tags,
        "log" => t.log_interaction,
        "timeline" => t.timeline,
        _ => return None,
    })
}

/// The teammates' devices on customer `id`, one per member (the busiest one).
fn on(signals: SessionSignals, id: &str) -> Vec<Seen> {
    let me = signals.member.get_value();
    signals.presence.with(|seen| {
        let mut by_member: Vec<Seen> = Vec::new();
        for s in seen
            .iter()
            .filter(|s| s.doc_id == id && s.presence.member != me)
        {
            match by_member
                .iter_mut()
                .find(|b| b.presence.member == s.presence.member)
            {
                Some(kept) if kept.presence.card.is_empty() => *kept = s.clone(),
                Some(_) => {}
                None => by_member.push(s.clone()),
            }
        }
        by_member
    })
}

/// Who else is on customer `id`, and in which card.
#[component]
pub fn PresenceBar(id: String) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let here = Memo::new(move |_| on(signals, &id));
    move || {
        let here = here.get();
        (!here.is_empty()).then(|| {
            view! {
                <ul class="presence" aria-label=move || lang.get().t().presence_here>
                    {here.into_iter().map(|s| {
                        let name = member_name(signals, &s.presence.member);
                        let initial: String = name.chars().next().map(String::from).unwrap_or_default();
                        let card = s.presence.card.clone();
                        view! {
                            <li class="presence-who" data-member=s.presence.member.clone()>
                                <span class="avatar small" aria-hidden="true">{initial}</span>
                                <span>
                                    {name}
                                    {move || {
                                        let t = lang.get().t();
                                        card_label(t, &card).map(|c| format!(" · {} {c}", t.presence_editing))
                                    }}
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

/// Where teammates type in customer `id`'s notes.
#[component]
pub fn NotesCursors(id: String) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let typing = Memo::new(move |_| {
        (on(signals, &id).into_iter())
            .filter(|s| s.presence.card == "notes")
            .filter_map(|s| Some((s.presence.member, s.presence.cursor?)))
            .collect::<Vec<_>>()
    });
    move || {
        typing.get().into_iter().map(|(member, cursor)| {
            let name = member_name(signals, &member);
            view! {
                <p class="muted notes-cursor">
                    "✎ " {name} " · " {move || format!("{} {cursor}", lang.get().t().presence_typing_at)}
                </p>
            }
        }).collect_view()
    }
}

/// Customer id → names of the teammates on it, for the list's rows.
pub fn viewers(signals: SessionSignals) -> Memo<HashMap<String, Vec<String>>> {
    Memo::new(move |_| {
        let me = signals.member.get_value();
        let mut by_customer: HashMap<String, Vec<String>> = HashMap::new();
        signals.presence.with(|seen| {
            for s in seen.iter().filter(|s| s.presence.member != me) {
                let names = by_customer.entry(s.doc_id.clone()).or_default();
                let name = member_name(signals, &s.presence.member);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        });
        by_customer
    })
}
