// Spreadsheets in and out, as a new team would start: a GBK CSV from Chinese Excel with bad
// rows and a repeated person, then a 1,000-row XLSX; the customers reach a second browser;
// the list exported and imported again finds every customer it holds (no duplicates).
// Fixtures: tests/fixtures/generated/, written by `cargo run -p crm-sheets --example fixtures`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openDevice, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const FIXTURES = path.resolve("tests/fixtures/generated");
const online = (page) => page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
const figure = (page, id, cls) => page.getByTestId(id).locator(`.figure${cls} strong`).innerText();

/** Picks `file` on the import screen; its columns are shown. */
const pick = (page, file) => page.locator('.file-pick input[type="file"]').setInputFiles(file);

/** Checks the picked file's rows and waits for the summary. */
async function checkRows(page) {
  await page.getByRole("button", { name: "Check the rows" }).click({ timeout: 20_000 });
  await page.getByTestId("import-summary").waitFor({ timeout: 30_000 });
}

/** Picks `file` and checks it. */
async function check(page, file) {
  await pick(page, file);
  await checkRows(page);
}

test("a GBK CSV and a 1,000-row XLSX import with their errors reported; an export imports again as the same customers", async (t) => {
  const { app, browser, as } = await startStack(t, "import", { customers: 0 });
  const { page } = await openDevice(browser, as("admin", "admin"));
  const { page: manager } = await openDevice(browser, as("manager", "manager"));
  await Promise.all([online(page), online(manager)]);

  // The GBK CSV: the Chinese headers are recognised, every row checked before anything is stored.
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await pick(page, path.join(FIXTURES, "customers-gbk.csv"));
  assert.equal(await page.getByLabel("手机").inputValue({ timeout: 20_000 }), "phone");
  assert.equal(await page.getByLabel("负责人").inputValue(), "owner");
  await page.screenshot({ path: "tests/artifacts/import-columns-desktop.png", ...wholePage });
  await checkRows(page);
  assert.equal(await figure(page, "import-summary", ".rows"), "12");
  assert.equal(await figure(page, "import-summary", ".new"), "9");
  assert.equal(await figure(page, "import-summary", ".repeated"), "1");
  assert.equal(await figure(page, "import-summary", ".failed"), "2");
  const bad = page.locator('.import-rows tr.failed[data-line="8"]');
  assert.match(await bad.innerText(), /陈刚\s+Phone “12345”: not valid/);
  assert.match(await page.locator('.import-rows tr.failed[data-line="11"]').innerText(), /Owner “王五”: no member of the team/);
  assert.match(await page.locator('.import-rows tr.repeated[data-line="5"]').innerText(), /same person as line 2/);
  await page.screenshot({ path: "tests/artifacts/import-desktop.png", ...wholePage });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Import finished" }).waitFor({ timeout: 30_000 });
  assert.equal(await figure(page, "import-report", ".created"), "9");
  assert.equal(await figure(page, "import-report", ".updated"), "1");
  assert.equal(await figure(page, "import-report", ".failed"), "2");
  // The report downloads as a CSV naming each failed line.
  const [report] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the report" }).click()]);
  const reportText = await readFile(await report.path(), "utf8");
  assert.match(reportText, /^\uFEFF/);
  assert.match(reportText, /\n8,陈刚,not imported,"Phone “12345”: not valid/);

  // The repeated person is one customer with both contact points; the manager's browser has them all.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll(".customer-row").length === 9, null, { timeout: 20_000 });
  await manager.waitForFunction(() => document.querySelectorAll(".customer-row").length === 9, null, { timeout: 30_000 });
  await manager.locator(".customer-row", { hasText: "孙丽" }).locator(".row-link").click();
  await manager.locator(".contact", { hasText: "sunli@example.cn" }).waitFor({ timeout: 20_000 });
  await manager.locator(".chip", { hasText: "展会" }).waitFor();

  // 1,000 rows of XLSX.
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await check(page, path.join(FIXTURES, "customers-1000.xlsx"));
  assert.equal(await figure(page, "import-summary", ".new"), "1000");
  const started = Date.now();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Import finished" }).waitFor({ timeout: 120_000 });
  console.log(`1,000-row XLSX imported in ${Date.now() - started} ms`);
  assert.equal(await figure(page, "import-report", ".created"), "1000");
  await manager.getByRole("link", { name: "Customers", exact: true }).click();
  await manager.getByTestId("result-count").filter({ hasText: /^1009$/ }).waitFor({ timeout: 60_000 });

  // The list exported to CSV and imported again: every row is a customer already.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByTestId("result-count").filter({ hasText: /^1009$/ }).waitFor({ timeout: 20_000 });
  await page.getByRole("button", { name: "Export", exact: true }).click();
  await page.getByLabel("Format").selectOption("csv");
  const [exported] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export 1009 customers" }).click(),
  ]);
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), "crm-export-")), "customers.csv");
  await exported.saveAs(file);
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await check(page, file);
  assert.equal(await figure(page, "import-summary", ".existing"), "1009");
  assert.equal(await figure(page, "import-summary", ".new"), "0");
  assert.equal(await figure(page, "import-summary", ".failed"), "0");
});
