//! What an erased customer leaves in IndexedDB besides its document: the changes appended
//! after its last snapshot, its cached row, its rows in the edge's cached pages and any
//! quarantined copy — all removed in the transaction that writes its tombstone (or, for a
//! customer the member may no longer read, in the one that deletes its document).

use crm_core::customer::HeadedRow;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use indexed_db_futures::typed_array::Uint8Array;

use super::{CHANGES, EDGE_ROWS_KEY, QUARANTINE, ROWS, STORE, StorageError, change_key};

/// Removes what customers `ids` held besides their documents, within `tx`.
pub(super) async fn forget(tx: &Transaction<'_>, ids: &[&str]) -> Result<(), StorageError> {
    let (changes, documents, rows) = (
        tx.object_store(CHANGES)?,
        tx.object_store(STORE)?,
        tx.object_store(ROWS)?,
    );
    let mut removals = Vec::new();
    for id in ids {
        removals.push(
            changes
                .delete(change_key(id, 0)..=change_key(id, u64::MAX))
                .primitive()?,
        );
        // Every key `quarantine/{id}/…` ('0' follows '/').
        let quarantined = format!("{QUARANTINE}{id}/")..format!("{QUARANTINE}{id}0");
        removals.push(documents.delete(quarantined).primitive()?);
        removals.push(rows.delete(*id).primitive()?);
    }
    let pages = format!("{EDGE_ROWS_KEY}/")..format!("{EDGE_ROWS_KEY}0");
    let keys = (rows.get_all_keys::<String>())
        .with_query(pages.clone())
        .primitive()?;
    let values = (rows.get_all::<Uint8Array>())
        .with_query(pages)
        .primitive()?;
    for removal in removals {
        removal.await?;
    }
    let keys: Vec<String> = keys.await?.collect::<Result<_, _>>()?;
    let values: Vec<Uint8Array> = values.await?.collect::<Result<_, _>>()?;
    let mut puts = Vec::new();
    for (key, value) in keys.into_iter().zip(values) {
        let Ok(page) = serde_json::from_slice::<Vec<HeadedRow>>(&Vec::from(value)) else {
            continue;
        };
        if !page.iter().any(|r| ids.contains(&r.row.id.as_str())) {
            continue;
        }
        let kept: Vec<&HeadedRow> = (page.iter())
            .filter(|r| !ids.contains(&r.row.id.as_str()))
            .collect();
        let json = serde_json::to_vec(&kept).unwrap_or_default();
        puts.push(rows.put(Uint8Array::from(json)).with_key(key).primitive()?);
    }
    for put in puts {
        put.await?;
    }
    Ok(())
}
