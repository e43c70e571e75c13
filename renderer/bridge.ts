/**
 * The renderer's one way to reach the application: the contract of preload/api.ts, either as Electron's
 * preload bridge (`window.mvm`) or, in a plain browser, over the web host's WebSocket at /api.
 */
import type { ApiResponse, ApiSocketPath, MvmApi, MvmMethod } from '../preload/api.js';

declare global {
  interface Window {
    /** Put there by preload/preload.cts under Electron; absent in a plain browser. */
    mvm?: MvmApi;
  }
}

const API_PATH: ApiSocketPath = '/api';

export function connectApi(): MvmApi {
  return window.mvm ?? webSocketApi(new URL(API_PATH, location.href.replace(/^http/, 'ws')).href);
}

/** The contract over a WebSocket: one JSON request per call, answered by id. Connects on first use. */
export function webSocketApi(url: string): MvmApi {
  let socket: Promise<WebSocket> | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  const open = (): Promise<WebSocket> =>
    (socket ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
      ws.onmessage = (event) => {
        const msg = JSON.parse(String(event.data)) as ApiResponse;
        const call = msg.id === null ? undefined : pending.get(msg.id);
        if (!call) return;
        pending.delete(msg.id as number);
        if ('error' in msg) call.reject(new Error(`${msg.error.code}: ${msg.error.message}`));
        else call.resolve(msg.result);
      };
      ws.onclose = (event) => {
        socket = undefined; // the next call reconnects
        for (const call of pending.values()) call.reject(new Error(`connection closed (${event.code} ${event.reason})`));
        pending.clear();
      };
    }));

  const call = async (method: MvmMethod, args: unknown[]): Promise<unknown> => {
    const ws = await open();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, args }));
    });
  };

  const method =
    <M extends MvmMethod>(name: M) =>
    (...args: Parameters<MvmApi[M]>) =>
      call(name, args) as ReturnType<MvmApi[M]>;

  return {
    info: method('info'),
    startSession: method('startSession'),
    listSessions: method('listSessions'),
    stopSession: method('stopSession'),
    openShieldPort: method('openShieldPort'),
    openSessionWindow: method('openSessionWindow'),
    listFolders: method('listFolders'),
    createFolder: method('createFolder'),
    renameFolder: method('renameFolder'),
    deleteFolder: method('deleteFolder'),
    listPrograms: method('listPrograms'),
    createProgram: method('createProgram'),
    updateProgram: method('updateProgram'),
    deleteProgram: method('deleteProgram'),
    settingDefs: method('settingDefs'),
    startProgram: method('startProgram'),
    changeSessionSetting: method('changeSessionSetting'),
    listRuns: method('listRuns'),
    importDosbox: method('importDosbox'),
  };
}
