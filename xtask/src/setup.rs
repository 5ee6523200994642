//! `cargo xtask setup`: installs, idempotently, what the project needs and the machine lacks.
//!
//! Everything comes from package registries (crates.io, npm, Debian apt): downloads from
//! GitHub or vendor sites fail on our machines, so no tool is allowed to fetch its own binaries.

use std::fs;
use std::path::Path;

use crate::lockfile::locked_version;
use crate::process::{Result, command, exec, output, root};

/// Trunk 0.22 needs a newer rustc than ours.
const TRUNK_VERSION: &str = "0.21.14";
/// worker-build matching the `worker` crate.
const WORKER_BUILD_VERSION: &str = "0.8.7";
/// twiggy, which reads the app's wasm by function for docs/size.md.
const TWIGGY_VERSION: &str = "0.8.0";
/// Debian's Chromium, for end-to-end tests and screenshots.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's ChromeDriver, for the wasm browser tests.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian packages the browser tests need, each with a file that proves it is installed.
/// Noto CJK makes Chinese render in headless Chromium (and in our screenshots); sqlite3
/// checkpoints a copy of the edge's database for the erasure test to search.
const BROWSER_PACKAGES: [(&str, &str); 4] = [
    ("chromium", CHROMIUM),
    ("chromium-driver", CHROMEDRIVER),
    (
        "fonts-noto-cjk",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ),
    ("sqlite3", "/usr/bin/sqlite3"),
];
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Installs whatever is missing; does nothing when all is in place.
pub fn run() -> Result {
    wasm_target()?;
    let bindgen = locked_version("wasm-bindgen")?;
    cargo_tool("trunk", "trunk", TRUNK_VERSION, &["--locked"])?;
    // `--locked` fails for wasm-bindgen-cli: one of its locked dependencies left the registry.
    cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &bindgen, &[])?;
    cargo_tool(
        "worker-build",
        "worker-build",
        WORKER_BUILD_VERSION,
        &["--locked"],
    )?;
    // The app's size by crate (`cargo xtask bench` → docs/size.md).
    cargo_tool("twiggy", "twiggy", TWIGGY_VERSION, &[])?;
    node_modules()?;
    chromium()
}

fn wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|t| t == WASM_TARGET) {
        return Ok(());
    }
    exec(command("rustup").args(["target", "add", WASM_TARGET]))
}

/// Installs `krate` at `version` unless `binary --version` already reports that version.
fn cargo_tool(krate: &str, binary: &str, version: &str, extra: &[&str]) -> Result {
    let reported = output(binary, &["--version"]).unwrap_or_default();
    if reported.split_whitespace().any(|word| word == version) {
        return Ok(());
    }
    exec(
        command("cargo")
            .args(["install", krate, "--version", version, "--force"])
            .args(extra),
    )
}

/// `npm ci` when node_modules does not match package-lock.json.
fn node_modules() -> Result {
    if output("node", &["--version"]).is_none() {
        return Err(
            "Node.js (≥ 20) with npm is required: install it with your package manager".into(),
        );
    }
    let lock = fs::read(root().join("package-lock.json"))
        .map_err(|e| format!("reading package-lock.json: {e}"))?;
    let stamp_path = root().join("node_modules").join(".xtask-lock-hash");
    let wanted = format!("{:016x}", fnv1a(&lock));
    if fs::read_to_string(&stamp_path).is_ok_and(|have| have == wanted) {
        return Ok(());
    }
    exec(command("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    fs::write(&stamp_path, wanted).map_err(|e| format!("writing {}: {e}", stamp_path.display()))
}

/// Debian's Chromium, its driver, CJK fonts and sqlite3 (never a browser download of a test
/// tool).
fn chromium() -> Result {
    let missing: Vec<&str> = BROWSER_PACKAGES
        .iter()
        .filter(|(_, proof)| !Path::new(proof).exists())
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let as_root = output("id", &["-u"]).as_deref() == Some("0");
    let apt = |args: &[&str]| {
        let mut cmd = if as_root {
            command("apt-get")
        } else {
            command("sudo")
        };
        if !as_root {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        exec(&mut cmd)
    };
    apt(&["update", "-qq"])?;
    apt(&[["install", "-y", "-qq"].as_slice(), &missing].concat())
}

/// 64-bit FNV-1a: a stable fingerprint for the install stamp.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
