//! Segments: saved filters of the customer list, shared by the team through the workspace
//! document. Picked and saved on the list; listed with their counts on the rules screen.

use crm_core::Id;
use crm_core::rules::Segment;
use crm_core::search::RowFilter;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::errors::edit_workspace;
use super::{use_session, use_signals};
use crate::i18n::use_lang;
use crate::session::SessionSignals;

/// The segment called `id`, if the workspace has it.
pub fn find_segment(segments: &[Segment], id: Option<&str>) -> Option<Segment> {
    segments.iter().find(|s| Some(s.id.as_str()) == id).cloned()
}

/// How many customers each segment has now: counted when the rows or the segments change
/// (after an edit, only the edited rows), for every screen that shows the counts.
#[derive(Clone, Copy)]
pub struct SegmentSizes(Memo<crm_core::listing::SegmentSizes>);

impl SegmentSizes {
    /// Counts in `signals`' rows, kept while the workspace is open.
    pub fn new(signals: SessionSignals) -> Self {
        Self(Memo::new_owning(
            move |sizes: Option<crm_core::listing::SegmentSizes>| {
                let sizes = signals.rules.with(|book| {
                    signals.rows.with(|rows| match sizes {
                        Some(mut sizes) => {
                            sizes.update(rows, &book.segments);
                            sizes
                        }
                        None => crm_core::listing::SegmentSizes::new(rows, &book.segments),
                    })
                });
                (sizes, true)
            },
        ))
    }

    /// Customers in the segment called `id`.
    fn of(self, id: &str) -> usize {
        self.0.with(|sizes| sizes.of(id))
    }
}

/// The segment filter of the customer list, and saving the list's current filters as a new
/// segment.
#[component]
pub fn SegmentPicker(
    segment: RwSignal<Option<String>>,
    filter: RwSignal<RowFilter>,
) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let naming = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let sizes = expect_context::<SegmentSizes>();
    let options = move || {
        let segments = signals.rules.with(|book| book.segments.clone());
        (segments.into_iter())
            .map(|s| {
                let name = lang.get().configured_name(&s.id, &s.name);
                let label = format!("{name} ({})", sizes.of(&s.id));
                (s.id, label)
            })
            .collect::<Vec<_>>()
    };
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let f = filter.get_untracked();
        let new = Segment {
            id: Id::random().to_string(),
            name: naming.get_untracked().unwrap_or_default(),
            tags: f.tag.into_iter().collect(),
            lifecycle: f.lifecycle.into_iter().collect(),
            source: f.source.into_iter().collect(),
            owner: f.owner,
        };
        let id = new.id.clone();
        if edit_workspace(session, lang, error, |ws| ws.put_segment(&new)) {
            naming.set(None);
            segment.set(Some(id));
        }
    };
    let filtered = move || filter.with(|f| *f != RowFilter::default());
    view! {
        <select
            aria-label=move || lang.get().t().segment
            prop:value=move || segment.get().unwrap_or_default()
            on:change=move |ev| {
                let v = event_target_value(&ev);
                segment.set((!v.is_empty()).then_some(v));
            }
        >
            <option value="">{move || lang.get().t().all_customers}</option>
            <For each=options key=|(id, label)| (id.clone(), label.clone()) let((id, label))>
                <option value=id.clone() selected=move || segment.get().as_deref() == Some(id.as_str())>{label}</option>
            </For>
        </select>
        <Show when=move || filtered() && naming.get().is_none()>
            <button type="button" on:click=move |_| naming.set(Some(String::new()))>
                {move || lang.get().t().save_segment}
            </button>
        </Show>
        {move || naming.get().is_some().then(|| view! {
            <form class="inline-fields segment-save" on:submit=save>
                <input
                    type="text"
                    aria-label=move || lang.get().t().segment_name
                    placeholder=move || lang.get().t().segment_name
                    on:input=move |ev| naming.set(Some(event_target_value(&ev)))
                />
                <button type="submit" class="primary">{move || lang.get().t().save_segment}</button>
            </form>
        })}
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}

/// Every segment with how many customers are in it now, a link to the list of them, and (for
/// admins) removal.
#[component]
pub fn SegmentsCard(admin: bool) -> impl IntoView {
    let lang = use_lang();
    let session = use_session();
    let signals = use_signals();
    let sizes = expect_context::<SegmentSizes>();
    view! {
        <section class="card segments-card">
            <h2>{move || lang.get().t().segments_title}</h2>
            <ul class="segments">
                <For
                    each=move || signals.rules.get().segments
                    key=|s| serde_json::to_string(s).unwrap_or_default()
                    children=move |s| {
                        let n = {
                            let id = s.id.clone();
                            move || sizes.of(&id)
                        };
                        let id = s.id.clone();
                        view! {
                            <li class="segment" data-segment=s.id.clone()>
                                <a class="segment-name" href=format!("/?segment={}", s.id)>{
                                    let (id, name) = (s.id.clone(), s.name.clone());
                                    move || lang.get().configured_name(&id, &name)
                                }</a>
                                <span class="chips">
                                    {s.tags.iter().map(|t| view! { <span class="chip">{t.clone()}</span> }).collect_view()}
                                </span>
                                <span class="segment-count">{n}</span>
                                {admin.then(|| view! {
                                    <button type="button" class="danger" on:click=move |_| {
                                        let id = id.clone();
                                        let _ = session.with_value(|se| se.edit_workspace(|ws| ws.remove_segment(&id)));
                                    }>{move || lang.get().t().delete_segment}</button>
                                })}
                            </li>
                        }
                    }
                />
            </ul>
        </section>
    }
}
