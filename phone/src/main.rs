//! The phone worker. It answers `[ticket, typed]` with `[ticket, e164]`, or `[ticket, null]`
//! when the number is not valid — and `[ticket, [typed…]]` with `[ticket, [e164 or null…]]`
//! (an import's phones at once) — and says `"ready"` once it listens (messages sent before
//! that would be lost). The app starts it the first time a phone needs checking
//! (`app/src/phone.rs`).

use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// `typed` in E.164, or null.
fn e164(typed: &JsValue) -> JsValue {
    let typed = typed.as_string().unwrap_or_default();
    crm_core::contact::to_e164(&typed)
        .map(JsValue::from)
        .unwrap_or(JsValue::NULL)
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let answer = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let request = Array::from(&event.data());
        let typed = request.get(1);
        let answer = match Array::is_array(&typed) {
            true => Array::from(&typed)
                .iter()
                .map(|t| e164(&t))
                .collect::<Array>()
                .into(),
            false => e164(&typed),
        };
        // Posting to our own page cannot fail short of the page being gone.
        let _ = replies.post_message(&Array::of2(&request.get(0), &answer));
    });
    scope.set_onmessage(Some(answer.as_ref().unchecked_ref()));
    answer.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}
