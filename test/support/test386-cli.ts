/**
 * `npm run test386 [-- --bin PATH] [--trace N] [--budget N] [--no-translate] [--output FILE]`, or after a
 * build `node out/test/support/test386-cli.js ...`: runs the test386.asm ROM on our CPU (test386.ts) and
 * prints the POST codes, where and why it stopped with the matching lines of test386.lst, and the POST EEh
 * output's differences from the published reference. Exits 0 only when POST FFh was reached and the output
 * equals the reference.
 *
 * Short of POST FFh it also lists the last 16 instructions before the stop (--trace N: the last N, 0: none).
 * --bin defaults to test386.bin in $MVM_TEST386 or /work/local-images/test386 (where scripts/test386.sh
 * builds it); test386.lst and test386-EE-reference.txt are read from beside it when there.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { describeStop, diffLines, hex, Listing, runTest386, test386Dir, traceBefore } from './test386.js';

const DEFAULT_TRACE = 16;

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const bin = opt('--bin') ?? join(test386Dir(), 'test386.bin');
if (!existsSync(bin)) {
  console.log(`test386: ${bin} not found; build it with scripts/test386.sh (see scripts/README.md)`);
  process.exit(2);
}
const dir = dirname(bin);
const lstPath = join(dir, 'test386.lst');
const refPath = join(dir, 'test386-EE-reference.txt');
const listing = existsSync(lstPath) ? Listing.read(lstPath) : null;

const rom = readFileSync(bin);
const translate = !args.includes('--no-translate');
const started = Date.now();
const result = runTest386(rom, {
  trace: Number(opt('--trace') ?? 0),
  budget: opt('--budget') === undefined ? undefined : Number(opt('--budget')),
  translate,
});
const seconds = (Date.now() - started) / 1000;
// Short of POST FF, the instructions that led to the stop (a failed check jumps to `error`) unless asked otherwise.
if (opt('--trace') === undefined && result.lastPost !== 0xff) result.trace = traceBefore(rom, result.traceEnd, DEFAULT_TRACE, translate);

console.log(`test386: ${bin}`);
console.log(`POST codes: ${result.posts.map((p) => hex(p, 2)).join(' ') || '(none)'}`);
console.log(`stopped after ${seconds.toFixed(1)} s: ${describeStop(result, listing).replace(/\n/g, '\n  ')}`);
if (result.droppedWrites || result.unmappedReads) {
  console.log(`  ${result.droppedWrites} writes to the ROM or above the RAM (dropped), ${result.unmappedReads} reads of unmapped addresses`);
}

const outLines = result.output === '' ? [] : result.output.replace(/\n$/, '').split('\n');
console.log(`output (port E9h): ${outLines.length} lines`);
for (const l of outLines.slice(0, 10)) console.log(`  | ${l}`);
if (outLines.length > 10) console.log(`  | ... (${outLines.length - 10} more${opt('--output') ? '' : '; --output FILE writes them all'})`);
const outFile = opt('--output');
if (outFile !== undefined) {
  writeFileSync(outFile, result.output, 'latin1');
  console.log(`  written to ${outFile}`);
}

let same = false;
if (existsSync(refPath)) {
  const diff = diffLines(result.output, readFileSync(refPath, 'latin1'));
  same = diff.count === 0;
  console.log(`EE output against test386-EE-reference.txt: ${diff.count} of ${diff.expectedLines} lines differ (ours has ${diff.actualLines})`);
  // Lines both have that differ (or extra lines of ours); lines ours lacks (a run that stopped early) in one.
  for (const d of diff.first) {
    if (d.actual === undefined) continue;
    console.log(`  line ${d.line}:`);
    console.log(`    ours: ${d.actual}`);
    console.log(`    ref:  ${d.expected ?? '(none)'}`);
  }
  if (diff.actualLines < diff.expectedLines) {
    console.log(`  lines ${diff.actualLines + 1}-${diff.expectedLines} of the reference are missing from ours`);
  }
} else {
  console.log(`EE output: no ${refPath} to compare with`);
}
const passed = result.lastPost === 0xff && same;
console.log(`test386: ${passed ? 'passed' : 'FAILED'}`);
process.exit(passed ? 0 : 1);
