// Edit → visible between two browsers (browser bench): two devices (headless Chromium, two
// contexts: the admin and the manager) have the same customer open; the admin adds a tag, one
// every 300 ms; measured from the moment the form is submitted on A to the tag in B's DOM and to
// B's next frame, and where the time goes, from the app's sync marks (`browser::trace`, on
// because the pages set `window.crmTrace`): A's edit, the frame sent, the
// edge and the network (A's send → B's frame), B's engine and the page's update; A's
// IndexedDB write, which runs beside that path, from the edit to its commit. Times are
// epoch milliseconds (`performance.timeOrigin + now`) read in each page. The sockets go
// uncompressed, as the deployed edge's (`tests/support/no-deflate.mjs`), unless
// CRM_BENCH_DEFLATE=1 leaves wrangler dev's compression.
//
// Usage: node tests/bench/edit-visible.mjs [edits]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice } from "../support/browser.mjs";
import { withoutCompression } from "../support/no-deflate.mjs";

const EDITS = Number(process.argv[2] ?? 60);
const GAP_MS = 300;

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const fmt = (x) => `${x.toFixed(1)} ms`;

const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
const workspace = `visible-${process.pid}-${Date.now()}`;
const edge = await startEdge({ persistDir, vars: { DEMO_WORKSPACE: workspace, DEMO_CUSTOMERS: "20" } });
const relay = process.env.CRM_BENCH_DEFLATE === "1" ? null : await withoutCompression(edge);
const app = await startApp();
const browser = await launchBrowser();
try {
  const device = async (member, role) => {
    const { context, page } = await openDevice(browser, (relay ?? edge).appUrl(app.url, workspace, { member, role }));
    await context.addInitScript(() => { window.crmTrace = true; });
    await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 30_000 });
    return page;
  };
  const a = await device("admin", "admin");
  const b = await device("manager", "manager");
  await a.locator(".customer-row .row-link").first().click();
  const customer = new URL(a.url()).pathname;
  // Reloaded so the init script's flag is read at start-up.
  for (const page of [a, b]) {
    await page.goto(new URL(customer, page.url()).href);
    await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 30_000 });
    await page.getByRole("textbox", { name: "Add tag" }).waitFor();
  }

  // Every sync mark of `page` since the last call, in epoch ms.
  const marks = (page) => page.evaluate(() => {
    const out = performance.getEntriesByType("mark")
      .filter((m) => m.name.startsWith("crm:"))
      .map((m) => ({ name: m.name, at: performance.timeOrigin + m.startTime }));
    performance.clearMarks();
    return out;
  });
  const first = (ms, name, after) => ms.find((m) => m.name === name && m.at >= after)?.at;
  const last = (ms, name, before) => ms.filter((m) => m.name === name && m.at <= before).at(-1)?.at;

  // The path from A's submit to B's screen, step by step; A's IndexedDB write runs beside it.
  const steps = {
    "A: submit → edit": [], "A: the engine's edit": [], "A: edited → frame sent": [],
    "edge + network (A sent → B frame)": [], "B: frame → page's state": [], "B: state → DOM": [],
    "B: DOM → next frame": [], "A: write, edit → committed (beside)": [],
  };
  const totals = { dom: [], painted: [] };
  await marks(a);
  await marks(b);
  for (let i = 0; i < EDITS; i++) {
    const tag = `t${i}`;
    await a.getByRole("textbox", { name: "Add tag" }).fill(tag);
    const seen = b.evaluate((tag) => new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (![...document.querySelectorAll(".chip.tag")].some((c) => c.textContent.includes(tag))) return;
        observer.disconnect();
        const dom = performance.timeOrigin + performance.now();
        requestAnimationFrame(() => setTimeout(() => resolve({ dom, painted: performance.timeOrigin + performance.now() })));
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    }), tag);
    await new Promise((r) => setTimeout(r, 50));
    const submitted = await a.evaluate(() => {
      const form = document.querySelector('input[aria-label="Add tag"]').form;
      const at = performance.timeOrigin + performance.now();
      form.requestSubmit();
      return at;
    });
    const { dom, painted } = await seen;
    totals.dom.push(dom - submitted);
    totals.painted.push(painted - submitted);
    const [ma, mb] = [await marks(a), await marks(b)];
    const edit = first(ma, "crm:edit", submitted);
    const edited = first(ma, "crm:edited", edit);
    const sent = first(ma, "crm:send", edited);
    const written = first(ma, "crm:written", edited);
    const shown = last(mb, "crm:shown", dom);
    const frame = last(mb, "crm:frame", shown);
    if (written !== undefined) steps["A: write, edit → committed (beside)"].push(written - edit);
    const at = { edit, edited, sent, shown, frame };
    if (Object.values(at).some((x) => x === undefined)) {
      console.warn(`edit ${i}: a mark is missing`, at);
    } else {
      const add = (k, v) => steps[k].push(v);
      add("A: submit → edit", edit - submitted);
      add("A: the engine's edit", edited - edit);
      add("A: edited → frame sent", sent - edited);
      add("edge + network (A sent → B frame)", frame - sent);
      add("B: frame → page's state", shown - frame);
      add("B: state → DOM", dom - shown);
      add("B: DOM → next frame", painted - dom);
    }
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  console.log(`edit → visible, two browsers, ${EDITS} tags added one at a time (${relay ? "uncompressed sockets, as deployed" : "wrangler dev's compressed sockets"}):`);
  console.log(`  submit on A → tag in B's DOM:   p50 ${fmt(percentile(totals.dom, 0.5))}, p99 ${fmt(percentile(totals.dom, 0.99))}, max ${fmt(Math.max(...totals.dom))}`);
  console.log(`  submit on A → B's next frame:   p50 ${fmt(percentile(totals.painted, 0.5))}, p99 ${fmt(percentile(totals.painted, 0.99))}`);
  for (const [step, xs] of Object.entries(steps)) {
    console.log(`  ${step.padEnd(36)} p50 ${fmt(percentile(xs, 0.5))}, p99 ${fmt(percentile(xs, 0.99))}`);
  }
} finally {
  await browser.close();
  await app.stop();
  await relay?.stop();
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
