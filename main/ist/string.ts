/**
 * String instructions (MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS) with REP/REPE/REPNE.
 * A repeated instruction runs at most REP_CHUNK iterations per step and then restarts itself (IP back to
 * its first prefix), so interrupts and the instruction budget are honoured in the middle of a long copy,
 * as on real hardware.
 */
import { LazyOp, ARITH_FLAGS, type Cpu } from './cpu.js';
import { CpuModel, Flag } from './ist.js';
import { checkIoPermission } from './protected.js';

export const REP_CHUNK = 4096;
const DS = 3;
const ES = 0;

export const StrOp = { MOVS: 0, CMPS: 1, STOS: 2, LODS: 3, SCAS: 4, INS: 5, OUTS: 6 } as const;

function readSized(cpu: Cpu, seg: number, off: number, size: number): number {
  return size === 1 ? cpu.read8(seg, off) : size === 2 ? cpu.read16(seg, off) : cpu.read32(seg, off);
}

function writeSized(cpu: Cpu, seg: number, off: number, size: number, v: number): void {
  if (size === 1) cpu.write8(seg, off, v);
  else if (size === 2) cpu.write16(seg, off, v);
  else cpu.write32(seg, off, v);
}


function compare(cpu: Cpu, a: number, b: number, size: number): void {
  const sign = size * 8 - 1;
  const mask = size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  cpu.setLazy(LazyOp.Sub, a, b, (a - b) & mask, sign, ARITH_FLAGS);
}

/** Execute string operation `op` on elements of `size` bytes (1, 2, 4). */
export function stringOp(cpu: Cpu, op: number, size: number): void {
  const a16 = cpu.adsz === 16;
  const amask = a16 ? 0xffff : -1;
  const r16 = cpu.r16;
  const r32 = cpu.r32;
  const srcSeg = cpu.segOvr >= 0 ? cpu.segOvr : DS;
  const step = cpu.flags & Flag.DF ? -size : size;
  const rep = cpu.rep;
  let si = a16 ? r16[12] : r32[6];
  let di = a16 ? r16[14] : r32[7];
  let count: number;
  if (rep === 0) count = 1;
  else {
    const cx = a16 ? r16[2] : r32[1] >>> 0;
    if (cx === 0) return;
    count = cx < REP_CHUNK ? cx : REP_CHUNK;
  }
  // The 286 and later fault on an element that straddles the end of a 64 KiB segment: run up to it.
  if (cpu.pe && (op === StrOp.INS || op === StrOp.OUTS)) checkIoPermission(cpu, r16[4], size);
  let straddleAt = -1;
  if (size > 1 && a16 && cpu.model >= CpuModel.i80286 && !cpu.pe) {
    const k = Math.min(USES_SI[op] ? firstStraddle(si, step, size) : NEVER, USES_DI[op] ? firstStraddle(di, step, size) : NEVER);
    if (k < count) {
      straddleAt = k;
      count = k;
    }
  }
  let done = 0;
  let stoppedByCompare = false;
  const eaxMask = size === 1 ? 0xff : size === 2 ? 0xffff : -1;
  try {
    switch (op) {
      case StrOp.MOVS:
        while (done < count) {
          // Forward runs inside one page of plain RAM on both sides are copied in place, byte by byte in order
          // (so an overlapping copy repeats a pattern as the instruction does).
          const n = step > 0 && count - done > 1 ? runLength(cpu, srcSeg, si, di, size, count - done, a16) : 0;
          const pd = n > 1 ? ramAddress(cpu, ES, di, true) : -1;
          const ps = pd >= 0 ? ramAddress(cpu, srcSeg, si, false) : -1;
          if (ps >= 0) {
            const ram = cpu.ram;
            for (let i = 0, bytes = n * size; i < bytes; i++) ram[pd + i] = ram[ps + i];
            si = (si + n * size) & amask;
            di = (di + n * size) & amask;
            done += n;
            continue;
          }
          writeSized(cpu, ES, di, size, readSized(cpu, srcSeg, si, size));
          si = (si + step) & amask;
          di = (di + step) & amask;
          done++;
        }
        break;
      case StrOp.STOS: {
        const v = r32[0] & eaxMask;
        while (done < count) {
          const n = step > 0 && count - done > 1 ? runLength(cpu, -1, 0, di, size, count - done, a16) : 0;
          const at = n > 1 ? ramAddress(cpu, ES, di, true) : -1;
          if (at >= 0) {
            const ram = cpu.ram;
            if (size === 1) ram.fill(v, at, at + n);
            else for (let i = 0; i < n * size; i++) ram[at + i] = v >>> ((i % size) * 8);
            di = (di + n * size) & amask;
            done += n;
            continue;
          }
          writeSized(cpu, ES, di, size, v);
          di = (di + step) & amask;
          done++;
        }
        break;
      }
      case StrOp.LODS:
        for (; done < count; done++) {
          const v = readSized(cpu, srcSeg, si, size);
          if (size === 1) cpu.r8[0] = v;
          else if (size === 2) r16[0] = v;
          else r32[0] = v;
          si = (si + step) & amask;
        }
        break;
      case StrOp.CMPS:
        while (done < count) {
          const a = readSized(cpu, srcSeg, si, size);
          const b = readSized(cpu, ES, di, size);
          si = (si + step) & amask;
          di = (di + step) & amask;
          done++;
          compare(cpu, a, b, size);
          if (rep !== 0 && cpu.getZF() !== (rep === 0xf3)) {
            stoppedByCompare = true;
            break;
          }
        }
        break;
      case StrOp.SCAS: {
        const a = r32[0] & eaxMask;
        while (done < count) {
          const b = readSized(cpu, ES, di, size);
          di = (di + step) & amask;
          done++;
          compare(cpu, a, b, size);
          if (rep !== 0 && cpu.getZF() !== (rep === 0xf3)) {
            stoppedByCompare = true;
            break;
          }
        }
        break;
      }
      case StrOp.INS: {
        const port = r16[4];
        for (; done < count; done++) {
          const v = size === 1 ? cpu.bus.in8(port) : size === 2 ? cpu.bus.in16(port) : cpu.bus.in32(port);
          writeSized(cpu, ES, di, size, v);
          di = (di + step) & amask;
        }
        break;
      }
      default: { // OUTS
        const port = r16[4];
        for (; done < count; done++) {
          const v = readSized(cpu, srcSeg, si, size);
          if (size === 1) cpu.bus.out8(port, v);
          else if (size === 2) cpu.bus.out16(port, v);
          else cpu.bus.out32(port, v);
          si = (si + step) & amask;
        }
        break;
      }
    }
  } catch (e) {
    // A fault part-way (a page fault, a limit): the elements done so far stay done, and the restart
    // continues from the faulting one with the registers counted that far.
    if (done > 0) commit(cpu, a16, si, di, rep, done);
    throw e;
  }
  if (a16) {
    r16[12] = si;
    r16[14] = di;
  } else {
    r32[6] = si;
    r32[7] = di;
  }
  if (rep !== 0) {
    const cx = (a16 ? r16[2] : r32[1] >>> 0) - done;
    if (a16) r16[2] = cx;
    else r32[1] = cx;
    if (cx !== 0 && !stoppedByCompare && straddleAt < 0) cpu.ip = cpu.instrStart;
  }
  if (straddleAt >= 0 && !stoppedByCompare) straddleFault(cpu, op, size, step);
}

function commit(cpu: Cpu, a16: boolean, si: number, di: number, rep: number, done: number): void {
  if (a16) {
    cpu.r16[12] = si;
    cpu.r16[14] = di;
  } else {
    cpu.r32[6] = si;
    cpu.r32[7] = di;
  }
  if (rep !== 0) {
    if (a16) cpu.r16[2] = cpu.r16[2] - done;
    else cpu.r32[1] = cpu.r32[1] - done;
  }
}

/**
 * How many of `want` forward elements stay inside both segments' limits, without a 16-bit offset wrap, and
 * inside one page on each side (`srcSeg` -1: a destination only): a run that cannot fault part-way.
 */
function runLength(cpu: Cpu, srcSeg: number, si: number, di: number, size: number, want: number, a16: boolean): number {
  let n = want;
  const od = di >>> 0;
  if (od < cpu.segLo[ES] || od > cpu.segHiW[ES]) return 0;
  n = Math.min(n, Math.floor((cpu.segHiW[ES] - od + 1) / size));
  if (a16) n = Math.min(n, Math.floor((0x10000 - od) / size));
  n = Math.min(n, Math.floor((0x1000 - ((cpu.segBase[ES] + od) & 0xfff)) / size));
  if (srcSeg >= 0) {
    const os = si >>> 0;
    if (os < cpu.segLo[srcSeg] || os > cpu.segHiR[srcSeg]) return 0;
    n = Math.min(n, Math.floor((cpu.segHiR[srcSeg] - os + 1) / size));
    if (a16) n = Math.min(n, Math.floor((0x10000 - os) / size));
    n = Math.min(n, Math.floor((0x1000 - ((cpu.segBase[srcSeg] + os) & 0xfff)) / size));
  }
  return n;
}

/**
 * The physical address of seg:off when its page is plain RAM (a write: not translated code, a ROM or a
 * device) or RAM/ROM (a read), else -1. Only for offsets `runLength` admitted.
 */
function ramAddress(cpu: Cpu, seg: number, off: number, write: boolean): number {
  const lin = (cpu.segBase[seg] + (off >>> 0)) | 0;
  const p = (cpu.paging ? cpu.linToPhys(lin, write) : lin) & cpu.amask;
  const kind = cpu.pageKind[p >>> 12];
  if (kind === undefined) return -1;
  return (write ? kind === 0 : kind <= 2) ? p : -1;
}

const NEVER = 0x7fffffff;
/** Which string operations address DS:SI and ES:DI. */
const USES_SI = [true, true, false, true, false, false, true];
const USES_DI = [true, true, true, false, true, true, false];

/**
 * Index of the first element, walking from offset `p` by `step`, that straddles the end of the segment
 * (part of it at 0xFFFF, the rest past it), or NEVER. Aligned walks wrap cleanly and never straddle.
 */
function firstStraddle(p: number, step: number, size: number): number {
  if (p > 0x10000 - size) return 0;
  if (step > 0) {
    const i = Math.ceil((0x10001 - size - p) / size);
    return p + i * size < 0x10000 ? i : NEVER;
  }
  return p % size !== 0 ? Math.floor(p / size) + 1 : NEVER;
}

/**
 * The #GP of a straddling element, with the register state the 286 leaves: each access advances its
 * index register as it is made (CMPS reads ES:DI first), and a repeated instruction has already counted
 * CX down once before its reads and once more before its write.
 */
function straddleFault(cpu: Cpu, op: number, size: number, step: number): void {
  const r16 = cpu.r16;
  const si = r16[12];
  const di = r16[14];
  const siFaults = USES_SI[op] && firstStraddle(si, step, size) === 0;
  let cxTaken: number;
  switch (op) {
    case StrOp.MOVS:
      r16[12] = si + step;
      if (siFaults) cxTaken = 1;
      else {
        r16[14] = di + step;
        cxTaken = 2;
      }
      break;
    case StrOp.CMPS:
      r16[14] = di + step;
      if (firstStraddle(di, step, size) === 0) cxTaken = 0;
      else {
        r16[12] = si + step;
        cxTaken = 1;
      }
      break;
    case StrOp.LODS: case StrOp.OUTS:
      r16[12] = si + step;
      cxTaken = 1;
      break;
    case StrOp.SCAS:
      r16[14] = di + step;
      cxTaken = 1;
      break;
    default: // STOS, INS
      r16[14] = di + step;
      cxTaken = 2;
      break;
  }
  if (cpu.rep !== 0) r16[2] = r16[2] - cxTaken;
  cpu.fault(13);
}

