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
