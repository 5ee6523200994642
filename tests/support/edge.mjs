// Starts and stops a real local Workers runtime (`wrangler dev`, workerd) serving edge/build.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createHmac, randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { freePort } from "./ports.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const wrangler = path.join(root, "node_modules/.bin/wrangler");

/** The secret every test edge signs workspace tokens with (the same across restarts). */
const SECRET = randomBytes(16).toString("hex");

/**
 * A workspace token as `crm_core::token::Grant::sign` makes it (signed here with node:crypto,
 * so the tests also check that the format is what the edge verifies).
 */
export function signToken(workspace, { member = "sales-zhang", role = "sales", ttlMs = 3_600_000, secret = SECRET } = {}) {
  const payload = Buffer.from(`v1.${workspace}.${member}.${role}.${Date.now() + ttlMs}`).toString("base64url");
  const mac = createHmac("sha256", secret).update(payload).digest("base64url");
  return `${payload}.${mac}`;
}

/**
 * Runs `wrangler dev` on 127.0.0.1 with Durable Object state persisted in `persistDir` and
 * `vars` as Worker variables (plus the token secret); `logLevel: "log"` keeps the Worker's own
 * console lines in `log()`.
 * Resolves once /health answers. Call `stop()` to end it (and its workerd child).
 */
export async function startEdge({ persistDir, vars = {}, port, logLevel = "warn" }) {
  vars = { AUTH_SECRET: SECRET, ...vars };
  // A port taken meanwhile by another process (or, for a restart on the same port, still held
  // by the runtime just stopped) is tried again: a new port if none was asked for.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch({ persistDir, vars, port: port ?? (await freePort()), logLevel });
    } catch (e) {
      if (!(e instanceof PortTaken) || attempt === 3) throw e;
      console.warn(`${e.message}; starting wrangler dev again`);
      if (port) await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

class PortTaken extends Error {}

async function launch({ persistDir, vars, port, logLevel }) {
  const inspectorPort = await freePort();
  const child = spawn(
    wrangler,
    [
      "dev", "--local", "--ip", "127.0.0.1", "--port", String(port),
      "--inspector-port", String(inspectorPort), "--persist-to", persistDir,
      "--show-interactive-dev-session=false", "--log-level", logLevel,
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
    if (child.exitCode !== null) {
      if (/Address already in use/.test(log)) throw new PortTaken(`port ${port} or ${inspectorPort} was taken`);
      throw new Error(`wrangler dev exited early:\n${log}`);
    }
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
    port,
    wsUrl: `ws://127.0.0.1:${port}`,
    /** The app's address for `workspace` on this edge, signed in as `member`. */
    appUrl: (appBase, workspace, options) =>
      `${appBase}/?workspace=${workspace}&edge=ws://127.0.0.1:${port}&token=${signToken(workspace, options)}`,
    log: () => log,
    /**
     * workerd's resident memory in bytes, now and at its peak (since start, or since the last
     * call with `resetPeak`, which starts a new peak), read from Linux's /proc.
     */
    memory({ resetPeak = false } = {}) {
      // wrangler runs two: a proxy, and the one with the inspector, which runs the Worker.
      const pid = execFileSync("ps", ["-o", "pid=,args=", "-g", String(child.pid)], { encoding: "utf8" })
        .split("\n")
        .map((line) => line.trim().split(/\s+/))
        .find((args) => args[1]?.endsWith("/workerd") && args.some((a) => a.startsWith("--inspector-addr")))?.[0];
      if (!pid) throw new Error("no workerd process under wrangler dev");
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const kib = (field) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))[1]) * 1024;
      const figures = { rss: kib("VmRSS"), peak: kib("VmHWM") };
      if (resetPeak) writeFileSync(`/proc/${pid}/clear_refs`, "5");
      return figures;
    },
    /**
     * Samples the Worker's isolate (the Durable Object runs in it) every 250 ms through the
     * inspector, as V8 counts it: JS heap used and reserved, and ArrayBuffer backing stores
     * (blobs read from SQLite, frames). `stop()` ends it and gives each figure's peak in bytes.
     */
    async sampleIsolate() {
      const [target] = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
      const socket = new WebSocket(target.webSocketDebuggerUrl);
      await new Promise((resolve, reject) => socket.on("open", resolve).on("error", reject));
      const peaks = { heapUsed: 0, heapTotal: 0, backingStores: 0 };
      socket.on("message", (data) => {
        const usage = JSON.parse(data).result;
        if (typeof usage?.usedSize !== "number") return;
        peaks.heapUsed = Math.max(peaks.heapUsed, usage.usedSize);
        peaks.heapTotal = Math.max(peaks.heapTotal, usage.totalSize);
        peaks.backingStores = Math.max(peaks.backingStores, usage.backingStorageSize ?? 0);
      });
      let id = 0;
      const ask = () => socket.send(JSON.stringify({ id: ++id, method: "Runtime.getHeapUsage" }));
      ask();
      const timer = setInterval(ask, 250);
      return {
        stop() {
          clearInterval(timer);
          socket.close();
          return peaks;
        },
      };
    },
    /**
     * Stores the documents of a fixture (`readFixture`) in `workspace` through the `seed` test
     * hook (the edge must run with `TEST_HOOKS=1`), `perRequest` at a time.
     */
    async seed(workspace, docs, { perRequest = 2_000 } = {}) {
      const token = signToken(workspace, { member: "admin", role: "admin" });
      for (let from = 0; from < docs.length; from += perRequest) {
        const parts = docs.slice(from, from + perRequest).flatMap(({ id, bytes }) => {
          const name = Buffer.from(id);
          const sizes = Buffer.alloc(8);
          sizes.writeUInt32LE(name.length, 0);
          sizes.writeUInt32LE(bytes.length, 4);
          return [sizes.subarray(0, 4), name, sizes.subarray(4), bytes];
        });
        const body = Buffer.concat(parts);
        // Storing is idempotent, so a part is sent again if workerd restarted the Worker
        // meanwhile (seen once in a few 100k seedings: "restarted mid-request").
        for (let attempt = 1; ; attempt++) {
          const res = await fetch(`${url}/ws/${workspace}/seed?token=${token}`, { method: "POST", body });
          if (res.ok) break;
          const answer = await res.text();
          if (res.status !== 503 || attempt === 3) {
            throw new Error(`seeding answered ${res.status}: ${answer}\n${log.slice(-3000)}`);
          }
          console.warn(`seeding documents ${from}… answered ${res.status} (${answer}); sending them again`);
        }
      }
    },
    /** Kills the runtime at once (SIGKILL), as a crash or an eviction would. */
    async kill() {
      if (child.exitCode !== null) return;
      process.kill(-child.pid, "SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode !== null) return;
      process.kill(-child.pid, "SIGTERM");
      const killer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
