import { type Browser, chromium } from "playwright-core";

/**
 * Debian's Chromium, headless, driven by playwright-core (never `playwright install`): the flags keep
 * it off the network this machine does not have (background networking, component updates).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
    ],
  });
}
