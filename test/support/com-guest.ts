/**
 * Runs a .COM test guest on the bare CPU and compares its case lines with QEMU's, for the guests that use
 * QEMU as their oracle (test/guests/cpu386, test/guests/pm): each prints one line per case,
 * "name F=xxxx [FIELD=value ...]", then "end NNNN cases", through INT 21h AH=09h, and exits with AH=4Ch.
 *
 * The guest is loaded at 1000:0100 behind a PSP stub, as test/guests/bench/boot.bin loads it under QEMU,
 * so the segment values in its output match; every real-mode vector points at a HLT so a stray interrupt
 * stops the run visibly. INT 20h/21h are hooked and served here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, expect, it } from 'vitest';

import { createCpu, CpuModel, StopReason } from '../../main/ist/index.js';
import { RamBus } from './ram-bus.js';

const LOAD_SEG = 0x1000;
const STUB_SEG = 0x0050;

export interface GuestRun {
  /** Everything the guest printed. */
  output: string;
  /** AL of INT 21h AH=4Ch, or -1 when the run did not get there. */
  exitCode: number;
  /** Why the run stopped early (an unexpected interrupt, a stop reason, the instruction limit), or null. */
  fault: string | null;
}

export interface GuestOptions {
  /** Bytes of RAM (default 1 MiB + 64 KiB). */
  ramSize?: number;
  /** Give up after this many instructions (default 20 million). */
  maxInstructions?: number;
}

/** test/guests/<name>, found upwards from the calling file (tests run from test/unit and out/test/unit). */
export function guestDir(name: string, file: string, from: string): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'test', 'guests', name);
    if (existsSync(join(candidate, file))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`test/guests/${name}/${file} not found`);
}

/** Run the .COM on an 80386 behind a PSP stub, serving INT 21h AH=09h (print) and AH=4Ch (exit). */
export function runComGuest(image: Uint8Array, options: GuestOptions = {}): GuestRun {
  const bus = new RamBus(options.ramSize ?? 0x110000);
  const maxInstructions = options.maxInstructions ?? 20_000_000;
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
      if (cpu.instructions > maxInstructions) return { output, exitCode: -1, fault: `no exit after ${maxInstructions} instructions` };
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

/** Case lines by name: "name F=xxxx [FIELD=value ...]" (the header and the "end" line are not cases). */
export function parseCases(text: string): Map<string, string> {
  const cases = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\S+) F=/.exec(line);
    if (m) cases.set(m[1], line);
  }
  return cases;
}

/** The "end NNNN cases" line a guest prints after `count` cases. */
export function endLine(count: number): string {
  return `end ${count.toString(16).toUpperCase().padStart(4, '0')} cases`;
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
export function describeMismatch(name: string, expected: string, actual: string | undefined): string {
  if (actual === undefined) return `${name}: missing from our output`;
  const e = fields(expected);
  const a = fields(actual);
  const keys = [...new Set([...e.keys(), ...a.keys()])];
  const diffs = keys
    .filter((k) => e.get(k) !== a.get(k))
    .map((k) => `${k} qemu ${e.get(k) ?? '(unchanged)'}, ours ${a.get(k) ?? '(unchanged)'}`);
  return `${name}: ${diffs.join('; ')}`;
}

/** The mismatch descriptions of the named cases (empty when every line equals QEMU's). */
export function mismatches(names: string[], expected: Map<string, string>, actual: Map<string, string>): string[] {
  return names
    .filter((name) => actual.get(name) !== expected.get(name))
    .map((name) => describeMismatch(name, expected.get(name)!, actual.get(name)));
}

/**
 * The tests of a case guest against QEMU's output (test/guests/cpu386, test/guests/pm): call inside a
 * describe. The guest `file` in `dir` runs once; every case QEMU printed must come out, each family of
 * cases (by name) is a test of its own so a failure names the behaviour, and no case may be left out of
 * the families.
 */
export function qemuCaseTests(dir: string, file: string, families: [string, RegExp][], options: GuestOptions = {}): void {
  const expected = parseCases(readFileSync(join(dir, 'expected.txt'), 'latin1'));
  let run: GuestRun;
  let actual: Map<string, string>;

  beforeAll(() => {
    run = runComGuest(readFileSync(join(dir, file)), options);
    actual = parseCases(run.output);
  });

  it('runs the whole guest and prints a line for every case QEMU printed', () => {
    expect(run.fault).toBeNull();
    expect(run.exitCode).toBe(0);
    expect(run.output.split(/\r?\n/).find((l) => l.startsWith('end '))).toBe(endLine(expected.size));
    expect([...actual.keys()]).toEqual([...expected.keys()]);
  });

  it('files every case under one of the behaviours below', () => {
    const orphans = [...expected.keys()].filter((name) => !families.some(([, re]) => re.test(name)));
    expect(orphans).toEqual([]);
  });

  for (const [title, re] of families) {
    it(title, () => {
      const names = [...expected.keys()].filter((name) => re.test(name));
      expect(names.length).toBeGreaterThan(0);
      expect(mismatches(names, expected, actual)).toEqual([]);
    });
  }
}
