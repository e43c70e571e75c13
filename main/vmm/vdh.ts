/**
 * The VDH helper API: the only thing a virtual device driver (VDD) may use. It follows the families of
 * OS/2's Virtual DevHlp (see ../shared/docs/os2-mvdm-reference.md) in TypeScript form. docs/vdh.md explains
 * it in prose; keep the two in step.
 *
 * One VM runs per process, so a VDD is loaded once per VM: `init(vdh)` is OS/2's VDDInit and VDM_CREATE
 * hook in one, and the VDD keeps its per-VM state in its own closure or object. VDDs never import each
 * other; they talk through named requests (`registerName` / `openVdd` / `requestVdd`).
 */
import { CpuModel, InterruptSource, type CpuRegisters, type CpuState, type SegmentState } from '../ist/ist.js';
import type { IoHandlers } from './ports.js';
import type { MmioHandler } from './memory.js';

export type { IoHandlers, MmioHandler, CpuRegisters, CpuState, SegmentState };
/** Where an intercepted protected-mode interrupt came from (`protectedModeInterrupt().source`). */
export { InterruptSource };
/** The CPU models, for VDDs whose behaviour depends on the machine generation (an XT BIOS vs an AT BIOS). */
export { CpuModel };
export { Surface, type FrameUpdate, type Rect } from '../vman/surface.js';
import { Surface } from '../vman/surface.js';

/** A VDD plugin: the default export of a module under vdd/ (or the user's plugin folder). */
export interface VddModule {
  /** The VDD's name, as OS/2 spells them: 'VPIC', 'VTIMER', ... */
  readonly name: string;
  /** Load into one VM: install hooks, register properties and names. Throwing fails the VM's start. */
  init(vdh: Vdh): void;
}

/** A guest interrupt hook: return true when the service was emulated, false to chain to the guest's handler. */
export type IntHook = () => boolean;

/**
 * A firmware (BIOS) service: the host half of the ROM stub that INT `vector` reaches through the guest's
 * vector table (docs/firmware.md). It reads and sets the caller's registers with getRegisters/setRegisters;
 * the flags it leaves (CF, ZF, ...) are what the caller sees on return. Returning 'wait' blocks the VM in the
 * stub until an interrupt has been served or a VDD calls `endWait()`, then the service runs again: that is
 * how INT 16h AH=00h waits for a key without a busy loop.
 */
export type BiosService = () => void | 'wait';

/** A host file opened for a VDD (VDHOpen/VDHRead/VDHWrite/VDHSeek in one). Errors throw with the path named. */
export interface VdhFile {
  readonly path: string;
  readonly size: number;
  readonly writable: boolean;
  /** `length` bytes at `offset` (short at the end of the file). */
  read(offset: number, length: number): Uint8Array;
  /** Write at `offset`; refused on a file opened read-only. */
  write(offset: number, bytes: Uint8Array): void;
  /** Make writes durable (fsync). */
  flush(): void;
  close(): void;
}

/** A request handler of a named VDD; return PASS to let the next VDD of the same name answer. */
export type RequestHandler = (command: number, input: unknown) => unknown;
export const PASS: unique symbol = Symbol('PASS');

/** An open channel to a named VDD. */
export interface VddHandle {
  readonly name: string;
}

/**
 * A virtual IRQ line as a device sees it (OS/2's VDHOpenVIRQ family). Lines are edge-triggered as on a PC:
 * a device holds its line until the guest acknowledges the interrupt (clear it in `onEoi`, as OS/2 VDDs
 * do); a set() and clear() in quick succession while the CPU is being interrupted ends as a spurious
 * IRQ 7/15, exactly as on the 8259.
 */
export interface Virq {
  readonly irq: number;
  /** Assert the request line (VDHSetVIRR). */
  set(): void;
  /** Drop it (VDHClearVIRR). */
  clear(): void;
  /** Is it requested, in service, masked? (VDHQueryVIRQ) */
  query(): { pending: boolean; inService: boolean; masked: boolean };
  /** Called when the guest acknowledges the IRQ with an EOI. */
  onEoi(fn: () => void): void;
}

/**
 * What the interrupt controller VDD (VPIC) provides to the rest: the IRQ lines and INTA. Registered with
 * `provideInterruptController`; other VDDs reach it through `openVirq`.
 */
export interface InterruptControllerProvider {
  openVirq(irq: number): Virq;
  /** INTA: the vector to deliver (IR7's for a request that went away: a spurious interrupt), or -1 when INT is low. */
  acknowledge(): number;
}

/**
 * A DOS setting a VDD owns (DOS_FILES, HW_TIMER, ...), shown in the settings notebook. `live`: the VDD reads
 * it each time it uses it, so a running session can take a change (Vdh users: call property() then, not
 * once at init); other settings take effect at the next start.
 */
export type PropertyDef = { live?: boolean } & (
  | { type: 'bool'; name: string; help: string; default: boolean }
  | { type: 'int'; name: string; help: string; default: number; min: number; max: number; step?: number }
  | { type: 'enum'; name: string; help: string; default: string; values: readonly string[] }
  | { type: 'string'; name: string; help: string; default: string; validate?: (v: string) => string | undefined }
  | { type: 'mlstr'; name: string; help: string; default: string; validate?: (v: string) => string | undefined }
);

export type PropertyValue = boolean | number | string;

/** VM lifecycle events a VDD can hook (VDHInstallUserHook; VDM_CREATE is `init` itself). 'post' runs when
 * the firmware's power-on self test asks the VDDs to set up their BIOS data (at power-on and every reset). */
export type UserHookEvent = 'post' | 'terminate' | 'foreground' | 'background';

/**
 * The firmware a machine runs (docs/firmware.md). 'mvm': MVM's own BIOS ROM (firmware/bios): its stubs reach
 * the VDDs' BIOS services and its POST calls the 'post' hook. 'foreign': a PC BIOS image the user gave
 * (`mvm boot --bios ROM`, docs/firmware.md "Foreign BIOS") owns the machine: no stub reaches a BIOS service,
 * 'post' never comes, and the BIOS programs the hardware itself through its ports.
 */
export interface Firmware {
  readonly kind: 'mvm' | 'foreign';
  /** Foreign firmware: the VGA BIOS image given with it, for the BIOS to run as its video option ROM. */
  readonly vgaBios?: Uint8Array;
}

export interface Vdh {
  /**
   * Whose BIOS runs the machine. Under 'foreign' firmware a device VDD keeps its ports, memory and IRQs but
   * leaves the vector table, the BIOS data area and C0000h-FFFFFh (option ROMs, the BIOS) to that BIOS; the
   * devices only such a BIOS needs (the floppy controller VFDC, QEMU's fw_cfg VFWCFG) switch on.
   */
  readonly firmware: Firmware;
  /** The CPU model and the virtual clock: ticks (one per instruction, plus idle time) and their rate. */
  readonly model: CpuModel;
  /** The machine has a math coprocessor (the BIOS reports it in the equipment word, bit 1). */
  readonly fpu: boolean;
  readonly now: number;
  readonly ticksPerSecond: number;
  /** Bytes of RAM the VM has (conventional + extended), for the BIOS's memory-size services. */
  readonly ramSize: number;

  // ---- I/O ports (VDHInstallIOHook / VDHRemoveIOHook)
  installIoHook(first: number, count: number, handlers: IoHandlers): void;
  removeIoHook(first: number, count: number): void;
  /** Turn a hooked range's trap off (the ports behave as unhooked) or back on (VDHSetIOHookState). */
  setIoHookState(first: number, count: number, trap: boolean): void;

  // ---- software interrupts (VDHInstallIntHook)
  /**
   * Run `hook` when the guest executes INT `vector`, before the vector table: true takes the interrupt,
   * false passes it on — to the next VDD's hook on that vector (in install order), then to the vector.
   */
  installIntHook(vector: number, hook: IntHook): void;
  /** Deliver an interrupt through the guest's vector table now (VDHPushInt). */
  pushInt(vector: number): void;

  // ---- SVC services of the DOS kernel and MVM (numbers 00h-7Dh, docs/firmware.md and docs/doskrnl.md)
  installSvc(n: number, service: BiosService): void;

  // ---- firmware services (the BIOS ROM's SVC stubs; VBIOS, VKBD, VDSK, VVIDEO serve them)
  /** Serve the BIOS ROM's INT `vector` (0..7Fh). One service per vector. */
  installBiosService(vector: number, service: BiosService): void;
  /**
   * Where the ROM's stub for a driver-owned vector is (INT 33h: the mouse driver; INT 67h: the EMS driver,
   * in the segment of its EMMXXXX0 device header), for a VDD that serves that vector with installBiosService
   * and points the vector at the stub at POST; 'xms': the XMS driver's far-call entry (SVC 53h, installSvc); 'dpmi': the DPMI mode switch entry (SVC 54h).
   * Undefined if none.
   */
  biosEntry(vector: number | 'xms' | 'dpmi'): { segment: number; offset: number } | undefined;
  /** End a BIOS service's 'wait' now (its condition may have changed without an interrupt). */
  endWait(): void;

  // ---- the client register frame (CRF)
  getRegisters(): CpuRegisters;
  setRegisters(regs: Partial<CpuRegisters>): void;

  // ---- protected mode (the DPMI host's view of the CPU)
  /** The whole CPU state, protected-mode descriptor caches and system registers included. */
  getCpuState(): CpuState;
  setCpuState(state: CpuState): void;
  /** Load a segment register as MOV would in the current mode; false (nothing changed) where MOV would fault. */
  loadSegment(seg: number, selector: number): boolean;
  /**
   * Serve every interrupt and exception of protected mode in `handler` instead of the guest's IDT (the CPU
   * stops before delivering it; `protectedModeInterrupt()` says which). undefined turns this off.
   */
  interceptProtectedMode(handler: (() => void) | undefined): void;
  /** What the CPU intercepted: the vector, where it came from (InterruptSource) and the error code (-1: none). */
  protectedModeInterrupt(): { vector: number; source: number; errorCode: number };

  // ---- guest memory and page mapping (VDHMapPages, VDHInstallFaultHook in spirit)
  readGuest(addr: number, length: number): Uint8Array;
  writeGuest(addr: number, bytes: Uint8Array): void;
  /** Little-endian byte and word access at a linear address (BIOS data area and the like). */
  readByte(addr: number): number;
  readWord(addr: number): number;
  writeByte(addr: number, value: number): void;
  writeWord(addr: number, value: number): void;
  /** Whole 4 KiB pages inside the RAM's address range, or wholly above the RAM below 4 GiB (a frame buffer). */
  mapMmio(addr: number, length: number, handler: MmioHandler): void;
  loadRom(addr: number, image: Uint8Array): void;
  mapRam(addr: number, length: number): void;

  // ---- timers in virtual time (VDHArmTimerHook); returns a function that disarms it
  armTimer(ticks: number, fn: () => void): () => void;
  /**
   * The guest is polling a device state that cannot change before `tick` (a retrace bit, say): let virtual
   * time run to it as idle time (at most to the next timer), so a polling loop costs no host CPU. OS/2's
   * VDHReportPeek serves the same end.
   */
  skipIdleUntil(tick: number): void;
  /** Run `fn` at the next instruction boundary, outside whatever the VM is doing now (VDHArmContextHook). */
  armContextHook(fn: () => void): void;
  /**
   * Run `fn` when the guest returns from the interrupt or far call now on its stack — the frame at SS:SP is
   * a return CS:IP (VDHArmReturnHook). Call it from a BIOS service or an interrupt hook; the guest then
   * continues where it would have.
   */
  armReturnHook(fn: () => void): void;

  // ---- virtual IRQs (VDHOpenVIRQ & co., served by the interrupt controller VDD)
  provideInterruptController(provider: InterruptControllerProvider): void;
  openVirq(irq: number): Virq;
  /** The CPU's INTR pin, driven by the interrupt controller VDD. */
  setInterruptLine(raised: boolean): void;

  // ---- lifecycle (VDHInstallUserHook)
  onUserHook(event: UserHookEvent, fn: () => void): void;

  // ---- DOS settings (VDHRegisterProperty / VDHQueryProperty)
  registerProperty(def: PropertyDef): void;
  property(name: string): PropertyValue;

  // ---- names and requests (VDHRegisterVDD, VDHOpenVDD, VDHRequestVDD, VDHCloseVDD)
  registerName(name: string, handler: RequestHandler): void;
  openVdd(name: string): VddHandle | undefined;
  requestVdd(handle: VddHandle, command: number, input?: unknown): unknown;
  closeVdd(handle: VddHandle): void;

  // ---- host files (VDHOpen & co.): disk images and the like, named by the VM's configuration, never by the guest
  openFile(path: string, options?: { write?: boolean }): VdhFile;

  // ---- events to the host (the server and the session's window): speaker tones, screen changes, ...
  post(topic: string, payload: unknown): void;

  // ---- the video manager (VMAN, main/vman) and the application's assets
  /** The VM's display surface in VMAN: what a video VDD draws and the session's shields show (docs/vman.md). */
  surface(): Surface;
  /** A file the application ships under assets/ (fonts, say), by its path there: 'fonts/vga16.bin'. */
  asset(path: string): Uint8Array;

  // ---- the CPU's reset line and address line 20 (the keyboard controller and port 92h drive them)
  /** Reset the CPU (it restarts at F000:FFF0 and the firmware's POST runs again); devices keep their state. */
  resetCpu(): void;
  setA20(enabled: boolean): void;
  readonly a20: boolean;

  // ---- misc
  /** End the VM (VDHKillVDM). */
  stopVm(reason: string): void;
  log(message: string): void;
}
