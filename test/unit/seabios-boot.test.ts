/**
 * A foreign BIOS boots (docs/firmware.md "Foreign BIOS"): SeaBIOS from Debian's `seabios` package, with its
 * SeaVGABIOS for the standard VGA, runs on our 386 instead of MVM's own ROM. It finds its RAM in CMOS, its
 * video BIOS on the PCI VGA (VPCI), the keyboard on the 8042 (VKBD) and the floppy on the 82077AA (VFDC),
 * and boots:
 *  - our own boot guest (test/guests/boot/biostest.asm) from a floppy the test builds, which reports through
 *    the debug port what the BIOS gave it — its INT 11h, 12h, 13h, 15h, 16h and 1Ah are SeaBIOS's now;
 *  - with MVM_FREEDOS_IMG, FreeDOS from its boot floppy, to the same A:\> as on MVM's own BIOS, where `ver`
 *    typed on the keyboard runs.
 * Neither SeaBIOS nor FreeDOS is part of the project: `apt-get install seabios` brings the first (CI does),
 * MVM_FREEDOS_IMG points at the second; without them the tests skip, saying so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/cli.js';
import { readForeignFirmware } from '../../main/vmm/foreign-bios.js';
import { RunState } from '../../main/vmm/monitor.js';
import { tempDir, testPc, writeImage, type TestPc } from '../support/pc.js';

const SEABIOS = { bios: '/usr/share/seabios/bios.bin', vgaBios: '/usr/share/seabios/vgabios-stdvga.bin' };
const haveSeabios = existsSync(SEABIOS.bios) && existsSync(SEABIOS.vgaBios);
if (!haveSeabios) console.warn(`seabios-boot: skipped — no ${SEABIOS.bios} and ${SEABIOS.vgaBios} (apt-get install seabios)`);
const FREEDOS = process.env.MVM_FREEDOS_IMG ?? '';
const haveFreedos = FREEDOS !== '' && existsSync(FREEDOS);
if (haveSeabios && !haveFreedos) console.warn('seabios-boot: FreeDOS skipped — set MVM_FREEDOS_IMG to a FreeDOS boot floppy image to run it');

const BIOSTEST = readFileSync(new URL('../guests/boot/biostest.bin', import.meta.url));
const SIGNATURE = 'signature sector of the test image\0';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup) fn();
  cleanup = [];
});

function seabiosPc(settings: Record<string, string | boolean>): TestPc {
  return testPc({ firmware: readForeignFirmware(SEABIOS), settings });
}

function report(pc: TestPc, key: string): string | undefined {
  return pc.debug.find((l) => l.startsWith(key + ' '))?.slice(key.length + 1);
}

describe.skipIf(!haveSeabios)('SeaBIOS', () => {
  it('boots our test guest from a floppy through the 82077AA and serves its BIOS calls', { timeout: 120_000 }, () => {
    const t = tempDir();
    cleanup.push(t.remove);
    const pc = seabiosPc({ DISK_A: writeImage(t.dir, 'a.img', 1474560, { 0: BIOSTEST, 5: SIGNATURE }) });
    const seconds = pc.vm.ticksPerSecond;
    expect(pc.runUntil(() => pc.screen().includes('KEYS'), 30 * seconds)).toBe(true);
    const log = pc.debug.filter((l) => l !== '').join('\n'); // SeaBIOS's own log comes through port 402h
    expect(log).toContain('SeaBIOS (version');
    expect(log).toContain('Running option rom at c000:0003');
    expect(log).toContain('PS2 keyboard initialized');
    expect(log).toContain('Booting from Floppy...');
    expect(pc.screen()).toMatch(/^SeaBIOS \(version/);
    pc.type('mvm\r');
    expect(pc.runUntil(() => pc.debug.includes('DONE'), 30 * seconds)).toBe(true);
    expect(report(pc, 'BOOT')).toBe('dl=0000');
    expect(report(pc, 'SECTOR')).toBe(SIGNATURE.slice(0, -1)); // INT 13h: the FDC, DMA channel 2, IRQ 6
    expect(report(pc, 'EQUIP')).toMatch(/^00[0-9A-F]{2} MEM 027F$/); // SeaBIOS keeps 1 KB for its EBDA
    expect(report(pc, 'EXT')).toBe('3C00'); // 15 MiB above 1 MiB, from CMOS
    expect(report(pc, 'KEYS')).toBe('mvm'); // INT 09h and 16h: the 8042
    expect(report(pc, 'SCAN')).toBe('1C0D');
    expect(parseInt(report(pc, 'TICKS') ?? 'x', 16)).toBeGreaterThanOrEqual(19); // INT 08h from the 8254
    expect(report(pc, 'RTC')).toMatch(/^[0-2]\d[0-5]\d (19|20)\d\d$/); // the MC146818
  });

  it('boots through `mvm boot --bios --vga-bios`, typing keys once the screen stands still', { timeout: 120_000 }, async () => {
    const t = tempDir();
    cleanup.push(t.remove);
    const img = writeImage(t.dir, 'a.img', 1474560, { 0: BIOSTEST, 5: SIGNATURE });
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const args = ['boot', '--floppy', img, '--bios', SEABIOS.bios, '--vga-bios', SEABIOS.vgaBios, '--keys', 'abc\\r', '--until', 'DONE', '--timeout', '60', '--screen'];
      expect(await main(args)).toBe(0);
      const screen = out.mock.calls.map((c) => c.join(' ')).join('\n');
      expect(screen).toContain('SeaBIOS (version');
      expect(screen).toContain('KEYS abc');
    } finally {
      vi.restoreAllMocks();
    }
  });

  describe.skipIf(!haveFreedos)('with FreeDOS', () => {
    /**
     * Boot to the first A:\> and return the screen from the kernel's banner on. The boot floppy's AUTOEXEC
     * may clear the screen soon after, so once the kernel has spoken the screen is looked at every 10,000
     * instructions.
     */
    function toPrompt(pc: TestPc): string[] {
      let n = 0;
      expect(pc.runUntil(() => ++n % 4 === 0 && pc.screen().includes('FreeDOS kernel'), 60 * pc.vm.ticksPerSecond)).toBe(true);
      const end = pc.vm.now + 60 * pc.vm.ticksPerSecond;
      while (!pc.screen().includes('A:\\>') && pc.vm.now < end) {
        if (pc.vm.run(10_000) === RunState.Idle) pc.vm.advanceIdle();
      }
      const lines = pc.screen().split('\n');
      const from = lines.findIndex((l) => l.startsWith('FreeDOS kernel'));
      const to = lines.findIndex((l) => l.includes('A:\\>'));
      expect(from).toBeGreaterThanOrEqual(0);
      return lines.slice(from, to + 1);
    }

    it('boots FreeDOS to the same prompt as MVM\'s own BIOS, and runs ver typed on the keyboard', { timeout: 180_000 }, () => {
      const settings = { DISK_A: FREEDOS, DISK_READ_ONLY: true };
      const ours = toPrompt(testPc({ settings }));
      const pc = seabiosPc(settings);
      const theirs = toPrompt(pc);
      expect(pc.screen()).toMatch(/^SeaBIOS \(version .*\n+Press ESC for boot menu\.\n+Booting from Floppy\.\.\.\n/);
      // The same DOS prompt; only the kernel's HMA line differs: MVM's VXMS gives it the HMA, SeaBIOS has no XMS.
      const withoutHma = (lines: string[]) => lines.filter((l) => !/ in HMA$/.test(l.trim()));
      expect(withoutHma(theirs)).toEqual(withoutHma(ours));
      let n = 0;
      const prompts = (): number => pc.screen().split('A:\\>').length - 1;
      const before = prompts();
      pc.type('ver\r');
      expect(pc.runUntil(() => ++n % 4 === 0 && pc.screen().includes('FreeCom version') && prompts() > before, 60 * pc.vm.ticksPerSecond)).toBe(true);
      expect(pc.screen()).toMatch(/A:\\>ver/);
    });
  });
});
