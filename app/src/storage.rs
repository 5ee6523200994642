//! Durable local storage of documents in IndexedDB.
//!
//! One object store, `documents`, maps a document key to its saved Automerge bytes. Every write
//! resolves only after its transaction committed, so the UI may say "saved" once it returns.

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::typed_array::Uint8Array;

const STORE: &str = "documents";
const VERSION: u8 = 1;

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
pub struct DocumentStore {
    db: Database,
}

impl DocumentStore {
    /// Opens (creating or upgrading as needed) the database called `name`.
    pub async fn open(name: &str) -> Result<Self, StorageError> {
        let db = Database::open(name)
            .with_version(VERSION)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(STORE).build()?;
                }
                Ok(())
            })
            .await
            .map_err(|e| StorageError::Open(e.to_string()))?;
        Ok(Self { db })
    }

    /// Writes `bytes` under `key`; returns once the write is committed.
    pub async fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction(STORE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(STORE)?;
        store
            .put(Uint8Array::from(bytes.to_vec()))
            .with_key(key)
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every stored document as `(key, bytes)`, in key order.
    pub async fn all(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let tx = self.db.transaction(STORE).build()?;
        let store = tx.object_store(STORE)?;
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
        let tx = self
            .db
            .transaction(STORE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(STORE)?.delete(key).primitive()?.await?;
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
}
