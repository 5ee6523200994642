// Signing in: without a login link there is no member (a sign-in page, never a default member
// or admin controls); a link is kept on the device (new windows open signed in) and leaves
// the address bar; the token is never in a socket address or a console message; two
// workspaces are switched between; signing out, with or without deleting the device's data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, addCustomer } from "../support/browser.mjs";

test("no link, no member; a link signs in for good, stays out of addresses and logs; switch and sign out", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const app = await startApp();
  const browser = await launchBrowser();
  const edge = await startEdge({ persistDir });
  t.after(async () => {
    await browser.close();
    await edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  const seen = [];
  page.on("console", (m) => seen.push(m.text()));
  page.on("pageerror", (e) => seen.push(e.message));
  page.on("websocket", (ws) => seen.push(ws.url()));
  page.on("request", (r) => seen.push(r.url()));

  // No link: the sign-in page, nothing to edit as anyone.
  await page.goto(app.url);
  await page.getByRole("heading", { name: "Sign in to your team's workspace" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "New customer" }).count(), 0);
  assert.equal(await page.getByRole("navigation", { name: "Main" }).isVisible(), false);
  await page.goto(`${app.url}/rules`);
  await page.getByRole("heading", { name: "Sign in to your team's workspace" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "New rule" }).count(), 0);

  // Pasted links that do not sign in say why.
  const linkBox = page.getByRole("textbox", { name: "Login link" });
  await linkBox.fill(`${app.url}/?workspace=team-a`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "This is not a login link" }).waitFor();
  const token = signToken("team-a", { member: "sales-li", role: "sales" });
  await linkBox.fill(`${app.url}/?token=${token.slice(0, 20)}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "cannot be read" }).waitFor();
  // A link to an edge on another host would hand the device's data and token to it.
  await linkBox.fill(`${app.url}/?edge=wss://crm-edge.example.net&token=${token}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "points to an unknown server" }).waitFor();
  // And the page's Content-Security-Policy lets nothing in it connect to such a host.
  const blocked = await page.evaluate(() => new Promise((resolve) => {
    document.addEventListener("securitypolicyviolation", (e) => resolve(e.effectiveDirective), { once: true });
    fetch("https://crm-edge.example.net/ws/team-a/rows").catch(() => {});
    setTimeout(() => resolve("not blocked"), 5_000);
  }));
  assert.equal(blocked, "connect-src");

  // A pasted good link signs in; the address never carries the token afterwards.
  await linkBox.fill(`${app.url}/?edge=${edge.wsUrl}&token=${token}`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 15_000 });
  await addCustomer(page, "韩雪 Han Xue");

  // A login link opened in the address is taken in and removed from it.
  const other = signToken("team-b", { member: "admin-wu", role: "admin" });
  await page.goto(`${app.url}/?workspace=team-b&edge=${edge.wsUrl}&token=${other}`);
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 15_000 });
  assert.equal(new URL(page.url()).search, "", "the login link's query left the address bar");
  assert.equal(await page.locator(".customer-row").count(), 0, "team-b is another workspace");

  // A new window opens signed in to the workspace in use.
  const second = await context.newPage();
  await second.goto(app.url);
  await second.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 15_000 });
  await second.locator("summary", { hasText: "admin-wu" }).waitFor();
  await second.close();

  // Switch to team-a from the account menu: its customer is there.
  await page.getByLabel("Account and workspaces").click();
  await page.getByRole("button", { name: "team-a · sales-li" }).click();
  await page.locator(".customer-row .name", { hasText: "韩雪" }).waitFor({ timeout: 15_000 });
  await page.locator("summary", { hasText: "sales-li" }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Rules", exact: true }).count(), 1);

  // Sign out of team-a and delete its data: team-b opens; team-a's database is gone.
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByLabel("Account and workspaces").click();
  await page.getByRole("button", { name: "Sign out and delete this device's data" }).click();
  await page.locator("summary", { hasText: "admin-wu" }).waitFor({ timeout: 15_000 });
  const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  assert.ok(!databases.includes("crm-team-a"), `team-a's data is deleted: ${databases}`);
  assert.ok(databases.includes("crm-team-b"));

  // Sign out of team-b, keeping its data: no sign-in is left.
  await page.getByLabel("Account and workspaces").click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.getByRole("heading", { name: "Sign in to your team's workspace" }).waitFor();
  assert.ok((await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).includes("crm-team-b"));

  const opened = (line) => line.startsWith(`${app.url}/?`); // the login link itself
  const leaks = seen.filter((line) => !opened(line) && (line.includes(token.split(".")[1]) || line.includes(other.split(".")[1])));
  assert.deepEqual(leaks, [], "no address or console line carries a token, except the login links opened");
});
