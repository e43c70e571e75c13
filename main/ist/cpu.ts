/**
 * The x86 CPU: architectural state, memory and stack access, lazy flags, interrupts and the run loop.
 * Instruction semantics live beside it, split by concern (alu, shift, muldiv, bcd, string, control,
 * instructions for the one-byte map, instructions_0f for the two-byte map).
 */
import { CpuModel, Flag, InterruptSource, PAGE_SHIFT, PageKind, StopReason, type CpuBus, type CpuRegisters, type CpuState, type Ist } from './ist.js';
import { OPS } from './instructions.js';
import { MAY_JUMP } from './decode.js';
import { Translator, type Block } from './translate.js';
import { Fpu } from './fpu.js';
import { deliverException, fetchDescriptor, interruptProtected, IntSource, loadSegmentProtected, setSegmentCache } from './protected.js';
import { pageWalk } from './paging.js';

/**
 * Thrown to abandon the current instruction when it faults; `run()` catches it and delivers the exception.
 * `code` is the error code protected mode pushes for vectors 8 and 10-14 (-1: none).
 */
export class CpuFault {
  constructor(
    public vector: number,
    public code = -1,
  ) {}
}
const FAULT = new CpuFault(0);

/** Exceptions whose second occurrence during delivery makes a double fault (#DE, #TS, #NP, #SS, #GP). */
function contributory(v: number): boolean {
  return v === 0 || (v >= 10 && v <= 13);
}

/** Reasons `run()` looks at its slow path between instructions. */
export const Attention = {
  Irq: 1,
  Trap: 2,
  Stop: 4,
  Shadow: 8,
  /** TF was just set by POPF/IRET/setRegisters: the trap comes after the next instruction, not this boundary. */
  TrapNext: 16,
  /** DR7 arms an instruction breakpoint: every boundary compares CS:EIP's linear address with DR0-DR3. */
  Debug: 32,
} as const;

/** The arithmetic flags that can be computed lazily from the last result. */
export const ARITH_FLAGS = Flag.CF | Flag.PF | Flag.AF | Flag.ZF | Flag.SF | Flag.OF;

/** Parity flag of a byte, precomputed. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  PARITY[i] = b & 1 ? 0 : Flag.PF;
}

/** ModR/M byte-register numbers to offsets in the register file (AL CL DL BL AH CH DH BH). */
export const R8 = new Uint8Array([0, 4, 8, 12, 1, 5, 9, 13]);

/** Kind of the last flag-setting operation, for lazy CF/OF/AF. */
export const LazyOp = { Add: 0, Sub: 1 } as const;

export class Cpu implements Ist {
  readonly model: CpuModel;
  readonly bus: CpuBus;
  readonly ram: Uint8Array;
  readonly pageKind: Uint8Array;

  // --- registers: one buffer, three views (as in v86), so ModR/M numbers index them directly
  readonly r32 = new Int32Array(8);
  readonly r16 = new Uint16Array(this.r32.buffer);
  readonly r8 = new Uint8Array(this.r32.buffer);
  ip = 0;
  /** Concrete flags; bits listed in `lazy` are stale and must be computed from the last result. */
  flags = 2;
  lazy = 0;
  lOp1 = 0;
  lOp2 = 0;
  lRes = 0;
  lKind = 0;
  /** Bit number of the sign of the last result (7, 15, 31): its width. */
  lSign = 7;

  // --- segments: selector and descriptor cache (real mode: base = selector << 4, limit 0xFFFF)
  readonly sreg = new Uint16Array(6);
  readonly segBase = new Int32Array(6);
  /** Byte-granular limit (the descriptor's, scaled by G). */
  readonly segLimit = new Int32Array(6);
  /** Access rights as in the descriptor's second dword >> 8: access byte (bits 0-7), AVL (12), D/B (14), G (15). */
  readonly segAr = new Int32Array(6);
  /** Offsets an access may touch, from the cache: [segLo, segHiR] for reads, [segLo, segHiW] for writes. */
  readonly segLo = new Float64Array(6);
  readonly segHiR = new Float64Array(6);
  readonly segHiW = new Float64Array(6);
  csBase = 0;
  csLimit = 0xffff;
  /** Highest IP a two-byte fetch may start below on the fast path (the limit, and no 16-bit IP wrap). */
  csFetchMax = 0xfffe;
  /** CS's default operand and address size (the D bit in protected mode), and the IP wrap it implies. */
  codeSize = 16;
  ipMask = 0xffff;
  /** SS's B bit: the stack uses ESP rather than SP. */
  ss32 = false;
  // --- modes and privilege
  /** CR0.PE: protected mode (with VM in EFLAGS: V86 mode). */
  pe = false;
  /** CR0.PG with PE: linear addresses go through the page tables. */
  paging = false;
  cpl = 0;
  /** Page accesses are checked with user rights (CPL 3, outside the CPU's own system-structure accesses). */
  get pageUser(): boolean {
    return this.tlbNeedRead === 3;
  }
  set pageUser(user: boolean) {
    // The TLB entry bits a read and a write need at this privilege: present (+ user), + dirty (+ writable).
    this.tlbNeedRead = user ? 3 : 1;
    this.tlbNeedWrite = user ? 15 : 9;
  }
  tlbNeedRead = 1;
  tlbNeedWrite = 9;
  // --- system registers
  idtBase = 0;
  idtLimit = 0x3ff;
  gdtBase = 0;
  gdtLimit = 0xffff;
  ldtr = 0;
  ldtBase = 0;
  ldtLimit = 0;
  tr = 0;
  trBase = 0;
  trLimit = 0;
  /** The TSS descriptor's type as cached by LTR or a task switch (1/3: 286 TSS, 9/B: 386 TSS). */
  trType = 0;
  cr0 = 0;
  readonly cr = new Int32Array(5);
  readonly dr = new Int32Array(8);
  // --- paging: a TLB entry per 4 KiB linear page: physical page | D(8) W(4) U(2) V(1), 0 when empty
  /** Empty until the first page walk allocates it (4 MiB), so CPUs that never page do not pay for it. */
  tlb = new Int32Array(0);
  /** Linear page numbers with an entry, so a flush clears only those (a full fill past the list's size). */
  readonly tlbUsed = new Int32Array(4096);
  tlbCount = 0;
  // --- descriptor scratch (protected.ts): the last descriptor read and where it lives
  descLo = 0;
  descHi = 0;
  descAddr = 0;
  /** The x87 coprocessor (fpu.ts), or undefined when the machine has none (ESC then does nothing). */
  readonly fpu: Fpu | undefined;

  // --- the current instruction: prefixes and decoded operand
  instrStart = 0;
  segOvr = -1;
  rep = 0;
  /** Operand and address size of the current instruction, in bits (16 or 32). */
  opsz = 16;
  adsz = 16;
  prefixed = false;
  modrm = 0;
  eaSeg = 3;
  eaOff = 0;

  // --- run state
  /** Instructions retired by earlier run() calls, and the budget of the one in progress (0 between runs). */
  private retired = 0;
  private runBudget = 0;
  /** Retired instructions, current even from inside an I/O handler (the instruction in flight is not counted). */
  get instructions(): number {
    return this.retired + this.runBudget - this.left + (this.inBlock ? this.blockDone : 0);
  }
  attention = 0;
  stopReason: StopReason = StopReason.Budget;
  stopVector = 0;
  readonly intHooked = new Uint8Array(256);
  irqLine = false;
  /** Physical address mask: 20 bits on the 8086, 24 on the 286, 32 on the 386, with bit 20 cleared when A20 is off. */
  amask: number;
  readonly modelMask: number;
  /** FLAGS bits POPF may change, and bits that always read as one, for this model in real mode. */
  readonly flagsWritable: number;
  readonly flagsFixed: number;

  constructor(bus: CpuBus, model: CpuModel, fpu = false) {
    this.bus = bus;
    this.model = model;
    this.fpu = fpu ? new Fpu(model) : undefined;
    this.ram = bus.ram;
    this.pageKind = bus.pageKind;
    this.modelMask = model <= CpuModel.i80186 ? 0xfffff : model === CpuModel.i80286 ? 0xffffff : -1;
    this.amask = this.modelMask;
    if (model <= CpuModel.i80186) {
      this.flagsWritable = 0x0fd5;
      this.flagsFixed = 0xf002;
    } else if (model === CpuModel.i80286) {
      this.flagsWritable = 0x0fd5;
      this.flagsFixed = 0x0002;
    } else {
      this.flagsWritable = 0x7fd5; // the 386 has no AC flag (the 486 added it)
      this.flagsFixed = 0x0002;
    }
    this.reset();
  }

  reset(): void {
    this.translator?.flush();
    this.r32.fill(0);
    this.lazy = 0;
    this.flags = this.flagsFixed;
    this.cr0 = this.model === CpuModel.i80286 ? 0xfff0 : this.model === CpuModel.i80386 ? 0x10 : 0;
    this.cr.fill(0);
    this.cr[0] = this.cr0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    this.pe = this.paging = false;
    this.breakpoints = false;
    this.cpl = 0;
    this.ldtr = this.ldtBase = this.ldtLimit = 0;
    this.tr = this.trBase = this.trLimit = this.trType = 0;
    this.flushTlb();
    for (let s = 0; s < 6; s++) {
      this.segLimit[s] = 0xffff;
      this.segAr[s] = 0x93;
      this.loadSegReal(s, 0);
    }
    this.loadSegReal(1, 0xffff);
    this.ip = 0;
    if (this.model >= CpuModel.i80286) {
      // The 286 and 386 start at the top of their address space (CS base 0xFF0000 / 0xFFFF0000, IP 0xFFF0).
      this.segBase[1] = this.model === CpuModel.i80286 ? 0xff0000 : -65536;
      this.csBase = this.segBase[1];
      this.ip = 0xfff0;
    }
    this.idtBase = 0;
    this.idtLimit = 0x3ff;
    this.modeChanged();
    this.attention = 0;
    this.irqLine = false;
    this.segOvr = -1;
    this.rep = 0;
    this.opsz = this.adsz = 16;
    this.prefixed = false;
    this.fpu?.init();
  }

  get hasFpu(): boolean {
    return this.fpu !== undefined;
  }

  // ---------------------------------------------------------------- run loop

  run(budget: number): StopReason {
    this.stopReason = StopReason.Budget;
    this.runBudget = budget;
    this.left = budget;
    for (;;) {
      try {
        this.runLoop();
        break;
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        // The faulting instruction counts as executed (and, inside a block, the ones before it).
        if (this.inBlock) {
          this.left -= this.blockDone;
          this.inBlock = false;
        }
        this.left--;
        if (this.prefixed) this.clearPrefixes();
        this.deliverWithDoubleFault(e.vector, e.code);
      }
    }
    this.retired += budget - this.left;
    this.runBudget = this.left = 0;
    // A stop asked for during this run is answered by this return, even when the budget ran out with it.
    this.attention &= ~Attention.Stop;
    return this.stopReason;
  }

  /** Instructions left in the current run() (a field, so a fault thrown mid-instruction keeps the count exact). */
  left = 0;
  /** The block translator, when enabled (`useTranslator`); blocks run whenever TF is clear. */
  translator: Translator | undefined;
  /** Inside a translated block: instructions it completed before the current one (for exact counts on a fault). */
  inBlock = false;
  blockDone = 0;

  memoryChanged(addr: number, length: number): void {
    const tr = this.translator;
    if (tr === undefined) return;
    const end = Math.min(addr + length, this.ram.length);
    for (let a = Math.max(0, addr); a < end; a++) tr.invalidate(a);
  }

  /** Turn the block translator on or off (off: every instruction is interpreted). */
  useTranslator(on: boolean): void {
    if (on) this.translator ??= new Translator(this);
    else {
      this.translator?.flush();
      this.translator = undefined;
    }
  }

  /** The hot loop, kept apart from run()'s try/catch so it optimizes as a plain function. */
  private runLoop(): void {
    let left = this.left;
    const tr = this.translator;
    let last: Block | undefined;
    // Regions start where control arrives: at entry, after a jump or an interrupt. Straight-line code in
    // between is not a region entry, so it does not ask the translator at every instruction.
    let probe = true;
    while (left > 0) {
      // The instruction in an interrupt shadow (after STI, MOV SS, POP SS) runs alone, interpreted.
      let shadow = 0;
      if (this.attention !== 0) {
        shadow = this.attention & Attention.Shadow;
        if (this.serviceAttention()) break;
        probe = true;
      }
      if (probe && tr !== undefined && shadow === 0 && (this.flags & Flag.TF) === 0 && !this.breakpoints) {
        const ip = this.ip;
        const csBase = this.csBase;
        // Follow the previous block's remembered successors before asking the map.
        let b: Block | undefined;
        if (last !== undefined) {
          const a = last.nextA;
          const big = this.codeSize === 32;
          if (a !== undefined && a.ip === ip && a.csBase === csBase && a.valid && a.big === big) b = a;
          else {
            const c = last.nextB;
            if (c !== undefined && c.ip === ip && c.csBase === csBase && c.valid && c.big === big) b = c;
          }
        }
        if (b === undefined) {
          b = tr.lookup((csBase + ip) & this.amask);
          if (b !== undefined && last !== undefined) {
            if (last.nextA === undefined || !last.nextA.valid) last.nextA = b;
            else last.nextB = b;
          }
        }
        if (b !== undefined && b.count <= left) {
          this.left = left;
          this.inBlock = true;
          const ran = b.run(this, left);
          this.inBlock = false;
          if (ran > 0) {
            left -= ran;
            last = b;
            continue;
          }
        }
      }
      last = undefined;
      this.left = left;
      this.instrStart = this.ip;
      const op = this.fetch8();
      OPS[op](this, op);
      if (this.prefixed) this.clearPrefixes();
      probe = MAY_JUMP[op] !== 0;
      left--;
    }
    this.left = left;
  }

  requestStop(): void {
    this.stopReason = StopReason.Requested;
    this.attention |= Attention.Stop;
  }

  setIrq(raised: boolean): void {
    this.irqLine = raised;
    if (raised) this.attention |= Attention.Irq;
  }

  setA20(enabled: boolean): void {
    const amask = enabled ? this.modelMask : this.modelMask & ~0x100000;
    // Translated code is keyed by physical address: a new address map invalidates it.
    if (amask !== this.amask) this.translator?.flush();
    this.amask = amask;
  }

  /** Between instructions: stops, the interrupt shadow, the single-step trap and the INTR line. Returns true to leave run(). */
  serviceAttention(): boolean {
    const a = this.attention;
    if (a & Attention.Stop) {
      this.attention &= ~Attention.Stop;
      return true;
    }
    if (a & Attention.Debug) this.checkBreakpoint();
    if (a & Attention.Shadow) {
      // MOV SS / POP SS / STI: the next instruction runs before any interrupt or trap.
      this.attention &= ~Attention.Shadow;
      return false;
    }
    // An event between instructions restarts nothing: a fault while delivering it returns here.
    this.instrStart = this.ip;
    if (a & Attention.Trap) {
      this.attention &= ~Attention.Trap;
      if (this.flags & Flag.TF) {
        this.dr[6] |= 0x4000; // BS: single step
        this.interrupt(1);
      }
    }
    if (this.irqLine) {
      if (this.flags & Flag.IF) {
        const vector = this.bus.acknowledgeInterrupt();
        if (vector >= 0) this.interrupt(vector);
        if (!this.irqLine) this.attention &= ~Attention.Irq;
      }
    } else {
      this.attention &= ~Attention.Irq;
    }
    if (this.intercepted) {
      // The monitor serves the interrupt before another instruction runs.
      this.intercepted = false;
      this.attention &= ~Attention.Stop;
      return true;
    }
    this.attention &= ~Attention.TrapNext;
    if (this.flags & Flag.TF) this.attention |= Attention.Trap;
    return false;
  }

  clearPrefixes(): void {
    this.prefixed = false;
    this.segOvr = -1;
    this.rep = 0;
    this.opsz = this.codeSize;
    this.adsz = this.codeSize;
  }

  /** Abandon the current instruction with an exception. Faults restart the instruction; the 8086 reports past it. */
  fault(vector: number): never {
    FAULT.vector = vector;
    FAULT.code = -1;
    throw FAULT;
  }

  /** Abandon the current instruction with an exception that carries an error code (selector, or 0). */
  faultCode(vector: number, code: number): never {
    FAULT.vector = vector;
    FAULT.code = code;
    throw FAULT;
  }

  deliverFault(vector: number, code = -1): void {
    // The 8086/186 push the address after a divide error; later chips push the faulting instruction.
    if (this.model >= CpuModel.i80286 || vector !== 0) this.ip = this.instrStart;
    if (this.pe && this.interceptProtected && (this.flags & Flag.VM) === 0) this.intercept(vector, InterruptSource.Exception, code);
    else if (this.pe) deliverException(this, vector, code);
    else this.interruptReal(vector);
  }

  /**
   * Deliver an exception; one raised while delivering it becomes a double fault where the 80386 makes one
   * (two contributory exceptions, or a page fault followed by a contributory one or a page fault), is
   * delivered after it otherwise, and a fault while delivering a double fault shuts the CPU down.
   */
  private deliverWithDoubleFault(vector: number, code: number): void {
    let first = -1;
    for (;;) {
      try {
        this.deliverFault(vector, code);
        return;
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        const second = e.vector;
        const secondCode = e.code;
        if (vector === 8 || (first === 8 && second === 8)) {
          this.stopReason = StopReason.Shutdown;
          this.attention |= Attention.Stop;
          return;
        }
        if ((contributory(vector) || vector === 14) && (contributory(second) || (vector === 14 && second === 14))) {
          first = vector;
          vector = 8;
          code = 0;
        } else {
          first = vector;
          vector = second;
          code = secondCode;
        }
      }
    }
  }

  // ---------------------------------------------------------------- interrupts

  /**
   * Enter an interrupt from outside the instruction stream (an IRQ, or the monitor reflecting one): through
   * the real-mode vector table, or in protected mode through the IDT (protected.ts) as an external event.
   */
  interrupt(vector: number): void {
    if (this.pe) {
      if (this.interceptProtected && (this.flags & Flag.VM) === 0) return this.intercept(vector, InterruptSource.External, -1);
      interruptProtected(this, vector, IntSource.External, -1);
      return;
    }
    this.interruptReal(vector);
  }

  // ---------------------------------------------------------------- interception (a DPMI host in the monitor)

  interceptProtected = false;
  stopSource = 0;
  stopErrorCode = -1;
  /** An interrupt was intercepted between instructions: run() returns before the next one. */
  private intercepted = false;

  private intercept(vector: number, source: number, code: number): void {
    this.stopVector = vector;
    this.stopSource = source;
    this.stopErrorCode = code;
    this.stopReason = StopReason.IntHook;
    this.attention |= Attention.Stop;
    this.intercepted = true;
  }

  /** Real-mode interrupt entry: FLAGS, CS, IP on the stack, IF and TF cleared, CS:IP from the vector table. */
  interruptReal(vector: number): void {
    const a = this.idtBase + vector * 4;
    // The 286 and later check the vector against the IDT limit LIDT set (#GP, and so a double fault, beyond it).
    if (this.model >= CpuModel.i80286 && vector * 4 + 3 > this.idtLimit) this.fault(13);
    const ip = this.readLin8(a) | (this.readLin8(a + 1) << 8);
    const cs = this.readLin8(a + 2) | (this.readLin8(a + 3) << 8);
    this.push16(this.getFlags());
    this.push16(this.sreg[1]);
    this.push16(this.ip);
    this.flags &= ~(Flag.IF | Flag.TF | Flag.RF);
    this.loadCS(cs);
    this.ip = ip;
  }

  /**
   * INT n / INT3 / INTO as instructions. In real mode a hooked vector stops the CPU for the monitor. In
   * protected mode the gate's DPL is checked against CPL; in V86 mode INT n needs IOPL 3 (else #GP(0) to
   * the ring-0 monitor, which is how a V86 monitor sees DOS calls).
   */
  softwareInterrupt(vector: number, source: number = IntSource.Software): void {
    if (!this.pe) {
      if (this.intHooked[vector] !== 0) {
        this.stopVector = vector;
        this.stopReason = StopReason.IntHook;
        this.attention |= Attention.Stop;
        return;
      }
      this.interruptReal(vector);
      return;
    }
    if (source === IntSource.Software && (this.flags & Flag.VM) !== 0 && (this.flags & Flag.IOPL) !== Flag.IOPL) {
      this.faultCode(13, 0);
    }
    if (this.interceptProtected && (this.flags & Flag.VM) === 0) return this.intercept(vector, source, -1);
    interruptProtected(this, vector, source, -1);
  }

  halt(): void {
    if (this.pe && this.cpl !== 0) this.faultCode(13, 0);
    this.stopReason = StopReason.Halt;
    this.attention |= Attention.Stop;
  }

  // ---------------------------------------------------------------- segments

  /**
   * A segment register load outside protected mode. Real mode changes the selector and base only: the
   * limit and the D/B and G bits stay what the descriptor cache holds (so a 4 GiB limit loaded in protected
   * mode survives: unreal mode); the segment becomes present, writable data. CS also becomes 16-bit.
   * V86 mode loads the fixed real-mode attributes: 64 KiB, DPL 3.
   */
  loadSegReal(seg: number, sel: number): void {
    this.sreg[seg] = sel;
    this.segBase[seg] = sel << 4;
    if (this.flags & Flag.VM) {
      this.segLimit[seg] = 0xffff;
      this.segAr[seg] = 0xf3;
    } else {
      this.segAr[seg] = (this.segAr[seg] & (seg === 1 ? 0x8000 : 0xc000)) | 0x93;
    }
    this.updateSegment(seg);
  }

  loadCS(sel: number): void {
    this.loadSegReal(1, sel);
  }

  /** Load a data/stack segment register from an instruction (MOV/POP/LxS). SS opens an interrupt shadow. */
  loadSeg(seg: number, sel: number): void {
    if (this.pe && (this.flags & Flag.VM) === 0) loadSegmentProtected(this, seg, sel);
    else this.loadSegReal(seg, sel);
    if (seg === 2) this.attention |= Attention.Shadow;
  }

  /**
   * Recompute what the memory paths use from a segment's cache: the offsets an access may touch for reads
   * and writes (expand-down segments reach from limit+1 to 64 KiB or 4 GiB; an unusable segment has none),
   * and for CS the fetch limit and default size, for SS the stack width.
   */
  updateSegment(seg: number): void {
    const ar = this.segAr[seg];
    const limit = this.segLimit[seg] >>> 0;
    let lo = 0;
    let hiR = limit;
    let hiW = limit;
    if (this.pe && (this.flags & Flag.VM) === 0) {
      if ((ar & 0x80) === 0) {
        lo = 1; // a null selector: every access is #GP(0)
        hiR = hiW = -1;
      } else if (ar & 8) {
        hiW = -1; // code is never writable
        if ((ar & 2) === 0) hiR = -1; // execute-only
      } else {
        if (ar & 4) {
          lo = limit + 1;
          hiR = hiW = ar & 0x4000 ? 0xffffffff : 0xffff;
        }
        if ((ar & 2) === 0) hiW = -1;
      }
    } else if ((ar & 0x0c) === 0x04) {
      lo = limit + 1; // an expand-down segment left in the cache keeps its shape
      hiR = hiW = ar & 0x4000 ? 0xffffffff : 0xffff;
    }
    this.segLo[seg] = lo;
    this.segHiR[seg] = hiR;
    this.segHiW[seg] = hiW;
    if (seg === 1) {
      this.csBase = this.segBase[1];
      this.csLimit = limit;
      const big = this.pe && (this.flags & Flag.VM) === 0 && (ar & 0x4000) !== 0;
      this.codeSize = big ? 32 : 16;
      this.ipMask = big ? -1 : 0xffff;
      this.csFetchMax = big ? limit : Math.min(limit, 0xfffe);
      if (!this.prefixed) this.opsz = this.adsz = this.codeSize;
    } else if (seg === 2) {
      this.ss32 = (ar & 0x4000) !== 0 && (this.flags & Flag.VM) === 0;
    }
  }

  /** DR7 armed an instruction breakpoint (or none is left): boundaries check them, and nothing runs as a block. */
  breakpoints = false;

  debugChanged(): void {
    const d7 = this.dr[7];
    let armed = false;
    for (let i = 0; i < 4; i++) if ((d7 >> (i * 2)) & 3 && ((d7 >>> (16 + i * 4)) & 3) === 0) armed = true;
    this.breakpoints = armed;
    if (armed) this.attention |= Attention.Debug;
    else this.attention &= ~Attention.Debug;
  }

  /**
   * An instruction breakpoint on the instruction about to run: #DB as a fault (DR6 says which), with RF set
   * in the pushed EFLAGS so the handler's IRET runs the instruction once without breaking again.
   */
  private checkBreakpoint(): void {
    if (this.flags & Flag.RF) {
      this.flags &= ~Flag.RF;
      return;
    }
    const lin = (this.csBase + this.ip) | 0;
    const d7 = this.dr[7];
    for (let i = 0; i < 4; i++) {
      if ((d7 >> (i * 2)) & 3 && ((d7 >>> (16 + i * 4)) & 3) === 0 && this.dr[i] === lin) {
        this.dr[6] = (this.dr[6] & ~0xf) | (1 << i);
        this.instrStart = this.ip;
        if (this.pe) this.flags |= Flag.RF;
        this.interrupt(1);
        return;
      }
    }
  }

  /** After CR0.PE or EFLAGS.VM changed: every segment's checks and the privilege level follow the new mode. */
  modeChanged(): void {
    this.pe = (this.cr0 & 1) !== 0;
    if (!this.pe) this.cpl = 0;
    else if (this.flags & Flag.VM) this.cpl = 3;
    this.paging = this.pe && (this.cr0 & 0x80000000) !== 0;
    this.pageUser = this.cpl === 3;
    for (let s = 0; s < 6; s++) this.updateSegment(s);
  }

  /** The #GP(0) or, for the stack segment in protected mode, #SS(0) of an access outside a segment. */
  limitFault(seg: number): never {
    // Real mode reports every segment overrun, stack included, as #GP(13), as the 286 vectors record.
    if (!this.pe) return this.fault(13);
    return this.faultCode(seg === 2 ? 12 : 13, 0);
  }

  // ---------------------------------------------------------------- physical, linear and paged memory

  readPhys8(addr: number): number {
    const p = addr & this.amask;
    if (this.pageKind[p >>> PAGE_SHIFT] <= 2) return this.ram[p];
    return this.bus.readSlow(p >>> 0);
  }

  writePhys8(addr: number, v: number): void {
    const p = addr & this.amask;
    const kind = this.pageKind[p >>> PAGE_SHIFT];
    if (kind === 0) this.ram[p] = v;
    else {
      if (kind === PageKind.Code && this.translator !== undefined) this.translator.invalidate(p);
      this.bus.writeSlow(p >>> 0, v & 0xff);
    }
  }

  /** Linear to physical through the TLB (paging.ts walks the tables on a miss and raises #PF). */
  linToPhys(lin: number, write: boolean): number {
    const e = this.tlb[lin >>> PAGE_SHIFT];
    const need = write ? this.tlbNeedWrite : this.tlbNeedRead;
    if ((e & need) === need) return (e & ~0xfff) | (lin & 0xfff);
    return pageWalk(this, lin, write);
  }

  readLin8(lin: number): number {
    return this.readPhys8(this.paging ? this.linToPhys(lin, false) : lin);
  }

  writeLin8(lin: number, v: number): void {
    this.writePhys8(this.paging ? this.linToPhys(lin, true) : lin, v);
  }

  /** Offset wrap for the current address size: 64 KiB segments wrap on 16-bit addressing. */
  get offMask(): number {
    return this.adsz === 16 ? 0xffff : -1;
  }

  read8(seg: number, off: number): number {
    const o = off >>> 0;
    if (o < this.segLo[seg] || o > this.segHiR[seg]) this.limitFault(seg);
    let p = this.segBase[seg] + off;
    if (this.paging) p = this.linToPhys(p, false);
    p &= this.amask;
    if (this.pageKind[p >>> PAGE_SHIFT] <= 2) return this.ram[p];
    return this.bus.readSlow(p >>> 0);
  }

  write8(seg: number, off: number, v: number): void {
    const o = off >>> 0;
    if (o < this.segLo[seg] || o > this.segHiW[seg]) this.limitFault(seg);
    let p = this.segBase[seg] + off;
    if (this.paging) p = this.linToPhys(p, true);
    p &= this.amask;
    if (this.pageKind[p >>> PAGE_SHIFT] === 0) this.ram[p] = v;
    else this.writePhys8(p, v);
  }

  read16(seg: number, off: number): number {
    const o = off >>> 0;
    if (o >= this.segLo[seg] && o < this.segHiR[seg]) {
      let p = this.segBase[seg] + off;
      if ((p & 0xfff) !== 0xfff) {
        if (this.paging) p = this.linToPhys(p, false);
        p &= this.amask;
        if (this.pageKind[p >>> PAGE_SHIFT] <= 2) return this.ram[p] | (this.ram[p + 1] << 8);
      }
    }
    return this.readSlow(seg, off, 2);
  }

  write16(seg: number, off: number, v: number): void {
    const o = off >>> 0;
    if (o >= this.segLo[seg] && o < this.segHiW[seg]) {
      let p = this.segBase[seg] + off;
      if ((p & 0xfff) !== 0xfff) {
        if (this.paging) p = this.linToPhys(p, true);
        p &= this.amask;
        if (this.pageKind[p >>> PAGE_SHIFT] === 0) {
          this.ram[p] = v;
          this.ram[p + 1] = v >> 8;
          return;
        }
      }
    }
    this.writeSlow(seg, off, v, 2);
  }

  read32(seg: number, off: number): number {
    const o = off >>> 0;
    if (o >= this.segLo[seg] && o + 3 <= this.segHiR[seg]) {
      let p = this.segBase[seg] + off;
      if ((p & 0xfff) <= 0xffc) {
        if (this.paging) p = this.linToPhys(p, false);
        p &= this.amask;
        if (this.pageKind[p >>> PAGE_SHIFT] <= 2) {
          const r = this.ram;
          return r[p] | (r[p + 1] << 8) | (r[p + 2] << 16) | (r[p + 3] << 24);
        }
      }
    }
    return this.readSlow(seg, off, 4);
  }

  write32(seg: number, off: number, v: number): void {
    const o = off >>> 0;
    if (o >= this.segLo[seg] && o + 3 <= this.segHiW[seg]) {
      let p = this.segBase[seg] + off;
      if ((p & 0xfff) <= 0xffc) {
        if (this.paging) p = this.linToPhys(p, true);
        p &= this.amask;
        if (this.pageKind[p >>> PAGE_SHIFT] === 0) {
          const r = this.ram;
          r[p] = v;
          r[p + 1] = v >> 8;
          r[p + 2] = v >> 16;
          r[p + 3] = v >> 24;
          return;
        }
      }
    }
    this.writeSlow(seg, off, v, 4);
  }

  // Paged accessors: what translated code built while paging is on calls. They look the TLB up inline and
  // fall back to the general accessors (kept small so V8 inlines them into the interpreter's handlers).

  /**
   * The physical RAM address of a `size`-byte access inside one page, within the segment, on a TLB hit with
   * the rights it needs; -1 sends it to the general accessor, which walks, faults or reaches a device.
   */
  private tlbRam(seg: number, off: number, size: number, write: boolean): number {
    const o = off >>> 0;
    if (o < this.segLo[seg] || o + size - 1 > (write ? this.segHiW[seg] : this.segHiR[seg])) return -1;
    const lin = this.segBase[seg] + off;
    if ((lin & 0xfff) > 0x1000 - size) return -1;
    const need = write ? this.tlbNeedWrite : this.tlbNeedRead;
    const e = this.tlb[lin >>> PAGE_SHIFT];
    if ((e & need) !== need) return -1;
    const p = ((e & ~0xfff) | (lin & 0xfff)) & this.amask;
    const kind = this.pageKind[p >>> PAGE_SHIFT];
    return (write ? kind === 0 : kind <= 2) ? p : -1;
  }

  pread8(seg: number, off: number): number {
    const p = this.tlbRam(seg, off, 1, false);
    return p < 0 ? this.read8(seg, off) : this.ram[p];
  }

  pwrite8(seg: number, off: number, v: number): void {
    const p = this.tlbRam(seg, off, 1, true);
    if (p < 0) this.write8(seg, off, v);
    else this.ram[p] = v;
  }

  pread16(seg: number, off: number): number {
    const p = this.tlbRam(seg, off, 2, false);
    return p < 0 ? this.read16(seg, off) : this.ram[p] | (this.ram[p + 1] << 8);
  }

  pwrite16(seg: number, off: number, v: number): void {
    const p = this.tlbRam(seg, off, 2, true);
    if (p < 0) return this.write16(seg, off, v);
    this.ram[p] = v;
    this.ram[p + 1] = v >> 8;
  }

  pread32(seg: number, off: number): number {
    const p = this.tlbRam(seg, off, 4, false);
    if (p < 0) return this.read32(seg, off);
    const r = this.ram;
    return r[p] | (r[p + 1] << 8) | (r[p + 2] << 16) | (r[p + 3] << 24);
  }

  pwrite32(seg: number, off: number, v: number): void {
    const p = this.tlbRam(seg, off, 4, true);
    if (p < 0) return this.write32(seg, off, v);
    const r = this.ram;
    r[p] = v;
    r[p + 1] = v >> 8;
    r[p + 2] = v >> 16;
    r[p + 3] = v >> 24;
  }

  /**
   * A word or dword read off the fast path: past the segment's end (the 8086 wraps inside the segment, the
   * 286 and later fault; a real-mode 16-bit address wraps its second half at 64 KiB on the 386), across a
   * page, or from a device page.
   */
  readSlow(seg: number, off: number, size: number): number {
    const o = off >>> 0;
    if (o < this.segLo[seg] || o + size - 1 > this.segHiR[seg]) {
      if (this.model <= CpuModel.i80186) return this.readWrapped(seg, off, size);
      if (size === 4 && !this.pe && this.adsz === 16 && o <= 0xfffc) return this.readWrapped(seg, off, size);
      this.limitFault(seg);
    }
    const a = this.segBase[seg] + off;
    if (size === 2) return this.readLin8(a) | (this.readLin8(a + 1) << 8);
    return this.readLin8(a) | (this.readLin8(a + 1) << 8) | (this.readLin8(a + 2) << 16) | (this.readLin8(a + 3) << 24);
  }

  writeSlow(seg: number, off: number, v: number, size: number): void {
    const o = off >>> 0;
    if (o < this.segLo[seg] || o + size - 1 > this.segHiW[seg]) {
      if (this.model <= CpuModel.i80186) return this.writeWrapped(seg, off, v, size);
      this.limitFault(seg);
    }
    const a = this.segBase[seg] + off;
    if (this.paging && ((a & 0xfff) > 0x1000 - size)) {
      // Across a page: both pages must be writable before either is written, so a #PF changes nothing.
      this.linToPhys(a, true);
      this.linToPhys(a + size - 1, true);
    }
    for (let i = 0; i < size; i++) this.writeLin8(a + i, v >> (i * 8));
  }

  /** Check that a write of `size` bytes at seg:off would succeed (limit, rights, page), without writing. */
  probeWrite(seg: number, off: number, size: number): void {
    const o = off >>> 0;
    if (o < this.segLo[seg] || o + size - 1 > this.segHiW[seg]) this.limitFault(seg);
    if (this.paging) {
      const a = this.segBase[seg] + off;
      this.linToPhys(a, true);
      this.linToPhys(a + size - 1, true);
    }
  }

  private readWrapped(seg: number, off: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readLin8(this.segBase[seg] + ((off + i) & 0xffff)) << (i * 8);
    return v;
  }

  private writeWrapped(seg: number, off: number, v: number, size: number): void {
    for (let i = 0; i < size; i++) this.writeLin8(this.segBase[seg] + ((off + i) & 0xffff), v >> (i * 8));
  }

  /**
   * The CPU's own accesses to system structures (GDT, LDT, IDT, TSS): linear addresses checked against
   * supervisor page rights whatever the CPL.
   */
  readSys8(lin: number): number {
    const user = this.pageUser;
    this.pageUser = false;
    try {
      return this.readLin8(lin);
    } finally {
      this.pageUser = user;
    }
  }

  readSys16(lin: number): number {
    return this.readSys8(lin) | (this.readSys8(lin + 1) << 8);
  }

  readSys32(lin: number): number {
    return this.readSys16(lin) | (this.readSys16(lin + 2) << 16);
  }

  writeSys8(lin: number, v: number): void {
    const user = this.pageUser;
    this.pageUser = false;
    try {
      this.writeLin8(lin, v);
    } finally {
      this.pageUser = user;
    }
  }

  writeSys16(lin: number, v: number): void {
    this.writeSys8(lin, v);
    this.writeSys8(lin + 1, v >> 8);
  }

  writeSys32(lin: number, v: number): void {
    this.writeSys16(lin, v);
    this.writeSys16(lin + 2, v >>> 16);
  }

  /** Drop every cached translation (CR3 written, paging switched). */
  flushTlb(): void {
    // Translated code is keyed by linear address: a new mapping drops it.
    if (this.paging || this.tlbCount > 0) this.translator?.flush();
    const n = this.tlbCount;
    if (n > this.tlbUsed.length) this.tlb.fill(0);
    else if (this.tlb.length === 0) return;
    else for (let i = 0; i < n; i++) this.tlb[this.tlbUsed[i]] = 0;
    this.tlbCount = 0;
  }

  // ---------------------------------------------------------------- instruction fetch

  /** #GP(0) for code fetched past CS's limit (real mode: IP wraps inside the 64 KiB segment instead). */
  private fetchFault(): never {
    return this.faultCode(13, 0);
  }

  fetch8(): number {
    const ip = this.ip;
    if (ip >>> 0 > this.csLimit) this.fetchFault();
    const v = this.readLin8(this.csBase + ip);
    this.ip = (ip + 1) & this.ipMask;
    return v;
  }

  fetch16(): number {
    const ip = this.ip;
    let p = this.csBase + ip;
    if (ip >>> 0 < this.csFetchMax && (p & 0xfff) !== 0xfff) {
      if (this.paging) p = this.linToPhys(p, false);
      p &= this.amask;
      if (this.pageKind[p >>> PAGE_SHIFT] <= 2) {
        this.ip = ip + 2;
        return this.ram[p] | (this.ram[p + 1] << 8);
      }
    }
    const lo = this.fetch8();
    return lo | (this.fetch8() << 8);
  }

  fetch32(): number {
    const lo = this.fetch16();
    return lo | (this.fetch16() << 16);
  }

  /** Immediate of the current operand size (16 or 32 bits). */
  fetchImm(): number {
    return this.opsz === 16 ? this.fetch16() : this.fetch32();
  }

  /** The code byte `i` bytes past IP, without moving IP (prefix and LOCK look-ahead). */
  peekCode(i: number): number {
    return this.readLin8(this.csBase + ((this.ip + i) & this.ipMask));
  }

  // ---------------------------------------------------------------- stack (SP or ESP by SS's B bit)

  /** The stack pointer as the stack segment uses it: SP (zero-extended) or ESP. */
  get sp(): number {
    return this.ss32 ? this.r32[4] : this.r16[8];
  }

  set sp(v: number) {
    if (this.ss32) this.r32[4] = v;
    else this.r16[8] = v;
  }

  /** Add to SP or ESP (RET n, LEAVE, ENTER). */
  adjustSP(delta: number): void {
    if (this.ss32) this.r32[4] = this.r32[4] + delta;
    else this.r16[8] = this.r16[8] + delta;
  }

  push16(v: number): void {
    if (this.ss32) {
      const sp = (this.r32[4] - 2) | 0;
      this.write16(2, sp, v & 0xffff);
      this.r32[4] = sp;
    } else {
      const sp = (this.r16[8] - 2) & 0xffff;
      // Protected mode writes first, so a #SS or #PF leaves SP for the restart; real mode moves SP first,
      // as the 286 vectors record for a push that faults at offset FFFFh.
      if (this.pe) {
        this.write16(2, sp, v & 0xffff);
        this.r16[8] = sp;
      } else {
        this.r16[8] = sp;
        this.write16(2, sp, v & 0xffff);
      }
    }
  }

  pop16(): number {
    if (this.ss32) {
      const sp = this.r32[4];
      const v = this.read16(2, sp);
      this.r32[4] = sp + 2;
      return v;
    }
    const sp = this.r16[8];
    const v = this.read16(2, sp);
    this.r16[8] = (sp + 2) & 0xffff;
    return v;
  }

  push32(v: number): void {
    if (this.ss32) {
      const sp = (this.r32[4] - 4) | 0;
      this.write32(2, sp, v);
      this.r32[4] = sp;
    } else {
      const sp = (this.r16[8] - 4) & 0xffff;
      if (this.pe) {
        this.write16(2, sp, v & 0xffff);
        this.write16(2, (sp + 2) & 0xffff, v >>> 16);
        this.r16[8] = sp;
      } else {
        this.r16[8] = sp;
        this.write16(2, sp, v & 0xffff);
        this.write16(2, (sp + 2) & 0xffff, v >>> 16);
      }
    }
  }

  pop32(): number {
    if (this.ss32) {
      const sp = this.r32[4];
      const v = this.read32(2, sp);
      this.r32[4] = sp + 4;
      return v;
    }
    const sp = this.r16[8];
    const v = this.read16(2, sp) | (this.read16(2, (sp + 2) & 0xffff) << 16);
    this.r16[8] = (sp + 4) & 0xffff;
    return v;
  }

  /** PUSH/POP for translated code built while paging is on (the paged accessors on a 32-bit stack). */
  ppush32(v: number): void {
    if (!this.ss32) return this.push32(v);
    const sp = (this.r32[4] - 4) | 0;
    this.pwrite32(2, sp, v);
    this.r32[4] = sp;
  }

  ppop32(): number {
    if (!this.ss32) return this.pop32();
    const sp = this.r32[4];
    const v = this.pread32(2, sp);
    this.r32[4] = sp + 4;
    return v;
  }

  ppush16(v: number): void {
    if (!this.ss32) return this.push16(v);
    const sp = (this.r32[4] - 2) | 0;
    this.pwrite16(2, sp, v & 0xffff);
    this.r32[4] = sp;
  }

  ppop16(): number {
    if (!this.ss32) return this.pop16();
    const sp = this.r32[4];
    const v = this.pread16(2, sp);
    this.r32[4] = sp + 2;
    return v;
  }

  pushV(v: number): void {
    if (this.opsz === 16) this.push16(v);
    else this.push32(v);
  }

  popV(): number {
    return this.opsz === 16 ? this.pop16() : this.pop32();
  }

  /** Read the stack `k` bytes above SP/ESP without popping (far returns check before they commit). */
  readStack(k: number, size: number): number {
    const off = this.ss32 ? (this.r32[4] + k) | 0 : (this.r16[8] + k) & 0xffff;
    return size === 2 ? this.read16(2, off) : this.read32(2, off);
  }

  // ---------------------------------------------------------------- flags

  getCF(): number {
    if (this.lazy & Flag.CF) {
      const a = this.lOp1;
      const b = this.lOp2;
      const r = this.lRes;
      const c = this.lKind === LazyOp.Add ? (a & b) | ((a | b) & ~r) : (~a & b) | (~(a ^ b) & r);
      return (c >>> this.lSign) & 1;
    }
    return this.flags & Flag.CF;
  }

  getZF(): boolean {
    return this.lazy & Flag.ZF ? this.lRes << (31 - this.lSign) === 0 : (this.flags & Flag.ZF) !== 0;
  }

  getSF(): boolean {
    return this.lazy & Flag.SF ? ((this.lRes >>> this.lSign) & 1) !== 0 : (this.flags & Flag.SF) !== 0;
  }

  getOF(): boolean {
    if (this.lazy & Flag.OF) {
      const a = this.lOp1;
      const b = this.lOp2;
      const r = this.lRes;
      const o = this.lKind === LazyOp.Add ? (a ^ r) & (b ^ r) : (a ^ b) & (a ^ r);
      return ((o >>> this.lSign) & 1) !== 0;
    }
    return (this.flags & Flag.OF) !== 0;
  }

  getPF(): boolean {
    return this.lazy & Flag.PF ? PARITY[this.lRes & 0xff] !== 0 : (this.flags & Flag.PF) !== 0;
  }

  getAF(): boolean {
    return this.lazy & Flag.AF ? ((this.lOp1 ^ this.lOp2 ^ this.lRes) & 0x10) !== 0 : (this.flags & Flag.AF) !== 0;
  }

  /** Bring every lazy flag into `flags`. */
  materializeFlags(): void {
    const lz = this.lazy;
    if (lz === 0) return;
    let f = this.flags & ~lz;
    if (lz & Flag.CF && this.getCF()) f |= Flag.CF;
    if (lz & Flag.PF && this.getPF()) f |= Flag.PF;
    if (lz & Flag.AF && this.getAF()) f |= Flag.AF;
    if (lz & Flag.ZF && this.getZF()) f |= Flag.ZF;
    if (lz & Flag.SF && this.getSF()) f |= Flag.SF;
    if (lz & Flag.OF && this.getOF()) f |= Flag.OF;
    this.flags = f;
    this.lazy = 0;
  }

  /** FLAGS (or EFLAGS) as software sees them. */
  getFlags(): number {
    this.materializeFlags();
    return this.flags;
  }

  /** Write FLAGS as POPF/IRET do in real mode; `mask` limits the write (0xFFFF for 16-bit forms). */
  setFlags(v: number, mask = 0xffff): void {
    const w = this.flagsWritable & mask;
    this.lazy = 0;
    this.flags = (this.flags & ~w) | (v & w) | this.flagsFixed;
    if (this.flags & Flag.TF) this.attention |= Attention.TrapNext;
    if (this.irqLine) this.attention |= Attention.Irq;
  }

  /** Write exactly the FLAGS bits in `w` (which must include every arithmetic flag): POPF/IRET in protected mode. */
  setFlagsExact(v: number, w: number): void {
    this.lazy = 0;
    this.flags = (this.flags & ~w) | (v & w) | this.flagsFixed;
    if (this.flags & Flag.TF) this.attention |= Attention.TrapNext;
    if (this.irqLine) this.attention |= Attention.Irq;
  }

  setFlag(bit: number, on: boolean): void {
    this.materializeBit(bit);
    if (on) this.flags |= bit;
    else this.flags &= ~bit;
  }

  /** Make one flag concrete (before an instruction sets it while keeping the rest lazy). */
  materializeBit(bit: number): void {
    if (this.lazy & bit) {
      let on: boolean;
      switch (bit) {
        case Flag.CF: on = this.getCF() !== 0; break;
        case Flag.PF: on = this.getPF(); break;
        case Flag.AF: on = this.getAF(); break;
        case Flag.ZF: on = this.getZF(); break;
        case Flag.SF: on = this.getSF(); break;
        default: on = this.getOF(); break;
      }
      this.lazy &= ~bit;
      if (on) this.flags |= bit;
      else this.flags &= ~bit;
    }
  }

  /** Record an add/sub result for lazy flags. `sign` is 7, 15 or 31. */
  setLazy(kind: number, a: number, b: number, r: number, sign: number, lazyBits: number): void {
    this.lKind = kind;
    this.lOp1 = a;
    this.lOp2 = b;
    this.lRes = r;
    this.lSign = sign;
    this.lazy = lazyBits;
  }

  /** Set SF/ZF/PF lazily from a result and the other arithmetic flags concretely. */
  setResultFlags(r: number, sign: number, others: number): void {
    this.lRes = r;
    this.lSign = sign;
    this.lazy = Flag.SF | Flag.ZF | Flag.PF;
    this.flags = (this.flags & ~ARITH_FLAGS) | others;
  }

  // ---------------------------------------------------------------- monitor access

  getRegisters(): CpuRegisters {
    const r = this.r32;
    return {
      eax: r[0] >>> 0,
      ecx: r[1] >>> 0,
      edx: r[2] >>> 0,
      ebx: r[3] >>> 0,
      esp: r[4] >>> 0,
      ebp: r[5] >>> 0,
      esi: r[6] >>> 0,
      edi: r[7] >>> 0,
      eip: this.ip >>> 0,
      eflags: this.getFlags() >>> 0,
      es: this.sreg[0],
      cs: this.sreg[1],
      ss: this.sreg[2],
      ds: this.sreg[3],
      fs: this.sreg[4],
      gs: this.sreg[5],
    };
  }

  get protectedMode(): boolean {
    return this.pe;
  }

  segmentBase(seg: number): number {
    return this.segBase[seg] >>> 0;
  }

  saveState(): CpuState {
    const seg = (i: number): { sel: number; base: number; limit: number; ar: number } => ({
      sel: this.sreg[i],
      base: this.segBase[i] >>> 0,
      limit: this.segLimit[i] >>> 0,
      ar: this.segAr[i],
    });
    return {
      regs: Array.from(this.r32, (v) => v >>> 0),
      eip: this.ip >>> 0,
      eflags: this.getFlags() >>> 0,
      segs: [0, 1, 2, 3, 4, 5].map(seg),
      cr0: this.cr0 >>> 0,
      cr2: this.cr[2] >>> 0,
      cr3: this.cr[3] >>> 0,
      cpl: this.cpl,
      gdtBase: this.gdtBase >>> 0,
      gdtLimit: this.gdtLimit,
      idtBase: this.idtBase >>> 0,
      idtLimit: this.idtLimit,
      ldtr: { sel: this.ldtr, base: this.ldtBase >>> 0, limit: this.ldtLimit >>> 0, ar: 0x82 },
      tr: { sel: this.tr, base: this.trBase >>> 0, limit: this.trLimit >>> 0, ar: 0x80 | this.trType },
    };
  }

  restoreState(s: CpuState): void {
    for (let i = 0; i < 8; i++) this.r32[i] = s.regs[i];
    this.ip = s.eip | 0;
    this.lazy = 0;
    this.flags = (s.eflags & 0x37fd7) | this.flagsFixed;
    this.cr0 = s.cr0 | 0;
    this.cr[0] = this.cr0;
    this.cr[2] = s.cr2 | 0;
    this.cr[3] = s.cr3 | 0;
    this.gdtBase = s.gdtBase | 0;
    this.gdtLimit = s.gdtLimit;
    this.idtBase = s.idtBase | 0;
    this.idtLimit = s.idtLimit;
    this.ldtr = s.ldtr.sel;
    this.ldtBase = s.ldtr.base | 0;
    this.ldtLimit = s.ldtr.limit | 0;
    this.tr = s.tr.sel;
    this.trBase = s.tr.base | 0;
    this.trLimit = s.tr.limit | 0;
    this.trType = s.tr.ar & 0xf;
    this.modeChanged();
    this.cpl = s.cpl;
    this.pageUser = s.cpl === 3;
    for (let i = 0; i < 6; i++) {
      const g = s.segs[i];
      this.sreg[i] = g.sel;
      this.segBase[i] = g.base | 0;
      this.segLimit[i] = g.limit | 0;
      this.segAr[i] = g.ar;
      this.updateSegment(i);
    }
    this.flushTlb();
    if (this.flags & Flag.TF) this.attention |= Attention.TrapNext;
    if (this.irqLine) this.attention |= Attention.Irq;
  }

  loadSegment(seg: number, selector: number): boolean {
    if (!this.pe || this.flags & Flag.VM) {
      this.loadSegReal(seg, selector & 0xffff);
      return true;
    }
    try {
      if (seg === 1) {
        // CS: a code segment of the current privilege (what a far JMP would accept).
        if (!fetchDescriptor(this, selector)) return false;
        const hi = this.descHi;
        if ((hi & 0x1800) !== 0x1800 || (hi & 0x8000) === 0) return false;
        setSegmentCache(this, 1, (selector & 0xfffc) | this.cpl, this.descLo, this.descHi);
      } else loadSegmentProtected(this, seg, selector & 0xffff);
      return true;
    } catch (e) {
      if (e instanceof CpuFault) return false;
      throw e;
    }
  }

  setRegisters(regs: Partial<CpuRegisters>): void {
    const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
    for (let i = 0; i < 8; i++) {
      const v = regs[names[i]];
      if (v !== undefined) this.r32[i] = v;
    }
    const segs = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
    for (let i = 0; i < 6; i++) {
      const v = regs[segs[i]];
      if (v !== undefined) this.loadSegReal(i, v & 0xffff);
    }
    if (regs.eip !== undefined) this.ip = regs.eip;
    if (regs.eflags !== undefined) {
      this.lazy = 0;
      this.flags = (regs.eflags & ~0x2a) | this.flagsFixed;
      if (this.model === CpuModel.i80286) this.flags &= 0x0fff | this.flagsFixed;
      if (this.flags & Flag.TF) this.attention |= Attention.TrapNext;
    }
  }
}
