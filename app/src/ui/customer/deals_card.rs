//! The customer's deals: amount, stage, and adding one.

use std::collections::BTreeMap;

use crm_core::Id;
use crm_core::customer::{Deal, NewDeal};
use crm_core::values::{Money, parse_amount};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::Inputs;
use crate::i18n::use_lang;
use crate::ui::errors::error_text;
use crate::ui::fields::QuickInput;
use crate::ui::stages::{StagePicker, use_pipeline};
use crate::ui::use_session;

/// Deals with their amount and a stage picker.
#[component]
pub(super) fn DealsCard(
    customer_id: String,
    items: BTreeMap<String, Deal>,
    inputs: Inputs,
) -> impl IntoView {
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
