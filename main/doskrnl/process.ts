/**
 * Processes: the root process (DOSKRNL's stand-in for the shell that starts the configured program), EXEC
 * (AH=4Bh: load and execute, load only, overlay), termination (AH=00h/4Ch/31h, INT 20h/27h, Ctrl-C), return
 * codes (4Dh), PSP calls (50h/51h/62h) and the memory calls on the MCB arena (48h/49h/4Ah/58h).
 *
 * EXEC follows DOS: the parent's SS:SP is saved in its PSP (2Eh), the child's INT 22h is the parent's
 * return point (just after the SVC of the INT 21h stub), and termination restores the parent's stack and
 * continues there with CF clear. The root's INT 22h is the rootReturn stub: the first program ending ends
 * the session with its return code.
 */
import { buildShellImage } from '../../firmware/doskrnl/command.js';
import { DOS_SEGMENT } from '../../firmware/doskrnl/stubs.js';
import { ArenaFull, Strategy } from './arena.js';
import type { Served } from './console.js';
import { DosError, DosFail } from './dos.js';
import type { Kernel } from './kernel.js';
import { buildEnvironment, loadOverlay, loadProgram, type Loaded } from './loader.js';

const IF = 0x0200;
const CF = 0x0001;
const ROOT_PARAS = 0x10;

export class Processes {
  /** The current PSP segment. */
  current = 0;
  root = 0;
  /** AH=4Dh: type << 8 | code of the last child that ended. */
  returnCode = 0;
  /** The program file name ('FOO.EXE') of each process, for per-program settings (DOS_VERSION). */
  private readonly names = new Map<number, string>();

  programName(psp: number): string {
    return this.names.get(psp) ?? '';
  }

  constructor(private readonly k: Kernel) {}

  /** The root PSP: a 256-byte block owned by itself, with the standard handles and DOS's vectors. */
  createRoot(): void {
    const k = this.k;
    const v = k.vdh;
    const env = buildEnvironment(this.environmentStrings(), 'C:\\COMMAND.COM');
    const envParas = (env.length + 15) >>> 4;
    const psp = k.arena.allocate(ROOT_PARAS, 8);
    const envSeg = k.arena.allocate(envParas, 8);
    k.arena.setOwner(psp, psp);
    k.arena.setOwner(envSeg, psp);
    k.arena.setName(psp, 'COMMAND');
    v.writeGuest(envSeg * 16, env);
    const p = psp * 16;
    v.writeGuest(p, new Uint8Array(256));
    v.writeWord(p, 0x20cd); // INT 20h
    v.writeWord(p + 0x02, 0xa000);
    const e = k.stubs.entry;
    for (const [off, entry] of [[0x0a, e.rootReturn], [0x0e, e.int23], [0x12, e.int24]] as const) {
      v.writeWord(p + off, entry);
      v.writeWord(p + off + 2, DOS_SEGMENT);
    }
    v.writeWord(p + 0x16, psp); // its own parent, as COMMAND.COM's
    v.writeGuest(p + 0x18, Uint8Array.from([0, 0, 0, 1, 2, ...new Array(15).fill(0xff)]));
    v.writeWord(p + 0x2c, envSeg);
    v.writeWord(p + 0x2e, e.rootStackTop);
    v.writeWord(p + 0x30, DOS_SEGMENT);
    v.writeWord(p + 0x32, 20);
    v.writeWord(p + 0x34, 0x18);
    v.writeWord(p + 0x36, psp);
    v.writeGuest(p + 0x50, Uint8Array.of(0xcd, 0x21, 0xcb));
    v.writeByte(p + 0x81, 0x0d);
    this.root = this.current = psp;
    k.setDta(psp, 0x80);
  }

  /** The NAME=value strings of a process's environment. */
  environmentOf(psp: number): string[] {
    return readEnvironmentBlock(this.k, this.k.vdh.readWord(psp * 16 + 0x2c));
  }

  private environmentStrings(): string[] {
    const o = this.k.options;
    const vars = [...(o.environment ?? [])];
    const has = (name: string): boolean => vars.some((s) => s.toUpperCase().startsWith(name + '='));
    const drive = String.fromCharCode(65 + this.k.fs.currentDrive);
    if (!has('COMSPEC')) vars.unshift(`COMSPEC=${drive}:\\COMMAND.COM`);
    if (!has('PATH')) vars.unshift(`PATH=${drive}:\\`);
    return vars;
  }

  /** Start the configured program as the root's child (DOSKRNL's INT 19h). */
  startProgram(): void {
    const k = this.k;
    const o = k.options;
    const program = k.fs.resolve(o.program);
    k.fs.currentDrive = program.drive;
    if (o.cwd) k.fs.chdir(o.cwd);
    const tail = o.args ? (o.args.startsWith(' ') ? o.args : ' ' + o.args) : '';
    const loaded = this.load(o.program, {
      environment: buildEnvironment(this.environmentStrings(), program.dosPath),
      tail,
      returnTo: { segment: DOS_SEGMENT, offset: k.stubs.entry.rootReturn },
    });
    k.vdh.post('dos-start', { program: program.dosPath, psp: loaded.psp });
    this.enter(loaded);
  }

  /** Read and load a program as a child of the current process (not yet running). */
  private load(
    path: string,
    o: { environment: Uint8Array; tail: string; fcb1?: Uint8Array; fcb2?: Uint8Array; returnTo: { segment: number; offset: number } },
  ): Loaded {
    const k = this.k;
    const r = k.fs.resolve(path);
    if (r.device) throw new DosFail(DosError.fileNotFound, `${path} is a device`);
    const st = k.fs.stat(r);
    let image: Uint8Array;
    if (!st && /\\COMMAND\.COM$/.test(r.dosPath)) {
      // No COMMAND.COM on the drive: DOSKRNL's own shell (a user's real one, FreeCOM say, wins when present).
      image = buildShellImage();
    } else {
      if (!st || st.attr & 0x10) throw new DosFail(DosError.fileNotFound, `${r.dosPath} is not there`);
      if (st.size > 0x100000) throw new DosFail(DosError.badFormat, `${r.dosPath} is larger than conventional memory`);
      const file = k.fs.openFile(r, 'read');
      try {
        image = file.read(0, file.size());
      } finally {
        file.close();
      }
    }
    const name = (r.dosPath.split('\\').pop() ?? 'PROGRAM').split('.')[0];
    const p = this.current * 16;
    const vec = (n: number): { segment: number; offset: number } => ({ offset: k.vdh.readWord(n * 4), segment: k.vdh.readWord(n * 4 + 2) });
    void p;
    const loaded = loadProgram(k.vdh, k.arena, {
      image,
      name,
      programPath: r.dosPath,
      environment: o.environment,
      commandTail: o.tail.slice(0, 126),
      parentPsp: this.current,
      fcb1: o.fcb1,
      fcb2: o.fcb2,
      terminateAddress: o.returnTo,
      ctrlBreak: vec(0x23),
      criticalError: vec(0x24),
      inheritHandles: k.files.inheritedJft(this.current),
    });
    this.names.set(loaded.psp, r.dosPath.split('\\').pop() ?? '');
    return loaded;
  }

  /**
   * The parent's registers at its EXEC call, by child PSP: DOS returns from EXEC through the parent's INT 21h
   * frame, so everything but AX and the flags comes back as it was (the DJGPP stub relies on DS).
   */
  private readonly parentRegisters = new Map<number, { ebx: number; ecx: number; edx: number; esi: number; edi: number; ebp: number; ds: number; es: number }>();

  /** Run a loaded child: save the parent's stack, make the child current, jump to it. */
  private enter(l: Loaded): void {
    const k = this.k;
    const v = k.vdh;
    const parent = this.current * 16;
    const r = k.r;
    this.parentRegisters.set(l.psp, { ebx: r.ebx, ecx: r.ecx, edx: r.edx, esi: r.esi, edi: r.edi, ebp: r.ebp, ds: r.ds, es: r.es });
    v.writeWord(parent + 0x2e, k.r.esp & 0xffff);
    v.writeWord(parent + 0x30, k.r.ss);
    // INT 22h points where the child returns to (DOS keeps it in the vector table as well).
    v.writeWord(0x22 * 4, v.readWord(l.psp * 16 + 0x0a));
    v.writeWord(0x22 * 4 + 2, v.readWord(l.psp * 16 + 0x0c));
    this.current = l.psp;
    k.setDta(l.psp, 0x80);
    k.set({
      cs: l.cs,
      eip: l.ip,
      ss: l.ss,
      esp: l.sp,
      ds: l.psp,
      es: l.psp,
      eax: 0,
      ebx: 0,
      ecx: 0xff,
      edx: l.psp,
      esi: l.ip,
      edi: l.sp,
      ebp: 0x091c,
      eflags: (k.r.eflags | IF) & ~CF,
    });
  }

  /** AH=4Bh. */
  exec(): Served {
    const k = this.k;
    const v = k.vdh;
    const block = k.es(k.bx);
    const path = k.asciiz(k.ds(k.dx));
    if (k.al === 0x03) {
      const r = k.fs.resolve(path);
      const f = k.fs.openFile(r, 'read');
      try {
        loadOverlay(v, f.read(0, f.size()), v.readWord(block), v.readWord(block + 2));
      } finally {
        f.close();
      }
      k.ok();
      return true;
    }
    if (k.al !== 0x00 && k.al !== 0x01) throw new DosFail(DosError.invalidFunction);
    const envSeg = v.readWord(block);
    const environment = readEnvironmentBlock(k, envSeg || v.readWord(this.current * 16 + 0x2c));
    const far = (at: number): number => v.readWord(at + 2) * 16 + v.readWord(at);
    const tailAt = far(block + 2);
    const tailLength = Math.min(126, v.readByte(tailAt));
    const tail = String.fromCharCode(...v.readGuest(tailAt + 1, tailLength));
    const fcb1 = v.readGuest(far(block + 6), 16);
    const fcb2 = v.readGuest(far(block + 10), 16);
    const returnTo = { segment: DOS_SEGMENT, offset: k.stubs.entry.int21Return };
    const programPath = k.fs.resolve(path).dosPath;
    const loaded = this.load(path, { environment: buildEnvironment(environment, programPath), tail, fcb1, fcb2, returnTo });
    if (k.al === 0x01) {
      v.writeWord(block + 0x0e, loaded.sp);
      v.writeWord(block + 0x10, loaded.ss);
      v.writeWord(block + 0x12, loaded.ip);
      v.writeWord(block + 0x14, loaded.cs);
      const parent = this.current * 16;
      v.writeWord(parent + 0x2e, k.r.esp & 0xffff);
      v.writeWord(parent + 0x30, k.r.ss);
      this.current = loaded.psp;
      k.setDta(loaded.psp, 0x80);
      k.ok();
      return true;
    }
    this.enter(loaded);
    return true;
  }

  /**
   * End the current process: `type` 0 normal, 1 Ctrl-C, 2 critical error, 3 TSR (keeping `keepParas` of its
   * PSP block). Continues at its INT 22h address on its parent's stack.
   */
  terminate(code: number, type: number, keepParas = 0): void {
    const k = this.k;
    const v = k.vdh;
    const cur = this.current;
    this.returnCode = ((type & 0xff) << 8) | (code & 0xff);
    if (cur === this.root) return this.rootReturned();
    const p = cur * 16;
    const parent = v.readWord(p + 0x16);
    // The vectors the process ran with come back from its PSP.
    for (const [n, off] of [[0x22, 0x0a], [0x23, 0x0e], [0x24, 0x12]] as const) {
      v.writeWord(n * 4, v.readWord(p + off));
      v.writeWord(n * 4 + 2, v.readWord(p + off + 2));
    }
    const returnIp = v.readWord(p + 0x0a);
    const returnCs = v.readWord(p + 0x0c);
    if (type === 3) {
      try {
        k.arena.resize(cur, Math.max(6, keepParas));
      } catch {
        // keep the block as it is when it cannot shrink (it never needs to grow for a TSR)
      }
    } else {
      k.files.closeProcessHandles(cur);
      k.arena.freeAllOwnedBy(cur);
      k.shells.delete(cur);
      this.names.delete(cur);
    }
    this.current = parent;
    k.setDta(parent, 0x80);
    const pp = parent * 16;
    const saved = this.parentRegisters.get(cur);
    this.parentRegisters.delete(cur);
    k.set({
      ...saved,
      ss: v.readWord(pp + 0x30),
      esp: v.readWord(pp + 0x2e),
      cs: returnCs,
      eip: returnIp,
      eflags: (k.r.eflags | IF) & ~CF,
    });
  }

  /** The first program ended: the session ends with its return code. */
  rootReturned(): void {
    const code = this.returnCode & 0xff;
    const type = this.returnCode >> 8;
    this.k.files.closeAll();
    this.k.vdh.post('dos-exit', { code, type });
    this.k.vdh.stopVm(`exit ${code}`);
  }
}

/** The NAME=value strings of an environment block (up to its double zero). */
function readEnvironmentBlock(k: Kernel, seg: number): string[] {
  const out: string[] = [];
  let at = seg * 16;
  const end = at + 0x8000;
  let cur = '';
  while (at < end) {
    const b = k.vdh.readByte(at++);
    if (b === 0) {
      if (cur === '') break;
      out.push(cur);
      cur = '';
    } else cur += String.fromCharCode(b);
  }
  return out;
}

/** AH=00h, 31h, 48h-4Dh, 50h, 51h, 58h, 62h. */
export function serveProcess(k: Kernel, ah: number): Served {
  const p = k.processes;
  switch (ah) {
    case 0x00:
      p.terminate(0, 0);
      return true;
    case 0x4c:
      p.terminate(k.al, 0);
      return true;
    case 0x31:
      p.terminate(k.al, 3, k.dx);
      return true;
    case 0x4b:
      return p.exec();
    case 0x4d:
      k.setAx(p.returnCode);
      p.returnCode = 0;
      k.ok();
      return true;
    case 0x48:
      try {
        k.setAx(k.arena.allocate(k.bx, p.current));
        k.ok();
      } catch (e) {
        if (e instanceof ArenaFull) k.setBx(e.largest);
        throw e;
      }
      return true;
    case 0x49:
      k.arena.free(k.r.es);
      k.ok();
      return true;
    case 0x4a:
      try {
        k.arena.resize(k.r.es, k.bx);
        k.ok();
      } catch (e) {
        if (e instanceof ArenaFull) k.setBx(e.largest);
        throw e;
      }
      return true;
    case 0x50:
      p.current = k.bx;
      return true;
    case 0x51:
    case 0x62:
      k.setBx(p.current);
      return true;
    case 0x58:
      switch (k.al) {
        case 0x00:
          k.setAx(k.arena.strategy);
          k.ok();
          return true;
        case 0x01:
          if (!([Strategy.firstFit, Strategy.bestFit, Strategy.lastFit] as number[]).includes(k.bx & 0x3f)) throw new DosFail(DosError.invalidFunction);
          k.arena.strategy = k.bx & 0xff;
          k.ok();
          return true;
        // 02h/03h (the UMB link) are highmem.ts's, which the INT 21h dispatch asks first.
        default:
          throw new DosFail(DosError.invalidFunction);
      }
    default:
      return undefined;
  }
}
