//! The one entry being edited on the customer page — which, what its fields held when the
//! editor opened, what is typed now — and the editor's parts. The draft is owned by the page,
//! so a teammate's change, which re-renders the card it touches, never wipes what is typed;
//! saving writes only the fields typed differently, so a teammate's concurrent change to
//! another field of the same entry survives the merge.

use std::collections::BTreeMap;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crm_core::values::{Money, parse_amount};
use crm_core::{CustomerDoc, ModelError, Stamp};

use super::{Edit, Inputs, Op};
use crate::i18n::{Lang, Texts, use_lang};

/// An entry being edited.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Draft {
    /// Which entry: `profile`, `contact:{id}`, `deal:{id}`, …
    pub key: String,
    base: Vec<(String, String)>,
    typed: BTreeMap<String, String>,
}

impl Draft {
    /// A draft of entry `key` whose `fields` hold these values now.
    pub fn open<F: Into<String>>(key: impl Into<String>, fields: Vec<(F, String)>) -> Self {
        let base: Vec<(String, String)> = (fields.into_iter())
            .map(|(field, value)| (field.into(), value))
            .collect();
        Self {
            key: key.into(),
            typed: base.iter().cloned().collect(),
            base,
        }
    }

    /// What `field` holds in the draft.
    pub fn get(&self, field: &str) -> String {
        self.typed.get(field).cloned().unwrap_or_default()
    }

    /// The fields typed differently from what they held when the editor opened.
    pub fn changed(&self) -> Vec<(String, String)> {
        (self.base.iter())
            .filter(|(field, value)| self.typed.get(field) != Some(value))
            .map(|(field, _)| (field.clone(), self.get(field)))
            .collect()
    }
}

/// Whether the draft open on the page is the one of `key`.
pub(super) fn editing(draft: RwSignal<Option<Draft>>, key: &str) -> bool {
    draft.with(|d| d.as_ref().is_some_and(|d| d.key == key))
}

/// An operation on entry `id` of the open customer with one field's new value.
pub(super) type EntryEdit<E> = fn(&mut CustomerDoc, &str, E, &Stamp) -> Result<(), ModelError>;
/// An operation removing entry `id` of the open customer.
pub(super) type EntryRemoval = fn(&mut CustomerDoc, &str, &Stamp) -> Result<(), ModelError>;

/// Runs `op` (the changed fields of the open draft, as one edit) and closes the draft once it
/// is taken; a refused edit leaves it open with the page's error shown.
pub(super) fn save(edit: Edit, inputs: Inputs, op: Op) {
    edit.run(op);
    if inputs.error.get_untracked().is_none() {
        inputs.draft.set(None);
    }
}

/// Saves `edits` of entry `id`, each written by `apply`, as one edit (see [`save`]).
pub(super) fn save_entry<E: 'static>(
    edit: Edit,
    inputs: Inputs,
    id: String,
    edits: Vec<E>,
    apply: EntryEdit<E>,
) {
    let op: Op =
        Box::new(move |doc, stamp| (edits.into_iter()).try_for_each(|e| apply(doc, &id, e, stamp)));
    save(edit, inputs, op);
}

/// Opens the draft of entry `key`, whose `fields` hold these values now.
pub(super) fn opener<F: Into<String> + Clone + Send + Sync + 'static>(
    inputs: Inputs,
    key: String,
    fields: Vec<(F, String)>,
) -> Callback<()> {
    Callback::new(move |()| {
        inputs
            .draft
            .set(Some(Draft::open(key.clone(), fields.clone())))
    })
}

/// Removes entry `id` with `remove`, once the person confirmed it (deleting reaches the whole
/// team).
pub(super) fn remover(
    edit: Edit,
    lang: RwSignal<Lang>,
    id: String,
    remove: EntryRemoval,
) -> Callback<()> {
    Callback::new(move |()| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(lang.get_untracked().t().confirm_remove)
                    .ok()
            })
            .unwrap_or(false);
        if confirmed {
            let id = id.clone();
            edit.run(Box::new(move |doc, stamp| remove(doc, &id, stamp)));
        }
    })
}

/// The amount typed, in `currency`; else the message saying it is not one.
pub(super) fn typed_money(lang: Lang, typed: &str, currency: &str) -> Result<Money, String> {
    match parse_amount(typed) {
        Some(minor) => Ok(Money {
            minor,
            currency: currency.to_owned(),
        }),
        None => Err(format!("“{typed}” {}", lang.t().err_amount)),
    }
}

/// The editor of the open draft: its fields (the children), Save and Cancel; Enter saves.
#[component]
pub(super) fn DraftForm(
    draft: RwSignal<Option<Draft>>,
    on_save: Callback<Draft>,
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(current) = draft.get_untracked() {
            on_save.run(current);
        }
    };
    view! {
        <form class="draft" on:submit=submit>
            {children()}
            <div class="draft-actions">
                <button type="submit" class="primary">{move || lang.get().t().save}</button>
                <button type="button" on:click=move |_| draft.set(None)>{move || lang.get().t().cancel}</button>
            </div>
        </form>
    }
}

/// A labelled input bound to `field` of the draft.
#[component]
pub(super) fn DraftInput(
    draft: RwSignal<Option<Draft>>,
    #[prop(into)] field: String,
    /// Its label: a message, or `text` when given.
    #[prop(optional)]
    label: Option<fn(&Texts) -> &'static str>,
    #[prop(optional, into)] text: Option<String>,
    /// `text` (default), `date`, `tel`, `number`, …
    #[prop(optional)]
    kind: &'static str,
    /// `inputmode` hint for on-screen keyboards, e.g. `decimal`.
    #[prop(optional)]
    inputmode: &'static str,
    /// Several lines (a textarea).
    #[prop(optional)]
    multiline: bool,
) -> impl IntoView {
    let lang = use_lang();
    let value = {
        let field = field.clone();
        move || draft.with(|d| d.as_ref().map(|d| d.get(&field)).unwrap_or_default())
    };
    let input = {
        let field = field.clone();
        move |ev| set(draft, &field, event_target_value(&ev))
    };
    let caption = move || caption(lang.get(), label, text.as_deref());
    view! {
        <label class="draft-field" class:wide=multiline>
            <span>{caption}</span>
            {match multiline {
                true => view! { <textarea name=field rows="3" prop:value=value on:input=input></textarea> }.into_any(),
                false => view! {
                    <input
                        type=if kind.is_empty() { "text" } else { kind }
                        name=field
                        inputmode=(!inputmode.is_empty()).then_some(inputmode)
                        prop:value=value
                        on:input=input
                    />
                }.into_any(),
            }}
        </label>
    }
}

/// A labelled select bound to `field` of the draft: `options` as (value, label); a value the
/// options lack (a member no longer listed) stays shown as it is.
#[component]
pub(super) fn DraftSelect(
    draft: RwSignal<Option<Draft>>,
    #[prop(into)] field: String,
    /// Its label: a message, or `text` when given.
    #[prop(optional)]
    label: Option<fn(&Texts) -> &'static str>,
    #[prop(optional, into)] text: Option<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let lang = use_lang();
    let current = {
        let field = field.clone();
        move || draft.with(|d| d.as_ref().map(|d| d.get(&field)).unwrap_or_default())
    };
    let change = {
        let field = field.clone();
        move |ev| set(draft, &field, event_target_value(&ev))
    };
    let caption = move || caption(lang.get(), label, text.as_deref());
    view! {
        <label class="draft-field">
            <span>{caption}</span>
            <select name=field on:change=change>
                {move || {
                    let (current, mut options) = (current(), options.get());
                    if !options.iter().any(|(value, _)| *value == current) {
                        options.insert(0, (current.clone(), current.clone()));
                    }
                    options.into_iter().map(|(value, text)| {
                        let selected = value == current;
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()
                }}
            </select>
        </label>
    }
}

/// A field's label: the message `label` picks in `lang`, else `text`.
fn caption(lang: Lang, label: Option<fn(&Texts) -> &'static str>, text: Option<&str>) -> String {
    match label {
        Some(label) => label(lang.t()).to_owned(),
        None => text.unwrap_or_default().to_owned(),
    }
}

fn set(draft: RwSignal<Option<Draft>>, field: &str, value: String) {
    draft.update(|d| {
        if let Some(d) = d {
            d.typed.insert(field.to_owned(), value);
        }
    });
}

/// The edit and (when given) delete buttons of an entry's row.
#[component]
pub(super) fn RowActions(on_edit: Callback<()>, on_remove: Option<Callback<()>>) -> impl IntoView {
    view! {
        <span class="row-actions">
            <RowButton label=|t| t.edit glyph="✎" on_click=move || on_edit.run(()) />
            {on_remove.map(|on_remove| view! {
                <RowButton label=|t| t.remove glyph="×" on_click=move || on_remove.run(()) />
            })}
        </span>
    }
}

/// A small button of an entry's row (edit, delete, …), named by the message `label`.
#[component]
pub(super) fn RowButton(
    label: fn(&Texts) -> &'static str,
    glyph: &'static str,
    on_click: impl Fn() + 'static,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <button
            type="button"
            class="row-button"
            aria-label=move || label(lang.get().t())
            title=move || label(lang.get().t())
            on:click=move |_| on_click()
        >{glyph}</button>
    }
}

/// `YYYY-MM-DD` of `at` in local time, for `<input type=date>`.
pub(super) fn date_input_value(at: i64) -> String {
    let d = js_sys::Date::new(&(at as f64).into());
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// 09:00 local time of the day in an `<input type=date>` value.
pub(super) fn parse_date_input(value: &str) -> Option<i64> {
    let at = js_sys::Date::new(&format!("{value}T09:00").into()).get_time();
    (!at.is_nan()).then_some(at as i64)
}
