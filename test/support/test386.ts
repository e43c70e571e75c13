/**
 * The test386.asm CPU tester ROM (github.com/barotto/test386.asm) on our CPU: a bare 80386 board with the
 * 128 KiB ROM in place of a BIOS, the POST port and an ASCII output port, and nothing else.
 *
 * scripts/test386.sh builds the ROM (POST codes to port 190h, results to port E9h, the 128 KiB version with
 * the TSS tests) into a folder outside the repository, with its listing and the published output of its
 * POST EEh tests; scripts/README.md says how. test/support/test386-cli.ts runs it from the command line,
 * test/unit/test386.test.ts (gated on $MVM_TEST386) asserts it passes.
 *
 * The board. Physical memory is 1 MiB + 64 KiB of RAM (the tests stay below 1 MiB, paging tests too: their
 * page tables map linear addresses onto the first megabyte). The ROM sits at E0000h-FFFFFh, read-only
 * (PageKind.Rom; writes are counted and dropped), and is aliased at FFFE0000h-FFFFFFFFh, where the 386
 * fetches its first instruction: `pageKind` covers the whole 4 GiB space (one byte per 4 KiB page, 1 MiB),
 * every page above the RAM is PageKind.Mmio, and `readSlow` serves the alias from the ROM image. So the CPU
 * starts from its own reset state (CS base FFFF0000h, IP FFF0h) and takes the ROM's far jump to F000:0045
 * as on a real board; nothing is preset with setRegisters. (A 64 KiB build, ROM128 0, sits at F0000h and
 * FFFF0000h instead.)
 */
import { readFileSync } from 'node:fs';

import { createCpu, CpuModel, PageKind, StopReason, type CpuBus, type Ist } from '../../main/ist/index.js';

export const POST_PORT = 0x190;
export const OUT_PORT = 0xe9;
/** The ROM ends at 1 MiB and, aliased, at 4 GiB: 128 KiB from E0000h and FFFE0000h (64 KiB from F0000h and FFFF0000h). */
const romLow = (size: number): number => 0x100000 - size;
const romHigh = (size: number): number => 0x100000000 - size;
const RAM_SIZE = 0x110000;
const PAGES_4G = 0x100000;

/** The folder scripts/test386.sh builds into: $MVM_TEST386, else its default outside the repository. */
export function test386Dir(): string {
  return process.env.MVM_TEST386 || '/work/local-images/test386';
}

/** The board: RAM, the ROM twice, two ports. */
export class Test386Bus implements CpuBus {
  readonly ram = new Uint8Array(RAM_SIZE);
  readonly pageKind = new Uint8Array(PAGES_4G).fill(PageKind.Mmio);
  readonly rom: Uint8Array;
  private readonly high: number;
  /** Every byte written to the POST port, in order. */
  readonly posts: number[] = [];
  /** The bytes written to the ASCII port, as text. */
  output = '';
  /** Writes to the ROM or above the RAM (dropped) and reads of addresses with nothing behind them (FFh). */
  droppedWrites = 0;
  unmappedReads = 0;

  constructor(rom: Uint8Array) {
    if (rom.length !== 0x20000 && rom.length !== 0x10000) throw new Error(`test386.bin is ${rom.length} bytes, not 128 or 64 KiB`);
    this.rom = rom;
    this.high = romHigh(rom.length);
    this.pageKind.fill(PageKind.Ram, 0, RAM_SIZE >>> 12);
    this.ram.set(rom, romLow(rom.length));
    this.pageKind.fill(PageKind.Rom, romLow(rom.length) >>> 12, 0x100);
  }

  readSlow(addr: number): number {
    if (addr >= this.high) return this.rom[addr - this.high];
    if (addr < RAM_SIZE) return this.ram[addr]; // pages the translator marked Code
    this.unmappedReads++;
    return 0xff;
  }
  writeSlow(addr: number, value: number): void {
    if (addr < RAM_SIZE && this.pageKind[addr >>> 12] !== PageKind.Rom) this.ram[addr] = value;
    else this.droppedWrites++;
  }
  in8(_port: number): number {
    return 0xff;
  }
  in16(_port: number): number {
    return 0xffff;
  }
  in32(_port: number): number {
    return 0xffffffff;
  }
  out8(port: number, value: number): void {
    if (port === POST_PORT) this.posts.push(value);
    else if (port === OUT_PORT) this.output += String.fromCharCode(value);
  }
  out16(port: number, value: number): void {
    this.out8(port, value & 0xff);
  }
  out32(port: number, value: number): void {
    this.out8(port, value & 0xff);
  }
  acknowledgeInterrupt(): number {
    return -1;
  }
}

/**
 * What the report reads beyond the IST contract, when the CPU has it (main/ist/cpu.ts does): the code
 * segment's base and CR0/CR3, to turn CS:EIP into a physical address in protected mode and with paging.
 * Read defensively: the contract does not promise these, and the report falls back to CS*16 without them.
 */
interface CpuInternals {
  segBase?: Int32Array;
  cr0?: number;
  cr?: Int32Array;
}

/** Where the CPU is: CS:EIP, the linear address and, when it can be worked out, the physical one. */
export interface Location {
  cs: number;
  eip: number;
  linear: number;
  physical: number | null;
}

export function locate(cpu: Ist, bus: Test386Bus, eip = cpu.getRegisters().eip): Location {
  const { cs } = cpu.getRegisters();
  const internals = cpu as unknown as CpuInternals;
  const base = internals.segBase?.[1] ?? cs << 4;
  const linear = (base + eip) >>> 0;
  const cr0 = internals.cr0 ?? 0;
  const cr3 = internals.cr?.[3];
  let physical: number | null = linear;
  if (cr0 & 0x80000000) physical = cr3 === undefined ? null : translateLinear(bus, cr3 >>> 0, linear);
  return { cs, eip, linear, physical };
}

/** Walk the 386 two-level page tables in RAM; null when a level is not present or lies outside RAM. */
function translateLinear(bus: Test386Bus, cr3: number, linear: number): number | null {
  const dword = (a: number): number | null =>
    a + 4 <= bus.ram.length ? (bus.ram[a] | (bus.ram[a + 1] << 8) | (bus.ram[a + 2] << 16) | (bus.ram[a + 3] << 24)) >>> 0 : null;
  const pde = dword((cr3 & ~0xfff) + ((linear >>> 22) << 2));
  if (pde === null || (pde & 1) === 0) return null;
  const pte = dword((pde & ~0xfff) + (((linear >>> 12) & 0x3ff) << 2));
  if (pte === null || (pte & 1) === 0) return null;
  return ((pte & ~0xfff) | (linear & 0xfff)) >>> 0;
}

/** One line of test386.lst: its line number in the file and its text. */
export interface ListingLine {
  line: number;
  text: string;
}

/**
 * test386.lst, indexed by ROM offset. NASM lists each section's offsets from its own start: the 128 KiB
 * ROM's first section (.system_bios_extensions_area, ROM offset 0, physical E0000h) and the 64 KiB after
 * `section .system_bios_area start=0x10000 vstart=0` (ROM offset 10000h, physical F0000h). A 64 KiB ROM
 * (ROM128 0) has one section, at F0000h.
 */
export class Listing {
  private readonly lines: string[];
  /** 128 KiB when the listing has the second section, else 64 KiB. */
  private romSize = 0x10000;
  /** ROM offset -> index into `lines` of the first line listing code or data at that offset. */
  private readonly byOffset = new Map<number, number>();

  constructor(text: string) {
    this.lines = text.split(/\r?\n/);
    let sectionBase = 0;
    for (let i = 0; i < this.lines.length; i++) {
      const l = this.lines[i];
      const m = /^\s*\d+ ([0-9A-F]{8}) /.exec(l);
      if (m === null) {
        if (/\bsection\s+\.system_bios_area\b/.test(l)) {
          sectionBase = 0x10000;
          this.romSize = 0x20000;
        }
        else if (/\bsection\s+\.system_bios_extensions_area\b/.test(l)) sectionBase = 0;
        continue;
      }
      const off = sectionBase + parseInt(m[1], 16);
      if (!this.byOffset.has(off)) this.byOffset.set(off, i);
    }
  }

  static read(path: string): Listing {
    return new Listing(readFileSync(path, 'latin1'));
  }

  /** The ROM offset of a physical address (either copy), or null outside the ROM. */
  romOffset(physical: number | null): number | null {
    if (physical === null) return null;
    const low = romLow(this.romSize);
    if (physical >= low && physical < 0x100000) return physical - low;
    if (physical >= romHigh(this.romSize)) return physical - romHigh(this.romSize);
    return null;
  }

  /** The line listing the instruction at this physical address. */
  at(physical: number | null): ListingLine | null {
    const off = this.romOffset(physical);
    if (off === null) return null;
    const i = this.byOffset.get(off);
    return i === undefined ? null : { line: i + 1, text: this.lines[i] };
  }

  /**
   * What the instruction at this address belongs to: the nearest global label before it, then for each
   * macro or include level above its own the line that opened it (a macro call such as `testLoadPtr fs`,
   * or an `%include`), outermost first.
   */
  context(physical: number | null): ListingLine[] {
    const at = this.at(physical);
    if (at === null) return [];
    // NASM's columns: line number (0-5), offset (7-14), bytes (16-35), macro/include level `<n>` (36-38), source (40-).
    const level = (s: string): number => (s[36] === '<' ? Number(s.slice(37, s.indexOf('>', 37))) : 0);
    const source = (s: string): string => s.slice(40).trim();
    const out: ListingLine[] = [];
    let want = level(at.text) - 1;
    let label: ListingLine | null = null;
    for (let i = at.line - 2; i >= 0 && (want >= 0 || label === null); i--) {
      const s = this.lines[i];
      const src = source(s);
      if (label === null && /^[A-Za-z_][\w$#@~?]*:/.test(src)) label = { line: i + 1, text: s };
      if (want < 0) continue;
      // Expansion lines follow their invocation directly, so the first shallower line back is the
      // invocation: the macro call or the %include.
      const lv = level(s);
      if (lv <= want) {
        out.unshift({ line: i + 1, text: s });
        want = lv - 1;
      }
    }
    if (label !== null && !out.some((l) => l.line === label.line)) out.unshift(label);
    return out;
  }
}

export const STOP_NAMES: Record<number, string> = {
  [StopReason.Budget]: 'instruction budget spent',
  [StopReason.Halt]: 'HLT',
  [StopReason.IntHook]: 'hooked interrupt',
  [StopReason.Requested]: 'stop requested',
  [StopReason.Shutdown]: 'shutdown',
};

export interface Test386Options {
  /** Stop after this many instructions (default 2e9). */
  budget?: number;
  /** Run hot code through the block translator (default true). */
  translate?: boolean;
  /** Also record the last `trace` instructions before the stop (by running again to just before them). */
  trace?: number;
}

export interface Test386Result {
  /** Every POST code written, in order. */
  posts: number[];
  lastPost: number | null;
  /** The ASCII port's text. */
  output: string;
  instructions: number;
  stop: StopReason;
  /** `STOP_NAMES[stop]`, or 'spinning' when the CPU was found in a jump to itself (test386's ring-3 error loop). */
  stopName: string;
  /** Where it stopped (after a HLT: EIP points past it). */
  at: Location;
  /** The instruction the stop is about: the HLT itself for a halt, else the next instruction. */
  instructionAt: Location;
  droppedWrites: number;
  unmappedReads: number;
  /**
   * Where the instructions that led to the stop end: `instructions`, or for a spin the first execution of
   * the jump to itself (the instructions before it are the interesting ones).
   */
  traceEnd: number;
  /** The last instructions up to `traceEnd`, oldest first, when asked for. */
  trace: TraceEntry[];
}

const CHUNK = 1_000_000;

/** Run the ROM from the 386's reset state until HLT, a shutdown, a jump to itself or the budget. */
export function runTest386(rom: Uint8Array, options: Test386Options = {}): Test386Result {
  const budget = options.budget ?? 2_000_000_000;
  const translate = options.translate ?? true;
  const bus = new Test386Bus(rom);
  const cpu = createCpu(bus, CpuModel.i80386, { translate });
  let stop: StopReason = StopReason.Budget;
  let spinning = false;
  while (cpu.instructions < budget) {
    stop = cpu.run(Math.min(CHUNK, budget - cpu.instructions));
    if (stop !== StopReason.Budget) break;
    if (isSelfJump(bus, locate(cpu, bus).physical)) {
      spinning = true;
      break;
    }
  }
  const at = locate(cpu, bus);
  const instructionAt = stop === StopReason.Halt ? locate(cpu, bus, (at.eip - 1) >>> 0) : at;
  let traceEnd = cpu.instructions;
  if (spinning) traceEnd = arrivalAt(rom, Math.max(0, cpu.instructions - CHUNK), cpu.instructions, at.physical, translate) + 1;
  const result: Test386Result = {
    posts: bus.posts,
    lastPost: bus.posts.length > 0 ? bus.posts[bus.posts.length - 1] : null,
    output: bus.output,
    instructions: cpu.instructions,
    stop,
    stopName: spinning ? `spinning in a jump to itself since instruction ${traceEnd - 1}` : (STOP_NAMES[stop] ?? `stop ${stop}`),
    at,
    instructionAt,
    droppedWrites: bus.droppedWrites,
    unmappedReads: bus.unmappedReads,
    traceEnd,
    trace: [],
  };
  const n = options.trace ?? 0;
  if (n > 0) result.trace = traceBefore(rom, traceEnd, n, translate);
  return result;
}

/** `jmp $` (EB FE) or a Jcc to itself (7x FE), as test386's error routine spins in ring 3. */
function isSelfJump(bus: Test386Bus, physical: number | null): boolean {
  if (physical === null || physical + 1 >= bus.ram.length) return false;
  const op = bus.ram[physical];
  return bus.ram[physical + 1] === 0xfe && (op === 0xeb || (op >= 0x70 && op <= 0x7f));
}

/** A fresh board and CPU run to exactly `count` instructions (the run is deterministic, so this replays it). */
function replay(rom: Uint8Array, count: number, translate: boolean): { cpu: Ist; bus: Test386Bus } {
  const bus = new Test386Bus(rom);
  const cpu = createCpu(bus, CpuModel.i80386, { translate });
  while (cpu.instructions < count) {
    if (cpu.run(Math.min(CHUNK, count - cpu.instructions)) !== StopReason.Budget) break;
  }
  return { cpu, bus };
}

/** The instruction count at which the run first reaches `physical` between `from` and `to` (else `to`). */
function arrivalAt(rom: Uint8Array, from: number, to: number, physical: number | null, translate: boolean): number {
  const { cpu, bus } = replay(rom, from, translate);
  while (cpu.instructions < to && locate(cpu, bus).physical !== physical) {
    if (cpu.run(1) !== StopReason.Budget) break;
  }
  return cpu.instructions;
}

/** A traced instruction; `nops` > 1 stands for that many NOPs in a row from there (the ROM's padding). */
export interface TraceEntry extends Location {
  nops?: number;
}

/** A NOP slide can be 64 KiB long: test386's `jmp error` from its E0000h code lands in padding and slides. */
const NOP_SLIDE = 0x10000;

/**
 * The last `n` instructions retired before `end`, by replaying the run, with each run of NOPs counted as
 * one entry (so a slide through padding does not hide the jump into it).
 */
export function traceBefore(rom: Uint8Array, end: number, n: number, translate = true): TraceEntry[] {
  const { cpu, bus } = replay(rom, Math.max(0, end - n - NOP_SLIDE), translate);
  const out: TraceEntry[] = [];
  while (cpu.instructions < end) {
    const l: TraceEntry = locate(cpu, bus);
    const nop = l.physical !== null && l.physical < bus.ram.length && bus.ram[l.physical] === 0x90;
    const last = out[out.length - 1];
    if (nop && last?.nops !== undefined) last.nops++;
    else {
      if (nop) l.nops = 1;
      out.push(l);
      if (out.length > n) out.shift();
    }
    if (cpu.run(1) !== StopReason.Budget) break;
  }
  return out;
}

/** Line-by-line comparison of our output with the reference: how many lines differ, and the first few. */
export interface LineDiff {
  count: number;
  actualLines: number;
  expectedLines: number;
  first: { line: number; actual: string | undefined; expected: string | undefined }[];
}

export function diffLines(actual: string, expected: string, max = 20): LineDiff {
  const split = (s: string): string[] => {
    const lines = s.split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines;
  };
  const a = split(actual);
  const e = split(expected);
  const diff: LineDiff = { count: 0, actualLines: a.length, expectedLines: e.length, first: [] };
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] === e[i]) continue;
    diff.count++;
    if (diff.first.length < max) diff.first.push({ line: i + 1, actual: a[i], expected: e[i] });
  }
  return diff;
}

export const hex = (v: number, digits: number): string => v.toString(16).toUpperCase().padStart(digits, '0');

export function formatLocation(l: Location): string {
  const phys = l.physical === null ? 'not mapped' : hex(l.physical, 5);
  return `${hex(l.cs, 4)}:${hex(l.eip, l.eip > 0xffff ? 8 : 4)} (linear ${hex(l.linear, 8)}, physical ${phys})`;
}

/** A location with its listing line, then (indented) the POST and macro invocations it belongs to. */
export function describeLocation(l: Location, listing: Listing | null, withContext = true): string[] {
  const out = [formatLocation(l)];
  if (listing === null) return out;
  const at = listing.at(l.physical);
  out[0] += at === null ? '  (no listing line)' : `  test386.lst:${at.line}: ${at.text.trim()}`;
  if (withContext) for (const c of listing.context(l.physical)) out.push(`    in test386.lst:${c.line}: ${c.text.trim()}`);
  return out;
}

/** Where and why a run stopped, on a few lines, for reports and assertion messages; then `r.trace`. */
export function describeStop(r: Test386Result, listing: Listing | null): string {
  const lines = [`last POST ${r.lastPost === null ? '(none)' : hex(r.lastPost, 2)}; ${r.stopName} after ${r.instructions} instructions`];
  const halted = r.instructionAt !== r.at;
  lines.push(`CS:EIP ${describeLocation(r.at, listing, !halted).join('\n  ')}`);
  if (halted) lines.push(`the HLT ${describeLocation(r.instructionAt, listing).join('\n  ')}`);
  if (r.trace.length > 0) {
    lines.push(`last ${r.trace.length} instructions (a run of NOPs counts as one):`);
    for (const l of r.trace) {
      const nops = l.nops !== undefined && l.nops > 1 ? `  (and ${l.nops - 1} more NOPs)` : '';
      lines.push(`  ${describeLocation(l, listing, false)[0]}${nops}`);
    }
  }
  return lines.join('\n');
}
