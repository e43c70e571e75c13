/**
 * VDPMI, the DPMI 0.9 host: our own clients (test/guests/dpmi) run through the real CLI (`mvm run`) as DOS
 * programs — a 16-bit client and a 32-bit one built from the same source, each checking detection, the mode
 * switch, every INT 31h family, reflection of software interrupts and IRQ 0, real-mode calls and callbacks,
 * exception handlers and the virtual interrupt flag, and printing PASS/FAIL lines (test/guests/dpmi/README.md).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const drive = mkdtempSync(join(tmpdir(), 'mvm-dpmi-guest-'));
for (const f of ['dpmitest.com', 'dpmi32.com', 'gpnest.com']) copyFileSync(join(ROOT, 'test', 'guests', 'dpmi', f), join(drive, f.toUpperCase()));

function run(program: string, settings: string[] = []): { status: number | null; stdout: string; passed: string[]; failed: string[] } {
  const r = spawnSync(process.execPath, ['bin/mvm.js', 'run', '--timeout', '60', ...settings.flatMap((s) => ['--setting', s]), '--drive', 'C=' + drive, 'C:\\' + program], {
    cwd: ROOT,
    input: '',
    encoding: 'latin1',
    timeout: 120_000,
  });
  const lines = r.stdout.split(/\r?\n|\r/).map((l) => l.trim());
  return {
    status: r.status,
    stdout: r.stdout,
    passed: lines.filter((l) => l.startsWith('PASS ')).map((l) => l.slice(5)),
    failed: lines.filter((l) => l.startsWith('FAIL ')),
  };
}

describe('VDPMI with our own DPMI clients', { timeout: 120_000 }, () => {
  afterAll(() => rmSync(drive, { recursive: true, force: true }));

  it.each([
    ['DPMITEST.COM', '16-bit'],
    ['DPMI32.COM', '32-bit'],
  ])('%s, a %s client, passes every check and ends from protected mode with exit code 0', (program) => {
    const r = run(program);
    expect(r.failed, r.stdout).toEqual([]);
    for (const name of ['detect-1687h', 'enter-pm', 'alloc-0501h', 'simulate-int-0300h', 'callback-called', 'exc-gp-bad-selector', 'irq0-pm-handler']) {
      expect(r.passed, name).toContain(name);
    }
    expect(r.passed.length).toBeGreaterThanOrEqual(75);
    expect(r.status).toBe(0);
  });

  it('is absent when DPMI_MEMORY_LIMIT is 0: INT 2Fh 1687h goes unanswered', () => {
    const r = run('DPMITEST.COM', ['DPMI_MEMORY_LIMIT=0']);
    expect(r.failed.join('\n')).toContain('no DPMI host');
    expect(r.status).toBe(1);
  });

  it('ends a client whose exception handler faults again, with a message, instead of looping', () => {
    const r = run('GPNEST.COM');
    expect(r.stdout).toContain('overflowed the exception stack');
    expect(r.status).toBe(255);
  });
});
