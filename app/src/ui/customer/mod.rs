//! The customer 360° page: profile, contact points, tags, follow-ups, deals, orders, notes and
//! the interaction timeline, with quick adds and concurrent-edit conflicts to settle.

mod action_bar;
mod conflict_banner;
mod contacts_card;
mod custom_fields_card;
mod deals_card;
mod draft;
mod follow_up_card;
mod merge_note;
mod notes_card;
mod orders_card;
mod profile_card;
mod rule_preview;
mod tags_card;
mod timeline;

use crm_core::ModelError;
use crm_core::contact::ContactKind;
use crm_core::customer::{Channel, Customer, Direction, Erased, SummaryRow};
use crm_core::policy::Offer;
use crm_core::values::DAY_MS;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use action_bar::ActionBar;
use conflict_banner::ConflictBanner;
use contacts_card::ContactsCard;
use custom_fields_card::CustomFieldsCard;
use deals_card::DealsCard;
use draft::date_input_value;
use follow_up_card::FollowUpCard;
use merge_note::MergeNote;
use notes_card::NotesCard;
pub use notes_card::NotesDrafts;
use orders_card::OrdersCard;
use profile_card::ProfileCard;
use rule_preview::RulePreview;
use tags_card::TagsCard;
use timeline::{LogInteraction, Timeline};

use super::errors::error_text;
use super::history::HistoryCard;
use super::masked_customer::MaskedCustomer;
use super::presence::PresenceBar;
use super::{member_name, use_session, use_signals};
use crate::i18n::use_lang;

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
    // What is shown is re-read whenever the customer's signal is set, also to nothing (a read
    // from storage that found it erased).
    let shown = Memo::new(move |_| {
        let id = id.get();
        let signal = session.with_value(|s| s.customer(&id));
        if signal.with(Option::is_some) {
            Shown::Customer(id)
        } else if signals.loading.get() || session.with_value(|s| s.is_opening(&id)) {
            Shown::Opening
        } else {
            let listed = || {
                signals
                    .rows
                    .with(|rows| rows.iter().find(|r| r.id == id).cloned())
            };
            match session.with_value(|s| s.erasure(&id)) {
                Some(erased) => Shown::Erased(erased),
                None => listed().map_or(Shown::Missing, Shown::Masked),
            }
        }
    });
    view! {
        <a href="/" class="back">"← " {move || lang.get().t().back}</a>
        {move || match shown.get() {
            Shown::Opening => view! { <p class="empty">{lang.get().t().opening}</p> }.into_any(),
            Shown::Missing => view! { <p class="empty">{lang.get().t().not_found}</p> }.into_any(),
            Shown::Erased(erased) => view! {
                <p class="empty erased-note" role="note">
                    {lang.get().t().erased_note} " "
                    <span class="muted">{lang.get().date(erased.at)} " · " {member_name(signals, &erased.by)}</span>
                </p>
            }.into_any(),
            Shown::Masked(row) => view! { <MaskedCustomer row /> }.into_any(),
            Shown::Customer(id) => view! { <Customer360 id customer inputs /> }.into_any(),
        }}
    }
}

/// What the page shows for the customer in its route.
#[derive(Clone, PartialEq)]
enum Shown {
    Opening,
    Missing,
    Erased(Erased),
    /// Listed, not held: the pool's or a colleague's, as the edge masked it.
    Masked(std::sync::Arc<SummaryRow>),
    /// The customer with this id.
    Customer(String),
}

/// What a person is typing on the page. Owned by the page, not by the cards, so a teammate's
/// change (which re-renders the card it touches) never wipes it; cleared when another customer
/// opens.
#[derive(Clone, Copy)]
pub(super) struct Inputs {
    error: RwSignal<Option<String>>,
    /// The card the person last worked in (empty: none yet): a refused edit is said there,
    /// next to what was typed, not at the top of a long page.
    place: RwSignal<&'static str>,
    channel: RwSignal<Channel>,
    direction: RwSignal<Direction>,
    summary: RwSignal<String>,
    follow_up: RwSignal<String>,
    due: RwSignal<String>,
    tag: RwSignal<String>,
    /// The tag just removed here, offered back.
    removed_tag: RwSignal<Option<String>>,
    deal_title: RwSignal<String>,
    deal_amount: RwSignal<String>,
    order_items: RwSignal<String>,
    order_amount: RwSignal<String>,
    /// The entry being edited, if any (see `draft`).
    draft: RwSignal<Option<draft::Draft>>,
    contact_kind: RwSignal<ContactKind>,
    contact_value: RwSignal<String>,
    contact_label: RwSignal<String>,
}

impl Inputs {
    fn new() -> Self {
        Self {
            error: RwSignal::new(None),
            place: RwSignal::new(""),
            channel: RwSignal::new(Channel::WeChatChat),
            direction: RwSignal::new(Direction::Outbound),
            summary: RwSignal::new(String::new()),
            follow_up: RwSignal::new(String::new()),
            due: RwSignal::new(date_input_value(js_sys::Date::now() as i64 + DAY_MS)),
            tag: RwSignal::new(String::new()),
            removed_tag: RwSignal::new(None),
            deal_title: RwSignal::new(String::new()),
            deal_amount: RwSignal::new(String::new()),
            order_items: RwSignal::new(String::new()),
            order_amount: RwSignal::new(String::new()),
            draft: RwSignal::new(None),
            contact_kind: RwSignal::new(ContactKind::Phone),
            contact_value: RwSignal::new(String::new()),
            contact_label: RwSignal::new(String::new()),
        }
    }

    fn clear(&self) {
        self.error.set(None);
        self.place.set("");
        self.summary.set(String::new());
        self.follow_up.set(String::new());
        self.due
            .set(date_input_value(js_sys::Date::now() as i64 + DAY_MS));
        self.tag.set(String::new());
        self.removed_tag.set(None);
        self.deal_title.set(String::new());
        self.deal_amount.set(String::new());
        self.order_items.set(String::new());
        self.order_amount.set(String::new());
        self.draft.set(None);
        self.contact_value.set(String::new());
        self.contact_label.set(String::new());
    }
}

/// A handler marking card `place` as the one the person works in.
fn mark<E>(inputs: Inputs, place: &'static str) -> impl Fn(E) + Copy + 'static {
    move |_| {
        if inputs.place.get_untracked() != place {
            inputs.place.set(place);
        }
    }
}

/// The page's refused edit, said in card `place` when the person works there.
#[component]
fn ErrorHere(inputs: Inputs, place: &'static str) -> impl IntoView {
    move || {
        (inputs.place.get() == place)
            .then(|| inputs.error.get())
            .flatten()
            .map(|e| view! { <p class="banner banner-error error-here" role="alert">{e}</p> })
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
    let archived = part(customer, |c| c.archived.as_ref().map(|a| a.at));
    let merged = part(customer, |c| c.merged_into.clone());
    // Sales change only the customers they own or nobody owns, and only some entries (the
    // edge puts anything else back): the page offers what the edge keeps.
    let offer = Memo::new(move |_| {
        let owner = profile.with(|p| p.as_ref().map(|p| p.owner.clone()).unwrap_or_default());
        Offer::new(
            &signals.member.get_value(),
            signals.role.get_value(),
            &owner,
        )
    });
    let read_only = Memo::new(move |_| !offer.get().edit());
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
    let custom = part(customer, |c| c.custom.clone());
    let tags = part(customer, |c| (c.tags.clone(), c.auto_tags.clone()));
    // The card is built once: its chips follow the tags (see `TagsCard`).
    let has_tags = Memo::new(move |_| tags.with(Option::is_some));
    let deals = part(customer, |c| c.deals.clone());
    let orders = part(customer, |c| c.orders.clone());
    let notes = part(customer, |c| c.notes.as_str().to_owned());
    let deals_id = id.clone();
    let contacts_id = id.clone();
    let history_id = id.clone();
    let presence_id = id.clone();
    let merge_id = id.clone();
    // Teammates see who else is on this customer and which card they work in.
    {
        let (here, left) = (id.clone(), id.clone());
        Effect::new(move |_| {
            let card = inputs.place.get();
            // The notes card says where its cursor is itself.
            if card != "notes" {
                session.with_value(|s| s.be_here(&here, card, None));
            }
        });
        on_cleanup(move || session.with_value(|s| s.leave_customer(&left)));
    }
    view! {
        <PresenceBar id=presence_id />
        {move || profile.get().map(|p| view! { <ProfileCard p archived=archived.get().flatten() member_name offer edit inputs /> })}
        <MergeNote id=merge_id merged offer inputs />
        {move || inputs.place.get().is_empty().then(|| error.get()).flatten().map(|e| view! { <p class="banner banner-error" role="alert">{e}</p> })}
        {move || read_only.get().then(|| view! { <p class="banner read-only" role="note">{lang.get().t().read_only}</p> })}
        {move || conflicts.get().into_iter().map(|c| view! { <ConflictBanner conflict=c edit /> }).collect_view()}
        <div class="grid-360" data-read-only=move || read_only.get().then_some("true")>
            <div class="column">
                <LogInteraction edit inputs />
                <Timeline items=interactions offer edit inputs />
            </div>
            <div class="column">
                <RulePreview customer />
                {move || follow_ups.get().map(|items| view! { <FollowUpCard items offer edit inputs /> })}
                {move || contacts.get().map(|items| view! { <ContactsCard customer_id=contacts_id.clone() items offer edit inputs /> })}
                {move || custom.get().map(|values| view! { <CustomFieldsCard values offer edit inputs /> })}
                {move || has_tags.get().then(|| view! { <TagsCard tags offer edit inputs /> })}
                {move || deals.get().map(|items| view! { <DealsCard customer_id=deals_id.clone() items offer edit inputs /> })}
                {move || orders.get().map(|items| view! { <OrdersCard items offer edit inputs /> })}
                {move || notes.get().map(|notes| view! { <NotesCard customer_id=id.clone() notes edit inputs /> })}
                <HistoryCard customer_id=history_id />
            </div>
        </div>
        {move || contacts.get().map(|contacts| view! { <ActionBar contacts offer /> })}
    }
}
