//! The shared notes, typed into from several devices at once.

use leptos::prelude::*;

use super::{Edit, ErrorHere, Inputs, mark};
use crate::i18n::use_lang;
use crate::ui::use_session;

/// Notes being typed on the page: the text so far and the document's heads when typing began.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct NotesDraft {
    customer: String,
    base: Vec<automerge::ChangeHash>,
    text: String,
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
    let (draft, error) = (inputs.notes, inputs.error);
    let lang = use_lang();
    let session = use_session();
    let mine = {
        let id = customer_id.clone();
        move || draft.get().filter(|d| d.customer == id)
    };
    let shown = {
        let mine = mine.clone();
        move || mine().map_or_else(|| notes.clone(), |d| d.text)
    };
    let input = move |ev| {
        let text = event_target_value(&ev);
        draft.update(|d| match d {
            Some(d) if d.customer == customer_id => d.text = text,
            _ => {
                let base = session.with_value(|s| s.heads(&customer_id));
                *d = Some(NotesDraft {
                    customer: customer_id.clone(),
                    base,
                    text,
                });
            }
        });
    };
    let save = {
        let mine = mine.clone();
        move |_| {
            let Some(NotesDraft { base, text, .. }) = mine() else {
                return;
            };
            edit.run(Box::new(move |doc, stamp| {
                doc.edit_notes(&base, &text, stamp)
            }));
            if error.get_untracked().is_none() {
                draft.set(None);
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
            <button type="button" on:click=save disabled=move || mine().is_none()>
                {move || lang.get().t().save}
            </button>
            <ErrorHere inputs place="notes" />
        </section>
    }
}
