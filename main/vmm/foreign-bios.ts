/**
 * A foreign BIOS (docs/firmware.md "Foreign BIOS"): a PC BIOS image the user gives instead of MVM's own ROM
 * (`mvm boot --bios ROM [--vga-bios ROM]`) — SeaBIOS from Debian's `seabios` package is the one tested. This
 * module checks such images before a VM uses them and lays the BIOS into a machine's memory as a board
 * with shadow RAM has it once the BIOS has shadowed itself:
 *
 * - The whole image at the top of the first MiB, ending at FFFFFh (a 64 KiB image from F0000h, 128 KiB from
 *   E0000h, 256 KiB from C0000h), as writable RAM. A BIOS built for a chipset with shadow RAM copies itself
 *   from 4 GiB into that RAM and writes its variables there; SeaBIOS, finding no chipset to unlock (there
 *   is no host bridge here, vdd/vpci), expects it done already — its 256 KiB build links code from D2000h.
 * - The rest of the option-ROM space from C0000h as RAM: the BIOS copies option ROMs (the VGA BIOS) there.
 * - The whole image, read-only, at the top of the 4 GiB space, where a 386 fetches its first instruction
 *   (CS base FFFF0000h, IP FFF0h) and where a BIOS finds its pristine copy.
 *
 * Paths come from the command line only; the guest never names a host file.
 */
import { readFileSync } from 'node:fs';
import type { PhysicalMemory } from './memory.js';

export interface ForeignFirmwareImages {
  /** The system BIOS: 64, 128 or 256 KiB, its reset vector in its last 16 bytes. */
  bios: Uint8Array;
  /** The VGA BIOS, an option ROM (55AAh, size, checksum) the system BIOS runs at C0000h. */
  vgaBios?: Uint8Array;
}

/** Where a foreign BIOS's images are on the host. */
export interface ForeignFirmwarePaths {
  bios: string;
  vgaBios?: string;
}

/** The sizes a BIOS image may have. */
export const BIOS_SIZES = [0x10000, 0x20000, 0x40000] as const;
/** The option-ROM space starts here. */
export const OPTION_ROM_BASE = 0xc0000;
/** The largest VGA BIOS: C0000h up to where a 128 KiB system BIOS starts. */
export const VGA_BIOS_MAX = 0x20000;
/** The PCI VGA the machine's VGA BIOS must be for (QEMU's standard VGA: vdd/vpci's VGA function). */
export const VGA_PCI_ID = { vendor: 0x1234, device: 0x1111 } as const;

/** Why `image` is no usable system BIOS image, or undefined when it is one. */
export function biosImageProblem(image: Uint8Array): string | undefined {
  if (!(BIOS_SIZES as readonly number[]).includes(image.length)) {
    return `is ${image.length} bytes; a BIOS image is 64, 128 or 256 KiB`;
  }
  // The reset vector (F000:FFF0) is the image's 16th byte from the end: a PC BIOS jumps from there.
  const jump = image[image.length - 16];
  if (jump !== 0xea && jump !== 0xe9 && jump !== 0xeb) {
    return `has no jump at its reset vector (F000:FFF0 holds ${hex2(jump)}, not EAh, E9h or EBh): not a PC BIOS image`;
  }
  return undefined;
}

/** Why `image` is no usable VGA BIOS (an option ROM), or undefined when it is one. */
export function vgaBiosImageProblem(image: Uint8Array): string | undefined {
  if (image.length < 512 || image.length > VGA_BIOS_MAX) return `is ${image.length} bytes; a VGA BIOS is 512 bytes to 128 KiB`;
  if (image[0] !== 0x55 || image[1] !== 0xaa) return `does not start with an option ROM signature (55h AAh): not a VGA BIOS image`;
  const size = image[2] * 512;
  if (size === 0 || size > image.length) return `says it is ${size} bytes (byte 2 × 512) but the file has ${image.length}`;
  let sum = 0;
  for (let i = 0; i < size; i++) sum += image[i];
  if ((sum & 0xff) !== 0) return `has a bad checksum (its ${size} bytes add up to ${hex2(sum & 0xff)}, not 00h)`;
  // The machine offers the VGA BIOS as the expansion ROM of its PCI VGA (vdd/vpci), and a BIOS runs a PCI
  // ROM only when its PCI data structure names that device: QEMU's standard VGA, which VVGA is.
  const pcir = image[0x18] | (image[0x19] << 8);
  const id = (at: number): number => image[at] | (image[at + 1] << 8);
  if (pcir + 8 > size || String.fromCharCode(...image.subarray(pcir, pcir + 4)) !== 'PCIR') {
    return 'is not a PCI option ROM: the machine runs a VGA BIOS for the standard VGA, 1234h:1111h (vgabios-stdvga.bin)';
  }
  if (id(pcir + 4) !== VGA_PCI_ID.vendor || id(pcir + 6) !== VGA_PCI_ID.device) {
    return `is for PCI device ${hex4(id(pcir + 4))}:${hex4(id(pcir + 6))}; the machine's VGA is the standard VGA, 1234h:1111h (vgabios-stdvga.bin)`;
  }
  return undefined;
}

/** Throw a clear error naming `what` when the images are not a usable BIOS and VGA BIOS. */
export function checkForeignFirmware(images: ForeignFirmwareImages, names: { bios: string; vgaBios?: string } = { bios: 'the BIOS image', vgaBios: 'the VGA BIOS image' }): void {
  const bios = biosImageProblem(images.bios);
  if (bios) throw new Error(`${names.bios} ${bios}`);
  if (images.vgaBios) {
    const vga = vgaBiosImageProblem(images.vgaBios);
    if (vga) throw new Error(`${names.vgaBios ?? 'the VGA BIOS image'} ${vga}`);
  }
}

/** Read and check the images at `paths`; errors name the file. */
export function readForeignFirmware(paths: ForeignFirmwarePaths): ForeignFirmwareImages {
  const read = (what: string, path: string): Uint8Array => {
    try {
      return new Uint8Array(readFileSync(path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (code ?? (e as Error).message);
      throw new Error(`${what} ${path}: cannot read it (${why})`);
    }
  };
  const images: ForeignFirmwareImages = { bios: read('BIOS image', paths.bios) };
  if (paths.vgaBios !== undefined) images.vgaBios = read('VGA BIOS image', paths.vgaBios);
  checkForeignFirmware(images, { bios: `BIOS image ${paths.bios}`, vgaBios: `VGA BIOS image ${paths.vgaBios}` });
  return images;
}

/** Lay a checked system BIOS image into `memory` (see the file comment). */
export function mapForeignBios(memory: PhysicalMemory, bios: Uint8Array): void {
  const lowBase = 0x100000 - bios.length;
  memory.mapRam(OPTION_ROM_BASE, 0x100000 - OPTION_ROM_BASE);
  memory.ram.fill(0, OPTION_ROM_BASE, lowBase);
  memory.ram.set(bios, lowBase);
  const highBase = 0x1_0000_0000 - bios.length;
  memory.mapMmio(highBase, bios.length, {
    read: (addr) => bios[addr - highBase],
    write: () => {}, // flash ROM: writes go nowhere
  });
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0') + 'h';
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0') + 'h';
}
