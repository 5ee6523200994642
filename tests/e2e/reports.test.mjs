// The reports screen on the demo workspace: a manager reads the year's figures and tables,
// a number opens the customer list on exactly the customers it counts; a salesperson's
// screen has their own figures only, and their phone's Today has their work; desktop and
// phone screenshots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDevice, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const online = (page) => page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });

test("a manager reads the year's reports and drills into a number; a salesperson sees their own", async (t) => {
  const { app, browser, as } = await startStack(t, "reports", { customers: 40 });
  const { page: manager } = await openDevice(browser, as("manager", "manager"));
  await online(manager);
  await manager.waitForFunction(() => document.querySelectorAll(".customer-row").length > 0, null, { timeout: 20_000 });
  await manager.getByRole("link", { name: "Reports" }).click();
  await manager.getByRole("button", { name: "This year" }).click();
  const won = manager.locator(".figure", { hasText: "Deals won" });
  await won.waitFor({ timeout: 20_000 });
  const count = Number(await won.locator(".figure-value").innerText());
  assert.ok(count > 0, `demo deals won this year: ${count}`);
  assert.ok((await manager.locator(".report-table").count()) >= 4);
  const byOwner = (page) => page.locator("section.card", { hasText: "By owner" }).locator("table");
  assert.match(await byOwner(manager).innerText(), /张伟|陈静|李娜/);
  // Charts say what they show and carry their figures as a table.
  const chart = manager.locator("figure.chart svg[role=img]").first();
  assert.match(await chart.locator("title").first().textContent(), /Won amount by month/);
  assert.ok((await manager.locator("figure.chart").first().locator("rect").count()) > 0);
  assert.equal(await manager.locator("figure.chart").first().locator("details tbody tr").count(), 12);
  // Chosen days: from the year shown, the same figures; narrowed to a January long ago, none.
  await manager.getByRole("button", { name: "Custom", exact: true }).click();
  const [from, to] = [manager.getByLabel("From", { exact: true }), manager.getByLabel("To", { exact: true })];
  assert.match(await from.inputValue(), /^\d{4}-01-01$/);
  assert.match(await to.inputValue(), /^\d{4}-12-31$/);
  assert.equal(Number(await won.locator(".figure-value").innerText()), count);
  await from.fill("2000-01-01");
  await to.fill("2000-01-31");
  await won.locator(".figure-value", { hasText: /^0$/ }).waitFor({ timeout: 10_000 });
  await manager.screenshot({ path: "tests/artifacts/reports-days.png" });
  await manager.getByRole("button", { name: "This year" }).click();
  await from.waitFor({ state: "detached" });
  assert.equal(Number(await won.locator(".figure-value").innerText()), count);
  await manager.screenshot({ path: "tests/artifacts/reports-desktop.png", ...wholePage });
  await manager.setViewportSize({ width: 390, height: 844 });
  await manager.screenshot({ path: "tests/artifacts/reports-phone.png", ...wholePage });
  const overflow = await manager.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `reports scroll sideways by ${overflow}px`);
  await manager.setViewportSize({ width: 1280, height: 800 });

  // The number opens the list on exactly the customers it counts (a customer with two won
  // deals counts twice in the figure, once in the list).
  await won.click();
  await manager.locator(".picked-note", { hasText: "Deals won · This year" }).waitFor({ timeout: 10_000 });
  const listed = Number(await manager.getByTestId("result-count").innerText());
  assert.ok(listed > 0 && listed <= count, `${listed} customers for ${count} deals won`);
  await manager.getByRole("button", { name: "Show all" }).click();
  await manager.locator(".picked-note").waitFor({ state: "detached" });
  assert.ok(Number(await manager.getByTestId("result-count").innerText()) > listed);

  // A salesperson: no owner picker, only their own line in the owner table.
  const { page: sales } = await openDevice(browser, as("sales-zhang", "sales"));
  await online(sales);
  await sales.goto(`${app.url}/reports`);
  await sales.locator(".figure").first().waitFor({ timeout: 20_000 });
  assert.equal(await sales.getByRole("combobox", { name: "Owner" }).count(), 0);
  // A new device's rows arrive from the edge after the first paint: wait for its own line.
  await byOwner(sales).locator("tbody tr", { hasText: "张伟" }).waitFor({ timeout: 20_000 });
  const ownerRows = await byOwner(sales).locator("tbody tr").allInnerTexts();
  assert.ok(ownerRows.length === 1 && /张伟/.test(ownerRows[0]), ownerRows.join(" | "));

  // The salesperson's phone opens on Today: their due follow-ups, pipeline, teammates' activity.
  await sales.setViewportSize({ width: 390, height: 844 });
  await sales.goto(`${app.url}/`);
  await sales.locator(".today-due h2").waitFor({ timeout: 10_000 });
  assert.ok(sales.url().endsWith("/today"), sales.url());
  const dueCount = Number(await sales.locator(".today-due .count").innerText());
  const items = await sales.locator(".today-due .follow-up").count();
  assert.equal(items, dueCount);
  assert.ok((await sales.locator(".today-pipeline tr").count()) > 0);
  await sales.screenshot({ path: "tests/artifacts/today-phone.png", ...wholePage });
  const sideways = await sales.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(sideways <= 0, `today scrolls sideways by ${sideways}px`);
});
