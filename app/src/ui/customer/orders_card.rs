//! The customer's orders, lifetime spend per currency, and recording a new order (which the
//! edge's spend and repeat-purchase rules react to).

use crm_core::Id;
use std::collections::BTreeMap;

use crm_core::customer::{NewOrder, Order, OrderChannel};
use crm_core::values::{Money, parse_amount};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{Edit, Op};
use crate::i18n::use_lang;
use crate::ui::fields::QuickInput;

/// Orders newest first, their totals, and a form recording one placed now.
#[component]
pub fn OrdersCard(
    /// The customer's orders.
    items: BTreeMap<String, Order>,
    /// What is typed as the new order's items (owned by the page).
    typed_items: RwSignal<String>,
    /// What is typed as its amount.
    amount: RwSignal<String>,
    edit: Edit,
) -> impl IntoView {
    let lang = use_lang();
    let channel = RwSignal::new(OrderChannel::OnlineShop);
    let error = RwSignal::new(None::<String>);
    let mut orders: Vec<_> = items.into_values().collect();
    orders.sort_by_key(|o| std::cmp::Reverse(o.at));
    let mut totals: Vec<Money> = Vec::new();
    for o in &orders {
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
        let Some(minor) = parse_amount(&typed) else {
            let t = lang.get_untracked().t();
            return error.set(Some(format!("“{typed}” {}", t.err_amount)));
        };
        let new = NewOrder {
            at: js_sys::Date::now() as i64,
            amount: Money::cny(minor),
            items: typed_items.get_untracked(),
            channel: channel.get_untracked(),
        };
        error.set(None);
        let op: Op = Box::new(move |doc, stamp| doc.add_order(&Id::random(), new, stamp));
        edit.run(op);
        typed_items.set(String::new());
        amount.set(String::new());
    };
    view! {
        <section class="card">
            <h2>
                {move || lang.get().t().orders}
                <span class="spend total">
                    {totals.into_iter().map(|m| view! { <span>{move || lang.get().money(&m)}</span> }).collect_view()}
                </span>
            </h2>
            {empty.then(|| view! { <p class="empty">{move || lang.get().t().no_orders}</p> })}
            <ul class="orders">
                {orders.into_iter().map(|o| {
                    let amount = Money { minor: o.amount_minor, currency: o.currency.clone() };
                    let (at, channel) = (o.at, o.channel);
                    view! {
                        <li class="order">
                            <span>{o.items.clone()}</span>
                            <span class="muted">{move || lang.get().order_channel(channel)} " · " {move || lang.get().date(at)}</span>
                            <span class="spend">{move || lang.get().money(&amount)}</span>
                        </li>
                    }
                }).collect_view()}
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
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}
