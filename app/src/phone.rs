//! Phone numbers checked by the phone worker (`crm-phone`, started by [`crate::worker`]): the
//! numbering plans (~300 KB gzip) stay out of the app's bundle and load the first time a
//! phone is typed.

use crm_core::contact::ContactKind;
use wasm_bindgen::JsValue;

/// The worker's loader, written by Trunk (`index.html`); workers' names carry no hash.
pub const LOADER: &str = "/crm-phone_loader.js";

/// Why a phone has no E.164 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Not a valid number.
    Invalid,
    /// The checker could not be loaded (first use offline, before the app was ever cached).
    Unavailable,
}

/// The E.164 form of `typed` (`138 1234 5678` → `+8613812345678`).
pub async fn to_e164(typed: &str) -> Result<String, PhoneError> {
    let answer = crate::worker::ask(LOADER, &[JsValue::from_str(typed)]).await;
    match answer.map(|a| (a.as_string(), a.is_null())) {
        Some((Some(e164), _)) => Ok(e164),
        Some((None, true)) => Err(PhoneError::Invalid),
        _ => Err(PhoneError::Unavailable),
    }
}

/// The E.164 form of each of `typed` (`None`: not valid), in one message to the worker.
pub async fn to_e164_all(typed: &[String]) -> Result<Vec<Option<String>>, PhoneError> {
    let all: js_sys::Array = typed.iter().map(|t| JsValue::from_str(t)).collect();
    let answer = crate::worker::ask(LOADER, &[all.into()]).await;
    match answer.filter(js_sys::Array::is_array) {
        Some(answer) => Ok(js_sys::Array::from(&answer)
            .iter()
            .map(|a| a.as_string())
            .collect()),
        None => Err(PhoneError::Unavailable),
    }
}

/// The E.164 form to store with a contact point of `kind` typed as `typed`: `None` for other
/// kinds and for an empty or invalid phone (the model then names the error); an error only
/// when the checker could not be loaded ([`PhoneError::Unavailable`]).
pub async fn e164_of(kind: ContactKind, typed: &str) -> Result<Option<String>, PhoneError> {
    if kind != ContactKind::Phone || typed.trim().is_empty() {
        return Ok(None);
    }
    match to_e164(typed).await {
        Ok(e164) => Ok(Some(e164)),
        Err(PhoneError::Invalid) => Ok(None),
        Err(PhoneError::Unavailable) => Err(PhoneError::Unavailable),
    }
}

/// Starts the worker ahead of need (a form with a phone field opened), so the first check
/// does not wait for it to load.
pub fn warm_up() {
    crate::worker::warm_up(LOADER);
}
