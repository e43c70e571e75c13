/**
 * MUL, IMUL (one-, two- and three-operand forms) and DIV/IDIV, with the divide error (#DE, vector 0).
 * SF/ZF/AF/PF are undefined after these on real chips; the suites mask them, so we leave them derived
 * from the low half of the result.
 */
import { ARITH_FLAGS, PARITY, type Cpu } from './cpu.js';
import { CpuModel, Flag } from './ist.js';

function setMulFlags(cpu: Cpu, low: number, sign: number, overflow: boolean): void {
  cpu.setResultFlags(low, sign, overflow ? Flag.CF | Flag.OF : 0);
}

/** Flags a subtraction a - b of `bits` width would set (full word: CF OF SF ZF AF PF). */
function subFlags(a: number, b: number, bits: number): number {
  const mask = bits === 8 ? 0xff : 0xffff;
  const r = (a - b) & mask;
  const sign = bits - 1;
  let f = a < b ? Flag.CF : 0;
  if ((((a ^ b) & (a ^ r)) >>> sign) & 1) f |= Flag.OF;
  if ((r >>> sign) & 1) f |= Flag.SF;
  if (r === 0) f |= Flag.ZF;
  if ((a ^ b ^ r) & 0x10) f |= Flag.AF;
  return f | PARITY[r & 0xff];
}

/**
 * The flags an 8086 leaves behind when DIV/IDIV raises a divide error, which the handler sees pushed on
 * the stack. They are those of the last flag-setting subtraction in the microcode's division routine
 * (CORD): the first compare of the dividend's high half with the divisor, then each trial subtraction
 * made while the shifted-out bit was clear; IDIV works on magnitudes, and an overflow found after the
 * loop (POSTIDIV) leaves CF clear.
 */
function divErrorFlags8086(hi: number, lo: number, divisor: number, bits: number, signed: boolean): number {
  const mask = bits === 8 ? 0xff : 0xffff;
  const top = bits - 1;
  let a = hi;
  let c = lo;
  let b = divisor;
  if (signed) {
    if ((a >>> top) & 1) {
      // Negate the double-width dividend.
      c = -c & mask;
      a = (c === 0 ? -a : ~a) & mask;
    }
    if ((b >>> top) & 1) b = -b & mask;
  }
  let flags = subFlags(a, b, bits);
  if (a >= b) return flags;
  let carry = 1;
  for (let i = 0; i < bits; i++) {
    const outC = (c >>> top) & 1;
    c = ((c << 1) | carry) & mask;
    const outA = (a >>> top) & 1;
    a = ((a << 1) | outC) & mask;
    if (outA) {
      a = (a - b) & mask;
      carry = 0;
    } else {
      flags = subFlags(a, b, bits);
      carry = a < b ? 1 : 0;
      if (!carry) a = (a - b) & mask;
    }
  }
  return flags & ~Flag.CF;
}

/** Raise #DE, leaving the 8086's microcode flags behind where the model needs them. */
function divideError(cpu: Cpu, hi: number, lo: number, divisor: number, bits: number, signed: boolean): never {
  if (cpu.model <= CpuModel.i80186) {
    const f = divErrorFlags8086(hi, lo, divisor, bits, signed);
    cpu.setResultFlags(0, 7, 0);
    cpu.lazy = 0;
    cpu.flags = (cpu.flags & ~ARITH_FLAGS) | f;
  }
  return cpu.fault(0);
}

/** The 8086 negates the result of IMUL/IDIV when a REP prefix is present (a microcode side effect). */
function repNegates(cpu: Cpu): boolean {
  return cpu.rep !== 0 && cpu.model === CpuModel.i8086;
}

export function mul8(cpu: Cpu, src: number): void {
  const r = cpu.r8[0] * src;
  cpu.r16[0] = r;
  setMulFlags(cpu, r & 0xff, 7, r > 0xff);
}

export function imul8(cpu: Cpu, src: number): void {
  let r = ((cpu.r8[0] << 24) >> 24) * ((src << 24) >> 24);
  if (repNegates(cpu)) r = -r;
  cpu.r16[0] = r;
  setMulFlags(cpu, r & 0xff, 7, r !== (r << 24) >> 24);
}

export function mul16(cpu: Cpu, src: number): void {
  const r = cpu.r16[0] * src;
  cpu.r16[0] = r;
  cpu.r16[4] = r >>> 16;
  setMulFlags(cpu, r & 0xffff, 15, r > 0xffff);
}

export function imul16(cpu: Cpu, src: number): void {
  let r = ((cpu.r16[0] << 16) >> 16) * ((src << 16) >> 16);
  if (repNegates(cpu)) r = -r;
  cpu.r16[0] = r;
  cpu.r16[4] = r >> 16;
  setMulFlags(cpu, r & 0xffff, 15, r !== (r << 16) >> 16);
}

/**
 * The high dword of the unsigned product a * b (a, b taken as uint32), from 16-bit partial products: every
 * partial and sum stays below 2^53, so doubles compute it exactly (no BigInt, which allocates).
 */
function mulHighU32(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = ((aL * bL) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** The high dword of the signed product: the unsigned one corrected for each negative operand. */
function mulHighS32(a: number, b: number): number {
  let hi = mulHighU32(a, b);
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  return hi;
}

export function mul32(cpu: Cpu, src: number): void {
  const a = cpu.r32[0];
  const lo = Math.imul(a, src);
  const hi = mulHighU32(a, src);
  cpu.r32[0] = lo;
  cpu.r32[2] = hi;
  setMulFlags(cpu, lo, 31, hi !== 0);
}

export function imul32(cpu: Cpu, src: number): void {
  const a = cpu.r32[0];
  const lo = Math.imul(a, src);
  const hi = mulHighS32(a, src | 0);
  cpu.r32[0] = lo;
  cpu.r32[2] = hi;
  setMulFlags(cpu, lo, 31, hi !== lo >> 31);
}

/** Two- and three-operand IMUL: truncated product, CF=OF when it did not fit. */
export function imulTrunc(cpu: Cpu, a: number, b: number, sign: number): number {
  if (sign === 15) {
    const r = ((a << 16) >> 16) * ((b << 16) >> 16);
    setMulFlags(cpu, r & 0xffff, 15, r !== (r << 16) >> 16);
    return r & 0xffff;
  }
  const lo = Math.imul(a, b);
  setMulFlags(cpu, lo, 31, mulHighS32(a | 0, b | 0) !== lo >> 31);
  return lo;
}

export function div8(cpu: Cpu, src: number): void {
  const n = cpu.r16[0];
  if (src === 0 || n >>> 8 >= src) divideError(cpu, n >>> 8, n & 0xff, src, 8, false);
  const q = (n / src) | 0;
  cpu.r8[0] = q;
  cpu.r8[1] = n % src;
}

export function idiv8(cpu: Cpu, src: number): void {
  const d = (src << 24) >> 24;
  const n = (cpu.r16[0] << 16) >> 16;
  const fail = (): never => divideError(cpu, cpu.r8[1], cpu.r8[0], src, 8, true);
  if (d === 0) fail();
  let q = (n / d) | 0;
  let r = n % d;
  const min = cpu.model === CpuModel.i8086 ? -0x7f : -0x80;
  if (q > 0x7f || q < min) {
    // The 286 and later miss some overflows: when the dividend with bit 14 flipped divides to exactly -128,
    // they return that quotient and remainder instead of #DE (seen in the 80286 and 80386 single-step
    // vectors; an artefact of the microcode's overflow test, modelled by its observed effect).
    const flipped = n ^ 0x4000;
    if (cpu.model === CpuModel.i8086 || cpu.model === CpuModel.i80186 || ((flipped / d) | 0) !== -0x80) fail();
    q = -0x80;
    r = flipped % d;
  }
  if (repNegates(cpu)) q = -q;
  cpu.r8[0] = q;
  cpu.r8[1] = r;
}

export function div16(cpu: Cpu, src: number): void {
  if (src === 0 || cpu.r16[4] >= src) divideError(cpu, cpu.r16[4], cpu.r16[0], src, 16, false);
  const n = cpu.r16[4] * 0x10000 + cpu.r16[0];
  const q = Math.floor(n / src);
  cpu.r16[0] = q;
  cpu.r16[4] = n % src;
}

export function idiv16(cpu: Cpu, src: number): void {
  const d = (src << 16) >> 16;
  const fail = (): never => divideError(cpu, cpu.r16[4], cpu.r16[0], src, 16, true);
  if (d === 0) fail();
  const n = ((cpu.r16[4] << 16) | cpu.r16[0]) | 0;
  let q = Math.trunc(n / d);
  const r = n % d;
  const min = cpu.model === CpuModel.i8086 ? -0x7fff : -0x8000;
  if (q > 0x7fff || q < min) fail();
  if (repNegates(cpu)) q = -q;
  cpu.r16[0] = q;
  cpu.r16[4] = r;
}

export function div32(cpu: Cpu, src: number): void {
  const hi = cpu.r32[2] >>> 0;
  const dv = src >>> 0;
  // The dividend fits a double exactly below 2^53: divide there, and check the quotient by its remainder.
  if (hi < 0x200000 && dv !== 0) {
    const n = hi * 4294967296 + (cpu.r32[0] >>> 0);
    let q = Math.floor(n / dv);
    let r = n - q * dv;
    if (r < 0) {
      q--;
      r += dv;
    } else if (r >= dv) {
      q++;
      r -= dv;
    }
    if (q > 0xffffffff) cpu.fault(0);
    cpu.r32[0] = q | 0;
    cpu.r32[2] = r | 0;
    return;
  }
  const d = BigInt(src >>> 0);
  if (d === 0n) cpu.fault(0);
  const n = (BigInt(cpu.r32[2] >>> 0) << 32n) | BigInt(cpu.r32[0] >>> 0);
  const q = n / d;
  if (q > 0xffffffffn) cpu.fault(0);
  cpu.r32[0] = Number(q) | 0;
  cpu.r32[2] = Number(n % d) | 0;
}

export function idiv32(cpu: Cpu, src: number): void {
  const lo = cpu.r32[0];
  const dv = src | 0;
  // EDX:EAX a sign-extended dword (after CDQ): the dividend is an int32, exact in doubles.
  if (cpu.r32[2] === lo >> 31 && dv !== 0) {
    const q = Math.trunc(lo / dv);
    if (q > 0x7fffffff) cpu.fault(0); // only -2^31 / -1
    cpu.r32[0] = q | 0;
    cpu.r32[2] = (lo - q * dv) | 0;
    return;
  }
  const d = BigInt(src | 0);
  if (d === 0n) cpu.fault(0);
  const n = (BigInt(cpu.r32[2]) << 32n) | BigInt(cpu.r32[0] >>> 0);
  const q = n / d;
  if (q > 0x7fffffffn || q < -0x80000000n) cpu.fault(0);
  cpu.r32[0] = Number(q) | 0;
  cpu.r32[2] = Number(n % d) | 0;
}
