#!/usr/bin/env node
// The `mvm` command: a launcher for the compiled CLI (main/cli/cli.ts → out/main/cli/cli.js).
// It builds first when out/ is missing or stale, so `npx mvm` works straight after `npm install`.
import { ensureBuilt } from '../scripts/ensure-built.mjs';

ensureBuilt();
const { main } = await import('../out/main/cli/cli.js');
process.exitCode = await main(process.argv.slice(2));
