/**
 * The session library's schema as a list of migrations, oldest first. The database's `PRAGMA user_version`
 * is the number of migrations applied; opening a library applies the missing ones in one transaction each,
 * so a library from any earlier version comes up to date and a crash mid-migration leaves the old version.
 * Never edit a migration that has shipped: add one.
 *
 *  1  folders (a tree), program objects in folders, their DOS settings, run history
 *  2  drive mappings per program object (were a setting), icon positions in the folder, imported-from
 */

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'folders, program objects, settings, runs',
    sql: `
      CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER REFERENCES folders(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        created_at TEXT NOT NULL
      );
      CREATE TABLE programs (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind TEXT NOT NULL CHECK (kind IN ('dos-window', 'dos-fullscreen', 'win16', 'boot-image')),
        program TEXT NOT NULL DEFAULT '',
        parameters TEXT NOT NULL DEFAULT '',
        working_dir TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX programs_folder ON programs(folder_id);
      CREATE TABLE program_settings (
        program_id INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (name GLOB '[A-Z]*' AND length(name) <= 64),
        value TEXT NOT NULL,
        PRIMARY KEY (program_id, name)
      ) WITHOUT ROWID;
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        program_id INTEGER REFERENCES programs(id) ON DELETE SET NULL,
        program_name TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        exit_code INTEGER,
        crash_reason TEXT
      );
      CREATE INDEX runs_program ON runs(program_id, started_at);
    `,
  },
  {
    version: 2,
    description: 'drive mappings, icon positions, imported-from',
    sql: `
      CREATE TABLE program_drives (
        program_id INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
        letter TEXT NOT NULL CHECK (letter GLOB '[A-Z]' AND letter NOT IN ('A', 'B')),
        host_path TEXT NOT NULL CHECK (length(host_path) BETWEEN 1 AND 4096),
        read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
        PRIMARY KEY (program_id, letter)
      ) WITHOUT ROWID;
      -- Version 1 kept drive C: as a setting, DRIVE_C; it becomes a mapping.
      INSERT INTO program_drives (program_id, letter, host_path)
        SELECT program_id, 'C', json_extract(value, '$') FROM program_settings
        WHERE name = 'DRIVE_C' AND json_valid(value) AND json_type(value) = 'text' AND length(json_extract(value, '$')) > 0;
      DELETE FROM program_settings WHERE name = 'DRIVE_C';
      ALTER TABLE programs ADD COLUMN icon_x INTEGER;
      ALTER TABLE programs ADD COLUMN icon_y INTEGER;
      ALTER TABLE programs ADD COLUMN imported_from TEXT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
