//! Who the customer is — name, company, stage, source, owner — and editing it.

use crm_core::customer::{Lifecycle, Profile, ProfileEdit, Source};
use crm_core::policy::Offer;
use leptos::prelude::*;

use super::draft::{Draft, DraftForm, DraftInput, DraftSelect, editing, opener, save};
use super::{Edit, ErrorHere, Inputs, Op, mark};
use crate::i18n::use_lang;
use crate::ui::{member_choices, use_signals};

/// Key of the profile's draft.
const KEY: &str = "profile";

/// The profile, or its editor while it is open.
#[component]
pub(super) fn ProfileCard(
    p: Profile,
    /// When the customer was archived, if it is.
    archived: Option<i64>,
    member_name: impl Fn(&str) -> String + 'static,
    offer: Memo<Offer>,
    edit: Edit,
    inputs: Inputs,
) -> impl IntoView {
    let lang = use_lang();
    let draft = inputs.draft;
    let confirming = RwSignal::new(false);
    let (source, lifecycle) = (p.source, p.lifecycle);
    let owned = !p.owner.is_empty();
    let initial = p.name.chars().next().unwrap_or('?');
    let owner = member_name(&p.owner);
    let open = opener(
        inputs,
        KEY.to_owned(),
        vec![
            ("name", p.name.clone()),
            ("name_latin", p.name_latin.clone()),
            ("company", p.company.clone()),
            ("title", p.title.clone()),
            ("source", p.source.as_str().to_owned()),
            ("lifecycle", p.lifecycle.as_str().to_owned()),
            ("owner", p.owner.clone()),
        ],
    );
    view! {
        <section class="card profile-card" on:pointerdown=mark(inputs, "profile") on:focusin=mark(inputs, "profile")>
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
                    <span class="chip">{move || lang.get().t().owner} ": " {owner}</span>
                </p>
            </div>
            {move || (offer.get().edit() && !editing(draft, KEY)).then(|| view! {
                <button type="button" class="edit-profile" on:click=move |_| open.run(())>
                    "✎ " {move || lang.get().t().edit_profile}
                </button>
            })}
            {move || editing(draft, KEY).then(|| view! { <ProfileEditor offer edit inputs /> })}
            {match archived {
                Some(when) => view! {
                    <p class="banner archived-note" role="note">
                        {move || lang.get().t().archived_note} " "
                        <span class="muted">{move || lang.get().date(when)}</span>
                        {move || offer.get().edit().then(|| view! {
                            <button type="button" on:click=move |_| edit.run(Box::new(|doc, stamp| doc.restore(stamp)))>
                                {move || lang.get().t().restore_customer}
                            </button>
                        })}
                    </p>
                }.into_any(),
                None => view! {
                    {move || (offer.get().edit() && !editing(draft, KEY)).then(|| view! {
                        <button type="button" class="archive" on:click=move |_| edit.run(Box::new(|doc, stamp| doc.archive(stamp)))>
                            {move || lang.get().t().archive}
                        </button>
                    })}
                    // Back to the public pool, for whoever may (sales: their own).
                    {move || (owned && offer.get().release() && !editing(draft, KEY)).then(|| view! {
                        <button type="button" class="archive release" on:click=move |_| edit.run(Box::new(|doc, stamp| doc.release_to_pool(stamp)))>
                            {move || lang.get().t().pool_release}
                        </button>
                    })}
                }.into_any(),
            }}
            {move || (offer.get().erase() && !editing(draft, KEY) && !confirming.get()).then(|| view! {
                <button type="button" class="erase" on:click=move |_| confirming.set(true)>
                    {move || lang.get().t().erase}
                </button>
            })}
            {move || confirming.get().then(|| view! {
                <div class="banner banner-error erase-confirm" role="alertdialog">
                    <p>{move || lang.get().t().erase_confirm}</p>
                    <button type="button" class="confirm-danger" on:click=move |_| {
                        confirming.set(false);
                        edit.run(Box::new(|doc, stamp| doc.erase(stamp)));
                    }>
                        {move || lang.get().t().erase_for_good}
                    </button>
                    <button type="button" on:click=move |_| confirming.set(false)>
                        {move || lang.get().t().cancel}
                    </button>
                </div>
            })}
            <ErrorHere inputs place="profile" />
        </section>
    }
}

/// The profile's fields as inputs; the owner only for those who may assign it.
#[component]
fn ProfileEditor(offer: Memo<Offer>, edit: Edit, inputs: Inputs) -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let draft = inputs.draft;
    let members = member_choices(signals);
    let sources = Signal::derive(move || {
        let lang = lang.get();
        Source::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), lang.source(*s).to_owned()))
            .collect()
    });
    let lifecycles = Signal::derive(move || {
        let lang = lang.get();
        (Lifecycle::ALL.iter())
            .map(|l| (l.as_str().to_owned(), lang.lifecycle(*l).to_owned()))
            .collect()
    });
    // An unowned customer (the pool) can be given an owner; taking one back to the pool is
    // not an edit of the profile.
    let unowned = draft.with_untracked(|d| d.as_ref().is_some_and(|d| d.get("owner").is_empty()));
    let owners = Signal::derive(move || {
        let pool = unowned.then(|| (String::new(), lang.get().t().unowned.to_owned()));
        pool.into_iter().chain(members.get()).collect()
    });
    let on_save = Callback::new(move |d: Draft| {
        let edits: Vec<ProfileEdit> = d
            .changed()
            .into_iter()
            .filter_map(|(field, value)| match field.as_str() {
                "name" => Some(ProfileEdit::Name(value)),
                "name_latin" => Some(ProfileEdit::NameLatin(value)),
                "company" => Some(ProfileEdit::Company(value)),
                "title" => Some(ProfileEdit::Title(value)),
                "source" => Some(ProfileEdit::Source(Source::from_stored(&value))),
                "lifecycle" => Some(ProfileEdit::Lifecycle(Lifecycle::from_stored(&value))),
                "owner" => Some(ProfileEdit::Owner(value)),
                _ => None,
            })
            .collect();
        let op: Op = Box::new(move |doc, stamp| {
            (edits.into_iter()).try_for_each(|e| doc.edit_profile(e, stamp))
        });
        save(edit, inputs, op);
    });
    view! {
        <DraftForm draft on_save>
            <div class="draft-grid">
                <DraftInput draft field="name" label=|t| t.name />
                <DraftInput draft field="name_latin" label=|t| t.name_latin />
                <DraftInput draft field="company" label=|t| t.company />
                <DraftInput draft field="title" label=|t| t.job_title />
                <DraftSelect draft field="source" label=|t| t.source options=sources />
                <DraftSelect draft field="lifecycle" label=|t| t.lifecycle options=lifecycles />
                {move || offer.get().assign_owner().then(|| view! {
                    <DraftSelect draft field="owner" label=|t| t.owner options=owners />
                })}
            </div>
        </DraftForm>
    }
}
