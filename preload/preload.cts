/**
 * Electron preload: exposes the contract (./api.ts) to the page as `window.mvm`, as IPC calls to main/app.
 *
 * A .cts file on purpose: a sandboxed preload is run by Electron as a CommonJS script (its own `require`
 * with only a few modules, 'electron' among them), never as an ES module, so this compiles to preload.cjs.
 * Only the listed methods cross the bridge — the page never sees ipcRenderer itself.
 */
import electron = require('electron');
import type { MvmApi } from './api.js';

const api: MvmApi = {
  info: () => electron.ipcRenderer.invoke('mvm:info'),
  startSession: (options) => electron.ipcRenderer.invoke('mvm:startSession', options),
  listSessions: () => electron.ipcRenderer.invoke('mvm:listSessions'),
  stopSession: (id) => electron.ipcRenderer.invoke('mvm:stopSession', id),
};

electron.contextBridge.exposeInMainWorld('mvm', api);
