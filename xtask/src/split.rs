//! Rarely used screens in their own wasm modules. Trunk runs `wasm-bindgen` on the wasm Cargo
//! built; for Trunk, xtask puts itself first on PATH under that name. Called so, on a wasm with
//! split points (`#[wasm_split]`), it splits the wasm (`wasm_split_cli_support`) before wasm-bindgen
//! sees it: the main module goes on to the real wasm-bindgen (keeping the exports the split
//! modules link against), each split module is shrunk by wasm-opt, and they and their loader
//! are left in `target/wasm-split/`, which Trunk's post-build hook copies into `dist/`. Every
//! other wasm goes to the real wasm-bindgen untouched.
//!
//! File names carry the hash Trunk gives the main module (SeaHash of Cargo's wasm), so a new
//! build never meets a cached split module of an older one.

use std::fs;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::process::{Result, cargo_bin_dir, command, root, tool_path};

/// The name Trunk calls this program by.
pub const SHIM: &str = "wasm-bindgen";

/// How the split modules' files start.
pub const PREFIX: &str = "crm-lazy-";

/// The module name `#[wasm_split]` functions import their loaders from until the wasm is split.
const PLACEHOLDER: &[u8] = b"__wasm_split_placeholder__";

/// Where the split modules and their loader wait for Trunk's post-build hook.
fn out_dir() -> PathBuf {
    root().join("target/wasm-split")
}

/// `trunk` with this program first on its PATH as `wasm-bindgen`.
pub fn trunk() -> Result<Command> {
    let dir = root().join("target/xtask-shim");
    fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let shim = dir.join(SHIM);
    let me = std::env::current_exe().map_err(|e| format!("finding xtask itself: {e}"))?;
    let _ = fs::remove_file(&shim);
    std::os::unix::fs::symlink(&me, &shim)
        .map_err(|e| format!("linking {}: {e}", shim.display()))?;
    let mut dirs = vec![dir];
    dirs.extend(std::env::split_paths(&tool_path()));
    let mut trunk = command("trunk");
    trunk.env(
        "PATH",
        std::env::join_paths(dirs).map_err(|e| e.to_string())?,
    );
    Ok(trunk)
}

/// Runs as `wasm-bindgen` with Trunk's arguments.
pub fn as_wasm_bindgen(args: Vec<String>) -> ExitCode {
    match bindgen(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask as wasm-bindgen: {error}");
            ExitCode::FAILURE
        }
    }
}

fn bindgen(mut args: Vec<String>) -> Result {
    let real = cargo_bin_dir().join(SHIM);
    let input = args
        .iter()
        .position(|a| !a.starts_with("--") && a.ends_with(".wasm"));
    let wasm = match input {
        Some(at) => fs::read(&args[at]).map_err(|e| format!("reading {}: {e}", args[at]))?,
        None => Vec::new(),
    };
    let (Some(at), true) = (input, has_split_points(&wasm)) else {
        return quietly(Command::new(real).args(&args));
    };
    let name = args
        .iter()
        .find_map(|a| a.strip_prefix("--out-name="))
        .ok_or("Trunk gave no --out-name")?;
    let hash = trunk_hash(Path::new(&args[at]))?;
    let main = split(&wasm, &format!("{name}-{hash}"), &hash)?;
    args[at] = main.display().to_string();
    args.push("--keep-lld-exports".into());
    quietly(Command::new(real).args(&args))
}

/// Runs `cmd` with nothing of ours on stdout (Trunk reads `wasm-bindgen --version` there).
fn quietly(cmd: &mut Command) -> Result {
    match cmd.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{cmd:?} failed ({status})")),
        Err(e) => Err(format!("could not start {cmd:?}: {e}")),
    }
}

fn has_split_points(wasm: &[u8]) -> bool {
    wasm.windows(PLACEHOLDER.len()).any(|w| w == PLACEHOLDER)
}

/// Trunk's cache-busting hash of a file: SeaHash, in hex.
fn trunk_hash(file: &Path) -> Result<String> {
    let mut hasher = seahash::SeaHasher::new();
    let mut reader =
        fs::File::open(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    std::io::copy(&mut reader, &mut hasher).map_err(|e| e.to_string())?;
    Ok(format!("{:x}", hasher.finish()))
}

/// Splits `wasm` into `target/wasm-split/`: `{base}-split.js` (the loader the main module
/// imports), `crm-lazy-{module}-{hash}.wasm` per split module; returns the main module's path.
fn split(wasm: &[u8], base: &str, hash: &str) -> Result<PathBuf> {
    let out = out_dir();
    let _ = fs::remove_dir_all(&out);
    let work = root().join("target/wasm-split-work");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let main = work.join("main.wasm");
    let loader = format!("./{base}-split.js");
    let main_js = format!("./{base}.js");
    let mut opts = wasm_split_cli_support::Options::new(wasm);
    opts.output_dir = &work;
    opts.main_out_path = &main;
    opts.link_name = &loader;
    opts.main_module = &main_js;
    let split = wasm_split_cli_support::transform(opts).map_err(|e| format!("splitting: {e:#}"))?;
    let mut js = fs::read_to_string(work.join(&loader)).map_err(|e| e.to_string())?;
    for module in &split.split_modules {
        let stem = module
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("a split module without a name")?;
        let named = format!("{PREFIX}{stem}-{hash}.wasm");
        js = js.replace(&format!("\"./{stem}.wasm\""), &format!("\"./{named}\""));
        // Its warnings (the split's name subsections, which binaryen does not know) only
        // show when it fails.
        let opt = command("wasm-opt")
            .arg("-Oz")
            .arg(format!("--output={}", out.join(&named).display()))
            .arg(module)
            .output()
            .map_err(|e| format!("could not start wasm-opt: {e}"))?;
        if !opt.status.success() {
            return Err(format!(
                "wasm-opt on {stem} failed: {}",
                String::from_utf8_lossy(&opt.stderr)
            ));
        }
    }
    fs::write(out.join(&loader), js).map_err(|e| e.to_string())?;
    Ok(main)
}

/// Checks that `dist/` holds a split loader whose main module is the app Trunk shipped (the
/// hash this file predicts is Trunk's) and every split module it names.
pub fn check(dist: &Path) -> Result {
    let files: Vec<String> = fs::read_dir(dist)
        .map_err(|e| format!("reading {}: {e}", dist.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let loader = files
        .iter()
        .find(|f| f.ends_with("-split.js"))
        .ok_or("dist/ has no split loader: the app was not split")?;
    let js = fs::read_to_string(dist.join(loader)).map_err(|e| e.to_string())?;
    let wanted = js
        .split('"')
        .filter_map(|part| part.strip_prefix("./"))
        .filter(|f| f.ends_with(".js") || f.ends_with(".wasm"));
    for file in wanted {
        if !files.iter().any(|f| f == file) {
            return Err(format!("{loader} loads {file}, which dist/ does not have"));
        }
    }
    Ok(())
}
