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
    let ids = ["c1".to_owned(), "c2".to_owned(), "c3".to_owned()];
    let docs = store.read(&ids).await.unwrap();
    let c1 = docs[0].1.clone().unwrap();
    assert_eq!(c1.snapshot.as_deref(), Some(&b"snap"[..]));
    assert_eq!(c1.changes, vec![(1, b"one".to_vec()), (2, b"two".to_vec())]);
    let c2 = docs[1].1.clone().unwrap();
    assert!(c2.snapshot.is_none());
    assert_eq!(c2.changes, vec![(7, b"orphan".to_vec())]);
    assert_eq!(docs[2], ("c3".to_owned(), None));

    store
        .write(&[snapshot("c1", b"snap2", vec![1])])
        .await
        .unwrap();
    let docs = store.read(&ids[..1]).await.unwrap();
    let c1 = docs[0].1.clone().unwrap();
    assert_eq!(c1.snapshot.as_deref(), Some(&b"snap2"[..]));
    assert_eq!(c1.changes, vec![(2, b"two".to_vec())]);
}

#[wasm_bindgen_test]
async fn a_start_reads_heads_only_of_documents_kept_as_one_snapshot() {
    let store = DeviceStore::open(&unique_db("start")).await.unwrap();
    let kept = |id: &str| {
        let mut doc = CustomerDoc::create(&Id::random(), new_customer(id), &Stamp::new("li", 0));
        let doc = doc.as_mut().unwrap();
        Write::Snapshot {
            id: id.into(),
            bytes: doc.save(),
            heads: doc.heads(),
            folded: Vec::new(),
            row: None,
        }
    };
    let heads_of = |write: &Write| match write {
        Write::Snapshot { heads, .. } => heads.clone(),
        _ => unreachable!(),
    };
    let (c1, c2, ws) = (kept("c1"), kept("c2"), kept("workspace"));
    let c1_heads = heads_of(&c1);
    store
        .write(&[
            c1,
            c2,
            ws,
            append("c2", 1, b"later"),
            append("c3", 1, b"alone"),
        ])
        .await
        .unwrap();
    let read = store.start().await.unwrap();
    // Only c1 stays in storage; the workspace always comes whole, and so do documents with
    // changes after their snapshot (c2) or with no snapshot (c3).
    assert_eq!(read.kept, vec![("c1".to_owned(), c1_heads)]);
    let whole: Vec<&str> = read.whole.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(whole, ["c2", "c3", "workspace"]);
    assert_eq!(read.whole[0].changes, vec![(1, b"later".to_vec())]);
    assert!(read.whole[2].heads.is_some());
}

/// A new customer's summary row at its heads.
fn headed_row() -> HeadedRow {
    let mut doc = CustomerDoc::create(&Id::random(), new_customer("王芳"), &Stamp::new("li", 0));
    let doc = doc.as_mut().unwrap();
    HeadedRow::new(doc.summary().unwrap(), &doc.heads())
}

#[wasm_bindgen_test]
async fn a_row_is_written_in_the_transaction_of_its_document() {
    let store = DeviceStore::open(&unique_db("row-with-doc")).await.unwrap();
    let row = headed_row();
    let write = Write::Append {
        id: row.row.id.clone(),
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

#[wasm_bindgen_test]
async fn the_row_cache_is_read_whole_a_page_at_a_time() {
    let store = DeviceStore::open(&unique_db("row-pages")).await.unwrap();
    let row = headed_row();
    // More than one page (5,000 records), and a page boundary inside.
    let rows: Vec<HeadedRow> = (0..5_003)
        .map(|n| {
            let mut row = row.clone();
            std::sync::Arc::make_mut(&mut row.row).id = format!("c{n:05}");
            row
        })
        .collect();
    store.write(&[Write::Rows(rows)]).await.unwrap();
    let read = store.rows().await.unwrap();
    let keys: Vec<String> = read.into_iter().map(|(key, _)| key).collect();
    let expected: Vec<String> = (0..5_003).map(|n| format!("c{n:05}")).collect();
    assert_eq!(keys, expected);
}

/// A write cut off before it committed (the tab closed, the phone died mid-write: here its
/// transaction is dropped after every request was issued, which aborts it) leaves nothing of
/// itself — neither the new bytes nor the new heads nor the new row — so a start never reads
/// heads that the bytes beside them do not have.
#[wasm_bindgen_test]
async fn a_write_cut_off_before_it_commits_leaves_the_bytes_and_heads_it_found() {
    let name = unique_db("torn");
    let store = DeviceStore::open(&name).await.unwrap();
    let mut doc = CustomerDoc::create(&Id::random(), new_customer("王芳"), &Stamp::new("li", 0));
    let doc = doc.as_mut().unwrap();
    let kept = |doc: &mut CustomerDoc| Write::Snapshot {
        id: "c1".into(),
        bytes: doc.save(),
        heads: doc.heads(),
        folded: Vec::new(),
        row: Some(HeadedRow::new(doc.summary().unwrap(), &doc.heads())),
    };
    let (first, first_heads, first_bytes) = (kept(doc), doc.heads(), doc.save());
    store.write(&[first]).await.unwrap();

    doc.add_tag("VIP", &Stamp::new("li", 1)).unwrap();
    assert_ne!(doc.heads(), first_heads);
    let second = kept(doc);
    let mut others: Vec<Write> = (0..200)
        .map(|i| append(&format!("other-{i}"), 1, &[7; 4096]))
        .collect();
    others.insert(0, second);
    let mut cut = Box::pin(store.write(&others));
    let mut poll = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(
        cut.as_mut().poll(&mut poll).is_pending(),
        "its requests are in flight"
    );
    drop(cut);
    drop(store);

    let store = DeviceStore::open(&name).await.unwrap();
    let start = store.start().await.unwrap();
    assert_eq!(start.kept, vec![("c1".to_owned(), first_heads.clone())]);
    assert!(
        start.whole.is_empty(),
        "none of the appended changes landed"
    );
    let read = store.read(&["c1".to_owned()]).await.unwrap();
    let stored = read[0].1.clone().unwrap();
    assert_eq!(stored.snapshot.as_deref(), Some(&first_bytes[..]));
    assert_eq!(stored.heads.as_deref(), Some(&first_heads[..]));
    let rows = store.rows().await.unwrap();
    let row: HeadedRow = serde_json::from_slice(&rows[0].1).unwrap();
    assert!(row.is_at(&first_heads) && !row.row.tags.contains(&"VIP".to_owned()));

    // The same write, left to finish, lands whole.
    let again = kept(doc);
    store.write(&[again]).await.unwrap();
    let start = store.start().await.unwrap();
    assert_eq!(start.kept, vec![("c1".to_owned(), doc.heads())]);
}
