//! The app's wasm keeps the linker's relocations: `cargo xtask` reads them to split the rarely
//! used screens into their own modules (xtask/src/split.rs). Only the app's binary: the phone
//! and sheet workers, the tests and the edge link without them.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bin=crm-app=--emit-relocs");
    }
}
