/**
 * 386 protected mode in the IST against an independent oracle, QEMU.
 *
 * test/guests/pm/pmtest.com starts in real mode, builds its own GDT, LDTs, IDT, TSSs and page tables,
 * enters protected mode and runs several hundred small cases (segment loads and descriptor checks, 16- and
 * 32-bit code segments, far transfers and call gates, interrupt and trap gates, exceptions and their error
 * codes, privilege changes, LAR/LSL/VERR/VERW/ARPL and the system-register stores, task switches, V86
 * mode, paging, the I/O permission bitmap), returns to real mode (unreal mode) and prints one line per
 * case. expected.txt is the same program's output under qemu-system-i386 TCG (test/guests/pm/README.md
 * says how it was made and what is left out because QEMU is no oracle for it). Here the guest runs on our
 * CPU (model 80386) behind a plain RAM bus, and every case must print exactly what QEMU printed; a
 * mismatch names the case and the fields.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { endLine, guestDir, mismatches, parseCases, runComGuest, type GuestRun } from '../support/com-guest.js';

/** 4 MiB: the unreal case reaches 280000h (QEMU runs with 16 MiB). */
const RAM_SIZE = 0x400000;

/** Case families by name prefix, one test each, so a failure points at the behaviour that broke. */
const FAMILIES: [string, RegExp][] = [
  ['loads segment registers with the null, limit, presence, type and privilege checks and sets accessed bits', /^seg\./],
  ['follows the D bit of code segments and the B bit of stack segments for operand, address and stack sizes', /^code\./],
  ['transfers far through code segments, conforming segments and call gates, copying parameters across rings', /^far\./],
  ['delivers INT n through 16- and 32-bit interrupt and trap gates, with the gate and IDT checks', /^int\./],
  ['raises exceptions with their error codes and the faulting or next EIP', /^exc\./],
  ['returns to outer rings with IRET, nulling data segments, and keeps IOPL and IF from less privileged code', /^ring\./],
  ['answers LAR, LSL, VERR, VERW, ARPL and the descriptor-table register instructions, and marks LTR busy', /^sys\./],
  ['switches tasks through TSS descriptors and task gates, with busy bits, back links and saved state', /^task\./],
  ['runs V86 mode with its IOPL-sensitive instructions, its ring-0 frame and the I/O bitmap', /^v86\./],
  ['translates through page tables with accessed and dirty bits and #PF error codes', /^pf\./],
  ['checks the I/O permission bitmap when CPL > IOPL', /^io\./],
  ['keeps a 4 GiB segment limit after returning to real mode', /^unreal\./],
];

describe('80386 protected mode against QEMU (test/guests/pm)', () => {
  const dir = guestDir('pm', 'pmtest.com', import.meta.url);
  const expected = parseCases(readFileSync(join(dir, 'expected.txt'), 'latin1'));
  let run: GuestRun;
  let actual: Map<string, string>;

  beforeAll(() => {
    run = runComGuest(readFileSync(join(dir, 'pmtest.com')), { ramSize: RAM_SIZE });
    actual = parseCases(run.output);
  });

  it('runs the whole guest and prints a line for every case QEMU printed', () => {
    expect(run.fault).toBeNull();
    expect(run.exitCode).toBe(0);
    expect(run.output.split(/\r?\n/).find((l) => l.startsWith('end '))).toBe(endLine(expected.size));
    expect([...actual.keys()]).toEqual([...expected.keys()]);
  });

  it('files every case under one of the behaviours below', () => {
    const orphans = [...expected.keys()].filter((name) => !FAMILIES.some(([, re]) => re.test(name)));
    expect(orphans).toEqual([]);
  });

  for (const [title, re] of FAMILIES) {
    it(title, () => {
      const names = [...expected.keys()].filter((name) => re.test(name));
      expect(names.length).toBeGreaterThan(0);
      expect(mismatches(names, expected, actual)).toEqual([]);
    });
  }
});
