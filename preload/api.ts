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
  /** The program object it was started from (startProgram), if any. */
  programId?: number;
  /** The DOS program's return code once it has exited. */
  exitCode?: number;
  /** Started as "DOS Full Screen" (the program object's kind): the shield opens full screen. */
  fullScreen?: boolean;
}

// ---- the session library (main/library): folders, program objects, DOS settings, run history

export type ProgramKind = 'dos-window' | 'dos-fullscreen' | 'win16' | 'boot-image';
export type SettingValue = boolean | number | string;

export interface DriveMapping {
  /** C to Z. */
  letter: string;
  /** An absolute host folder. */
  hostPath: string;
  readOnly: boolean;
}

export interface FolderInfo {
  id: number;
  /** null: the Desktop, the root of the tree (made with a "Command Prompts" folder on first use). */
  parentId: number | null;
  name: string;
}

/** A program object: what the shell shows as an icon and starts as a session. */
export interface ProgramInfo {
  id: number;
  folderId: number;
  name: string;
  kind: ProgramKind;
  /** The DOS program, with its drive (C:\KEEN\KEEN1.EXE); '' for the command shell. */
  program: string;
  parameters: string;
  /** The DOS working directory (C:\KEEN); '' for the program's folder. */
  workingDir: string;
  drives: DriveMapping[];
  settings: Record<string, SettingValue>;
  icon: { x: number; y: number } | null;
  importedFrom: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What createProgram takes (and updateProgram, every field optional): the name is required. */
export interface ProgramInput {
  folderId?: number;
  name: string;
  kind?: ProgramKind;
  program?: string;
  parameters?: string;
  workingDir?: string;
  drives?: DriveMapping[];
  settings?: Record<string, SettingValue>;
  icon?: { x: number; y: number } | null;
}

/** A DOS setting as a VDD registered it (OS/2's DOS settings), for the settings notebook. */
export type SettingDef = { name: string; help: string; owner: string; changeableWhileRunning: boolean } & (
  | { type: 'bool'; default: boolean }
  | { type: 'int'; default: number; min: number; max: number; step?: number }
  | { type: 'enum'; default: string; values: string[] }
  | { type: 'string'; default: string }
  | { type: 'mlstr'; default: string }
);

/** One run of a program object. */
export interface RunInfo {
  id: number;
  /** null once the program object was deleted (the run stays in the history). */
  programId: number | null;
  programName: string;
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  crashReason: string | null;
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
  /**
   * Show session `id` in a window of its own (Electron: a BrowserWindow whose page is the session alone,
   * `index.html?session=<id>`, with its own MessagePort to the VM). False where the application has no
   * windows of its own (the web host): the page shows the session itself.
   */
  openSessionWindow(id: number): Promise<boolean>;

  // ---- the session library
  listFolders(): Promise<FolderInfo[]>;
  createFolder(parentId: number, name: string): Promise<FolderInfo>;
  renameFolder(id: number, name: string): Promise<void>;
  /** Deletes the folder and everything in it (not the Desktop); their runs stay in the history. */
  deleteFolder(id: number): Promise<void>;
  /** Every program object, in folder then name order. */
  listPrograms(): Promise<ProgramInfo[]>;
  /** Checks the input (settings by the VDDs that own them) and stores it; a clear error otherwise. */
  createProgram(input: ProgramInput): Promise<ProgramInfo>;
  /** The fields given replace the old ones (drives and settings as a whole). */
  updateProgram(id: number, change: Partial<ProgramInput>): Promise<ProgramInfo>;
  deleteProgram(id: number): Promise<void>;
  /** Every DOS setting the VDDs and the DOS kernel register, by name. */
  settingDefs(): Promise<SettingDef[]>;
  /**
   * Change a DOS setting of a running session — one whose SettingDef says changeableWhileRunning; the
   * others take effect at the next start (save them in the program object).
   */
  changeSessionSetting(sessionId: number, name: string, value: SettingValue): Promise<void>;
  /** Start a session from a program object; the run goes into its history. */
  startProgram(id: number): Promise<SessionInfo>;
  /** Runs, newest first: of one program object, or of all (null). */
  listRuns(programId: number | null): Promise<RunInfo[]>;
  /** A DOSBox .conf (its file name and text) as a new program object in "Imported", with notes on what did not carry over. */
  importDosbox(fileName: string, text: string): Promise<{ program: ProgramInfo; notes: string[] }>;
}

/**
 * Electron only (`window.mvmFiles`, absent in a browser): the host path of a file dropped on the page, so a
 * dropped .COM/.EXE/.BAT can become a program object with its folder as drive C:. '' when it has none.
 */
export interface MvmFiles {
  pathOf(file: File): string;
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
