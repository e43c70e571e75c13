/**
 * A VM's physical memory map: RAM (conventional, upper and extended up to the configured size), ROM images,
 * and pages whose accesses go to a handler (MMIO: video memory, option ROM windows, unmapped holes).
 *
 * The CPU reads and writes plain RAM directly through `ram` and `pageKind` (see main/ist/ist.ts); every
 * other page comes here through `read`/`write`. Writes to ROM are dropped, as on a PC; unmapped pages
 * read as all ones (an open bus) and swallow writes.
 *
 * Above the RAM, where `pageKind` has no entry, a few MMIO regions may sit (a video card's linear frame
 * buffer at E0000000h, say): the CPU's fast path already sends every such address here (an undefined page
 * kind is not RAM), so only accesses beyond the RAM pay for the short list of regions.
 */
import { PAGE_SHIFT, PageKind } from '../ist/ist.js';

export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** Byte handlers for a range of pages (MMIO). Addresses are physical. */
export interface MmioHandler {
  read(addr: number): number;
  write(addr: number, value: number): void;
}

export interface MemoryOptions {
  /** Bytes of RAM from address 0 (a multiple of 4 KiB, at least 1 MiB + 64 KiB for the HMA). */
  ramSize: number;
}

/** The 640 KiB-1 MiB hole of a PC: video memory and ROM live here, not RAM. */
const UPPER_START = 0xa0000;
const UPPER_END = 0x100000;

export class PhysicalMemory {
  readonly ram: Uint8Array;
  readonly pageKind: Uint8Array;
  private readonly mmio: (MmioHandler | undefined)[];
  /** MMIO regions above the RAM, [start, end) in physical addresses. */
  private readonly high: { start: number; end: number; handler: MmioHandler }[] = [];

  constructor(options: MemoryOptions) {
    const size = options.ramSize;
    if (!Number.isInteger(size) || size % PAGE_SIZE !== 0 || size < UPPER_END + 0x10000) {
      throw new Error(`RAM size ${size}: must be a multiple of 4 KiB and at least 1 MiB + 64 KiB`);
    }
    this.ram = new Uint8Array(size);
    this.pageKind = new Uint8Array(size / PAGE_SIZE).fill(PageKind.Ram);
    this.mmio = new Array<MmioHandler | undefined>(size / PAGE_SIZE).fill(undefined);
    // Nothing lives in the upper memory area until a device or ROM claims it.
    this.unmap(UPPER_START, UPPER_END - UPPER_START);
  }

  /** Copy a ROM image to `addr` and make its pages read-only. */
  loadRom(addr: number, image: Uint8Array): void {
    this.checkRange(addr, image.length);
    this.ram.set(image, addr);
    this.setKind(addr, image.length, PageKind.Rom);
    this.setHandler(addr, image.length, undefined);
  }

  /**
   * Route a page-aligned range to `handler` (video memory, say): inside the RAM's address range, or wholly
   * above it and below 4 GiB (a linear frame buffer), not overlapping another region there.
   */
  mapMmio(addr: number, length: number, handler: MmioHandler): void {
    if (addr >= this.ram.length) {
      this.mapHigh(addr, length, handler);
      return;
    }
    this.checkRange(addr, length);
    this.setKind(addr, length, PageKind.Mmio);
    this.setHandler(addr, length, handler);
  }

  /** Make a range plain RAM again (upper memory blocks, say). */
  mapRam(addr: number, length: number): void {
    this.checkRange(addr, length);
    this.setKind(addr, length, PageKind.Ram);
    this.setHandler(addr, length, undefined);
  }

  /** Leave a range unmapped: reads float high, writes vanish. */
  unmap(addr: number, length: number): void {
    this.checkRange(addr, length);
    this.setKind(addr, length, PageKind.Mmio);
    this.setHandler(addr, length, undefined);
  }

  /** Byte read of a non-RAM page (the CPU's slow path). */
  read(addr: number): number {
    const page = addr >>> PAGE_SHIFT;
    const kind = this.pageKind[page];
    if (kind === undefined) return this.highRead(addr);
    if (kind !== PageKind.Mmio) return this.ram[addr];
    const h = this.mmio[page];
    return h ? h.read(addr) & 0xff : 0xff;
  }

  /** Byte write of a non-RAM page: translated code (still RAM), ROM (dropped) or MMIO. */
  write(addr: number, value: number): void {
    const page = addr >>> PAGE_SHIFT;
    const kind = this.pageKind[page];
    if (kind === PageKind.Code || kind === PageKind.Ram) this.ram[addr] = value;
    else if (kind === PageKind.Mmio) this.mmio[page]?.write(addr, value & 0xff);
    else if (kind === undefined) this.highWrite(addr, value & 0xff);
  }

  private highRead(addr: number): number {
    for (const r of this.high) if (addr >= r.start && addr < r.end) return r.handler.read(addr) & 0xff;
    return 0xff;
  }

  private highWrite(addr: number, value: number): void {
    for (const r of this.high) {
      if (addr >= r.start && addr < r.end) {
        r.handler.write(addr, value);
        return;
      }
    }
  }

  private mapHigh(addr: number, length: number, handler: MmioHandler): void {
    const end = addr + length;
    if (addr % PAGE_SIZE !== 0 || length % PAGE_SIZE !== 0 || length <= 0 || end > 0x1_0000_0000) {
      throw new Error(`memory range ${addr.toString(16)}h+${length.toString(16)}h: must be whole 4 KiB pages below 4 GiB`);
    }
    if (this.high.some((r) => addr < r.end && r.start < end)) throw new Error(`memory range ${addr.toString(16)}h+${length.toString(16)}h overlaps a mapped region`);
    this.high.push({ start: addr, end, handler });
  }

  private setKind(addr: number, length: number, kind: PageKind): void {
    this.pageKind.fill(kind, addr / PAGE_SIZE, (addr + length) / PAGE_SIZE);
  }

  private setHandler(addr: number, length: number, h: MmioHandler | undefined): void {
    this.mmio.fill(h, addr / PAGE_SIZE, (addr + length) / PAGE_SIZE);
  }

  private checkRange(addr: number, length: number): void {
    if (addr % PAGE_SIZE !== 0 || length % PAGE_SIZE !== 0 || length <= 0 || addr + length > this.ram.length) {
      throw new Error(`memory range ${addr.toString(16)}h+${length.toString(16)}h: must be whole 4 KiB pages inside RAM`);
    }
  }
}
