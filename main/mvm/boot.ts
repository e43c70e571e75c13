/**
 * Headless boot, for users and tests (`mvm boot`): start a VM from disk images, type keys whenever the
 * guest waits for the keyboard, stop when some text appears on the screen or a timeout passes, and hand
 * back the final text screen. Everything goes through the server and the VDDs' named requests (VVIDEO for
 * the screen, VKBD for the keys), exactly as the shell would.
 */
import type { VmConfig } from '../vmm/protocol.js';
import type { MvmServer } from './server.js';

export interface BootOptions {
  floppy?: string;
  hdd?: string;
  /** Keys to type; each line (up to and including '\r') is typed when the guest next waits for a key. */
  keys?: string;
  /** Stop once this text is on the screen (after all keys were typed). */
  until?: string;
  timeoutMs: number;
  model?: number;
  ramSize?: number;
  /** Pace to the host clock (default false: run as fast as possible, idle time skipped). */
  paced?: boolean;
  settings?: VmConfig['settings'];
  /** Run a foreign BIOS (and VGA BIOS) instead of MVM's own: host paths (docs/firmware.md "Foreign BIOS"). */
  firmware?: VmConfig['firmware'];
  /** How often the screen and keyboard are looked at (ms, default 25). */
  pollMs?: number;
}

export interface BootResult {
  /** The text screen at the end, rows joined by '\n'. */
  screen: string;
  /** `until` was seen (true when there was no `until` and the VM ran to the timeout or stopped). */
  matched: boolean;
  /** How the run ended. */
  outcome: 'matched' | 'timeout' | 'stopped' | 'crashed';
  reason?: string;
  /** Host ms the whole run took. */
  elapsedMs: number;
  /** Host ms from the start request until the BIOS jumped to a boot sector (undefined: it never did). */
  bootSectorMs?: number;
  vmId: number;
}

interface KbdQuery {
  queued: number;
  biosBuffered: number;
  waitingForKey?: boolean;
}

/** Under a foreign BIOS, a screen unchanged this long (host ms) counts as the guest waiting for a key. */
export const FOREIGN_BIOS_KEY_WAIT_MS = 300;

/** Split the keys into the chunks typed at each keyboard wait: a line at a time. */
export function keyChunks(keys: string): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const ch of keys) {
    current += ch;
    if (ch === '\r' || ch === '\n') {
      chunks.push(current);
      current = '';
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** `\r`, `\n`, `\t`, `\e`, `\b` and `\\` in a command-line key string. */
export function unescapeKeys(text: string): string {
  return text.replace(/\\(r|n|t|e|b|\\)/g, (_, c: string) => ({ r: '\r', n: '\r', t: '\t', e: '\x1b', b: '\b', '\\': '\\' })[c] as string);
}

export async function bootVm(server: MvmServer, options: BootOptions): Promise<BootResult> {
  const settings: Record<string, string | number | boolean> = { ...(options.settings ?? {}) };
  if (options.floppy) settings.DISK_A = options.floppy;
  if (options.hdd) settings.DISK_C = options.hdd;
  const t0 = performance.now();
  let bootSectorMs: number | undefined;
  const off = server.on((e) => {
    if (e.kind === 'event' && e.topic === 'boot' && bootSectorMs === undefined) bootSectorMs = performance.now() - t0;
  });
  const info = await server.startVm({ model: options.model ?? 386, ramSize: options.ramSize, paced: options.paced ?? false, settings, firmware: options.firmware }, 'boot');
  const id = info.id;
  const chunks = keyChunks(options.keys ?? '');
  const poll = options.pollMs ?? 25;
  let screen = '';
  let stablePolls = 0;
  let outcome: BootResult['outcome'] = 'timeout';
  const deadline = t0 + options.timeoutMs;
  try {
    for (;;) {
      const state = server.get(id)?.state;
      if (state === 'stopped' || state === 'crashed') {
        outcome = state;
        break;
      }
      const before = screen;
      screen = (await server.request(id, 'VVIDEO', 3)) as string;
      stablePolls = screen === before ? stablePolls + 1 : 0;
      if (chunks.length > 0) {
        const kbd = (await server.request(id, 'VKBD', 3)) as KbdQuery;
        // MVM's BIOS tells when the guest waits for a key (its INT 16h); under a foreign BIOS only the
        // screen can: a screen that has stayed the same for FOREIGN_BIOS_KEY_WAIT_MS is taken as waiting.
        const waiting = options.firmware ? stablePolls * poll >= FOREIGN_BIOS_KEY_WAIT_MS : kbd.waitingForKey;
        if (waiting && kbd.queued === 0 && kbd.biosBuffered === 0) {
          await server.request(id, 'VKBD', 2, chunks.shift());
          stablePolls = 0;
        }
      } else if (options.until !== undefined && screen.includes(options.until)) {
        outcome = 'matched';
        break;
      }
      if (performance.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, poll));
    }
  } catch (e) {
    const state = server.get(id)?.state;
    if (state !== 'stopped' && state !== 'crashed') throw e;
    outcome = state;
  }
  off();
  const end = server.get(id);
  if (end && end.state !== 'stopped' && end.state !== 'crashed') await server.stop(id, 'boot finished');
  const matched = outcome === 'matched' || (options.until === undefined && outcome !== 'crashed');
  return { screen, matched, outcome, reason: server.get(id)?.reason, elapsedMs: performance.now() - t0, bootSectorMs, vmId: id };
}
