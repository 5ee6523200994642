//! The IndexedDB document store, in a real browser.

use crm_app::storage::DeviceStore;
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
        store.put("workspace", &bytes).await.unwrap();
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
    store.put("doc", b"first").await.unwrap();
    store.put("doc", b"second").await.unwrap();
    assert_eq!(store.get("doc").await.unwrap(), Some(b"second".to_vec()));
}

#[wasm_bindgen_test]
async fn all_lists_every_record_in_key_order_and_delete_removes_one() {
    let store = DeviceStore::open(&unique_db("all")).await.unwrap();
    store.put("workspace", b"w").await.unwrap();
    store.put("c2", b"two").await.unwrap();
    store.put("c1", b"one").await.unwrap();
    store.delete("c2").await.unwrap();
    assert_eq!(
        store.all().await.unwrap(),
        vec![
            ("c1".to_owned(), b"one".to_vec()),
            ("workspace".to_owned(), b"w".to_vec())
        ]
    );
}

#[wasm_bindgen_test]
async fn appended_changes_list_in_order_under_their_document_and_compaction_folds_them() {
    let store = DeviceStore::open(&unique_db("changes")).await.unwrap();
    store.compact("c1", b"snap", &[]).await.unwrap();
    let k2 = store.append("c1", 2, b"two").await.unwrap();
    let k1 = store.append("c1", 1, b"one").await.unwrap();
    store.append("c2", 7, b"orphan").await.unwrap();
    let docs = store.documents().await.unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].key, "c1");
    assert_eq!(docs[0].snapshot.as_deref(), Some(&b"snap"[..]));
    assert_eq!(
        docs[0].changes,
        vec![(k1.clone(), b"one".to_vec()), (k2.clone(), b"two".to_vec())]
    );
    assert_eq!(
        (docs[1].key.as_str(), docs[1].snapshot.is_none()),
        ("c2", true)
    );

    store.compact("c1", b"snap2", &[k1]).await.unwrap();
    let docs = store.documents().await.unwrap();
    assert_eq!(docs[0].snapshot.as_deref(), Some(&b"snap2"[..]));
    assert_eq!(docs[0].changes, vec![(k2, b"two".to_vec())]);
}
