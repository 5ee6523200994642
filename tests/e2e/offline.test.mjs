// Installable and offline: after one visit, the service worker has the app shell, and the app
// starts with no network at all — from the cache, with its data from IndexedDB — saying
// honestly that it is offline. Edits made offline are kept across another offline start, and
// the screens split into modules of their own open offline too (never opened online before).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer } from "../support/browser.mjs";
import { signToken } from "../support/edge.mjs";

test("the app starts offline from the service worker cache, with its data", async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await app.stop();
  });
  // No edge at all: a port nothing listens on (signed in, so the app does try to reach it).
  const workspace = `offline-${process.pid}-${Date.now()}`;
  const url = `${app.url}/?workspace=${workspace}&edge=ws://127.0.0.1:9&token=${signToken(workspace)}`;
  const { context, page } = await openDevice(browser, url);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const manifest = await page.evaluate(() => document.querySelector('link[rel="manifest"]').href);
  const res = await page.request.get(manifest);
  const parsed = await res.json();
  assert.equal(parsed.display, "standalone");
  // The installed app opens on the member's day.
  assert.equal(parsed.start_url, "/today");
  assert.ok(parsed.icons.some((i) => i.sizes === "512x512"), "installable: a 512 px icon");

  await addCustomer(page, "离线客户 Offline");
  await context.setOffline(true);
  await page.goto(`${app.url}/follow-ups`);
  await page.locator('.sync-badge[data-status="offline"]').waitFor({ timeout: 15_000 });
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.locator(".customer-row .name", { hasText: "离线客户" }).waitFor();

  // Still offline: a new customer (its phone checked by the phone worker, from the cache),
  // then another cold start from the cache.
  await addCustomer(page, "地下室客户 Basement", { phone: "139 0000 1111" });
  await page.reload();
  await page.locator(".customer-row .name", { hasText: "地下室客户" }).waitFor();
  assert.equal(await page.locator(".customer-row").count(), 2);
  await page.locator(".customer-row .name", { hasText: "地下室客户" }).click();
  await page.locator('a[href="tel:+8613900001111"]').waitFor();
  // Right after the cold start the badge may still be connecting; it must settle on offline.
  await page.locator('.sync-badge[data-status="offline"]').waitFor({ timeout: 15_000 });
  assert.match(await page.locator(".sync-badge").innerText(), /Offline/);

  // Rarely used screens are modules of their own (xtask/src/split.rs), fetched when first
  // opened: here, from the service worker's cache.
  await page.getByRole("link", { name: "Reports" }).click();
  await page.locator(".figure", { hasText: "Deals won" }).waitFor();
});
