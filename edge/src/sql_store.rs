//! The Durable Object's SQLite storage as a [`DocumentStore`]: one compacted snapshot per
//! document with its current heads (`documents`), incremental changes appended after it
//! (`changes`), and documents that could not be read kept aside (`quarantine`).

use automerge::ChangeHash;
use crm_core::sync::{DocumentStore, StoreError, Stored};
use worker::{SqlStorage, SqlStorageValue};

/// Creates the tables if this is a new object.
pub fn create_tables(sql: &SqlStorage) -> worker::Result<()> {
    for statement in [
        "CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, bytes BLOB NOT NULL, \
         heads BLOB)",
        "CREATE TABLE IF NOT EXISTS changes (id TEXT NOT NULL, seq INTEGER NOT NULL, \
         bytes BLOB NOT NULL, PRIMARY KEY (id, seq))",
        "CREATE TABLE IF NOT EXISTS quarantine (id TEXT NOT NULL, at INTEGER NOT NULL, \
         reason TEXT NOT NULL, snapshot BLOB, changes INTEGER NOT NULL)",
    ] {
        sql.exec(statement, None)?;
    }
    // Objects created before heads were recorded: add the column (their heads stay unknown
    // until the next write, and their documents are served the ordinary way meanwhile).
    let columns = sql
        .exec("SELECT name FROM pragma_table_info('documents')", None)?
        .raw()
        .collect::<worker::Result<Vec<_>>>()?;
    let has_heads = columns
        .iter()
        .any(|row| matches!(row.first(), Some(SqlStorageValue::String(name)) if name == "heads"));
    if !has_heads {
        sql.exec("ALTER TABLE documents ADD COLUMN heads BLOB", None)?;
    }
    Ok(())
}

/// Heads as stored: their 32-byte hashes one after another.
fn encode_heads(heads: &[ChangeHash]) -> SqlStorageValue {
    SqlStorageValue::Blob(heads.iter().flat_map(|h| h.0).collect())
}

/// The heads column's value: empty when not recorded.
fn stored_heads(value: Option<SqlStorageValue>) -> Vec<ChangeHash> {
    match value {
        Some(SqlStorageValue::Blob(bytes)) => bytes
            .chunks_exact(32)
            .filter_map(|c| <[u8; 32]>::try_from(c).ok().map(ChangeHash))
            .collect(),
        _ => Vec::new(),
    }
}

/// Documents in the object's SQLite.
pub struct SqlStore<'a>(pub &'a SqlStorage);

impl SqlStore<'_> {
    fn blobs(&self, query: &str, id: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        let rows = self
            .0
            .exec(query, vec![id.into()])
            .map_err(failed)?
            .raw()
            .collect::<worker::Result<Vec<_>>>()
            .map_err(failed)?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match row.into_iter().next() {
                Some(SqlStorageValue::Blob(bytes)) => Some(bytes),
                _ => None,
            })
            .collect())
    }

    /// The first row `query` returns for `id`, if any.
    fn row(&self, query: &str, id: &str) -> Result<Option<Vec<SqlStorageValue>>, StoreError> {
        let mut rows = self.0.exec(query, vec![id.into()]).map_err(failed)?.raw();
        rows.next().transpose().map_err(failed)
    }

    fn run(&self, query: &str, bindings: Vec<SqlStorageValue>) -> Result<(), StoreError> {
        self.0.exec(query, bindings).map(|_| ()).map_err(failed)
    }

    /// Whether the object holds no document at all.
    pub fn is_empty(&self) -> worker::Result<bool> {
        Ok(self
            .0
            .exec("SELECT id FROM documents LIMIT 1", None)?
            .raw()
            .next()
            .is_none())
    }
}

impl DocumentStore for SqlStore<'_> {
    fn load(&mut self, doc_id: &str) -> Result<Option<Stored>, StoreError> {
        let Some(row) = self.row("SELECT bytes, heads FROM documents WHERE id = ?", doc_id)? else {
            return Ok(None);
        };
        let mut row = row.into_iter();
        let (Some(SqlStorageValue::Blob(snapshot)), heads) = (row.next(), row.next()) else {
            return Ok(None);
        };
        let changes = self.blobs(
            "SELECT bytes FROM changes WHERE id = ? ORDER BY seq",
            doc_id,
        )?;
        Ok(Some(Stored {
            snapshot,
            changes,
            heads: stored_heads(heads),
        }))
    }

    fn heads(&mut self, doc_id: &str) -> Result<Option<Vec<ChangeHash>>, StoreError> {
        let row = self.row("SELECT heads FROM documents WHERE id = ?", doc_id)?;
        Ok(row.map(|row| stored_heads(row.into_iter().next())))
    }

    fn append(
        &mut self,
        doc_id: &str,
        change: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO changes (id, seq, bytes) VALUES \
             (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes WHERE id = ?1), ?2)",
            vec![doc_id.into(), SqlStorageValue::Blob(change.to_vec())],
        )?;
        self.run(
            "UPDATE documents SET heads = ? WHERE id = ?",
            vec![encode_heads(heads), doc_id.into()],
        )
    }

    fn replace(
        &mut self,
        doc_id: &str,
        snapshot: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO documents (id, bytes, heads) VALUES (?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET bytes = excluded.bytes, heads = excluded.heads",
            vec![
                doc_id.into(),
                SqlStorageValue::Blob(snapshot.to_vec()),
                encode_heads(heads),
            ],
        )?;
        self.run("DELETE FROM changes WHERE id = ?", vec![doc_id.into()])
    }

    fn quarantine(&mut self, doc_id: &str, reason: &str) -> Result<(), StoreError> {
        worker::console_error!("quarantining document {doc_id}: {reason}");
        let now = worker::Date::now().as_millis() as i64;
        self.run(
            "INSERT INTO quarantine (id, at, reason, snapshot, changes) \
             SELECT id, ?2, ?3, bytes, (SELECT COUNT(*) FROM changes WHERE id = ?1) \
             FROM documents WHERE id = ?1",
            vec![doc_id.into(), now.into(), reason.into()],
        )?;
        self.run("DELETE FROM documents WHERE id = ?", vec![doc_id.into()])?;
        // The changes stay in `changes` under a renamed id, so nothing is deleted.
        self.run(
            "UPDATE changes SET id = 'quarantine/' || id || '/' || ?2 WHERE id = ?1",
            vec![doc_id.into(), now.into()],
        )
    }
}

fn failed(error: worker::Error) -> StoreError {
    StoreError(error.to_string())
}
