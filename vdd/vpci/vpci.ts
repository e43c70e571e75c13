/**
 * VPCI: PCI bus 0 through configuration mechanism #1 — CF8h the address (bit 31 enable, bus 23-16, device
 * 15-11, function 10-8, register 7-2), CFCh-CFFh the data, bytes, words or dwords — with the one function a
 * foreign BIOS needs to find its video BIOS (docs/firmware.md "Foreign BIOS"): 00:02.0, a VGA, QEMU's
 * standard VGA (vendor 1234h, device 1111h, class 0300h, where QEMU puts it), whose expansion ROM is the VGA
 * BIOS image given with the BIOS. It exists only on a machine with a foreign BIOS and a VGA BIOS
 * (`vdh.firmware.vgaBios`); on MVM's own BIOS the ports stay unhooked and there is no PCI bus.
 *
 * Why PCI: a BIOS finds an option ROM to run either on a PCI device or, on QEMU, as a fw_cfg file. Debian's
 * SeaBIOS reads fw_cfg's directory with BSWAP, a 486 instruction our 386 does not have; its PCI code needs
 * nothing past the 386. A host bridge at 00:00.0 is left out on purpose: with an i440FX there SeaBIOS locks
 * its shadow RAM at the end of POST with WBINVD, another 486 instruction; without one it leaves the BIOS
 * RAM as it found it (writable, foreign-bios.ts).
 *
 * The VGA function:
 *  - Command (04h) bits 0-2 (I/O, memory, bus master) read and write; status 0.
 *  - BAR 0: VVGA's linear frame buffer, 32-bit prefetchable memory of its size (named request VVGA 7). It
 *    answers a sizing write (all ones) with its size mask as PCI asks, and otherwise reads back VVGA's
 *    address whatever was written: the frame buffer is decoded where VVGA has it, so the VGA BIOS, which
 *    takes its linear frame buffer's address from BAR 0, finds it there. (The BIOS's own allocation of the
 *    BAR is never used by anyone.)
 *  - Expansion ROM BAR (30h): the VGA BIOS, its size the next power of two; the BIOS moves it anywhere in
 *    F0000000h-FEBFFFFFh (where SeaBIOS allocates PCI memory, from the top down) and enables it with bit 0,
 *    and reads the image there while both that bit and the command register's memory bit are set.
 *  - Subsystem 1AF4h:1100h (QEMU's), interrupt line read/write, no interrupt pin.
 * Any other device or function reads all ones (no device); writes to it vanish.
 */
import type { Vdh, VddModule } from '../../main/vmm/vdh.js';

export const PORT_ADDRESS = 0xcf8;
export const PORT_DATA = 0xcfc;
/** Where a BIOS may place the expansion ROM: the top of the 32-bit PCI memory window below the I/O APIC. */
export const ROM_WINDOW = { start: 0xf000_0000, end: 0xfec0_0000 } as const;
/** The VGA's place on bus 0. */
export const VGA_DEVICE = 2;

const VENDOR = 0x1234;
const DEVICE = 0x1111;
const COMMAND_MASK = 0x0007;
const COMMAND_MEMORY = 0x0002;
const BAR_PREFETCHABLE = 0x08;
const ROM_ENABLE = 0x01;

/** The smallest power of two at least `n` (and at least 2 KiB, the ROM BAR's granularity). */
function romSize(n: number): number {
  let size = 0x800;
  while (size < n) size *= 2;
  return size;
}

/** The VGA function's configuration space. */
export class PciVga {
  /** The plain registers; the BARs and the command register are kept apart below. */
  readonly config = new Uint8Array(256);
  command = 0;
  /** What was last written to BAR 0 and to the ROM BAR, as dwords (byte writes merge into them). */
  bar0Written = 0;
  romWritten = 0;
  readonly romSize: number;

  constructor(
    readonly lfb: { base: number; size: number },
    readonly rom: Uint8Array,
  ) {
    this.romSize = romSize(rom.length);
    const c = this.config;
    const w16 = (at: number, v: number): void => {
      c[at] = v & 0xff;
      c[at + 1] = v >> 8;
    };
    w16(0x00, VENDOR);
    w16(0x02, DEVICE);
    c[0x08] = 0x02; // revision, as QEMU's
    c[0x0b] = 0x03; // class: display controller, subclass 0 (VGA), programming interface 0
    w16(0x2c, 0x1af4);
    w16(0x2e, 0x1100);
  }

  private get bar0Mask(): number {
    return ~(this.lfb.size - 1) >>> 0;
  }
  private get romMask(): number {
    return ~(this.romSize - 1) >>> 0;
  }

  readDword(reg: number): number {
    switch (reg & 0xfc) {
      case 0x04:
        return this.command; // status 0
      case 0x10: {
        const mask = this.bar0Mask;
        const sizing = (this.bar0Written & mask) >>> 0 === mask;
        return ((sizing ? mask : this.lfb.base) | BAR_PREFETCHABLE) >>> 0;
      }
      case 0x30:
        return ((this.romWritten & this.romMask) | (this.romWritten & ROM_ENABLE)) >>> 0;
      default: {
        const c = this.config;
        const at = reg & 0xfc;
        return (c[at] | (c[at + 1] << 8) | (c[at + 2] << 16) | (c[at + 3] << 24)) >>> 0;
      }
    }
  }

  writeByte(reg: number, value: number): void {
    const shift = (reg & 3) * 8;
    const merge = (dword: number): number => ((dword & ~(0xff << shift)) | (value << shift)) >>> 0;
    switch (reg & 0xfc) {
      case 0x04:
        if (shift === 0) this.command = value & COMMAND_MASK;
        return;
      case 0x10:
        this.bar0Written = merge(this.bar0Written);
        return;
      case 0x30:
        this.romWritten = merge(this.romWritten);
        return;
      default:
        if (reg === 0x3c) this.config[reg] = value; // interrupt line: the only other writable byte
    }
  }

  /** The ROM's byte at physical `addr`, or undefined when the ROM is not decoded there. */
  romRead(addr: number): number | undefined {
    if (!(this.romWritten & ROM_ENABLE) || !(this.command & COMMAND_MEMORY)) return undefined;
    const base = (this.romWritten & this.romMask) >>> 0;
    if (addr < base || addr >= base + this.romSize) return undefined;
    return this.rom[addr - base] ?? 0;
  }
}

/** Bus 0 behind configuration mechanism #1. */
export class PciBus {
  address = 0;

  constructor(readonly vga: PciVga) {}

  /** The function the address register selects, with its register; undefined: nothing answers. */
  private target(): { fn: PciVga; reg: number } | undefined {
    const a = this.address;
    if (!(a & 0x8000_0000)) return undefined;
    const bus = (a >>> 16) & 0xff;
    const device = (a >>> 11) & 0x1f;
    const fn = (a >>> 8) & 7;
    if (bus !== 0 || device !== VGA_DEVICE || fn !== 0) return undefined;
    return { fn: this.vga, reg: a & 0xfc };
  }

  /** A data port read of `bytes` bytes at CFCh + `offset`. */
  readData(offset: number, bytes: number): number {
    const t = this.target();
    const all = bytes === 4 ? 0xffff_ffff : bytes === 2 ? 0xffff : 0xff;
    if (!t) return all;
    return (t.fn.readDword(t.reg) >>> (offset * 8)) & all;
  }

  writeData(offset: number, bytes: number, value: number): void {
    const t = this.target();
    if (!t) return;
    for (let i = 0; i < bytes && offset + i < 4; i++) t.fn.writeByte(t.reg + offset + i, (value >>> (8 * i)) & 0xff);
  }
}

const vpci: VddModule = {
  name: 'VPCI',
  init(vdh: Vdh): void {
    const rom = vdh.firmware.vgaBios;
    if (vdh.firmware.kind !== 'foreign' || !rom) return;
    const h = vdh.openVdd('VVGA');
    const lfb = h ? (vdh.requestVdd(h, 7) as { base: number; size: number }) : undefined;
    if (!lfb) throw new Error('VPCI: the VGA function needs VVGA (its linear frame buffer)');
    const bus = new PciBus(new PciVga(lfb, rom));
    vdh.installIoHook(PORT_ADDRESS, 4, {
      // The address register is a dword; a byte or word access to it is some other chipset register.
      byteIn: () => 0xff,
      byteOut: () => {},
      dwordIn: () => bus.address,
      dwordOut: (_port, value) => {
        bus.address = (value & 0x80ff_fffc) >>> 0;
      },
    });
    vdh.installIoHook(PORT_DATA, 4, {
      byteIn: (port) => bus.readData(port - PORT_DATA, 1),
      byteOut: (port, value) => bus.writeData(port - PORT_DATA, 1, value),
      wordIn: (port) => bus.readData(port - PORT_DATA, 2),
      wordOut: (port, value) => bus.writeData(port - PORT_DATA, 2, value),
      dwordIn: () => bus.readData(0, 4),
      dwordOut: (_port, value) => bus.writeData(0, 4, value),
    });
    vdh.mapMmio(ROM_WINDOW.start, ROM_WINDOW.end - ROM_WINDOW.start, {
      read: (addr) => bus.vga.romRead(addr) ?? 0xff,
      write: () => {},
    });
  },
};
export default vpci;
