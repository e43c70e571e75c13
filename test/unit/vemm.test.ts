/**
 * VEMM, expanded memory (LIM EMS 4.0) behind INT 67h: test/guests/ems/emstest.com run through the real CLI
 * (`mvm run`), checking each group of functions as a DOS program uses them and printing `PASS name` /
 * `FAIL name detail`; and focused checks on a whole PC in the test's process: the vector and the EMMXXXX0
 * name, the settings (no EMS, the frame's location), and the error statuses.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PageKind } from '../../main/ist/ist.js';
import type { CpuRegisters, PropertyValue } from '../../main/vmm/vdh.js';
import vemm from '../../vdd/vemm/vemm.js';
import { STANDARD_MODULES, testPc, type TestPc } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMSTEST = join(ROOT, 'test', 'guests', 'ems', 'emstest.com');

/** `mvm run C:\EMSTEST.COM` in a fresh drive folder; the PASS/FAIL lines and the exit code. */
function runEmstest(settings: string[] = []): { status: number | null; output: string; passed: string[]; failed: string[] } {
  const drive = mkdtempSync(join(tmpdir(), 'mvm-vemm-'));
  try {
    copyFileSync(EMSTEST, join(drive, 'EMSTEST.COM'));
    const args = ['bin/mvm.js', 'run', ...settings.flatMap((s) => ['--setting', s]), '--drive', 'C=' + drive, 'C:\\EMSTEST.COM'];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, input: '', encoding: 'utf8', timeout: 60_000 });
    const lines = r.stdout.split(/\r?\n|\r/).map((l) => l.trim());
    return {
      status: r.status,
      output: r.stdout + r.stderr,
      passed: lines.filter((l) => l.startsWith('PASS ')).map((l) => l.slice(5)),
      failed: lines.filter((l) => l.startsWith('FAIL ')),
    };
  } finally {
    rmSync(drive, { recursive: true, force: true });
  }
}

const CHECKS = [
  'detect', 'device', 'status', 'version', 'frame', 'pages', 'alloc', 'alloc-count', 'handle-pages', 'fill', 'remap-verify',
  'unmap', 'bad-physical', 'bad-logical', 'too-many-pages', 'map-save-restore-4E', 'map-save-restore-47',
  'map-multiple', 'map-multiple-seg', 'move-conv-to-ems', 'move-ems-to-conv', 'exchange', 'name-set', 'name-get',
  'name-search', 'handle-directory', 'handle-count', 'dealloc', 'dealloc-count', 'bad-handle',
];

describe('emstest.com: INT 67h as a DOS program uses it', () => {
  let run: ReturnType<typeof runEmstest>;
  beforeAll(() => {
    run = runEmstest();
  });

  it('passes every check and exits 0', () => {
    expect(run.failed, run.output).toEqual([]);
    expect(run.passed).toEqual(CHECKS);
    expect(run.status).toBe(0);
  });

  it('finds no driver when EMS_MEMORY_LIMIT is 0', () => {
    const off = runEmstest(['EMS_MEMORY_LIMIT=0']);
    expect(off.failed).toEqual([expect.stringMatching(/^FAIL detect /)]);
    expect(off.status).toBe(1);
  });
});

// ------------------------------------------------------------------------------------ on a test PC

const SEG = 0x1000;
const CODE = SEG * 16 + 0x100;

/** A PC with VEMM after POST (no disks: the boot fails and it idles). */
function emsPc(settings: Record<string, PropertyValue> = {}): TestPc {
  const pc = testPc({ settings }, [...STANDARD_MODULES, vemm]);
  expect(pc.runUntil(() => pc.events.some((e) => e.topic === 'boot-failed'))).toBe(true);
  return pc;
}

/** Call INT 67h with `regs` (`int 67h ; cli ; hlt` at 1000:0100) and return the registers after it. */
function int67(pc: TestPc, regs: Partial<CpuRegisters>): CpuRegisters {
  const code = [0xcd, 0x67, 0xfa, 0xf4];
  pc.vm.machine.ram.set(code, CODE);
  pc.vm.cpu.memoryChanged(CODE, code.length);
  pc.vm.resetCpu(); // out of the idle HLT; the registers below replace the reset vector
  pc.vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x202, ...regs });
  pc.runUntil(() => false, 200_000);
  const r = pc.vm.cpu.getRegisters();
  expect(r.eip & 0xffff).toBe(0x104); // halted after the call
  return r;
}

const ah = (r: CpuRegisters): number => (r.eax >> 8) & 0xff;
const vector67 = (pc: TestPc): [number, number] => {
  const ram = pc.vm.machine.ram;
  const w = (a: number) => ram[a] | (ram[a + 1] << 8);
  return [w(0x67 * 4 + 2), w(0x67 * 4)];
};
const text = (pc: TestPc, addr: number, n: number): string => String.fromCharCode(...pc.vm.machine.ram.subarray(addr, addr + n));

describe('VEMM on a PC', () => {
  it('points vector 67h at the ROM stub, whose segment has "EMMXXXX0" at 000Ah, and puts the frame at D000h', () => {
    const pc = emsPc();
    const [segment, offset] = vector67(pc);
    expect([segment, offset]).toEqual([0xfe02, 0x0012]);
    expect(text(pc, segment * 16 + 0x0a, 8)).toBe('EMMXXXX0');
    const r = int67(pc, { eax: 0x4100 });
    expect([ah(r), r.ebx & 0xffff]).toEqual([0, 0xd000]);
    const pages = int67(pc, { eax: 0x4200 });
    expect([ah(pages), pages.ebx & 0xffff, pages.edx & 0xffff]).toEqual([0, 128, 128]); // 2048 KB
    expect(pc.vm.machine.memory.pageKind[0xd0000 >> 12]).not.toBe(PageKind.Mmio);
  });

  it('leaves vector 67h as it was with EMS_MEMORY_LIMIT=0 or EMS_FRAME_LOCATION=NONE', () => {
    const plain = testPc();
    expect(plain.runUntil(() => plain.events.some((e) => e.topic === 'boot-failed'))).toBe(true);
    const before = vector67(plain);
    expect(vector67(emsPc({ EMS_MEMORY_LIMIT: 0 }))).toEqual(before);
    expect(vector67(emsPc({ EMS_FRAME_LOCATION: 'NONE' }))).toEqual(before);
  });

  it('honours EMS_FRAME_LOCATION (C800) and refuses a frame over the video BIOS (C000)', () => {
    const pc = emsPc({ EMS_FRAME_LOCATION: 'C800' });
    const r = int67(pc, { eax: 0x4100 });
    expect([ah(r), r.ebx & 0xffff]).toEqual([0, 0xc800]);
    const map = int67(pc, { eax: 0x5800, edi: 0x2000 });
    expect([ah(map), map.ecx & 0xffff]).toEqual([0, 4]);
    const a = SEG * 16 + 0x2000;
    expect([...pc.vm.machine.ram.subarray(a, a + 16)]).toEqual([0x00, 0xc8, 0, 0, 0x00, 0xcc, 1, 0, 0x00, 0xd0, 2, 0, 0x00, 0xd4, 3, 0]);

    const over = emsPc({ EMS_FRAME_LOCATION: 'C000' });
    expect(vector67(over)).not.toEqual([0xfe02, 0x0012]);
  });

  it('refuses more pages than the limit (87h) or than are free (88h)', () => {
    const pc = emsPc({ EMS_MEMORY_LIMIT: 64 }); // 4 pages
    expect(ah(int67(pc, { eax: 0x4300, ebx: 5 }))).toBe(0x87);
    const first = int67(pc, { eax: 0x4300, ebx: 3 });
    expect(ah(first)).toBe(0);
    expect(ah(int67(pc, { eax: 0x4300, ebx: 2 }))).toBe(0x88);
    const pages = int67(pc, { eax: 0x4200 });
    expect([pages.ebx & 0xffff, pages.edx & 0xffff]).toEqual([1, 4]);
    expect(ah(int67(pc, { eax: 0x5100, edx: first.edx & 0xffff, ebx: 5 }))).toBe(0x87);
    expect(ah(int67(pc, { eax: 0x4300, ebx: 0 }))).toBe(0x89);
  });

  it('answers 83h for a handle that is not open, 84h for an unsupported function', () => {
    const pc = emsPc();
    expect(ah(int67(pc, { eax: 0x4c00, edx: 0x1234 }))).toBe(0x83);
    expect(ah(int67(pc, { eax: 0x4500, edx: 7 }))).toBe(0x83);
    expect(ah(int67(pc, { eax: 0x4400, ebx: 0, edx: 9 }))).toBe(0x83);
    expect(ah(int67(pc, { eax: 0x5b00 }))).toBe(0x84);
    expect(ah(int67(pc, { eax: 0x4e07 }))).toBe(0x8f);
  });

  it('keeps a logical page mapped into two physical pages coherent: a write through one reads through the other', () => {
    const pc = emsPc();
    const h = int67(pc, { eax: 0x4300, ebx: 2 }).edx & 0xffff;
    expect(ah(int67(pc, { eax: 0x4400, ebx: 0, edx: h }))).toBe(0); // logical 0 -> physical 0
    pc.vm.machine.ram.set([9, 8, 7], 0xd0010); // written while physical 0 is plain RAM
    expect(ah(int67(pc, { eax: 0x4401, ebx: 0, edx: h }))).toBe(0); // logical 0 -> physical 1 as well
    const read = (a: number): number => pc.host.readGuest(a, 1)[0];
    expect([read(0xd4010), read(0xd4011), read(0xd4012)]).toEqual([9, 8, 7]);
    pc.host.writeGuest(0xd4020, Uint8Array.of(0x55)); // through physical 1 ...
    expect(read(0xd0020)).toBe(0x55); // ... seen through physical 0
    // The alias ends: physical 1 gets logical 1; physical 0 is plain RAM again and keeps logical 0's bytes.
    expect(ah(int67(pc, { eax: 0x4401, ebx: 1, edx: h }))).toBe(0);
    expect(pc.vm.machine.ram[0xd0020]).toBe(0x55);
    expect(pc.vm.machine.ram[0xd4020]).toBe(0);
    expect(pc.vm.machine.pageKind[0xd0]).toBe(0); // PageKind.Ram: the CPU's fast path again
  });

  it('copies a logical page out of the frame when another is mapped, and back in', () => {
    const pc = emsPc();
    const h = int67(pc, { eax: 0x4300, ebx: 2 }).edx & 0xffff;
    expect(ah(int67(pc, { eax: 0x4400, ebx: 0, edx: h }))).toBe(0);
    pc.vm.machine.ram.set([1, 2, 3, 4], 0xd0000 + 0x3ffc);
    expect(ah(int67(pc, { eax: 0x4400, ebx: 1, edx: h }))).toBe(0);
    expect([...pc.vm.machine.ram.subarray(0xd3ffc, 0xd4000)]).toEqual([0, 0, 0, 0]);
    expect(ah(int67(pc, { eax: 0x4400, ebx: 0, edx: h }))).toBe(0);
    expect([...pc.vm.machine.ram.subarray(0xd3ffc, 0xd4000)]).toEqual([1, 2, 3, 4]);
  });
});
