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
import { startEdge } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer } from "../support/browser.mjs";

const artifacts = path.resolve("tests/artifacts");

async function setup(t) {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const app = await startApp();
  const browser = await launchBrowser();
  const state = { edge: await startEdge({ persistDir }) };
  t.after(async () => {
    await browser.close();
    await state.edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  const workspace = `smoke-${process.pid}-${Date.now()}`;
  const pageUrl = () => `${app.url}/?workspace=${workspace}&edge=${state.edge.wsUrl}`;
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
  await waitForName(c.page, customer);
  assert.deepEqual(await names(c.page), [customer]);
  await c.page.screenshot({ path: path.join(artifacts, "smoke-phone.png") });
});

// A well-formed frame (version 1, id "c1") whose document is junk.
const JUNK_DOCUMENT_FRAME = [1, 0, 2, ...Buffer.from("c1"), 1, 2, 3, 4, 5];

test("a garbage frame closes only its own socket; the workspace keeps syncing", async (t) => {
  const { browser, state, workspace, pageUrl } = await setup(t);
  const a = await openDevice(browser, pageUrl());
  await waitForStatus(a.page, "online");

  const close = await a.page.evaluate(
    ([url, frame]) =>
      new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => ws.send(new Uint8Array(frame));
        ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
      }),
    [`${state.edge.wsUrl}/ws/${workspace}`, JUNK_DOCUMENT_FRAME],
  );
  assert.equal(close.code, 1007);
  assert.match(close.reason, /invalid document/);

  await addCustomer(a.page, "李娜 Li Na");
  const b = await openDevice(browser, pageUrl());
  await waitForName(b.page, "李娜 Li Na");
});

// The status of a GET, with raw headers (fetch forbids `Upgrade`).
function status(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on("error", reject);
  });
}

test("the edge refuses what is not a workspace WebSocket", async (t) => {
  const { state } = await setup(t);
  const upgrade = { connection: "Upgrade", upgrade: "websocket" };
  assert.equal(await status(`${state.edge.url}/ws/demo`), 426);
  assert.equal(await status(`${state.edge.url}/ws/bad%20id`, upgrade), 400);
  assert.equal(await status(`${state.edge.url}/elsewhere`), 404);
});
