//! Manual tags (removable), automatic tags from rules, and adding one.

use std::collections::BTreeMap;

use crm_core::customer::{AutoTag, ManualTag};
use crm_core::policy::Offer;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
use crate::ui::fields::QuickInput;

/// The customer's manual and automatic tags.
pub(super) type Tags = (BTreeMap<String, ManualTag>, BTreeMap<String, AutoTag>);

/// Manual tags (removable), automatic tags from rules, and a field to add one: each chip keyed
/// by the tag as it stands, so a teammate's tag adds one chip, not the card again.
#[component]
pub(super) fn TagsCard(
    tags: Memo<Option<Tags>>,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let manual = Memo::new(move |_| {
        tags.with(|t| {
            (t.iter())
                .flat_map(|(manual, _)| manual.clone())
                .collect::<Vec<_>>()
        })
    });
    let auto = Memo::new(move |_| {
        tags.with(|t| {
            (t.iter())
                .flat_map(|(_, auto)| auto.keys().cloned())
                .collect::<Vec<_>>()
        })
    });
    let (tag, removed) = (inputs.tag, inputs.removed_tag);
    let add = move |name: String| edit.run(Box::new(move |doc, stamp| doc.add_tag(&name, stamp)));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        add(tag.get_untracked());
        tag.set(String::new());
        removed.set(None);
    };
    view! {
        <section class="card tags-card" on:pointerdown=mark(inputs, "tags") on:focusin=mark(inputs, "tags")>
            <h2>{move || lang.get().t().tags}</h2>
            <p class="chips">
                <For each=move || manual.get() key=|(name, tag)| (name.clone(), tag.added_by.clone(), tag.added_at) let((name, tag))>{
                    let label = name.clone();
                    // Whoever added a tag (or a manager or admin) takes it off.
                    let removable = move || offer.get().change_entry_of(&tag.added_by);
                    view! {
                        <span class="chip tag">
                            {label}
                            {move || removable().then(|| {
                                let name = name.clone();
                                view! {
                                    <button type="button" class="chip-remove" aria-label=move || lang.get().t().remove on:click=move |_| {
                                        let name = name.clone();
                                        removed.set(Some(name.clone()));
                                        edit.run(Box::new(move |doc, stamp| doc.remove_tag(&name, stamp)));
                                    }>"×"</button>
                                }
                            })}
                        </span>
                    }
                }</For>
                <For each=move || auto.get() key=String::clone let(name)>
                    <span class="chip auto-tag" title=move || lang.get().t().auto_tag>"⚙ " {name}</span>
                </For>
            </p>
            {move || removed.get().map(|name| view! {
                <p class="undo" role="status">
                    {move || lang.get().t().tag_removed} " " <span class="chip tag">{name.clone()}</span>
                    <button type="button" on:click=move |_| {
                        removed.set(None);
                        add(name.clone());
                    }>{move || lang.get().t().undo}</button>
                </p>
            })}
            <form class="inline-fields" on:submit=submit>
                <QuickInput label=|t| t.add_tag value=tag />
                <button type="submit">{move || lang.get().t().add_tag}</button>
            </form>
            <ErrorHere inputs place="tags" />
        </section>
    }
}
