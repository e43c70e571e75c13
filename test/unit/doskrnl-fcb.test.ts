/**
 * DOSKRNL's FCB file functions (main/doskrnl/fcb.ts) end to end: the real CLI (bin/mvm.js) as a child
 * process runs test/guests/dos/fcbtest.com from a fresh host folder. The guest checks each function and
 * prints PASS/FAIL lines; here we check those lines, the exit code, and the files left in the host folder.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUEST = join(ROOT, 'test/guests/dos/fcbtest.com');

/** The checks fcbtest.asm makes, in order. */
const CHECKS = [
  'create-16h', 'create-recsize', 'create-drive', 'create-size',
  'seq-write-15h', 'seq-write-currec', 'seq-write-size',
  'close-10h', 'open-0Fh', 'open-recsize', 'open-size', 'open-block', 'open-missing',
  'seq-read-14h', 'seq-read-data1', 'seq-read-14h-2', 'seq-read-data2', 'seq-read-currec',
  'random-read-21h', 'random-read-data', 'random-read-currec', 'random-read-keeps-rr', 'random-read-eof',
  'random-write-22h', 'random-write-readback',
  'set-random-24h', 'set-random-block',
  'block-write-28h', 'block-write-count', 'block-write-rr', 'block-write-currec', 'block-write-size',
  'file-size-23h', 'file-size-records', 'file-size-rounded', 'file-size-missing',
  'block-read-27h', 'block-read-count', 'block-read-data1', 'block-read-data2', 'block-read-data3', 'block-read-rr',
  'block-read-all', 'block-read-all-count', 'block-read-all-data',
  'read-partial', 'read-partial-data', 'read-partial-pad', 'read-partial-pad-end', 'read-partial-beyond',
  'segment-wrap', 'reopen-by-name', 'reopen-data',
  'seq-block-carry', 'seq-block-carry-data', 'seq-block-carry-block', 'seq-block-carry-currec', 'close-2',
  'open-70', 'evicted-read', 'evicted-data', 'last-open-data',
  'create-x1', 'create-x2',
  'find-first-11h', 'find-first-drive', 'find-first-name', 'find-first-size', 'find-first-attr',
  'find-next-12h', 'find-next-name', 'find-next-end', 'find-first-none',
  'rename-17h', 'rename-new-name', 'rename-old-gone', 'rename-exists',
  'delete-13h', 'delete-gone', 'delete-none',
  'xcreate-16h', 'xcreate-recsize', 'xwrite-15h', 'xclose-10h', 'hidden-normal-find', 'hidden-normal-open',
  'xfind-11h', 'xfind-dta-ext', 'xfind-dta-attr', 'xfind-dta-drive', 'xfind-dta-name', 'xfind-file-attr',
  'xopen-0Fh', 'xopen-size', 'xread-21h', 'xread-data', 'xclose-2',
];

function run(folder: string) {
  return spawnSync(process.execPath, ['bin/mvm.js', 'run', '--drive', `C=${folder}`, 'C:\\FCBTEST.COM'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('DOSKRNL FCB functions (fcbtest.com through mvm run)', { timeout: 120_000 }, () => {
  const temp = tempDir();
  let result: ReturnType<typeof run>;
  beforeAll(() => {
    copyFileSync(GUEST, join(temp.dir, 'FCBTEST.COM'));
    result = run(temp.dir);
  }, 120_000);
  afterAll(() => temp.remove());

  it('passes every check and exits with 0 failures', () => {
    const lines = result.stdout.split(/\r?\n/).filter((l) => l !== '');
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(lines).toEqual(CHECKS.map((name) => `PASS ${name}`));
    expect(result.status).toBe(0);
  });

  it('leaves the files it wrote by FCB in the host folder, with their bytes', () => {
    expect(readdirSync(temp.dir).sort()).toEqual(['FCBDATA.DAT', 'FCBTEST.COM', 'HIDDEN.DAT']);
    const letters = 'AbCDEF';
    const expected = Buffer.from([...letters].map((c) => c.repeat(32)).join(''), 'latin1');
    expect(readFileSync(join(temp.dir, 'FCBDATA.DAT'))).toEqual(expected);
    expect(readFileSync(join(temp.dir, 'HIDDEN.DAT'))).toEqual(Buffer.alloc(128, 'H'));
  });

  it('runs again over the files of the first run (create truncates, rename and delete clean up)', () => {
    const again = run(temp.dir);
    expect(again.stdout).not.toContain('FAIL');
    expect(again.stdout.split(/\r?\n/).filter((l) => l.startsWith('PASS'))).toHaveLength(CHECKS.length);
    expect(again.status).toBe(0);
    expect(readdirSync(temp.dir).sort()).toEqual(['FCBDATA.DAT', 'FCBTEST.COM', 'HIDDEN.DAT']);
    expect(readFileSync(join(temp.dir, 'FCBDATA.DAT')).length).toBe(192);
  });
});
