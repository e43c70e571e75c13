/**
 * Where the CPU models differ, side by side: the same bytes on the 8086, 80186, 80286 and 80386 give each
 * chip's documented behaviour. (The 8086 and 286 are also proven by the SingleStepTests vectors; the 186
 * has no vectors, so these are its main check.)
 */
import { describe, expect, it } from 'vitest';
import { createCpu, CpuModel, StopReason, type Ist } from '../../main/ist/index.js';
import { RamBus } from '../support/ram-bus.js';

const SEG = 0x1000;
const MODELS = [CpuModel.i8086, CpuModel.i80186, CpuModel.i80286, CpuModel.i80386] as const;
const NAME = { [CpuModel.i8086]: '8086', [CpuModel.i80186]: '80186', [CpuModel.i80286]: '80286', [CpuModel.i80386]: '80386' };

/** Run `code` (at SEG:0100, ending in HLT) on `model`; every vector points at a HLT at 0000:0500+v. */
function run(model: CpuModel, code: number[], budget = 0): { cpu: Ist; bus: RamBus; vector: number } {
  const bus = new RamBus();
  for (let v = 0; v < 256; v++) {
    bus.ram[v * 4] = v; // vector v -> 0050:v, a HLT
    bus.ram[v * 4 + 2] = 0x50;
    bus.ram[0x500 + v] = 0xf4;
  }
  bus.ram.set(code, SEG * 16 + 0x100);
  const cpu = createCpu(bus, model);
  cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0x1000, eip: 0x100, eflags: 0x2 });
  // With a budget, run exactly that many instructions; otherwise until the program's HLT.
  if (budget) expect(cpu.run(budget)).toBe(StopReason.Budget);
  else expect(cpu.run(1000)).toBe(StopReason.Halt);
  const r = cpu.getRegisters();
  // Stopped in the vector table's HLT stubs: an exception or interrupt was taken, and which one.
  const vector = r.cs === 0x50 ? (r.eip - 1) & 0xff : -1;
  return { cpu, bus, vector };
}

function word(bus: RamBus, seg: number, off: number): number {
  return bus.ram[seg * 16 + off] | (bus.ram[seg * 16 + off + 1] << 8);
}

describe('CPU model differences', () => {
  it('PUSH SP pushes the decremented SP on the 8086 and 186, the old SP from the 286 on', () => {
    for (const model of MODELS) {
      const { bus } = run(model, [0x54, 0xf4]); // push sp; hlt
      expect(word(bus, SEG, 0x0ffe), NAME[model]).toBe(model <= CpuModel.i80186 ? 0x0ffe : 0x1000);
    }
  });

  it('opcode 0F is POP CS on the 8086, #UD on the 186 and a two-byte map from the 286', () => {
    // push 2000h; 0F (pop cs on the 8086) ... on the 286: 0F 01 E0 = smsw ax
    for (const model of MODELS) {
      const { cpu, vector } = run(model, [0x68, 0x00, 0x20, 0x0f, 0x01, 0xe0, 0xf4]);
      if (model === CpuModel.i8086) {
        // 68 is an alias of Jcc (JO) on the 8086, so the PUSH is not a PUSH: check POP CS directly below.
        continue;
      }
      if (model === CpuModel.i80186) expect(vector, '186').toBe(6);
      else expect(cpu.getRegisters().eax & 0xffff, NAME[model]).toBe(model === CpuModel.i80286 ? 0xfff0 : 0x0010);
    }
    const { cpu } = run(CpuModel.i8086, [0xb8, 0x00, 0x20, 0x50, 0x0f], 3); // mov ax,2000h; push ax; pop cs
    expect(cpu.getRegisters().cs).toBe(0x2000);
    expect(cpu.getRegisters().eip).toBe(0x105);
  });

  it('60-6F are conditional jumps on the 8086 and PUSHA/POPA/BOUND/PUSH imm/IMUL imm/INS/OUTS later', () => {
    // 60 02 = JO +2 on the 8086 (not taken: OF clear); PUSHA on the 186+ (SP drops by 16)
    for (const model of MODELS) {
      const { cpu } = run(model, [0x60, 0x02, 0xf4, 0xf4]);
      const sp = cpu.getRegisters().esp & 0xffff;
      expect(sp, NAME[model]).toBe(model === CpuModel.i8086 ? 0x1000 : 0x1000 - 16);
    }
  });

  it('shift counts go up to 255 on the 8086 and are masked to 5 bits from the 186 on', () => {
    // mov ax,1; mov cl,21h; shl ax,cl  -> 8086: 33 shifts = 0; 186+: 1 shift = 2
    for (const model of MODELS) {
      const { cpu } = run(model, [0xb8, 0x01, 0x00, 0xb1, 0x21, 0xd3, 0xe0, 0xf4]);
      expect(cpu.getRegisters().eax & 0xffff, NAME[model]).toBe(model === CpuModel.i8086 ? 0 : 2);
    }
  });

  it('C0/C1 shift by an immediate from the 186 on and alias RET imm/RET on the 8086', () => {
    // mov ax,1; shl ax,3 (C1 E0 03); hlt  -- on the 8086 C1 is RET: it pops the word at SS:1000 (0) -> IP 0
    for (const model of MODELS) {
      const { cpu } = run(model, [0xb8, 0x01, 0x00, 0xc1, 0xe0, 0x03, 0xf4], 2);
      if (model === CpuModel.i8086) {
        expect(cpu.getRegisters().esp & 0xffff).toBe(0x1002);
        expect(cpu.getRegisters().eip).toBe(0); // the word popped from SS:1000
      } else expect(cpu.getRegisters().eax & 0xffff, NAME[model]).toBe(8);
    }
  });

  it('BOUND raises #BR (vector 5) outside the bounds from the 186 on', () => {
    // mov ax,9; bound ax,[200h] with bounds 0..8 at DS:0200
    for (const model of [CpuModel.i80186, CpuModel.i80286, CpuModel.i80386]) {
      const bus = [0xb8, 0x09, 0x00, 0x62, 0x06, 0x00, 0x02, 0xf4];
      const code = new Array(0x108).fill(0);
      code.splice(0, bus.length, ...bus);
      code.splice(0x100, 4, 0, 0, 8, 0);
      const { vector } = run(model, code);
      expect(vector, NAME[model]).toBe(5);
    }
  });

  it('ENTER and LEAVE build and drop a nested frame from the 186 on', () => {
    // mov bp,1234h; enter 4,1; leave; hlt
    for (const model of [CpuModel.i80186, CpuModel.i80286, CpuModel.i80386]) {
      const { cpu, bus } = run(model, [0xbd, 0x34, 0x12, 0xc8, 0x04, 0x00, 0x01, 0xc9, 0xf4]);
      const r = cpu.getRegisters();
      expect(r.ebp & 0xffff, NAME[model]).toBe(0x1234);
      expect(r.esp & 0xffff, NAME[model]).toBe(0x1000);
      expect(word(bus, SEG, 0x0ffe), 'saved BP').toBe(0x1234);
    }
  });

  it('FLAGS bits 12-15 read as ones on the 8086 and 186, zeros on the 286 in real mode', () => {
    // xor ax,ax; push ax; popf; pushf; pop ax
    for (const model of MODELS) {
      const { cpu } = run(model, [0x31, 0xc0, 0x50, 0x9d, 0x9c, 0x58, 0xf4]);
      const high = (cpu.getRegisters().eax >> 12) & 0xf;
      expect(high, NAME[model]).toBe(model <= CpuModel.i80186 ? 0xf : 0);
    }
  });

  it('a word at offset FFFFh wraps within the segment on the 8086 and 186 and faults (#GP) from the 286 on', () => {
    // mov bx,0FFFFh; mov ax,[bx]
    for (const model of MODELS) {
      const { vector } = run(model, [0xbb, 0xff, 0xff, 0x8b, 0x07, 0xf4]);
      expect(vector, NAME[model]).toBe(model <= CpuModel.i80186 ? -1 : 13);
    }
  });

  it('the 8086 reports a divide error past DIV, later chips at the DIV itself', () => {
    // xor cx,cx; div cx -> #DE; the handler sees the pushed IP
    for (const model of MODELS) {
      const { bus, vector } = run(model, [0x31, 0xc9, 0xf7, 0xf1, 0xf4]);
      expect(vector).toBe(0);
      expect(word(bus, SEG, 0x1000 - 6), NAME[model]).toBe(model <= CpuModel.i80186 ? 0x104 : 0x102);
    }
  });

  it('operand-size prefix 66h works only on the 386 (#UD on the 186 and 286)', () => {
    // 66 B8 78 56 34 12 = mov eax,12345678h
    for (const model of [CpuModel.i80186, CpuModel.i80286, CpuModel.i80386]) {
      const { cpu, vector } = run(model, [0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, 0xf4]);
      if (model === CpuModel.i80386) expect(cpu.getRegisters().eax).toBe(0x12345678);
      else expect(vector, NAME[model]).toBe(6);
    }
  });
});
