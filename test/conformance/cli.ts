/**
 * `npm run conformance [-- --cpu 8086|80286] [--filter XX] [--quiet]`: runs the SingleStepTests vectors
 * and prints pass counts per opcode file, ending with `conformance: N passed, N failed`.
 */
import { conformanceRoot, KNOWN_QUIRKS, runSuite, type FileResult, type SuiteCpu } from './suite.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quiet = args.includes('--quiet');
const cpus: SuiteCpu[] = opt('--cpu') ? [opt('--cpu') as SuiteCpu] : ['8086', '80286'];
const filter = opt('--filter');
// --translate: the same vectors through the block translator (one instruction per block).
const translate = args.includes('--translate');

const root = conformanceRoot();
if (!root) {
  console.log('conformance: vectors not found (set MVM_CONFORMANCE or put them in ../shared/conformance); skipped');
  console.log('conformance: 0 passed, 0 failed');
  process.exit(0);
}

let passed = 0;
let failed = 0;
let quirks = 0;
const start = Date.now();
for (const cpu of cpus) {
  console.log(`# ${cpu} (${root}/${cpu})${translate ? ' through the block translator' : ''}`);
  const print = (r: FileResult): void => {
    if (quiet && r.failed === 0 && r.quirks === 0) return;
    const opt = r.optional ? `  (+${r.optional} not required: ${r.optional - r.optionalFailed} pass)` : '';
    const quirk = r.quirks ? `  (${r.quirks} differ only by a documented quirk)` : '';
    const line = `${cpu} ${r.file.padEnd(5)} ${r.status.padEnd(22)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(5)} failed${opt}${quirk}`;
    console.log(line);
    if (r.firstFailure) console.log(`      first failure: ${r.firstFailure}`);
  };
  const res = runSuite(root, cpu, filter, print, translate);
  const bad = res.files.filter((f) => f.failed > 0).map((f) => f.file);
  const quirky = res.quirks ? `, ${res.quirks} differ only by a documented quirk` : '';
  console.log(`# ${cpu}: ${res.passed} passed, ${res.failed} failed${quirky} in ${res.files.length} files${bad.length ? `; failing: ${bad.join(' ')}` : ''}`);
  passed += res.passed;
  failed += res.failed;
  quirks += res.quirks;
}
if (quirks) for (const [name, why] of Object.entries(KNOWN_QUIRKS)) console.log(`# not modelled (${name}): ${why}`);
console.log(`# ${((Date.now() - start) / 1000).toFixed(1)} s`);
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
