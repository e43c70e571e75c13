/**
 * The MVM server: starts VMs (one process each), lists, pauses, resumes and stops them, routes
 * DosOpenVDD / DosRequestVDD / DosCloseVDD to the VDDs inside them, and reports their state changes —
 * started, running, idle, paused, stopped with a reason, crashed with a reason. A VM that crashes or is
 * killed never takes the server down: its process exits, the server says why, the others go on.
 *
 * Plain Node. How a VM process is launched is a parameter: `forkLauncher` (child_process.fork) here and in
 * the CLI, a utilityProcess launcher in the Electron main process (main/app). Both speak
 * main/vmm/protocol.ts.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PropertyValue } from '../vmm/vdh.js';
import { parseFromVm, type FromVm, type ToVm, type VmConfig, type VmRunState, type VmScreenshot, type VmStats } from '../vmm/protocol.js';

/** A launched VM process as the server sees it. */
export interface VmChannel {
  readonly pid: number | undefined;
  send(m: ToVm): void;
  onMessage(fn: (m: unknown) => void): void;
  onExit(fn: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  /** Hand the VM process a MessagePort (Electron's utilityProcess); absent where ports cannot be sent. */
  sendPort?(message: { type: 'shield' }, port: unknown): void;
}

export type VmLauncher = (entry: string) => VmChannel;

/** The VM process's entry point, built next to this file (tests running from the sources use the build in out/). */
export const VM_ENTRY = [new URL('../vmm/vm-process.js', import.meta.url), new URL('../../out/main/vmm/vm-process.js', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p)) ?? fileURLToPath(new URL('../vmm/vm-process.js', import.meta.url));

/** child_process.fork with structured-clone IPC: the launcher for plain Node (the CLI, the web host, tests). */
export const forkLauncher: VmLauncher = (entry) => {
  const child = fork(entry, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return {
    pid: child.pid,
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (fn) => child.on('message', fn),
    onExit: (fn) =>
      child.on('exit', (code, signal) => {
        if (code !== 0 && stderr.trim()) process.emitWarning(`VM process ${child.pid}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
        fn(code, signal);
      }),
    kill: () => child.kill('SIGKILL'),
  };
};

export interface VmInfo {
  id: number;
  name: string;
  state: VmRunState;
  /** Why it stopped or crashed. */
  reason?: string;
  pid?: number;
  vdds: string[];
  /** Plugins that could not be loaded, and other start-up warnings. */
  warnings: string[];
}

export type ServerEvent =
  | { kind: 'state'; vm: VmInfo }
  | { kind: 'event'; vmId: number; topic: string; payload: unknown }
  | { kind: 'log'; vmId: number; message: string };

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Vm {
  info: VmInfo;
  channel: VmChannel;
  pending: Map<number, Pending>;
  exited: Promise<void>;
}

export interface ServerOptions {
  launch?: VmLauncher;
  entry?: string;
  /** How long a request may take before it fails (ms, default 10 s). */
  requestTimeoutMs?: number;
}

export class MvmServer {
  private readonly vms = new Map<number, Vm>();
  private readonly handles = new Map<number, { vmId: number; vdd: string }>();
  private readonly listeners: ((e: ServerEvent) => void)[] = [];
  private nextVmId = 1;
  private nextRequestId = 1;
  private nextHandle = 1;
  private readonly launch: VmLauncher;
  private readonly entry: string;
  private readonly requestTimeoutMs: number;

  constructor(options: ServerOptions = {}) {
    this.launch = options.launch ?? forkLauncher;
    this.entry = options.entry ?? VM_ENTRY;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  on(fn: (e: ServerEvent) => void): () => void {
    this.listeners.push(fn);
    return () => this.listeners.splice(this.listeners.indexOf(fn) >>> 0, 1);
  }

  /** Start a VM; resolves once its VDDs are loaded and the guest runs (rejects if it fails to start). */
  startVm(config: VmConfig, name = 'DOS session'): Promise<VmInfo> {
    const id = this.nextVmId++;
    const channel = this.launch(this.entry);
    const info: VmInfo = { id, name, state: 'starting', pid: channel.pid, vdds: [], warnings: [] };
    let exitedResolve!: () => void;
    const vm: Vm = { info, channel, pending: new Map(), exited: new Promise((r) => (exitedResolve = r)) };
    this.vms.set(id, vm);
    return new Promise<VmInfo>((resolve, reject) => {
      let started = false;
      channel.onMessage((raw) => {
        const m = parseFromVm(raw);
        if (typeof m === 'string') return this.emit({ kind: 'log', vmId: id, message: `refused a message from the VM: ${m}` });
        if (m.type === 'ready') {
          info.vdds = m.vdds;
          info.warnings = m.warnings;
          info.pid = m.pid;
          started = true;
          this.setState(vm, 'running');
          resolve({ ...info });
          return;
        }
        this.onVmMessage(vm, m);
      });
      channel.onExit((code, signal) => {
        const clean = info.state === 'stopped';
        if (!clean) {
          info.reason ??= signal ? `the VM process was killed (${signal})` : `the VM process exited with code ${code}`;
          this.setState(vm, 'crashed');
        }
        for (const p of vm.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new Error(`VM ${id} ${info.state}: ${info.reason ?? ''}`.trim()));
        }
        vm.pending.clear();
        for (const [h, v] of this.handles) if (v.vmId === id) this.handles.delete(h);
        exitedResolve();
        if (!started) reject(new Error(`VM ${id} did not start: ${info.reason}`));
      });
      channel.send({ type: 'start', config });
    });
  }

  list(): VmInfo[] {
    return [...this.vms.values()].map((v) => ({ ...v.info }));
  }

  get(id: number): VmInfo | undefined {
    const vm = this.vms.get(id);
    return vm && { ...vm.info };
  }

  pause(id: number): void {
    this.live(id).channel.send({ type: 'pause' });
  }

  resume(id: number): void {
    this.live(id).channel.send({ type: 'resume' });
  }

  /** Stop a VM and wait for its process to end (killed if it does not within `graceMs`). */
  async stop(id: number, reason = 'stopped by the user', graceMs = 3000): Promise<void> {
    const vm = this.vms.get(id);
    if (!vm) throw new Error(`no VM ${id}`);
    if (vm.info.state === 'stopped' || vm.info.state === 'crashed') return vm.exited;
    vm.channel.send({ type: 'stop', reason });
    const timer = setTimeout(() => {
      vm.info.reason = `${reason} (killed: it did not stop within ${graceMs} ms)`;
      vm.channel.kill();
    }, graceMs);
    await vm.exited;
    clearTimeout(timer);
  }

  /** Forget a VM that has ended. */
  remove(id: number): void {
    const vm = this.vms.get(id);
    if (vm && (vm.info.state === 'stopped' || vm.info.state === 'crashed')) this.vms.delete(id);
  }

  /** A request to a VDD inside a VM (the DosRequestVDD path); rejects with the VDD's error. */
  request(id: number, vdd: string, command: number, input?: unknown): Promise<unknown> {
    return this.call(id, `${vdd} request ${command}`, (requestId) => ({ type: 'request', id: requestId, vdd, command, input }));
  }

  /** The VM process's counters: guest instructions, virtual ticks, host CPU time, memory. */
  stats(id: number): Promise<VmStats> {
    return this.call(id, 'stats', (requestId) => ({ type: 'stats', id: requestId })) as Promise<VmStats>;
  }

  /** The VM's display as it is now (rendered first). */
  screenshot(id: number): Promise<VmScreenshot> {
    return this.call(id, 'screenshot', (requestId) => ({ type: 'screenshot', id: requestId })) as Promise<VmScreenshot>;
  }

  /**
   * Give a session shield its own port to VM `id` (Electron: a MessagePortMain), so frames go from the VM
   * process to that window directly. False when the VM is not running or its launcher cannot send ports.
   */
  attachShieldPort(id: number, port: unknown): boolean {
    const vm = this.vms.get(id);
    if (!vm || vm.info.state === 'stopped' || vm.info.state === 'crashed' || !vm.channel.sendPort) return false;
    vm.channel.sendPort({ type: 'shield' }, port);
    return true;
  }

  /** Change a DOS setting of a running VM (its VDD checks the value). */
  setSetting(id: number, name: string, value: PropertyValue): Promise<void> {
    return this.call(id, 'setting', (requestId) => ({ type: 'setting', id: requestId, name, value })).then(() => undefined);
  }

  /** Send a message that the VM answers with a reply of the same id. */
  private call(id: number, what: string, message: (requestId: number) => ToVm): Promise<unknown> {
    let vm: Vm;
    try {
      vm = this.live(id);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        vm.pending.delete(requestId);
        reject(new Error(`VM ${id}: ${what} got no answer in ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      vm.pending.set(requestId, { resolve, reject, timer });
      vm.channel.send(message(requestId));
    });
  }

  // ---- DosOpenVDD / DosRequestVDD / DosCloseVDD, as the shell and the CLI call them
  openVdd(id: number, name: string): number {
    const vm = this.live(id);
    if (!vm.info.vdds.includes(name)) throw new Error(`VM ${id} has no VDD named ${name}`);
    const handle = this.nextHandle++;
    this.handles.set(handle, { vmId: id, vdd: name });
    return handle;
  }
  requestVdd(handle: number, command: number, input?: unknown): Promise<unknown> {
    const h = this.handles.get(handle);
    if (!h) return Promise.reject(new Error(`VDD handle ${handle} is not open`));
    return this.request(h.vmId, h.vdd, command, input);
  }
  closeVdd(handle: number): void {
    if (!this.handles.delete(handle)) throw new Error(`VDD handle ${handle} is not open`);
  }

  /** Stop every VM. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.vms.keys()].map((id) => this.stop(id, 'the server shut down').catch(() => {})));
  }

  private live(id: number): Vm {
    const vm = this.vms.get(id);
    if (!vm) throw new Error(`no VM ${id}`);
    if (vm.info.state === 'stopped' || vm.info.state === 'crashed') throw new Error(`VM ${id} has ${vm.info.state}: ${vm.info.reason ?? ''}`.trim());
    return vm;
  }

  private onVmMessage(vm: Vm, m: FromVm): void {
    switch (m.type) {
      case 'state':
        if (m.reason !== undefined) vm.info.reason = m.reason;
        this.setState(vm, m.state);
        return;
      case 'reply': {
        const p = vm.pending.get(m.id);
        if (!p) return;
        vm.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.value);
        else p.reject(new Error(m.error));
        return;
      }
      case 'event':
        return this.emit({ kind: 'event', vmId: vm.info.id, topic: m.topic, payload: m.payload });
      case 'log':
        return this.emit({ kind: 'log', vmId: vm.info.id, message: m.message });
      default:
        return;
    }
  }

  private setState(vm: Vm, state: VmRunState): void {
    if (vm.info.state === state) return;
    if (vm.info.state === 'stopped' || vm.info.state === 'crashed') return; // final
    vm.info.state = state;
    this.emit({ kind: 'state', vm: { ...vm.info } });
  }

  private emit(e: ServerEvent): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(e);
      } catch {
        // a listener's bug must not stop the others or the server
      }
    }
  }
}
