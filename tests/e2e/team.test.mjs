// A team run from the app: an admin invites a colleague, whose device redeems the link once and
// syncs the team's customers; the admin changes their role (their device renews its sign-in
// and shows the new role) and deactivates them (their device is signed out and its copy of
// the team deleted); a revoked or used invitation does not open; a device offline past its
// token's expiry renews it and syncs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDevice } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const online = (page) => page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
const databases = (page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

test("invite, redeem once, change a role, deactivate; revoked and used links refused; expired tokens renew", async (t) => {
  const { app, browser, edge, workspace, as } = await startStack(t, "team", { customers: 12 });
  const { page: admin } = await openDevice(browser, as("admin", "admin"));
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
