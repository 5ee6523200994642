//! The workspace document: the team's shared directory of customers.
//!
//! Stored as one Automerge document. Customers are keyed by a unique id, so two devices that
//! add customers at the same time never overwrite each other.

use std::collections::BTreeMap;

use automerge::{ActorId, AutoCommit, transaction::CommitOptions};
use autosurgeon::{Hydrate, Reconcile, hydrate, reconcile};

/// Version of the workspace document layout written by this build.
pub const SCHEMA_VERSION: u64 = 1;

/// Longest customer name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// One customer in the workspace directory.
#[derive(Debug, Clone, PartialEq, Eq, Hydrate, Reconcile)]
pub struct CustomerEntry {
    /// Display name as typed (Chinese and/or Latin).
    pub name: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Hydrate, Reconcile)]
struct Layout {
    schema_version: u64,
    customers: BTreeMap<String, CustomerEntry>,
}

/// Why a workspace operation was refused. The document is unchanged when one is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WorkspaceError {
    /// The bytes are not an Automerge document.
    #[error("not a valid document: {0}")]
    Corrupt(String),
    /// The document is an Automerge document but not laid out as a workspace.
    #[error("document does not have the workspace layout: {0}")]
    Layout(String),
    /// The document was written by a newer build that this one cannot read.
    #[error("document schema version {found} is newer than the supported {supported}")]
    NewerSchema { found: u64, supported: u64 },
    /// A customer needs a name.
    #[error("customer name is empty")]
    EmptyName,
    /// The name exceeds [`MAX_NAME_CHARS`].
    #[error("customer name has {chars} characters, at most {MAX_NAME_CHARS} are allowed")]
    NameTooLong { chars: usize },
    /// The id is already taken by another customer.
    #[error("customer id {id} already exists")]
    DuplicateId { id: String },
}

/// A workspace document with typed operations over it.
#[derive(Debug, Clone)]
pub struct WorkspaceDoc {
    doc: AutoCommit,
    layout: Layout,
}

impl Default for WorkspaceDoc {
    fn default() -> Self {
        Self::new()
    }
}

impl WorkspaceDoc {
    /// A new, empty workspace.
    ///
    /// The first change (the empty layout) is byte-identical on every replica: it is made by a
    /// fixed actor at time zero. Two devices that each start a workspace offline therefore
    /// share the same root objects and their later edits merge instead of shadowing each
    /// other's `customers` map. Edits after genesis use a fresh random actor.
    pub fn new() -> Self {
        let mut doc = AutoCommit::new().with_actor(ActorId::from([0u8; 16]));
        let layout = Layout {
            schema_version: SCHEMA_VERSION,
            customers: BTreeMap::new(),
        };
        reconcile(&mut doc, &layout).expect("reconciling into a fresh document cannot fail");
        doc.commit_with(CommitOptions::default().with_time(0));
        doc.set_actor(ActorId::random());
        Self { doc, layout }
    }

    /// Loads a document from the bytes of [`WorkspaceDoc::save`] (or any Automerge save of a
    /// workspace). Hostile input yields an error, never a panic.
    pub fn load(bytes: &[u8]) -> Result<Self, WorkspaceError> {
        let doc = AutoCommit::load(bytes).map_err(|e| WorkspaceError::Corrupt(e.to_string()))?;
        let layout = read_layout(&doc)?;
        Ok(Self { doc, layout })
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Merges another replica's saved bytes into this one. Returns whether anything changed.
    /// On error this document is left exactly as it was.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<bool, WorkspaceError> {
        let mut other = Self::load(bytes)?;
        let before = self.doc.get_heads();
        let mut merged = self.doc.clone();
        merged
            .merge(&mut other.doc)
            .map_err(|e| WorkspaceError::Corrupt(e.to_string()))?;
        let layout = read_layout(&merged)?;
        let changed = merged.get_heads() != before;
        self.doc = merged;
        self.layout = layout;
        Ok(changed)
    }

    /// Adds a customer under a caller-chosen unique id.
    pub fn add_customer(
        &mut self,
        id: &str,
        name: &str,
        created_at: i64,
    ) -> Result<(), WorkspaceError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(WorkspaceError::EmptyName);
        }
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(WorkspaceError::NameTooLong { chars });
        }
        if self.layout.customers.contains_key(id) {
            return Err(WorkspaceError::DuplicateId { id: id.to_owned() });
        }
        let mut next = self.layout.clone();
        next.customers.insert(
            id.to_owned(),
            CustomerEntry {
                name: name.to_owned(),
                created_at,
            },
        );
        reconcile(&mut self.doc, &next).map_err(|e| WorkspaceError::Layout(e.to_string()))?;
        self.layout = next;
        Ok(())
    }

    /// Customers ordered by creation time (then id), oldest first.
    pub fn customers(&self) -> Vec<(String, CustomerEntry)> {
        let mut rows: Vec<_> = self
            .layout
            .customers
            .iter()
            .map(|(id, c)| (id.clone(), c.clone()))
            .collect();
        rows.sort_by(|a, b| (a.1.created_at, &a.0).cmp(&(b.1.created_at, &b.0)));
        rows
    }
}

fn read_layout(doc: &AutoCommit) -> Result<Layout, WorkspaceError> {
    let layout: Layout = hydrate(doc).map_err(|e| WorkspaceError::Layout(e.to_string()))?;
    if layout.schema_version > SCHEMA_VERSION {
        return Err(WorkspaceError::NewerSchema {
            found: layout.schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(layout)
}

#[cfg(test)]
mod tests;
