// Live collaboration after quiet: two app devices and two official automerge-repo clients on
// one customer, quiet for 15, 30 and 60 s (the Durable Object hibernates after ~10 s; its log
// says each time it woke up knowing every open socket), then an edit on one device is on every
// other within a second. The same after the edge is killed and restarted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { startEdge, signToken } from "../support/edge.mjs";
import { repoUrl } from "../support/fixture.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer } from "../support/browser.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds until every check passes (polled), or a failure naming what never came. */
async function visibleEverywhere(checks, timeoutMs) {
  const start = Date.now();
  const pending = new Map(Object.entries(checks));
  while (pending.size > 0) {
    for (const [name, check] of pending) if (await check()) pending.delete(name);
    if (pending.size === 0) break;
    if (Date.now() - start > timeoutMs) assert.fail(`not within ${timeoutMs} ms on: ${[...pending.keys()].join(", ")}`);
    await sleep(10);
  }
  return Date.now() - start;
}

/** The lines of the edge's log saying the object woke up with `n` open sockets. */
/** Wake-ups of the object that found at least `n` open sockets (after a restart a device's
 * socket from before may still count as open while its new one joins). */
const wakeUps = (edge, n) => edge.log().split("\n")
  .map((l) => /workspace woke up with (\d+) open sockets/.exec(l))
  .filter((m) => m && Number(m[1]) >= n).length;

test("after 15, 30 and 60 s of quiet, and after an edge restart, an edit reaches every device within a second", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const app = await startApp();
  const browser = await launchBrowser();
  let edge = await startEdge({ persistDir, logLevel: "log" });
  const workspace = `idle-${process.pid}-${Date.now()}`;
  const token = signToken(workspace, { member: "manager", role: "manager" });
  const repos = [0, 1].map(() => new Repo({
    network: [new WebSocketClientAdapter(`${edge.wsUrl}/ws/${workspace}?token=${token}`, 500)],
  }));
  t.after(async () => {
    await Promise.all(repos.map((r) => r.shutdown().catch(() => {})));
    await browser.close();
    await edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });

  const url = edge.appUrl(app.url, workspace);
  const a = await openDevice(browser, url);
  await a.page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 15_000 });
  await addCustomer(a.page, "林静 Lin Jing");
  await a.page.locator(".customer-row .name", { hasText: "林静" }).click();
  const customerUrl = a.page.url();
  const id = new URL(customerUrl).pathname.split("/").pop();
  const b = await openDevice(browser, url);
  await b.page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 15_000 });
  await b.page.goto(customerUrl);
  await b.page.locator(".profile-card .name", { hasText: "林静" }).waitFor({ timeout: 15_000 });
  const [x, y] = await Promise.all(repos.map((r) => r.find(repoUrl(id))));

  const company = (page) => page.locator(".profile-card .row-sub").innerText().catch(() => "");
  const hasTag = (page, tag) => page.locator(".chip.tag", { hasText: tag }).count().then((n) => n > 0);
  /** An edit on app device A; how long until B and both clients have it. */
  async function fromApp(tag) {
    const box = a.page.getByRole("textbox", { name: "Add tag" });
    await box.fill(tag);
    await box.press("Enter");
    return visibleEverywhere({
      "app B": () => hasTag(b.page, tag),
      "client X": () => Boolean(x.doc().tags?.[tag]),
      "client Y": () => Boolean(y.doc().tags?.[tag]),
    }, 1_000);
  }
  /** An edit on official client X; how long until Y and both app devices have it. */
  async function fromClient(name) {
    x.change((d) => { d.profile.company = new A.ImmutableString(name); });
    return visibleEverywhere({
      "client Y": () => String(y.doc().profile.company) === name,
      "app A": async () => (await company(a.page)).includes(name),
      "app B": async () => (await company(b.page)).includes(name),
    }, 1_000);
  }

  const figures = [];
  for (const [quiet, edit] of [[15, fromApp], [30, fromClient], [60, fromApp]]) {
    const woken = wakeUps(edge, 4);
    await sleep(quiet * 1000);
    const ms = await edit(`quiet-${quiet}`);
    assert.ok(wakeUps(edge, 4) > woken, `the object hibernated during ${quiet} s of quiet and woke up knowing all 4 sockets`);
    figures.push(`${quiet} s: ${ms} ms (${edit.name})`);
  }

  // The edge is killed and restarted in place; once everyone is back and quiet, the same.
  await edge.kill();
  edge = await startEdge({ persistDir, port: edge.port, logLevel: "log" });
  for (const { page } of [a, b]) await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 15_000 });
  await sleep(15_000);
  figures.push(`restart + 15 s: ${await fromClient("after-restart")} ms (fromClient)`);
  await sleep(15_000);
  figures.push(`restart + 30 s: ${await fromApp("after-restart")} ms (fromApp)`);
  const woke = edge.log().split("\n").filter((l) => l.includes("woke up"));
  assert.ok(wakeUps(edge, 4) > 0, `the restarted object hibernated and woke up knowing all 4 sockets:\n${woke.join("\n")}`);
  console.log(`edit → visible on every other device after quiet: ${figures.join("; ")}`);
  console.log(`wake-ups after the restart:\n${woke.join("\n")}`);
});
