#!/usr/bin/env node
// `npm test`: vitest (test/**/*.test.ts), then Playwright (test/e2e), each printing its own report, then one
// closing line summing both: "N passed, N failed" (", N skipped" when there are skips). Exits non-zero if
// anything failed — including a runner that crashed without reporting a failing test (counted as one).
// Extra arguments go to vitest only (e.g. `npm test -- test/unit/cli.test.ts`), which then skips Playwright.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './ensure-built.mjs';

const reports = join(ROOT, 'test-results');
mkdirSync(reports, { recursive: true });
const bin = (name) => join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function run(title, command, args, env = {}) {
  console.log(`\n=== ${title} ===`);
  const r = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env }, shell: process.platform === 'win32' });
  if (r.error) console.error(`${title}: could not start: ${r.error.message}`);
  return r.status ?? 1;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };

/** Adds one runner's counts; a runner that failed without a failing test still counts as a failure. */
function add(title, status, counts) {
  if (!counts) console.error(`${title}: no report was written`);
  const c = counts ?? { passed: 0, failed: 0, skipped: 0 };
  if (status !== 0 && c.failed === 0) {
    console.error(`${title}: exited with ${status} without a failing test; counted as one failure`);
    c.failed = 1;
  }
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
}

// --- vitest ---
const vitestJson = join(reports, 'vitest.json');
rmSync(vitestJson, { force: true });
const vitestArgs = process.argv.slice(2);
const vitestStatus = run('vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, ...vitestArgs]);
const v = readJson(vitestJson);
add('vitest', vitestStatus, v && { passed: v.numPassedTests, failed: v.numFailedTests, skipped: v.numPendingTests + v.numTodoTests });

// --- Playwright ---
if (vitestArgs.length === 0) {
  ensureBuilt(); // the web host serves out/renderer
  const pwJson = join(reports, 'playwright.json');
  rmSync(pwJson, { force: true });
  const pwStatus = run('playwright', bin('playwright'), ['test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_FILE: pwJson,
    PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
  });
  const p = readJson(pwJson);
  if (p) {
    // The list reporter shows a skipped test but not why; say it here.
    const walk = (suite) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests ?? []) {
          if (t.status !== 'skipped') continue;
          const why = (t.annotations ?? []).filter((a) => a.type === 'skip').map((a) => a.description).filter(Boolean);
          console.log(`skipped: ${spec.title}${why.length ? ` — ${why.join('; ')}` : ''}`);
        }
      }
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of p.suites ?? []) walk(suite);
    for (const e of p.errors ?? []) console.error(`playwright: ${e.message ?? e}`);
  }
  add('playwright', pwStatus, p && { passed: p.stats.expected + p.stats.flaky, failed: p.stats.unexpected, skipped: p.stats.skipped });
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
