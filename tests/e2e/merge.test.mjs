// Merging duplicates, side by side, seen on a second browser, and undone: the manager keeps
// the older record, takes nothing else, and the duplicate's call shows on the survivor once
// the edge carried it over; the teammate's list holds one customer; Unmerge gives both back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { addCustomer, openDevice, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const online = (page) => page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
const rowNames = (page) => page.locator(".customer-row .name").allTextContents();

async function openCustomer(page, name) {
  await page.locator(".customer-row", { hasText: name }).first().click();
  await page.locator(".profile-card .name", { hasText: name }).waitFor();
}

test("two customers merged on one browser are one on another, and unmerged again", async (t) => {
  const { app, browser, as } = await startStack(t, "merge", { customers: 0 });
  const { page: manager } = await openDevice(browser, as("manager", "manager"));
  const { page: admin } = await openDevice(browser, as("admin", "admin"));
  await Promise.all([online(manager), online(admin)]);
  await addCustomer(manager, "周芳", { phone: "138 1234 5678" });
  await addCustomer(manager, "周女士", { phone: "13812345678" });
  await openCustomer(manager, "周女士");
  await manager.getByLabel("What was said").fill("问了绿茶报价");
  await manager.getByRole("button", { name: "Log interaction" }).click();
  await manager.locator(".event-text", { hasText: "问了绿茶报价" }).waitFor();

  // Duplicates → Merge…: the older record is kept; the differing name stays 周芳.
  await manager.goto(`${app.url}/duplicates`);
  const pair = manager.locator(".duplicate-pair");
  await pair.first().waitFor({ timeout: 20_000 });
  await pair.getByRole("link", { name: "Merge…" }).click();
  await manager.locator(".merge-fields tr[data-field=name]").waitFor({ timeout: 20_000 });
  assert.match(await manager.locator(".merge-side.kept").innerText(), /周芳/);
  assert.match(await manager.locator(".merge-brought").innerText(), /Interactions \+1/);
  await manager.screenshot({ path: "tests/artifacts/merge-desktop.png", ...wholePage });
  await manager.setViewportSize({ width: 390, height: 844 });
  await manager.screenshot({ path: "tests/artifacts/merge-phone.png", ...wholePage });
  await manager.setViewportSize({ width: 1280, height: 800 });
  await manager.getByRole("button", { name: "Merge", exact: true }).click();

  // The survivor holds the duplicate's call once the edge carried it; the note says whence.
  await manager.locator(".profile-card .name", { hasText: "周芳" }).waitFor();
  await manager.locator(".event-text", { hasText: "问了绿茶报价" }).waitFor({ timeout: 20_000 });
  await manager.getByTestId("merged-here").filter({ hasText: "周女士" }).waitFor({ timeout: 20_000 });

  // The teammate's list has one 周芳, with the call.
  await admin.goto(app.url);
  await admin.waitForFunction(() => document.querySelectorAll(".customer-row").length === 1, null, { timeout: 20_000 });
  assert.deepEqual(await rowNames(admin), ["周芳"]);
  await openCustomer(admin, "周芳");
  await admin.locator(".event-text", { hasText: "问了绿茶报价" }).waitFor({ timeout: 20_000 });
  await manager.screenshot({ path: "tests/artifacts/merged-customer-desktop.png", ...wholePage });

  // Unmerge: both customers again, the call back on 周女士 only.
  await manager.getByTestId("merged-here").getByRole("button", { name: "Unmerge" }).click();
  await manager.getByTestId("merged-here").waitFor({ state: "detached", timeout: 20_000 });
  await manager.locator(".event-text", { hasText: "问了绿茶报价" }).waitFor({ state: "detached", timeout: 20_000 });
  await admin.locator(".event-text", { hasText: "问了绿茶报价" }).waitFor({ state: "detached", timeout: 20_000 });
  await admin.goto(app.url);
  await admin.waitForFunction(() => document.querySelectorAll(".customer-row").length === 2, null, { timeout: 20_000 });
  await openCustomer(admin, "周女士");
  await admin.locator(".event-text", { hasText: "问了绿茶报价" }).waitFor({ timeout: 20_000 });
});
