//! Waiting on the browser's event loop, asking the edge over HTTP, files in and out, and
//! timing a computation or marking a step of sync.

use wasm_bindgen::JsCast;

use crate::config::Config;

/// Runs `compute`, timed as the User Timing measure `name` (the last one only: the browser
/// bench reads it, and so can anyone in the browser's developer tools).
pub(crate) fn timed<T>(name: &str, compute: impl FnOnce() -> T) -> T {
    let performance = web_sys::window().and_then(|w| w.performance());
    let start = format!("{name}:start");
    if let Some(p) = &performance {
        p.clear_measures_with_measure_name(name);
        let _ = p.mark(&start);
    }
    let out = compute();
    if let Some(p) = &performance {
        let _ = p.measure_with_start_mark(name, &start);
    }
    out
}

thread_local! {
    /// Whether the page was opened with `window.crmTrace = true` (the sync benches do).
    static TRACING: bool = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"crmTrace".into()).ok())
        .is_some_and(|v| v.is_truthy());
}

/// Marks step `name` of sync now, as a User Timing mark, when the page is traced (otherwise
/// nothing: marks are kept until cleared, and a first sync makes thousands).
pub(crate) fn trace(name: &str) {
    if TRACING.with(|on| *on)
        && let Some(p) = web_sys::window().and_then(|w| w.performance())
    {
        let _ = p.mark(name);
    }
}

/// GETs `url` from the edge with this sign-in's token; `None` if the edge is unreachable.
pub(crate) async fn fetch(url: &str, config: &Config) -> Option<web_sys::Response> {
    send(url, Some(config), None).await
}

/// Asks the edge at `url` — a POST of `body` if there is one, else a GET — with this
/// sign-in's token if given; the answer's status and text, `None` if the edge is unreachable.
pub(crate) async fn ask(
    url: &str,
    config: Option<&Config>,
    body: Option<&str>,
) -> Option<(u16, String)> {
    let response = send(url, config, body).await?;
    let text = wasm_bindgen_futures::JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    Some((response.status(), text))
}

async fn send(url: &str, config: Option<&Config>, body: Option<&str>) -> Option<web_sys::Response> {
    let window = web_sys::window()?;
    let headers = web_sys::Headers::new().ok()?;
    if let Some(config) = config {
        headers.set("Authorization", &config.authorization()).ok()?;
    }
    let init = web_sys::RequestInit::new();
    init.set_headers(&headers);
    if let Some(body) = body {
        init.set_method("POST");
        init.set_body(&wasm_bindgen::JsValue::from_str(body));
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request)).await;
    wasm_bindgen::JsCast::dyn_into::<web_sys::Response>(answer.ok()?).ok()
}

/// Lets the browser render and handle input before the next chunk of work.
pub(crate) async fn yield_to_browser() {
    pause(0).await;
}

/// Resumes after `ms` milliseconds (or at the browser's next turn, for 0).
pub(crate) async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resumes once the browser has painted its next frame.
pub(crate) async fn after_paint() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
    pause(0).await;
}

/// The bytes of a file the person picked.
pub(crate) async fn file_bytes(file: &web_sys::File) -> Option<js_sys::Uint8Array> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some(js_sys::Uint8Array::new(&buffer))
}

/// Hands `bytes` to the browser as a download named `name`.
pub(crate) fn download(name: &str, bytes: &js_sys::Uint8Array, mime: &str) -> Option<()> {
    let parts = js_sys::Array::of1(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let document = web_sys::window()?.document()?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Some(())
}
