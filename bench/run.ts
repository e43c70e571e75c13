/**
 * Start-up cost of `mvm run`: a trivial .COM (test/guests/dos/hello.com) run end to end from the shell —
 * node starting, the CLI, the VM process forked, POST, DOSKRNL, the program, exit — against DOSBox doing
 * the same (`dosbox -c "mount c DIR" -c "c:" -c "hello > out.txt" -c exit`, SDL's dummy video and audio),
 * timed in the same run. Medians of --runs (default 7).
 *
 *   npm run bench:run [-- --runs N]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function time(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; status: number | null; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', env, timeout: 60_000 });
  return { ms: performance.now() - t0, status: r.status, stdout: r.stdout };
}

const dir = mkdtempSync(join(tmpdir(), 'mvm-bench-run-'));
try {
  copyFileSync(join(ROOT, 'test/guests/dos/hello.com'), join(dir, 'HELLO.COM'));
  const ours: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = time(process.execPath, [join(ROOT, 'bin/mvm.js'), 'run', '--drive', `C=${dir}`, 'HELLO.COM']);
    if (r.status !== 42 || !r.stdout.includes('Hello from DOS')) throw new Error(`mvm run failed: status ${r.status}`);
    ours.push(r.ms);
  }
  console.log(`mvm run hello.com:  median ${median(ours).toFixed(0)} ms  (${ours.map((x) => x.toFixed(0)).join(', ')})`);
  const probe = spawnSync('dosbox', ['-version'], { encoding: 'utf8' });
  if (probe.error) console.log('dosbox: not installed (apt-get install dosbox), skipped');
  else {
    const env = { ...process.env, SDL_VIDEODRIVER: 'dummy', SDL_AUDIODRIVER: 'dummy' };
    const theirs: number[] = [];
    for (let i = 0; i < runs; i++) {
      rmSync(join(dir, 'OUT.TXT'), { force: true });
      const r = time('dosbox', ['-noconsole', '-c', `mount c ${dir}`, '-c', 'c:', '-c', 'hello > out.txt', '-c', 'exit'], env);
      const out = readFileSync(join(dir, 'OUT.TXT'), 'latin1');
      if (!out.includes('Hello from DOS')) throw new Error('dosbox did not run the program');
      theirs.push(r.ms);
    }
    console.log(`dosbox (same program): median ${median(theirs).toFixed(0)} ms  (${theirs.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`ratio: mvm run takes ${(median(ours) / median(theirs)).toFixed(2)}x DOSBox's time`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
