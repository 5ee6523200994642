// The rules engine inside the Durable Object (wasm, local `wrangler dev`; run by
// `cargo xtask bench`): the edge seeds the demo workspace of N customers (the default rules
// run on each as it is generated), then the test hook `GET /ws/{id}/rules-bench?repeat=K`
// reads every stored customer and evaluates the default rules on all of them K times. Timed
// from outside (a Worker's clock does not advance while it computes): the cost of one pass
// over all customers is (t(K) − t(0)) / K. Usage: node tests/bench/edge-rules.mjs <N>.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge, signToken } from "../support/edge.mjs";
import { touch } from "../support/touch.mjs";

const customers = Number(process.argv[2] ?? 10_000);
const REPEAT = 10;
const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-bench-rules-"));
const edge = await startEdge({
  persistDir,
  vars: { DEMO_WORKSPACE: "bench", DEMO_CUSTOMERS: String(customers), TEST_HOOKS: "1" },
});
try {
  const token = signToken("bench", { member: "admin", role: "admin" });
  const seeding = performance.now();
  await touch(`${edge.url}/ws/bench?token=${token}`);
  console.log(`edge seeded ${customers} demo customers (default rules run on each) in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  const timed = async (repeat) => {
    const start = performance.now();
    const res = await fetch(`${edge.url}/ws/bench/rules-bench?token=${token}&repeat=${repeat}`);
    const body = await res.json();
    if (!res.ok || body.customers !== customers) throw new Error(`rules-bench answered ${res.status} ${JSON.stringify(body)}`);
    return performance.now() - start;
  };
  for (const run of [1, 2]) {
    const read = await timed(0);
    const evaluated = await timed(REPEAT);
    const pass = (evaluated - read) / REPEAT;
    console.log(
      `edge (wasm) run ${run}: reading ${customers} stored customers ${(read / 1000).toFixed(2)} s ` +
        `(${((read * 1000) / customers).toFixed(0)} µs each); default rules over all of them ${pass.toFixed(0)} ms per pass ` +
        `(${((pass * 1000) / customers).toFixed(1)} µs per customer)`,
    );
  }
} finally {
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
