/**
 * Integer ALU: the eight group-1 operations, INC/DEC/NEG/NOT and TEST, recording results for lazy flags.
 * Widths are given by the sign bit number: 7 (byte), 15 (word), 31 (dword).
 */
import { ARITH_FLAGS, LazyOp, type Cpu } from './cpu.js';
import { Flag } from './ist.js';

export const AluOp = { ADD: 0, OR: 1, ADC: 2, SBB: 3, AND: 4, SUB: 5, XOR: 6, CMP: 7 } as const;

function maskOf(sign: number): number {
  return sign === 7 ? 0xff : sign === 15 ? 0xffff : -1;
}

/** Apply group-1 operation `op` to a and b. Returns the result (masked to width); CMP returns it too but callers don't store it. */
export function alu(cpu: Cpu, op: number, a: number, b: number, sign: number): number {
  const mask = maskOf(sign);
  let r: number;
  switch (op) {
    case AluOp.ADD:
      r = (a + b) & mask;
      cpu.setLazy(LazyOp.Add, a, b, r, sign, ARITH_FLAGS);
      return r;
    case AluOp.OR:
      r = (a | b) & mask;
      cpu.setResultFlags(r, sign, 0);
      return r;
    case AluOp.ADC: {
      const c = cpu.getCF();
      r = (a + b + c) & mask;
      cpu.setLazy(LazyOp.Add, a, b, r, sign, ARITH_FLAGS);
      return r;
    }
    case AluOp.SBB: {
      const c = cpu.getCF();
      r = (a - b - c) & mask;
      cpu.setLazy(LazyOp.Sub, a, b, r, sign, ARITH_FLAGS);
      return r;
    }
    case AluOp.AND:
      r = a & b & mask;
      cpu.setResultFlags(r, sign, 0);
      return r;
    case AluOp.XOR:
      r = (a ^ b) & mask;
      cpu.setResultFlags(r, sign, 0);
      return r;
    default: // SUB, CMP
      r = (a - b) & mask;
      cpu.setLazy(LazyOp.Sub, a, b, r, sign, ARITH_FLAGS);
      return r;
  }
}

/** INC and DEC keep CF. */
export function inc(cpu: Cpu, a: number, sign: number): number {
  cpu.materializeBit(Flag.CF);
  const r = (a + 1) & maskOf(sign);
  cpu.setLazy(LazyOp.Add, a, 1, r, sign, ARITH_FLAGS & ~Flag.CF);
  return r;
}

export function dec(cpu: Cpu, a: number, sign: number): number {
  cpu.materializeBit(Flag.CF);
  const r = (a - 1) & maskOf(sign);
  cpu.setLazy(LazyOp.Sub, a, 1, r, sign, ARITH_FLAGS & ~Flag.CF);
  return r;
}

export function neg(cpu: Cpu, a: number, sign: number): number {
  const r = -a & maskOf(sign);
  cpu.setLazy(LazyOp.Sub, 0, a, r, sign, ARITH_FLAGS);
  return r;
}

export function test(cpu: Cpu, a: number, b: number, sign: number): void {
  cpu.setResultFlags(a & b & maskOf(sign), sign, 0);
}
