//! What the app's browser tests share: a saved customer, an offline session's settings, and
//! waiting for a session's signals.

use crm_app::config::Config;
use crm_core::customer::{Lifecycle, NewCustomer, Source};
use crm_core::sync::device::Write;
use crm_core::{CrmDocument, CustomerDoc, Id, Stamp};

/// A new customer called `name`, owned by the tests' member.
pub fn new_customer(name: &str) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        name_latin: String::new(),
        company: String::new(),
        title: String::new(),
        owner: "li".into(),
        source: Source::WeChat,
        lifecycle: Lifecycle::Lead,
    }
}

/// A saved customer document `id` called `name`.
pub fn customer(id: &str, name: &str) -> Vec<u8> {
    let new = new_customer(name);
    CustomerDoc::create(&Id::parse(id).unwrap(), new, &Stamp::new("li", 0))
        .unwrap()
        .save()
}

/// The write that stores `bytes` as document `id`'s snapshot.
pub fn snapshot(id: &str, bytes: Vec<u8>) -> Write {
    Write::Snapshot {
        id: id.into(),
        bytes,
        heads: Vec::new(),
        folded: Vec::new(),
        row: None,
    }
}

/// Settings of a session with a fresh workspace and no edge to reach.
pub fn offline_config(name: &str) -> Config {
    Config {
        // Nothing listens there: the session works offline.
        edge: "ws://127.0.0.1:9".into(),
        workspace: format!("{name}-{}", js_sys::Math::random().to_bits()),
        member: "li".into(),
        role: crm_core::workspace::Role::Admin,
        token: String::new(),
    }
}

/// Waits (10 ms at a time) until `done` says so.
pub async fn until(mut done: impl FnMut() -> bool) {
    while !done() {
        pause(10).await;
    }
}

/// Resumes after `ms` milliseconds.
pub async fn pause(ms: i32) {
    let tick = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    wasm_bindgen_futures::JsFuture::from(tick).await.unwrap();
}
