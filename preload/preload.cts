/**
 * Electron preload: exposes the contract (./api.ts) to the page as `window.mvm`, as IPC calls to main/app.
 *
 * A .cts file on purpose: a sandboxed preload is run by Electron as a CommonJS script (its own `require`
 * with only a few modules, 'electron' among them), never as an ES module, so this compiles to preload.cjs.
 * Only the listed methods cross the bridge — the page never sees ipcRenderer itself.
 */
import electron = require('electron');
import type { MvmApi, MvmFiles, MvmMethod, ShieldPortMessage } from './api.js';

const invoke =
  <M extends MvmMethod>(method: M) =>
  (...args: Parameters<MvmApi[M]>) =>
    electron.ipcRenderer.invoke(`mvm:${method}`, ...args) as ReturnType<MvmApi[M]>;

const api: MvmApi = {
  info: invoke('info'),
  startSession: invoke('startSession'),
  listSessions: invoke('listSessions'),
  stopSession: invoke('stopSession'),
  openShieldPort: invoke('openShieldPort'),
  openSessionWindow: invoke('openSessionWindow'),
  listFolders: invoke('listFolders'),
  createFolder: invoke('createFolder'),
  renameFolder: invoke('renameFolder'),
  deleteFolder: invoke('deleteFolder'),
  listPrograms: invoke('listPrograms'),
  createProgram: invoke('createProgram'),
  updateProgram: invoke('updateProgram'),
  deleteProgram: invoke('deleteProgram'),
  settingDefs: invoke('settingDefs'),
  startProgram: invoke('startProgram'),
  changeSessionSetting: invoke('changeSessionSetting'),
  listRuns: invoke('listRuns'),
  importDosbox: invoke('importDosbox'),
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

// Dropped files' host paths (File.path is gone from Electron; webUtils reads it in the preload).
const files: MvmFiles = { pathOf: (file) => electron.webUtils.getPathForFile(file) };
electron.contextBridge.exposeInMainWorld('mvmFiles', files);
