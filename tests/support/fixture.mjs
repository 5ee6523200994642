// Reads a saved demo workspace written by `cargo run -p crm-core --example demo_fixture`:
// for each document, `u32 LE id length, id, u32 LE byte length, bytes`.
import { readFile } from "node:fs/promises";
import { stringifyAutomergeUrl } from "@automerge/automerge-repo";

/** The documents of a fixture file as [{ id, bytes }], the workspace document first. */
export async function readFixture(file) {
  const buf = await readFile(file);
  const docs = [];
  for (let at = 0; at < buf.length; ) {
    const idLen = buf.readUInt32LE(at);
    const id = buf.subarray(at + 4, at + 4 + idLen).toString("utf8");
    at += 4 + idLen;
    const len = buf.readUInt32LE(at);
    docs.push({ id, bytes: new Uint8Array(buf.subarray(at + 4, at + 4 + len)) });
    at += 4 + len;
  }
  return docs;
}

/**
 * The automerge-repo URL of a local document id: a customer's 32 hex digits are its 16 bytes;
 * the workspace document has the reserved id of sixteen 0xff bytes (see docs/sync.md).
 */
export function repoUrl(id) {
  const bytes = id === "workspace" ? new Uint8Array(16).fill(0xff) : Uint8Array.from(Buffer.from(id, "hex"));
  return stringifyAutomergeUrl({ documentId: bytes });
}

/** Resolves once `check()` holds, polling every 25 ms; fails naming `what` after `timeoutMs`. */
export async function until(what, check, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A bench's workspace "bench" from its argument: N demo customers the edge generates, or a
 * `demo_fixture` file stored through the `seed` test hook (100k). `vars` start the edge;
 * `seed(edge)` stores the file, if any.
 */
export async function benchWorkspace(source) {
  const fixture = /^\d+$/.test(source) ? null : await readFixture(source);
  const customers = fixture ? fixture.length - 1 : Number(source);
  return {
    fixture,
    customers,
    vars: fixture ? { TEST_HOOKS: "1" } : { DEMO_WORKSPACE: "bench", DEMO_CUSTOMERS: String(customers) },
    seed: async (edge) => { if (fixture) await edge.seed("bench", fixture); },
  };
}
