//! `crm-core`: the CRM's shared, pure domain crate.
//!
//! Everything here is deterministic and free of I/O so that the browser app and the edge
//! Durable Object run the very same code, and so that it is tested natively and fast.

pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod error;
pub mod id;
pub mod pipeline;
mod string_enum;
pub mod values;
pub mod workspace;

pub use error::ModelError;
pub use id::Id;
pub use workspace::{CustomerEntry, WorkspaceDoc, WorkspaceError};
