//! A corrupt stored record is set aside and reported; every other document still loads.

use crm_app::config::Config;
use crm_app::session::Session;
use crm_app::storage::DocumentStore;
use crm_core::customer::{Lifecycle, NewCustomer, Source};
use crm_core::{CrmDocument, CustomerDoc, Id, Stamp};
use leptos::prelude::GetUntracked;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn customer(id: &str, name: &str) -> Vec<u8> {
    let new = NewCustomer {
        name: name.into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: "li".into(),
        source: Source::WeChat,
        lifecycle: Lifecycle::Lead,
    };
    CustomerDoc::create(&Id::parse(id).unwrap(), new, &Stamp::new("li", 0))
        .unwrap()
        .save()
}

#[wasm_bindgen_test]
async fn a_corrupt_record_is_quarantined_and_the_rest_loads() {
    let config = Config {
        // Nothing listens there: the session works offline.
        edge: "ws://127.0.0.1:9".into(),
        workspace: format!("quarantine-{}", js_sys::Math::random().to_bits()),
        member: "li".into(),
        role: crm_core::workspace::Role::Admin,
        token: String::new(),
    };
    let store = DocumentStore::open(&config.database_name()).await.unwrap();
    store
        .compact("good", &customer("good", "张伟"), &[])
        .await
        .unwrap();
    store
        .compact("broken", b"\x85\x6f\x4a\x83 not automerge", &[])
        .await
        .unwrap();
    store
        .compact("torn", &customer("torn", "李娜"), &[])
        .await
        .unwrap();
    store.append("torn", 1, b"garbage change").await.unwrap();

    let session = Session::start(&config).await.unwrap();
    while session.signals.loading.get_untracked() {
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10);
        });
        wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
    }
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
