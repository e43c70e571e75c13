/**
 * The two-byte opcode map (0F xx): the 286 system instructions (SLDT/STR/LLDT/LTR/VERR/VERW, SGDT/SIDT/
 * LGDT/LIDT/SMSW/LMSW, LAR/LSL, CLTS, the 286's LOADALL) and the 386 additions (Jcc near, SETcc,
 * MOVZX/MOVSX, BT*, BSF/BSR, SHLD/SHRD, IMUL r,r/m, LSS/LFS/LGS, PUSH/POP FS/GS, MOV to/from CR/DR).
 * Privileged ones need CPL 0 in protected mode and are #GP(0) in V86 mode; the selector instructions
 * are #UD outside protected mode.
 */
import type { Cpu } from './cpu.js';
import { CpuModel, Flag } from './ist.js';
import { condition, invalidOpcode, jumpRel, loadFarPointer } from './control.js';
import { doubleShift } from './shift.js';
import { imulTrunc } from './muldiv.js';
import { decodeModrm, getRegV, readE16, readE8, readEV, setRegV, writeE16, writeE8, writeEV } from './modrm.js';
import { loadAccessRights, loadLdt, loadSegmentLimit, loadTaskRegister, verifySegment } from './protected.js';
import { popSegment } from './instructions.js';

/** Privileged instructions: CPL 0 in protected mode; V86 mode runs at CPL 3, so they fault there too. */
function requireCpl0(cpu: Cpu): void {
  if (cpu.pe && cpu.cpl !== 0) cpu.faultCode(13, 0);
}

/** The selector instructions exist only in protected mode proper. */
function requireProtected(cpu: Cpu): boolean {
  if (!cpu.pe || cpu.flags & Flag.VM) {
    invalidOpcode(cpu);
    return false;
  }
  return true;
}

export function setCR0(cpu: Cpu, v: number): void {
  if (cpu.model === CpuModel.i80386) {
    v = (v | 0x10) & (0x8000001f | 0);
    // Paging needs protected mode.
    if (v & 0x80000000 && (v & 1) === 0) cpu.faultCode(13, 0);
  }
  const old = cpu.cr0;
  cpu.cr0 = v;
  cpu.cr[0] = v;
  if ((old ^ v) & 0x80000001) {
    cpu.modeChanged();
    cpu.flushTlb();
  }
}

function group6(cpu: Cpu): void {
  if (!requireProtected(cpu)) return;
  const m = decodeModrm(cpu);
  const sub = (m >> 3) & 7;
  switch (sub) {
    case 0: case 1: { // SLDT, STR
      const v = sub === 0 ? cpu.ldtr : cpu.tr;
      if (m >= 0xc0) setRegV(cpu, m & 7, v);
      else writeE16(cpu, m, v);
      return;
    }
    case 2: case 3: { // LLDT, LTR
      requireCpl0(cpu);
      const sel = readE16(cpu, m);
      if (sub === 2) loadLdt(cpu, sel);
      else loadTaskRegister(cpu, sel);
      return;
    }
    case 4: case 5: // VERR, VERW
      cpu.setFlag(Flag.ZF, verifySegment(cpu, readE16(cpu, m), sub === 5));
      return;
    default:
      return invalidOpcode(cpu);
  }
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
      requireCpl0(cpu);
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
      requireCpl0(cpu);
      const v = readE16(cpu, m);
      const next = (cpu.cr0 & ~0xe) | (v & 0xf) | (cpu.cr0 & 1);
      setCR0(cpu, next);
      return;
    }
    default:
      return invalidOpcode(cpu);
  }
}

/** LAR / LSL: ZF set and the register loaded when the descriptor is visible and of a listed type. */
function larLsl(cpu: Cpu, lsl: boolean): void {
  if (!requireProtected(cpu)) return;
  const m = decodeModrm(cpu);
  const sel = readE16(cpu, m);
  const v = lsl ? loadSegmentLimit(cpu, sel) : loadAccessRights(cpu, sel);
  if (v === -1) {
    cpu.setFlag(Flag.ZF, false);
    return;
  }
  cpu.setFlag(Flag.ZF, true);
  setRegV(cpu, (m >> 3) & 7, cpu.opsz === 16 ? v & 0xffff : v | 0);
}

/**
 * The 286's LOADALL (0F 05): every register, the descriptor caches and the descriptor-table registers from
 * the 102-byte image at physical 800h. HIMEM.SYS and RAMDRIVE on 286 machines used it to reach extended
 * memory from real mode; the caches it loads are used as loaded (real mode with a 16 MiB base).
 */
function loadall286(cpu: Cpu): void {
  requireCpl0(cpu);
  const w = (a: number): number => cpu.readPhys8(a) | (cpu.readPhys8(a + 1) << 8);
  const cache = (a: number): [number, number, number] => [
    cpu.readPhys8(a) | (cpu.readPhys8(a + 1) << 8) | (cpu.readPhys8(a + 2) << 16),
    cpu.readPhys8(a + 3),
    w(a + 4),
  ];
  const msw = w(0x806);
  cpu.tr = w(0x816);
  cpu.lazy = 0;
  cpu.flags = (w(0x818) & 0x7fd5) | 2;
  cpu.ip = w(0x81a);
  cpu.ldtr = w(0x81c);
  const sels = [w(0x824), w(0x822), w(0x820), w(0x81e)]; // ES CS SS DS
  const regs = [0x834, 0x832, 0x830, 0x82e, 0x82c, 0x82a, 0x828, 0x826]; // AX CX DX BX SP BP SI DI
  for (let i = 0; i < 8; i++) cpu.r16[i * 2] = w(regs[i]);
  const caches = [0x836, 0x83c, 0x842, 0x848]; // ES CS SS DS
  const gdt = cache(0x84e);
  const ldt = cache(0x854);
  const idt = cache(0x85a);
  const tss = cache(0x860);
  cpu.gdtBase = gdt[0];
  cpu.gdtLimit = gdt[2];
  cpu.idtBase = idt[0];
  cpu.idtLimit = idt[2];
  cpu.ldtBase = ldt[0];
  cpu.ldtLimit = ldt[2];
  cpu.trBase = tss[0];
  cpu.trLimit = tss[2];
  cpu.trType = tss[1] & 0x0f;
  cpu.cr0 = (cpu.cr0 & ~0xf) | (msw & 0xf) | (cpu.cr0 & 1);
  cpu.cr[0] = cpu.cr0;
  cpu.modeChanged();
  for (let s = 0; s < 4; s++) {
    const [base, ar, limit] = cache(caches[s]);
    cpu.sreg[s] = sels[s];
    cpu.segBase[s] = base;
    cpu.segLimit[s] = limit;
    cpu.segAr[s] = ar;
    cpu.updateSegment(s);
  }
  cpu.cpl = cpu.pe ? (cpu.segAr[2] >> 5) & 3 : 0;
  cpu.pageUser = cpu.cpl === 3;
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
      case 0x02: return larLsl(cpu, false);
      case 0x03: return larLsl(cpu, true);
      case 0x05: return loadall286(cpu);
      case 0x06: requireCpl0(cpu); cpu.cr0 &= ~8; cpu.cr[0] = cpu.cr0; return; // CLTS
      default: return invalidOpcode(cpu);
    }
  }
  switch (op) {
    case 0x00: return group6(cpu);
    case 0x01: return group7(cpu);
    case 0x02: return larLsl(cpu, false);
    case 0x03: return larLsl(cpu, true);
    case 0x06: requireCpl0(cpu); cpu.cr0 &= ~8; cpu.cr[0] = cpu.cr0; return;
    case 0x20: case 0x21: case 0x22: case 0x23: {
      // MOV to/from CRn/DRn: the operand is always a register. The 386 ignores the mod field (no
      // displacement follows even when mod says memory), so the byte is not decoded as a ModR/M.
      const m = cpu.fetch8();
      cpu.modrm = m;
      const n = (m >> 3) & 7;
      const r = m & 7;
      if ((op === 0x20 || op === 0x22) && n !== 0 && n !== 2 && n !== 3) return invalidOpcode(cpu); // CR0, CR2, CR3 only
      requireCpl0(cpu);
      // DR4 and DR5 are DR6 and DR7 on the 386.
      const d = n === 4 || n === 5 ? n + 2 : n;
      if (op === 0x21) cpu.r32[r] = cpu.dr[d];
      else if (op === 0x23) setDebugRegister(cpu, d, cpu.r32[r]);
      else if (op === 0x20) cpu.r32[r] = n === 0 ? cpu.cr0 : cpu.cr[n];
      else if (n === 0) setCR0(cpu, cpu.r32[r]);
      else {
        cpu.cr[n] = cpu.r32[r];
        if (n === 3) cpu.flushTlb();
      }
      return;
    }
    case 0xa0: cpu.pushV(cpu.sreg[4]); return;
    case 0xa1: popSegment(cpu, 4); return;
    case 0xa8: cpu.pushV(cpu.sreg[5]); return;
    case 0xa9: popSegment(cpu, 5); return;
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

/** DR0-DR3 (linear breakpoint addresses), DR6 (status), DR7 (enables): instruction breakpoints are armed in cpu.ts. */
function setDebugRegister(cpu: Cpu, n: number, v: number): void {
  if (n === 6) v = (v & 0xe00f) | (0xffff0ff0 | 0);
  else if (n === 7) v = (v & ~0xdc00) | 0x400;
  cpu.dr[n] = v;
  cpu.debugChanged();
}
