//! The custom fields customers carry: added (with a kind that never changes), relabelled in
//! both languages, options added to and renamed on select fields, retired (values already
//! entered stay in the customers' documents).

use crm_core::Id;
use crm_core::custom_field::{CustomFieldDef, FieldKind};
use crm_core::workspace::FieldDefEdit;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::i18n::{Lang, use_lang};
use crate::ui::errors::edit_workspace;
use crate::ui::fields::QuickInput;
use crate::ui::{use_custom_fields, use_session};

/// The label of a field kind.
fn kind_label(lang: Lang, kind: FieldKind) -> &'static str {
    let t = lang.t();
    match kind {
        FieldKind::Text => t.kind_text,
        FieldKind::Number => t.kind_number,
        FieldKind::Date => t.kind_date,
        FieldKind::SingleSelect => t.kind_single,
        FieldKind::MultiSelect => t.kind_multi,
    }
}

/// Every field the workspace defines, and a form adding one.
#[component]
pub(super) fn FieldSettings(error: RwSignal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let defs = use_custom_fields();
    let (zh, en, kind) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(FieldKind::Text),
    );
    let add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let def = CustomFieldDef {
            label_zh: zh.get_untracked(),
            label_en: en.get_untracked(),
            kind: kind.get_untracked(),
            options: Default::default(),
        };
        if edit_workspace(session, lang, error, |ws| {
            ws.add_custom_field(&Id::random(), def)
        }) {
            zh.set(String::new());
            en.set(String::new());
        }
    };
    view! {
        <section class="card">
            <h2>{move || lang.get().t().field_definitions}</h2>
            <ul class="field-settings">
                <For
                    each=move || defs.get().into_iter()
                    key=|(id, def)| (id.clone(), format!("{def:?}"))
                    children=move |(id, def)| view! { <FieldRow id def error /> }
                />
            </ul>
            {super::is_admin().then(|| view! {
                <form class="inline-fields" on:submit=add>
                    <QuickInput label=|t| t.stage_name_zh value=zh />
                    <QuickInput label=|t| t.stage_name_en value=en />
                    <select aria-label=move || lang.get().t().field_kind on:change=move |ev| kind.set(FieldKind::from_stored(&event_target_value(&ev)))>
                        {FieldKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind.get() == *k>{move || kind_label(lang.get(), *k)}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit">{move || lang.get().t().add_field}</button>
                </form>
            })}
        </section>
    }
}

/// One field: its labels, its kind, its options (select fields), retiring it.
#[component]
fn FieldRow(id: String, def: CustomFieldDef, error: RwSignal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let (zh, en) = (
        RwSignal::new(def.label_zh.clone()),
        RwSignal::new(def.label_en.clone()),
    );
    let (was_zh, was_en) = (def.label_zh.clone(), def.label_en.clone());
    let changed = move || zh.get() != was_zh || en.get() != was_en;
    let relabel = {
        let id = id.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let edit = FieldDefEdit::Labels {
                zh: zh.get_untracked(),
                en: en.get_untracked(),
            };
            edit_workspace(session, lang, error, |ws| ws.edit_custom_field(&id, edit));
        }
    };
    let retire = {
        let id = id.clone();
        move |_| {
            let sure = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(lang.get_untracked().t().confirm_retire)
                        .ok()
                })
                .unwrap_or(false);
            if sure {
                edit_workspace(session, lang, error, |ws| ws.remove_custom_field(&id));
            }
        }
    };
    let selects = matches!(def.kind, FieldKind::SingleSelect | FieldKind::MultiSelect);
    let admin = super::is_admin();
    let kind = def.kind;
    let option = RwSignal::new(String::new());
    let add_option = {
        let id = id.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let edit = FieldDefEdit::Option {
                id: Id::random(),
                zh: option.get_untracked(),
                en: String::new(),
            };
            if edit_workspace(session, lang, error, |ws| ws.edit_custom_field(&id, edit)) {
                option.set(String::new());
            }
        }
    };
    view! {
        <li class="field-setting" data-field=id.clone()>
            <form class="inline-fields" on:submit=relabel>
                <QuickInput label=|t| t.stage_name_zh value=zh />
                <QuickInput label=|t| t.stage_name_en value=en />
                <span class="chip">{move || kind_label(lang.get(), kind)}</span>
                <button type="submit" disabled=move || !changed()>{move || lang.get().t().save}</button>
                <button type="button" class="danger" on:click=retire>{move || lang.get().t().retire_field}</button>
            </form>
            {selects.then(|| view! {
                <ul class="field-options">
                    {def.options.iter().map(|(option, o)| view! {
                        <OptionRow field=id.clone() option=option.clone() zh=o.label_zh.clone() en=o.label_en.clone() error />
                    }).collect_view()}
                </ul>
                {admin.then(|| view! {
                    <form class="inline-fields" on:submit=add_option>
                        <QuickInput label=|t| t.option_name value=option />
                        <button type="submit">{move || lang.get().t().add_option}</button>
                    </form>
                })}
            })}
        </li>
    }
}

/// One option of a select field, renamed in both languages (its id, which customers store,
/// never changes).
#[component]
fn OptionRow(
    field: String,
    option: String,
    zh: String,
    en: String,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let (typed_zh, typed_en) = (RwSignal::new(zh.clone()), RwSignal::new(en.clone()));
    let changed = move || typed_zh.get() != zh || typed_en.get() != en;
    let rename = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(id) = Id::parse(&option) else {
            return;
        };
        let edit = FieldDefEdit::Option {
            id,
            zh: typed_zh.get_untracked(),
            en: typed_en.get_untracked(),
        };
        edit_workspace(session, lang, error, |ws| {
            ws.edit_custom_field(&field, edit)
        });
    };
    view! {
        <li>
            <form class="inline-fields option-setting" on:submit=rename>
                <QuickInput label=|t| t.option_name value=typed_zh />
                <QuickInput label=|t| t.stage_name_en value=typed_en />
                <button type="submit" disabled=move || !changed()>{move || lang.get().t().save}</button>
            </form>
        </li>
    }
}
