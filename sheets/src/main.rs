//! The sheet worker. It answers `[ticket, "read", name, bytes]` with `[ticket, ["ok", table
//! as JSON]]`, and `[ticket, "csv" | "xlsx", table as JSON]` with `[ticket, ["ok", bytes]]` —
//! or `[ticket, ["error", why]]` — and says `"ready"` once it listens. The app starts it when
//! the import or export screen opens (`app/src/sheets.rs`).

use crm_core::import::Table;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// What `request` (without its ticket) asks, done.
fn answer(request: &Array) -> Result<JsValue, String> {
    let verb = request.get(1).as_string().unwrap_or_default();
    if verb == "read" {
        let name = request.get(2).as_string().unwrap_or_default();
        let bytes = Uint8Array::new(&request.get(3)).to_vec();
        let table = crm_sheets::read(&name, &bytes).map_err(|e| e.to_string())?;
        return serde_json::to_string(&table)
            .map(JsValue::from)
            .map_err(|e| e.to_string());
    }
    let json = request.get(2).as_string().unwrap_or_default();
    let table: Table = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let bytes = match verb.as_str() {
        "csv" => crm_sheets::write_csv(&table),
        "xlsx" => crm_sheets::write_xlsx(&table)?,
        other => return Err(format!("unknown request {other:?}")),
    };
    Ok(Uint8Array::from(bytes.as_slice()).into())
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let request = Array::from(&event.data());
        let reply = match answer(&request) {
            Ok(value) => Array::of2(&"ok".into(), &value),
            Err(why) => Array::of2(&"error".into(), &why.into()),
        };
        // Posting to our own page cannot fail short of the page being gone.
        let _ = replies.post_message(&Array::of2(&request.get(0), &reply));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}
