/**
 * The entry point of a VM process: one VM per process (a utilityProcess under Electron, a forked child
 * under plain Node). It waits for the server's `start`, builds the PC (main/vmm/pc.ts) with the standard
 * VDDs from the built vdd/ folder plus the user's plugin folders, runs it under the scheduler, and answers
 * the protocol (main/vmm/protocol.ts). Whatever the guest or a VDD does, the worst outcome is this process
 * ending with a reason: the server lives on.
 */
import { createDosKernel } from '../doskrnl/kernel.js';
import { CpuModel } from '../ist/ist.js';
import { RunState } from './monitor.js';
import { readForeignFirmware } from './foreign-bios.js';
import { createPc, type Pc } from './pc.js';
import { parseToVm, type FromVm, type VmConfig } from './protocol.js';
import { Scheduler } from './scheduler.js';
import { loadVddFolders, STANDARD_VDD_DIR } from './vdd-loader.js';
import { VmDisplay, type Screenshot } from './vm-display.js';

interface Channel {
  send(m: FromVm, then?: () => void): void;
  onMessage(fn: (m: unknown) => void): void;
}

/** A MessagePortMain as Electron hands it to a utility process (only what is used here). */
interface PortMain {
  postMessage(m: unknown): void;
  on(event: 'message', fn: (e: { data: unknown }) => void): void;
  on(event: 'close', fn: () => void): void;
  start(): void;
  close(): void;
}

interface ParentPort {
  postMessage(m: unknown): void;
  on(event: 'message', fn: (e: { data: unknown; ports?: PortMain[] }) => void): void;
}

function parentChannel(): Channel {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m, then) => {
        parentPort.postMessage(m);
        if (then) setTimeout(then, 20);
      },
      onMessage: (fn) =>
        parentPort.on('message', (e) => {
          // A session shield's MessagePort (Electron): frames go straight to that renderer.
          if (e.ports?.length && (e.data as { type?: unknown })?.type === 'shield') for (const port of e.ports) attachPort(port);
          else fn(e.data);
        }),
    };
  }
  if (process.send) {
    return {
      send: (m, then) => {
        if (!process.connected) return then?.();
        process.send!(m, undefined, {}, () => then?.());
      },
      onMessage: (fn) => process.on('message', fn),
    };
  }
  throw new Error('a VM process is started by the MVM server (no parent channel)');
}


const MODEL: Record<number, CpuModel> = {
  8086: CpuModel.i8086,
  8088: CpuModel.i8086, // the same instruction set; the bus width shows only in timing, which is not modelled
  186: CpuModel.i80186,
  286: CpuModel.i80286,
  386: CpuModel.i80386,
};

const channel = parentChannel();
let pc: Pc | undefined;
let scheduler: Scheduler | undefined;
let startedAt = 0;
let ending = false;
let display: VmDisplay | undefined;
let screenshotAtExit = false;

function attachPort(port: PortMain): void {
  if (!display) return port.close();
  const handle = display.attach({
    sendFrame: (bytes) => port.postMessage(bytes),
    sendEvent: (e) => port.postMessage(JSON.stringify(e)),
    backlog: () => 0,
    close: () => port.close(),
  });
  port.on('message', (e) => {
    if (typeof e.data === 'string') handle.receive(e.data);
  });
  port.on('close', () => handle.detach());
  port.start();
}

function encodeScreenshot(s: Screenshot) {
  return {
    width: s.width,
    height: s.height,
    depth: s.depth,
    pixels: Buffer.from(s.pixels.buffer, s.pixels.byteOffset, s.pixels.byteLength).toString('base64'),
    palette: Array.from(s.palette),
    text: s.text,
  };
}

function end(state: 'stopped' | 'crashed', reason: string, code: number): void {
  if (ending) return;
  ending = true;
  scheduler?.stop();
  try {
    pc?.host.notify('terminate');
  } catch (e) {
    reason += `; closing: ${(e as Error).message}`;
  }
  try {
    if (display && screenshotAtExit) channel.send({ type: 'event', topic: 'screenshot', payload: encodeScreenshot(display.capture()) });
    display?.close({ type: 'state', state, reason });
  } catch (e) {
    reason += `; display: ${(e as Error).message}`;
  }
  channel.send({ type: 'state', state, reason }, () => process.exit(code));
  setTimeout(() => process.exit(code), 1000).unref();
}

process.on('uncaughtException', (e) => end('crashed', `VM process error: ${e.message}`, 70));
process.on('disconnect', () => end('stopped', 'the server went away', 0));

async function start(config: VmConfig): Promise<void> {
  const loaded = await loadVddFolders([STANDARD_VDD_DIR, ...(config.vddDirs ?? [])]);
  try {
    // DOSKRNL comes after every VDD: its POST hook takes the DOS vectors and INT 19h last.
    if (config.dos) loaded.modules.push(createDosKernel(config.dos));
    pc = createPc(
      {
        model: MODEL[config.model],
        ramSize: config.ramSize,
        translate: config.translate,
        ticksPerSecond: config.ticksPerSecond,
        settings: config.settings,
        firmware: config.firmware ? readForeignFirmware(config.firmware) : undefined,
      },
      loaded.modules,
    );
  } catch (e) {
    end('crashed', (e as Error).message, 1);
    return;
  }
  const { vm, host } = pc;
  host.onPost((topic, payload) => channel.send({ type: 'event', topic, payload }));
  host.onLog((message) => channel.send({ type: 'log', message }));
  scheduler = new Scheduler(vm, { paced: config.paced ?? true });
  scheduler.onState = (state, ended) => {
    if (state === 'ended') {
      const reason = vm.stopReason || (ended === RunState.Shutdown ? 'the CPU shut down' : 'stopped');
      end('stopped', reason, 0);
    } else channel.send({ type: 'state', state });
  };
  display = new VmDisplay(host, () => scheduler?.wake());
  screenshotAtExit = config.screenshotAtExit === true;
  channel.send({ type: 'ready', pid: process.pid, vdds: pc.vdds, warnings: loaded.errors });
  startedAt = performance.now();
  scheduler.start();
  if (config.display) {
    display.listen().then(
      (url) => channel.send({ type: 'event', topic: 'display', payload: { url } }),
      (e: Error) => channel.send({ type: 'log', message: `no shield endpoint: ${e.message}` }),
    );
  }
}

channel.onMessage((raw) => {
  const m = parseToVm(raw);
  if (typeof m === 'string') {
    channel.send({ type: 'log', message: `refused a message: ${m}` });
    return;
  }
  switch (m.type) {
    case 'start':
      if (pc) channel.send({ type: 'log', message: 'refused a second start' });
      else void start(m.config);
      return;
    case 'request': {
      if (!pc) return channel.send({ type: 'reply', id: m.id, ok: false, error: 'the VM has not started' });
      try {
        const value = pc.host.request(m.vdd, m.command, m.input);
        channel.send({ type: 'reply', id: m.id, ok: true, value });
      } catch (e) {
        channel.send({ type: 'reply', id: m.id, ok: false, error: (e as Error).message });
      }
      scheduler?.wake();
      return;
    }
    case 'stats': {
      const usage = process.cpuUsage();
      const value = {
        instructions: pc?.vm.cpu.instructions ?? 0,
        ticks: pc?.vm.now ?? 0,
        cpuMs: (usage.user + usage.system) / 1000,
        busyMs: scheduler?.busyMs ?? 0,
        rss: process.memoryUsage.rss(),
        uptimeMs: startedAt ? performance.now() - startedAt : 0,
      };
      channel.send({ type: 'reply', id: m.id, ok: true, value });
      return;
    }
    case 'setting':
      if (!pc) return channel.send({ type: 'reply', id: m.id, ok: false, error: 'the VM has not started' });
      try {
        pc.host.setProperty(m.name, m.value);
        channel.send({ type: 'reply', id: m.id, ok: true, value: null });
      } catch (e) {
        channel.send({ type: 'reply', id: m.id, ok: false, error: (e as Error).message });
      }
      return;
    case 'screenshot':
      if (!display) return channel.send({ type: 'reply', id: m.id, ok: false, error: 'the VM has not started' });
      try {
        channel.send({ type: 'reply', id: m.id, ok: true, value: encodeScreenshot(display.capture()) });
      } catch (e) {
        channel.send({ type: 'reply', id: m.id, ok: false, error: (e as Error).message });
      }
      return;
    case 'pause':
      scheduler?.pause();
      if (scheduler?.current === 'paused') channel.send({ type: 'state', state: 'paused' });
      return;
    case 'resume':
      scheduler?.start();
      return;
    case 'stop':
      pc?.vm.stop(m.reason ?? 'stopped by the server');
      end('stopped', m.reason ?? 'stopped by the server', 0);
      return;
  }
});
