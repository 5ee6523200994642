//! `crm-app`: the CRM's browser client (Leptos, client-side rendered).

pub mod audit_trail;
mod browser;
pub mod config;
pub mod edge_link;
pub mod i18n;
pub mod phone;
pub mod session;
pub mod sheets;
pub mod sign_ins;
pub mod storage;
pub mod team;
mod ui;
pub mod worker;

/// Mounts the app onto `<body>`.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::App);
}
