// A TCP relay in front of `wrangler dev` that takes the permessage-deflate offer out of every
// WebSocket handshake, so a browser's socket is not compressed: local `wrangler dev` compresses
// whatever the Worker says, while the deployed Worker does not (`no_web_socket_compression`,
// docs/decisions.md "WebSocket compression"). Benches that measure what a device gets from a
// deployed edge go through it.
import net from "node:net";

/**
 * Starts the relay to `edge` (from `startEdge`); resolves to `{ port, wsUrl, appUrl(…), stop() }`,
 * `appUrl` as the edge's own but through the relay.
 */
export async function withoutCompression(edge) {
  const port = edge.port;
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => { client.destroy(); upstream.destroy(); });
      socket.on("close", () => { sockets.delete(socket); client.destroy(); upstream.destroy(); });
    }
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    // The first request's head is rewritten; everything after it is relayed as it comes.
    let head = Buffer.alloc(0);
    const first = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", first);
      const request = head.subarray(0, end + 4).toString("latin1").replace(/^Sec-WebSocket-Extensions:.*\r\n/gim, "");
      upstream.write(Buffer.concat([Buffer.from(request, "latin1"), head.subarray(end + 4)]));
      client.pipe(upstream);
    };
    client.on("data", first);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relay = server.address().port;
  const wsUrl = `ws://127.0.0.1:${relay}`;
  return {
    port: relay,
    wsUrl,
    appUrl: (...args) => edge.appUrl(...args).replace(`edge=${edge.wsUrl}`, `edge=${wsUrl}`),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
