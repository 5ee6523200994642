// Presence: a teammate on a customer shows on the list's row and on the customer's page with
// the card they work in; typing in the notes shows where; leaving clears it at once, and a
// device that vanishes is forgotten within 30 s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDevice } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const online = (page) => page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });

test("who else is on a customer, in which card, typing where; gone when they leave", async (t) => {
  const { browser, as } = await startStack(t, "presence", { customers: 6 });
  const { page: wang } = await openDevice(browser, as("manager", "manager"));
  const { page: li, context: liDevice } = await openDevice(browser, as("admin", "admin"));
  await Promise.all([online(wang), online(li)]);

  // Li opens a customer: Wang's list marks its row.
  const first = li.locator(".customer-row").first();
  const name = (await first.locator(".name").innerText()).trim();
  await first.locator(".row-link").click();
  await li.locator(".profile-card").waitFor();
  const row = wang.locator(".customer-row", { hasText: name });
  await row.locator(".open-by", { hasText: "李" }).waitFor({ timeout: 15_000 });
  assert.match(await row.locator(".open-by").getAttribute("title"), /李娜 Li Na/);

  // Wang opens it too: Li is named; Li types in the notes, and Wang sees the card and where.
  await row.locator(".row-link").click();
  const bar = wang.locator(".presence");
  await bar.locator(".presence-who", { hasText: "李娜 Li Na" }).waitFor({ timeout: 15_000 });
  const notes = li.locator(".notes-card textarea");
  await notes.click();
  await notes.pressSequentially("明天回电");
  await bar.locator(".presence-who", { hasText: "editing Notes" }).waitFor({ timeout: 15_000 });
  await wang.locator(".notes-card .notes-cursor", { hasText: "李娜 Li Na · typing at character 4" }).waitFor({ timeout: 15_000 });
  // Li sees Wang, looking.
  await li.locator(".presence .presence-who", { hasText: "王强 Wang Qiang" }).waitFor({ timeout: 15_000 });

  // Li goes back to the list: gone from Wang's page at once.
  await li.getByRole("link", { name: "Customers", exact: true }).click();
  await bar.waitFor({ state: "detached", timeout: 5_000 });

  // Li's device opens the customer again and vanishes without a word: forgotten within 30 s.
  await li.locator(".customer-row", { hasText: name }).locator(".row-link").click();
  await bar.locator(".presence-who", { hasText: "李娜 Li Na" }).waitFor({ timeout: 15_000 });
  const gone = Date.now();
  await liDevice.setOffline(true);
  await bar.waitFor({ state: "detached", timeout: 35_000 });
  assert.ok(Date.now() - gone <= 32_000, `forgotten after ${Date.now() - gone} ms`);
});
