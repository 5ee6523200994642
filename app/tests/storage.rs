//! The IndexedDB document store, in a real browser.

// Shared with the session tests; this file needs only part of it.
#[allow(dead_code)]
mod support;

use crm_app::storage::DeviceStore;
use crm_core::customer::HeadedRow;
use crm_core::sync::device::Write;
use crm_core::{CrmDocument, CustomerDoc, Id, Stamp};
use support::new_customer;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn unique_db(label: &str) -> String {
    format!("test-{label}-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn a_written_document_is_read_back_after_reopening_the_database() {
    let name = unique_db("reopen");
    let bytes: Vec<u8> = (0..=255).collect();
    {
        let store = DeviceStore::open(&name).await.unwrap();
        store
            .write(&[snapshot("workspace", &bytes, vec![])])
            .await
            .unwrap();
    }
    let reopened = DeviceStore::open(&name).await.unwrap();
    assert_eq!(reopened.get("workspace").await.unwrap(), Some(bytes));
}

#[wasm_bindgen_test]
async fn a_missing_key_reads_as_none() {
    let store = DeviceStore::open(&unique_db("missing")).await.unwrap();
    assert_eq!(store.get("nothing-here").await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn a_later_write_replaces_the_earlier_one() {
    let store = DeviceStore::open(&unique_db("replace")).await.unwrap();
    store
        .write(&[snapshot("doc", b"first", vec![])])
        .await
        .unwrap();
    store
        .write(&[snapshot("doc", b"second", vec![])])
        .await
        .unwrap();
    assert_eq!(store.get("doc").await.unwrap(), Some(b"second".to_vec()));
}

#[wasm_bindgen_test]
async fn all_lists_every_record_in_key_order_and_delete_removes_one() {
    let store = DeviceStore::open(&unique_db("all")).await.unwrap();
    store
        .write(&[snapshot("workspace", b"w", vec![])])
        .await
        .unwrap();
    store
        .write(&[snapshot("c2", b"two", vec![])])
        .await
        .unwrap();
    store
        .write(&[snapshot("c1", b"one", vec![])])
        .await
        .unwrap();
    store.delete("c2").await.unwrap();
    assert_eq!(
        store.all().await.unwrap(),
        vec![
            ("c1".to_owned(), b"one".to_vec()),
            ("workspace".to_owned(), b"w".to_vec())
        ]
    );
}

fn snapshot(id: &str, bytes: &[u8], folded: Vec<u64>) -> Write {
    Write::Snapshot {
        id: id.into(),
        bytes: bytes.to_vec(),
        heads: Vec::new(),
        folded,
        row: None,
    }
}

fn append(id: &str, seq: u64, bytes: &[u8]) -> Write {
    Write::Append {
        id: id.into(),
        seq,
        bytes: bytes.to_vec(),
        row: None,
    }
}

#[wasm_bindgen_test]
async fn appended_changes_list_in_order_under_their_document_and_compaction_folds_them() {
    let store = DeviceStore::open(&unique_db("changes")).await.unwrap();
    store
        .write(&[snapshot("c1", b"snap", vec![])])
        .await
        .unwrap();
    store.write(&[append("c1", 2, b"two")]).await.unwrap();
    store
        .write(&[append("c1", 1, b"one"), append("c2", 7, b"orphan")])
        .await
        .unwrap();
    let docs = store.documents().await.unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].id, "c1");
    assert_eq!(docs[0].snapshot.as_deref(), Some(&b"snap"[..]));
    assert_eq!(
        docs[0].changes,
        vec![(1, b"one".to_vec()), (2, b"two".to_vec())]
    );
    assert_eq!(
        (docs[1].id.as_str(), docs[1].snapshot.is_none()),
        ("c2", true)
    );

    store
        .write(&[snapshot("c1", b"snap2", vec![1])])
        .await
        .unwrap();
    let docs = store.documents().await.unwrap();
    assert_eq!(docs[0].snapshot.as_deref(), Some(&b"snap2"[..]));
    assert_eq!(docs[0].changes, vec![(2, b"two".to_vec())]);
}

#[wasm_bindgen_test]
async fn a_row_is_written_in_the_transaction_of_its_document() {
    let store = DeviceStore::open(&unique_db("row-with-doc")).await.unwrap();
    let id = Id::random();
    let mut doc = CustomerDoc::create(&id, new_customer("王芳"), &Stamp::new("li", 0)).unwrap();
    let row = HeadedRow::new(doc.summary().unwrap(), &doc.heads());
    let write = Write::Append {
        id: id.to_string(),
        seq: 1,
        bytes: b"change".to_vec(),
        row: Some(row.clone()),
    };
    store.write(&[write]).await.unwrap();
    let rows = store.rows().await.unwrap();
    assert_eq!(rows.len(), 1);
    let cached: HeadedRow = serde_json::from_slice(&rows[0].1).unwrap();
    assert_eq!(cached, row);
}
