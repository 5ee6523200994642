//! What the workspace's rules are about to do to a customer, evaluated on this device with
//! the same engine the edge runs: shown as pending (offline, or until the edge's writes
//! arrive); the device never writes automatic tags itself.

use crm_core::customer::Customer;
use crm_core::pipeline::Pipeline;
use crm_core::rules::{Context, Rule, plan};
use leptos::prelude::*;

use crate::i18n::{Lang, use_lang};
use crate::ui::use_signals;

/// The pending plan of the rules for `customer`, if there is anything pending: worked out
/// again on every change, shown again only when it changes.
#[component]
pub fn RulePreview(customer: Memo<Option<Customer>>) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let items = Memo::new(move |_| {
        let lang = lang.get();
        // As of this change (an order just logged counts).
        let now = js_sys::Date::now() as i64;
        signals.workspace.with(|ws| {
            let standard;
            let pipeline = match ws {
                Some(ws) => &ws.pipeline,
                None => {
                    standard = Pipeline::standard();
                    &standard
                }
            };
            let context = Context { now, pipeline };
            signals.rules.with(|book| {
                customer.with(|customer| {
                    (customer.as_ref())
                        .map(|customer| pending(&book.rules, customer, &context, lang))
                        .unwrap_or_default()
                })
            })
        })
    });
    move || {
        let items = items.get();
        (!items.is_empty()).then(|| {
            let t = lang.get().t();
            view! {
                <section class="card rule-preview" data-testid="rule-preview">
                    <h2>{t.rules_pending}</h2>
                    <ul class="pending">
                        {items.into_iter().map(|(what, rule)| view! {
                            <li class="pending-item">
                                <span>{what}</span>
                                <span class="muted">{rule}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    <p class="muted">{t.rules_pending_note}</p>
                </section>
            }
        })
    }
}

/// What `rules` are about to do to `customer`, each as (what, the rule's name) in `lang`.
fn pending(
    rules: &[Rule],
    customer: &Customer,
    context: &Context,
    lang: Lang,
) -> Vec<(String, String)> {
    let t = lang.t();
    let plan = plan(rules, customer, context);
    let name_of = |id: &str| {
        (rules.iter())
            .find(|r| r.id == id)
            .map_or_else(|| id.to_owned(), |r| r.name.clone())
    };
    let mut items: Vec<(String, String)> = Vec::new();
    for (tag, rule) in &plan.add_tags {
        items.push((format!("{} ⚙ {tag}", t.will_add_tag), name_of(rule)));
    }
    for tag in &plan.remove_tags {
        items.push((format!("{} ⚙ {tag}", t.will_remove_tag), String::new()));
    }
    for fire in &plan.fire {
        for (_, follow_up) in &fire.follow_ups {
            let text = format!("{} ↻ {}", t.will_follow_up, follow_up.title);
            items.push((text, name_of(&fire.rule_id)));
        }
        if let Some(stage) = fire.lifecycle {
            let text = format!("{} → {}", t.will_set_lifecycle, lang.lifecycle(stage));
            items.push((text, name_of(&fire.rule_id)));
        }
    }
    items
}
