// A teammate's change on an open customer page (browser bench): a customer with 200
// interactions is open in headless Chromium (signed in as the manager); a teammate's official
// automerge-repo client logs one interaction at a time; measured on the page: the time from the
// teammate's change to its row on screen, and how many elements the page removes and adds for
// it (a keyed timeline inserts one row; a rebuilt one replaces every row).
//
// Usage: node tests/bench/teammate-change.mjs [changes]
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice } from "../support/browser.mjs";
import { repoUrl } from "../support/fixture.mjs";
import { call, hex, median, stopAll, teammateAt } from "../support/teammate.mjs";

const CHANGES = Number(process.argv[2] ?? 10);
const INTERACTIONS = 200;

const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
const workspace = `teammate-${process.pid}-${Date.now()}`;
const edge = await startEdge({ persistDir, vars: { DEMO_WORKSPACE: workspace, DEMO_CUSTOMERS: "3" } });
const app = await startApp();
const browser = await launchBrowser();
const url = `${edge.wsUrl}/ws/${workspace}?token=${signToken(workspace, { member: "admin", role: "admin" })}`;
const teammate = teammateAt(url);
try {
  const ws = await teammate.find(repoUrl("workspace"));
  const id = Object.keys(ws.doc().directory)[0];
  const customer = await teammate.find(repoUrl(id));
  const start = Date.now() - INTERACTIONS * 3_600_000;
  customer.change((d) => {
    for (let i = 0; i < INTERACTIONS; i++) d.interactions[hex()] = call(start + i * 3_600_000, `第 ${i} 次通话`);
  });

  const { page } = await openDevice(browser, edge.appUrl(app.url, workspace, { member: "manager", role: "manager" }));
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await page.goto(new URL(`/customers/${id}`, page.url()).href);
  await page.waitForFunction((n) => document.querySelectorAll(".timeline .event").length >= n, INTERACTIONS, { timeout: 30_000 });

  const latencies = [];
  const removed = [];
  const added = [];
  for (let n = 0; n < CHANGES; n++) {
    const summary = `同事的第 ${n} 条记录`;
    // Counts the elements the page takes out and puts in until the row shows, and when.
    const seen = page.evaluate((summary) => new Promise((resolve) => {
      const counts = { removed: 0, added: 0 };
      const observer = new MutationObserver((records) => {
        for (const r of records) {
          counts.removed += [...r.removedNodes].filter((x) => x.nodeType === 1).length;
          counts.added += [...r.addedNodes].filter((x) => x.nodeType === 1).length;
        }
        const shown = [...document.querySelectorAll(".timeline .event")].some((e) => e.textContent.includes(summary));
        if (shown) {
          observer.disconnect();
          resolve({ at: Date.now(), ...counts });
        }
      });
      observer.observe(document.querySelector(".grid-360"), { childList: true, subtree: true });
    }), summary);
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    customer.change((d) => { d.interactions[hex()] = call(Date.now(), summary); });
    const result = await seen;
    latencies.push(result.at - sent);
    removed.push(result.removed);
    added.push(result.added);
  }
  console.log(`teammate's interaction on a customer with ${INTERACTIONS}: change → row on screen median ${median(latencies)} ms (max ${Math.max(...latencies)}), elements removed median ${median(removed)}, added median ${median(added)} per change (${CHANGES} changes)`);
} finally {
  await stopAll({ teammate, browser, app, edge, persistDir });
}
