// Debian's Chromium driven by playwright-core (no browser download).
import { chromium } from "playwright-core";

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** A new browser context (a device) on `url`, in English unless `options.locale` says otherwise. */
export async function openDevice(browser, url, options = {}) {
  const context = await browser.newContext({ locale: "en-US", ...options });
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message, page.url()));
  await page.goto(url);
  return { context, page };
}

/** Screenshot options for the whole page, below the fold included: the app leaves cards and
 * rows off screen unrendered (`content-visibility: auto`), which a full-page capture would
 * show blank. */
export const wholePage = { fullPage: true, style: "* { content-visibility: visible !important; }" };

/** Goes to the customer list by the navigation (a phone opens on Today). */
export async function showList(page) {
  await page.locator('nav.nav a[href="/"]').click();
  await page.locator(".list-card").waitFor();
}

/** Creates a customer through the list's form and returns to the list. */
export async function addCustomer(page, name, { phone } = {}) {
  await page.getByRole("button", { name: "New customer" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  if (phone) await page.getByLabel("Phone", { exact: true }).fill(phone);
  await page.getByRole("button", { name: "Create" }).click();
  await page.locator(".profile-card .name", { hasText: name.split(" ")[0] }).waitFor();
  await page.getByRole("link", { name: "Customers", exact: true }).click();
}
