// A DOS session in real Chromium through the web host: the desktop's "DOS Window" starts the DOS shell in
// a VM process, the session shield connects straight to that process's display WebSocket and paints it.
// What a user does: see the prompt, type `dir` and read the listing, switch to full screen and back with
// Alt+Home, mark and copy text, paste text, take a screenshot. The web host's drive C: holds README.TXT
// (playwright.config.ts).
import { expect, test, type Page } from '@playwright/test';

// Page-side code runs in the browser; these shapes stand in for the DOM types the Node-side tsconfig lacks.
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

async function openDosWindow(page: Page, problems: string[]) {
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto('/');
  await page.getByTestId('open-dos-window').click();
  const session = page.locator('mvm-session').last();
  await expect(session.getByTestId('session-text')).toContainText('C:\\>', { timeout: 20_000 });
  return session;
}

test('a DOS Window shows the prompt, takes typed keys and lists the directory', async ({ page }) => {
  const problems: string[] = [];
  const session = await openDosWindow(page, problems);
  await expect(session.getByTestId('session-title')).toContainText('DOS');
  // The canvas has the text mode's size: 720x400 pixels of 9x16 cells.
  const size = await session.getByTestId('session-canvas').evaluate((c) => [(c as unknown as Canvas).width, (c as unknown as Canvas).height]);
  expect(size).toEqual([720, 400]);
  await session.getByTestId('session-canvas').click();
  await page.keyboard.type('dir');
  await page.keyboard.press('Enter');
  await expect(session.getByTestId('session-text')).toContainText(/README\s+TXT/);
  // The listing is drawn, not only written in the text layer: the canvas is no longer one colour.
  const distinct = await session.getByTestId('session-canvas').evaluate((el) => {
    const c = el as unknown as Canvas;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
  expect(distinct).toBeGreaterThan(1);
  expect(problems).toEqual([]);
});

test('Alt+Home switches a session to full screen and back, as in OS/2', async ({ page }) => {
  const problems: string[] = [];
  const session = await openDosWindow(page, problems);
  await session.getByTestId('session-canvas').click();
  await page.keyboard.press('Alt+Home');
  await expect(session).toHaveAttribute('fullscreen', '');
  const box = await session.boundingBox();
  const viewport = page.viewportSize()!;
  expect(box?.width).toBeCloseTo(viewport.width, -1);
  await page.keyboard.press('Alt+Home');
  await expect(session).not.toHaveAttribute('fullscreen');
  // The Home key itself did not reach DOS: the prompt line is unchanged.
  await expect(session.getByTestId('session-text')).toContainText('C:\\>');
  expect(problems).toEqual([]);
});

test('mark and copy takes a rectangle of the screen as text; paste types text into the session', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const problems: string[] = [];
  const session = await openDosWindow(page, problems);
  await session.getByTestId('session-canvas').click();
  await page.keyboard.type('echo marked');
  await page.keyboard.press('Enter');
  await expect(session.getByTestId('session-text')).toContainText(/^marked$/m);

  // Find the row that shows "marked" and drag over it with the mouse in mark mode.
  const screen = await session.evaluate((el) => (el as unknown as { screenLines(): string[] }).screenLines());
  const row = screen.findIndex((l) => l.trimEnd() === 'marked');
  expect(row).toBeGreaterThanOrEqual(0);
  await session.getByTestId('btn-mark').click();
  const canvas = session.getByTestId('session-canvas');
  const b = (await canvas.boundingBox())!;
  const cellW = b.width / 80;
  const cellH = b.height / 25;
  await page.mouse.move(b.x + 0.5 * cellW, b.y + (row + 0.5) * cellH);
  await page.mouse.down();
  await page.mouse.move(b.x + 5.5 * cellW, b.y + (row + 0.5) * cellH, { steps: 4 });
  await page.mouse.up();
  await session.getByTestId('btn-copy').click();
  expect(await session.evaluate((el) => (el as unknown as { lastCopied: string }).lastCopied)).toBe('marked');
  expect(await page.evaluate(`navigator.clipboard.readText()`)).toBe('marked');

  // Paste: the clipboard's text is typed into the session.
  await page.evaluate(`navigator.clipboard.writeText('echo pasted text\\r')`);
  await session.getByTestId('btn-paste').click();
  await expect(session.getByTestId('session-text')).toContainText(/^pasted text$/m);
  expect(problems).toEqual([]);
});

test('the screenshot command gives a PNG of the session picture', async ({ page }) => {
  const problems: string[] = [];
  const session = await openDosWindow(page, problems);
  const png = await session.evaluate(async (el) => {
    const blob = await (el as unknown as { screenshot(): Promise<Blob> }).screenshot();
    const bytes = new Uint8Array(await blob.arrayBuffer());
    return { type: blob.type, head: Array.from(bytes.subarray(0, 8)), size: bytes.length };
  });
  expect(png.type).toBe('image/png');
  expect(png.head).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.size).toBeGreaterThan(500);
  expect(problems).toEqual([]);
});

test('a graphics program shows the mouse pointer VMOUSE reports, over its picture', async ({ page }) => {
  const problems: string[] = [];
  const session = await openDosWindow(page, problems);
  await session.getByTestId('session-canvas').click();
  await page.keyboard.type('mousegfx');
  await page.keyboard.press('Enter');
  const pointer = session.getByTestId('session-pointer');
  await expect(pointer).toBeVisible();
  // Mode 13h: the canvas is 320x200 and the pointer sits at the centre the driver starts at (320, 100 of 640x200).
  const size = await session.getByTestId('session-canvas').evaluate((c) => [(c as unknown as Canvas).width, (c as unknown as Canvas).height]);
  expect(size).toEqual([320, 200]);
  const canvas = (await session.getByTestId('session-canvas').boundingBox())!;
  const tip = (await pointer.boundingBox())!;
  expect(tip.x - canvas.x).toBeCloseTo(canvas.width / 2, -1);
  expect(tip.y - canvas.y).toBeCloseTo(canvas.height / 2, -1);
  // A key ends the program: back to text, no pointer.
  await page.keyboard.press('Enter');
  await expect(session.getByTestId('session-text')).toContainText('C:\\>');
  await expect(pointer).toBeHidden();
  expect(problems).toEqual([]);
});
