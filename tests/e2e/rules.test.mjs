// The rules engine at the edge, through the app: a new workspace gets the default rules, an
// order recorded in the app is tagged by the edge within a second, and moving the edge's
// (injected) clock fires the day-3 catalogue follow-up and the 30-day lapse exactly once. An
// admin edits a rule with a live count of whom it matches, and an offline device previews
// what the rules will do until the edge confirms it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer, wholePage } from "../support/browser.mjs";

const DAY = 86_400_000;

/** A local edge (English default rules, plus `vars`), the app and a browser, stopped after `t`. */
async function setup(t, vars = {}) {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const app = await startApp();
  const browser = await launchBrowser();
  const edge = await startEdge({ persistDir, vars: { DEFAULT_RULES_LANG: "en", ...vars } });
  t.after(async () => {
    await browser.close();
    await edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  return { app, browser, edge };
}

const autoTags = async (page) =>
  (await page.locator(".chip.auto-tag").allInnerTexts()).map((t) => t.replace("⚙", "").trim()).sort();
const followUps = (page) => page.locator(".follow-up-title").allInnerTexts();

test("order → tag from the edge within a second; the clock moves → each timed rule fires once, recycling too", async (t) => {
  const { app, browser, edge } = await setup(t, { TEST_HOOKS: "1" });
  const workspace = `rules-${process.pid}-${Date.now()}`;
  const advance = async (days) => {
    const token = signToken(workspace);
    const res = await fetch(`${edge.url}/ws/${workspace}/clock?token=${token}&advance_ms=${days * DAY}`, { method: "POST" });
    assert.equal(res.status, 200, await res.text());
  };

  // The edge checks a token's expiry on open sockets against the clock this test moves 35
  // days: the device's token outlives that.
  const ttlMs = 60 * DAY;
  const { page } = await openDevice(browser, edge.appUrl(app.url, workspace, { ttlMs }));
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 10_000 });
  await addCustomer(page, "王芳");
  await page.locator(".customer-row .name", { hasText: "王芳" }).click();
  await page.locator(".profile-card .name", { hasText: "王芳" }).waitFor();
  assert.deepEqual(await autoTags(page), []);

  // ¥600 in the last 30 days: "High value", written by the edge.
  await page.getByLabel("Items, e.g. tea gift box x2").fill("茶叶礼盒 x2");
  await page.getByLabel("Order total (CNY)").fill("600");
  const recorded = Date.now();
  await page.getByRole("button", { name: "Record order" }).click();
  await page.locator(".chip.auto-tag", { hasText: "High value" }).waitFor({ timeout: 5_000 });
  const tagMs = Date.now() - recorded;
  console.log(`order recorded → "High value" tag from the edge on screen in ${tagMs} ms`);
  assert.ok(tagMs < 1_000, `the tag took ${tagMs} ms`);
  assert.deepEqual(await followUps(page), []);

  // Day 3 of the new customer: the catalogue follow-up, once.
  await advance(3);
  await page.locator(".follow-up-title", { hasText: "Send 王芳 the new catalogue" }).waitFor({ timeout: 5_000 });
  await advance(1);
  // Day 30 after the order: no longer high value, lapsed, one check-in follow-up.
  await advance(26);
  await page.locator(".chip.auto-tag", { hasText: "No purchase in 30 days" }).waitFor({ timeout: 5_000 });
  await page.locator(".follow-up-title", { hasText: "Check in with 王芳 about reordering" }).waitFor();
  await page.locator(".chip.auto-tag", { hasText: "High value" }).waitFor({ state: "detached" });
  // Later still, and after a reload: each fired exactly once.
  await advance(5);
  await page.reload();
  await page.locator(".profile-card .name", { hasText: "王芳" }).waitFor();
  await page.locator(".chip.auto-tag").first().waitFor();
  assert.deepEqual(await autoTags(page), ["No purchase in 30 days"]);
  const titles = (await followUps(page)).sort();
  assert.deepEqual(titles, [
    "Check in with 王芳 about reordering",
    "Follow up with 王芳 or they go back to the pool in 3 days",
    "Send 王芳 the new catalogue",
  ]);
  // No contact for 30 days: the default recycling put her back in the public pool.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.locator(".customer-row", { hasText: "王芳" }).locator(".chip.pool").waitFor({ timeout: 5_000 });

  // The clock endpoint exists only for tests.
  const plainDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const plain = await startEdge({ persistDir: plainDir });
  t.after(async () => {
    await plain.stop();
    await rm(plainDir, { recursive: true, force: true });
  });
  const res = await fetch(`${plain.url}/ws/${workspace}/clock?token=${signToken(workspace)}&advance_ms=1`, { method: "POST" });
  assert.equal(res.status, 404);
});

test("an admin edits a rule with a live match count; offline, the rules are previewed as pending", async (t) => {
  const { app, browser, edge } = await setup(t);
  const workspace = `rule-editor-${process.pid}-${Date.now()}`;
  const { context, page } = await openDevice(browser, edge.appUrl(app.url, workspace, { member: "admin-li", role: "admin" }));
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 10_000 });
  const recordOrder = async (amount) => {
    await page.getByLabel("Items, e.g. tea gift box x2").fill("办公椅 x10");
    await page.getByLabel("Order total (CNY)").fill(amount);
    await page.getByRole("button", { name: "Record order" }).click();
  };
  await addCustomer(page, "李娜");
  await page.locator(".customer-row .name", { hasText: "李娜" }).click();
  await recordOrder("800");
  await page.locator(".chip.auto-tag", { hasText: "High value" }).waitFor({ timeout: 5_000 });
  // Today lists her as just flagged by a rule.
  await page.getByRole("link", { name: "Today", exact: true }).click();
  await page.locator(".today-flagged li", { hasText: "李娜" }).locator(".chip", { hasText: "High value" }).waitFor();
  await page.screenshot({ path: path.resolve("tests/artifacts/today-desktop.png"), ...wholePage });

  // The rules screen: every default rule, with whom it matches now.
  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await page.getByTestId("rules-progress").filter({ hasText: "Checked 1 / 1 customers" }).waitFor();
  assert.equal(await page.locator(".rule").count(), 10);
  const highValue = page.locator('.rule[data-rule="high-value"]');
  await highValue.locator(".rule-count", { hasText: "Customers matching now: 1" }).waitFor();
  await page.screenshot({ path: path.resolve("tests/artifacts/rules-desktop.png"), ...wholePage });

  // Edit in the builder: ¥1,000 instead of ¥500. Checked as typed, counted before saving.
  await highValue.getByRole("button", { name: "Edit" }).click();
  const builder = page.locator(".rule-builder");
  const total = builder.getByLabel("Total (CNY) · At least");
  assert.equal(await total.inputValue(), "500");
  await total.fill("lots");
  await page.locator(".rule-check", { hasText: "✗" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Save rule" }).isDisabled(), true);
  await total.fill("1000");
  await page.locator(".rule-check", { hasText: "would match now: 0" }).waitFor();
  // The same rule as JSON ("advanced"), and back.
  await page.getByRole("button", { name: "Advanced (JSON)" }).click();
  const editor = page.getByLabel("Rule (JSON, format in docs/rules.md)");
  assert.match(await editor.inputValue(), /"at_least": 100000/);
  await page.getByRole("button", { name: "Back to the form" }).click();
  await page.getByRole("button", { name: "Save rule" }).click();
  await highValue.locator(".rule-count", { hasText: "Customers matching now: 0" }).waitFor();

  // The default segments, with counts; a new one saved from the list's filters.
  const segment = page.locator('.segment[data-segment="high-value-churn-risk"]');
  await segment.locator(".segment-count", { hasText: "0" }).waitFor();
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByRole("combobox", { name: "Stage" }).selectOption("lead");
  await page.getByRole("button", { name: "Save as segment" }).click();
  await page.getByLabel("Segment name").fill("All leads");
  await page.getByRole("button", { name: "Save as segment" }).click();
  await page.getByRole("combobox", { name: "Segment" }).locator("option", { hasText: "All leads (1)" }).waitFor({ state: "attached" });
  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await page.locator(".segment", { hasText: "All leads" }).locator(".segment-count", { hasText: "1" }).waitFor();
  await page.locator(".segment", { hasText: "All leads" }).getByRole("link").click();
  await page.locator(".customer-row .name", { hasText: "李娜" }).waitFor();

  // The edge re-evaluates every customer after a rule change: the tag goes.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.locator(".customer-row .name", { hasText: "李娜" }).click();
  await page.locator(".chip.auto-tag", { hasText: "High value" }).waitFor({ state: "detached", timeout: 5_000 });

  // Offline: another ¥500 reaches the new threshold; the device previews the tag as pending.
  await context.setOffline(true);
  await page.locator('.sync-badge[data-status="offline"]').waitFor({ timeout: 15_000 });
  await recordOrder("500");
  const preview = page.getByTestId("rule-preview");
  await preview.locator(".pending-item", { hasText: "Add ⚙ High value" }).waitFor();
  assert.equal(await page.locator(".chip.auto-tag", { hasText: "High value" }).count(), 0, "the device writes no automatic tag");
  await page.screenshot({ path: path.resolve("tests/artifacts/rule-preview-desktop.png"), ...wholePage });
  // Back online: the edge applies it and the preview empties.
  await context.setOffline(false);
  await page.locator(".chip.auto-tag", { hasText: "High value" }).waitFor({ timeout: 15_000 });
  await preview.waitFor({ state: "detached" });
});

test("a workspace without rules gets the default set from the rules screen", async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await app.stop();
  });
  // An admin's device with no edge to install the rules (a port nothing listens on).
  const workspace = `no-rules-${process.pid}-${Date.now()}`;
  const token = signToken(workspace, { member: "admin", role: "admin" });
  const { page } = await openDevice(browser, `${app.url}/?edge=ws://127.0.0.1:9&token=${token}`);
  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await page.getByText("This workspace has no rules yet.").waitFor();
  await page.getByRole("button", { name: "Add the default rules and segments" }).click();
  await page.locator('.rule[data-rule="no-purchase-30d"] .rule-name', { hasText: "No purchase in 30 days" }).waitFor();
  assert.equal(await page.locator(".rule").count(), 10);
  assert.equal(await page.locator(".segment").count(), 3);
  await page.reload();
  await page.locator(".rule").first().waitFor();
  assert.equal(await page.locator(".rule").count(), 10, "stored on the device");
});

test("an admin builds a rule with nested conditions without JSON; every default rule opens in the builder", async (t) => {
  const { app, browser, edge } = await setup(t);
  const workspace = `rule-builder-${process.pid}-${Date.now()}`;
  const { page } = await openDevice(browser, edge.appUrl(app.url, workspace, { member: "admin-li", role: "admin" }));
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 10_000 });
  await addCustomer(page, "王磊");
  await addCustomer(page, "赵敏");
  await page.getByRole("link", { name: "Rules", exact: true }).click();
  await page.getByTestId("rules-progress").filter({ hasText: "Checked 2 / 2 customers" }).waitFor();

  // Every default rule opens in the builder, its kinds shown, and says what it said.
  for (const id of await page.locator(".rule").evaluateAll((rules) => rules.map((r) => r.dataset.rule))) {
    await page.locator(`.rule[data-rule="${id}"]`).getByRole("button", { name: "Edit" }).click();
    await page.locator(".rule-builder .rb-condition").first().waitFor();
    await page.locator(".rule-check", { hasText: "✓" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
  }

  // A new rule: created within 7 days, and (a WeChat contact or no contact for 30 days).
  await page.getByRole("button", { name: "New rule" }).click();
  const builder = page.locator(".rule-builder");
  await builder.getByLabel("Rule name").fill("New and quiet");
  const first = builder.locator(".rb-condition .rb-children > .rb-condition").first();
  await first.getByLabel("Condition").first().selectOption("days_since_created");
  await first.getByLabel("Days · At most").fill("7");
  await first.getByLabel("Days · At least").fill("0");
  // Both new, but the template's "no contact for 14 days" holds for neither.
  await page.locator(".rule-check", { hasText: "would match now: 0" }).waitFor();
  const second = builder.locator(".rb-condition .rb-children > .rb-condition").nth(1);
  await second.getByLabel("Condition").first().selectOption("any");
  await second.getByRole("button", { name: "+ Condition" }).click();
  const inner = second.locator(".rb-children > .rb-condition").nth(1);
  await inner.getByLabel("Condition").first().selectOption("has_contact");
  await inner.getByLabel("Has a contact point").selectOption("wechat");
  // A new customer's last interaction is its creation: 0 days, not 14.
  await page.locator(".rule-check", { hasText: "would match now: 0" }).waitFor();
  await second.locator(".rb-children > .rb-condition").first().getByLabel("Days · At least").fill("0");
  await page.locator(".rule-check", { hasText: "would match now: 2" }).waitFor();
  await page.screenshot({ path: path.resolve("tests/artifacts/rule-builder-desktop.png"), ...wholePage });
  // On a phone the builder fits the width.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the builder scrolls sideways by ${overflow}px on a phone`);
  await page.locator(".rule-builder").screenshot({ path: path.resolve("tests/artifacts/rule-builder-phone.png") });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole("button", { name: "Save rule" }).click();
  const saved = page.locator(".rule", { hasText: "New and quiet" });
  await saved.locator(".rule-count", { hasText: "Customers matching now: 2" }).waitFor();

  // Opened again: the nested group is there.
  await saved.getByRole("button", { name: "Edit" }).click();
  await page.locator('.rule-builder .rb-condition[data-kind="any"] .rb-condition[data-kind="has_contact"]').waitFor();
  await page.getByRole("button", { name: "Advanced (JSON)" }).click();
  const json = JSON.parse(await page.getByLabel("Rule (JSON, format in docs/rules.md)").inputValue());
  assert.deepEqual(json.when.all[1].any[1], { has_contact: "wechat" });
  assert.deepEqual(json.when.all[0], { days_since_created: { at_least: 0, at_most: 7 } });
});
