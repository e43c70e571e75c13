/**
 * DOS paths as the settings notebook takes them, and host files dropped on the desktop as program objects.
 * Pure string work (no DOM, no Node): the renderer and the unit tests share it.
 */
import type { DriveMapping } from '../../preload/api.js';

/** The characters DOS allows in a file name (8.3), as the DOS kernel accepts them. */
const NAME_CHARS = "A-Za-z0-9_$~!#%&'(){}^@`\\-";
const COMPONENT = new RegExp(`^[${NAME_CHARS}]{1,8}(?:\\.[${NAME_CHARS}]{1,3})?$`);
const EXECUTABLE = /\.(?:COM|EXE|BAT)$/i;

/** True for a file name DOS can start: an 8.3 name ending in .COM, .EXE or .BAT. */
export function isDosExecutableName(name: string): boolean {
  return COMPONENT.test(name) && EXECUTABLE.test(name);
}

/**
 * What is wrong with a DOS path ('C:\GAMES\KEEN.EXE', 'GAMES\KEEN.EXE'), or undefined when nothing is.
 * `program`: it must name a .COM, .EXE or .BAT file; otherwise it is a directory ('C:\GAMES', 'C:\').
 */
export function checkDosPath(path: string, kind: 'program' | 'directory'): string | undefined {
  const what = kind === 'program' ? 'The program' : 'The working directory';
  if (path.trim() !== path) return `${what} must not start or end with spaces`;
  if (path.includes('/')) return `${what} uses backslashes in DOS: C:\\GAMES\\KEEN.EXE`;
  const m = /^(?:([A-Za-z]):)?(\\)?(.*)$/.exec(path);
  if (!m) return `${what} is not a DOS path`;
  const [, drive, , rest] = m;
  if (drive && !/^[C-Zc-z]$/.test(drive)) return `${what}: drive ${drive.toUpperCase()}: is not one a program object can map (C: to Z:)`;
  if (rest === '') {
    return kind === 'program' ? `${what} must name a file, like C:\\GAMES\\KEEN.EXE` : undefined;
  }
  const parts = rest.split('\\');
  if (kind === 'directory' && parts[parts.length - 1] === '') parts.pop(); // C:\GAMES\ is C:\GAMES
  for (const part of parts) {
    if (part === '') return `${what} has an empty folder name (two backslashes in a row)`;
    if (part === '.' || part === '..') return `${what} must not use . or ..`;
    if (!COMPONENT.test(part)) return `${what}: "${part}" is not a DOS 8.3 name (up to 8 characters, a dot, up to 3)`;
  }
  if (kind === 'program' && !EXECUTABLE.test(parts[parts.length - 1])) return `${what} must be a .COM, .EXE or .BAT file`;
  return undefined;
}

/** A host path split at its last separator (either kind: the host may be Windows or POSIX). */
export function splitHostPath(path: string): { dir: string; base: string } {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (i < 0) return { dir: '', base: path };
  // Keep the root's separator: '/x.com' is in '/', 'C:\x.com' in 'C:\'.
  const dir = i === 0 || (i === 2 && /^[A-Za-z]:/.test(path)) ? path.slice(0, i + 1) : path.slice(0, i);
  return { dir, base: path.slice(i + 1) };
}

function isAbsoluteHostPath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** A program object made from a host file dropped on the desktop: its folder is drive C:. */
export interface DroppedProgram {
  name: string;
  program: string;
  drives: DriveMapping[];
}

/** A dropped host file as a program object, or why it cannot be one. */
export function droppedProgram(hostPath: string): DroppedProgram | { error: string } {
  const { dir, base } = splitHostPath(hostPath);
  if (!isAbsoluteHostPath(hostPath) || dir === '') return { error: `${hostPath} is not a full path to a file` };
  if (!EXECUTABLE.test(base)) return { error: `${base} is not a DOS program (.COM, .EXE or .BAT)` };
  if (!COMPONENT.test(base)) return { error: `${base} is not a DOS 8.3 file name, so DOS cannot start it` };
  const stem = base.replace(/\.[^.]*$/, '');
  return {
    name: stem.toUpperCase(),
    program: `C:\\${base.toUpperCase()}`,
    drives: [{ letter: 'C', hostPath: dir, readOnly: false }],
  };
}
