// The follow-ups screen for a manager: their own by default, everyone's, or one member's, each
// saying whose it is; a salesperson sees only their own, with no picker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDevice } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

test("a manager sees the team's follow-ups by assignee; sales see their own", async (t) => {
  const { browser, as } = await startStack(t, "follow", { customers: 40 });
  const open = async (member, role) => {
    const { page } = await openDevice(browser, as(member, role));
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
