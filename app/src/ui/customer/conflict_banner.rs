//! "Changed by two people at once": the values of a field two devices set concurrently, and
//! a button to keep each.

use crm_core::customer::{ConflictValue, FieldConflict};
use leptos::prelude::*;

use super::Edit;
use crate::i18n::use_lang;

/// "Changed by two people at once": every value, and a button to keep each.
#[component]
pub(super) fn ConflictBanner(conflict: FieldConflict, edit: Edit) -> impl IntoView {
    let lang = use_lang();
    let path = conflict.path.clone();
    view! {
        <div class="banner banner-conflict" role="alert" data-field=path.join(".")>
            <strong>{move || lang.get().t().conflict}</strong>
            <code>{path.join(".")}</code>
            {conflict.values.into_iter().enumerate().map(|(i, value)| {
                let text = match value {
                    ConflictValue::Scalar(s) => s,
                    ConflictValue::Object => "{…}".to_owned(),
                };
                let path = path.clone();
                view! {
                    <button type="button" class="keep" on:click=move |_| {
                        let path = path.clone();
                        edit.run(Box::new(move |doc, stamp| doc.resolve_conflict(&path, i, stamp)));
                    }>
                        {move || lang.get().t().keep} " “" {text.clone()} "”"
                    </button>
                }
            }).collect_view()}
        </div>
    }
}
