/**
 * Real DOS programs nobody here wrote, on DOSKRNL: FreeDOS's FreeCOM as the shell, and FIND, SORT, XCOPY,
 * DEBUG, FC and TREE. Nothing fetched is committed: point MVM_FREEDOS_BIN at a folder holding COMMAND.COM
 * (FreeCOM), FIND.COM, SORT.COM, XCOPY.EXE, DEBUG.COM, FC.EXE and TREE.COM (from a FreeDOS disk, e.g. `mcopy -i freedos.img
 * ::FREEDOS/BIN/FIND.COM .`). Without it the tests are skipped, saying so.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = process.env.MVM_FREEDOS_BIN ?? '';
const NEEDED = ['COMMAND.COM', 'FIND.COM', 'SORT.COM', 'XCOPY.EXE', 'DEBUG.COM', 'FC.EXE', 'TREE.COM'];
const present = BIN !== '' && NEEDED.every((f) => existsSync(join(BIN, f)));
if (!present) console.warn(`doskrnl-real-programs: skipped — set MVM_FREEDOS_BIN to a folder with ${NEEDED.join(', ')}`);

describe.skipIf(!present)('real DOS programs on DOSKRNL', { timeout: 120_000 }, () => {
  const t = tempDir();
  afterAll(() => t.remove());
  if (present) {
    for (const f of NEEDED) copyFileSync(join(BIN, f), join(t.dir, f));
    mkdirSync(join(t.dir, 'SRC', 'SUB'), { recursive: true });
    writeFileSync(join(t.dir, 'SRC', 'A.TXT'), 'hello one\r\n');
    writeFileSync(join(t.dir, 'SRC', 'SUB', 'B.TXT'), 'two\r\n');
    writeFileSync(join(t.dir, 'WORDS.TXT'), 'zebra\r\napple\r\nmango\r\n');
  }
  const mvm = (args: string[], input?: string) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/mvm.js'), 'run', '--timeout', '60', '--drive', `C=${t.dir}`, ...args], { encoding: 'utf8', input });

  it('runs FreeCOM as the shell: internal commands, DIR, an external program, EXIT', () => {
    const r = mvm(['COMMAND.COM'], 'ver\rdir /b\rfind "one" SRC\\A.TXT\rexit\r');
    expect(r.stdout).toContain('FreeCom version');
    expect(r.stdout).toContain('WORDS.TXT');
    expect(r.stdout).toContain('hello one');
    expect(r.status).toBe(0);
  });

  it('runs SORT as a filter and XCOPY /S copying a tree on the host folder', () => {
    expect(mvm(['COMMAND.COM', '/C', 'sort < WORDS.TXT']).stdout.split(/\r?\n/).filter(Boolean)).toEqual(['apple', 'mango', 'zebra']);
    const r = mvm(['XCOPY.EXE', 'SRC', 'DST', '/S', '/I']);
    expect(r.stdout).toContain('2 file(s) copied');
    expect(readFileSync(join(t.dir, 'DST', 'SUB', 'B.TXT'), 'latin1')).toBe('two\r\n');
  });

  it('runs FC (which tries long-file-name calls first and falls back) and TREE', () => {
    const same = mvm(['FC.EXE', 'WORDS.TXT', 'WORDS.TXT']);
    expect(same.stdout).toContain('No differences');
    const tree = mvm(['TREE.COM', '/F']);
    expect(tree.stdout).toContain('SRC');
    expect(tree.stdout).toContain('B.TXT');
  });

  it('runs DEBUG: dump memory and quit', () => {
    const r = mvm(['DEBUG.COM'], 'd 100 L10\rq\r');
    expect(r.stdout).toMatch(/[0-9A-F]{4}:0100 {2}/);
    expect(r.status).toBe(0);
  });
});
