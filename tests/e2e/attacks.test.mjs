// A salesperson attacks the workspace with the official automerge-repo client, as a hostile
// user with a valid token would: another owner's customer renamed and its tags wiped, itself
// made admin, the rule book deleted, a note far beyond its length, writing on with an expired
// token. Each is refused or put back at the edge; a manager's client watching the same
// documents never sees any of it, the app device keeps its customer, the edge serves the
// honest devices afterwards, and the audit trail records each decision under the attacker's
// name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { WebSocket } from "ws";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer } from "../support/browser.mjs";
import { repoUrl, until } from "../support/fixture.mjs";

const WORKSPACE_URL = "automerge:4ZrjxJnU1LA5xSyrWMNuXTozYEvA";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A `join` message (CBOR, written out by hand: three short text keys and values). */
function joinFrame(peer) {
  const text = (s) => {
    const bytes = Buffer.from(s);
    return Buffer.concat([Buffer.from(bytes.length < 24 ? [0x60 + bytes.length] : [0x78, bytes.length]), bytes]);
  };
  return Buffer.concat([
    Buffer.from([0xa3]), text("type"), text("join"), text("senderId"), text(peer),
    text("supportedProtocolVersions"), Buffer.from([0x81]), text("1"),
  ]);
}

test("a salesperson's attacks are refused or put back and never reach another device", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const app = await startApp();
  const browser = await launchBrowser();
  const edge = await startEdge({ persistDir });
  const workspace = `attacks-${process.pid}-${Date.now()}`;
  const client = (member, role, options = {}) => new Repo({
    network: [new WebSocketClientAdapter(
      `${edge.wsUrl}/ws/${workspace}?token=${signToken(workspace, { member, role, ...options })}`,
    )],
  });
  const repos = [];
  t.after(async () => {
    for (const repo of repos.reverse()) await repo.shutdown().catch(() => {});
    await browser.close();
    await edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });

  // sales-zhang's device creates a customer and tags it.
  const { page } = await openDevice(browser, edge.appUrl(app.url, workspace));
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 10_000 });
  await addCustomer(page, "秦岚 Qin Lan");
  await page.locator(".customer-row .name", { hasText: "秦岚" }).click();
  await page.getByRole("textbox", { name: "Add tag" }).fill("VIP");
  await page.getByRole("textbox", { name: "Add tag" }).press("Enter");
  await page.locator(".chip.tag", { hasText: "VIP" }).waitFor();
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 10_000 });
  const id = new URL(page.url()).pathname.split("/").pop();

  // A manager watches every state the edge sends of the customer and the workspace.
  const manager = client("manager", "manager");
  repos.push(manager);
  const watched = await manager.find(repoUrl(id));
  const watchedWs = await manager.find(WORKSPACE_URL);
  const names = new Set([String(watched.doc().profile.name)]);
  let tagless = 0;
  watched.on("change", ({ doc }) => {
    names.add(String(doc.profile.name));
    if (!doc.tags?.VIP) tagless += 1;
  });
  const escalations = [];
  watchedWs.on("change", ({ doc }) => {
    if (doc.members?.["sales-chen"] || !doc.rules || Object.keys(doc.rules).length === 0) {
      escalations.push(JSON.stringify(doc.members));
    }
  });

  // sales-chen attacks.
  const chen = client("sales-chen", "sales");
  repos.push(chen);
  const target = await chen.find(repoUrl(id));
  const notices = [];
  target.on("ephemeral-message", ({ message }) => notices.push(message));
  target.change((d) => {
    d.profile.name = new A.ImmutableString("被抢走的客户");
    d.profile.owner = new A.ImmutableString("sales-chen");
    delete d.tags.VIP;
  });
  await until("the edge to put the customer back", () =>
    String(target.doc().profile.name) === "秦岚 Qin Lan" && Boolean(target.doc().tags.VIP));
  assert.equal(String(target.doc().profile.owner), "sales-zhang");
  await until("the notice of what was put back", () => notices.length > 0);
  const restored = notices.flatMap((n) => n.restored.map((r) => r.path)).sort();
  assert.ok(restored.includes("profile.name") && restored.includes("tags.VIP"), restored.join());

  const ws = await chen.find(WORKSPACE_URL);
  ws.change((d) => {
    d.members["sales-chen"] = {
      name: new A.ImmutableString("陈"), role: new A.ImmutableString("admin"), active: true, joined_at: Date.now(),
    };
    delete d.rules;
  });
  await until("the edge to put the workspace back", () =>
    !ws.doc().members["sales-chen"] && Object.keys(ws.doc().rules ?? {}).length > 0);

  // A note far beyond its length is refused whole (the attacker's socket closes).
  target.change((d) => A.splice(d, ["notes"], 0, 0, "长".repeat(25_000)));
  // An expired token cannot go on using its open socket: the next frame closes it with 4001.
  const expiring = signToken(workspace, { member: "sales-zhou", role: "sales", ttlMs: 2_000 });
  const socket = new WebSocket(`${edge.wsUrl}/ws/${workspace}?token=${expiring}`);
  socket.binaryType = "arraybuffer";
  const frames = [];
  socket.on("message", (data) => frames.push(data));
  await new Promise((resolve, reject) => { socket.on("open", resolve); socket.on("error", reject); });
  socket.send(joinFrame("raw-zhou"));
  await until("the edge's peer message", () => frames.length > 0);
  await sleep(2_500);
  const closed = new Promise((resolve) => socket.on("close", (code) => resolve(code)));
  socket.send(joinFrame("raw-zhou"));
  assert.equal(await closed, 4001);

  // The honest devices never saw any of it, and the edge still serves them.
  assert.deepEqual([...names], ["秦岚 Qin Lan"]);
  assert.equal(tagless, 0, "the tag never disappeared on another device");
  assert.deepEqual(escalations, []);
  assert.ok(!String(watched.doc().notes).includes("长长长"));
  watched.change((d) => { d.profile.company = new A.ImmutableString("经理改的公司"); });
  await page.locator(".profile-card .row-sub", { hasText: "经理改的公司" }).waitFor({ timeout: 5_000 });
  await page.locator(".profile-card .name", { hasText: "秦岚" }).waitFor();
  await page.locator(".chip.tag", { hasText: "VIP" }).waitFor();

  // The audit trail names the attacker from its token: the admin reads all of it, a
  // salesperson only a customer's history (the app's History card).
  const trail = async (role, query) => {
    const token = signToken(workspace, { member: role, role });
    const url = `${edge.wsUrl.replace("ws", "http")}/ws/${workspace}/audit?${query}`;
    return fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  };
  const entries = await (await trail("admin", "member=sales-chen")).json();
  const decisions = entries.map((e) => e.decision.kind);
  assert.ok(decisions.includes("restored"), decisions.join());
  assert.ok(decisions.includes("refused"), "the oversize note");
  assert.ok(entries.every((e) => e.member === "sales-chen" && e.role === "sales"));
  assert.equal((await trail("sales", "")).status, 403);
  await page.locator(".history summary").click();
  await page.locator(".audit-entry[data-decision='restored']").first().waitFor({ timeout: 5_000 });
});
