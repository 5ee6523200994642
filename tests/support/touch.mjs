// Opens and drops one WebSocket to the edge, e.g. so that the first connection's work (seeding
// a demo workspace) is done before anything is measured.
import http from "node:http";

/** Resolves once `url` (http:// or ws://) upgrades; rejects on any other answer. */
export function touch(url) {
  const headers = {
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  return new Promise((resolve, reject) =>
    http
      .get(url.replace("ws://", "http://"), { headers })
      .on("upgrade", (res, socket) => {
        socket.destroy();
        resolve();
      })
      .on("response", (res) => reject(new Error(`edge answered ${res.statusCode}`)))
      .on("error", reject),
  );
}
