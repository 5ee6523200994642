// A browser whose WebAssembly lacks SIMD cannot run the app (its wasm is built with SIMD,
// docs/decisions.md): it is told which browsers work, in Chinese and English, not left on a
// blank page. A current browser never sees that notice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { startApp } from "../support/static-server.mjs";
import { launchBrowser } from "../support/browser.mjs";

const artifacts = path.resolve("tests/artifacts");

test("a browser without WebAssembly SIMD is told which browsers work", async (t) => {
  const app = await startApp();
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await app.stop();
  });

  const current = await browser.newPage({ locale: "en-US" });
  await current.goto(app.url);
  await current.getByRole("heading", { name: "Sign in to your team's workspace" }).waitFor();
  assert.equal(await current.locator(".unsupported").count(), 0);

  // An engine without SIMD: it finds any module using it invalid, and cannot compile the app.
  const old = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await old.addInitScript(() => {
    const refuse = () => Promise.reject(new WebAssembly.CompileError("SIMD unsupported"));
    WebAssembly.validate = () => false;
    WebAssembly.instantiate = refuse;
    WebAssembly.instantiateStreaming = refuse;
  });
  await old.goto(app.url);
  const notice = old.getByRole("alert");
  await notice.waitFor();
  const text = await notice.textContent();
  assert.match(text, /需要更新的浏览器/);
  assert.match(text, /Qingke needs a newer browser: update to iOS 16\.4 or later/);
  await mkdir(artifacts, { recursive: true });
  await old.screenshot({ path: path.join(artifacts, "old-browser-phone.png") });
});
