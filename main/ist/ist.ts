/**
 * The instruction set translator (IST) contract: what the VM monitor may know of the CPU.
 *
 * The CPU touches guest memory and I/O ports only through the `CpuBus` it is given, knows nothing of
 * DOS, video or Electron, and runs until an instruction budget is spent or something needs the monitor.
 * docs/ist.md explains the contract in prose; keep the two in step.
 */

/** The processor being modelled; where the chips differ, behaviour follows this. */
export const CpuModel = {
  i8086: 0,
  i80186: 1,
  i80286: 2,
  i80386: 3,
} as const;
export type CpuModel = (typeof CpuModel)[keyof typeof CpuModel];

/** Why `run()` returned. */
export const StopReason = {
  /** The instruction budget is spent. */
  Budget: 0,
  /** A HLT was executed; IP points past it. The monitor decides: SVC (`HLT; db n; db ~n`) or idle. */
  Halt: 1,
  /** A software interrupt whose vector is hooked (`Cpu.intHooked`); IP points past the INT. Vector in `Cpu.stopVector`. */
  IntHook: 2,
  /** `Cpu.requestStop()` was called (from an I/O handler, a timer...). */
  Requested: 3,
  /** A triple fault / shutdown: the CPU cannot go on (the monitor resets or ends the VM). */
  Shutdown: 4,
} as const;
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

/**
 * Kinds of 4 KiB physical page, shared by the bus and the CPU. Plain RAM takes the fast path; everything
 * else goes through the bus' slow accessors. `Code` marks RAM pages holding bytes the CPU has translated:
 * the CPU itself turns `Ram` pages into `Code` when it translates from them, drops the translations of
 * exactly the bytes a write touches, and then passes the write to `writeSlow`, which must store it like
 * any RAM write. A bus that remaps a page (RAM to MMIO, say) while translations exist must `reset()` the
 * CPU or turn its translator off and on.
 */
export const PageKind = {
  Ram: 0,
  Code: 1,
  Rom: 2,
  Mmio: 3,
} as const;
export type PageKind = (typeof PageKind)[keyof typeof PageKind];

export const PAGE_SHIFT = 12;

/** Memory and ports as the CPU sees them. Implemented by the VM monitor's machine (and by test harnesses). */
export interface CpuBus {
  /** Physical memory, indexed by physical address; its length covers the modelled address space. */
  readonly ram: Uint8Array;
  /** One `PageKind` per 4 KiB page of `ram`. */
  readonly pageKind: Uint8Array;
  /** Byte read of a page whose kind is not `Ram`/`Code`/`Rom`. */
  readSlow(addr: number): number;
  /** Byte write of a page whose kind is not `Ram`. */
  writeSlow(addr: number, value: number): void;
  in8(port: number): number;
  in16(port: number): number;
  in32(port: number): number;
  out8(port: number, value: number): void;
  out16(port: number, value: number): void;
  out32(port: number, value: number): void;
  /** INTA: the vector of the highest-priority pending IRQ, or -1 if it went away (spurious). */
  acknowledgeInterrupt(): number;
}

/** Segment register numbers, in ModR/M `reg` order. */
export const Seg = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5 } as const;

/** General registers in ModR/M order (word/dword forms). */
export const Reg = { AX: 0, CX: 1, DX: 2, BX: 3, SP: 4, BP: 5, SI: 6, DI: 7 } as const;

/** FLAGS bits. */
export const Flag = {
  CF: 0x0001,
  PF: 0x0004,
  AF: 0x0010,
  ZF: 0x0040,
  SF: 0x0080,
  TF: 0x0100,
  IF: 0x0200,
  DF: 0x0400,
  OF: 0x0800,
  IOPL: 0x3000,
  NT: 0x4000,
  RF: 0x10000,
  VM: 0x20000,
  AC: 0x40000,
} as const;

/** A snapshot of the architectural state as plain numbers (real-mode view), for tests, save and debugging. */
export interface CpuRegisters {
  eax: number;
  ecx: number;
  edx: number;
  ebx: number;
  esp: number;
  ebp: number;
  esi: number;
  edi: number;
  eip: number;
  eflags: number;
  es: number;
  cs: number;
  ss: number;
  ds: number;
  fs: number;
  gs: number;
}

/** One segment register with its descriptor cache. */
export interface SegmentState {
  sel: number;
  base: number;
  limit: number;
  /** Access rights as the descriptor's second dword >> 8: access byte, AVL (bit 12), D/B (14), G (15). */
  ar: number;
}

/**
 * Everything the CPU holds, protected mode included: what a DPMI host saves before it reflects an interrupt
 * to real mode and restores afterwards. FPU state is not part of it.
 */
export interface CpuState {
  /** EAX ECX EDX EBX ESP EBP ESI EDI. */
  regs: number[];
  eip: number;
  eflags: number;
  /** ES CS SS DS FS GS. */
  segs: SegmentState[];
  cr0: number;
  cr2: number;
  cr3: number;
  cpl: number;
  gdtBase: number;
  gdtLimit: number;
  idtBase: number;
  idtLimit: number;
  ldtr: SegmentState;
  tr: SegmentState;
}

/** Where an intercepted protected-mode interrupt came from (`Ist.stopSource`). */
export const InterruptSource = {
  /** An IRQ, or the monitor. */
  External: 0,
  /** INT n. */
  Software: 1,
  /** INT3 or INTO. */
  SoftwareTrap: 2,
  /** A CPU exception; `stopErrorCode` holds its error code (-1: none), EIP the faulting instruction. */
  Exception: 3,
} as const;

/** The CPU as the monitor drives it. */
export interface Ist {
  readonly model: CpuModel;
  /** An x87 coprocessor (8087, 287 or 387 by model) is present: ESC instructions execute. */
  readonly hasFpu: boolean;
  /** Instructions retired since reset (the VM's virtual clock derives from it). */
  readonly instructions: number;
  /** Vector of the last `StopReason.IntHook`. */
  readonly stopVector: number;
  /** One byte per vector: non-zero makes `INT n` stop with `StopReason.IntHook` instead of entering the IVT. */
  readonly intHooked: Uint8Array;
  reset(): void;
  /** Execute up to `budget` instructions. */
  run(budget: number): StopReason;
  /** Ask a running `run()` to return after the current instruction. */
  requestStop(): void;
  /** Raise (true) or lower (false) the INTR line; the CPU acknowledges through the bus when IF allows. */
  setIrq(raised: boolean): void;
  /** The A20 gate: when off, physical address bit 20 is forced to zero (wrap at 1 MiB as on an 8086). */
  setA20(enabled: boolean): void;
  /**
   * Run hot code through the block translator (on) or interpret every instruction (off). Both give the
   * same results and the same instruction counts; the translator is faster. Single-stepping (TF)
   * always interprets.
   */
  useTranslator(on: boolean): void;
  /**
   * Physical memory in [addr, addr + length) changed behind the CPU's back (a device wrote guest memory,
   * a ROM was loaded, pages were remapped): translations made from those bytes are dropped.
   */
  memoryChanged(addr: number, length: number): void;
  /** Deliver an interrupt through the vector table now, as INT n would (used by the monitor to reflect). */
  interrupt(vector: number): void;
  getRegisters(): CpuRegisters;
  setRegisters(regs: Partial<CpuRegisters>): void;
  /** CR0.PE is set (protected or V86 mode). */
  readonly protectedMode: boolean;
  /** The linear base of a segment register's descriptor cache (real mode: selector * 16). */
  segmentBase(seg: number): number;
  /** Snapshot and restore of the whole state, descriptor caches and system registers included. */
  saveState(): CpuState;
  restoreState(state: CpuState): void;
  /**
   * Load a segment register the way MOV would in the current mode (protected mode: the descriptor is read
   * from the GDT/LDT and checked). Returns false, changing nothing, where MOV would fault.
   */
  loadSegment(seg: number, selector: number): boolean;
  /**
   * With this set, every interrupt and exception that protected mode would deliver through the IDT stops
   * `run()` with `StopReason.IntHook` instead (a DPMI host in the monitor serves them): `stopVector`,
   * `stopSource` and `stopErrorCode` say what it was; EIP is the return address (the faulting instruction
   * for an exception). V86 mode is not intercepted.
   */
  interceptProtected: boolean;
  readonly stopSource: number;
  readonly stopErrorCode: number;
}
