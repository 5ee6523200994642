// A free TCP port on 127.0.0.1, chosen by the OS — never one this process handed out before
// (two picks in a row can otherwise return the same port before either is bound: wrangler's
// own port and its inspector's then collide).
import net from "node:net";

const handedOut = new Set();

function pick() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function freePort() {
  for (;;) {
    const port = await pick();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
