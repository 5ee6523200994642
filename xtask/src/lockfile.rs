//! Reads pinned versions from Cargo.lock, so installed CLIs match the crates they serve.

use std::fs;

use crate::process::{Result, root};

/// The version of `package` in Cargo.lock. Fails if the package is absent or listed twice
/// (two versions of wasm-bindgen would need two CLIs).
pub fn locked_version(package: &str) -> Result<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let versions = versions_in(&lock, package);
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("{package} is not in Cargo.lock")),
        many => Err(format!(
            "Cargo.lock has several {package} versions: {many:?}"
        )),
    }
}

fn versions_in(lock: &str, package: &str) -> Vec<String> {
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    let mut found = Vec::new();
    while let Some(line) = lines.next() {
        if line == wanted
            && let Some(version) = lines.next().and_then(|v| v.strip_prefix("version = \""))
        {
            found.push(version.trim_end_matches('"').to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_version_after_the_name() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-futures\"\nversion = \"0.4.1\"\n";
        assert_eq!(versions_in(lock, "wasm-bindgen"), vec!["0.2.130"]);
        assert!(versions_in(lock, "trunk").is_empty());
    }

    /// Trunk refuses to build offline unless its pinned wasm-bindgen equals the lock's.
    #[test]
    fn trunk_toml_pins_the_locked_wasm_bindgen() {
        let locked = locked_version("wasm-bindgen").unwrap();
        let trunk = fs::read_to_string(root().join("Trunk.toml")).unwrap();
        assert!(
            trunk.contains(&format!("wasm_bindgen = \"{locked}\"")),
            "Trunk.toml must pin wasm_bindgen = \"{locked}\" (the Cargo.lock version)"
        );
    }
}
