//! The customer's orders, lifetime spend per currency, editing and deleting them, and
//! recording a new order (which the edge's spend and repeat-purchase rules react to).

use crm_core::{CustomerDoc, Id};
use std::collections::BTreeMap;

use crm_core::customer::{NewOrder, Order, OrderChannel, OrderEdit};
use crm_core::policy::Offer;
use crm_core::values::{Money, amount_text};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::draft::{
    Draft, DraftForm, DraftInput, DraftSelect, RowActions, date_input_value, editing, opener,
    parse_date_input, remover, save_entry, typed_money,
};
use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
use crate::ui::fields::QuickInput;

/// Orders newest first, their totals, and a form recording one placed now.
#[component]
pub(super) fn OrdersCard(
    /// The customer's orders.
    items: BTreeMap<String, Order>,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let (typed_items, amount, error) = (inputs.order_items, inputs.order_amount, inputs.error);
    let channel = RwSignal::new(OrderChannel::OnlineShop);
    let mut orders: Vec<_> = items.into_iter().collect();
    orders.sort_by_key(|(id, o)| (std::cmp::Reverse(o.at), id.clone()));
    let mut totals: Vec<Money> = Vec::new();
    for (_, o) in &orders {
        match totals.iter_mut().find(|m| m.currency == o.currency) {
            Some(m) => m.minor = m.minor.saturating_add(o.amount_minor),
            None => totals.push(Money {
                minor: o.amount_minor,
                currency: o.currency.clone(),
            }),
        }
    }
    let empty = orders.is_empty();
    let record = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = amount.get_untracked();
        let money = match typed_money(lang.get_untracked(), &typed, "CNY") {
            Ok(money) => money,
            Err(message) => return error.set(Some(message)),
        };
        let new = NewOrder {
            at: js_sys::Date::now() as i64,
            amount: money,
            items: typed_items.get_untracked(),
            channel: channel.get_untracked(),
        };
        edit.run(Box::new(move |doc, stamp| {
            doc.add_order(&Id::random(), new, stamp)
        }));
        if error.get_untracked().is_none() {
            typed_items.set(String::new());
            amount.set(String::new());
        }
    };
    view! {
        <section class="card orders-card" on:pointerdown=mark(inputs, "orders") on:focusin=mark(inputs, "orders")>
            <h2>
                {move || lang.get().t().orders}
                <span class="spend total">
                    {totals.into_iter().map(|m| view! { <span>{move || lang.get().money(&m)}</span> }).collect_view()}
                </span>
            </h2>
            {empty.then(|| view! { <p class="empty">{move || lang.get().t().no_orders}</p> })}
            <ul class="orders">
                {orders.into_iter().map(|(id, o)| view! { <OrderRow id o offer edit inputs /> }).collect_view()}
            </ul>
            <form class="inline-fields" on:submit=record>
                <QuickInput label=|t| t.order_items value=typed_items />
                <QuickInput label=|t| t.order_amount value=amount class="amount" inputmode="decimal" />
                <select aria-label=move || lang.get().t().order_channel on:change=move |ev| channel.set(OrderChannel::from_stored(&event_target_value(&ev)))>
                    {OrderChannel::ALL.iter().map(|c| view! {
                        <option value=c.as_str() selected=*c == OrderChannel::OnlineShop>{move || lang.get().order_channel(*c)}</option>
                    }).collect_view()}
                </select>
                <button type="submit">{move || lang.get().t().add_order}</button>
            </form>
            <ErrorHere inputs place="orders" />
        </section>
    }
}

/// One order; anyone who may edit the customer edits it, managers and admins delete it.
#[component]
fn OrderRow(id: String, o: Order, offer: Memo<Offer>, edit: Edit, inputs: Inputs) -> impl IntoView {
    let lang = use_lang();
    let (draft, error) = (inputs.draft, inputs.error);
    let key = format!("order:{id}");
    let amount = Money {
        minor: o.amount_minor,
        currency: o.currency.clone(),
    };
    let (at, channel) = (o.at, o.channel);
    let on_edit = opener(
        inputs,
        key.clone(),
        vec![
            ("items", o.items.clone()),
            ("amount", amount_text(o.amount_minor)),
            ("channel", channel.as_str().to_owned()),
            ("at", date_input_value(at)),
        ],
    );
    let on_remove = remover(edit, lang, id.clone(), CustomerDoc::remove_order);
    let currency = o.currency.clone();
    let on_save = Callback::new(move |d: Draft| {
        let mut edits = Vec::new();
        for (field, typed) in d.changed() {
            edits.push(match field.as_str() {
                "items" => OrderEdit::Items(typed),
                "amount" => match typed_money(lang.get_untracked(), &typed, &currency) {
                    Ok(money) => OrderEdit::Amount(money),
                    Err(message) => return error.set(Some(message)),
                },
                "at" => match parse_date_input(&typed) {
                    Some(day) => OrderEdit::At(day),
                    None => continue,
                },
                _ => OrderEdit::Channel(OrderChannel::from_stored(&typed)),
            });
        }
        save_entry(edit, inputs, id.clone(), edits, CustomerDoc::edit_order);
    });
    let channels = Signal::derive(move || {
        let lang = lang.get();
        (OrderChannel::ALL.iter())
            .map(|c| (c.as_str().to_owned(), lang.order_channel(*c).to_owned()))
            .collect()
    });
    view! {
        <li class="order">
            {move || match editing(draft, &key) {
                true => view! {
                    <DraftForm draft on_save>
                        <div class="draft-grid">
                            <DraftInput draft field="items" label=|t| t.order_items />
                            <DraftInput draft field="amount" label=|t| t.order_amount inputmode="decimal" />
                            <DraftSelect draft field="channel" label=|t| t.order_channel options=channels />
                            <DraftInput draft field="at" label=|t| t.when kind="date" />
                        </div>
                    </DraftForm>
                }.into_any(),
                false => {
                    let amount = amount.clone();
                    view! {
                        <span>{o.items.clone()}</span>
                        <span class="muted">{move || lang.get().order_channel(channel)} " · " {move || lang.get().date(at)}</span>
                        <span class="spend">{move || lang.get().money(&amount)}</span>
                        {move || offer.get().edit().then(|| {
                            let on_remove = offer.get().remove_orders().then_some(on_remove);
                            view! { <RowActions on_edit on_remove /> }
                        })}
                    }.into_any()
                }
            }}
        </li>
    }
}
