/**
 * The x86 CPU: architectural state, memory and stack access, lazy flags, interrupts and the run loop.
 * Instruction semantics live beside it, split by concern (alu, shift, muldiv, bcd, string, control,
 * instructions for the one-byte map, instructions_0f for the two-byte map).
 */
import { CpuModel, Flag, PAGE_SHIFT, PageKind, StopReason, type CpuBus, type CpuRegisters, type Ist } from './ist.js';
import { OPS } from './instructions.js';
import { MAY_JUMP } from './decode.js';
import { Translator, type Block } from './translate.js';
import { Fpu } from './fpu.js';

/** Thrown to abandon the current instruction when it faults; `run()` catches it and delivers the exception. */
export class CpuFault {
  constructor(public vector: number) {}
}
const FAULT = new CpuFault(0);

/** Reasons `run()` looks at its slow path between instructions. */
export const Attention = {
  Irq: 1,
  Trap: 2,
  Stop: 4,
  Shadow: 8,
  /** TF was just set by POPF/IRET/setRegisters: the trap comes after the next instruction, not this boundary. */
  TrapNext: 16,
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
  readonly segLimit = new Int32Array(6);
  csBase = 0;
  // --- system registers that real mode can touch (LIDT/LGDT/SMSW/LMSW, CR0 on the 386)
  idtBase = 0;
  idtLimit = 0x3ff;
  gdtBase = 0;
  gdtLimit = 0xffff;
  cr0 = 0;
  readonly cr = new Int32Array(5);
  readonly dr = new Int32Array(8);
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
    for (let s = 0; s < 6; s++) this.loadSegReal(s, 0);
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
    this.cr0 = this.model === CpuModel.i80286 ? 0xfff0 : this.model === CpuModel.i80386 ? 0x10 : 0;
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
        this.deliverFault(e.vector);
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
      if (probe && tr !== undefined && shadow === 0 && (this.flags & Flag.TF) === 0) {
        const ip = this.ip;
        const csBase = this.csBase;
        // Follow the previous block's remembered successors before asking the map.
        let b: Block | undefined;
        if (last !== undefined) {
          const a = last.nextA;
          if (a !== undefined && a.ip === ip && a.csBase === csBase && a.valid) b = a;
          else {
            const c = last.nextB;
            if (c !== undefined && c.ip === ip && c.csBase === csBase && c.valid) b = c;
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
    if (a & Attention.Shadow) {
      // MOV SS / POP SS / STI: the next instruction runs before any interrupt or trap.
      this.attention &= ~Attention.Shadow;
      return false;
    }
    if (a & Attention.Trap) {
      this.attention &= ~Attention.Trap;
      if (this.flags & Flag.TF) this.interrupt(1);
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
    this.attention &= ~Attention.TrapNext;
    if (this.flags & Flag.TF) this.attention |= Attention.Trap;
    return false;
  }

  clearPrefixes(): void {
    this.prefixed = false;
    this.segOvr = -1;
    this.rep = 0;
    this.opsz = 16;
    this.adsz = 16;
  }

  /** Abandon the current instruction with an exception. Faults restart the instruction; the 8086 reports past it. */
  fault(vector: number): never {
    FAULT.vector = vector;
    throw FAULT;
  }

  deliverFault(vector: number): void {
    // The 8086/186 push the address after a divide error; later chips push the faulting instruction.
    if (this.model >= CpuModel.i80286 || vector !== 0) this.ip = this.instrStart;
    this.interrupt(vector);
  }

  // ---------------------------------------------------------------- interrupts

  /** Enter an interrupt through the real-mode vector table. */
  interrupt(vector: number): void {
    this.push16(this.getFlags());
    this.flags &= ~(Flag.IF | Flag.TF);
    this.push16(this.sreg[1]);
    this.push16(this.ip);
    const a = this.idtBase + vector * 4;
    const ip = this.readPhys8(a) | (this.readPhys8(a + 1) << 8);
    const cs = this.readPhys8(a + 2) | (this.readPhys8(a + 3) << 8);
    this.loadCS(cs);
    this.ip = ip;
  }

  /** INT n as an instruction: hooked vectors stop the CPU for the monitor; others enter the IVT. */
  softwareInterrupt(vector: number): void {
    if (this.intHooked[vector] !== 0) {
      this.stopVector = vector;
      this.stopReason = StopReason.IntHook;
      this.attention |= Attention.Stop;
      return;
    }
    this.interrupt(vector);
  }

  halt(): void {
    this.stopReason = StopReason.Halt;
    this.attention |= Attention.Stop;
  }

  // ---------------------------------------------------------------- segments

  loadSegReal(seg: number, sel: number): void {
    this.sreg[seg] = sel;
    this.segBase[seg] = sel << 4;
    if (seg === 1) this.csBase = sel << 4;
  }

  loadCS(sel: number): void {
    this.sreg[1] = sel;
    this.segBase[1] = sel << 4;
    this.csBase = sel << 4;
  }

  /** Load a data/stack segment register from an instruction (MOV/POP/LxS). SS opens an interrupt shadow. */
  loadSeg(seg: number, sel: number): void {
    this.loadSegReal(seg, sel);
    if (seg === 2) this.attention |= Attention.Shadow;
  }

  // ---------------------------------------------------------------- physical and linear memory

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

  /** Offset wrap for the current address size: 64 KiB segments wrap on 16-bit addressing. */
  get offMask(): number {
    return this.adsz === 16 ? 0xffff : -1;
  }

  read8(seg: number, off: number): number {
    return this.readPhys8(this.segBase[seg] + off);
  }

  write8(seg: number, off: number, v: number): void {
    this.writePhys8(this.segBase[seg] + off, v);
  }

  read16(seg: number, off: number): number {
    const base = this.segBase[seg];
    const p = (base + off) & this.amask;
    if ((p & 0xfff) !== 0xfff && off !== 0xffff && this.pageKind[p >>> PAGE_SHIFT] <= 2) {
      return this.ram[p] | (this.ram[p + 1] << 8);
    }
    if (off === 0xffff && this.model >= CpuModel.i80286 && this.adsz === 16) this.limitFault(seg);
    return this.readPhys8(base + off) | (this.readPhys8(base + ((off + 1) & this.offMask)) << 8);
  }

  write16(seg: number, off: number, v: number): void {
    const base = this.segBase[seg];
    const p = (base + off) & this.amask;
    if ((p & 0xfff) !== 0xfff && off !== 0xffff && this.pageKind[p >>> PAGE_SHIFT] === 0) {
      this.ram[p] = v;
      this.ram[p + 1] = v >> 8;
      return;
    }
    if (off === 0xffff && this.model >= CpuModel.i80286 && this.adsz === 16) this.limitFault(seg);
    this.writePhys8(base + off, v);
    this.writePhys8(base + ((off + 1) & this.offMask), v >> 8);
  }

  /**
   * A real-mode access that runs past the 64 KiB limit: the 8086 wraps within the segment, the 286 and
   * later raise #GP (or #SS for the stack segment) before touching memory.
   */
  limitFault(_seg: number): never {
    // Real mode reports every segment overrun, stack included, as #GP(13).
    return this.fault(13);
  }

  read32(seg: number, off: number): number {
    const m = this.offMask;
    if (m === 0xffff && off > 0xfffc && this.model >= CpuModel.i80286) this.limitFault(seg);
    return this.read16(seg, off) | (this.read16(seg, (off + 2) & m) << 16);
  }

  write32(seg: number, off: number, v: number): void {
    const m = this.offMask;
    if (m === 0xffff && off > 0xfffc && this.model >= CpuModel.i80286) this.limitFault(seg);
    this.write16(seg, off, v & 0xffff);
    this.write16(seg, (off + 2) & m, v >>> 16);
  }

  // ---------------------------------------------------------------- instruction fetch

  fetch8(): number {
    const v = this.readPhys8(this.csBase + this.ip);
    this.ip = (this.ip + 1) & 0xffff;
    return v;
  }

  fetch16(): number {
    const ip = this.ip;
    const p = (this.csBase + ip) & this.amask;
    if (ip < 0xfffe && (p & 0xfff) < 0xfff && this.pageKind[p >>> PAGE_SHIFT] <= 2) {
      this.ip = ip + 2;
      return this.ram[p] | (this.ram[p + 1] << 8);
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

  // ---------------------------------------------------------------- stack (16-bit stack segment in real mode)

  push16(v: number): void {
    const sp = (this.r16[8] - 2) & 0xffff;
    this.r16[8] = sp;
    this.write16(2, sp, v & 0xffff);
  }

  pop16(): number {
    const sp = this.r16[8];
    const v = this.read16(2, sp);
    this.r16[8] = (sp + 2) & 0xffff;
    return v;
  }

  push32(v: number): void {
    const sp = (this.r16[8] - 4) & 0xffff;
    this.r16[8] = sp;
    this.write16(2, sp, v & 0xffff);
    this.write16(2, (sp + 2) & 0xffff, v >>> 16);
  }

  pop32(): number {
    const sp = this.r16[8];
    const v = this.read16(2, sp) | (this.read16(2, (sp + 2) & 0xffff) << 16);
    this.r16[8] = (sp + 4) & 0xffff;
    return v;
  }

  pushV(v: number): void {
    if (this.opsz === 16) this.push16(v);
    else this.push32(v);
  }

  popV(): number {
    return this.opsz === 16 ? this.pop16() : this.pop32();
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
