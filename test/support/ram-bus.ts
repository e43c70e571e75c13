/**
 * The simplest machine a CPU can run on: plain RAM with every page of kind Ram, ports that float (read
 * all ones, swallow writes) and no interrupt controller. Tests and the CPU benchmark build on it;
 * subclasses add port behaviour or an IRQ source.
 */
import { PageKind, type CpuBus } from '../../main/ist/ist.js';

export class RamBus implements CpuBus {
  readonly ram: Uint8Array;
  readonly pageKind: Uint8Array;

  /** `size` bytes of RAM (default 1 MiB + 64 KiB: real mode with the HMA). */
  constructor(size = 0x110000) {
    this.ram = new Uint8Array(size);
    this.pageKind = new Uint8Array(size >>> 12).fill(PageKind.Ram);
  }

  // Only pages the translator marked Code (still RAM) and addresses past the end come here.
  readSlow(addr: number): number {
    return this.ram[addr] ?? 0xff;
  }
  writeSlow(addr: number, value: number): void {
    if (addr < this.ram.length) this.ram[addr] = value;
  }
  in8(_port: number): number {
    return 0xff;
  }
  in16(_port: number): number {
    return 0xffff;
  }
  in32(_port: number): number {
    return 0xffffffff;
  }
  out8(_port: number, _value: number): void {}
  out16(_port: number, _value: number): void {}
  out32(_port: number, _value: number): void {}
  acknowledgeInterrupt(): number {
    return -1;
  }
}
