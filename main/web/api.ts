/**
 * The preload contract (preload/api.ts) over an MVM server and the session library: what both transports
 * serve — the WebSocket bridge of the web host (main/web/server.ts) and Electron's IPC (main/app/main.ts).
 * Arguments come from a page: each method checks what it is given before anything happens.
 */
import type { MvmApi, ProgramInput } from '../../preload/api.js';
import { importDosboxConf } from '../library/dosbox-conf.js';
import { Library, libraryPath } from '../library/library.js';
import type { MvmServer } from '../mvm/server.js';
import { SettingsCatalog } from '../mvm/settings-catalog.js';
import { api as infoApi } from './info.js';
import { SessionManager } from './sessions.js';

export interface AppApi extends MvmApi {
  sessions: SessionManager;
  /** Close the library (the application is quitting). */
  close(): void;
}

const id = (v: unknown, what = 'id'): number => {
  if (!Number.isSafeInteger(v)) throw new Error(`${what} must be an integer`);
  return v as number;
};
const plainObject = (v: unknown, what: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} must be an object`);
  return v as Record<string, unknown>;
};
/** Where a dropped .conf is taken to be, so that mounts relative to it stand out. */
const UNKNOWN_FOLDER = '/\u0000dropped';
const INPUT_FIELDS = new Set(['folderId', 'name', 'kind', 'program', 'parameters', 'workingDir', 'drives', 'settings', 'icon']);

/** A page's program object input: only the known fields (the library checks their values). */
function programInput(v: unknown, partial: boolean): Partial<ProgramInput> {
  const o = plainObject(v, 'a program object');
  const extra = Object.keys(o).filter((k) => !INPUT_FIELDS.has(k));
  if (extra.length) throw new Error(`unknown program object field(s): ${extra.slice(0, 3).join(', ')}`);
  if (!partial && typeof o.name !== 'string') throw new Error('a program object needs a name');
  return o as Partial<ProgramInput>;
}

export function createApi(server: MvmServer, options: { libraryFile?: string } = {}): AppApi {
  const sessions = new SessionManager(server);
  const catalog = new SettingsCatalog();
  let library: Library | undefined;
  const lib = (): Library => (library ??= Library.open(options.libraryFile ?? libraryPath()));
  /** Runs still going, by session id. */
  const runs = new Map<number, number>();
  sessions.onEnded((s, end) => {
    const run = runs.get(s.id);
    if (run === undefined) return;
    runs.delete(s.id);
    try {
      lib().runEnded(run, end);
    } catch {
      // The library was closed (shutting down): the run stays open-ended, as after a crash of the app.
    }
  });

  return {
    sessions,
    close: () => {
      library?.close();
      library = undefined;
    },
    info: () => infoApi.info(),
    startSession: (options) => sessions.start(options),
    listSessions: async () => sessions.list(),
    stopSession: (sessionId) => sessions.stop(sessionId),
    // Over the web host the page reaches the VM by the WebSocket in SessionInfo.shield; Electron overrides
    // this with a MessagePort (main/app/main.ts).
    openShieldPort: async () => false,
    openSessionWindow: async () => false,

    listFolders: async () => lib().folders(),
    createFolder: async (parentId, name) => lib().createFolder(id(parentId, 'parentId'), name),
    renameFolder: async (folderId, name) => lib().renameFolder(id(folderId), name),
    deleteFolder: async (folderId) => lib().deleteFolder(id(folderId)),
    listPrograms: async () => lib().programs(),
    createProgram: async (input) => {
      const p = programInput(input, false) as ProgramInput;
      await catalog.check(p.settings);
      return lib().createProgram(p);
    },
    updateProgram: async (programId, change) => {
      const c = programInput(change, true);
      await catalog.check(c.settings);
      return lib().updateProgram(id(programId), c);
    },
    deleteProgram: async (programId) => lib().deleteProgram(id(programId)),
    settingDefs: () => catalog.list(),
    startProgram: async (programId) => {
      const p = lib().program(id(programId));
      const session = await sessions.startProgramObject(p);
      const run = lib().runStarted(p.id);
      const now = sessions.get(session.id);
      // A quick program may have ended already: its run is complete at once.
      if (now && (now.state === 'stopped' || now.state === 'crashed')) {
        lib().runEnded(run, { exitCode: now.exitCode ?? null, crashReason: now.state === 'crashed' ? (now.reason ?? 'crashed') : null });
      } else runs.set(session.id, run);
      return now ?? session;
    },
    changeSessionSetting: async (sessionId, name, value) => {
      const sid = id(sessionId, 'sessionId');
      if (!sessions.list().some((s) => s.id === sid)) throw new Error(`no session ${sid}`);
      if (typeof name !== 'string' || !/^[A-Z][A-Z0-9_]{0,63}$/.test(name)) throw new Error('a DOS setting name');
      // The VM checks the rest: that the setting exists, is live and takes the value (VddHost.setProperty).
      await server.setSetting(sid, name, value);
    },
    listRuns: async (programId) => lib().runs(programId === null ? undefined : id(programId)),
    importDosbox: async (fileName, text) => {
      if (typeof fileName !== 'string' || !/^[^\0/\\]{1,255}$/.test(fileName)) throw new Error('importDosbox: a file name (no folders)');
      if (typeof text !== 'string') throw new Error('importDosbox: the file text');
      // A .conf dropped on a page comes without its folder: mounts relative to it cannot be resolved and
      // are left out with a note, rather than pointing somewhere on the host it never meant.
      const { program, notes } = importDosboxConf(text, `${UNKNOWN_FOLDER}/${fileName}`, fileName.replace(/\.conf$/i, ''));
      const drives = (program.drives ?? []).filter((d) => {
        if (!d.hostPath.startsWith(UNKNOWN_FOLDER)) return true;
        notes.push(`mount ${d.letter}: a path relative to the .conf's folder, which a dropped file does not tell; map the drive in its settings`);
        return false;
      });
      const l = lib();
      const folder = l.folders().find((f) => f.name === 'Imported' && f.parentId === l.desktop().id) ?? l.createFolder(l.desktop().id, 'Imported');
      return { program: l.createProgram({ ...program, drives, folderId: folder.id, importedFrom: fileName }), notes };
    },
  };
}
