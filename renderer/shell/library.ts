/**
 * The session library as the shell shows it: the folder tree under the Desktop, the objects in a folder,
 * the program object a notebook edits (its draft) and what it saves, copies, session and run states as
 * words. Pure data work, no DOM: the desktop element (renderer/main.ts) and the notebook use it.
 */
import type { DriveMapping, FolderInfo, ProgramInfo, ProgramInput, ProgramKind, RunInfo, SessionInfo, SettingDef, SettingValue } from '../../preload/api.js';
import { checkDosPath } from './dos-path.js';
import { initialSettings, settingsToSave, type DraftValue } from './settings.js';

/** The folder whose built-ins are "DOS Window" and "DOS Full Screen" (made with the Desktop). */
export const COMMAND_PROMPTS = 'Command Prompts';

const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || 0;

/** The Desktop: the root folder (the first one without a parent). */
export function desktopFolder(folders: readonly FolderInfo[]): FolderInfo | undefined {
  return folders.filter((f) => f.parentId === null).sort((a, b) => a.id - b.id)[0];
}

/** The Desktop's "Command Prompts" folder, where the built-in DOS sessions live. */
export function commandPromptsFolder(folders: readonly FolderInfo[]): FolderInfo | undefined {
  const desktop = desktopFolder(folders);
  if (!desktop) return undefined;
  return folders.filter((f) => f.parentId === desktop.id && f.name === COMMAND_PROMPTS).sort((a, b) => a.id - b.id)[0];
}

/** The folders in a folder, by name. */
export function childFolders(folders: readonly FolderInfo[], parentId: number): FolderInfo[] {
  return folders.filter((f) => f.parentId === parentId).sort(byName);
}

/** The program objects in a folder, by name. */
export function programsIn(programs: readonly ProgramInfo[], folderId: number): ProgramInfo[] {
  return programs.filter((p) => p.folderId === folderId).sort(byName);
}

/** A folder's place in the tree, as "Desktop › Games › Arcade". */
export function folderPath(folders: readonly FolderInfo[], id: number): string {
  const names: string[] = [];
  const seen = new Set<number>();
  let f = folders.find((x) => x.id === id);
  while (f && !seen.has(f.id)) {
    seen.add(f.id);
    names.unshift(f.name);
    const parent = f.parentId;
    f = parent === null ? undefined : folders.find((x) => x.id === parent);
  }
  return names.join(' › ');
}

/** A name no object in the list has yet: `base`, else `base (2)`, `base (3)`, ... */
export function freeName(base: string, taken: Iterable<string>): string {
  const names = new Set([...taken].map((n) => n.toLowerCase()));
  if (!names.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const name = `${base} (${i})`;
    if (!names.has(name.toLowerCase())) return name;
  }
}

/** What Copy creates: the same object, named "Copy of …", in the same folder. */
export function copyInput(p: ProgramInfo, taken: Iterable<string>): ProgramInput {
  return {
    folderId: p.folderId,
    name: freeName(`Copy of ${p.name}`, taken),
    kind: p.kind,
    program: p.program,
    parameters: p.parameters,
    workingDir: p.workingDir,
    drives: p.drives.map((d) => ({ ...d })),
    settings: { ...p.settings },
  };
}

// ---- the notebook's draft of a program object

export interface DraftDrive {
  letter: string;
  hostPath: string;
  readOnly: boolean;
}

/** The notebook's form: everything it shows, as typed (nothing is lost when a save is refused). */
export interface ProgramDraft {
  folderId: number;
  name: string;
  kind: ProgramKind;
  program: string;
  parameters: string;
  workingDir: string;
  drives: DraftDrive[];
  settings: Record<string, DraftValue>;
}

/** The draft of an existing object, or of a new one in `folderId`. */
export function draftOf(p: ProgramInfo | undefined, defs: readonly SettingDef[], folderId: number): ProgramDraft {
  return {
    folderId: p?.folderId ?? folderId,
    name: p?.name ?? '',
    kind: p?.kind ?? 'dos-window',
    program: p?.program ?? '',
    parameters: p?.parameters ?? '',
    workingDir: p?.workingDir ?? '',
    drives: (p?.drives ?? []).map((d) => ({ ...d })),
    settings: initialSettings(defs, p?.settings ?? {}),
  };
}

export const DRIVE_LETTERS: readonly string[] = 'CDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

/** The first drive letter the draft does not map yet (C first), or undefined when all are taken. */
export function nextDriveLetter(drives: readonly { letter: string }[]): string | undefined {
  const used = new Set(drives.map((d) => d.letter.toUpperCase()));
  return DRIVE_LETTERS.find((l) => !used.has(l));
}

/** Where a host path looks absolute (POSIX, Windows drive or UNC). */
function isAbsoluteHostPath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/**
 * The draft as createProgram/updateProgram input, or the problems to show first. `saved` is the object's
 * stored settings (kept for names the notebook has no definition for).
 */
export function draftToInput(
  draft: ProgramDraft,
  defs: readonly SettingDef[],
  saved: Readonly<Record<string, SettingValue>> = {},
): { input: ProgramInput & { drives: DriveMapping[] } } | { errors: string[] } {
  const errors: string[] = [];
  const name = draft.name.trim();
  if (!name) errors.push('The object needs a name (Program page)');
  const program = draft.program.trim();
  if (program) {
    const e = checkDosPath(program, 'program');
    if (e) errors.push(e);
  }
  const workingDir = draft.workingDir.trim();
  if (workingDir) {
    const e = checkDosPath(workingDir, 'directory');
    if (e) errors.push(e);
  }
  if (draft.parameters.length > 126 || /[\r\n]/.test(draft.parameters)) errors.push('The parameters must be one line of up to 126 characters');
  const letters = new Set<string>();
  const drives: DriveMapping[] = [];
  for (const d of draft.drives) {
    const letter = d.letter.toUpperCase();
    const hostPath = d.hostPath.trim();
    if (letters.has(letter)) errors.push(`Drive ${letter}: is mapped twice (Drives page)`);
    letters.add(letter);
    if (!hostPath) errors.push(`Drive ${letter}: needs a host folder (Drives page)`);
    else if (!isAbsoluteHostPath(hostPath)) errors.push(`Drive ${letter}: the host folder must be a full path, like /home/me/dos or D:\\DOS`);
    drives.push({ letter, hostPath, readOnly: d.readOnly });
  }
  const { settings, errors: settingErrors } = settingsToSave(defs, draft.settings, saved);
  errors.push(...settingErrors);
  if (errors.length) return { errors };
  return {
    input: { folderId: draft.folderId, name, kind: draft.kind, program, parameters: draft.parameters, workingDir, drives, settings },
  };
}

// ---- sessions and runs in words

export type SessionState = SessionInfo['state'];

export function isEnded(state: SessionState): boolean {
  return state === 'stopped' || state === 'crashed';
}

/** A session's state as the Window List and its window say it: "running", "stopped — exit code 42", ... */
export function describeSession(s: Pick<SessionInfo, 'state' | 'reason' | 'exitCode'>): string {
  switch (s.state) {
    case 'stopped':
      if (s.exitCode !== undefined) return `stopped — exit code ${s.exitCode}`;
      return s.reason ? `stopped — ${s.reason}` : 'stopped';
    case 'crashed':
      return `crashed — ${s.reason ?? 'no reason given'}`;
    default:
      return s.state;
  }
}

/**
 * The newer word on a session: what the server lists (`server`) over what the page saw on its port
 * (`local`), except that an end the page saw is not undone by a server that has not caught up yet.
 */
export function mergeSession(local: SessionInfo, server: SessionInfo | undefined): SessionInfo {
  if (!server) return local;
  if (isEnded(local.state) && !isEnded(server.state)) return local;
  return {
    ...local,
    state: server.state,
    reason: server.reason ?? local.reason,
    exitCode: server.exitCode ?? local.exitCode,
    title: local.title || server.title,
  };
}

/** A run's outcome in words: "exit code 42", "crashed: …", "running". */
export function describeRun(r: RunInfo): string {
  if (r.crashReason) return `crashed: ${r.crashReason}`;
  if (r.exitCode !== null) return `exit code ${r.exitCode}`;
  if (r.endedAt === null) return 'running';
  return 'ended';
}

/** An error as the user reads it: the message, without the bridge's "internal: " style code in front. */
export function errorText(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^(?:internal|bad-request|bad-json|unknown-method):\s*/, '') || 'Something went wrong (no message)';
}
