/**
 * 80286/80386 protected mode: descriptors and segment loads, far transfers through call gates, interrupts
 * and exceptions through the IDT, returns to outer privilege levels and to V86 mode, and task switches.
 *
 * Everything here follows the 386 Programmer's Reference Manual's pseudo-code: each transfer first checks
 * what it will load (raising #GP, #NP, #SS or #TS with the selector as error code), and only then changes
 * registers, so a fault leaves the state of the instruction's start for the restart. The 286 forms are the
 * same with 16-bit gates and TSSs and 24-bit bases. Memory and stack access, the descriptor caches' use
 * and paging live in cpu.ts and paging.ts.
 */
import type { Cpu } from './cpu.js';
import { CpuModel, Flag } from './ist.js';

/** Where an interrupt comes from: the gate DPL is checked for instructions only, EXT is set for the rest. */
export const IntSource = {
  /** An IRQ, an exception, or the monitor: no DPL check, EXT=1 in error codes. */
  External: 0,
  /** INT n: DPL check; IOPL-sensitive in V86 mode. */
  Software: 1,
  /** INT3, INTO: DPL check, not IOPL-sensitive. */
  SoftwareTrap: 2,
} as const;

/** Why a task switch happens: it decides the busy bits, the back link and NT. */
export const TaskSource = { Jump: 0, Call: 1, Iret: 2, Interrupt: 3 } as const;

const ES = 0;
const CS = 1;
const SS = 2;
const DS = 3;

// --- descriptor fields (from the second dword)
const dplOf = (hi: number): number => (hi >>> 13) & 3;
const present = (hi: number): boolean => (hi & 0x8000) !== 0;
/** S bit and type: 0x10 | type for code/data, the system type (0-15) otherwise. */
const typeOf = (hi: number): number => (hi >>> 8) & 0x1f;
const isCode = (t: number): boolean => (t & 0x18) === 0x18;
const isConforming = (t: number): boolean => (t & 0x1c) === 0x1c;
const isWritableData = (t: number): boolean => (t & 0x1a) === 0x12;

function gp(cpu: Cpu, code: number): never {
  return cpu.faultCode(13, code & 0xffff);
}

function np(cpu: Cpu, code: number): never {
  return cpu.faultCode(11, code & 0xffff);
}

function ts(cpu: Cpu, code: number): never {
  return cpu.faultCode(10, code & 0xffff);
}

function ssFault(cpu: Cpu, code: number): never {
  return cpu.faultCode(12, code & 0xffff);
}

/**
 * Read the descriptor `sel` names into cpu.descLo/descHi (and its address into cpu.descAddr). False when
 * it lies beyond its table's limit, or names the LDT while none is loaded.
 */
export function fetchDescriptor(cpu: Cpu, sel: number): boolean {
  let base: number;
  let limit: number;
  if (sel & 4) {
    if ((cpu.ldtr & 0xfffc) === 0) return false;
    base = cpu.ldtBase;
    limit = cpu.ldtLimit;
  } else {
    base = cpu.gdtBase;
    limit = cpu.gdtLimit;
  }
  const index = sel & 0xfff8;
  if (index + 7 > limit >>> 0) return false;
  cpu.descAddr = (base + index) | 0;
  cpu.descLo = cpu.readSys32(cpu.descAddr);
  cpu.descHi = cpu.readSys32(cpu.descAddr + 4);
  // The 286 ignores the descriptor's top word (its bases are 24 bits, there is no G or D bit).
  if (cpu.model === CpuModel.i80286) cpu.descHi &= 0xffff;
  return true;
}

/** Set the accessed bit of a code/data descriptor just read, as every load does. */
function setAccessed(cpu: Cpu): void {
  if ((cpu.descHi & 0x100) === 0) {
    cpu.descHi |= 0x100;
    cpu.writeSys8(cpu.descAddr + 5, (cpu.descHi >>> 8) & 0xff);
  }
}

export function descriptorBase(lo: number, hi: number): number {
  return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
}

export function descriptorLimit(lo: number, hi: number): number {
  const limit = (lo & 0xffff) | (hi & 0xf0000);
  return hi & 0x800000 ? ((limit << 12) | 0xfff) | 0 : limit;
}

/** Fill segment register `seg`'s cache from a descriptor. */
export function setSegmentCache(cpu: Cpu, seg: number, sel: number, lo: number, hi: number): void {
  cpu.sreg[seg] = sel;
  cpu.segBase[seg] = descriptorBase(lo, hi);
  cpu.segLimit[seg] = descriptorLimit(lo, hi);
  cpu.segAr[seg] = (hi >>> 8) & 0xf0ff;
  cpu.updateSegment(seg);
}

/** A null selector in DS/ES/FS/GS: loadable, unusable (any access through it is #GP(0)). */
function setNull(cpu: Cpu, seg: number, sel: number): void {
  cpu.sreg[seg] = sel;
  cpu.segBase[seg] = 0;
  cpu.segLimit[seg] = 0;
  cpu.segAr[seg] = 0;
  cpu.updateSegment(seg);
}

/** Load CS with a checked code descriptor; CPL becomes `cpl` (the selector's RPL is set to it). */
function setCode(cpu: Cpu, sel: number, lo: number, hi: number, cpl: number): void {
  cpu.cpl = cpl;
  cpu.pageUser = cpl === 3;
  setSegmentCache(cpu, CS, (sel & 0xfffc) | cpl, lo, hi);
}

/** The fault a check raises: #GP for instructions, #TS while loading a task's or an inner level's state. */
type Fault = (cpu: Cpu, code: number) => never;

/**
 * A stack segment for privilege `level`: not null, in its table, RPL = DPL = level, writable data, present
 * (else #SS). MOV/POP SS, inner stacks from the TSS, outer stacks on RETF/IRET and a new task's SS all
 * check it so; `ext` is the error code's EXT bit. The descriptor is left in cpu.descLo/descHi.
 */
function checkStackSegment(cpu: Cpu, ss: number, level: number, fault: Fault, ext = 0): void {
  if ((ss & 0xfffc) === 0) fault(cpu, ext);
  const code = (ss & 0xfffc) | ext;
  if (!fetchDescriptor(cpu, ss)) fault(cpu, code);
  const hi = cpu.descHi;
  if ((ss & 3) !== level || dplOf(hi) !== level || !isWritableData(typeOf(hi))) fault(cpu, code);
  if (!present(hi)) ssFault(cpu, code);
}

/**
 * A data segment register's (DS, ES, FS, GS) non-null selector at privilege `cpl`: data or readable code in
 * its table, visible to CPL and RPL unless conforming code, present (else #NP). The descriptor is left in
 * cpu.descLo/descHi.
 */
function checkDataSegment(cpu: Cpu, sel: number, cpl: number, fault: Fault): void {
  if (!fetchDescriptor(cpu, sel)) fault(cpu, sel & 0xfffc);
  const hi = cpu.descHi;
  const t = typeOf(hi);
  if ((t & 0x10) === 0 || (t & 0x1a) === 0x18) fault(cpu, sel & 0xfffc);
  if (!isConforming(t) && ((sel & 3) > dplOf(hi) || cpl > dplOf(hi))) fault(cpu, sel & 0xfffc);
  if (!present(hi)) np(cpu, sel & 0xfffc);
}

/** MOV/POP/LxS of a segment register in protected mode (not V86), with the 386's checks. */
export function loadSegmentProtected(cpu: Cpu, seg: number, sel: number): void {
  if (seg === SS) checkStackSegment(cpu, sel, cpu.cpl, gp);
  else if ((sel & 0xfffc) === 0) {
    setNull(cpu, seg, sel);
    return;
  } else checkDataSegment(cpu, sel, cpu.cpl, gp);
  setAccessed(cpu);
  setSegmentCache(cpu, seg, sel, cpu.descLo, cpu.descHi);
}

/** After a return to an outer level: data segments the new CPL may not use become null. */
function nullInaccessibleSegments(cpu: Cpu): void {
  for (const seg of [ES, DS, 4, 5]) {
    const ar = cpu.segAr[seg];
    if ((ar & 0x80) === 0) continue;
    const t = (ar & 0x1f);
    const dpl = (ar >>> 5) & 3;
    if ((!isCode(t) || !isConforming(t)) && dpl < cpu.cpl) setNull(cpu, seg, 0);
  }
}

/** Checks of a code segment as the target of JMP or CALL (direct, not through a gate). */
function checkDirectCodeTarget(cpu: Cpu, sel: number, hi: number): void {
  const t = typeOf(hi);
  if (!isCode(t)) gp(cpu, sel & 0xfffc);
  if (isConforming(t)) {
    if (dplOf(hi) > cpu.cpl) gp(cpu, sel & 0xfffc);
  } else if ((sel & 3) > cpu.cpl || dplOf(hi) !== cpu.cpl) gp(cpu, sel & 0xfffc);
  if (!present(hi)) np(cpu, sel & 0xfffc);
}

function checkOffset(cpu: Cpu, off: number, lo: number, hi: number): void {
  if (off >>> 0 > descriptorLimit(lo, hi) >>> 0) gp(cpu, 0);
}

/** The stack for privilege level `dpl` from the current TSS: [ss, esp]. */
function innerStack(cpu: Cpu, dpl: number, ext: number): [number, number] {
  if (cpu.trType & 8) {
    const at = 4 + dpl * 8;
    if (at + 7 > cpu.trLimit >>> 0) ts(cpu, (cpu.tr & 0xfffc) | ext);
    return [cpu.readSys16(cpu.trBase + at + 4), cpu.readSys32(cpu.trBase + at)];
  }
  const at = 2 + dpl * 4;
  if (at + 3 > cpu.trLimit >>> 0) ts(cpu, (cpu.tr & 0xfffc) | ext);
  return [cpu.readSys16(cpu.trBase + at + 2), cpu.readSys16(cpu.trBase + at)];
}

interface SavedStack {
  sel: number;
  base: number;
  limit: number;
  ar: number;
  esp: number;
  cpl: number;
}

function saveStack(cpu: Cpu): SavedStack {
  return { sel: cpu.sreg[SS], base: cpu.segBase[SS], limit: cpu.segLimit[SS], ar: cpu.segAr[SS], esp: cpu.r32[4], cpl: cpu.cpl };
}

function restoreStack(cpu: Cpu, s: SavedStack): void {
  cpu.sreg[SS] = s.sel;
  cpu.segBase[SS] = s.base;
  cpu.segLimit[SS] = s.limit;
  cpu.segAr[SS] = s.ar;
  cpu.r32[4] = s.esp;
  cpu.cpl = s.cpl;
  cpu.pageUser = s.cpl === 3;
  cpu.updateSegment(SS);
}

/**
 * Switch to a new stack and push onto it; a fault while pushing puts the old stack back (#SS with the new
 * selector, as the manual has it for an inner stack that is too small).
 */
function pushOnNewStack(cpu: Cpu, ss: number, lo: number, hi: number, esp: number, newCpl: number, push: () => void): void {
  const old = saveStack(cpu);
  setSegmentCache(cpu, SS, ss, lo, hi);
  cpu.r32[4] = esp;
  if (!cpu.ss32) cpu.r32[4] = esp & 0xffff;
  // The new stack is written with the new level's page rights.
  cpu.cpl = newCpl;
  cpu.pageUser = newCpl === 3;
  try {
    push();
  } catch (e) {
    restoreStack(cpu, old);
    throw e;
  }
}

// ---------------------------------------------------------------- JMP / CALL far

export function jumpFarProtected(cpu: Cpu, sel: number, off: number): void {
  if ((sel & 0xfffc) === 0) gp(cpu, 0);
  if (!fetchDescriptor(cpu, sel)) gp(cpu, sel & 0xfffc);
  const lo = cpu.descLo;
  const hi = cpu.descHi;
  const t = typeOf(hi);
  if (t & 0x10) {
    checkDirectCodeTarget(cpu, sel, hi);
    if (cpu.opsz === 16) off &= 0xffff;
    checkOffset(cpu, off, lo, hi);
    setAccessed(cpu);
    setCode(cpu, sel, cpu.descLo, cpu.descHi, cpu.cpl);
    cpu.ip = off;
    return;
  }
  const dpl = dplOf(hi);
  switch (t) {
    case 0x4: case 0xc: { // call gate
      if (dpl < cpu.cpl || dpl < (sel & 3)) gp(cpu, sel & 0xfffc);
      if (!present(hi)) np(cpu, sel & 0xfffc);
      const target = lo >>> 16;
      const gateOff = t === 0xc ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
      if ((target & 0xfffc) === 0) gp(cpu, 0);
      if (!fetchDescriptor(cpu, target)) gp(cpu, target & 0xfffc);
      const chi = cpu.descHi;
      const ct = typeOf(chi);
      if (!isCode(ct)) gp(cpu, target & 0xfffc);
      if (isConforming(ct) ? dplOf(chi) > cpu.cpl : dplOf(chi) !== cpu.cpl) gp(cpu, target & 0xfffc);
      if (!present(chi)) np(cpu, target & 0xfffc);
      checkOffset(cpu, gateOff, cpu.descLo, chi);
      setAccessed(cpu);
      setCode(cpu, target, cpu.descLo, cpu.descHi, cpu.cpl);
      cpu.ip = gateOff;
      return;
    }
    case 0x5: { // task gate
      if (dpl < cpu.cpl || dpl < (sel & 3)) gp(cpu, sel & 0xfffc);
      if (!present(hi)) np(cpu, sel & 0xfffc);
      taskSwitchThroughGate(cpu, lo >>> 16, TaskSource.Jump);
      return;
    }
    case 0x1: case 0x9: { // available TSS
      if (dpl < cpu.cpl || dpl < (sel & 3)) gp(cpu, sel & 0xfffc);
      if (!present(hi)) np(cpu, sel & 0xfffc);
      taskSwitch(cpu, sel, TaskSource.Jump);
      return;
    }
    default:
      gp(cpu, sel & 0xfffc);
  }
}

export function callFarProtected(cpu: Cpu, sel: number, off: number): void {
  if ((sel & 0xfffc) === 0) gp(cpu, 0);
  if (!fetchDescriptor(cpu, sel)) gp(cpu, sel & 0xfffc);
  const lo = cpu.descLo;
  const hi = cpu.descHi;
  const t = typeOf(hi);
  const retCs = cpu.sreg[CS];
  const retIp = cpu.ip;
  if (t & 0x10) {
    checkDirectCodeTarget(cpu, sel, hi);
    if (cpu.opsz === 16) off &= 0xffff;
    checkOffset(cpu, off, lo, hi);
    pushReturn(cpu, cpu.opsz, retCs, retIp);
    setAccessed(cpu);
    setCode(cpu, sel, lo, hi, cpu.cpl);
    cpu.ip = off;
    return;
  }
  const dpl = dplOf(hi);
  switch (t) {
    case 0x4: case 0xc:
      if (dpl < cpu.cpl || dpl < (sel & 3)) gp(cpu, sel & 0xfffc);
      if (!present(hi)) np(cpu, sel & 0xfffc);
      callGate(cpu, lo, hi, t === 0xc ? 32 : 16, retCs, retIp);
      return;
    case 0x5:
      if (dpl < cpu.cpl || dpl < (sel & 3)) gp(cpu, sel & 0xfffc);
      if (!present(hi)) np(cpu, sel & 0xfffc);
      taskSwitchThroughGate(cpu, lo >>> 16, TaskSource.Call);
      return;
    case 0x1: case 0x9:
      if (dpl < cpu.cpl || dpl < (sel & 3)) gp(cpu, sel & 0xfffc);
      if (!present(hi)) np(cpu, sel & 0xfffc);
      taskSwitch(cpu, sel, TaskSource.Call);
      return;
    default:
      gp(cpu, sel & 0xfffc);
  }
}

/** Push a far return address of `size` bits; all or nothing (SP moves only when both are written). */
function pushReturn(cpu: Cpu, size: number, cs: number, ip: number): void {
  const sp = cpu.r32[4];
  try {
    if (size === 16) {
      cpu.push16(cs);
      cpu.push16(ip);
    } else {
      cpu.push32(cs);
      cpu.push32(ip);
    }
  } catch (e) {
    cpu.r32[4] = sp;
    throw e;
  }
}

function callGate(cpu: Cpu, lo: number, hi: number, size: number, retCs: number, retIp: number): void {
  const target = lo >>> 16;
  const gateOff = size === 32 ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
  const params = hi & 0x1f;
  if ((target & 0xfffc) === 0) gp(cpu, 0);
  if (!fetchDescriptor(cpu, target)) gp(cpu, target & 0xfffc);
  const clo = cpu.descLo;
  const chi = cpu.descHi;
  const ct = typeOf(chi);
  const cdpl = dplOf(chi);
  if (!isCode(ct) || cdpl > cpu.cpl) gp(cpu, target & 0xfffc);
  if (!present(chi)) np(cpu, target & 0xfffc);
  if (!isConforming(ct) && cdpl < cpu.cpl) {
    // More privileged: the new level's stack from the TSS, the caller's SS:ESP and parameters copied to it.
    const [ss, esp] = innerStack(cpu, cdpl, 0);
    checkStackSegment(cpu, ss, cdpl, ts);
    const slo = cpu.descLo;
    const shi = cpu.descHi;
    const setAcc = cpu.descAddr;
    checkOffset(cpu, gateOff, clo, chi);
    const oldSs = cpu.sreg[SS];
    const oldEsp = cpu.r32[4]; // all of ESP, even on a 16-bit stack (a 32-bit gate pushes it whole)
    const w = size >> 3;
    const copied: number[] = [];
    for (let i = params - 1; i >= 0; i--) copied.push(cpu.readStack(i * w, w));
    try {
      pushOnNewStack(cpu, ss, slo, shi, esp, cdpl, () => {
        if (size === 32) {
          cpu.push32(oldSs);
          cpu.push32(oldEsp);
          for (const v of copied) cpu.push32(v);
          cpu.push32(retCs);
          cpu.push32(retIp);
        } else {
          cpu.push16(oldSs);
          cpu.push16(oldEsp);
          for (const v of copied) cpu.push16(v);
          cpu.push16(retCs);
          cpu.push16(retIp);
        }
      });
    } catch (e) {
      cpu.r32[4] = oldEsp;
      // The new stack's own limit: #SS with its selector.
      if ((e as { vector?: number }).vector === 12) ssFault(cpu, ss & 0xfffc);
      throw e;
    }
    if ((shi & 0x100) === 0) cpu.writeSys8(setAcc + 5, ((shi | 0x100) >>> 8) & 0xff);
    fetchDescriptor(cpu, target);
    setAccessed(cpu);
    setCode(cpu, target, clo, chi, cdpl);
    cpu.ip = gateOff;
    return;
  }
  checkOffset(cpu, gateOff, clo, chi);
  pushReturn(cpu, size, retCs, retIp);
  setAccessed(cpu);
  setCode(cpu, target, clo, chi, cpu.cpl);
  cpu.ip = gateOff;
}

// ---------------------------------------------------------------- RETF

/** RETF's and IRET's checks of the CS they return to (its descriptor is left in cpu.descLo/descHi). */
function checkReturnCode(cpu: Cpu, sel: number): void {
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) gp(cpu, 0);
  if (!fetchDescriptor(cpu, sel)) gp(cpu, sel & 0xfffc);
  const hi = cpu.descHi;
  const t = typeOf(hi);
  if (!isCode(t) || rpl < cpu.cpl) gp(cpu, sel & 0xfffc);
  if (isConforming(t) ? dplOf(hi) > rpl : dplOf(hi) !== rpl) gp(cpu, sel & 0xfffc);
  if (!present(hi)) np(cpu, sel & 0xfffc);
}

export function retFarProtected(cpu: Cpu, release: number): void {
  const w = cpu.opsz >> 3;
  const ip = cpu.readStack(0, w);
  const sel = cpu.readStack(w, w) & 0xffff;
  const rpl = sel & 3;
  checkReturnCode(cpu, sel);
  const lo = cpu.descLo;
  const hi = cpu.descHi;
  if (rpl === cpu.cpl) {
    checkOffset(cpu, ip, lo, hi);
    setAccessed(cpu);
    cpu.adjustSP(2 * w + release);
    setCode(cpu, sel, lo, hi, cpu.cpl);
    cpu.ip = ip;
    return;
  }
  // To an outer level: the caller's SS:ESP follow the parameters.
  const esp = cpu.readStack(2 * w + release, w);
  const ss = cpu.readStack(3 * w + release, w) & 0xffff;
  checkStackSegment(cpu, ss, rpl, gp);
  const shi = cpu.descHi;
  const slo = cpu.descLo;
  checkOffset(cpu, ip, lo, hi);
  setAccessed(cpu);
  fetchDescriptor(cpu, sel);
  setAccessed(cpu);
  setCode(cpu, sel, lo, hi, rpl);
  setSegmentCache(cpu, SS, ss, slo, shi | 0x100);
  if (cpu.ss32) cpu.r32[4] = (w === 2 ? esp & 0xffff : esp) + release;
  else cpu.r16[8] = esp + release;
  cpu.ip = ip;
  nullInaccessibleSegments(cpu);
}

// ---------------------------------------------------------------- IRET

/** FLAGS bits an IRET or POPF may write at the current CPL and IOPL (protected mode, not V86). */
export function writableFlags(cpu: Cpu): number {
  let w = 0x7fd5 | Flag.RF;
  const iopl = (cpu.flags >> 12) & 3;
  if (cpu.cpl > 0) w &= ~Flag.IOPL;
  if (cpu.cpl > iopl) w &= ~Flag.IF;
  return w;
}

function applyFlags(cpu: Cpu, v: number, mask: number): void {
  cpu.lazy = 0;
  cpu.flags = (cpu.flags & ~mask) | (v & mask) | 2;
  if (cpu.flags & Flag.TF) cpu.attention |= 16; // Attention.TrapNext
  if (cpu.irqLine) cpu.attention |= 1; // Attention.Irq
}

export function iretProtected(cpu: Cpu): void {
  const w = cpu.opsz >> 3;
  if (cpu.flags & Flag.VM) {
    // V86 mode: IRET is IOPL-sensitive; with IOPL 3 it is the real-mode IRET that cannot change IOPL.
    if ((cpu.flags & Flag.IOPL) !== Flag.IOPL) gp(cpu, 0);
    const ip = cpu.readStack(0, w);
    const cs = cpu.readStack(w, w) & 0xffff;
    const fl = cpu.readStack(2 * w, w);
    if (ip >>> 0 > 0xffff) gp(cpu, 0);
    cpu.adjustSP(3 * w);
    cpu.loadSegReal(CS, cs);
    cpu.ip = ip;
    applyFlags(cpu, fl, (w === 2 ? 0xffff : ~(Flag.VM | Flag.RF)) & (0x7fd5 | Flag.RF) & ~Flag.IOPL);
    return;
  }
  if (cpu.flags & Flag.NT) {
    // Return from a nested task: back to the task whose selector is in this TSS's link field.
    const link = cpu.readSys16(cpu.trBase);
    taskSwitch(cpu, link, TaskSource.Iret);
    return;
  }
  const ip = cpu.readStack(0, w);
  const sel = cpu.readStack(w, w) & 0xffff;
  const fl = cpu.readStack(2 * w, w);
  if (w === 4 && fl & Flag.VM && cpu.cpl === 0) {
    returnToV86(cpu, ip, sel, fl);
    return;
  }
  const rpl = sel & 3;
  checkReturnCode(cpu, sel);
  const lo = cpu.descLo;
  const hi = cpu.descHi;
  const mask = writableFlags(cpu) & (w === 2 ? 0xffff : -1) & ~Flag.VM;
  if (rpl === cpu.cpl) {
    checkOffset(cpu, ip, lo, hi);
    setAccessed(cpu);
    cpu.adjustSP(3 * w);
    setCode(cpu, sel, lo, hi, cpu.cpl);
    cpu.ip = ip;
    applyFlags(cpu, fl, mask);
    return;
  }
  const esp = cpu.readStack(3 * w, w);
  const ss = cpu.readStack(4 * w, w) & 0xffff;
  checkStackSegment(cpu, ss, rpl, gp);
  const slo = cpu.descLo;
  const shi = cpu.descHi;
  checkOffset(cpu, ip, lo, hi);
  setAccessed(cpu);
  fetchDescriptor(cpu, sel);
  setAccessed(cpu);
  applyFlags(cpu, fl, mask);
  setCode(cpu, sel, lo, hi, rpl);
  setSegmentCache(cpu, SS, ss, slo, shi | 0x100);
  cpu.r32[4] = cpu.ss32 ? esp : (cpu.r32[4] & ~0xffff) | (esp & 0xffff);
  cpu.ip = ip;
  nullInaccessibleSegments(cpu);
}

/** IRETD at CPL 0 with VM set in the popped EFLAGS: the V86 task's ESP, SS, ES, DS, FS, GS follow. */
function returnToV86(cpu: Cpu, ip: number, cs: number, fl: number): void {
  const esp = cpu.readStack(12, 4);
  const ss = cpu.readStack(16, 4) & 0xffff;
  const es = cpu.readStack(20, 4) & 0xffff;
  const ds = cpu.readStack(24, 4) & 0xffff;
  const fs = cpu.readStack(28, 4) & 0xffff;
  const gs = cpu.readStack(32, 4) & 0xffff;
  applyFlags(cpu, fl, 0x7fd5 | Flag.RF | Flag.VM);
  cpu.modeChanged();
  cpu.cpl = 3;
  cpu.pageUser = true;
  cpu.loadSegReal(CS, cs);
  cpu.loadSegReal(SS, ss);
  cpu.loadSegReal(ES, es);
  cpu.loadSegReal(DS, ds);
  cpu.loadSegReal(4, fs);
  cpu.loadSegReal(5, gs);
  cpu.r32[4] = esp;
  cpu.ip = ip & 0xffff;
}

// ---------------------------------------------------------------- interrupts and exceptions

/** Vectors for which the 286/386 push an error code. */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/** Deliver exception `vector` in protected mode, with its error code where it has one. */
export function deliverException(cpu: Cpu, vector: number, code: number): void {
  if (hasErrorCode(vector)) {
    if (code < 0) code = 0;
  } else code = -1;
  interruptProtected(cpu, vector, IntSource.External, code);
}

/**
 * Interrupt or exception through the IDT: task, interrupt and trap gates (286 and 386 forms), a stack
 * switch to the handler's level from the TSS, and the exit from V86 mode with the V86 segment registers
 * saved on the ring-0 stack.
 */
export function interruptProtected(cpu: Cpu, vector: number, source: number, code: number): void {
  const ext = source === IntSource.External ? 1 : 0;
  const gateErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > cpu.idtLimit >>> 0) gp(cpu, gateErr);
  const lo = cpu.readSys32(cpu.idtBase + vector * 8);
  let hi = cpu.readSys32(cpu.idtBase + vector * 8 + 4);
  if (cpu.model === CpuModel.i80286) hi &= 0xffff;
  const t = typeOf(hi);
  if (t !== 0x5 && t !== 0x6 && t !== 0x7 && t !== 0xe && t !== 0xf) gp(cpu, gateErr);
  if (source !== IntSource.External && dplOf(hi) < cpu.cpl) gp(cpu, gateErr);
  if (!present(hi)) np(cpu, gateErr);
  if (t === 0x5) {
    taskSwitchThroughGate(cpu, lo >>> 16, TaskSource.Interrupt, ext);
    if (code >= 0) {
      if (cpu.trType & 8) cpu.push32(code);
      else cpu.push16(code);
    }
    return;
  }
  const size = t >= 0xe ? 32 : 16;
  const trap = (t & 1) !== 0;
  const target = lo >>> 16;
  const off = size === 32 ? (lo & 0xffff) | (hi & 0xffff0000) : lo & 0xffff;
  if ((target & 0xfffc) === 0) gp(cpu, ext);
  if (!fetchDescriptor(cpu, target)) gp(cpu, (target & 0xfffc) | ext);
  const clo = cpu.descLo;
  const chi = cpu.descHi;
  const ct = typeOf(chi);
  const cdpl = dplOf(chi);
  if (!isCode(ct) || cdpl > cpu.cpl) gp(cpu, (target & 0xfffc) | ext);
  if (!present(chi)) np(cpu, (target & 0xfffc) | ext);
  checkOffset(cpu, off, clo, chi);
  const flags = cpu.getFlags();
  const v86 = (flags & Flag.VM) !== 0;
  const retCs = cpu.sreg[CS];
  const retIp = cpu.ip;
  if (!isConforming(ct) && cdpl < cpu.cpl) {
    if (v86 && cdpl !== 0) gp(cpu, (target & 0xfffc) | ext);
    const [ss, esp] = innerStack(cpu, cdpl, ext);
    checkStackSegment(cpu, ss, cdpl, ts, ext);
    const slo = cpu.descLo;
    const shi = cpu.descHi;
    const oldSs = cpu.sreg[SS];
    const oldEsp = cpu.r32[4]; // all of ESP, even on a 16-bit stack (a 32-bit gate pushes it whole)
    const segs = v86 ? [cpu.sreg[5], cpu.sreg[4], cpu.sreg[DS], cpu.sreg[ES]] : [];
    const push = size === 32 ? (v: number): void => cpu.push32(v) : (v: number): void => cpu.push16(v);
    // The V86 segment registers are gone once the stack has switched: leave V86 mode first.
    if (v86) {
      cpu.flags &= ~Flag.VM;
      cpu.modeChanged();
    }
    try {
      pushOnNewStack(cpu, ss, slo, shi | 0x100, esp, cdpl, () => {
        for (const s of segs) push(s);
        push(oldSs);
        push(oldEsp);
        push(flags);
        push(retCs);
        push(retIp);
        if (code >= 0) push(code);
      });
    } catch (e) {
      cpu.r32[4] = oldEsp;
      if (v86) {
        cpu.flags |= Flag.VM;
        cpu.modeChanged();
      }
      throw e;
    }
    if (v86) for (const s of [ES, DS, 4, 5]) setNull(cpu, s, 0);
    fetchDescriptor(cpu, target);
    setAccessed(cpu);
    setCode(cpu, target, clo, chi, cdpl);
  } else {
    if (v86) gp(cpu, (target & 0xfffc) | ext);
    const sp = cpu.r32[4];
    try {
      if (size === 32) {
        cpu.push32(flags);
        cpu.push32(retCs);
        cpu.push32(retIp);
        if (code >= 0) cpu.push32(code);
      } else {
        cpu.push16(flags);
        cpu.push16(retCs);
        cpu.push16(retIp);
        if (code >= 0) cpu.push16(code);
      }
    } catch (e) {
      cpu.r32[4] = sp;
      throw e;
    }
    setAccessed(cpu);
    setCode(cpu, target, clo, chi, cpu.cpl);
  }
  cpu.flags &= ~(Flag.TF | Flag.NT | Flag.RF | Flag.VM | (trap ? 0 : Flag.IF));
  cpu.ip = off;
}

// ---------------------------------------------------------------- task switches

function taskSwitchThroughGate(cpu: Cpu, tss: number, source: number, ext = 0): void {
  if (tss & 4) gp(cpu, (tss & 0xfffc) | ext);
  taskSwitch(cpu, tss, source, ext);
}

/**
 * Switch to the task whose TSS descriptor `sel` names: save the registers into the current TSS, mark the
 * busy bits, link the new task back for CALL and interrupts (NT), set CR0.TS, then load the new task's
 * registers, LDT and segments. Checks of the new task's segments raise #TS in the new task's context.
 */
export function taskSwitch(cpu: Cpu, sel: number, source: number, ext = 0): void {
  if (!fetchDescriptor(cpu, sel) || sel & 4) {
    if (source === TaskSource.Iret) ts(cpu, (sel & 0xfffc) | ext);
    gp(cpu, (sel & 0xfffc) | ext);
  }
  const lo = cpu.descLo;
  const hi = cpu.descHi;
  const descAddr = cpu.descAddr;
  const t = typeOf(hi);
  const busy = t === 0x3 || t === 0xb;
  const avail = t === 0x1 || t === 0x9;
  if (source === TaskSource.Iret ? !busy : !avail) {
    if (source === TaskSource.Iret) ts(cpu, (sel & 0xfffc) | ext);
    gp(cpu, (sel & 0xfffc) | ext);
  }
  if (!present(hi)) np(cpu, (sel & 0xfffc) | ext);
  const is386 = (t & 8) !== 0;
  const base = descriptorBase(lo, hi);
  const limit = descriptorLimit(lo, hi);
  if (limit >>> 0 < (is386 ? 0x67 : 0x2b)) ts(cpu, (sel & 0xfffc) | ext);

  // Read the whole new state first: a fault here changes nothing.
  const n = is386
    ? {
        cr3: cpu.readSys32(base + 0x1c),
        eip: cpu.readSys32(base + 0x20),
        eflags: cpu.readSys32(base + 0x24),
        regs: Array.from({ length: 8 }, (_, i) => cpu.readSys32(base + 0x28 + i * 4)),
        segs: Array.from({ length: 6 }, (_, i) => cpu.readSys16(base + 0x48 + i * 4)),
        ldt: cpu.readSys16(base + 0x60),
        trap: cpu.readSys16(base + 0x64) & 1,
      }
    : {
        cr3: 0,
        eip: cpu.readSys16(base + 0x0e),
        eflags: cpu.readSys16(base + 0x10),
        regs: Array.from({ length: 8 }, (_, i) => cpu.readSys16(base + 0x12 + i * 2)),
        segs: [...Array.from({ length: 4 }, (_, i) => cpu.readSys16(base + 0x22 + i * 2)), 0, 0],
        ldt: cpu.readSys16(base + 0x2a),
        trap: 0,
      };

  // Save the current task.
  let oldFlags = cpu.getFlags();
  if (source === TaskSource.Iret) oldFlags &= ~Flag.NT;
  const ob = cpu.trBase;
  if (cpu.trType & 8) {
    cpu.writeSys32(ob + 0x20, cpu.ip);
    cpu.writeSys32(ob + 0x24, oldFlags);
    for (let i = 0; i < 8; i++) cpu.writeSys32(ob + 0x28 + i * 4, cpu.r32[i]);
    for (let i = 0; i < 6; i++) cpu.writeSys16(ob + 0x48 + i * 4, cpu.sreg[i]);
  } else {
    cpu.writeSys16(ob + 0x0e, cpu.ip);
    cpu.writeSys16(ob + 0x10, oldFlags);
    for (let i = 0; i < 8; i++) cpu.writeSys16(ob + 0x12 + i * 2, cpu.r16[i * 2]);
    for (let i = 0; i < 4; i++) cpu.writeSys16(ob + 0x22 + i * 2, cpu.sreg[i]);
  }
  const oldTr = cpu.tr;
  if (source === TaskSource.Jump || source === TaskSource.Iret) {
    // Clear the old task's busy bit.
    if (fetchDescriptor(cpu, oldTr)) cpu.writeSys8(cpu.descAddr + 5, ((cpu.descHi >>> 8) & 0xff) & ~0x02);
  }
  let flags = n.eflags;
  if (source === TaskSource.Call || source === TaskSource.Interrupt) {
    cpu.writeSys16(base, oldTr);
    flags |= Flag.NT;
  }
  if (source !== TaskSource.Iret) cpu.writeSys8(descAddr + 5, ((hi >>> 8) & 0xff) | 0x02);

  // Commit: the new task's registers.
  cpu.tr = sel;
  cpu.trBase = base;
  cpu.trLimit = limit;
  cpu.trType = t | 0x2;
  cpu.cr0 |= 8;
  cpu.cr[0] = cpu.cr0;
  if (is386 && cpu.paging) {
    cpu.cr[3] = n.cr3;
    cpu.flushTlb();
  }
  cpu.lazy = 0;
  cpu.flags = is386 ? (flags & 0x37fd7) | 2 : (flags & 0x7fd7) | 2;
  for (let i = 0; i < 8; i++) {
    // A 286 TSS holds words: the 386 fills the registers' top halves with ones (as Bochs and test386 have it).
    if (is386) cpu.r32[i] = n.regs[i];
    else cpu.r32[i] = 0xffff0000 | n.regs[i];
  }
  cpu.ip = n.eip;
  // Selectors first, unusable until checked, so a #TS below is taken with the new task's values.
  for (let i = 0; i < 6; i++) {
    cpu.sreg[i] = n.segs[i];
  }
  cpu.ldtr = n.ldt;
  cpu.ldtBase = cpu.ldtLimit = 0;
  cpu.modeChanged();
  cpu.instrStart = cpu.ip;
  if (n.trap) cpu.dr[6] |= 0x8000;

  // The LDT, then the segments, in the new task's context.
  if ((n.ldt & 0xfffc) !== 0) {
    if (n.ldt & 4) ts(cpu, n.ldt & 0xfffc);
    if (!fetchDescriptor(cpu, n.ldt)) ts(cpu, n.ldt & 0xfffc);
    if (typeOf(cpu.descHi) !== 0x2) ts(cpu, n.ldt & 0xfffc);
    if (!present(cpu.descHi)) ts(cpu, n.ldt & 0xfffc);
    cpu.ldtr = n.ldt;
    cpu.ldtBase = descriptorBase(cpu.descLo, cpu.descHi);
    cpu.ldtLimit = descriptorLimit(cpu.descLo, cpu.descHi);
  }
  if (cpu.flags & Flag.VM) {
    cpu.cpl = 3;
    cpu.pageUser = true;
    for (let i = 0; i < 6; i++) cpu.loadSegReal(i, n.segs[i]);
    return;
  }
  const csSel = n.segs[CS];
  const newCpl = csSel & 3;
  if ((csSel & 0xfffc) === 0 || !fetchDescriptor(cpu, csSel)) ts(cpu, csSel & 0xfffc);
  {
    const h = cpu.descHi;
    const ct = typeOf(h);
    if (!isCode(ct) || (isConforming(ct) ? dplOf(h) > newCpl : dplOf(h) !== newCpl)) ts(cpu, csSel & 0xfffc);
    if (!present(h)) np(cpu, csSel & 0xfffc);
    setAccessed(cpu);
    setCode(cpu, csSel, cpu.descLo, cpu.descHi, newCpl);
  }
  const ssSel = n.segs[SS];
  checkStackSegment(cpu, ssSel, newCpl, ts);
  setAccessed(cpu);
  setSegmentCache(cpu, SS, ssSel, cpu.descLo, cpu.descHi);
  for (const seg of [ES, DS, 4, 5]) {
    const s = n.segs[seg];
    if ((s & 0xfffc) === 0) {
      setNull(cpu, seg, s);
      continue;
    }
    checkDataSegment(cpu, s, newCpl, ts);
    setAccessed(cpu);
    setSegmentCache(cpu, seg, s, cpu.descLo, cpu.descHi);
  }
}

// ---------------------------------------------------------------- LLDT, LTR, LAR, LSL, VERR, VERW

export function loadLdt(cpu: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) {
    cpu.ldtr = sel;
    cpu.ldtBase = cpu.ldtLimit = 0;
    return;
  }
  if (sel & 4 || !fetchDescriptor(cpu, sel)) gp(cpu, sel & 0xfffc);
  if (typeOf(cpu.descHi) !== 0x2) gp(cpu, sel & 0xfffc);
  if (!present(cpu.descHi)) np(cpu, sel & 0xfffc);
  cpu.ldtr = sel;
  cpu.ldtBase = descriptorBase(cpu.descLo, cpu.descHi);
  cpu.ldtLimit = descriptorLimit(cpu.descLo, cpu.descHi);
}

export function loadTaskRegister(cpu: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) gp(cpu, 0);
  if (sel & 4 || !fetchDescriptor(cpu, sel)) gp(cpu, sel & 0xfffc);
  const t = typeOf(cpu.descHi);
  if (t !== 0x1 && t !== 0x9) gp(cpu, sel & 0xfffc);
  if (!present(cpu.descHi)) np(cpu, sel & 0xfffc);
  cpu.writeSys8(cpu.descAddr + 5, ((cpu.descHi >>> 8) & 0xff) | 0x02);
  cpu.tr = sel;
  cpu.trBase = descriptorBase(cpu.descLo, cpu.descHi);
  cpu.trLimit = descriptorLimit(cpu.descLo, cpu.descHi);
  cpu.trType = t | 0x2;
}

/**
 * Whether `sel`'s descriptor is visible at the current CPL and RPL for LAR/LSL/VERR/VERW (conforming code
 * is visible from any level). Leaves the descriptor in cpu.descLo/descHi.
 */
function visible(cpu: Cpu, sel: number): boolean {
  if ((sel & 0xfffc) === 0 || !fetchDescriptor(cpu, sel)) return false;
  const hi = cpu.descHi;
  const t = typeOf(hi);
  if (isConforming(t)) return true;
  return dplOf(hi) >= cpu.cpl && dplOf(hi) >= (sel & 3);
}

/** LAR's system types: TSSs, LDT, call and task gates (286 and 386 forms). */
const LAR_SYSTEM = new Set([0x1, 0x2, 0x3, 0x4, 0x5, 0x9, 0xb, 0xc]);
/** LSL's system types: TSSs and the LDT. */
const LSL_SYSTEM = new Set([0x1, 0x2, 0x3, 0x9, 0xb]);

/** LAR: the access rights (second dword masked to 00FxFF00h), or -1 with ZF clear. */
export function loadAccessRights(cpu: Cpu, sel: number): number {
  if (!visible(cpu, sel)) return -1;
  const t = typeOf(cpu.descHi);
  if ((t & 0x10) === 0 && !LAR_SYSTEM.has(t)) return -1;
  return cpu.descHi & 0x00f0ff00;
}

/** LSL: the byte-granular limit, or -1 (as a sentinel; limits are returned as uint32 numbers). */
export function loadSegmentLimit(cpu: Cpu, sel: number): number {
  if (!visible(cpu, sel)) return -1;
  const t = typeOf(cpu.descHi);
  if ((t & 0x10) === 0 && !LSL_SYSTEM.has(t)) return -1;
  return descriptorLimit(cpu.descLo, cpu.descHi) >>> 0;
}

/** VERR (write false) / VERW (write true). */
export function verifySegment(cpu: Cpu, sel: number, write: boolean): boolean {
  if ((sel & 0xfffc) === 0 || !fetchDescriptor(cpu, sel)) return false;
  const hi = cpu.descHi;
  const t = typeOf(hi);
  if ((t & 0x10) === 0) return false;
  if (!(isConforming(t) && !write) && (dplOf(hi) < cpu.cpl || dplOf(hi) < (sel & 3))) return false;
  if (write) return isWritableData(t);
  return !isCode(t) || (t & 2) !== 0;
}

/** The I/O permission check for IN/OUT/INS/OUTS at CPL > IOPL or in V86 mode: the TSS's bitmap. */
export function checkIoPermission(cpu: Cpu, port: number, size: number): void {
  const iopl = (cpu.flags >> 12) & 3;
  if ((cpu.flags & Flag.VM) === 0 && cpu.cpl <= iopl) return;
  // The 286 has no bitmap: IOPL alone decides, and V86 mode does not exist.
  if ((cpu.trType & 8) === 0 || cpu.trLimit >>> 0 < 0x67) gp(cpu, 0);
  const mapBase = cpu.readSys16(cpu.trBase + 0x66);
  const at = mapBase + (port >> 3);
  if (at + 1 > cpu.trLimit >>> 0) gp(cpu, 0);
  const bits = cpu.readSys16(cpu.trBase + at);
  const mask = ((1 << size) - 1) << (port & 7);
  if (bits & mask) gp(cpu, 0);
}
