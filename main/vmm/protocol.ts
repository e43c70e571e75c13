/**
 * The message protocol between the MVM server and a VM process — the one contract both sides implement
 * (docs/vmm.md). It is the same under Electron (utilityProcess + MessagePort) and plain Node
 * (child_process.fork + IPC); messages are plain structured-cloneable objects.
 *
 * Every message that crosses is checked with `parseToVm` / `parseFromVm`: anything malformed is refused
 * with a reason, never acted on.
 */
import type { PropertyValue } from './vdh.js';

/** What the server asks of a VM when it starts it. */
export interface VmConfig {
  /** CPU model: 8086, 8088, 186, 286 or 386. */
  model: number;
  /** RAM in bytes. */
  ramSize?: number;
  translate?: boolean;
  ticksPerSecond?: number;
  /** Pace guest time to the host clock (default true); false for headless runs as fast as possible. */
  paced?: boolean;
  /** DOS settings by name, including the disk images (DISK_A, DISK_C, ...). */
  settings?: Record<string, PropertyValue>;
  /** Extra VDD plugin folders (the user's), after the standard vdd/ folder. */
  vddDirs?: string[];
  /** Run a DOS program on DOSKRNL (host folders as drives) instead of booting a disk. */
  dos?: DosConfig;
  /** Serve session shields: the VM posts a 'display' event {url} with its shield WebSocket (docs/vman.md). */
  display?: boolean;
  /** Post a 'screenshot' event (Screenshot as sent, see VmScreenshot) just before the VM ends. */
  screenshotAtExit?: boolean;
  /**
   * Run a foreign BIOS instead of MVM's own (docs/firmware.md "Foreign BIOS"): host paths of the system BIOS
   * image and, optionally, the VGA BIOS image, as the user named them on the command line (never the guest).
   */
  firmware?: { bios: string; vgaBios?: string };
}

/**
 * A screenshot as it crosses the process boundary: pixels in base64 (an index each at depth 8, R, G, B, A
 * bytes at depth 32), the palette as 0xAABBGGRR numbers.
 */
export interface VmScreenshot {
  width: number;
  height: number;
  /** Absent: 8. */
  depth?: 8 | 32;
  pixels: string;
  palette: number[];
  text: string[] | null;
}

/** DOSKRNL's start-up: the drives, the program and how it starts (main/doskrnl/kernel.ts: DosOptions). */
export interface DosConfig {
  drives: { letter: string; hostPath: string; readOnly?: boolean }[];
  program: string;
  args?: string;
  cwd?: string;
  environment?: string[];
  version?: [number, number];
}

function checkDos(d: unknown): string | undefined {
  if (!isObject(d)) return 'start: dos must be an object';
  if (!Array.isArray(d.drives) || d.drives.length === 0 || d.drives.length > 26) return 'start: dos.drives must list 1 to 26 drives';
  for (const drive of d.drives) {
    if (!isObject(drive) || typeof drive.letter !== 'string' || !/^[A-Za-z]$/.test(drive.letter)) return 'start: a drive letter must be A-Z';
    if (typeof drive.hostPath !== 'string' || drive.hostPath.length === 0 || drive.hostPath.length > 4096) return 'start: a drive needs a host folder';
    if (drive.readOnly !== undefined && typeof drive.readOnly !== 'boolean') return 'start: readOnly must be true or false';
  }
  if (typeof d.program !== 'string' || d.program.length === 0 || d.program.length > 255) return 'start: dos.program must be a DOS path';
  for (const k of ['args', 'cwd'] as const) if (d[k] !== undefined && (typeof d[k] !== 'string' || (d[k] as string).length > 255)) return `start: dos.${k} must be text`;
  if (d.environment !== undefined && !(Array.isArray(d.environment) && d.environment.every((e) => typeof e === 'string' && e.length < 1024)))
    return 'start: dos.environment must be NAME=value strings';
  if (d.version !== undefined && !(Array.isArray(d.version) && d.version.length === 2 && d.version.every((n) => Number.isInteger(n) && n >= 0 && n < 100)))
    return 'start: dos.version must be [major, minor]';
  return undefined;
}

export type ToVm =
  | { type: 'start'; config: VmConfig }
  | { type: 'request'; id: number; vdd: string; command: number; input?: unknown }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop'; reason?: string }
  | { type: 'stats'; id: number }
  | { type: 'screenshot'; id: number }
  /** Change a DOS setting while the VM runs (one its VDD reads when it uses it; checked by its definition). */
  | { type: 'setting'; id: number; name: string; value: PropertyValue };

export type VmRunState = 'starting' | 'running' | 'idle' | 'paused' | 'stopped' | 'crashed';

export interface VmStats {
  /** Guest instructions executed and the virtual clock. */
  instructions: number;
  ticks: number;
  /** Host CPU ms the VM's process used (user + system) and spent inside the CPU loop. */
  cpuMs: number;
  busyMs: number;
  /** Resident set size of the VM's process, bytes. */
  rss: number;
  /** Host ms since the VM process started running the guest. */
  uptimeMs: number;
}

export type FromVm =
  | { type: 'ready'; pid: number; vdds: string[]; warnings: string[] }
  | { type: 'state'; state: VmRunState; reason?: string }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'event'; topic: string; payload: unknown }
  | { type: 'log'; message: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;
const NAME = /^[A-Z][A-Z0-9_$]{0,15}$/;
const MODELS = [8086, 8088, 186, 286, 386];

/** Check a message for the VM process; returns it typed, or a reason it was refused. */
export function parseToVm(m: unknown): ToVm | string {
  if (!isObject(m) || typeof m.type !== 'string') return 'not a message object';
  switch (m.type) {
    case 'start': {
      const c = m.config;
      if (!isObject(c)) return 'start: config is missing';
      if (!MODELS.includes(c.model as number)) return `start: unknown CPU model ${String(c.model)}`;
      if (c.ramSize !== undefined && !(Number.isInteger(c.ramSize) && (c.ramSize as number) > 0)) return 'start: bad ramSize';
      if (c.ticksPerSecond !== undefined && !(Number.isFinite(c.ticksPerSecond) && (c.ticksPerSecond as number) >= 1e5 && (c.ticksPerSecond as number) <= 1e10))
        return 'start: ticksPerSecond must be 100000..1e10';
      for (const k of ['translate', 'paced', 'display', 'screenshotAtExit'] as const) if (c[k] !== undefined && typeof c[k] !== 'boolean') return `start: ${k} must be true or false`;
      if (c.settings !== undefined) {
        if (!isObject(c.settings)) return 'start: settings must be an object';
        for (const [k, v] of Object.entries(c.settings)) {
          if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(k)) return `start: bad setting name ${JSON.stringify(k).slice(0, 80)}`;
          if (!['boolean', 'number', 'string'].includes(typeof v)) return `start: setting ${k} has a bad value`;
          if (typeof v === 'string' && v.length > 65536) return `start: setting ${k} is too long`;
        }
      }
      if (c.vddDirs !== undefined && !(Array.isArray(c.vddDirs) && c.vddDirs.every((d) => typeof d === 'string' && d.length < 4096)))
        return 'start: vddDirs must be a list of folders';
      if (c.firmware !== undefined) {
        const f = c.firmware;
        const path = (v: unknown): boolean => typeof v === 'string' && v.length > 0 && v.length < 4096;
        if (!isObject(f) || !path(f.bios) || (f.vgaBios !== undefined && !path(f.vgaBios))) return 'start: firmware must be { bios, vgaBios? } paths';
        if (c.dos !== undefined) return 'start: a foreign BIOS cannot run the DOS kernel (dos)';
      }
      if (c.dos !== undefined) {
        const why = checkDos(c.dos);
        if (why) return why;
      }
      return m as ToVm;
    }
    case 'request':
      if (!isId(m.id)) return 'request: bad id';
      if (typeof m.vdd !== 'string' || !NAME.test(m.vdd)) return `request: bad VDD name ${JSON.stringify(m.vdd)?.slice(0, 40)}`;
      if (!Number.isInteger(m.command) || (m.command as number) < 0 || (m.command as number) > 0xffff) return 'request: command must be 0..65535';
      return m as ToVm;
    case 'stats':
      return isId(m.id) ? (m as ToVm) : 'stats: bad id';
    case 'screenshot':
      return isId(m.id) ? (m as ToVm) : 'screenshot: bad id';
    case 'setting':
      if (!isId(m.id)) return 'setting: bad id';
      if (typeof m.name !== 'string' || !/^[A-Z][A-Z0-9_]{0,63}$/.test(m.name)) return 'setting: bad name';
      if (!['string', 'number', 'boolean'].includes(typeof m.value) || (typeof m.value === 'string' && m.value.length > 4096)) return 'setting: bad value';
      return m as ToVm;
    case 'pause':
    case 'resume':
      return m as ToVm;
    case 'stop':
      return m.reason === undefined || typeof m.reason === 'string' ? (m as ToVm) : 'stop: reason must be text';
    default:
      return `unknown message type ${JSON.stringify(m.type).slice(0, 40)}`;
  }
}

/** Check a message from a VM process (the server trusts a VM no more than a VM trusts its guest). */
export function parseFromVm(m: unknown): FromVm | string {
  if (!isObject(m) || typeof m.type !== 'string') return 'not a message object';
  switch (m.type) {
    case 'ready':
      return Number.isInteger(m.pid) && Array.isArray(m.vdds) && Array.isArray(m.warnings) ? (m as FromVm) : 'ready: bad fields';
    case 'state':
      return ['starting', 'running', 'idle', 'paused', 'stopped', 'crashed'].includes(m.state as string) ? (m as FromVm) : 'state: unknown state';
    case 'reply':
      if (!isId(m.id) || typeof m.ok !== 'boolean') return 'reply: bad fields';
      if (!m.ok && typeof m.error !== 'string') return 'reply: error must be text';
      return m as FromVm;
    case 'event':
      return typeof m.topic === 'string' && m.topic.length <= 64 ? (m as FromVm) : 'event: bad topic';
    case 'log':
      return typeof m.message === 'string' ? (m as FromVm) : 'log: message must be text';
    default:
      return `unknown message type ${JSON.stringify(m.type).slice(0, 40)}`;
  }
}
