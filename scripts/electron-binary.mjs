// Finds the installed Electron executable without require('electron'): since Electron 41 that require
// tries to download the binary when it is missing, which must never happen from `npm start` or a test
// (installs here use ELECTRON_SKIP_BINARY_DOWNLOAD=1, and the download host is unreachable).
// Mirrors node_modules/electron/index.js: dist/<path.txt>, or ELECTRON_OVERRIDE_DIST_PATH.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** @returns {{ path: string } | { missing: string }} */
export function findElectron() {
  let dir;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed' };
  }
  let exe;
  try {
    exe = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
  } catch {
    exe = undefined;
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, exe || 'electron');
    return existsSync(path) ? { path } : { missing: `no Electron executable at ${path} (ELECTRON_OVERRIDE_DIST_PATH)` };
  }
  if (!exe) return { missing: 'no Electron binary installed (it was installed with ELECTRON_SKIP_BINARY_DOWNLOAD)' };
  const path = join(dir, 'dist', exe);
  return existsSync(path) ? { path } : { missing: `no Electron binary at ${path}` };
}
