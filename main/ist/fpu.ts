/**
 * The x87 floating-point unit: the 8087 beside the 8086/186, the 287 beside the 286, the 387 beside the 386.
 *
 * Precision model: each register holds a JS double, and — when the value came unchanged from an exact
 * 80-bit source (FLD m80, FILD m64, FBLD, the FLDxx constants, FRSTOR, a NaN) — the exact 10-byte image
 * beside it. Moves between registers keep the image; arithmetic produces doubles (53-bit significands,
 * double exponent range, round to nearest), so FLD m80 / FSTP m80, FILD m64 / FISTP m64 and FBLD / FBSTP
 * round trips are exact while arithmetic is as precise as a double. Rounding control is honoured by the
 * integer conversions (FIST, FISTP, FBSTP) and FRNDINT, and by FADD/FSUB/FMUL/FDIV (`roundResult`: the
 * exact error of the double operation decides the direction); precision control 24 bits rounds their
 * results to single precision; 53 and 64 bits both give doubles.
 *
 * Unmasked exceptions set ES and B; the next waiting FPU instruction or FWAIT reports them once through
 * the interrupt a PC wires the coprocessor's ERROR output to: NMI (vector 2) on the 8086/186 (PC/XT),
 * IRQ 13 (vector 75h, taken when IF is set) on the 286 and 386 (AT). The CPU cannot reach the PIC, so
 * the vector is entered directly, with the waiting instruction as the return address.
 */
import type { Cpu } from './cpu.js';
import { CpuModel, Flag } from './ist.js';

// Status word bits.
const IE = 0x01;
const DE = 0x02;
const ZE = 0x04;
const OE = 0x08;
const UE = 0x10;
const PE = 0x20;
const SF = 0x40;
const ES = 0x80;
const C0 = 0x100;
const C1 = 0x200;
const C2 = 0x400;
const C3 = 0x4000;
const B = 0x8000;
const CC = C0 | C1 | C2 | C3;

/** The scratch slot (index 8) that holds a memory operand beside the eight registers. */
const MEM = 8;

const f64 = new Float64Array(1);
const f64u = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const f32u = new Uint32Array(f32.buffer);

/** Exact 80-bit images of the constants (as a 387 rounds them to nearest): [sign|exponent, mantissa]. */
const CONSTANTS: [number, bigint][] = [
  [0x3fff, 0x8000000000000000n], // 1
  [0x4000, 0xd49a784bcd1b8afen], // log2(10)
  [0x3fff, 0xb8aa3b295c17f0bcn], // log2(e)
  [0x4000, 0xc90fdaa22168c235n], // pi
  [0x3ffd, 0x9a209a84fbcff799n], // log10(2)
  [0x3ffe, 0xb17217f7d1cf79acn], // ln(2)
  [0x0000, 0n], // +0
];

function ldexp(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

/** Write the 80-bit image of a sign, a biased exponent and a 64-bit significand. */
const BITS = new Float64Array(1);
const BITS64 = new BigInt64Array(BITS.buffer);

/** The next double after `x` toward +inf (up) or -inf. */
function nextAfter(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  BITS[0] = x;
  BITS64[0] += (x > 0) === up ? 1n : -1n;
  return BITS[0];
}

/** a + b - s exactly, for s = fl(a + b) (Knuth's TwoSum). */
function twoSumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

function splitHigh(a: number): number {
  const c = 134217729 * a; // 2^27 + 1
  return c - (c - a);
}

/** a * b - p exactly, for p = fl(a * b) (Dekker's TwoProduct; inexact only near the exponent range's ends). */
function productError(a: number, b: number, p: number): number {
  const ah = splitHigh(a);
  const al = a - ah;
  const bh = splitHigh(b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

function putF80(out: Uint8Array, o: number, se: number, mant: bigint): void {
  for (let i = 0; i < 8; i++) out[o + i] = Number((mant >> BigInt(i * 8)) & 0xffn);
  out[o + 8] = se & 0xff;
  out[o + 9] = (se >> 8) & 0xff;
}

function mantOf(b: Uint8Array, o: number): bigint {
  let m = 0n;
  for (let i = 7; i >= 0; i--) m = (m << 8n) | BigInt(b[o + i]);
  return m;
}

/** The double nearest an 80-bit image. */
export function f80ToDouble(b: Uint8Array, o: number): number {
  const se = b[o + 8] | (b[o + 9] << 8);
  const neg = (se & 0x8000) !== 0;
  const exp = se & 0x7fff;
  const lo = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  const hi = (b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24)) >>> 0;
  let v: number;
  if (exp === 0x7fff) v = (hi & 0x7fffffff) === 0 && lo === 0 ? Infinity : NaN;
  else v = ldexp(hi * 4294967296 + lo, (exp === 0 ? 1 : exp) - 16383 - 63);
  return neg ? -v : v;
}

/** The exact 80-bit image of a double. */
export function doubleToF80(x: number, out: Uint8Array, o: number): void {
  f64[0] = x;
  const hi = f64u[1];
  const sign = (hi >>> 31) << 15;
  const exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(f64u[0]);
  if (exp === 0x7ff) return putF80(out, o, sign | 0x7fff, (1n << 63n) | (frac << 11n));
  if (exp === 0 && frac === 0n) return putF80(out, o, sign, 0n);
  let m = exp === 0 ? frac : frac | (1n << 52n);
  let e = (exp === 0 ? 1 : exp) - 1075; // value = m * 2^e
  while (m < 1n << 63n) {
    m <<= 1n;
    e--;
  }
  putF80(out, o, sign | (e + 63 + 16383), m);
}

/** ilogb: the unbiased binary exponent of a finite non-zero double. */
function ilogb(x: number): number {
  f64[0] = x;
  const e = (f64u[1] >>> 20) & 0x7ff;
  if (e !== 0) return e - 1023;
  f64[0] = x * 2 ** 64;
  return ((f64u[1] >>> 20) & 0x7ff) - 1023 - 64;
}

/** Round m * 2^e (m >= 0) to an integer magnitude under a rounding control, for a value of sign `neg`. */
function roundScaled(neg: boolean, m: bigint, e: number, rc: number): { mag: bigint; inexact: boolean } {
  if (e >= 0) return { mag: m << BigInt(e), inexact: false };
  if (e < -70) return { mag: rc === 0 || rc === 3 || m === 0n || (rc === 1) !== neg ? 0n : 1n, inexact: m !== 0n };
  const s = BigInt(-e);
  let q = m >> s;
  const rem = m & ((1n << s) - 1n);
  if (rem !== 0n) {
    const half = 1n << (s - 1n);
    if (rc === 0) {
      if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
    } else if (rc === 1) {
      if (neg) q++;
    } else if (rc === 2) {
      if (!neg) q++;
    }
  }
  return { mag: q, inexact: rem !== 0n };
}

export class Fpu {
  /** Values of the eight physical registers and, at index 8, the current memory operand. */
  readonly val = new Float64Array(9);
  /** Exact 80-bit images (10 bytes per slot), valid where `exact` is set. */
  readonly raw = new Uint8Array(90);
  readonly exact = new Uint8Array(9);
  /** 1 where a physical register is empty (tag 11). */
  readonly empty = new Uint8Array(8).fill(1);
  top = 0;
  /** Status word without TOP (bits 11-13 are kept in `top`). */
  sw = 0;
  cw = 0x37f;
  /** Last instruction and operand pointers (real mode: linear addresses) and opcode, for FSTENV/FSAVE. */
  fip = 0;
  fop = 0;
  fdp = 0;
  /** The pending unmasked exception has been reported (reset when ES clears). */
  signalled = false;
  private readonly tmp = new Uint8Array(10);

  constructor(readonly model: CpuModel) {}

  init(): void {
    this.cw = 0x37f;
    this.sw = 0;
    this.top = 0;
    this.empty.fill(1);
    this.exact.fill(0);
    this.fip = this.fop = this.fdp = 0;
    this.signalled = false;
  }

  /** The status word as FSTSW reports it. */
  status(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }

  phys(i: number): number {
    return (this.top + i) & 7;
  }

  /** Record exceptions; true when one of them is unmasked (the caller then leaves the destination alone). */
  exc(flags: number): boolean {
    this.sw |= flags;
    if (flags & 0x3f & ~this.cw) {
      this.sw |= ES | B;
      return (flags & (IE | ZE | DE) & ~this.cw) !== 0;
    }
    return false;
  }

  /** Recompute ES/B from the exception flags and masks (after FLDCW, FLDENV, FRSTOR). */
  updateES(): void {
    if (this.sw & 0x3f & ~this.cw) this.sw |= ES | B;
    else {
      this.sw &= ~(ES | B);
      this.signalled = false;
    }
  }

  // ---------------------------------------------------------------- register slots

  set(p: number, v: number): void {
    this.val[p] = v;
    if (p < 8) this.empty[p] = 0;
    if (v !== v) this.setIndefinite(p);
    else this.exact[p] = 0;
  }

  setIndefinite(p: number): void {
    this.val[p] = NaN;
    if (p < 8) this.empty[p] = 0;
    putF80(this.raw, p * 10, 0xffff, 0xc000000000000000n);
    this.exact[p] = 1;
  }

  /** Load a slot from an exact 80-bit image. */
  setRaw(p: number, b: Uint8Array, o: number): void {
    for (let i = 0; i < 10; i++) this.raw[p * 10 + i] = b[o + i];
    this.exact[p] = 1;
    this.val[p] = f80ToDouble(b, o);
    if (p < 8) this.empty[p] = 0;
  }

  copy(dst: number, src: number): void {
    this.val[dst] = this.val[src];
    this.exact[dst] = this.exact[src];
    if (this.exact[src]) this.raw.copyWithin(dst * 10, src * 10, src * 10 + 10);
    if (dst < 8) this.empty[dst] = 0;
  }

  /** The 80-bit image of a slot (exact, or converted from its double), in `this.tmp`. */
  image(p: number): Uint8Array {
    if (this.exact[p]) for (let i = 0; i < 10; i++) this.tmp[i] = this.raw[p * 10 + i];
    else doubleToF80(this.val[p], this.tmp, 0);
    return this.tmp;
  }

  private isSNaN(p: number): boolean {
    const v = this.val[p];
    if (v === v) return false;
    return (this.raw[p * 10 + 7] & 0x40) === 0;
  }

  /** A NaN result: the quieted NaN operand (the larger significand of two), into slot `dst`. */
  private nanResult(dst: number, a: number, b: number): void {
    let src = a;
    const va = this.val[a];
    const vb = this.val[b];
    if (va !== va && vb !== vb) {
      const ma = mantOf(this.raw, a * 10) & ~(1n << 62n);
      const mb = mantOf(this.raw, b * 10) & ~(1n << 62n);
      if (mb > ma) src = b;
    } else if (va === va) src = b;
    this.copy(dst, src);
    this.raw[dst * 10 + 7] |= 0x40;
  }

  push(): boolean {
    const p = (this.top - 1) & 7;
    if (!this.empty[p]) {
      this.sw |= C1;
      if (this.exc(IE | SF)) return false;
      this.top = p;
      this.setIndefinite(p);
      return false;
    }
    this.top = p;
    return true;
  }

  pop(): void {
    this.empty[this.top] = 1;
    this.top = (this.top + 1) & 7;
  }

  /** Stack underflow on reading an empty register: true when unmasked (abandon the instruction). */
  underflow(): boolean {
    this.sw &= ~C1;
    return this.exc(IE | SF);
  }

  // ---------------------------------------------------------------- arithmetic

  /** dst = a op b for op 0 add, 1 mul, 4 a-b, 5 b-a, 6 a/b, 7 b/a. Returns false when an unmasked exception stopped it. */
  arith(kind: number, dst: number, a: number, b: number): boolean {
    const x = this.val[a];
    const y = this.val[b];
    if (x !== x || y !== y) {
      if ((this.isSNaN(a) || this.isSNaN(b)) && this.exc(IE)) return false;
      this.nanResult(dst, a, b);
      return true;
    }
    let r: number;
    switch (kind) {
      case 0: r = x + y; break;
      case 1: r = x * y; break;
      case 4: r = x - y; break;
      case 5: r = y - x; break;
      case 6: r = x / y; break;
      default: r = y / x; break;
    }
    if (r !== r) {
      if (this.exc(IE)) return false;
      this.setIndefinite(dst);
      return true;
    }
    if (Number.isFinite(r)) r = this.roundResult(kind, x, y, r);
    const divisor = kind === 6 ? y : kind === 7 ? x : 1;
    const dividend = kind === 6 ? x : kind === 7 ? y : 1;
    if (divisor === 0 && Number.isFinite(dividend)) {
      if (this.exc(ZE)) return false;
    } else if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) this.exc(OE | PE);
    else if (r === 0 && (kind === 1 || kind >= 6) && x !== 0 && y !== 0 && Number.isFinite(x) && Number.isFinite(y)) this.exc(UE | PE);
    this.set(dst, r);
    return true;
  }

  /**
   * Apply the control word to an arithmetic result computed in double, round to nearest: precision
   * control 24 bits rounds to single (PE when that changed it); otherwise rounding control down, up or
   * chop moves the result one ulp where the exact error (TwoSum, Dekker's product, the division's
   * residual) says the true value lies on the other side.
   */
  roundResult(kind: number, x: number, y: number, r: number): number {
    const pc = (this.cw >> 8) & 3;
    if (pc === 0) {
      const single = Math.fround(r);
      if (single !== r) this.sw |= PE;
      return single;
    }
    const rc = (this.cw >> 10) & 3;
    let err: number;
    switch (kind) {
      case 0: err = twoSumError(x, y, r); break;
      case 4: err = twoSumError(x, -y, r); break;
      case 5: err = twoSumError(y, -x, r); break;
      case 1: err = productError(x, y, r); break;
      // x / y = r + e: the residual x - r*y has the sign of e*y.
      case 6: err = -(productError(r, y, r * y) + (r * y - x)) * Math.sign(y); break;
      default: err = -(productError(r, x, r * x) + (r * x - y)) * Math.sign(x); break;
    }
    if (err !== 0 && err === err) this.sw |= PE;
    if (rc === 0 || err === 0 || err !== err) return r;
    const towardUp = rc === 2 || (rc === 3 && r < 0);
    const towardDown = rc === 1 || (rc === 3 && r > 0);
    if (towardUp && err > 0) return nextAfter(r, true);
    if (towardDown && err < 0) return nextAfter(r, false);
    return r;
  }

  /** Compare slots a and b into C3/C2/C0; `quiet` (FUCOM) raises invalid only for signalling NaNs. */
  compare(a: number, b: number, quiet: boolean): boolean {
    const x = this.val[a];
    const y = this.val[b];
    this.sw &= ~CC;
    if (x !== x || y !== y) {
      if ((!quiet || this.isSNaN(a) || this.isSNaN(b)) && this.exc(IE)) return false;
      this.sw |= C3 | C2 | C0;
    } else if (x < y) this.sw |= C0;
    else if (x === y) this.sw |= C3;
    return true;
  }

  /** The integer nearest slot p under the rounding control; undefined for NaN, infinity or out of `bits` range. */
  toInteger(p: number, bits: number): bigint | undefined {
    const v = this.val[p];
    if (v !== v || (!this.exact[p] && !Number.isFinite(v))) return undefined;
    const img = this.image(p);
    const se = img[8] | (img[9] << 8);
    const exp = se & 0x7fff;
    if (exp === 0x7fff) return undefined;
    const neg = (se & 0x8000) !== 0;
    const e = (exp === 0 ? 1 : exp) - 16383 - 63;
    if (e > 1) return undefined;
    const { mag, inexact } = roundScaled(neg, mantOf(img, 0), e, (this.cw >> 10) & 3);
    const r = neg ? -mag : mag;
    if (r >= 1n << BigInt(bits - 1) || r < -(1n << BigInt(bits - 1))) return undefined;
    if (inexact) this.exc(PE);
    return r;
  }

  /** Load an exact integer into slot p. */
  setInteger(p: number, v: bigint): void {
    if (v === 0n) {
      this.set(p, 0);
      return;
    }
    const neg = v < 0n;
    let m = neg ? -v : v;
    let e = 63;
    while (m < 1n << 63n) {
      m <<= 1n;
      e--;
    }
    putF80(this.tmp, 0, (neg ? 0x8000 : 0) | (e + 16383), m);
    this.setRaw(p, this.tmp, 0);
  }

  /** FXAM's class of ST(0) in C3/C2/C0, sign in C1. */
  examine(): void {
    const p = this.top;
    let cc: number;
    if (this.empty[p]) cc = C3 | C0;
    else {
      const img = this.image(p);
      const exp = (img[8] | (img[9] << 8)) & 0x7fff;
      const m = mantOf(img, 0);
      const integer = (m >> 63n) === 1n;
      if (exp === 0x7fff) cc = !integer ? 0 : m << 1n === 0n || (m & ~(1n << 63n)) === 0n ? C2 | C0 : C0;
      else if (exp === 0) cc = m === 0n ? C3 : C3 | C2;
      else cc = integer ? C2 : 0;
    }
    const sign = this.empty[p] ? 0 : this.image(p)[9] & 0x80 ? C1 : 0;
    this.sw = (this.sw & ~CC) | cc | sign;
  }
}

// ---------------------------------------------------------------- memory operands

function rd(cpu: Cpu, i: number): number {
  return cpu.read8(cpu.eaSeg, (cpu.eaOff + i) & cpu.offMask);
}
function wr(cpu: Cpu, i: number, v: number): void {
  cpu.write8(cpu.eaSeg, (cpu.eaOff + i) & cpu.offMask, v & 0xff);
}
function rd32(cpu: Cpu, i: number): number {
  return (rd(cpu, i) | (rd(cpu, i + 1) << 8) | (rd(cpu, i + 2) << 16) | (rd(cpu, i + 3) << 24)) >>> 0;
}
function wr16(cpu: Cpu, i: number, v: number): void {
  wr(cpu, i, v);
  wr(cpu, i + 1, v >> 8);
}
function wr32(cpu: Cpu, i: number, v: number): void {
  wr16(cpu, i, v);
  wr16(cpu, i + 2, v >>> 16);
}
function rdInt(cpu: Cpu, bytes: number): bigint {
  let v = 0n;
  for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(rd(cpu, i));
  return BigInt.asIntN(bytes * 8, v);
}
function wrInt(cpu: Cpu, bytes: number, v: bigint): void {
  for (let i = 0; i < bytes; i++) wr(cpu, i, Number((v >> BigInt(i * 8)) & 0xffn));
}

/** Load a real or integer memory operand into the scratch slot: fmt 0 m32real, 1 m32int, 2 m64real, 3 m16int, 4 m64int, 5 m80. */
function loadMem(cpu: Cpu, f: Fpu, fmt: number): void {
  switch (fmt) {
    case 0: {
      const bits = rd32(cpu, 0);
      f32u[0] = bits;
      const v = f32[0];
      if (v !== v) {
        const m = (BigInt(bits & 0x7fffff) << 40n) | (1n << 63n);
        putF80(f.raw, MEM * 10, ((bits >>> 31) << 15) | 0x7fff, m);
        f.exact[MEM] = 1;
        f.val[MEM] = NaN;
      } else {
        if ((bits & 0x7f800000) === 0 && (bits & 0x7fffff) !== 0) f.exc(DE);
        f.set(MEM, v);
      }
      break;
    }
    case 2: {
      const lo = rd32(cpu, 0);
      const hi = rd32(cpu, 4);
      f64u[0] = lo;
      f64u[1] = hi;
      const v = f64[0];
      if (v !== v) {
        const m = (((BigInt(hi & 0xfffff) << 32n) | BigInt(lo)) << 11n) | (1n << 63n);
        putF80(f.raw, MEM * 10, ((hi >>> 31) << 15) | 0x7fff, m);
        f.exact[MEM] = 1;
        f.val[MEM] = NaN;
      } else {
        if ((hi & 0x7ff00000) === 0 && (lo | (hi & 0xfffff)) !== 0) f.exc(DE);
        f.set(MEM, v);
      }
      break;
    }
    case 1: f.set(MEM, rd32(cpu, 0) | 0); break;
    case 3: f.set(MEM, ((rd(cpu, 0) | (rd(cpu, 1) << 8)) << 16) >> 16); break;
    case 4: f.setInteger(MEM, rdInt(cpu, 8)); break;
    default: {
      const b = new Uint8Array(10);
      for (let i = 0; i < 10; i++) b[i] = rd(cpu, i);
      f.setRaw(MEM, b, 0);
      break;
    }
  }
}

/** Store slot p as m32real (fmt 0), m64real (2) or m80 (5). */
function storeReal(cpu: Cpu, f: Fpu, p: number, fmt: number): boolean {
  const v = f.val[p];
  if (fmt === 5) {
    const img = f.image(p);
    for (let i = 0; i < 10; i++) wr(cpu, i, img[i]);
    return true;
  }
  if (v !== v) {
    const img = f.image(p);
    const m = mantOf(img, 0);
    const sign = img[9] >> 7;
    if ((m & (1n << 62n)) === 0n && f.exc(IE)) return false; // signalling NaN
    if (fmt === 0) wr32(cpu, 0, (sign << 31) | 0x7fc00000 | Number((m >> 40n) & 0x3fffffn));
    else {
      const frac = (m >> 11n) & 0xfffffffffffffn;
      wr32(cpu, 0, Number(frac & 0xffffffffn));
      wr32(cpu, 4, (sign << 31) | 0x7ff80000 | Number(frac >> 32n));
    }
    return true;
  }
  if (fmt === 0) {
    f32[0] = v;
    const r = f32[0];
    if (!Number.isFinite(r) && Number.isFinite(v)) f.exc(OE | PE);
    else if (r !== v) f.exc(r === 0 || Math.abs(r) < 2 ** -126 ? UE | PE : PE);
    wr32(cpu, 0, f32u[0]);
  } else {
    if (f.exact[p] && !Number.isFinite(v) && f.image(p)[8] !== 0xff) f.exc(OE | PE);
    f64[0] = v;
    wr32(cpu, 0, f64u[0]);
    wr32(cpu, 4, f64u[1]);
  }
  return true;
}

// ---------------------------------------------------------------- environment

function tagWord(f: Fpu): number {
  let tw = 0;
  for (let p = 0; p < 8; p++) {
    let t: number;
    if (f.empty[p]) t = 3;
    else {
      const img = f.image(p);
      const exp = (img[8] | (img[9] << 8)) & 0x7fff;
      const m = mantOf(img, 0);
      if (exp === 0x7fff || (exp === 0 && m !== 0n) || (exp !== 0 && m >> 63n === 0n)) t = 2;
      else t = exp === 0 ? 1 : 0;
    }
    tw |= t << (p * 2);
  }
  return tw;
}

/** FSTENV/FSAVE's first part (real-mode layouts); returns its size. */
function storeEnv(cpu: Cpu, f: Fpu): number {
  if (cpu.opsz === 16) {
    wr16(cpu, 0, f.cw);
    wr16(cpu, 2, f.status());
    wr16(cpu, 4, tagWord(f));
    wr16(cpu, 6, f.fip);
    wr16(cpu, 8, ((f.fip >>> 4) & 0xf000) | (f.fop & 0x7ff));
    wr16(cpu, 10, f.fdp);
    wr16(cpu, 12, (f.fdp >>> 4) & 0xf000);
    return 14;
  }
  wr32(cpu, 0, 0xffff0000 | f.cw);
  wr32(cpu, 4, 0xffff0000 | f.status());
  wr32(cpu, 8, 0xffff0000 | tagWord(f));
  wr32(cpu, 12, f.fip & 0xffff);
  wr32(cpu, 16, ((f.fip >>> 4) & 0x0ffff000) | (f.fop & 0x7ff));
  wr32(cpu, 20, f.fdp & 0xffff);
  wr32(cpu, 24, (f.fdp >>> 4) & 0x0ffff000);
  return 28;
}

function loadEnv(cpu: Cpu, f: Fpu): number {
  const w = (i: number) => rd(cpu, i) | (rd(cpu, i + 1) << 8);
  const s = cpu.opsz === 16 ? 2 : 4;
  setControl(f, w(0));
  const sw = w(s);
  f.sw = sw & ~0x3800;
  f.top = (sw >> 11) & 7;
  const tw = w(2 * s);
  for (let p = 0; p < 8; p++) f.empty[p] = ((tw >> (p * 2)) & 3) === 3 ? 1 : 0;
  if (s === 2) {
    f.fip = w(6) | ((w(8) & 0xf000) << 4);
    f.fop = w(8) & 0x7ff;
    f.fdp = w(10) | ((w(12) & 0xf000) << 4);
  } else {
    f.fip = w(12) | ((rd32(cpu, 16) & 0x0ffff000) << 4);
    f.fop = w(16) & 0x7ff;
    f.fdp = w(20) | ((rd32(cpu, 24) & 0x0ffff000) << 4);
  }
  f.signalled = false;
  f.updateES();
  return s === 2 ? 14 : 28;
}

function setControl(f: Fpu, v: number): void {
  f.cw = f.model >= CpuModel.i80386 ? (v & 0x1f3f) | 0x40 : v & 0x1fff;
}

// ---------------------------------------------------------------- execution

/** The interrupt an unmasked exception is reported through, or -1 to leave it pending. */
function reportPending(cpu: Cpu, f: Fpu): void {
  if ((f.sw & ES) === 0 || f.signalled) return;
  if (cpu.model <= CpuModel.i80186) {
    f.signalled = true;
    cpu.fault(2);
  }
  if (cpu.flags & Flag.IF) {
    f.signalled = true;
    cpu.fault(0x75);
  }
}

/** FWAIT: report a pending unmasked exception. */
export function fpuWait(cpu: Cpu, f: Fpu): void {
  reportPending(cpu, f);
}

/** Execute ESC opcode `op` (D8-DF) with ModR/M byte `m` (operand already decoded into cpu.eaSeg:eaOff). */
export function fpuExecute(cpu: Cpu, f: Fpu, op: number, m: number): void {
  const esc = op & 7;
  const reg = (m >> 3) & 7;
  if (m < 0xc0) {
    // Control instructions: no wait for pending exceptions, pointers untouched.
    if (esc === 1 && reg >= 4) return controlMem(cpu, f, reg);
    if (esc === 5 && (reg === 4 || reg === 6 || reg === 7)) return controlMem(cpu, f, reg + 8);
    reportPending(cpu, f);
    f.fip = (cpu.csBase + cpu.instrStart) >>> 0;
    f.fop = (esc << 8) | m;
    f.fdp = (cpu.segBase[cpu.eaSeg] + cpu.eaOff) >>> 0;
    memoryOp(cpu, f, esc, reg);
    return;
  }
  if (esc === 3 && m >= 0xe0 && m <= 0xe4) return controlReg(f, m);
  if (esc === 7 && m === 0xe0) {
    if (cpu.model >= CpuModel.i80286) cpu.r16[0] = f.status();
    return;
  }
  reportPending(cpu, f);
  f.fip = (cpu.csBase + cpu.instrStart) >>> 0;
  f.fop = (esc << 8) | m;
  registerOp(cpu, f, esc, reg, m & 7);
}

function controlMem(cpu: Cpu, f: Fpu, which: number): void {
  switch (which) {
    case 4: loadEnv(cpu, f); break; // FLDENV
    case 5: // FLDCW
      setControl(f, rd(cpu, 0) | (rd(cpu, 1) << 8));
      f.updateES();
      break;
    case 6: storeEnv(cpu, f); break; // FNSTENV
    case 7: wr16(cpu, 0, f.cw); break; // FNSTCW
    case 12: { // FRSTOR
      const n = loadEnv(cpu, f);
      const b = new Uint8Array(10);
      for (let i = 0; i < 8; i++) {
        for (let k = 0; k < 10; k++) b[k] = rd(cpu, n + i * 10 + k);
        const p = f.phys(i);
        const wasEmpty = f.empty[p];
        f.setRaw(p, b, 0);
        f.empty[p] = wasEmpty;
      }
      break;
    }
    case 14: { // FNSAVE
      const n = storeEnv(cpu, f);
      for (let i = 0; i < 8; i++) {
        const img = f.image(f.phys(i));
        for (let k = 0; k < 10; k++) wr(cpu, n + i * 10 + k, img[k]);
      }
      f.init();
      break;
    }
    default: wr16(cpu, 0, f.status()); break; // FNSTSW m16
  }
}

function controlReg(f: Fpu, m: number): void {
  switch (m) {
    case 0xe0: if (f.model <= CpuModel.i80186) f.cw &= ~0x80; break; // FENI (8087 only)
    case 0xe1: if (f.model <= CpuModel.i80186) f.cw |= 0x80; break; // FDISI (8087 only)
    case 0xe2: f.sw &= ~(0xff | B); f.signalled = false; break; // FNCLEX
    case 0xe3: f.init(); break; // FNINIT
    default: break; // FSETPM: the 287 enters protected addressing; a no-op in real mode and on the 387
  }
}

const ARITH_FORMAT = [0, 1, 2, 3];

function memoryOp(cpu: Cpu, f: Fpu, esc: number, reg: number): void {
  const st0 = f.top;
  if ((esc & 1) === 0) {
    // D8 m32real, DA m32int, DC m64real, DE m16int: arithmetic and compares with ST(0).
    if (f.empty[st0]) {
      if (f.underflow()) return;
      if (reg === 2 || reg === 3) f.sw |= C3 | C2 | C0;
      else f.setIndefinite(st0);
      if (reg === 3) f.pop();
      return;
    }
    loadMem(cpu, f, ARITH_FORMAT[esc >> 1]);
    if (reg === 2 || reg === 3) {
      if (f.compare(st0, MEM, false) && reg === 3) f.pop();
      return;
    }
    f.arith(reg, st0, st0, MEM);
    return;
  }
  switch ((esc << 3) | reg) {
    case 0o10: return loadPush(cpu, f, 0); // FLD m32real
    case 0o12: case 0o13: return storeTop(cpu, f, reg === 3, 0);
    case 0o30: return loadPush(cpu, f, 1); // FILD m32int
    case 0o32: case 0o33: return storeInt(cpu, f, 4, reg === 3);
    case 0o35: return loadPush(cpu, f, 5); // FLD m80
    case 0o37: return storeTop(cpu, f, true, 5);
    case 0o50: return loadPush(cpu, f, 2); // FLD m64real
    case 0o52: case 0o53: return storeTop(cpu, f, reg === 3, 2);
    case 0o70: return loadPush(cpu, f, 3); // FILD m16int
    case 0o72: case 0o73: return storeInt(cpu, f, 2, reg === 3);
    case 0o74: return loadBcd(cpu, f);
    case 0o75: return loadPush(cpu, f, 4); // FILD m64int
    case 0o76: return storeBcd(cpu, f);
    case 0o77: return storeInt(cpu, f, 8, true);
    default: return; // reserved encodings
  }
}

function loadPush(cpu: Cpu, f: Fpu, fmt: number): void {
  loadMem(cpu, f, fmt);
  if (f.push()) f.copy(f.top, MEM);
}

function storeTop(cpu: Cpu, f: Fpu, pop: boolean, fmt: number): void {
  const p = f.top;
  if (f.empty[p]) {
    if (f.underflow()) return;
    f.setIndefinite(p);
    f.empty[p] = 1;
  }
  if (storeReal(cpu, f, p, fmt) && pop) f.pop();
}

function storeInt(cpu: Cpu, f: Fpu, bytes: number, pop: boolean): void {
  const p = f.top;
  let v: bigint | undefined;
  if (f.empty[p]) {
    if (f.underflow()) return;
  } else v = f.toInteger(p, bytes * 8);
  if (v === undefined) {
    if (!f.empty[p] && f.exc(IE)) return;
    v = -(1n << BigInt(bytes * 8 - 1)); // integer indefinite
  }
  wrInt(cpu, bytes, v);
  if (pop) f.pop();
}

function loadBcd(cpu: Cpu, f: Fpu): void {
  let v = 0n;
  for (let i = 8; i >= 0; i--) {
    const b = rd(cpu, i);
    v = v * 100n + BigInt((b >> 4) * 10 + (b & 15));
  }
  const neg = (rd(cpu, 9) & 0x80) !== 0;
  if (!f.push()) return;
  if (v === 0n) f.set(f.top, neg ? -0 : 0);
  else f.setInteger(f.top, neg ? -v : v);
}

function storeBcd(cpu: Cpu, f: Fpu): void {
  const p = f.top;
  let v: bigint | undefined;
  if (f.empty[p]) {
    if (f.underflow()) return;
  } else {
    v = f.toInteger(p, 64);
    if (v !== undefined && (v >= 10n ** 18n || v <= -(10n ** 18n))) v = undefined;
    if (v === undefined && f.exc(IE)) return;
  }
  if (v === undefined) {
    for (let i = 0; i < 7; i++) wr(cpu, i, 0);
    wr(cpu, 7, 0xc0);
    wr(cpu, 8, 0xff);
    wr(cpu, 9, 0xff);
  } else {
    const neg = v < 0n || Object.is(f.val[p], -0);
    let mag = v < 0n ? -v : v;
    for (let i = 0; i < 9; i++) {
      const d = Number(mag % 100n);
      mag /= 100n;
      wr(cpu, i, ((Math.floor(d / 10)) << 4) | (d % 10));
    }
    wr(cpu, 9, neg ? 0x80 : 0);
  }
  f.pop();
}

/** Register forms. */
function registerOp(cpu: Cpu, f: Fpu, esc: number, reg: number, i: number): void {
  const st0 = f.top;
  const sti = f.phys(i);
  const is387 = f.model >= CpuModel.i80386;
  switch (esc) {
    case 0: // D8: ST(0) = ST(0) op ST(i); FCOM/FCOMP ST(i)
      return arithReg(f, reg, st0, sti, false);
    case 4: // DC: ST(i) = ST(i) op ST(0), with SUB/SUBR and DIV/DIVR swapped
      return arithReg(f, reg >= 4 ? reg ^ 1 : reg, sti, st0, false);
    case 6: // DE: the popping forms; DE D9 is FCOMPP
      if (reg === 3) {
        if (i !== 1) return;
        return compareReg(f, st0, f.phys(1), false, 2);
      }
      return arithReg(f, reg >= 4 ? reg ^ 1 : reg, sti, st0, true);
    case 2: // DA E9: FUCOMPP (387)
      if (m2(reg, i) === 0o51 && is387) compareReg(f, st0, f.phys(1), true, 2);
      return;
    case 5: // DD
      switch (reg) {
        case 0: f.empty[sti] = 1; return; // FFREE
        case 1: return fxch(f, sti);
        case 2: case 3: // FST / FSTP ST(i)
          return fstReg(f, sti, reg === 3);
        case 4: case 5: // FUCOM / FUCOMP (387)
          if (is387) compareReg(f, st0, sti, true, reg - 4);
          return;
        default: return;
      }
    case 7: // DF
      if (reg === 0) {
        f.empty[sti] = 1; // FFREEP (undocumented)
        f.pop();
      } else if (reg === 1) fxch(f, sti);
      else if (reg === 2 || reg === 3) fstReg(f, sti, true);
      return;
    case 3: // DB: only the control forms (handled earlier) are defined before the P6
      return;
    default: // D9
      return opD9(cpu, f, reg, i, sti);
  }
}

function m2(reg: number, i: number): number {
  return (reg << 3) | i;
}

function arithReg(f: Fpu, kind: number, dst: number, src: number, pop: boolean): void {
  const st0 = f.top;
  if (kind === 2 || kind === 3) {
    return compareReg(f, st0, src === st0 ? dst : src, false, kind === 3 ? 1 : 0, pop);
  }
  const a = dst;
  const b = src;
  if (f.empty[a] || f.empty[b]) {
    if (f.underflow()) return;
    f.setIndefinite(dst);
  } else if (!f.arith(kind, dst, a, b)) return;
  if (pop) f.pop();
}

function compareReg(f: Fpu, a: number, b: number, quiet: boolean, pops: number, extraPop = false): void {
  if (f.empty[a] || f.empty[b]) {
    f.sw &= ~CC;
    if (f.underflow()) return;
    f.sw |= C3 | C2 | C0;
  } else if (!f.compare(a, b, quiet)) return;
  if (extraPop) pops++;
  for (let k = 0; k < pops; k++) f.pop();
}

/** FST/FSTP ST(i) and their aliases: ST(0) into ST(i) (the indefinite if ST(0) is empty), then pop. */
function fstReg(f: Fpu, sti: number, pop: boolean): void {
  const st0 = f.top;
  if (f.empty[st0]) {
    if (f.underflow()) return;
    f.setIndefinite(sti);
  } else f.copy(sti, st0);
  if (pop) f.pop();
}

function fxch(f: Fpu, sti: number): void {
  const st0 = f.top;
  if (f.empty[st0] || f.empty[sti]) {
    if (f.underflow()) return;
    if (f.empty[st0]) f.setIndefinite(st0);
    if (f.empty[sti]) f.setIndefinite(sti);
  }
  f.copy(MEM, st0);
  f.copy(st0, sti);
  f.copy(sti, MEM);
}

function opD9(cpu: Cpu, f: Fpu, reg: number, i: number, sti: number): void {
  const st0 = f.top;
  const is387 = f.model >= CpuModel.i80386;
  switch (reg) {
    case 0: { // FLD ST(i)
      const empty = f.empty[sti];
      f.copy(MEM, sti);
      if (!f.push()) return;
      if (empty) {
        if (f.underflow()) {
          f.top = (f.top + 1) & 7;
          return;
        }
        f.setIndefinite(f.top);
      } else f.copy(f.top, MEM);
      return;
    }
    case 1: return fxch(f, sti);
    case 2: return; // FNOP (D9 D0)
    case 3: // FSTP1 (undocumented alias of FSTP ST(i))
      return fstReg(f, sti, true);
    case 5: { // constants
      if (i === 7) return;
      if (!f.push()) return;
      const [se, mant] = CONSTANTS[i];
      const b = new Uint8Array(10);
      putF80(b, 0, se, mant);
      f.setRaw(f.top, b, 0);
      return;
    }
    default: break;
  }
  const code = (reg << 3) | i;
  if (code === 0o42 || code === 0o43 || code === 0o46 || code === 0o47) return; // reserved
  // Everything left works on ST(0) (and ST(1)): check for empty operands first.
  const needs = code === 0o45 ? 0 : code === 0o66 || code === 0o67 ? -1 : [0o61, 0o63, 0o70, 0o71, 0o75, 0o65].includes(code) ? 2 : 1;
  if (code === 0o45) return f.examine();
  if (code === 0o66) { f.top = (f.top - 1) & 7; f.sw &= ~C1; return; } // FDECSTP
  if (code === 0o67) { f.top = (f.top + 1) & 7; f.sw &= ~C1; return; } // FINCSTP
  const st1 = f.phys(1);
  if (f.empty[st0] || (needs === 2 && f.empty[st1])) {
    if (f.underflow()) return;
    if (needs === 2 && code !== 0o70 && code !== 0o75 && code !== 0o65) {
      f.setIndefinite(st1);
      f.pop();
    } else f.setIndefinite(st0);
    return;
  }
  const x = f.val[st0];
  const y = f.val[st1];
  const snan = (p: number) => f.val[p] !== f.val[p] && (f.raw[p * 10 + 7] & 0x40) === 0;
  /** A NaN operand: invalid if signalling, result the quiet NaN. Returns true when handled. */
  const nanIn = (dst: number): boolean => {
    if (x === x && (needs !== 2 || y === y)) return false;
    if ((snan(st0) || (needs === 2 && snan(st1))) && f.exc(IE)) return true;
    f.copy(dst, x !== x ? st0 : st1);
    f.raw[dst * 10 + 7] |= 0x40;
    return true;
  };
  switch (code) {
    case 0o40: // FCHS
      if (f.exact[st0]) setSign(f, st0, (f.raw[st0 * 10 + 9] & 0x80) === 0);
      else f.set(st0, -x);
      return;
    case 0o41: // FABS
      if (f.exact[st0]) setSign(f, st0, false);
      else f.set(st0, Math.abs(x));
      return;
    case 0o44: // FTST
      f.sw &= ~CC;
      if (x !== x) {
        if (f.exc(IE)) return;
        f.sw |= C3 | C2 | C0;
      } else if (x < 0) f.sw |= C0;
      else if (x === 0) f.sw |= C3;
      return;
    case 0o60: // F2XM1
      if (nanIn(st0)) return;
      f.set(st0, Math.expm1(x * Math.LN2));
      return;
    case 0o61: { // FYL2X
      if (nanIn(st1)) { f.pop(); return; }
      let r: number;
      if (x < 0 || (x === 0 && y === 0) || (x === 1 && !Number.isFinite(y))) {
        if (f.exc(IE)) return;
        r = NaN;
      } else if (x === 0) {
        if (f.exc(ZE)) return;
        r = -y * Infinity;
      } else r = y * Math.log2(x);
      f.set(st1, r);
      f.pop();
      return;
    }
    case 0o62: // FPTAN
      if (nanIn(st0)) return;
      if (!(Math.abs(x) < 2 ** 63)) {
        if (!Number.isFinite(x)) {
          if (f.exc(IE)) return;
          f.setIndefinite(st0);
        } else f.sw |= C2;
        return;
      }
      f.sw &= ~C2;
      f.set(st0, Math.tan(x));
      if (f.push()) f.set(f.top, 1);
      return;
    case 0o63: // FPATAN
      if (nanIn(st1)) { f.pop(); return; }
      f.set(st1, Math.atan2(y, x));
      f.pop();
      return;
    case 0o64: return fxtract(f, st0);
    case 0o65: case 0o70: return fprem(f, st0, st1, code === 0o65);
    case 0o71: // FYL2XP1
      if (nanIn(st1)) { f.pop(); return; }
      if (x < -1) {
        if (f.exc(IE)) return;
        f.setIndefinite(st1);
      } else f.set(st1, (y * Math.log1p(x)) / Math.LN2);
      f.pop();
      return;
    case 0o72: // FSQRT
      if (nanIn(st0)) return;
      if (x < 0) {
        if (f.exc(IE)) return;
        f.setIndefinite(st0);
      } else {
        const r = Math.sqrt(x);
        if (r * r !== x) f.exc(PE);
        f.set(st0, r);
      }
      return;
    case 0o73: case 0o76: case 0o77: { // FSINCOS, FSIN, FCOS (387)
      if (!is387) return;
      if (nanIn(st0)) return;
      if (!Number.isFinite(x)) {
        if (f.exc(IE)) return;
        f.setIndefinite(st0);
        if (code === 0o73 && f.push()) f.setIndefinite(f.top);
        return;
      }
      if (Math.abs(x) >= 2 ** 63) {
        f.sw |= C2;
        return;
      }
      f.sw &= ~C2;
      if (code === 0o76) f.set(st0, Math.sin(x));
      else if (code === 0o77) f.set(st0, Math.cos(x));
      else {
        f.set(st0, Math.sin(x));
        if (f.push()) f.set(f.top, Math.cos(x));
      }
      return;
    }
    case 0o74: { // FRNDINT
      if (nanIn(st0)) return;
      if (!Number.isFinite(x) && !f.exact[st0]) return;
      const img = f.image(st0);
      const exp = (img[8] | (img[9] << 8)) & 0x7fff;
      if (exp === 0x7fff || exp - 16383 >= 63) return;
      const neg = (img[9] & 0x80) !== 0;
      const { mag, inexact } = roundScaled(neg, mantOf(img, 0), (exp === 0 ? 1 : exp) - 16383 - 63, (f.cw >> 10) & 3);
      if (inexact) f.exc(PE);
      if (mag === 0n) f.set(st0, neg ? -0 : 0);
      else f.setInteger(st0, neg ? -mag : mag);
      return;
    }
    case 0o75: { // FSCALE
      if (nanIn(st0)) return;
      if ((x === 0 && y === Infinity) || (!Number.isFinite(x) && y === -Infinity)) {
        if (f.exc(IE)) return;
        f.setIndefinite(st0);
        return;
      }
      const n = Math.trunc(y);
      const r = Number.isFinite(n) ? ldexp(x, Math.max(-100000, Math.min(100000, n))) : n > 0 ? x * Infinity : x * 0;
      if (!Number.isFinite(r) && Number.isFinite(x)) f.exc(OE | PE);
      f.set(st0, r);
      return;
    }
    default: return; // reserved
  }
}

function setSign(f: Fpu, p: number, neg: boolean): void {
  f.raw[p * 10 + 9] = (f.raw[p * 10 + 9] & 0x7f) | (neg ? 0x80 : 0);
  f.val[p] = f80ToDouble(f.raw, p * 10);
}

function fxtract(f: Fpu, st0: number): void {
  const x = f.val[st0];
  if (x !== x) {
    if ((f.raw[st0 * 10 + 7] & 0x40) === 0 && f.exc(IE)) return;
    f.raw[st0 * 10 + 7] |= 0x40;
    f.copy(MEM, st0);
    if (f.push()) f.copy(f.top, MEM);
    return;
  }
  if (x === 0) {
    if (f.exc(ZE)) return;
    f.set(st0, -Infinity);
    if (f.push()) f.set(f.top, x);
    return;
  }
  if (!Number.isFinite(x) && !f.exact[st0]) {
    f.set(st0, Infinity);
    if (f.push()) f.set(f.top, x);
    return;
  }
  const img = new Uint8Array(f.image(st0));
  let exp = (img[8] | (img[9] << 8)) & 0x7fff;
  let m = mantOf(img, 0);
  if (exp === 0) {
    exp = 1;
    while (m < 1n << 63n) {
      m <<= 1n;
      exp--;
    }
  }
  putF80(img, 0, (img[9] & 0x80) << 8 | 0x3fff, m);
  f.set(st0, exp - 16383);
  if (f.push()) f.setRaw(f.top, img, 0);
}

function fprem(f: Fpu, st0: number, st1: number, ieee: boolean): void {
  const a = f.val[st0];
  const b = f.val[st1];
  f.sw &= ~(C0 | C1 | C2 | C3);
  if (a !== a || b !== b) {
    if ((((f.raw[st0 * 10 + 7] & 0x40) === 0 && a !== a) || ((f.raw[st1 * 10 + 7] & 0x40) === 0 && b !== b)) && f.exc(IE)) return;
    f.copy(st0, a !== a ? st0 : st1);
    f.raw[st0 * 10 + 7] |= 0x40;
    return;
  }
  if (!Number.isFinite(a) || b === 0) {
    if (f.exc(IE)) return;
    f.setIndefinite(st0);
    return;
  }
  if (a === 0 || !Number.isFinite(b)) return; // ST(0) unchanged
  const d = ilogb(a) - ilogb(b);
  if (d >= 64) {
    const n = 32 + ((d - 64) & 31);
    f.set(st0, a % ldexp(b, d - n));
    f.sw |= C2;
    return;
  }
  let r = a % b;
  const b8 = 8 * b;
  let q = Number.isFinite(b8) ? Math.round(Math.abs((a % b8) - r) / Math.abs(b)) & 7 : Math.trunc(Math.abs(a / b)) & 7;
  if (ieee) {
    const twice = 2 * Math.abs(r);
    const ab = Math.abs(b);
    if (twice > ab || (twice === ab && q & 1)) {
      r -= Math.sign(a) * ab;
      q = (q + 1) & 7;
    }
  }
  f.set(st0, r === 0 ? (a < 0 || Object.is(a, -0) ? -0 : 0) : r);
  if (q & 4) f.sw |= C0;
  if (q & 2) f.sw |= C1;
  if (q & 1) f.sw |= C3;
}
