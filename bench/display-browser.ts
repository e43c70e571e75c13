/**
 * The display path as a user sees it (issue 5): Chromium (Debian's, driven by Playwright) on the web host,
 * a DOS Window open at the prompt, and for each key typed the time from the browser's keydown to the first
 * animation frame whose canvas shows the echoed character — the guest's INT 16h read, DOS's echo into
 * video memory, VVGA's render, the frame over the VM's WebSocket, decoding and painting. Also the frames
 * per second painted and the browser's share of a core while a 70 Hz mode 13h animation runs.
 * Medians; `npm run bench:display-browser [-- --keys 40]`.
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataFolder, launchChromium, median, ROOT, startWebHost, treeCpuMs } from './web-bench.js';
const arg = (name: string, d: number): number => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : d);
const KEYS = arg('--keys', 40);

/** Page code: `canvas`, the newest session's canvas (inside the desktop's and the session's shadow roots). */
const CANVAS = "const canvas = [...document.querySelector('mvm-desktop').shadowRoot.querySelectorAll('mvm-session')].pop().shadowRoot.querySelector('canvas');";

/** Poll a page condition (the page's CSP refuses the string predicates waitForFunction would evaluate). */
async function until(test: () => Promise<unknown>, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await test())) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const data = dataFolder('mvm-bench-');
copyFileSync(join(ROOT, 'test/guests/bench/anim13.com'), join(data, 'dos', 'C', 'ANIM13.COM'));
const { host, port } = await startWebHost(data);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.getByTestId('open-dos-window').click();
  const session = page.locator('mvm-session').last();
  await session.getByTestId('session-text').getByText('C:\\>').first().waitFor();
  await session.getByTestId('session-canvas').click();

  // In the page: each keydown's time and the time the canvas is next painted. (Page code as text: this
  // file is compiled without the DOM's types.)
  await page.evaluate(`(() => {
    window.latencies = [];
    window.armed = null;
    window.addEventListener('keydown', () => (window.armed = { t0: performance.now() }), true);
    // The shield paints with putImageData in its animation-frame callback: the first one after a keydown
    // is the moment the canvas shows the change (the compositor puts it on screen at the next vsync).
    const put = CanvasRenderingContext2D.prototype.putImageData;
    CanvasRenderingContext2D.prototype.putImageData = function (...args) {
      put.apply(this, args);
      if (window.armed) {
        window.latencies.push(performance.now() - window.armed.t0);
        window.armed = null;
      }
    };
  })()`);
  for (let i = 0; i < KEYS; i++) {
    await page.keyboard.press(i % 2 === 0 ? 'KeyX' : 'Backspace');
    await until(() => page.evaluate('window.armed === null'));
    await page.waitForTimeout(50);
  }
  const latencies = ((await page.evaluate('window.latencies')) as number[]).slice(2);
  console.log(
    `keydown → canvas painted with the echo (Chromium, web host): median ${median(latencies).toFixed(1)} ms  (min ${Math.min(...latencies).toFixed(1)}, max ${Math.max(...latencies).toFixed(1)}, n=${latencies.length})`,
  );

  // The animation: frames the canvas actually changed in, per second of the page's clock.
  await page.keyboard.type('anim13');
  await page.keyboard.press('Enter');
  await until(() => page.evaluate(`(() => { ${CANVAS} return canvas.width === 320; })()`));
  await page.waitForTimeout(1000);
  // Chromium is this process's other child: its CPU is our tree's less the web host's and our own.
  const self = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  const c0 = { vm: treeCpuMs(host.pid!), all: treeCpuMs(process.pid), self: self(), t: performance.now() };
  const fps = (await page.evaluate(`(async () => {
    ${CANVAS}
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    let last = 0;
    let changes = 0;
    const t0 = performance.now();
    await new Promise((resolve) => {
      const tick = () => {
        const d = ctx.getImageData(0, 0, 8, 8).data;
        const h = d[0] | (d[4] << 8) | (d[8] << 16);
        if (h !== last) changes++;
        last = h;
        if (performance.now() - t0 < 5000) requestAnimationFrame(tick);
        else resolve();
      };
      requestAnimationFrame(tick);
    });
    return changes / ((performance.now() - t0) / 1000);
  })()`)) as number;
  const wall = performance.now() - c0.t;
  const vmCpu = ((treeCpuMs(host.pid!) - c0.vm) / wall) * 100;
  const vmMs = treeCpuMs(host.pid!) - c0.vm;
  const browserCpu = ((treeCpuMs(process.pid) - c0.all - vmMs - (self() - c0.self)) / wall) * 100;
  console.log(`mode 13h animation (70 Hz repaint): ${fps.toFixed(1)} canvas changes per second in Chromium`);
  console.log(`  host CPU meanwhile: web host + VM process ${vmCpu.toFixed(1)} % of a core, Chromium (all its processes) ${browserCpu.toFixed(1)} %`);
} finally {
  await browser.close();
  host.kill();
  rmSync(data, { recursive: true, force: true });
}
