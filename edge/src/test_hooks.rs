//! Hooks for end-to-end tests and benchmarks, served only when the edge runs with
//! `TEST_HOOKS=1` (404 otherwise):
//!
//! - `POST /ws/{id}/clock?token=…&advance_ms=N` moves the rules' clock forward by N ms (kept in
//!   the object's storage, so it survives restarts) and runs what became due; answers the new
//!   time.
//! - `GET /ws/{id}/rules-bench?token=…&repeat=K` reads every stored customer and evaluates the
//!   workspace's rules on all of them K times; answers `{"customers": n, "repeat": K}`. Timed
//!   by the caller: a Worker's clock does not advance while it computes.
//! - `POST /ws/{id}/store-contract?token=…` on a workspace that holds nothing runs core's
//!   [`store_contract`] on the SQLite store, then checks that a write whose second statement
//!   fails leaves nothing of its first; answers `ok`, or 500 with the broken promise.
//! - `POST /ws/{id}/seed?token=…` stores the documents of a fixture (the body, as
//!   `demo_fixture` writes it; a large one in several requests, the workspace document in the
//!   first) with their rows and rules times, before any device connects: the benchmarks' way to
//!   hold 100,000 customers without generating them in the Worker. Answers how many it stored.
//! - `GET /ws/{id}/memory?token=…` answers the size of the Worker's wasm memory in bytes
//!   (`{"wasm_bytes": n}`): it only grows, so it is the peak since the isolate started, the
//!   part of the isolate's 128 MB that is ours besides a small JS heap.

use crm_core::CrmDocument;
use crm_core::customer::Customer;
use crm_core::demo::{SavedDoc, fixture_entries};
use crm_core::replica::{Replica, WORKSPACE_DOC_ID};
use crm_core::rules::{Context, plan};
use crm_core::sync::{DocumentStore, store_contract};
use worker::{Request, Response, Result};

use crate::workspace_object::{CLOCK_OFFSET, Workspace};

/// A test hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    Clock,
    RulesBench,
    StoreContract,
    Seed,
    Memory,
}

/// The integer query parameter `name` of `req` (0 when absent or not a number).
fn param(req: &Request, name: &str) -> Result<i64> {
    Ok(req
        .url()?
        .query_pairs()
        .find_map(|(k, v)| (k == name).then(|| v.parse().ok()))
        .flatten()
        .unwrap_or(0))
}

fn failed(error: impl std::fmt::Display) -> worker::Error {
    worker::Error::RustError(error.to_string())
}

/// The size of this Worker's wasm memory.
fn wasm_memory() -> Result<Response> {
    use wasm_bindgen::JsCast;
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let bytes = memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length();
    Response::ok(format!(r#"{{"wasm_bytes": {bytes}}}"#))
}

impl Workspace {
    /// Serves a test hook, if the edge runs with them.
    pub(crate) async fn test_hook(&self, hook: Hook, mut req: Request) -> Result<Response> {
        if self
            .env
            .var("TEST_HOOKS")
            .map(|v| v.to_string())
            .ok()
            .as_deref()
            != Some("1")
        {
            return Response::error("not found", 404);
        }
        match hook {
            Hook::Clock => self.advance_clock(param(&req, "advance_ms")?.max(0)).await,
            Hook::RulesBench => self.rules_bench(param(&req, "repeat")?.max(0)),
            Hook::StoreContract => self.store_contract(),
            Hook::Seed => self.seed(&req.bytes().await?).await,
            Hook::Memory => wasm_memory(),
        }
    }

    async fn advance_clock(&self, advance: i64) -> Result<Response> {
        let now = self.now();
        let offset = self.clock_offset.get().unwrap_or(0) + advance;
        self.store()
            .set_setting(CLOCK_OFFSET, offset)
            .map_err(failed)?;
        self.clock_offset.set(Some(offset));
        self.forget_alarm();
        self.run_due_rules()?;
        self.arm_alarm().await?;
        crate::readable_anywhere(Response::ok((now + advance).to_string())?)
    }

    async fn seed(&self, fixture: &[u8]) -> Result<Response> {
        let entries = fixture_entries(fixture).map_err(failed)?;
        let mut store = self.store();
        let workspace = match entries.first() {
            Some((id, bytes)) if *id == WORKSPACE_DOC_ID => bytes.to_vec(),
            _ => {
                store
                    .load(WORKSPACE_DOC_ID)
                    .map_err(failed)?
                    .ok_or_else(|| failed("the first part must hold the workspace document"))?
                    .snapshot
            }
        };
        let workspace = crm_core::WorkspaceDoc::load(&workspace).map_err(failed)?;
        let pipeline = workspace.settings().map_err(failed)?.pipeline;
        let rules = workspace.rule_book().rules;
        let now = self.now();
        let docs = entries
            .iter()
            .map(|(id, bytes)| SavedDoc::read(id, bytes.to_vec(), &rules, &pipeline, now))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(failed)?;
        store.put_saved(docs).map_err(failed)?;
        self.arm_alarm().await?;
        Response::ok(entries.len().to_string())
    }

    fn store_contract(&self) -> Result<Response> {
        let mut store = self.store();
        if !store.is_empty()? {
            return Response::error("the workspace holds documents", 409);
        }
        if let Err(broken) = store_contract::check(&mut store) {
            return Response::error(broken, 500);
        }
        const PROBE: &str = "atomic-probe";
        let torn = store.atomically(vec![
            (
                format!("INSERT INTO settings (key, value) VALUES ('{PROBE}', 1)"),
                Vec::new(),
            ),
            ("INSERT INTO no_such_table VALUES (1)".into(), Vec::new()),
        ]);
        match (torn, store.setting(PROBE).map_err(failed)?) {
            (Err(_), 0) => Response::ok("ok"),
            (Ok(()), _) => Response::error("a failing statement did not fail the write", 500),
            (Err(_), _) => Response::error("a failed write left its first statement", 500),
        }
    }

    fn rules_bench(&self, repeat: i64) -> Result<Response> {
        let mut store = self.store();
        let workspace = store
            .load(WORKSPACE_DOC_ID)
            .map_err(failed)?
            .ok_or_else(|| failed("no workspace document"))?;
        let workspace = crm_core::WorkspaceDoc::load(&workspace.snapshot).map_err(failed)?;
        let pipeline = workspace.settings().map_err(failed)?.pipeline;
        let rules = workspace.rule_book().rules;
        let mut customers: Vec<Customer> = Vec::new();
        for id in store.customer_ids()? {
            let Some(stored) = store.load(&id).map_err(failed)? else {
                continue;
            };
            if let Ok(Replica::Customer(doc)) =
                Replica::restore(&id, &stored.snapshot, &stored.changes)
                && let Ok(customer) = doc.customer()
            {
                customers.push(customer);
            }
        }
        let ctx = Context {
            now: self.now(),
            pipeline: &pipeline,
        };
        let mut planned = 0usize;
        for _ in 0..repeat {
            planned += customers
                .iter()
                .filter(|c| !plan(&rules, c, &ctx).is_empty())
                .count();
        }
        let answer = format!(
            r#"{{"customers": {}, "repeat": {repeat}, "with_writes": {planned}}}"#,
            customers.len()
        );
        Response::ok(answer)
    }
}
