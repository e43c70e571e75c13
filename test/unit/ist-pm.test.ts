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
import { describe } from 'vitest';

import { guestDir, qemuCaseTests } from '../support/com-guest.js';

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
  qemuCaseTests(guestDir('pm', 'pmtest.com', import.meta.url), 'pmtest.com', FAMILIES, { ramSize: RAM_SIZE });
});
