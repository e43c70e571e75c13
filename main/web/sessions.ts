/**
 * DOS sessions for the shell: each one a VM (main/mvm's MvmServer) running DOSKRNL with host folders as
 * drives — the command shell for a DOS Window, or one program — with its display served to shields
 * (main/vmm/vm-display.ts). The methods are the contract's (preload/api.ts); arguments arrive from a page,
 * so each is checked here before anything starts.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ProgramInfo, SessionInfo, SessionOptions } from '../../preload/api.js';
import { dataDir } from '../library/library.js';
import type { MvmServer } from '../mvm/server.js';
import type { PropertyValue } from '../vmm/vdh.js';


/** A DOS path a page may name: 8.3 components, backslashes, no drive, no traversal. */
const DOS_PROGRAM = /^(?:[A-Za-z0-9_$~!#%&'(){}^@`-]{1,8}(?:\.[A-Za-z0-9_$~!#%&'(){}^@`-]{1,3})?\\)*[A-Za-z0-9_$~!#%&'(){}^@`-]{1,8}\.(?:COM|EXE|BAT|com|exe|bat)$/;

/** A DOS program with its drive: C:\\GAMES\\PLAY.EXE. */
const DOS_FULL_PATH = new RegExp(`^[C-Zc-z]:\\\\${DOS_PROGRAM.source.slice(1)}`);

const DISPLAY_TIMEOUT_MS = 10_000;

export class SessionManager {
  private readonly sessions = new Map<number, SessionInfo>();
  private readonly displayWaiters = new Map<number, (url: string | undefined) => void>();
  private readonly exitCodes = new Map<number, number>();
  private readonly displays = new Map<number, string>();
  private readonly endListeners: ((s: SessionInfo, end: { exitCode: number | null; crashReason: string | null }) => void)[] = [];

  constructor(private readonly server: MvmServer) {
    server.on((e) => {
      if (e.kind === 'event' && e.topic === 'display') {
        const url = (e.payload as { url?: unknown }).url;
        if (typeof url !== 'string' || !url.startsWith('ws://127.0.0.1:')) return;
        this.displays.set(e.vmId, url);
        this.displayWaiters.get(e.vmId)?.(url);
      } else if (e.kind === 'event' && e.topic === 'dos-exit') {
        // Kept by VM id: a quick program can exit before its session is registered.
        const code = (e.payload as { code?: unknown }).code;
        if (typeof code === 'number') this.exitCodes.set(e.vmId, code);
        const s = this.sessions.get(e.vmId);
        if (s && typeof code === 'number') s.exitCode = code;
      } else if (e.kind === 'state') {
        const s = this.sessions.get(e.vm.id);
        if (s) this.update(s, e.vm.state, e.vm.reason);
        if (e.vm.state === 'stopped' || e.vm.state === 'crashed') this.displayWaiters.get(e.vm.id)?.(undefined);
      }
    });
  }

  async start(options: unknown): Promise<SessionInfo> {
    const o = checkOptions(options);
    const driveC = o.driveC ?? defaultDriveC();
    const program = o.program ?? 'COMMAND.COM';
    const title = o.program ? o.program.split('\\').pop()!.toUpperCase() : 'DOS Window';
    const info = await this.server.startVm(
      {
        model: 386,
        paced: true,
        display: true,
        settings: o.settings as Record<string, PropertyValue> | undefined,
        dos: { drives: [{ letter: 'C', hostPath: driveC }], program, args: o.args, cwd: 'C:\\' },
      },
      title,
    );
    return this.register(info.id, { id: info.id, title, state: info.state });
  }

  /**
   * A session from the moment its VM is there: registered at once (so an exit that comes quickly is not
   * lost), then given its display's URL — or none, when the VM ended before it opened one.
   */
  private async register(vmId: number, session: SessionInfo): Promise<SessionInfo> {
    this.sessions.set(vmId, session);
    const vm = this.server.get(vmId);
    if (vm) this.update(session, vm.state, vm.reason);
    const url = this.displays.get(vmId) ?? (session.state === 'stopped' || session.state === 'crashed' ? undefined : await this.waitForDisplay(vmId));
    if (url) session.shield = url;
    return { ...session };
  }

  private update(s: SessionInfo, state: SessionInfo['state'], reason: string | undefined): void {
    const was = s.state;
    s.state = state;
    if (reason) s.reason = reason;
    const code = this.exitCodes.get(s.id);
    if (code !== undefined) s.exitCode = code;
    if ((state === 'stopped' || state === 'crashed') && was !== 'stopped' && was !== 'crashed') {
      const ended = { exitCode: s.exitCode ?? null, crashReason: state === 'crashed' ? (s.reason ?? 'crashed') : null };
      for (const fn of this.endListeners) fn({ ...s }, ended);
    }
  }

  /** A session's state as it is now (the API records a run that ended before it got the session back). */
  get(id: number): SessionInfo | undefined {
    const s = this.sessions.get(id);
    return s ? { ...s } : undefined;
  }

  /** Call `fn` when a session ends: its DOS program's exit code, or why it crashed. */
  onEnded(fn: (s: SessionInfo, end: { exitCode: number | null; crashReason: string | null }) => void): void {
    this.endListeners.push(fn);
  }

  /**
   * Start a program object: its drives (C: the user's DOS folder when it maps none), its program (the shell
   * when it names none) with its parameters and working directory, its DOS settings; full screen for a
   * "DOS full screen" object.
   */
  async startProgramObject(p: ProgramInfo): Promise<SessionInfo> {
    const drives = p.drives.map((d) => ({ letter: d.letter, hostPath: d.hostPath, readOnly: d.readOnly }));
    for (const d of drives) {
      if (!existsSync(d.hostPath) || !statSync(d.hostPath).isDirectory()) throw new Error(`drive ${d.letter}: ${d.hostPath} is not a folder`);
    }
    if (!drives.some((d) => d.letter === 'C')) drives.unshift({ letter: 'C', hostPath: defaultDriveC(), readOnly: false });
    let program = 'COMMAND.COM'; // the shell: the drive's own COMMAND.COM, else the kernel's
    if (p.program) {
      if (!DOS_FULL_PATH.test(p.program)) throw new Error(`program ${p.program}: not a DOS path like C:\\GAMES\\PLAY.EXE (.COM, .EXE or .BAT)`);
      program = p.program.toUpperCase();
      if (!drives.some((d) => d.letter === program[0])) throw new Error(`program ${p.program}: drive ${program[0]}: is not mapped`);
    }
    const cwd = p.workingDir ? p.workingDir.toUpperCase() : p.program ? program.slice(0, program.lastIndexOf('\\')) : 'C:';
    if (!/^[C-Z]:(\\[^\\\0]{1,12})*\\?$/.test(cwd)) throw new Error(`working directory ${p.workingDir}: not a DOS path like C:\\GAMES`);
    const info = await this.server.startVm(
      {
        model: 386,
        paced: true,
        display: true,
        settings: p.settings as Record<string, PropertyValue>,
        dos: { drives, program, args: p.parameters ? ` ${p.parameters}` : undefined, cwd: cwd.length === 2 ? `${cwd}\\` : cwd },
      },
      p.name,
    );
    return this.register(info.id, { id: info.id, title: p.name, state: info.state, programId: p.id, fullScreen: p.kind === 'dos-fullscreen' });
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => ({ ...s }));
  }

  async stop(id: unknown): Promise<void> {
    if (!Number.isSafeInteger(id) || !this.sessions.has(id as number)) throw new Error(`no session ${String(id).slice(0, 20)}`);
    const s = this.server.get(id as number);
    if (s && s.state !== 'stopped' && s.state !== 'crashed') await this.server.stop(id as number, 'closed by the user');
  }

  /** The display's URL when the VM opens it; undefined when the VM ends first. */
  private waitForDisplay(vmId: number): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.displayWaiters.delete(vmId);
        reject(new Error('the session did not open its display'));
      }, DISPLAY_TIMEOUT_MS);
      this.displayWaiters.set(vmId, (url) => {
        clearTimeout(timer);
        this.displayWaiters.delete(vmId);
        resolve(url);
      });
    });
  }
}

function defaultDriveC(): string {
  const dir = join(dataDir(), 'dos', 'C');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The options a page sent, checked field by field (unknown fields are refused, not ignored). */
export function checkOptions(options: unknown): SessionOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new Error('session options must be an object');
  const o = options as Record<string, unknown>;
  const known = new Set(['program', 'args', 'driveC', 'settings']);
  const extra = Object.keys(o).filter((k) => !known.has(k));
  if (extra.length) throw new Error(`unknown session option(s): ${extra.slice(0, 3).join(', ')}`);
  const out: SessionOptions = {};
  if (o.program !== undefined) {
    if (typeof o.program !== 'string' || !DOS_PROGRAM.test(o.program)) throw new Error('program must be a DOS path like GAMES\\PLAY.EXE (.COM, .EXE or .BAT)');
    out.program = o.program;
  }
  if (o.args !== undefined) {
    if (typeof o.args !== 'string' || o.args.length > 126 || /[\0\r\n]/.test(o.args)) throw new Error('args must be one line of up to 126 characters');
    out.args = o.args;
  }
  if (o.driveC !== undefined) {
    if (typeof o.driveC !== 'string' || !isAbsolute(o.driveC) || o.driveC.includes('\0')) throw new Error('driveC must be an absolute host folder');
    if (!existsSync(o.driveC) || !statSync(o.driveC).isDirectory()) throw new Error(`driveC: ${o.driveC} is not a folder`);
    out.driveC = o.driveC;
  }
  if (o.settings !== undefined) {
    if (typeof o.settings !== 'object' || o.settings === null || Array.isArray(o.settings)) throw new Error('settings must be an object');
    for (const [k, v] of Object.entries(o.settings)) {
      if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(k)) throw new Error(`bad setting name ${JSON.stringify(k).slice(0, 40)}`);
      if (!['string', 'number', 'boolean'].includes(typeof v)) throw new Error(`setting ${k} has a bad value`);
    }
    out.settings = o.settings as SessionOptions['settings'];
  }
  return out;
}
