/**
 * The host-side scheduler of one VM: runs the monitor in slices and paces guest time against the host's
 * clock, or (headless "fast" mode) runs as fast as the host allows and skips idle time at once.
 *
 * Paced mode keeps guest time = host time since start (ticksPerSecond guest ticks per host second). When the
 * guest idles in HLT the scheduler sleeps on a host timer until the VM's next timer is due — an idle guest
 * costs no host CPU — and any outside event (a key typed, a request) calls `wake()`. When the guest cannot
 * keep up (a slow host, a heavy program), the debt is capped at `maxLagMs` and then forgiven, so guest time
 * runs slower for a while instead of racing to catch up, as DOSBox and QEMU do.
 *
 * Between slices the scheduler yields to the event loop (setImmediate), so messages from the server are
 * served within a slice's time (~`sliceMs`).
 */
import { RunState, type VirtualMachine } from './monitor.js';

export interface SchedulerOptions {
  /** Pace guest time to the host clock (default true). False: as fast as possible, idle time skipped. */
  paced?: boolean;
  /** Guest time per slice in ms (default 10). */
  sliceMs?: number;
  /** The largest debt of guest time behind the host before it is forgiven, in ms (default 100). */
  maxLagMs?: number;
}

export type SchedulerState = 'running' | 'idle' | 'paused' | 'ended';

export class Scheduler {
  private readonly paced: boolean;
  private readonly sliceTicks: number;
  private readonly maxLagTicks: number;
  private state: SchedulerState = 'paused';
  /** Host ms and guest tick that correspond (paced mode). */
  private originHost = 0;
  private originTick = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  /** Host CPU time spent in run(), for the idle-cost figure. */
  busyMs = 0;

  /** Called when the state changes, and once when the VM ends (with its RunState). */
  onState: (state: SchedulerState, ended?: RunState) => void = () => {};

  constructor(
    private readonly vm: VirtualMachine,
    options: SchedulerOptions = {},
  ) {
    this.paced = options.paced ?? true;
    const tps = vm.ticksPerSecond;
    this.sliceTicks = Math.max(1000, Math.round(((options.sliceMs ?? 10) / 1000) * tps));
    this.maxLagTicks = Math.round(((options.maxLagMs ?? 100) / 1000) * tps);
  }

  get current(): SchedulerState {
    return this.state;
  }

  start(): void {
    if (this.state !== 'paused') return;
    this.originHost = performance.now();
    this.originTick = this.vm.now;
    this.setState('running');
    this.schedule(0);
  }

  pause(): void {
    if (this.state === 'ended' || this.state === 'paused') return;
    this.cancel();
    this.setState('paused');
  }

  /** Something outside changed (input, a request): an idle VM looks again at once. */
  wake(): void {
    if (this.state === 'idle' || this.state === 'running') {
      this.cancel();
      this.schedule(0);
    }
  }

  stop(): void {
    this.cancel();
    if (this.state !== 'ended') this.setState('ended');
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  private schedule(delayMs: number): void {
    if (delayMs <= 0) this.immediate = setImmediate(() => this.step());
    else this.timer = setTimeout(() => this.step(), Math.min(delayMs, 2 ** 31 - 1));
  }

  /** The guest tick the host clock says it should have reached (paced mode). */
  private targetTick(): number {
    const tps = this.vm.ticksPerSecond;
    let target = this.originTick + ((performance.now() - this.originHost) / 1000) * tps;
    if (target - this.vm.now > this.maxLagTicks) {
      // Too far behind: forgive the debt (guest time dilates) rather than run flat out to catch up.
      this.originTick = this.vm.now + this.maxLagTicks;
      this.originHost = performance.now();
      target = this.originTick;
    }
    return target;
  }

  private step(): void {
    this.timer = this.immediate = undefined;
    if (this.state === 'paused' || this.state === 'ended') return;
    const vm = this.vm;
    const t0 = performance.now();
    let result: RunState;
    try {
      if (this.paced) {
        const target = this.targetTick();
        const budget = Math.min(this.sliceTicks, Math.floor(target - vm.now));
        if (budget <= 0) {
          // Ahead of the host clock: sleep until it catches up.
          this.schedule(((vm.now - target) / vm.ticksPerSecond) * 1000 + 1);
          return;
        }
        result = vm.run(budget);
        if (result === RunState.Idle) {
          const until = Math.min(vm.idleUntil, target);
          vm.advanceIdle(until);
          result = vm.run(0) === RunState.Idle ? RunState.Idle : RunState.Running;
        }
      } else {
        result = vm.run(this.sliceTicks);
        if (result === RunState.Idle && Number.isFinite(vm.idleUntil)) {
          vm.advanceIdle();
          result = RunState.Running;
        }
      }
    } finally {
      this.busyMs += performance.now() - t0;
    }
    switch (result) {
      case RunState.Running:
        if (this.state !== 'running') this.setState('running');
        this.schedule(0);
        return;
      case RunState.Idle: {
        if (this.state !== 'idle') this.setState('idle');
        const next = vm.idleUntil;
        if (!Number.isFinite(next)) return; // only an outside event can wake it: wake()
        // Sleep in host time until the guest's next timer falls due.
        // (Rounded up: a host timer that fires a little early would only find the VM still idle.)
        const hostAt = this.originHost + ((next - this.originTick) / vm.ticksPerSecond) * 1000;
        this.schedule(Math.max(1, Math.ceil(hostAt - performance.now())));
        return;
      }
      default:
        this.cancel();
        this.state = 'ended';
        this.onState('ended', result);
    }
  }

  private setState(s: SchedulerState): void {
    this.state = s;
    this.onState(s);
  }
}
