// The official JavaScript client — npm @automerge/automerge-repo with its WebSocket network
// adapter, unchanged — and the app edit the same customer through our edge, each seeing the
// other's changes. The customer is addressed by its automerge-repo document URL. The client,
// with a manager's token, cannot change the workspace's rules or name, and can save a segment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer } from "../support/browser.mjs";
import { repoUrl, until } from "../support/fixture.mjs";

test("the official automerge-repo client and the app sync one customer both ways", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const app = await startApp();
  const browser = await launchBrowser();
  const edge = await startEdge({ persistDir });
  const workspace = `interop-${process.pid}-${Date.now()}`;
  const token = signToken(workspace, { member: "manager", role: "manager" });
  const repo = new Repo({
    network: [new WebSocketClientAdapter(`${edge.wsUrl}/ws/${workspace}?token=${token}`)],
  });
  t.after(async () => {
    await repo.shutdown();
    await browser.close();
    await edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });

  const { page } = await openDevice(browser, edge.appUrl(app.url, workspace));
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 10_000 });
  await addCustomer(page, "周敏 Zhou Min");
  await page.locator(".customer-row .name", { hasText: "周敏" }).click();
  await page.locator(".profile-card .name", { hasText: "周敏" }).waitFor();
  const id = new URL(page.url()).pathname.split("/").pop();
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 10_000 });

  // Found by URL, it arrives with the profile the app wrote.
  const handle = await repo.find(repoUrl(id));
  assert.equal(String(handle.doc().profile.name), "周敏 Zhou Min");
  assert.equal(Number(handle.doc().schema_version), 1); // stored as an unsigned integer: a BigInt in JS

  // Node → app: a splice into the shared notes and a scalar string (ImmutableString, as
  // docs/schema.md asks of JavaScript writers).
  handle.change((d) => {
    A.splice(d, ["notes"], 0, 0, "Node 写的备注。");
    d.profile.company = new A.ImmutableString("自动合并有限公司");
  });
  await page.locator(".profile-card .row-sub", { hasText: "自动合并有限公司" }).waitFor({ timeout: 5_000 });
  await until("the note in the app", async () =>
    (await page.getByRole("textbox", { name: "Notes" }).inputValue()).includes("Node 写的备注。"));

  // App → Node: a tag added in the app.
  await page.getByRole("textbox", { name: "Add tag" }).fill("VIP");
  await page.getByRole("textbox", { name: "Add tag" }).press("Enter");
  await until("the tag in the Node client", () => Boolean(handle.doc().tags?.VIP));
  assert.equal(String(handle.doc().tags.VIP.added_by), "sales-zhang");

  // The workspace document travels under its reserved URL and lists the customer.
  const ws = await repo.find("automerge:4ZrjxJnU1LA5xSyrWMNuXTozYEvA");
  assert.ok(ws.doc().directory[id], "the workspace directory lists the customer");

  // Rules and the team's settings are for admins: a manager's change to a rule and to the
  // team's name is put back by the edge; a segment, which managers may save, stays.
  const original = String(ws.doc().rules["high-value"]);
  const disabled = JSON.stringify({ ...JSON.parse(original), enabled: false });
  const name = String(ws.doc().name);
  const segment = JSON.stringify({ id: "mine", name: "经理的分组", tags: ["VIP"], lifecycle: [], source: [], owner: null });
  ws.change((d) => {
    d.rules["high-value"] = new A.ImmutableString(disabled);
    d.rules["segment:mine"] = new A.ImmutableString(segment);
    d.name = new A.ImmutableString("经理改的名字");
  });
  await until("the edge to put the rule back", () => String(ws.doc().rules["high-value"]) === original);
  assert.equal(String(ws.doc().name), name);
  assert.equal(String(ws.doc().rules["segment:mine"]), segment);
});
