/**
 * CPU benchmark: runs the guest test/guests/bench/cpubench.com on our IST (main/ist) with a minimal bus
 * and reports guest instructions, seconds and guest MIPS (median of --runs, default 5) per CPU model.
 * With --peers it also times the same workload under DOSBox 0.74 (normal and dynamic cores) and QEMU TCG
 * (bench/peers.mjs) and prints our speed as a ratio to each. docs/benchmarks.md has the details.
 *
 *   npm run bench:cpu [-- options]
 *     --peers              also measure the peer emulators and print ratios
 *     --json               print one JSON report on stdout (progress goes to stderr)
 *     --runs N             timed runs per model (default 5)
 *     --rounds N           guest rounds per timed run (default: calibrated to ~--target seconds)
 *     --target S           seconds one timed run should take when calibrating (default 2)
 *     --model LIST         8086,186,286,386 or all (default 8086,386)
 *     --chunk N            instruction budget per run() call (default 1000000)
 *     --peer-runs N        runs per peer (default: --runs)
 *     --engine E           translate (block translator), interpret, or both (default both)
 *     --guest G            real (default): cpubench.com, 16-bit real mode; pm: on the 80386 only,
 *                          cpubench.com and cpubench32.com in mode 0 (32-bit protected mode) and mode 1
 *                          (the same with paging), with each engine's and peer's PM/real MIPS ratios
 *
 * The guest runs as a DOS .COM at 1000:0100 behind a PSP stub (INT 20h at 1000:0000), SS:SP = 1000:FFFE,
 * with INT 21h hooked (cpu.intHooked) and served here: AH=09h (print to a buffer), AH=02h, AH=4Ch (exit).
 * Every interrupt vector points at a HLT stub, so an unexpected exception or interrupt stops the run
 * (StopReason.Halt) and is reported with its vector rather than running off into zeroed memory.
 * cpubench32 switches to protected mode itself (its IDT has limit 0, so a fault there is a shutdown);
 * while the IST cannot enter protected mode, setting CR0.PE stops it with StopReason.Shutdown and the
 * protected-mode rows say so ("not supported") instead of failing.
 *
 * Exit status: 0 when every run printed the reference checksum (or its workload is not supported by the
 * IST yet), 1 otherwise (2 for bad arguments).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// the IST's public face only (index.ts re-exports the contract in ist.ts)
import { CpuModel, StopReason, createCpu } from '../main/ist/index.js';
import type { Ist } from '../main/ist/index.js';
import { RamBus } from '../test/support/ram-bus.js';

// ---------------------------------------------------------------------------------------------- paths

/** The repository root: the nearest ancestor holding the guest (works from bench/ and from out/bench/). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'test', 'guests', 'bench', 'cpubench.com'))) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error('cannot find test/guests/bench/cpubench.com above ' + dirname(fileURLToPath(import.meta.url)));
}

const ROOT = findRoot();
const GUEST = join(ROOT, 'test', 'guests', 'bench', 'cpubench.com');
const PEERS = join(ROOT, 'bench', 'peers.mjs');

interface Reference {
  checksum: string;
  insnsPerRound: number;
  insnsFixed: number;
}
const REFERENCE = JSON.parse(readFileSync(join(ROOT, 'bench', 'cpubench-reference.json'), 'utf8')) as Reference;

/** A guest and how to drive it: the round count is the word after the signature, cpubench32's mode 4 bytes further. */
interface Workload {
  name: 'real' | 'pm' | 'pm-paging';
  /** The guest, relative to the repository root. */
  file: string;
  signature: string;
  /** cpubench32's mode word (0: protected mode, 1: with paging); null for cpubench. */
  mode: number | null;
  /** The line the guest prints: round count and checksum. */
  pattern: RegExp;
  reference: Reference;
}

const REAL: Workload = {
  name: 'real',
  file: 'test/guests/bench/cpubench.com',
  signature: 'CPUBENCH',
  mode: null,
  pattern: /cpubench n=([0-9A-F]{4}) sum=([0-9A-F]{4})/,
  reference: REFERENCE,
};

/** cpubench32.com in mode 0 and 1 (its reference file gives the fixed instructions per mode). */
function pmWorkloads(): Workload[] {
  const ref = JSON.parse(readFileSync(join(ROOT, 'bench', 'cpubench32-reference.json'), 'utf8')) as {
    checksum: string;
    insnsPerRound: number;
    insnsFixed: Record<string, number>;
  };
  return [0, 1].map((mode) => ({
    name: mode ? 'pm-paging' : 'pm',
    file: 'test/guests/bench/cpubench32.com',
    signature: 'CPUBEN32',
    mode,
    pattern: new RegExp(`cpubench32 n=([0-9A-F]{4}) sum=([0-9A-F]{8}) mode=${mode}`),
    reference: { checksum: ref.checksum, insnsPerRound: ref.insnsPerRound, insnsFixed: ref.insnsFixed[mode] },
  }));
}

// ---------------------------------------------------------------------------------------------- guest

const LOAD_SEG = 0x1000;
const STUB_SEG = 0x0050; // HLT stub for every vector: 0050:v
const RAM_SIZE = 0x100000 + 0x10000; // 1 MiB + the HMA

/** A copy of the .COM image with the round count (and cpubench32's mode) patched in after the signature. */
export function patchGuest(com: Uint8Array, w: Workload, rounds: number): Uint8Array {
  const at = Buffer.from(com).indexOf(w.signature, 0, 'latin1');
  if (at < 0) throw new Error(`${w.file}: signature ${w.signature} not found`);
  if (!Number.isInteger(rounds) || rounds < 0 || rounds > 0xffff) throw new Error(`round count ${rounds} out of 0..65535`);
  const copy = Uint8Array.from(com);
  copy[at + 8] = rounds & 0xff;
  copy[at + 9] = rounds >> 8;
  if (w.mode !== null) {
    copy[at + 12] = w.mode & 0xff;
    copy[at + 13] = w.mode >> 8;
  }
  return copy;
}

/** The guest needs something the IST does not do yet (protected mode): reported, not failed. */
export class Unsupported extends Error {}

/**
 * The shutdown that setting CR0.PE causes while the IST has no protected mode stops at the guest's first
 * MOV CR0, EAX (0F 22 C0, cpubench32's switch): its offset in the segment if CS:EIP is there, else null
 * (any other shutdown is a triple fault).
 */
function protectedModeSwitchAt(image: Uint8Array, cs: number, eip: number): number | null {
  const at = Buffer.from(image).indexOf(Buffer.from([0x0f, 0x22, 0xc0]));
  return at >= 0 && cs === LOAD_SEG && eip >= 0x100 + at && eip <= 0x100 + at + 3 ? 0x100 + at : null;
}

export interface GuestRun {
  instructions: number;
  seconds: number;
  /** Instructions and seconds after the warm-up (the whole run when there is none). */
  steadyInstructions: number;
  steadySeconds: number;
  exitCode: number;
  output: string;
  rounds: number;
  checksum: string | null;
}

/** Set up a fresh machine with the guest loaded; returns the CPU ready to run. */
function prepare(model: CpuModel, image: Uint8Array, translate: boolean): { cpu: Ist; bus: RamBus } {
  const bus = new RamBus(RAM_SIZE);
  const ram = bus.ram;
  // IVT: every vector -> 0050:v, a HLT (so stray exceptions/interrupts stop the run, identifiable by IP)
  for (let v = 0; v < 256; v++) {
    ram[v * 4] = v;
    ram[v * 4 + 1] = 0;
    ram[v * 4 + 2] = STUB_SEG & 0xff;
    ram[v * 4 + 3] = STUB_SEG >> 8;
    ram[STUB_SEG * 16 + v] = 0xf4;
  }
  const base = LOAD_SEG * 16;
  ram[base] = 0xcd; // PSP:0000 INT 20h
  ram[base + 1] = 0x20;
  ram[base + 2] = 0x00; // PSP:0002 first segment past the program's memory (A000h)
  ram[base + 3] = 0xa0;
  if (image.length > 0xff00) throw new Error('guest too large for a .COM');
  ram.set(image, base + 0x100);
  const cpu = createCpu(bus, model, { translate });
  cpu.setRegisters({
    eax: 0,
    ebx: 0,
    ecx: 0x00ff,
    edx: LOAD_SEG,
    esi: 0x100,
    edi: 0xfffe,
    ebp: 0x091c,
    esp: 0xfffe, // a zero word at SS:FFFE, so a near RET reaches INT 20h
    eip: 0x100,
    eflags: 0x0202,
    cs: LOAD_SEG,
    ds: LOAD_SEG,
    es: LOAD_SEG,
    ss: LOAD_SEG,
    fs: 0,
    gs: 0,
  });
  cpu.intHooked[0x21] = 1;
  cpu.intHooked[0x20] = 1;
  return { cpu, bus };
}

/** Run the guest to its exit. Only the run loop is timed. */
export function runGuest(
  model: CpuModel,
  w: Workload,
  image: Uint8Array,
  chunk: number,
  limit: number,
  translate = true,
  warmup = 0,
): GuestRun {
  const { cpu, bus } = prepare(model, image, translate);
  const ram = bus.ram;
  let output = '';
  let exitCode = -1;
  let fault: string | null = null;
  const t0 = process.hrtime.bigint();
  // Steady state: the clock restarts once `warmup` instructions have run (translation and JIT warm-up done).
  let steadyFrom = warmup > 0 ? -1 : 0;
  let tSteady = t0;
  for (;;) {
    if (steadyFrom < 0 && cpu.instructions >= warmup) {
      steadyFrom = cpu.instructions;
      tSteady = process.hrtime.bigint();
    }
    const why = cpu.run(chunk);
    if (why === StopReason.Budget || why === StopReason.Requested) {
      if (cpu.instructions > limit) {
        fault = `no exit after ${cpu.instructions} instructions`;
        break;
      }
      continue;
    }
    if (why === StopReason.IntHook) {
      const r = cpu.getRegisters();
      if (cpu.stopVector === 0x20) {
        exitCode = 0;
        break;
      }
      const ah = (r.eax >> 8) & 0xff;
      if (ah === 0x4c) {
        exitCode = r.eax & 0xff;
        break;
      } else if (ah === 0x09) {
        let p = r.ds * 16 + (r.edx & 0xffff);
        for (let n = 0; n < 4096 && ram[p] !== 0x24; n++, p++) output += String.fromCharCode(ram[p]);
        cpu.setRegisters({ eax: (r.eax & ~0xff) | 0x24 });
      } else if (ah === 0x02) {
        output += String.fromCharCode(r.edx & 0xff);
      } else {
        fault = `unsupported INT 21h AH=${ah.toString(16)}h at ${hex4(r.cs)}:${hex4(r.eip - 2)}`;
        break;
      }
      continue;
    }
    const r = cpu.getRegisters();
    if (why === StopReason.Halt && r.cs === STUB_SEG) {
      fault = `unexpected interrupt or exception, vector ${(r.eip - 1) & 0xff}`;
    } else if (why === StopReason.Shutdown && protectedModeSwitchAt(image, r.cs, r.eip) !== null) {
      throw new Unsupported(
        `protected mode is not implemented in the IST yet: setting CR0.PE at ` +
          `${hex4(r.cs)}:${hex4(protectedModeSwitchAt(image, r.cs, r.eip)!)} stopped the CPU (StopReason.Shutdown)`,
      );
    } else if (why === StopReason.Shutdown) {
      fault = `shutdown (a triple fault) at ${hex4(r.cs)}:${r.eip.toString(16).toUpperCase()}`;
    } else {
      fault = `stopped (reason ${why}) at ${hex4(r.cs)}:${hex4(r.eip)}`;
    }
    break;
  }
  const t1 = process.hrtime.bigint();
  const seconds = Number(t1 - t0) / 1e9;
  if (fault) throw new Error(`${modelName(model)}: ${fault} after ${cpu.instructions} instructions; output so far: ${JSON.stringify(output)}`);
  const m = w.pattern.exec(output);
  return {
    instructions: cpu.instructions,
    seconds,
    steadyInstructions: cpu.instructions - Math.max(steadyFrom, 0),
    steadySeconds: Number(t1 - tSteady) / 1e9,
    exitCode,
    output,
    rounds: m ? parseInt(m[1], 16) : -1,
    checksum: m ? m[2] : null,
  };
}

// ---------------------------------------------------------------------------------------------- helpers

function hex4(n: number): string {
  return (n & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function modelName(m: CpuModel): string {
  return ['8086', '80186', '80286', '80386'][m] ?? String(m);
}

function parseModel(s: string): CpuModel {
  switch (s.replace(/^i?80?/, '')) {
    case '86':
    case '8086':
      return CpuModel.i8086;
    case '186':
      return CpuModel.i80186;
    case '286':
      return CpuModel.i80286;
    case '386':
      return CpuModel.i80386;
  }
  throw new Error(`unknown model ${s} (8086, 186, 286, 386)`);
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------- options

interface Options {
  peers: boolean;
  json: boolean;
  runs: number;
  rounds: number; // 0: calibrate
  target: number;
  models: CpuModel[];
  chunk: number;
  peerRuns: number;
  /** Engines to measure: true = block translator, false = interpreter. */
  engines: boolean[];
  /** real: cpubench alone; pm: cpubench and cpubench32 in both modes, 80386 only. */
  guest: 'real' | 'pm';
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    peers: false,
    json: false,
    runs: 5,
    rounds: 0,
    target: 2,
    models: [CpuModel.i8086, CpuModel.i80386],
    chunk: 1_000_000,
    peerRuns: 0,
    engines: [true, false],
    guest: 'real',
  };
  let modelsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const int = (min: number, max: number): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${a}: expected an integer in ${min}..${max}`);
      return n;
    };
    if (a === '--peers') o.peers = true;
    else if (a === '--json') o.json = true;
    else if (a === '--runs') o.runs = int(1, 1000);
    else if (a === '--rounds') o.rounds = int(1, 0xffff);
    else if (a === '--target') {
      o.target = Number(value());
      if (!(o.target > 0)) throw new Error('--target: expected seconds > 0');
    } else if (a === '--model' || a === '--models') {
      const v = value();
      o.models = v === 'all' ? [CpuModel.i8086, CpuModel.i80186, CpuModel.i80286, CpuModel.i80386] : v.split(',').map(parseModel);
      modelsGiven = true;
    } else if (a === '--chunk') o.chunk = int(1, 1e9);
    else if (a === '--peer-runs') o.peerRuns = int(1, 1000);
    else if (a === '--engine') {
      const v = value();
      if (v !== 'translate' && v !== 'interpret' && v !== 'both') throw new Error('--engine: translate, interpret or both');
      o.engines = v === 'both' ? [true, false] : [v === 'translate'];
    } else if (a === '--guest') {
      const v = value();
      if (v !== 'real' && v !== 'pm') throw new Error('--guest: real or pm');
      o.guest = v;
    }
    else if (a === '--help' || a === '-h') {
      const src = readFileSync(fileURLToPath(import.meta.url), 'utf8');
      console.log(src.slice(0, src.indexOf('*/') + 2));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!o.peerRuns) o.peerRuns = o.runs;
  if (o.guest === 'pm') {
    // cpubench32 needs a 386; its real-mode baseline runs on the same model
    if (modelsGiven && o.models.some((m) => m !== CpuModel.i80386)) throw new Error('--guest pm runs on the 80386 only (--model 386)');
    o.models = [CpuModel.i80386];
  }
  return o;
}

// ---------------------------------------------------------------------------------------------- main

interface ModelResult {
  /** The row's label: the engine, and the workload with --guest pm. */
  model: string;
  /** The model and engine alone, e.g. "80386 translated". */
  engine: string;
  workload: Workload['name'];
  insnsPerRound: number;
  insnsFixed: number;
  matchesReference: boolean;
  rounds: number;
  instructions: number;
  seconds: number[];
  medianSeconds: number;
  secondsPerRound: number;
  mips: number;
  checksum: string | null;
  exitCode: number;
  ok: boolean;
  error?: string;
  /** The IST cannot run this workload yet (protected mode); not counted as a failure. */
  unsupported?: string;
}

interface PeerResult {
  name: string;
  label: string;
  workload: Workload['name'];
  version?: string;
  secondsPerRound?: number;
  mips?: number;
  skipped?: string;
  error?: string;
}

/** The label of one engine on one model, e.g. "80386 translated". */
function engineName(model: CpuModel, translate: boolean): string {
  return `${modelName(model)} ${translate ? 'translated' : 'interpreted'}`;
}

function benchModel(
  model: CpuModel,
  w: Workload,
  com: Uint8Array,
  o: Options,
  progress: (s: string) => void,
  translate: boolean,
): ModelResult {
  const ref = w.reference;
  const name = engineName(model, translate) + (o.guest === 'pm' ? `, ${w.name}` : '');
  const limit = (ref.insnsFixed + ref.insnsPerRound * 0x10000) * 4;
  // exact instruction counts from two short runs (deterministic): I(n) = fixed + perRound * n
  const r1 = runGuest(model, w, patchGuest(com, w, 1), o.chunk, limit, translate);
  const r3 = runGuest(model, w, patchGuest(com, w, 3), o.chunk, limit, translate);
  const insnsPerRound = (r3.instructions - r1.instructions) / 2;
  const insnsFixed = r1.instructions - insnsPerRound;
  const matchesReference = insnsPerRound === ref.insnsPerRound && insnsFixed === ref.insnsFixed;

  // warm up the JIT, then calibrate the round count to about o.target seconds per run
  const warmRounds = 400;
  const warm = runGuest(model, w, patchGuest(com, w, warmRounds), o.chunk, limit, translate, (insnsFixed + insnsPerRound * warmRounds) / 2);
  let rounds = o.rounds;
  if (!rounds) {
    // Calibrate on the warmed-up half of the run, so a translated run is not sized by its compile time.
    const perRound = (warm.steadySeconds / warm.steadyInstructions) * insnsPerRound;
    rounds = Math.max(50, Math.min(0xffff, Math.round(o.target / Math.max(perRound, 1e-9))));
  }
  progress(`${name}: ${insnsPerRound} instructions/round; timing ${o.runs} x ${rounds} rounds`);
  const seconds: number[] = [];
  const secondsPerInsn: number[] = [];
  let last: GuestRun | null = null;
  const image = patchGuest(com, w, rounds);
  // The first fifth of each run warms up (translation, V8 tiering) and is not timed, as the peers' start-up
  // is removed by timing two round counts.
  const warmup = Math.round((insnsFixed + insnsPerRound * rounds) * 0.2);
  for (let i = 0; i < o.runs; i++) {
    last = runGuest(model, w, image, o.chunk, limit, translate, warmup);
    seconds.push(last.seconds);
    secondsPerInsn.push(last.steadySeconds / last.steadyInstructions);
    progress(
      `  ${name} run ${i + 1}/${o.runs}: ${last.seconds.toFixed(3)} s in all, ` +
        `${(last.steadyInstructions / last.steadySeconds / 1e6).toFixed(1)} MIPS after warm-up`,
    );
  }
  const run = last!;
  const med = median(seconds);
  const perInsn = median(secondsPerInsn);
  const checksumsOk = [r1, r3, warm, run].every((r) => r.checksum === ref.checksum);
  const exitOk = run.exitCode === parseInt(ref.checksum, 16) % 256;
  const ok = checksumsOk && exitOk && run.rounds === rounds;
  return {
    model: name,
    engine: engineName(model, translate),
    workload: w.name,
    insnsPerRound,
    insnsFixed,
    matchesReference,
    rounds,
    instructions: run.instructions,
    seconds,
    medianSeconds: med,
    secondsPerRound: perInsn * insnsPerRound,
    mips: 1 / perInsn / 1e6,
    checksum: run.checksum,
    exitCode: run.exitCode,
    ok,
    error: ok
      ? undefined
      : `checksum ${[r1, r3, warm, run].map((r) => r.checksum).join('/')} (expected ${ref.checksum}), exit ${run.exitCode}, output ${JSON.stringify(run.output)}`,
  };
}

function runPeers(o: Options, workloads: Workload[], insnsPerRound: Map<string, number>): PeerResult[] {
  const args = [
    PEERS,
    '--json',
    '--runs',
    String(o.peerRuns),
    '--workload',
    workloads.map((w) => w.name).join(','),
    '--insns-per-round',
    workloads.map((w) => `${w.name}=${insnsPerRound.get(w.name)}`).join(','),
  ];
  // peers.mjs enforces its own per-process timeouts; this is a last-resort bound on the whole thing
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 30 * 60 * 1000 * workloads.length,
    killSignal: 'SIGTERM',
  });
  if (r.error) throw new Error(`peers: ${r.error.message}`);
  let report: { peers: PeerResult[] };
  try {
    report = JSON.parse(r.stdout) as { peers: PeerResult[] };
  } catch {
    throw new Error(`peers: exit ${r.status}, no JSON report: ${r.stdout.slice(0, 400)}`);
  }
  return report.peers;
}

/**
 * One row per engine or peer: guest MIPS per workload, then each protected-mode workload's MIPS over
 * real mode's (below 1: protected mode costs that engine speed).
 */
function modeRatioRows(workloads: Workload[], entries: { label: string; workload: string; mips?: number }[]): string[][] {
  const others = workloads.filter((w) => w.name !== 'real');
  const rows = [['engine or peer', ...workloads.map((w) => `${w.name} MIPS`), ...others.map((w) => `${w.name}/real`)]];
  for (const label of [...new Set(entries.map((e) => e.label))]) {
    const mips = (name: string) => entries.find((e) => e.label === label && e.workload === name)?.mips;
    const real = mips('real');
    rows.push([
      label,
      ...workloads.map((w) => (mips(w.name) ? mips(w.name)!.toFixed(0) : '-')),
      ...others.map((w) => (mips(w.name) && real ? (mips(w.name)! / real).toFixed(2) : '-')),
    ]);
  }
  return rows;
}

function main(argv: string[]): number {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    console.error(`bench:cpu: ${(e as Error).message}`);
    return 2;
  }
  const progress = (s: string) => process.stderr.write(s + '\n');
  const workloads = o.guest === 'pm' ? [REAL, ...pmWorkloads()] : [REAL];
  const images = new Map(workloads.map((w) => [w.name, readFileSync(join(ROOT, w.file))]));
  const results: ModelResult[] = [];
  for (const m of o.models) for (const translate of o.engines) for (const w of workloads) {
    try {
      results.push(benchModel(m, w, images.get(w.name)!, o, progress, translate));
    } catch (e) {
      const err = (e as Error).message;
      progress(`bench:cpu: ${err}`);
      results.push({
        model: engineName(m, translate) + (o.guest === 'pm' ? `, ${w.name}` : ''),
        engine: engineName(m, translate),
        workload: w.name,
        insnsPerRound: 0,
        insnsFixed: 0,
        matchesReference: false,
        rounds: 0,
        instructions: 0,
        seconds: [],
        medianSeconds: NaN,
        secondsPerRound: NaN,
        mips: NaN,
        checksum: null,
        exitCode: -1,
        ok: false,
        ...(e instanceof Unsupported ? { unsupported: err } : { error: err }),
      });
    }
  }

  let peers: PeerResult[] | null = null;
  let peersError: string | undefined;
  if (o.peers) {
    // guest MIPS for the peers from our exact counts where a run succeeded, else from the reference
    const perRound = new Map(
      workloads.map((w) => [w.name, results.find((r) => r.ok && r.workload === w.name)?.insnsPerRound ?? w.reference.insnsPerRound]),
    );
    progress(`measuring peers (${o.peerRuns} runs each) ...`);
    try {
      peers = runPeers(o, workloads, perRound);
    } catch (e) {
      peersError = (e as Error).message;
      progress(`bench:cpu: ${peersError}`);
    }
  }

  // ratios: our speed / peer speed on the same workload = peer seconds per round / our seconds per round
  const ratios = results.map((r) => ({
    model: r.model,
    workload: r.workload,
    vs: (peers ?? [])
      .filter((p) => p.secondsPerRound && p.workload === r.workload)
      .map((p) => ({ peer: p.name, ratio: r.ok ? p.secondsPerRound! / r.secondsPerRound : NaN })),
  }));

  const report = {
    date: new Date().toISOString(),
    host: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    guests: workloads.map((w) => ({ workload: w.name, file: w.file, mode: w.mode, reference: w.reference })),
    runs: o.runs,
    models: results,
    peers,
    peersError,
    ratios,
  };

  if (o.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const title = o.guest === 'pm' ? 'cpubench (real mode) and cpubench32 (pm, pm-paging)' : 'cpubench';
    console.log(`${title} on our IST: median of ${o.runs}, MIPS after a 20 % warm-up, ${report.host.cpu}, node ${process.version}, ${report.date.slice(0, 10)}`);
    const rows = [['model', 'rounds', 'guest instructions', 'seconds', 'guest MIPS', 'insns/round', 'checksum']];
    for (const r of results) {
      const ref = workloads.find((w) => w.name === r.workload)!.reference;
      rows.push([
        r.model,
        String(r.rounds),
        String(r.instructions),
        r.ok || r.seconds.length ? r.medianSeconds.toFixed(3) : '-',
        r.ok || r.seconds.length ? r.mips.toFixed(1) : '-',
        r.insnsPerRound ? `${r.insnsPerRound}${r.matchesReference ? '' : ` (ref ${ref.insnsPerRound})`}` : '-',
        r.ok ? `${r.checksum} ok` : r.unsupported ? 'not supported' : 'FAIL',
      ]);
    }
    console.log(formatTable(rows));
    for (const r of results) if (r.error) console.log(`${r.model}: ${r.error}`);
    const unsupported = results.filter((r) => r.unsupported);
    if (unsupported.length) console.log(`${unsupported.map((r) => r.model).join('; ')}: ${unsupported[0].unsupported}`);
    if (peers) {
      for (const w of workloads) {
        const ours = results.filter((r) => r.workload === w.name);
        console.log('');
        if (workloads.length > 1) console.log(`${w.name} (${w.file.replace(/.*\//, '')}${w.mode === null ? '' : ` mode ${w.mode}`}):`);
        const prow = [['peer', 'version', 'µs/round', 'guest MIPS', ...ours.map((r) => `ours ${r.model} / peer`)]];
        for (const p of peers.filter((q) => q.workload === w.name)) {
          if (p.skipped || p.error || !p.secondsPerRound) {
            prow.push([p.label, p.version ?? '-', p.skipped ? 'skipped' : 'ERROR', p.skipped ?? p.error ?? '', ...ours.map(() => '')]);
            continue;
          }
          prow.push([
            p.label,
            p.version ?? '',
            (p.secondsPerRound * 1e6).toFixed(1),
            p.mips!.toFixed(0),
            ...ours.map((r) => (r.ok ? (p.secondsPerRound! / r.secondsPerRound).toFixed(2) : '-')),
          ]);
        }
        console.log(formatTable(prow));
      }
      const normal = peers.find((p) => p.name === 'dosbox-normal' && p.workload === 'real' && p.secondsPerRound);
      if (normal) {
        for (const r of results) {
          if (!r.ok || r.workload !== 'real') continue;
          const ratio = normal.secondsPerRound! / r.secondsPerRound;
          console.log(`${r.model}: ${ratio.toFixed(2)}x DOSBox normal core — target >= 1.0: ${ratio >= 1 ? 'met' : 'NOT met'}`);
        }
      }
    } else if (peersError) {
      console.log(`peers: ${peersError}`);
    }
    if (workloads.length > 1) {
      const entries = [
        ...results.map((r) => ({ label: `ours, ${r.engine}`, workload: r.workload, mips: r.ok ? r.mips : undefined })),
        ...(peers ?? []).map((p) => ({ label: p.label, workload: p.workload, mips: p.mips })),
      ];
      console.log('');
      console.log(formatTable(modeRatioRows(workloads, entries)));
    }
  }
  const failed =
    results.some((r) => !r.ok && !r.unsupported) || (peers ?? []).some((p) => p.error) || peersError !== undefined;
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
