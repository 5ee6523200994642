// A salesperson on a 390×844 phone: the list's filters fold into one "Filters (n)" button and
// come back as left after opening a customer; the customer page puts follow-ups, contact
// points and deals before the timeline, with a bar of actions in thumb's reach; amounts are
// typed as people type them (1.2万, ￥3,000) and a refused one is said next to its field, on
// screen; small controls are 44 px to tap; a removed tag can be put back; a lost deal without a
// reason stays where it was, and a given reason is shown; unsaved notes outlive leaving the
// page; a phone typed again says which customer holds it already. Screenshots go to tests/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { openDevice, addCustomer, showList, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const shots = path.resolve("tests/artifacts");
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Whether a tap `dx`, `dy` px from the centre of `locator` (scrolled into view) lands on it. */
function tappedAt(locator, dx, dy) {
  return locator.evaluate((el, [dx, dy]) => {
    el.scrollIntoView({ block: "center" });
    const box = el.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
    return hit === el || el.contains(hit);
  }, [dx, dy]);
}

test("a salesperson's day on a phone: filters, the page's order, actions, amounts, undo", async (t) => {
  const { browser, as } = await startStack(t, "phone", { customers: 12 });
  await mkdir(shots, { recursive: true });
  const { page } = await openDevice(browser, as("sales-zhang", "sales"), PHONE);
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await showList(page);
  await addCustomer(page, "周芳", { phone: "138 0013 8000" });

  // The same number typed again, however written, says whose it is before a second record.
  await page.getByRole("button", { name: "New customer" }).click();
  await page.getByLabel("Phone", { exact: true }).fill("+86 13800138000");
  const held = page.locator(".new-customer .already-held", { hasText: "周芳" });
  await held.waitFor();
  await page.screenshot({ path: path.join(shots, "already-held-phone.png") });
  await page.getByRole("button", { name: "New customer" }).click();

  // Filters fold into one button; what is picked is counted and kept across a visit.
  const filters = page.locator(".filters");
  assert.equal(await filters.isVisible(), false, "filters folded");
  await page.getByRole("button", { name: "Filters", exact: true }).click();
  await filters.getByLabel("Stage").selectOption("lead");
  await page.getByRole("button", { name: "Filters (1)" }).waitFor();
  const firstRow = await page.locator(".customer-row").first().boundingBox();
  await page.screenshot({ path: path.join(shots, "list-filters-phone.png") });
  await page.getByRole("button", { name: "Filters (1)" }).click();
  await page.getByRole("searchbox").fill("周芳");
  const rowTop = (await page.locator(".customer-row").first().boundingBox()).y;
  assert.ok(rowTop < 844 * 0.3, `first customer at ${rowTop}px (was ${firstRow.y}px with filters open)`);
  await page.locator(".customer-row .name", { hasText: "周芳" }).click();
  await page.locator(".profile-card .name", { hasText: "周芳" }).waitFor();

  // Follow-ups, contact points and deals come before the timeline; the action bar is there.
  const top = async (selector) => (await page.locator(selector).boundingBox()).y;
  const order = [".follow-ups-card", ".contacts-card", ".deals-card", ".log-card", ".timeline-card"];
  const tops = await Promise.all(order.map(top));
  assert.deepEqual([...tops].sort((a, b) => a - b), tops, `cards in order ${order}: ${tops}`);
  const bar = page.locator(".action-bar");
  assert.ok(await bar.getByRole("button", { name: "☎ Call" }).isVisible());
  await bar.getByRole("button", { name: "✎ Log" }).click();
  assert.ok(await page.locator(".log-card textarea").evaluate((el) => el === document.activeElement));

  // Amounts as people type them; a refused one is said in the deals card, on screen.
  const deals = page.locator(".deals-card");
  await deals.getByLabel("Deal, e.g. annual order").fill("年度采购");
  await deals.getByLabel("Amount (CNY)").fill("1.2万");
  await deals.getByRole("button", { name: "Add deal" }).click();
  await deals.locator(".deal", { hasText: "¥12,000.00" }).waitFor();
  await deals.getByLabel("Deal, e.g. annual order").fill("加购");
  await deals.getByLabel("Amount (CNY)").fill("一万二");
  await deals.getByRole("button", { name: "Add deal" }).click();
  const error = deals.locator(".error-here");
  await error.waitFor();
  assert.match(await error.textContent(), /一万二/);
  assert.ok(await error.isVisible());
  const box = await error.boundingBox();
  assert.ok(box.y >= 0 && box.y + box.height <= 844, `the error is on screen (${box.y})`);
  assert.equal(await page.locator("main > .banner-error, .page > .banner-error").count(), 0, "not at the top");
  await deals.getByLabel("Amount (CNY)").fill("￥3,000");
  await deals.getByRole("button", { name: "Add deal" }).click();
  await deals.locator(".deal", { hasText: "¥3,000.00" }).waitFor();
  await page.screenshot({ path: path.join(shots, "customer-phone.png"), ...wholePage });

  // A lost deal needs a reason: none given, the picker goes back; given, it is shown.
  const deal = deals.locator(".deal", { hasText: "加购" });
  page.once("dialog", (dialog) => dialog.dismiss());
  await deal.getByLabel("Move to").selectOption("lost");
  await page.waitForFunction(() => [...document.querySelectorAll(".deal")].some((d) => d.textContent.includes("加购") && d.querySelector("select").value === "initial"));
  page.once("dialog", (dialog) => dialog.accept("预算砍了"));
  await deal.getByLabel("Move to").selectOption("lost");
  await deals.locator(".lost-reason", { hasText: "预算砍了" }).waitFor();

  // Small controls are 44 px to tap; a removed tag can be put back.
  const tags = page.locator(".tags-card");
  await tags.getByLabel("Add tag").fill("老客户");
  await tags.getByRole("button", { name: "Add tag" }).click();
  const remove = tags.locator(".chip-remove");
  await remove.waitFor();
  assert.ok(await tappedAt(remove, 0, 20), "the tag's × answers 20 px below its centre");
  await remove.click();
  await tags.locator(".chip-remove").waitFor({ state: "detached" });
  await tags.getByRole("button", { name: "Undo" }).click();
  await tags.locator(".chip.tag", { hasText: "老客户" }).waitFor();
  const follow = page.locator(".follow-ups-card");
  await follow.getByLabel("What to do, e.g. send the quote").fill("发送报价单");
  await follow.getByRole("button", { name: "Add follow-up" }).click();
  const check = follow.locator(".check").first();
  await check.waitFor();
  assert.ok(await tappedAt(check, 20, 0), "the follow-up's check answers 20 px right of its centre");
  const back = await page.locator(".back").boundingBox();
  assert.ok(back.height >= 44, `back is ${back.height}px tall`);

  // Notes typed and not saved survive leaving the page.
  await page.locator(".notes-card textarea").fill("带样品去拜访");
  await page.locator(".notes-card .unsaved").waitFor();

  // Back on the list: the search and the stage filter as left.
  await page.locator(".back").click();
  assert.equal(await page.getByRole("searchbox").inputValue(), "周芳");
  await page.getByRole("button", { name: "Filters (1)" }).waitFor();
  await page.locator(".customer-row .name", { hasText: "周芳" }).click();
  await page.locator(".notes-card .unsaved").waitFor();
  assert.equal(await page.locator(".notes-card textarea").inputValue(), "带样品去拜访");
});
