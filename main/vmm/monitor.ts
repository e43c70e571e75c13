/**
 * The VM monitor's run loop for one VM: runs the IST in slices, serves SVC calls and hooked interrupts,
 * keeps the virtual clock and its timers, and turns a plain HLT into idling that costs no host CPU.
 *
 * Time is virtual. The clock counts ticks: one per executed instruction, plus the ticks skipped while the
 * guest idles in HLT. Timers fire at exact tick counts, so the same inputs at the same ticks give the same
 * run. Pacing against the host clock is the scheduler's business: `run()` says when the VM idles and until
 * which tick, and the scheduler either waits that long in host time and calls `advanceIdle()`, or (headless,
 * tests) advances at once.
 */
import { CpuModel, Flag, PageKind, StopReason, type Ist } from '../ist/ist.js';
import { createCpu } from '../ist/index.js';
import { Machine } from './machine.js';

/** What `run()` reports. */
export const RunState = {
  /** The budget is spent; call run() again. */
  Running: 0,
  /** HLT with nothing to do until `idleUntil` (a timer; Infinity: only an IRQ from outside wakes it). */
  Idle: 1,
  /** The CPU shut down (triple fault, or protected mode it cannot run yet). */
  Shutdown: 2,
  /** `stop()` was called (a VDD or the server ended the VM). */
  Stopped: 3,
} as const;
export type RunState = (typeof RunState)[keyof typeof RunState];

/**
 * An SVC handler: registers are the guest's, as at the SVC; IP already points past `n, ~n`. Returning
 * 'wait' parks the VM on the SVC: it idles until an interrupt has been served (which returns to the SVC) or
 * `endWait()` is called, and then the SVC runs again.
 */
export type SvcHandler = (vm: VirtualMachine) => void | 'wait';
/** An interrupt hook: return true when emulated, false to chain to the guest's IVT handler. */
export type IntHook = (vm: VirtualMachine) => boolean;

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  armed: boolean;
}

export interface VmOptions {
  model: CpuModel;
  ramSize?: number;
  /** Use the block translator (default true). */
  translate?: boolean;
  /** How many ticks (instructions) make one second of guest time (default 25 million). */
  ticksPerSecond?: number;
  /**
   * The board mirrors its BIOS at the top of the address space (a foreign BIOS image on a 386: pc.ts maps it
   * at FFFF0000h-FFFFFFFFh too), so a 386 starts from its own reset state, CS base FFFF0000h and IP FFF0h.
   * Without it (default) the reset loads CS = F000h at once.
   */
  resetAtTop?: boolean;
  /**
   * `HLT; db n; db ~n` calls SVC n (default true). False for a machine whose firmware knows nothing of SVCs
   * (a foreign BIOS): every HLT is a plain HLT, whatever bytes follow it.
   */
  svc?: boolean;
}

export class VirtualMachine {
  readonly machine: Machine;
  readonly cpu: Ist;
  private readonly svcs = new Map<number, SvcHandler>();
  private readonly intHooks = new Map<number, IntHook>();
  /** Pending timers, sorted by tick then arming order. */
  private timers: Timer[] = [];
  private timerSeq = 0;
  /** Ticks skipped while idle (the clock is instructions + this). */
  private idleTicks = 0;
  private halted = false;
  /** Halted on an SVC that asked to wait (IP points at its HLT, so it runs again when the VM wakes). */
  private waiting = false;
  /** Inside cpu.run(), where a reset must wait for the instruction to end. */
  private inRun = false;
  private resetPending = false;
  private irqRaised = false;
  private stopped = false;
  /** Why the VM ended, once it did. */
  stopReason = '';

  /** Ticks per second of guest time: what devices convert their rates with, and what pacing aims at. */
  readonly ticksPerSecond: number;

  private readonly resetAtTop: boolean;
  private readonly svcEnabled: boolean;

  constructor(options: VmOptions) {
    this.ticksPerSecond = options.ticksPerSecond ?? 25_000_000;
    this.resetAtTop = options.resetAtTop === true;
    this.svcEnabled = options.svc !== false;
    this.machine = new Machine({ ramSize: options.ramSize ?? 0x110000 });
    this.cpu = createCpu(this.machine, options.model, { translate: options.translate ?? true });
  }

  /** The virtual clock in ticks. */
  get now(): number {
    return this.cpu.instructions + this.idleTicks;
  }

  /** Serve SVC number `n` (the guest's `HLT; db n; db ~n`). */
  registerSvc(n: number, handler: SvcHandler): void {
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error(`SVC number ${n} is outside 0..255`);
    this.svcs.set(n, handler);
  }

  /** Hook INT `vector`: the hook emulates the service or chains to the guest's handler. */
  hookInterrupt(vector: number, hook: IntHook): void {
    this.intHooks.set(vector, hook);
    this.cpu.intHooked[vector] = 1;
  }

  /**
   * Serve the interrupts and exceptions the CPU intercepts in protected mode (a DPMI host); undefined turns
   * interception off, and protected mode delivers through the IDT again.
   */
  interceptProtectedMode(handler: (() => void) | undefined): void {
    this.protectedModeHandler = handler;
    this.cpu.interceptProtected = handler !== undefined;
  }

  private protectedModeHandler: (() => void) | undefined;

  /** Call `fire` when the clock reaches `ticksFromNow` ticks later; returns a function that disarms it. */
  addTimer(ticksFromNow: number, fire: () => void): () => void {
    const t: Timer = { at: this.now + Math.max(1, Math.ceil(ticksFromNow)), seq: this.timerSeq++, fire, armed: true };
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1].at > t.at) i--;
    this.timers.splice(i, 0, t);
    return () => {
      t.armed = false;
    };
  }

  /** Raise or lower the CPU's interrupt line; raising it wakes a VM idling in HLT with interrupts enabled. */
  setIrq(raised: boolean): void {
    this.irqRaised = raised;
    this.cpu.setIrq(raised);
    if (raised && this.halted && this.cpu.getRegisters().eflags & IF) this.halted = this.waiting = false;
  }

  /**
   * The CPU's reset line: it restarts at F000:FFF0; memory and devices keep their state. A 286/386 really
   * starts with CS based at the top of its address space, where the board mirrors the ROM; MVM's own ROM has
   * no such mirror, so CS is loaded as F000h at once — the same bytes, since the ROM's first act is a far
   * jump. With `resetAtTop` (a foreign BIOS, mirrored at 4 GiB) a 386 keeps its own reset state.
   */
  resetCpu(): void {
    if (this.inRun) {
      // Asked from inside an instruction (a port write to the keyboard controller): finish it first.
      this.resetPending = true;
      this.cpu.requestStop();
      return;
    }
    this.resetPending = false;
    this.cpu.reset();
    if (!(this.resetAtTop && this.cpu.model === CpuModel.i80386)) this.cpu.setRegisters({ cs: 0xf000, eip: 0xfff0 });
    this.halted = this.waiting = false;
  }

  /** Wake a VM parked by an SVC's 'wait' so the SVC runs again (a plain HLT keeps waiting for an interrupt). */
  endWait(): void {
    if (this.waiting) this.halted = this.waiting = false;
  }

  /** End the VM (from a VDD, an SVC or the server). */
  stop(reason: string): void {
    this.stopped = true;
    this.stopReason = reason;
    this.cpu.requestStop();
  }

  /**
   * Run up to `budget` ticks of guest time. Returns Running when the budget is spent, Idle when the guest
   * waits in HLT (see `idleUntil`), Shutdown or Stopped when it has ended.
   */
  run(budget: number): RunState {
    const end = this.now + budget;
    while (!this.stopped) {
      this.fireDueTimers();
      if (this.halted) return RunState.Idle;
      const left = end - this.now;
      if (left <= 0) return RunState.Running;
      const next = this.timers.length > 0 ? this.timers[0].at - this.now : left;
      this.inRun = true;
      let why: StopReason;
      try {
        why = this.cpu.run(Math.max(1, Math.min(left, next)));
      } finally {
        this.inRun = false;
      }
      if (this.resetPending) {
        this.resetCpu();
        continue;
      }
      switch (why) {
        case StopReason.Halt:
          this.onHalt();
          break;
        case StopReason.IntHook: {
          const vector = this.cpu.stopVector;
          if (this.cpu.protectedMode) {
            // Intercepted protected-mode interrupts and exceptions go to the DPMI host (Ist.interceptProtected).
            if (this.protectedModeHandler) this.protectedModeHandler();
            else this.stop(`protected-mode interrupt ${hex(vector)}h intercepted with no host to serve it`);
            break;
          }
          const hook = this.intHooks.get(vector);
          if (!hook || !hook(this)) this.cpu.interrupt(vector);
          break;
        }
        case StopReason.Shutdown:
          this.stopped = true;
          this.stopReason ||= 'the CPU shut down';
          return RunState.Shutdown;
        default:
          break;
      }
    }
    return RunState.Stopped;
  }

  /** When an idle VM wakes by itself: the next timer's tick, or Infinity when only an IRQ can wake it. */
  get idleUntil(): number {
    return this.timers.length > 0 ? this.timers[0].at : Infinity;
  }

  /**
   * From inside an instruction (a port read): the guest polls something that cannot change before `tick`,
   * so let virtual time pass to it as idle time — at most to the next timer, which then fires on time —
   * and end the current slice, so a paced scheduler sleeps instead of spinning (VDHReportPeek's purpose).
   */
  skipIdle(tick: number): void {
    const to = Math.min(tick, this.idleUntil);
    if (!(to > this.now)) return;
    this.idleTicks += to - this.now;
    this.cpu.requestStop();
  }

  /** Let idle time pass up to `tick` (at most the next timer), firing what falls due. */
  advanceIdle(tick = this.idleUntil): void {
    if (!this.halted || !Number.isFinite(tick)) return;
    const to = Math.min(tick, this.idleUntil);
    if (to > this.now) this.idleTicks += to - this.now;
    this.fireDueTimers();
  }

  private fireDueTimers(): void {
    while (this.timers.length > 0 && this.timers[0].at <= this.now) {
      const t = this.timers.shift()!;
      if (t.armed) t.fire();
    }
  }

  /** HLT: an SVC call when the next two bytes are `n, ~n`; otherwise the guest idles until an interrupt. */
  private onHalt(): void {
    const r = this.cpu.getRegisters();
    const lin = this.cpu.segmentBase(1) + r.eip;
    const n = this.peek(lin);
    if (this.svcEnabled && (n ^ 0xff) === this.peek(lin + 1)) {
      this.cpu.setRegisters({ eip: this.cpu.protectedMode ? r.eip + 2 : (r.eip + 2) & 0xffff });
      const handler = this.svcs.get(n);
      if (!handler) {
        this.stop(`unknown SVC ${n} at ${hex(r.cs)}:${hex((r.eip - 1) & 0xffff)}`);
        return;
      }
      if (handler(this) === 'wait') {
        // Back onto the HLT: an interrupt served meanwhile returns here and the service asks again.
        this.cpu.setRegisters({ eip: (r.eip - 1) & 0xffff });
        if (!(this.irqRaised && this.cpu.getRegisters().eflags & IF)) this.halted = this.waiting = true;
      }
      return;
    }
    // A plain HLT waits for an interrupt; one already raised (and enabled) ends the wait at once.
    if (!(this.irqRaised && r.eflags & IF)) this.halted = true;
  }

  /** A byte of guest code as the CPU would fetch it (open bus past the end of memory). */
  private peek(addr: number): number {
    const m = this.machine;
    const kind = m.pageKind[addr >>> 12];
    if (kind === undefined) return 0xff;
    return kind === PageKind.Mmio ? m.readSlow(addr) : m.ram[addr];
  }
}

const IF = Flag.IF;

function hex(n: number): string {
  return n.toString(16).toUpperCase();
}
