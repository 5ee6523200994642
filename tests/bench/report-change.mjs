// A teammate's change on the reports screen (browser bench): our edge holds N demo customers
// (or a `demo_fixture` file stored through the `seed` test hook, for 100k); a manager's device
// syncs them all and opens Reports; a teammate's official automerge-repo client logs an
// interaction on a customer, one change at a time. Measured on the page: from the change to
// the next frame after the owner table counts it; the page's User Timing measure "reports" for
// that update (the figures computed again: the chunk of rows holding the changed one tallied
// again, every chunk's tally merged); and from that update's start to the next frame.
//
// Usage: node tests/bench/report-change.mjs <N | fixture.bin> [changes]
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge, signToken } from "../support/edge.mjs";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser } from "../support/browser.mjs";
import { touch } from "../support/touch.mjs";
import { benchWorkspace, repoUrl } from "../support/fixture.mjs";
import { call, hex, median, stopAll, teammateAt } from "../support/teammate.mjs";

const source = process.argv[2] ?? "10000";
const CHANGES = Number(process.argv[3] ?? 10);
const { customers, vars, seed } = await benchWorkspace(source);

const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-bench-report-"));
const edge = await startEdge({ persistDir, vars });
const app = await startApp();
const browser = await launchBrowser();
const token = (member, role) => signToken("bench", { member, role });
const teammate = teammateAt(`${edge.wsUrl}/ws/bench?token=${token("admin", "admin")}`);
try {
  await seed(edge);
  await touch(`${edge.url}/ws/bench?token=${token("manager", "manager")}`);
  const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${app.url}/?workspace=bench&edge=${edge.wsUrl}&token=${token("manager", "manager")}`);
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid="result-count"]')?.textContent.trim() === String(n) &&
      document.querySelector('.sync-badge[data-status="online"]'),
    customers,
    { timeout: 900_000, polling: 200 },
  );
  await page.locator('a[href="/reports"]').first().click();
  await page.locator(".figure").first().waitFor();

  const ws = await teammate.find(repoUrl("workspace"));
  const ids = Object.keys(ws.doc().directory);
  const latencies = [];
  const computed = [];
  const framed = [];
  for (let n = 0; n < CHANGES; n++) {
    const customer = await teammate.find(repoUrl(ids[(n * 7_919) % ids.length]));
    // The owner table's interactions, summed, one more: then the next frame.
    const seen = page.evaluate(() => new Promise((resolve) => {
      const logged = () =>
        [...[...document.querySelectorAll(".report-table")].at(-1).querySelectorAll("tbody td:nth-of-type(2)")]
          .reduce((sum, td) => sum + Number(td.textContent), 0);
      const before = logged();
      const observer = new MutationObserver(() => {
        if (logged() !== before + 1) return;
        observer.disconnect();
        const measure = performance.getEntriesByName("reports").at(-1);
        requestAnimationFrame(() =>
          resolve({ at: Date.now(), computed: measure.duration, framed: performance.now() - measure.startTime }),
        );
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    }));
    await new Promise((r) => setTimeout(r, 300));
    const sent = Date.now();
    customer.change((d) => { d.interactions[hex()] = call(Date.now(), `第 ${n} 次`); });
    const result = await seen;
    latencies.push(result.at - sent);
    computed.push(result.computed);
    framed.push(result.framed);
  }
  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log(
    `reports, a teammate's interaction over ${customers} customers: change → figures painted median ${median(latencies)} ms ` +
      `(max ${Math.max(...latencies)}); figures computed again median ${ms(median(computed))} (max ${ms(Math.max(...computed))}); ` +
      `from the rows' update to the next frame median ${ms(median(framed))} (max ${ms(Math.max(...framed))}), ${CHANGES} changes`,
  );
  await context.close();
} finally {
  await stopAll({ teammate, browser, app, edge, persistDir });
}
