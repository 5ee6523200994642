// One record per real person: two customers entered with one phone number show as a pair on
// the duplicates screen with why and how sure; "Not the same person" is remembered for the
// team (gone on a teammate's screen too); salespeople have no such screen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { addCustomer, openDevice, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const online = (page) => page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });

test("a pair sharing a phone is shown with its reason; dismissing it is remembered for the team", async (t) => {
  const { app, browser, as } = await startStack(t, "duplicates", { customers: 0 });
  const { page: manager } = await openDevice(browser, as("manager", "manager"));
  const { page: admin } = await openDevice(browser, as("admin", "admin"));
  const { page: sales } = await openDevice(browser, as("sales-zhang", "sales"));
  await Promise.all([online(manager), online(admin), online(sales)]);
  await addCustomer(manager, "周芳", { phone: "138 1234 5678" });
  await addCustomer(manager, "周女士", { phone: "13812345678" });
  await addCustomer(manager, "李娜", { phone: "13900001111" });

  await manager.getByRole("link", { name: "Duplicates" }).click();
  const pair = manager.locator(".duplicate-pair");
  await pair.first().waitFor({ timeout: 20_000 });
  assert.equal(await pair.count(), 1);
  const text = await pair.innerText();
  assert.match(text, /周芳/);
  assert.match(text, /周女士/);
  assert.match(text, /same Phone/);
  assert.match(text, /confidence 95%/);
  await manager.screenshot({ path: "tests/artifacts/duplicates-desktop.png", ...wholePage });

  // The admin sees it too, until the manager says they are two people.
  await admin.goto(`${app.url}/duplicates`);
  await admin.locator(".duplicate-pair").first().waitFor({ timeout: 20_000 });
  await pair.getByRole("button", { name: "Not the same person" }).click();
  await manager.getByTestId("duplicate-count").filter({ hasText: /^0$/ }).waitFor({ timeout: 5_000 });
  await admin.getByTestId("duplicate-count").filter({ hasText: /^0$/ }).waitFor({ timeout: 20_000 });
  await admin.reload();
  await admin.getByText("No duplicates found.").waitFor({ timeout: 20_000 });

  // Salespeople have no duplicates screen.
  await sales.getByRole("button", { name: "Filters", exact: true }).click({ timeout: 2_000 }).catch(() => {});
  assert.equal(await sales.getByRole("link", { name: "Duplicates" }).count(), 0);
});
