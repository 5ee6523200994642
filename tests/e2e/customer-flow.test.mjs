// The daily flow of a sales person, in a real browser against a real local edge: create a
// customer, log an interaction, add a follow-up and complete it; search in Chinese and by
// phone; reload and find everything again; the same on a phone. Screenshots go to
// tests/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser, openDevice, addCustomer, showList, wholePage } from "../support/browser.mjs";

const shots = path.resolve("tests/artifacts");
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function setup(t) {
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
  const workspace = `flow-${process.pid}-${Date.now()}`;
  await mkdir(shots, { recursive: true });
  return { browser, url: edge.appUrl(app.url, workspace) };
}

const rowNames = (page) => page.locator(".customer-row .name").allTextContents();

async function openCustomer(page, name) {
  await page.locator(".customer-row .name", { hasText: name }).click();
  await page.locator(".profile-card .name", { hasText: name }).waitFor();
}

async function noHorizontalScroll(page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
}

test("create → interaction → follow-up → complete; Chinese and phone search; reload keeps it", async (t) => {
  const { browser, url } = await setup(t);
  const { page } = await openDevice(browser, url);
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 10_000 });

  await addCustomer(page, "王芳", { phone: "138 0013 8000" });
  await addCustomer(page, "李娜");
  await addCustomer(page, "张伟");

  // A bad phone number is refused inline and nothing is created.
  await page.getByRole("button", { name: "New customer" }).click();
  await page.getByLabel("Name", { exact: true }).fill("赵敏");
  await page.getByLabel("Phone", { exact: true }).fill("12");
  await page.getByRole("button", { name: "Create" }).click();
  await page.locator(".form-error", { hasText: "is not a valid phone number" }).waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
  assert.equal((await rowNames(page)).length, 3);

  // Search: Chinese substring, then the phone typed another way.
  const search = page.getByRole("searchbox");
  await search.fill("王");
  await page.waitForFunction(() => document.querySelectorAll(".customer-row").length === 1);
  assert.deepEqual(await rowNames(page), ["王芳"]);
  await search.fill("13800138000");
  await page.waitForFunction(() => document.querySelectorAll(".customer-row").length === 1);
  assert.deepEqual(await rowNames(page), ["王芳"]);
  await search.fill("");

  // The 360° page: log an interaction and add a follow-up.
  await openCustomer(page, "王芳");
  await page.getByLabel("What was said").fill("询问促销活动价格，已发链接");
  await page.getByRole("button", { name: "Log interaction" }).click();
  await page.locator(".event-text", { hasText: "询问促销活动价格" }).waitFor();
  await page.getByLabel("What to do, e.g. send the quote").fill("发送报价单");
  await page.getByRole("button", { name: "Add follow-up" }).click();
  await page.locator(".follow-up-title", { hasText: "发送报价单" }).waitFor();
  assert.equal(await page.locator('a[href="tel:+8613800138000"]').count(), 1);
  await page.screenshot({ path: path.join(shots, "customer-desktop.png"), ...wholePage });

  // Complete it with one tap on the follow-ups page.
  await page.getByRole("link", { name: "Follow-ups", exact: true }).click();
  const item = page.locator(".follow-up", { hasText: "发送报价单" });
  await item.waitFor();
  await page.screenshot({ path: path.join(shots, "follow-ups-desktop.png"), ...wholePage });
  await item.getByRole("button", { name: "Complete" }).click();
  await item.waitFor({ state: "detached" });

  // A deal on the customer page, moved on the pipeline board: by the stage picker, then by
  // dragging it to another column.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await openCustomer(page, "王芳");
  await page.getByLabel("Deal, e.g. annual order").fill("年度采购");
  await page.getByLabel("Amount (CNY)").fill("12,800");
  await page.getByRole("button", { name: "Add deal" }).click();
  await page.locator(".deal .deal-title", { hasText: "年度采购" }).waitFor();
  await page.getByRole("link", { name: "Pipeline", exact: true }).click();
  const column = (stage) => page.locator(`.column-stage[data-stage="${stage}"]`);
  const card = page.locator(".deal-card", { hasText: "年度采购" });
  await column("initial").locator(".deal-card", { hasText: "年度采购" }).waitFor();
  assert.match(await column("initial").locator(".stage-total").innerText(), /12,800\.00/);
  await card.getByRole("combobox", { name: "Move to" }).selectOption("proposal");
  await column("proposal").locator(".deal-card", { hasText: "年度采购" }).waitFor();
  await card.dragTo(column("negotiation"));
  await column("negotiation").locator(".deal-card", { hasText: "年度采购" }).waitFor();
  const funnel = await page.locator(".funnel-count").allTextContents();
  assert.deepEqual(funnel, ["1", "1", "1", "1", "0"], "initial → negotiation reached, not won");
  await page.screenshot({ path: path.join(shots, "pipeline-desktop.png"), ...wholePage });

  // A reload (straight onto the customer page) keeps everything.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.screenshot({ path: path.join(shots, "customers-desktop.png"), ...wholePage });
  await openCustomer(page, "王芳");
  await page.reload();
  await page.locator(".event-text", { hasText: "询问促销活动价格" }).waitFor();
  await page.locator(".follow-up.done .follow-up-title", { hasText: "发送报价单" }).waitFor();
  const stage = page.getByRole("combobox", { name: "Move to" });
  assert.equal(await stage.inputValue(), "negotiation");
});

test("on a phone, in Chinese: bottom navigation, no sideways scrolling, the same flow", async (t) => {
  const { browser, url } = await setup(t);
  const { page } = await openDevice(browser, url, { ...PHONE, locale: "zh-CN" });
  // A phone opens on Today; the list is one tap away.
  await page.locator(".today-due").waitFor();
  assert.ok(page.url().endsWith("/today"), page.url());
  await showList(page);
  await page.getByRole("button", { name: "新建客户" }).click();
  await page.getByLabel("姓名", { exact: true }).fill("陈静");
  await page.getByLabel("手机", { exact: true }).fill("13912345678");
  await page.getByLabel("公司", { exact: true }).fill("杭州鑫瑞电子有限公司");
  await page.getByRole("button", { name: "创建" }).click();
  await page.locator(".profile-card .name", { hasText: "陈静" }).waitFor();
  await page.getByLabel("沟通内容").fill("抖音评论咨询，约周五拜访");
  await page.getByRole("button", { name: "记录互动" }).click();
  await page.locator(".event-text", { hasText: "约周五拜访" }).waitFor();
  await noHorizontalScroll(page);
  await page.screenshot({ path: path.join(shots, "customer-phone.png"), ...wholePage });

  const nav = page.locator("nav.nav");
  assert.ok((await nav.boundingBox()).y > 700, "navigation sits at the bottom");
  await nav.getByRole("link", { name: "客户" }).click();
  await page.locator(".customer-row .name", { hasText: "陈静" }).waitFor();
  await noHorizontalScroll(page);
  await page.screenshot({ path: path.join(shots, "customers-phone.png") });
  await nav.getByRole("link", { name: "跟进" }).click();
  await page.locator(".bucket").first().waitFor();
  await noHorizontalScroll(page);
  await page.screenshot({ path: path.join(shots, "follow-ups-phone.png") });
});
