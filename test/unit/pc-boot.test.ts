/**
 * A whole PC boots: the ROM's POST, the VDDs' BIOS services and INT 19h take a guest of our own
 * (test/guests/boot/biostest.asm) from a floppy or a hard-disk image the test builds, and the guest's
 * reports — through the debug console port and the screen — show what the BIOS gave it.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/ist.js';
import { tempDir, testPc, writeImage, type TestPc } from '../support/pc.js';

const BIOSTEST = readFileSync(new URL('../guests/boot/biostest.bin', import.meta.url));
const SIGNATURE = 'signature sector of the test image\0';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup) fn();
  cleanup = [];
});

function image(name: string, size: number): string {
  const t = tempDir();
  cleanup.push(t.remove);
  return writeImage(t.dir, name, size, { 0: BIOSTEST, 5: SIGNATURE });
}

function report(pc: TestPc, key: string): string | undefined {
  return pc.debug.find((l) => l.startsWith(key + ' '))?.slice(key.length + 1);
}

function bootAndType(pc: TestPc): void {
  // The guest prints "KEYS " and then waits in INT 16h (its debug line ends only with Enter).
  expect(pc.runUntil(() => pc.screen().includes('KEYS'))).toBe(true);
  pc.type('mvm\r');
  expect(pc.runUntil(() => pc.debug.includes('DONE'))).toBe(true);
}

describe('PC boot (ROM + VBIOS + VDSK + VKBD + VVIDEO)', () => {
  it('boots a floppy and gives the boot sector what a PC BIOS gives it', () => {
    const pc = testPc({ settings: { DISK_A: image('a.img', 1474560) } });
    bootAndType(pc);
    expect(report(pc, 'BOOT')).toBe('dl=0000');
    expect(report(pc, 'EQUIP')).toBe('0023 MEM 0280'); // one floppy, a coprocessor, 80x25 colour; 640 KB
    expect(report(pc, 'EXT')).toBe('3C00'); // 16 MiB of RAM: 15360 KB above 1 MB
    expect(report(pc, 'A20')).toBe('0001');
    expect(report(pc, 'SECTOR')).toBe(SIGNATURE.slice(0, -1));
    expect(report(pc, 'KEYS')).toBe('mvm');
    expect(report(pc, 'SCAN')).toBe('1C0D'); // Enter
    expect(pc.events.some((e) => e.topic === 'boot' && (e.payload as { drive: number }).drive === 0)).toBe(true);
  });

  it('runs the 18.2 Hz timer through INT 08h into the BIOS tick count while the guest idles', () => {
    const pc = testPc({ settings: { DISK_A: image('a.img', 1474560) } });
    bootAndType(pc);
    const ticks = parseInt(report(pc, 'TICKS') ?? 'x', 16);
    // 20 HLTs each end at the next IRQ 0 (no keys are typed meanwhile): 20 ticks, give or take the first.
    expect(ticks).toBeGreaterThanOrEqual(19);
    expect(ticks).toBeLessThanOrEqual(21);
    const rtc = report(pc, 'RTC') ?? '';
    expect(rtc).toMatch(/^[0-2]\d[0-5]\d (19|20)\d\d$/); // BCD hours/minutes, century/year
  });

  it('shows the guest output on the text screen', () => {
    const pc = testPc({ settings: { DISK_A: image('a.img', 737280) } });
    bootAndType(pc);
    const screen = pc.screen();
    expect(screen).toContain('BOOT dl=0000');
    expect(screen).toContain('KEYS mvm');
    expect(screen).toContain('DONE');
  });

  it('boots a hard disk with a boot signature when there is no floppy', () => {
    const pc = testPc({ settings: { DISK_C: image('c.img', 16 * 63 * 20 * 512) } });
    bootAndType(pc);
    expect(report(pc, 'BOOT')).toBe('dl=0080');
    expect(report(pc, 'EQUIP')).toBe('0022 MEM 0280'); // no floppy drive (a coprocessor)
    expect(report(pc, 'SECTOR')).toBe(SIGNATURE.slice(0, -1));
  });

  it('says "No bootable disk" and reports it when there is nothing to boot', () => {
    const pc = testPc();
    pc.runUntil(() => pc.events.some((e) => e.topic === 'boot-failed'));
    expect(pc.screen()).toContain('No bootable disk');
  });

  it('boots the same way on an 8086', () => {
    const pc = testPc({ model: CpuModel.i8086, ramSize: 0x110000, settings: { DISK_A: image('a.img', 1474560) } });
    bootAndType(pc);
    expect(report(pc, 'EXT')?.slice(0, 2)).toBe('86'); // no AT services on an XT: AH=86h
    expect(report(pc, 'KEYS')).toBe('mvm');
  });
});
