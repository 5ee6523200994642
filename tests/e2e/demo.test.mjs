// The demo workspace `cargo xtask dev` serves: the edge fills an empty workspace named by
// DEMO_WORKSPACE with generated customers once, and a new device syncs all of them. Screenshots
// of the main screens with living data go to tests/artifacts/, or to docs/screenshots/ (shown
// in the README) when UPDATE_SCREENSHOTS=1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { openDevice, showList, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const shots = path.resolve(process.env.UPDATE_SCREENSHOTS ? "docs/screenshots" : "tests/artifacts");
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const COUNT = 100;

test("the demo workspace is seeded once and synced whole to every new device", async (t) => {
  const { browser, edge, app, workspace } = await startStack(t, "demo", { customers: COUNT });
  await mkdir(shots, { recursive: true });
  const url = edge.appUrl(app.url, workspace);
  const count = (page) => page.locator('[data-testid="result-count"]');
  // Every customer listed and the device level with the edge (nothing saving or syncing).
  const synced = async (page) => {
    await count(page).filter({ hasText: String(COUNT) }).waitFor({ timeout: 20_000 });
    await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  };

  const desk = await openDevice(browser, url, { viewport: { width: 1280, height: 860 } });
  await synced(desk.page);
  await desk.page.screenshot({ path: path.join(shots, "customers-desktop.png") });

  // A new order reaches every row shown, the ones below the screen too (they follow the
  // rows on screen once the browser has painted).
  await desk.page.getByRole("combobox", { name: "Sort" }).selectOption("name");
  const byName = async () => {
    const names = await desk.page.locator(".customer-row .name").allTextContents();
    return names.length === 30 && names.every((name, i) => i === 0 || names[i - 1] <= name);
  };
  for (let tries = 0; !(await byName()) && tries < 50; tries++) await desk.page.waitForTimeout(100);
  assert.ok(await byName(), "all 30 rows shown are in the order by name");

  // The richest customer on the first screen: its 360° page.
  await desk.page.getByRole("combobox", { name: "Sort" }).selectOption("spend");
  await desk.page.locator(".customer-row .row-link").first().click();
  await desk.page.locator(".event").first().waitFor();
  await desk.page.screenshot({ path: path.join(shots, "customer-desktop.png"), ...wholePage });
  await desk.page.getByRole("link", { name: "Follow-ups", exact: true }).click();
  await desk.page.locator(".bucket").first().waitFor();
  await desk.page.screenshot({ path: path.join(shots, "follow-ups-desktop.png"), ...wholePage });

  await desk.page.getByRole("link", { name: "Pipeline", exact: true }).click();
  await desk.page.locator(".deal-card").first().waitFor();
  await desk.page.screenshot({ path: path.join(shots, "pipeline-desktop.png") });
  // The default rules, each with whom it matches among the demo customers.
  await desk.page.getByRole("link", { name: "Rules", exact: true }).click();
  await desk.page.getByTestId("rules-progress").filter({ hasText: `${COUNT} / ${COUNT}` }).waitFor();
  await desk.page.locator(".rule").first().waitFor();
  await desk.page.screenshot({ path: path.join(shots, "rules-desktop.png") });

  // A second device (a phone, in Chinese) gets the same customers, not a second seeding.
  const phone = await openDevice(browser, url, { ...PHONE, locale: "zh-CN" });
  await showList(phone.page);
  await synced(phone.page);
  await phone.page.screenshot({ path: path.join(shots, "customers-phone.png") });
  await phone.page.locator(".customer-row .row-link").first().click();
  await phone.page.locator(".event").first().waitFor();
  await phone.page.screenshot({ path: path.join(shots, "customer-phone.png") });
  await phone.page.locator("nav.nav").getByRole("link", { name: "跟进" }).click();
  await phone.page.locator(".bucket").first().waitFor();
  await phone.page.screenshot({ path: path.join(shots, "follow-ups-phone.png") });
  await phone.page.locator("nav.nav").getByRole("link", { name: "商机" }).click();
  await phone.page.locator(".column-stage.shown .deal-card").first().waitFor();
  await phone.page.screenshot({ path: path.join(shots, "pipeline-phone.png") });
  await phone.page.locator("nav.nav").getByRole("link", { name: "规则" }).click();
  await phone.page.getByTestId("rules-progress").filter({ hasText: `${COUNT} / ${COUNT}` }).waitFor();
  await phone.page.screenshot({ path: path.join(shots, "rules-phone.png") });
  await desk.page.reload();
  await desk.page.getByRole("link", { name: "Customers", exact: true }).click();
  await count(desk.page).filter({ hasText: String(COUNT) }).waitFor();
  assert.equal(await count(desk.page).textContent(), String(COUNT));
});
