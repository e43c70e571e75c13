/**
 * Real protected-mode DOS software nobody here wrote, through VDPMI and through the extenders' own hosts on
 * our protected mode. Nothing fetched is committed: point MVM_DOS_EXTENDERS at a folder holding
 * - RESUTIL.EXE and DOS4GW.EXE: a Watcom C/C++16 program on Rational's DOS/4GW 1.97 (from the Birthright
 *   source release), which compresses a file into a resource file, lists and extracts it;
 * - MBRMACRO.EXE and CWSDPMI.EXE: a Free Pascal go32v2 program (DJGPP stub) and CWSDPMI r4.
 * Each runs twice: with VDPMI (the extender finds our DPMI host) and with DPMI_MEMORY_LIMIT=0 (DOS/4G runs
 * its own host in raw/XMS mode, the DJGPP stub loads CWSDPMI: their ring 0, IDT and paging on our CPU).
 * Both must give the same bytes (DOSBox 0.74 writes the same resource file too, checked by hand). Without the folder the tests are skipped, saying so.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync as copy, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = process.env.MVM_DOS_EXTENDERS ?? '';
const has = (...files: string[]): boolean => DIR !== '' && files.every((f) => existsSync(join(DIR, f)));
const dos4gw = has('RESUTIL.EXE', 'DOS4GW.EXE');
const djgpp = has('MBRMACRO.EXE', 'CWSDPMI.EXE');
if (!dos4gw && !djgpp) console.warn('dos-extenders: skipped — set MVM_DOS_EXTENDERS to a folder with RESUTIL.EXE + DOS4GW.EXE and/or MBRMACRO.EXE + CWSDPMI.EXE');

/** 5000 bytes of text to compress (deterministic). */
const TEXT = Array.from({ length: 100 }, (_, i) => `line ${i} of the resource test: protected mode on MVM Desktop\r\n`).join('').slice(0, 5000);

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

describe.skipIf(!dos4gw && !djgpp)('real DOS extender programs', { timeout: 120_000 }, () => {
  const t = tempDir();
  afterAll(() => t.remove());
  const mvm = (dir: string, args: string[], dpmi: boolean) =>
    spawnSync(process.execPath, [join(ROOT, 'bin/mvm.js'), 'run', '--timeout', '60', ...(dpmi ? [] : ['--setting', 'DPMI_MEMORY_LIMIT=0']), '--drive', `C=${dir}`, ...args], {
      encoding: 'latin1',
    });

  it.skipIf(!dos4gw)('DOS/4GW: RESUTIL compresses, lists and extracts a file, the same on VDPMI and on DOS/4G\'s own host', () => {
    const results: string[] = [];
    for (const dpmi of [true, false]) {
      const dir = join(t.dir, dpmi ? 'vdpmi' : 'raw');
      mkdirSync(dir, { recursive: true });
      for (const f of ['RESUTIL.EXE', 'DOS4GW.EXE']) copy(join(DIR, f), join(dir, f));
      writeFileSync(join(dir, 'TEXT.TXT'), TEXT);
      const add = mvm(dir, ['RESUTIL.EXE', 'TEST.RES', '+', 'TEXT.TXT'], dpmi);
      expect(add.stdout).toContain('DOS/4G Protected Mode Run-time');
      expect(add.stdout).toMatch(/Writing \d+ COMPRESSED bytes/);
      expect(add.status).toBe(0);
      const list = mvm(dir, ['RESUTIL.EXE', 'TEST.RES', 'l'], dpmi);
      expect(list.stdout).toMatch(/0\s+TEXT\.TXT/);
      writeFileSync(join(dir, 'TEXT.TXT'), '');
      const extract = mvm(dir, ['RESUTIL.EXE', 'TEST.RES', 'e', 'TEXT.TXT'], dpmi);
      expect(extract.status).toBe(0);
      expect(readFileSync(join(dir, 'TEXT.TXT'), 'latin1')).toBe(TEXT);
      results.push(md5(readFileSync(join(dir, 'TEST.RES'))));
    }
    expect(results[0]).toBe(results[1]);
  });

  it.skipIf(!djgpp)('DJGPP: MBRMACRO (Free Pascal, go32v2) starts on VDPMI and on CWSDPMI and prints its banner', () => {
    for (const dpmi of [true, false]) {
      const dir = join(t.dir, dpmi ? 'go32-vdpmi' : 'go32-cwsdpmi');
      mkdirSync(dir, { recursive: true });
      for (const f of ['MBRMACRO.EXE', 'CWSDPMI.EXE']) copy(join(DIR, f), join(dir, f));
      const r = mvm(dir, ['MBRMACRO.EXE'], dpmi);
      expect(r.stdout, dpmi ? 'VDPMI' : 'CWSDPMI').toContain('MBR Macro  Version 1.1');
      expect(r.status).toBe(0);
    }
  });
});
