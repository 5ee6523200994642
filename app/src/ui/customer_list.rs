//! The customer list: instant search, filters, sort, and the new-customer form.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crm_core::customer::{Lifecycle, Source, SummaryRow};
use crm_core::listing::Listing;
use crm_core::search::{LastSearch, RowFilter, RowSort};
use crm_core::workspace::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::export::ExportPanel;
use super::new_customer::NewCustomerForm;
use super::pool::PoolChip;
use super::presence::viewers;
use super::segments::{SegmentPicker, find_segment};
use super::{member_choices, member_name, use_signals};
use crate::i18n::{Lang, use_lang};
use crate::session::SessionSignals;

/// Rows rendered at first; "show more" adds as many again.
const PAGE: usize = 30;

/// What the list shows — search, filters, segment, order — kept for the open workspace, so a
/// person who opens a customer and comes back finds the list as they left it.
#[derive(Clone, Copy)]
pub struct ListView {
    query: RwSignal<String>,
    filter: RwSignal<RowFilter>,
    segment: RwSignal<Option<String>>,
    sort: RwSignal<RowSort>,
    /// The filters are shown (on phones they fold into one button).
    filters_open: RwSignal<bool>,
    /// Exactly these customers, picked from a number on the reports screen, with what the
    /// number was.
    pub picked: RwSignal<Option<Picked>>,
    /// What the list reads of the rows, kept while the workspace is open and brought up to
    /// date edit by edit — not made anew each time the list is shown (at 100,000 customers
    /// that took ~0.3 s).
    listing: Memo<Listing>,
}

/// Customers picked from a report's number.
#[derive(Clone, Debug, PartialEq)]
pub struct Picked {
    /// What the number counts, e.g. "Deals won · This month".
    pub label: String,
    pub ids: std::sync::Arc<BTreeSet<String>>,
}

impl ListView {
    /// The plain list of `signals`' rows.
    pub fn new(signals: SessionSignals) -> Self {
        let sort = RwSignal::new(RowSort::default());
        let listing = Memo::new_owning(move |listing: Option<Listing>| {
            let sort = sort.get();
            let listing = signals.rows.with(|rows| {
                crate::browser::timed("listing", || match listing {
                    Some(mut listing) => {
                        listing.update(rows, sort);
                        listing
                    }
                    None => Listing::new(rows, sort),
                })
            });
            (listing, true)
        });
        Self {
            query: RwSignal::new(String::new()),
            filter: RwSignal::new(RowFilter::default()),
            segment: RwSignal::new(None),
            sort,
            filters_open: RwSignal::new(false),
            picked: RwSignal::new(None),
            listing,
        }
    }

    /// How many filters narrow the list (search and order aside).
    fn narrowing(&self) -> usize {
        let f = self.filter.get();
        [
            f.owner.is_some(),
            f.lifecycle.is_some(),
            f.source.is_some(),
            f.tag.is_some(),
            f.archived,
            self.segment.with(Option::is_some),
            self.picked.with(Option::is_some),
        ]
        .into_iter()
        .filter(|on| *on)
        .count()
    }
}

/// The list page.
#[component]
pub fn CustomerList() -> impl IntoView {
    let lang = use_lang();
    let signals = use_signals();
    let view_state = expect_context::<ListView>();
    let ListView {
        query,
        filter,
        segment,
        sort,
        filters_open,
        picked,
        listing,
    } = view_state;
    // `/?segment=ID` opens the list on a segment (links from the rules screen).
    if let Some(linked) = use_query_map().with_untracked(|q| q.get("segment")) {
        segment.set(Some(linked));
    }
    let creating = RwSignal::new(false);

    let shown_limit = RwSignal::new(PAGE);
    // Typing on searches only the rows the last keystroke found.
    let last_search = StoredValue::new(LastSearch::default());
    let viewers = viewers(signals);
    // The rows the search, filters and segment let through, in order: how many, and the
    // first `limit`.
    let select = move |query: &str, filter: &RowFilter, limit: usize| {
        let segment = signals
            .rules
            .with(|book| find_segment(&book.segments, segment.get().as_deref()));
        let picked = picked.get().map(|p| p.ids);
        let plain = *filter == RowFilter::default();
        listing.with(|listing| {
            let matching = last_search
                .try_update_value(|last| listing.index().matching_set_after(query, last))
                .flatten();
            let rows = listing.rows();
            let mut hits = (if plain {
                listing.listed()
            } else {
                listing.order()
            })
            .iter()
            .filter(|i| matching.as_ref().is_none_or(|m| m[**i]))
            .map(|i| &rows[*i])
            .filter(|row| plain || filter.matches(row))
            .filter(|row| picked.as_ref().is_none_or(|p| p.contains(&row.id)))
            .filter(|row| segment.as_ref().is_none_or(|s| s.matches(row)));
            let shown: Vec<Arc<SummaryRow>> = hits.by_ref().take(limit).cloned().collect();
            (shown.len() + hits.count(), shown)
        })
    };
    // Everything listed, for an export.
    let listed = Callback::new(move |()| {
        select(&query.get_untracked(), &filter.get_untracked(), usize::MAX).1
    });
    let found = Memo::new(move |_| {
        let (query, filter, limit) = (query.get(), filter.get(), shown_limit.get());
        if !signals.rows_ready.get() {
            // The first screen as last seen stands in for the plain list until every row is
            // read; a search, filter or order waits for them.
            let plain = query.is_empty()
                && picked.with(Option::is_none)
                && filter == RowFilter::default()
                && segment.with(Option::is_none)
                && sort.get() == RowSort::default();
            return signals.first_screen.with(|first| match first {
                Some(first) if plain => {
                    let shown: Vec<Arc<SummaryRow>> = first
                        .rows
                        .iter()
                        .take(limit)
                        .cloned()
                        .map(Arc::new)
                        .collect();
                    (first.total, shown)
                }
                _ => (0, Vec::new()),
            });
        }
        crate::browser::timed("search", || select(&query, &filter, limit))
    });
    // The places that can be on screen follow the search at once, the others once the
    // browser has painted them: a keystroke lays out and paints what is seen first. "Show
    // more" fills its new places at once (they are where the person looks).
    // (Followed as the window is resized or a phone turned.)
    let on_screen = RwSignal::new(on_screen_places());
    let resized = window_event_listener(leptos::ev::resize, move |_| {
        let now = on_screen_places();
        if on_screen.get_untracked() != now {
            on_screen.set(now);
        }
    });
    on_cleanup(move || resized.remove());
    let later = RwSignal::new(Vec::<Arc<SummaryRow>>::new());
    Effect::new(move |was: Option<usize>| {
        let limit = shown_limit.get();
        found.track();
        let follow = move || {
            found.try_with_untracked(|(_, shown)| later.try_set(shown.clone()));
        };
        if was == Some(limit) {
            leptos::task::spawn_local(async move {
                crate::browser::after_paint().await;
                crate::browser::timed("rows off screen", follow);
            });
        } else {
            follow();
        }
        limit
    });
    // A new search or filter starts again from the first page (set only when it changes: a
    // set always notifies, and every notification runs the search again).
    Effect::new(move |_| {
        query.track();
        filter.track();
        segment.track();
        picked.track();
        if shown_limit.get_untracked() != PAGE {
            shown_limit.set(PAGE);
        }
    });
    let owners = member_choices(signals);

    view! {
        // `data-rows` says whether every row is in or the first screen as last seen stands in.
        <section
            class="card list-card"
            data-rows=move || if signals.rows_ready.get() { "all" } else { "first-screen" }
        >
            <div class="card-head">
                <h1>{move || lang.get().t().nav_customers}</h1>
                <span class="count" data-testid="result-count">
                    {move || found.with(|(total, _)| *total)}
                </span>
                <button
                    class="primary head-action"
                    type="button"
                    disabled=move || signals.loading.get()
                    on:click=move |_| creating.update(|c| *c = !*c)
                >
                    "+ " {move || lang.get().t().new_customer}
                </button>
            </div>
            <Show when=move || creating.get()>
                <NewCustomerForm on_done=move || creating.set(false) />
            </Show>
            {move || picked.get().map(|p| view! {
                <p class="banner picked-note" role="status">
                    {lang.get().t().picked_from} " " <strong>{p.label}</strong>
                    <button type="button" on:click=move |_| picked.set(None)>{lang.get().t().picked_clear}</button>
                </p>
            })}
            <div class="search-row">
                <input
                    class="search"
                    type="search"
                    aria-label=move || lang.get().t().search_placeholder
                    placeholder=move || lang.get().t().search_placeholder
                    prop:value=query
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                // On phones the filters fold into one button saying how many apply.
                <button
                    type="button"
                    class="filters-toggle"
                    aria-expanded=move || filters_open.get().to_string()
                    on:click=move |_| filters_open.update(|open| *open = !*open)
                >
                    {move || lang.get().t().filters}
                    {move || match view_state.narrowing() {
                        0 => String::new(),
                        n => format!(" ({n})"),
                    }}
                </button>
            </div>
            <div class="filters" data-open=move || filters_open.get().then_some("true")>
                <SegmentPicker segment filter />
                <select aria-label=move || lang.get().t().owner on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.owner = (!v.is_empty()).then_some(v));
                }>
                    <option value="">{move || lang.get().t().all_owners}</option>
                    <For each=move || owners.get() key=|(id, _)| id.clone() let((id, name))>
                        <option value=id.clone() selected=move || filter.with(|f| f.owner.as_ref() == Some(&id))>{name}</option>
                    </For>
                </select>
                <select aria-label=move || lang.get().t().lifecycle on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.lifecycle = Lifecycle::parse(&v));
                }>
                    <option value="">{move || lang.get().t().all_stages}</option>
                    {Lifecycle::ALL.iter().map(|l| view! {
                        <option value=l.as_str() selected=move || filter.with(|f| f.lifecycle == Some(*l))>{move || lang.get().lifecycle(*l)}</option>
                    }).collect_view()}
                </select>
                <select aria-label=move || lang.get().t().source on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.source = Source::parse(&v));
                }>
                    <option value="">{move || lang.get().t().all_sources}</option>
                    {Source::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=move || filter.with(|f| f.source == Some(*s))>{move || lang.get().source(*s)}</option>
                    }).collect_view()}
                </select>
                <select aria-label=move || lang.get().t().tags on:change=move |ev| {
                    let v = event_target_value(&ev);
                    filter.update(|f| f.tag = (!v.is_empty()).then_some(v));
                }>
                    <option value="">{move || lang.get().t().all_tags}</option>
                    <For each=move || listing.with(|l| l.tags().map(String::from).collect::<Vec<_>>()) key=|t| t.clone() let(tag)>
                        <option value=tag.clone() selected=move || filter.with(|f| f.tag.as_ref() == Some(&tag))>{tag.clone()}</option>
                    </For>
                </select>
                <label class="archived-toggle">
                    <input
                        type="checkbox"
                        prop:checked=move || filter.with(|f| f.archived)
                        on:change=move |ev| filter.update(|f| f.archived = event_target_checked(&ev))
                    />
                    {move || lang.get().t().show_archived}
                </label>
                <select aria-label=move || lang.get().t().sort_by on:change=move |ev| {
                    let v = event_target_value(&ev);
                    sort.set(RowSort::ALL.into_iter().find(|s| sort_key(*s) == v).unwrap_or_default());
                }>
                    {RowSort::ALL.iter().map(|s| view! {
                        <option value=sort_key(*s) selected=move || sort.get() == *s>{move || lang.get().sort(*s)}</option>
                    }).collect_view()}
                </select>
                // Spreadsheets in, and out as filtered (folded with the filters on phones).
                <div class="list-tools">
                    <a href="/import" class="tool-link">{move || lang.get().t().import_link}</a>
                    {(signals.role.get_value() != Role::Sales).then(|| view! {
                        <a href="/duplicates" class="tool-link">{move || lang.get().t().dup_link}</a>
                    })}
                    <ExportPanel listed count=Signal::derive(move || found.with(|(total, _)| *total)) />
                </div>
            </div>
            <Show
                when=move || found.with(|(total, _)| *total > 0)
                fallback=move || {
                    let t = lang.get().t();
                    let text = if !signals.rows_ready.get() {
                        t.opening
                    } else if signals.rows.with(Vec::is_empty) {
                        t.no_customers
                    } else {
                        t.no_matches
                    };
                    view! { <p class="empty">{text}</p> }
                }
            >
                // One element per place in the list, showing whichever row is there: a
                // keystroke changes the rows under the places, updated in place, not the
                // list's elements.
                <ul class="customer-list">
                    <For
                        each=move || 0..found.with(|(_, shown)| shown.len())
                        key=|place| *place
                        children=move |place| {
                            let row = Memo::new_with_compare(
                                move |_| match place < on_screen.get() {
                                    true => found.with(|(_, shown)| shown.get(place).cloned()),
                                    false => later.with(|shown| shown.get(place).cloned()),
                                },
                                |was, now| !matches!((was, now), (Some(Some(a)), Some(Some(b))) if Arc::ptr_eq(a, b)),
                            );
                            view! { <Row row lang viewers /> }
                        }
                    />
                </ul>
                <Show when=move || found.with(|(total, shown)| *total > shown.len())>
                    <button type="button" class="more" on:click=move |_| shown_limit.update(|n| *n += PAGE)>
                        {move || lang.get().t().show_more}
                        " · "
                        {move || found.with(|(total, shown)| format!("{} / {}", shown.len(), total))}
                    </button>
                </Show>
            </Show>
        </section>
    }
}

/// How many rows can be on screen at once: the window's height over the shortest row's.
fn on_screen_places() -> usize {
    const SHORTEST_ROW: f64 = 64.0;
    let height = web_sys::window().and_then(|w| w.inner_height().ok()?.as_f64());
    height.map_or(PAGE, |h| (h / SHORTEST_ROW).ceil() as usize)
}

fn sort_key(sort: RowSort) -> &'static str {
    match sort {
        RowSort::RecentlyUpdated => "updated",
        RowSort::Name => "name",
        RowSort::NextFollowUp => "follow-up",
        RowSort::LifetimeSpend => "spend",
    }
}

/// One place in the list, showing the customer `row` holds there; its parts are updated in
/// place when another customer (or a newer version of the same one) takes the place.
#[component]
fn Row(
    row: Memo<Option<Arc<SummaryRow>>>,
    lang: RwSignal<Lang>,
    viewers: Memo<HashMap<String, Vec<String>>>,
) -> impl IntoView {
    let signals = use_signals();
    // Reads `f` of the row here (nothing once the place is gone).
    let read = move |f: fn(&SummaryRow) -> String| move || row.with(|r| r.as_deref().map(f));
    // The pool chip keeps its claim state while the same pool customer stays here.
    let pool = Memo::new(move |_| {
        row.with(|r| (r.as_deref()).and_then(|r| r.owner.is_empty().then(|| r.id.clone())))
    });
    let chips = move || {
        row.get().map(|row| {
            let lifecycle = row.lifecycle;
            view! {
                <span class="chip stage" data-stage=lifecycle.as_str()>{lang.get().lifecycle(lifecycle)}</span>
                {row.tags.iter().take(3).map(|t| view! { <span class="chip">{t.clone()}</span> }).collect_view()}
            }
        })
    };
    let side = move || {
        row.get().map(|row| {
            let lang = lang.get();
            let now = js_sys::Date::now() as i64;
            // Teammates who have this customer open right now.
            let open_by = viewers.with(|v| v.get(&row.id).cloned()).map(|names| {
                let title = format!("{} {}", lang.t().presence_open_by, names.join("、"));
                let initials: String = names.iter().filter_map(|n| n.chars().next()).collect();
                view! { <span class="open-by" title=title.clone() aria-label=title>{initials}</span> }
            });
            let due = row.next_follow_up().map(|f| {
                view! { <span class="due" class:overdue=f.due_at < now>{lang.date(f.due_at)}</span> }
            });
            let spend = (row.lifetime_spend.first())
                .map(|m| view! { <span class="spend">{lang.money(m)}</span> });
            (open_by, due, spend)
        })
    };
    view! {
        <li class="customer-row">
            <a href=read(|r| format!("/customers/{}", r.id)) class="row-link">
                <span class="avatar">{read(|r| r.name.chars().next().unwrap_or('?').into())}</span>
                <span class="row-main">
                    <span class="row-title">
                        <span class="name">{read(|r| r.name.clone())}</span>
                        <span class="latin">{read(|r| r.name_latin.clone())}</span>
                    </span>
                    <span class="row-sub">
                        {read(|r| if r.company.is_empty() { String::new() } else { format!("{} · ", r.company) })}
                        {move || row.with(|r| r.as_deref().map(|r| member_name(signals, &r.owner)))}
                    </span>
                    <span class="chips">
                        {move || pool.get().map(|id| view! { <PoolChip id /> })}
                        {chips}
                    </span>
                </span>
                <span class="row-side">{side}</span>
            </a>
        </li>
    }
}
