// Service worker: keeps the app shell (HTML, JS, wasm, CSS, icons) so the CRM starts with no
// network. On install it caches the page, every asset the page links (Trunk's hashed JS,
// wasm and CSS) and the workers' files, so even the first visit is enough to start
// offline later. Network first, so a deployed update is picked up as soon as the network
// answers; the cache answers only when the network fails.
const CACHE = "qingke-shell-v3";
const ASSET = /(?:href|src|module_or_path:\s*)=?\s*["'](\/[^"'#?]+)["']/g;
// The phone and sheet workers (app/src/worker.rs): started by the app, so the page does not
// link them.
const WORKER_FILES = ["crm-phone", "crm-sheets"].flatMap((w) => [`/${w}_loader.js`, `/${w}.js`, `/${w}_bg.wasm`]);

async function cacheShell() {
  const cache = await caches.open(CACHE);
  const page = await fetch("/", { cache: "no-store" });
  const html = await page.clone().text();
  await cache.put("/", page);
  const assets = new Set([...html.matchAll(ASSET)].map((m) => m[1]).concat(WORKER_FILES));
  await cache.addAll([...assets, ...(await splitModules(assets))]);
}

// The screens split from the app into their own modules (xtask/src/split.rs): their loader
// sits beside the app's JS as `<app>-split.js` and names every module.
async function splitModules(assets) {
  const app = [...assets].find((a) => /^\/crm-app-[0-9a-f]+\.js$/.test(a));
  if (!app) return [];
  const loader = app.replace(/\.js$/, "-split.js");
  const answer = await fetch(loader);
  if (!answer.ok) return [];
  const modules = [...(await answer.text()).matchAll(/"\.\/([^"]+\.wasm)"/g)].map((m) => `/${m[1]}`);
  return [loader, ...modules];
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  // Every app route is the same page.
  const key = request.mode === "navigate" ? "/" : url.pathname;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(key, copy));
        }
        return response;
      })
      .catch(() => caches.match(key).then((hit) => hit || Response.error())),
  );
});
