//! `cargo xtask dev`: the local edge and the app, until Ctrl-C.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::process::{Result, command, describe, node_bin_dir, root};
use crate::{build, login, setup};

/// Where the app and the edge listen.
const APP_ADDR: &str = "127.0.0.1:8080";
const EDGE_ADDR: &str = "127.0.0.1:8787";

/// Where `wrangler dev` keeps the Durable Objects' state between runs (git-ignored).
const EDGE_STATE: &str = ".dev-state/edge";

/// Starts both servers and stops both when either exits or on Ctrl-C.
pub fn run() -> Result {
    setup::run()?;
    build::edge()?;
    let secret = login::dev_secret()?;
    let state = root().join(EDGE_STATE);
    fs::create_dir_all(&state).map_err(|e| format!("creating {}: {e}", state.display()))?;

    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("installing the Ctrl-C handler: {e}"))?;

    let mut edge = command(&node_bin_dir().join("wrangler").to_string_lossy());
    edge.current_dir(root().join("edge"))
        .args(["dev", "--local", "--ip", "127.0.0.1", "--port", "8787"])
        .args(["--show-interactive-dev-session=false", "--persist-to"])
        .arg(&state)
        // The `demo` workspace is filled with demo customers the first time it is opened.
        .args([
            "--var",
            "DEMO_WORKSPACE:demo",
            "--var",
            "DEMO_CUSTOMERS:100",
        ]);
    edge_env(&mut edge);
    let started = Instant::now();
    let mut servers = vec![spawn(&mut edge)?];
    servers.push(spawn(crate::split::trunk()?.args(["serve", "--release"]))?);

    // The links are printed once both answer: a click before that would be refused.
    while !(answers(EDGE_ADDR, "/health") && answers(APP_ADDR, "/")) {
        if stop.load(Ordering::SeqCst) || any_exited(&mut servers) {
            eprintln!("stopped before both servers answered");
            servers.iter_mut().for_each(terminate);
            return Err("a server did not start".into());
        }
        sleep(Duration::from_millis(250));
    }

    println!();
    println!(
        "  ready in {:.0} s (app and edge both answer)",
        started.elapsed().as_secs_f64()
    );
    println!("  app   sign in to the demo team (100 customers) with one of these links:");
    for (member, name, role) in crm_core::demo::MEMBERS {
        let link = login::link(&secret, "http://127.0.0.1:8080", "demo", member, role);
        println!("        {name} ({}): {link}", role.as_str());
    }
    println!(
        "  edge  http://127.0.0.1:8787 (health: /health, workspaces: ws://127.0.0.1:8787/ws/<id>)"
    );
    println!("  state {}", state.display());
    println!("  Ctrl-C stops both.");
    println!();

    while !stop.load(Ordering::SeqCst) {
        if any_exited(&mut servers) {
            eprintln!("a server exited; stopping the other");
            break;
        }
        sleep(Duration::from_millis(200));
    }
    servers.iter_mut().for_each(terminate);
    Ok(())
}

/// Whether one of `servers` has exited.
fn any_exited(servers: &mut [Child]) -> bool {
    servers
        .iter_mut()
        .any(|c| !matches!(c.try_wait(), Ok(None)))
}

/// Whether the HTTP server at `addr` answers `GET path` with 200.
fn answers(addr: &str, path: &str) -> bool {
    let Ok(addr) = addr.parse() else { return false };
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    let mut status = [0u8; 12];
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_exact(&mut status).is_ok()
        && status.ends_with(b" 200")
}

/// Environment that keeps wrangler from phoning home (there is no internet to reach).
pub fn edge_env(cmd: &mut Command) {
    cmd.env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WRANGLER_LOG", "warn");
}

fn spawn(cmd: &mut Command) -> Result<Child> {
    println!("$ {}", describe(cmd));
    cmd.spawn()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))
}

/// SIGTERM (so wrangler can stop workerd), then SIGKILL after five seconds.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if !matches!(child.try_wait(), Ok(None)) {
            return;
        }
        sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}
