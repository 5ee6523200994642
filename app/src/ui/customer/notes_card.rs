//! The shared notes, typed into from several devices at once.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
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
    let input = {
        let id = customer_id.clone();
        move |ev| {
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
            ></textarea>
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
