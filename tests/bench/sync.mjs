// Sync benchmark (run by `cargo xtask bench`): the same two workloads, driven by the official
// JavaScript client (@automerge/automerge-repo + network-websocket, Node), against our edge
// (`wrangler dev`, local) and against a reference server built from the official packages
// (tests/bench/reference-server.mjs), both on loopback and holding the same demo workspace:
//
// 1. edit → visible: client A splices one character into a customer's notes, client B (its
//    own connection) sees it; 200 edits one after another, 150 ms apart (automerge-repo
//    throttles a document's outgoing sync to one per 100 ms, which back-to-back edits would
//    measure instead of the server); p50 / p99.
// 2. initial sync: a fresh client with nothing stored fetches the workspace document and
//    every customer it lists; wall time until all are ready.
//
// Usage: node tests/bench/sync.mjs <fixture file> <customers>
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { startEdge, signToken } from "../support/edge.mjs";
import { withoutCompression } from "../support/no-deflate.mjs";
import { freePort } from "../support/ports.mjs";
import { readFixture, repoUrl } from "../support/fixture.mjs";
import { touch } from "../support/touch.mjs";

const [fixtureFile, customersArg] = process.argv.slice(2);
const customers = Number(customersArg);
const EDITS = 200;
const EDIT_GAP_MS = 150;
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function client(url) {
  return new Repo({ network: [new WebSocketClientAdapter(url)] });
}

async function editLatency(url, docUrl) {
  const a = client(url);
  const b = client(url);
  try {
    const [ha, hb] = await Promise.all([a.find(docUrl), b.find(docUrl)]);
    const samples = [];
    for (let i = 0; i < EDITS; i++) {
      const marker = `·${i}`;
      const seen = new Promise((resolve) => {
        const check = () => {
          if (String(hb.doc().notes).startsWith(marker)) {
            hb.off("change", check);
            resolve();
          }
        };
        hb.on("change", check);
      });
      const start = performance.now();
      ha.change((d) => A.splice(d, ["notes"], 0, 0, marker));
      await seen;
      samples.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, EDIT_GAP_MS));
    }
    return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), max: Math.max(...samples) };
  } finally {
    await Promise.all([a.shutdown(), b.shutdown()]);
  }
}

async function initialSync(url) {
  const repo = client(url);
  try {
    const start = performance.now();
    const ws = await repo.find(repoUrl("workspace"));
    const ids = Object.keys(ws.doc().directory);
    const handles = await Promise.all(ids.map((id) => repo.find(repoUrl(id))));
    const ms = performance.now() - start;
    const named = handles.filter((h) => String(h.doc().profile?.name ?? "").length > 0).length;
    return { ms, docs: handles.length + 1, named };
  } finally {
    await repo.shutdown();
  }
}

async function run(name, url, docUrl) {
  // One warm-up pass so both servers have compiled code and loaded state.
  await initialSync(url);
  const latency = await editLatency(url, docUrl);
  const sync = await initialSync(url);
  console.log(
    `${name}: edit → visible p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, ` +
      `max ${latency.max.toFixed(1)} ms over ${EDITS} edits; initial sync of ${sync.docs} documents ` +
      `${(sync.ms / 1000).toFixed(2)} s (${sync.named} customers with a name)`,
  );
  return { latency, sync };
}

const docs = await readFixture(fixtureFile);
const target = docs[1].id;
const dirs = [];
const stops = [];
try {
  // Our edge, seeding the same deterministic demo workspace on first contact.
  const edgeDir = await mkdtemp(path.join(os.tmpdir(), "crm-bench-edge-"));
  dirs.push(edgeDir);
  const edge = await startEdge({
    persistDir: edgeDir,
    vars: { DEMO_WORKSPACE: "bench", DEMO_CUSTOMERS: String(customers) },
  });
  stops.push(() => edge.stop());
  // Our clients' sockets go uncompressed, as the deployed edge's and the reference server's
  // (`ws` servers do not compress by default), unless CRM_BENCH_DEFLATE=1.
  const relay = process.env.CRM_BENCH_DEFLATE === "1" ? null : await withoutCompression(edge);
  if (relay) stops.push(() => relay.stop());
  const ours = `${(relay ?? edge).wsUrl}/ws/bench?token=${signToken("bench", { member: "admin", role: "admin" })}`;
  const seeding = performance.now();
  await touch(ours);
  console.log(`our edge seeded ${customers} demo customers in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

  // The reference server, in its own process like wrangler.
  const refDir = await mkdtemp(path.join(os.tmpdir(), "crm-bench-ref-"));
  dirs.push(refDir);
  const port = await freePort();
  const ref = spawn("node", ["tests/bench/reference-server.mjs", String(port), refDir, fixtureFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  stops.push(() => ref.kill());
  await new Promise((resolve, reject) => {
    ref.stdout.on("data", (d) => String(d).includes("ready") && resolve());
    ref.once("exit", (code) => reject(new Error(`reference server exited with ${code}`)));
  });
  const reference = `ws://127.0.0.1:${port}`;

  const a = await run(`ours (wrangler dev${relay ? "" : ", compressed"})`, ours, repoUrl(target)).catch((e) => {
    throw new Error(`${e.message}\nedge log:\n${edge.log().slice(-3000)}`);
  });
  const b = await run("reference (automerge-repo on Node)", reference, repoUrl(target));
  console.log(
    `ours / reference: edit p50 ${(a.latency.p50 / b.latency.p50).toFixed(2)}×, ` +
      `p99 ${(a.latency.p99 / b.latency.p99).toFixed(2)}×, initial sync ${(a.sync.ms / b.sync.ms).toFixed(2)}×`,
  );
} finally {
  for (const stop of stops.reverse()) await stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}
