/**
 * VDPMI: the DPMI 0.9 host of a DOS session, as OS/2's VDPMI gave DOS programs protected mode.
 *
 * The host lives in the monitor, not in guest code. The client runs at CPL 3 with IOPL 3 on an LDT the host
 * keeps in guest memory; the CPU intercepts every interrupt and exception of protected mode
 * (Vdh.interceptProtectedMode) and hands it here, so no IDT, TSS or ring-0 code exists in the guest:
 * - INT 31h is served directly (descriptors, DOS memory, vectors, real-mode calls and callbacks, memory
 *   blocks, the virtual interrupt flag, the raw mode switch);
 * - any other interrupt goes to the client's handler if it set one (INT 31h 0205h), else it is reflected to
 *   real mode: the host saves the protected-mode state, runs the real-mode vector (a real `INT n` in a stub,
 *   so VDD hooks see it too) on a host stack and returns the registers and flags. INT 21h AH=4Ch ends the
 *   client. IRQs are reflected the same way while the client runs;
 * - exceptions go to the client's exception handler (0203h) on a host stack with the DPMI frame, or end the
 *   client with a message.
 * Real mode is entered and left by saving and restoring the CPU state (Vdh.getCpuState/setCpuState); a
 * real-mode stub's `SVC 55h` brings control back. Memory blocks (0501h) come from the RAM above the XMS
 * pool, at most DPMI_MEMORY_LIMIT MB. docs/dpmi.md describes the host, its layout and what is not done.
 */
import { CpuModel, InterruptSource, type CpuRegisters, type CpuState, type Vdh, type VddModule } from '../../main/vmm/vdh.js';

const SVC_ENTRY = 0x54;
const SVC_RETURN = 0x55;
/** Paragraphs of host data the client allocates for us (1687h's SI): real-mode stubs and the reflection stack. */
const HOST_PARAS = 0x60;
/** Where the XMS pool starts (VXMS: above the HMA). */
const EMB_BASE = 0x110000;

// Host data (real-mode segment) layout.
const RM_INT = 0x00; //     CD xx ; SVC 55h
const RM_INT_RET = 0x05;
const RM_CALL = 0x08; //    CALL FAR xxxx:xxxx ; SVC 55h
const RM_CALL_RET = 0x10;
const RM_ICALL = 0x10; //   PUSHF ; CALL FAR ; SVC 55h
const RM_ICALL_RET = 0x19;
const RM_RAW = 0x1b; //     SVC 55h: raw switch real -> protected
const RM_RAW_RET = 0x1e;
const RM_RETF = 0x1f; //    RETF: the real-mode save/restore state entry
const RM_CALLBACKS = 0x20; // 16 callbacks, SVC 55h each
const CALLBACKS = 16;
const RM_IRQS = 0x60; // 16 hardware-interrupt entries (SVC 55h each) for IRQs a client hooked in protected mode
const RM_MESSAGE = 0x90; // a '$'-terminated message for an ending client
const RM_STACK_TOP = HOST_PARAS * 16;

// Host block (linear memory above XMS) layout.
const HB_GDT = 0x0000;
const HB_STUBS = 0x0100; // INT 30h per vector, then the special stubs
const STUB_EXC_RET = 0x200;
const STUB_CB_RET = 0x202;
const STUB_RAW = 0x204;
const STUB_RETF = 0x206;
const HB_STACK = 0x1000; // the locked stack for exception handlers and callbacks
const HB_STACK_SIZE = 0x1000;
const HB_LDT = 0x2000;
const LDT_ENTRIES = 8192;
const HOST_BLOCK = HB_LDT + LDT_ENTRIES * 8;

/** Reserved LDT entries. */
const LDT_HOST_CODE = 1;
const LDT_HOST_STACK = 2;
const LDT_RM_STACK = 3;
const FIRST_FREE = 4;

const CF = 0x1;
const TF = 0x100;
const IF = 0x200;
const ARITH = 0x8d5;

const Err = {
  unsupported: 0x8001,
  descriptorUnavailable: 0x8011,
  linearUnavailable: 0x8012,
  physicalUnavailable: 0x8013,
  handleUnavailable: 0x8016,
  invalidValue: 0x8021,
  invalidSelector: 0x8022,
  invalidHandle: 0x8023,
} as const;

const sel = (index: number): number => (index << 3) | 7;
const idx = (selector: number): number => selector >> 3;

interface FarPtr {
  sel: number;
  off: number;
}

interface MemBlock {
  base: number;
  size: number;
}

/** Work in real mode whose end (the stub's SVC 55h) continues in `done`. */
interface RealModeFrame {
  kind: 'rm';
  done: (rm: CpuState) => void;
}

/** Protected-mode work (a callback, an exception handler) whose end continues in `done`. */
interface ProtectedFrame {
  kind: 'pm';
  done: (pm: CpuState) => void;
}

interface Client {
  bits32: boolean;
  hostData: number;
  hostBlock: number;
  psp: number;
  envSegment: number;
  /** The real-mode state at the mode switch: what real-mode excursions start from. */
  rm: CpuState;
  /** The protected-mode system state (GDT, LDT, CR0) for raw switches and callbacks. */
  pm: CpuState;
  used: Uint8Array;
  segmentSelectors: Map<number, number>;
  pmVectors: (FarPtr | null)[];
  excHandlers: (FarPtr | null)[];
  callbacks: ({ proc: FarPtr; struct: FarPtr } | null)[];
  blocks: Map<number, MemBlock>;
  nextHandle: number;
  frames: (RealModeFrame | ProtectedFrame)[];
  dosBlocks: Map<number, { segment: number; count: number }>;
  /** Real-mode vectors of the IRQs the client hooked in protected mode, while the IVT points at our entries. */
  savedIvt: Map<number, number>;
}

/** The hardware interrupt vectors (master and slave PIC at their BIOS bases), by RM_IRQS slot. */
const IRQ_VECTORS = [0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77];

export class Vdpmi {
  private client: Client | undefined;
  private poolBase = 0;
  private poolSize = 0;
  private free: MemBlock[] = [];

  constructor(private readonly vdh: Vdh) {}

  install(): void {
    const vdh = this.vdh;
    vdh.registerProperty({
      type: 'int',
      name: 'DPMI_MEMORY_LIMIT',
      help: 'Protected-mode memory a DPMI program may allocate, in MB; 0 removes the DPMI host.',
      default: 8,
      min: 0,
      max: 512,
    });
    vdh.installIntHook(0x2f, () => this.multiplex());
    vdh.installIntHook(0x21, () => this.realModeDos());
    vdh.installSvc(SVC_ENTRY, () => this.modeSwitch());
    vdh.installSvc(SVC_RETURN, () => this.realModeReturn());
    vdh.onUserHook('post', () => this.end());
  }

  private get available(): boolean {
    return (this.vdh.property('DPMI_MEMORY_LIMIT') as number) > 0 && this.vdh.model >= CpuModel.i80286;
  }

  // ---------------------------------------------------------------- real mode: detection and entry

  /** INT 2Fh AX=1687h: the host's presence, version and entry point. */
  private multiplex(): boolean {
    const r = this.vdh.getRegisters();
    if ((r.eax & 0xffff) !== 0x1687 || !this.available) return false;
    const entry = this.vdh.biosEntry('dpmi')!;
    const is386 = this.vdh.model >= CpuModel.i80386;
    this.vdh.setRegisters({
      eax: r.eax & ~0xffff,
      ebx: (r.ebx & ~0xffff) | (is386 ? 1 : 0),
      ecx: (r.ecx & ~0xff) | (is386 ? 3 : 2),
      edx: (r.edx & ~0xffff) | 0x005a,
      esi: (r.esi & ~0xffff) | HOST_PARAS,
      es: entry.segment,
      edi: (r.edi & ~0xffff) | entry.offset,
    });
    return true;
  }

  /** Real-mode INT 21h while a client exists: a program ending in real mode ends the client too. */
  private realModeDos(): boolean {
    const c = this.client;
    if (!c) return false;
    const ah = (this.vdh.getRegisters().eax >> 8) & 0xff;
    if (ah === 0x4c || ah === 0x00 || ah === 0x31) this.end();
    return false;
  }

  /** The mode switch (SVC 54h from F000:E038h, called far with AX bit 0 = 32-bit client, ES = host data). */
  private modeSwitch(): void {
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    const fail = (code: number): void => vdh.setRegisters({ eax: (r.eax & ~0xffff) | code, eflags: r.eflags | CF });
    const bits32 = (r.eax & 1) !== 0;
    if (this.client) return fail(Err.unsupported); // one client per session
    if (bits32 && vdh.model < CpuModel.i80386) return fail(Err.unsupported);
    this.setUpPool();
    const hostBlock = this.allocateLinear(HOST_BLOCK);
    if (hostBlock < 0) return fail(Err.linearUnavailable);

    const stackLin = r.ss * 16 + (r.esp & 0xffff);
    const retIp = vdh.readWord(stackLin);
    const retCs = vdh.readWord(stackLin + 2);
    const dos = vdh.openVdd('DOSKRNL');
    const psp = dos ? ((vdh.requestVdd(dos, 5) as { psp: number }).psp ?? 0) : 0;
    const envSegment = psp ? vdh.readWord(psp * 16 + 0x2c) : 0;

    const c: Client = {
      bits32,
      hostData: r.es,
      hostBlock,
      psp,
      envSegment,
      rm: vdh.getCpuState(),
      pm: vdh.getCpuState(),
      used: new Uint8Array(LDT_ENTRIES),
      segmentSelectors: new Map(),
      pmVectors: new Array(256).fill(null),
      excHandlers: new Array(32).fill(null),
      callbacks: new Array(CALLBACKS).fill(null),
      blocks: new Map(),
      nextHandle: 1,
      frames: [],
      dosBlocks: new Map(),
      savedIvt: new Map(),
    };
    // The real-mode template leaves the far call behind.
    c.rm.regs[4] = (r.esp & ~0xffff) | ((r.esp + 4) & 0xffff);
    this.client = c;

    // Memory: GDT (null, the LDT), the INT 30h stubs, the locked stack, an empty LDT.
    vdh.writeGuest(hostBlock, new Uint8Array(HOST_BLOCK));
    this.writeDescriptor(hostBlock + HB_GDT + 8, hostBlock + HB_LDT, LDT_ENTRIES * 8 - 1, 0x82, 0);
    const stubs = new Uint8Array(STUB_RETF + 2);
    for (let i = 0; i < STUB_RETF; i += 2) stubs.set([0xcd, 0x30], i);
    stubs.set([0xcb, 0x90], STUB_RETF);
    vdh.writeGuest(hostBlock + HB_STUBS, stubs);
    const hd = c.hostData * 16;
    vdh.writeGuest(hd, new Uint8Array(HOST_PARAS * 16));
    vdh.writeGuest(hd + RM_INT, Uint8Array.of(0xcd, 0x00, 0xf4, SVC_RETURN, ~SVC_RETURN & 0xff));
    vdh.writeGuest(hd + RM_CALL, Uint8Array.of(0x9a, 0, 0, 0, 0, 0xf4, SVC_RETURN, ~SVC_RETURN & 0xff));
    vdh.writeGuest(hd + RM_ICALL, Uint8Array.of(0x9c, 0x9a, 0, 0, 0, 0, 0xf4, SVC_RETURN, ~SVC_RETURN & 0xff));
    vdh.writeGuest(hd + RM_RAW, Uint8Array.of(0xf4, SVC_RETURN, ~SVC_RETURN & 0xff, 0xcb));
    for (let i = 0; i < CALLBACKS; i++) vdh.writeGuest(hd + RM_CALLBACKS + i * 3, Uint8Array.of(0xf4, SVC_RETURN, ~SVC_RETURN & 0xff));
    for (let i = 0; i < IRQ_VECTORS.length; i++) vdh.writeGuest(hd + RM_IRQS + i * 3, Uint8Array.of(0xf4, SVC_RETURN, ~SVC_RETURN & 0xff));

    for (let i = 0; i < FIRST_FREE; i++) c.used[i] = 1;
    this.setDescriptor(sel(LDT_HOST_CODE), hostBlock + HB_STUBS, STUB_RETF + 1, 0xfa, bits32 ? 0x40 : 0);
    this.setDescriptor(sel(LDT_HOST_STACK), hostBlock + HB_STACK, HB_STACK_SIZE - 1, 0xf2, bits32 ? 0x40 : 0);
    this.setDescriptor(sel(LDT_RM_STACK), 0, 0xffff, 0xf2, 0);
    const csSel = this.newDescriptor(retCs * 16, 0xffff, 0xfa, 0);
    const dsSel = this.segmentDescriptor(r.ds);
    const ssSel = r.ss === r.ds ? dsSel : this.segmentDescriptor(r.ss);
    const pspSel = psp ? this.newDescriptor(psp * 16, 0xff, 0xf2, 0) : 0;
    if (envSegment) {
      const paras = vdh.readWord((envSegment - 1) * 16 + 3);
      const envSel = this.newDescriptor(envSegment * 16, Math.max(1, Math.min(paras, 0x1000)) * 16 - 1, 0xf2, 0);
      vdh.writeWord(psp * 16 + 0x2c, envSel);
    }

    // Protected mode: the client's selectors, CPL 3, IOPL 3 (it may CLI/STI and use ports as in real mode).
    const pm = vdh.getCpuState();
    pm.cr0 |= 1;
    pm.gdtBase = hostBlock + HB_GDT;
    pm.gdtLimit = 0x0f;
    pm.idtBase = 0;
    pm.idtLimit = 0x7ff;
    pm.ldtr = { sel: 0x08, base: hostBlock + HB_LDT, limit: LDT_ENTRIES * 8 - 1, ar: 0x82 };
    pm.cpl = 3;
    pm.eflags = (r.eflags & ~0x4000) | 0x3000;
    pm.eip = retIp;
    pm.regs[4] = c.rm.regs[4];
    pm.regs[0] = r.eax;
    c.pm = pm;
    vdh.setCpuState(pm);
    vdh.interceptProtectedMode(() => this.protectedModeInterrupt());
    this.load(1, csSel);
    this.load(2, ssSel);
    this.load(3, dsSel);
    this.load(0, pspSel);
    this.load(4, 0);
    this.load(5, 0);
    const after = vdh.getCpuState();
    after.eflags &= ~CF;
    vdh.setCpuState(after);
  }

  private load(seg: number, selector: number): void {
    if (!this.vdh.loadSegment(seg, selector)) this.vdh.loadSegment(seg, 0);
  }

  /** End the client: interception off, its memory and descriptors gone (POST, program end). */
  private end(): void {
    const c = this.client;
    if (!c) return;
    this.client = undefined;
    this.vdh.interceptProtectedMode(undefined);
    for (const [v, far] of c.savedIvt) {
      this.vdh.writeWord(v * 4, far & 0xffff);
      this.vdh.writeWord(v * 4 + 2, far >>> 16);
    }
    if (c.psp && c.envSegment) this.vdh.writeWord(c.psp * 16 + 0x2c, c.envSegment);
    this.free = [];
    this.poolSize = 0;
  }

  // ---------------------------------------------------------------- the linear memory pool

  /** The pool: RAM above the XMS pool, at most DPMI_MEMORY_LIMIT MB, page aligned. */
  private setUpPool(): void {
    const vdh = this.vdh;
    let xmsEnd = EMB_BASE;
    const xms = vdh.openVdd('VXMS');
    if (xms) xmsEnd += ((vdh.requestVdd(xms, 1) as { poolKb: number }).poolKb ?? 0) * 1024;
    const base = Math.ceil(xmsEnd / 4096) * 4096;
    const limit = (vdh.property('DPMI_MEMORY_LIMIT') as number) * 1024 * 1024;
    const size = Math.max(0, Math.min(vdh.ramSize - base, limit + HOST_BLOCK));
    this.poolBase = base;
    this.poolSize = size - (size % 4096);
    this.free = this.poolSize > 0 ? [{ base, size: this.poolSize }] : [];
  }

  /** First fit, 4 KiB granular; the linear address or -1. */
  private allocateLinear(bytes: number): number {
    const size = Math.max(4096, Math.ceil(bytes / 4096) * 4096);
    const i = this.free.findIndex((f) => f.size >= size);
    if (i < 0) return -1;
    const f = this.free[i];
    const base = f.base;
    f.base += size;
    f.size -= size;
    if (f.size === 0) this.free.splice(i, 1);
    return base;
  }

  private freeLinear(base: number, size: number): void {
    size = Math.max(4096, Math.ceil(size / 4096) * 4096);
    let i = 0;
    while (i < this.free.length && this.free[i].base < base) i++;
    this.free.splice(i, 0, { base, size });
    for (let j = this.free.length - 1; j > 0; j--) {
      const a = this.free[j - 1];
      const b = this.free[j];
      if (a.base + a.size === b.base) {
        a.size += b.size;
        this.free.splice(j, 1);
      }
    }
  }

  private get freeBytes(): number {
    return this.free.reduce((n, f) => n + f.size, 0);
  }

  private get largestFree(): number {
    return this.free.reduce((n, f) => Math.max(n, f.size), 0);
  }

  // ---------------------------------------------------------------- descriptors

  private writeDescriptor(at: number, base: number, limit: number, access: number, flags: number): void {
    let l = limit >>> 0;
    let g = 0;
    if (l > 0xfffff) {
      l = l >>> 12;
      g = 0x80;
    }
    const d = new Uint8Array(8);
    d[0] = l & 0xff;
    d[1] = (l >> 8) & 0xff;
    d[2] = base & 0xff;
    d[3] = (base >>> 8) & 0xff;
    d[4] = (base >>> 16) & 0xff;
    d[5] = access;
    d[6] = ((l >> 16) & 0x0f) | (flags & 0x70) | g;
    d[7] = (base >>> 24) & 0xff;
    this.vdh.writeGuest(at, d);
  }

  private descriptorAt(selector: number): number {
    return this.client!.hostBlock + HB_LDT + idx(selector) * 8;
  }

  private setDescriptor(selector: number, base: number, limit: number, access: number, flags: number): void {
    this.writeDescriptor(this.descriptorAt(selector), base, limit, access, flags);
  }

  private readDescriptor(selector: number): Uint8Array {
    return this.vdh.readGuest(this.descriptorAt(selector), 8);
  }

  private descriptorBase(selector: number): number {
    const d = this.readDescriptor(selector);
    return (d[2] | (d[3] << 8) | (d[4] << 16) | (d[7] << 24)) >>> 0;
  }

  private descriptorLimit(selector: number): number {
    const d = this.readDescriptor(selector);
    const l = d[0] | (d[1] << 8) | ((d[6] & 0x0f) << 16);
    return d[6] & 0x80 ? ((l << 12) | 0xfff) >>> 0 : l;
  }

  /** A selector the client owns (allocated, in the LDT, RPL 3). */
  private owned(selector: number): boolean {
    const c = this.client!;
    const i = idx(selector);
    return (selector & 4) !== 0 && i >= FIRST_FREE && i < LDT_ENTRIES && c.used[i] === 1;
  }

  /** Allocate `count` contiguous descriptors; the first selector, or -1. */
  private allocateDescriptors(count: number): number {
    const c = this.client!;
    if (count < 1) return -1;
    for (let i = FIRST_FREE; i + count <= LDT_ENTRIES; i++) {
      let n = 0;
      while (n < count && c.used[i + n] === 0) n++;
      if (n === count) {
        for (let k = 0; k < count; k++) {
          c.used[i + k] = 1;
          this.setDescriptor(sel(i + k), 0, 0, 0xf2, 0);
        }
        return sel(i);
      }
      i += n;
    }
    return -1;
  }

  private newDescriptor(base: number, limit: number, access: number, flags: number): number {
    const s = this.allocateDescriptors(1);
    if (s < 0) return 0;
    this.setDescriptor(s, base, limit, access, flags);
    return s;
  }

  /** 0002h: one selector per real-mode segment, 64 KiB data. */
  private segmentDescriptor(segment: number): number {
    const c = this.client!;
    const known = c.segmentSelectors.get(segment);
    if (known !== undefined) return known;
    const s = this.newDescriptor(segment * 16, 0xffff, 0xf2, 0);
    if (s) c.segmentSelectors.set(segment, s);
    return s;
  }

  /** After a descriptor changed: segment registers holding it load it again (or become null). */
  private reloadSegments(selector: number): void {
    const st = this.vdh.getCpuState();
    for (let s = 0; s < 6; s++) {
      if ((st.segs[s].sel & ~3) === (selector & ~3)) {
        if (!this.vdh.loadSegment(s, st.segs[s].sel) && s !== 1 && s !== 2) this.vdh.loadSegment(s, 0);
      }
    }
  }

  // ---------------------------------------------------------------- protected mode: what the CPU intercepted

  private protectedModeInterrupt(): void {
    const c = this.client;
    const vdh = this.vdh;
    if (!c) {
      vdh.stopVm('protected-mode interrupt without a DPMI client');
      return;
    }
    const { vector, source, errorCode } = vdh.protectedModeInterrupt();
    const st = vdh.getCpuState();
    if (source === InterruptSource.Software && vector === 0x30 && st.segs[1].sel === sel(LDT_HOST_CODE)) {
      this.hostStub(st, (st.eip - 2) & 0xffff);
      return;
    }
    if (source === InterruptSource.Exception) {
      this.exception(st, vector, errorCode);
      return;
    }
    if (vector === 0x31 && source !== InterruptSource.External) {
      this.int31(st);
      return;
    }
    if (vector === 0x2f && source === InterruptSource.Software && (st.regs[0] & 0xffff) === 0x1686) {
      vdh.setRegisters({ eax: st.regs[0] & ~0xffff }); // in protected mode
      return;
    }
    const handler = c.pmVectors[vector];
    if (handler) this.simulateInterrupt(st, handler);
    else this.defaultInterrupt(st, vector, false);
  }

  /** The host's own handler of vector `vector`: INT 21h AH=4Ch ends the client, the rest go to real mode. */
  private defaultInterrupt(st: CpuState, vector: number, iretAfter: boolean): void {
    if (vector === 0x21 && ((st.regs[0] >> 8) & 0xff) === 0x4c) {
      this.terminate(st.regs[0] & 0xff);
      return;
    }
    this.reflect(st, vector, iretAfter);
  }

  /** Run real-mode INT `vector` with the client's registers and give it the results. */
  private reflect(st: CpuState, vector: number, iretAfter: boolean): void {
    const rm = this.realState(st.regs, st.eflags);
    this.runRealInt(rm, vector, (out) => {
      const pm = { ...st, regs: [...st.regs] };
      for (let i = 0; i < 8; i++) if (i !== 4) pm.regs[i] = out.regs[i];
      pm.eflags = (pm.eflags & ~ARITH) | (out.eflags & ARITH);
      this.vdh.setCpuState(pm);
      if (iretAfter) this.iret(out.eflags);
    });
  }

  /** Enter the client's handler as an interrupt would: FLAGS, CS, (E)IP on its stack, IF and TF cleared. */
  private simulateInterrupt(st: CpuState, target: FarPtr): void {
    const c = this.client!;
    const pm = { ...st, regs: [...st.regs] };
    const w = c.bits32 ? 4 : 2;
    this.vdh.setCpuState(pm);
    this.push(w, st.eflags);
    this.push(w, st.segs[1].sel);
    this.push(w, st.eip);
    const now = this.vdh.getCpuState();
    now.eflags &= ~(IF | TF);
    now.eip = target.off;
    this.vdh.setCpuState(now);
    if (!this.vdh.loadSegment(1, target.sel)) this.terminateWithMessage(`DPMI: interrupt handler ${hex(target.sel)}:${hex(target.off)} is not code`);
  }

  /** Push a word or dword on the client's current stack (SS:SP or SS:ESP by SS's B bit). */
  private push(w: number, value: number): void {
    const st = this.vdh.getCpuState();
    const ss = st.segs[2];
    const big = (ss.ar & 0x4000) !== 0;
    const esp = big ? (st.regs[4] - w) >>> 0 : (st.regs[4] & ~0xffff) | ((st.regs[4] - w) & 0xffff);
    const off = big ? esp : esp & 0xffff;
    const bytes = new Uint8Array(w);
    for (let i = 0; i < w; i++) bytes[i] = (value >>> (i * 8)) & 0xff;
    this.vdh.writeGuest(ss.base + off, bytes);
    st.regs[4] = esp >>> 0;
    this.vdh.setCpuState(st);
  }

  private pop(w: number): number {
    const st = this.vdh.getCpuState();
    const ss = st.segs[2];
    const big = (ss.ar & 0x4000) !== 0;
    const off = big ? st.regs[4] : st.regs[4] & 0xffff;
    const b = this.vdh.readGuest(ss.base + off, w);
    let v = 0;
    for (let i = 0; i < w; i++) v |= b[i] << (i * 8);
    st.regs[4] = big ? (st.regs[4] + w) >>> 0 : (st.regs[4] & ~0xffff) | ((st.regs[4] + w) & 0xffff);
    this.vdh.setCpuState(st);
    return v >>> 0;
  }

  /** IRET on the client's stack (after a chained default handler), keeping `resultFlags`' arithmetic flags. */
  private iret(resultFlags: number): void {
    const w = this.client!.bits32 ? 4 : 2;
    const ip = this.pop(w);
    const cs = this.pop(w) & 0xffff;
    const fl = this.pop(w);
    const st = this.vdh.getCpuState();
    st.eip = ip;
    st.eflags = (st.eflags & ~(w === 4 ? 0x3fd5 : 0x0fd5) & ~ARITH) | (fl & 0x0fd5 & ~ARITH) | (resultFlags & ARITH) | 0x3000;
    this.vdh.setCpuState(st);
    this.load(1, cs);
  }

  /** INT 30h in the host's code segment: a default handler called by chaining, or a return to the host. */
  private hostStub(st: CpuState, at: number): void {
    const c = this.client!;
    if (at < STUB_EXC_RET) {
      // A client handler chained to the previous (default) handler of this vector, with an IRET frame.
      const vector = at >> 1;
      const back = { ...st, eip: st.eip };
      this.defaultInterrupt(back, vector, true);
      return;
    }
    if (at === STUB_EXC_RET || at === STUB_CB_RET) {
      const frame = c.frames.pop();
      if (!frame || frame.kind !== 'pm') {
        this.terminateWithMessage('DPMI: a handler returned to the host out of turn');
        return;
      }
      frame.done(st);
      return;
    }
    if (at === STUB_RAW) {
      this.rawToReal(st);
      return;
    }
    this.terminateWithMessage(`DPMI: unknown host entry ${hex(at)}`);
  }

  // ---------------------------------------------------------------- exceptions

  private exception(st: CpuState, vector: number, code: number): void {
    const c = this.client!;
    const handler = vector < 32 ? c.excHandlers[vector] : null;
    if (!handler) {
      // Without an exception handler, 0-7 are the interrupts of the same number; the rest end the client.
      if (vector < 8 && c.pmVectors[vector]) {
        this.simulateInterrupt(st, c.pmVectors[vector]!);
        return;
      }
      this.terminateWithMessage(
        `DPMI: exception ${hex(vector)}h${code >= 0 ? ` (error code ${hex(code)})` : ''} at ${hex(st.segs[1].sel)}:${hex(st.eip)}`,
      );
      return;
    }
    const w = c.bits32 ? 4 : 2;
    // The handler runs on the host's locked stack with the DPMI frame: return address, error code, EIP, CS,
    // EFLAGS, ESP, SS.
    const onHostStack = st.segs[2].sel === sel(LDT_HOST_STACK);
    const top = onHostStack ? st.regs[4] & ~3 : HB_STACK_SIZE;
    const frame = [STUB_EXC_RET, sel(LDT_HOST_CODE), Math.max(code, 0), st.eip, st.segs[1].sel, st.eflags, st.regs[4], st.segs[2].sel];
    const sp = top - frame.length * w;
    // Exceptions inside exception handlers nest on the host stack; past its bottom (or too deep) the
    // client cannot be helped: end it rather than run the frames into the host's own memory.
    if (sp < 0x100 || c.frames.length > 64) {
      this.terminateWithMessage(`DPMI: exception ${hex(vector)}h at ${hex(st.segs[1].sel)}:${hex(st.eip)} overflowed the exception stack`);
      return;
    }
    const bytes = new Uint8Array(frame.length * w);
    frame.forEach((v, i) => {
      for (let k = 0; k < w; k++) bytes[i * w + k] = (v >>> (k * 8)) & 0xff;
    });
    this.vdh.writeGuest(c.hostBlock + HB_STACK + sp, bytes);
    c.frames.push({
      kind: 'pm',
      done: () => {
        // RETF popped the return address: the frame from the error code on, as the handler left it.
        const now = this.vdh.getCpuState();
        const at = c.hostBlock + HB_STACK + (now.regs[4] & 0xffff);
        const b = this.vdh.readGuest(at, 6 * w);
        const get = (i: number): number => {
          let v = 0;
          for (let k = 0; k < w; k++) v |= b[i * w + k] << (k * 8);
          return v >>> 0;
        };
        const back = { ...st, regs: [...now.regs] };
        back.eip = get(1);
        back.eflags = (get(3) & 0x0fd5 & 0xffff) | (st.eflags & ~0x0fd5) | 0x3000;
        back.regs[4] = w === 2 ? (st.regs[4] & ~0xffff) | get(4) : get(4);
        this.vdh.setCpuState(back);
        this.load(1, get(2) & 0xffff);
        this.load(2, get(5) & 0xffff);
      },
    });
    const run = { ...st, regs: [...st.regs] };
    run.regs[4] = sp;
    run.eip = handler.off;
    run.eflags &= ~(IF | TF);
    this.vdh.setCpuState(run);
    this.load(2, sel(LDT_HOST_STACK));
    if (!this.vdh.loadSegment(1, handler.sel)) this.terminateWithMessage('DPMI: the exception handler is not code');
  }

  // ---------------------------------------------------------------- real-mode excursions

  /** A real-mode state for an excursion: the entry template with these registers, on the host stack. */
  private realState(regs: number[], eflags: number): CpuState {
    const c = this.client!;
    const rm: CpuState = JSON.parse(JSON.stringify(c.rm));
    for (let i = 0; i < 8; i++) rm.regs[i] = regs[i];
    rm.eflags = (eflags & (ARITH | 0x400 | IF)) | 2;
    const seg = (s: number): { sel: number; base: number; limit: number; ar: number } => ({ sel: s, base: s * 16, limit: 0xffff, ar: 0x93 });
    rm.segs = [seg(c.hostData), seg(c.hostData), seg(c.hostData), seg(c.hostData), seg(0), seg(0)];
    rm.regs[4] = this.realStackTop();
    return rm;
  }

  /** The reflection stack: the host data area's, below any real-mode stack a callback left in use. */
  private realStackTop(): number {
    return RM_STACK_TOP - 0x20 * this.client!.frames.filter((f) => f.kind === 'rm').length;
  }

  private runRealInt(rm: CpuState, vector: number, done: (out: CpuState) => void): void {
    const c = this.client!;
    rm.segs[1] = { sel: c.hostData, base: c.hostData * 16, limit: 0xffff, ar: 0x93 };
    const saved = c.savedIvt.get(vector);
    if (saved !== undefined) {
      // The IVT points back at the host for this hooked IRQ: call the real-mode handler behind it directly.
      this.vdh.writeWord(c.hostData * 16 + RM_ICALL + 2, saved & 0xffff);
      this.vdh.writeWord(c.hostData * 16 + RM_ICALL + 4, saved >>> 16);
      rm.eip = RM_ICALL;
    } else {
      this.vdh.writeByte(c.hostData * 16 + RM_INT + 1, vector);
      rm.eip = RM_INT;
    }
    c.frames.push({ kind: 'rm', done });
    this.vdh.setCpuState(rm);
  }

  /** SVC 55h from the host data area: a real-mode excursion ended, a callback was called, or a raw switch. */
  private realModeReturn(): void {
    const c = this.client;
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    if (!c || r.cs !== c.hostData) {
      vdh.stopVm(`DPMI: SVC 55h at ${hex(r.cs)}:${hex(r.eip)} with no excursion to return from`);
      return;
    }
    const ip = r.eip & 0xffff;
    if (ip === RM_INT_RET || ip === RM_CALL_RET || ip === RM_ICALL_RET) {
      const frame = c.frames.pop();
      if (!frame || frame.kind !== 'rm') {
        vdh.stopVm('DPMI: a real-mode excursion returned out of turn');
        return;
      }
      frame.done(vdh.getCpuState());
      return;
    }
    if (ip === RM_RAW_RET) {
      this.rawToProtected(vdh.getCpuState());
      return;
    }
    const i = (ip - RM_CALLBACKS - 3) / 3;
    if (Number.isInteger(i) && i >= 0 && i < CALLBACKS && c.callbacks[i]) {
      this.callback(i, vdh.getCpuState());
      return;
    }
    const q = (ip - RM_IRQS - 3) / 3;
    if (Number.isInteger(q) && q >= 0 && q < IRQ_VECTORS.length) {
      this.realModeIrq(IRQ_VECTORS[q], vdh.getCpuState());
      return;
    }
    vdh.stopVm(`DPMI: SVC 55h at ${hex(r.cs)}:${hex(ip)} is no host entry`);
  }

  /** A real-mode callback: switch to the client's procedure with DS:(E)SI at the real-mode stack and ES:(E)DI at its structure. */
  private callback(i: number, rm: CpuState): void {
    const c = this.client!;
    const cb = c.callbacks[i]!;
    const structLin = this.descriptorBase(cb.struct.sel) + cb.struct.off;
    this.writeStruct(structLin, rm);
    this.setDescriptor(sel(LDT_RM_STACK), rm.segs[2].sel * 16, 0xffff, 0xf2, 0);
    const w = c.bits32 ? 4 : 2;
    const pm: CpuState = JSON.parse(JSON.stringify(c.pm));
    pm.regs = [...rm.regs];
    pm.regs[6] = rm.regs[4] & 0xffff; // (E)SI: the real-mode SP
    pm.regs[7] = cb.struct.off;
    pm.regs[4] = HB_STACK_SIZE - 0x400 - 3 * w * c.frames.length;
    pm.eflags = (rm.eflags & ARITH) | 0x3002;
    pm.eip = cb.proc.off;
    c.frames.push({
      kind: 'pm',
      done: (end) => {
        // The procedure's IRET came back: real mode continues as the structure (at ES:(E)DI) says.
        const at = end.segs[0].base + (c.bits32 ? end.regs[7] : end.regs[7] & 0xffff);
        const out = this.readStruct(at);
        const back = this.realState(out.regs, out.flags);
        back.segs = [seg16(out.es), seg16(out.cs), seg16(out.ss), seg16(out.ds), seg16(out.fs), seg16(out.gs)];
        back.regs[4] = out.sp;
        back.eip = out.ip;
        this.vdh.setCpuState(back);
      },
    });
    this.vdh.setCpuState(pm);
    this.load(2, sel(LDT_HOST_STACK));
    this.push(w, pm.eflags);
    this.push(w, sel(LDT_HOST_CODE));
    this.push(w, STUB_CB_RET);
    this.load(3, sel(LDT_RM_STACK));
    this.load(0, cb.struct.sel);
    this.load(4, 0);
    this.load(5, 0);
    if (!this.vdh.loadSegment(1, cb.proc.sel)) this.terminateWithMessage('DPMI: the callback procedure is not code');
  }

  /**
   * An IRQ the client hooked in protected mode arrived while real mode ran (a reflected call): switch to
   * the client's handler on the host stack, and when its IRET comes back to the host, return from the
   * real-mode interrupt (its IRET frame is on the real-mode stack).
   */
  private realModeIrq(vector: number, rm: CpuState): void {
    const c = this.client!;
    const handler = c.pmVectors[vector];
    const vdh = this.vdh;
    const iretReal = (state: CpuState): void => {
      const sp = state.regs[4] & 0xffff;
      const at = state.segs[2].base + sp;
      const ip = vdh.readWord(at);
      const cs = vdh.readWord(at + 2);
      const fl = vdh.readWord(at + 4);
      state.regs[4] = (state.regs[4] & ~0xffff) | ((sp + 6) & 0xffff);
      state.eip = ip;
      state.segs[1] = seg16(cs);
      state.eflags = (state.eflags & ~0x0fd5) | (fl & 0x0fd5);
      vdh.setCpuState(state);
    };
    if (!handler) {
      // Unhooked since: the real-mode handler it replaced, as if the vector still pointed there.
      const far = c.savedIvt.get(vector) ?? 0;
      const back = { ...rm, regs: [...rm.regs] };
      back.eip = far & 0xffff;
      back.segs = [...rm.segs];
      back.segs[1] = seg16(far >>> 16);
      vdh.setCpuState(back);
      return;
    }
    // The client's context: the protected-mode state the current excursion suspended, else the entry's.
    const pm: CpuState = JSON.parse(JSON.stringify(c.pm));
    pm.regs = [...rm.regs];
    pm.regs[4] = HB_STACK_SIZE - 0x800 - 0x40 * c.frames.length;
    pm.eflags = (rm.eflags & ARITH) | 0x3002;
    c.frames.push({ kind: 'pm', done: () => iretReal({ ...rm, regs: [...rm.regs], segs: [...rm.segs] }) });
    vdh.setCpuState(pm);
    this.load(2, sel(LDT_HOST_STACK));
    this.load(3, c.pm.segs[3].sel);
    this.load(0, c.pm.segs[0].sel);
    this.load(4, 0);
    this.load(5, 0);
    const w = c.bits32 ? 4 : 2;
    this.push(w, pm.eflags);
    this.push(w, sel(LDT_HOST_CODE));
    this.push(w, STUB_CB_RET);
    const st = vdh.getCpuState();
    st.eip = handler.off;
    st.eflags &= ~(IF | TF);
    vdh.setCpuState(st);
    if (!vdh.loadSegment(1, handler.sel)) this.terminateWithMessage(`DPMI: interrupt handler ${hex(handler.sel)}:${hex(handler.off)} is not code`);
  }

  /** Point a hooked IRQ's real-mode vector at the host's entry (or give it back when unhooked). */
  private routeIrq(vector: number, hooked: boolean): void {
    const c = this.client!;
    const slot = IRQ_VECTORS.indexOf(vector);
    if (slot < 0) return;
    const vdh = this.vdh;
    if (hooked && !c.savedIvt.has(vector)) {
      c.savedIvt.set(vector, ((vdh.readWord(vector * 4 + 2) << 16) | vdh.readWord(vector * 4)) >>> 0);
      vdh.writeWord(vector * 4, RM_IRQS + slot * 3);
      vdh.writeWord(vector * 4 + 2, c.hostData);
    } else if (!hooked && c.savedIvt.has(vector)) {
      const far = c.savedIvt.get(vector)!;
      c.savedIvt.delete(vector);
      vdh.writeWord(vector * 4, far & 0xffff);
      vdh.writeWord(vector * 4 + 2, far >>> 16);
    }
  }

  /** The real-mode call structure (50 bytes) at `at`: EDI ESI EBP - EBX EDX ECX EAX FLAGS ES DS FS GS IP CS SP SS. */
  private readStruct(at: number): { regs: number[]; flags: number; es: number; ds: number; fs: number; gs: number; ip: number; cs: number; sp: number; ss: number } {
    const b = this.vdh.readGuest(at, 0x32);
    const d = (o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    const w = (o: number): number => b[o] | (b[o + 1] << 8);
    // regs in CPU order: EAX ECX EDX EBX ESP EBP ESI EDI
    return {
      regs: [d(0x1c), d(0x18), d(0x14), d(0x10), 0, d(0x08), d(0x04), d(0x00)],
      flags: w(0x20),
      es: w(0x22),
      ds: w(0x24),
      fs: w(0x26),
      gs: w(0x28),
      ip: w(0x2a),
      cs: w(0x2c),
      sp: w(0x2e),
      ss: w(0x30),
    };
  }

  private writeStruct(at: number, rm: CpuState): void {
    const b = new Uint8Array(0x32);
    const d = (o: number, v: number): void => {
      for (let k = 0; k < 4; k++) b[o + k] = (v >>> (k * 8)) & 0xff;
    };
    const w = (o: number, v: number): void => {
      b[o] = v & 0xff;
      b[o + 1] = (v >> 8) & 0xff;
    };
    d(0x00, rm.regs[7]);
    d(0x04, rm.regs[6]);
    d(0x08, rm.regs[5]);
    d(0x10, rm.regs[3]);
    d(0x14, rm.regs[2]);
    d(0x18, rm.regs[1]);
    d(0x1c, rm.regs[0]);
    w(0x20, rm.eflags);
    w(0x22, rm.segs[0].sel);
    w(0x24, rm.segs[3].sel);
    w(0x26, rm.segs[4].sel);
    w(0x28, rm.segs[5].sel);
    w(0x2a, rm.eip);
    w(0x2c, rm.segs[1].sel);
    w(0x2e, rm.regs[4]);
    w(0x30, rm.segs[2].sel);
    this.vdh.writeGuest(at, b);
  }

  /** 0300h-0302h: run real-mode code from a call structure, copying CX words of the client's stack. */
  private realModeCall(st: CpuState, kind: 0 | 1 | 2): void {
    const c = this.client!;
    const structOff = c.bits32 ? st.regs[7] : st.regs[7] & 0xffff;
    const structLin = st.segs[0].base + structOff;
    const s = this.readStruct(structLin);
    const words = st.regs[1] & 0xffff;
    const rm = this.realState(s.regs, s.flags);
    rm.eflags = (s.flags & 0x0fd5) | 2;
    rm.segs[0] = seg16(s.es);
    rm.segs[3] = seg16(s.ds);
    rm.segs[4] = seg16(s.fs);
    rm.segs[5] = seg16(s.gs);
    if (s.ss !== 0 || s.sp !== 0) {
      rm.segs[2] = seg16(s.ss);
      rm.regs[4] = s.sp;
    }
    // Copy the parameters from the client's stack to the real-mode stack.
    if (words > 0) {
      const ssBig = (st.segs[2].ar & 0x4000) !== 0;
      const src = st.segs[2].base + (ssBig ? st.regs[4] : st.regs[4] & 0xffff);
      const bytes = this.vdh.readGuest(src, words * 2);
      rm.regs[4] = (rm.regs[4] - words * 2) & 0xffff;
      this.vdh.writeGuest(rm.segs[2].base + rm.regs[4], bytes);
    }
    const hd = c.hostData * 16;
    const finish = (out: CpuState): void => {
      this.writeStruct(structLin, out);
      const pm = { ...st, regs: [...st.regs] };
      pm.eflags &= ~CF;
      this.vdh.setCpuState(pm);
    };
    if (kind === 0) {
      this.runRealInt(rm, st.regs[3] & 0xff, finish);
      return;
    }
    const at = kind === 1 ? RM_CALL + 1 : RM_ICALL + 2;
    this.vdh.writeWord(hd + at, s.ip);
    this.vdh.writeWord(hd + at + 2, s.cs);
    rm.segs[1] = seg16(c.hostData);
    rm.eip = kind === 1 ? RM_CALL : RM_ICALL;
    if (kind === 2) rm.eflags = (s.flags & 0x0cd5) | 2; // the IRET frame's flags, IF and TF clear in the procedure
    c.frames.push({ kind: 'rm', done: finish });
    this.vdh.setCpuState(rm);
  }

  // ---------------------------------------------------------------- raw mode switches (0306h)

  /** PM -> RM: AX=DS, CX=ES, DX=SS, (E)BX=SP, SI=CS, (E)DI=IP. */
  private rawToReal(st: CpuState): void {
    const rm = this.realState(st.regs, st.eflags);
    const r = st.regs;
    rm.segs = [seg16(r[1] & 0xffff), seg16(r[6] & 0xffff), seg16(r[2] & 0xffff), seg16(r[0] & 0xffff), seg16(0), seg16(0)];
    rm.regs[4] = r[3] & 0xffff;
    rm.eip = r[7] & 0xffff;
    this.vdh.setCpuState(rm);
  }

  /** RM -> PM: AX=DS, CX=ES, DX=SS, (E)BX=ESP, SI=CS, (E)DI=EIP (selectors). */
  private rawToProtected(rm: CpuState): void {
    const c = this.client!;
    const pm: CpuState = JSON.parse(JSON.stringify(c.pm));
    const r = rm.regs;
    pm.regs = [...r];
    pm.regs[4] = c.bits32 ? r[3] : r[3] & 0xffff;
    pm.eip = c.bits32 ? r[7] : r[7] & 0xffff;
    pm.eflags = (rm.eflags & (ARITH | 0x400 | IF)) | 0x3002;
    this.vdh.setCpuState(pm);
    this.load(1, r[6] & 0xffff);
    this.load(2, r[2] & 0xffff);
    this.load(3, r[0] & 0xffff);
    this.load(0, r[1] & 0xffff);
    this.load(4, 0);
    this.load(5, 0);
  }

  // ---------------------------------------------------------------- ending the client

  private terminate(code: number): void {
    const c = this.client!;
    const rm = this.realState(c.rm.regs, c.rm.eflags);
    rm.regs[0] = 0x4c00 | (code & 0xff);
    this.end();
    this.vdh.writeByte(c.hostData * 16 + RM_INT + 1, 0x21);
    rm.segs[1] = seg16(c.hostData);
    rm.eip = RM_INT;
    rm.regs[4] = RM_STACK_TOP;
    this.vdh.setCpuState(rm);
  }

  /** End the client after printing `message` (an exception nobody handles, a broken handler). */
  private terminateWithMessage(message: string): void {
    const c = this.client!;
    this.vdh.log(message);
    // The buffer ends where the reflection stack's area begins (100h): keep the '$' inside it.
    const text = new TextEncoder().encode(`\r\n${message.slice(0, 0x100 - RM_MESSAGE - 6)}\r\n$`);
    this.vdh.writeGuest(c.hostData * 16 + RM_MESSAGE, text);
    const rm = this.realState(c.rm.regs, c.rm.eflags);
    rm.regs[0] = 0x0900;
    rm.regs[2] = RM_MESSAGE;
    rm.segs[3] = seg16(c.hostData);
    c.frames = [];
    this.runRealInt(rm, 0x21, () => this.terminate(0xff));
  }

  // ---------------------------------------------------------------- INT 31h

  private int31(st: CpuState): void {
    const c = this.client!;
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    const ax = r.eax & 0xffff;
    const set = (regs: Partial<CpuRegisters>): void => vdh.setRegisters({ ...regs, eflags: (regs.eflags ?? r.eflags) & ~CF });
    const fail = (code: number = Err.unsupported): void => vdh.setRegisters({ eax: (r.eax & ~0xffff) | code, eflags: r.eflags | CF });
    const lo16 = (v: number, x: number): number => (v & ~0xffff) | (x & 0xffff);
    const bx = r.ebx & 0xffff;
    const cx = r.ecx & 0xffff;
    const dx = r.edx & 0xffff;
    const pointer = (reg: number): number => (c.bits32 ? reg >>> 0 : reg & 0xffff);
    const esLin = (reg: number): number => st.segs[0].base + pointer(reg);
    switch (ax) {
      // --- descriptors
      case 0x0000: {
        const s = this.allocateDescriptors(cx);
        if (s < 0) return fail(Err.descriptorUnavailable);
        return set({ eax: lo16(r.eax, s) });
      }
      case 0x0001: {
        if (!this.owned(bx)) return fail(Err.invalidSelector);
        c.used[idx(bx)] = 0;
        for (const [seg, s] of c.segmentSelectors) if (s === bx) c.segmentSelectors.delete(seg);
        this.setDescriptor(bx, 0, 0, 0, 0);
        this.reloadSegments(bx);
        return set({});
      }
      case 0x0002: {
        const s = this.segmentDescriptor(bx);
        if (!s) return fail(Err.descriptorUnavailable);
        return set({ eax: lo16(r.eax, s) });
      }
      case 0x0003:
        return set({ eax: lo16(r.eax, 8) });
      case 0x0006: {
        if (!this.owned(bx) && idx(bx) >= FIRST_FREE) return fail(Err.invalidSelector);
        const base = this.descriptorBase(bx);
        return set({ ecx: lo16(r.ecx, base >>> 16), edx: lo16(r.edx, base) });
      }
      case 0x0007: {
        if (!this.owned(bx)) return fail(Err.invalidSelector);
        const d = this.readDescriptor(bx);
        const base = ((cx << 16) | dx) >>> 0;
        d[2] = base & 0xff;
        d[3] = (base >>> 8) & 0xff;
        d[4] = (base >>> 16) & 0xff;
        d[7] = (base >>> 24) & 0xff;
        vdh.writeGuest(this.descriptorAt(bx), d);
        this.reloadSegments(bx);
        return set({});
      }
      case 0x0008: {
        if (!this.owned(bx)) return fail(Err.invalidSelector);
        let limit = ((cx << 16) | dx) >>> 0;
        if (limit > 0xfffff && (limit & 0xfff) !== 0xfff) return fail(Err.invalidValue);
        const d = this.readDescriptor(bx);
        let g = 0;
        if (limit > 0xfffff) {
          limit >>>= 12;
          g = 0x80;
        }
        d[0] = limit & 0xff;
        d[1] = (limit >> 8) & 0xff;
        d[6] = (d[6] & 0x70) | ((limit >> 16) & 0x0f) | g;
        vdh.writeGuest(this.descriptorAt(bx), d);
        this.reloadSegments(bx);
        return set({});
      }
      case 0x0009: {
        if (!this.owned(bx)) return fail(Err.invalidSelector);
        const access = cx & 0xff;
        const ext = (cx >> 8) & 0xff;
        // Code or data, DPL 3 (the client's level).
        if ((access & 0x10) === 0 || ((access >> 5) & 3) !== 3) return fail(Err.invalidValue);
        const d = this.readDescriptor(bx);
        d[5] = access;
        d[6] = (d[6] & 0x0f) | (ext & 0xd0);
        vdh.writeGuest(this.descriptorAt(bx), d);
        this.reloadSegments(bx);
        return set({});
      }
      case 0x000a: {
        if (!this.owned(bx) && idx(bx) >= FIRST_FREE) return fail(Err.invalidSelector);
        const s = this.allocateDescriptors(1);
        if (s < 0) return fail(Err.descriptorUnavailable);
        const d = this.readDescriptor(bx);
        d[5] = (d[5] & 0xf0) | 0x02; // data, read/write
        d[5] |= 0x10;
        vdh.writeGuest(this.descriptorAt(s), d);
        return set({ eax: lo16(r.eax, s) });
      }
      case 0x000b: {
        if (!this.owned(bx) && idx(bx) >= FIRST_FREE) return fail(Err.invalidSelector);
        vdh.writeGuest(esLin(r.edi), this.readDescriptor(bx));
        return set({});
      }
      case 0x000c: {
        if (!this.owned(bx)) return fail(Err.invalidSelector);
        const d = vdh.readGuest(esLin(r.edi), 8);
        if ((d[5] & 0x10) === 0 || ((d[5] >> 5) & 3) !== 3) return fail(Err.invalidValue);
        vdh.writeGuest(this.descriptorAt(bx), d);
        this.reloadSegments(bx);
        return set({});
      }
      case 0x000d: {
        // Allocate a specific descriptor (04h-7Ch in the 1.0 spec's reserved range).
        const i = idx(bx);
        if ((bx & 4) === 0 || i < FIRST_FREE || i >= 16 || c.used[i]) return fail(Err.descriptorUnavailable);
        c.used[i] = 1;
        this.setDescriptor(sel(i), 0, 0, 0xf2, 0);
        return set({});
      }
      // --- DOS memory
      case 0x0100:
        return this.dosAllocate(st, bx);
      case 0x0101:
        return this.dosFree(st, dx);
      case 0x0102:
        return this.dosResize(st, dx, bx);
      // --- interrupt vectors
      case 0x0200: {
        const v = r.ebx & 0xff;
        const saved = c.savedIvt.get(v);
        if (saved !== undefined) return set({ ecx: lo16(r.ecx, saved >>> 16), edx: lo16(r.edx, saved) });
        return set({ ecx: lo16(r.ecx, vdh.readWord(v * 4 + 2)), edx: lo16(r.edx, vdh.readWord(v * 4)) });
      }
      case 0x0201: {
        const v = r.ebx & 0xff;
        // A hooked IRQ keeps the host's entry in the IVT; its real-mode handler is the one behind it.
        if (c.savedIvt.has(v)) c.savedIvt.set(v, ((cx << 16) | dx) >>> 0);
        else {
          vdh.writeWord(v * 4, dx);
          vdh.writeWord(v * 4 + 2, cx);
        }
        return set({});
      }
      case 0x0202: {
        const v = r.ebx & 0xff;
        if (v >= 32) return fail(Err.invalidValue);
        const h = c.excHandlers[v] ?? { sel: sel(LDT_HOST_CODE), off: STUB_RETF };
        return set({ ecx: lo16(r.ecx, h.sel), edx: c.bits32 ? h.off : lo16(r.edx, h.off) });
      }
      case 0x0203: {
        const v = r.ebx & 0xff;
        if (v >= 32) return fail(Err.invalidValue);
        const off = pointer(r.edx);
        c.excHandlers[v] = cx === sel(LDT_HOST_CODE) ? null : { sel: cx, off };
        return set({});
      }
      case 0x0204: {
        const v = r.ebx & 0xff;
        const h = c.pmVectors[v] ?? { sel: sel(LDT_HOST_CODE), off: v * 2 };
        return set({ ecx: lo16(r.ecx, h.sel), edx: c.bits32 ? h.off : lo16(r.edx, h.off) });
      }
      case 0x0205: {
        const v = r.ebx & 0xff;
        const off = pointer(r.edx);
        c.pmVectors[v] = cx === sel(LDT_HOST_CODE) && off === v * 2 ? null : { sel: cx, off };
        this.routeIrq(v, c.pmVectors[v] !== null);
        return set({});
      }
      // --- translation services
      case 0x0300:
        return this.realModeCall(st, 0);
      case 0x0301:
        return this.realModeCall(st, 1);
      case 0x0302:
        return this.realModeCall(st, 2);
      case 0x0303: {
        const i = c.callbacks.indexOf(null);
        if (i < 0) return fail(Err.handleUnavailable);
        c.callbacks[i] = { proc: { sel: st.segs[3].sel, off: pointer(r.esi) }, struct: { sel: st.segs[0].sel, off: pointer(r.edi) } };
        return set({ ecx: lo16(r.ecx, c.hostData), edx: lo16(r.edx, RM_CALLBACKS + i * 3) });
      }
      case 0x0304: {
        const i = (dx - RM_CALLBACKS) / 3;
        if (cx !== c.hostData || !Number.isInteger(i) || i < 0 || i >= CALLBACKS || !c.callbacks[i]) return fail(Err.invalidValue);
        c.callbacks[i] = null;
        return set({});
      }
      case 0x0305:
        return set({
          eax: lo16(r.eax, 0),
          ebx: lo16(r.ebx, c.hostData),
          ecx: lo16(r.ecx, RM_RETF),
          esi: lo16(r.esi, sel(LDT_HOST_CODE)),
          edi: c.bits32 ? STUB_RETF : lo16(r.edi, STUB_RETF),
        });
      case 0x0306:
        return set({
          ebx: lo16(r.ebx, c.hostData),
          ecx: lo16(r.ecx, RM_RAW),
          esi: lo16(r.esi, sel(LDT_HOST_CODE)),
          edi: c.bits32 ? STUB_RAW : lo16(r.edi, STUB_RAW),
        });
      // --- information
      case 0x0400:
        return set({
          eax: lo16(r.eax, 0x005a),
          ebx: lo16(r.ebx, (vdh.model >= CpuModel.i80386 ? 1 : 0) | 2),
          ecx: (r.ecx & ~0xff) | (vdh.model >= CpuModel.i80386 ? 3 : 2),
          edx: lo16(r.edx, 0x0870),
        });
      case 0x0500: {
        const pages = Math.floor(this.freeBytes / 4096);
        const info = new Uint8Array(0x30).fill(0xff);
        const put = (o: number, v: number): void => {
          for (let k = 0; k < 4; k++) info[o + k] = (v >>> (k * 8)) & 0xff;
        };
        put(0x00, this.largestFree);
        put(0x04, Math.floor(this.largestFree / 4096));
        put(0x08, Math.floor(this.largestFree / 4096));
        put(0x0c, Math.floor(this.poolSize / 4096));
        put(0x10, pages);
        put(0x14, pages);
        put(0x18, Math.floor(this.poolSize / 4096));
        put(0x1c, pages);
        vdh.writeGuest(esLin(r.edi), info);
        return set({});
      }
      // --- memory blocks
      case 0x0501: {
        const bytes = ((bx << 16) | cx) >>> 0;
        if (bytes === 0) return fail(Err.invalidValue);
        const base = this.allocateLinear(bytes);
        if (base < 0) return fail(Err.physicalUnavailable);
        const handle = c.nextHandle++;
        c.blocks.set(handle, { base, size: bytes });
        return set({
          ebx: lo16(r.ebx, base >>> 16),
          ecx: lo16(r.ecx, base),
          esi: lo16(r.esi, handle >>> 16),
          edi: lo16(r.edi, handle),
        });
      }
      case 0x0502: {
        const handle = (((r.esi & 0xffff) << 16) | (r.edi & 0xffff)) >>> 0;
        const b = c.blocks.get(handle);
        if (!b) return fail(Err.invalidHandle);
        c.blocks.delete(handle);
        this.freeLinear(b.base, b.size);
        return set({});
      }
      case 0x0503: {
        const handle = (((r.esi & 0xffff) << 16) | (r.edi & 0xffff)) >>> 0;
        const b = c.blocks.get(handle);
        const bytes = ((bx << 16) | cx) >>> 0;
        if (!b) return fail(Err.invalidHandle);
        if (bytes === 0) return fail(Err.invalidValue);
        const pagesOld = Math.ceil(b.size / 4096) * 4096;
        const pagesNew = Math.ceil(bytes / 4096) * 4096;
        if (pagesNew <= pagesOld) {
          if (pagesNew < pagesOld) this.freeLinear(b.base + pagesNew, pagesOld - pagesNew);
          b.size = bytes;
        } else {
          const next = this.free.findIndex((f) => f.base === b.base + pagesOld && f.size >= pagesNew - pagesOld);
          if (next >= 0) {
            const f = this.free[next];
            f.base += pagesNew - pagesOld;
            f.size -= pagesNew - pagesOld;
            if (f.size === 0) this.free.splice(next, 1);
            b.size = bytes;
          } else {
            const base = this.allocateLinear(bytes);
            if (base < 0) return fail(Err.physicalUnavailable);
            vdh.writeGuest(base, vdh.readGuest(b.base, b.size));
            this.freeLinear(b.base, b.size);
            b.base = base;
            b.size = bytes;
          }
        }
        return set({ ebx: lo16(r.ebx, b.base >>> 16), ecx: lo16(r.ecx, b.base) });
      }
      // --- locking and paging: memory is always present
      case 0x0600: case 0x0601: case 0x0602: case 0x0603: case 0x0702: case 0x0703:
        return set({});
      case 0x0604:
        return set({ ebx: lo16(r.ebx, 0), ecx: lo16(r.ecx, 0x1000) });
      case 0x0800: {
        // Physical address mapping: linear equals physical here (no paging).
        return set({});
      }
      case 0x0801:
        return set({});
      // --- the virtual interrupt flag (IOPL 3: it is the real IF)
      case 0x0900: case 0x0901: case 0x0902: {
        const was = (r.eflags & IF) !== 0 ? 1 : 0;
        let fl = r.eflags;
        if (ax === 0x0900) fl &= ~IF;
        if (ax === 0x0901) fl |= IF;
        return set({ eax: (r.eax & ~0xff) | was, eflags: fl });
      }
      default:
        return fail(Err.unsupported);
    }
  }

  // ---------------------------------------------------------------- DOS memory (0100h-0102h)

  private dosAllocate(st: CpuState, paras: number): void {
    const c = this.client!;
    const rm = this.realState(st.regs, st.eflags);
    rm.regs[0] = 0x4800;
    rm.regs[3] = paras;
    this.runRealInt(rm, 0x21, (out) => {
      const pm = { ...st, regs: [...st.regs] };
      if (out.eflags & CF) {
        pm.regs[0] = (pm.regs[0] & ~0xffff) | (out.regs[0] & 0xffff);
        pm.regs[3] = (pm.regs[3] & ~0xffff) | (out.regs[3] & 0xffff);
        pm.eflags |= CF;
        this.vdh.setCpuState(pm);
        return;
      }
      const segment = out.regs[0] & 0xffff;
      const count = Math.max(1, Math.ceil(paras / 0x1000));
      const first = this.allocateDescriptors(count);
      if (first < 0) {
        pm.regs[0] = (pm.regs[0] & ~0xffff) | Err.descriptorUnavailable;
        pm.eflags |= CF;
        this.vdh.setCpuState(pm);
        return;
      }
      const bytes = paras * 16;
      for (let k = 0; k < count; k++) {
        const remaining = bytes - k * 0x10000;
        this.setDescriptor(first + k * 8, segment * 16 + k * 0x10000, Math.min(remaining, 0x10000) - 1, 0xf2, 0);
      }
      c.dosBlocks.set(first, { segment, count });
      pm.regs[0] = (pm.regs[0] & ~0xffff) | segment;
      pm.regs[2] = (pm.regs[2] & ~0xffff) | first;
      pm.eflags &= ~CF;
      this.vdh.setCpuState(pm);
    });
  }

  private dosFree(st: CpuState, selector: number): void {
    const c = this.client!;
    const block = c.dosBlocks.get(selector);
    const pm = { ...st, regs: [...st.regs] };
    if (!block) {
      pm.regs[0] = (pm.regs[0] & ~0xffff) | 9;
      pm.eflags |= CF;
      this.vdh.setCpuState(pm);
      return;
    }
    const rm = this.realState(st.regs, st.eflags);
    rm.regs[0] = 0x4900;
    rm.segs[0] = seg16(block.segment);
    this.runRealInt(rm, 0x21, (out) => {
      if (out.eflags & CF) {
        pm.regs[0] = (pm.regs[0] & ~0xffff) | (out.regs[0] & 0xffff);
        pm.eflags |= CF;
      } else {
        for (let k = 0; k < block.count; k++) {
          c.used[idx(selector) + k] = 0;
          this.setDescriptor(selector + k * 8, 0, 0, 0, 0);
        }
        c.dosBlocks.delete(selector);
        pm.eflags &= ~CF;
      }
      this.vdh.setCpuState(pm);
      this.reloadSegments(selector);
    });
  }

  private dosResize(st: CpuState, selector: number, paras: number): void {
    const c = this.client!;
    const block = c.dosBlocks.get(selector);
    const pm = { ...st, regs: [...st.regs] };
    const count = Math.max(1, Math.ceil(paras / 0x1000));
    if (!block || count > block.count) {
      pm.regs[0] = (pm.regs[0] & ~0xffff) | (block ? 8 : 9);
      pm.eflags |= CF;
      this.vdh.setCpuState(pm);
      return;
    }
    const rm = this.realState(st.regs, st.eflags);
    rm.regs[0] = 0x4a00;
    rm.regs[3] = paras;
    rm.segs[0] = seg16(block.segment);
    this.runRealInt(rm, 0x21, (out) => {
      if (out.eflags & CF) {
        pm.regs[0] = (pm.regs[0] & ~0xffff) | (out.regs[0] & 0xffff);
        pm.regs[3] = (pm.regs[3] & ~0xffff) | (out.regs[3] & 0xffff);
        pm.eflags |= CF;
      } else {
        const bytes = paras * 16;
        for (let k = 0; k < block.count; k++) {
          if (k < count) this.setDescriptor(selector + k * 8, block.segment * 16 + k * 0x10000, Math.min(bytes - k * 0x10000, 0x10000) - 1, 0xf2, 0);
          else {
            c.used[idx(selector) + k] = 0;
            this.setDescriptor(selector + k * 8, 0, 0, 0, 0);
          }
        }
        block.count = count;
        pm.eflags &= ~CF;
      }
      this.vdh.setCpuState(pm);
      this.reloadSegments(selector);
    });
  }
}

function seg16(s: number): { sel: number; base: number; limit: number; ar: number } {
  return { sel: s & 0xffff, base: (s & 0xffff) * 16, limit: 0xffff, ar: 0x93 };
}

function hex(n: number): string {
  return (n >>> 0).toString(16).toUpperCase();
}

const VDPMI: VddModule = {
  name: 'VDPMI',
  init(vdh) {
    new Vdpmi(vdh).install();
  },
};

export default VDPMI;
