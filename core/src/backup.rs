//! A whole workspace as one file: every document's Automerge bytes (its full history), so a
//! restore gives back exactly what the team had. The file is a short text header (so it is
//! recognised, and refused when it is something else) followed by CBOR:
//! `{"workspace": name, "at": millis, "documents": [[id, bytes], …]}`, the workspace document
//! first.

use minicbor::{Decoder, Encoder};

use crate::replica::{Replica, WORKSPACE_DOC_ID};
use crate::values::Millis;

/// What every backup file starts with.
const MAGIC: &[u8] = b"QINGKE-BACKUP-1\n";

/// A workspace's documents, as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// The workspace's name when it was saved.
    pub workspace: String,
    /// When.
    pub at: Millis,
    /// Document id → its saved bytes, the workspace document first.
    pub documents: Vec<(String, Vec<u8>)>,
}

/// Why a file is not a backup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    /// It does not start as a backup does.
    #[error("not a Qingke backup")]
    NotABackup,
    /// It starts as one, but its contents cannot be read (cut short, altered).
    #[error("the backup is damaged: {0}")]
    Damaged(String),
}

/// A document of a backup that could not be read, and why: left out, the others restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub id: String,
    pub reason: String,
}

impl Backup {
    /// As a file.
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(MAGIC.to_vec());
        let written: Result<_, minicbor::encode::Error<std::convert::Infallible>> = (|| {
            e.map(3)?;
            e.str("workspace")?.str(&self.workspace)?;
            e.str("at")?.i64(self.at)?;
            e.str("documents")?.array(self.documents.len() as u64)?;
            for (id, bytes) in &self.documents {
                e.array(2)?.str(id)?.bytes(bytes)?;
            }
            Ok(())
        })();
        written.expect("writing to a Vec cannot fail");
        e.into_writer()
    }

    /// Reads a file written by [`Backup::encode`].
    pub fn decode(file: &[u8]) -> Result<Self, BackupError> {
        let body = file.strip_prefix(MAGIC).ok_or(BackupError::NotABackup)?;
        let damaged = |e: minicbor::decode::Error| BackupError::Damaged(e.to_string());
        let mut d = Decoder::new(body);
        let mut backup = Backup {
            workspace: String::new(),
            at: 0,
            documents: Vec::new(),
        };
        let fields = d.map().map_err(damaged)?.unwrap_or(0);
        for _ in 0..fields {
            match d.str().map_err(damaged)? {
                "workspace" => backup.workspace = d.str().map_err(damaged)?.to_owned(),
                "at" => backup.at = d.i64().map_err(damaged)?,
                "documents" => {
                    let count = d.array().map_err(damaged)?.unwrap_or(0);
                    for _ in 0..count {
                        d.array().map_err(damaged)?;
                        let id = d.str().map_err(damaged)?.to_owned();
                        let bytes = d.bytes().map_err(damaged)?.to_vec();
                        backup.documents.push((id, bytes));
                    }
                }
                _ => d.skip().map_err(damaged)?,
            }
        }
        match backup.documents.first() {
            Some((id, _)) if id == WORKSPACE_DOC_ID => Ok(backup),
            _ => Err(BackupError::Damaged("no workspace document".into())),
        }
    }

    /// Every document read as its kind, the workspace first; those that cannot be read are
    /// named with why, not dropped silently.
    pub fn replicas(&self) -> (Vec<(String, Replica)>, Vec<Unreadable>) {
        let mut read = Vec::with_capacity(self.documents.len());
        let mut unreadable = Vec::new();
        for (id, bytes) in &self.documents {
            match Replica::load(id, bytes) {
                Ok(replica) => read.push((id.clone(), replica)),
                Err(error) => unreadable.push(Unreadable {
                    id: id.clone(),
                    reason: error.to_string(),
                }),
            }
        }
        (read, unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    fn demo_backup() -> Backup {
        let docs = demo::saved_workspace(5, 1_780_000_000_000);
        Backup {
            workspace: "华东贸易".into(),
            at: 1_780_000_000_000,
            documents: docs.into_iter().map(|d| (d.id, d.bytes)).collect(),
        }
    }

    #[test]
    fn a_backup_round_trips_and_every_document_reads_as_saved() {
        let backup = demo_backup();
        let file = backup.encode();
        assert_eq!(Backup::decode(&file), Ok(backup.clone()));
        let (read, unreadable) = backup.replicas();
        assert_eq!((read.len(), unreadable.len()), (6, 0));
        assert!(matches!(read[0].1, Replica::Workspace(_)));
    }

    #[test]
    fn other_files_and_damaged_backups_are_refused_and_a_bad_document_is_named() {
        assert_eq!(
            Backup::decode(b"name,phone\n"),
            Err(BackupError::NotABackup)
        );
        let file = demo_backup().encode();
        assert!(matches!(
            Backup::decode(&file[..file.len() - 10]),
            Err(BackupError::Damaged(_))
        ));
        let mut backup = demo_backup();
        backup.documents[2].1 = b"not automerge".to_vec();
        let (read, unreadable) = backup.replicas();
        assert_eq!(read.len(), 5);
        assert_eq!(unreadable[0].id, backup.documents[2].0);
    }
}
