//! `crm-core`: the CRM's shared, pure domain crate.
//!
//! Everything here is deterministic and free of I/O so that the browser app and the edge
//! Durable Object run the very same code, and so that it is tested natively and fast.

pub mod workspace;

pub use workspace::{CustomerEntry, WorkspaceDoc, WorkspaceError};
