//! The IndexedDB document store, in a real browser.

use crm_app::storage::DocumentStore;
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
        let store = DocumentStore::open(&name).await.unwrap();
        store.put("workspace", &bytes).await.unwrap();
    }
    let reopened = DocumentStore::open(&name).await.unwrap();
    assert_eq!(reopened.get("workspace").await.unwrap(), Some(bytes));
}

#[wasm_bindgen_test]
async fn a_missing_key_reads_as_none() {
    let store = DocumentStore::open(&unique_db("missing")).await.unwrap();
    assert_eq!(store.get("nothing-here").await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn a_later_write_replaces_the_earlier_one() {
    let store = DocumentStore::open(&unique_db("replace")).await.unwrap();
    store.put("doc", b"first").await.unwrap();
    store.put("doc", b"second").await.unwrap();
    assert_eq!(store.get("doc").await.unwrap(), Some(b"second".to_vec()));
}

#[wasm_bindgen_test]
async fn all_lists_every_record_in_key_order_and_delete_removes_one() {
    let store = DocumentStore::open(&unique_db("all")).await.unwrap();
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
