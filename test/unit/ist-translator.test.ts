/**
 * The block translator against the interpreter: the same program, the same budgets, the same state after
 * every run() — and code that rewrites itself, and data written beside code.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../main/ist/cpu.js';
import { CpuModel, StopReason } from '../../main/ist/index.js';
import { RamBus } from '../support/ram-bus.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SEG = 0x1000;

/** A machine with `code` at SEG:0100 (a .COM layout), INT 20h/21h hooked. */
function machine(code: Uint8Array | number[], model: CpuModel, translate: boolean): { cpu: Cpu; bus: RamBus } {
  const bus = new RamBus();
  bus.ram.set(code, SEG * 16 + 0x100);
  bus.ram[SEG * 16] = 0xcd; // INT 20h at PSP:0000
  bus.ram[SEG * 16 + 1] = 0x20;
  const cpu = new Cpu(bus, model);
  cpu.useTranslator(translate);
  // Translate every entry on first sight, so even code that runs once goes through the translator.
  if (cpu.translator) cpu.translator.hotThreshold = 0;
  cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x202 });
  cpu.intHooked[0x20] = 1;
  cpu.intHooked[0x21] = 1;
  return { cpu, bus };
}

/** Run to INT 20h/21h AH=4Ch in slices of `budget`, serving AH=09h; returns the state after each slice. */
function trace(cpu: Cpu, bus: RamBus, budget: number, limit = 5_000_000): { states: string[]; output: string } {
  const states: string[] = [];
  let output = '';
  while (cpu.instructions < limit) {
    const why = cpu.run(budget);
    states.push(JSON.stringify({ n: cpu.instructions, r: cpu.getRegisters() }));
    if (why === StopReason.IntHook) {
      const ah = cpu.r8[1];
      if (cpu.stopVector === 0x20 || ah === 0x4c) break;
      if (ah === 0x09) for (let a = cpu.segBase[3] + cpu.r16[4]; bus.ram[a] !== 0x24; a++) output += String.fromCharCode(bus.ram[a]);
    } else if (why !== StopReason.Budget) break;
  }
  return { states, output };
}

describe('block translator', () => {
  const bench = readFileSync(join(ROOT, 'test', 'guests', 'bench', 'cpubench.com'));
  // Two rounds keep the trace short; the round count is the word after the signature.
  const image = Uint8Array.from(bench);
  const at = Buffer.from(image).indexOf('CPUBENCH', 0, 'latin1');
  image[at + 8] = 2;
  image[at + 9] = 0;

  for (const model of [CpuModel.i8086, CpuModel.i80286, CpuModel.i80386]) {
    it(`leaves the same state as the interpreter after every run() of odd budgets (model ${model})`, () => {
      for (const budget of [1, 7, 100, 1000]) {
        const a = machine(image, model, false);
        const b = machine(image, model, true);
        const ta = trace(a.cpu, a.bus, budget);
        const tb = trace(b.cpu, b.bus, budget);
        expect(tb.output).toMatch(/sum=DDFA/);
        expect(tb.output).toBe(ta.output);
        expect(tb.states.length).toBe(ta.states.length);
        const firstDiff = tb.states.findIndex((s, i) => s !== ta.states[i]);
        expect(firstDiff, `budget ${budget}: first differing slice`).toBe(-1);
        expect(b.cpu.translator!.compiled).toBeGreaterThan(0);
      }
    });
  }

  it('sees code a program rewrites before running it again', () => {
    // Each turn patches the immediate of `add ax, imm16` at `site` (already translated), then runs it:
    //   100: mov cx, 5
    //   103: site: add ax, 0001
    //   106: inc word [site+1]   ; next turn adds one more
    //   10A: loop 103
    //   10C: int 20h
    const code = [0xb9, 0x05, 0x00, 0x05, 0x01, 0x00, 0xff, 0x06, 0x04, 0x01, 0xe2, 0xf7, 0xcd, 0x20];
    for (const translate of [false, true]) {
      const { cpu, bus } = machine(code, CpuModel.i80386, translate);
      trace(cpu, bus, 1_000_000);
      expect(cpu.r16[0], translate ? 'translated' : 'interpreted').toBe(1 + 2 + 3 + 4 + 5);
    }
  });

  it('keeps translated code when data beside it in the same page is written', () => {
    //   100: mov cx, 1000
    //   103: mov [200], cx        ; data in the code's page
    //   107: loop 103
    //   109: int 20h
    const code = [0xb9, 0xe8, 0x03, 0x89, 0x0e, 0x00, 0x02, 0xe2, 0xfa, 0xcd, 0x20];
    const { cpu, bus } = machine(code, CpuModel.i8086, true);
    trace(cpu, bus, 1_000_000);
    expect(bus.ram[SEG * 16 + 0x200] | (bus.ram[SEG * 16 + 0x201] << 8)).toBe(1);
    // One region for the program, one more for the INT 20h target at most: no retranslation per write.
    expect(cpu.translator!.compiled).toBeLessThanOrEqual(3);
  });

  it('drops a region when its bytes are overwritten and retranslates them on the next visit', () => {
    // A subroutine is called, patched, and called again:
    const program = new Uint8Array(0x20);
    program.set([0xe8, 0x0d, 0x00], 0x00); //             100: call 110
    program.set([0x88, 0xc3], 0x03); //                   103: mov bl, al
    program.set([0xc6, 0x06, 0x11, 0x01, 0x22], 0x05); // 105: mov byte [111], 22h  (the immediate below)
    program.set([0xe8, 0x03, 0x00], 0x0a); //             10A: call 110
    program.set([0xcd, 0x20], 0x0d); //                   10D: int 20h
    program.set([0xb0, 0x11, 0xc3], 0x10); //             110: mov al, 11h ; ret
    for (const translate of [false, true]) {
      const { cpu, bus } = machine(program, CpuModel.i80286, translate);
      trace(cpu, bus, 1_000_000);
      expect(cpu.r16[6] & 0xff, 'first call (BL)').toBe(0x11);
      expect(cpu.r16[0] & 0xff, 'second call sees the patched byte (AL)').toBe(0x22);
    }
  });
});
