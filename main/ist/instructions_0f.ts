/**
 * The two-byte opcode map (0F xx) as real mode sees it: the 286 system instructions that work there
 * (SGDT/SIDT/LGDT/LIDT/SMSW/LMSW/CLTS) and the 386 additions (Jcc near, SETcc, MOVZX/MOVSX, BT*,
 * BSF/BSR, SHLD/SHRD, IMUL r,r/m, LSS/LFS/LGS, PUSH/POP FS/GS, MOV to/from CR/DR).
 * Protected mode itself is not entered yet: setting CR0.PE stops the CPU with StopReason.Shutdown.
 */
import type { Cpu } from './cpu.js';
import { CpuModel, StopReason } from './ist.js';
import { condition, invalidOpcode, jumpRel, loadFarPointer } from './control.js';
import { doubleShift } from './shift.js';
import { imulTrunc } from './muldiv.js';
import { decodeModrm, getRegV, readE16, readE8, readEV, setRegV, writeE16, writeE8, writeEV } from './modrm.js';

function setCR0(cpu: Cpu, v: number): void {
  cpu.cr0 = v;
  cpu.cr[0] = v;
  if (v & 1) {
    // Protected mode is the next step of the IST (see docs/ist.md); never pretend to run it in real mode.
    cpu.stopReason = StopReason.Shutdown;
    cpu.attention |= 4;
  }
}

function group6(cpu: Cpu): void {
  decodeModrm(cpu);
  // SLDT/STR/LLDT/LTR/VERR/VERW are not recognised in real mode.
  cpu.fault(6);
}

function group7(cpu: Cpu): void {
  const m = decodeModrm(cpu);
  const sub = (m >> 3) & 7;
  const is286 = cpu.model === CpuModel.i80286;
  switch (sub) {
    case 0: case 1: { // SGDT, SIDT
      if (m >= 0xc0) return invalidOpcode(cpu);
      const limit = sub === 0 ? cpu.gdtLimit : cpu.idtLimit;
      const base = sub === 0 ? cpu.gdtBase : cpu.idtBase;
      cpu.write16(cpu.eaSeg, cpu.eaOff, limit);
      // The 286 stores 0xFF in the unused top byte; the 386 stores the base's top byte (zero for 16-bit operands).
      const top = is286 ? 0xff000000 | base : cpu.opsz === 16 ? base & 0xffffff : base;
      cpu.write32(cpu.eaSeg, (cpu.eaOff + 2) & cpu.offMask, top);
      return;
    }
    case 2: case 3: { // LGDT, LIDT
      if (m >= 0xc0) return invalidOpcode(cpu);
      const limit = cpu.read16(cpu.eaSeg, cpu.eaOff);
      let base = cpu.read32(cpu.eaSeg, (cpu.eaOff + 2) & cpu.offMask);
      if (is286 || cpu.opsz === 16) base &= 0xffffff;
      if (sub === 2) {
        cpu.gdtLimit = limit;
        cpu.gdtBase = base;
      } else {
        cpu.idtLimit = limit;
        cpu.idtBase = base;
      }
      return;
    }
    case 4: { // SMSW
      const msw = is286 ? cpu.cr0 | 0xfff0 : cpu.cr0;
      if (m >= 0xc0) setRegV(cpu, m & 7, cpu.opsz === 16 ? msw & 0xffff : msw);
      else writeE16(cpu, m, msw & 0xffff);
      return;
    }
    case 6: { // LMSW: can set PE but never clear it; touches only the low four bits
      const v = readE16(cpu, m);
      const next = (cpu.cr0 & ~0xe) | (v & 0xf) | (cpu.cr0 & 1);
      setCR0(cpu, next);
      return;
    }
    default:
      return invalidOpcode(cpu);
  }
}

function bitOp(cpu: Cpu, kind: number, m: number, bitIndex: number, fromImm: boolean): void {
  const bits = cpu.opsz;
  let v: number;
  if (m >= 0xc0) {
    v = getRegV(cpu, m & 7);
  } else {
    // A register bit offset may address memory outside the operand (signed, in operand-size units).
    if (!fromImm) {
      const signed = bits === 16 ? (bitIndex << 16) >> 16 : bitIndex | 0;
      const unit = Math.floor(signed / bits);
      cpu.eaOff = (cpu.eaOff + unit * (bits >> 3)) & cpu.offMask;
    }
    v = readEV(cpu, m);
  }
  const bit = bitIndex & (bits - 1);
  const cf = (v >>> bit) & 1;
  cpu.setFlag(1, cf !== 0);
  if (kind === 0) return; // BT
  let r: number;
  if (kind === 1) r = v | (1 << bit); // BTS
  else if (kind === 2) r = v & ~(1 << bit); // BTR
  else r = v ^ (1 << bit); // BTC
  writeEV(cpu, m, bits === 16 ? r & 0xffff : r);
}

export function execute0f(cpu: Cpu, op: number): void {
  if (cpu.model === CpuModel.i80286) {
    switch (op) {
      case 0x00: return group6(cpu);
      case 0x01: return group7(cpu);
      case 0x06: cpu.cr0 &= ~8; return; // CLTS
      default: return invalidOpcode(cpu);
    }
  }
  switch (op) {
    case 0x00: return group6(cpu);
    case 0x01: return group7(cpu);
    case 0x06: cpu.cr0 &= ~8; cpu.cr[0] = cpu.cr0; return;
    case 0x20: case 0x21: case 0x22: case 0x23: {
      // MOV to/from CRn/DRn: the operand is always a register. The 386 ignores the mod field (no
      // displacement follows even when mod says memory), so the byte is not decoded as a ModR/M.
      const m = cpu.fetch8();
      cpu.modrm = m;
      const n = (m >> 3) & 7;
      const r = m & 7;
      if (op === 0x21) cpu.r32[r] = cpu.dr[n];
      else if (op === 0x23) cpu.dr[n] = cpu.r32[r];
      else if (n !== 0 && n !== 2 && n !== 3) invalidOpcode(cpu); // the 386 has CR0, CR2, CR3 only
      else if (op === 0x20) cpu.r32[r] = n === 0 ? cpu.cr0 : cpu.cr[n];
      else if (n === 0) setCR0(cpu, cpu.r32[r] | 0x10);
      else cpu.cr[n] = cpu.r32[r];
      return;
    }
    case 0xa0: cpu.pushV(cpu.sreg[4]); return;
    case 0xa1: cpu.loadSeg(4, cpu.popV() & 0xffff); return;
    case 0xa8: cpu.pushV(cpu.sreg[5]); return;
    case 0xa9: cpu.loadSeg(5, cpu.popV() & 0xffff); return;
    case 0xa3: case 0xab: case 0xb3: case 0xbb: {
      const m = decodeModrm(cpu);
      const kind = op === 0xa3 ? 0 : op === 0xab ? 1 : op === 0xb3 ? 2 : 3;
      bitOp(cpu, kind, m, getRegV(cpu, (m >> 3) & 7), false);
      return;
    }
    case 0xba: {
      const m = decodeModrm(cpu);
      const sub = (m >> 3) & 7;
      if (sub < 4) return invalidOpcode(cpu);
      bitOp(cpu, sub - 4, m, cpu.fetch8(), true);
      return;
    }
    case 0xa4: case 0xa5: case 0xac: case 0xad: {
      const m = decodeModrm(cpu);
      const dst = readEV(cpu, m);
      const count = op & 1 ? cpu.r8[4] : cpu.fetch8();
      const src = getRegV(cpu, (m >> 3) & 7);
      writeEV(cpu, m, doubleShift(cpu, op < 0xa8, dst, src, count, cpu.opsz - 1));
      return;
    }
    case 0xaf: {
      const m = decodeModrm(cpu);
      const reg = (m >> 3) & 7;
      setRegV(cpu, reg, imulTrunc(cpu, getRegV(cpu, reg), readEV(cpu, m), cpu.opsz - 1));
      return;
    }
    case 0xb2: return loadFarPointer(cpu, 2);
    case 0xb4: return loadFarPointer(cpu, 4);
    case 0xb5: return loadFarPointer(cpu, 5);
    case 0xb6: case 0xb7: case 0xbe: case 0xbf: {
      const m = decodeModrm(cpu);
      let v = op & 1 ? readE16(cpu, m) : readE8(cpu, m);
      if (op >= 0xbe) v = op & 1 ? (v << 16) >> 16 : (v << 24) >> 24;
      setRegV(cpu, (m >> 3) & 7, cpu.opsz === 16 ? v & 0xffff : v);
      return;
    }
    case 0xbc: case 0xbd: {
      const m = decodeModrm(cpu);
      const v = readEV(cpu, m);
      if (v === 0) {
        cpu.setFlag(0x40, true); // ZF; destination unchanged
        return;
      }
      const idx = op === 0xbc ? 31 - Math.clz32(v & -v) : 31 - Math.clz32(v);
      cpu.setFlag(0x40, false);
      setRegV(cpu, (m >> 3) & 7, idx);
      return;
    }
    default:
      break;
  }
  if (op >= 0x80 && op <= 0x8f) {
    const d = cpu.opsz === 16 ? (cpu.fetch16() << 16) >> 16 : cpu.fetch32();
    if (condition(cpu, op & 15)) jumpRel(cpu, d);
    return;
  }
  if (op >= 0x90 && op <= 0x9f) {
    const m = decodeModrm(cpu);
    writeE8(cpu, m, condition(cpu, op & 15) ? 1 : 0);
    return;
  }
  invalidOpcode(cpu);
}
