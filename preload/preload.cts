/**
 * Electron preload: exposes the contract (./api.ts) to the page as `window.mvm`, as IPC calls to main/app.
 *
 * A .cts file on purpose: a sandboxed preload is run by Electron as a CommonJS script (its own `require`
 * with only a few modules, 'electron' among them), never as an ES module, so this compiles to preload.cjs.
 * Only the listed methods cross the bridge — the page never sees ipcRenderer itself.
 */
import electron = require('electron');
import type { MvmApi, ShieldPortMessage } from './api.js';

const api: MvmApi = {
  info: () => electron.ipcRenderer.invoke('mvm:info'),
  startSession: (options) => electron.ipcRenderer.invoke('mvm:startSession', options),
  listSessions: () => electron.ipcRenderer.invoke('mvm:listSessions'),
  stopSession: (id) => electron.ipcRenderer.invoke('mvm:stopSession', id),
  openShieldPort: (id) => electron.ipcRenderer.invoke('mvm:openShieldPort', id),
};

// A session's MessagePort from the main process: handed on to the page with the window message the
// contract names (ShieldPortMessage). Ports cannot cross contextBridge; window.postMessage carries them.
electron.ipcRenderer.on('mvm:shield-port', (event, data: { id?: unknown }) => {
  if (typeof data?.id !== 'number' || event.ports.length !== 1) return;
  const message: ShieldPortMessage = { type: 'mvm-shield-port', id: data.id };
  // The preload's tsconfig has no DOM types; at run time this is the page's window.
  const page = globalThis as unknown as { postMessage(m: unknown, targetOrigin: string, transfer: unknown[]): void };
  page.postMessage(message, '*', [...event.ports]);
});

electron.contextBridge.exposeInMainWorld('mvm', api);
