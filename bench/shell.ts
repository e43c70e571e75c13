/**
 * The shell's figures (issue 6), as a user meets them: Debian's Chromium on `mvm serve` (the same renderer
 * the Electron app shows), measured from outside.
 *  - click → prompt: from the click on "DOS Window" to the session's text layer showing C:\> (the VM
 *    process forked and booted, DOSKRNL and the shell up, the first frames painted); 7 trials, median.
 *  - memory: the resident size of one idle DOS session's VM process, of the web host (the MVM server and
 *    session library), and of Chromium's processes showing the desktop with that session open.
 * `npm run bench:shell`
 */
import { readFileSync, rmSync } from 'node:fs';
import { type Page } from '@playwright/test';
import { dataFolder, descendants, launchChromium, median, processes, startWebHost } from './web-bench.js';
const TRIALS = 7;

/** One call over the web host's API WebSocket (to stop the sessions of closed trial pages). */
async function api(port: number, method: string, ...args: unknown[]): Promise<unknown> {
  const { RawWebSocket } = await import('../test/unit/ws-client.js');
  const ws = await RawWebSocket.open(port, '/api');
  ws.sendText(JSON.stringify({ id: 1, method, args }));
  for (;;) {
    const f = await ws.next();
    if (!f) throw new Error('the API closed');
    if (f.opcode !== 1) continue;
    ws.destroy();
    const m = JSON.parse(Buffer.from(f.payload).toString()) as { result?: unknown; error?: { message: string } };
    if (m.error) throw new Error(m.error.message);
    return m.result;
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function openDosWindow(page: Page): Promise<void> {
  const direct = page.getByTestId('open-dos-window');
  if (!(await direct.isVisible())) await page.getByTestId('icon-Command Prompts').dblclick();
  await direct.click();
}

const data = dataFolder('mvm-bench-shell-');
const { host, port } = await startWebHost(data);
const browser = await launchChromium();
try {
  const times: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByTestId('version').waitFor();
    // Timed in the page: from the click event to the animation frame whose text layer shows the prompt.
    await page.evaluate(`(() => {
      window.__prompt = new Promise((resolve) => {
        window.addEventListener('click', () => {
          const t0 = performance.now();
          const look = () => {
            const sessions = document.querySelector('mvm-desktop')?.shadowRoot?.querySelectorAll('mvm-session') ?? [];
            const text = sessions.length ? sessions[sessions.length - 1].shadowRoot?.querySelector('[data-testid=session-text]')?.textContent ?? '' : '';
            if (text.includes('C:\\\\>')) resolve(performance.now() - t0);
            else requestAnimationFrame(look);
          };
          requestAnimationFrame(look);
        }, { capture: true, once: true });
      });
    })()`);
    await openDosWindow(page);
    times.push((await page.evaluate('window.__prompt')) as number);
    if (i < TRIALS - 1) {
      await page.close();
      await api(port, 'listSessions').then((list) => Promise.all((list as { id: number }[]).map((s) => api(port, 'stopSession', s.id))));
    }
  }
  console.log(`click "DOS Window" → C:\\> on the canvas: median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, n=${times.length})`);

  // The last page keeps its session open and idle at the prompt; let things settle, then measure.
  await new Promise((r) => setTimeout(r, 3000));
  const all = processes();
  const vms = descendants(host.pid!, all).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('vm-process'));
  const vmRss = vms.map((pid) => all.get(pid)!.rss);
  const chromiumPids = descendants(process.pid, all).filter((pid) => pid !== host.pid && !descendants(host.pid!, all).includes(pid));
  // Proportional set size: pages shared between Chromium's processes are counted once in all.
  const pss = (pid: number): number => {
    try {
      return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      return 0;
    }
  };
  const chromiumPss = chromiumPids.reduce((sum, pid) => sum + pss(pid), 0);
  const heap = (await (await browser.contexts()[0]?.pages())?.[0]?.evaluate('performance.memory.usedJSHeapSize')) as number | undefined;
  console.log(`memory: one idle DOS session (its VM process) ${mb(median(vmRss))}${vms.length > 1 ? ` (median of ${vms.length} VM processes still alive)` : ''}`);
  console.log(`memory: the web host (MVM server, session library) ${mb(all.get(host.pid!)!.rss)}`);
  console.log(`memory: Chromium showing the desktop with the session: ${mb(chromiumPss)} proportional set size over its ${chromiumPids.length} processes; the page's JS heap ${heap ? mb(heap) : 'n/a'}`);
} finally {
  await browser.close();
  host.kill();
  rmSync(data, { recursive: true, force: true });
}
