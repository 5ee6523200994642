//! The customer 360° page: profile, contact points, tags, follow-ups, deals, orders, notes and
//! the interaction timeline, with quick adds and concurrent-edit conflicts to settle.

use crm_core::contact::ContactKind;
use std::collections::BTreeMap;

use crm_core::customer::{
    AutoTag, Channel, ConflictValue, ContactPoint, Customer, Deal, Direction, FieldConflict,
    FollowUp, Interaction, MANUAL_ORIGIN, ManualTag, NewDeal, NewFollowUp, NewInteraction, Profile,
};
use crm_core::values::{DAY_MS, Money, parse_amount};
use crm_core::workspace::Role;
use crm_core::{Id, ModelError};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::errors::error_text;
use super::fields::QuickInput;
use super::history::HistoryCard;
use super::orders_card::OrdersCard;
use super::rule_preview::RulePreview;
use super::stages::{StagePicker, use_pipeline};
use super::{member_name, use_session, use_signals};
use crate::i18n::{Lang, use_lang};

/// The page of the customer in the route's `:id`.
#[component]
pub fn CustomerPage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let customer = Memo::new(move |_| session.with_value(|s| s.customer(&id.get())).get());
    // Outlives the re-render that every change to the customer causes.
    let inputs = Inputs::new();
    Effect::new(move |shown: Option<String>| {
        let current = id.get();
        if shown.is_some_and(|shown| shown != current) {
            inputs.clear();
        }
        current
    });
    // The page is built once per customer; each card follows its own part of the customer.
    let present = Memo::new(move |_| customer.with(Option::is_some));
    view! {
        <a href="/" class="back">"← " {move || lang.get().t().back}</a>
        {move || match (id.get(), present.get()) {
            (id, false) if signals.loading.get() || session.with_value(|s| s.is_opening(&id)) => {
                view! { <p class="empty">{lang.get().t().opening}</p> }.into_any()
            }
            (_, false) => view! { <p class="empty">{lang.get().t().not_found}</p> }.into_any(),
            (id, true) => view! { <Customer360 id customer inputs /> }.into_any(),
        }}
    }
}

/// What a person is typing on the page. Owned by the page, not by the cards, so a teammate's
/// change (which re-renders the card it touches) never wipes it; cleared when another customer
/// opens.
#[derive(Clone, Copy)]
struct Inputs {
    error: RwSignal<Option<String>>,
    channel: RwSignal<Channel>,
    direction: RwSignal<Direction>,
    summary: RwSignal<String>,
    follow_up: RwSignal<String>,
    due: RwSignal<String>,
    tag: RwSignal<String>,
    deal_title: RwSignal<String>,
    deal_amount: RwSignal<String>,
    order_items: RwSignal<String>,
    order_amount: RwSignal<String>,
    notes: RwSignal<Option<NotesDraft>>,
}

impl Inputs {
    fn new() -> Self {
        Self {
            error: RwSignal::new(None),
            channel: RwSignal::new(Channel::WeChatChat),
            direction: RwSignal::new(Direction::Outbound),
            summary: RwSignal::new(String::new()),
            follow_up: RwSignal::new(String::new()),
            due: RwSignal::new(date_input_value(js_sys::Date::now() as i64 + DAY_MS)),
            tag: RwSignal::new(String::new()),
            deal_title: RwSignal::new(String::new()),
            deal_amount: RwSignal::new(String::new()),
            order_items: RwSignal::new(String::new()),
            order_amount: RwSignal::new(String::new()),
            notes: RwSignal::new(None),
        }
    }

    fn clear(&self) {
        self.error.set(None);
        self.summary.set(String::new());
        self.follow_up.set(String::new());
        self.due
            .set(date_input_value(js_sys::Date::now() as i64 + DAY_MS));
        self.tag.set(String::new());
        self.deal_title.set(String::new());
        self.deal_amount.set(String::new());
        self.order_items.set(String::new());
        self.order_amount.set(String::new());
        self.notes.set(None);
    }
}

/// A named operation on the open customer.
pub(super) type Op =
    Box<dyn FnOnce(&mut crm_core::CustomerDoc, &crm_core::Stamp) -> Result<(), ModelError>>;
/// Runs an [`Op`] on the open customer; a refused edit is shown on the page.
pub(super) type Edit = Callback<Op>;

/// One part of the open customer, as a signal that changes only when that part does: a card
/// built on it re-renders for its own changes, not for every change to the customer.
fn part<T>(customer: Memo<Option<Customer>>, read: fn(&Customer) -> T) -> Memo<Option<T>>
where
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| customer.with(|c| c.as_ref().map(read)))
}

#[component]
fn Customer360(id: String, customer: Memo<Option<Customer>>, inputs: Inputs) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let error = inputs.error;
    let profile = part(customer, |c| c.profile.clone());
    // Sales change only the customers they own or nobody owns (the edge puts anything else
    // back): another's customer is shown read-only.
    let read_only = Memo::new(move |_| {
        let owner = profile.with(|p| p.as_ref().map(|p| p.owner.clone()).unwrap_or_default());
        let member = signals.member.get_value();
        signals.role.get_value() == Role::Sales && !owner.is_empty() && owner != member
    });
    let edit: Edit = {
        let id = id.clone();
        Callback::new(move |op: Op| {
            if read_only.get_untracked() {
                return error.set(Some(lang.get_untracked().t().read_only.to_owned()));
            }
            match session.with_value(|s| s.edit_customer(&id, op)) {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(error_text(lang.get_untracked(), &e))),
            }
        })
    };
    let conflicts = {
        let id = id.clone();
        Memo::new(move |_| {
            customer.track();
            session.with_value(|s| s.conflicts(&id))
        })
    };
    let member_name = move |member: &str| member_name(signals, member);
    let interactions = part(customer, |c| c.interactions.clone());
    let follow_ups = part(customer, |c| c.follow_ups.clone());
    let contacts = part(customer, |c| c.contacts.clone());
    let tags = part(customer, |c| (c.tags.clone(), c.auto_tags.clone()));
    let deals = part(customer, |c| c.deals.clone());
    let orders = part(customer, |c| c.orders.clone());
    let notes = part(customer, |c| c.notes.as_str().to_owned());
    let deals_id = id.clone();
    let history_id = id.clone();
    view! {
        {move || profile.get().map(|p| view! { <ProfileCard p member_name /> })}
        {move || error.get().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        {move || read_only.get().then(|| view! { <p class="banner read-only" role="note">{lang.get().t().read_only}</p> })}
        {move || conflicts.get().into_iter().map(|c| view! { <ConflictBanner conflict=c edit /> }).collect_view()}
        <div class="grid-360" data-read-only=move || read_only.get().then_some("true")>
            <div class="column">
                <LogInteraction edit inputs />
                {move || interactions.get().map(|items| view! { <Timeline items lang member_name /> })}
            </div>
            <div class="column">
                {move || customer.get().map(|c| view! { <RulePreview customer=c /> })}
                {move || follow_ups.get().map(|items| view! { <FollowUpCard items edit inputs /> })}
                {move || contacts.get().map(|items| view! { <ContactsCard items /> })}
                {move || tags.get().map(|(manual, auto)| view! { <TagsCard manual auto edit inputs /> })}
                {move || deals.get().map(|items| view! { <DealsCard customer_id=deals_id.clone() items inputs /> })}
                {move || orders.get().map(|items| view! { <OrdersCard items typed_items=inputs.order_items amount=inputs.order_amount edit /> })}
                {move || notes.get().map(|notes| view! { <NotesCard customer_id=id.clone() notes draft=inputs.notes edit error /> })}
                <HistoryCard customer_id=history_id />
            </div>
        </div>
    }
}

/// Who the customer is: name, company, stage, source, owner.
#[component]
fn ProfileCard(p: Profile, member_name: impl Fn(&str) -> String + 'static) -> impl IntoView {
    let lang = use_lang();
    let (source, lifecycle) = (p.source, p.lifecycle);
    let initial = p.name.chars().next().unwrap_or('?');
    view! {
        <section class="card profile-card">
            <span class="avatar large">{initial}</span>
            <div class="profile-main">
                <h1>
                    <span class="name">{p.name.clone()}</span>
                    " "
                    <span class="latin">{p.name_latin.clone()}</span>
                </h1>
                <p class="row-sub">{p.company.clone()} {(!p.title.is_empty()).then(|| format!(" · {}", p.title))}</p>
                <p class="chips">
                    <span class="chip stage" data-stage=lifecycle.as_str()>{move || lang.get().lifecycle(lifecycle)}</span>
                    <span class="chip">{move || lang.get().source(source)}</span>
                    <span class="chip">{move || lang.get().t().owner} ": " {member_name(&p.owner)}</span>
                </p>
            </div>
        </section>
    }
}

/// "Changed by two people at once": every value, and a button to keep each.
#[component]
fn ConflictBanner(conflict: FieldConflict, edit: Edit) -> impl IntoView {
    let lang = use_lang();
    let path = conflict.path.clone();
    view! {
        <div class="banner banner-conflict" role="alert" data-field=path.join(".")>
            <strong>{move || lang.get().t().conflict}</strong>
            <code>{path.join(".")}</code>
            {conflict.values.into_iter().enumerate().map(|(i, value)| {
                let text = match value {
                    ConflictValue::Scalar(s) => s,
                    ConflictValue::Object => "{…}".to_owned(),
                };
                let path = path.clone();
                view! {
                    <button type="button" class="keep" on:click=move |_| {
                        let path = path.clone();
                        edit.run(Box::new(move |doc, stamp| doc.resolve_conflict(&path, i, stamp)));
                    }>
                        {move || lang.get().t().keep} " “" {text.clone()} "”"
                    </button>
                }
            }).collect_view()}
        </div>
    }
}

/// Quick add of an interaction: channel, direction and what was said, logged now.
#[component]
fn LogInteraction(edit: Edit, inputs: Inputs) -> impl IntoView {
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
        <form class="card quick-add" on:submit=submit>
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
        </form>
    }
}

/// The interaction timeline, newest first.
#[component]
fn Timeline(
    items: BTreeMap<String, Interaction>,
    lang: RwSignal<Lang>,
    member_name: impl Fn(&str) -> String + 'static,
) -> impl IntoView {
    let mut items: Vec<_> = items.into_iter().collect();
    items.sort_by(|(a_id, a), (b_id, b)| (b.at, b_id).cmp(&(a.at, a_id)));
    let empty = items.is_empty();
    view! {
        <section class="card">
            <h2>{move || lang.get().t().timeline}</h2>
            {empty.then(|| view! { <p class="empty">{move || lang.get().t().no_interactions}</p> })}
            <ol class="timeline">
                {items.into_iter().map(|(_, i)| {
                    let (channel, direction, at) = (i.channel, i.direction, i.at);
                    view! {
                        <li class="event" data-channel=channel.as_str()>
                            <span class="channel-icon" aria-hidden="true">{channel_glyph(channel)}</span>
                            <div class="event-body">
                                <p class="event-head">
                                    <strong>{move || lang.get().channel(channel)}</strong>
                                    " · " {move || lang.get().direction(direction)}
                                    " · " {member_name(&i.author)}
                                </p>
                                <p class="event-text">{i.summary.clone()}</p>
                                <time class="muted">{move || lang.get().date_time(at)}</time>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
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

/// Open follow-ups (overdue ones marked), a quick add, and the done ones.
#[component]
fn FollowUpCard(items: BTreeMap<String, FollowUp>, edit: Edit, inputs: Inputs) -> impl IntoView {
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
fn date_input_value(at: i64) -> String {
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

/// Contact points; phones and e-mails are links that call or write.
#[component]
fn ContactsCard(items: BTreeMap<String, ContactPoint>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{move || lang.get().t().contacts}</h2>
            <ul class="contacts">
                {items.into_values().map(|c| {
                    let kind = c.kind;
                    let href = match kind {
                        ContactKind::Phone => Some(format!("tel:{}", c.normalized)),
                        ContactKind::Email => Some(format!("mailto:{}", c.normalized)),
                        _ => None,
                    };
                    let value = c.value.clone();
                    view! {
                        <li class="contact">
                            <span class="contact-kind">{move || lang.get().contact_kind(kind)}</span>
                            {match href {
                                Some(href) => view! { <a href=href class="contact-value">{value}</a> }.into_any(),
                                None => view! { <span class="contact-value">{value}</span> }.into_any(),
                            }}
                            {c.primary.then(|| view! { <span class="chip primary-chip">{move || lang.get().t().primary}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Manual tags (removable), automatic tags from rules, and a field to add one.
#[component]
fn TagsCard(
    manual: BTreeMap<String, ManualTag>,
    auto: BTreeMap<String, AutoTag>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let tag = inputs.tag;
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let name = tag.get_untracked();
        edit.run(Box::new(move |doc, stamp| doc.add_tag(&name, stamp)));
        tag.set(String::new());
    };
    view! {
        <section class="card">
            <h2>{move || lang.get().t().tags}</h2>
            <p class="chips">
                {manual.into_keys().map(|name| {
                    let label = name.clone();
                    view! {
                        <span class="chip tag">
                            {label}
                            <button type="button" class="chip-remove" aria-label="×" on:click=move |_| {
                                let name = name.clone();
                                edit.run(Box::new(move |doc, stamp| doc.remove_tag(&name, stamp)));
                            }>"×"</button>
                        </span>
                    }
                }).collect_view()}
                {auto.into_keys().map(|name| view! {
                    <span class="chip auto-tag" title=move || lang.get().t().auto_tag>"⚙ " {name}</span>
                }).collect_view()}
            </p>
            <form class="inline-fields" on:submit=submit>
                <QuickInput label=|t| t.add_tag value=tag />
                <button type="submit">{move || lang.get().t().add_tag}</button>
            </form>
        </section>
    }
}

/// Deals with their amount and a stage picker.
#[component]
fn DealsCard(customer_id: String, items: BTreeMap<String, Deal>, inputs: Inputs) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let pipeline = use_pipeline();
    let empty = items.is_empty();
    let (title, amount, error) = (inputs.deal_title, inputs.deal_amount, inputs.error);
    let add = {
        let customer_id = customer_id.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let Some(minor) = parse_amount(&amount.get_untracked()) else {
                error.set(Some(format!(
                    "“{}” {}",
                    amount.get_untracked(),
                    lang.get_untracked().t().err_amount
                )));
                return;
            };
            let new = NewDeal {
                title: title.get_untracked(),
                amount: Money::cny(minor),
                stage: None,
                expected_close: None,
            };
            let pipeline = pipeline.get_untracked();
            let added = session.with_value(|s| {
                s.edit_customer(&customer_id, |doc, stamp| {
                    doc.add_deal(&Id::random(), new, &pipeline, stamp)
                })
            });
            match added {
                Ok(()) => {
                    error.set(None);
                    title.set(String::new());
                    amount.set(String::new());
                }
                Err(e) => error.set(Some(error_text(lang.get_untracked(), &e))),
            }
        }
    };
    view! {
        <section class="card">
            <h2>{move || lang.get().t().deals}</h2>
            {empty.then(|| view! { <p class="empty">{move || lang.get().t().no_deals}</p> })}
            <ul class="deals">
                {items.into_iter().map(|(id, deal)| {
                    let amount = Money { minor: deal.amount_minor, currency: deal.currency.clone() };
                    let current = deal.stage.clone();
                    view! {
                        <li class="deal">
                            <span class="deal-title">{deal.title.clone()}</span>
                            <span class="spend">{move || lang.get().money(&amount)}</span>
                            <StagePicker customer=customer_id.clone() deal=id current pipeline error />
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="inline-fields" on:submit=add>
                <QuickInput label=|t| t.deal_title value=title />
                <QuickInput label=|t| t.deal_amount value=amount class="amount" inputmode="decimal" />
                <button type="submit">{move || lang.get().t().add_deal}</button>
            </form>
        </section>
    }
}

/// Notes being typed on the page: the text so far and the document's heads when typing began.
#[derive(Debug, Clone, PartialEq)]
struct NotesDraft {
    customer: String,
    base: Vec<automerge::ChangeHash>,
    text: String,
}

/// The shared notes. What a person types stays on screen while others' changes arrive, and is
/// saved as an edit of the notes they started from, merged with what others wrote meanwhile.
#[component]
fn NotesCard(
    customer_id: String,
    notes: String,
    draft: RwSignal<Option<NotesDraft>>,
    edit: Edit,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let mine = {
        let id = customer_id.clone();
        move || draft.get().filter(|d| d.customer == id)
    };
    let shown = {
        let mine = mine.clone();
        move || mine().map_or_else(|| notes.clone(), |d| d.text)
    };
    let input = move |ev| {
        let text = event_target_value(&ev);
        draft.update(|d| match d {
            Some(d) if d.customer == customer_id => d.text = text,
            _ => {
                let base = session.with_value(|s| s.heads(&customer_id));
                *d = Some(NotesDraft {
                    customer: customer_id.clone(),
                    base,
                    text,
                });
            }
        });
    };
    let save = {
        let mine = mine.clone();
        move |_| {
            let Some(NotesDraft { base, text, .. }) = mine() else {
                return;
            };
            edit.run(Box::new(move |doc, stamp| {
                doc.edit_notes(&base, &text, stamp)
            }));
            if error.get_untracked().is_none() {
                draft.set(None);
            }
        }
    };
    view! {
        <section class="card">
            <h2>{move || lang.get().t().notes}</h2>
            <textarea
                rows="4"
                aria-label=move || lang.get().t().notes
                prop:value=shown
                on:input=input
            ></textarea>
            <button type="button" on:click=save disabled=move || mine().is_none()>
                {move || lang.get().t().save}
            </button>
        </section>
    }
}
