// A free TCP port on 127.0.0.1 below the kernel's ephemeral range, never one this process
// handed out before. Below the ephemeral range, no outgoing connection and no `listen(0)` (the
// browser's, workerd's own) can take the port between this pick and wrangler binding it; two
// picks in a row can otherwise also return the same port before either is bound.
import { readFileSync } from "node:fs";
import net from "node:net";

const handedOut = new Set();
const ephemeralFrom = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0]);
const lowest = Math.min(20_000, ephemeralFrom - 2_000);

function bindable(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function freePort() {
  for (;;) {
    const port = lowest + Math.floor(Math.random() * (ephemeralFrom - lowest));
    if (!handedOut.has(port) && (await bindable(port))) {
      handedOut.add(port);
      return port;
    }
  }
}
