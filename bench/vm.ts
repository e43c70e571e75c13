/**
 * VM benchmark: the figures of a whole VM process, measured through the MVM server exactly as the app
 * runs VMs (paced to the host clock, one child process per VM).
 *
 *   npm run bench:vm [-- options]
 *     --runs N        VM starts to time (default 5)
 *     --idle S        seconds to watch an idle VM (default 10)
 *     --freedos IMG   also boot this FreeDOS floppy to A:\> and measure the VM idling at its prompt
 *                     (default: $MVM_FREEDOS_IMG when set)
 *     --json          one JSON report on stdout
 *
 * Figures (medians where there are several runs):
 *   start → boot sector   host ms from the server's start request until the BIOS jumps to the boot sector
 *                         of the test floppy (test/guests/boot/biostest.bin); the VM process is forked,
 *                         loads its VDDs, assembles the ROM, runs POST and INT 19h
 *   idle CPU              host CPU (user + system) of the VM process while its guest waits for a key,
 *                         as a percentage of one core: in INT 16h AH=00h (biostest: HLT-style waiting),
 *                         and at the FreeDOS prompt (DOS polls the keyboard; VKBD's idle detection)
 *   memory                resident set size of the idle VM process (16 MiB guest RAM)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootVm } from '../main/mvm/boot.js';
import { MvmServer } from '../main/mvm/server.js';

interface Args {
  runs: number;
  idleS: number;
  freedos?: string;
  json: boolean;
}

function parse(argv: string[]): Args {
  const a: Args = { runs: 5, idleS: 10, freedos: process.env.MVM_FREEDOS_IMG || undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--runs') a.runs = Number(argv[++i]);
    else if (k === '--idle') a.idleS = Number(argv[++i]);
    else if (k === '--freedos') a.freedos = argv[++i];
    else if (k === '--json') a.json = true;
    else throw new Error(`unknown option ${k}`);
  }
  return a;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function idleFigures(server: MvmServer, id: number, seconds: number): Promise<{ cpuPercent: number; rssMB: number }> {
  const a = await server.stats(id);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const b = await server.stats(id);
  const wall = performance.now() - t0;
  return { cpuPercent: ((b.cpuMs - a.cpuMs) / wall) * 100, rssMB: b.rss / 2 ** 20 };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const log = (s: string): void => void (args.json ? process.stderr : process.stdout).write(s + '\n');
  const dir = mkdtempSync(join(tmpdir(), 'mvm-bench-'));
  const server = new MvmServer();
  try {
    const floppy = join(dir, 'a.img');
    const image = new Uint8Array(1474560);
    image.set(readFileSync(new URL('../../test/guests/boot/biostest.bin', import.meta.url)));
    writeFileSync(floppy, image);

    // 1. start → boot sector
    const startMs: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      const t0 = performance.now();
      const booted = new Promise<number>((resolve) => {
        const off = server.on((e) => {
          if (e.kind === 'event' && e.topic === 'boot') {
            off();
            resolve(performance.now() - t0);
          }
        });
      });
      const vm = await server.startVm({ model: 386, paced: true, settings: { DISK_A: floppy, DISK_READ_ONLY: true } });
      startMs.push(await booted);
      if (i < args.runs - 1) await server.stop(vm.id);
      else {
        // 2. that VM, waiting in INT 16h for a key
        await sleep(1500);
        const idle = await idleFigures(server, vm.id, args.idleS);
        log(`start → boot sector: median ${median(startMs).toFixed(0)} ms (runs: ${startMs.map((x) => x.toFixed(0)).join(', ')})`);
        log(`idle in INT 16h (biostest): ${idle.cpuPercent.toFixed(2)} % of one core, RSS ${idle.rssMB.toFixed(1)} MiB`);
        report.startToBootSectorMs = median(startMs);
        report.idleInt16 = idle;
        await server.stop(vm.id);
      }
    }

    // 3. FreeDOS at its prompt
    if (args.freedos) {
      const t0 = performance.now();
      const { id } = await server.startVm({ model: 386, paced: true, settings: { DISK_A: args.freedos, DISK_READ_ONLY: true } }, 'freedos');
      let screen = '';
      for (;;) {
        screen = (await server.request(id, 'VVIDEO', 3)) as string;
        if (screen.includes('A:\\>')) break;
        if (performance.now() - t0 > 60_000) throw new Error('FreeDOS did not reach A:\\> in 60 s');
        await sleep(50);
      }
      const promptMs = performance.now() - t0;
      await sleep(1500);
      const idle = await idleFigures(server, id, args.idleS);
      log(`FreeDOS: start → A:\\> ${promptMs.toFixed(0)} ms (paced, includes the kernel's 2 s F5/F8 wait)`);
      log(`idle at the FreeDOS prompt: ${idle.cpuPercent.toFixed(2)} % of one core, RSS ${idle.rssMB.toFixed(1)} MiB`);
      report.freedos = { startToPromptMs: promptMs, idle };
      await server.stop(id);
    }
    // 4. the same boot unpaced, for the record: how fast the headless path gets there
    const r = await bootVm(server, { floppy, keys: 'x\r', until: 'DONE', timeoutMs: 30_000 });
    log(`headless (unpaced) boot of biostest to DONE: ${r.elapsedMs.toFixed(0)} ms`);
    report.headlessBootMs = r.elapsedMs;
    if (args.json) console.log(JSON.stringify(report, null, 2));
  } finally {
    await server.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }
}

const report: Record<string, unknown> = {};
main().catch((e: Error) => {
  console.error(`bench:vm: ${e.message}`);
  process.exit(1);
});
