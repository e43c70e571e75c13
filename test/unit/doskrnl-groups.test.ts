/**
 * Our guest programs, one per group of INT 21h functions (test/guests/dos: files, dirs, memory, exec with
 * a .COM and an MZ .EXE child, console), each checking DOS 5's behaviour itself and printing PASS/FAIL
 * lines, run through the real CLI (bin/mvm.js run) in a fresh host folder. Exit code = failures.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUESTS = join(ROOT, 'test/guests/dos');

function runGuest(program: string, extra: string[] = [], input?: string): { pass: string[]; fail: string[]; status: number | null; stdout: string } {
  const t = tempDir();
  try {
    for (const f of [program, ...extra]) copyFileSync(join(GUESTS, f), join(t.dir, f.toUpperCase()));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/mvm.js'), 'run', '--timeout', '60', '--drive', `C=${t.dir}`, `C:\\${program.toUpperCase()}`], {
      encoding: 'utf8',
      timeout: 90_000,
      input: input ?? '',
    });
    const lines = r.stdout.split(/\r?\n/);
    return { pass: lines.filter((l) => l.startsWith('PASS ')), fail: lines.filter((l) => l.startsWith('FAIL ')), status: r.status, stdout: r.stdout };
  } finally {
    t.remove();
  }
}

describe('DOSKRNL against our own INT 21h test programs', { timeout: 120_000 }, () => {
  it('files.com: handle calls — create, write, seek, read, access modes, dup, attributes, times, errors', () => {
    const r = runGuest('files.com');
    expect(r.fail).toEqual([]);
    expect(r.pass.length).toBeGreaterThan(20);
    expect(r.status).toBe(0);
  });

  it('dirs.com: directories, drives, find first/next, DTA, rename, truename, free space', () => {
    const r = runGuest('dirs.com');
    expect(r.fail).toEqual([]);
    expect(r.pass.length).toBeGreaterThan(20);
    expect(r.status).toBe(0);
  });

  it('memory.com: the MCB arena — allocate, resize, free, strategies, the chain from the List of Lists', () => {
    const r = runGuest('memory.com');
    expect(r.fail).toEqual([]);
    expect(r.pass.length).toBeGreaterThan(10);
    expect(r.status).toBe(0);
  });

  it('exec.com: EXEC of a .COM and a relocated MZ .EXE, tails, environments, return codes, inherited handles', () => {
    const r = runGuest('exec.com', ['child.com', 'childexe.exe']);
    expect(r.fail).toEqual([]);
    expect(r.pass.length).toBeGreaterThan(10);
    expect(r.status).toBe(0);
  });

  it('console.com: console I/O from stdin, device information, version, date/time, country, vectors, FCB parse', () => {
    const r = runGuest('console.com', [], 'abc\r\nxyz\r\n');
    expect(r.fail).toEqual([]);
    expect(r.pass.length).toBeGreaterThan(20);
    expect(r.status).toBe(0);
  });
});
