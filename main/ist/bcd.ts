/** Decimal adjust instructions: DAA, DAS, AAA, AAS, AAM, AAD. */
import type { Cpu } from './cpu.js';
import { CpuModel, Flag } from './ist.js';

export function daa(cpu: Cpu): void {
  const al = cpu.r8[0];
  const cf = cpu.getCF();
  const af = cpu.getAF();
  let r = al;
  let flags = 0;
  if ((al & 0x0f) > 9 || af) {
    r += 6;
    flags |= Flag.AF;
  }
  // The 8086 compares against 0x9F when AF is set (it tests AL after the low adjustment).
  const limit = cpu.model === CpuModel.i8086 && af ? 0x9f : 0x99;
  if (al > limit || cf) {
    r += 0x60;
    flags |= Flag.CF;
  }
  r &= 0xff;
  cpu.r8[0] = r;
  cpu.setResultFlags(r, 7, flags);
}

export function das(cpu: Cpu): void {
  const al = cpu.r8[0];
  const cf = cpu.getCF();
  const af = cpu.getAF();
  let r = al;
  let flags = 0;
  if ((al & 0x0f) > 9 || af) {
    r -= 6;
    flags |= Flag.AF;
    // Later chips also take the borrow of the low adjustment into CF.
    if (r < 0 && cpu.model >= CpuModel.i80286) flags |= Flag.CF;
  }
  const limit = cpu.model === CpuModel.i8086 && af ? 0x9f : 0x99;
  if (al > limit || cf) {
    r -= 0x60;
    flags |= Flag.CF;
  }
  r &= 0xff;
  cpu.r8[0] = r;
  cpu.setResultFlags(r, 7, flags);
}

export function aaa(cpu: Cpu): void {
  const al = cpu.r8[0];
  let flags = 0;
  if ((al & 0x0f) > 9 || cpu.getAF()) {
    if (cpu.model >= CpuModel.i80286) cpu.r16[0] = cpu.r16[0] + 0x106;
    else {
      cpu.r8[0] = al + 6;
      cpu.r8[1] = cpu.r8[1] + 1;
    }
    flags = Flag.AF | Flag.CF;
  }
  cpu.r8[0] &= 0x0f;
  cpu.setResultFlags(cpu.r8[0], 7, flags);
}

export function aas(cpu: Cpu): void {
  const al = cpu.r8[0];
  let flags = 0;
  if ((al & 0x0f) > 9 || cpu.getAF()) {
    if (cpu.model >= CpuModel.i80286) {
      cpu.r16[0] = cpu.r16[0] - 6;
      cpu.r8[1] = cpu.r8[1] - 1;
    } else {
      cpu.r8[0] = al - 6;
      cpu.r8[1] = cpu.r8[1] - 1;
    }
    flags = Flag.AF | Flag.CF;
  }
  cpu.r8[0] &= 0x0f;
  cpu.setResultFlags(cpu.r8[0], 7, flags);
}

export function aam(cpu: Cpu, base: number): void {
  if (base === 0) {
    // The flags AAM 0 leaves behind when it faults come from the microcode's own steps: the 8086 leaves
    // those of a zero result, the 286 clears all but PF.
    if (cpu.model <= CpuModel.i80186) cpu.setResultFlags(0, 7, 0);
    else cpu.setResultFlags(3, 7, 0);
    cpu.fault(0);
  }
  const al = cpu.r8[0];
  cpu.r8[1] = (al / base) | 0;
  cpu.r8[0] = al % base;
  cpu.setResultFlags(cpu.r8[0], 7, 0);
}

export function aad(cpu: Cpu, base: number): void {
  const r = (cpu.r8[0] + cpu.r8[1] * base) & 0xff;
  cpu.r16[0] = r;
  cpu.setResultFlags(r, 7, 0);
}
