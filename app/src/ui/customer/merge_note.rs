//! A customer's merges, on its page: merged into another ("Merged into 周芳 · date — Open"), or
//! others merged into it ("Merged in from 周芳芳 · date"); each with Unmerge for managers and
//! admins within 30 days of the merge.

use crm_core::customer::{Merged, UNMERGE_DAYS};
use crm_core::policy::Offer;
use crm_core::values::{DAY_MS, Millis};
use leptos::prelude::*;

use super::super::errors::error_text;
use super::super::{use_session, use_signals};
use super::Inputs;
use crate::i18n::use_lang;

#[component]
pub(super) fn MergeNote(
    id: String,
    merged: Memo<Option<Option<Merged>>>,
    offer: Memo<Offer>,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let name_of = move |id: &str| {
        signals.rows.with(|rows| {
            (rows.iter())
                .find(|r| r.id == id)
                .map_or_else(|| id.to_owned(), |r| r.name.clone())
        })
    };
    let unmerge = move |duplicate: String| {
        session.with_value(|s| {
            s.edit_customer_soon(
                duplicate,
                |doc, stamp| doc.unmerge(stamp),
                move |done| match done {
                    Ok(()) => inputs.error.set(None),
                    Err(e) => inputs.error.set(Some(error_text(lang.get_untracked(), &e))),
                },
            )
        })
    };
    let undoable = move |at: Millis| {
        offer.get().merge() && (js_sys::Date::now() as i64) <= at + UNMERGE_DAYS * DAY_MS
    };
    let here = id.clone();
    let merged_here = Memo::new(move |_| {
        signals.merged.with(|rows| {
            (rows.iter())
                .filter_map(|r| {
                    let (into, at) = r.merged_into.as_ref()?;
                    (*into == here).then(|| (r.id.clone(), r.name.clone(), *at))
                })
                .collect::<Vec<_>>()
        })
    });
    move || {
        let t = lang.get().t();
        let away = merged.get().flatten().filter(|m| m.undone.is_none()).map(|m| {
            let duplicate = id.clone();
            view! {
                <p class="banner merge-note" role="note" data-testid="merged-into">
                    {t.merged_into_note} " "
                    <a href=format!("/customers/{}", m.into)>{name_of(&m.into)}</a>
                    <span class="muted">{lang.get().date(m.at)}</span>
                    {undoable(m.at).then(|| view! {
                        <button type="button" on:click=move |_| unmerge(duplicate.clone())>{t.unmerge}</button>
                    })}
                </p>
            }
        });
        let others = merged_here.get().into_iter().map(|(duplicate, name, at)| {
            view! {
                <p class="banner merge-note" role="note" data-testid="merged-here">
                    {t.merged_here} " "
                    <a href=format!("/customers/{duplicate}")>{name}</a>
                    <span class="muted">{lang.get().date(at)}</span>
                    {undoable(at).then(|| view! {
                        <button type="button" on:click=move |_| unmerge(duplicate.clone())>{t.unmerge}</button>
                    })}
                </p>
            }
        }).collect_view();
        view! { {away} {others} }
    }
}
