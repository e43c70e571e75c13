/**
 * ModR/M and SIB decoding: effective addresses (16- and 32-bit forms) and the r/m operand accessors.
 * After `decodeModrm`, a memory operand is `cpu.eaSeg:cpu.eaOff`, so read-modify-write reuses it.
 */
import { R8, type Cpu } from './cpu.js';

const SS = 2;
const DS = 3;

/** Fetch a ModR/M byte and, for a memory form, compute its effective address. Returns the byte. */
export function decodeModrm(cpu: Cpu): number {
  const m = cpu.fetch8();
  cpu.modrm = m;
  if (m < 0xc0) {
    if (cpu.adsz === 16) ea16(cpu, m);
    else ea32(cpu, m);
  }
  return m;
}

function ea16(cpu: Cpu, m: number): void {
  const r = cpu.r16;
  const mod = m >> 6;
  let off: number;
  let seg = DS;
  switch (m & 7) {
    case 0: off = r[6] + r[12]; break; // BX+SI
    case 1: off = r[6] + r[14]; break; // BX+DI
    case 2: off = r[10] + r[12]; seg = SS; break; // BP+SI
    case 3: off = r[10] + r[14]; seg = SS; break; // BP+DI
    case 4: off = r[12]; break; // SI
    case 5: off = r[14]; break; // DI
    case 6:
      if (mod === 0) {
        cpu.eaOff = cpu.fetch16();
        cpu.eaSeg = cpu.segOvr >= 0 ? cpu.segOvr : DS;
        return;
      }
      off = r[10];
      seg = SS;
      break;
    default: off = r[6]; break; // BX
  }
  if (mod === 1) off += (cpu.fetch8() << 24) >> 24;
  else if (mod === 2) off += cpu.fetch16();
  cpu.eaOff = off & 0xffff;
  cpu.eaSeg = cpu.segOvr >= 0 ? cpu.segOvr : seg;
}

function ea32(cpu: Cpu, m: number): void {
  const r = cpu.r32;
  const mod = m >> 6;
  let rm = m & 7;
  let off: number;
  let seg = DS;
  if (rm === 4) {
    const sib = cpu.fetch8();
    const base = sib & 7;
    const index = (sib >> 3) & 7;
    if (base === 5 && mod === 0) off = cpu.fetch32();
    else {
      off = r[base];
      if (base === 4 || base === 5) seg = SS;
    }
    if (index !== 4) off += r[index] << (sib >> 6);
    rm = base;
  } else if (rm === 5 && mod === 0) {
    off = cpu.fetch32();
  } else {
    off = r[rm];
    if (rm === 5) seg = SS;
  }
  if (mod === 1) off += (cpu.fetch8() << 24) >> 24;
  else if (mod === 2) off += cpu.fetch32();
  cpu.eaOff = off | 0;
  cpu.eaSeg = cpu.segOvr >= 0 ? cpu.segOvr : seg;
}

// ---------------------------------------------------------------- register operands by ModR/M number

export function getReg8(cpu: Cpu, n: number): number {
  return cpu.r8[R8[n]];
}
export function setReg8(cpu: Cpu, n: number, v: number): void {
  cpu.r8[R8[n]] = v;
}
export function getReg16(cpu: Cpu, n: number): number {
  return cpu.r16[n << 1];
}
export function setReg16(cpu: Cpu, n: number, v: number): void {
  cpu.r16[n << 1] = v;
}
/** Register of the current operand size (16: zero-extended word; 32: signed int32). */
export function getRegV(cpu: Cpu, n: number): number {
  return cpu.opsz === 16 ? cpu.r16[n << 1] : cpu.r32[n];
}
export function setRegV(cpu: Cpu, n: number, v: number): void {
  if (cpu.opsz === 16) cpu.r16[n << 1] = v;
  else cpu.r32[n] = v;
}

// ---------------------------------------------------------------- r/m operands

export function readE8(cpu: Cpu, m: number): number {
  return m >= 0xc0 ? cpu.r8[R8[m & 7]] : cpu.read8(cpu.eaSeg, cpu.eaOff);
}
export function writeE8(cpu: Cpu, m: number, v: number): void {
  if (m >= 0xc0) cpu.r8[R8[m & 7]] = v;
  else cpu.write8(cpu.eaSeg, cpu.eaOff, v);
}
export function readE16(cpu: Cpu, m: number): number {
  return m >= 0xc0 ? cpu.r16[(m & 7) << 1] : cpu.read16(cpu.eaSeg, cpu.eaOff);
}
export function writeE16(cpu: Cpu, m: number, v: number): void {
  if (m >= 0xc0) cpu.r16[(m & 7) << 1] = v;
  else cpu.write16(cpu.eaSeg, cpu.eaOff, v);
}
export function readE32(cpu: Cpu, m: number): number {
  return m >= 0xc0 ? cpu.r32[m & 7] : cpu.read32(cpu.eaSeg, cpu.eaOff);
}
export function writeE32(cpu: Cpu, m: number, v: number): void {
  if (m >= 0xc0) cpu.r32[m & 7] = v;
  else cpu.write32(cpu.eaSeg, cpu.eaOff, v);
}
export function readEV(cpu: Cpu, m: number): number {
  return cpu.opsz === 16 ? readE16(cpu, m) : readE32(cpu, m);
}
export function writeEV(cpu: Cpu, m: number, v: number): void {
  if (cpu.opsz === 16) writeE16(cpu, m, v);
  else writeE32(cpu, m, v);
}
