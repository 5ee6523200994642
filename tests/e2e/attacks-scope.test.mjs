// A salesperson of a workspace scoped to "own" tries to read what is not theirs, over raw
// sockets and plain requests: asks for a colleague's customer (told out_of_scope, never a byte
// of it), claims a customer someone owns (409), speaks presence in the admin's name (dropped:
// a listening device never hears it) — and their honest presence still gets through; the same
// messages packed into one frame are judged one by one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { encode, decode } from "cbor-x";
import { startEdge, signToken } from "../support/edge.mjs";
import { repoUrl, until } from "../support/fixture.mjs";
import { rawSocket } from "../support/raw-socket.mjs";
import { touch } from "../support/touch.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const documentId = (id) => repoUrl(id).slice("automerge:".length);
/** Presence as `core::sync::presence` encodes it. */
const presence = (member, card) => encode({ presence: { member, card } });

test("a scoped salesperson cannot read, claim or speak for what is not theirs", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const workspace = `scope-attacks-${process.pid}-${Date.now()}`;
  const edge = await startEdge({ persistDir, vars: { DEMO_WORKSPACE: workspace, DEMO_CUSTOMERS: "12" } });
  const token = (member, role) => signToken(workspace, { member, role });
  const socketUrl = (member, role) => `${edge.wsUrl}/ws/${workspace}?token=${token(member, role)}`;
  const admin = new Repo({ network: [new WebSocketClientAdapter(socketUrl("admin", "admin"), 500)] });
  t.after(async () => {
    await admin.shutdown().catch(() => {});
    await edge.stop();
    await rm(persistDir, { recursive: true, force: true });
  });

  // The admin scopes the workspace.
  await touch(socketUrl("admin", "admin"));
  const ws = await admin.find(repoUrl("workspace"));
  const rows = await (await fetch(`${edge.url}/ws/${workspace}/rows`, { headers: { Authorization: `Bearer ${token("admin", "admin")}` } })).json();
  const foreign = rows.find((r) => r.row.owner === "sales-zhang").row;
  const own = rows.find((r) => r.row.owner === "sales-chen").row;
  ws.change((d) => { d.read_scope = new A.ImmutableString("own"); });
  await until("the scope stored", async () => {
    const listed = await (await fetch(`${edge.url}/ws/${workspace}/rows`, { headers: { Authorization: `Bearer ${token("sales-chen", "sales")}` } })).json();
    return listed.every((r) => r.row.owner === "sales-chen");
  });

  // Chen asks for Zhang's customer from nothing: told to drop it, and no sync of it.
  const chen = await rawSocket(socketUrl("sales-chen", "sales"), "raw-chen");
  const empty = A.generateSyncMessage(A.init(), A.initSyncState())[1];
  chen.socket.send(encode({
    type: "request", senderId: "raw-chen", targetId: chen.edgePeer,
    documentId: documentId(foreign.id), data: Buffer.from(empty),
  }));
  await until("an answer", () => chen.frames.some((f) => f.documentId === documentId(foreign.id)));
  await sleep(300);
  const about = chen.frames.filter((f) => f.documentId === documentId(foreign.id));
  assert.deepEqual(about.map((f) => f.type), ["ephemeral"]);
  assert.deepEqual(decode(about[0].data), { out_of_scope: true });

  // A customer someone owns is not claimed.
  const claim = await fetch(`${edge.url}/ws/${workspace}/claim?customer=${foreign.id}`, {
    method: "POST", headers: { Authorization: `Bearer ${token("sales-chen", "sales")}` },
  });
  assert.equal(claim.status, 409);

  // A listening device (the manager's, which says it speaks presence) hears Chen's own
  // presence on her customer, never one in the admin's name.
  const manager = await rawSocket(socketUrl("manager", "manager"), "raw-manager");
  manager.socket.send(encode({
    type: "ephemeral", senderId: "raw-manager", targetId: manager.edgePeer, documentId: documentId("workspace"),
    sessionId: "m", count: 1, data: presence("manager", "-"),
  }));
  await sleep(300);
  const heard = () => manager.frames.filter((f) => f.type === "ephemeral").map((f) => decode(f.data).presence?.member);
  chen.socket.send(encode({
    type: "ephemeral", senderId: "raw-chen", targetId: chen.edgePeer, documentId: documentId(own.id),
    sessionId: "c", count: 1, data: presence("admin", "notes"),
  }));
  chen.socket.send(encode({
    type: "ephemeral", senderId: "raw-chen", targetId: chen.edgePeer, documentId: documentId(own.id),
    sessionId: "c", count: 2, data: presence("sales-chen", "notes"),
  }));
  await until("Chen's own presence relayed", () => heard().includes("sales-chen"));
  await sleep(300);
  assert.deepEqual(heard(), ["sales-chen"], "the one in the admin's name was dropped");

  // The same, packed into one frame (several messages back to back): each is judged alone.
  chen.socket.send(Buffer.concat([
    encode({
      type: "request", senderId: "raw-chen", targetId: chen.edgePeer,
      documentId: documentId(foreign.id), data: Buffer.from(empty),
    }),
    encode({
      type: "ephemeral", senderId: "raw-chen", targetId: chen.edgePeer, documentId: documentId(own.id),
      sessionId: "c", count: 3, data: presence("admin", "notes"),
    }),
    encode({
      type: "ephemeral", senderId: "raw-chen", targetId: chen.edgePeer, documentId: documentId(own.id),
      sessionId: "c", count: 4, data: presence("sales-chen", "deals"),
    }),
  ]));
  await until("Chen's packed presence relayed", () => heard().length === 2);
  await sleep(300);
  assert.deepEqual(heard(), ["sales-chen", "sales-chen"], "the packed one in the admin's name was dropped");
  const packedAbout = chen.frames.filter((f) => f.documentId === documentId(foreign.id));
  assert.deepEqual(packedAbout.map((f) => f.type), ["ephemeral", "ephemeral"], "the foreign customer is still not sent");
  chen.socket.close();
  manager.socket.close();
});
