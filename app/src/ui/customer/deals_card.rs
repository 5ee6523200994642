//! The customer's deals: amount, stage, expected close; editing, deleting and adding one.

use std::collections::BTreeMap;

use crm_core::customer::{Deal, DealEdit, NewDeal};
use crm_core::policy::Offer;
use crm_core::values::{Money, amount_text};
use crm_core::{CustomerDoc, Id};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::draft::{
    Draft, DraftForm, DraftInput, RowActions, editing, opener, remover, save_entry, typed_money,
};
use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
use crate::ui::fields::QuickInput;
use crate::ui::stages::{StagePicker, use_pipeline};

/// Deals with their amount, stage picker and expected close, and a form adding one.
#[component]
pub(super) fn DealsCard(
    customer_id: String,
    items: BTreeMap<String, Deal>,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let pipeline = use_pipeline();
    let empty = items.is_empty();
    let (title, amount, error) = (inputs.deal_title, inputs.deal_amount, inputs.error);
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let money = match typed_money(lang.get_untracked(), &amount.get_untracked(), "CNY") {
            Ok(money) => money,
            Err(message) => return error.set(Some(message)),
        };
        let new = NewDeal {
            title: title.get_untracked(),
            amount: money,
            stage: None,
            expected_close: None,
        };
        let pipeline = pipeline.get_untracked();
        edit.run(Box::new(move |doc, stamp| {
            doc.add_deal(&Id::random(), new, &pipeline, stamp)
        }));
        if error.get_untracked().is_none() {
            title.set(String::new());
            amount.set(String::new());
        }
    };
    view! {
        <section class="card deals-card" on:pointerdown=mark(inputs, "deals") on:focusin=mark(inputs, "deals")>
            <h2>{move || lang.get().t().deals}</h2>
            {empty.then(|| view! { <p class="empty">{move || lang.get().t().no_deals}</p> })}
            <ul class="deals">
                {items.into_iter().map(|(id, deal)| view! {
                    <DealRow customer_id=customer_id.clone() id deal offer edit inputs />
                }).collect_view()}
            </ul>
            <form class="inline-fields" on:submit=add>
                <QuickInput label=|t| t.deal_title value=title />
                <QuickInput label=|t| t.deal_amount value=amount class="amount" inputmode="decimal" />
                <button type="submit">{move || lang.get().t().add_deal}</button>
            </form>
            <ErrorHere inputs place="deals" />
        </section>
    }
}

/// One deal, or its editor while it is open.
#[component]
fn DealRow(
    customer_id: String,
    id: String,
    deal: Deal,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let pipeline = use_pipeline();
    let (draft, error) = (inputs.draft, inputs.error);
    let key = format!("deal:{id}");
    let amount = Money {
        minor: deal.amount_minor,
        currency: deal.currency.clone(),
    };
    let close = deal.expected_close.clone();
    let on_edit = opener(
        inputs,
        key.clone(),
        vec![
            ("title", deal.title.clone()),
            ("amount", amount_text(deal.amount_minor)),
            ("expected_close", close.clone().unwrap_or_default()),
        ],
    );
    let on_remove = remover(edit, lang, id.clone(), CustomerDoc::remove_deal);
    let currency = deal.currency.clone();
    let on_save = {
        let id = id.clone();
        Callback::new(move |d: Draft| {
            let mut edits = Vec::new();
            for (field, typed) in d.changed() {
                edits.push(match field.as_str() {
                    "title" => DealEdit::Title(typed),
                    "amount" => match typed_money(lang.get_untracked(), &typed, &currency) {
                        Ok(money) => DealEdit::Amount(money),
                        Err(message) => return error.set(Some(message)),
                    },
                    _ => DealEdit::ExpectedClose((!typed.is_empty()).then_some(typed)),
                });
            }
            save_entry(edit, inputs, id.clone(), edits, CustomerDoc::edit_deal);
        })
    };
    view! {
        <li class="deal">
            {move || match editing(draft, &key) {
                true => view! {
                    <DraftForm draft on_save>
                        <div class="draft-grid">
                            <DraftInput draft field="title" label=|t| t.deal_title />
                            <DraftInput draft field="amount" label=|t| t.deal_amount inputmode="decimal" />
                            <DraftInput draft field="expected_close" label=|t| t.expected_close kind="date" />
                        </div>
                    </DraftForm>
                }.into_any(),
                false => {
                    let (amount, close) = (amount.clone(), close.clone());
                    view! {
                        <span class="deal-title">{deal.title.clone()}</span>
                        <span class="spend">{move || lang.get().money(&amount)}</span>
                        {close.map(|day| view! {
                            <span class="muted deal-close">{move || lang.get().t().expected_close} " " {day.clone()}</span>
                        })}
                        {deal.lost_reason.clone().map(|reason| view! {
                            <span class="muted lost-reason">{move || lang.get().t().lost_reason} "：" {reason.clone()}</span>
                        })}
                        <StagePicker customer=customer_id.clone() deal=id.clone() current=deal.stage.clone() pipeline error />
                        {move || offer.get().edit().then(|| view! { <RowActions on_edit on_remove=Some(on_remove) /> })}
                    }.into_any()
                }
            }}
        </li>
    }
}
