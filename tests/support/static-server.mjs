// Serves the Trunk-built app (dist/) on 127.0.0.1, falling back to index.html for app routes.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".webmanifest": "application/manifest+json",
};

/** `files` maps extra paths to files on disk, streamed (a benchmark's fixture of 250 MB). */
export async function startApp({ dist = path.join(root, "dist"), files = {} } = {}) {
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (files[pathname]) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      createReadStream(files[pathname]).pipe(res);
      return;
    }
    const file = path.join(dist, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ""));
    const ext = path.extname(file);
    try {
      const body = await readFile(ext ? file : path.join(dist, "index.html"));
      res.writeHead(200, { "content-type": TYPES[ext || ".html"] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
