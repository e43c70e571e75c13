/**
 * `mvm library`: the session library from the command line — list the program objects, import DOSBox
 * .conf files as program objects (what each import could not carry over is printed), show the run history.
 * The library is the application's own (main/library: $MVM_DATA_DIR/library.sqlite or the user data folder).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importDosboxConf } from '../library/dosbox-conf.js';
import { Library, libraryPath } from '../library/library.js';

export const LIBRARY_USAGE = `  mvm library [list]      list the program objects of the session library (${'$'}MVM_DATA_DIR/library.sqlite)
  mvm library import-dosbox FILE.conf...
                         import DOSBox configuration files as program objects (into "Imported")
  mvm library runs       the run history, newest first`;

export function libraryCommand(args: readonly string[]): number {
  const [sub = 'list', ...rest] = args;
  let lib: Library;
  try {
    lib = Library.open(libraryPath());
  } catch (e) {
    console.error(`mvm library: ${(e as Error).message}`);
    return 1;
  }
  try {
    switch (sub) {
      case 'list': {
        const folders = new Map(lib.folders().map((f) => [f.id, f.name]));
        for (const p of lib.programs()) {
          const drives = p.drives.map((d) => `${d.letter}:=${d.hostPath}${d.readOnly ? ' (ro)' : ''}`).join(' ');
          console.log(`${String(p.id).padStart(5)}  ${folders.get(p.folderId)}/${p.name}  [${p.kind}]  ${p.program || '(shell)'} ${p.parameters}  ${drives}`.trimEnd());
        }
        return 0;
      }
      case 'import-dosbox': {
        if (rest.length === 0) {
          console.error('mvm library import-dosbox: name one or more .conf files');
          return 2;
        }
        const folder = lib.folders().find((f) => f.name === 'Imported' && f.parentId === lib.desktop().id) ?? lib.createFolder(lib.desktop().id, 'Imported');
        let failed = 0;
        for (const file of rest) {
          try {
            const path = resolve(file);
            const { program, notes } = importDosboxConf(readFileSync(path, 'utf8'), path);
            const p = lib.createProgram({ ...program, folderId: folder.id });
            console.log(`imported ${file} as ${p.id} "${p.name}": ${p.program || '(shell)'}`);
            for (const n of notes) console.log(`  note: ${n}`);
          } catch (e) {
            failed++;
            console.error(`mvm library: ${file}: ${(e as Error).message}`);
          }
        }
        return failed ? 1 : 0;
      }
      case 'runs':
        for (const r of lib.runs()) {
          const end = r.crashReason ? `crashed: ${r.crashReason}` : r.endedAt ? `exit ${r.exitCode}` : 'running';
          console.log(`${r.startedAt}  ${r.programName}  ${end}`);
        }
        return 0;
      default:
        console.error(`mvm library: unknown subcommand "${sub}"\n${LIBRARY_USAGE}`);
        return 2;
    }
  } finally {
    lib.close();
  }
}
