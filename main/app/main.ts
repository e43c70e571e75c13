/**
 * The Electron main process: one window showing the built renderer, and the preload contract served over IPC.
 * Kept thin on purpose — what the app does lives in plain-Node modules (main/web/info.ts today, main/mvm
 * later), so the same behaviour is reachable from the web host and the CLI.
 *
 * Security stance (Electron's checklist): a sandboxed, context-isolated renderer without Node, no navigation
 * or new windows, no permissions, and IPC answered only for our own page.
 */
import { app, BrowserWindow, ipcMain, MessageChannelMain, session, type IpcMainInvokeEvent } from 'electron';
import { fileURLToPath } from 'node:url';
import type { MvmMethod } from '../../preload/api.js';
import { MvmServer } from '../mvm/server.js';
import { createApi } from '../web/api.js';
import { ARITY } from '../web/rpc.js';
import { utilityLauncher } from './vm-launcher.js';

/** The MVM server; each VM it starts is a utility process of this app. */
export const server = new MvmServer({ launch: utilityLauncher });
const api = createApi(server);

const rendererIndex = fileURLToPath(new URL('../../renderer/index.html', import.meta.url));
const preloadScript = fileURLToPath(new URL('../../preload/preload.cjs', import.meta.url));
const rendererUrl = new URL('../../renderer/', import.meta.url).href;

/** IPC comes only from our own page's top frame, never from a subframe or anything loaded elsewhere. */
function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && frame.url.startsWith(rendererUrl);
}

/** Serves one contract method over IPC; like the WebSocket bridge, checks the sender and the argument count. */
function handle(method: MvmMethod, arity: number, fn: (...args: unknown[]) => Promise<unknown>): void {
  ipcMain.handle(`mvm:${method}`, (event, ...args: unknown[]) => {
    if (!fromOurPage(event)) throw new Error(`mvm:${method}: refused, not from the MVM Desktop page`);
    if (args.length !== arity) throw new Error(`${method}() takes ${arity} argument(s), got ${args.length}`);
    return fn(...args);
  });
}

/** A window of our page: the desktop, or with `query.session` one session's window. */
function createWindow(options: { width?: number; height?: number; title?: string; query?: Record<string, string> } = {}): BrowserWindow {
  const win = new BrowserWindow({
    width: options.width ?? 1024,
    height: options.height ?? 768,
    title: options.title ?? 'MVM Desktop',
    show: false,
    webPreferences: {
      preload: preloadScript,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadFile(rendererIndex, options.query ? { query: options.query } : undefined);
  return win;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  api.close();
  void server.shutdown();
});

// Not `await app.whenReady()` at top level: Electron emits `ready` only once this ES module has finished
// evaluating, so a top-level await on it would hang the app.
void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  // Every contract method but openShieldPort (below) goes straight to the API, which checks its arguments.
  for (const [method, arity] of Object.entries(ARITY) as [MvmMethod, number][]) {
    if (method === 'openShieldPort' || method === 'openSessionWindow') continue;
    const fn = api[method] as (...args: unknown[]) => Promise<unknown>;
    handle(method, arity, (...args) => fn(...args));
  }
  // A shield's own port: one end to the VM's utility process, the other to the asking page, which gets it
  // as 'mvm:shield-port' (preload/preload.cts). Only for a session this app started and still runs.
  ipcMain.handle('mvm:openShieldPort', (event, ...args: unknown[]) => {
    if (!fromOurPage(event)) throw new Error('mvm:openShieldPort: refused, not from the MVM Desktop page');
    const [id] = args;
    if (args.length !== 1 || !Number.isSafeInteger(id) || !api.sessions.list().some((s) => s.id === id)) throw new Error('openShieldPort(id): no such session');
    const { port1, port2 } = new MessageChannelMain();
    if (!server.attachShieldPort(id as number, port1)) {
      port1.close();
      port2.close();
      return false;
    }
    event.sender.postMessage('mvm:shield-port', { id }, [port2]);
    return true;
  });
  // Each DOS session in a BrowserWindow of its own, as OS/2 gave each VDM its window: the page is the
  // session alone (index.html?session=ID), which asks for its MessagePort like any shield.
  ipcMain.handle('mvm:openSessionWindow', (event, ...args: unknown[]) => {
    if (!fromOurPage(event)) throw new Error('mvm:openSessionWindow: refused, not from the MVM Desktop page');
    const [id] = args;
    const info = api.sessions.list().find((s) => s.id === id);
    if (args.length !== 1 || !info) throw new Error('openSessionWindow(id): no such session');
    const win = createWindow({ width: 760, height: 540, title: info.title, query: { session: String(info.id) } });
    win.on('closed', () => void api.stopSession(info.id).catch(() => undefined));
    return true;
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});
