//! `crm-core`: the CRM's shared, pure domain crate.
//!
//! Everything here is deterministic and free of I/O so that the browser app and the edge
//! Durable Object run the very same code, and so that it is tested natively and fast.

pub mod audit;
pub mod backup;
pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod dedup;
#[cfg(any(test, feature = "fixtures"))]
pub mod demo;
pub mod document;
pub mod error;
pub mod funnel;
pub mod id;
pub mod import;
pub mod listing;
#[cfg(test)]
mod merge_orders;
pub mod pipeline;
pub mod policy;
pub mod replica;
pub mod reports;
pub mod rows_diff;
pub mod rules;
pub mod search;
mod string_enum;
pub mod sync;
pub mod token;
mod touched;
pub mod values;
pub mod workspace;

pub use customer::CustomerDoc;
pub use document::{CrmDocument, Stamp};
pub use error::ModelError;
pub use id::Id;
pub use workspace::WorkspaceDoc;
