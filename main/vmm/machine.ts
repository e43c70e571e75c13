/**
 * The bus a VM's CPU runs on: physical memory, the port bus and the interrupt controller's acknowledge
 * cycle, put together as the IST's `CpuBus`.
 */
import type { CpuBus } from '../ist/ist.js';
import { PhysicalMemory, type MemoryOptions } from './memory.js';
import { PortBus } from './ports.js';

/** What the CPU's INTA cycle talks to (the virtual PIC, once installed). */
export interface InterruptController {
  /** The vector of the highest-priority pending interrupt, or -1 if none is pending any more. */
  acknowledge(): number;
}

export class Machine implements CpuBus {
  readonly memory: PhysicalMemory;
  readonly ports = new PortBus();
  readonly ram: Uint8Array;
  readonly pageKind: Uint8Array;
  interruptController: InterruptController | undefined;

  constructor(options: MemoryOptions) {
    this.memory = new PhysicalMemory(options);
    this.ram = this.memory.ram;
    this.pageKind = this.memory.pageKind;
  }

  readSlow(addr: number): number {
    return this.memory.read(addr);
  }
  writeSlow(addr: number, value: number): void {
    this.memory.write(addr, value);
  }
  in8(port: number): number {
    return this.ports.in8(port);
  }
  in16(port: number): number {
    return this.ports.in16(port);
  }
  in32(port: number): number {
    return this.ports.in32(port);
  }
  out8(port: number, value: number): void {
    this.ports.out8(port, value);
  }
  out16(port: number, value: number): void {
    this.ports.out16(port, value);
  }
  out32(port: number, value: number): void {
    this.ports.out32(port, value);
  }
  acknowledgeInterrupt(): number {
    return this.interruptController ? this.interruptController.acknowledge() : -1;
  }
}
