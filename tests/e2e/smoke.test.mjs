// The smoke thread through every layer: a customer typed in the app is kept in IndexedDB
// (shown again after a reload with the edge down), reaches the workspace's Durable Object over
// WebSocket, is persisted there, and is served to a brand-new device after `wrangler dev`
// restarts. A garbage frame closes only the socket that sent it.
import { test } from "node:test";
import http from "node:http";
import assert from "node:assert/strict";
import { mkdtemp, rm, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer, showList } from "../support/browser.mjs";

const artifacts = path.resolve("tests/artifacts");

async function setup(t) {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const app = await startApp();
  const browser = await launchBrowser();
  const state = { edge: await startEdge({ persistDir }), app };
  t.after(async () => {
    await browser.close();
    await state.edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  const workspace = `smoke-${process.pid}-${Date.now()}`;
  const pageUrl = () => state.edge.appUrl(app.url, workspace);
  return { browser, state, persistDir, pageUrl, workspace };
}

const names = (page) => page.locator(".customer-row .name").allTextContents();

async function waitForName(page, name) {
  await page.locator(".customer-row .name", { hasText: name }).waitFor({ timeout: 10_000 });
}

async function waitForStatus(page, status) {
  await page.locator(`.sync-badge[data-status="${status}"]`).waitFor({ timeout: 10_000 });
}

test("a customer survives a reload from IndexedDB and an edge restart in Durable Object storage", async (t) => {
  const { browser, state, persistDir, pageUrl } = await setup(t);
  const customer = "张伟 Zhang Wei";

  const a = await openDevice(browser, pageUrl());
  await waitForStatus(a.page, "online");
  await addCustomer(a.page, customer);
  await waitForName(a.page, customer);
  await mkdir(artifacts, { recursive: true });
  await a.page.screenshot({ path: path.join(artifacts, "smoke-desktop.png") });

  // A second device sees it through the edge.
  const b = await openDevice(browser, pageUrl());
  await waitForName(b.page, customer);
  await b.context.close();

  // With the edge down, a reload shows it from IndexedDB alone.
  await state.edge.stop();
  await a.page.reload();
  await waitForStatus(a.page, "offline");
  assert.deepEqual(await names(a.page), [customer]);
  await a.context.close();

  // After a restart, a brand-new device (a phone, empty IndexedDB) gets it from the Durable Object.
  state.edge = await startEdge({ persistDir });
  const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
  const c = await openDevice(browser, pageUrl(), phone);
  await showList(c.page);
  await waitForName(c.page, customer);
  assert.deepEqual(await names(c.page), [customer]);
  await c.page.screenshot({ path: path.join(artifacts, "smoke-phone.png") });
});

// Frames that must close their socket: not CBOR; a sync message without its sender; a valid
// message before `join`; a text frame.
const cborText = (s) => [0x60 + s.length, ...Buffer.from(s)];
const GARBAGE = [
  { frame: [0xff, 0x00, 0x13, 0x37], code: 1007, reason: /malformed/ },
  { frame: [0xa1, ...cborText("type"), ...cborText("sync")], code: 1007, reason: /without senderId/ },
  { frame: [0xa2, ...cborText("type"), ...cborText("leave"), ...cborText("senderId"), ...cborText("x")], code: 1007, reason: /must be join/ },
  { frame: "hello", code: 1003, reason: /binary/ },
];

test("a garbage frame closes only its own socket; the workspace keeps syncing", async (t) => {
  const { browser, state, workspace, pageUrl } = await setup(t);
  const a = await openDevice(browser, pageUrl());
  await waitForStatus(a.page, "online");

  for (const { frame, code, reason } of GARBAGE) {
    const close = await a.page.evaluate(
      ([url, frame]) =>
        new Promise((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => ws.send(typeof frame === "string" ? frame : new Uint8Array(frame));
          ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
        }),
      [`${state.edge.wsUrl}/ws/${workspace}?token=${signToken(workspace)}`, frame],
    );
    assert.equal(close.code, code, JSON.stringify(close));
    assert.match(close.reason, reason);
  }

  await addCustomer(a.page, "李娜 Li Na");
  const b = await openDevice(browser, pageUrl());
  await waitForName(b.page, "李娜 Li Na");

  // The edge keeps every customer's summary row current, for new devices to list at once.
  const rows = await (await fetch(`${state.edge.url}/ws/${workspace}/rows?token=${signToken(workspace)}`)).json();
  const row = rows.find((r) => r.row.name === "李娜 Li Na");
  assert.ok(row, JSON.stringify(rows));
  assert.ok(row.heads.length > 0 && row.heads.every((h) => /^[0-9a-f]{64}$/.test(h)));
});

// The status of a GET, with raw headers (fetch forbids `Upgrade`); 101 when it upgrades.
function status(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on("upgrade", (res, socket) => {
        socket.destroy();
        resolve(res.statusCode);
      })
      .on("error", reject);
  });
}

test("the edge refuses what is not a workspace WebSocket with a valid token for it", async (t) => {
  const { state } = await setup(t);
  const upgrade = {
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  const ws = (query) => status(`${state.edge.url}/ws/acme${query}`, upgrade);
  assert.equal(await status(`${state.edge.url}/ws/acme`), 401, "no token, no upgrade");
  assert.equal(await status(`${state.edge.url}/ws/acme?token=${signToken("acme")}`), 426, "a good token, no upgrade");
  assert.equal(await status(`${state.edge.url}/ws/bad%20id`, upgrade), 400);
  assert.equal(await status(`${state.edge.url}/elsewhere`), 404);
  const good = signToken("acme");
  assert.equal(await ws(`?token=${good}`), 101);
  assert.equal(await ws(""), 401, "missing");
  assert.equal(await ws(`?token=${signToken("acme", { ttlMs: -1 })}`), 401, "expired");
  assert.equal(await ws(`?token=${signToken("acme", { secret: "guessed" })}`), 401, "foreign secret");
  const [payload, mac] = good.split(".");
  const admin = signToken("acme", { role: "admin" }).split(".")[0];
  assert.equal(await ws(`?token=${admin}.${mac}`), 401, "tampered");
  assert.equal(await ws(`?token=${payload}`), 401, "unsigned");
  assert.equal(await ws(`?token=${signToken("other")}`), 403, "other workspace");
  // The summary rows are behind the same check.
  const rows = (query) => status(`${state.edge.url}/ws/acme/rows${query}`);
  assert.equal(await rows(""), 401, "rows without a token");
  assert.equal(await rows(`?token=${signToken("acme", { ttlMs: -1 })}`), 401, "rows, expired");
  assert.equal(await rows(`?token=${signToken("other")}`), 403, "rows of another workspace");
  assert.equal(await rows(`?token=${good}`), 200, "rows");
  assert.equal(await rows(`?token=${good}&after=ffffffffffffffffffffffffffffffff`), 200, "rows after the last");
  assert.equal(await status(`${state.edge.url}/ws/acme/elsewhere?token=${good}`), 404);
});

test("a device whose token the edge refuses says so, and keeps its data", async (t) => {
  const { browser, state, workspace } = await setup(t);
  const app = state.app;
  // Expired beyond the renewal grace (90 days): the edge will not renew it either.
  const expired = signToken(workspace, { ttlMs: -91 * 24 * 3600_000 });
  const { page } = await openDevice(browser, `${app.url}/?workspace=${workspace}&edge=${state.edge.wsUrl}&token=${expired}`);
  await page.locator('.sync-badge[data-status="signed-out"]').waitFor({ timeout: 15_000 });
  assert.match(await page.locator(".sync-badge").innerText(), /Sign-in expired/);
  await addCustomer(page, "本机客户");
  assert.deepEqual(await names(page), ["本机客户"]);
});
