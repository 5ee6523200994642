// A teammate at work on our edge, as the browser benches drive one: the official
// automerge-repo client (signed in as the admin) logging calls, and the benches' teardown.
import { rm } from "node:fs/promises";
import * as A from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";

const S = (text) => new A.ImmutableString(text);

// A random 32-hex-digit id, as the app makes them.
export const hex = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The official client connected to `url` (a workspace's WebSocket address with a token).
export const teammateAt = (url) => new Repo({ network: [new WebSocketClientAdapter(url)] });

// A call the admin logged at `at`, as a customer document's interaction.
export const call = (at, summary) => ({
  channel: S("call"), direction: S("outbound"), at, author: S("admin"), summary: S(summary), deal_id: null,
});

// Stops what a bench started, whatever happened.
export async function stopAll({ teammate, browser, app, edge, persistDir }) {
  await teammate.shutdown().catch(() => {});
  await browser.close();
  await app.stop();
  await edge.stop();
  await rm(persistDir, { recursive: true, force: true });
}
