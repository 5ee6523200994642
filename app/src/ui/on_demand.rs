//! Rarely used screens, each in its own wasm module: the release build splits every `#[lazy]`
//! function below out of the app's main module (`xtask/src/split.rs`), and the screen's module
//! is fetched the first time it is opened (the service worker keeps it for offline use).

use std::future::Future;

use leptos::prelude::*;

use super::export::{ExportForm, Listed};
use super::history::HistoryEntries;
use super::{
    audit_page, duplicates_page, import_page, merge_page, reports_page, rules_page, settings,
    team_page,
};
use crate::i18n::use_lang;

/// Shows the screen `load` gives, "opening" while its module is fetched.
#[component]
pub fn OnDemand<L, F>(load: L) -> impl IntoView
where
    L: Fn() -> F + Send + Sync + 'static,
    F: Future<Output = AnyView> + Send + 'static,
{
    let lang = use_lang();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || lang.get().t().opening}</p> }>
            {move || Suspend::new(load())}
        </Suspense>
    }
}

#[lazy]
pub fn import_screen() -> AnyView {
    view! { <import_page::ImportPage /> }.into_any()
}

#[lazy]
pub fn duplicates_screen() -> AnyView {
    view! { <duplicates_page::DuplicatesPage /> }.into_any()
}

#[lazy]
pub fn merge_screen() -> AnyView {
    view! { <merge_page::MergePage /> }.into_any()
}

#[lazy]
pub fn reports_screen() -> AnyView {
    view! { <reports_page::ReportsPage /> }.into_any()
}

#[lazy]
pub fn rules_screen() -> AnyView {
    view! { <rules_page::RulesPage /> }.into_any()
}

#[lazy]
pub fn audit_screen() -> AnyView {
    view! { <audit_page::AuditPage /> }.into_any()
}

#[lazy]
pub fn team_screen() -> AnyView {
    view! { <team_page::TeamPage /> }.into_any()
}

#[lazy]
pub fn settings_screen() -> AnyView {
    view! { <settings::SettingsPage /> }.into_any()
}

#[lazy]
pub fn export_form(listed: Listed, count: Signal<usize>, open: RwSignal<bool>) -> AnyView {
    view! { <ExportForm listed count open /> }.into_any()
}

#[lazy]
pub fn history_entries(customer_id: String, opened: RwSignal<u32>) -> AnyView {
    view! { <HistoryEntries customer_id opened /> }.into_any()
}
