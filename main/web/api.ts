/**
 * The preload contract (preload/api.ts) over an MVM server: what both transports serve — the WebSocket bridge
 * of the web host (main/web/server.ts) and Electron's IPC (main/app/main.ts).
 */
import type { MvmApi } from '../../preload/api.js';
import type { MvmServer } from '../mvm/server.js';
import { api as infoApi } from './info.js';
import { SessionManager } from './sessions.js';

export function createApi(server: MvmServer): MvmApi & { sessions: SessionManager } {
  const sessions = new SessionManager(server);
  return {
    sessions,
    info: () => infoApi.info(),
    startSession: (options) => sessions.start(options),
    listSessions: async () => sessions.list(),
    stopSession: (id) => sessions.stop(id),
    // Over the web host the page reaches the VM by the WebSocket in SessionInfo.shield; Electron overrides
    // this with a MessagePort (main/app/main.ts).
    openShieldPort: async () => false,
  };
}
