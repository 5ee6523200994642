// Two people on two devices editing the same customer through a real local edge: at the same
// moment in the same note and the same deal's stage (both converge to one state within a
// second), with one device offline for a while (its edits merge when it is back; the deal
// both moved shows both stages on both devices until someone picks one), and across a restart
// of `wrangler dev` (nothing acknowledged is lost).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer } from "../support/browser.mjs";

const notes = (page) => page.getByRole("textbox", { name: "Notes" }).inputValue();
const stage = (page) => page.getByRole("combobox", { name: "Move to" }).inputValue();
const tags = async (page) => (await page.locator(".chip.tag").allInnerTexts()).map((t) => t.replace("×", "").trim()).sort();

async function status(page, value) {
  await page.locator(`.sync-badge[data-status="${value}"]`).waitFor({ timeout: 15_000 });
}

/**
 * Polls until both pages show the same state that `complete` accepts (a transient equal state,
 * before one side's change arrives, does not count); returns how long that took.
 */
async function converged(a, b, read, timeoutMs, complete = () => true) {
  const start = Date.now();
  for (;;) {
    const [x, y] = await Promise.all([read(a), read(b)]);
    if (JSON.stringify(x) === JSON.stringify(y) && complete(x)) {
      return { ms: Date.now() - start, state: x };
    }
    if (Date.now() - start > timeoutMs) {
      assert.fail(`not converged after ${timeoutMs} ms: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function addTag(page, tag) {
  await page.getByRole("textbox", { name: "Add tag" }).fill(tag);
  await page.getByRole("textbox", { name: "Add tag" }).press("Enter");
  await page.locator(".chip.tag", { hasText: tag }).waitFor();
}

test("same note and same field at once, offline edits, and an edge restart: both devices converge", async (t) => {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const app = await startApp();
  const browser = await launchBrowser();
  let edge = await startEdge({ persistDir });
  t.after(async () => {
    await browser.close();
    await edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  const url = edge.appUrl(app.url, `collab-${process.pid}-${Date.now()}`);

  const a = await openDevice(browser, url);
  await status(a.page, "online");
  await addCustomer(a.page, "王芳 Wang Fang");
  await a.page.locator(".customer-row .name", { hasText: "王芳" }).click();
  await a.page.getByLabel("Deal, e.g. annual order").fill("年度合同");
  await a.page.getByLabel("Amount (CNY)").fill("50,000");
  await a.page.getByRole("button", { name: "Add deal" }).click();
  await a.page.locator(".deal .deal-title", { hasText: "年度合同" }).waitFor();
  const customerUrl = a.page.url();

  const b = await openDevice(browser, url);
  await status(b.page, "online");
  await b.page.goto(customerUrl);
  await b.page.locator(".deal .deal-title", { hasText: "年度合同" }).waitFor({ timeout: 10_000 });

  // (a) The same note and the same deal stage, edited on both devices at the same moment.
  await Promise.all([
    (async () => {
      await a.page.getByRole("textbox", { name: "Notes" }).fill("甲：周五回访。");
      await a.page.getByRole("button", { name: "Save", exact: true }).click();
      await a.page.getByRole("combobox", { name: "Move to" }).selectOption("proposal");
    })(),
    (async () => {
      await b.page.getByRole("textbox", { name: "Notes" }).fill("乙：报价已发。");
      await b.page.getByRole("button", { name: "Save", exact: true }).click();
      await b.page.getByRole("combobox", { name: "Move to" }).selectOption("negotiation");
    })(),
  ]);
  const both = (text) => text.includes("甲：周五回访。") && text.includes("乙：报价已发。");
  const note = await converged(a.page, b.page, notes, 1_000, both);
  const field = await converged(a.page, b.page, stage, 1_000);
  assert.ok(["proposal", "negotiation"].includes(field.state));
  console.log(`converged: note ${note.ms} ms, deal stage ${field.ms} ms after the edits`);

  // What B is typing survives A's change arriving (the card it touches re-renders around it),
  // and the cards the change does not touch are not rebuilt at all.
  await b.page.getByRole("textbox", { name: "Add tag" }).fill("正在输入");
  await b.page.getByLabel("Deal, e.g. annual order").fill("二期项目");
  await b.page.evaluate(() => {
    for (const card of document.querySelectorAll(".profile-card, .timeline, .deals")) card.dataset.mark = "before";
  });
  await addTag(a.page, "甲加的");
  await b.page.locator(".chip.tag", { hasText: "甲加的" }).waitFor({ timeout: 5_000 });
  assert.equal(await b.page.locator('[data-mark="before"]').count(), 3, "only the tags card re-rendered");
  assert.equal(await b.page.getByRole("textbox", { name: "Add tag" }).inputValue(), "正在输入");
  assert.equal(await b.page.getByLabel("Deal, e.g. annual order").inputValue(), "二期项目");
  await b.page.getByRole("textbox", { name: "Add tag" }).fill("");

  // (b) A goes offline and keeps editing; B edits too; back online, everything merges. Both
  // moved the deal meanwhile: both devices show the two stages, and one pick settles it.
  await a.context.setOffline(true);
  await status(a.page, "offline");
  await addTag(a.page, "离线时加的");
  await a.page.getByRole("combobox", { name: "Move to" }).selectOption("qualified");
  await addTag(b.page, "在线时加的");
  await b.page.getByRole("combobox", { name: "Move to" }).selectOption("initial");
  await a.context.setOffline(false);
  const expected = (list) => (have) => JSON.stringify(have) === JSON.stringify([...list].sort());
  await converged(a.page, b.page, tags, 15_000, expected(["甲加的", "在线时加的", "离线时加的"]));
  const banner = (page) => page.locator('.banner-conflict[data-field$=".stage"]');
  const picks = async (page) => (await banner(page).locator(".keep").allInnerTexts()).sort();
  await Promise.all([a, b].map(({ page }) => banner(page).waitFor({ timeout: 5_000 })));
  const offered = await converged(a.page, b.page, picks, 5_000, (p) => p.length === 2);
  assert.ok(offered.state.some((p) => p.includes("qualified")) && offered.state.some((p) => p.includes("initial")));
  await banner(b.page).locator(".keep", { hasText: "qualified" }).click();
  await Promise.all([a, b].map(({ page }) => banner(page).waitFor({ state: "detached", timeout: 5_000 })));
  const picked = await converged(a.page, b.page, stage, 5_000);
  assert.equal(picked.state, "qualified");

  // (c) The edge restarts between edits (same port and storage): nothing is lost, and both
  // devices reconnect and keep syncing.
  await edge.stop();
  await addTag(a.page, "重启期间");
  edge = await startEdge({ persistDir, port: edge.port });
  await addTag(b.page, "重启之后");
  const after = await converged(a.page, b.page, tags, 20_000, expected(["甲加的", "在线时加的", "离线时加的", "重启期间", "重启之后"]));
  await status(a.page, "online");

  // A brand-new device gets all of it from the Durable Object's storage.
  const c = await openDevice(browser, url);
  // The app remembers the address's settings for the tab once it runs; then go deeper.
  await c.page.locator(".sync-badge").waitFor();
  await c.page.goto(customerUrl);
  await c.page
    .locator(".chip.tag", { hasText: "重启之后" })
    .waitFor({ timeout: 10_000 })
    .catch((e) => assert.fail(`${e.message}\nedge log:\n${edge.log()}`));
  assert.deepEqual(await tags(c.page), after.state);
  assert.equal(await notes(c.page), note.state);
});
