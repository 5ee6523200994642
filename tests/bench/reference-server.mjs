// The reference sync server built only from the official packages — automerge-repo with the
// WebSocket server adapter and Node file-system storage — holding the same documents as our
// edge. Usage: node tests/bench/reference-server.mjs <port> <storage dir> <fixture file>.
// Prints "ready" once the documents are imported and stored.
import { WebSocketServer } from "ws";
import { Repo, parseAutomergeUrl } from "@automerge/automerge-repo";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { readFixture, repoUrl } from "../support/fixture.mjs";

const [port, dir, fixture] = process.argv.slice(2);
const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(port) });
const repo = new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  // A server answers what is asked and does not push documents nobody requested.
  sharePolicy: async () => false,
});
for (const { id, bytes } of await readFixture(fixture)) {
  repo.import(bytes, { docId: parseAutomergeUrl(repoUrl(id)).documentId });
}
await repo.flush();
console.log("ready");
