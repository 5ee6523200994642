//! What the UI reads of a session: signals the session keeps current.

use crm_core::workspace::{Role, RuleBook, WorkspaceSettings};
use leptos::prelude::*;

use crate::config::Config;
use crate::edge_link::LinkStatus;

/// Reactive view of the session, for the UI.
#[derive(Clone, Copy)]
pub struct SessionSignals {
    /// One row per customer, in no particular order.
    pub rows: RwSignal<Vec<std::sync::Arc<crm_core::customer::SummaryRow>>>,
    /// The rows merged into another customer (a few): a customer's page finds those merged
    /// into it here, without reading every row.
    pub merged: RwSignal<Vec<std::sync::Arc<crm_core::customer::SummaryRow>>>,
    /// Every cached row has been read into `rows` (until then pages show "opening").
    pub rows_ready: RwSignal<bool>,
    /// The list's first screen as last seen, shown until `rows_ready`.
    pub first_screen: RwSignal<Option<super::FirstScreen>>,
    /// The workspace: members, pipeline, custom fields (not its directory).
    pub workspace: RwSignal<Option<WorkspaceSettings>>,
    /// The workspace's rules.
    pub rules: RwSignal<RuleBook>,
    /// The member using this device.
    pub member: StoredValue<String>,
    /// Their role.
    pub role: StoredValue<Role>,
    /// State of the link to the edge.
    pub link: RwSignal<LinkStatus>,
    /// The edge refused this device's token (HTTP 401 or 403) the last time it was asked.
    pub token_refused: RwSignal<Option<u16>>,
    /// A probe of the edge (see `liveness`) has not been answered yet: "Synced" is not proven.
    pub unproven: RwSignal<bool>,
    /// Local changes the edge has not confirmed yet.
    pub unconfirmed: RwSignal<usize>,
    /// Documents requested from the edge that have not arrived yet.
    pub awaited: RwSignal<usize>,
    /// Local writes not yet committed to IndexedDB.
    pub unsaved_writes: RwSignal<u32>,
    /// The stored documents have not been read from IndexedDB yet (the rows shown come from
    /// the cache; edits wait for this, not for every document to be restored).
    pub loading: RwSignal<bool>,
    /// Stored documents are still being restored in the background (the edge link waits).
    pub restoring: RwSignal<bool>,
    /// Documents set aside because they could not be read: (document id, reason).
    pub quarantined: RwSignal<Vec<(String, String)>>,
    /// Failed writes to show.
    pub storage_errors: RwSignal<Vec<String>>,
    /// Teammates' devices on customers, one entry per device (see `presence`).
    pub presence: RwSignal<Vec<super::Seen>>,
    /// Changes of this device's the edge did not accept as made, newest last.
    pub not_accepted: RwSignal<Vec<NotAccepted>>,
}

/// A change the edge did not accept as this device made it.
#[derive(Debug, Clone, PartialEq)]
pub struct NotAccepted {
    /// The document, when the edge named one.
    pub doc_id: Option<String>,
    /// The entries it put back (`profile.owner`), or the edge's reason for refusing.
    pub what: Vec<String>,
    /// Tells notices apart (two alike may come).
    pub n: u64,
}

impl SessionSignals {
    /// The signals of a session about to start for `config`.
    pub(super) fn new(config: &Config) -> Self {
        Self {
            rows: RwSignal::new(Vec::new()),
            merged: RwSignal::new(Vec::new()),
            rows_ready: RwSignal::new(false),
            first_screen: RwSignal::new(None),
            workspace: RwSignal::new(None),
            rules: RwSignal::new(RuleBook::default()),
            member: StoredValue::new(config.member.clone()),
            role: StoredValue::new(config.role),
            loading: RwSignal::new(true),
            restoring: RwSignal::new(true),
            link: RwSignal::new(LinkStatus::Connecting),
            token_refused: RwSignal::new(None),
            unproven: RwSignal::new(false),
            unconfirmed: RwSignal::new(0),
            awaited: RwSignal::new(0),
            unsaved_writes: RwSignal::new(0),
            quarantined: RwSignal::new(Vec::new()),
            storage_errors: RwSignal::new(Vec::new()),
            presence: RwSignal::new(Vec::new()),
            not_accepted: RwSignal::new(Vec::new()),
        }
    }
}
