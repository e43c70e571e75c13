/**
 * The VDD host of one VM: loads VDD modules and implements the VDH helper API (vdh.ts) on the VM monitor.
 * VDDs see only `Vdh`; this file is the monitor side of that contract.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Surface } from '../vman/surface.js';
import { Flag, PageKind, type CpuModel, type CpuRegisters, type CpuState } from '../ist/ist.js';
import type { VirtualMachine } from './monitor.js';
import { RomOffset } from '../../firmware/bios/rom.js';
import {
  PASS,
  type BiosService,
  type Firmware,
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
  type VdhFile,
  type Virq,
} from './vdh.js';

/** SVC numbers of the firmware (docs/firmware.md): 7Fh the POST call, 80h+v the BIOS service of INT v. */
export const SVC_POST = 0x7f;
export const SVC_BIOS = 0x80;
/** SVC 7Eh: the ROM's return-hook stub (firmware/bios/rom.ts, RomOffset.returnHook). */
export const SVC_RETURN_HOOK = 0x7e;
const RETURN_HOOK_STUB = { segment: 0xf000, offset: 0xe000 };

export class VddHost implements Vdh {
  private readonly names = new Map<string, RequestHandler[]>();
  private readonly intHooks = new Map<number, IntHook[]>();
  private readonly userHooks = new Map<UserHookEvent, (() => void)[]>();
  private readonly properties = new Map<string, { def: PropertyDef; value: PropertyValue; owner: string }>();
  /** The VDD whose init is running (the owner of the settings it registers). */
  private loading = '';
  private controller: InterruptControllerProvider | undefined;
  private readonly biosServices: (BiosService | undefined)[] = new Array(0x80);
  private readonly unservedReported = new Set<number>();
  private readonly files = new Set<VdhFile>();
  private a20State = true;
  private readonly svcsTaken = new Set<number>();
  private readonly returnHooks: { fn: () => void; ip: number; cs: number }[] = [];
  private readonly logListeners: ((message: string) => void)[] = [];
  private readonly listeners: ((topic: string, payload: unknown) => void)[] = [];
  /** Messages VDDs logged, newest last. */
  readonly messages: string[] = [];

  /**
   * `settings`: DOS settings chosen for this VM (name -> value), checked against each VDD's definition.
   * `firmware`: whose BIOS runs the machine (MVM's own unless a foreign image was given: docs/firmware.md).
   */
  constructor(
    readonly vm: VirtualMachine,
    private readonly settings: Record<string, PropertyValue> = {},
    readonly firmware: Firmware = { kind: 'mvm' },
  ) {
    vm.registerSvc(SVC_POST, () => this.notify('post'));
    vm.registerSvc(SVC_RETURN_HOOK, () => this.serveReturnHook());
    for (let v = 0; v < 0x80; v++) vm.registerSvc(SVC_BIOS + v, () => this.serveBios(v));
  }

  /** Listen to what VDDs post for the host (speaker tones, screen changes, ...). */
  onPost(fn: (topic: string, payload: unknown) => void): void {
    this.listeners.push(fn);
  }

  /** A DOS settings value as chosen for this VM, for the server's queries. */
  get propertyNames(): string[] {
    return [...this.properties.keys()];
  }

  /** A request to a named VDD from outside the VM (the server, the CLI): the DosRequestVDD path. */
  request(name: string, command: number, input?: unknown): unknown {
    const handle = this.openVdd(name);
    if (!handle) throw new Error(`no VDD named ${name} is loaded`);
    return this.requestVdd(handle, command, input);
  }

  /** An INT v that no VDD serves fails the way an old BIOS does: CF set, AH=86h (function not supported). */
  private serveBios(v: number): void | 'wait' {
    const service = this.biosServices[v];
    if (service) return service();
    const r = this.vm.cpu.getRegisters();
    if (!this.unservedReported.has(v)) {
      this.unservedReported.add(v);
      this.log(`BIOS: INT ${hex2(v)} AX=${r.eax.toString(16).padStart(4, '0')} is not served`);
    }
    this.vm.cpu.setRegisters({ eax: (r.eax & ~0xff00) | 0x8600, eflags: r.eflags | Flag.CF });
  }

  /** Load VDDs in order (the interrupt controller first: others open its IRQs). */
  load(modules: readonly VddModule[]): void {
    for (const m of modules) {
      this.loading = m.name;
      try {
        m.init(this);
      } catch (e) {
        throw new Error(`VDD ${m.name} failed to load: ${(e as Error).message}`);
      } finally {
        this.loading = '';
      }
    }
  }

  /** Every DOS setting registered, with the VDD that owns it (the settings notebook's catalogue). */
  propertyDefs(): { def: PropertyDef; owner: string }[] {
    return [...this.properties.values()].map((p) => ({ def: p.def, owner: p.owner }));
  }

  /** Run the VDDs' hooks for a lifecycle event. */
  notify(event: UserHookEvent): void {
    for (const fn of this.userHooks.get(event) ?? []) fn();
    if (event === 'terminate') for (const f of [...this.files]) f.close();
  }

  get model(): CpuModel {
    return this.vm.cpu.model;
  }
  get fpu(): boolean {
    return this.vm.cpu.hasFpu;
  }
  get now(): number {
    return this.vm.now;
  }
  get ticksPerSecond(): number {
    return this.vm.ticksPerSecond;
  }
  get ramSize(): number {
    return this.vm.machine.ram.length;
  }

  installIoHook(first: number, count: number, handlers: IoHandlers): void {
    this.vm.machine.ports.install(first, count, handlers);
  }
  removeIoHook(first: number, count: number): void {
    this.vm.machine.ports.remove(first, count);
  }
  setIoHookState(first: number, count: number, trap: boolean): void {
    this.vm.machine.ports.setTrap(first, count, trap);
  }

  installIntHook(vector: number, hook: IntHook): void {
    if (!Number.isInteger(vector) || vector < 0 || vector > 255) throw new Error(`interrupt vector ${vector} is outside 0..255`);
    // Several VDDs may hook one vector (VMOUSE watches INT 10h mode sets, a video VDD may too): each is
    // asked in the order installed until one takes the interrupt; none taking it goes through the vector.
    let hooks = this.intHooks.get(vector);
    if (!hooks) {
      const list: IntHook[] = (hooks = []);
      this.intHooks.set(vector, list);
      this.vm.hookInterrupt(vector, () => list.some((h) => h()));
    }
    hooks.push(hook);
  }
  pushInt(vector: number): void {
    this.vm.cpu.interrupt(vector);
  }

  installSvc(n: number, service: BiosService): void {
    if (!Number.isInteger(n) || n < 0 || n > 0x7d) throw new Error(`SVC ${n} is outside the kernel's range 00h-7Dh`);
    if (this.svcsTaken.has(n)) throw new Error(`SVC ${n.toString(16)}h is installed twice`);
    this.svcsTaken.add(n);
    this.vm.registerSvc(n, () => service());
  }

  installBiosService(vector: number, service: BiosService): void {
    if (!Number.isInteger(vector) || vector < 0 || vector >= 0x80) throw new Error(`BIOS vector ${vector} is outside 0..7Fh`);
    if (this.biosServices[vector]) throw new Error(`BIOS service INT ${hex2(vector)} is installed twice`);
    this.biosServices[vector] = service;
  }
  biosEntry(vector: number | 'xms' | 'dpmi'): { segment: number; offset: number } | undefined {
    if (vector === 'dpmi') return { segment: 0xf000, offset: RomOffset.dpmiEntry };
    if (vector === 0x33) return { segment: 0xf000, offset: RomOffset.mouseDriver };
    if (vector === 0x67) return { segment: 0xf000 + (RomOffset.emsDevice >> 4), offset: 0x12 };
    if (vector === 'xms') return { segment: 0xf000, offset: RomOffset.xmsDriver };
    return undefined;
  }
  endWait(): void {
    this.vm.endWait();
  }

  getRegisters(): CpuRegisters {
    return this.vm.cpu.getRegisters();
  }
  setRegisters(regs: Partial<CpuRegisters>): void {
    this.vm.cpu.setRegisters(regs);
  }

  getCpuState(): CpuState {
    return this.vm.cpu.saveState();
  }
  setCpuState(state: CpuState): void {
    this.vm.cpu.restoreState(state);
  }
  loadSegment(seg: number, selector: number): boolean {
    return this.vm.cpu.loadSegment(seg, selector);
  }
  interceptProtectedMode(handler: (() => void) | undefined): void {
    this.vm.interceptProtectedMode(handler);
  }
  protectedModeInterrupt(): { vector: number; source: number; errorCode: number } {
    const c = this.vm.cpu;
    return { vector: c.stopVector, source: c.stopSource, errorCode: c.stopErrorCode };
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
  readByte(addr: number): number {
    return this.readGuest(addr, 1)[0];
  }
  readWord(addr: number): number {
    const b = this.readGuest(addr, 2);
    return b[0] | (b[1] << 8);
  }
  writeByte(addr: number, value: number): void {
    this.writeGuest(addr, Uint8Array.of(value & 0xff));
  }
  writeWord(addr: number, value: number): void {
    this.writeGuest(addr, Uint8Array.of(value & 0xff, (value >>> 8) & 0xff));
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
  armContextHook(fn: () => void): void {
    this.vm.addTimer(0, fn);
  }
  armReturnHook(fn: () => void): void {
    // Swap the return address on the guest's stack for the ROM's return-hook stub (SVC 7Eh), which runs
    // `fn` and then continues at the real return address. Hooks nest: the newest returns first.
    const r = this.vm.cpu.getRegisters();
    const frame = (r.ss << 4) + (r.esp & 0xffff);
    this.returnHooks.push({ fn, ip: this.readWord(frame), cs: this.readWord(frame + 2) });
    this.writeWord(frame, RETURN_HOOK_STUB.offset);
    this.writeWord(frame + 2, RETURN_HOOK_STUB.segment);
  }

  /** SVC 7Eh: the guest returned into the return-hook stub. */
  private serveReturnHook(): void {
    const hook = this.returnHooks.pop();
    if (!hook) {
      this.vm.stop('the return-hook stub ran with no return hook armed');
      return;
    }
    this.vm.cpu.setRegisters({ cs: hook.cs, eip: hook.ip });
    hook.fn();
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
    this.properties.set(def.name, { def, value, owner: this.loading || 'VM' });
  }
  /** Change a live setting of a running VM (the settings notebook of a running session); checked by its definition. */
  setProperty(name: string, value: PropertyValue): void {
    const p = this.properties.get(name);
    if (!p) throw new Error(`no DOS setting named ${name}`);
    if (!p.def.live) throw new Error(`${name} takes effect when the session starts again`);
    p.value = checkProperty(p.def, value);
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

  private display: Surface | undefined;
  surface(): Surface {
    // 640x400 until the video VDD sets its mode: the size of an 80x25 text screen with 8-dot cells.
    return (this.display ??= new Surface(640, 400));
  }

  asset(path: string): Uint8Array {
    const root = assetsFolder();
    const full = resolve(root, path);
    if (!/^[A-Za-z0-9_.\/-]+$/.test(path) || !full.startsWith(root + sep)) throw new Error(`asset ${JSON.stringify(path)}: not a path under assets/`);
    try {
      return new Uint8Array(readFileSync(full));
    } catch (e) {
      throw new Error(`asset ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  openFile(path: string, options: { write?: boolean } = {}): VdhFile {
    const writable = options.write === true;
    let fd: number;
    try {
      fd = openSync(path, writable ? 'r+' : 'r');
    } catch (e) {
      throw new Error(`cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw new Error(`${path} is not a regular file`);
    }
    let open = true;
    const files = this.files;
    const check = (): void => {
      if (!open) throw new Error(`${path} is closed`);
    };
    const file: VdhFile = {
      path,
      size: st.size,
      writable,
      read(offset, length) {
        check();
        const out = new Uint8Array(Math.max(0, Math.min(length, st.size - offset)));
        let done = 0;
        while (done < out.length) {
          const n = readSync(fd, out, done, out.length - done, offset + done);
          if (n <= 0) break;
          done += n;
        }
        return out.subarray(0, done);
      },
      write(offset, bytes) {
        check();
        if (!writable) throw new Error(`${path} is open read-only`);
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, offset + done);
      },
      flush() {
        check();
        if (writable) fsyncSync(fd);
      },
      close() {
        if (!open) return;
        open = false;
        files.delete(file);
        closeSync(fd);
      },
    };
    files.add(file);
    return file;
  }

  post(topic: string, payload: unknown): void {
    for (const fn of this.listeners) fn(topic, payload);
  }

  skipIdleUntil(tick: number): void {
    this.vm.skipIdle(tick);
  }
  resetCpu(): void {
    this.vm.resetCpu();
  }
  setA20(enabled: boolean): void {
    this.a20State = enabled;
    this.vm.cpu.setA20(enabled);
  }
  get a20(): boolean {
    return this.a20State;
  }

  stopVm(reason: string): void {
    this.vm.stop(reason);
  }
  log(message: string): void {
    if (this.messages.length >= 1000) this.messages.shift();
    this.messages.push(message);
    for (const fn of this.logListeners) fn(message);
  }

  /** Listen to what VDDs log. */
  onLog(fn: (message: string) => void): void {
    this.logListeners.push(fn);
  }
}

/** A setting's value checked against its definition; a bad value is a clear error naming the setting. */
export function checkProperty(def: PropertyDef, v: PropertyValue): PropertyValue {
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
      // A value typed on a command line may arrive as a number (EMS_FRAME_LOCATION=8000): its text counts.
      if (typeof v === 'number' && def.values.includes(String(v))) return String(v);
      return typeof v === 'string' && def.values.includes(v) ? v : bad(`is not one of ${def.values.join(', ')}`);
    default: {
      if (typeof v !== 'string') return bad('is not text');
      const why = def.validate?.(v);
      return why ? bad(why) : v;
    }
  }
}

function hex2(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0') + 'h';
}

let assetsRoot: string | undefined;
/** The project's assets/ folder: the nearest one above this module (main/vmm in the sources, out/main/vmm built). */
function assetsFolder(): string {
  if (assetsRoot) return assetsRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'assets', 'fonts'))) return (assetsRoot = join(dir, 'assets'));
    dir = dirname(dir);
  }
  throw new Error('the assets/ folder was not found above ' + fileURLToPath(import.meta.url));
}
