import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const INSTALL_HINT = 'browser tests need Debian’s Chromium: apt-get install -y chromium';

/** Whether the browser tests can run here. */
export function hasChromium(): boolean {
  return fs.existsSync(CHROMIUM);
}

/** Launches Debian's Chromium headless, with no network of its own (never a downloaded browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * For a suite's `before`: launches Chromium, or marks the suite pending (with the install hint)
 * where Debian's Chromium is missing — the one place every browser suite makes that choice.
 */
export async function launchChromiumOrSkip(ctx: Mocha.Context): Promise<Browser> {
  if (!hasChromium()) {
    console.log(`      (pending: ${INSTALL_HINT})`);
    ctx.skip();
  }
  return launchChromium();
}
