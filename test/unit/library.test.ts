/**
 * The session library on a real SQLite file: program objects with drives and settings survive a reopen,
 * bad input is refused with a reason and changes nothing, migrations bring a library of every earlier
 * schema up to date with its data, a newer or damaged file is refused, and a writer killed at random
 * moments never leaves a corrupt file or a half-written object.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library, libraryPath } from '../../main/library/library.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/library/schema.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mvm-library-'));
  file = join(dir, 'library.sqlite');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the session library', () => {
  it('lives in $MVM_DATA_DIR when set', () => {
    expect(libraryPath({ MVM_DATA_DIR: '/data/mvm' })).toBe('/data/mvm/library.sqlite');
    expect(libraryPath({})).toMatch(/(MVM Desktop|mvm-desktop)[\\/]library\.sqlite$/); // beside the default drive C:
  });

  it('keeps program objects with their drives, settings and icon across a reopen, in WAL with foreign keys', () => {
    let lib = Library.open(file);
    expect(lib.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(lib.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const prompts = lib.folders().find((f) => f.name === 'Command Prompts')!;
    expect(prompts.parentId).toBe(lib.desktop().id);
    const games = lib.createFolder(lib.desktop().id, 'Games');
    const keen = lib.createProgram({
      folderId: games.id,
      name: 'Commander Keen',
      program: 'C:\\KEEN\\KEEN1.EXE',
      parameters: '/nojoy',
      workingDir: 'C:\\KEEN',
      drives: [{ letter: 'c', hostPath: '/home/user/dos', readOnly: false }, { letter: 'D', hostPath: '/media/cd', readOnly: true }],
      settings: { DOS_FILES: 40, HW_NOSOUND: true, DOS_LASTDRIVE: 'Z' },
      icon: { x: 40, y: 120 },
    });
    lib.close();

    lib = Library.open(file);
    const again = lib.program(keen.id);
    expect(again).toMatchObject({
      folderId: games.id,
      name: 'Commander Keen',
      kind: 'dos-window',
      program: 'C:\\KEEN\\KEEN1.EXE',
      parameters: '/nojoy',
      workingDir: 'C:\\KEEN',
      drives: [
        { letter: 'C', hostPath: '/home/user/dos', readOnly: false },
        { letter: 'D', hostPath: '/media/cd', readOnly: true },
      ],
      settings: { DOS_FILES: 40, HW_NOSOUND: true, DOS_LASTDRIVE: 'Z' },
      icon: { x: 40, y: 120 },
    });
    expect(lib.programs(games.id).map((p) => p.name)).toEqual(['Commander Keen']);
    expect(lib.folders().filter((f) => f.name === 'Desktop')).toHaveLength(1); // not made twice
    lib.close();
  });

  it('replaces settings and drives as a whole on update and keeps what was not given', () => {
    const lib = Library.open(file);
    const p = lib.createProgram({ name: 'Doom', program: 'C:\\DOOM\\DOOM.EXE', settings: { DOS_FILES: 30, HW_NOSOUND: false } });
    const q = lib.updateProgram(p.id, { settings: { DOS_FILES: 50 }, kind: 'dos-fullscreen' });
    expect(q.settings).toEqual({ DOS_FILES: 50 });
    expect(q.kind).toBe('dos-fullscreen');
    expect(q.program).toBe('C:\\DOOM\\DOOM.EXE');
    expect(Date.parse(q.updatedAt)).toBeGreaterThanOrEqual(Date.parse(p.updatedAt));
    lib.close();
  });

  it('refuses bad input with a reason and changes nothing', () => {
    const lib = Library.open(file);
    const before = lib.programs().length;
    const bad: [unknown, RegExp][] = [
      [{ name: '' }, /name must not be empty/],
      [{ name: 'x', kind: 'os2-pm' }, /kind/],
      [{ name: 'x', drives: [{ letter: 'A', hostPath: '/a' }] }, /C to Z/],
      [{ name: 'x', drives: [{ letter: 'C', hostPath: 'relative/path' }] }, /absolute/],
      [{ name: 'x', drives: [{ letter: 'C', hostPath: '/a' }, { letter: 'c', hostPath: '/b' }] }, /mapped twice/],
      [{ name: 'x', settings: { 'dos files': 3 } }, /not a DOS setting name/],
      [{ name: 'x', settings: { DOS_FILES: Infinity } }, /finite number/],
      [{ name: 'x', settings: { DOS_FILES: { nested: 1 } } }, /boolean, a finite number or a string/],
      [{ name: 'x', folderId: 9999 }, /no folder 9999/],
      [{ name: 'x\u0000y' }, /NUL/],
      [{ name: 'x', parameters: 'p'.repeat(200) }, /parameters is longer/],
    ];
    for (const [input, why] of bad) expect(() => lib.createProgram(input as never), JSON.stringify(input)).toThrow(why);
    expect(lib.programs()).toHaveLength(before);
    expect(() => lib.deleteFolder(lib.desktop().id)).toThrow(/desktop cannot be deleted/);
    expect(() => lib.program(424242)).toThrow(/no program object/);
    lib.close();
  });

  it('records runs — exit codes and crash reasons — and keeps them when the object is deleted', () => {
    const lib = Library.open(file);
    const p = lib.createProgram({ name: 'Shell' });
    const first = lib.runStarted(p.id);
    lib.runEnded(first, { exitCode: 0 });
    const second = lib.runStarted(p.id);
    lib.runEnded(second, { crashReason: 'the CPU stopped: triple fault' });
    expect(() => lib.runEnded(second, { exitCode: 1 })).toThrow(/no such run still going/);
    expect(lib.runs(p.id).map((r) => [r.exitCode, r.crashReason])).toEqual([
      [null, 'the CPU stopped: triple fault'],
      [0, null],
    ]);
    lib.deleteProgram(p.id);
    const kept = lib.runs();
    expect(kept).toHaveLength(2);
    expect(kept.every((r) => r.programId === null && r.programName === 'Shell')).toBe(true);
    lib.close();
  });

  it('deletes a folder with its program objects, their drives and settings', () => {
    const lib = Library.open(file);
    const f = lib.createFolder(lib.desktop().id, 'Old');
    const p = lib.createProgram({ folderId: f.id, name: 'Gone', drives: [{ letter: 'C', hostPath: '/x', readOnly: false }], settings: { DOS_FILES: 20 } });
    lib.deleteFolder(f.id);
    expect(() => lib.program(p.id)).toThrow();
    expect(lib.db.prepare('SELECT count(*) n FROM program_settings').get()).toEqual({ n: 0 });
    expect(lib.db.prepare('SELECT count(*) n FROM program_drives').get()).toEqual({ n: 0 });
    lib.close();
  });
});

describe('library migrations', () => {
  /** A library file at schema `version`, as that version of MVM Desktop wrote it. */
  function libraryAt(version: number): void {
    const db = new Database(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= version)) db.exec(m.sql);
    db.pragma(`user_version = ${version}`);
    const now = '2026-01-01T00:00:00.000Z';
    db.prepare('INSERT INTO folders (id, parent_id, name, created_at) VALUES (1, NULL, ?, ?)').run('Desktop', now);
    db.prepare("INSERT INTO programs (id, folder_id, name, kind, program, created_at, updated_at) VALUES (7, 1, 'Keen', 'dos-window', 'C:\\KEEN.EXE', ?, ?)").run(now, now);
    db.prepare("INSERT INTO program_settings (program_id, name, value) VALUES (7, 'DOS_FILES', '40')").run();
    if (version === 1) db.prepare("INSERT INTO program_settings (program_id, name, value) VALUES (7, 'DRIVE_C', '\"/home/user/dos\"')").run();
    else db.prepare("INSERT INTO program_drives (program_id, letter, host_path) VALUES (7, 'C', '/home/user/dos')").run();
    db.prepare("INSERT INTO runs (program_id, program_name, started_at, ended_at, exit_code) VALUES (7, 'Keen', ?, ?, 3)").run(now, now);
    db.close();
  }

  for (const from of MIGRATIONS.map((m) => m.version)) {
    it(`brings a schema ${from} library up to schema ${SCHEMA_VERSION} with its program objects, settings, drives and runs`, () => {
      libraryAt(from);
      const lib = Library.open(file);
      expect(lib.version).toBe(SCHEMA_VERSION);
      expect(lib.program(7)).toMatchObject({
        name: 'Keen',
        program: 'C:\\KEEN.EXE',
        settings: { DOS_FILES: 40 },
        drives: [{ letter: 'C', hostPath: '/home/user/dos', readOnly: false }],
      });
      expect(lib.runs(7)).toMatchObject([{ exitCode: 3, programName: 'Keen' }]);
      expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
      lib.close();
    });
  }

  it('refuses a library written by a newer version, and a damaged file, leaving them as they were', () => {
    libraryAt(SCHEMA_VERSION);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => Library.open(file)).toThrow(/newer MVM Desktop/);
    const bytes = readFileSync(file);

    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
    expect(() => Library.open(garbage)).toThrow();
    expect(readFileSync(garbage).equals(Buffer.alloc(8192, 0x5a))).toBe(true);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe('the library survives a writer killed at any moment', () => {
  const writer = fileURLToPath(new URL('../support/library-writer.mjs', import.meta.url));
  const SETTINGS_PER_OBJECT = 60;

  it('is never corrupt and never holds a half-written program object', async () => {
    Library.open(file).close();
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, [writer, file, String(SETTINGS_PER_OBJECT)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Let it write for a while — long enough to be inside a transaction most of the time — then kill it.
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
      });
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    expect(existsSync(file)).toBe(true);
    const lib = Library.open(file);
    expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(lib.db.pragma('foreign_key_check')).toEqual([]);
    const programs = lib.programs();
    expect(programs.length).toBeGreaterThan(0);
    // Every object was written in one transaction with all its settings and drives: none is partial.
    for (const p of programs) {
      expect(Object.keys(p.settings)).toHaveLength(SETTINGS_PER_OBJECT);
      expect(p.drives).toHaveLength(2);
    }
    lib.close();
  }, 60_000);
});
