//! The shared notes, typed into from several devices at once.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
use crate::ui::presence::NotesCursors;
use crate::ui::use_session;

/// Notes being typed: the text so far and the document's heads when typing began.
#[derive(Debug, Clone, PartialEq)]
struct NotesDraft {
    base: Vec<automerge::ChangeHash>,
    text: String,
}

/// The notes typed and not saved yet, by customer, kept for the open workspace: leaving the
/// page does not lose them; they are there when the customer is opened again.
#[derive(Clone, Copy)]
pub struct NotesDrafts(RwSignal<BTreeMap<String, NotesDraft>>);

impl NotesDrafts {
    /// None yet.
    pub fn new() -> Self {
        Self(RwSignal::new(BTreeMap::new()))
    }
}

/// The shared notes. What a person types stays on screen while others' changes arrive, and is
/// saved as an edit of the notes they started from, merged with what others wrote meanwhile.
#[component]
pub(super) fn NotesCard(
    customer_id: String,
    notes: String,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let NotesDrafts(drafts) = expect_context::<NotesDrafts>();
    let error = inputs.error;
    let lang = use_lang();
    let session = use_session();
    let mine = {
        let id = customer_id.clone();
        move || drafts.with(|d| d.get(&id).cloned())
    };
    let shown = {
        let mine = mine.clone();
        move || mine().map_or_else(|| notes.clone(), |d| d.text)
    };
    // Where the cursor is, for teammates typing in the same notes.
    let cursor = {
        let id = customer_id.clone();
        move |ev: leptos::ev::Event| {
            let at = event_target::<web_sys::HtmlTextAreaElement>(&ev)
                .selection_start()
                .ok()
                .flatten();
            session.with_value(|s| s.be_here(&id, "notes", at));
        }
    };
    let input = {
        let id = customer_id.clone();
        let cursor = cursor.clone();
        move |ev: leptos::ev::Event| {
            cursor(ev.clone());
            let text = event_target_value(&ev);
            drafts.update(|d| match d.get_mut(&id) {
                Some(draft) => draft.text = text,
                None => {
                    let base = session.with_value(|s| s.heads(&id));
                    d.insert(id.clone(), NotesDraft { base, text });
                }
            });
        }
    };
    let save = {
        let mine = mine.clone();
        let id = customer_id.clone();
        move |_| {
            let Some(NotesDraft { base, text, .. }) = mine() else {
                return;
            };
            edit.run(Box::new(move |doc, stamp| {
                doc.edit_notes(&base, &text, stamp)
            }));
            if error.get_untracked().is_none() {
                drafts.update(|d| {
                    d.remove(&id);
                });
            }
        }
    };
    view! {
        <section class="card notes-card" on:pointerdown=mark(inputs, "notes") on:focusin=mark(inputs, "notes")>
            <h2>{move || lang.get().t().notes}</h2>
            <textarea
                rows="4"
                aria-label=move || lang.get().t().notes
                prop:value=shown
                on:input=input
                on:keyup={
                    let cursor = cursor.clone();
                    move |ev: leptos::ev::KeyboardEvent| cursor(ev.into())
                }
                on:click=move |ev: leptos::ev::MouseEvent| cursor(ev.into())
            ></textarea>
            <NotesCursors id=customer_id.clone() />
            <button type="button" on:click=save disabled={
                let mine = mine.clone();
                move || mine().is_none()
            }>
                {move || lang.get().t().save}
            </button>
            {move || mine().is_some().then(|| view! {
                <span class="muted unsaved">{move || lang.get().t().unsaved_notes}</span>
            })}
            <ErrorHere inputs place="notes" />
        </section>
    }
}
