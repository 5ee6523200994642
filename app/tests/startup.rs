//! People open and edit customers while the stored documents are still being restored.

mod support;

use crm_app::session::FirstScreen;
use crm_app::session::Session;
use crm_app::storage::DeviceStore;
use crm_core::search::{RowSort, first_rows};
use crm_core::{CrmDocument, CustomerDoc};
use leptos::prelude::GetUntracked;
use support::{customer, new_customer, offline_config, pause, snapshot, until};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const STORED: usize = 1_000;

#[wasm_bindgen_test]
async fn a_customer_is_opened_and_edited_before_every_document_is_restored() {
    let config = offline_config("startup");
    let store = DeviceStore::open(&config.database_name()).await.unwrap();
    let ids: Vec<String> = (0..STORED).map(|n| format!("c{n:04}")).collect();
    let writes: Vec<_> = (ids.iter())
        .map(|id| snapshot(id, customer(id, "王芳")))
        .collect();
    store.write(&writes).await.unwrap();
    let last = ids.last().unwrap();

    let session = Session::start(&config).await.unwrap();
    until(|| !session.signals.loading.get_untracked()).await;
    assert!(
        session.signals.restoring.get_untracked(),
        "the edit below is meant to come before the restore has finished"
    );
    assert!(session.customer(last).get_untracked().is_some());
    session
        .edit_customer(last, |doc, stamp| doc.add_tag("抢先", stamp))
        .unwrap();
    until(|| !session.signals.restoring.get_untracked()).await;
    until(|| session.signals.unsaved_writes.get_untracked() == 0).await;
    let tags = session.customer(last).get_untracked().unwrap().tags;
    assert!(tags.contains_key("抢先"));

    // The edit was stored: a new session of the same workspace has it.
    let again = Session::start(&config).await.unwrap();
    until(|| !again.signals.restoring.get_untracked()).await;
    let tags = again.customer(last).get_untracked().unwrap().tags;
    assert!(tags.contains_key("抢先"));
    until(|| again.signals.rows_ready.get_untracked()).await;
    assert_eq!(again.signals.rows.get_untracked().len(), STORED);
}

#[wasm_bindgen_test]
async fn a_reload_keeps_documents_in_storage_until_one_is_opened_and_its_edit_is_kept() {
    let config = offline_config("reload");
    let first = Session::start(&config).await.unwrap();
    until(|| !first.signals.restoring.get_untracked()).await;
    let ids: Vec<String> = (0..20)
        .map(|n| {
            let new = new_customer(&format!("客户{n}"));
            first.create_customer(new, Vec::new()).unwrap()
        })
        .collect();
    until(|| first.signals.unsaved_writes.get_untracked() == 0).await;

    // Each customer is one snapshot with its heads beside it, written together.
    let store = DeviceStore::open(&config.database_name()).await.unwrap();
    let stored = store.read(&ids).await.unwrap();
    for (id, doc) in &stored {
        let doc = doc.as_ref().unwrap();
        assert!(doc.changes.is_empty());
        let heads = doc.heads.clone().expect("heads kept");
        let snapshot = doc.snapshot.as_deref().unwrap();
        assert_eq!(CustomerDoc::load(snapshot).unwrap().heads(), heads, "{id}");
    }

    // The next start keeps them in storage: one is read when it is opened, then edited.
    let second = Session::start(&config).await.unwrap();
    until(|| !second.signals.loading.get_untracked()).await;
    assert!(second.is_opening(&ids[7]), "not read yet");
    assert_eq!(
        second.edit_customer(&ids[7], |doc, stamp| doc.add_tag("太早", stamp)),
        Err(crm_core::ModelError::NotLoaded { id: ids[7].clone() }),
        "an edit before the read says so and changes nothing"
    );
    second.open(&ids[7..8]).await;
    assert!(!second.is_opening(&ids[7]));
    assert!(second.is_opening(&ids[8]), "only what was opened is read");
    second
        .edit_customer(&ids[7], |doc, stamp| doc.add_tag("抢先", stamp))
        .unwrap();
    until(|| !second.signals.restoring.get_untracked()).await;
    until(|| second.signals.unsaved_writes.get_untracked() == 0).await;
    until(|| second.signals.rows_ready.get_untracked()).await;
    assert_eq!(second.signals.rows.get_untracked().len(), 20);

    // And the one after it has the edit.
    let third = Session::start(&config).await.unwrap();
    until(|| !third.signals.restoring.get_untracked()).await;
    third.open(&ids[7..8]).await;
    let tags = third.customer(&ids[7]).get_untracked().unwrap().tags;
    assert!(tags.contains_key("抢先"));
    until(|| third.signals.rows_ready.get_untracked()).await;
    assert_eq!(third.signals.rows.get_untracked().len(), 20);
}

#[wasm_bindgen_test]
async fn the_list_first_screen_as_last_seen_shows_before_every_row_is_read() {
    let config = offline_config("first-screen");
    let first = Session::start(&config).await.unwrap();
    until(|| !first.signals.restoring.get_untracked()).await;
    for n in 0..70 {
        let new = new_customer(&format!("客户{n:02}"));
        first.create_customer(new, Vec::new()).unwrap();
    }
    // Kept in the row cache once the list has every row.
    let store = DeviceStore::open(&config.database_name()).await.unwrap();
    let kept_total = || async {
        let read = store.rows_named(&["~first"]).await.unwrap();
        let first = read[0].as_deref()?;
        Some(serde_json::from_slice::<FirstScreen>(first).ok()?.total)
    };
    while kept_total().await != Some(70) {
        pause(10).await;
    }

    // The next start shows it before reading any row, then every row.
    let second = Session::start(&config).await.unwrap();
    assert!(!second.signals.rows_ready.get_untracked());
    let shown = second
        .signals
        .first_screen
        .get_untracked()
        .expect("first screen");
    assert_eq!((shown.total, shown.rows.len()), (70, 60));
    until(|| second.signals.rows_ready.get_untracked()).await;
    assert_eq!(second.signals.first_screen.get_untracked(), None);
    let rows = second.signals.rows.get_untracked();
    let expected: Vec<&str> = (first_rows(rows.iter().map(|r| &**r), RowSort::default(), 60)
        .into_iter())
    .map(|row| row.id.as_str())
    .collect();
    let shown: Vec<&str> = shown.rows.iter().map(|row| row.id.as_str()).collect();
    assert_eq!(shown, expected, "the list's first rows, newest first");
}
