//! The Durable Object's SQLite storage as a [`DocumentStore`]: one compacted snapshot per
//! document with its current heads (`documents`; a snapshot beyond [`PART_BYTES`] continues
//! in `parts`, since SQLite on Cloudflare keeps a row under 2 MB), incremental changes
//! appended after it (`changes`), each customer's summary row as JSON (`rows`), when the rules look at each
//! customer again (`schedule`), documents that could not be read kept aside (`quarantine`),
//! the append-only audit trail (`audit`: one JSON [`AuditEntry`] per decision), and the team's
//! invitations and when each member was last seen ([`team`]).
//!
//! A write of several statements (an append with its heads, a replace with its parts, a
//! quarantine) runs in one `transactionSync`: it commits whole or, when a statement fails,
//! not at all.

use automerge::ChangeHash;
use crm_core::audit::{AuditEntry, AuditQuery, Numbered};
use crm_core::customer::HeadedRow;
use crm_core::demo::SavedDoc;
use crm_core::replica::WORKSPACE_DOC_ID;
use crm_core::sync::{DocumentStore, StoreError, Stored};
use crm_core::values::Millis;
mod team;

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use worker::{SqlStorage, SqlStorageValue, State, Storage};

#[wasm_bindgen]
extern "C" {
    /// The object's storage, seen for the one method workers-rs does not bind.
    #[wasm_bindgen(extends = js_sys::Object)]
    type TransactionalStorage;

    /// Runs `body` in a SQLite transaction, rolled back if it throws.
    #[wasm_bindgen(method, catch, js_name = transactionSync)]
    fn transaction_sync(this: &TransactionalStorage, body: &JsValue) -> Result<JsValue, JsValue>;
}

/// One SQL statement and its bindings.
type Statement = (String, Vec<SqlStorageValue>);

/// Largest piece of a snapshot stored in one row.
pub const PART_BYTES: usize = 1 << 20;
/// Most bytes of summary rows in one answer to `/rows` (a page ends early beyond it).
const ROWS_PAGE_BYTES: usize = 4 << 20;

/// Creates the tables if this is a new object.
pub fn create_tables(sql: &SqlStorage) -> worker::Result<()> {
    for statement in [
        "CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, bytes BLOB NOT NULL, \
         heads BLOB)",
        "CREATE TABLE IF NOT EXISTS changes (id TEXT NOT NULL, seq INTEGER NOT NULL, \
         bytes BLOB NOT NULL, PRIMARY KEY (id, seq))",
        "CREATE TABLE IF NOT EXISTS parts (id TEXT NOT NULL, n INTEGER NOT NULL, \
         bytes BLOB NOT NULL, PRIMARY KEY (id, n))",
        "CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, json TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, \
         at INTEGER NOT NULL, member TEXT NOT NULL, doc TEXT NOT NULL, json TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS audit_doc ON audit (doc, seq)",
        "CREATE TABLE IF NOT EXISTS schedule (id TEXT PRIMARY KEY, at INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS schedule_at ON schedule (at)",
        "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS quarantine (id TEXT NOT NULL, at INTEGER NOT NULL, \
         reason TEXT NOT NULL, snapshot BLOB, changes INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS invitations (id TEXT PRIMARY KEY, json TEXT NOT NULL, \
         expires_at INTEGER NOT NULL, spent_at INTEGER)",
        "CREATE TABLE IF NOT EXISTS seen (member TEXT PRIMARY KEY, at INTEGER NOT NULL)",
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
pub struct SqlStore {
    sql: SqlStorage,
    storage: Storage,
    /// Set by every write of `schedule`: the object's alarm may need an earlier time.
    rescheduled: Rc<Cell<bool>>,
}

impl SqlStore {
    /// The store of the object whose state this is; its writes of `schedule` set
    /// `rescheduled`.
    pub fn of(state: &State, rescheduled: Rc<Cell<bool>>) -> Self {
        let storage = state.storage();
        Self {
            sql: storage.sql(),
            storage,
            rescheduled,
        }
    }

    /// The first row `query` returns for `id`, if any.
    fn row(&self, query: &str, id: &str) -> Result<Option<Vec<SqlStorageValue>>, StoreError> {
        let mut rows = self.sql.exec(query, vec![id.into()]).map_err(failed)?.raw();
        rows.next().transpose().map_err(failed)
    }

    fn run(&self, query: &str, bindings: Vec<SqlStorageValue>) -> Result<(), StoreError> {
        self.sql.exec(query, bindings).map(|_| ()).map_err(failed)
    }

    /// Runs `statements` in one transaction: all of them, or none when one fails.
    pub fn atomically(&self, statements: Vec<Statement>) -> Result<(), StoreError> {
        let sql = self.sql.clone();
        let body = Closure::once_into_js(move || -> Result<(), JsValue> {
            for (query, bindings) in statements {
                sql.exec(&query, bindings).map_err(JsValue::from)?;
            }
            Ok(())
        });
        let storage: &TransactionalStorage = self.storage.as_raw().unchecked_ref();
        match storage.transaction_sync(&body) {
            Ok(_) => Ok(()),
            Err(error) => Err(StoreError(
                js_sys::Error::from(error)
                    .message()
                    .as_string()
                    .unwrap_or_default(),
            )),
        }
    }

    /// Up to `limit` stored summary rows of the customers after `after` in id order (fewer
    /// once they pass [`ROWS_PAGE_BYTES`], never none while any follow), as one JSON array of
    /// [`HeadedRow`]s (pages keep a 100k-customer workspace's rows, ~80 MB of JSON, from ever
    /// being in memory at once).
    /// `owner`: only the rows of the customers that member owns and of the pool's (a
    /// salesperson's, when the workspace is scoped; the caller masks the pool's).
    pub fn rows_json(
        &self,
        after: &str,
        limit: u32,
        owner: Option<&str>,
    ) -> worker::Result<String> {
        let mut json = String::from("[");
        let rows = match owner {
            None => self.sql.exec(
                "SELECT json FROM rows WHERE id > ? ORDER BY id LIMIT ?",
                vec![after.into(), i64::from(limit).into()],
            )?,
            Some(owner) => self.sql.exec(
                "SELECT json FROM rows WHERE id > ? AND json_extract(json, '$.row.owner') IN (?, '') \
                 ORDER BY id LIMIT ?",
                vec![after.into(), owner.into(), i64::from(limit).into()],
            )?,
        };
        for row in rows.raw() {
            if let Some(SqlStorageValue::String(row)) = row?.into_iter().next() {
                if json.len() > 1 {
                    json.push(',');
                }
                json.push_str(&row);
                if json.len() >= ROWS_PAGE_BYTES {
                    break;
                }
            }
        }
        json.push(']');
        Ok(json)
    }

    /// The audit entries `query` asks for, newest first, as a JSON array of [`Numbered`].
    pub fn audit_json(&self, query: &AuditQuery) -> worker::Result<String> {
        let mut conditions = Vec::new();
        let mut bindings: Vec<SqlStorageValue> = Vec::new();
        let texts = [("doc", &query.doc_id), ("member", &query.member)];
        for (column, value) in texts {
            if let Some(value) = value {
                conditions.push(format!("{column} = ?"));
                bindings.push(value.as_str().into());
            }
        }
        let numbers = [
            ("at >= ?", query.from),
            ("at < ?", query.to),
            ("seq < ?", query.before),
        ];
        for (condition, value) in numbers {
            if let Some(value) = value {
                conditions.push(condition.to_owned());
                bindings.push(value.into());
            }
        }
        let filter = match conditions.is_empty() {
            true => String::new(),
            false => format!("WHERE {}", conditions.join(" AND ")),
        };
        bindings.push((query.limit as i64).into());
        let rows = self.sql.exec(
            &format!("SELECT seq, json FROM audit {filter} ORDER BY seq DESC LIMIT ?"),
            bindings,
        )?;
        let mut entries = Vec::new();
        for row in rows.raw() {
            let mut row = row?.into_iter();
            if let (Some(SqlStorageValue::Integer(seq)), Some(SqlStorageValue::String(json))) =
                (row.next(), row.next())
                && let Ok(entry) = serde_json::from_str::<AuditEntry>(&json)
            {
                entries.push(Numbered { seq, entry });
            }
        }
        serde_json::to_string(&entries).map_err(|e| worker::Error::RustError(e.to_string()))
    }

    /// The ids of every stored customer.
    pub fn customer_ids(&self) -> worker::Result<Vec<String>> {
        let rows = self.sql.exec(
            "SELECT id FROM documents WHERE id != ?",
            vec![WORKSPACE_DOC_ID.into()],
        )?;
        let mut ids = Vec::new();
        for row in rows.raw() {
            if let Some(SqlStorageValue::String(id)) = row?.into_iter().next() {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// An integer setting, if set.
    pub fn setting(&self, key: &str) -> Result<i64, StoreError> {
        let values = integers(
            &self.sql,
            "SELECT value FROM settings WHERE key = ?",
            vec![key.into()],
        )?;
        Ok(values.into_iter().next().unwrap_or(0))
    }

    /// Sets an integer setting.
    pub fn set_setting(&self, key: &str, value: i64) -> Result<(), StoreError> {
        self.run(
            "INSERT INTO settings (key, value) VALUES (?, ?) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            vec![key.into(), value.into()],
        )
    }

    /// Stores saved documents as they are, with their rows and rules times (the demo seeding
    /// and the `seed` test hook, before any device connects).
    pub fn put_saved(
        &mut self,
        docs: impl IntoIterator<Item = SavedDoc>,
    ) -> Result<(), StoreError> {
        for doc in docs {
            self.replace(&doc.id, &doc.bytes, &doc.heads)?;
            if let Some(row) = &doc.row {
                self.put_row(&doc.id, row)?;
            }
            self.schedule(&doc.id, doc.rules_due)?;
        }
        Ok(())
    }

    /// Whether the object holds no document at all.
    pub fn is_empty(&self) -> worker::Result<bool> {
        Ok(self
            .sql
            .exec("SELECT id FROM documents LIMIT 1", None)?
            .raw()
            .next()
            .is_none())
    }
}

impl DocumentStore for SqlStore {
    fn load(&mut self, doc_id: &str) -> Result<Option<Stored>, StoreError> {
        // One query: the snapshot with its heads first (kind 0), the rest of a large snapshot
        // (kind 1, by part), then the changes (kind 2, by sequence).
        let rows = self
            .sql
            .exec(
                "SELECT bytes, heads, 0 AS kind, 0 AS n FROM documents WHERE id = ?1 \
                 UNION ALL SELECT bytes, NULL, 1, n FROM parts WHERE id = ?1 \
                 UNION ALL SELECT bytes, NULL, 2, seq FROM changes WHERE id = ?1 \
                 ORDER BY kind, n",
                vec![doc_id.into()],
            )
            .map_err(failed)?
            .raw();
        let mut stored: Option<Stored> = None;
        for row in rows {
            let mut row = row.map_err(failed)?.into_iter();
            let (Some(SqlStorageValue::Blob(bytes)), heads, kind) =
                (row.next(), row.next(), row.next())
            else {
                continue;
            };
            let snapshot = matches!(kind, Some(SqlStorageValue::Integer(0)));
            let part = matches!(kind, Some(SqlStorageValue::Integer(1)));
            match &mut stored {
                Some(stored) if part => stored.snapshot.extend(bytes),
                Some(stored) => stored.changes.push(bytes),
                // Changes without a snapshot are not a document.
                None if !snapshot => return Ok(None),
                None => {
                    stored = Some(Stored {
                        snapshot: bytes,
                        changes: Vec::new(),
                        heads: stored_heads(heads),
                    })
                }
            }
        }
        Ok(stored)
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
        self.atomically(vec![
            (
                "INSERT INTO changes (id, seq, bytes) VALUES \
                 (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM changes WHERE id = ?1), ?2)"
                    .into(),
                vec![doc_id.into(), SqlStorageValue::Blob(change.to_vec())],
            ),
            (
                "UPDATE documents SET heads = ? WHERE id = ?".into(),
                vec![encode_heads(heads), doc_id.into()],
            ),
        ])
    }

    fn replace(
        &mut self,
        doc_id: &str,
        snapshot: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError> {
        self.atomically(replacing(doc_id, snapshot, heads))
    }

    fn erase(
        &mut self,
        doc_id: &str,
        tombstone: &[u8],
        heads: &[ChangeHash],
    ) -> Result<(), StoreError> {
        let id = || -> Vec<SqlStorageValue> { vec![doc_id.into()] };
        let quarantined =
            || -> Vec<SqlStorageValue> { vec![format!("quarantine/{doc_id}/%").into()] };
        // Deleting leaves a row's bytes in the page it was on (Durable Objects allow no
        // `secure_delete`), so every value is first overwritten in place with zeros of its
        // size: what SQLite later writes out of those pages holds nothing of the customer.
        let mut statements: Vec<Statement> = vec![
            (
                "UPDATE documents SET bytes = zeroblob(length(bytes)) WHERE id = ?".into(),
                id(),
            ),
            (
                "UPDATE rows SET json = zeroblob(length(CAST(json AS BLOB))) WHERE id = ?".into(),
                id(),
            ),
            (
                "UPDATE quarantine SET snapshot = zeroblob(length(snapshot)) WHERE id = ?".into(),
                id(),
            ),
        ];
        for table in ["parts", "changes"] {
            statements.push((
                format!("UPDATE {table} SET bytes = zeroblob(length(bytes)) WHERE id = ?"),
                id(),
            ));
            // A quarantined copy's parts and changes live under a renamed id.
            statements.push((
                format!("UPDATE {table} SET bytes = zeroblob(length(bytes)) WHERE id LIKE ?"),
                quarantined(),
            ));
            statements.push((
                format!("DELETE FROM {table} WHERE id LIKE ?"),
                quarantined(),
            ));
        }
        statements.extend(replacing(doc_id, tombstone, heads));
        for table in ["rows", "schedule", "quarantine"] {
            statements.push((format!("DELETE FROM {table} WHERE id = ?"), id()));
        }
        self.atomically(statements)
    }

    fn put_row(&mut self, doc_id: &str, row: &HeadedRow) -> Result<(), StoreError> {
        let json = serde_json::to_string(row).map_err(|e| StoreError(e.to_string()))?;
        self.run(
            "INSERT INTO rows (id, json) VALUES (?, ?) \
             ON CONFLICT(id) DO UPDATE SET json = excluded.json",
            vec![doc_id.into(), json.into()],
        )
    }

    fn quarantine(&mut self, doc_id: &str, reason: &str) -> Result<(), StoreError> {
        worker::console_error!("quarantining document {doc_id}: {reason}");
        let now = worker::Date::now().as_millis() as i64;
        let id = || -> Vec<SqlStorageValue> { vec![doc_id.into()] };
        let mut statements: Vec<Statement> = vec![
            ("DELETE FROM rows WHERE id = ?".into(), id()),
            (
                "INSERT INTO quarantine (id, at, reason, snapshot, changes) \
                 SELECT id, ?2, ?3, bytes, (SELECT COUNT(*) FROM changes WHERE id = ?1) \
                 FROM documents WHERE id = ?1"
                    .into(),
                vec![doc_id.into(), now.into(), reason.into()],
            ),
            ("DELETE FROM documents WHERE id = ?".into(), id()),
            ("DELETE FROM schedule WHERE id = ?".into(), id()),
        ];
        // The rest of the snapshot and the changes stay under a renamed id: nothing is deleted.
        for table in ["parts", "changes"] {
            statements.push((
                format!("UPDATE {table} SET id = 'quarantine/' || id || '/' || ?2 WHERE id = ?1"),
                vec![doc_id.into(), now.into()],
            ));
        }
        self.atomically(statements)
    }

    fn schedule(&mut self, doc_id: &str, at: Option<Millis>) -> Result<(), StoreError> {
        self.rescheduled.set(true);
        match at {
            Some(at) => self.run(
                "INSERT INTO schedule (id, at) VALUES (?, ?) \
                 ON CONFLICT(id) DO UPDATE SET at = excluded.at",
                vec![doc_id.into(), at.into()],
            ),
            None => self.run("DELETE FROM schedule WHERE id = ?", vec![doc_id.into()]),
        }
    }

    fn schedule_all(&mut self, at: Millis) -> Result<(), StoreError> {
        self.rescheduled.set(true);
        self.run(
            "INSERT INTO schedule (id, at) SELECT id, ?1 FROM documents WHERE id != ?2 \
             ON CONFLICT(id) DO UPDATE SET at = excluded.at",
            vec![at.into(), WORKSPACE_DOC_ID.into()],
        )
    }

    fn due(&mut self, now: Millis, limit: usize) -> Result<Vec<String>, StoreError> {
        let rows = self
            .sql
            .exec(
                "SELECT id FROM schedule WHERE at <= ? ORDER BY at LIMIT ?",
                vec![now.into(), (limit as i64).into()],
            )
            .map_err(failed)?
            .raw();
        let mut due = Vec::new();
        for row in rows {
            if let Some(SqlStorageValue::String(id)) = row.map_err(failed)?.into_iter().next() {
                due.push(id);
            }
        }
        Ok(due)
    }

    fn audit(&mut self, entry: &AuditEntry) -> Result<(), StoreError> {
        let json = serde_json::to_string(entry).map_err(|e| StoreError(e.to_string()))?;
        self.run(
            "INSERT INTO audit (at, member, doc, json) VALUES (?, ?, ?, ?)",
            vec![
                entry.at.into(),
                entry.member.as_str().into(),
                entry.doc_id.as_str().into(),
                json.into(),
            ],
        )
    }

    fn count(&mut self) -> Result<usize, StoreError> {
        let count = integers(&self.sql, "SELECT COUNT(*) FROM documents", Vec::new())?;
        Ok(count.first().map_or(0, |&n| n as usize))
    }

    fn next_due(&mut self) -> Result<Option<Millis>, StoreError> {
        Ok(
            integers(&self.sql, "SELECT MIN(at) FROM schedule", Vec::new())?
                .into_iter()
                .next(),
        )
    }
}

/// The integers the first column of `query`'s rows holds.
fn integers(
    sql: &SqlStorage,
    query: &str,
    bindings: Vec<SqlStorageValue>,
) -> Result<Vec<i64>, StoreError> {
    let rows = sql.exec(query, bindings).map_err(failed)?.raw();
    let mut values = Vec::new();
    for row in rows {
        if let Some(SqlStorageValue::Integer(n)) = row.map_err(failed)?.into_iter().next() {
            values.push(n);
        }
    }
    Ok(values)
}

fn failed(error: worker::Error) -> StoreError {
    StoreError(error.to_string())
}

/// The statements that replace everything stored for `doc_id` with `snapshot` at `heads`.
fn replacing(doc_id: &str, snapshot: &[u8], heads: &[ChangeHash]) -> Vec<Statement> {
    let mut parts = snapshot.chunks(PART_BYTES);
    let first = parts.next().unwrap_or_default();
    let mut statements: Vec<Statement> =
        vec![("DELETE FROM parts WHERE id = ?".into(), vec![doc_id.into()])];
    for (n, part) in parts.enumerate() {
        statements.push((
            "INSERT INTO parts (id, n, bytes) VALUES (?, ?, ?)".into(),
            vec![
                doc_id.into(),
                (n as i64).into(),
                SqlStorageValue::Blob(part.to_vec()),
            ],
        ));
    }
    statements.push((
        "INSERT INTO documents (id, bytes, heads) VALUES (?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET bytes = excluded.bytes, heads = excluded.heads"
            .into(),
        vec![
            doc_id.into(),
            SqlStorageValue::Blob(first.to_vec()),
            encode_heads(heads),
        ],
    ));
    statements.push((
        "DELETE FROM changes WHERE id = ?".into(),
        vec![doc_id.into()],
    ));
    statements
}
