//! Release builds of the app and the edge, with every tool taken from the local machine.

use crate::process::{Result, cargo_bin_dir, command, exec, node_bin_dir, root};

/// The browser app: Trunk → `dist/` (wasm-opt from npm's binaryen via PATH), with its
/// Content-Security-Policy for the edges `QINGKE_EDGES` allows.
pub fn app() -> Result {
    exec(crate::split::trunk()?.args(["build", "--release"]))?;
    crate::split::check(&root().join("dist"))?;
    let edges = std::env::var("QINGKE_EDGES").ok();
    crate::csp::apply(
        &root().join("dist/index.html"),
        &crate::csp::policy(edges.as_deref()),
    )
}

/// The Worker: worker-build → `edge/build/`, told where our wasm-bindgen, wasm-opt and esbuild
/// are so it downloads nothing.
pub fn edge() -> Result {
    exec(
        command("worker-build")
            .arg("--release")
            .current_dir(root().join("edge"))
            .env("WASM_BINDGEN_BIN", cargo_bin_dir().join("wasm-bindgen"))
            .env("WASM_OPT_BIN", node_bin_dir().join("wasm-opt"))
            .env("ESBUILD_BIN", node_bin_dir().join("esbuild")),
    )
}

/// Both.
pub fn all() -> Result {
    app()?;
    edge()
}
