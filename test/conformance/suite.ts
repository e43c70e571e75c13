/**
 * Runner for the SingleStepTests 8086 and 80286 vectors (see ../shared/conformance/README.md).
 * Each vector sets every register and listed RAM byte, executes one instruction (on the 286, up to and
 * including the HLT that follows it, or the handler's HLT after an exception), and compares registers,
 * RAM bytes and flags under the metadata's mask. Writes to bytes the vector does not list are failures too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cpu } from '../../main/ist/cpu.js';
import { CpuModel, PageKind, StopReason, type CpuBus } from '../../main/ist/ist.js';

export type SuiteCpu = '8086' | '80286';

interface Regs {
  ax: number; bx: number; cx: number; dx: number; cs: number; ss: number; ds: number; es: number;
  sp: number; bp: number; si: number; di: number; ip: number; flags: number;
}
interface Vector {
  name: string;
  bytes: number[];
  initial: { regs: Regs; ram: [number, number][] };
  final: { regs: Partial<Regs>; ram: [number, number][] };
  exception?: { number: number; flag_address: number };
}
interface OpcodeMeta {
  status?: string;
  'flags-mask'?: number;
  reg?: Record<string, { status: string; 'flags-mask'?: number }>;
}

/** Statuses whose tests must all pass (the bar); others are reported but not counted. */
const REQUIRED: Record<SuiteCpu, (status: string) => boolean> = {
  '8086': (s) => s === 'normal' || s === 'alias' || s === 'undocumented',
  '80286': () => true,
};

/**
 * Hardware behaviour deliberately not modelled. A vector whose only difference falls under one of these
 * is counted apart (as `quirk`), never as passed; every other difference is a failure.
 */
export const KNOWN_QUIRKS = {
  divideErrorFlags286:
    'the FLAGS image an 80286 pushes when DIV/IDIV raises #DE: the 286 microcode leaves the flags of its ' +
    'internal division steps, which are not documented and not modelled (the 8086 ones are); only the ' +
    'two pushed FLAGS bytes differ, quotient, registers and the rest of the frame match',
} as const;

export interface FileResult {
  file: string;
  status: string;
  passed: number;
  failed: number;
  /** Tests whose status is not required (undefined forms, prefixes, FPU on the 8086). */
  optional: number;
  optionalFailed: number;
  /** Vectors whose only difference is a documented quirk (KNOWN_QUIRKS). */
  quirks: number;
  firstFailure?: string;
}

export interface SuiteResult {
  cpu: SuiteCpu;
  files: FileResult[];
  passed: number;
  failed: number;
  quirks: number;
}

/** Where the vectors are: $MVM_CONFORMANCE, else ../shared/conformance beside the checkout. */
export function conformanceRoot(): string | undefined {
  const env = process.env.MVM_CONFORMANCE;
  if (env) return existsSync(env) ? resolve(env) : undefined;
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'conformance');
    if (existsSync(join(candidate, '8086'))) return resolve(candidate);
  }
  return undefined;
}

const RAM_SIZE = 1 << 24;

/** runVector's answer for a vector whose only difference is a documented quirk. */
export const QUIRK = 'quirk';

/** A flat 16 MiB bus that logs every write, so stray writes are caught and cleaned between vectors. */
class VectorBus implements CpuBus {
  readonly ram = new Uint8Array(RAM_SIZE);
  // Every page takes the slow write path (Code) so writes are logged; reads stay direct.
  readonly pageKind = new Uint8Array(RAM_SIZE >>> 12).fill(PageKind.Code);
  readonly written: number[] = [];
  readSlow(addr: number): number {
    return this.ram[addr] ?? 0xff;
  }
  writeSlow(addr: number, value: number): void {
    if (addr < RAM_SIZE) {
      this.ram[addr] = value;
      this.written.push(addr);
    }
  }
  in8(): number { return 0xff; }
  in16(): number { return 0xffff; }
  in32(): number { return -1; }
  out8(): void {}
  out16(): void {}
  out32(): void {}
  acknowledgeInterrupt(): number { return -1; }
}

const REG_NAMES = ['ax', 'bx', 'cx', 'dx', 'cs', 'ss', 'ds', 'es', 'sp', 'bp', 'si', 'di', 'ip', 'flags'] as const;

function readRegs(cpu: Cpu): Regs {
  const r = cpu.getRegisters();
  return {
    ax: r.eax & 0xffff, bx: r.ebx & 0xffff, cx: r.ecx & 0xffff, dx: r.edx & 0xffff,
    cs: r.cs, ss: r.ss, ds: r.ds, es: r.es,
    sp: r.esp & 0xffff, bp: r.ebp & 0xffff, si: r.esi & 0xffff, di: r.edi & 0xffff,
    ip: r.eip & 0xffff, flags: r.eflags & 0xffff,
  };
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0xf0, 0xf1, 0xf2, 0xf3]);

/** The ModR/M reg field of a group opcode's vector, skipping prefixes. */
function groupReg(v: Vector): number {
  let i = 0;
  while (PREFIXES.has(v.bytes[i])) i++;
  return (v.bytes[i + 1] >> 3) & 7;
}

const STRING_OPS = new Set([0x6c, 0x6d, 0x6e, 0x6f, 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf]);

function isRepeatedString(v: Vector): boolean {
  let i = 0;
  let rep = false;
  while (PREFIXES.has(v.bytes[i])) rep ||= v.bytes[i++] >= 0xf2;
  return rep && STRING_OPS.has(v.bytes[i]);
}

export class ConformanceRunner {
  readonly bus = new VectorBus();
  readonly cpu: Cpu;
  readonly model: CpuModel;

  /**
   * `translate`: run each vector through the block translator instead of the interpreter, one instruction
   * per basic block, so every opcode's generated code is checked against the same vectors.
   */
  constructor(readonly suite: SuiteCpu, readonly translate = false) {
    this.model = suite === '8086' ? CpuModel.i8086 : CpuModel.i80286;
    this.cpu = new Cpu(this.bus, this.model);
    if (translate) {
      this.cpu.useTranslator(true);
      this.cpu.translator!.maxBasicBlock = 1;
      this.cpu.translator!.maxRegion = 4;
      this.cpu.translator!.hotThreshold = 0;
    }
  }

  /** Run one vector; returns undefined on success or a description of the first difference. */
  runVector(v: Vector, flagsMask: number): string | undefined {
    const { cpu, bus } = this;
    const ram = bus.ram;
    bus.written.length = 0;
    cpu.translator?.flush(); // the bytes below are new code: forget blocks translated from the last vector
    for (const [a, b] of v.initial.ram) ram[a] = b;
    cpu.reset();
    const i = v.initial.regs;
    cpu.setRegisters({
      eax: i.ax, ebx: i.bx, ecx: i.cx, edx: i.dx, esp: i.sp, ebp: i.bp, esi: i.si, edi: i.di,
      cs: i.cs, ss: i.ss, ds: i.ds, es: i.es, eip: i.ip, eflags: i.flags,
    });
    let error: string | undefined;
    try {
      if (this.suite === '8086') {
        // One instruction; a repeated string instruction restarts itself in chunks, so step it to the end.
        const repeated = isRepeatedString(v);
        for (let n = 0; n < 64; n++) {
          cpu.run(1);
          if (!repeated || cpu.ip !== i.ip || cpu.sreg[1] !== i.cs) break;
        }
      } else {
        let halted = false;
        for (let n = 0; n < 512 && !halted; n++) halted = cpu.run(1) === StopReason.Halt;
        if (!halted) error = 'did not reach HLT';
      }
    } catch (e) {
      error = `threw ${(e as Error).message}`;
    }
    if (!error) error = this.compare(v, flagsMask);
    if (error && this.suite === '80286' && v.exception?.number === 0 && this.onlyPushedFlagsDiffer(v, flagsMask)) {
      error = QUIRK;
    }
    // Clean up for the next vector.
    for (const [a] of v.initial.ram) ram[a] = 0;
    for (const [a] of v.final.ram) ram[a] = 0;
    for (const a of bus.written) ram[a] = 0;
    return error;
  }

  /** True when the vector would match if the two pushed FLAGS bytes of its exception frame were ignored. */
  private onlyPushedFlagsDiffer(v: Vector, flagsMask: number): boolean {
    // The frame is IP, CS, FLAGS from the final SP up (the vectors' flag_address is off by one at odd SP).
    const ss = v.final.regs.ss ?? v.initial.regs.ss;
    const fa = ss * 16 + (((v.final.regs.sp ?? v.initial.regs.sp) + 4) & 0xffff);
    const saved = [this.bus.ram[fa], this.bus.ram[fa + 1]];
    const want = new Map(v.final.ram);
    this.bus.ram[fa] = want.get(fa) ?? saved[0];
    this.bus.ram[fa + 1] = want.get(fa + 1) ?? saved[1];
    const rest = this.compare(v, flagsMask);
    this.bus.ram[fa] = saved[0];
    this.bus.ram[fa + 1] = saved[1];
    return rest === undefined;
  }

  private compare(v: Vector, flagsMask: number): string | undefined {
    const got = readRegs(this.cpu);
    const mask = this.suite === '80286' ? flagsMask & 0x0fff : flagsMask;
    for (const name of REG_NAMES) {
      const want = v.final.regs[name] ?? v.initial.regs[name];
      let a = got[name];
      let b = want;
      if (name === 'flags') {
        a &= mask;
        b &= mask;
      }
      if (a !== b) return `${name}: got ${hex(a)} want ${hex(b)}`;
    }
    const expected = new Map<number, number>();
    for (const [a, b] of v.initial.ram) expected.set(a, b);
    for (const [a, b] of v.final.ram) expected.set(a, b);
    for (const [a, b] of v.final.ram) {
      if (this.bus.ram[a] !== b) return `ram[${hex(a)}]: got ${hex(this.bus.ram[a])} want ${hex(b)}`;
    }
    for (const a of this.bus.written) {
      const want = expected.get(a) ?? 0;
      if (this.bus.ram[a] !== want) return `stray write ram[${hex(a)}] = ${hex(this.bus.ram[a])}`;
    }
    return undefined;
  }
}

function hex(n: number): string {
  return n.toString(16).toUpperCase();
}

/** Run one vector file. */
export function runFile(runner: ConformanceRunner, path: string, meta: Record<string, OpcodeMeta>): FileResult {
  const file = path.split('/').pop()!.replace('.json.gz', '');
  const [opcode, regPart] = file.split('.');
  const opMeta = meta[opcode] ?? {};
  const vectors = JSON.parse(gunzipSync(readFileSync(path)).toString()) as Vector[];
  const required = REQUIRED[runner.suite];
  const result: FileResult = { file, status: '', passed: 0, failed: 0, optional: 0, optionalFailed: 0, quirks: 0 };
  const statuses = new Set<string>();
  for (const v of vectors) {
    let info: { status?: string; 'flags-mask'?: number } = opMeta;
    if (opMeta.reg) info = opMeta.reg[regPart ?? String(groupReg(v))] ?? {};
    const status = info.status ?? 'normal';
    statuses.add(status);
    const counted = required(status);
    const err = runner.runVector(v, info['flags-mask'] ?? 0xffff);
    if (counted) {
      if (err === QUIRK) result.quirks++;
      else if (err) {
        result.failed++;
        result.firstFailure ??= `${v.name} [${v.bytes.map((b) => hex(b)).join(' ')}]: ${err}`;
      } else result.passed++;
    } else {
      result.optional++;
      if (err) result.optionalFailed++;
    }
  }
  result.status = [...statuses].join('+');
  return result;
}

/** List the vector files of a suite, optionally filtered by a prefix of the file name. */
export function listFiles(root: string, suite: SuiteCpu, filter?: string): string[] {
  const dir = join(root, suite, 'dev');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json.gz') && (!filter || f.startsWith(filter)))
    .sort()
    .map((f) => join(dir, f));
}

export function loadMetadata(root: string, suite: SuiteCpu): Record<string, OpcodeMeta> {
  return (JSON.parse(readFileSync(join(root, suite, 'metadata.json'), 'utf8')) as { opcodes: Record<string, OpcodeMeta> })
    .opcodes;
}

export function runSuite(
  root: string,
  suite: SuiteCpu,
  filter?: string,
  onFile?: (r: FileResult) => void,
  translate = false,
): SuiteResult {
  const runner = new ConformanceRunner(suite, translate);
  const meta = loadMetadata(root, suite);
  const files: FileResult[] = [];
  let passed = 0;
  let failed = 0;
  let quirks = 0;
  for (const path of listFiles(root, suite, filter)) {
    const r = runFile(runner, path, meta);
    files.push(r);
    passed += r.passed;
    failed += r.failed;
    quirks += r.quirks;
    onFile?.(r);
  }
  return { cpu: suite, files, passed, failed, quirks };
}
