// The desktop page in real Chromium, served by the web host (playwright.config.ts starts `mvm serve`):
// the page must reach the application over the WebSocket bridge and show what it reports.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('the desktop shows the version and CPU models from the API over the WebSocket', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text()); // CSP violations land here
  });
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));

  await page.goto('/');
  await expect(page).toHaveTitle('MVM Desktop');
  await expect(page.getByTestId('version')).toHaveText(pkg.version);
  await expect(page.getByTestId('cpu-models')).toHaveText('8086, 80186, 80286, 80386');
  expect(sockets).toEqual([expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/api$/)]);
  expect(problems).toEqual([]);
});

test('the page is served with a strict Content-Security-Policy', async ({ request }) => {
  const res = await request.get('/');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-security-policy']).toContain("default-src 'none'");
});
