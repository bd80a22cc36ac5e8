import * as fs from 'fs';
import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';

/** Debian's Chromium, never a downloaded one; flags keep it off every network but loopback. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Where the runs keep their screenshots (test artefacts). */
export const ARTIFACTS = path.resolve(__dirname, '..', '..', '.driftlock', 'e2e-artifacts');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
