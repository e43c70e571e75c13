#!/usr/bin/env node
// `npm start`: builds if needed, then runs the Electron app — or, when no Electron binary is installed
// (ELECTRON_SKIP_BINARY_DOWNLOAD), says so in one line and serves the same UI with the web host instead.
// Extra arguments go to `mvm serve` in the fallback (e.g. `npm start -- --port 8080`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findElectron } from './electron-binary.mjs';
import { ensureBuilt, ROOT } from './ensure-built.mjs';

ensureBuilt();
const electron = findElectron();
const child =
  'path' in electron
    ? spawn(electron.path, [ROOT], { stdio: 'inherit' })
    : (console.log(`${electron.missing}; starting the web host instead (open its URL in a browser).`),
      spawn(process.execPath, [join(ROOT, 'bin', 'mvm.js'), 'serve', ...process.argv.slice(2)], { stdio: 'inherit' }));

// Ctrl-C reaches the child through the terminal; a SIGTERM to us is passed on.
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
