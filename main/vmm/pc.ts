/**
 * A PC/AT put together: the VM monitor, the BIOS ROM built from firmware/, and the VDDs in the order they
 * depend on each other. Everything that starts a VM (the VM process, tests, benchmarks) goes through here,
 * so a VM is always the same machine.
 *
 * With `firmware` a foreign BIOS image (SeaBIOS, say) runs the machine instead of MVM's own ROM
 * (docs/firmware.md "Foreign BIOS"): the image is laid out as on QEMU's ISA PC (foreign-bios.ts), SVCs are
 * off, the VDDs that are services of MVM's own BIOS stay out (MVM_BIOS_VDDS) and the device VDDs see
 * `vdh.firmware.kind === 'foreign'`.
 */
import type { CpuModel } from '../ist/ist.js';
import { BIOS_BASE, buildBiosRom } from '../../firmware/bios/rom.js';
import { checkForeignFirmware, mapForeignBios, type ForeignFirmwareImages } from './foreign-bios.js';
import { VirtualMachine } from './monitor.js';
import { VddHost } from './vdd-host.js';
import type { PropertyValue, VddModule } from './vdh.js';

export interface PcConfig {
  model: CpuModel;
  /** RAM in bytes (conventional + extended); default 16 MiB. */
  ramSize?: number;
  /** The block translator (default on). */
  translate?: boolean;
  /** Guest ticks (instructions) per second of guest time; default 25 million. */
  ticksPerSecond?: number;
  /** DOS settings by name (DISK_A, DOS_RMSIZE, ...), checked by the VDDs that own them. */
  settings?: Record<string, PropertyValue>;
  /** A foreign BIOS (and VGA BIOS) to run instead of MVM's own ROM; undefined: MVM's own. */
  firmware?: ForeignFirmwareImages;
}

export interface Pc {
  vm: VirtualMachine;
  host: VddHost;
  /** The VDDs loaded, in load order (a foreign BIOS's machine leaves MVM_BIOS_VDDS out). */
  vdds: string[];
}

/** The VDDs a PC needs first, in load order; others (third-party plugins) load after them, by name. */
export const STANDARD_VDDS = ['VPIC', 'VTIMER', 'VCMOS', 'VDMA', 'VKBD', 'VDSK', 'VFDC', 'VVGA', 'VPCI', 'VMOUSE', 'VBIOS', 'VSPKR', 'VDBGCON'] as const;

/**
 * The VDDs that are services of MVM's own BIOS rather than devices: they serve through its ROM stubs and
 * SVCs, or hook DOS-level interrupts a foreign BIOS knows nothing of (INT 2Fh XMS and DPMI, INT 15h). A
 * machine with a foreign BIOS leaves them out, so nothing fights that BIOS for the vector table.
 */
export const MVM_BIOS_VDDS: readonly string[] = ['VBIOS', 'VMOUSE', 'VEMM', 'VXMS', 'VDPMI', 'DOSKRNL'];

export const DEFAULT_RAM = 16 * 1024 * 1024;

/** Order VDD modules: the standard ones in STANDARD_VDDS order, then the rest in the order given. */
export function orderVdds(modules: readonly VddModule[]): VddModule[] {
  const rank = (m: VddModule): number => {
    const i = (STANDARD_VDDS as readonly string[]).indexOf(m.name);
    return i < 0 ? STANDARD_VDDS.length : i;
  };
  return modules
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map((e) => e.m);
}

/** Build a PC with these VDDs; the CPU stands at the reset vector, so the first run() is the POST. */
export function createPc(config: PcConfig, modules: readonly VddModule[]): Pc {
  const ramSize = config.ramSize ?? DEFAULT_RAM;
  if (!Number.isInteger(ramSize) || ramSize < 0x110000 || ramSize > 256 * 1024 * 1024 || ramSize % 0x10000 !== 0) {
    throw new Error(`RAM size ${ramSize} must be a multiple of 64 KiB between 1088 KiB and 256 MiB`);
  }
  const foreign = config.firmware;
  if (foreign) checkForeignFirmware(foreign);
  const vm = new VirtualMachine({
    model: config.model,
    ramSize,
    translate: config.translate,
    ticksPerSecond: config.ticksPerSecond,
    resetAtTop: foreign !== undefined,
    svc: foreign === undefined,
  });
  if (foreign) mapForeignBios(vm.machine.memory, foreign.bios);
  else vm.machine.memory.loadRom(BIOS_BASE, buildBiosRom().image);
  const host = new VddHost(vm, config.settings ?? {}, foreign ? { kind: 'foreign', vgaBios: foreign.vgaBios } : { kind: 'mvm' });
  const names = new Set<string>();
  for (const m of modules) {
    if (names.has(m.name)) throw new Error(`two VDDs are named ${m.name}`);
    names.add(m.name);
  }
  const load = orderVdds(foreign ? modules.filter((m) => !MVM_BIOS_VDDS.includes(m.name)) : modules);
  host.load(load);
  vm.resetCpu();
  return { vm, host, vdds: load.map((m) => m.name) };
}
