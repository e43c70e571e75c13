#!/usr/bin/env node
/**
 * Times the CPU benchmark guests under peer emulators:
 *   DOSBox 0.74 core=normal and core=dynamic (cycles=fixed 1000000, headless), and
 *   qemu-system-i386 -accel tcg (boot.bin + the guest on a floppy image, exit via isa-debug-exit).
 * Workloads (--workload, default real): real = test/guests/bench/cpubench.com (16-bit real mode);
 * pm = cpubench32.com in mode 0 (32-bit protected mode), pm-paging = cpubench32.com in mode 1 (the same
 * with paging); a list, or all. With more than one, a last table gives each peer's MIPS per workload
 * and the ratios pm/real and pm-paging/real.
 *
 * Start-up (process launch, BIOS/DOS boot, translation warm-up) is removed by timing two round
 * counts n1 < n2 of the same program (the count word is patched into a copy) and taking the
 * difference. Each peer runs `--runs` pairs (default 5); the reported time is the median of the
 * per-pair differences, divided by (n2 - n1) for seconds per round. Guest MIPS needs the guest
 * instructions per round: from --insns-per-round (bench/cpu.ts passes our emulator's count; N alone for
 * one workload, or name=N,name=N), else the reference count in bench/cpubench-reference.json
 * (cpubench32-reference.json for pm and pm-paging).
 *
 *   node bench/peers.mjs [--runs 5] [--json] [--workload real,pm,pm-paging|all]
 *                        [--insns-per-round N|name=N,...] [--only qemu,dosbox-normal]
 *                        [--scale 1.0] [--timeout 120] [--verbose]
 *
 * Exit status: 0 if every available peer ran and printed the expected checksum, 1 otherwise.
 * A peer whose program is not installed is reported as skipped (exit status unaffected).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const guestDir = join(root, 'test', 'guests', 'bench');
const readJson = (name) => JSON.parse(readFileSync(join(here, name), 'utf8'));

// ---------------------------------------------------------------------------------------------
// arguments

function parseArgs(argv) {
  const opts = { runs: 5, json: false, insns: '', workloads: ['real'], only: null, scale: 1, timeout: 120, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--runs') opts.runs = Math.max(1, parseInt(value(), 10));
    else if (a === '--json') opts.json = true;
    else if (a === '--insns-per-round') opts.insns = value();
    else if (a === '--workload' || a === '--workloads') {
      const v = value();
      opts.workloads = v === 'all' ? Object.keys(WORKLOADS) : v.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = opts.workloads.filter((w) => !WORKLOADS[w]);
      if (unknown.length || !opts.workloads.length) throw new Error(`--workload: ${Object.keys(WORKLOADS).join(', ')} or all`);
    }
    else if (a === '--only') opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--scale') opts.scale = Number(value());
    else if (a === '--timeout') opts.timeout = Number(value());
    else if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--help' || a === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(opts.scale > 0) || !(opts.timeout > 0)) throw new Error('bad numeric argument');
  opts.insnsPerRound = parseInsns(opts.insns, opts.workloads);
  return opts;
}

/** --insns-per-round: "N" (one workload) or "name=N,name=N"; returns { workload: N } (0: use the reference). */
function parseInsns(text, workloads) {
  const out = Object.fromEntries(workloads.map((w) => [w, 0]));
  if (!text) return out;
  const bad = () => new Error(`--insns-per-round: N for one workload, or name=N,... (${workloads.join(', ')})`);
  if (/^\d+$/.test(text)) {
    if (workloads.length !== 1) throw bad();
    out[workloads[0]] = Number(text);
    return out;
  }
  for (const part of text.split(',')) {
    const m = /^([a-z-]+)=(\d+)$/.exec(part.trim());
    if (!m || !(m[1] in out)) throw bad();
    out[m[1]] = Number(m[2]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the guest

/**
 * The workloads: a guest file, its signature (the round count is the word after it, the mode word 4
 * bytes further for cpubench32), the mode to patch in, the line it prints and its reference facts.
 */
export const WORKLOADS = {
  real: { file: 'cpubench.com', signature: 'CPUBENCH', mode: null, pattern: /cpubench n=([0-9A-F]{4}) sum=([0-9A-F]{4})/, referenceFile: 'cpubench-reference.json' },
  pm: { file: 'cpubench32.com', signature: 'CPUBEN32', mode: 0, pattern: /cpubench32 n=([0-9A-F]{4}) sum=([0-9A-F]{8}) mode=0/, referenceFile: 'cpubench32-reference.json' },
  'pm-paging': { file: 'cpubench32.com', signature: 'CPUBEN32', mode: 1, pattern: /cpubench32 n=([0-9A-F]{4}) sum=([0-9A-F]{8}) mode=1/, referenceFile: 'cpubench32-reference.json' },
};

/** A copy of the workload's guest with the round count (the word right after the signature) and the mode patched in. */
export function patchGuest(com, workload, rounds) {
  const w = WORKLOADS[workload];
  const at = com.indexOf(Buffer.from(w.signature, 'latin1'));
  if (at < 0) throw new Error(`${w.file}: signature ${w.signature} not found`);
  if (!(rounds >= 0 && rounds <= 0xffff)) throw new Error(`round count ${rounds} out of 0..65535`);
  const copy = Buffer.from(com);
  copy.writeUInt16LE(rounds, at + 8);
  if (w.mode !== null) copy.writeUInt16LE(w.mode, at + 12);
  return copy;
}

/** Parse "cpubench n=NNNN sum=SSSS" (or cpubench32's "... sum=SSSSSSSS mode=M") from the guest's output. */
function parseOutput(workload, text) {
  const m = WORKLOADS[workload].pattern.exec(text);
  return m ? { rounds: parseInt(m[1], 16), sum: m[2] } : null;
}

// ---------------------------------------------------------------------------------------------
// running a process with a deadline

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Run a command; resolve { code, signal, stdout, stderr, seconds, timedOut }. Kills its process group on timeout. */
function timedRun(cmd, args, { env, cwd, timeoutSec }) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid) live.add(child.pid);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL'); // the group this child leads (detached)
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutSec * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      live.delete(child.pid);
      resolve({ code: -1, signal: null, stdout, stderr: stderr + String(err), seconds: 0, timedOut });
    });
    child.on('exit', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      clearTimeout(timer);
      live.delete(child.pid);
      // let the pipes drain
      setImmediate(() => resolve({ code, signal, stdout, stderr, seconds, timedOut }));
    });
  });
}

// make sure no peer outlives us
const live = new Set();
function killAll() {
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
process.on('SIGINT', () => {
  killAll();
  process.exit(130);
});
process.on('SIGTERM', () => {
  killAll();
  process.exit(143);
});

// ---------------------------------------------------------------------------------------------
// peers

const DOSBOX_CONF = (core, cDir) => `# written by bench/peers.mjs
[sdl]
fullscreen=false
output=surface
autolock=false
waitonerror=false
[dosbox]
machine=svga_s3
memsize=16
[render]
frameskip=0
aspect=false
scaler=none
[cpu]
core=${core}
cputype=auto
cycles=fixed 1000000
[mixer]
nosound=true
[speaker]
pcspeaker=false
tandy=off
disney=false
[sblaster]
sbtype=none
[gus]
gus=false
[midi]
mpu401=none
mididevice=none
[joystick]
joysticktype=none
[serial]
serial1=disabled
serial2=disabled
serial3=disabled
serial4=disabled
[dos]
xms=false
ems=false
umb=false
[ipx]
ipx=false
[autoexec]
mount c "${cDir}"
c:
BENCH.COM > OUT.TXT
exit
`;

function dosboxPeer(core, n1, n2) {
  return {
    name: `dosbox-${core}`,
    label: `DOSBox ${core} core`,
    n1,
    n2,
    available() {
      const bin = which('dosbox');
      if (!bin) return { ok: false, why: 'dosbox not installed (apt-get install dosbox)' };
      const v = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 10000, env: { ...process.env, SDL_VIDEODRIVER: 'dummy' } });
      const version = /DOSBox version ([^\s,]+)/.exec((v.stdout || '') + (v.stderr || ''))?.[1] ?? 'unknown';
      return { ok: true, version, bin };
    },
    async run(ctx, rounds) {
      const dir = mkdtempSync(join(ctx.tmp, `dosbox-${core}-`));
      const cDir = join(dir, 'c');
      mkdirSync(cDir);
      writeFileSync(join(cDir, 'BENCH.COM'), patchGuest(ctx.com, ctx.workload, rounds));
      const conf = join(dir, 'dosbox.conf');
      writeFileSync(conf, DOSBOX_CONF(core, cDir));
      // HOME in the temp dir: DOSBox may create ~/.dosbox; keep the user's home untouched.
      const env = { ...process.env, HOME: dir, SDL_VIDEODRIVER: 'dummy', SDL_AUDIODRIVER: 'dummy' };
      const r = await ctx.run(ctx.info.bin, ['-conf', conf, '-noconsole', '-exit'], { env, cwd: dir });
      const outFile = join(cDir, 'OUT.TXT');
      const out = existsSync(outFile) ? readFileSync(outFile, 'latin1') : '';
      rmSync(dir, { recursive: true, force: true });
      return { ...r, output: parseOutput(ctx.workload, out), raw: out || r.stdout.slice(-400) + r.stderr.slice(-400) };
    },
  };
}

function qemuPeer(n1, n2) {
  return {
    name: 'qemu-tcg',
    label: 'QEMU i386 TCG',
    n1,
    n2,
    available() {
      const bin = which('qemu-system-i386');
      if (!bin) return { ok: false, why: 'qemu-system-i386 not installed (apt-get install qemu-system-x86)' };
      const v = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10000 });
      const version = /version ([^\s(]+)/.exec(v.stdout || '')?.[1] ?? 'unknown';
      return { ok: true, version, bin };
    },
    async run(ctx, rounds) {
      const dir = mkdtempSync(join(ctx.tmp, 'qemu-'));
      const boot = readFileSync(join(guestDir, 'boot.bin'));
      const body = patchGuest(ctx.com, ctx.workload, rounds);
      if (boot.length !== 512) throw new Error('boot.bin is not 512 bytes');
      if (body.length > 64 * 512) throw new Error(`${WORKLOADS[ctx.workload].file} exceeds the 32 KiB boot.bin loads`);
      const image = Buffer.alloc(1474560); // 1.44 MB floppy
      boot.copy(image, 0);
      body.copy(image, 512);
      const img = join(dir, 'floppy.img');
      writeFileSync(img, image);
      const args = [
        '-accel', 'tcg',
        '-m', '16',
        '-drive', `file=${img},format=raw,if=floppy`,
        '-boot', 'a',
        '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
        '-display', 'none',
        '-serial', 'stdio',
        '-monitor', 'none',
        '-parallel', 'none',
        '-net', 'none',
        '-no-reboot',
      ];
      const r = await ctx.run(ctx.info.bin, args, { env: process.env, cwd: dir });
      rmSync(dir, { recursive: true, force: true });
      const output = parseOutput(ctx.workload, r.stdout);
      // isa-debug-exit: status = (AL << 1) | 1; AL is the checksum's low byte
      if (output && r.code !== ((((parseInt(output.sum, 16) & 0xff) << 1) | 1) & 0xff)) {
        return { ...r, output: null, raw: `exit status ${r.code} does not match sum ${output.sum}` };
      }
      return { ...r, output, raw: r.stdout.slice(-400) + r.stderr.slice(-400) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// statistics

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

// ---------------------------------------------------------------------------------------------

/** Time one peer on one workload (`w`: its name, guest image, reference facts and instructions per round). */
async function measure(peer, opts, w, tmp, log) {
  const workload = w.name;
  const info = peer.available();
  const result = { name: peer.name, label: peer.label, workload, n1: peer.n1, n2: peer.n2 };
  if (!info.ok) return { ...result, skipped: info.why };
  result.version = info.version;
  const ctx = {
    tmp,
    info,
    workload,
    com: w.com,
    run: async (cmd, args, o) => {
      const p = timedRun(cmd, args, { ...o, timeoutSec: opts.timeout });
      return p;
    },
  };
  const once = async (rounds) => {
    const r = await peer.run(ctx, rounds);
    if (r.timedOut) throw new Error(`${peer.name}: ${rounds} rounds timed out after ${opts.timeout} s`);
    if (!r.output) throw new Error(`${peer.name}: no checksum in output (exit ${r.code}): ${r.raw.trim()}`);
    if (r.output.rounds !== rounds) throw new Error(`${peer.name}: ran ${r.output.rounds} rounds, wanted ${rounds}`);
    if (r.output.sum !== w.reference.checksum) {
      throw new Error(`${peer.name}: checksum ${r.output.sum}, expected ${w.reference.checksum}`);
    }
    return r.seconds;
  };
  try {
    await once(peer.n1); // warm-up: page cache, first-run costs
    const t1 = [];
    const t2 = [];
    for (let i = 0; i < opts.runs; i++) {
      t1.push(await once(peer.n1));
      t2.push(await once(peer.n2));
      log(`  ${peer.name} ${workload} run ${i + 1}/${opts.runs}: n1=${peer.n1} ${t1[i].toFixed(3)} s, n2=${peer.n2} ${t2[i].toFixed(3)} s`);
    }
    const diffs = t1.map((a, i) => t2[i] - a);
    const diff = median(diffs);
    const rounds = peer.n2 - peer.n1;
    Object.assign(result, {
      checksum: w.reference.checksum,
      t1,
      t2,
      diffs,
      seconds: diff,
      secondsPerRound: diff / rounds,
      startupSeconds: median(t1) - (diff / rounds) * peer.n1,
      mips: (w.insnsPerRound * rounds) / diff / 1e6,
    });
  } catch (err) {
    result.error = String(err.message ?? err);
  }
  return result;
}

export async function main(argv) {
  const opts = parseArgs(argv);
  const log = opts.json || !opts.verbose ? () => {} : (s) => console.error(s);
  // each workload's guest image, reference facts and instructions per round
  const workloads = opts.workloads.map((name) => {
    const w = WORKLOADS[name];
    const reference = readJson(w.referenceFile);
    return { ...w, name, com: readFileSync(join(guestDir, w.file)), reference, insnsPerRound: opts.insnsPerRound[name] || reference.insnsPerRound };
  });
  const s = (n) => Math.max(1, Math.round(n * opts.scale));
  // n2 - n1 chosen so one n2 run takes about 2-3 s on the reference machine (docs/benchmarks.md)
  let peers = [
    dosboxPeer('normal', 200, 200 + s(4000)),
    dosboxPeer('dynamic', 200, 200 + s(10000)),
    qemuPeer(200, 200 + s(30000)),
  ];
  for (const p of peers) if (p.n2 > 0xffff) throw new Error(`${p.name}: n2 ${p.n2} exceeds 65535 (lower --scale)`);
  if (opts.only) {
    const unknown = opts.only.filter((n) => !peers.some((p) => p.name === n));
    if (unknown.length) throw new Error(`unknown peer(s) ${unknown.join(', ')}; known: ${peers.map((p) => p.name).join(', ')}`);
    peers = peers.filter((p) => opts.only.includes(p.name));
  }
  const tmp = mkdtempSync(join(tmpdir(), 'cpubench-peers-'));
  const results = [];
  try {
    // a peer's workloads one after the other, so its ratios between them come from the same minutes
    for (const p of peers) {
      for (const w of workloads) {
        if (!opts.json) process.stderr.write(`measuring ${p.label}, ${w.name} ...\n`);
        results.push(await measure(p, opts, w, tmp, log));
      }
    }
  } finally {
    killAll();
    rmSync(tmp, { recursive: true, force: true });
  }
  const report = {
    date: new Date().toISOString(),
    host: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    workloads: workloads.map((w) => ({
      name: w.name,
      guest: `test/guests/bench/${w.file}`,
      mode: w.mode,
      checksum: w.reference.checksum,
      insnsPerRound: w.insnsPerRound,
      insnsSource: w.insnsPerRound === w.reference.insnsPerRound ? 'reference' : 'argument',
    })),
    runs: opts.runs,
    peers: results,
  };
  if (opts.json) console.log(JSON.stringify(report, null, 2));
  else printTable(report);
  const failed = results.some((r) => r.error);
  return failed ? 1 : 0;
}

function printTable(report) {
  const several = report.workloads.length > 1;
  const head = ['peer', 'version', 'rounds n1→n2', 'median Δt (s)', 'µs/round', 'start-up (s)', 'guest MIPS'];
  const rows = [several ? [head[0], 'workload', ...head.slice(1)] : head];
  for (const r of report.peers) {
    let cells;
    if (r.skipped) cells = [r.label, '-', '-', 'skipped', r.skipped, '', ''];
    else if (r.error) cells = [r.label, r.version, `${r.n1}→${r.n2}`, 'ERROR', r.error, '', ''];
    else
      cells = [
        r.label,
        r.version,
        `${r.n1}→${r.n2}`,
        r.seconds.toFixed(3),
        (r.secondsPerRound * 1e6).toFixed(1),
        r.startupSeconds.toFixed(2),
        r.mips.toFixed(0),
      ];
    rows.push(several ? [cells[0], r.workload, ...cells.slice(1)] : cells);
  }
  const counts = several
    ? `guest instructions/round ${report.workloads.map((w) => `${w.name} ${w.insnsPerRound} (${w.insnsSource})`).join(', ')}`
    : `${report.workloads[0].insnsPerRound} guest instructions/round (${report.workloads[0].insnsSource})`;
  console.log(
    `cpubench peers: ${counts}, ` +
      `median of ${report.runs}, ${report.host.cpu} (${report.host.cores} cores), ${report.date.slice(0, 10)}`,
  );
  console.log(formatTable(rows));
  if (several) {
    console.log('');
    console.log(formatTable(modeRatioRows(report.workloads.map((w) => w.name), report.peers)));
  }
}

/**
 * One row per peer: its guest MIPS per workload and, when real is among them, each other workload's
 * MIPS over real's (so pm/real < 1 means protected mode costs that peer speed).
 */
export function modeRatioRows(workloads, results) {
  const others = workloads.includes('real') ? workloads.filter((w) => w !== 'real') : [];
  const rows = [['peer', ...workloads.map((w) => `${w} MIPS`), ...others.map((w) => `${w}/real`)]];
  const labels = [...new Set(results.map((r) => r.label))];
  for (const label of labels) {
    const mips = (w) => results.find((r) => r.label === label && r.workload === w)?.mips;
    const real = mips('real');
    rows.push([
      label,
      ...workloads.map((w) => (mips(w) ? mips(w).toFixed(0) : '-')),
      ...others.map((w) => (mips(w) && real ? (mips(w) / real).toFixed(2) : '-')),
    ]);
  }
  return rows;
}

export function formatTable(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const line = (r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function isMain() {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      killAll();
      console.error(`peers: ${err.message ?? err}`);
      process.exit(2);
    },
  );
}
