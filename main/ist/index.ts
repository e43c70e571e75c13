/** The IST's public face: the contract and a factory. The monitor imports nothing else from main/ist. */
import { Cpu } from './cpu.js';
import type { CpuBus, CpuModel, Ist } from './ist.js';

export * from './ist.js';

export interface CpuOptions {
  /** Use the block translator (default true); false interprets every instruction. */
  translate?: boolean;
  /**
   * Fit the model's coprocessor (8087, 287, 387; default true). Without one, ESC instructions decode their
   * operand and do nothing, and FNSTSW/FNSTCW leave memory unchanged, as software detecting an FPU expects.
   */
  fpu?: boolean;
}

/** Create a CPU of the given model on a bus. */
export function createCpu(bus: CpuBus, model: CpuModel, options: CpuOptions = {}): Ist {
  const cpu = new Cpu(bus, model, options.fpu ?? true);
  cpu.useTranslator(options.translate ?? true);
  return cpu;
}
