/**
 * The x87 coprocessor (main/ist/fpu.ts): small machine-code programs on the IST, results read back from memory.
 * Encodings are written out by hand (DS:0200h onward is the data area); every program ends in HLT.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createCpu, CpuModel, StopReason, type Ist } from '../../main/ist/index.js';
import { RamBus } from '../support/ram-bus.js';

const SEG = 0x1000;
const BASE = SEG * 16;

/** ESC opcode with a [disp16] memory operand: op /reg [addr]. */
function m(op: number, reg: number, addr: number): number[] {
  return [op, (reg << 3) | 6, addr & 0xff, addr >> 8];
}
const FNINIT = [0xdb, 0xe3];
const HLT = [0xf4];

interface Run {
  cpu: Ist;
  bus: RamBus;
  vector: number;
}

function run(code: number[], data: Record<number, number[]> = {}, opts: { model?: CpuModel; fpu?: boolean } = {}): Run {
  const bus = new RamBus();
  for (let v = 0; v < 256; v++) {
    bus.ram[v * 4] = v;
    bus.ram[v * 4 + 2] = 0x50;
    bus.ram[0x500 + v] = 0xf4;
  }
  bus.ram.set([...code, ...HLT], BASE + 0x100);
  for (const [a, bytes] of Object.entries(data)) bus.ram.set(bytes, BASE + Number(a));
  const cpu = createCpu(bus, opts.model ?? CpuModel.i80386, { fpu: opts.fpu ?? true, translate: false });
  cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0x1000, eip: 0x100, eflags: 0x202 });
  expect(cpu.run(10000)).toBe(StopReason.Halt);
  const r = cpu.getRegisters();
  return { cpu, bus, vector: r.cs === 0x50 ? (r.eip - 1) & 0xff : -1 };
}

function bytes(r: Run, addr: number, n: number): number[] {
  return [...r.bus.ram.subarray(BASE + addr, BASE + addr + n)];
}
function word(r: Run, addr: number): number {
  return r.bus.ram[BASE + addr] | (r.bus.ram[BASE + addr + 1] << 8);
}
function f64(v: number): number[] {
  return [...new Uint8Array(new Float64Array([v]).buffer)];
}
function getF64(r: Run, addr: number): number {
  return new Float64Array(new Uint8Array(bytes(r, addr, 8)).buffer)[0];
}
function i64(v: bigint): number[] {
  return [...new Uint8Array(new BigInt64Array([v]).buffer)];
}
function getI64(r: Run, addr: number): bigint {
  return new BigInt64Array(new Uint8Array(bytes(r, addr, 8)).buffer)[0];
}
/** Status word of the machine after the program (stored by an appended FNSTSW [0x3fe]). */
function withStatus(code: number[]): number[] {
  return [...code, ...m(0xdd, 7, 0x3fe)];
}
const C0 = 0x100;
const C1 = 0x200;
const C2 = 0x400;
const C3 = 0x4000;

function ulps(a: number, b: number): number {
  if (a === b) return 0;
  const x = new BigInt64Array(new Float64Array([a]).buffer)[0];
  const y = new BigInt64Array(new Float64Array([b]).buffer)[0];
  return Number(x > y ? x - y : y - x);
}

describe('x87 FPU', () => {
  it('loads and stores 80-bit values exactly: normals, denormals, pseudo-denormals, infinities, NaNs', () => {
    const values = [
      [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xff, 0x3f], // 1.0
      [0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40], // pi (extended)
      [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // smallest denormal
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x7f], // largest finite
      [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff], // -infinity
      [0x12, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xff, 0x7f], // QNaN with payload
      [0x12, 0x34, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xff, 0x7f], // SNaN
      [0x9b, 0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x23, 0xc0], // -something precise
    ];
    for (const v of values) {
      // FLD m80 [200]; FLD ST(0); FXCH; FSTP m80 [210]; FSTP m80 [220]
      const r = run([...FNINIT, ...m(0xdb, 5, 0x200), 0xd9, 0xc0, 0xd9, 0xc9, ...m(0xdb, 7, 0x210), ...m(0xdb, 7, 0x220)], { 0x200: v });
      expect(bytes(r, 0x210, 10)).toEqual(v);
      expect(bytes(r, 0x220, 10)).toEqual(v);
    }
  });

  it('converts to integers under each rounding mode', () => {
    const cases: [number, number[]][] = [
      [2.5, [2, 2, 3, 2]],
      [-2.5, [-2, -3, -2, -2]],
      [3.5, [4, 3, 4, 3]],
      [-1.25, [-1, -2, -1, -1]],
    ];
    for (const [x, want] of cases) {
      for (let rc = 0; rc < 4; rc++) {
        const cw = 0x37f | (rc << 10);
        const r = run([...FNINIT, ...m(0xd9, 5, 0x208), ...m(0xdd, 0, 0x200), ...m(0xd9, 0, 0x200), 0x90, ...m(0xdd, 0, 0x200), 0xd9, 0xfc, ...m(0xdb, 3, 0x210), ...m(0xdd, 0, 0x200), ...m(0xdf, 3, 0x214), ...m(0xdb, 3, 0x218)], {
          0x200: f64(x),
          0x208: [cw & 0xff, cw >> 8],
        });
        // The FLD m32 of the double's low half is popped by nothing: ignore it; check FRNDINT and FISTP.
        expect(new Int32Array(new Uint8Array(bytes(r, 0x210, 4)).buffer)[0]).toBe(want[rc]);
        expect((word(r, 0x214) << 16) >> 16).toBe(want[rc]);
      }
    }
  });

  it('keeps 64-bit integers exact through FILD/FISTP m64 and stores the integer indefinite on overflow', () => {
    const big = 0x7123456789abcdefn;
    const r = run([...FNINIT, ...m(0xdf, 5, 0x200), ...m(0xdf, 7, 0x210), ...m(0xdd, 0, 0x220), ...m(0xdf, 3, 0x230), ...withStatus([])], {
      0x200: i64(big),
      0x220: f64(1e10),
    });
    expect(getI64(r, 0x210)).toBe(big);
    expect(word(r, 0x230)).toBe(0x8000);
    expect(word(r, 0x3fe) & 1).toBe(1); // IE
  });

  it('adds, subtracts, multiplies and divides as doubles do, all operand forms', () => {
    const a = 1.1;
    const b = 3.7;
    const prog = [
      ...FNINIT,
      ...m(0xdd, 0, 0x200), ...m(0xdc, 0, 0x208), ...m(0xdd, 3, 0x300), // a + b
      ...m(0xdd, 0, 0x200), ...m(0xdc, 4, 0x208), ...m(0xdd, 3, 0x308), // a - b
      ...m(0xdd, 0, 0x200), ...m(0xdc, 5, 0x208), ...m(0xdd, 3, 0x310), // b - a (FSUBR)
      ...m(0xdd, 0, 0x200), ...m(0xdd, 0, 0x208), 0xde, 0xf9, ...m(0xdd, 3, 0x318), // a / b (FDIVP)
      ...m(0xdd, 0, 0x200), ...m(0xdd, 0, 0x208), 0xde, 0xe9, ...m(0xdd, 3, 0x320), // a - b (FSUBP)
      ...m(0xdd, 0, 0x200), ...m(0xdd, 0, 0x208), 0xde, 0xc9, ...m(0xdd, 3, 0x328), // a * b (FMULP)
      ...m(0xdd, 0, 0x200), ...m(0xdd, 0, 0x208), 0xdc, 0xf1, 0xdd, 0xd8, ...m(0xdd, 3, 0x330), // ST1 = ST0 / ST1 = b / a (DC F0+i FDIVR), pop
      ...m(0xdd, 0, 0x200), ...m(0xda, 0, 0x210), ...m(0xdd, 3, 0x338), // a + m32int
    ];
    const r = run(prog, { 0x200: f64(a), 0x208: f64(b), 0x210: [7, 0, 0, 0] });
    expect(getF64(r, 0x300)).toBe(a + b);
    expect(getF64(r, 0x308)).toBe(a - b);
    expect(getF64(r, 0x310)).toBe(b - a);
    expect(getF64(r, 0x318)).toBe(a / b);
    expect(getF64(r, 0x320)).toBe(a - b);
    expect(getF64(r, 0x328)).toBe(a * b);
    expect(getF64(r, 0x330)).toBe(b / a);
    expect(getF64(r, 0x338)).toBe(a + 7);
  });

  it('rounds FADD/FSUB/FMUL/FDIV results the way the control word says: down, up, chop, and 24-bit precision', () => {
    const next = (x: number, up: boolean): number => {
      const f = new Float64Array([x]);
      const u = new BigInt64Array(f.buffer);
      u[0] += (x > 0) === up ? 1n : -1n;
      return f[0];
    };
    // Operations whose exact result lies between two doubles (1/3, 0.1 + 0.2, 1.1 * 3.7, 1 - 1e-17).
    const cases: [number, number, number, (a: number, b: number) => number][] = [
      [6, 1, 3, (a, b) => a / b], // FDIV
      [0, 0.1, 0.2, (a, b) => a + b], // FADD
      [1, 1.1, 3.7, (a, b) => a * b], // FMUL
      [4, 1, 1e-17, (a, b) => a - b], // FSUB
    ];
    for (const [reg, a, b, op] of cases) {
      const nearest = op(a, b);
      for (let rc = 0; rc < 4; rc++) {
        const cw = 0x27f | (rc << 10); // 53-bit precision
        const r = run([...FNINIT, ...m(0xd9, 5, 0x220), ...m(0xdd, 0, 0x200), ...m(0xdc, reg, 0x208), ...m(0xdd, 3, 0x300), ...withStatus([])], {
          0x200: f64(a),
          0x208: f64(b),
          0x220: [cw & 0xff, cw >> 8],
        });
        const got = getF64(r, 0x300);
        // The exact value is above `nearest` when rounding up moved it, below when rounding down did.
        const up = rc === 2 || (rc === 3 && nearest < 0);
        const down = rc === 1 || (rc === 3 && nearest > 0);
        expect([nearest, next(nearest, true), next(nearest, false)], `op ${reg} rc ${rc}`).toContain(got);
        if (rc === 0) expect(got).toBe(nearest);
        if (up) expect(got).toBeGreaterThanOrEqual(nearest);
        if (down) expect(got).toBeLessThanOrEqual(nearest);
      }
      // Round up and round down of an inexact result are one ulp apart.
      const at = (rc: number): number => {
        const cw = 0x27f | (rc << 10);
        return getF64(run([...FNINIT, ...m(0xd9, 5, 0x220), ...m(0xdd, 0, 0x200), ...m(0xdc, reg, 0x208), ...m(0xdd, 3, 0x300), ...HLT], { 0x200: f64(a), 0x208: f64(b), 0x220: [cw & 0xff, cw >> 8] }), 0x300);
      };
      expect(next(at(1), true), `op ${reg}`).toBe(at(2));
    }
    // Precision control 24 bits: 1/3 comes out as the single-precision value.
    const r = run([...FNINIT, ...m(0xd9, 5, 0x220), ...m(0xdd, 0, 0x200), ...m(0xdc, 6, 0x208), ...m(0xdd, 3, 0x300), ...HLT], { 0x200: f64(1), 0x208: f64(3), 0x220: [0x7f, 0x00] });
    expect(getF64(r, 0x300)).toBe(Math.fround(1 / 3));
  });

  it('compares into C0/C2/C3, and FSTSW AX + SAHF gives the branch flags', () => {
    const cmp = (x: number, y: number) =>
      run([...FNINIT, ...m(0xdd, 0, 0x208), ...m(0xdd, 0, 0x200), 0xd8, 0xd1, 0xdf, 0xe0, 0x9e, 0x9c, 0x8f, 0x06, 0x10, 0x03, ...withStatus([])], {
        0x200: f64(x),
        0x208: f64(y),
      });
    let r = cmp(1, 2);
    expect(word(r, 0x3fe) & (C0 | C2 | C3)).toBe(C0);
    expect(word(r, 0x310) & 0x41).toBe(0x01); // CF
    r = cmp(2, 2);
    expect(word(r, 0x3fe) & (C0 | C2 | C3)).toBe(C3);
    expect(word(r, 0x310) & 0x41).toBe(0x40); // ZF
    r = cmp(3, 2);
    expect(word(r, 0x3fe) & (C0 | C2 | C3)).toBe(0);
    r = cmp(NaN, 2);
    expect(word(r, 0x3fe) & (C0 | C2 | C3 | 1)).toBe(C0 | C2 | C3 | 1);
  });

  it('classifies with FXAM', () => {
    const xam = (v: number[]) => word(run(withStatus([...FNINIT, ...m(0xdb, 5, 0x200), 0xd9, 0xe5]), { 0x200: v }), 0x3fe) & (C0 | C1 | C2 | C3);
    expect(xam([0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f])).toBe(C2); // normal
    expect(xam([0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xbf])).toBe(C2 | C1); // negative normal
    expect(xam([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(C3); // zero
    expect(xam([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(C3 | C2); // denormal
    expect(xam([0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x7f])).toBe(C2 | C0); // infinity
    expect(xam([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x7f])).toBe(C0); // NaN
    expect(word(run(withStatus([...FNINIT, 0xd9, 0xe5])), 0x3fe) & (C0 | C2 | C3)).toBe(C3 | C0); // empty
  });

  it('flags stack overflow and underflow with SF and C1', () => {
    const eight = Array(9).fill([0xd9, 0xe8]).flat(); // nine FLD1
    let r = run(withStatus([...FNINIT, ...eight]));
    expect(word(r, 0x3fe) & (0x41 | C1)).toBe(0x41 | C1);
    r = run(withStatus([...FNINIT, 0xd9, 0xfa])); // FSQRT on an empty stack
    expect(word(r, 0x3fe) & (0x41 | C1)).toBe(0x41);
  });

  it('saves and restores the whole state with FSAVE/FRSTOR in 16- and 32-bit layouts', () => {
    for (const o32 of [false, true]) {
      const p = o32 ? [0x66] : [];
      const size = o32 ? 108 : 94;
      const r = run([
        ...FNINIT, 0xd9, 0xeb, 0xd9, 0xe8, ...m(0xdb, 5, 0x200), // pi, 1, an m80
        ...p, ...m(0xdd, 6, 0x400), // FNSAVE [400] (reinitialises)
        ...p, ...m(0xdd, 4, 0x400), // FRSTOR [400]
        ...p, ...m(0xdd, 6, 0x500), // FNSAVE [500]
      ], { 0x200: [1, 2, 3, 4, 5, 6, 7, 0x87, 0x34, 0x12] });
      expect(bytes(r, 0x500, size)).toEqual(bytes(r, 0x400, size));
      const env = o32 ? 28 : 14;
      expect(bytes(r, 0x400 + env, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 0x87, 0x34, 0x12]);
      expect(bytes(r, 0x400 + env + 20, 10)).toEqual([0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40]);
      const sw = o32 ? word(r, 0x404) : word(r, 0x402);
      expect((sw >> 11) & 7).toBe(5); // TOP after three pushes
      const tw = o32 ? word(r, 0x408) : word(r, 0x404);
      expect(tw).toBe(0x03ff); // registers 5,6,7 valid, the rest empty
    }
  });

  it('lays FSTENV out with the instruction and operand pointers (16-bit real mode)', () => {
    const r = run([...FNINIT, ...m(0xdd, 0, 0x200), ...m(0xd9, 6, 0x300)], { 0x200: f64(1) });
    expect(word(r, 0x300)).toBe(0x37f);
    const fip = BASE + 0x102;
    expect(word(r, 0x306)).toBe(fip & 0xffff);
    expect(word(r, 0x308)).toBe(((fip >> 4) & 0xf000) | 0x506); // DD 06 -> opcode 5 06
    expect(word(r, 0x30a)).toBe((BASE + 0x200) & 0xffff);
    expect(word(r, 0x30c)).toBe(((BASE + 0x200) >> 4) & 0xf000);
  });

  it('computes transcendentals within 1 ulp of the double results', () => {
    const x = 0.7;
    const prog = [
      ...FNINIT,
      ...m(0xdd, 0, 0x200), 0xd9, 0xfe, ...m(0xdd, 3, 0x300), // FSIN
      ...m(0xdd, 0, 0x200), 0xd9, 0xff, ...m(0xdd, 3, 0x308), // FCOS
      ...m(0xdd, 0, 0x200), 0xd9, 0xf2, 0xdd, 0xd8, ...m(0xdd, 3, 0x310), // FPTAN, drop the 1
      ...m(0xdd, 0, 0x200), 0xd9, 0xe8, 0xd9, 0xf3, ...m(0xdd, 3, 0x318), // FPATAN(x / 1)
      ...m(0xdd, 0, 0x200), 0xd9, 0xf0, ...m(0xdd, 3, 0x320), // F2XM1
      0xd9, 0xe8, ...m(0xdd, 0, 0x200), 0xd9, 0xf1, ...m(0xdd, 3, 0x328), // FYL2X: 1 * log2(x)
      ...m(0xdd, 0, 0x200), 0xd9, 0xfa, ...m(0xdd, 3, 0x330), // FSQRT
    ];
    const r = run(prog, { 0x200: f64(x) });
    const want = [Math.sin(x), Math.cos(x), Math.tan(x), Math.atan(x), 2 ** x - 1, Math.log2(x), Math.sqrt(x)];
    want.forEach((w, i) => expect(ulps(getF64(r, 0x300 + i * 8), w)).toBeLessThanOrEqual(1));
  });

  it('takes partial remainders with FPREM, reporting the quotient bits and C2', () => {
    const r = run(withStatus([...FNINIT, ...m(0xdd, 0, 0x208), ...m(0xdd, 0, 0x200), 0xd9, 0xf8, ...m(0xdd, 3, 0x300)]), {
      0x200: f64(23),
      0x208: f64(5),
    });
    expect(getF64(r, 0x300)).toBe(3);
    expect(word(r, 0x3fe) & (C0 | C1 | C2 | C3)).toBe(C0); // quotient 4: Q2 in C0
  });

  it('needs several FPREMs (C2 set) when the exponents are far apart', () => {
    const r = run(withStatus([...FNINIT, ...m(0xdd, 0, 0x208), ...m(0xdd, 0, 0x200), 0xd9, 0xf8]), {
      0x200: f64(1e300),
      0x208: f64(3),
    });
    expect(word(r, 0x3fe) & C2).toBe(C2);
  });

  it('loads and stores packed BCD', () => {
    const bcd = [0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x80]; // -234567890123456789
    const r = run([...FNINIT, ...m(0xdf, 4, 0x200), ...m(0xdf, 6, 0x210), ...m(0xdd, 0, 0x220), ...m(0xdf, 6, 0x230)], {
      0x200: bcd,
      0x220: f64(1234.5),
    });
    expect(bytes(r, 0x210, 10)).toEqual(bcd);
    expect(bytes(r, 0x230, 10)).toEqual([0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0]); // round to even
  });

  it('is seen by the classic detection sequence only when fitted', () => {
    const detect = [...FNINIT, ...m(0xdd, 7, 0x200), ...m(0xd9, 7, 0x202)];
    for (const model of [CpuModel.i8086, CpuModel.i80286, CpuModel.i80386]) {
      let r = run(detect, { 0x200: [0x5a, 0x5a, 0x5a, 0x5a] }, { model, fpu: true });
      expect(word(r, 0x200)).toBe(0);
      expect(word(r, 0x202) & 0x1f3f).toBe(0x033f);
      expect(r.cpu.hasFpu).toBe(true);
      r = run(detect, { 0x200: [0x5a, 0x5a, 0x5a, 0x5a] }, { model, fpu: false });
      expect(word(r, 0x200)).toBe(0x5a5a);
      expect(word(r, 0x202)).toBe(0x5a5a);
    }
  });

  it('reports an unmasked exception at the next FWAIT through IRQ 13 (vector 75h)', () => {
    // Unmask zero-divide, divide 1 by 0, then FWAIT.
    const r = run([...FNINIT, ...m(0xd9, 5, 0x200), 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x9b], { 0x200: [0x7b, 0x03] });
    expect(r.vector).toBe(0x75);
  });

  it('raises #NM on ESC with CR0.EM set', () => {
    // MOV EAX, CR0; OR AL, 4; MOV CR0, EAX; FLD1
    const r = run([0x0f, 0x20, 0xc0, 0x0c, 0x04, 0x0f, 0x22, 0xc0, 0xd9, 0xe8]);
    expect(r.vector).toBe(7);
  });

  it('runs the DOS guest test/guests/fpu/FPUTEST.COM with exit code 0', () => {
    const out = execFileSync('node', ['bin/mvm.js', 'run', '--drive', 'C=test/guests/fpu', 'FPUTEST.COM'], { encoding: 'latin1', timeout: 60000 });
    expect(out).toContain('PASS');
    expect(out).not.toContain('FAIL');
  });
});
