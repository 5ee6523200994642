//! `cargo xtask test`: every check the project has, one summary line at the end.
//!
//! Steps run in order and all run even after a failure (except the end-to-end tests, which
//! need the release builds), so one run reports everything that is wrong.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Instant;

use crate::process::{Result, command, describe, root};
use crate::setup::{CHROMEDRIVER, CHROMIUM};
use crate::{build, dev, setup};

const WASM: &str = "wasm32-unknown-unknown";
/// Core's dev-dependencies (proptest) do not build for wasm32, so only its library is linted
/// there; the app's browser tests (and its workers) are.
const WASM_CLIPPY_LIBS: [&str; 11] = [
    "clippy", "-p", "crm-core", "-p", "crm-edge", "--lib", "--target", WASM, "--", "-D", "warnings",
];
const WASM_CLIPPY_APP: [&str; 15] = [
    "clippy",
    "-p",
    "crm-app",
    "-p",
    "crm-phone",
    "-p",
    "crm-sheets",
    "--lib",
    "--bins",
    "--tests",
    "--target",
    WASM,
    "--",
    "-D",
    "warnings",
];

/// What one step reported.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
}

impl Counts {
    /// Reads a test runner's closing line: cargo/libtest and wasm-bindgen-test-runner
    /// (`test result: ok. 7 passed; 0 failed; …`) and node's spec reporter (`ℹ pass 3`).
    fn scan(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            self.passed += number_before(rest, " passed");
            self.failed += number_before(rest, " failed");
        } else if let Some(n) = line.strip_prefix("ℹ pass ") {
            self.passed += n.parse().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("ℹ fail ") {
            self.failed += n.parse().unwrap_or(0);
        }
    }
}

fn number_before(text: &str, label: &str) -> u64 {
    text.find(label)
        .and_then(|end| text[..end].rsplit([' ', '.']).next()?.parse().ok())
        .unwrap_or(0)
}

struct Outcome {
    name: &'static str,
    ok: bool,
    counts: Counts,
    seconds: f64,
}

/// Runs all steps; fails if any step failed.
pub fn run() -> Result {
    let started = Instant::now();
    setup::run()?;
    let mut outcomes = vec![
        step("fmt", command("cargo").args(["fmt", "--all", "--check"])),
        step(
            "clippy (native)",
            command("cargo").args([
                "clippy",
                "-p",
                "crm-core",
                "-p",
                "crm-sheets",
                "-p",
                "xtask",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
        ),
        step(
            "clippy (wasm32: core, edge)",
            command("cargo").args(WASM_CLIPPY_LIBS),
        ),
        step(
            "clippy (wasm32: app and its tests)",
            command("cargo").args(WASM_CLIPPY_APP),
        ),
        step(
            "native tests",
            command("cargo").args([
                "test",
                "-p",
                "crm-core",
                "-p",
                "crm-edge",
                "-p",
                "crm-sheets",
                "-p",
                "xtask",
            ]),
        ),
        step(
            "wasm tests (Chromium)",
            command("cargo")
                .args([
                    "test",
                    "-p",
                    "crm-app",
                    "--target",
                    "wasm32-unknown-unknown",
                ])
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env(
                    "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
                    root().join("app/webdriver.json"),
                )
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        ),
    ];
    let built = timed("release build", build::all);
    let build_ok = built.ok;
    outcomes.push(built);
    if build_ok {
        // The spreadsheets the import tests read (GBK CSV, XLSX), written by the repo's own
        // script rather than kept as binaries.
        outcomes.push(step(
            "e2e fixtures",
            command("cargo").args(["run", "-q", "-p", "crm-sheets", "--example", "fixtures"]),
        ));
        let mut e2e = command("node");
        e2e.args([
            "--test",
            "--test-concurrency=1",
            // The official automerge-repo client leaves retry timers behind after its edge
            // was killed (tests/e2e/restart.test.mjs); each test stops what it started.
            "--test-force-exit",
            "--test-reporter=spec",
            "tests/e2e/",
        ])
        .env("CHROMIUM", CHROMIUM);
        dev::edge_env(&mut e2e);
        outcomes.push(step("end-to-end (Chromium + wrangler dev)", &mut e2e));
    }
    report(&outcomes, build_ok, started.elapsed().as_secs_f64())
}

fn report(outcomes: &[Outcome], build_ok: bool, seconds: f64) -> Result {
    println!("\n── cargo xtask test ─────────────────────────────");
    let mut total = Counts::default();
    let mut failed_steps = 0;
    for o in outcomes {
        let tests = if o.counts == Counts::default() {
            String::new()
        } else {
            format!("  ({} passed, {} failed)", o.counts.passed, o.counts.failed)
        };
        println!(
            "{:>5}  {:<40} {:>6.1} s{tests}",
            if o.ok { "ok" } else { "FAIL" },
            o.name,
            o.seconds
        );
        total.passed += o.counts.passed;
        total.failed += o.counts.failed;
        if !o.ok {
            failed_steps += 1;
            // A step that failed without a failing test (a lint, a build) still counts once.
            if o.counts.failed == 0 {
                total.failed += 1;
            }
        }
    }
    if !build_ok {
        println!(" SKIP  end-to-end (the release build failed)");
    }
    println!("total {seconds:.0} s");
    println!("summary: {} passed, {} failed", total.passed, total.failed);
    if failed_steps == 0 {
        Ok(())
    } else {
        Err(format!("{failed_steps} step(s) failed"))
    }
}

fn timed(name: &'static str, f: impl FnOnce() -> Result) -> Outcome {
    println!("\n▶ {name}");
    let started = Instant::now();
    let result = f();
    if let Err(e) = &result {
        eprintln!("{e}");
    }
    Outcome {
        name,
        ok: result.is_ok(),
        counts: Counts::default(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Runs one step, echoing its output live while counting the tests it reports.
fn step(name: &'static str, cmd: &mut Command) -> Outcome {
    println!("\n▶ {name}\n$ {}", describe(cmd));
    let started = Instant::now();
    let (ok, counts) = match cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(mut child) => {
            let out = child.stdout.take().map(|s| echo_and_count(s, false));
            let err = child.stderr.take().map(|s| echo_and_count(s, true));
            let mut counts = Counts::default();
            for reader in [out, err].into_iter().flatten() {
                let c = reader.join().unwrap_or_default();
                counts.passed += c.passed;
                counts.failed += c.failed;
            }
            (child.wait().is_ok_and(|s| s.success()), counts)
        }
        Err(e) => {
            eprintln!("could not start: {e}");
            (false, Counts::default())
        }
    };
    Outcome {
        name,
        ok,
        counts,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn echo_and_count(
    stream: impl Read + Send + 'static,
    to_stderr: bool,
) -> thread::JoinHandle<Counts> {
    thread::spawn(move || {
        let mut counts = Counts::default();
        for line in BufReader::new(stream)
            .lines()
            .map_while(std::result::Result::ok)
        {
            counts.scan(&line);
            if to_stderr {
                let _ = writeln!(std::io::stderr(), "{line}");
            } else {
                let _ = writeln!(std::io::stdout(), "{line}");
            }
        }
        counts
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cargo_and_node_summaries() {
        let mut c = Counts::default();
        c.scan("test result: ok. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.13s");
        c.scan("test result: FAILED. 6 passed; 1 failed; 0 ignored");
        c.scan("ℹ pass 3");
        c.scan("ℹ fail 2");
        c.scan("ℹ tests 5");
        c.scan("running 7 tests");
        assert_eq!(
            c,
            Counts {
                passed: 16,
                failed: 3
            }
        );
    }
}
