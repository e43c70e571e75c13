// The Workplace-Shell desktop with the session library, in real Chromium through the web host: a program
// object made with its settings notebook, edited, started (its session in the Window List, its exit code in
// its history), still there after a reload and under a second server on the same data folder, copied and
// deleted from its pop-up menu; the Window List by Ctrl+Esc; the DOS Window from the Command Prompts folder;
// files dropped on the desktop. The tests build on each other (one library, in the e2e data folder).
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/free-port.js';
import { expect, test, type Locator, type Page } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

const DATA = process.env.MVM_E2E_DATA!;
const DRIVE_C = join(DATA, 'dos', 'C');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Opens the desktop, collecting page errors and console errors (CSP refusals land there). */
async function openDesktop(page: Page, problems: string[], url = '/'): Promise<void> {
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(url);
  await expect(page.getByTestId('version')).toBeVisible();
}

/** The pop-up menu of an icon, by the right mouse button. */
async function menuOf(page: Page, icon: Locator): Promise<Locator> {
  await icon.click({ button: 'right' });
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  return menu;
}

async function openSettings(page: Page, name: string): Promise<Locator> {
  const menu = await menuOf(page, page.getByTestId(`icon-${name}`));
  await menu.getByTestId('menu-settings').click();
  const nb = page.getByTestId('settings-notebook');
  await expect(nb).toBeVisible();
  return nb;
}

/** The id of the one session window on the page (its state line is `session-state-<id>`). */
async function onlySessionId(page: Page): Promise<string> {
  const strip = page.getByTestId(/^session-state-\d+$/);
  await expect(strip).toHaveCount(1);
  return (await strip.getAttribute('data-testid'))!.replace('session-state-', '');
}

test.beforeAll(() => {
  // hello.com prints a line and exits with return code 42 (test/guests/dos/hello.asm).
  copyFileSync(join(ROOT, 'test/guests/dos/hello.com'), join(DRIVE_C, 'HELLO.COM'));
});

test('New program: the settings notebook creates a program object, refusals shown in it', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  await expect(page.getByTestId('icon-Command Prompts')).toBeVisible();
  await page.screenshot({ path: '/tmp/shell-desktop.png' });

  await page.getByTestId('new-program').click();
  const nb = page.getByTestId('settings-notebook');
  await expect(nb).toBeVisible();
  await expect(nb.getByTestId('nb-name')).toBeFocused();
  await nb.getByTestId('nb-name').fill('Hello');
  await nb.getByTestId('nb-program').fill('C:\\HELLO.COM');
  await expect(nb.getByTestId('nb-kind')).toHaveValue('dos-window');

  await nb.getByTestId('nb-tab-drives').click();
  await nb.getByTestId('nb-add-drive').click();
  await expect(nb.getByTestId('nb-drive-letter-0')).toHaveValue('C');
  await nb.getByTestId('nb-drive-path-0').fill(DRIVE_C);
  await expect(nb.getByTestId('nb-drive-ro-0')).not.toBeChecked();

  // DOS settings: every one the VDDs register, each with its control and help text.
  await nb.getByTestId('nb-tab-settings').click();
  const nosound = nb.getByTestId('nb-setting-HW_NOSOUND');
  await expect(nosound).toHaveAttribute('type', 'checkbox');
  await expect(nosound).not.toBeChecked();
  await expect(nb.getByTestId('nb-row-HW_NOSOUND')).toContainText('Silence the PC speaker');
  await expect(nb.getByTestId('nb-setting-DOS_RMSIZE')).toHaveAttribute('type', 'number');
  await expect(nb.getByTestId('nb-setting-DOS_RMSIZE')).toHaveValue('640');
  await expect(nb.getByTestId('nb-setting-DOS_VERSION')).toHaveJSProperty('tagName', 'TEXTAREA');
  await nosound.check();

  // A value only the VDD's own check refuses: the application says no, the notebook shows why and keeps the form.
  await nb.getByTestId('nb-setting-DOS_VERSION').fill('not a version line');
  await page.screenshot({ path: '/tmp/shell-notebook-settings.png' });
  await nb.getByTestId('nb-save').click();
  await expect(nb.getByTestId('nb-error')).toContainText('not a version line');
  await expect(nb).toBeVisible();
  await expect(nosound).toBeChecked();
  await nb.getByTestId('nb-setting-DOS_VERSION').fill('');

  // A mistake the notebook sees itself: nothing is sent, the form stays as typed.
  await nb.getByTestId('nb-tab-program').click();
  await nb.getByTestId('nb-program').fill('C:\\HELLO.TXT');
  await nb.getByTestId('nb-save').click();
  await expect(nb.getByTestId('nb-error')).toContainText('.COM, .EXE or .BAT');
  await expect(nb.getByTestId('nb-name')).toHaveValue('Hello');
  await nb.getByTestId('nb-program').fill('C:\\HELLO.COM');
  await page.screenshot({ path: '/tmp/shell-notebook-program.png' });

  await nb.getByTestId('nb-save').click();
  await expect(nb).toBeHidden();
  const icon = page.getByTestId('icon-Hello');
  await expect(icon).toBeVisible();
  await expect(icon).toHaveAttribute('role', 'button');
  await expect(icon).toBeFocused();
  expect(problems).toEqual([]);
});

test('Settings: a change is saved and shown when the notebook opens again', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  let nb = await openSettings(page, 'Hello');
  await expect(nb.getByTestId('nb-program')).toHaveValue('C:\\HELLO.COM');
  await nb.getByTestId('nb-parameters').fill('/FAST /Q');
  await nb.getByTestId('nb-workdir').fill('C:\\');
  await nb.getByTestId('nb-save').click();
  await expect(nb).toBeHidden();

  nb = await openSettings(page, 'Hello');
  await expect(nb.getByTestId('nb-parameters')).toHaveValue('/FAST /Q');
  await expect(nb.getByTestId('nb-workdir')).toHaveValue('C:\\');
  await nb.getByTestId('nb-tab-drives').click();
  await expect(nb.getByTestId('nb-drive-path-0')).toHaveValue(DRIVE_C);
  await nb.getByTestId('nb-tab-settings').click();
  await expect(nb.getByTestId('nb-setting-HW_NOSOUND')).toBeChecked();
  // Cancel keeps what is stored: a change made and cancelled is gone next time.
  await nb.getByTestId('nb-setting-HW_NOSOUND').uncheck();
  await nb.getByTestId('nb-cancel').click();
  await expect(nb).toBeHidden();
  nb = await openSettings(page, 'Hello');
  await nb.getByTestId('nb-tab-settings').click();
  await expect(nb.getByTestId('nb-setting-HW_NOSOUND')).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(nb).toBeHidden();
  expect(problems).toEqual([]);
});

test('Open: the program runs as a session, the Window List shows it end with exit code 42, its history has the run', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  await page.getByTestId('icon-Hello').dblclick();
  const session = page.locator('mvm-session');
  await expect(session).toHaveCount(1);
  const id = await onlySessionId(page);

  // The Window List (Ctrl+Esc): the session, and then its end with the program's return code. (It also lists
  // sessions other pages left running: the earlier spec files' DOS Windows.)
  await page.keyboard.press('Control+Escape');
  const list = page.getByTestId('window-list');
  await expect(list).toBeVisible();
  await expect(list.getByTestId(`wl-row-${id}`)).toContainText('Hello');
  await expect(list.getByTestId(`wl-state-${id}`)).toHaveText('stopped — exit code 42', { timeout: 20_000 });
  await expect(list.getByTestId(`wl-restart-${id}`)).toBeVisible();
  await page.screenshot({ path: '/tmp/shell-window-list.png' });
  await page.keyboard.press('Escape');
  await expect(list).toBeHidden();

  // The session window says so too, and offers Restart.
  await expect(page.getByTestId(`session-state-${id}`)).toContainText('exit code 42');
  await expect(page.getByTestId(`session-restart-${id}`)).toBeVisible();
  await page.screenshot({ path: '/tmp/shell-session-ended.png' });
  await page.getByTestId(`session-restart-${id}`).click();
  // The same program object again, a new session in the same place.
  await expect(page.getByTestId(`session-state-${id}`)).toHaveCount(0);
  const again = await onlySessionId(page);
  expect(again).not.toBe(id);
  await expect(page.getByTestId(`session-state-${again}`)).toContainText('exit code 42', { timeout: 20_000 });
  await expect(page.locator('mvm-session')).toHaveCount(1);

  // Close it from the Window List.
  await page.getByTestId('window-list-button').click();
  await list.getByTestId(`wl-close-${again}`).click();
  await expect(list.getByTestId(`wl-row-${again}`)).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.locator('mvm-session')).toHaveCount(0);

  // History: both runs, newest first, each with its exit code.
  const nb = await openSettings(page, 'Hello');
  await nb.getByTestId('nb-tab-history').click();
  const history = nb.getByTestId('nb-history');
  await expect(history.locator('tbody tr')).toHaveCount(2);
  await expect(history.locator('tbody tr').first()).toContainText('exit code 42');
  await expect(history.locator('tbody tr').last()).toContainText('exit code 42');
  await page.screenshot({ path: '/tmp/shell-notebook-history.png' });
  // HELLO.COM can end before its window connects to its display: the browser logs the refused connection.
  expect(problems.filter((p) => !/^WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/shield\?token=\w+' failed/.test(p))).toEqual([]);
});

test('Reloading the page shows the same library, history included', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  await expect(page.getByTestId('icon-Hello')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('icon-Hello')).toBeVisible();
  const nb = await openSettings(page, 'Hello');
  await expect(nb.getByTestId('nb-parameters')).toHaveValue('/FAST /Q');
  await nb.getByTestId('nb-tab-history').click();
  await expect(nb.getByTestId('nb-history')).toContainText('exit code 42');
  expect(problems).toEqual([]);
});

test('A second server on the same data folder has the program object and its history', async ({ browser }) => {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/mvm.js', 'serve', '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, MVM_DATA_DIR: DATA },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const page = await browser.newPage();
  try {
    const url = `http://127.0.0.1:${port}/`;
    await expect
      .poll(async () => {
        if (child.exitCode !== null) throw new Error(`mvm serve exited (${child.exitCode}): ${output}`);
        return fetch(url).then(
          (r) => r.status,
          () => 0,
        );
      }, { timeout: 90_000 })
      .toBe(200);
    const problems: string[] = [];
    await openDesktop(page, problems, url);
    await expect(page.getByTestId('icon-Hello')).toBeVisible();
    const nb = await openSettings(page, 'Hello');
    await nb.getByTestId('nb-tab-history').click();
    await expect(nb.getByTestId('nb-history').locator('tbody tr')).toHaveCount(2);
    await expect(nb.getByTestId('nb-history')).toContainText('exit code 42');
    expect(problems).toEqual([]);
  } finally {
    await page.close();
    child.kill('SIGTERM');
  }
});

test('The pop-up menu copies an object as "Copy of …" and deletes it after asking', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  const hello = page.getByTestId('icon-Hello');
  let menu = await menuOf(page, hello);
  await expect(menu.getByRole('menuitem')).toHaveText(['Open', 'Settings', 'Copy', 'Delete…']);
  await page.screenshot({ path: '/tmp/shell-context-menu.png' });
  await menu.getByTestId('menu-copy').click();
  const copy = page.getByTestId('icon-Copy of Hello');
  await expect(copy).toBeVisible();

  // The copy has the same fields.
  const nb = await openSettings(page, 'Copy of Hello');
  await expect(nb.getByTestId('nb-program')).toHaveValue('C:\\HELLO.COM');
  await expect(nb.getByTestId('nb-parameters')).toHaveValue('/FAST /Q');
  await nb.getByTestId('nb-cancel').click();

  // Delete asks inside the page; Cancel keeps it, Delete removes it.
  menu = await menuOf(page, copy);
  await menu.getByTestId('menu-delete').click();
  await expect(page.getByTestId('prompt')).toContainText('Copy of Hello');
  await page.getByTestId('prompt-cancel').click();
  await expect(copy).toBeVisible();
  // By keyboard this time: the menu key (Shift+F10) on the focused icon, arrows, Enter.
  await copy.focus();
  await page.keyboard.press('Shift+F10');
  await expect(page.getByRole('menu')).toBeVisible();
  await expect(page.getByTestId('menu-open')).toBeFocused();
  await page.keyboard.press('End');
  await expect(page.getByTestId('menu-delete')).toBeFocused();
  await page.keyboard.press('Enter');
  await page.screenshot({ path: '/tmp/shell-confirm-delete.png' });
  await page.getByTestId('confirm-delete').click();
  await expect(copy).toHaveCount(0);
  await expect(hello).toBeVisible();
  expect(problems).toEqual([]);
});

test('Ctrl+Esc opens the Window List and Escape closes it; the DOS Window starts from Command Prompts', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  await page.keyboard.press('Control+Escape');
  const list = page.getByTestId('window-list');
  await expect(list).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(list).toBeHidden();

  // By keyboard: the Command Prompts folder opens with Enter, its DOS Window too.
  const folderIcon = page.getByTestId('icon-Command Prompts');
  await folderIcon.focus();
  await page.keyboard.press('Enter');
  const folder = page.getByTestId('folder-window-Command Prompts');
  await expect(folder).toBeVisible();
  await expect(folder.getByTestId('icon-DOS Window')).toBeFocused();
  await expect(folder.getByTestId('icon-DOS Full Screen')).toBeVisible();
  await page.keyboard.press('Enter');
  const session = page.locator('mvm-session').last();
  await expect(session.getByTestId('session-text')).toContainText('C:\\>', { timeout: 20_000 });
  const id = await onlySessionId(page);
  // Opened from the keyboard, the session has the focus: typing goes to DOS.
  await page.keyboard.type('dir');
  await page.keyboard.press('Enter');
  await expect(session.getByTestId('session-text')).toContainText(/README\s+TXT/);
  await page.screenshot({ path: '/tmp/shell-dos-window.png' });

  // Ctrl+Esc from inside the session is the shell's, not DOS's.
  await page.keyboard.press('Control+Escape');
  await expect(list).toBeVisible();
  await expect(list.getByTestId(`wl-row-${id}`)).toContainText('DOS Window');
  await expect(list.getByTestId(`wl-state-${id}`)).toHaveText(/running|idle/);
  // Hide, then Switch to brings it back.
  await list.getByTestId(`wl-hide-${id}`).click();
  await page.keyboard.press('Escape');
  await expect(session).toBeHidden();
  await page.keyboard.press('Control+Escape');
  await expect(list.getByTestId(`wl-row-${id}`)).toContainText('hidden');
  await list.getByTestId(`wl-switch-${id}`).click();
  await expect(list).toBeHidden();
  await expect(session).toBeVisible();
  await expect(session).toBeFocused();
  // A session window moves by its title bar.
  const win = page.getByTestId(`session-window-${id}`);
  const before = (await win.boundingBox())!;
  const title = (await session.getByTestId('session-title').boundingBox())!;
  await page.mouse.move(title.x + 60, title.y + 6);
  await page.mouse.down();
  await page.mouse.move(title.x + 120, title.y + 46, { steps: 4 });
  await page.mouse.up();
  const after = (await win.boundingBox())!;
  expect(after.x).toBeCloseTo(before.x + 60, -1);
  expect(after.y).toBeCloseTo(before.y + 40, -1);

  // And by mouse: double-click the DOS Window icon in the folder.
  await folder.getByTestId('icon-DOS Window').dblclick();
  await expect(page.locator('mvm-session')).toHaveCount(2);
  await expect(page.locator('mvm-session').last().getByTestId('session-text')).toContainText('C:\\>', { timeout: 20_000 });
  const second = (await page.locator('mvm-session').last().getAttribute('data-session'))!;
  await page.keyboard.press('Control+Escape');
  await expect(list.getByTestId(`wl-row-${second}`)).toBeVisible();
  await list.getByTestId(`wl-close-${id}`).click();
  await expect(list.getByTestId(`wl-row-${id}`)).toHaveCount(0);
  await list.getByTestId(`wl-close-${second}`).click();
  await expect(list.getByTestId(`wl-row-${second}`)).toHaveCount(0);
  await page.keyboard.press('Escape');
  await expect(page.locator('mvm-session')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('Dropped files: a DOSBox .conf becomes a program object; a program needs the desktop app in a browser', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  const desktop = page.getByRole('main', { name: 'Desktop' });
  const drop = async (name: string, text: string) => {
    const data = await page.evaluateHandle(
      ([n, t]) => {
        // Page-side: the DOM's DataTransfer and File (the Node-side tsconfig has no DOM types).
        const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: string[], name: string) => unknown };
        const dt = new g.DataTransfer();
        dt.items.add(new g.File([t], n));
        return dt;
      },
      [name, text] as const,
    );
    await desktop.dispatchEvent('dragover', { dataTransfer: data });
    await desktop.dispatchEvent('drop', { dataTransfer: data });
  };

  await drop('KEEN.EXE', 'MZ');
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText('needs the MVM Desktop app');
  await page.getByTestId('notice-dismiss').click();
  await expect(notice).toHaveCount(0);

  await drop('keen.conf', '[cpu]\ncycles=3000\n[autoexec]\nmount c /games/keen\nc:\nkeen1.exe\n');
  await expect(notice).toContainText('Created “keen” in Imported');
  await expect(page.getByTestId('notice-notes')).toContainText('cycles');
  await page.screenshot({ path: '/tmp/shell-dropped-conf.png' });
  await page.getByTestId('icon-Imported').dblclick();
  const folder = page.getByTestId('folder-window-Imported');
  await expect(folder.getByTestId('icon-keen')).toBeVisible();
  expect(problems).toEqual([]);
});

test('A running session takes a changed setting at once where its VDD allows it; the others wait for the next start', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  // A program object without a program: the DOS command prompt, on the e2e drive C:.
  await page.getByTestId('new-program').click();
  let nb = page.getByTestId('settings-notebook');
  await nb.getByTestId('nb-name').fill('Prompt');
  await nb.getByTestId('nb-tab-drives').click();
  await nb.getByTestId('nb-add-drive').click();
  await nb.getByTestId('nb-drive-path-0').fill(DRIVE_C);
  await nb.getByTestId('nb-save').click();
  await expect(nb).toBeHidden();

  await page.getByTestId('icon-Prompt').dblclick();
  const session = page.locator('mvm-session');
  await expect(session.getByTestId('session-text')).toContainText('C:\\>', { timeout: 20_000 });
  const id = await onlySessionId(page);

  nb = await openSettings(page, 'Prompt');
  await nb.getByTestId('nb-tab-settings').click();
  await nb.getByTestId('nb-setting-HW_NOSOUND').check();
  await nb.getByTestId('nb-setting-DOS_RMSIZE').fill('512');
  await nb.getByTestId('nb-save').click();
  await expect(nb).toBeHidden();
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText('HW_NOSOUND changed in the running session of “Prompt”.');
  await expect(notice).toContainText('DOS_RMSIZE takes effect when it starts again.');

  // Tidy up: close the session, delete the object.
  await page.keyboard.press('Control+Escape');
  await page.getByTestId('window-list').getByTestId(`wl-close-${id}`).click();
  await page.keyboard.press('Escape');
  await expect(session).toHaveCount(0);
  const menu = await menuOf(page, page.getByTestId('icon-Prompt'));
  await menu.getByTestId('menu-delete').click();
  await page.getByTestId('confirm-delete').click();
  await expect(page.getByTestId('icon-Prompt')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('Folders: made from the desktop menu, renamed, filled from their own menu, deleted with what is in them', async ({ page }) => {
  const problems: string[] = [];
  await openDesktop(page, problems);
  await page.getByRole('group', { name: 'Desktop objects' }).click({ button: 'right', position: { x: 400, y: 300 } });
  await page.getByRole('menu').getByTestId('menu-new-folder').click();
  await expect(page.getByTestId('prompt-input')).toHaveValue('New folder');
  await page.getByTestId('prompt-input').fill('Games');
  await page.getByTestId('confirm-new-folder').click();
  await expect(page.getByTestId('icon-Games')).toBeFocused();

  let menu = await menuOf(page, page.getByTestId('icon-Games'));
  await menu.getByTestId('menu-rename').click();
  await page.getByTestId('prompt-input').fill('Old Games');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('icon-Old Games')).toBeVisible();
  await expect(page.getByTestId('icon-Games')).toHaveCount(0);

  // Command Prompts keeps its name and place: its Rename and Delete are offered but disabled.
  menu = await menuOf(page, page.getByTestId('icon-Command Prompts'));
  await expect(menu.getByTestId('menu-rename')).toHaveAttribute('aria-disabled', 'true');
  await expect(menu.getByTestId('menu-delete')).toHaveAttribute('aria-disabled', 'true');
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();

  // New program from the folder window's own menu goes into that folder.
  await page.getByTestId('icon-Old Games').dblclick();
  const folder = page.getByTestId('folder-window-Old Games');
  await expect(folder).toBeVisible();
  // The window moves by its title bar.
  const before = (await folder.boundingBox())!;
  await page.mouse.move(before.x + 100, before.y + 10);
  await page.mouse.down();
  await page.mouse.move(before.x - 100, before.y + 110, { steps: 5 });
  await page.mouse.up();
  const after = (await folder.boundingBox())!;
  expect(after.x).toBeCloseTo(before.x - 200, -1);
  expect(after.y).toBeCloseTo(before.y + 100, -1);

  await folder.getByRole('group').click({ button: 'right', position: { x: 250, y: 120 } });
  await page.getByRole('menu').getByTestId('menu-new-program').click();
  const nb = page.getByTestId('settings-notebook');
  await expect(nb.getByTestId('nb-folder').locator('option:checked')).toHaveText('Desktop › Old Games');
  await nb.getByTestId('nb-name').fill('Keen');
  await nb.getByTestId('nb-save').click();
  await expect(folder.getByTestId('icon-Keen')).toBeVisible();
  await page.screenshot({ path: '/tmp/shell-folder.png' });

  menu = await menuOf(page, page.getByTestId('icon-Old Games'));
  await menu.getByTestId('menu-delete').click();
  await expect(page.getByTestId('prompt')).toContainText('the 1 object in it');
  await page.getByTestId('confirm-delete').click();
  await expect(page.getByTestId('icon-Old Games')).toHaveCount(0);
  await expect(folder).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the desktop background menu opens from the keyboard (Shift+F10 on the focused desktop)', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('version').waitFor();
  await page.getByRole('group', { name: /Desktop objects/ }).focus();
  await page.keyboard.press('Shift+F10');
  await expect(page.getByRole('menuitem', { name: /New folder/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menuitem', { name: /New folder/ })).toBeHidden();
});
