/**
 * Upper memory blocks and DOS=HIGH (VXMS, DOSKRNL; the DOS settings DOS_UMB and DOS_HIGH):
 * test/guests/umb/umbtest.com run through the real CLI (`mvm run`) with the settings off and on, LOADHIGH
 * in DOSKRNL's shell, and focused checks on a PC of our own: where VXMS finds upper memory (around option
 * ROMs and wherever VEMM put its page frame), XMS 10h-12h, and what DOSKRNL takes at POST.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDosStubs, DOS_SEGMENT } from '../../firmware/doskrnl/stubs.js';
import { PageKind } from '../../main/ist/ist.js';
import { createDosKernel } from '../../main/doskrnl/kernel.js';
import type { CpuRegisters, PropertyValue, VddModule } from '../../main/vmm/vdh.js';
import vemm from '../../vdd/vemm/vemm.js';
import vxms from '../../vdd/vxms/vxms.js';
import { STANDARD_MODULES, tempDir, testPc, type TestPc } from '../support/pc.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UMBTEST = join(ROOT, 'test', 'guests', 'umb', 'umbtest.com');

interface Run {
  status: number | null;
  output: string;
  passed: string[];
  failed: string[];
  info: Map<string, number>;
}

/** `mvm run` with these settings of PROG ARGS in a drive folder holding UMBTEST.COM (and `files`). */
function mvmRun(settings: string[], program: string[], files: Record<string, string> = {}): Run {
  const drive = mkdtempSync(join(tmpdir(), 'mvm-umb-'));
  try {
    copyFileSync(UMBTEST, join(drive, 'UMBTEST.COM'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(drive, name), text);
    const args = ['bin/mvm.js', 'run', ...settings.flatMap((s) => ['--setting', s]), '--drive', 'C=' + drive, ...program];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, input: '', encoding: 'utf8', timeout: 120_000 });
    const lines = r.stdout.split(/\r?\n|\r/).map((l) => l.trim());
    const info = new Map<string, number>();
    const psps: number[] = [];
    for (const l of lines) {
      const m = /^INFO (\S+) ([0-9A-F]{4})$/.exec(l);
      if (m) {
        info.set(m[1], parseInt(m[2], 16));
        if (m[1] === 'psp') psps.push(parseInt(m[2], 16));
      }
    }
    psps.forEach((p, i) => info.set(`psp${i + 1}`, p));
    return {
      status: r.status,
      output: r.stdout + r.stderr,
      passed: lines.filter((l) => l.startsWith('PASS ')).map((l) => l.slice(5)),
      failed: lines.filter((l) => l.startsWith('FAIL ')),
      info,
    };
  } finally {
    rmSync(drive, { recursive: true, force: true });
  }
}

const umbtest = (settings: string[], args: string[] = []): Run => mvmRun(settings, ['C:\\UMBTEST.COM', ...args]);

const PROGRAMS_OWN_UMBS = [
  'xms-umb-largest-b0h', 'xms-umb-largest-size', 'xms-umb-request', 'xms-umb-size', 'xms-umb-above-c800h', 'xms-umb-is-ram',
  'xms-umb-grow', 'xms-umb-grow-too-far-b0h', 'xms-umb-grow-most', 'xms-umb-shrink', 'xms-umb-release', 'xms-umb-release-twice-b2h',
  'xms-umb-realloc-freed-b2h', 'xms-umb-largest-back', 'link-state-unlinked', 'link-refused-1', 'unlink-nothing-ok', 'lol-66h-no-umbs',
  'strategy-80h', 'alloc-80h-low-without-umbs',
];
const DOS_OWNS_UMBS = [
  'xms-umb-none-left-b1h', 'xms-umb-none-left-dx', 'lol-66h-9fffh', 'lol-63h-unlinked', 'link-state-unlinked', 'chain-ends-at-9fffh-sc',
  'strategy-80h', 'alloc-80h-unlinked-low', 'link-5803h', 'link-state-linked', 'lol-63h-linked', 'chain-through-umbs', 'alloc-80h-high',
  'umb-block-is-ram', 'umb-block-owner-psp', 'free-umb-block', 'strategy-40h', 'alloc-40h-too-much-8', 'alloc-40h-largest-is-a-umb',
  'alloc-40h-largest-not-0', 'alloc-40h-high', 'alloc-00h-low-while-linked', 'loadhigh-allocate', 'loadhigh-block-high',
  'loadhigh-link-put-back', 'loadhigh-strategy-put-back', 'loadhigh-block-kept', 'free-umb-while-unlinked',
];
const DOS_LOW = ['dos-low-3306h', 'hma-for-programs', 'hma-release', 'hma-4a01h-none', 'hma-4a02h-refused'];
const DOS_HIGH = [
  'dos-in-hma-3306h', 'hma-in-use-91h', 'a20-on', 'hma-4a01h-segment', 'hma-4a01h-free', 'hma-4a01h-offset', 'hma-4a02h-segment',
  'hma-4a02h-offset', 'hma-4a02h-size', 'hma-block-above-1mib', 'hma-free-shrinks',
];
const START = ['shrink-own-block', 'xms-installed'];

function expectClean(run: Run, checks: string[]): void {
  expect(run.failed, run.output).toEqual([]);
  expect(run.passed).toEqual(checks);
  expect(run.status).toBe(0);
}

describe('umbtest.com under DOSKRNL', () => {
  let off: Run;
  let umb: Run;
  let high: Run;
  let both: Run;
  beforeAll(() => {
    off = umbtest(['DOS_UMB=off', 'DOS_HIGH=off']);
    umb = umbtest(['DOS_UMB=on'], ['U']);
    high = umbtest(['DOS_HIGH=on'], ['H']);
    both = umbtest(['DOS_UMB=on', 'DOS_HIGH=on'], ['U', 'H']);
  }, 300_000);

  it('DOS_UMB off: programs get UMBs through XMS 10h-12h, DOS has none to link, strategy 80h allocates low', () => {
    expectClean(off, [...START, ...PROGRAMS_OWN_UMBS, ...DOS_LOW]);
    expect(off.info.get('xms-umb')).toBe(0xc800); // first fit from C800h (the frame is at D000h)
  });

  it('DOS_UMB on: DOS took every UMB (XMS 10h: B1h), links them on 5803h and allocates there by strategy 80h/40h', () => {
    expectClean(umb, [...START, ...DOS_OWNS_UMBS, ...DOS_LOW]);
    expect(umb.info.get('alloc-80h')).toBe(0xc801); // the first UMB's MCB is at C800h
  });

  it('DOS_HIGH on: the HMA is DOS\'s (XMS 01h: 91h, 3306h DH bit 4), A20 is on, 4A01h/4A02h hand out its free part', () => {
    expectClean(high, [...START, ...PROGRAMS_OWN_UMBS, ...DOS_HIGH]);
    expect(high.info.get('hma-free')).toBe(0x10000 - 0xe0); // FFFF:00E0h up
  });

  it('both on', () => {
    expectClean(both, [...START, ...DOS_OWNS_UMBS, ...DOS_HIGH]);
  });
});

describe('LOADHIGH in DOSKRNL\'s shell', () => {
  const batch = '@ECHO OFF\r\nLH UMBTEST P\r\nUMBTEST P\r\nLOADHIGH /L:1 UMBTEST P\r\n';

  it('loads a program into the largest UMB with DOS_UMB on, and puts the link and strategy back after it', () => {
    const r = mvmRun(['DOS_UMB=on'], ['C:\\COMMAND.COM', '/C', 'LHTEST'], { 'LHTEST.BAT': batch });
    expect(r.status, r.output).toBe(0);
    expect(r.info.get('psp1')).toBe(0xe001); // E000h-EFFFh is the largest; the environment went to C800h
    expect(r.info.get('psp2')).toBeLessThan(0xa000);
    expect(r.info.get('psp3')).toBe(0xe001);
  });

  it('loads it low without DOS_UMB, as DOS does with no UMBs', () => {
    const r = mvmRun([], ['C:\\COMMAND.COM', '/C', 'LHTEST'], { 'LHTEST.BAT': batch });
    expect(r.status, r.output).toBe(0);
    expect(r.info.get('psp1')).toBeLessThan(0xa000);
    expect(r.info.get('psp1')).toBe(r.info.get('psp2'));
  });
});

// ---------------------------------------------------------------------------------- a PC of our own

const SEG = 0x1000;
const CODE = SEG * 16 + 0x100;

/** A PC with VXMS (and VEMM when asked) after POST; `before` runs on the machine before the POST. */
function start(settings: Record<string, PropertyValue> = {}, modules: VddModule[] = [vxms], before?: (pc: TestPc) => void): TestPc {
  const pc = testPc({ settings }, [...STANDARD_MODULES, ...modules]);
  before?.(pc);
  expect(pc.runUntil(() => pc.events.some((e) => e.topic === 'boot-failed'))).toBe(true);
  return pc;
}

/** Call the XMS entry (F000:E017h) with AH = fn; returns AX, BL, BX and DX. */
function xms(pc: TestPc, fn: number, regs: Partial<CpuRegisters> = {}): { ax: number; bl: number; bx: number; dx: number } {
  const bytes = [0x9a, 0x17, 0xe0, 0x00, 0xf0, 0xfa, 0xf4];
  pc.vm.machine.ram.set(bytes, CODE);
  pc.vm.cpu.memoryChanged(CODE, bytes.length);
  pc.vm.resetCpu();
  pc.vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x202, ebx: 0, edx: 0, ...regs, eax: fn << 8 });
  expect(pc.runUntil(() => pc.vm.cpu.getRegisters().eip === 0x100 + bytes.length)).toBe(true);
  const r = pc.vm.cpu.getRegisters();
  return { ax: r.eax & 0xffff, bl: r.ebx & 0xff, bx: r.ebx & 0xffff, dx: r.edx & 0xffff };
}

type VxmsState = { umbFree: { start: number; size: number }[] | null; umbs: { segment: number; size: number }[]; hmaUsed: boolean };
const state = (pc: TestPc) => pc.host.request('VXMS', 1) as VxmsState;
const kind = (pc: TestPc, segment: number) => pc.vm.machine.memory.pageKind[(segment * 16) >>> 12];

describe('VXMS: where the upper memory comes from', () => {
  it('is laid out at the first UMB call: C800h-EFFFh become RAM, the video BIOS keeps C000h-C7FFh', () => {
    const pc = start();
    expect(state(pc).umbFree).toBeNull();
    expect(kind(pc, 0xc800)).not.toBe(PageKind.Ram); // nothing there until someone asks
    expect(xms(pc, 0x10, { edx: 0xffff })).toMatchObject({ ax: 0, bl: 0xb0, dx: 0x2800 });
    expect(state(pc).umbFree).toEqual([{ start: 0xc800, size: 0x2800 }]);
    for (const seg of [0xc800, 0xd000, 0xefff]) expect(kind(pc, seg)).toBe(PageKind.Ram);
    expect(kind(pc, 0xc000)).toBe(PageKind.Rom);
  });

  it('leaves out the EMS page frame wherever VEMM put it', () => {
    const free = (settings: Record<string, PropertyValue>) => {
      const pc = start(settings, [vemm, vxms]);
      xms(pc, 0x10, { edx: 0xffff });
      return state(pc).umbFree;
    };
    expect(free({})).toEqual([{ start: 0xc800, size: 0x800 }, { start: 0xe000, size: 0x1000 }]); // AUTO: D000h
    expect(free({ EMS_FRAME_LOCATION: 'DC00' })).toEqual([{ start: 0xc800, size: 0x1400 }, { start: 0xec00, size: 0x400 }]);
    expect(free({ EMS_FRAME_LOCATION: 'C800' })).toEqual([{ start: 0xd800, size: 0x1800 }]);
    expect(free({ EMS_FRAME_LOCATION: 'NONE' })).toEqual([{ start: 0xc800, size: 0x2800 }]);
    expect(free({ EMS_MEMORY_LIMIT: 0 })).toEqual([{ start: 0xc800, size: 0x2800 }]);
  });

  it('leaves out an option ROM (55AAh, its size in 512-byte blocks) and what another device mapped', () => {
    const pc = start({}, [vxms], (p) => {
      const rom = new Uint8Array(0x2000);
      rom.set([0x55, 0xaa, 0x10]); // 8 KiB at C800h
      p.vm.machine.memory.loadRom(0xc8000, rom);
      p.vm.machine.memory.mapMmio(0xe0000, 0x1000, { read: () => 0, write: () => undefined });
    });
    xms(pc, 0x10, { edx: 0xffff });
    expect(state(pc).umbFree).toEqual([{ start: 0xca00, size: 0x1600 }, { start: 0xe100, size: 0xf00 }]);
  });

  it('has none without the driver (XMS_MEMORY_LIMIT=0): the upper memory area stays as it was', () => {
    const pc = start({ XMS_MEMORY_LIMIT: 0 });
    expect(xms(pc, 0x10, { edx: 0xffff })).toMatchObject({ ax: 0, bl: 0x80 });
    expect(pc.host.request('VXMS', 2, { ah: 0x10, dx: 0xffff })).toMatchObject({ ax: 0, bl: 0x80 });
    expect(kind(pc, 0xc800)).not.toBe(PageKind.Ram);
  });
});

describe('VXMS: XMS 10h-12h', () => {
  it('hands out paragraphs by first fit and refuses 0 or too many with B0h and the largest, none left with B1h', () => {
    const pc = start({}, [vemm, vxms]);
    expect(xms(pc, 0x10, { edx: 0 })).toMatchObject({ ax: 0, bl: 0xb0, dx: 0x1000 });
    expect(xms(pc, 0x10, { edx: 0x800 })).toMatchObject({ ax: 1, bx: 0xc800, dx: 0x800 });
    expect(xms(pc, 0x10, { edx: 0x1001 })).toMatchObject({ ax: 0, bl: 0xb0, dx: 0x1000 });
    expect(xms(pc, 0x10, { edx: 0x1000 })).toMatchObject({ ax: 1, bx: 0xe000, dx: 0x1000 });
    expect(xms(pc, 0x10, { edx: 1 })).toMatchObject({ ax: 0, bl: 0xb1, dx: 0 });
    expect(state(pc).umbs).toEqual([{ segment: 0xc800, size: 0x800 }, { segment: 0xe000, size: 0x1000 }]);
  });

  it('resizes in place: grows into free paragraphs after it, refuses past them with B0h and the most it can have, shrinks', () => {
    const pc = start({}, [vemm, vxms]);
    const a = xms(pc, 0x10, { edx: 0x100 }).bx;
    const b = xms(pc, 0x10, { edx: 0x100 }).bx;
    expect(xms(pc, 0x12, { edx: a, ebx: 0x101 })).toMatchObject({ ax: 0, bl: 0xb0, dx: 0x100 }); // B follows A
    expect(xms(pc, 0x12, { edx: b, ebx: 0x700 })).toMatchObject({ ax: 1 });
    expect(xms(pc, 0x12, { edx: b, ebx: 0x701 })).toMatchObject({ ax: 0, bl: 0xb0, dx: 0x700 });
    expect(xms(pc, 0x12, { edx: b, ebx: 0x10 })).toMatchObject({ ax: 1 });
    expect(xms(pc, 0x11, { edx: a })).toMatchObject({ ax: 1 });
    expect(xms(pc, 0x11, { edx: a })).toMatchObject({ ax: 0, bl: 0xb2 });
    expect(xms(pc, 0x12, { edx: a + 1, ebx: 1 })).toMatchObject({ ax: 0, bl: 0xb2 });
    expect(xms(pc, 0x12, { edx: b, ebx: 0 })).toMatchObject({ ax: 1 }); // resized to nothing: freed
    expect(xms(pc, 0x11, { edx: b })).toMatchObject({ ax: 0, bl: 0xb2 });
    expect(state(pc)).toMatchObject({ umbs: [], umbFree: [{ start: 0xc800, size: 0x800 }, { start: 0xe000, size: 0x1000 }] });
  });

  it('frees every UMB at a reset and lays the upper memory out again, its own pages still free', () => {
    const pc = start({}, [vemm, vxms]);
    expect(xms(pc, 0x10, { edx: 0x800 }).ax).toBe(1);
    pc.vm.machine.ram.set([0x55, 0xaa, 0x04], 0xc8000); // a program's bytes that look like a ROM header
    pc.vm.resetCpu();
    expect(pc.runUntil(() => pc.events.filter((e) => e.topic === 'boot-failed').length === 2)).toBe(true);
    expect(state(pc)).toMatchObject({ umbs: [], umbFree: null });
    expect(xms(pc, 0x10, { edx: 0xffff })).toMatchObject({ ax: 0, bl: 0xb0, dx: 0x1000 });
    expect(state(pc).umbFree).toEqual([{ start: 0xc800, size: 0x800 }, { start: 0xe000, size: 0x1000 }]);
    expect(pc.vm.machine.ram[0xc8000]).toBe(0); // zeroed
  });

  it('serves an XMS call for DOS (request 2) without touching the guest\'s registers', () => {
    const pc = start();
    const before = pc.vm.cpu.getRegisters();
    expect(pc.host.request('VXMS', 2, { ah: 0x10, dx: 0xffff })).toEqual({ ax: 0, bl: 0xb0, bx: 0, dx: 0x2800 });
    expect(pc.host.request('VXMS', 2, { ah: 0x10, dx: 0x10 })).toEqual({ ax: 1, bl: 0, bx: 0xc800, dx: 0x10 });
    expect(pc.host.request('VXMS', 2, { ah: 0x00 })).toMatchObject({ ax: 0x0300, dx: 1 });
    expect(pc.vm.cpu.getRegisters()).toEqual(before);
    expect(() => pc.host.request('VXMS', 2, {})).toThrow(/ah/);
  });
});

// ---------------------------------------------------------------------------------- DOSKRNL at POST

const LOL = DOS_SEGMENT * 16 + buildDosStubs(3).entry.lol;
let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** A DOS session at its COMMAND prompt with these settings, VEMM and VXMS loaded. */
function dos(settings: Record<string, PropertyValue>, modules: VddModule[] = [vemm, vxms]): TestPc {
  const t = tempDir();
  cleanup.push(t.remove);
  const kernel = createDosKernel({ drives: [{ letter: 'C', hostPath: t.dir }], program: 'C:\\COMMAND.COM' });
  const pc = testPc({ settings }, [...STANDARD_MODULES, ...modules, kernel]);
  expect(pc.runUntil(() => pc.screen().includes('C:\\>'))).toBe(true);
  return pc;
}
const word = (pc: TestPc, at: number) => pc.vm.machine.ram[at] | (pc.vm.machine.ram[at + 1] << 8);

describe('DOSKRNL: DOS_UMB and DOS_HIGH at POST', () => {
  it('registers both settings, off by default, as DOSKRNL\'s', () => {
    const pc = dos({});
    const defs = pc.host.propertyDefs().filter((p) => p.def.name === 'DOS_UMB' || p.def.name === 'DOS_HIGH');
    expect(defs.map((p) => [p.def.name, p.def.type, p.def.default, p.owner])).toEqual([
      ['DOS_UMB', 'bool', false, 'DOSKRNL'],
      ['DOS_HIGH', 'bool', false, 'DOSKRNL'],
    ]);
    expect(word(pc, LOL + 0x66)).toBe(0xffff);
    expect(state(pc)).toMatchObject({ umbs: [], umbFree: null, hmaUsed: false });
    const kernel = createDosKernel({ drives: [{ letter: 'C', hostPath: ROOT }], program: 'C:\\X.COM' });
    expect(() => testPc({ settings: { DOS_UMB: 1 } }, [...STANDARD_MODULES, kernel])).toThrow(/DOS_UMB: 1 is not on\/off/);
  });

  it('DOS_UMB takes every UMB from VXMS and chains them after 9FFFh, unlinked', () => {
    const pc = dos({ DOS_UMB: true });
    expect(state(pc)).toMatchObject({ umbs: [{ segment: 0xc800, size: 0x800 }, { segment: 0xe000, size: 0x1000 }], umbFree: [] });
    expect(word(pc, LOL + 0x66)).toBe(0x9fff);
    expect(pc.vm.machine.ram[LOL + 0x63]).toBe(0);
    expect(pc.vm.machine.ram[0x9fff0]).toBe(0x5a);
    expect(pc.vm.machine.ram[0xe0000]).toBe(0x5a);
  });

  it('DOS_HIGH takes the HMA and turns A20 on; without an XMS driver DOS stays low and says so', () => {
    const pc = dos({ DOS_HIGH: true });
    expect(state(pc).hmaUsed).toBe(true);
    expect(pc.host.a20).toBe(true);
    const low = dos({ DOS_HIGH: true, DOS_UMB: true, XMS_MEMORY_LIMIT: 0 });
    expect(state(low).hmaUsed).toBe(false);
    expect(word(low, LOL + 0x66)).toBe(0xffff);
    expect(low.host.messages.some((m) => /DOS_HIGH: the HMA is not available.*DOS stays low/.test(m))).toBe(true);
    expect(low.host.messages.some((m) => /DOS_UMB: the XMS driver gave no upper memory blocks/.test(m))).toBe(true);
  });
});
