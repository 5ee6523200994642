// A workspace backed up as one file and restored into an empty one: the admin downloads the
// backup from Settings, restores it into a second team's empty workspace, and that team's
// other browser lists the same customers with their history; a file that is not a backup is
// refused with a clear message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openDevice, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const online = (page) => page.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
const rowNames = async (page) => (await page.locator(".customer-row .name").allTextContents()).sort();

test("a backup of one workspace restores into an empty one, seen on a second browser", async (t) => {
  const source = await startStack(t, "backup", { customers: 6 });
  const { page: admin } = await openDevice(source.browser, source.as("admin", "admin"));
  await online(admin);
  await admin.waitForFunction(() => document.querySelectorAll(".customer-row").length === 6, null, { timeout: 20_000 });
  const names = await rowNames(admin);
  await admin.goto(`${source.app.url}/settings`);
  const download = admin.waitForEvent("download");
  await admin.getByRole("button", { name: "Download backup" }).click();
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), "crm-backup-")), "team.qingke");
  await (await download).saveAs(file);
  await admin.locator(".backup-status", { hasText: "Saved" }).waitFor({ timeout: 20_000 });

  const target = await startStack(t, "restore", { customers: 0 });
  const { page: newAdmin } = await openDevice(target.browser, target.as("admin", "admin"));
  const { page: manager } = await openDevice(target.browser, target.as("manager", "manager"));
  await Promise.all([online(newAdmin), online(manager)]);
  await newAdmin.goto(`${target.app.url}/settings`);
  const pick = newAdmin.locator(".backup-card input[type=file]");
  const notBackup = path.join(path.dirname(file), "customers.csv");
  await writeFile(notBackup, "Name,Phone\n周芳,13812345678\n");
  await pick.setInputFiles(notBackup);
  await newAdmin.getByText("This is not a Qingke backup file.").waitFor({ timeout: 10_000 });
  await pick.setInputFiles(file);
  await newAdmin.locator(".backup-status", { hasText: "Restored 6 customers" }).waitFor({ timeout: 30_000 });
  await newAdmin.screenshot({ path: "tests/artifacts/backup-desktop.png", ...wholePage });

  await manager.waitForFunction(() => document.querySelectorAll(".customer-row").length === 6, null, { timeout: 30_000 });
  assert.deepEqual(await rowNames(manager), names);
  // Their history came along: a restored customer's timeline is not empty.
  await manager.locator(".customer-row").first().click();
  await manager.locator(".event-text").first().waitFor({ timeout: 20_000 });
  // Restoring again is not offered once the workspace has customers.
  await newAdmin.getByText("A backup restores into a workspace without customers only.").waitFor({ timeout: 10_000 });
});
