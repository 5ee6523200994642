//! Who the customer is: name, company, stage, source, owner.

use crm_core::customer::Profile;
use leptos::prelude::*;

use crate::i18n::use_lang;

/// Who the customer is: name, company, stage, source, owner.
#[component]
pub(super) fn ProfileCard(
    p: Profile,
    member_name: impl Fn(&str) -> String + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let (source, lifecycle) = (p.source, p.lifecycle);
    let initial = p.name.chars().next().unwrap_or('?');
    view! {
        <section class="card profile-card">
            <span class="avatar large">{initial}</span>
            <div class="profile-main">
                <h1>
                    <span class="name">{p.name.clone()}</span>
                    " "
                    <span class="latin">{p.name_latin.clone()}</span>
                </h1>
                <p class="row-sub">{p.company.clone()} {(!p.title.is_empty()).then(|| format!(" · {}", p.title))}</p>
                <p class="chips">
                    <span class="chip stage" data-stage=lifecycle.as_str()>{move || lang.get().lifecycle(lifecycle)}</span>
                    <span class="chip">{move || lang.get().source(source)}</span>
                    <span class="chip">{move || lang.get().t().owner} ": " {member_name(&p.owner)}</span>
                </p>
            </div>
        </section>
    }
}
