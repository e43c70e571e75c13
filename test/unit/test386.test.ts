/**
 * The 386 against test386.asm (github.com/barotto/test386.asm), a CPU tester ROM nobody here wrote: it runs
 * in place of a BIOS, checks real mode, then protected mode (descriptors, rings, V86, task switches,
 * paging, faults), posting a code per test to port 190h and halting on the first failure; its POST EEh
 * tests print the results of some 45,000 arithmetic and logic operations, to be compared with the output
 * published beside the source. Nothing of it is committed: scripts/test386.sh builds the ROM from a
 * checkout into a folder outside the repository, and MVM_TEST386 points here at that folder (test386.bin,
 * test386.lst, test386-EE-reference.txt). Without it the tests are skipped, saying so.
 *
 * The board is test/support/test386.ts; `node out/test/support/test386-cli.js` runs the same thing with a
 * fuller report (instruction trace, the first differing lines).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { describeStop, diffLines, Listing, runTest386, traceBefore, type Test386Result } from '../support/test386.js';

const DIR = process.env.MVM_TEST386 ?? '';
const present = DIR !== '' && existsSync(join(DIR, 'test386.bin')) && existsSync(join(DIR, 'test386-EE-reference.txt'));
if (!present) console.warn('test386: skipped — set MVM_TEST386 to a folder built by scripts/test386.sh (test386.bin, test386-EE-reference.txt)');

describe.skipIf(!present)('80386 against test386.asm', () => {
  let result: Test386Result;
  let where: string;

  beforeAll(() => {
    const rom = readFileSync(join(DIR, 'test386.bin'));
    result = runTest386(rom);
    // Short of the end, the instructions before the stop name the failed check (it jumps to `error`).
    if (result.lastPost !== 0xff) result.trace = traceBefore(rom, result.traceEnd, 16);
    const lst = join(DIR, 'test386.lst');
    where = describeStop(result, existsSync(lst) ? Listing.read(lst) : null);
  }, 10 * 60_000);

  it('passes the real-mode tests (POST 00-06) and switches to protected mode (POST 08)', () => {
    expect(result.posts.slice(0, 8), where).toEqual([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08]);
  });

  it('passes every test and reaches POST FF, halting there', () => {
    expect(result.lastPost, where).toBe(0xff);
    expect(result.stopName, where).toBe('HLT');
  });

  it('prints exactly the published results of the POST EE arithmetic and logic operations', () => {
    const diff = diffLines(result.output, readFileSync(join(DIR, 'test386-EE-reference.txt'), 'latin1'), 5);
    const first = diff.first.map((d) => `line ${d.line}: ours ${d.actual ?? '(missing)'} | reference ${d.expected ?? '(missing)'}`);
    expect(first, `${diff.count} of ${diff.expectedLines} lines differ (ours has ${diff.actualLines}); ${where}`).toEqual([]);
  });
});
