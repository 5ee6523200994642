//! `cargo xtask bench [customers]`: the benchmarks whose figures go into closing notes.
//!
//! - core (criterion, native): `cargo bench -p crm-core` (skipped with `BENCH_SKIP_CORE=1`).
//! - app (headless Chromium): with a saved demo workspace of `customers` (default 10 000)
//!   placed in IndexedDB, the first paint of the customer list, a search keystroke and opening
//!   a customer page (`tests/bench/app.mjs`), plus the gzip size of the app's wasm and JS;
//!   a teammate's change on an open customer with 200 interactions: time to its row on screen
//!   and the elements replaced (`tests/bench/teammate-change.mjs`); an edit on one browser
//!   until it shows on another, step by step (`tests/bench/edit-visible.mjs`); a teammate's change with
//!   the reports screen open over the workspace synced from `wrangler dev`: time to the
//!   figures painted and the computation (`tests/bench/report-change.mjs`); a 10,000-row XLSX imported
//!   on a device holding the workspace synced from `wrangler dev`, and the list exported
//!   (`tests/bench/import.mjs`).
//! - sync, app: a fresh device's initial sync of the same workspace from `wrangler dev`, stored
//!   there through the `seed` test hook, and workerd's memory meanwhile
//!   (`tests/bench/initial-sync.mjs`).
//! - rules, edge: the default rules over every stored customer inside the Durable Object
//!   (wasm), timed from outside (`tests/bench/edge-rules.mjs`).
//! - sync, ours vs reference: the official JS client against our edge and against a server
//!   built from the official automerge-repo packages, same documents: edit → visible over 200
//!   edits, and initial sync of [`JS_CLIENT_CUSTOMERS`] (`tests/bench/sync.mjs`).

use std::fs;
use std::path::Path;

use crate::build;

/// Workspace size for the runs driven by the JavaScript client, whose own cost grows faster
/// than linearly with thousands of concurrent `find`s (on either server).
const JS_CLIENT_CUSTOMERS: usize = 500;
use crate::process::{Result, command, exec, root};

/// Runs every benchmark.
pub fn run(customers: usize) -> Result {
    if std::env::var_os("BENCH_SKIP_CORE").is_none() {
        exec(command("cargo").args(["bench", "-p", "crm-core"]))?;
    }
    build::all()?;
    crate::size::write_breakdown(&report_app_size()?)?;
    let fixture = demo_fixture(customers)?;
    exec(command("node").arg("tests/bench/app.mjs").arg(&fixture))?;
    exec(command("node").arg("tests/bench/teammate-change.mjs"))?;
    exec(command("node").arg("tests/bench/edit-visible.mjs"))?;
    exec(
        command("node")
            .arg("tests/bench/report-change.mjs")
            .arg(&fixture),
    )?;
    exec(command("node").args(["tests/bench/import.mjs", &customers.to_string()]))?;
    exec(
        command("node")
            .arg("tests/bench/initial-sync.mjs")
            .arg(&fixture),
    )?;
    exec(command("node").args(["tests/bench/edge-rules.mjs", &customers.to_string()]))?;
    let small = demo_fixture(JS_CLIENT_CUSTOMERS)?;
    exec(
        command("node")
            .arg("tests/bench/sync.mjs")
            .arg(&small)
            .arg(JS_CLIENT_CUSTOMERS.to_string()),
    )
}

/// Writes the saved demo workspace of `customers` to `target/bench/` and returns its path. A
/// file written by the generator as it is now is kept (100,000 customers take ~12 minutes).
fn demo_fixture(customers: usize) -> Result<std::path::PathBuf> {
    let fixture = root().join(format!("target/bench/demo-{customers}.bin"));
    fs::create_dir_all(root().join("target/bench")).map_err(|e| e.to_string())?;
    let build = [
        "--profile",
        "bench",
        "-q",
        "-p",
        "crm-core",
        "--example",
        "demo_fixture",
    ];
    exec(command("cargo").arg("build").args(build))?;
    let modified = |path: &Path| fs::metadata(path).and_then(|m| m.modified()).ok();
    let generator = root().join("target/release/examples/demo_fixture");
    if modified(&fixture).is_some_and(|written| Some(written) > modified(&generator)) {
        println!("{} is newer than its generator: kept", fixture.display());
        return Ok(fixture);
    }
    exec(
        command("cargo")
            .arg("run")
            .args(build)
            .args(["--", &customers.to_string()])
            .arg(&fixture),
    )?;
    Ok(fixture)
}

/// Raw and gzip size of the app's wasm and JS in `dist/`, and of its phone and sheet workers
/// (loaded on demand, counted apart), printed and returned as lines.
pub fn report_app_size() -> Result<Vec<String>> {
    let mut lines = Vec::new();
    let mut totals = [
        ("app wasm + JS", "crm-app", 0),
        ("phone worker, on demand", "crm-phone", 0),
        ("sheet worker, on demand", "crm-sheets", 0),
        ("rarely used screens, on demand", crate::split::PREFIX, 0),
    ];
    let mut entries: Vec<_> = fs::read_dir(root().join("dist"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|entry| entry.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let Some(total) = totals
            .iter_mut()
            .find(|(_, prefix, _)| name.starts_with(prefix))
        else {
            continue;
        };
        if !(name.ends_with(".wasm") || name.ends_with(".js")) {
            continue;
        }
        let raw = fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let gzip = gzip_len(&path)?;
        total.2 += gzip;
        lines.push(format!("{name}: {raw} B raw, {gzip} B gzip"));
    }
    for (what, _, gzip) in totals {
        lines.push(format!("{what}: {gzip} B gzip"));
    }
    lines.iter().for_each(|line| println!("{line}"));
    Ok(lines)
}

/// Length of the file at `path` compressed by the system's `gzip -9`.
fn gzip_len(path: &Path) -> Result<usize> {
    let out = command("gzip")
        .arg("-9c")
        .arg(path)
        .output()
        .map_err(|e| format!("running gzip: {e}"))?;
    Ok(out.stdout.len())
}
