/**
 * The VGA as a person sees it: our guest programs for each mode family (test/guests/video, described in its
 * README) run through the real `mvm run --screenshot`, and each picture must equal its golden PNG
 * (test/golden/video) pixel for pixel. The goldens were generated once by this test with
 * MVM_UPDATE_GOLDEN=1 and reviewed by eye against the README and QEMU's VGA (scripts/video-reference.sh).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../main/mvm/png.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUESTS = join(ROOT, 'test/guests/video');
const GOLDEN = join(ROOT, 'test/golden/video');
const UPDATE = process.env.MVM_UPDATE_GOLDEN === '1';
const out = mkdtempSync(join(tmpdir(), 'mvm-golden-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const programs = existsSync(GUESTS)
  ? readdirSync(GUESTS)
      .filter((f) => f.endsWith('.com') && f !== 'bootcom.com')
      .sort()
  : [];

describe('VGA pictures match their goldens', () => {
  it('has guest programs to check', () => {
    expect(programs.length).toBeGreaterThanOrEqual(7);
  });

  for (const program of programs) {
    const name = program.replace(/\.com$/, '');
    it(`${name}: the screen equals ${name}.png`, () => {
      const shot = join(out, `${name}.png`);
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/mvm.js'), 'run', '--drive', `C=${GUESTS}:ro`, '--timeout', '30', '--screenshot', shot, program.toUpperCase()], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const got = decodePng(readFileSync(shot));
      const golden = join(GOLDEN, `${name}.png`);
      if (UPDATE || !existsSync(golden)) {
        if (!UPDATE) throw new Error(`no golden ${golden}; run with MVM_UPDATE_GOLDEN=1 and review the picture`);
        writeFileSync(golden, readFileSync(shot));
        return;
      }
      const want = decodePng(readFileSync(golden));
      expect({ width: got.width, height: got.height }).toEqual({ width: want.width, height: want.height });
      let differing = 0;
      let first = -1;
      for (let i = 0; i < want.rgba.length; i += 4) {
        if (got.rgba[i] !== want.rgba[i] || got.rgba[i + 1] !== want.rgba[i + 1] || got.rgba[i + 2] !== want.rgba[i + 2]) {
          if (first < 0) first = i / 4;
          differing++;
        }
      }
      expect(differing, `first difference at (${first % want.width}, ${Math.floor(first / want.width)}); picture in ${shot}`).toBe(0);
    }, 60_000);
  }
});
