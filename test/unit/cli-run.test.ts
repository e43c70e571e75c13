/**
 * `mvm run` end to end: the real CLI (bin/mvm.js) as a child process, a real VM process under it, DOSKRNL
 * running our guest programs from a host folder. Output, exit codes, and the distinct codes for a timeout
 * and a program that cannot run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUESTS = join(ROOT, 'test/guests/dos');
const temp = tempDir();
afterAll(() => temp.remove());
for (const name of ['hello.com', 'spin.com', 'mvmsvc.com', 'dosver.com', 'cstdio.com']) copyFileSync(join(GUESTS, name), join(temp.dir, name.toUpperCase()));

function mvm(args: string[], input?: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/mvm.js'), ...args], { encoding: 'utf8', timeout: 60_000, input });
}

describe('mvm run', { timeout: 60_000 }, () => {
  it('runs a .COM from a host folder, prints its output and returns its exit code', () => {
    const r = mvm(['run', '--drive', `C=${temp.dir}`, 'C:\\HELLO.COM']);
    expect(r.stdout).toBe('Hello from DOS on MVM\r\n');
    expect(r.status).toBe(42);
  });

  it("maps the program's own folder as C: when no drive is given", () => {
    const r = mvm(['run', join(temp.dir, 'HELLO.COM')]);
    expect(r.stdout).toContain('Hello from DOS on MVM');
    expect(r.status).toBe(42);
  });

  it('ends a program that runs too long with exit code 124 and says so', () => {
    const r = mvm(['run', '--timeout', '1', '--drive', `C=${temp.dir}`, 'SPIN.COM']);
    expect(r.status).toBe(124);
    expect(r.stderr).toContain('timeout after 1 s');
  });

  it('says why a program cannot run, with exit code 126', () => {
    const r = mvm(['run', '--drive', `C=${temp.dir}`, 'C:\\NOPE.COM']);
    expect(r.status).toBe(126);
    expect(r.stderr).toMatch(/NOPE\.COM/);
  });

  it('gives DOS programs the MVM services: query, clipboard, exit to host with a code', () => {
    const r = mvm(['run', '--drive', `C=${temp.dir}`, 'MVMSVC.COM']);
    expect(r.stdout).toBe('MVM services present\r\nclipboard: copied from DOS\r\n');
    expect(r.status).toBe(7);
  });

  it('keeps the guest inside its drive folder whatever path it names', () => {
    const r = mvm(['run', '--drive', `C=${temp.dir}`, 'COMMAND.COM', '/C', 'type ..\\..\\..\\etc\\passwd']);
    expect(r.stdout).not.toContain('root:');
    expect(r.stdout).toMatch(/File not found|Path not found/);
    const abs = mvm(['run', '--drive', `C=${temp.dir}`, 'COMMAND.COM', '/C', 'type /etc/passwd']);
    expect(abs.stdout).not.toContain('root:');
  });

  it('tells a program the DOS version DOS_VERSION names for it, and others the default', () => {
    const plain = mvm(['run', '--drive', `C=${temp.dir}`, 'DOSVER.COM']);
    expect([plain.stdout, plain.status]).toEqual(['DOS 5.00\r\n', 5]);
    const told = mvm(['run', '--setting', 'DOS_VERSION=OTHER.EXE,6,22\nDOSVER.COM,3,30,255', '--drive', `C=${temp.dir}`, 'DOSVER.COM']);
    expect([told.stdout, told.status]).toEqual(['DOS 3.30\r\n', 3]);
    const bad = mvm(['run', '--setting', 'DOS_VERSION=nonsense', '--drive', `C=${temp.dir}`, 'DOSVER.COM']);
    expect(bad.status).toBe(125);
    expect(bad.stderr).toContain('DOS_VERSION');
  });

  it("runs a C program built with bcc: its arguments, stdio on a host file, its return code", () => {
    const r = mvm(['run', '--drive', `C=${temp.dir}`, 'CSTDIO.COM', 'hello']);
    expect(r.stdout.split('\n').map((l) => l.trimEnd())).toEqual(['argc=2 argv1=hello', 'read: line 0', 'read: line 1', 'read: line 2', '']);
    expect(readFileSync(join(temp.dir, 'CSTDIO.TXT'), 'latin1')).toBe('line 0\nline 1\nline 2\n');
    expect(r.status).toBe(5);
  });

  it('refuses a drive that is not a folder', () => {
    const r = mvm(['run', '--drive', 'C=/nonexistent/folder', 'HELLO.COM']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not a folder');
  });
});
