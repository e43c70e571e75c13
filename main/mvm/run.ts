/**
 * `mvm run`: a DOS program run headless on DOSKRNL, for scripts and CI (dosemu2's -dumb mode is the
 * anchor). Host folders are the drives, the program's teletype output (DOS console and BIOS teletype,
 * VVIDEO's `tty` events) goes to `output` as UTF-8, stdin feeds the DOS console, and the program's return
 * code comes back.
 */
import { writeFileSync } from 'node:fs';
import { encodeIndexedPng, encodeRgbPng } from './png.js';
import { decodeCp437 } from '../vmm/vdh-cp437.js';
import type { DosConfig, VmScreenshot } from '../vmm/protocol.js';
import type { MvmServer } from './server.js';

/** Exit codes of `mvm run` when the program did not end by itself (chosen like timeout(1) and shells). */
export const RunExit = {
  /** The timeout passed. */
  timeout: 124,
  /** The VM crashed or could not start (a bad drive folder, a broken plugin, a CPU shutdown). */
  vmFailed: 125,
  /** The program could not be loaded (not found, not an executable, not enough memory). */
  cannotRun: 126,
} as const;

export interface RunOptions {
  dos: DosConfig;
  timeoutMs: number;
  model?: number;
  settings?: Record<string, string | number | boolean>;
  /** Program output, decoded from CP437. */
  output: (text: string) => void;
  /** Where stdin comes from: chunks, then the end. */
  stdin?: AsyncIterable<Uint8Array | string>;
  /** A terminal to type on: its keys go to the VM's keyboard (VKBD), arrows and all, as they are pressed. */
  terminal?: NodeJS.ReadStream;
  /** Save the display as a PNG when the program ends, or after `afterMs` (then the run ends there, exit 0). */
  screenshot?: { path: string; afterMs?: number };
}

/** Write a VM's screenshot as a PNG: indexed from an 8-bit surface, RGB from a true-colour one. */
export function writeScreenshot(path: string, s: VmScreenshot): void {
  const pixels = new Uint8Array(Buffer.from(s.pixels, 'base64'));
  writeFileSync(path, s.depth === 32 ? encodeRgbPng(s.width, s.height, pixels) : encodeIndexedPng(s.width, s.height, pixels, s.palette));
}

/** Terminal escape sequences of the keys DOS programs use, as scan codes (make + break, E0-prefixed grey keys). */
const TERMINAL_KEYS: Record<string, number[]> = {
  '\x1b[A': [0xe0, 0x48, 0xe0, 0xc8],
  '\x1b[B': [0xe0, 0x50, 0xe0, 0xd0],
  '\x1b[C': [0xe0, 0x4d, 0xe0, 0xcd],
  '\x1b[D': [0xe0, 0x4b, 0xe0, 0xcb],
  '\x1b[H': [0xe0, 0x47, 0xe0, 0xc7],
  '\x1b[F': [0xe0, 0x4f, 0xe0, 0xcf],
  '\x1b[3~': [0xe0, 0x53, 0xe0, 0xd3],
  '\x1bOR': [0x3d, 0xbd], // F3
};

/** Type what a terminal sends on the VM's keyboard. */
function typeFromTerminal(server: MvmServer, id: number, tty: NodeJS.ReadStream): () => void {
  tty.setRawMode?.(true);
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('latin1');
    const codes = TERMINAL_KEYS[text];
    const send = codes
      ? server.request(id, 'VKBD', 1, codes)
      : server.request(id, 'VKBD', 2, text.replace(/\x7f/g, '\b').replace(/[^\x01-\x7e]/g, ''));
    send.catch(() => {});
  };
  tty.on('data', onData);
  tty.resume();
  return () => {
    tty.off('data', onData);
    tty.setRawMode?.(false);
    tty.pause();
  };
}

export interface RunResult {
  exitCode: number;
  /** What happened, for a message: 'exit 0', 'timeout after 10 s', 'the VM crashed: ...'. */
  outcome: string;
  elapsedMs: number;
}

export async function runProgram(server: MvmServer, o: RunOptions): Promise<RunResult> {
  const t0 = performance.now();
  let vmId = -1;
  let exit: { code: number } | undefined;
  let started = false;
  let releaseTerminal = (): void => {};
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const off = server.on((e) => {
    if (e.kind === 'event' && e.vmId === vmId) {
      if (e.topic === 'tty') o.output(decodeCp437((e.payload as { bytes: number[] }).bytes));
      else if (e.topic === 'dos-exit') exit = { code: (e.payload as { code: number }).code };
      else if (e.topic === 'dos-start') started = true;
      else if (e.topic === 'screenshot' && o.screenshot && o.screenshot.afterMs === undefined) writeScreenshot(o.screenshot.path, e.payload as VmScreenshot);
    } else if (e.kind === 'state' && e.vm.id === vmId && (e.vm.state === 'stopped' || e.vm.state === 'crashed')) finished();
  });
  try {
    let info;
    try {
      const atExit = o.screenshot !== undefined && o.screenshot.afterMs === undefined;
      info = await server.startVm({ model: o.model ?? 386, paced: false, settings: o.settings, dos: o.dos, screenshotAtExit: atExit }, o.dos.program);
    } catch (e) {
      return { exitCode: RunExit.vmFailed, outcome: (e as Error).message, elapsedMs: performance.now() - t0 };
    }
    vmId = info.id;
    if (o.stdin) void feed(server, vmId, o.stdin);
    if (o.terminal) releaseTerminal = typeFromTerminal(server, vmId, o.terminal);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), o.timeoutMs).unref());
    const shot = o.screenshot;
    const shotTimer =
      shot?.afterMs !== undefined
        ? new Promise<'screenshot'>((r) => setTimeout(() => r('screenshot'), shot.afterMs).unref())
        : new Promise<never>(() => {});
    const how = await Promise.race([done.then(() => 'ended' as const), timer, shotTimer]);
    const state = server.get(vmId);
    if (how === 'screenshot' && shot) {
      writeScreenshot(shot.path, await server.screenshot(vmId));
      await server.stop(vmId, 'screenshot taken');
      return { exitCode: 0, outcome: `screenshot after ${shot.afterMs! / 1000} s`, elapsedMs: performance.now() - t0 };
    }
    if (how === 'timeout') {
      await server.stop(vmId, 'timeout');
      return { exitCode: RunExit.timeout, outcome: `timeout after ${o.timeoutMs / 1000} s`, elapsedMs: performance.now() - t0 };
    }
    if (exit && exit.code !== 255) return { exitCode: exit.code, outcome: `exit ${exit.code}`, elapsedMs: performance.now() - t0 };
    if (!started || (exit && state?.reason?.startsWith('cannot run'))) {
      return { exitCode: RunExit.cannotRun, outcome: state?.reason ?? 'the program did not start', elapsedMs: performance.now() - t0 };
    }
    if (exit) return { exitCode: exit.code, outcome: `exit ${exit.code}`, elapsedMs: performance.now() - t0 };
    return { exitCode: RunExit.vmFailed, outcome: `the VM ${state?.state ?? 'ended'}: ${state?.reason ?? ''}`.trim(), elapsedMs: performance.now() - t0 };
  } finally {
    off();
    releaseTerminal();
    if (vmId >= 0) {
      const s = server.get(vmId);
      if (s && s.state !== 'stopped' && s.state !== 'crashed') await server.stop(vmId, 'mvm run finished');
    }
  }
}

async function feed(server: MvmServer, id: number, stdin: AsyncIterable<Uint8Array | string>): Promise<void> {
  try {
    for await (const chunk of stdin) {
      const bytes = typeof chunk === 'string' ? Array.from(Buffer.from(chunk, 'latin1')) : Array.from(chunk);
      for (let i = 0; i < bytes.length; i += 65536) await server.request(id, 'DOSKRNL', 1, { bytes: bytes.slice(i, i + 65536) });
    }
    await server.request(id, 'DOSKRNL', 1, { eof: true });
  } catch {
    // the VM ended while input was still coming: nothing to feed any more
  }
}
