/**
 * A whole PC in the test's own process: the standard VDDs imported from their sources, the ROM, and a
 * run loop that skips idle time at once (what the scheduler's unpaced mode does), so tests are fast and
 * deterministic. Floppy images are built in a temp folder from a guest's boot sectors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuModel } from '../../main/ist/ist.js';
import { RunState } from '../../main/vmm/monitor.js';
import { createPc, type Pc, type PcConfig } from '../../main/vmm/pc.js';
import type { VddModule } from '../../main/vmm/vdh.js';
import vbios from '../../vdd/vbios/vbios.js';
import vcmos from '../../vdd/vcmos/vcmos.js';
import vdbgcon from '../../vdd/vdbgcon/vdbgcon.js';
import vdma from '../../vdd/vdma/vdma.js';
import vdsk from '../../vdd/vdsk/vdsk.js';
import vkbd from '../../vdd/vkbd/vkbd.js';
import vpic from '../../vdd/vpic/vpic.js';
import vspkr from '../../vdd/vspkr/vspkr.js';
import vtimer from '../../vdd/vtimer/vtimer.js';
import vvga from '../../vdd/vvga/vvga.js';
import vmouse from '../../vdd/vmouse/vmouse.js';
import vfdc from '../../vdd/vfdc/vfdc.js';
import vpci from '../../vdd/vpci/vpci.js';

/** The standard VDDs; VFDC and VPCI stay inert unless the machine runs a foreign BIOS (docs/firmware.md). */
export const STANDARD_MODULES: VddModule[] = [vpic, vtimer, vcmos, vdma, vkbd, vdsk, vfdc, vvga, vpci, vmouse, vbios, vspkr, vdbgcon];

export interface TestPc extends Pc {
  /** Lines the guest wrote to the debug console (port E9h). */
  debug: string[];
  /** Everything VDDs posted, in order. */
  events: { topic: string; payload: unknown }[];
  /** The text screen (VVIDEO request 3). */
  screen(): string;
  /** Type text through VKBD (request 2). */
  type(text: string): void;
  /** Run until `done()` holds or `maxTicks` of guest time pass; returns whether it held. */
  runUntil(done: () => boolean, maxTicks?: number): boolean;
}

export function testPc(config: Partial<PcConfig> = {}, modules: VddModule[] = STANDARD_MODULES): TestPc {
  const pc = createPc({ model: CpuModel.i80386, ...config }, modules);
  const debug: string[] = [];
  const events: { topic: string; payload: unknown }[] = [];
  pc.host.onPost((topic, payload) => {
    events.push({ topic, payload });
    if (topic === 'debugcon') debug.push((payload as { line: string }).line);
  });
  return {
    ...pc,
    debug,
    events,
    screen: () => pc.host.request('VVIDEO', 3) as string,
    type: (text) => void pc.host.request('VKBD', 2, text),
    runUntil(done, maxTicks = 20 * pc.vm.ticksPerSecond) {
      const { vm } = pc;
      const end = vm.now + maxTicks;
      while (vm.now < end) {
        if (done()) return true;
        const state = vm.run(Math.min(200_000, end - vm.now));
        if (state === RunState.Idle) {
          if (!Number.isFinite(vm.idleUntil)) return done();
          vm.advanceIdle();
        } else if (state !== RunState.Running) return done();
      }
      return done();
    },
  };
}

/** A temp folder removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mvm-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A disk image of `size` bytes with `sectors` written at their LBAs; returns its path. */
export function writeImage(dir: string, name: string, size: number, sectors: Record<number, Uint8Array | string>): string {
  const image = new Uint8Array(size);
  for (const [lba, data] of Object.entries(sectors)) {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    image.set(bytes, Number(lba) * 512);
  }
  const path = join(dir, name);
  writeFileSync(path, image);
  return path;
}
