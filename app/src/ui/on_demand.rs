//! Rarely used screens, each in its own wasm module: the release build splits every
//! `#[wasm_split]` function below out of the app's main module (`xtask/src/split.rs`). A
//! screen's module is fetched the first time it is opened, or before, when the browser is idle
//! once the workspace is open (`preload_when_idle`); the service worker keeps them for offline
//! use. A module that cannot be fetched is said on the screen, with Try again.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::{SplitLoaderError, wasm_split};

use super::history::HistoryEntries;
use super::{
    audit_page, duplicates_page, import_page, merge_page, reports_page, rules_page, settings,
    team_page,
};
use crate::i18n::use_lang;

/// A screen from its module.
type Loaded = Result<AnyView, SplitLoaderError>;

/// Shows the screen `load` gives, "opening" while its module is fetched.
#[component]
pub fn OnDemand<L, F>(load: L) -> impl IntoView
where
    L: Fn() -> F + Send + Sync + 'static,
    F: Future<Output = Loaded> + Send + 'static,
{
    let lang = use_lang();
    let attempt = RwSignal::new(0u32);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || lang.get().t().opening}</p> }>
            {move || {
                attempt.track();
                let loading = load();
                Suspend::new(async move {
                    match loading.await {
                        Ok(screen) => screen,
                        Err(_) => view! {
                            <p class="banner banner-error" role="alert">
                                {move || lang.get().t().screen_unavailable} " "
                                <button type="button" on:click=move |_| attempt.update(|n| *n += 1)>
                                    {move || lang.get().t().retry}
                                </button>
                            </p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Fetches every screen's module, one at a time while the browser is idle, so a first visit
/// does not wait for it.
pub fn preload_when_idle() {
    spawn_local(async {
        for preload in PRELOADS {
            idle().await;
            // A module not fetched now is fetched (or said unavailable) when its screen opens.
            let _ = preload().await;
        }
    });
}

/// Resolves when the browser is next idle.
async fn idle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.request_idle_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

type Preload = fn() -> std::pin::Pin<Box<dyn Future<Output = Result<(), SplitLoaderError>>>>;

/// Every screen's preload, the most used first.
const PRELOADS: [Preload; 9] = [
    || Box::pin(preload_reports()),
    || Box::pin(preload_history()),
    || Box::pin(preload_settings()),
    || Box::pin(preload_rules()),
    || Box::pin(preload_duplicates()),
    || Box::pin(preload_merge()),
    || Box::pin(preload_import()),
    || Box::pin(preload_team()),
    || Box::pin(preload_audit()),
];

#[wasm_split(import_screen, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_import))]
pub fn import_screen() -> Loaded {
    Ok(view! { <import_page::ImportPage /> }.into_any())
}

#[wasm_split(duplicates_screen, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_duplicates))]
pub fn duplicates_screen() -> Loaded {
    Ok(view! { <duplicates_page::DuplicatesPage /> }.into_any())
}

#[wasm_split(merge_screen, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_merge))]
pub fn merge_screen() -> Loaded {
    Ok(view! { <merge_page::MergePage /> }.into_any())
}

#[wasm_split(reports_screen, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_reports))]
pub fn reports_screen() -> Loaded {
    Ok(view! { <reports_page::ReportsPage /> }.into_any())
}

#[wasm_split(rules_screen, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_rules))]
pub fn rules_screen() -> Loaded {
    Ok(view! { <rules_page::RulesPage /> }.into_any())
}

#[wasm_split(audit_screen, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_audit))]
pub fn audit_screen() -> Loaded {
    Ok(view! { <audit_page::AuditPage /> }.into_any())
}

#[wasm_split(team_screen, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_team))]
pub fn team_screen() -> Loaded {
    Ok(view! { <team_page::TeamPage /> }.into_any())
}

#[wasm_split(settings_screen, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_settings))]
pub fn settings_screen() -> Loaded {
    Ok(view! { <settings::SettingsPage /> }.into_any())
}

#[wasm_split(history_entries, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_history))]
pub fn history_entries(customer_id: String, opened: RwSignal<u32>) -> Loaded {
    Ok(view! { <HistoryEntries customer_id opened /> }.into_any())
}
