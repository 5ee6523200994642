// A team run from the app: an admin invites a colleague, whose device redeems the link once and
// syncs the team's customers; the admin changes their role (their device renews its sign-in
// and shows the new role) and deactivates them (their device is signed out and its copy of
// the team deleted); a revoked or used invitation does not open; a device offline past its
// token's expiry renews it and syncs.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { openDevice, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const shots = path.resolve(process.env.UPDATE_SCREENSHOTS ? "docs/screenshots" : "tests/artifacts");
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const online = (page) => page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
const databases = (page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

test("invite, redeem once, change a role, deactivate; revoked and used links refused; expired tokens renew", async (t) => {
  const { app, browser, edge, workspace, as } = await startStack(t, "team", { customers: 12 });
  const { page: admin } = await openDevice(browser, as("admin", "admin"), { viewport: { width: 1280, height: 860 } });
  await online(admin);
  await admin.goto(`${app.url}/team`);
  await admin.getByRole("heading", { name: "Team" }).waitFor();
  await admin.locator(".member-row", { hasText: "王强 Wang Qiang" }).waitFor();

  // Invite a salesperson: the link is shown once and the invitation is pending.
  const invite = admin.locator(".team-invite");
  await invite.getByLabel("Name").fill("吴磊 Wu Lei");
  await invite.getByRole("button", { name: "Create invitation link" }).click();
  const link = await invite.locator(".invite-link input").inputValue();
  assert.match(link, /\/\?invite=[\w-]+\.[\w-]+&edge=ws:/);
  await admin.locator(".team-pending .member-row", { hasText: "吴磊 Wu Lei" }).waitFor();

  // The new device redeems it: signed in as Wu Lei, the team's customers arrive.
  const { page: wu, context: wuDevice } = await openDevice(browser, link);
  await online(wu);
  assert.equal(new URL(wu.url()).search, "", "the invitation left the address bar");
  await wu.locator("summary", { hasText: "吴磊 Wu Lei" }).waitFor();
  await wu.locator(".customer-row").first().waitFor({ timeout: 20_000 });
  // The admin sees the new member (through the workspace document) and no pending invitation.
  await admin.locator(".team-members .member-row", { hasText: "吴磊 Wu Lei" }).waitFor();
  await admin.reload();
  await admin.locator(".team-members .member-row", { hasText: "吴磊 Wu Lei" }).filter({ hasText: "Last seen" }).waitFor();
  assert.equal(await admin.locator(".team-pending .member-row").count(), 0);

  // The same link on another device does not open again.
  const { page: again } = await openDevice(browser, link);
  await again.getByRole("alert").filter({ hasText: "already used or revoked" }).waitFor();

  // Nor does a link cut short when copied.
  const { page: cut } = await openDevice(browser, link.replace(/\.[\w-]+&/, ".x&").slice(0, 60) + "&edge=" + edge.wsUrl);
  await cut.getByRole("alert").filter({ hasText: "cannot be read" }).waitFor();

  // A revoked invitation does not open either.
  await invite.getByLabel("Name").fill("赵六 Zhao Liu");
  await invite.getByRole("button", { name: "Create invitation link" }).click();
  await admin.locator(".team-pending .member-row", { hasText: "赵六" }).waitFor();
  const revokedLink = await invite.locator(".invite-link input").inputValue();
  await admin.screenshot({ path: path.join(shots, "team-desktop.png"), ...wholePage });
  const { page: phone } = await openDevice(browser, as("admin", "admin"), { ...PHONE, locale: "zh-CN" });
  await online(phone);
  await phone.goto(`${app.url}/team`);
  await phone.locator(".team-pending .member-row", { hasText: "赵六" }).waitFor();
  await phone.locator(".team-members .member-row", { hasText: "吴磊" }).filter({ hasText: "最近在线" }).waitFor();
  const sideways = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(sideways, false, "no sideways scroll at 390 px");
  await phone.screenshot({ path: path.join(shots, "team-phone.png"), ...wholePage });
  await admin.locator(".team-pending .member-row", { hasText: "赵六" }).getByRole("button", { name: "Revoke" }).click();
  await admin.locator(".team-pending .member-row", { hasText: "赵六" }).waitFor({ state: "detached" });
  const { page: revoked } = await openDevice(browser, revokedLink);
  await revoked.getByRole("alert").filter({ hasText: "already used or revoked" }).waitFor();

  // A role change: Wu's device renews its sign-in and offers what a manager may do.
  const wuRow = admin.locator(".team-members .member-row", { hasText: "吴磊 Wu Lei" });
  assert.equal(await wu.getByLabel("Assignee").count(), 0);
  await wuRow.getByLabel("Role").selectOption("manager");
  await wu.getByRole("link", { name: "Follow-ups", exact: true }).click();
  await wu.getByLabel("Assignee").waitFor({ timeout: 20_000 });
  await wu.getByLabel("Account and workspaces").click();
  await wu.locator(".account-who", { hasText: "Manager" }).waitFor();

  // Deactivation: Wu's device is signed out at once and its copy of the team deleted.
  assert.ok((await databases(wu)).includes(`crm-${workspace}`));
  admin.once("dialog", (dialog) => dialog.accept());
  await wuRow.getByRole("button", { name: "Deactivate…" }).click();
  await admin.locator(".team-members .member-row.inactive", { hasText: "吴磊 Wu Lei" }).waitFor();
  await wu.getByText("You were removed from this team").waitFor({ timeout: 20_000 });
  await wu.getByRole("heading", { name: "Sign in to your team's workspace" }).waitFor();
  assert.ok(!(await databases(wu)).includes(`crm-${workspace}`), "the team's data left Wu's device");
  // Its old token renews no more.
  const stale = await wuDevice.newPage();
  await stale.goto(link);
  await stale.getByRole("alert").filter({ hasText: "already used or revoked" }).waitFor();

  // A device whose token expired while it was offline renews it and syncs.
  const expired = edge.appUrl(app.url, workspace, { member: "sales-chen", role: "sales", ttlMs: -60_000 });
  const { page: chen } = await openDevice(browser, expired);
  await online(chen);
  await chen.locator(".customer-row").first().waitFor({ timeout: 20_000 });
  const kept = await chen.evaluate(() => JSON.parse(localStorage.getItem("qingke.sign-ins"))[0][1]);
  const expiresAt = Number(Buffer.from(kept.split(".")[0], "base64url").toString().split(".").pop());
  assert.ok(expiresAt > Date.now() + 29 * 24 * 3600_000, "a renewed token lives 30 days");
});

test("a manager hands a salesperson's customers and follow-ups over; the history keeps who owned them", async (t) => {
  const { app, browser, as } = await startStack(t, "handover", { customers: 30 });
  const { page: manager } = await openDevice(browser, as("manager", "manager"));
  await online(manager);
  const { page: chen } = await openDevice(browser, as("sales-chen", "sales"));
  await online(chen);
  await chen.locator(".customer-row").first().waitFor();
  const owner = chen.getByLabel("Owner");
  await owner.selectOption({ label: "张伟 Zhang Wei" });
  const handedName = (await chen.locator(".customer-row .name").first().innerText()).split("\n")[0];

  // The counts come from the rows before anything is confirmed.
  await manager.goto(`${app.url}/team`);
  const zhang = manager.locator(".team-members .member-row", { hasText: "张伟 Zhang Wei" });
  await zhang.getByRole("button", { name: "Hand over…" }).click();
  const counts = await zhang.locator(".handover").innerText();
  const [, customers, followUps] = counts.match(/(\d+) customers · (\d+) open follow-ups/).map(Number);
  assert.ok(customers > 0 && followUps > 0, counts);
  await zhang.getByLabel("Hand over to").selectOption({ label: "陈静 Chen Jing" });
  await zhang.getByRole("button", { name: "Hand over", exact: true }).click();
  await zhang.locator(".handover", { hasText: `Handed over ${customers} customers · ${followUps} open follow-ups` }).waitFor({ timeout: 30_000 });
  assert.doesNotMatch(await zhang.locator(".handover").innerText(), /could not be changed/);

  // Chen's device: Zhang's customers are hers now; the history says who owned them.
  await chen.waitForFunction(() => document.querySelectorAll(".customer-row").length === 0, null, { timeout: 20_000 });
  await owner.selectOption({ label: "陈静 Chen Jing" });
  await chen.locator(".customer-row .name", { hasText: handedName }).first().click();
  await chen.locator("details.history summary").click();
  await chen.locator(".owner-history li", { hasText: "张伟 Zhang Wei → 陈静 Chen Jing" }).filter({ hasText: "王强 Wang Qiang" }).waitFor();
});
