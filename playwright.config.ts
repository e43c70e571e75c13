// End-to-end tests (test/e2e/*.spec.ts): Debian's Chromium drives the real renderer served by the web host,
// and Electron tests drive the app itself when an Electron binary is installed. Never `npx playwright
// install`: the browser is /usr/bin/chromium (apt-get install chromium), or CHROMIUM_PATH if set.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { freePort } from './test/support/free-port.js';

process.env.MVM_E2E_PORT ??= String(await freePort());
const port = Number(process.env.MVM_E2E_PORT);

// The web host's data folder: its DOS drive C: holds a known file, so a test can `dir` and find it.
if (!process.env.MVM_E2E_DATA) {
  process.env.MVM_E2E_DATA = mkdtempSync(join(tmpdir(), 'mvm-e2e-'));
  mkdirSync(join(process.env.MVM_E2E_DATA, 'dos', 'C'), { recursive: true });
  writeFileSync(join(process.env.MVM_E2E_DATA, 'dos', 'C', 'README.TXT'), 'Welcome to MVM Desktop.\r\n');
  // A graphics program that shows the mouse pointer (test/guests/mouse/mousegfx.asm).
  copyFileSync(fileURLToPath(new URL('./test/guests/mouse/mousegfx.com', import.meta.url)), join(process.env.MVM_E2E_DATA, 'dos', 'C', 'MOUSEGFX.COM'));
}

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
  webServer: {
    // The built CLI (bin/mvm.js builds first if out/ is stale); the port is one nothing else holds.
    command: `node bin/mvm.js serve --port ${port}`,
    env: { MVM_DATA_DIR: process.env.MVM_E2E_DATA },
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
