//! A replica of any of a workspace's documents, chosen by document id: the workspace document
//! is `workspace`, every other id is a customer document. Lets the app and the edge store,
//! merge and forward documents without knowing their kinds.

use automerge::{AutoCommit, ChangeHash, sync};

use crate::customer::{CustomerDoc, HeadedRow};
use crate::document::CrmDocument;
use crate::error::ModelError;
use crate::workspace::WorkspaceDoc;

/// Document id of the workspace document.
pub const WORKSPACE_DOC_ID: &str = "workspace";

/// One document of the workspace.
#[derive(Debug, Clone)]
pub enum Replica {
    /// The workspace document.
    Workspace(WorkspaceDoc),
    /// A customer document.
    Customer(CustomerDoc),
}

impl Replica {
    /// Loads the saved document `doc_id`, checking it has that kind's layout.
    pub fn load(doc_id: &str, bytes: &[u8]) -> Result<Self, ModelError> {
        if doc_id == WORKSPACE_DOC_ID {
            WorkspaceDoc::load(bytes).map(Self::Workspace)
        } else {
            CustomerDoc::load(bytes).map(Self::Customer)
        }
    }

    /// Wraps document `doc_id` assembled by sync, checking it has that kind's layout.
    pub fn from_automerge(doc_id: &str, doc: AutoCommit) -> Result<Self, ModelError> {
        if doc_id == WORKSPACE_DOC_ID {
            WorkspaceDoc::from_automerge(doc).map(Self::Workspace)
        } else {
            CustomerDoc::from_automerge(doc).map(Self::Customer)
        }
    }

    /// Rebuilds document `doc_id` from a stored snapshot and the changes appended after it
    /// (each a `save_incremental` output, in order).
    pub fn restore(doc_id: &str, snapshot: &[u8], changes: &[Vec<u8>]) -> Result<Self, ModelError> {
        let mut replica = Self::load(doc_id, snapshot)?;
        if !changes.is_empty() {
            let changes = changes.concat();
            match &mut replica {
                Self::Workspace(doc) => doc.apply_changes(&changes)?,
                Self::Customer(doc) => doc.apply_changes(&changes)?,
            }
            // They are stored: the next incremental save starts after them.
            replica.save_incremental();
        }
        Ok(replica)
    }

    /// Merges a saved copy of the same document; returns whether this replica changed.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<bool, ModelError> {
        match self {
            Self::Workspace(doc) => doc.merge_bytes(bytes),
            Self::Customer(doc) => doc.merge_bytes(bytes),
        }
    }

    /// Applies a sync message (see [`CrmDocument::receive_sync_message`]).
    pub fn receive_sync_message(
        &mut self,
        state: &mut sync::State,
        message: sync::Message,
    ) -> Result<bool, ModelError> {
        match self {
            Self::Workspace(doc) => doc.receive_sync_message(state, message),
            Self::Customer(doc) => doc.receive_sync_message(state, message),
        }
    }

    /// The next sync message for a peer, if one is due.
    pub fn generate_sync_message(&mut self, state: &mut sync::State) -> Option<sync::Message> {
        match self {
            Self::Workspace(doc) => doc.generate_sync_message(state),
            Self::Customer(doc) => doc.generate_sync_message(state),
        }
    }

    /// The changes this replica includes.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        match self {
            Self::Workspace(doc) => doc.heads(),
            Self::Customer(doc) => doc.heads(),
        }
    }

    /// The summary row of a customer document, with the heads it summarises (`None` for the
    /// workspace document or a customer whose row cannot be read).
    pub fn summary(&mut self) -> Option<HeadedRow> {
        match self {
            Self::Workspace(_) => None,
            Self::Customer(doc) => {
                let row = doc.summary().ok()?;
                Some(HeadedRow::new(row, &doc.heads()))
            }
        }
    }

    /// Whether changes received before their dependencies are waiting in memory.
    pub fn has_queued_changes(&mut self) -> bool {
        !self.automerge_mut().get_missing_deps(&[]).is_empty()
    }

    /// The Automerge document, for the rights check and its compensating change.
    pub fn automerge_mut(&mut self) -> &mut automerge::AutoCommit {
        match self {
            Self::Workspace(doc) => doc.automerge_mut(),
            Self::Customer(doc) => doc.automerge_mut(),
        }
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        match self {
            Self::Workspace(doc) => doc.save(),
            Self::Customer(doc) => doc.save(),
        }
    }

    /// The changes since the last `save` / `save_incremental` (empty when there are none).
    pub fn save_incremental(&mut self) -> Vec<u8> {
        match self {
            Self::Workspace(doc) => doc.save_incremental(),
            Self::Customer(doc) => doc.save_incremental(),
        }
    }
}

/// Merges `incoming` into the stored bytes of `doc_id` (if any). Returns the new bytes to store
/// and send on, or `None` when nothing changed.
pub fn merge_stored(
    doc_id: &str,
    stored: Option<&[u8]>,
    incoming: &[u8],
) -> Result<Option<Vec<u8>>, ModelError> {
    let mut replica = match stored {
        Some(stored) => Replica::load(doc_id, stored)?,
        None => return Replica::load(doc_id, incoming).map(|mut r| Some(r.save())),
    };
    Ok(replica.merge_bytes(incoming)?.then(|| replica.save()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::{Lifecycle, NewCustomer, Source};
    use crate::document::Stamp;
    use crate::id::Id;

    fn customer(name: &str) -> CustomerDoc {
        let new = NewCustomer {
            name: name.into(),
            name_latin: String::new(),
            company: String::new(),
            title: String::new(),
            owner: "li".into(),
            source: Source::Referral,
            lifecycle: Lifecycle::Lead,
        };
        CustomerDoc::create(&Id::parse("c1").unwrap(), new, &Stamp::new("li", 0)).unwrap()
    }

    #[test]
    fn merge_stored_keeps_new_documents_and_merges_known_ones() {
        let mut a = customer("周敏");
        let first = merge_stored("c1", None, &a.save()).unwrap().unwrap();
        assert_eq!(merge_stored("c1", Some(&first), &a.save()).unwrap(), None);
        a.add_tag("VIP", &Stamp::new("li", 1)).unwrap();
        let merged = merge_stored("c1", Some(&first), &a.save())
            .unwrap()
            .unwrap();
        let tags = CustomerDoc::load(&merged).unwrap().customer().unwrap().tags;
        assert!(tags.contains_key("VIP"));
    }

    #[test]
    fn a_document_of_the_wrong_kind_is_refused() {
        let mut ws = WorkspaceDoc::new();
        assert!(matches!(
            merge_stored("c1", None, &ws.save()),
            Err(ModelError::Layout { .. })
        ));
        assert!(matches!(
            merge_stored(WORKSPACE_DOC_ID, None, &customer("x").save()),
            Err(ModelError::Layout { .. })
        ));
    }

    #[test]
    fn a_snapshot_and_its_appended_changes_restore_the_document() {
        let mut doc = Replica::Customer(customer("周敏"));
        let snapshot = doc.save();
        assert!(
            doc.save_incremental().is_empty(),
            "nothing new since the snapshot"
        );
        let mut changes = Vec::new();
        for (day, tag) in ["VIP", "批发", "华东"].into_iter().enumerate() {
            if let Replica::Customer(c) = &mut doc {
                c.add_tag(tag, &Stamp::new("li", day as i64 + 1)).unwrap();
            }
            changes.push(doc.save_incremental());
        }
        let mut restored = Replica::restore("c1", &snapshot, &changes).unwrap();
        assert!(
            restored.save_incremental().is_empty(),
            "what is stored is not appended again"
        );
        let Replica::Customer(restored) = restored else {
            panic!("a customer id restores a customer");
        };
        assert_eq!(restored.customer().unwrap().tags.len(), 3);
        // A snapshot with changes appended to it in one record (as a whole-document sync
        // message carries them) loads the same.
        let joined = [snapshot.clone(), changes.concat()].concat();
        let Replica::Customer(from_joined) = Replica::load("c1", &joined).unwrap() else {
            panic!("a customer id loads a customer");
        };
        assert_eq!(
            from_joined.customer().unwrap(),
            restored.customer().unwrap()
        );
        // A change stored twice (a retried write) is harmless.
        changes.push(changes[0].clone());
        assert!(Replica::restore("c1", &snapshot, &changes).is_ok());
        assert!(matches!(
            Replica::restore("c1", b"junk", &changes),
            Err(ModelError::Corrupt { .. })
        ));
    }
}
