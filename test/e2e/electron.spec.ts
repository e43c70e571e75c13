// The Electron app itself, driven through Playwright's Electron support. Needs an Electron binary, which
// `ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install` leaves out (as on CI here): then these tests skip, saying why.
// The app must be built (npm test builds it first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectron } from '../../scripts/electron-binary.mjs';

// Found without require('electron'), which would try to download a missing binary.
const binary = findElectron();
const dataDir = mkdtempSync(join(tmpdir(), 'mvm-electron-'));
test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

test.describe('Electron app', () => {
  test.skip('missing' in binary, `Electron tests skipped: ${'missing' in binary ? binary.missing : ''}`);
  test.skip(!('missing' in binary) && noDisplay, 'Electron tests skipped: no display (run them under xvfb-run)');

  test('opens the desktop window and shows the version over IPC', async () => {
    if ('missing' in binary) return; // skipped above; this narrows the type
    const app = await electron.launch({ executablePath: binary.path, args: ['.'] });
    try {
      const window = await app.firstWindow();
      await expect(window).toHaveTitle('MVM Desktop');
      await expect(window.getByTestId('version')).toHaveText(await app.evaluate(({ app }) => app.getVersion()));
      await expect(window.getByTestId('cpu-models')).toHaveText('8086, 80186, 80286, 80386');
      // The page has no Node: the sandbox and context isolation hold.
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    } finally {
      await app.close();
    }
  });

  test('opens a DOS Window in a window of its own whose frames come over its MessagePort, and runs dir', async () => {
    if ('missing' in binary) return;
    const app = await electron.launch({ executablePath: binary.path, args: ['.'] });
    try {
      const desktop = await app.firstWindow();
      const opened = app.waitForEvent('window');
      await desktop.getByTestId('open-dos-window').click();
      const window = await opened;
      // The session's page is the session alone, reached over its MessagePort (no WebSocket to the VM).
      const sockets: string[] = [];
      window.on('websocket', (ws) => sockets.push(ws.url()));
      expect(window.url()).toMatch(/index\.html\?session=\d+$/);
      const session = window.locator('mvm-session');
      await expect(session.getByTestId('session-text')).toContainText('C:\\>', { timeout: 30_000 });
      await session.getByTestId('session-canvas').click();
      await window.keyboard.type('dir');
      await window.keyboard.press('Enter');
      await expect(session.getByTestId('session-text')).toContainText('bytes free');
      expect(sockets).toEqual([]);
      // The desktop's Window List knows it.
      await desktop.keyboard.press('Control+Escape');
      await expect(desktop.getByTestId('window-list')).toContainText('DOS Window');
    } finally {
      await app.close();
    }
  });

  test('keeps program objects in the library across a restart of the app', async () => {
    if ('missing' in binary) return;
    const launch = () => electron.launch({ executablePath: binary.path, args: ['.'], env: { ...process.env, MVM_DATA_DIR: dataDir } });
    let app = await launch();
    try {
      const desktop = await app.firstWindow();
      await desktop.getByTestId('new-program').click();
      await desktop.getByTestId('nb-name').fill('Persistent');
      await desktop.getByTestId('nb-save').click();
      await expect(desktop.getByTestId('icon-Persistent')).toBeVisible();
    } finally {
      await app.close();
    }
    app = await launch();
    try {
      await expect((await app.firstWindow()).getByTestId('icon-Persistent')).toBeVisible();
    } finally {
      await app.close();
    }
  });
});

