/**
 * What the browser-driven benchmarks share (bench/display-browser.ts, bench/shell.ts): a real `mvm serve`
 * on a data folder, Debian's Chromium, medians, and the process tree read from /proc for CPU and memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A fresh data folder with an empty DOS drive C: (dos/C), for a web host to serve. */
export function dataFolder(prefix: string): string {
  const data = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(data, 'dos', 'C'), { recursive: true });
  return data;
}

/** `mvm serve` on a free-ish port with MVM_DATA_DIR = `data`, once it prints its URL. */
export async function startWebHost(data: string): Promise<{ host: ChildProcess; port: number }> {
  const port = 38000 + Math.floor(Math.random() * 2000);
  const host = spawn(process.execPath, [join(ROOT, 'bin/mvm.js'), 'serve', '--port', String(port)], {
    env: { ...process.env, MVM_DATA_DIR: data },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    host.stdout!.on('data', (d: Buffer) => d.toString().includes('http://') && resolve());
    host.on('exit', (code) => reject(new Error(`mvm serve exited with ${code}`)));
  });
  return { host, port };
}

/** Debian's Chromium (CHROMIUM_PATH to override), headless, as the e2e tests run it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** Every process: its parent, CPU milliseconds (user + system) and resident bytes, from /proc. */
export function processes(): Map<number, { ppid: number; cpuMs: number; rss: number }> {
  const out = new Map<number, { ppid: number; cpuMs: number; rss: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const f = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
      // stat: state ppid ... utime (14th field, [11] here) stime; rss in pages ([21]).
      out.set(Number(name), { ppid: Number(f[1]), cpuMs: ((Number(f[11]) + Number(f[12])) * 1000) / 100, rss: Number(f[21]) * 4096 });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The pids below `root`. */
export function descendants(root: number, all = processes()): number[] {
  return [...all.keys()].filter((pid) => {
    for (let p: number | undefined = all.get(pid)?.ppid, n = 0; p !== undefined && p > 1 && n < 64; p = all.get(p)?.ppid, n++) if (p === root) return true;
    return false;
  });
}

/** CPU milliseconds of `root` and everything below it. */
export function treeCpuMs(root: number): number {
  const all = processes();
  return [root, ...descendants(root, all)].reduce((sum, pid) => sum + (all.get(pid)?.cpuMs ?? 0), 0);
}
