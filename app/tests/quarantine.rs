//! A corrupt stored record is set aside and reported; every other document still loads.

mod support;

use crm_app::session::Session;
use crm_app::storage::DeviceStore;
use crm_core::sync::device::Write;
use leptos::prelude::GetUntracked;
use support::{customer, offline_config, snapshot, until};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_corrupt_record_is_quarantined_and_the_rest_loads() {
    let config = offline_config("quarantine");
    let store = DeviceStore::open(&config.database_name()).await.unwrap();
    let torn_change = Write::Append {
        id: "torn".into(),
        seq: 1,
        bytes: b"garbage change".to_vec(),
        row: None,
    };
    store
        .write(&[
            snapshot("good", customer("good", "张伟")),
            snapshot("broken", b"\x85\x6f\x4a\x83 not automerge".to_vec()),
            snapshot("torn", customer("torn", "李娜")),
            torn_change,
        ])
        .await
        .unwrap();

    let session = Session::start(&config).await.unwrap();
    until(|| !session.signals.restoring.get_untracked()).await;
    // Moved aside in the background, then reported.
    until(|| !session.signals.quarantined.get_untracked().is_empty()).await;
    let quarantined = session.signals.quarantined.get_untracked();
    let ids: Vec<&str> = quarantined.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["broken"]);
    assert!(session.customer("good").get_untracked().is_some());
    // A torn append (an unparseable change after a good snapshot) is skipped, not fatal.
    assert!(session.customer("torn").get_untracked().is_some());

    // The bytes are kept, under a quarantine key, and no longer under the document's own.
    let kept: Vec<String> = store
        .all()
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(kept.iter().any(|k| k.starts_with("quarantine/broken/")));
    assert!(!kept.contains(&"broken".to_owned()));
}
