/**
 * DOSKRNL's COMMAND shell through `mvm run` (the real CLI, a real VM process): batch files with
 * parameters, variables, IF/GOTO/FOR/CALL, redirection and pipes through our filter guest
 * (test/guests/dos/upcase.asm), internal commands on the host folder, and an interactive session fed on
 * stdin.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUESTS = join(ROOT, 'test/guests/dos');
let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
  for (const name of ['hello.com', 'upcase.com']) copyFileSync(join(GUESTS, name), join(t.dir, name.toUpperCase()));
});
afterEach(() => t.remove());

function bat(name: string, lines: string[]): void {
  writeFileSync(join(t.dir, name), lines.join('\r\n') + '\r\n');
}
function mvm(args: string[], input?: string) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/mvm.js'), 'run', '--drive', `C=${t.dir}`, ...args], { encoding: 'utf8', timeout: 60_000, input });
}
const lines = (s: string): string[] => s.split(/\r?\n/).map((l) => l.trimEnd());

describe('COMMAND shell', { timeout: 60_000 }, () => {
  it('runs a batch file with parameters, variables, IF ERRORLEVEL/EXIST/==, GOTO and FOR', () => {
    bat('T.BAT', [
      '@echo off',
      'echo start %1 %2',
      'set WHO=world',
      'echo hello %WHO%',
      'hello',
      'if errorlevel 42 echo level 42',
      'if not errorlevel 43 echo below 43',
      'if exist HELLO.COM echo found hello',
      'if not exist NOPE.TXT echo no nope',
      'if "%1"=="one" echo first is one',
      'goto later',
      'echo skipped',
      ':later',
      'for %%f in (*.COM) do echo com %%f',
      'shift',
      'echo after shift %1',
    ]);
    const r = mvm(['T.BAT', 'one', 'two']);
    expect(lines(r.stdout)).toEqual([
      'start one two',
      'hello world',
      'Hello from DOS on MVM',
      'level 42',
      'below 43',
      'found hello',
      'no nope',
      'first is one',
      'com HELLO.COM',
      'com UPCASE.COM',
      'after shift two',
      '',
    ]);
    expect(r.status).toBe(42); // the errorlevel the batch ended with
  });

  it('redirects output to files, appends, reads input from a file and pipes between programs', () => {
    bat('R.BAT', ['@echo off', 'echo first > OUT.TXT', 'echo second >> OUT.TXT', 'upcase < OUT.TXT > UP.TXT', 'echo piped words | upcase', 'type UP.TXT']);
    const r = mvm(['R.BAT']);
    expect(readFileSync(join(t.dir, 'OUT.TXT'), 'latin1')).toBe('first\r\nsecond\r\n');
    expect(readFileSync(join(t.dir, 'UP.TXT'), 'latin1')).toBe('FIRST\r\nSECOND\r\n');
    expect(lines(r.stdout)).toEqual(['PIPED WORDS', 'FIRST', 'SECOND', '']);
    expect(readFileSync(join(t.dir, 'OUT.TXT'), 'latin1')).not.toContain('PIPE');
    expect(existsSync(join(t.dir, 'R.BAT'))).toBe(true);
  });

  it('works on the host folder with MD, CD, COPY (incl. concatenation), REN, DEL, DIR and TYPE', () => {
    bat('F.BAT', [
      '@echo off',
      'md work',
      'cd work',
      'echo alpha > a.txt',
      'echo beta > b.txt',
      'copy a.txt+b.txt c.txt',
      'ren c.txt both.txt',
      'del a.txt',
      'dir /b',
      'type both.txt',
      'cd ..',
      'truename work\\both.txt',
    ]);
    const r = mvm(['F.BAT']);
    expect(readFileSync(join(t.dir, 'WORK', 'BOTH.TXT'), 'latin1')).toBe('alpha\r\nbeta\r\n');
    expect(existsSync(join(t.dir, 'WORK', 'A.TXT'))).toBe(false);
    expect(lines(r.stdout)).toEqual(['        1 file(s) copied', 'B.TXT', 'BOTH.TXT', 'alpha', 'beta', 'C:\\WORK\\BOTH.TXT', '']);
  });

  it('runs an interactive session fed on stdin: prompt, commands, programs, EXIT', () => {
    const r = mvm(['COMMAND.COM'], 'ver\r\nhello\r\nbogus\r\nexit\r\n');
    const out = r.stdout;
    expect(out).toContain('C:\\>ver');
    expect(out).toContain('MVM Desktop DOS version 5.00');
    expect(out).toContain('Hello from DOS on MVM');
    expect(out).toContain('Bad command or file name');
    expect(r.status).toBe(42); // the shell ends with the last program's return code
  });

  it('pages DIR /P a screenful at a time, waiting for a key', () => {
    for (let i = 0; i < 40; i++) writeFileSync(join(t.dir, `F${i}.TXT`), '');
    const r = mvm(['COMMAND.COM'], 'dir /p\r \rexit\r');
    expect(r.stdout.split('Press any key to continue . . .').length - 1).toBe(1);
    expect(r.stdout).toMatch(/F39 +TXT/);
    expect(r.stdout).toMatch(/42 file\(s\)/);
  });

  it('finds programs along PATH, .COM before .EXE before .BAT', () => {
    bat('HELLO.BAT', ['@echo the batch, not the program']);
    bat('P.BAT', ['@echo off', 'md bin', 'copy UPCASE.COM bin\\SHOUT.COM > NUL', 'set PATH=C:\\BIN', 'cd bin', 'cd \\', 'echo via path | shout', 'hello']);
    const r = mvm(['P.BAT']);
    expect(lines(r.stdout)).toEqual(['VIA PATH', 'Hello from DOS on MVM', '']);
  });
});
