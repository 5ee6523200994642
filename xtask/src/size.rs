//! The app's size by crate, written to `docs/size.md` by `cargo xtask bench`: twiggy reads
//! the wasm Cargo built (before wasm-bindgen and wasm-opt, so function names are still in
//! it) and each function's bytes count for the crate its name starts with. After LTO the
//! split is approximate (inlined code counts where it landed), but the order holds.

use std::collections::HashMap;
use std::fmt::Write;
use std::fs;

use crate::process::{Result, output, root};

/// The wasm Cargo builds for Trunk, with its names section.
const WASM: &str = "target/wasm32-unknown-unknown/release/crm-app.wasm";
/// Crates listed by name; the rest are summed in one line.
const LISTED: usize = 25;
/// How twiggy names what is not a function: data, custom sections and the names section.
const SECTIONS: [&str; 3] = ["data segment", "custom section", "\""];

/// Writes `docs/size.md`: the shipped sizes (`shipped`, one line each) and the breakdown.
pub fn write_breakdown(shipped: &[String]) -> Result {
    let json = output(
        "twiggy",
        &["top", "-n", "1000000", "--format", "json", WASM],
    )
    .ok_or("twiggy failed (cargo xtask setup installs it)")?;
    let items: Vec<Item> = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let mut code: HashMap<String, u64> = HashMap::new();
    let mut other: Vec<(String, u64)> = Vec::new();
    // wasm-bindgen's type descriptions run at build time and never ship.
    let kept = items
        .into_iter()
        .filter(|i| !i.name.contains("__wbindgen_describe"));
    for item in kept {
        let section = SECTIONS.iter().any(|prefix| item.name.starts_with(prefix));
        match crate_of(&item.name) {
            _ if section => other.push((item.name, item.shallow_size)),
            Some(name) => *code.entry(name.to_owned()).or_default() += item.shallow_size,
            None => *code.entry("(generic impls)".into()).or_default() += item.shallow_size,
        }
    }
    let mut crates: Vec<(String, u64)> = code.into_iter().collect();
    crates.sort_by_key(|c| std::cmp::Reverse(c.1));
    let total: u64 = crates.iter().map(|c| c.1).sum();
    let mut page = String::from(
        "# App size\n\nWritten by `cargo xtask bench` (`xtask/src/size.rs`); do not edit.\n\n",
    );
    page.push_str(
        "## Shipped (`dist/`)\n\nThe app's rarely used screens (`crm-lazy-*`: import, \
         duplicates, merge, reports, rules, audit, team, settings, a customer's history, and chunks they \
         share) are split out of its main module and fetched in idle time or when first opened \
         (`xtask/src/split.rs`).\n\n",
    );
    for line in shipped {
        let _ = writeln!(page, "- {line}");
    }
    page.push_str(
        "\n## Code by crate\n\nBytes of function bodies in the wasm before it is split, \
         wasm-bindgen and wasm-opt (`-Oz` shrinks them further), grouped by the crate each function's name \
         starts with.\n\n| crate | bytes | share |\n|---|---:|---:|\n",
    );
    let (listed, rest) = crates.split_at(crates.len().min(LISTED));
    for (name, bytes) in listed {
        let _ = writeln!(page, "| {name} | {bytes} | {:.1} % |", share(*bytes, total));
    }
    let rest_bytes: u64 = rest.iter().map(|c| c.1).sum();
    let _ = writeln!(
        page,
        "| {} more | {rest_bytes} | {:.1} % |",
        rest.len(),
        share(rest_bytes, total)
    );
    page.push_str(
        "\n## Data and sections\n\nConstant data ships as is (phone numbering plans are not part \
         of it: they live in the on-demand phone worker); names, wasm-bindgen's section and the \
         linker's relocations (kept for splitting) are removed before shipping.\n\n\
         | item | bytes |\n|---|---:|\n",
    );
    for (name, bytes) in other.iter().filter(|(_, bytes)| *bytes >= 1_000) {
        let _ = writeln!(page, "| {} | {bytes} |", name.replace('|', "\\|"));
    }
    fs::write(root().join("docs/size.md"), page).map_err(|e| e.to_string())
}

#[derive(serde::Deserialize)]
struct Item {
    name: String,
    shallow_size: u64,
}

fn share(part: u64, total: u64) -> f64 {
    part as f64 * 100.0 / total.max(1) as f64
}

/// The crate a function's demangled name starts with (`<alloc::vec::Vec<T> as …>` → `alloc`);
/// `None` for sections and data.
fn crate_of(name: &str) -> Option<&str> {
    let name = name.trim_start_matches(['<', '&', '*', '(', '[', ' ']);
    let name = ["dyn ", "mut ", "const "]
        .iter()
        .fold(name, |n, prefix| n.strip_prefix(prefix).unwrap_or(n));
    let (first, _) = name.split_once("::")?;
    let first = first.split('[').next().unwrap_or(first);
    (!first.is_empty() && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(first)
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn functions_count_for_the_crate_their_name_starts_with() {
        assert_eq!(
            crate_of("regex_automata::meta::strategy::new::h1"),
            Some("regex_automata")
        );
        assert_eq!(
            crate_of("<alloc::vec::Vec<T> as core::fmt::Debug>::fmt"),
            Some("alloc")
        );
        assert_eq!(crate_of("<&T as core::fmt::Display>::fmt"), None);
        assert_eq!(crate_of("core[c5930c85a12de82]::fmt::write"), Some("core"));
        assert_eq!(crate_of("data segment \".rodata\""), None);
    }
}
