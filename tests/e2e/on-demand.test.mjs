// Rarely used screens are wasm modules of their own (xtask/src/split.rs), fetched in idle time
// or when first opened. One that cannot be fetched is said on the screen — the app carries on —
// and opens on "Try again" once the network answers.
import { test } from "node:test";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser } from "../support/browser.mjs";
import { signToken } from "../support/edge.mjs";

test("a screen whose module cannot be fetched says so, and opens on Try again", async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await app.stop();
  });
  const workspace = `on-demand-${process.pid}-${Date.now()}`;
  const url = `${app.url}/?workspace=${workspace}&edge=ws://127.0.0.1:9&token=${signToken(workspace)}`;
  // No service worker (it would answer from its cache, past the routes below).
  const context = await browser.newContext({ locale: "en-US", serviceWorkers: "block" });
  let reachable = false;
  await context.route(/\/crm-lazy-[^/]*\.wasm$/, (route) => (reachable ? route.continue() : route.abort()));
  const page = await context.newPage();
  const crashes = [];
  page.on("pageerror", (e) => crashes.push(e.message));
  await page.goto(url);
  await page.locator(".list-card").waitFor();

  await page.getByRole("link", { name: "Reports" }).click();
  const unavailable = page.getByRole("alert").filter({ hasText: "could not be loaded" });
  await unavailable.waitFor();
  // The rest of the app still works.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.locator(".list-card").waitFor();
  await page.getByRole("link", { name: "Reports" }).click();
  await unavailable.waitFor();

  reachable = true;
  await unavailable.getByRole("button", { name: "Try again" }).click();
  await page.locator(".figure", { hasText: "Deals won" }).waitFor();
  if (crashes.length) throw new Error(`the page crashed: ${crashes.join("; ")}`);
});
