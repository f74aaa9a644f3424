import { access } from "node:fs/promises";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium, which .ci/run installs; CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Headless Chromium for the page tests. Fails, not skips, when the browser is missing: .ci/run
 * installs it. Playwright gives every launch a fresh temporary profile.
 */
export async function launchChromium(): Promise<Browser> {
  await access(CHROMIUM);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
