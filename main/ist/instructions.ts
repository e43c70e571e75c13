/**
 * The one-byte opcode map. `execute` decodes prefixes and dispatches each opcode to a small handler;
 * model differences (8086 aliases, 186 additions, 386 prefixes) are decided here, semantics live in
 * alu, shift, muldiv, bcd, string and control.
 */
import { Attention, type Cpu } from './cpu.js';
import { CpuModel, Flag } from './ist.js';
import { alu, AluOp, dec, inc, neg, test } from './alu.js';
import { shift } from './shift.js';
import { aaa, aad, aam, aas, daa, das } from './bcd.js';
import { div16, div32, div8, idiv16, idiv32, idiv8, imul16, imul32, imul8, imulTrunc, mul16, mul32, mul8 } from './muldiv.js';
import { stringOp, StrOp } from './string.js';
import {
  callFar, callNear, condition, enter, invalidOpcode, iret, jumpFar, jumpNear, jumpRel, leave, loadFarPointer, retFar,
  retNear,
} from './control.js';
import {
  decodeModrm, getReg16, getReg8, getRegV, readE16, readE8, readEV, setReg8, setRegV, writeE16, writeE8, writeEV,
} from './modrm.js';
import { execute0f } from './instructions_0f.js';
import { fpuExecute, fpuWait } from './fpu.js';
import { checkIoPermission, IntSource, loadSegmentProtected, writableFlags } from './protected.js';
import { HAS_MODRM, lengthAt, lengthAt386 } from './decode.js';

/** Sign bit number of the current operand size. */
function signV(cpu: Cpu): number {
  return cpu.opsz === 16 ? 15 : 31;
}

function maskV(cpu: Cpu): number {
  return cpu.opsz === 16 ? 0xffff : -1;
}

function fetchS8(cpu: Cpu): number {
  return (cpu.fetch8() << 24) >> 24;
}

/** Sign-extended immediate byte, as an operand of the current size. */
function fetchS8V(cpu: Cpu): number {
  return fetchS8(cpu) & maskV(cpu);
}

function fetchRelV(cpu: Cpu): number {
  return cpu.opsz === 16 ? cpu.fetch16() : cpu.fetch32();
}

/** Segment register number from a ModR/M reg field for MOV Sw / MOV Ew,Sw. */
function segFromReg(cpu: Cpu, reg: number): number {
  if (cpu.model <= CpuModel.i80186) return reg & 3;
  if (cpu.model === CpuModel.i80286 && reg > 3) cpu.fault(6);
  if (reg > 5) cpu.fault(6);
  return reg;
}

/** Group 1: 80-83. */
function group1(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const aop = (m >> 3) & 7;
  if (op === 0x80 || op === 0x82) {
    const a = readE8(cpu, m);
    const r = alu(cpu, aop, a, cpu.fetch8(), 7);
    if (aop !== AluOp.CMP) writeE8(cpu, m, r);
    return;
  }
  const a = readEV(cpu, m);
  const b = op === 0x81 ? cpu.fetchImm() : fetchS8V(cpu);
  const r = alu(cpu, aop, a, b, signV(cpu));
  if (aop !== AluOp.CMP) writeEV(cpu, m, r);
}

/** Group 2: C0, C1, D0-D3. */
function group2(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const sop = (m >> 3) & 7;
  const byte = (op & 1) === 0;
  // The count byte of C0/C1 follows the displacement, so read the operand after it only for memory reads.
  const a = byte ? readE8(cpu, m) : readEV(cpu, m);
  let count: number;
  if (op <= 0xc1) count = cpu.fetch8();
  else if (op <= 0xd1) count = 1;
  else count = cpu.r8[4];
  if (cpu.model === CpuModel.i8086 && sop === 6 && op >= 0xd2 && count === 0) return; // SETMOC with CL=0
  const r = shift(cpu, sop, a, count, byte ? 7 : signV(cpu));
  if (byte) writeE8(cpu, m, r);
  else writeEV(cpu, m, r);
}

/** Group 3: F6/F7 (TEST, NOT, NEG, MUL, IMUL, DIV, IDIV). */
function group3(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const sub = (m >> 3) & 7;
  if (op === 0xf6) {
    const a = readE8(cpu, m);
    switch (sub) {
      case 0: case 1: test(cpu, a, cpu.fetch8(), 7); return;
      case 2: writeE8(cpu, m, ~a & 0xff); return;
      case 3: writeE8(cpu, m, neg(cpu, a, 7)); return;
      case 4: mul8(cpu, a); return;
      case 5: imul8(cpu, a); return;
      case 6: div8(cpu, a); return;
      default: idiv8(cpu, a); return;
    }
  }
  const a = readEV(cpu, m);
  const w32 = cpu.opsz === 32;
  switch (sub) {
    case 0: case 1: test(cpu, a, cpu.fetchImm(), signV(cpu)); return;
    case 2: writeEV(cpu, m, ~a & maskV(cpu)); return;
    case 3: writeEV(cpu, m, neg(cpu, a, signV(cpu))); return;
    case 4: if (w32) mul32(cpu, a); else mul16(cpu, a); return;
    case 5: if (w32) imul32(cpu, a); else imul16(cpu, a); return;
    case 6: if (w32) div32(cpu, a); else div16(cpu, a); return;
    default: if (w32) idiv32(cpu, a); else idiv16(cpu, a); return;
  }
}

/** Group 4 (FE) and 5 (FF). */
function group45(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const sub = (m >> 3) & 7;
  if (op === 0xfe) {
    if (sub > 1) {
      invalidOpcode(cpu);
      return;
    }
    const a = readE8(cpu, m);
    writeE8(cpu, m, sub === 0 ? inc(cpu, a, 7) : dec(cpu, a, 7));
    return;
  }
  switch (sub) {
    case 0: writeEV(cpu, m, inc(cpu, readEV(cpu, m), signV(cpu))); return;
    case 1: writeEV(cpu, m, dec(cpu, readEV(cpu, m), signV(cpu))); return;
    case 2: callNear(cpu, readEV(cpu, m)); return;
    case 4: jumpNear(cpu, readEV(cpu, m)); return;
    case 3:
    case 5: {
      if (m >= 0xc0) {
        invalidOpcode(cpu);
        // The 8086 has no register form; it uses whatever the bus returns. Treat as a no-op.
        return;
      }
      const off = readEV(cpu, m);
      const sel = cpu.read16(cpu.eaSeg, (cpu.eaOff + (cpu.opsz >> 3)) & cpu.offMask);
      if (sub === 3) callFar(cpu, sel, off);
      else jumpFar(cpu, sel, off);
      return;
    }
    case 6: pushEV(cpu, m); return;
    default:
      if (cpu.model >= CpuModel.i80186) invalidOpcode(cpu);
      else pushEV(cpu, m); // FF /7 is an alias of PUSH on the 8086
      return;
  }
}

function pushEV(cpu: Cpu, m: number): void {
  if ((m & 0xc7) === 0xc4 && cpu.opsz === 16 && cpu.model <= CpuModel.i80186) {
    // PUSH SP on the 8086 stores the already decremented SP.
    const sp = (cpu.r16[8] - 2) & 0xffff;
    cpu.r16[8] = sp;
    cpu.write16(2, sp, sp);
    return;
  }
  cpu.pushV(readEV(cpu, m));
}

function pusha(cpu: Cpu): void {
  if (cpu.opsz === 16) {
    const sp = cpu.r16[8];
    for (let i = 0; i < 8; i++) cpu.push16(i === 4 ? sp : cpu.r16[i << 1]);
  } else {
    const sp = cpu.r32[4];
    for (let i = 0; i < 8; i++) cpu.push32(i === 4 ? sp : cpu.r32[i]);
  }
}

function popa(cpu: Cpu): void {
  for (let i = 7; i >= 0; i--) {
    const v = cpu.popV();
    if (i !== 4) setRegV(cpu, i, v);
  }
}

function bound(cpu: Cpu): void {
  const m = decodeModrm(cpu);
  if (m >= 0xc0) {
    invalidOpcode(cpu);
    return;
  }
  const reg = (m >> 3) & 7;
  if (cpu.opsz === 16) {
    const v = (getReg16(cpu, reg) << 16) >> 16;
    const lo = (cpu.read16(cpu.eaSeg, cpu.eaOff) << 16) >> 16;
    const hi = (cpu.read16(cpu.eaSeg, (cpu.eaOff + 2) & cpu.offMask) << 16) >> 16;
    if (v < lo || v > hi) cpu.fault(5);
  } else {
    const v = cpu.r32[reg];
    const lo = cpu.read32(cpu.eaSeg, cpu.eaOff);
    const hi = cpu.read32(cpu.eaSeg, (cpu.eaOff + 4) & cpu.offMask);
    if (v < lo || v > hi) cpu.fault(5);
  }
}

/** Memory operand sizes of the ESC opcodes D8-DF by ModR/M reg, for the segment-limit check. */
const ESC_OPERAND = [
  [4, 4, 4, 4, 4, 4, 4, 4],
  [4, 4, 4, 4, 14, 2, 14, 2],
  [4, 4, 4, 4, 4, 4, 4, 4],
  [4, 4, 4, 4, 10, 10, 10, 10],
  [8, 8, 8, 8, 8, 8, 8, 8],
  [8, 8, 8, 8, 94, 94, 94, 2],
  [2, 2, 2, 2, 2, 2, 2, 2],
  [2, 2, 2, 2, 10, 8, 10, 8],
];

function escape(cpu: Cpu, op: number): void {
  // ESC decodes its operand, which the 286 checks against the segment limit; with a coprocessor
  // (fpu.ts) it then executes, without one it does nothing else.
  const m = decodeModrm(cpu);
  if (cpu.model >= CpuModel.i80286) {
    if (cpu.cr0 & 0xc) cpu.fault(7); // CR0.EM or CR0.TS: device not available
    if (!cpu.pe && m < 0xc0 && cpu.adsz === 16 && cpu.eaOff + ESC_OPERAND[op & 7][(m >> 3) & 7] > 0x10000) cpu.fault(13);
  }
  if (cpu.fpu !== undefined) fpuExecute(cpu, cpu.fpu, op, m);
}

function inPort(cpu: Cpu, port: number, size: number): void {
  if (cpu.pe) checkIoPermission(cpu, port, size);
  if (size === 1) cpu.r8[0] = cpu.bus.in8(port);
  else if (size === 2) cpu.r16[0] = cpu.bus.in16(port);
  else cpu.r32[0] = cpu.bus.in32(port);
}

function outPort(cpu: Cpu, port: number, size: number): void {
  if (cpu.pe) checkIoPermission(cpu, port, size);
  if (size === 1) cpu.bus.out8(port, cpu.r8[0]);
  else if (size === 2) cpu.bus.out16(port, cpu.r16[0]);
  else cpu.bus.out32(port, cpu.r32[0]);
}

/** The 286 refuses instructions longer than 10 bytes (#GP) — only reachable with redundant prefixes. */
function checkLength286(cpu: Cpu): void {
  const prefixes = (cpu.ip - cpu.instrStart) & 0xffff;
  if (prefixes > 4 && prefixes + lengthAt(cpu) > 10) cpu.fault(13);
}

// ALU: op Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / eAX,Iv
function op00_38(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const aop = op >> 3;
  const r = alu(cpu, aop, readE8(cpu, m), getReg8(cpu, (m >> 3) & 7), 7);
  if (aop !== AluOp.CMP) writeE8(cpu, m, r);
}

function op01_39(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const aop = op >> 3;
  const r = alu(cpu, aop, readEV(cpu, m), getRegV(cpu, (m >> 3) & 7), signV(cpu));
  if (aop !== AluOp.CMP) writeEV(cpu, m, r);
}

function op02_3A(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const aop = op >> 3;
  const reg = (m >> 3) & 7;
  const r = alu(cpu, aop, getReg8(cpu, reg), readE8(cpu, m), 7);
  if (aop !== AluOp.CMP) setReg8(cpu, reg, r);
}

function op03_3B(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const aop = op >> 3;
  const reg = (m >> 3) & 7;
  const r = alu(cpu, aop, getRegV(cpu, reg), readEV(cpu, m), signV(cpu));
  if (aop !== AluOp.CMP) setRegV(cpu, reg, r);
}

function op04_3C(cpu: Cpu, op: number): void {
  const aop = op >> 3;
  const r = alu(cpu, aop, cpu.r8[0], cpu.fetch8(), 7);
  if (aop !== AluOp.CMP) cpu.r8[0] = r;
}

function op05_3D(cpu: Cpu, op: number): void {
  const aop = op >> 3;
  const r = alu(cpu, aop, getRegV(cpu, 0), cpu.fetchImm(), signV(cpu));
  if (aop !== AluOp.CMP) setRegV(cpu, 0, r);
}

// segment push/pop
function op06_1E(cpu: Cpu, op: number): void {
  cpu.pushV(cpu.sreg[op >> 3]);
}

function op07_1F(cpu: Cpu, op: number): void {
  popSegment(cpu, op >> 3);
}

/** POP ES/SS/DS/FS/GS: the selector is loaded (and checked) before SP moves, so a fault restarts cleanly. */
export function popSegment(cpu: Cpu, seg: number): void {
  const w = cpu.opsz >> 3;
  const v = cpu.readStack(0, w) & 0xffff;
  // SP moves by the stack's width before the load (POP SS may change it).
  const ss32 = cpu.ss32;
  cpu.loadSeg(seg, v);
  if (ss32) cpu.r32[4] = cpu.r32[4] + w;
  else cpu.r16[8] = cpu.r16[8] + w;
}

function op0F(cpu: Cpu, op: number): void {
  if (cpu.model === CpuModel.i8086) {
    cpu.loadCS(cpu.pop16()); // POP CS
    return;
  }
  if (cpu.model === CpuModel.i80186) {
    invalidOpcode(cpu);
    return;
  }
  execute0f(cpu, cpu.fetch8());
}

// prefixes
function op26_3E(cpu: Cpu, op: number): void {
  cpu.segOvr = (op >> 3) & 3;
  cpu.prefixed = true;
  return dispatchPrefixed(cpu, cpu.fetch8());
}

function op64_65(cpu: Cpu, op: number): void {
  if (cpu.model === CpuModel.i8086) {
    return OPS[op + 0x10](cpu, op + 0x10); // 60-6F alias 70-7F on the 8086
  }
  if (cpu.model < CpuModel.i80386) {
    invalidOpcode(cpu);
    return;
  }
  cpu.segOvr = op - 0x60;
  cpu.prefixed = true;
  return dispatchPrefixed(cpu, cpu.fetch8());
}

function op66(cpu: Cpu, op: number): void {
  if (cpu.model === CpuModel.i8086) {
    return OPS[op + 0x10](cpu, op + 0x10);
  }
  if (cpu.model < CpuModel.i80386) {
    invalidOpcode(cpu);
    return;
  }
  cpu.opsz = cpu.codeSize === 16 ? 32 : 16;
  cpu.prefixed = true;
  return dispatchPrefixed(cpu, cpu.fetch8());
}

function op67(cpu: Cpu, op: number): void {
  if (cpu.model === CpuModel.i8086) {
    return OPS[op + 0x10](cpu, op + 0x10);
  }
  if (cpu.model < CpuModel.i80386) {
    invalidOpcode(cpu);
    return;
  }
  cpu.adsz = cpu.codeSize === 16 ? 32 : 16;
  cpu.prefixed = true;
  return dispatchPrefixed(cpu, cpu.fetch8());
}

function opF0(cpu: Cpu, op: number): void {
  cpu.prefixed = true;
  // The 386 raises #UD when LOCK precedes anything but a read-modify-write of memory it can lock.
  if (cpu.model >= CpuModel.i80386 && !lockable(cpu)) return invalidOpcode(cpu);
  return dispatchPrefixed(cpu, cpu.fetch8());
}

/** Prefix bytes, to look past them. */
const IS_PREFIX = new Uint8Array(256);
for (const p of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) IS_PREFIX[p] = 1;

/**
 * Whether the instruction after LOCK (at IP) is one the 386 locks (80386 PRM, LOCK): BT, BTS, BTR, BTC
 * and XCHG with memory, ADD OR ADC SBB AND SUB XOR with a memory destination, NOT NEG INC DEC of memory.
 */
function lockable(cpu: Cpu): boolean {
  const peek = (i: number): number => cpu.peekCode(i);
  let i = 0;
  while (i < 15 && IS_PREFIX[peek(i)]) i++;
  const op = peek(i);
  if (op === 0x0f) {
    const op2 = peek(i + 1);
    const m2 = peek(i + 2);
    if (m2 >= 0xc0) return false;
    return op2 === 0xa3 || op2 === 0xab || op2 === 0xb3 || op2 === 0xbb || (op2 === 0xba && (m2 & 0x38) >= 0x20);
  }
  const m = peek(i + 1);
  if (!HAS_MODRM[op] || m >= 0xc0) return false;
  const reg = (m >> 3) & 7;
  if (op < 0x38) return (op & 7) < 2; // op Eb,Gb / Ev,Gv (not CMP)
  if (op >= 0x80 && op <= 0x83) return reg !== 7;
  if (op === 0x86 || op === 0x87) return true;
  if (op === 0xf6 || op === 0xf7) return reg === 2 || reg === 3;
  if (op === 0xfe || op === 0xff) return reg < 2;
  return false;
}

function opF1(cpu: Cpu, op: number): void {
  if (cpu.model >= CpuModel.i80386) {
    cpu.interrupt(1); // ICEBP
    return;
  }
  cpu.prefixed = true; // an alias of LOCK on earlier chips
  return dispatchPrefixed(cpu, cpu.fetch8());
}

function opF2_F3(cpu: Cpu, op: number): void {
  cpu.rep = op;
  cpu.prefixed = true;
  return dispatchPrefixed(cpu, cpu.fetch8());
}

// BCD
function op27(cpu: Cpu, op: number): void {
  daa(cpu); return;
}

function op2F(cpu: Cpu, op: number): void {
  das(cpu); return;
}

function op37(cpu: Cpu, op: number): void {
  aaa(cpu); return;
}

function op3F(cpu: Cpu, op: number): void {
  aas(cpu); return;
}

// INC/DEC/PUSH/POP register
function op40_47(cpu: Cpu, op: number): void {
  setRegV(cpu, op & 7, inc(cpu, getRegV(cpu, op & 7), signV(cpu)));
}

function op48_4F(cpu: Cpu, op: number): void {
  setRegV(cpu, op & 7, dec(cpu, getRegV(cpu, op & 7), signV(cpu)));
}

function op50_57(cpu: Cpu, op: number): void {
  if (cpu.opsz === 16) cpu.push16(cpu.r16[(op & 7) << 1]);
  else cpu.push32(cpu.r32[op & 7]);
}

function op54(cpu: Cpu, op: number): void {
  if (cpu.model <= CpuModel.i80186) {
    // The 8086 and 186 push SP after decrementing it.
    const sp = (cpu.r16[8] - 2) & 0xffff;
    cpu.r16[8] = sp;
    cpu.write16(2, sp, sp);
  } else if (cpu.opsz === 16) cpu.push16(cpu.r16[8]);
  else cpu.push32(cpu.r32[4]);
}

function op58_5F(cpu: Cpu, op: number): void {
  setRegV(cpu, op & 7, cpu.popV());
}

// 186 additions (8086: aliases of 70-7F)
function op60_6F(cpu: Cpu, op: number): void {
  if (cpu.model === CpuModel.i8086) {
    return OPS[op + 0x10](cpu, op + 0x10);
  }
  switch (op) {
    case 0x60: pusha(cpu); return;
    case 0x61: popa(cpu); return;
    case 0x62: bound(cpu); return;
    case 0x63: arpl(cpu); return;
    case 0x68: cpu.pushV(cpu.fetchImm()); return;
    case 0x6a: cpu.pushV(fetchS8V(cpu)); return;
    case 0x69: case 0x6b: {
      const m = decodeModrm(cpu);
      const a = readEV(cpu, m);
      const b = op === 0x69 ? cpu.fetchImm() : fetchS8V(cpu);
      setRegV(cpu, (m >> 3) & 7, imulTrunc(cpu, a, b, signV(cpu)));
      return;
    }
    case 0x6c: stringOp(cpu, StrOp.INS, 1); return;
    case 0x6d: stringOp(cpu, StrOp.INS, cpu.opsz >> 3); return;
    case 0x6e: stringOp(cpu, StrOp.OUTS, 1); return;
    default: stringOp(cpu, StrOp.OUTS, cpu.opsz >> 3); return;
  }
}

// Jcc short

function op70_7F(cpu: Cpu, op: number): void {
  const d = fetchS8(cpu);
  if (condition(cpu, op & 15)) jumpRel(cpu, d);
}

function op80_83(cpu: Cpu, op: number): void {
  group1(cpu, op);
}

function op84(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  test(cpu, readE8(cpu, m), getReg8(cpu, (m >> 3) & 7), 7);
}

function op85(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  test(cpu, readEV(cpu, m), getRegV(cpu, (m >> 3) & 7), signV(cpu));
}

function op86(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const reg = (m >> 3) & 7;
  const a = readE8(cpu, m);
  writeE8(cpu, m, getReg8(cpu, reg));
  setReg8(cpu, reg, a);
}

function op87(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const reg = (m >> 3) & 7;
  const a = readEV(cpu, m);
  writeEV(cpu, m, getRegV(cpu, reg));
  setRegV(cpu, reg, a);
}

function op88(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  writeE8(cpu, m, getReg8(cpu, (m >> 3) & 7));
}

function op89(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  writeEV(cpu, m, getRegV(cpu, (m >> 3) & 7));
}

function op8A(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  setReg8(cpu, (m >> 3) & 7, readE8(cpu, m));
}

function op8B(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  setRegV(cpu, (m >> 3) & 7, readEV(cpu, m));
}

function op8C(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const v = cpu.sreg[segFromReg(cpu, (m >> 3) & 7)];
  // A register destination takes the whole operand size (zero-extended); memory is always a word.
  if (m >= 0xc0) setRegV(cpu, m & 7, v);
  else writeE16(cpu, m, v);
}

function op8D(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  if (m >= 0xc0) {
    invalidOpcode(cpu);
    return;
  }
  setRegV(cpu, (m >> 3) & 7, cpu.eaOff);
}

function op8E(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  const seg = segFromReg(cpu, (m >> 3) & 7);
  if (seg === 1 && cpu.model >= CpuModel.i80286) cpu.fault(6);
  const v = readE16(cpu, m);
  if (seg === 1) cpu.loadCS(v); // the 8086 and 186 load CS
  else cpu.loadSeg(seg, v);
}

function op8F(cpu: Cpu, op: number): void {
  if (cpu.adsz === 32) return popToMemory32(cpu);
  const m = decodeModrm(cpu);
  if (m & 0x38 && cpu.model >= CpuModel.i80186) {
    invalidOpcode(cpu);
    return;
  }
  writeEV(cpu, m, cpu.popV());
}

/**
 * POP r/m with 32-bit addressing, where ESP can be a base: the address is computed after the pop, so
 * [ESP+d] sees ESP already incremented (SDM "POP"; QEMU and Bochs agree). 16-bit addressing cannot name
 * SP, so the other form is unaffected. A fault puts SP back, since the instruction restarts.
 */
function popToMemory32(cpu: Cpu): void {
  const sp = cpu.r32[4];
  const v = cpu.popV();
  try {
    const m = decodeModrm(cpu);
    if (m & 0x38) invalidOpcode(cpu);
    else writeEV(cpu, m, v);
  } catch (e) {
    cpu.r32[4] = sp;
    throw e;
  }
}

/** ARPL Ew, Gw: raise the selector's RPL to the register's (protected mode only; #UD in real and V86 mode). */
function arpl(cpu: Cpu): void {
  if (!cpu.pe || cpu.flags & Flag.VM) return invalidOpcode(cpu);
  const m = decodeModrm(cpu);
  const dst = readE16(cpu, m);
  const src = getReg16(cpu, (m >> 3) & 7);
  if ((dst & 3) < (src & 3)) {
    writeE16(cpu, m, (dst & ~3) | (src & 3));
    cpu.setFlag(Flag.ZF, true);
  } else cpu.setFlag(Flag.ZF, false);
}

/** IOPL-sensitive instructions (CLI, STI, PUSHF, POPF, INT n, IRET): #GP(0) in V86 mode below IOPL 3. */
function v86Sensitive(cpu: Cpu): void {
  if (cpu.flags & Flag.VM && (cpu.flags & Flag.IOPL) !== Flag.IOPL) cpu.faultCode(13, 0);
}

// XCHG/NOP, conversions, far call, flags
/** NOP (XCHG AX,AX; with F3 it is PAUSE, also nothing to do here). */
function op90(_cpu: Cpu, _op: number): void {}

function op91_97(cpu: Cpu, op: number): void {
  const a = getRegV(cpu, 0);
  setRegV(cpu, 0, getRegV(cpu, op & 7));
  setRegV(cpu, op & 7, a);
}

function op98(cpu: Cpu, op: number): void {
  if (cpu.opsz === 16) cpu.r16[0] = (cpu.r8[0] << 24) >> 24;
  else cpu.r32[0] = (cpu.r16[0] << 16) >> 16;
}

function op99(cpu: Cpu, op: number): void {
  if (cpu.opsz === 16) cpu.r16[4] = cpu.r16[0] & 0x8000 ? 0xffff : 0;
  else cpu.r32[2] = cpu.r32[0] >> 31;
}

function op9A(cpu: Cpu, op: number): void {
  const off = cpu.fetchImm();
  const sel = cpu.fetch16();
  callFar(cpu, sel, off);
}

function op9B(cpu: Cpu, op: number): void {
  // WAIT: the coprocessor reports a pending unmasked exception (fpu.ts); with CR0.MP and CR0.TS both set it raises #NM (286 and later),
  // so a task switch can save the FPU state first.
  if ((cpu.cr0 & 0xa) === 0xa && cpu.model >= CpuModel.i80286) cpu.fault(7);
  if (cpu.fpu !== undefined) fpuWait(cpu, cpu.fpu);
}

function op9C(cpu: Cpu, op: number): void {
  v86Sensitive(cpu);
  if (cpu.opsz === 16) cpu.push16(cpu.getFlags());
  else cpu.push32(cpu.getFlags() & ~(Flag.VM | Flag.RF));
}

function op9D(cpu: Cpu, op: number): void {
  v86Sensitive(cpu);
  const mask = cpu.opsz === 16 ? 0xffff : ~(Flag.VM | Flag.RF);
  const v = cpu.popV();
  if (!cpu.pe) cpu.setFlags(v, mask);
  else if (cpu.flags & Flag.VM) cpu.setFlagsExact(v, 0x7fd5 & ~Flag.IOPL & mask);
  else cpu.setFlagsExact(v, writableFlags(cpu) & mask & ~Flag.RF);
}

function op9E(cpu: Cpu, op: number): void {
  const f = cpu.getFlags();
  const mask = Flag.SF | Flag.ZF | Flag.AF | Flag.PF | Flag.CF;
  cpu.flags = (f & ~mask) | (cpu.r8[1] & mask);
}

function op9F(cpu: Cpu, op: number): void {
  cpu.r8[1] = cpu.getFlags();
}

// MOV moffs, string ops, TEST imm
function opA0_A3(cpu: Cpu, op: number): void {
  const off = cpu.adsz === 16 ? cpu.fetch16() : cpu.fetch32();
  const seg = cpu.segOvr >= 0 ? cpu.segOvr : 3;
  switch (op) {
    case 0xa0: cpu.r8[0] = cpu.read8(seg, off); return;
    case 0xa1: setRegV(cpu, 0, cpu.opsz === 16 ? cpu.read16(seg, off) : cpu.read32(seg, off)); return;
    case 0xa2: cpu.write8(seg, off, cpu.r8[0]); return;
    default:
      if (cpu.opsz === 16) cpu.write16(seg, off, cpu.r16[0]);
      else cpu.write32(seg, off, cpu.r32[0]);
      return;
  }
}

function opA4(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.MOVS, 1); return;
}

function opA5(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.MOVS, cpu.opsz >> 3); return;
}

function opA6(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.CMPS, 1); return;
}

function opA7(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.CMPS, cpu.opsz >> 3); return;
}

function opA8(cpu: Cpu, op: number): void {
  test(cpu, cpu.r8[0], cpu.fetch8(), 7); return;
}

function opA9(cpu: Cpu, op: number): void {
  test(cpu, getRegV(cpu, 0), cpu.fetchImm(), signV(cpu)); return;
}

function opAA(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.STOS, 1); return;
}

function opAB(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.STOS, cpu.opsz >> 3); return;
}

function opAC(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.LODS, 1); return;
}

function opAD(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.LODS, cpu.opsz >> 3); return;
}

function opAE(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.SCAS, 1); return;
}

function opAF(cpu: Cpu, op: number): void {
  stringOp(cpu, StrOp.SCAS, cpu.opsz >> 3); return;
}

// MOV immediate
function opB0_B7(cpu: Cpu, op: number): void {
  setReg8(cpu, op & 7, cpu.fetch8());
}

function opB8_BF(cpu: Cpu, op: number): void {
  setRegV(cpu, op & 7, cpu.fetchImm());
}

// shifts, returns, far pointers
function opC0_C1(cpu: Cpu, op: number): void {
  if (cpu.model === CpuModel.i8086) {
    return OPS[op + 2](cpu, op + 2); // aliases of C2/C3
  }
  group2(cpu, op);
}

function opC2(cpu: Cpu, op: number): void {
  retNear(cpu, cpu.fetch16()); return;
}

function opC3(cpu: Cpu, op: number): void {
  retNear(cpu, 0); return;
}

function opC4(cpu: Cpu, op: number): void {
  loadFarPointer(cpu, 0); return;
}

function opC5(cpu: Cpu, op: number): void {
  loadFarPointer(cpu, 3); return;
}

function opC6_C7(cpu: Cpu, op: number): void {
  const m = decodeModrm(cpu);
  if (m & 0x38 && cpu.model >= CpuModel.i80186) {
    invalidOpcode(cpu);
    return;
  }
  if (op === 0xc6) writeE8(cpu, m, cpu.fetch8());
  else writeEV(cpu, m, cpu.fetchImm());
}

function opC8_C9(cpu: Cpu, op: number): void {
  if (cpu.model === CpuModel.i8086) {
    return OPS[op + 2](cpu, op + 2); // aliases of CA/CB
  }
  if (op === 0xc8) {
    const size = cpu.fetch16();
    enter(cpu, size, cpu.fetch8());
  } else leave(cpu);
}

function opCA(cpu: Cpu, op: number): void {
  retFar(cpu, cpu.fetch16()); return;
}

function opCB(cpu: Cpu, op: number): void {
  retFar(cpu, 0); return;
}

function opCC(cpu: Cpu, op: number): void {
  cpu.softwareInterrupt(3, IntSource.SoftwareTrap); return;
}

function opCD(cpu: Cpu, op: number): void {
  cpu.softwareInterrupt(cpu.fetch8(), IntSource.Software); return;
}

function opCE(cpu: Cpu, op: number): void {
  if (!cpu.getOF()) return;
  if (cpu.pe) cpu.softwareInterrupt(4, IntSource.SoftwareTrap);
  else cpu.interruptReal(4);
}

function opCF(cpu: Cpu, op: number): void {
  iret(cpu); return;
}

function opD0_D3(cpu: Cpu, op: number): void {
  group2(cpu, op);
}

function opD4(cpu: Cpu, op: number): void {
  aam(cpu, cpu.fetch8()); return;
}

function opD5(cpu: Cpu, op: number): void {
  aad(cpu, cpu.fetch8()); return;
}

function opD6(cpu: Cpu, op: number): void {
  cpu.r8[0] = cpu.getCF() ? 0xff : 0; return; // SALC
}

function opD7(cpu: Cpu, op: number): void {
  const seg = cpu.segOvr >= 0 ? cpu.segOvr : 3;
  const off = cpu.adsz === 16 ? (cpu.r16[6] + cpu.r8[0]) & 0xffff : (cpu.r32[3] + cpu.r8[0]) | 0;
  cpu.r8[0] = cpu.read8(seg, off);
}

function opD8_DF(cpu: Cpu, op: number): void {
  escape(cpu, op);
}

// loops, I/O, near/far jumps and calls
function opE0_E2(cpu: Cpu, op: number): void {
  const d = fetchS8(cpu);
  let cx: number;
  if (cpu.adsz === 16) cx = cpu.r16[2] = (cpu.r16[2] - 1) & 0xffff;
  else cx = cpu.r32[1] = cpu.r32[1] - 1;
  if (cx !== 0 && (op === 0xe2 || cpu.getZF() === (op === 0xe1))) jumpRel(cpu, d);
}

function opE3(cpu: Cpu, op: number): void {
  const d = fetchS8(cpu);
  if ((cpu.adsz === 16 ? cpu.r16[2] : cpu.r32[1]) === 0) jumpRel(cpu, d);
}

function opE4(cpu: Cpu, op: number): void {
  inPort(cpu, cpu.fetch8(), 1); return;
}

function opE5(cpu: Cpu, op: number): void {
  inPort(cpu, cpu.fetch8(), cpu.opsz >> 3); return;
}

function opE6(cpu: Cpu, op: number): void {
  outPort(cpu, cpu.fetch8(), 1); return;
}

function opE7(cpu: Cpu, op: number): void {
  outPort(cpu, cpu.fetch8(), cpu.opsz >> 3); return;
}

function opE8(cpu: Cpu, op: number): void {
  const d = fetchRelV(cpu);
  callNear(cpu, cpu.ip + d);
}

function opE9(cpu: Cpu, op: number): void {
  const d = fetchRelV(cpu);
  jumpRel(cpu, d);
}

function opEA(cpu: Cpu, op: number): void {
  const off = cpu.fetchImm();
  jumpFar(cpu, cpu.fetch16(), off);
}

function opEB(cpu: Cpu, op: number): void {
  const d = fetchS8(cpu);
  jumpRel(cpu, d);
}

function opEC(cpu: Cpu, op: number): void {
  inPort(cpu, cpu.r16[4], 1); return;
}

function opED(cpu: Cpu, op: number): void {
  inPort(cpu, cpu.r16[4], cpu.opsz >> 3); return;
}

function opEE(cpu: Cpu, op: number): void {
  outPort(cpu, cpu.r16[4], 1); return;
}

function opEF(cpu: Cpu, op: number): void {
  outPort(cpu, cpu.r16[4], cpu.opsz >> 3); return;
}

// HLT, flag instructions, groups 3-5
function opF4(cpu: Cpu, op: number): void {
  cpu.halt(); return;
}

function opF5(cpu: Cpu, op: number): void {
  cpu.setFlag(Flag.CF, cpu.getCF() === 0); return;
}

function opF6_F7(cpu: Cpu, op: number): void {
  group3(cpu, op); return;
}

function opF8(cpu: Cpu, op: number): void {
  cpu.setFlag(Flag.CF, false); return;
}

function opF9(cpu: Cpu, op: number): void {
  cpu.setFlag(Flag.CF, true); return;
}

/** CLI/STI in protected mode need CPL <= IOPL (V86 mode: IOPL 3). */
function checkIopl(cpu: Cpu): void {
  if (!cpu.pe) return;
  const iopl = (cpu.flags >> 12) & 3;
  if (cpu.flags & Flag.VM ? iopl < 3 : cpu.cpl > iopl) cpu.faultCode(13, 0);
}

function opFA(cpu: Cpu, op: number): void {
  checkIopl(cpu);
  cpu.flags &= ~Flag.IF; return;
}

function opFB(cpu: Cpu, op: number): void {
  checkIopl(cpu);
  if (!(cpu.flags & Flag.IF)) cpu.attention |= Attention.Shadow;
  cpu.flags |= Flag.IF;
  if (cpu.irqLine) cpu.attention |= Attention.Irq;
}

function opFC(cpu: Cpu, op: number): void {
  cpu.flags &= ~Flag.DF; return;
}

function opFD(cpu: Cpu, op: number): void {
  cpu.flags |= Flag.DF; return;
}

function opGroup45(cpu: Cpu, op: number): void {
  // 0xfe, 0xff
    group45(cpu, op);
    return;
}

/** Handlers of the one-byte map, indexed by opcode (one small function each, so V8 inlines their helpers). */
export const OPS: ((cpu: Cpu, op: number) => void)[] = new Array(256).fill(opGroup45);
OPS[0x00] = op00_38;
OPS[0x08] = op00_38;
OPS[0x10] = op00_38;
OPS[0x18] = op00_38;
OPS[0x20] = op00_38;
OPS[0x28] = op00_38;
OPS[0x30] = op00_38;
OPS[0x38] = op00_38;
OPS[0x01] = op01_39;
OPS[0x09] = op01_39;
OPS[0x11] = op01_39;
OPS[0x19] = op01_39;
OPS[0x21] = op01_39;
OPS[0x29] = op01_39;
OPS[0x31] = op01_39;
OPS[0x39] = op01_39;
OPS[0x02] = op02_3A;
OPS[0x0a] = op02_3A;
OPS[0x12] = op02_3A;
OPS[0x1a] = op02_3A;
OPS[0x22] = op02_3A;
OPS[0x2a] = op02_3A;
OPS[0x32] = op02_3A;
OPS[0x3a] = op02_3A;
OPS[0x03] = op03_3B;
OPS[0x0b] = op03_3B;
OPS[0x13] = op03_3B;
OPS[0x1b] = op03_3B;
OPS[0x23] = op03_3B;
OPS[0x2b] = op03_3B;
OPS[0x33] = op03_3B;
OPS[0x3b] = op03_3B;
OPS[0x04] = op04_3C;
OPS[0x0c] = op04_3C;
OPS[0x14] = op04_3C;
OPS[0x1c] = op04_3C;
OPS[0x24] = op04_3C;
OPS[0x2c] = op04_3C;
OPS[0x34] = op04_3C;
OPS[0x3c] = op04_3C;
OPS[0x05] = op05_3D;
OPS[0x0d] = op05_3D;
OPS[0x15] = op05_3D;
OPS[0x1d] = op05_3D;
OPS[0x25] = op05_3D;
OPS[0x2d] = op05_3D;
OPS[0x35] = op05_3D;
OPS[0x3d] = op05_3D;
OPS[0x06] = op06_1E;
OPS[0x0e] = op06_1E;
OPS[0x16] = op06_1E;
OPS[0x1e] = op06_1E;
OPS[0x07] = op07_1F;
OPS[0x17] = op07_1F;
OPS[0x1f] = op07_1F;
OPS[0x0f] = op0F;
OPS[0x26] = op26_3E;
OPS[0x2e] = op26_3E;
OPS[0x36] = op26_3E;
OPS[0x3e] = op26_3E;
OPS[0x64] = op64_65;
OPS[0x65] = op64_65;
OPS[0x66] = op66;
OPS[0x67] = op67;
OPS[0xf0] = opF0;
OPS[0xf1] = opF1;
OPS[0xf2] = opF2_F3;
OPS[0xf3] = opF2_F3;
OPS[0x27] = op27;
OPS[0x2f] = op2F;
OPS[0x37] = op37;
OPS[0x3f] = op3F;
OPS[0x40] = op40_47;
OPS[0x41] = op40_47;
OPS[0x42] = op40_47;
OPS[0x43] = op40_47;
OPS[0x44] = op40_47;
OPS[0x45] = op40_47;
OPS[0x46] = op40_47;
OPS[0x47] = op40_47;
OPS[0x48] = op48_4F;
OPS[0x49] = op48_4F;
OPS[0x4a] = op48_4F;
OPS[0x4b] = op48_4F;
OPS[0x4c] = op48_4F;
OPS[0x4d] = op48_4F;
OPS[0x4e] = op48_4F;
OPS[0x4f] = op48_4F;
OPS[0x50] = op50_57;
OPS[0x51] = op50_57;
OPS[0x52] = op50_57;
OPS[0x53] = op50_57;
OPS[0x55] = op50_57;
OPS[0x56] = op50_57;
OPS[0x57] = op50_57;
OPS[0x54] = op54;
OPS[0x58] = op58_5F;
OPS[0x59] = op58_5F;
OPS[0x5a] = op58_5F;
OPS[0x5b] = op58_5F;
OPS[0x5c] = op58_5F;
OPS[0x5d] = op58_5F;
OPS[0x5e] = op58_5F;
OPS[0x5f] = op58_5F;
OPS[0x60] = op60_6F;
OPS[0x61] = op60_6F;
OPS[0x62] = op60_6F;
OPS[0x63] = op60_6F;
OPS[0x68] = op60_6F;
OPS[0x69] = op60_6F;
OPS[0x6a] = op60_6F;
OPS[0x6b] = op60_6F;
OPS[0x6c] = op60_6F;
OPS[0x6d] = op60_6F;
OPS[0x6e] = op60_6F;
OPS[0x6f] = op60_6F;
OPS[0x70] = op70_7F;
OPS[0x71] = op70_7F;
OPS[0x72] = op70_7F;
OPS[0x73] = op70_7F;
OPS[0x74] = op70_7F;
OPS[0x75] = op70_7F;
OPS[0x76] = op70_7F;
OPS[0x77] = op70_7F;
OPS[0x78] = op70_7F;
OPS[0x79] = op70_7F;
OPS[0x7a] = op70_7F;
OPS[0x7b] = op70_7F;
OPS[0x7c] = op70_7F;
OPS[0x7d] = op70_7F;
OPS[0x7e] = op70_7F;
OPS[0x7f] = op70_7F;
OPS[0x80] = op80_83;
OPS[0x81] = op80_83;
OPS[0x82] = op80_83;
OPS[0x83] = op80_83;
OPS[0x84] = op84;
OPS[0x85] = op85;
OPS[0x86] = op86;
OPS[0x87] = op87;
OPS[0x88] = op88;
OPS[0x89] = op89;
OPS[0x8a] = op8A;
OPS[0x8b] = op8B;
OPS[0x8c] = op8C;
OPS[0x8d] = op8D;
OPS[0x8e] = op8E;
OPS[0x8f] = op8F;
OPS[0x90] = op90;
OPS[0x91] = op91_97;
OPS[0x92] = op91_97;
OPS[0x93] = op91_97;
OPS[0x94] = op91_97;
OPS[0x95] = op91_97;
OPS[0x96] = op91_97;
OPS[0x97] = op91_97;
OPS[0x98] = op98;
OPS[0x99] = op99;
OPS[0x9a] = op9A;
OPS[0x9b] = op9B;
OPS[0x9c] = op9C;
OPS[0x9d] = op9D;
OPS[0x9e] = op9E;
OPS[0x9f] = op9F;
OPS[0xa0] = opA0_A3;
OPS[0xa1] = opA0_A3;
OPS[0xa2] = opA0_A3;
OPS[0xa3] = opA0_A3;
OPS[0xa4] = opA4;
OPS[0xa5] = opA5;
OPS[0xa6] = opA6;
OPS[0xa7] = opA7;
OPS[0xa8] = opA8;
OPS[0xa9] = opA9;
OPS[0xaa] = opAA;
OPS[0xab] = opAB;
OPS[0xac] = opAC;
OPS[0xad] = opAD;
OPS[0xae] = opAE;
OPS[0xaf] = opAF;
OPS[0xb0] = opB0_B7;
OPS[0xb1] = opB0_B7;
OPS[0xb2] = opB0_B7;
OPS[0xb3] = opB0_B7;
OPS[0xb4] = opB0_B7;
OPS[0xb5] = opB0_B7;
OPS[0xb6] = opB0_B7;
OPS[0xb7] = opB0_B7;
OPS[0xb8] = opB8_BF;
OPS[0xb9] = opB8_BF;
OPS[0xba] = opB8_BF;
OPS[0xbb] = opB8_BF;
OPS[0xbc] = opB8_BF;
OPS[0xbd] = opB8_BF;
OPS[0xbe] = opB8_BF;
OPS[0xbf] = opB8_BF;
OPS[0xc0] = opC0_C1;
OPS[0xc1] = opC0_C1;
OPS[0xc2] = opC2;
OPS[0xc3] = opC3;
OPS[0xc4] = opC4;
OPS[0xc5] = opC5;
OPS[0xc6] = opC6_C7;
OPS[0xc7] = opC6_C7;
OPS[0xc8] = opC8_C9;
OPS[0xc9] = opC8_C9;
OPS[0xca] = opCA;
OPS[0xcb] = opCB;
OPS[0xcc] = opCC;
OPS[0xcd] = opCD;
OPS[0xce] = opCE;
OPS[0xcf] = opCF;
OPS[0xd0] = opD0_D3;
OPS[0xd1] = opD0_D3;
OPS[0xd2] = opD0_D3;
OPS[0xd3] = opD0_D3;
OPS[0xd4] = opD4;
OPS[0xd5] = opD5;
OPS[0xd6] = opD6;
OPS[0xd7] = opD7;
OPS[0xd8] = opD8_DF;
OPS[0xd9] = opD8_DF;
OPS[0xda] = opD8_DF;
OPS[0xdb] = opD8_DF;
OPS[0xdc] = opD8_DF;
OPS[0xdd] = opD8_DF;
OPS[0xde] = opD8_DF;
OPS[0xdf] = opD8_DF;
OPS[0xe0] = opE0_E2;
OPS[0xe1] = opE0_E2;
OPS[0xe2] = opE0_E2;
OPS[0xe3] = opE3;
OPS[0xe4] = opE4;
OPS[0xe5] = opE5;
OPS[0xe6] = opE6;
OPS[0xe7] = opE7;
OPS[0xe8] = opE8;
OPS[0xe9] = opE9;
OPS[0xea] = opEA;
OPS[0xeb] = opEB;
OPS[0xec] = opEC;
OPS[0xed] = opED;
OPS[0xee] = opEE;
OPS[0xef] = opEF;
OPS[0xf4] = opF4;
OPS[0xf5] = opF5;
OPS[0xf6] = opF6_F7;
OPS[0xf7] = opF6_F7;
OPS[0xf8] = opF8;
OPS[0xf9] = opF9;
OPS[0xfa] = opFA;
OPS[0xfb] = opFB;
OPS[0xfc] = opFC;
OPS[0xfd] = opFD;

/** After a prefix: the 286 and 386 refuse over-long instructions, then the next byte dispatches as usual. */
function dispatchPrefixed(cpu: Cpu, op: number): void {
  if (cpu.model >= CpuModel.i80286) {
    cpu.ip = (cpu.ip - 1) & cpu.ipMask;
    if (cpu.model === CpuModel.i80286) checkLength286(cpu);
    else checkLength386(cpu);
    cpu.ip = (cpu.ip + 1) & cpu.ipMask;
  }
  OPS[op](cpu, op);
}

/**
 * The 386 refuses instructions longer than 15 bytes (#GP). Without redundant prefixes the longest is 15
 * (four prefixes, opcode, ModR/M, SIB, disp32, imm32), so only a fifth prefix makes the check necessary.
 */
function checkLength386(cpu: Cpu): void {
  const prefixes = (cpu.ip - cpu.instrStart) & 0xffff;
  if (prefixes > 4 && prefixes + lengthAt386(cpu) > 15) cpu.fault(13);
}

/** Execute one instruction whose first byte `op` has been fetched. */
export function execute(cpu: Cpu, op: number): void {
  OPS[op](cpu, op);
}
