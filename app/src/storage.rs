//! Durable local storage of documents in IndexedDB.
//!
//! `documents` maps a document key to a compacted Automerge snapshot; `changes` holds the
//! incremental changes appended after it, keyed `{document}{SEPARATOR}{sequence}` so they list
//! in order per document. An edit costs one small append; [`DeviceStore::compact`] folds the
//! changes into a new snapshot in one transaction. `rows` caches each customer's summary row
//! (JSON) so the list paints before any document is loaded. Every write resolves only after
//! its transaction committed, so the UI may say "saved" once it returns.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::typed_array::Uint8Array;

const STORE: &str = "documents";
const CHANGES: &str = "changes";
const ROWS: &str = "rows";
const VERSION: u8 = 3;
/// Separates the document key from the sequence number in a change key.
const SEPARATOR: char = '\u{1}';

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
                Ok(())
            })
            .await
            .map_err(|e| StorageError::Open(e.to_string()))?;
        Ok(Self { db })
    }

    /// Writes `bytes` under `key`; returns once the write is committed.
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        self.put_in(STORE, &[(key, bytes)]).await
    }

    /// Caches the summary row (`json`) of document `key`.
    pub async fn put_row(&self, key: &str, json: &[u8]) -> Result<(), StorageError> {
        self.put_in(ROWS, &[(key, json)]).await
    }

    /// Stores documents that arrived whole (each as a snapshot) and their rows, in one
    /// transaction.
    pub async fn put_arrivals(
        &self,
        docs: &[(String, Vec<u8>)],
        rows: &[(String, Vec<u8>)],
    ) -> Result<(), StorageError> {
        self.put_in_all(&[(STORE, &records(docs)), (ROWS, &records(rows))])
            .await
    }

    /// Caches many summary rows `(key, json)` in one transaction.
    pub async fn put_rows(&self, rows: &[(String, Vec<u8>)]) -> Result<(), StorageError> {
        self.put_in(ROWS, &records(rows)).await
    }

    /// Drops the cached summary row of document `key`.
    pub async fn delete_row(&self, key: &str) -> Result<(), StorageError> {
        self.delete_in(ROWS, &[key]).await
    }

    /// Every cached summary row as `(key, json)`.
    pub async fn rows(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        self.all_in(ROWS).await
    }

    /// Writes `records` (key, bytes) into `store` in one transaction; returns once committed.
    async fn put_in(&self, store: &str, records: &[Record<'_>]) -> Result<(), StorageError> {
        self.put_in_all(&[(store, records)]).await
    }

    /// Puts records into several object stores in one transaction.
    async fn put_in_all(&self, writes: &[(&str, &[Record<'_>])]) -> Result<(), StorageError> {
        let names: Vec<&str> = writes.iter().map(|(name, _)| *name).collect();
        let tx = self
            .db
            .transaction(names)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        // Every put is issued before any is awaited: one round trip to the database for the
        // batch, not one per record.
        let mut puts = Vec::new();
        for (name, records) in writes {
            let store = tx.object_store(name)?;
            for (key, bytes) in *records {
                puts.push(
                    store
                        .put(Uint8Array::from(bytes.to_vec()))
                        .with_key(*key)
                        .primitive()?,
                );
            }
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

    /// Appends changes of document `doc` under sequence number `seq` (callers keep it rising);
    /// returns the change's key once committed.
    pub async fn append(&self, doc: &str, seq: u64, bytes: &[u8]) -> Result<String, StorageError> {
        let key = format!("{doc}{SEPARATOR}{seq:020}");
        self.put_in(CHANGES, &[(&key, bytes)]).await?;
        Ok(key)
    }

    /// Replaces the snapshot of `doc` and drops the changes it folds in, atomically.
    pub async fn compact(
        &self,
        doc: &str,
        snapshot: &[u8],
        folded: &[String],
    ) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction([STORE, CHANGES])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(STORE)?
            .put(Uint8Array::from(snapshot.to_vec()))
            .with_key(doc)
            .primitive()?
            .await?;
        let changes = tx.object_store(CHANGES)?;
        for key in folded {
            changes.delete(key.as_str()).primitive()?.await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every stored document: its key, snapshot (if any) and appended changes as
    /// (key, bytes) in order. Documents come in key order.
    pub async fn documents(&self) -> Result<Vec<StoredDocument>, StorageError> {
        let mut docs: Vec<StoredDocument> = self
            .all()
            .await?
            .into_iter()
            .map(|(key, snapshot)| StoredDocument {
                key,
                snapshot: Some(snapshot),
                changes: Vec::new(),
            })
            .collect();
        for (change_key, bytes) in self.all_in(CHANGES).await? {
            let doc = change_key
                .split_once(SEPARATOR)
                .map_or(change_key.as_str(), |(doc, _)| doc)
                .to_owned();
            let at = match docs.binary_search_by(|d| d.key.as_str().cmp(&doc)) {
                Ok(at) => at,
                Err(at) => {
                    docs.insert(
                        at,
                        StoredDocument {
                            key: doc,
                            snapshot: None,
                            changes: Vec::new(),
                        },
                    );
                    at
                }
            };
            docs[at].changes.push((change_key, bytes));
        }
        Ok(docs)
    }

    /// Deletes change records by key, in one transaction.
    pub async fn delete_changes(&self, keys: &[String]) -> Result<(), StorageError> {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.delete_in(CHANGES, &keys).await
    }
}

/// One document as stored: a snapshot and the changes appended since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// Document key.
    pub key: String,
    /// The last compacted snapshot (absent only if the first write never completed).
    pub snapshot: Option<Vec<u8>>,
    /// (change key, bytes), oldest first.
    pub changes: Vec<(String, Vec<u8>)>,
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
