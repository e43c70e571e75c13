/**
 * How the Electron main process launches a VM: `utilityProcess.fork` of the same vm-process.js the CLI
 * forks, speaking the same protocol (main/vmm/protocol.ts) — the VM finds `process.parentPort` there.
 */
import { utilityProcess, type MessagePortMain } from 'electron';
import type { VmChannel, VmLauncher } from '../mvm/server.js';

export const utilityLauncher: VmLauncher = (entry: string): VmChannel => {
  const child = utilityProcess.fork(entry, [], { serviceName: 'MVM Desktop VM', stdio: 'pipe' });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => child.postMessage(m),
    onMessage: (fn) => child.on('message', (m: unknown) => fn(m)),
    onExit: (fn) => child.on('exit', (code: number) => fn(code, null)),
    kill: () => void child.kill(),
    sendPort: (m, port) => child.postMessage(m, [port as MessagePortMain]),
  };
};
