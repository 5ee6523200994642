// Erasing a customer for good, in real browsers against a real local edge: an admin erases a
// customer while a manager's phone holds it offline with an edit of its own; afterwards the
// customer's name and the offline note appear nowhere in the edge's SQLite database or in
// either browser's IndexedDB (searched byte for byte, after checking they were there before),
// the phone's edit does not bring it back, and both pages say it was erased.
//
// The database is searched as SQLite writes it out: a copy of its file and write-ahead log,
// checkpointed by the sqlite3 tool. The live log still holds the earlier page images until
// SQLite checkpoints and reuses it, which a Durable Object cannot force (docs/privacy.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, mkdir, copyFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { openDevice, addCustomer, showList, wholePage } from "../support/browser.mjs";
import { startStack } from "../support/stack.mjs";

const NAME = "欧阳婧雯";
const COMPANY = "Zephyrine Textiles";
const NOTE = "ZEPHYRINE-OFFLINE-NOTE";
const shots = path.resolve("tests/artifacts");

/** Every file under `dir`, read whole. */
async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name));
  return Promise.all(files.map(async (file) => ({ file, bytes: await readFile(file).catch(() => Buffer.alloc(0)) })));
}

/** The files under `dir` that hold `text` (UTF-8). */
async function filesHolding(dir, text) {
  const needle = Buffer.from(text);
  return (await filesUnder(dir)).filter(({ bytes }) => bytes.includes(needle)).map(({ file }) => file);
}

/**
 * The edge's SQLite databases under `dir` as SQLite writes them out: each `.sqlite` file with
 * its write-ahead log, copied to `into` and checkpointed there (the edge must be stopped).
 */
async function checkpointedCopies(dir, into) {
  await mkdir(into, { recursive: true });
  const databases = (await filesUnder(dir)).map(({ file }) => file).filter((f) => f.endsWith(".sqlite"));
  for (const [n, db] of databases.entries()) {
    const copy = path.join(into, `${n}.sqlite`);
    await copyFile(db, copy);
    await copyFile(`${db}-wal`, `${copy}-wal`).catch(() => {});
    execFileSync("sqlite3", [copy, "PRAGMA wal_checkpoint(TRUNCATE);"]);
  }
  return into;
}

/** Every key and value in every IndexedDB database of the page's origin, as text. */
function indexedDbText(page) {
  return page.evaluate(async () => {
    const ask = (request) =>
      new Promise((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const decoder = new TextDecoder();
    const text = (v) => (v instanceof Uint8Array || v instanceof ArrayBuffer ? decoder.decode(v) : JSON.stringify(v));
    const out = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await ask(indexedDB.open(name));
      for (const store of db.objectStoreNames) {
        const records = db.transaction(store).objectStore(store);
        out.push(...(await ask(records.getAllKeys())).map(String));
        out.push(...(await ask(records.getAll())).map(text));
      }
      db.close();
    }
    return out.join("\n");
  });
}

/** Waits until `check()` holds, polling (up to `ms`). */
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("an erased customer is gone from the edge and every browser, and an offline edit does not bring it back", async (t) => {
  const { persistDir, browser, edge, as } = await startStack(t, "erase");
  await mkdir(shots, { recursive: true });

  const { page: admin } = await openDevice(browser, as("admin", "admin"));
  await admin.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await addCustomer(admin, NAME);
  await admin.locator(".customer-row .name", { hasText: NAME }).click();
  await admin.getByRole("button", { name: "Edit profile" }).click();
  await admin.locator("form.draft").getByLabel("Company").fill(COMPANY);
  await admin.locator("form.draft").getByRole("button", { name: "Save" }).click();
  await admin.locator(".profile-card .row-sub", { hasText: COMPANY }).waitFor();

  const { page: phone, context: phoneContext } = await openDevice(browser, as("manager", "manager"), {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await phone.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await showList(phone);
  await phone.getByRole("searchbox").fill(NAME);
  await phone.locator(".customer-row .name", { hasText: NAME }).click();
  await phone.locator(".profile-card .row-sub", { hasText: COMPANY }).waitFor();
  await admin.locator('.sync-badge[data-status="online"]').waitFor();

  // Before: the name is in the edge's files and in both browsers.
  await until(async () => (await filesHolding(persistDir, COMPANY)).length > 0, 10_000, "company stored at the edge");
  for (const page of [admin, phone]) {
    const stored = await indexedDbText(page);
    assert.ok(stored.includes(NAME) && stored.includes(COMPANY), "the name is stored in the browser");
  }

  // The phone goes offline and logs a note.
  await phoneContext.setOffline(true);
  await phone.locator('.sync-badge[data-status="offline"]').waitFor({ timeout: 15_000 });
  await phone.getByLabel("What was said").fill(NOTE);
  await phone.getByRole("button", { name: "Log interaction" }).click();
  await phone.locator(".timeline", { hasText: NOTE }).waitFor();

  // The admin erases it.
  await admin.getByRole("button", { name: "Erase for good…" }).click();
  await admin.screenshot({ path: path.join(shots, "erase-confirm-desktop.png"), ...wholePage });
  await admin.getByRole("alertdialog").getByRole("button", { name: "Erase for good" }).click();
  await admin.locator(".erased-note").waitFor();

  // The phone comes back: its copy becomes the tombstone, its note goes with it.
  await phoneContext.setOffline(false);
  await phone.locator(".erased-note").waitFor({ timeout: 20_000 });
  await phone.screenshot({ path: path.join(shots, "erased-phone.png") });
  await phone.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });
  await admin.locator('.sync-badge[data-status="online"]').waitFor({ timeout: 20_000 });

  for (const text of [NAME, COMPANY, NOTE]) {
    for (const [who, page] of [["admin", admin], ["phone", phone]]) {
      assert.ok(!(await indexedDbText(page)).includes(text), `${text} left in the ${who}'s browser`);
    }
  }
  // A reload still says erased; the list does not show it.
  await phone.reload();
  await phone.locator(".erased-note").waitFor({ timeout: 20_000 });
  await phone.goto(new URL("/", phone.url()).href);
  await showList(phone);
  await phone.locator(".customer-row").first().waitFor();
  assert.equal(await phone.locator(".customer-row", { hasText: NAME }).count(), 0);

  await edge.stop();
  const written = await checkpointedCopies(persistDir, path.join(persistDir, "checkpointed"));
  for (const text of [NAME, COMPANY, NOTE]) {
    assert.deepEqual(await filesHolding(written, text), [], `${text} left in the edge's database`);
  }
});
