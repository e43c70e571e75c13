/**
 * The 386 real-mode additions of the IST against an independent oracle, QEMU.
 *
 * test/guests/cpu386/cpu386.com runs several hundred small cases (66h/67h prefixes, SIB, FS/GS, MOVZX,
 * SETcc, Jcc near, BT*, BSF/BSR, SHLD/SHRD, IMUL, 32-bit MUL/DIV, shifts, strings, LOOP/JECXZ, stack,
 * LxS, control registers, exceptions) and prints one line per case: the result registers, the flags with
 * the SDM's undefined flags masked out, changed scratch memory and any exception. expected.txt is the
 * same program's output under qemu-system-i386 TCG (test/guests/cpu386/README.md says how it was made).
 * Here the guest runs on our CPU (model 80386) behind a plain RAM bus, as bench/cpu.ts runs cpubench,
 * and every case must print exactly what QEMU printed. A mismatch names the case and the fields.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

import { createCpu, CpuModel, StopReason } from '../../main/ist/index.js';
import { RamBus } from '../support/ram-bus.js';

/** The guest folder: found upwards from this file, so the test runs from test/unit and from out/test/unit. */
function guestDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'test', 'guests', 'cpu386');
    if (existsSync(join(candidate, 'cpu386.com'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('test/guests/cpu386/cpu386.com not found');
}

const LOAD_SEG = 0x1000; // where boot.bin loads the program under QEMU: segment values in the output match
const STUB_SEG = 0x0050; // every vector points at a HLT here, so a stray interrupt stops the run visibly
const RAM_SIZE = 0x100000 + 0x10000;


interface GuestRun {
  output: string;
  exitCode: number;
  fault: string | null;
}

/** Run the .COM at 1000:0100 behind a PSP stub, serving INT 21h AH=09h (print) and AH=4Ch (exit). */
function runGuest(image: Uint8Array): GuestRun {
  const bus = new RamBus(RAM_SIZE);
  const ram = bus.ram;
  for (let v = 0; v < 256; v++) {
    ram[v * 4] = v;
    ram[v * 4 + 2] = STUB_SEG & 0xff;
    ram[v * 4 + 3] = STUB_SEG >> 8;
    ram[STUB_SEG * 16 + v] = 0xf4; // HLT
  }
  const base = LOAD_SEG * 16;
  ram[base] = 0xcd; // PSP:0000 INT 20h
  ram[base + 1] = 0x20;
  ram.set(image, base + 0x100);
  const cpu = createCpu(bus, CpuModel.i80386);
  cpu.setRegisters({ esp: 0xfffe, eip: 0x100, eflags: 0x0202, cs: LOAD_SEG, ds: LOAD_SEG, es: LOAD_SEG, ss: LOAD_SEG });
  cpu.intHooked[0x20] = 1;
  cpu.intHooked[0x21] = 1;
  let output = '';
  for (;;) {
    const why = cpu.run(100_000);
    const r = cpu.getRegisters();
    if (why === StopReason.Budget) {
      if (cpu.instructions > 20_000_000) return { output, exitCode: -1, fault: 'no exit after 20M instructions' };
      continue;
    }
    if (why === StopReason.IntHook && cpu.stopVector === 0x21) {
      const ah = (r.eax >> 8) & 0xff;
      if (ah === 0x4c) return { output, exitCode: r.eax & 0xff, fault: null };
      if (ah !== 0x09) return { output, exitCode: -1, fault: `unsupported INT 21h AH=${ah.toString(16)}h` };
      let p = r.ds * 16 + (r.edx & 0xffff);
      for (let n = 0; n < 4096 && ram[p] !== 0x24; n++, p++) output += String.fromCharCode(ram[p]);
      continue;
    }
    const where = `${r.cs.toString(16)}:${r.eip.toString(16)}`;
    if (why === StopReason.Halt && r.cs === STUB_SEG) {
      return { output, exitCode: -1, fault: `unexpected interrupt ${(r.eip - 1) & 0xff} (vector stub ${where})` };
    }
    return { output, exitCode: -1, fault: `stopped (reason ${why}) at ${where}` };
  }
}

/** Case lines by name: "name F=xxxx [FIELD=value ...]". */
function parseCases(text: string): Map<string, string> {
  const cases = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!/^[a-z0-9]/.test(line) || line.startsWith('cpu386 ') || line.startsWith('end ')) continue;
    const name = line.slice(0, line.indexOf(' '));
    cases.set(name, line);
  }
  return cases;
}

function fields(line: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const tok of line.split(' ').slice(1)) {
    const eq = tok.indexOf('=');
    m.set(tok.slice(0, eq), tok.slice(eq + 1));
  }
  return m;
}

/** "name: FIELD qemu X, ours Y; ..." for a case whose lines differ. */
function describeMismatch(name: string, expected: string, actual: string | undefined): string {
  if (actual === undefined) return `${name}: missing from our output`;
  const e = fields(expected);
  const a = fields(actual);
  const keys = [...new Set([...e.keys(), ...a.keys()])];
  const diffs = keys
    .filter((k) => e.get(k) !== a.get(k))
    .map((k) => `${k} qemu ${e.get(k) ?? '(unchanged)'}, ours ${a.get(k) ?? '(unchanged)'}`);
  return `${name}: ${diffs.join('; ')}`;
}

/** Case families by name prefix, one test each, so a failure points at the behaviour that broke. */
const FAMILIES: [string, RegExp][] = [
  ['computes 32-bit, SIB and 66h/67h effective addresses with the right default segments and FS/GS overrides', /^(mov|sib|ovr|st|lea|xlat|xchg|pfx|sreg|imm)\./],
  ['does 32-bit ALU arithmetic with the flags QEMU computes at carry, overflow, sign and zero boundaries', /^((add|adc|sub|sbb|cmp|and|or|xor|test|inc|dec|neg|not)\d+|lazy)\./],
  ['extends with MOVZX/MOVSX/CWDE/CDQ and keeps the high halves the 16-bit forms do not write', /^(movzx|movsx|cwde|cdq|cbw|cwd)\./],
  ['evaluates all sixteen conditions for SETcc', /^setcc\./],
  ['takes Jcc near, 32-bit displacements and 66h near/far transfers as QEMU does', /^(jcc|jmp|call|ret|callf|jmpf|retf|iretd|iret)\./],
  ['tests and changes bits with BT/BTS/BTR/BTC, register offsets reaching outside the operand', /^bt[src]?\d+\./],
  ['scans bits with BSF/BSR', /^bs[fr]\d+\./],
  ['double-shifts with SHLD/SHRD', /^sh[lr]d\d+\./],
  ['multiplies with the two- and three-operand IMUL forms', /^imul\d+\.(rr|rm|rri|same)/],
  ['multiplies and divides EDX:EAX, raising #DE on zero and overflow', /^(mul|imul\d+\.one|div|idiv)/],
  ['shifts and rotates 32-bit operands and masks counts to five bits', /^(shl|shr|sar|rol|ror|rcl|rcr)\d+\./],
  ['runs string instructions with dword elements, 32-bit index registers and REP prefixes', /^(rep|repe|repne|movs|stos|lods|cmps|scas|ins|outs|a32)/],
  ['loops and branches on CX or ECX by address size', /^(loop|loope|loopne|jcxz|jecxz)\./],
  ['pushes and pops 32-bit values, all registers, EFLAGS and frames on a 16-bit stack', /^(push|pop|pusha|popa|pushad|popad|pushfd|popfd|enter|leave)/],
  ['loads far pointers with LSS/LFS/LGS and 16:32 LDS/LES', /^(lfs|lgs|lss|lds|les)\./],
  ['moves control, debug and descriptor-table registers, ignoring the mod bits of MOV CRn/DRn', /^(cr\d|clts|smsw|lmsw|dr\d|lgdt|lidt)\./],
  ['raises #UD, #NM, #BR and #GP where a 386 does in real mode', /^(esc|wait|bound32|ud|lock|len)\./],
];

describe('80386 real mode against QEMU (test/guests/cpu386)', () => {
  const dir = guestDir();
  const expected = parseCases(readFileSync(join(dir, 'expected.txt'), 'latin1'));
  let run: GuestRun;
  let actual: Map<string, string>;

  beforeAll(() => {
    run = runGuest(readFileSync(join(dir, 'cpu386.com')));
    actual = parseCases(run.output);
  });

  it('runs the whole guest and prints a line for every case QEMU printed', () => {
    expect(run.fault).toBeNull();
    expect(run.exitCode).toBe(0);
    const endLine = run.output.split(/\r?\n/).find((l) => l.startsWith('end '));
    expect(endLine).toBe(`end ${expected.size.toString(16).toUpperCase().padStart(4, '0')} cases`);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
  });

  it('files every case under one of the behaviours below', () => {
    const orphans = [...expected.keys()].filter((name) => !FAMILIES.some(([, re]) => re.test(name)));
    expect(orphans).toEqual([]);
  });

  for (const [title, re] of FAMILIES) {
    it(title, () => {
      const names = [...expected.keys()].filter((name) => re.test(name));
      expect(names.length).toBeGreaterThan(0);
      const mismatches = names
        .filter((name) => actual.get(name) !== expected.get(name))
        .map((name) => describeMismatch(name, expected.get(name)!, actual.get(name)));
      expect(mismatches).toEqual([]);
    });
  }
});
