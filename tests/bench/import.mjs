// Import and export at scale (browser bench, run by `cargo xtask bench`): a device holding the
// demo workspace of N customers (synced from `wrangler dev`) imports a 10,000-row XLSX — every
// row checked for duplicates against the N customers on the device — timed from "Import"
// until the report shows and every new customer is stored in IndexedDB (the count of the
// documents store); then exports the whole list (N + 10,000) to XLSX, timed from "Export" to
// the download. The XLSX is written by `cargo run -p crm-sheets --example fixtures -- 10000`.
// Usage: node tests/bench/import.mjs [N]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser } from "../support/browser.mjs";

const customers = Number(process.argv[2] ?? 10000);
const ROWS = 10000;
execFileSync("cargo", ["run", "-q", "-p", "crm-sheets", "--example", "fixtures", "--", String(ROWS)], { stdio: "inherit" });
const file = path.resolve(`tests/fixtures/generated/customers-${ROWS}.xlsx`);
const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-bench-import-"));
const edge = await startEdge({ persistDir, vars: { DEMO_WORKSPACE: "bench", DEMO_CUSTOMERS: String(customers) } });
const app = await startApp();
const browser = await launchBrowser();
/** The customer documents in the device's IndexedDB. */
const stored = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open("crm-bench");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const count = open.result.transaction("documents").objectStore("documents").count();
    count.onsuccess = () => resolve(count.result - 1);
  };
}));
try {
  const token = signToken("bench", { member: "admin", role: "admin" });
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${app.url}/?workspace=bench&edge=${edge.wsUrl}&token=${token}&lang=en`);
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="result-count"]')?.textContent.trim() === String(n) &&
      document.querySelector('.sync-badge[data-status="online"]'),
    customers,
    { timeout: 600_000, polling: 100 },
  );
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.locator('.file-pick input[type="file"]').setInputFiles(file);
  const checking = performance.now();
  await page.getByRole("button", { name: "Check the rows" }).click({ timeout: 60_000 });
  await page.getByTestId("import-summary").waitFor({ timeout: 120_000 });
  const checked = (performance.now() - checking) / 1000;
  const importing = performance.now();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Import finished" }).waitFor({ timeout: 600_000 });
  const reported = (performance.now() - importing) / 1000;
  while ((await stored(page)) < customers + ROWS) await page.waitForTimeout(50);
  const inStorage = (performance.now() - importing) / 1000;
  console.log(
    `import of ${ROWS} XLSX rows against ${customers} customers: read and checked in ${checked.toFixed(2)} s; ` +
      `imported (report shown) in ${reported.toFixed(2)} s, all stored in IndexedDB in ${inStorage.toFixed(2)} s ` +
      `(${(checked + inStorage).toFixed(2)} s from "Check the rows")`,
  );
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByTestId("result-count").filter({ hasText: String(customers + ROWS) }).waitFor({ timeout: 120_000 });
  await page.getByRole("button", { name: "Export", exact: true }).click();
  const exporting = performance.now();
  const [download] = await Promise.all([
    page.waitForEvent("download", { timeout: 120_000 }),
    page.getByRole("button", { name: `Export ${customers + ROWS} customers` }).click(),
  ]);
  await download.path();
  console.log(`export of ${customers + ROWS} customers to XLSX: ${((performance.now() - exporting) / 1000).toFixed(2)} s`);
  await context.close();
} finally {
  await browser.close();
  await edge.stop();
  await app.stop();
  await rm(persistDir, { recursive: true, force: true });
}
