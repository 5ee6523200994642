// Starts and stops a real local Workers runtime (`wrangler dev`, workerd) serving edge/build.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const wrangler = path.join(root, "node_modules/.bin/wrangler");

/**
 * Runs `wrangler dev` on 127.0.0.1 with Durable Object state persisted in `persistDir` and
 * `vars` as Worker variables.
 * Resolves once /health answers. Call `stop()` to end it (and its workerd child).
 */
export async function startEdge({ persistDir, vars = {} }) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const child = spawn(
    wrangler,
    [
      "dev", "--local", "--ip", "127.0.0.1", "--port", String(port),
      "--inspector-port", String(inspectorPort), "--persist-to", persistDir,
      "--show-interactive-dev-session=false", "--log-level", "warn",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    {
      cwd: path.join(root, "edge"),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    },
  );
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok && (await res.text()) === "ok") break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid, "SIGKILL");
      throw new Error(`wrangler dev did not become ready within 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      process.kill(-child.pid, "SIGTERM");
      const killer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
