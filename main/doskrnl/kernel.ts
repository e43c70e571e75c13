/**
 * DOSKRNL, the host half of the rehosted DOS: loaded into a VM like a VDD (it uses only the VDH helpers
 * and node's file system), it takes the DOS vectors at POST, starts the configured program instead of
 * booting a disk, and serves INT 21h and friends through SVC calls from the guest stubs
 * (firmware/doskrnl/stubs.ts). The work is split by concern: console.ts (character I/O), handles.ts
 * (the file table and handle calls), process.ts (EXEC, exit, memory, PSPs), directory.ts (drives,
 * directories, find), info.ts (version, time, country, vectors), highmem.ts (DOS=UMB and DOS=HIGH: the
 * UMB link, the HMA). docs/doskrnl.md has the function table.
 */
import { ShellSvc } from '../../firmware/doskrnl/command.js';
import { buildDosStubs, DOS_SEGMENT, DosSvc, FIRST_MCB, type DosStubs } from '../../firmware/doskrnl/stubs.js';
import type { CpuRegisters, Vdh, VddModule } from '../vmm/vdh.js';
import { MemoryArena } from './arena.js';
import { Console } from './console.js';
import { DosError, DosFail } from './dos.js';
import { DosFileSystem, type DriveConfig } from './drives.js';
import { serveDirectory } from './directory.js';
import { serveFcb } from './fcb.js';
import { FileTable, serveHandles } from './handles.js';
import { HighMemory, registerHighMemorySettings } from './highmem.js';
import { serveInfo } from './info.js';
import { Processes, serveProcess } from './process.js';
import { Shell } from './shell.js';

export interface DosOptions {
  drives: DriveConfig[];
  /** The program to run, a DOS path ('C:\\HELLO.COM'). */
  program: string;
  /** Its command tail (' /X FILE'). */
  args?: string;
  /** The current directory to start in ('C:\\WORK'); default the program's drive root. */
  cwd?: string;
  /** The environment, 'NAME=value' strings; PATH and COMSPEC get defaults. */
  environment?: string[];
  /** DOS version reported by AH=30h, [major, minor] (default 5.0). */
  version?: [number, number];
}

export const CF = 0x0001;
export const ZF = 0x0040;

/** The kernel's state and the register helpers every part uses. */
export class Kernel {
  readonly fs: DosFileSystem;
  readonly stubs: DosStubs;
  arena!: MemoryArena;
  readonly console: Console;
  readonly files: FileTable;
  readonly processes: Processes;
  /** DOS=UMB and DOS=HIGH (DOS_UMB, DOS_HIGH). */
  readonly highMemory: HighMemory;
  /** The registers of the call being served. */
  r!: CpuRegisters;
  /** The current DTA as the program set it (segment:offset; AH=2Fh hands back the same pointer). */
  dtaSegment = 0;
  dtaOffset = 0;
  /** The current DTA, linear. */
  get dta(): number {
    return this.dtaSegment * 16 + this.dtaOffset;
  }
  setDta(segment: number, offset: number): void {
    this.dtaSegment = segment & 0xffff;
    this.dtaOffset = offset & 0xffff;
  }
  lastError = 0;
  verify = false;
  breakChecking = false;
  readonly version: [number, number];
  /** The running COMMAND shells, by PSP. */
  readonly shells = new Map<number, Shell>();
  /** DOS_VERSION: the version a named program is told (AH=30h), as OS/2's setting lists it. */
  private readonly versionTable = new Map<string, [number, number]>();

  /** The DOS version AH=30h reports to a program: DOS_VERSION's entry for its file name, else the kernel's. */
  versionFor(program: string): [number, number] {
    return this.versionTable.get(program.toUpperCase()) ?? this.version;
  }

  /** Parse DOS_VERSION ('NAME.EXT,major,minor[,count]' per line; the count is accepted and not limited). */
  setVersionTable(text: string): void {
    for (const line of text.split(/\r?\n/)) {
      const m = /^\s*([^,\s]+)\s*,\s*(\d+)\s*,\s*(\d+)(\s*,\s*\d+)?\s*$/.exec(line);
      if (m) this.versionTable.set(m[1].toUpperCase(), [Number(m[2]) & 0xff, Number(m[3]) & 0xff]);
    }
  }

  /** Functions already reported as not implemented (logged once each). */
  private readonly missing = new Set<number>();

  constructor(
    readonly vdh: Vdh,
    readonly options: DosOptions,
  ) {
    this.fs = new DosFileSystem(options.drives);
    this.stubs = buildDosStubs(this.fs.lastDrive + 1);
    this.version = options.version ?? [5, 0];
    this.console = new Console(this);
    this.files = new FileTable(this);
    this.processes = new Processes(this);
    this.highMemory = new HighMemory(this);
  }

  // ---- registers
  get ah(): number {
    return (this.r.eax >>> 8) & 0xff;
  }
  get al(): number {
    return this.r.eax & 0xff;
  }
  get bx(): number {
    return this.r.ebx & 0xffff;
  }
  get cx(): number {
    return this.r.ecx & 0xffff;
  }
  get dx(): number {
    return this.r.edx & 0xffff;
  }
  get si(): number {
    return this.r.esi & 0xffff;
  }
  get di(): number {
    return this.r.edi & 0xffff;
  }
  /** Linear address of DS:reg16 / ES:reg16. */
  ds(offset: number): number {
    return ((this.r.ds << 4) + (offset & 0xffff)) >>> 0;
  }
  es(offset: number): number {
    return ((this.r.es << 4) + (offset & 0xffff)) >>> 0;
  }
  set(regs: Partial<CpuRegisters>): void {
    this.vdh.setRegisters(regs);
    Object.assign(this.r, regs);
  }
  setAx(v: number): void {
    this.set({ eax: (this.r.eax & ~0xffff) | (v & 0xffff) });
  }
  setAl(v: number): void {
    this.set({ eax: (this.r.eax & ~0xff) | (v & 0xff) });
  }
  setBx(v: number): void {
    this.set({ ebx: (this.r.ebx & ~0xffff) | (v & 0xffff) });
  }
  setCx(v: number): void {
    this.set({ ecx: (this.r.ecx & ~0xffff) | (v & 0xffff) });
  }
  setDx(v: number): void {
    this.set({ edx: (this.r.edx & ~0xffff) | (v & 0xffff) });
  }
  /** Success: CF clear. */
  ok(): void {
    this.set({ eflags: this.r.eflags & ~CF });
  }
  /** Failure the DOS way: CF set, AX = error code. */
  fail(code: number): void {
    this.lastError = code;
    this.set({ eax: (this.r.eax & ~0xffff) | code, eflags: this.r.eflags | CF });
  }
  setZero(on: boolean): void {
    this.set({ eflags: on ? this.r.eflags | ZF : this.r.eflags & ~ZF });
  }

  /** An ASCIIZ string at a linear address (at most `max` bytes), bytes as Latin-1 code points. */
  asciiz(addr: number, max = 128): string {
    let s = '';
    for (let i = 0; i < max; i++) {
      const b = this.vdh.readByte(addr + i);
      if (b === 0) return s;
      s += String.fromCharCode(b);
    }
    throw new DosFail(DosError.pathNotFound, 'a path without its terminating zero');
  }
  writeAsciiz(addr: number, s: string): void {
    const bytes = new Uint8Array(s.length + 1);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i) & 0xff;
    this.vdh.writeGuest(addr, bytes);
  }

  /** A function that is not there (yet): AX=1 CF=1, logged once, as DOS answers an unknown function. */
  unsupported(what: string): void {
    const key = (this.ah << 8) | this.al;
    if (!this.missing.has(key)) {
      this.missing.add(key);
      this.vdh.log(`DOSKRNL: ${what} is not implemented`);
    }
    this.fail(DosError.invalidFunction);
  }

  // ---- INT 21h

  /** Serve INT 21h: the function in AH. Returns 'wait' when it waits for keyboard input. */
  int21(): void | 'wait' {
    this.r = this.vdh.getRegisters();
    try {
      return this.dispatch(this.ah);
    } catch (e) {
      if (e instanceof DosFail) return this.fail(e.code);
      throw e;
    }
  }

  private dispatch(ah: number): void | 'wait' {
    if (ah === 0x71) {
      // Long file names are not served: answer as DOS without LFN support does — AX=7100h with CF set,
      // the signature programs test before falling back to the 8.3 functions.
      this.set({ eax: (this.r.eax & ~0xffff) | 0x7100, eflags: this.r.eflags | CF });
      return;
    }
    // AX=5802h/5803h (the UMB link) are highmem.ts's; the rest of AH=58h is process.ts's.
    const handled =
      this.console.serve(ah) ??
      serveHandles(this, ah) ??
      serveDirectory(this, ah) ??
      this.highMemory.serve(ah) ??
      serveProcess(this, ah) ??
      serveInfo(this, ah) ??
      serveFcb(this, ah);
    if (handled === undefined) this.unsupported(`INT 21h AH=${hex2(ah)}`);
    else if (handled === 'wait') return 'wait';
  }

  /** osFree's SVC n: the INT 21h function it mirrors, with the caller's registers as they are. */
  svcAlias(ah: number): void | 'wait' {
    this.r = this.vdh.getRegisters();
    this.set({ eax: (this.r.eax & ~0xff00) | (ah << 8) });
    return this.int21();
  }

  /**
   * CALL 5, the CP/M entry: the function is in CL (00h-24h only). The stack holds the far return of PSP:05h's
   * call (to PSP:000Ah) and the program's near return; the function runs, then the program continues at its
   * near return address in its PSP segment.
   */
  call5(): void | 'wait' {
    this.r = this.vdh.getRegisters();
    const fn = this.cx & 0xff;
    const sp = this.r.esp & 0xffff;
    const frame = (this.r.ss << 4) + sp;
    const segment = this.vdh.readWord(frame + 2);
    const back = this.vdh.readWord(frame + 4);
    if (fn > 0x24) {
      this.setAl(0);
    } else {
      this.set({ eax: (this.r.eax & ~0xff00) | (fn << 8) });
      try {
        if (this.dispatch(fn) === 'wait') return 'wait';
      } catch (e) {
        if (!(e instanceof DosFail)) throw e;
        this.fail(e.code);
      }
    }
    this.set({ cs: segment, eip: back, esp: (this.r.esp & ~0xffff) | ((sp + 6) & 0xffff) });
  }

  /** The session's clipboard text (the host bridges it to the desktop's clipboard). */
  clipboard = '';

  /**
   * SVC 50h, the MVM services a DOS program can call directly (`HLT ; db 50h ; db 0AFh`), AH selects:
   * 00h query: AX = 4D56h ('MV'), BX = 0100h (services version), CL = CPU model, CH = DOS major version;
   * 01h exit to host: the whole session ends now with return code AL;
   * 02h host time zone: AX = minutes east of UTC (signed);
   * 03h get clipboard text into ES:DI (CX bytes at most, zero-terminated): CX = length;
   * 04h set clipboard text from the ASCIIZ string at DS:SI (posted to the host as `clipboard`).
   * Unknown functions: CF set, AX = 1.
   */
  mvmService(): void {
    this.r = this.vdh.getRegisters();
    const v = this.vdh;
    switch (this.ah) {
      case 0x00:
        this.setAx(0x4d56);
        this.setBx(0x0100);
        this.setCx((this.version[0] << 8) | (this.vdh.model & 0xff));
        return this.ok();
      case 0x01:
        this.files.closeAll();
        v.post('dos-exit', { code: this.al, type: 0 });
        return v.stopVm(`exit ${this.al}`);
      case 0x02:
        this.setAx(-new Date().getTimezoneOffset() & 0xffff);
        return this.ok();
      case 0x03: {
        const max = this.cx;
        if (max === 0) return this.fail(DosError.invalidParameter);
        const bytes = Array.from(this.clipboard, (c) => (c.charCodeAt(0) < 256 ? c.charCodeAt(0) : 0x3f)).slice(0, max - 1);
        v.writeGuest(this.es(this.di), Uint8Array.from([...bytes, 0]));
        this.setCx(bytes.length);
        return this.ok();
      }
      case 0x04:
        this.clipboard = this.asciiz(this.ds(this.si), 0x8000);
        v.post('clipboard', { text: this.clipboard });
        return this.ok();
      default:
        return this.fail(DosError.invalidFunction);
    }
  }

  /** The COMMAND stub's step SVC: run its shell until it needs the guest (AL = what to do). */
  shellStep(): void | 'wait' {
    this.r = this.vdh.getRegisters();
    const psp = this.processes.current;
    let shell = this.shells.get(psp);
    if (!shell) {
      const v = this.vdh;
      const tailLength = Math.min(127, v.readByte(psp * 16 + 0x80));
      const tail = String.fromCharCode(...v.readGuest(psp * 16 + 0x81, tailLength));
      shell = new Shell(this, psp, tail, this.processes.environmentOf(psp));
      this.shells.set(psp, shell);
    }
    try {
      const action = shell.step();
      if (action === 'wait') return 'wait';
      this.setAl(action);
    } catch (e) {
      if (!(e instanceof DosFail)) throw e;
      this.setAl(0);
    }
  }

  // ---- start-up

  /**
   * POST: take the DOS vectors, set up the arena, take the HMA and the UMBs as DOS_HIGH and DOS_UMB say,
   * and create the root process; INT 19h starts the program.
   */
  post(): void {
    const v = this.vdh;
    v.writeGuest(DOS_SEGMENT * 16, this.stubs.image);
    const vector = (n: number, offset: number): void => {
      v.writeWord(n * 4, offset);
      v.writeWord(n * 4 + 2, DOS_SEGMENT);
    };
    const e = this.stubs.entry;
    vector(0x19, e.start);
    vector(0x1b, e.int1b);
    vector(0x20, e.int20);
    vector(0x21, e.int21);
    vector(0x22, e.rootReturn);
    vector(0x23, e.int23);
    vector(0x24, e.int24);
    vector(0x25, e.int25);
    vector(0x26, e.int26);
    vector(0x27, e.int27);
    vector(0x28, e.int28);
    vector(0x29, e.int29);
    vector(0x2f, e.int2f);
    // CALL 5: PSP:05h calls F01D:FEF0, which is 0000:00C0 with A20 off and FFFF:00D0 with it on (as on
    // MS-DOS, the 5 bytes there overlap the INT 30h/31h vectors): a far jump to the handler at both.
    const jump = Uint8Array.of(0xea, e.call5 & 0xff, e.call5 >> 8, DOS_SEGMENT & 0xff, DOS_SEGMENT >> 8);
    v.writeGuest(0xc0, jump);
    if (v.ramSize > 0x100100) v.writeGuest(0x1000c0, jump);
    const kb = v.readWord(0x413) || 640;
    this.arena = new MemoryArena(v, FIRST_MCB, Math.min(0xa000, kb * 64));
    this.highMemory.post();
    this.processes.createRoot();
  }

  /** INT 19h under DOSKRNL: run the configured program as the root's child. */
  start(): void {
    this.r = this.vdh.getRegisters();
    try {
      this.processes.startProgram();
    } catch (e) {
      const why = (e as Error).message;
      this.vdh.post('dos-exit', { code: 255, reason: why });
      this.vdh.stopVm(`cannot run ${this.options.program}: ${why}`);
    }
  }
}

function hex2(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0') + 'h';
}

/** The INT 21h function each of osFree's SVC numbers 0..62 mirrors (../shared/docs, kernel/svc.h). */
export const OSFREE_SVCS: Record<number, number> = {
  0: 0x45, 2: 0x4c, 3: 0x3e, 4: 0x0d, 5: 0x62, 6: 0x0e, 7: 0x1a, 8: 0x30, 9: 0x40, 10: 0x2b, 11: 0x2d, 12: 0x2a, 13: 0x2c,
  14: 0x3f, 15: 0x42, 16: 0x3a, 17: 0x39, 18: 0x47, 19: 0x3b, 20: 0x57, 21: 0x68, 22: 0x11, 23: 0x12, 25: 0x4e, 28: 0x3d,
  29: 0x13, 30: 0x17, 31: 0x41, 32: 0x56, 37: 0x0f, 39: 0x10, 44: 0x2e, 45: 0x4f, 46: 0x3c, 47: 0x5a, 49: 0x29,
};

/** The DOS kernel as a module a VM loads after its VDDs. */
export function createDosKernel(options: DosOptions): VddModule {
  return {
    name: 'DOSKRNL',
    init(vdh: Vdh): void {
      const k = new Kernel(vdh, options);
      vdh.registerProperty({
        type: 'mlstr',
        name: 'DOS_VERSION',
        help: 'Programs told another DOS version: one line each, NAME.EXT,major,minor[,count].',
        default: '',
        validate: (text) => {
          const bad = text.split(/\r?\n/).find((l) => l.trim() !== '' && !/^\s*[^,\s]+\s*,\s*\d{1,2}\s*,\s*\d{1,2}(\s*,\s*\d{1,3})?\s*$/.test(l));
          return bad === undefined ? undefined : `"${bad.trim()}" is not NAME.EXT,major,minor[,count]`;
        },
      });
      k.setVersionTable(vdh.property('DOS_VERSION') as string);
      registerHighMemorySettings(vdh);
      vdh.onUserHook('post', () => k.post());
      vdh.onUserHook('terminate', () => k.files.closeAll());
      vdh.installSvc(DosSvc.start, () => k.start());
      vdh.installSvc(DosSvc.int21, () => k.int21());
      for (const [n, ah] of Object.entries(OSFREE_SVCS)) vdh.installSvc(Number(n), () => k.svcAlias(ah));
      vdh.installSvc(DosSvc.int20, () => {
        k.r = vdh.getRegisters();
        k.processes.terminate(0, 0);
      });
      vdh.installSvc(DosSvc.int27, () => {
        k.r = vdh.getRegisters();
        k.processes.terminate(0, 3, ((k.dx + 15) >>> 4) || 0x10);
      });
      vdh.installSvc(DosSvc.int23, () => {
        k.r = vdh.getRegisters();
        k.processes.terminate(0, 1);
      });
      vdh.installSvc(DosSvc.rootReturn, () => k.processes.rootReturned());
      vdh.installSvc(DosSvc.call5, () => k.call5());
      vdh.installSvc(DosSvc.mvm, () => k.mvmService());
      vdh.installSvc(DosSvc.int1b, () => void (k.console.breakPending = true));
      vdh.installSvc(ShellSvc.step, () => k.shellStep());
      vdh.installSvc(ShellSvc.execDone, () => k.shells.get(k.processes.current)?.execDone());
      vdh.installSvc(DosSvc.int28, () => undefined);
      vdh.installSvc(DosSvc.int29, () => k.console.write([vdh.getRegisters().eax & 0xff]));
      vdh.installSvc(DosSvc.int2f, () => {
        k.r = vdh.getRegisters();
        serveMultiplex(k);
      });
      vdh.installSvc(DosSvc.absRead, () => {
        k.r = vdh.getRegisters();
        k.set({ eax: (k.r.eax & ~0xffff) | 0x8002, eflags: k.r.eflags | CF }); // drives are folders: "not ready"
      });
      vdh.installSvc(DosSvc.absWrite, () => {
        k.r = vdh.getRegisters();
        k.set({ eax: (k.r.eax & ~0xffff) | 0x8002, eflags: k.r.eflags | CF });
      });
      vdh.registerName('DOSKRNL', (command, input) => {
        // 1-2: the console's stdin and state (console.ts); 3: the session clipboard; 4: set it from the host; 5: below.
        if (command === 3) return { text: k.clipboard };
        // 5: the current process (its PSP segment), for VDPMI's PSP selector.
        if (command === 5) return { psp: k.processes.current };
        if (command === 4) {
          if (typeof input !== 'string' || input.length > 0x8000) throw new Error('DOSKRNL: clipboard text must be a string of at most 32 KB');
          k.clipboard = input;
          return undefined;
        }
        return k.console.request(command, input);
      });
    },
  };
}

/** INT 2Fh: the multiplex basics — nothing installed answers "not installed" (AL unchanged). */
function serveMultiplex(k: Kernel): void {
  const ax = k.r.eax & 0xffff;
  if (ax === 0x1680) {
    // Release the time slice (Windows/OS/2 idle call): say it is supported.
    k.setAl(0);
    return;
  }
  if (k.highMemory.multiplex(ax)) return; // 4A01h/4A02h: the HMA DOS=HIGH leaves free
  // AL=00h installation checks: leave AL at 0 (not installed). VXMS answers AX=4300h/4310h itself, through
  // an interrupt hook that runs before this handler.
}
