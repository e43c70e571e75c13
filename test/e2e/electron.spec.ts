// The Electron app itself, driven through Playwright's Electron support. Needs an Electron binary, which
// `ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install` leaves out (as on CI here): then these tests skip, saying why.
// The app must be built (npm test builds it first).
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectron } from '../../scripts/electron-binary.mjs';

// Found without require('electron'), which would try to download a missing binary.
const binary = findElectron();
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

  test('opens a DOS Window whose frames come over its own MessagePort, and runs dir', async () => {
    if ('missing' in binary) return;
    const app = await electron.launch({ executablePath: binary.path, args: ['.'] });
    try {
      const window = await app.firstWindow();
      // The port's arrival is what the page sees of the MessagePort path (no WebSocket to the VM).
      const sockets: string[] = [];
      window.on('websocket', (ws) => sockets.push(ws.url()));
      await window.getByTestId('open-dos-window').click();
      const session = window.locator('mvm-session').last();
      await expect(session.getByTestId('session-text')).toContainText('C:\\>', { timeout: 30_000 });
      await session.getByTestId('session-canvas').click();
      await window.keyboard.type('dir');
      await window.keyboard.press('Enter');
      await expect(session.getByTestId('session-text')).toContainText('bytes free');
      expect(sockets).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

