/**
 * Instruction lengths without executing: which one-byte opcodes take a ModR/M byte, how long their
 * immediates are, and the length of a 16-bit-addressed instruction at CS:IP. Used by the 286's
 * instruction-length limit and by the block translator's decoder.
 */
import type { Cpu } from './cpu.js';

/** Opcodes of the one-byte map that take a ModR/M byte, and the size of their immediate in 16-bit code. */
export const HAS_MODRM = new Uint8Array(256);
export const IMM_SIZE = new Uint8Array(256);
for (let op = 0; op < 0x40; op++) {
  if ((op & 7) < 4) HAS_MODRM[op] = 1;
  if ((op & 7) === 4) IMM_SIZE[op] = 1;
  if ((op & 7) === 5) IMM_SIZE[op] = 2;
}
for (const op of [0x62, 0x63, 0x69, 0x6b, 0xc0, 0xc1, 0xc4, 0xc5, 0xc6, 0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfe, 0xff]) {
  HAS_MODRM[op] = 1;
}
for (let op = 0x80; op <= 0x8f; op++) HAS_MODRM[op] = 1;
for (let op = 0xd8; op <= 0xdf; op++) HAS_MODRM[op] = 1;
for (const op of [0x6a, 0x6b, 0x80, 0x82, 0x83, 0xa8, 0xc0, 0xc1, 0xc6, 0xcd, 0xd4, 0xd5, 0xe4, 0xe5, 0xe6, 0xe7, 0xeb]) IMM_SIZE[op] = 1;
for (let op = 0x70; op <= 0x7f; op++) IMM_SIZE[op] = 1;
for (let op = 0xb0; op <= 0xb7; op++) IMM_SIZE[op] = 1;
for (let op = 0xe0; op <= 0xe3; op++) IMM_SIZE[op] = 1;
for (const op of [0x68, 0x69, 0x81, 0xa0, 0xa1, 0xa2, 0xa3, 0xa9, 0xc2, 0xc7, 0xca, 0xe8, 0xe9]) IMM_SIZE[op] = 2;
for (let op = 0xb8; op <= 0xbf; op++) IMM_SIZE[op] = 2;
IMM_SIZE[0x9a] = IMM_SIZE[0xea] = 4;
IMM_SIZE[0xc8] = 3;

/** Length of a 16-bit instruction from the opcode at IP (prefixes already consumed), without fetching it. */
export function lengthAt(cpu: Cpu): number {
  const peek = (i: number): number => cpu.peekCode(i);
  let op = peek(0);
  let len = 1;
  if (op === 0x0f) {
    op = peek(1);
    return op <= 1 ? 2 + modrmLength(peek(2)) : 2;
  }
  if (HAS_MODRM[op]) {
    const m = peek(1);
    len += modrmLength(m);
    if ((op === 0xf6 || op === 0xf7) && (m & 0x38) < 0x10) len += op === 0xf6 ? 1 : 2;
  }
  return len + IMM_SIZE[op];
}

export function modrmLength(m: number): number {
  const mod = m >> 6;
  if (mod === 3) return 1;
  if (mod === 1) return 2;
  if (mod === 2 || (m & 7) === 6) return 3;
  return 1;
}

/** ModR/M bytes of the two-byte map on the 386 (0F 20-23 included: their mod field is ignored, no displacement). */
export const HAS_MODRM_0F = new Uint8Array(256);
for (const op of [0x00, 0x01, 0x02, 0x03, 0xa3, 0xa4, 0xa5, 0xab, 0xac, 0xad, 0xaf, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf]) {
  HAS_MODRM_0F[op] = 1;
}
for (let op = 0x90; op <= 0x9f; op++) HAS_MODRM_0F[op] = 1;
for (let op = 0xb2; op <= 0xb7; op++) HAS_MODRM_0F[op] = 1;

/**
 * Length of an instruction at IP (prefixes already consumed) under the current operand and address size:
 * SIB and 32-bit displacements, 16- or 32-bit immediates, the two-byte map. For the 386's 15-byte limit.
 */
export function lengthAt386(cpu: Cpu): number {
  const peek = (i: number): number => cpu.peekCode(i);
  const v = cpu.opsz >> 3;
  const op = peek(0);
  if (op === 0x0f) {
    const op2 = peek(1);
    if (op2 >= 0x80 && op2 <= 0x8f) return 2 + v; // Jcc rel16/32
    if (op2 >= 0x20 && op2 <= 0x23) return 3;
    if (!HAS_MODRM_0F[op2]) return 2;
    const imm = op2 === 0xa4 || op2 === 0xac || op2 === 0xba ? 1 : 0;
    return 2 + modrmLength386(cpu, peek(2), peek(3)) + imm;
  }
  let len = 1;
  if (HAS_MODRM[op]) {
    const m = peek(1);
    len += modrmLength386(cpu, m, peek(2));
    if ((op === 0xf6 || op === 0xf7) && (m & 0x38) < 0x10) len += op === 0xf6 ? 1 : v;
  }
  const imm = IMM_SIZE[op];
  if (op >= 0xa0 && op <= 0xa3) return len + (cpu.adsz >> 3); // moffs
  if (op === 0x9a || op === 0xea) return len + 2 + v; // ptr16:16/32
  if (imm === 2 && op !== 0xc2 && op !== 0xca) return len + v; // Iv, rel16/32
  return len + imm;
}

/** Bytes of a ModR/M byte `m` and what follows it (SIB `sib`, displacement) under the current address size. */
function modrmLength386(cpu: Cpu, m: number, sib: number): number {
  if (cpu.adsz === 16) return modrmLength(m);
  const mod = m >> 6;
  if (mod === 3) return 1;
  let len = 1;
  if ((m & 7) === 4) {
    len++;
    if (mod === 0 && (sib & 7) === 5) len += 4;
  } else if (mod === 0 && (m & 7) === 5) len += 4;
  return len + (mod === 1 ? 1 : mod === 2 ? 4 : 0);
}

/**
 * One-byte opcodes after which IP may not simply follow the instruction: jumps, calls, returns, loops,
 * interrupts, the 0F map, and prefixes (whose instruction may be any of these). The run loop asks the
 * translator for a region only at such points (and after an interrupt), not after every instruction.
 */
export const MAY_JUMP = new Uint8Array(256);
for (const op of [
  0x0f, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0x9a, 0xc0, 0xc1, 0xc2, 0xc3, 0xc8, 0xc9, 0xca, 0xcb,
  0xcc, 0xcd, 0xce, 0xcf, 0xe0, 0xe1, 0xe2, 0xe3, 0xe8, 0xe9, 0xea, 0xeb, 0xf0, 0xf1, 0xf2, 0xf3, 0xff,
]) {
  MAY_JUMP[op] = 1;
}
for (let op = 0x60; op <= 0x7f; op++) MAY_JUMP[op] = 1; // Jcc, and their 8086 aliases

const PREFIX = new Uint8Array(256);
for (const p of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) PREFIX[p] = 1;

/**
 * Length of the instruction whose bytes `peek(i)` returns, prefixes included, in 16-bit (`code32` false) or
 * 32-bit code (the 386's operand- and address-size prefixes flip the defaults). The block translator's
 * decoder for instructions it leaves to the interpreter.
 */
export function instructionLength(peek: (i: number) => number, code32: boolean): number {
  let i = 0;
  let o32 = code32;
  let a32 = code32;
  for (; i < 14; i++) {
    const b = peek(i);
    if (!PREFIX[b]) break;
    if (b === 0x66) o32 = !code32;
    else if (b === 0x67) a32 = !code32;
  }
  const v = o32 ? 4 : 2;
  const mlen = (at: number): number => {
    const m = peek(at);
    if (!a32) return modrmLength(m);
    const mod = m >> 6;
    if (mod === 3) return 1;
    let len = 1;
    if ((m & 7) === 4) {
      len++;
      if (mod === 0 && (peek(at + 1) & 7) === 5) len += 4;
    } else if (mod === 0 && (m & 7) === 5) len += 4;
    return len + (mod === 1 ? 1 : mod === 2 ? 4 : 0);
  };
  const op = peek(i);
  if (op === 0x0f) {
    const op2 = peek(i + 1);
    if (op2 >= 0x80 && op2 <= 0x8f) return i + 2 + v;
    if (op2 >= 0x20 && op2 <= 0x23) return i + 3;
    if (!HAS_MODRM_0F[op2]) return i + 2;
    const imm = op2 === 0xa4 || op2 === 0xac || op2 === 0xba ? 1 : 0;
    return i + 2 + mlen(i + 2) + imm;
  }
  let len = i + 1;
  if (HAS_MODRM[op]) {
    const m = peek(i + 1);
    len += mlen(i + 1);
    if ((op === 0xf6 || op === 0xf7) && (m & 0x38) < 0x10) len += op === 0xf6 ? 1 : v;
  }
  if (op >= 0xa0 && op <= 0xa3) return len + (a32 ? 4 : 2);
  if (op === 0x9a || op === 0xea) return len + 2 + v;
  const imm = IMM_SIZE[op];
  if (imm === 2 && op !== 0xc2 && op !== 0xca) return len + v;
  return len + imm;
}
