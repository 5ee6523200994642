// The edge's SQLite store inside the real workerd keeps the same contract as core's memory
// store (core's `store_contract`, run by a test hook on a new workspace), and a write of
// several statements whose last one fails leaves nothing behind (one transaction).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge, signToken } from "../support/edge.mjs";

test("the SQLite store keeps the store contract, and a failed write is rolled back whole", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const edge = await startEdge({ persistDir, vars: { TEST_HOOKS: "1" } });
  t.after(async () => {
    await edge.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  const workspace = `store-${process.pid}-${Date.now()}`;
  const token = signToken(workspace, { member: "admin", role: "admin" });
  const contract = () => fetch(`${edge.url}/ws/${workspace}/store-contract?token=${token}`, { method: "POST" });
  const res = await contract();
  assert.equal(await res.text(), "ok");
  assert.equal(res.status, 200);
  // The contract cleans up after itself: a second run finds the workspace empty again.
  assert.equal(await (await contract()).text(), "ok");
});
