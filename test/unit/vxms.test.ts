/**
 * VXMS, the XMS 3.0 driver: test/guests/xms/xmstest.com run through the real CLI (`mvm run`) as a DOS program
 * meets the driver, and focused checks on a PC of our own (no DOS): INT 2Fh 4300h/4310h, the limits of the
 * memory and the handles, the move's checks, the settings and their bounds.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CpuRegisters, PropertyValue } from '../../main/vmm/vdh.js';
import vxms from '../../vdd/vxms/vxms.js';
import { STANDARD_MODULES, testPc, type TestPc } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEG = 0x1000;
const CODE = SEG * 16 + 0x100;
/** Where a test puts a move structure (DS:SI = 1000:0200). */
const MOVE = SEG * 16 + 0x200;

describe('xmstest.com under DOSKRNL', () => {
  let run: { status: number | null; stdout: string; stderr: string; passed: string[]; failed: string[] };
  beforeAll(() => {
    const drive = mkdtempSync(join(tmpdir(), 'mvm-xms-guest-'));
    try {
      copyFileSync(join(ROOT, 'test', 'guests', 'xms', 'xmstest.com'), join(drive, 'XMSTEST.COM'));
      const r = spawnSync(process.execPath, ['bin/mvm.js', 'run', '--drive', 'C=' + drive, 'C:\\XMSTEST.COM'], {
        cwd: ROOT,
        input: '',
        encoding: 'utf8',
        timeout: 120_000,
      });
      const lines = r.stdout.split(/\r?\n|\r/).map((l) => l.trim());
      run = {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        passed: lines.filter((l) => l.startsWith('PASS ')).map((l) => l.slice(5)),
        failed: lines.filter((l) => l.startsWith('FAIL ')),
      };
    } finally {
      rmSync(drive, { recursive: true, force: true });
    }
  }, 180_000);

  it('finds the driver, moves a pattern through two blocks and back, locks, frees, and drives the HMA and A20', () => {
    expect(run.failed, run.stdout + run.stderr).toEqual([]);
    expect(run.passed).toEqual([
      'detect-4300h', 'entry-4310h', 'version-0300', 'version-hma-exists', 'query-free', 'alloc-block-1', 'alloc-block-2',
      'handles-distinct', 'free-after-alloc', 'move-conv-to-emb', 'move-emb-to-emb', 'move-emb-to-conv', 'move-compare',
      'move-odd-length', 'move-past-end', 'move-bad-source-handle', 'lock', 'lock-above-hma', 'handle-info',
      'free-locked-refused', 'unlock', 'unlock-not-locked', 'free-block-1', 'realloc-grow', 'realloc-move-back',
      'realloc-keeps-data', 'free-block-2', 'free-twice-refused', 'free-restored', 'query-free-88h', 'alloc-89h',
      'handle-info-8Eh', 'free-89h-block', 'umb-largest', 'hma-request', 'hma-in-use', 'hma-release', 'hma-release-twice',
      'a20-global-enable', 'a20-query-on', 'a20-on-no-wrap', 'a20-global-disable', 'a20-query-off', 'a20-off-wraps',
      'a20-local-enable', 'a20-local-enable-2', 'a20-local-disable-still-on', 'a20-local-no-wrap', 'a20-local-disable',
      'a20-local-off-wraps',
    ]);
    expect(run.stdout).toContain('INFO entry F000 E017');
    expect(run.stdout).toContain('INFO lock-address 0011 0000'); // the first block starts above the HMA
    expect(run.stdout).toContain('INFO umb-largest 0000 1000'); // E000h-EFFFh: the EMS page frame is at D000h
    expect(run.status).toBe(0);
  });
});

/** A PC with VXMS after POST (no disks: the boot fails and it idles). */
function start(settings: Record<string, PropertyValue> = {}, ramSize?: number): TestPc {
  const pc = testPc({ settings, ramSize }, [...STANDARD_MODULES, vxms]);
  expect(pc.runUntil(() => pc.events.some((e) => e.topic === 'boot-failed'))).toBe(true);
  return pc;
}

/** Run `code` (then CLI; HLT) at 1000:0100 with `regs`; returns the registers at the HLT. */
function exec(pc: TestPc, code: number[], regs: Partial<CpuRegisters> = {}): CpuRegisters {
  const bytes = [...code, 0xfa, 0xf4];
  pc.vm.machine.ram.set(bytes, CODE);
  pc.vm.cpu.memoryChanged(CODE, bytes.length);
  pc.vm.resetCpu();
  pc.vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x202, ...regs });
  const end = 0x100 + bytes.length;
  expect(pc.runUntil(() => pc.vm.cpu.getRegisters().eip === end)).toBe(true);
  return pc.vm.cpu.getRegisters();
}

const int2f = (pc: TestPc, ax: number) => exec(pc, [0xcd, 0x2f], { eax: ax, ebx: 0 });

/** Call the XMS entry (F000:E017h) with AH = fn and the other registers as given. */
function xms(pc: TestPc, fn: number, regs: Partial<CpuRegisters> = {}): { ax: number; bl: number; r: CpuRegisters } {
  const r = exec(pc, [0x9a, 0x17, 0xe0, 0x00, 0xf0], { ebx: 0, ...regs, eax: fn << 8 });
  return { ax: r.eax & 0xffff, bl: r.ebx & 0xff, r };
}

const state = (pc: TestPc) => pc.host.request('VXMS', 1) as { poolKb: number; free: { start: number; size: number }[]; handles: number; hmaUsed: boolean };

/** Write a move structure at 1000:0200. */
function moveStruct(pc: TestPc, length: number, srcHandle: number, srcOffset: number, dstHandle: number, dstOffset: number): void {
  const b = new DataView(new ArrayBuffer(16));
  b.setUint32(0, length, true);
  b.setUint16(4, srcHandle, true);
  b.setUint32(6, srcOffset, true);
  b.setUint16(10, dstHandle, true);
  b.setUint32(12, dstOffset, true);
  pc.vm.machine.ram.set(new Uint8Array(b.buffer), MOVE);
}

describe('VXMS: INT 2Fh and the entry', () => {
  it('answers 4300h with AL=80h and 4310h with the ROM entry F000:E017h; other functions go to the vector', () => {
    const pc = start();
    expect(int2f(pc, 0x4300).eax & 0xff).toBe(0x80);
    const r = int2f(pc, 0x4310);
    expect([r.es, r.ebx & 0xffff]).toEqual([0xf000, 0xe017]);
    expect(int2f(pc, 0x4309).eax & 0xffff).toBe(0x4309); // the handle table: not answered
    const v = xms(pc, 0x00);
    expect([v.ax, v.r.edx & 0xffff]).toEqual([0x0300, 1]);
  });

  it('makes INT 15h AH=88h report no extended memory while it owns it, as HIMEM does', () => {
    const int15 = (pc: TestPc) => exec(pc, [0xcd, 0x15], { eax: 0x8800 }).eax & 0xffff;
    expect(int15(start())).toBe(0);
    expect(int15(start({ XMS_MEMORY_LIMIT: 0 }))).toBe((16 * 1024 * 1024 - 0x100000) / 1024); // the BIOS's answer
  });

  it('is absent with XMS_MEMORY_LIMIT=0: 4300h is not answered and the entry says "not implemented"', () => {
    const pc = start({ XMS_MEMORY_LIMIT: 0 });
    expect(int2f(pc, 0x4300).eax & 0xff).toBe(0x00);
    expect(int2f(pc, 0x4310).es).not.toBe(0xf000);
    expect(xms(pc, 0x00)).toMatchObject({ ax: 0, bl: 0x80 });
  });

  it('answers an unknown function with BL=80h, FFFFh paragraphs of UMB with B0h and a segment it never gave with B2h', () => {
    const pc = start();
    expect(xms(pc, 0x13)).toMatchObject({ ax: 0, bl: 0x80 });
    const umb = xms(pc, 0x10, { edx: 0xffff });
    expect([umb.ax, umb.bl, umb.r.edx & 0xffff]).toEqual([0, 0xb0, 0x2800]); // C800h-EFFFh: no EMS here
    expect(xms(pc, 0x11, { edx: 0xd000 })).toMatchObject({ ax: 0, bl: 0xb2 });
    expect(xms(pc, 0x12, { edx: 0xd000, ebx: 1 })).toMatchObject({ ax: 0, bl: 0xb2 });
  });
});

describe('VXMS: extended memory blocks', () => {
  it('refuses an allocation beyond XMS_MEMORY_LIMIT with BL=A0h', () => {
    const pc = start({ XMS_MEMORY_LIMIT: 1024 });
    const q = xms(pc, 0x08);
    expect([q.ax, q.r.edx & 0xffff]).toEqual([1024, 1024]);
    expect(xms(pc, 0x09, { edx: 1025 })).toMatchObject({ ax: 0, bl: 0xa0 });
    expect(xms(pc, 0x09, { edx: 1024 }).ax).toBe(1);
    expect(xms(pc, 0x09, { edx: 1 })).toMatchObject({ ax: 0, bl: 0xa0 });
    expect(xms(pc, 0x08)).toMatchObject({ ax: 0, bl: 0xa0 });
  });

  it('caps the memory at the RAM: 2 MiB leaves 2048 - 1088 = 960 KB', () => {
    const pc = start({}, 2 * 1024 * 1024);
    const q = xms(pc, 0x08);
    expect([q.ax, q.r.edx & 0xffff]).toEqual([960, 960]);
  });

  it('refuses a handle past XMS_HANDLES with BL=A1h, and reuses a freed one', () => {
    const pc = start({ XMS_HANDLES: 2 });
    const h1 = xms(pc, 0x09, { edx: 4 });
    const h2 = xms(pc, 0x09, { edx: 4 });
    expect([h1.ax, h2.ax]).toEqual([1, 1]);
    expect(xms(pc, 0x09, { edx: 4 })).toMatchObject({ ax: 0, bl: 0xa1 });
    const info = xms(pc, 0x0e, { edx: h1.r.edx & 0xffff });
    expect([(info.r.ebx >> 8) & 0xff, info.bl, info.r.edx & 0xffff]).toEqual([0, 0, 4]); // no locks, no free handles, 4 KB
    expect(xms(pc, 0x0a, { edx: h1.r.edx & 0xffff }).ax).toBe(1);
    expect(xms(pc, 0x09, { edx: 4 }).ax).toBe(1);
    expect(xms(pc, 0x0a, { edx: 0x1234 })).toMatchObject({ ax: 0, bl: 0xa2 });
  });

  it('checks a move: odd length A7h, past the block A7h, bad handles A3h/A5h, offset past the end A4h', () => {
    const pc = start();
    const h = xms(pc, 0x09, { edx: 1 }).r.edx & 0xffff;
    const move = (...args: [number, number, number, number, number]) => {
      moveStruct(pc, ...args);
      return xms(pc, 0x0b, { esi: 0x200 });
    };
    expect(move(3, 0, SEG << 16, h, 0)).toMatchObject({ ax: 0, bl: 0xa7 });
    expect(move(1026, 0, SEG << 16, h, 0)).toMatchObject({ ax: 0, bl: 0xa7 });
    expect(move(2, 0x99, 0, h, 0)).toMatchObject({ ax: 0, bl: 0xa3 });
    expect(move(2, h, 0, 0x99, 0)).toMatchObject({ ax: 0, bl: 0xa5 });
    expect(move(2, h, 2048, 0, SEG << 16)).toMatchObject({ ax: 0, bl: 0xa4 });
    expect(move(1024, 0, SEG << 16, h, 0).ax).toBe(1);
  });

  it('moves overlapping ranges inside a block forward and backward like memmove', () => {
    const pc = start();
    const h = xms(pc, 0x09, { edx: 1 }).r.edx & 0xffff;
    const lock = xms(pc, 0x0c, { edx: h });
    const addr = ((lock.r.edx & 0xffff) << 16) | (lock.r.ebx & 0xffff);
    expect(addr).toBe(0x110000);
    pc.vm.machine.ram.set([1, 2, 3, 4, 5, 6, 7, 8], addr);
    moveStruct(pc, 6, h, 0, h, 2);
    expect(xms(pc, 0x0b, { esi: 0x200 }).ax).toBe(1);
    expect([...pc.vm.machine.ram.subarray(addr, addr + 8)]).toEqual([1, 2, 1, 2, 3, 4, 5, 6]);
    moveStruct(pc, 6, h, 2, h, 0);
    expect(xms(pc, 0x0b, { esi: 0x200 }).ax).toBe(1);
    expect([...pc.vm.machine.ram.subarray(addr, addr + 8)]).toEqual([1, 2, 3, 4, 5, 6, 5, 6]);
  });

  it('merges freed neighbours and moves a grown block that cannot grow in place, keeping its bytes', () => {
    const pc = start({ XMS_MEMORY_LIMIT: 64 });
    const a = xms(pc, 0x09, { edx: 8 }).r.edx & 0xffff;
    const b = xms(pc, 0x09, { edx: 8 }).r.edx & 0xffff;
    const c = xms(pc, 0x09, { edx: 8 }).r.edx & 0xffff;
    expect(xms(pc, 0x0a, { edx: b }).ax).toBe(1);
    expect(state(pc).free).toEqual([{ start: 8, size: 8 }, { start: 24, size: 40 }]);
    expect(xms(pc, 0x0a, { edx: c }).ax).toBe(1);
    expect(state(pc).free).toEqual([{ start: 8, size: 56 }]);
    const b2 = xms(pc, 0x09, { edx: 8 }).r.edx & 0xffff;
    pc.vm.machine.ram.set([0xde, 0xad, 0xbe, 0xef], 0x110000 + 8 * 1024 - 4); // A's last bytes
    expect(xms(pc, 0x0f, { edx: a, ebx: 16 }).ax).toBe(1); // B follows A: A moves to 16 KB
    const lock = xms(pc, 0x0c, { edx: a });
    const addr = ((lock.r.edx & 0xffff) << 16) | (lock.r.ebx & 0xffff);
    expect(addr).toBe(0x110000 + 16 * 1024);
    expect([...pc.vm.machine.ram.subarray(addr + 8 * 1024 - 4, addr + 8 * 1024)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(xms(pc, 0x0f, { edx: a, ebx: 4 })).toMatchObject({ ax: 0, bl: 0xab }); // locked
    expect(xms(pc, 0x0d, { edx: a }).ax).toBe(1);
    expect(xms(pc, 0x0f, { edx: a, ebx: 4 }).ax).toBe(1); // shrink in place
    expect(xms(pc, 0x0a, { edx: a }).ax).toBe(1);
    expect(xms(pc, 0x0a, { edx: b2 }).ax).toBe(1);
    expect(state(pc)).toMatchObject({ free: [{ start: 0, size: 64 }], handles: 0 });
  });

  it('serves the 32-bit forms: 89h allocates EDX KB, 88h and 8Eh report in EAX/EDX/ECX', () => {
    const pc = start({ XMS_MEMORY_LIMIT: 65535 }, 80 * 1024 * 1024); // enough RAM for the whole limit
    const q = xms(pc, 0x88);
    expect([q.r.eax >>> 0, q.r.edx >>> 0, q.r.ecx >>> 0]).toEqual([65535, 65535, 0x110000 + 65535 * 1024 - 1]);
    expect(xms(pc, 0x08).ax).toBe(65535);
    const h = xms(pc, 0x89, { edx: 0x10000 - 1 }).r.edx & 0xffff;
    const info = xms(pc, 0x8e, { edx: h });
    expect([info.ax, info.r.edx >>> 0, info.r.ecx & 0xffff]).toEqual([1, 65535, 31]);
  });
});

describe('VXMS: HMA and A20', () => {
  it('gives the HMA to one owner, and only to a request of at least XMS_MINIMUM_HMA KB', () => {
    const pc = start({ XMS_MINIMUM_HMA: 16 });
    expect(xms(pc, 0x01, { edx: 0x1000 })).toMatchObject({ ax: 0, bl: 0x92 });
    expect(xms(pc, 0x01, { edx: 0x4000 }).ax).toBe(1);
    expect(xms(pc, 0x01, { edx: 0xffff })).toMatchObject({ ax: 0, bl: 0x91 });
    expect(xms(pc, 0x02).ax).toBe(1);
    expect(xms(pc, 0x02)).toMatchObject({ ax: 0, bl: 0x93 });
    expect(xms(pc, 0x01, { edx: 0xffff }).ax).toBe(1); // an application always qualifies
  });

  it('keeps A20 on while the global flag or a local enable holds it', () => {
    const pc = start();
    expect(xms(pc, 0x03).ax).toBe(1);
    expect(pc.host.a20).toBe(true);
    expect(xms(pc, 0x05).ax).toBe(1);
    expect(xms(pc, 0x04)).toMatchObject({ ax: 0, bl: 0x94 });
    expect(xms(pc, 0x07).ax).toBe(1);
    expect(xms(pc, 0x06).ax).toBe(1);
    expect(pc.host.a20).toBe(false);
    expect(xms(pc, 0x07).ax).toBe(0);
  });
});

describe('VXMS: settings', () => {
  it('registers XMS_MEMORY_LIMIT 0..65535, XMS_HANDLES 0..128 and XMS_MINIMUM_HMA 0..63 with their defaults', () => {
    const pc = start();
    expect(pc.host.property('XMS_MEMORY_LIMIT')).toBe(2048);
    expect(pc.host.property('XMS_HANDLES')).toBe(32);
    expect(pc.host.property('XMS_MINIMUM_HMA')).toBe(0);
    const make = (settings: Record<string, PropertyValue>) => () => testPc({ settings }, [...STANDARD_MODULES, vxms]);
    expect(make({ XMS_MEMORY_LIMIT: 65535, XMS_HANDLES: 128, XMS_MINIMUM_HMA: 63 })).not.toThrow();
    expect(make({ XMS_MEMORY_LIMIT: 65536 })).toThrow(/XMS_MEMORY_LIMIT/);
    expect(make({ XMS_MEMORY_LIMIT: -1 })).toThrow(/XMS_MEMORY_LIMIT/);
    expect(make({ XMS_HANDLES: 129 })).toThrow(/XMS_HANDLES/);
    expect(make({ XMS_MINIMUM_HMA: 64 })).toThrow(/XMS_MINIMUM_HMA/);
    expect(make({ XMS_MINIMUM_HMA: 1.5 })).toThrow(/XMS_MINIMUM_HMA/);
  });
});
