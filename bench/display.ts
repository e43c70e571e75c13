/**
 * The display path's figures (issue 5): a real VM process with its shield WebSocket, a shield client that
 * decodes every frame update as the renderer does (main/vman/wire.ts + applyUpdate), measured:
 *  - keypress → frame at the shield: a key sent as scan codes at the DOS prompt until the frame whose screen
 *    text shows the echoed character arrives (guest INT 16h, DOS echo, VVGA render, encode, socket, decode);
 *  - bytes per frame in a text mode (that echo) and for a 70 Hz mode 13h animation repainting every pixel
 *    (test/guests/bench/anim13.com), with frames per second delivered;
 *  - host CPU of the VM process while it runs that animation with a shield attached, and DOSBox's CPU for
 *    the same program (SDL dummy video, so DOSBox does not paint either).
 * Medians; `npm run bench:display [-- --seconds 10]`.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MvmServer } from '../main/mvm/server.js';
import { applyUpdate, type ScreenText } from '../main/vman/surface.js';
import { decodeUpdate } from '../main/vman/wire.js';
import { SessionManager } from '../main/web/sessions.js';
import { RawWebSocket } from '../test/unit/ws-client.js';
import { median } from './web-bench.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const arg = (name: string, d: number): number => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : d);
const SECONDS = arg('--seconds', 10);

class Shield {
  copy = { width: 1, height: 1, pixels: new Uint8Array(1), palette: new Uint32Array(256), text: null as ScreenText | null };
  frames: { at: number; bytes: number }[] = [];
  private constructor(readonly ws: RawWebSocket) {}
  static async open(url: string): Promise<Shield> {
    const u = new URL(url);
    const s = new Shield(await RawWebSocket.open(Number(u.port), u.pathname + u.search));
    void s.pump();
    return s;
  }
  private waiters: (() => void)[] = [];
  private async pump(): Promise<void> {
    for (;;) {
      const f = await this.ws.next();
      if (!f) return;
      if (f.opcode !== 2) continue;
      applyUpdate(this.copy, decodeUpdate(new Uint8Array(f.payload)));
      this.frames.push({ at: performance.now(), bytes: f.payload.length });
      for (const w of this.waiters.splice(0)) w();
    }
  }
  text(): string {
    return this.copy.text?.lines.join('\n') ?? '';
  }
  async until(test: () => boolean, ms = 10_000): Promise<void> {
    const end = performance.now() + ms;
    while (!test()) {
      if (performance.now() > end) throw new Error(`timed out; screen:\n${this.text()}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
  send(m: unknown): void {
    this.ws.sendText(JSON.stringify(m));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'mvm-bench-display-'));
const server = new MvmServer();
const sessions = new SessionManager(server);
try {
  copyFileSync(join(ROOT, 'test/guests/bench/anim13.com'), join(dir, 'ANIM13.COM'));

  // ---- text: keypress → frame, bytes per frame
  const text = await sessions.start({ driveC: dir });
  const shield = await Shield.open(text.shield!);
  await shield.until(() => shield.text().includes('C:\\>'));
  await new Promise((r) => setTimeout(r, 500));
  const latencies: number[] = [];
  const textBytes: number[] = [];
  const X = [0x2d, 0xad]; // 'x' make + break
  const BS = [0x0e, 0x8e];
  for (let i = 0; i < 30; i++) {
    const before = shield.frames.length;
    const t0 = performance.now();
    shield.send({ type: 'keys', codes: X });
    await shield.until(() => /C:\\>x\s*$/m.test(shield.text()));
    latencies.push(shield.frames.find((f, k) => k >= before && /C:\\>x/.test(shield.text()))!.at - t0);
    textBytes.push(...shield.frames.slice(before).map((f) => f.bytes));
    shield.send({ type: 'keys', codes: BS });
    await shield.until(() => /C:\\>\s*$/m.test(shield.text()));
    await new Promise((r) => setTimeout(r, 30 + Math.random() * 30)); // land at random points of the 60 Hz pump
  }
  shield.ws.destroy();
  await sessions.stop(text.id);
  console.log(`keypress → frame at the shield (text mode): median ${median(latencies).toFixed(1)} ms  (min ${Math.min(...latencies).toFixed(1)}, max ${Math.max(...latencies).toFixed(1)}, n=${latencies.length})`);
  console.log(`bytes per frame, text mode (one character echoed): median ${median(textBytes)} B`);

  // ---- mode 13h animation: frames/s, bytes/frame, VM CPU
  const frames = Math.round(SECONDS * 70);
  const anim = await sessions.start({ driveC: dir, program: 'ANIM13.COM', args: String(frames + 140) });
  const s2 = await Shield.open(anim.shield!);
  await s2.until(() => s2.copy.width === 320, 10_000);
  await new Promise((r) => setTimeout(r, 1000));
  const a = await server.stats(anim.id);
  const n0 = s2.frames.length;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const b = await server.stats(anim.id);
  const wall = performance.now() - t0;
  const got = s2.frames.slice(n0);
  const cpu = ((b.cpuMs - a.cpuMs) / wall) * 100;
  console.log(
    `mode 13h animation, 70 Hz full-screen repaint: ${(got.length / (wall / 1000)).toFixed(1)} frames/s at the shield, ` +
      `median ${median(got.map((f) => f.bytes))} B/frame, VM process CPU ${cpu.toFixed(1)} % of a core ` +
      `(guest ${((b.instructions - a.instructions) / (wall / 1000) / 1e6).toFixed(1)} MIPS)`,
  );
  s2.ws.destroy();
  await sessions.stop(anim.id);

  // ---- DOSBox, the same program and frame count, SDL dummy video
  const cpuOf = (pid: number): number => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, clock ticks of 10 ms
  };
  const dosbox = spawn('dosbox', ['-c', `mount c ${dir}`, '-c', 'c:', '-c', `anim13 ${frames + 140}`, '-c', 'exit'], {
    env: { ...process.env, SDL_VIDEODRIVER: 'dummy', SDL_AUDIODRIVER: 'dummy' },
    stdio: 'ignore',
  });
  dosbox.on('error', () => console.log('dosbox: not installed, skipped'));
  await new Promise((r) => setTimeout(r, 2000));
  if (dosbox.pid && dosbox.exitCode === null) {
    const c0 = cpuOf(dosbox.pid);
    const d0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const c1 = cpuOf(dosbox.pid);
    console.log(`DOSBox 0.74, same program (dummy video): ${(((c1 - c0) / (performance.now() - d0)) * 100).toFixed(1)} % of a core`);
    dosbox.kill();
  }
} finally {
  await server.shutdown();
  rmSync(dir, { recursive: true, force: true });
}
