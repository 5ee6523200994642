// Browser timing harness for the app (run by `cargo xtask bench`): with N demo customers
// already in IndexedDB, measures in headless Chromium the first paint of the customer list
// after navigation, when customers can be opened and edited, one search keystroke (until the
// rows that can be on screen are updated and laid out, until the next animation frame, and
// until the rows off screen have followed), opening a customer page
// and going back to the list (also after an edit and after adding a customer), the reports screen (first paint, a period
// change until the next frame and its figures' computation), the duplicates screen (painted,
// and its scan), and the tab's JS heap and wasm memory. Usage: node
// tests/bench/app.mjs <fixture file>.
import { startApp } from "../support/static-server.mjs";
import { launchBrowser } from "../support/browser.mjs";
import { signToken } from "../support/edge.mjs";

const app = await startApp({ files: { "/bench-fixture.bin": process.argv[2] } });
const browser = await launchBrowser();
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const ms = (x) => `${x.toFixed(1)} ms`;

/** Clicks `link`; ms until `selector` is in the DOM (and painted, with `nextFrame`). */
const timeClick = (link, selector, nextFrame) =>
  link.evaluate(async (link, [selector, nextFrame]) => {
    const start = performance.now();
    link.click();
    await new Promise((resolve) => {
      const seen = () => document.querySelector(selector) && resolve();
      new MutationObserver(seen).observe(document.body, { childList: true, subtree: true });
      seen();
    });
    if (nextFrame) await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    return performance.now() - start;
  }, [selector, nextFrame]);

/** Clicks a customer row's link; ms until the customer page is in the DOM (and painted, with `nextFrame`). */
const timeOpen = (row, nextFrame) => timeClick(row, ".profile-card", nextFrame);

/** The duration of the page's last User Timing measure `name`. */
const lastMeasure = (page, name) =>
  page.evaluate((name) => performance.getEntriesByName(name, "measure").at(-1)?.duration ?? NaN, name);

try {
  const workspace = `bench-${Date.now()}`;
  // Signed in as a manager (the whole team's reports, the duplicates screen), with no edge at
  // all (a port nothing listens on).
  const token = signToken(workspace, { member: "manager", role: "manager" });
  const signIn = `${app.url}/?edge=ws://127.0.0.1:9&token=${token}`;
  const url = `${app.url}/`;
  const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  // When the wasm module has started, to split first paint into start-up and list work.
  await page.addInitScript(() =>
    addEventListener("TrunkApplicationStarted", (e) => {
      window.__wasmStarted = performance.now();
      window.__wasmMemory = e.detail.wasm.memory;
    }),
  );

  // Fill the workspace's IndexedDB (schema v2: documents + changes) before the app opens it,
  // reading the fixture as a stream and storing 2,000 documents per transaction.
  await page.goto(`${app.url}/sw.js`);
  const stored = await page.evaluate(async (name) => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(name, 2);
      open.onupgradeneeded = () => {
        open.result.createObjectStore("documents");
        open.result.createObjectStore("changes");
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const store = (docs) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction("documents", "readwrite");
        for (const [id, bytes] of docs) tx.objectStore("documents").put(bytes, id);
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
    const reader = (await fetch("/bench-fixture.bin")).body.getReader();
    let pending = new Uint8Array(0);
    let docs = [];
    let count = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const joined = new Uint8Array(pending.length + value.length);
      joined.set(pending);
      joined.set(value, pending.length);
      const view = new DataView(joined.buffer);
      let at = 0;
      for (;;) {
        if (at + 4 > joined.length) break;
        const idLen = view.getUint32(at, true);
        if (at + 8 + idLen > joined.length) break;
        const len = view.getUint32(at + 4 + idLen, true);
        if (at + 8 + idLen + len > joined.length) break;
        const id = new TextDecoder().decode(joined.subarray(at + 4, at + 4 + idLen));
        docs.push([id, joined.slice(at + 8 + idLen, at + 8 + idLen + len)]);
        at += 8 + idLen + len;
      }
      pending = joined.slice(at);
      if (docs.length >= 2000) {
        count += docs.length;
        await store(docs);
        docs = [];
      }
    }
    count += docs.length;
    await store(docs);
    db.close();
    return count - 1;
  }, `crm-${workspace}`);

  // Every document restored: the link to the (absent) edge is tried only then.
  const restored = '.sync-badge[data-status="offline"]';
  // First visit: no row cache yet, every document loads before the list can show.
  await page.goto(signIn);
  await page.locator(".customer-row").first().waitFor({ timeout: 300_000 });
  const coldPaint = await page.evaluate(() => performance.now());
  await page.locator(restored).waitFor({ timeout: 300_000 });
  const coldLoaded = await page.evaluate(() => performance.now());
  // Every later start: the list paints from the row cache, documents are restored behind it
  // while people already open and edit customers.
  await page.goto(url);
  await page.locator(".customer-row").first().waitFor({ timeout: 300_000 });
  const [firstPaint, wasmStarted] = await page.evaluate(() => [performance.now(), window.__wasmStarted]);
  await page.locator(".head-action:not([disabled])").waitFor({ timeout: 300_000 });
  const editable = await page.evaluate(() => performance.now());
  const earlyOpen = await timeOpen(page.locator(".customer-row .row-link").nth(20), false);
  const restoring = (await page.locator(restored).count()) === 0;
  await page.locator(restored).waitFor({ timeout: 300_000 });
  const loaded = await page.evaluate(() => performance.now());
  await page.goBack();
  // Search and the timings below need every row, not the first screen as last seen.
  await page.locator('.list-card[data-rows="all"]').waitFor({ timeout: 300_000 });
  const rowsIn = await page.evaluate(() => performance.now());
  await page.locator(".customer-row").first().waitFor();

  const search = page.getByRole("searchbox");
  // A keystroke: until the rows that can be on screen are updated and laid out (its work: the
  // app's reactive updates run in microtasks, done before a message posted after the input is
  // handled); until the next animation frame — which adds the wait for the display's next
  // frame, up to 16.7 ms whatever the work (measured alone below); and until the rows off
  // screen have followed, in a task after that frame.
  const keystroke = async (text) =>
    search.evaluate(async (input, value) => {
      // ms since `start` once the app's microtasks are done and the list is laid out.
      const settled = async () => {
        await new Promise((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = resolve;
          channel.port2.postMessage(0);
        });
        document.querySelector(".customer-row")?.getBoundingClientRect();
        return performance.now() - start;
      };
      const start = performance.now();
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      const work = await settled();
      const selection = performance.getEntriesByName("search", "measure").at(-1);
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      const frame = performance.now() - start;
      // The rows off screen follow in a task after the frame: after it, every row is updated.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const every = await settled();
      const offScreen = performance.getEntriesByName("rows off screen", "measure").at(-1);
      // (A keystroke that leaves the rows shown as they were has none to follow.)
      const followed = offScreen && offScreen.startTime >= start;
      const late =
        !selection ||
        selection.startTime + selection.duration > start + work ||
        (followed && offScreen.startTime + offScreen.duration > start + every);
      return { work, frame, every, late };
    }, text);
  const queries = ["王", "王芳", "", "张", "张伟", "", "有限", "有限公司", "", "138", "1380", ""];
  const keystrokes = [];
  const selections = [];
  for (let round = 0; round < 3; round++) {
    for (const q of queries) {
      keystrokes.push(await keystroke(q));
      selections.push(await lastMeasure(page, "search"));
    }
  }
  if (keystrokes.some((k) => k.late)) throw new Error("a keystroke's selection, or its rows off screen, ended after they were timed");
  // The wait for the next frame alone, from a moment at random within a frame.
  const frameWaits = await page.evaluate(async () => {
    const waits = [];
    for (let i = 0; i < 36; i++) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 17));
      const start = performance.now();
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      waits.push(performance.now() - start);
    }
    return waits;
  });

  // Back from a customer page: ms until the list's rows are in the DOM and painted.
  const timeBack = () =>
    page.evaluate(async () => {
      const start = performance.now();
      history.back();
      await new Promise((resolve) => {
        const seen = () => document.querySelector(".customer-row") && resolve();
        new MutationObserver(seen).observe(document.body, { childList: true, subtree: true });
        seen();
      });
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      return performance.now() - start;
    });
  // Opening a customer and back; then back after tagging the customer (the list brings its
  // order, search text and tags up to date with the edited row).
  const opens = [];
  const backs = [];
  for (let i = 0; i < 10; i++) {
    opens.push(await timeOpen(page.locator(".customer-row .row-link").nth(i), true));
    backs.push(await timeBack());
  }
  const editedBacks = [];
  const editedListings = [];
  for (let i = 0; i < 5; i++) {
    await page.locator(".customer-row .row-link").nth(i).click();
    const tag = `bench-${i}`;
    await page.locator(".tags-card form input").fill(tag);
    await page.locator(".tags-card form input").press("Enter");
    await page.locator(".tags-card .chip.tag", { hasText: tag }).waitFor();
    // The rows are published 16 ms after an edit.
    await page.waitForTimeout(100);
    editedBacks.push(await timeBack());
    editedListings.push(await lastMeasure(page, "listing"));
  }
  // Back after adding a customer (a row comes: the rows after it move by one).
  const addedBacks = [];
  const addedListings = [];
  for (let i = 0; i < 3; i++) {
    await page.locator(".head-action").click();
    await page.locator(".new-customer input").first().fill(`测试客户${i}`);
    await page.locator(".new-customer button[type=submit]").click();
    await page.locator(".profile-card").waitFor();
    await page.waitForTimeout(100);
    addedBacks.push(await timeBack());
    addedListings.push(await lastMeasure(page, "listing"));
  }

  // Reports: from the list to every figure painted, then a period change until the next frame.
  const reportsPaint = await timeClick(page.locator('a[href="/reports"]').first(), ".figure", true);
  // The first visit reads every row (the figures' columns are kept for the next questions).
  const firstCompute = await lastMeasure(page, "reports");
  // Each period change: until the next frame, and the figures' computation alone (the page's
  // User Timing measure "reports").
  const periodChanges = [];
  const computes = [];
  for (let round = 0; round < 3; round++) {
    for (let button = 0; button < 4; button++) {
      const took = await page.evaluate(async (button) => {
        const start = performance.now();
        document.querySelectorAll(".segmented button")[button].click();
        await new Promise((resolve) => requestAnimationFrame(() => resolve()));
        return performance.now() - start;
      }, button);
      const computed = await lastMeasure(page, "reports");
      periodChanges.push(took);
      computes.push(computed);
    }
  }

  // Duplicates: from the list to the pairs painted, and the scan alone (User Timing
  // "duplicates").
  await page.goBack();
  await page.locator(".customer-row").first().waitFor();
  const duplicatesPaint = await timeClick(page.locator('a[href="/duplicates"]').first(), ".duplicates-page", true);
  const duplicatesScan = await lastMeasure(page, "duplicates");
  const pairsShown = await page.locator(".duplicate-pairs > li").count();

  const [jsHeap, wasmMemory] = await page.evaluate(() => [
    performance.memory.usedJSHeapSize,
    window.__wasmMemory.buffer.byteLength,
  ]);
  const mb = (bytes) => `${(bytes / 1048576).toFixed(0)} MiB`;

  console.log(`customers stored:            ${stored}`);
  console.log(`tab memory after the runs:   JS heap ${mb(jsHeap)}, wasm memory ${mb(wasmMemory)}`);
  console.log(`first paint of the list:     ${ms(firstPaint)} after navigation start (all documents restored at ${ms(loaded)})`);
  console.log(`  editable (new customer):   ${ms(editable)}; a customer opened then: ${ms(earlyOpen)}${restoring ? " while documents were still being restored" : ""}`);
  console.log(`  of which wasm start-up:    ${ms(wasmStarted)}; every row in for search by ${ms(rowsIn)}`);
  console.log(`  first visit, no row cache: ${ms(coldPaint)} (all documents loaded at ${ms(coldLoaded)})`);
  const works = keystrokes.map((k) => k.work);
  const frames = keystrokes.map((k) => k.frame);
  const everies = keystrokes.map((k) => k.every);
  console.log(`search keystroke:            p50 ${ms(percentile(works, 0.5))}, p95 ${ms(percentile(works, 0.95))} (n=${keystrokes.length}; until the rows that can be on screen are updated and laid out)`);
  console.log(`  of which the selection:    p50 ${ms(percentile(selections, 0.5))}, p95 ${ms(percentile(selections, 0.95))} (search, filters, order, count)`);
  console.log(`  until the next frame:      p50 ${ms(percentile(frames, 0.5))}, p95 ${ms(percentile(frames, 0.95))} (the wait for a frame alone: p50 ${ms(percentile(frameWaits, 0.5))}, p95 ${ms(percentile(frameWaits, 0.95))})`);
  console.log(`  every row, off screen too: p50 ${ms(percentile(everies, 0.5))}, p95 ${ms(percentile(everies, 0.95))} (in the task after that frame)`);
  console.log(`open a customer page:        p50 ${ms(percentile(opens, 0.5))}, max ${ms(Math.max(...opens))} (n=${opens.length})`);
  console.log(`back to the list:            p50 ${ms(percentile(backs, 0.5))}, max ${ms(Math.max(...backs))} (n=${backs.length}; until the next frame)`);
  console.log(`  after tagging the customer: p50 ${ms(percentile(editedBacks, 0.5))}, max ${ms(Math.max(...editedBacks))} (n=${editedBacks.length}; of which the list's view of the rows brought up to date: p50 ${ms(percentile(editedListings, 0.5))})`);
  console.log(`  after adding a customer:   p50 ${ms(percentile(addedBacks, 0.5))}, max ${ms(Math.max(...addedBacks))} (n=${addedBacks.length}; of which the list's view: p50 ${ms(percentile(addedListings, 0.5))})`);
  console.log(`reports, list → painted:     ${ms(reportsPaint)}, of which every figure ${ms(firstCompute)}`);
  console.log(`reports, period change:      p50 ${ms(percentile(periodChanges, 0.5))}, max ${ms(Math.max(...periodChanges))} (n=${periodChanges.length})`);
  console.log(`  of which every figure:     p50 ${ms(percentile(computes, 0.5))}, max ${ms(Math.max(...computes))} (week, month, quarter, year: ${computes.map((c) => c.toFixed(0)).join(" ")} ms)`);
  console.log(`duplicates, list → painted:  ${ms(duplicatesPaint)}, the scan ${ms(duplicatesScan)} (${pairsShown} pairs shown)`);
} finally {
  await browser.close();
  await app.stop();
}
