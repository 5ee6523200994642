// Everything on the customer page edits in place, in a real browser against a real local
// edge (demo workspace, so the team has members): profile, contact points of any kind, deals,
// follow-ups, interactions and orders — edited, moved, deleted — while a teammate's open page
// follows; refused input says why and loses nothing typed; sales are offered only what the
// edge keeps. Screenshots of an open editor on desktop and phone go to tests/artifacts/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { openDevice, addCustomer, showList, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const shots = path.resolve("tests/artifacts");
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function setup(t) {
  const stack = await startStack(t, "edit");
  await mkdir(shots, { recursive: true });
  return stack;
}

/** Opens `name`'s page from the list. */
async function openCustomer(page, name) {
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByRole("searchbox").fill(name);
  await page.locator(".customer-row .name", { hasText: name }).click();
  await page.locator(".profile-card .name", { hasText: name }).waitFor();
}

/** Deletes with the confirmation accepted. */
async function remove(page, row) {
  page.once("dialog", (dialog) => dialog.accept());
  await row.getByRole("button", { name: "Delete" }).click();
  await row.waitFor({ state: "detached" });
}

/** The row of `rows` whose first input holds `value` (inputs hold their value as a property). */
async function rowWithValue(rows, value) {
  const values = await rows.evaluateAll((els) => els.map((el) => el.querySelector("input")?.value));
  const i = values.indexOf(value);
  assert.ok(i >= 0, `no row holds ${value}: ${values}`);
  return rows.nth(i);
}

async function noHorizontalScroll(page) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
}

test("a manager edits every card in place while a teammate's page follows", async (t) => {
  const { browser, as } = await setup(t);
  const { page } = await openDevice(browser, as("manager", "manager"));
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await addCustomer(page, "王芳", { phone: "138 0013 8000" });
  const { page: mate } = await openDevice(browser, as("sales-zhang", "sales"));
  await mate.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await openCustomer(mate, "王芳");
  await openCustomer(page, "王芳");

  // Profile: company, title and stage; only what changed is written.
  await page.getByRole("button", { name: "Edit profile" }).click();
  const draft = page.locator("form.draft");
  await draft.getByLabel("Company").fill("杭州鑫瑞电子有限公司");
  await draft.getByLabel("Title").fill("采购经理");
  await draft.getByLabel("Stage").selectOption("prospect");
  await page.screenshot({ path: path.join(shots, "edit-profile-desktop.png"), ...wholePage });
  await draft.getByRole("button", { name: "Save" }).click();
  await draft.waitFor({ state: "detached" });
  await page.locator(".profile-card .row-sub", { hasText: "杭州鑫瑞电子有限公司 · 采购经理" }).waitFor();
  await mate.locator(".profile-card .row-sub", { hasText: "杭州鑫瑞电子有限公司" }).waitFor();

  // The workspace's custom fields: the demo's single-select Industry.
  const details = page.locator(".custom-fields");
  await details.getByRole("button", { name: "Edit" }).click();
  await details.getByLabel("Industry").selectOption("tech");
  await details.getByRole("button", { name: "Save" }).click();
  await details.locator("dd", { hasText: "tech" }).waitFor();
  await mate.locator(".custom-fields dd", { hasText: "tech" }).waitFor();

  // Contact points: a WeCom account added (the first of its kind is primary); the phone
  // rewritten, first wrongly (refused, the draft stays open with what was typed), then right.
  await page.getByLabel("Type", { exact: true }).selectOption("wecom");
  await page.getByLabel("Number or handle").fill("wangfang01");
  await page.getByLabel("Label (e.g. work)").fill("工作");
  await page.getByRole("button", { name: "Add contact" }).click();
  const wecom = page.locator('.contact[data-kind="wecom"]');
  await wecom.locator(".primary-chip").waitFor();
  const phone = page.locator('.contact[data-kind="phone"]');
  await phone.getByRole("button", { name: "Edit" }).click();
  await phone.getByLabel("Number or handle").fill("12");
  await phone.getByRole("button", { name: "Save" }).click();
  await page.locator(".banner-error", { hasText: "is not a valid phone number" }).waitFor();
  assert.equal(await phone.getByLabel("Number or handle").inputValue(), "12");
  await phone.getByLabel("Number or handle").fill("139 0000 1111");
  await phone.getByRole("button", { name: "Save" }).click();
  await page.locator('a[href="tel:+8613900001111"]').waitFor();
  assert.equal(await page.locator(".banner-error").count(), 0, "a saved edit clears the error");
  await mate.locator('a[href="tel:+8613900001111"]').waitFor();
  await remove(page, wecom);
  await mate.locator('.contact[data-kind="wecom"]').waitFor({ state: "detached" });

  // A deal: amount and expected close edited, then deleted.
  await page.getByLabel("Deal, e.g. annual order").fill("年度采购");
  await page.getByLabel("Amount (CNY)").fill("12,800");
  await page.getByRole("button", { name: "Add deal" }).click();
  // (An open editor shows values in inputs, not text: rows are found by position.)
  const deal = page.locator(".deal").first();
  await deal.locator(".deal-title", { hasText: "年度采购" }).waitFor();
  await deal.getByRole("button", { name: "Edit" }).click();
  await deal.getByLabel("Amount (CNY)").fill("15000");
  await deal.getByLabel("Expected close").fill("2026-12-31");
  await deal.getByRole("button", { name: "Save" }).click();
  await deal.locator(".deal-close", { hasText: "2026-12-31" }).waitFor();
  assert.match(await deal.locator(".spend").innerText(), /15,000\.00/);
  await mate.locator(".deal .deal-close", { hasText: "2026-12-31" }).waitFor();
  await remove(page, deal);

  // A follow-up moved to next week, then given to a salesperson.
  await page.getByLabel("What to do, e.g. send the quote").fill("发送报价单");
  await page.getByRole("button", { name: "Add follow-up" }).click();
  const followUp = page.locator(".follow-up").first();
  await followUp.locator(".follow-up-title", { hasText: "发送报价单" }).waitFor();
  const due = await followUp.locator(".due").innerText();
  await followUp.getByRole("button", { name: "Next week" }).click();
  await page.waitForFunction(
    (before) => document.querySelector(".follow-up .due")?.textContent !== before,
    due,
  );
  await followUp.getByRole("button", { name: "Edit" }).click();
  await followUp.getByLabel("Assignee").selectOption("sales-chen");
  await followUp.getByRole("button", { name: "Save" }).click();
  await followUp.locator(".follow-up-assignee", { hasText: "陈静" }).waitFor();

  // An interaction reworded, then deleted; an order corrected, then deleted.
  await page.getByLabel("What was said").fill("询问价格");
  await page.getByRole("button", { name: "Log interaction" }).click();
  const event = page.locator(".event").first();
  await event.locator(".event-text", { hasText: "询问价格" }).waitFor();
  await event.getByRole("button", { name: "Edit" }).click();
  await event.getByLabel("What was said").fill("询问批发价格，已发报价");
  await event.getByRole("button", { name: "Save" }).click();
  await page.locator(".event-text", { hasText: "询问批发价格，已发报价" }).waitFor();
  await mate.locator(".event-text", { hasText: "询问批发价格，已发报价" }).waitFor();
  await remove(page, event);
  await page.getByLabel("Items, e.g. tea gift box x2").fill("茶叶礼盒");
  await page.getByLabel("Order total (CNY)").fill("100");
  await page.getByRole("button", { name: "Record order" }).click();
  const order = page.locator(".order").first();
  await order.getByText("茶叶礼盒").waitFor();
  await page.screenshot({ path: path.join(shots, "customer-editable-desktop.png"), ...wholePage });
  await order.getByRole("button", { name: "Edit" }).click();
  await order.getByLabel("Order total (CNY)").fill("120.5");
  await order.getByLabel("When").fill("2026-11-11");
  await order.getByRole("button", { name: "Save" }).click();
  await order.locator(".spend", { hasText: "120.50" }).waitFor();
  await order.getByText("Nov 11, 2026").waitFor();
  await remove(page, order);

  // All of it survives a reload.
  await page.reload();
  await page.locator(".profile-card .row-sub", { hasText: "杭州鑫瑞电子有限公司" }).waitFor();
  await page.locator('a[href="tel:+8613900001111"]').waitFor();
  assert.equal(await page.locator('.contact[data-kind="wecom"]').count(), 0);
  assert.equal(await page.locator(".deal").count(), 0);

  // Archived: gone from the list (also the teammate's), listed under "Archived customers",
  // restored whole.
  await page.getByRole("button", { name: "Archive" }).click();
  await page.locator(".archived-note").waitFor();
  await mate.locator(".archived-note").waitFor();
  await page.screenshot({ path: path.join(shots, "customer-archived-desktop.png") });
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await page.getByRole("searchbox").fill("王芳");
  await page.waitForFunction(() => document.querySelectorAll(".customer-row").length === 0);
  await page.getByLabel("Archived customers").check();
  await page.locator(".customer-row .name", { hasText: "王芳" }).click();
  await page.getByRole("button", { name: "Restore" }).click();
  await page.locator(".archived-note").waitFor({ state: "detached" });
  await page.locator('a[href="tel:+8613900001111"]').waitFor();
  // Back on the list, its search and filters are as left.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  assert.equal(await page.getByRole("searchbox").inputValue(), "王芳");
  await page.getByLabel("Archived customers").uncheck();
  await page.locator(".customer-row .name", { hasText: "王芳" }).waitFor();
});

test("sales are offered what the edge keeps; the editor fits a phone", async (t) => {
  const { browser, as } = await setup(t);
  const { page } = await openDevice(browser, as("sales-zhang", "sales"), { ...PHONE, locale: "zh-CN" });
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await showList(page);
  await page.getByRole("button", { name: "新建客户" }).click();
  await page.getByLabel("姓名", { exact: true }).fill("陈静怡");
  await page.getByRole("button", { name: "创建" }).click();
  await page.locator(".profile-card .name", { hasText: "陈静怡" }).waitFor();
  await page.getByLabel("买了什么，如：茶叶礼盒 x2").fill("茶具");
  await page.getByLabel("订单总额（元）").fill("300");
  await page.getByRole("button", { name: "记录订单" }).click();
  const order = page.locator(".order", { hasText: "茶具" });
  await order.getByRole("button", { name: "编辑" }).waitFor();
  assert.equal(await order.getByRole("button", { name: "删除" }).count(), 0, "sales do not delete orders");
  await page.getByRole("button", { name: "编辑资料" }).click();
  const draft = page.locator("form.draft");
  assert.equal(await draft.getByLabel("负责人").count(), 0, "sales do not assign owners");
  await draft.getByLabel("职位").fill("店长");
  await noHorizontalScroll(page);
  await page.screenshot({ path: path.join(shots, "edit-profile-phone.png"), ...wholePage });
  await draft.getByRole("button", { name: "保存" }).click();
  await page.locator(".profile-card .row-sub", { hasText: "店长" }).waitFor();
});

test("an admin renames the team, adds and moves a stage and defines a field; pages follow", async (t) => {
  const { browser, as } = await setup(t);
  const { page } = await openDevice(browser, as("admin", "admin"));
  await page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await page.goto(page.url().replace(/\/?(\?|$)/, "/settings$1"));
  await page.getByRole("heading", { name: "Team settings" }).waitFor();

  const team = page.locator(".card", { hasText: "Team name" });
  await team.getByLabel("Team name").fill("华东销售一组");
  await team.getByRole("button", { name: "Save" }).click();
  await team.getByRole("button", { name: "Save" }).and(page.locator(":disabled")).waitFor();
  await team.getByLabel("Team language (new devices start in it)").selectOption("en");

  // A stage added after the last open one, renamed in English, moved up once.
  const stages = page.locator(".card", { hasText: "Pipeline stages" });
  await stages.locator("form").last().getByLabel("Chinese name").fill("试用");
  await stages.getByRole("button", { name: "Add stage" }).click();
  const names = () => stages.locator(".stage-setting input[aria-label='Chinese name']").evaluateAll((inputs) => inputs.map((i) => i.value));
  await page.waitForFunction(() => document.querySelectorAll(".stage-setting").length === 7);
  const trial = await rowWithValue(stages.locator(".stage-setting"), "试用");
  const before = await names();
  assert.equal(before.indexOf("试用"), before.indexOf("赢单") - 1, `after the last open stage: ${before}`);
  await trial.getByLabel("English name").fill("Trial");
  await trial.getByRole("button", { name: "Save" }).click();
  await trial.getByRole("button", { name: "Move up" }).click();
  await page.waitForFunction(
    () => [...document.querySelectorAll(".stage-setting input[aria-label='Chinese name']")].map((i) => i.value).indexOf("试用") === 3,
  );

  // A multiple-choice field with two options.
  const fields = page.locator(".card", { hasText: "Custom fields" });
  await fields.locator("form").last().getByLabel("Chinese name").fill("购买渠道");
  await fields.locator("form").last().getByLabel("English name").fill("Bought via");
  await fields.getByLabel("Type", { exact: true }).selectOption("multi_select");
  await fields.getByRole("button", { name: "Add field" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".field-setting").length === 2);
  const field = await rowWithValue(fields.locator(".field-setting"), "购买渠道");
  for (const [n, option] of ["门店", "网店"].entries()) {
    await field.locator("form").last().getByLabel("Option name").fill(option);
    await field.getByRole("button", { name: "Add option" }).click();
    await field.locator(".field-options li").nth(n).waitFor();
  }
  // An option renamed: its English name.
  const shop = await rowWithValue(field.locator(".field-options li"), "门店");
  await shop.getByLabel("English name").fill("Shop");
  await shop.getByRole("button", { name: "Save" }).click();
  await page.screenshot({ path: path.join(shots, "settings-desktop.png"), ...wholePage });

  // The customer page offers the new stage and the new field's options.
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await addCustomer(page, "周敏");
  await openCustomer(page, "周敏");
  await page.getByLabel("Deal, e.g. annual order").fill("试用合同");
  await page.getByLabel("Amount (CNY)").fill("1000");
  await page.getByRole("button", { name: "Add deal" }).click();
  await page.getByRole("combobox", { name: "Move to" }).selectOption({ label: "Trial" });
  const details = page.locator(".custom-fields");
  await details.getByRole("button", { name: "网店" }).click();
  await details.locator('button.choice.on', { hasText: "网店" }).waitFor();
  await details.getByRole("button", { name: "Shop" }).click();
  await details.locator('button.choice.on', { hasText: "Shop" }).waitFor();
  await details.getByRole("button", { name: "网店" }).click();
  await details.locator('button.choice:not(.on)', { hasText: "网店" }).waitFor();
  assert.equal(await page.getByRole("combobox", { name: "Move to" }).inputValue().then((v) => v.length > 0), true);

  // The Trial stage removed: the deal in it goes to Proposal first.
  await page.goto(page.url().replace(/\/customers\/[^?]*/, "/settings"));
  await page.waitForFunction(() => document.querySelectorAll(".stage-setting").length === 7);
  const trialRow = await rowWithValue(page.locator(".stage-setting"), "试用");
  await trialRow.getByRole("button", { name: "Remove stage" }).click();
  const dialog = trialRow.getByRole("alertdialog");
  await dialog.getByText("1 deals are in this stage").waitFor();
  await dialog.getByLabel("Move the deals to").selectOption({ label: "Proposal" });
  await dialog.getByRole("button", { name: "Remove stage" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".stage-setting").length === 6);
  // A second lost stage goes after the last one.
  const addStage = stages.locator("form").last();
  await addStage.getByLabel("Stage kind").selectOption("lost");
  await addStage.getByLabel("Chinese name").fill("无效线索");
  assert.equal(await addStage.getByLabel("Chinese name").inputValue(), "无效线索");
  await addStage.getByRole("button", { name: "Add stage" }).click();
  await page.waitForFunction(() => {
    const names = [...document.querySelectorAll(".stage-setting input[aria-label='Chinese name']")].map((i) => i.value);
    return names.length === 7 && names[6] === "无效线索";
  });
  await page.getByRole("link", { name: "Customers", exact: true }).click();
  await openCustomer(page, "周敏");
  await page.waitForFunction(() => document.querySelector(".deal select.move-to")?.value === "proposal");

  // A manager (on a phone) reads the settings but is offered nothing to change.
  const { page: manager } = await openDevice(browser, as("manager", "manager"), PHONE);
  await manager.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await manager.goto(new URL("/settings", manager.url()).href);
  await manager.waitForFunction(
    () => document.querySelector(".settings[data-read-only] input")?.value === "华东销售一组",
  );
  assert.equal(await manager.getByRole("button", { name: "Add stage" }).isVisible(), false);
  assert.equal(await manager.getByRole("button", { name: "Remove stage" }).count(), 0);
  await noHorizontalScroll(manager);
  await manager.screenshot({ path: path.join(shots, "settings-phone.png"), ...wholePage });

  // A new device in a Chinese browser, where nobody chose a language, starts in the team's.
  const { page: fresh } = await openDevice(browser, as("sales-zhou", "sales"), { locale: "zh-CN" });
  await fresh.getByRole("link", { name: "Customers", exact: true }).waitFor({ timeout: 20_000 });
});
