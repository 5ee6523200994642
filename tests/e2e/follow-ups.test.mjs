// The follow-ups screen for a manager: their own by default, everyone's, or one member's, each
// saying whose it is; a salesperson sees only their own, with no picker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice } from "../support/browser.mjs";

test("a manager sees the team's follow-ups by assignee; sales see their own", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const workspace = `follow-${process.pid}-${Date.now()}`;
  const app = await startApp();
  const browser = await launchBrowser();
  const edge = await startEdge({ persistDir, vars: { DEMO_WORKSPACE: workspace, DEMO_CUSTOMERS: "40" } });
  t.after(async () => {
    await browser.close();
    await edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  const open = async (member, role) => {
    const { page } = await openDevice(browser, edge.appUrl(app.url, workspace, { member, role }));
    await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
    await page.getByRole("link", { name: "Follow-ups", exact: true }).click();
    return page;
  };
  const items = (page) => page.locator(".bucket .follow-up");
  const assignees = (page) => page.locator(".bucket .follow-up .assignee").allTextContents();

  const manager = await open("manager", "manager");
  const whose = manager.getByLabel("Assignee");
  assert.deepEqual(await assignees(manager), [], "the manager's own say no name");
  await whose.selectOption("");
  await manager.locator(".bucket .follow-up .assignee").first().waitFor();
  const everyone = await items(manager).count();
  await whose.selectOption("sales-chen");
  await manager.waitForFunction((n) => document.querySelectorAll(".bucket .follow-up").length < n, everyone);
  const chen = await assignees(manager);
  assert.ok(chen.length > 0, "Chen has follow-ups in the demo");
  assert.ok(chen.every((name) => name === "陈静 Chen Jing"), `only Chen's: ${chen}`);

  const sales = await open("sales-chen", "sales");
  await sales.locator(".bucket").first().waitFor();
  assert.equal(await sales.getByLabel("Assignee").count(), 0, "no picker for sales");
  await sales.waitForFunction((n) => document.querySelectorAll(".bucket .follow-up").length === n, chen.length);
  assert.deepEqual(await assignees(sales), []);
});
