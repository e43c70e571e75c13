/**
 * The VDD host of one VM: loads VDD modules and implements the VDH helper API (vdh.ts) on the VM monitor.
 * VDDs see only `Vdh`; this file is the monitor side of that contract.
 */
import { PageKind, type CpuModel, type CpuRegisters } from '../ist/ist.js';
import type { VirtualMachine } from './monitor.js';
import {
  PASS,
  type InterruptControllerProvider,
  type IntHook,
  type IoHandlers,
  type MmioHandler,
  type PropertyDef,
  type PropertyValue,
  type RequestHandler,
  type UserHookEvent,
  type VddHandle,
  type VddModule,
  type Vdh,
  type Virq,
} from './vdh.js';

export class VddHost implements Vdh {
  private readonly names = new Map<string, RequestHandler[]>();
  private readonly userHooks = new Map<UserHookEvent, (() => void)[]>();
  private readonly properties = new Map<string, { def: PropertyDef; value: PropertyValue }>();
  private controller: InterruptControllerProvider | undefined;
  /** Messages VDDs logged, newest last. */
  readonly messages: string[] = [];

  /** `settings`: DOS settings chosen for this VM (name -> value), checked against each VDD's definition. */
  constructor(
    readonly vm: VirtualMachine,
    private readonly settings: Record<string, PropertyValue> = {},
  ) {}

  /** Load VDDs in order (the interrupt controller first: others open its IRQs). */
  load(modules: readonly VddModule[]): void {
    for (const m of modules) {
      try {
        m.init(this);
      } catch (e) {
        throw new Error(`VDD ${m.name} failed to load: ${(e as Error).message}`);
      }
    }
  }

  /** Run the VDDs' hooks for a lifecycle event. */
  notify(event: UserHookEvent): void {
    for (const fn of this.userHooks.get(event) ?? []) fn();
  }

  get model(): CpuModel {
    return this.vm.cpu.model;
  }
  get now(): number {
    return this.vm.now;
  }
  get ticksPerSecond(): number {
    return this.vm.ticksPerSecond;
  }

  installIoHook(first: number, count: number, handlers: IoHandlers): void {
    this.vm.machine.ports.install(first, count, handlers);
  }
  removeIoHook(first: number, count: number): void {
    this.vm.machine.ports.remove(first, count);
  }

  installIntHook(vector: number, hook: IntHook): void {
    if (!Number.isInteger(vector) || vector < 0 || vector > 255) throw new Error(`interrupt vector ${vector} is outside 0..255`);
    this.vm.hookInterrupt(vector, () => hook());
  }
  pushInt(vector: number): void {
    this.vm.cpu.interrupt(vector);
  }

  getRegisters(): CpuRegisters {
    return this.vm.cpu.getRegisters();
  }
  setRegisters(regs: Partial<CpuRegisters>): void {
    this.vm.cpu.setRegisters(regs);
  }

  readGuest(addr: number, length: number): Uint8Array {
    const mem = this.vm.machine.memory;
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const a = addr + i;
      const kind = mem.pageKind[a >>> 12];
      out[i] = kind === undefined ? 0xff : kind === PageKind.Mmio ? mem.read(a) : mem.ram[a];
    }
    return out;
  }
  writeGuest(addr: number, bytes: Uint8Array): void {
    const mem = this.vm.machine.memory;
    for (let i = 0; i < bytes.length; i++) {
      const a = addr + i;
      const kind = mem.pageKind[a >>> 12];
      if (kind === PageKind.Ram || kind === PageKind.Code) mem.ram[a] = bytes[i];
      else if (kind === PageKind.Mmio) mem.write(a, bytes[i]);
    }
    this.vm.cpu.memoryChanged(addr, bytes.length);
  }
  mapMmio(addr: number, length: number, handler: MmioHandler): void {
    this.vm.machine.memory.mapMmio(addr, length, handler);
    this.vm.cpu.memoryChanged(addr, length);
  }
  loadRom(addr: number, image: Uint8Array): void {
    this.vm.machine.memory.loadRom(addr, image);
    this.vm.cpu.memoryChanged(addr, image.length);
  }
  mapRam(addr: number, length: number): void {
    this.vm.machine.memory.mapRam(addr, length);
    this.vm.cpu.memoryChanged(addr, length);
  }

  armTimer(ticks: number, fn: () => void): () => void {
    return this.vm.addTimer(ticks, fn);
  }

  provideInterruptController(provider: InterruptControllerProvider): void {
    if (this.controller) throw new Error('an interrupt controller is already installed');
    this.controller = provider;
    this.vm.machine.interruptController = provider;
  }
  openVirq(irq: number): Virq {
    if (!this.controller) throw new Error(`IRQ ${irq}: no interrupt controller is loaded (load VPIC first)`);
    return this.controller.openVirq(irq);
  }
  setInterruptLine(raised: boolean): void {
    this.vm.setIrq(raised);
  }

  onUserHook(event: UserHookEvent, fn: () => void): void {
    const list = this.userHooks.get(event) ?? [];
    list.push(fn);
    this.userHooks.set(event, list);
  }

  registerProperty(def: PropertyDef): void {
    if (this.properties.has(def.name)) throw new Error(`DOS setting ${def.name} is registered twice`);
    const chosen = this.settings[def.name];
    const value = chosen === undefined ? def.default : checkProperty(def, chosen);
    this.properties.set(def.name, { def, value });
  }
  property(name: string): PropertyValue {
    const p = this.properties.get(name);
    if (!p) throw new Error(`no DOS setting named ${name}`);
    return p.value;
  }

  registerName(name: string, handler: RequestHandler): void {
    const list = this.names.get(name) ?? [];
    list.push(handler);
    this.names.set(name, list);
  }
  openVdd(name: string): VddHandle | undefined {
    return this.names.has(name) ? { name } : undefined;
  }
  /** The VDDs registered under the handle's name answer in turn; one returning PASS hands it to the next. */
  requestVdd(handle: VddHandle, command: number, input?: unknown): unknown {
    for (const handler of this.names.get(handle.name) ?? []) {
      const answer = handler(command, input);
      if (answer !== PASS) return answer;
    }
    return undefined;
  }
  closeVdd(_handle: VddHandle): void {}

  stopVm(reason: string): void {
    this.vm.stop(reason);
  }
  log(message: string): void {
    this.messages.push(message);
  }
}

/** A setting's value checked against its definition; a bad value is a clear error naming the setting. */
function checkProperty(def: PropertyDef, v: PropertyValue): PropertyValue {
  const bad = (why: string): never => {
    throw new Error(`DOS setting ${def.name}: ${JSON.stringify(v)} ${why}`);
  };
  switch (def.type) {
    case 'bool':
      return typeof v === 'boolean' ? v : bad('is not on/off');
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad('is not a whole number');
      if (v < def.min || v > def.max) return bad(`is outside ${def.min}..${def.max}`);
      if (def.step && (v - def.min) % def.step !== 0) return bad(`is not a step of ${def.step}`);
      return v;
    case 'enum':
      return typeof v === 'string' && def.values.includes(v) ? v : bad(`is not one of ${def.values.join(', ')}`);
    default: {
      if (typeof v !== 'string') return bad('is not text');
      const why = def.validate?.(v);
      return why ? bad(why) : v;
    }
  }
}
