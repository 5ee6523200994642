//! The workspace's custom fields on the customer: text, number, date and single-select values
//! edited in one draft; multi-select options toggled one at a time (each toggle touches only
//! its option, so two people ticking different options both keep theirs).

use std::collections::BTreeMap;

use crm_core::custom_field::{CustomFieldDef, CustomValue, FieldKind};
use crm_core::policy::Offer;
use leptos::prelude::*;

use super::draft::{Draft, DraftForm, DraftInput, DraftSelect, editing, save};
use super::{Edit, ErrorHere, Inputs, Op, mark};
use crate::i18n::{Lang, use_lang};
use crate::ui::use_custom_fields;

/// Key of the card's draft.
const KEY: &str = "custom";

/// The label of `def` in `lang`.
fn label(lang: Lang, def: &CustomFieldDef) -> String {
    def.label(lang == Lang::En).to_owned()
}

/// `value` as the draft holds it: text, a number, `YYYY-MM-DD`, an option id.
fn typed(value: Option<&CustomValue>) -> String {
    match value {
        Some(CustomValue::Text(text)) => text.clone(),
        Some(CustomValue::Number(n)) => n.to_string(),
        Some(CustomValue::Choices(_)) | None => String::new(),
    }
}

/// `value` as shown, option ids named in `lang`.
fn shown(lang: Lang, def: &CustomFieldDef, value: Option<&CustomValue>) -> String {
    let option = |id: &str| {
        (def.options.get(id))
            .map_or_else(|| id.to_owned(), |o| o.label(lang == Lang::En).to_owned())
    };
    match (def.kind, value) {
        (_, None) => lang.t().no_value.to_owned(),
        (FieldKind::SingleSelect, Some(CustomValue::Text(id))) => option(id),
        (_, Some(CustomValue::Choices(on))) => {
            let names: Vec<String> = on.keys().map(|id| option(id)).collect();
            names.join("、")
        }
        (_, value) => typed(value),
    }
}

/// The custom fields the workspace defines, with this customer's values.
#[component]
pub(super) fn CustomFieldsCard(
    values: BTreeMap<String, CustomValue>,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let defs = use_custom_fields();
    let (draft, error) = (inputs.draft, inputs.error);
    let values = StoredValue::new(values);
    let on_edit = move || {
        let fields: Vec<(String, String)> = defs.with_untracked(|defs| {
            (defs.iter())
                .filter(|(_, def)| def.kind != FieldKind::MultiSelect)
                .map(|(id, _)| (id.clone(), values.with_value(|v| typed(v.get(id)))))
                .collect()
        });
        draft.set(Some(Draft::open(KEY, fields)));
    };
    let on_save = Callback::new(move |d: Draft| {
        let defs = defs.get_untracked();
        let mut writes = Vec::new();
        for (id, text) in d.changed() {
            let Some(def) = defs.get(&id).cloned() else {
                continue;
            };
            let value = match (def.kind, text.trim()) {
                (_, "") => None,
                (FieldKind::Number, number) => match number.parse::<f64>() {
                    Ok(n) => Some(CustomValue::Number(n)),
                    Err(_) => {
                        let name = label(lang.get_untracked(), &def);
                        return error.set(Some(format!(
                            "{name} “{number}” {}",
                            lang.get_untracked().t().err_number
                        )));
                    }
                },
                (_, text) => Some(CustomValue::Text(text.to_owned())),
            };
            writes.push((id, def, value));
        }
        let op: Op = Box::new(move |doc, stamp| {
            (writes.into_iter())
                .try_for_each(|(id, def, value)| doc.set_custom_field(&id, &def, value, stamp))
        });
        save(edit, inputs, op);
    });
    let toggle = move |field: String, option: String, on: bool| {
        let Some(def) = defs.get_untracked().get(&field).cloned() else {
            return;
        };
        edit.run(Box::new(move |doc, stamp| {
            doc.set_choice(&field, &def, &option, on, stamp)
        }));
    };
    view! {
        {move || (!defs.with(BTreeMap::is_empty)).then(|| view! {
            <section class="card custom-fields" on:pointerdown=mark(inputs, "custom") on:focusin=mark(inputs, "custom")>
                <h2>
                    {move || lang.get().t().custom_fields}
                    {move || (offer.get().edit() && !editing(draft, KEY)).then(|| view! {
                        <button type="button" class="row-button head-edit" aria-label=move || lang.get().t().edit on:click=move |_| on_edit()>"✎"</button>
                    })}
                </h2>
                {move || match editing(draft, KEY) {
                    true => view! {
                        <DraftForm draft on_save>
                            <div class="draft-grid">
                                {defs.get().into_iter().filter(|(_, def)| def.kind != FieldKind::MultiSelect).map(|(id, def)| {
                                    let text = label(lang.get_untracked(), &def);
                                    match def.kind {
                                        FieldKind::SingleSelect => {
                                            let options = Signal::derive(move || {
                                                let lang = lang.get();
                                                let none = (String::new(), lang.t().no_value.to_owned());
                                                std::iter::once(none).chain(def.options.iter().map(|(id, o)| {
                                                    (id.clone(), o.label(lang == Lang::En).to_owned())
                                                })).collect()
                                            });
                                            view! { <DraftSelect draft field=id text options /> }.into_any()
                                        }
                                        FieldKind::Number => view! { <DraftInput draft field=id text inputmode="decimal" /> }.into_any(),
                                        FieldKind::Date => view! { <DraftInput draft field=id text kind="date" /> }.into_any(),
                                        _ => view! { <DraftInput draft field=id text /> }.into_any(),
                                    }
                                }).collect_view()}
                            </div>
                        </DraftForm>
                    }.into_any(),
                    false => view! {
                        <dl class="custom-values">
                            {defs.get().into_iter().map(|(id, def)| {
                                let value = values.with_value(|v| v.get(&id).cloned());
                                let multi = def.kind == FieldKind::MultiSelect;
                                let name = label(lang.get(), &def);
                                view! {
                                    <dt>{name}</dt>
                                    <dd>
                                        {match multi {
                                            false => shown(lang.get(), &def, value.as_ref()).into_any(),
                                            true => def.options.iter().map(|(option, o)| {
                                                let on = matches!(&value, Some(CustomValue::Choices(c)) if c.contains_key(option));
                                                let text = o.label(lang.get() == Lang::En).to_owned();
                                                let (field, option) = (id.clone(), option.clone());
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="chip choice"
                                                        class:on=on
                                                        aria-pressed=on.to_string()
                                                        disabled=move || !offer.get().edit()
                                                        on:click=move |_| toggle(field.clone(), option.clone(), !on)
                                                    >{text}</button>
                                                }
                                            }).collect_view().into_any(),
                                        }}
                                    </dd>
                                }
                            }).collect_view()}
                        </dl>
                    }.into_any(),
                }}
                <ErrorHere inputs place="custom" />
            </section>
        })}
    }
}
