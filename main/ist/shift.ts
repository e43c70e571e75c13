/**
 * Group-2 shifts and rotates, and the 386 double shifts. The 8086 uses the whole count (up to 255) and
 * treats /6 as SETMO (result all ones); the 186 and later mask the count to 5 bits and treat /6 as SHL.
 */
import type { Cpu } from './cpu.js';
import { CpuModel, Flag } from './ist.js';

const CF_OF = Flag.CF | Flag.OF;

function maskOf(sign: number): number {
  return sign === 7 ? 0xff : sign === 15 ? 0xffff : -1;
}

/** Rotates change only CF and OF. */
function setRotateFlags(cpu: Cpu, cf: number, of: number): void {
  cpu.lazy &= ~CF_OF;
  cpu.flags = (cpu.flags & ~CF_OF) | cf | (of ? Flag.OF : 0);
}

/** Shift/rotate `v` (already masked to width) by `count` with group-2 operation `op`. Returns the new value. */
export function shift(cpu: Cpu, op: number, v: number, count: number, sign: number): number {
  if (cpu.model !== CpuModel.i8086) count &= 31;
  if (count === 0) return v;
  const bits = sign + 1;
  const mask = maskOf(sign);
  v &= mask;
  switch (op) {
    case 0: { // ROL
      const c = count % bits;
      const r = c === 0 ? v : ((v << c) | (v >>> (bits - c))) & mask;
      const cf = r & 1;
      setRotateFlags(cpu, cf, ((r >>> sign) & 1) ^ cf);
      return r;
    }
    case 1: { // ROR
      const c = count % bits;
      const r = c === 0 ? v : ((v >>> c) | (v << (bits - c))) & mask;
      const msb = (r >>> sign) & 1;
      setRotateFlags(cpu, msb, msb ^ ((r >>> (sign - 1)) & 1));
      return r;
    }
    case 2: { // RCL
      const c = count % (bits + 1);
      let cf = cpu.getCF();
      let r = v;
      for (let i = 0; i < c; i++) {
        const out = (r >>> sign) & 1;
        r = ((r << 1) | cf) & mask;
        cf = out;
      }
      setRotateFlags(cpu, cf, ((r >>> sign) & 1) ^ cf);
      return r;
    }
    case 3: { // RCR
      const c = count % (bits + 1);
      let cf = cpu.getCF();
      let r = v;
      for (let i = 0; i < c; i++) {
        const out = r & 1;
        r = ((r >>> 1) | (cf << sign)) & mask;
        cf = out;
      }
      setRotateFlags(cpu, cf, ((r >>> sign) & 1) ^ ((r >>> (sign - 1)) & 1));
      return r;
    }
    case 6:
      if (cpu.model === CpuModel.i8086) {
        // SETMO / SETMOC: the 8086 sets the operand to all ones.
        cpu.setResultFlags(mask, sign, 0);
        return mask;
      }
    // falls through: SAL on later chips
    case 4: { // SHL
      const cf = count <= bits ? (v >>> (bits - count)) & 1 : 0;
      const r = count < 32 ? (v << count) & mask : 0;
      cpu.setResultFlags(r, sign, cf | (((r >>> sign) & 1) ^ cf ? Flag.OF : 0));
      return r;
    }
    case 5: { // SHR
      const cf = count <= bits ? (v >>> (count - 1)) & 1 : 0;
      const r = count < 32 ? v >>> count : 0;
      // OF is the operand's old sign for a single shift; the 286 and later clear it for longer ones.
      const of = (v >>> sign) & 1 && (count === 1 || cpu.model <= CpuModel.i80186);
      cpu.setResultFlags(r & mask, sign, cf | (of ? Flag.OF : 0));
      return r & mask;
    }
    default: { // SAR
      const sv = (v << (31 - sign)) >> (31 - sign);
      let r: number;
      let cf: number;
      if (count >= bits) {
        r = sv < 0 ? mask : 0;
        cf = sv < 0 ? 1 : 0;
      } else {
        r = (sv >> count) & mask;
        cf = (sv >> (count - 1)) & 1;
      }
      cpu.setResultFlags(r, sign, cf);
      return r;
    }
  }
}

/** SHLD/SHRD (386): shift `dst` by `count`, filling from `src`. Width 16 or 32 via `sign`. */
export function doubleShift(cpu: Cpu, left: boolean, dst: number, src: number, count: number, sign: number): number {
  count &= 31;
  if (count === 0) return dst;
  const bits = sign + 1;
  const mask = maskOf(sign);
  let r: number;
  let cf: number;
  if (bits === 16) {
    // A 16-bit count above 16 shifts through the concatenation dst:src:dst as the 386 does.
    const wide = left ? (((dst & 0xffff) << 16) | (src & 0xffff)) >>> 0 : (((src & 0xffff) << 16) | (dst & 0xffff)) >>> 0;
    const big = left ? wide * 0x10000 + (dst & 0xffff) : (dst & 0xffff) * 0x100000000 + wide;
    if (left) {
      const shifted = (big * 2 ** count) % 2 ** 48;
      r = Math.floor(shifted / 2 ** 32) & 0xffff;
      cf = Math.floor(big / 2 ** (48 - count)) & 1;
    } else {
      r = Math.floor(big / 2 ** count) & 0xffff;
      cf = Math.floor(big / 2 ** (count - 1)) & 1;
    }
  } else if (left) {
    r = (dst << count) | (src >>> (32 - count));
    cf = (dst >>> (32 - count)) & 1;
  } else {
    r = (dst >>> count) | (src << (32 - count));
    cf = (dst >>> (count - 1)) & 1;
  }
  r &= mask;
  const of = ((r ^ dst) >>> sign) & 1;
  cpu.setResultFlags(r, sign, cf | (of ? Flag.OF : 0));
  return r;
}

