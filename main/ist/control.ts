/** Control transfer helpers: condition codes, near/far calls and returns, interrupts return, ENTER/LEAVE. */
import type { Cpu } from './cpu.js';
import { decodeModrm, readEV, setRegV } from './modrm.js';
import { CpuModel, Flag } from './ist.js';
import { callFarProtected, iretProtected, jumpFarProtected, retFarProtected } from './protected.js';

/** Condition `cc` (0-15, the low nibble of Jcc/SETcc/CMOVcc). */
export function condition(cpu: Cpu, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = cpu.getOF(); break;
    case 1: r = cpu.getCF() !== 0; break;
    case 2: r = cpu.getZF(); break;
    case 3: r = cpu.getCF() !== 0 || cpu.getZF(); break;
    case 4: r = cpu.getSF(); break;
    case 5: r = cpu.getPF(); break;
    case 6: r = cpu.getSF() !== cpu.getOF(); break;
    default: r = cpu.getZF() || cpu.getSF() !== cpu.getOF(); break;
  }
  return (cc & 1) === 0 ? r : !r;
}

/** Protected mode (not V86): far transfers go through descriptors (protected.ts). */
function protectedMode(cpu: Cpu): boolean {
  return cpu.pe && (cpu.flags & Flag.VM) === 0;
}

/** A near target past CS's limit is #GP(0) at the jump, not at the next fetch (protected mode only). */
function checkNearTarget(cpu: Cpu, target: number): void {
  if (cpu.pe && target >>> 0 > cpu.csLimit) cpu.faultCode(13, 0);
}

/** Relative near jump; IP wraps at 64 KiB for 16-bit operand size. */
export function jumpRel(cpu: Cpu, disp: number): void {
  const target = cpu.opsz === 16 ? (cpu.ip + disp) & 0xffff : (cpu.ip + disp) | 0;
  checkNearTarget(cpu, target);
  cpu.ip = target;
}

export function jumpNear(cpu: Cpu, target: number): void {
  target = cpu.opsz === 16 ? target & 0xffff : target | 0;
  checkNearTarget(cpu, target);
  cpu.ip = target;
}

export function callNear(cpu: Cpu, target: number): void {
  checkNearTarget(cpu, cpu.opsz === 16 ? target & 0xffff : target | 0);
  cpu.pushV(cpu.ip);
  jumpNear(cpu, target);
}

export function callFar(cpu: Cpu, sel: number, off: number): void {
  if (protectedMode(cpu)) return callFarProtected(cpu, sel, off);
  if (cpu.opsz === 16) {
    cpu.push16(cpu.sreg[1]);
    cpu.push16(cpu.ip);
  } else {
    cpu.push32(cpu.sreg[1]);
    cpu.push32(cpu.ip);
  }
  cpu.loadCS(sel);
  jumpNear(cpu, off);
}

export function jumpFar(cpu: Cpu, sel: number, off: number): void {
  if (protectedMode(cpu)) return jumpFarProtected(cpu, sel, off);
  cpu.loadCS(sel);
  jumpNear(cpu, off);
}

export function retNear(cpu: Cpu, release: number): void {
  const ip = cpu.readStack(0, cpu.opsz >> 3);
  jumpNear(cpu, ip);
  cpu.adjustSP((cpu.opsz >> 3) + release);
}

export function retFar(cpu: Cpu, release: number): void {
  if (protectedMode(cpu)) return retFarProtected(cpu, release);
  const ip = cpu.popV();
  const cs = cpu.popV() & 0xffff;
  cpu.adjustSP(release);
  cpu.loadCS(cs);
  jumpNear(cpu, ip);
}

export function iret(cpu: Cpu): void {
  if (cpu.pe) return iretProtected(cpu);
  if (cpu.opsz === 16) {
    const ip = cpu.pop16();
    const cs = cpu.pop16();
    const fl = cpu.pop16();
    cpu.loadCS(cs);
    cpu.ip = ip;
    cpu.setFlags(fl, 0xffff);
  } else {
    const ip = cpu.pop32();
    const cs = cpu.pop32() & 0xffff;
    const fl = cpu.pop32();
    cpu.loadCS(cs);
    cpu.ip = ip;
    // Real mode IRETD keeps VM and RF as they are.
    cpu.setFlags(fl, ~(Flag.VM | Flag.RF));
  }
}

/** ENTER size, level (186+): the frame pointer is BP or EBP by operand size, the stack SP or ESP by SS. */
export function enter(cpu: Cpu, size: number, level: number): void {
  level &= 31;
  const w = cpu.opsz === 16 ? 2 : 4;
  const spSaved = cpu.r32[4];
  try {
    cpu.pushV(w === 2 ? cpu.r16[10] : cpu.r32[5]);
    // On a 16-bit stack a 32-bit frame pointer is all of ESP, as on the 386 (and QEMU, Bochs): EBP gets its
    // top half from ESP rather than keeping its own.
    const frame = w === 2 ? cpu.r16[8] : cpu.r32[4];
    if (level > 0) {
      let bp = cpu.ss32 ? cpu.r32[5] : cpu.r16[10];
      for (let i = 1; i < level; i++) {
        bp = cpu.ss32 ? (bp - w) | 0 : (bp - w) & 0xffff;
        cpu.pushV(w === 2 ? cpu.read16(2, bp) : cpu.read32(2, bp));
      }
      cpu.pushV(frame);
    }
    // The new frame must fit: the 386 checks the lowest byte it reserves.
    if (cpu.pe && size > 0) {
      const low = cpu.ss32 ? (cpu.r32[4] - size) | 0 : (cpu.r16[8] - size) & 0xffff;
      cpu.probeWrite(2, low, 1);
    }
    if (w === 2) cpu.r16[10] = frame;
    else cpu.r32[5] = frame;
    cpu.adjustSP(-size);
  } catch (e) {
    cpu.r32[4] = spSaved;
    throw e;
  }
}

export function leave(cpu: Cpu): void {
  // Read the saved frame pointer before touching SP, so a fault leaves the registers as they were.
  const bp = cpu.ss32 ? cpu.r32[5] : cpu.r16[10];
  if (cpu.opsz === 16) {
    const v = cpu.read16(2, bp);
    cpu.sp = bp + 2;
    cpu.r16[10] = v;
  } else {
    const v = cpu.read32(2, bp);
    cpu.sp = bp + 4;
    cpu.r32[5] = v;
  }
}

/** #UD: invalid opcode (vector 6) on the 186 and later; the 8086 has no such exception. */
export function invalidOpcode(cpu: Cpu): void {
  if (cpu.model >= CpuModel.i80186) cpu.fault(6);
}

/** LES/LDS/LSS/LFS/LGS: load a far pointer into a register and segment. */
export function loadFarPointer(cpu: Cpu, seg: number): void {
  const m = decodeModrm(cpu);
  if (m >= 0xc0) {
    invalidOpcode(cpu);
    return;
  }
  const off = readEV(cpu, m);
  const sel = cpu.read16(cpu.eaSeg, (cpu.eaOff + (cpu.opsz >> 3)) & cpu.offMask);
  // The segment first: a protected-mode load that faults leaves the register alone.
  cpu.loadSeg(seg, sel);
  setRegV(cpu, (m >> 3) & 7, off);
}

