//! Sync with the automerge-repo network protocol (v1): the message codec, document ids as
//! automerge-repo writes them, and the two ends of a connection as pure state machines —
//! [`server::SyncServer`] for the edge, [`client::SyncClient`] for a device's connection and
//! [`device::DeviceRepo`] for a device's documents around it. See
//! `docs/sync.md`.

pub mod chunks;
pub mod client;
pub mod device;
pub mod doc_id;
#[cfg(any(test, feature = "fixtures"))]
pub mod memory_store;
pub mod message;
pub mod notice;
pub mod presence;
pub mod server;
pub mod slot;
#[cfg(any(test, feature = "fixtures"))]
pub mod store_contract;
pub mod stored_reply;

pub use client::{Inbound, SyncClient};
pub use device::DeviceRepo;
pub use doc_id::RepoDocId;
pub use message::RepoMessage;
pub use server::{DocumentStore, Effect, StoreError, Stored, SyncServer};
pub use slot::DocSlot;
