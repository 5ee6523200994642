// Initial sync benchmark of the app (run by `cargo xtask bench`): our edge (`wrangler dev`)
// holds the seeded demo workspace of N customers; a brand-new browser context (empty
// IndexedDB) opens the app, and we time from navigation until every customer is listed, and
// until every document is stored and the badge says the device is up to date; then reloads
// the first device and times the list and the link back up to date. Usage: node tests/bench/initial-sync.mjs <N>.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser } from "../support/browser.mjs";
import { touch } from "../support/touch.mjs";

const customers = Number(process.argv[2] ?? 10_000);
const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-bench-sync-"));
const edge = await startEdge({
  persistDir,
  vars: { DEMO_WORKSPACE: "bench", DEMO_CUSTOMERS: String(customers) },
});
const app = await startApp();
// Every customer listed and the badge saying the device is up to date with the edge.
const upToDate = (page) =>
  page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid="result-count"]')?.textContent.trim() === String(n) &&
      document.querySelector('.sync-badge[data-status="online"]'),
    customers,
    { timeout: 600_000, polling: 50 },
  );
const browser = await launchBrowser();
try {
  const token = signToken("bench", { member: "manager", role: "manager" });
  const seeding = performance.now();
  await touch(`${edge.url}/ws/bench?token=${token}`);
  console.log(`edge seeded ${customers} demo customers in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  for (const run of [1, 2]) {
    const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(`${app.url}/?workspace=bench&edge=${edge.wsUrl}&token=${token}`);
    // The list is complete once the edge's summary rows are in, before the documents.
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="result-count"]')?.textContent.trim() === String(n),
      customers,
      { timeout: 600_000, polling: 100 },
    );
    const listed = (performance.now() - start) / 1000;
    await upToDate(page);
    const seconds = (performance.now() - start) / 1000;
    console.log(`app initial sync, fresh device ${run}: ${customers} customers listed in ${listed.toFixed(2)} s, all stored and up to date in ${seconds.toFixed(2)} s`);
    if (run === 1) {
      // The same device again, nothing changed: the link opens and says it is up to date.
      const again = performance.now();
      await page.reload();
      await page.locator(".customer-row").first().waitFor({ timeout: 600_000 });
      const painted = (performance.now() - again) / 1000;
      await upToDate(page);
      const level = (performance.now() - again) / 1000;
      console.log(`app reload, nothing changed: list in ${painted.toFixed(2)} s, link open and up to date in ${level.toFixed(2)} s`);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await app.stop();
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
