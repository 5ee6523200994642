// A salesperson's attacks on the records themselves, through the official automerge-repo
// client and raw sockets, against the seeded demo workspace: another owner's customer dropped
// from the directory and its timeline wiped, the team's language set, an automatic tag forged,
// an interaction "written by the admin", an archiving in the admin's name, an erasure
// (admins only), a merge into another's customer (managers only) and a forged merge record
// (the edge's only) on its own customer, a customer copied under another document id, a
// flood of new customers past the workspace's quota, an ephemeral message in another peer's
// name and an inflation bomb. Each is put back or refused; a manager's client watching never
// sees any of it, and the edge serves everyone afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { deflateRawSync } from "node:zlib";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { encode } from "cbor-x";
import { startEdge, signToken } from "../support/edge.mjs";
import { rawSocket } from "../support/raw-socket.mjs";
import { repoUrl, until } from "../support/fixture.mjs";
import { touch } from "../support/touch.mjs";

const SEEDED = 20;
/** Documents the workspace may hold: the workspace document, the seeded customers, 3 more. */
const QUOTA = SEEDED + 4;
const S = (text) => new A.ImmutableString(text);
const documentId = (id) => repoUrl(id).slice("automerge:".length);
const hex = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A new customer document as a device writes it: `id` its document id, owned by `member`. */
function newCustomer(id, member, name) {
  const now = Date.now();
  const doc = A.from({
    id: S(id),
    profile: {
      name: S(name), name_latin: S(""), company: S(""), title: S(""),
      owner: S(member), source: S("other"), lifecycle: S("lead"),
    },
    contacts: {}, tags: {}, auto_tags: {}, custom: {}, deals: {}, follow_ups: {}, interactions: {}, orders: {},
    notes: "",
    created_at: now, created_by: S(member), updated_at: now, updated_by: S(member),
  });
  // An unsigned integer: written in a change (`A.from` would store the wrapper as a map).
  return A.change(doc, (d) => { d.schema_version = new A.Uint(1); });
}

test("a salesperson's attacks on records are put back or refused, and nobody else sees them", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const workspace = `records-${process.pid}-${Date.now()}`;
  const edge = await startEdge({
    persistDir,
    vars: { DEMO_WORKSPACE: workspace, DEMO_CUSTOMERS: String(SEEDED), MAX_DOCUMENTS: String(QUOTA) },
  });
  const socketUrl = (member, role) => `${edge.wsUrl}/ws/${workspace}?token=${signToken(workspace, { member, role })}`;
  const repos = [];
  /** An official client; one the edge will refuse does not reconnect after the close. */
  const client = (member, role, { reconnect = true } = {}) => {
    const adapter = new WebSocketClientAdapter(socketUrl(member, role), 500);
    if (!reconnect) adapter.onClose = () => {};
    const repo = new Repo({ network: [adapter] });
    repos.push(repo);
    return repo;
  };
  t.after(async () => {
    for (const repo of repos) await repo.shutdown().catch(() => {});
    await edge.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  const audit = async (query) => {
    const url = `${edge.url}/ws/${workspace}/audit?${query}`;
    const token = signToken(workspace, { member: "admin", role: "admin" });
    return (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).json();
  };

  // The manager's client watches the workspace and every seeded customer.
  await touch(socketUrl("manager", "manager"));
  const manager = client("manager", "manager");
  const watchedWs = await manager.find(repoUrl("workspace"));
  const ids = Object.keys(watchedWs.doc().directory);
  assert.equal(ids.length, SEEDED);
  const watched = new Map();
  for (const id of ids) watched.set(id, await manager.find(repoUrl(id)));
  const timeline = (doc) => Object.keys(doc.interactions ?? {}).length;
  const foreignId = ids.find((id) => {
    const doc = watched.get(id).doc();
    return String(doc.profile.owner) === "sales-zhang" && timeline(doc) > 0;
  });
  const ownId = ids.find((id) => String(watched.get(id).doc().profile.owner) === "sales-chen");
  assert.ok(foreignId && ownId, "the demo has a customer of sales-zhang with a timeline and one of sales-chen");
  const interactions = timeline(watched.get(foreignId).doc());
  const seen = [];
  watchedWs.on("change", ({ doc }) => {
    if (!doc.directory[foreignId]) seen.push("directory entry gone");
    if (doc.language) seen.push("team language set by a salesperson");
  });
  watched.get(foreignId).on("change", ({ doc }) => {
    if (timeline(doc) < interactions) seen.push(`timeline ${timeline(doc)}`);
    if (timeline(doc) > interactions) seen.push("carried into by a salesperson's merge");
  });
  watched.get(ownId).on("change", ({ doc }) => {
    if (doc.auto_tags?.["伪造"]) seen.push("forged automatic tag");
    if (doc.interactions?.spoofed) seen.push("interaction in the admin's name");
    if (doc.archived) seen.push("archived in the admin's name");
    if (doc.erased) seen.push("erased by a salesperson");
    if (doc.merged_into?.into) seen.push("merged by a salesperson");
    if (doc.merges) seen.push("a merge record forged");
  });

  // sales-chen drops the foreign customer from the directory and wipes its timeline.
  const chen = client("sales-chen", "sales");
  const ws = await chen.find(repoUrl("workspace"));
  ws.change((d) => { delete d.directory[foreignId]; });
  await until("the directory entry put back", () => Boolean(ws.doc().directory[foreignId]));
  // Only admins set the team's language.
  ws.change((d) => { d.language = S("en"); });
  await until("the language put back", () => ws.doc().language === undefined);
  const foreign = await chen.find(repoUrl(foreignId));
  foreign.change((d) => { for (const key of Object.keys(d.interactions)) delete d.interactions[key]; });
  await until("the timeline put back", () => timeline(foreign.doc()) === interactions);

  // On its own customer: an automatic tag only the rules may write, an interaction in the
  // admin's name. Both put back; its own honest edit in the same change stays.
  const own = await chen.find(repoUrl(ownId));
  own.change((d) => {
    d.auto_tags["伪造"] = { rule_id: S("high-value"), applied_at: Date.now() };
    d.interactions.spoofed = {
      channel: S("call"), direction: S("outbound"), at: Date.now(), author: S("admin"),
      summary: S("管理员批准了 50% 折扣"), deal_id: null,
    };
    d.archived = { at: Date.now(), by: S("admin") };
    d.erased = { at: Date.now(), by: S("sales-chen") };
    d.merged_into = { into: S(foreignId), at: Date.now(), by: S("sales-chen"), take: [], undone: null };
    d.merges = { [foreignId]: { carried: [], entries: [], profile: {}, notes: null } };
    d.profile.title = S("采购经理");
  });
  await until("the forgeries put back", () =>
    !own.doc().auto_tags["伪造"] && !own.doc().interactions.spoofed && !own.doc().archived && !own.doc().erased
      && !own.doc().merged_into?.into && !own.doc().merges?.[foreignId]);
  await until("the honest edit kept", () => String(watched.get(ownId).doc().profile.title) === "采购经理");

  // A customer copied under another document id is refused whole.
  const copier = client("sales-chen", "sales", { reconnect: false });
  const [inside, outside] = [hex(), hex()];
  copier.import(A.save(newCustomer(inside, "sales-chen", "复制的客户")), { docId: documentId(outside) });
  await until("the refusal in the audit trail", async () =>
    (await audit(`doc=${outside}`)).some((e) => e.decision.kind === "refused"));
  const [mismatch] = await audit(`doc=${outside}`);
  assert.match(mismatch.decision.reason, /id/);

  // A flood of new customers: the quota's worth stored, the one after it refused.
  const flooder = client("sales-chen", "sales", { reconnect: false });
  const room = QUOTA - 1 - SEEDED;
  const flood = Array.from({ length: room + 1 }, () => hex());
  for (const [n, id] of flood.entries()) {
    flooder.import(A.save(newCustomer(id, "sales-chen", `刷单客户 ${n}`)), { docId: documentId(id) });
    await until(`customer ${n} decided`, async () => (await audit(`doc=${id}`)).length > 0, 10_000);
  }
  const decisions = [];
  for (const id of flood) decisions.push((await audit(`doc=${id}`))[0].decision);
  assert.deepEqual(decisions.slice(0, room).map((d) => d.kind), Array(room).fill("accepted"));
  assert.equal(decisions[room].kind, "refused");
  assert.match(decisions[room].reason, /documents/);

  // Raw sockets: an ephemeral message in another peer's name, then an inflation bomb (a
  // compressed change chunk of 260 KB that would inflate to 256 MiB).
  const spoof = await rawSocket(socketUrl("sales-chen", "sales"), "raw-chen");
  spoof.socket.send(encode({
    type: "ephemeral", senderId: "someone-else", targetId: spoof.edgePeer,
    documentId: documentId(ownId), sessionId: "s", count: 1, data: new Uint8Array(8),
  }));
  assert.equal(await spoof.closed, 1007);
  const bomb = await rawSocket(socketUrl("sales-chen", "sales"), "raw-bomb");
  const deflated = deflateRawSync(Buffer.alloc(256 << 20), { level: 9 });
  const uleb = (n) => { const out = []; do { out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)); n >>>= 7; } while (n); return out; };
  const chunk = Buffer.concat([Buffer.from([0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2, ...uleb(deflated.length)]), deflated]);
  // A sync message: no heads, no needs, no haves, one change.
  const message = Buffer.concat([Buffer.from([0x42, 0, 0, 0, 1, ...uleb(chunk.length)]), chunk]);
  bomb.socket.send(encode({
    type: "sync", senderId: "raw-bomb", targetId: bomb.edgePeer, documentId: documentId(ownId), data: message,
  }));
  assert.equal(await bomb.closed, 1009);
  const [bombed] = await audit(`doc=${ownId}`);
  assert.match(bombed.decision.reason ?? "", /inflate/);

  // Nobody else saw any of it, and the edge serves a new device everything, intact.
  assert.deepEqual(seen, []);
  const fresh = client("admin", "admin");
  const freshForeign = await fresh.find(repoUrl(foreignId));
  assert.equal(timeline(freshForeign.doc()), interactions);
  assert.ok((await fresh.find(repoUrl("workspace"))).doc().directory[foreignId]);
  watched.get(foreignId).change((d) => { d.profile.company = S("经理改的公司"); });
  await until("the manager's edit on the new device", () => String(freshForeign.doc().profile.company) === "经理改的公司");
  const trail = await audit("member=sales-chen&limit=100");
  assert.ok(trail.every((e) => e.member === "sales-chen" && e.role === "sales"));
  assert.ok(trail.filter((e) => e.decision.kind === "restored").length >= 4, JSON.stringify(trail.map((e) => e.decision)));
});
