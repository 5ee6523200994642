//! Durable local storage of documents in IndexedDB.
//!
//! `documents` maps a document id to a compacted Automerge snapshot, and `heads` to its heads
//! (written in the same transaction, so a reload starts the document unloaded at known heads);
//! `changes` holds the
//! incremental changes appended after it, keyed `{document}{SEPARATOR}{sequence}` so they list
//! in order per document. An edit costs one small append; a compaction puts a new snapshot and
//! drops the changes it folds in the same transaction. `rows` caches each customer's summary
//! row (JSON) so the list paints before any document is loaded; a row is written with its
//! document. The writes are those the device engine asks for (`crm_core::sync::device::Write`);
//! each resolves only after its transaction committed, so the UI may say "saved" once it
//! returns.

use std::collections::{BTreeSet, HashMap};

use automerge::ChangeHash;
use crm_core::replica::WORKSPACE_DOC_ID;
use crm_core::sync::device::{StoredDoc, Write, decode_heads, encode_heads};
use indexed_db_futures::KeyRange;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::typed_array::Uint8Array;

mod erasure;

const STORE: &str = "documents";
const CHANGES: &str = "changes";
const ROWS: &str = "rows";
const HEADS: &str = "heads";
const VERSION: u8 = 4;
/// Row-cache records read per transaction (see [`DeviceStore::rows`]).
const ROWS_PAGE: u32 = 5_000;
/// Separates the document key from the sequence number in a change key.
const SEPARATOR: char = '\u{1}';
/// Prefix of document keys holding documents that could not be read.
const QUARANTINE: &str = "quarantine/";
/// Key prefix of the row-cache records holding the rows last fetched from the edge, a page per
/// record (`~edge/{page}`).
pub const EDGE_ROWS_KEY: &str = "~edge";

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database could not be opened (private mode, quota, blocked upgrade, …).
    #[error("could not open local database: {0}")]
    Open(String),
    /// A read or write failed.
    #[error("local database request failed: {0}")]
    Request(String),
}

impl From<indexed_db_futures::error::Error> for StorageError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        Self::Request(e.to_string())
    }
}

/// What [`DeviceStore::start`] reads.
#[derive(Debug, Default)]
pub struct StartRead {
    /// Documents stored as one snapshot with its heads: their ids and heads.
    pub kept: Vec<(String, Vec<ChangeHash>)>,
    /// Every other document, whole.
    pub whole: Vec<StoredDoc>,
}

/// Handle to the app's IndexedDB database.
#[derive(Debug)]
pub struct DeviceStore {
    db: Database,
}

impl DeviceStore {
    /// Opens (creating or upgrading as needed) the database called `name`.
    pub async fn open(name: &str) -> Result<Self, StorageError> {
        let db = Database::open(name)
            .with_version(VERSION)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(STORE).build()?;
                }
                if event.old_version() < 2.0 {
                    db.create_object_store(CHANGES).build()?;
                }
                if event.old_version() < 3.0 {
                    db.create_object_store(ROWS).build()?;
                }
                if event.old_version() < 4.0 {
                    db.create_object_store(HEADS).build()?;
                }
                Ok(())
            })
            .await
            .map_err(|e| StorageError::Open(e.to_string()))?;
        Ok(Self { db })
    }

    /// Caches the summary row (`json`) of document `key`.
    pub async fn put_row(&self, key: &str, json: &[u8]) -> Result<(), StorageError> {
        self.put_in(ROWS, &[(key, json)]).await
    }

    /// Drops the cached summary row of document `key`.
    async fn delete_row(&self, key: &str) -> Result<(), StorageError> {
        self.delete_in(ROWS, &[key]).await
    }

    /// The row-cache records under `keys` (`None` for one not there), read together.
    pub async fn rows_named(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        let tx = self.db.transaction(ROWS).build()?;
        let rows = tx.object_store(ROWS)?;
        let mut requests = Vec::with_capacity(keys.len());
        for key in keys {
            requests.push(rows.get::<Uint8Array, _, _>(*key).primitive()?);
        }
        let mut read = Vec::with_capacity(keys.len());
        for request in requests {
            read.push(request.await?.map(Into::into));
        }
        Ok(read)
    }

    /// Every cached summary row as `(key, json)`, read a page of [`ROWS_PAGE`] records per
    /// transaction: 100,000 records delivered at once are one long task on the page (a second
    /// or more), pages are many short ones.
    pub async fn rows(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let mut rows = Vec::new();
        // The empty key comes before every other: the first page starts there.
        let mut from = KeyRange::LowerBound(String::new(), false);
        loop {
            let tx = self.db.transaction(ROWS).build()?;
            let store = tx.object_store(ROWS)?;
            let keys = (store.get_all_keys::<String>())
                .with_query::<String, _>(from.clone())
                .with_limit(ROWS_PAGE)
                .primitive()?;
            let values = (store.get_all::<Uint8Array>())
                .with_query::<String, _>(from)
                .with_limit(ROWS_PAGE)
                .primitive()?;
            let keys: Vec<String> = keys.await?.collect::<Result<_, _>>()?;
            let values: Vec<Uint8Array> = values.await?.collect::<Result<_, _>>()?;
            let Some(last) = keys.last().cloned() else {
                return Ok(rows);
            };
            let full = keys.len() == ROWS_PAGE as usize;
            rows.extend(keys.into_iter().zip(values.into_iter().map(Into::into)));
            if !full {
                return Ok(rows);
            }
            from = KeyRange::LowerBound(last, true);
        }
    }

    /// Writes `records` (key, bytes) into `store` in one transaction; returns once committed.
    async fn put_in(&self, store: &str, records: &[Record<'_>]) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(store)?;
        // Every put is issued before any is awaited: one round trip to the database for the
        // batch, not one per record.
        let mut puts = Vec::new();
        for (key, bytes) in records {
            puts.push(
                store
                    .put(Uint8Array::from(bytes.to_vec()))
                    .with_key(*key)
                    .primitive()?,
            );
        }
        for put in puts {
            put.await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every stored document as `(key, bytes)`, in key order.
    pub async fn all(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        self.all_in(STORE).await
    }

    async fn all_in(&self, store: &str) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let tx = self.db.transaction(store).build()?;
        let store = tx.object_store(store)?;
        // Both requests run in one transaction and list records in key order, so they pair up.
        let keys = store.get_all_keys::<String>().primitive()?;
        let values = store.get_all::<Uint8Array>().primitive()?;
        let keys: Vec<String> = keys.await?.collect::<Result<_, _>>()?;
        let values: Vec<Uint8Array> = values.await?.collect::<Result<_, _>>()?;
        Ok(keys
            .into_iter()
            .zip(values.into_iter().map(Into::into))
            .collect())
    }

    /// Removes the record under `key`; returns once committed.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.delete_in(STORE, &[key]).await
    }

    /// Removes `keys` from `store` in one transaction; returns once committed.
    async fn delete_in(&self, store: &str, keys: &[&str]) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let records = tx.object_store(store)?;
        for key in keys {
            records.delete(*key).primitive()?.await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Reads the bytes stored under `key`, if any.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let tx = self.db.transaction(STORE).build()?;
        let store = tx.object_store(STORE)?;
        let value: Option<Uint8Array> = store.get(key).primitive()?.await?;
        Ok(value.map(Into::into))
    }

    /// Carries out `writes` in one transaction (snapshots, appended changes, documents
    /// that arrived, rows); returns once it committed.
    pub async fn write(&self, writes: &[Write]) -> Result<(), StorageError> {
        let mut puts: Vec<(&str, String, &[u8])> = Vec::new();
        let mut deletes: Vec<String> = Vec::new();
        let mut kept_heads: Vec<(String, Vec<u8>)> = Vec::new();
        let rows: Vec<(String, Vec<u8>)> = writes
            .iter()
            .flat_map(|write| match write {
                Write::Snapshot { row, .. }
                | Write::Append { row, .. }
                | Write::Arrived { row, .. } => row.iter().collect::<Vec<_>>(),
                Write::Rows(rows) => rows.iter().collect(),
                Write::Heads { .. } | Write::Erased { .. } | Write::Dropped { .. } => Vec::new(),
            })
            .filter_map(|row| Some((row.row.id.clone(), serde_json::to_vec(row).ok()?)))
            .collect();
        for write in writes {
            match write {
                Write::Snapshot {
                    id,
                    bytes,
                    heads,
                    folded,
                    ..
                } => {
                    puts.push((STORE, id.clone(), bytes));
                    kept_heads.push((id.clone(), encode_heads(heads)));
                    deletes.extend(folded.iter().map(|seq| change_key(id, *seq)));
                }
                Write::Append { id, seq, bytes, .. } => {
                    puts.push((CHANGES, change_key(id, *seq), bytes));
                }
                Write::Arrived {
                    id, bytes, heads, ..
                } => {
                    puts.push((STORE, id.clone(), bytes));
                    kept_heads.push((id.clone(), encode_heads(heads)));
                }
                Write::Heads { id, heads } => kept_heads.push((id.clone(), encode_heads(heads))),
                Write::Erased {
                    id, bytes, heads, ..
                } => {
                    puts.push((STORE, id.clone(), bytes));
                    kept_heads.push((id.clone(), encode_heads(heads)));
                }
                Write::Rows(_) | Write::Dropped { .. } => {}
            }
        }
        puts.extend(rows.iter().map(|(id, json)| (ROWS, id.clone(), &json[..])));
        puts.extend(
            kept_heads
                .iter()
                .map(|(id, heads)| (HEADS, id.clone(), &heads[..])),
        );
        let tx = self
            .db
            .transaction([STORE, CHANGES, ROWS, HEADS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        // Every request is issued before any is awaited: one round trip for the batch.
        let mut requests = Vec::new();
        for (store, key, bytes) in puts {
            let put = tx
                .object_store(store)?
                .put(Uint8Array::from(bytes.to_vec()))
                .with_key(key)
                .primitive()?;
            requests.push(put);
        }
        let changes = tx.object_store(CHANGES)?;
        let mut removals = Vec::new();
        for key in deletes {
            removals.push(changes.delete(key).primitive()?);
        }
        for put in requests {
            put.await?;
        }
        for removal in removals {
            removal.await?;
        }
        let dropped: Vec<&str> = (writes.iter())
            .filter_map(|write| match write {
                Write::Dropped { id } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        let (documents, heads) = (tx.object_store(STORE)?, tx.object_store(HEADS)?);
        let mut removals = Vec::new();
        for id in &dropped {
            removals.push(documents.delete(*id).primitive()?);
            removals.push(heads.delete(*id).primitive()?);
        }
        for removal in removals {
            removal.await?;
        }
        let erased: Vec<&str> = (writes.iter())
            .filter_map(|write| match write {
                Write::Erased { id, .. } | Write::Dropped { id } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        if !erased.is_empty() {
            erasure::forget(&tx, &erased).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// What a start reads: the heads of every document stored as one snapshot with its heads
    /// (`kept`: its bytes stay here until [`DeviceStore::read`]), and every other document
    /// whole — the workspace, documents with appended changes, snapshots stored before heads
    /// were. Records under `quarantine/` are left out.
    pub async fn start(&self) -> Result<StartRead, StorageError> {
        let tx = self.db.transaction([STORE, CHANGES, HEADS]).build()?;
        let (docs, changes, heads) = (
            tx.object_store(STORE)?,
            tx.object_store(CHANGES)?,
            tx.object_store(HEADS)?,
        );
        // Keys and heads only: a few megabytes at 100,000 customers, where the documents
        // themselves are hundreds.
        let doc_keys = docs.get_all_keys::<String>().primitive()?;
        let change_keys = changes.get_all_keys::<String>().primitive()?;
        let head_keys = heads.get_all_keys::<String>().primitive()?;
        let head_values = heads.get_all::<Uint8Array>().primitive()?;
        let doc_keys: Vec<String> = doc_keys.await?.collect::<Result<_, _>>()?;
        let change_keys: Vec<String> = change_keys.await?.collect::<Result<_, _>>()?;
        let head_keys: Vec<String> = head_keys.await?.collect::<Result<_, _>>()?;
        let head_values: Vec<Uint8Array> = head_values.await?.collect::<Result<_, _>>()?;
        let mut kept_heads: HashMap<String, Vec<ChangeHash>> = (head_keys.into_iter())
            .zip(head_values)
            .filter_map(|(id, bytes)| Some((id, decode_heads(&Vec::from(bytes))?)))
            .collect();
        let with_changes: BTreeSet<&str> = (change_keys.iter())
            .filter_map(|key| Some(key.split_once(SEPARATOR)?.0))
            .collect();
        let mut kept = Vec::new();
        let mut whole: BTreeSet<String> = with_changes.iter().map(|id| (*id).to_owned()).collect();
        for id in doc_keys
            .into_iter()
            .filter(|key| !key.starts_with(QUARANTINE))
        {
            match kept_heads.remove(&id) {
                Some(heads)
                    if id != WORKSPACE_DOC_ID
                        && !heads.is_empty()
                        && !with_changes.contains(id.as_str()) =>
                {
                    kept.push((id, heads));
                }
                _ => {
                    whole.insert(id);
                }
            }
        }
        let whole: Vec<String> = whole.into_iter().collect();
        let whole = (self.read(&whole).await?.into_iter())
            .filter_map(|(_, doc)| doc)
            .collect();
        Ok(StartRead { kept, whole })
    }

    /// Documents `ids` as stored — snapshot, its heads, the changes appended after it in
    /// order — read in one transaction (`None` for one that is not here).
    pub async fn read(
        &self,
        ids: &[String],
    ) -> Result<Vec<(String, Option<StoredDoc>)>, StorageError> {
        let tx = self.db.transaction([STORE, CHANGES, HEADS]).build()?;
        let (docs, changes, heads) = (
            tx.object_store(STORE)?,
            tx.object_store(CHANGES)?,
            tx.object_store(HEADS)?,
        );
        // Every request is issued before any is awaited: one round trip for the batch.
        let mut requests = Vec::with_capacity(ids.len());
        for id in ids {
            let appended = change_key(id, 0)..change_key(id, u64::MAX);
            requests.push((
                id,
                docs.get::<Uint8Array, _, _>(id.as_str()).primitive()?,
                heads.get::<Uint8Array, _, _>(id.as_str()).primitive()?,
                (changes.get_all_keys::<String>())
                    .with_query(appended.clone())
                    .primitive()?,
                (changes.get_all::<Uint8Array>())
                    .with_query(appended)
                    .primitive()?,
            ));
        }
        let mut read = Vec::with_capacity(ids.len());
        for (id, snapshot, kept, change_keys, change_values) in requests {
            let snapshot: Option<Vec<u8>> = snapshot.await?.map(Into::into);
            let kept = kept
                .await?
                .and_then(|bytes| decode_heads(&Vec::from(bytes)));
            let change_keys: Vec<String> = change_keys.await?.collect::<Result<_, _>>()?;
            let change_values: Vec<Uint8Array> = change_values.await?.collect::<Result<_, _>>()?;
            let changes: Vec<(u64, Vec<u8>)> = (change_keys.iter())
                .zip(change_values)
                .filter_map(|(key, bytes)| {
                    Some((key.split_once(SEPARATOR)?.1.parse().ok()?, bytes.into()))
                })
                .collect();
            let doc = (snapshot.is_some() || !changes.is_empty()).then(|| StoredDoc {
                id: id.clone(),
                heads: kept.filter(|_| snapshot.is_some()),
                snapshot,
                changes,
            });
            read.push((id.clone(), doc));
        }
        Ok(read)
    }

    /// Moves an unreadable document (snapshot and changes) under `quarantine/{id}/{time}` so
    /// nothing is lost; returns that key.
    pub async fn quarantine(&self, doc: &StoredDoc, time: f64) -> Result<String, StorageError> {
        let kept = format!("{QUARANTINE}{}/{time}", doc.id);
        let mut moved: Vec<(String, Vec<u8>)> = Vec::new();
        if let Some(snapshot) = &doc.snapshot {
            moved.push((kept.clone(), snapshot.clone()));
        }
        for (n, (_, bytes)) in doc.changes.iter().enumerate() {
            moved.push((format!("{kept}/change-{n}"), bytes.clone()));
        }
        self.put_in(STORE, &records(&moved)).await?;
        self.delete(&doc.id).await?;
        self.delete_in(HEADS, &[&doc.id]).await?;
        let keys: Vec<String> = (doc.changes.iter())
            .map(|(seq, _)| change_key(&doc.id, *seq))
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.delete_in(CHANGES, &keys).await?;
        self.delete_row(&doc.id).await?;
        Ok(kept)
    }
}

/// The key of document `doc`'s change number `seq`: listed in order per document.
fn change_key(doc: &str, seq: u64) -> String {
    format!("{doc}{SEPARATOR}{seq:020}")
}

/// A record to put: key and bytes.
type Record<'a> = (&'a str, &'a [u8]);

/// Owned (key, bytes) pairs as the borrowed records the writers take.
fn records(list: &[(String, Vec<u8>)]) -> Vec<Record<'_>> {
    list.iter().map(|(k, v)| (k.as_str(), &v[..])).collect()
}

/// Deletes the database called `name` (nothing may hold it open).
pub async fn delete_database(name: &str) -> Result<(), StorageError> {
    Database::delete_by_name(name)
        .map_err(|e| StorageError::Request(format!("deleting {name}: {e}")))?
        .await
        .map_err(|e| StorageError::Request(format!("deleting {name}: {e}")))
}
