/**
 * The session library: one SQLite file (better-sqlite3) holding the user's folders, program objects with
 * their drive mappings and DOS settings, and the history of every run.
 *
 * - The file lives in the user's data folder (`libraryPath()`: $MVM_DATA_DIR, else the platform's), opened
 *   in WAL mode with foreign keys on and synchronous=FULL, so a kill at any moment — even power loss —
 *   leaves the last committed state: every object is written in one transaction, never half.
 * - Opening migrates an older file to SCHEMA_VERSION (schema.ts), each migration in its own transaction;
 *   a file from a newer version is refused rather than misread.
 * - Everything a caller passes is checked here (names, kinds, drive letters, setting names and values),
 *   with a clear Error; the database's CHECK constraints are the second line.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type {
  DriveMapping,
  FolderInfo,
  ProgramInput as ApiProgramInput,
  ProgramInfo,
  ProgramKind,
  RunInfo,
  SettingValue,
} from '../../preload/api.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

// The library's records are the contract's (preload/api.ts): what it stores is what a page is given.
export type { DriveMapping, ProgramKind, SettingValue };
export type Folder = FolderInfo;
export type ProgramObject = ProgramInfo;
export type Run = RunInfo;
/** What a caller gives to create or change a program object; importers also say where it came from. */
export type ProgramInput = ApiProgramInput & { importedFrom?: string | null };

export const PROGRAM_KINDS: readonly ProgramKind[] = ['dos-window', 'dos-fullscreen', 'win16', 'boot-image'];

/**
 * The user's data folder: $MVM_DATA_DIR, else the platform's usual place. The library and the default DOS
 * drive C: (main/web/sessions.ts) live there.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MVM_DATA_DIR) return env.MVM_DATA_DIR;
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'MVM Desktop');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'MVM Desktop');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'mvm-desktop');
}

/** The library file: library.sqlite in the user's data folder. */
export function libraryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'library.sqlite');
}

const MAX_TEXT = 4096;
const MAX_SETTINGS = 200;

function text(what: string, v: unknown, max = MAX_TEXT, allowEmpty = true): string {
  if (typeof v !== 'string') throw new Error(`${what} must be a string`);
  if (v.length > max) throw new Error(`${what} is longer than ${max} characters`);
  if (!allowEmpty && v.trim().length === 0) throw new Error(`${what} must not be empty`);
  if (/[\u0000]/.test(v)) throw new Error(`${what} must not contain NUL`);
  return v;
}

function checkDrives(drives: unknown): DriveMapping[] {
  if (!Array.isArray(drives) || drives.length > 24) throw new Error('drives must be a list of up to 24 mappings');
  const seen = new Set<string>();
  return drives.map((d: unknown) => {
    const m = d as Partial<DriveMapping> | null;
    const letter = typeof m?.letter === 'string' ? m.letter.toUpperCase() : '';
    if (!/^[C-Z]$/.test(letter)) throw new Error(`drive letter ${JSON.stringify(m?.letter)}: must be C to Z`);
    if (seen.has(letter)) throw new Error(`drive ${letter}: mapped twice`);
    seen.add(letter);
    const hostPath = text(`drive ${letter}: host path`, m?.hostPath, MAX_TEXT, false);
    if (!isAbsolute(hostPath)) throw new Error(`drive ${letter}: the host path must be absolute`);
    return { letter, hostPath, readOnly: m?.readOnly === true };
  });
}

function checkSettings(settings: unknown): Record<string, SettingValue> {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new Error('settings must be an object');
  const entries = Object.entries(settings);
  if (entries.length > MAX_SETTINGS) throw new Error(`more than ${MAX_SETTINGS} settings`);
  const out: Record<string, SettingValue> = {};
  for (const [name, value] of entries) {
    if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(name)) throw new Error(`setting ${JSON.stringify(name.slice(0, 70))}: not a DOS setting name`);
    if (typeof value === 'number' ? !Number.isFinite(value) : typeof value === 'string' ? value.length > MAX_TEXT : typeof value !== 'boolean') {
      throw new Error(`setting ${name}: must be a boolean, a finite number or a string up to ${MAX_TEXT} characters`);
    }
    out[name] = value;
  }
  return out;
}

interface ProgramRow {
  id: number;
  folder_id: number;
  name: string;
  kind: ProgramKind;
  program: string;
  parameters: string;
  working_dir: string;
  icon_x: number | null;
  icon_y: number | null;
  imported_from: string | null;
  created_at: string;
  updated_at: string;
}

export class Library {
  readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Open (creating or migrating) the library at `path`. */
  static open(path = libraryPath()): Library {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      const quick = db.pragma('quick_check', { simple: true });
      if (quick !== 'ok') throw new Error(`the library ${path} is damaged (${String(quick)})`);
      migrate(db);
      const lib = new Library(db);
      lib.ensureDesktop();
      return lib;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  close(): void {
    this.db.close();
  }

  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  // ---- folders

  /** The desktop: the root folder, made on first open along with "Command Prompts". */
  desktop(): Folder {
    const row = this.db.prepare('SELECT id, parent_id, name FROM folders WHERE parent_id IS NULL ORDER BY id LIMIT 1').get() as
      | { id: number; parent_id: null; name: string }
      | undefined;
    if (!row) throw new Error('the library has no desktop folder');
    return { id: row.id, parentId: null, name: row.name };
  }

  private ensureDesktop(): void {
    this.db.transaction(() => {
      const has = this.db.prepare('SELECT 1 FROM folders WHERE parent_id IS NULL').get();
      if (has) return;
      const now = new Date().toISOString();
      const desktop = this.db.prepare('INSERT INTO folders (parent_id, name, created_at) VALUES (NULL, ?, ?)').run('Desktop', now);
      this.db.prepare('INSERT INTO folders (parent_id, name, created_at) VALUES (?, ?, ?)').run(desktop.lastInsertRowid, 'Command Prompts', now);
    })();
  }

  folders(): Folder[] {
    return (this.db.prepare('SELECT id, parent_id, name FROM folders ORDER BY id').all() as { id: number; parent_id: number | null; name: string }[]).map(
      (r) => ({ id: r.id, parentId: r.parent_id, name: r.name }),
    );
  }

  createFolder(parentId: number, name: string): Folder {
    text('folder name', name, 200, false);
    this.folder(parentId);
    const r = this.db.prepare('INSERT INTO folders (parent_id, name, created_at) VALUES (?, ?, ?)').run(parentId, name.trim(), new Date().toISOString());
    return { id: Number(r.lastInsertRowid), parentId, name: name.trim() };
  }

  renameFolder(id: number, name: string): void {
    text('folder name', name, 200, false);
    this.folder(id);
    this.db.prepare('UPDATE folders SET name = ? WHERE id = ?').run(name.trim(), id);
  }

  /** Delete a folder with everything in it (not the desktop). Runs stay in the history. */
  deleteFolder(id: number): void {
    const f = this.folder(id);
    if (f.parentId === null) throw new Error('the desktop cannot be deleted');
    this.db.prepare('DELETE FROM folders WHERE id = ?').run(id);
  }

  private folder(id: number): Folder {
    if (!Number.isSafeInteger(id)) throw new Error(`folder ${String(id)}: not an id`);
    const r = this.db.prepare('SELECT id, parent_id, name FROM folders WHERE id = ?').get(id) as { id: number; parent_id: number | null; name: string } | undefined;
    if (!r) throw new Error(`no folder ${id}`);
    return { id: r.id, parentId: r.parent_id, name: r.name };
  }

  // ---- program objects

  programs(folderId?: number): ProgramObject[] {
    const rows = (
      folderId === undefined
        ? this.db.prepare('SELECT * FROM programs ORDER BY folder_id, name COLLATE NOCASE, id').all()
        : this.db.prepare('SELECT * FROM programs WHERE folder_id = ? ORDER BY name COLLATE NOCASE, id').all(folderId)
    ) as ProgramRow[];
    return rows.map((r) => this.hydrate(r));
  }

  program(id: number): ProgramObject {
    if (!Number.isSafeInteger(id)) throw new Error(`program ${String(id)}: not an id`);
    const r = this.db.prepare('SELECT * FROM programs WHERE id = ?').get(id) as ProgramRow | undefined;
    if (!r) throw new Error(`no program object ${id}`);
    return this.hydrate(r);
  }

  private hydrate(r: ProgramRow): ProgramObject {
    const settings: Record<string, SettingValue> = {};
    for (const s of this.db.prepare('SELECT name, value FROM program_settings WHERE program_id = ? ORDER BY name').all(r.id) as { name: string; value: string }[]) {
      settings[s.name] = JSON.parse(s.value) as SettingValue;
    }
    const drives = (this.db.prepare('SELECT letter, host_path, read_only FROM program_drives WHERE program_id = ? ORDER BY letter').all(r.id) as {
      letter: string;
      host_path: string;
      read_only: number;
    }[]).map((d) => ({ letter: d.letter, hostPath: d.host_path, readOnly: d.read_only === 1 }));
    return {
      id: r.id,
      folderId: r.folder_id,
      name: r.name,
      kind: r.kind,
      program: r.program,
      parameters: r.parameters,
      workingDir: r.working_dir,
      drives,
      settings,
      icon: r.icon_x === null || r.icon_y === null ? null : { x: r.icon_x, y: r.icon_y },
      importedFrom: r.imported_from,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  createProgram(input: ProgramInput): ProgramObject {
    const p = this.checkInput(input, undefined);
    const now = new Date().toISOString();
    const id = this.db.transaction(() => {
      const r = this.db
        .prepare(
          `INSERT INTO programs (folder_id, name, kind, program, parameters, working_dir, icon_x, icon_y, imported_from, created_at, updated_at)
           VALUES (@folderId, @name, @kind, @program, @parameters, @workingDir, @iconX, @iconY, @importedFrom, @now, @now)`,
        )
        .run({ ...p, iconX: p.icon?.x ?? null, iconY: p.icon?.y ?? null, now });
      const id = Number(r.lastInsertRowid);
      this.writeChildren(id, p.drives, p.settings);
      return id;
    })();
    return this.program(id);
  }

  /** Change a program object: the fields given replace the old ones (drives and settings as a whole). */
  updateProgram(id: number, change: Partial<ProgramInput>): ProgramObject {
    const old = this.program(id);
    const p = this.checkInput({ ...old, ...change }, old);
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE programs SET folder_id = @folderId, name = @name, kind = @kind, program = @program, parameters = @parameters,
             working_dir = @workingDir, icon_x = @iconX, icon_y = @iconY, imported_from = @importedFrom, updated_at = @now WHERE id = @id`,
        )
        .run({ ...p, iconX: p.icon?.x ?? null, iconY: p.icon?.y ?? null, now: new Date().toISOString(), id });
      this.db.prepare('DELETE FROM program_drives WHERE program_id = ?').run(id);
      this.db.prepare('DELETE FROM program_settings WHERE program_id = ?').run(id);
      this.writeChildren(id, p.drives, p.settings);
    })();
    return this.program(id);
  }

  /** Delete a program object; its runs stay in the history under its name. */
  deleteProgram(id: number): void {
    this.program(id);
    this.db.prepare('DELETE FROM programs WHERE id = ?').run(id);
  }

  private writeChildren(id: number, drives: DriveMapping[], settings: Record<string, SettingValue>): void {
    const drive = this.db.prepare('INSERT INTO program_drives (program_id, letter, host_path, read_only) VALUES (?, ?, ?, ?)');
    for (const d of drives) drive.run(id, d.letter, d.hostPath, d.readOnly ? 1 : 0);
    const setting = this.db.prepare('INSERT INTO program_settings (program_id, name, value) VALUES (?, ?, ?)');
    for (const [name, value] of Object.entries(settings)) setting.run(id, name, JSON.stringify(value));
  }

  private checkInput(input: ProgramInput, old: ProgramObject | undefined) {
    if (typeof input !== 'object' || input === null) throw new Error('a program object must be an object');
    const folderId = input.folderId ?? old?.folderId ?? this.desktop().id;
    this.folder(folderId);
    const kind = input.kind ?? 'dos-window';
    if (!PROGRAM_KINDS.includes(kind)) throw new Error(`kind ${JSON.stringify(kind)}: one of ${PROGRAM_KINDS.join(', ')}`);
    const icon = input.icon ?? null;
    if (icon !== null && !(Number.isSafeInteger(icon.x) && Number.isSafeInteger(icon.y) && Math.abs(icon.x) < 1e6 && Math.abs(icon.y) < 1e6)) {
      throw new Error('icon position: integer x and y');
    }
    return {
      folderId,
      name: text('name', input.name, 200, false).trim(),
      kind,
      program: text('program', input.program ?? '', 260),
      parameters: text('parameters', input.parameters ?? '', 127),
      workingDir: text('working directory', input.workingDir ?? '', 260),
      drives: checkDrives(input.drives ?? []),
      settings: checkSettings(input.settings ?? {}),
      icon,
      importedFrom: input.importedFrom === undefined || input.importedFrom === null ? null : text('imported from', input.importedFrom),
    };
  }

  // ---- run history

  /** A run begins: returns its id, for runEnded. */
  runStarted(programId: number): number {
    const p = this.program(programId);
    const r = this.db.prepare('INSERT INTO runs (program_id, program_name, started_at) VALUES (?, ?, ?)').run(p.id, p.name, new Date().toISOString());
    return Number(r.lastInsertRowid);
  }

  /** A run ended, with its exit code, or crashed with a reason. */
  runEnded(runId: number, end: { exitCode?: number | null; crashReason?: string | null }): void {
    const code = end.exitCode ?? null;
    if (code !== null && !Number.isSafeInteger(code)) throw new Error('exit code: an integer');
    const reason = end.crashReason === undefined || end.crashReason === null ? null : text('crash reason', end.crashReason, 1000);
    const r = this.db.prepare('UPDATE runs SET ended_at = ?, exit_code = ?, crash_reason = ? WHERE id = ? AND ended_at IS NULL').run(new Date().toISOString(), code, reason, runId);
    if (r.changes !== 1) throw new Error(`run ${runId}: no such run still going`);
  }

  /** Runs, newest first: of one program object, or all. */
  runs(programId?: number, limit = 100): Run[] {
    const rows = (
      programId === undefined
        ? this.db.prepare('SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM runs WHERE program_id = ? ORDER BY started_at DESC, id DESC LIMIT ?').all(programId, limit)
    ) as { id: number; program_id: number | null; program_name: string; started_at: string; ended_at: string | null; exit_code: number | null; crash_reason: string | null }[];
    return rows.map((r) => ({
      id: r.id,
      programId: r.program_id,
      programName: r.program_name,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      exitCode: r.exit_code,
      crashReason: r.crash_reason,
    }));
  }
}

/** Apply the migrations the database lacks, one transaction each. */
function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`the library was written by a newer MVM Desktop (schema ${current}; this one knows up to ${SCHEMA_VERSION})`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  if (current < SCHEMA_VERSION) {
    const problems = db.pragma('foreign_key_check') as unknown[];
    if (problems.length > 0) throw new Error(`the library's migration left ${problems.length} broken references`);
  }
}
