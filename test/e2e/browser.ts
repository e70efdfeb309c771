import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Flags for Debian's Chromium in a sandbox with no network but loopback. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * The Chromium to drive: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`;
 * null when neither exists. Never a downloaded browser.
 */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? null;
}

/**
 * Whether to skip the browser tests: only outside CI, and only when no
 * Chromium is found. In CI (`CI=true`) a missing browser is a failure.
 */
export function browserSkipReason(): string | null {
  if (findChromium()) return null;
  if (process.env.CI === 'true') {
    throw new Error('CI=true but no Chromium found: install Debian\'s chromium (apt-get install -y chromium) or set CHROMIUM_PATH');
  }
  return 'no Chromium found (set CHROMIUM_PATH or apt-get install -y chromium); skipping the browser tests';
}

/** Launches headless Chromium with the sandbox-friendly flags. */
export function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium found');
  return chromium.launch({ executablePath, args: FLAGS, headless: true });
}
