//! `cargo xtask`: the project's task runner.
//!
//! - `setup`: installs what is missing (wasm target, Trunk, wasm-bindgen-cli, worker-build,
//!   node modules, Chromium) from package registries only.
//! - `build`: release builds of the app (Trunk → `dist/`) and the edge (worker-build →
//!   `edge/build/`).
//! - `dev`: setup, build, then the local edge on 127.0.0.1:8787 and the app on 127.0.0.1:8080.
//! - `test`: fmt, clippy, native tests, wasm browser tests, end-to-end tests.
//! - `bench [customers]`: criterion benches of `core` and the app's browser timing harness;
//!   the app's size by crate in `docs/size.md`.
//! - `size`: only that size report, from the last build.
//! - `invite --app URL --edge URL --workspace ID --member ID --name NAME [--role R]`: a team's
//!   first admin's login link on a deployed edge, signed with its `AUTH_SECRET`.

mod bench;
mod build;
mod csp;
mod dev;
mod invite;
mod lockfile;
mod login;
mod process;
mod setup;
mod size;
mod split;
mod test;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <setup|build|dev|test|bench [customers]|size|invite …>";

fn main() -> ExitCode {
    let mut args = std::env::args();
    if args.next().is_some_and(|me| me.ends_with(split::SHIM)) {
        return split::as_wasm_bindgen(args.collect());
    }
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "setup" => setup::run(),
        "build" => setup::run().and_then(|()| build::all()),
        "dev" => dev::run(),
        "invite" => invite::run(&std::env::args().skip(2).collect::<Vec<_>>()),
        "test" => test::run(),
        "size" => bench::report_app_size().and_then(|shipped| size::write_breakdown(&shipped)),
        "bench" => match std::env::args().nth(2).map(|n| n.parse::<usize>()) {
            None => setup::run().and_then(|()| bench::run(10_000)),
            Some(Ok(customers)) => setup::run().and_then(|()| bench::run(customers)),
            Some(Err(_)) => Err(USAGE.into()),
        },
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask {task}: {error}");
            ExitCode::FAILURE
        }
    }
}
