//! The reports' figures kept for the open workspace, and its rows read ahead for them in idle
//! time: over 100,000 customers reading the rows is most of a first visit, and a few chunks of
//! rows at a time, when the page is idle, go unnoticed.

use crm_core::reports::ReportCache;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::IdleDeadline;

use crate::session::SessionSignals;

/// A chunk of rows (about 1,000) is read only while the idle moment has this many
/// milliseconds left (a chunk takes one or two).
const LEFT_MS: f64 = 4.0;

/// The open workspace's figures, kept between visits of the reports page.
#[derive(Clone, Copy)]
pub struct Figures {
    pub(super) cache: StoredValue<ReportCache>,
    /// Whether a read ahead is under way (a change of the rows meanwhile is read by it).
    reading: StoredValue<bool>,
}

/// Provides the workspace's [`Figures`] and reads its rows ahead whenever they change.
pub fn read_ahead(signals: SessionSignals) {
    let figures = Figures {
        cache: StoredValue::new(ReportCache::default()),
        reading: StoredValue::new(false),
    };
    provide_context(figures);
    Effect::new(move |_| {
        signals.rows.track();
        let ready = signals.rows_ready.get() && signals.workspace.with(Option::is_some);
        if ready && !figures.reading.get_value() {
            figures.reading.set_value(true);
            when_idle(move |idle| step(figures, signals, idle));
        }
    });
}

/// Reads chunks while the browser is idle, then waits for the next idle moment, until every
/// chunk is read.
fn step(figures: Figures, signals: SessionSignals, idle: IdleDeadline) {
    let Some(pipeline) =
        (signals.workspace).with_untracked(|ws| ws.as_ref().map(|w| w.pipeline.clone()))
    else {
        return figures.reading.set_value(false);
    };
    let done = signals.rows.with_untracked(|rows| {
        (figures.cache)
            .try_update_value(|c| c.read_ahead(rows, &pipeline, || idle.time_remaining() > LEFT_MS))
            .unwrap_or(true)
    });
    match done {
        true => figures.reading.set_value(false),
        false => when_idle(move |idle| step(figures, signals, idle)),
    }
}

/// Runs `then` when the browser is next idle, with how long it is idle for.
fn when_idle(then: impl FnOnce(IdleDeadline) + 'static) {
    let callback = Closure::once_into_js(then);
    if let Some(window) = web_sys::window() {
        let _ = window.request_idle_callback(callback.unchecked_ref());
    }
}
