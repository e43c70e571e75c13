/** The IST's public face: the contract and a factory. The monitor imports nothing else from main/ist. */
import { Cpu } from './cpu.js';
import type { CpuBus, CpuModel, Ist } from './ist.js';

export * from './ist.js';

/** Create a CPU of the given model on a bus. */
export function createCpu(bus: CpuBus, model: CpuModel): Ist {
  return new Cpu(bus, model);
}
