// One end-to-end test's servers: a local edge (its own persisted state) holding a demo
// workspace, the built app, and Chromium — all stopped and removed when the test ends.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEdge } from "./edge.mjs";
import { startApp } from "./static-server.mjs";
import { launchBrowser } from "./browser.mjs";

/**
 * Starts the stack for test `t` with a demo workspace named after `prefix` of `customers`
 * customers (`vars`: more Worker variables). Returns the servers, the workspace, its persisted
 * state directory and `as(member, role)`: the app's login link for a member.
 */
export async function startStack(t, prefix, { customers = 3, vars = {} } = {}) {
  const persistDir = await mkdtemp(path.join(os.tmpdir(), "crm-edge-"));
  const workspace = `${prefix}-${process.pid}-${Date.now()}`;
  const app = await startApp();
  const browser = await launchBrowser();
  const edge = await startEdge({
    persistDir,
    vars: { DEMO_WORKSPACE: workspace, DEMO_CUSTOMERS: String(customers), ...vars },
  });
  t.after(async () => {
    await browser.close();
    await edge.stop();
    await app.stop();
    await rm(persistDir, { recursive: true, force: true });
  });
  const as = (member, role) => edge.appUrl(app.url, workspace, { member, role });
  return { persistDir, workspace, app, browser, edge, as };
}
