// Builds the project when out/ is missing or older than its sources, so `npm start`, `npm test` and the `mvm`
// launcher always run what the sources say. "Older" compares the newest source file with the oldest of the
// build's key outputs (tsc and vite rewrite those on every build).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const SOURCES = ['main', 'preload', 'renderer', 'vdd', 'firmware', 'test', 'bench', 'package.json', 'tsconfig.json', 'vite.config.ts'];
const OUTPUTS = ['out/main/app/main.js', 'out/main/cli/cli.js', 'out/preload/preload.cjs', 'out/renderer/index.html'];

function newestMtime(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

export function isBuilt() {
  const built = Math.min(...OUTPUTS.map((f) => newestMtime(join(ROOT, f)) || -1));
  return built > 0 && built >= Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
}

/** Runs `npm run build` if needed; its output goes to stderr so a command's stdout stays clean. */
export function ensureBuilt() {
  if (isBuilt()) return;
  process.stderr.write('mvm: out/ is missing or older than the sources; running `npm run build`\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2], shell: process.platform === 'win32' });
  if (r.status !== 0) {
    process.stderr.write('mvm: the build failed (see above)\n');
    process.exit(r.status ?? 1);
  }
}
