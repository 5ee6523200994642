//! Merging two customers, side by side (managers and admins): which record is kept, the value
//! of each profile field that differs, and what the other brings in. The other is marked
//! `merged_into` the kept one (an edit like any other, offline too); the edge carries its
//! content over, and either page offers the unmerge for 30 days.

use crm_core::Id;
use crm_core::customer::{Customer, MERGE_FIELDS};
use crm_core::policy::Offer;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::errors::error_text;
use super::{member_name, use_session, use_signals};
use crate::i18n::{Lang, use_lang};

/// The merge page of the route's `:a` and `:b`.
#[component]
pub fn MergePage() -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let params = use_params_map();
    let ids = params.with_untracked(|p| {
        (
            p.get("a").unwrap_or_default(),
            p.get("b").unwrap_or_default(),
        )
    });
    let (a, b) = (
        session.with_value(|s| s.customer(&ids.0)),
        session.with_value(|s| s.customer(&ids.1)),
    );
    let offer = Offer::new(&signals.member.get_value(), signals.role.get_value(), "");
    // The older record is kept unless the person says otherwise.
    let keep_first = RwSignal::new(None::<bool>);
    let taken = RwSignal::new(Vec::<&'static str>::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let merge = move |(kept, other): (String, String)| {
        let Ok(into) = Id::parse(&kept) else {
            return;
        };
        let take = taken.get_untracked();
        let merged = session.with_value(|s| {
            s.edit_customer(&other, move |doc, stamp| {
                doc.merge_into(&into, &take, stamp)
            })
        });
        match merged {
            Ok(()) => navigate(&format!("/customers/{kept}"), Default::default()),
            Err(e) => error.set(Some(error_text(lang.get_untracked(), &e))),
        }
    };
    move || {
        let lang = lang.get();
        let t = lang.t();
        let (Some(first), Some(second)) = (a.get(), b.get()) else {
            return view! { <p class="empty">{t.opening}</p> }.into_any();
        };
        let first_kept = keep_first
            .get()
            .unwrap_or(first.created_at <= second.created_at);
        let (kept, other) = match first_kept {
            true => (first.clone(), second.clone()),
            false => (second.clone(), first.clone()),
        };
        let ids = (kept.id.clone(), other.id.clone());
        let merge = merge.clone();
        let differing: Vec<&'static str> = MERGE_FIELDS
            .into_iter()
            .filter(|f| field_text(lang, signals, &kept, f) != field_text(lang, signals, &other, f))
            .collect();
        let brought = brought(lang, &kept, &other);
        // One of them was merged already (by a teammate meanwhile): nothing more to do here.
        let merged_already = [&first, &second].into_iter().find_map(|c| {
            c.merged_into
                .as_ref()
                .filter(|m| m.undone.is_none())
                .map(|_| c.profile.name.clone())
        });
        let can_merge = offer.merge() && merged_already.is_none();
        let side = |c: &Customer, is_first: bool| {
            let checked = first_kept == is_first;
            view! {
                <label class="merge-side" class:kept=checked>
                    <input type="radio" name="kept" prop:checked=checked
                        on:change=move |_| { keep_first.set(Some(is_first)); taken.set(Vec::new()); } />
                    <strong>{c.profile.name.clone()}</strong> " "
                    <span class="muted">{lang.date(c.created_at)}</span>
                    " · " {t.merge_keep}
                </label>
            }
        };
        view! {
            <a href="/duplicates" class="back">"← " {t.back}</a>
            <section class="card merge-page">
                <h1>{t.merge_title}</h1>
                <p class="muted">{t.merge_hint}</p>
                {(!offer.merge()).then(|| view! { <p class="banner read-only" role="note">{t.merge_only_managers}</p> })}
                {merged_already.map(|name| view! { <p class="banner read-only" role="note">{name} " · " {t.merged_into_note}</p> })}
                <div class="merge-sides">{side(&first, true)} {side(&second, false)}</div>
                <table class="merge-fields">
                    <thead>
                        <tr><th></th><th>{kept.profile.name.clone()}</th><th>{other.profile.name.clone()}</th></tr>
                    </thead>
                    <tbody>
                        {differing.into_iter().map(|field| {
                            let (mine, theirs) = (field_text(lang, signals, &kept, field), field_text(lang, signals, &other, field));
                            let takes = move || taken.with(|t| t.contains(&field));
                            let choose = move |take: bool| taken.update(|t| {
                                t.retain(|f| *f != field);
                                if take { t.push(field); }
                            });
                            view! {
                                <tr data-field=field>
                                    <th>{field_label(lang, field)}</th>
                                    <td><label><input type="radio" name=field prop:checked=move || !takes() on:change=move |_| choose(false) /> {mine}</label></td>
                                    <td><label><input type="radio" name=field prop:checked=takes on:change=move |_| choose(true) /> {theirs}</label></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <p class="merge-brought"><strong>{t.merge_brought}</strong> " " {brought}</p>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <button type="button" class="primary" disabled=!can_merge
                    on:click=move |_| merge(ids.clone())>{t.merge_do}</button>
            </section>
        }
        .into_any()
    }
}

/// Profile field `field` of `c` as shown.
fn field_text(
    lang: Lang,
    signals: crate::session::SessionSignals,
    c: &Customer,
    field: &str,
) -> String {
    let p = &c.profile;
    match field {
        "name" => p.name.clone(),
        "name_latin" => p.name_latin.clone(),
        "company" => p.company.clone(),
        "title" => p.title.clone(),
        "owner" => member_name(signals, &p.owner),
        "source" => lang.source(p.source).to_owned(),
        _ => lang.lifecycle(p.lifecycle).to_owned(),
    }
}

fn field_label(lang: Lang, field: &str) -> &'static str {
    let t = lang.t();
    match field {
        "name" => t.name,
        "name_latin" => t.name_latin,
        "company" => t.company,
        "title" => t.job_title,
        "owner" => t.owner,
        "source" => t.source,
        _ => t.lifecycle,
    }
}

/// What `other` brings into `kept`: its contact points `kept` lacks and its entries, counted
/// ("—": nothing).
fn brought(lang: Lang, kept: &Customer, other: &Customer) -> String {
    let t = lang.t();
    let new_points = (other.contacts.values())
        .filter(|p| {
            !(kept.contacts.values()).any(|k| k.kind == p.kind && k.normalized == p.normalized)
        })
        .count();
    let new_tags = (other.tags.keys())
        .filter(|tag| !kept.tags.contains_key(*tag))
        .count();
    [
        (t.contacts, new_points),
        (t.interactions, other.interactions.len()),
        (t.deals, other.deals.len()),
        (t.orders, other.orders.len()),
        (t.follow_ups, other.follow_ups.len()),
        (t.tags, new_tags),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(label, n)| format!("{label} +{n}"))
    .reduce(|all, one| format!("{all} · {one}"))
    .unwrap_or_else(|| "—".to_owned())
}
