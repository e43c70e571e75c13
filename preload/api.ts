/**
 * The renderer ↔ main contract: everything a renderer page may ask of the application, and nothing else.
 *
 * Types only — this file emits no code. It is implemented twice and consumed once:
 *  - Electron IPC in main/app (ipcMain handlers, exposed to the page as `window.mvm` by preload/preload.cts);
 *  - a WebSocket bridge in main/web (the same methods as JSON messages, for a plain browser and the e2e tests);
 *  - consumed by renderer/, which picks `window.mvm` when it exists and the WebSocket bridge otherwise.
 *
 * Every method returns a Promise of plain JSON-serialisable data, so both transports carry it unchanged.
 * To add a method: add it here, then implement it in main/web/info.ts (or the server module that owns it);
 * the compiler then points at each transport (its `satisfies ApiArity` table) that still lacks it.
 */

/** What the application is and what it can emulate. */
export interface MvmInfo {
  /** The application version (package.json `version`). */
  version: string;
  /** The CPU models a VM can be given, oldest first. */
  cpuModels: string[];
}

/** How to start a DOS session (a DOS Window): the shell, or one program, on DOSKRNL with host folders as drives. */
export interface SessionOptions {
  /** The DOS program on drive C: to run ('EDIT.COM', 'GAMES\\PLAY.EXE'); absent: the command shell. */
  program?: string;
  /** Its command line. */
  args?: string;
  /** The host folder that is drive C:; absent: the user's DOS folder (MVM_DATA_DIR/dos/C). */
  driveC?: string;
  /** DOS settings by name (DOS_VERSION, ...), validated by the VDDs that own them. */
  settings?: Record<string, string | number | boolean>;
}

/** A running (or ended) session as the shell shows it. */
export interface SessionInfo {
  id: number;
  title: string;
  state: 'starting' | 'running' | 'idle' | 'paused' | 'stopped' | 'crashed';
  reason?: string;
  /**
   * Where the session's shield connects for frames and input: a ws:// URL to the VM's own process (web
   * host). Under Electron the shield's MessagePort is delivered instead and this is absent.
   */
  shield?: string;
}

export interface MvmApi {
  info(): Promise<MvmInfo>;
  startSession(options: SessionOptions): Promise<SessionInfo>;
  listSessions(): Promise<SessionInfo[]>;
  stopSession(id: number): Promise<void>;
  /**
   * Ask for a MessagePort straight to session `id`'s VM process (Electron: frames never pass the main
   * process). True when one is on its way: it arrives as a window message `{ type: 'mvm-shield-port', id }`
   * carrying the port (ShieldPortMessage). False where there is none — the web host, where the page
   * connects to `SessionInfo.shield`, a WebSocket to the same VM process.
   */
  openShieldPort(id: number): Promise<boolean>;
}

/** The window message that brings a session's MessagePort to the page (Electron's preload posts it). */
export type ShieldPortMessage = { type: 'mvm-shield-port'; id: number };

export type MvmMethod = keyof MvmApi;

/**
 * The method names with their argument counts, for the transports that must check what they receive.
 * A type, not a value, so this file stays types only; each transport writes the matching constant and
 * `satisfies ApiArity` keeps it in step with MvmApi.
 */
export type ApiArity = { readonly [M in MvmMethod]: Parameters<MvmApi[M]>['length'] };

/** Where the web host accepts the WebSocket bridge (a type, so both ends spell it the same). */
export type ApiSocketPath = '/api';

/** The bridge's messages: JSON text frames. Responses carry the request's id (null when it had none). */
export type ApiRequest = { id: number; method: MvmMethod; args: unknown[] };
export type ApiResponse =
  | { id: number; result: unknown }
  | { id: number | null; error: { code: ApiErrorCode; message: string } };
export type ApiErrorCode = 'bad-json' | 'bad-request' | 'unknown-method' | 'internal';
