/**
 * The session library as the shell shows it: the Desktop and its folders, what a folder holds, Copy's
 * "Copy of …", the notebook's draft and what it saves, sessions and runs in words, errors without codes.
 */
import { describe, expect, it } from 'vitest';
import type { FolderInfo, ProgramInfo, RunInfo, SettingDef } from '../../preload/api.js';
import {
  childFolders,
  commandPromptsFolder,
  copyInput,
  describeRun,
  describeSession,
  desktopFolder,
  draftOf,
  draftToInput,
  errorText,
  folderPath,
  freeName,
  mergeSession,
  nextDriveLetter,
  programsIn,
} from '../../renderer/shell/library.js';

const FOLDERS: FolderInfo[] = [
  { id: 1, parentId: null, name: 'Desktop' },
  { id: 2, parentId: 1, name: 'Command Prompts' },
  { id: 3, parentId: 1, name: 'Games' },
  { id: 4, parentId: 3, name: 'arcade' },
  { id: 5, parentId: 1, name: 'Imported' },
];

function program(id: number, name: string, folderId = 1, more: Partial<ProgramInfo> = {}): ProgramInfo {
  return {
    id,
    folderId,
    name,
    kind: 'dos-window',
    program: 'C:\\HELLO.COM',
    parameters: '',
    workingDir: '',
    drives: [{ letter: 'C', hostPath: '/dos/c', readOnly: false }],
    settings: { HW_NOSOUND: true },
    icon: null,
    importedFrom: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...more,
  };
}

const DEFS: SettingDef[] = [
  { name: 'HW_NOSOUND', type: 'bool', default: false, help: '', owner: 'VSPKR', changeableWhileRunning: true },
  { name: 'DOS_RMSIZE', type: 'int', default: 640, min: 128, max: 640, step: 16, help: '', owner: 'VBIOS', changeableWhileRunning: false },
];

describe('folders', () => {
  it('finds the Desktop, its Command Prompts and what a folder holds, by name', () => {
    expect(desktopFolder(FOLDERS)?.id).toBe(1);
    expect(commandPromptsFolder(FOLDERS)?.id).toBe(2);
    expect(childFolders(FOLDERS, 1).map((f) => f.name)).toEqual(['Command Prompts', 'Games', 'Imported']);
    expect(programsIn([program(1, 'zork'), program(2, 'Alley Cat'), program(3, 'Keen', 3)], 1).map((p) => p.name)).toEqual(['Alley Cat', 'zork']);
    expect(folderPath(FOLDERS, 4)).toBe('Desktop › Games › arcade');
  });

  it('has no Command Prompts when the Desktop has none', () => {
    expect(commandPromptsFolder(FOLDERS.filter((f) => f.id !== 2))).toBeUndefined();
    expect(desktopFolder([])).toBeUndefined();
  });
});

describe('copy', () => {
  it('names a copy "Copy of …", numbered when that name is taken', () => {
    expect(freeName('Copy of Hello', ['Hello'])).toBe('Copy of Hello');
    expect(freeName('Copy of Hello', ['Hello', 'copy of hello', 'Copy of Hello (2)'])).toBe('Copy of Hello (3)');
  });

  it('copies every field into a new object input, not sharing arrays', () => {
    const p = program(7, 'Hello', 3, { parameters: '/x', workingDir: 'C:\\', kind: 'dos-fullscreen' });
    const input = copyInput(p, ['Hello']);
    expect(input).toEqual({
      folderId: 3,
      name: 'Copy of Hello',
      kind: 'dos-fullscreen',
      program: 'C:\\HELLO.COM',
      parameters: '/x',
      workingDir: 'C:\\',
      drives: [{ letter: 'C', hostPath: '/dos/c', readOnly: false }],
      settings: { HW_NOSOUND: true },
    });
    expect(input.drives).not.toBe(p.drives);
  });
});

describe('the notebook draft', () => {
  it('starts a new object empty in its folder, with default settings', () => {
    expect(draftOf(undefined, DEFS, 3)).toEqual({
      folderId: 3,
      name: '',
      kind: 'dos-window',
      program: '',
      parameters: '',
      workingDir: '',
      drives: [],
      settings: { HW_NOSOUND: false, DOS_RMSIZE: 640 },
    });
  });

  it('turns into input with only changed settings', () => {
    const d = { ...draftOf(program(1, 'Hello'), DEFS, 1), parameters: 'A B', settings: { HW_NOSOUND: true, DOS_RMSIZE: '512' } };
    expect(draftToInput(d, DEFS, { HW_NOSOUND: true })).toEqual({
      input: {
        folderId: 1,
        name: 'Hello',
        kind: 'dos-window',
        program: 'C:\\HELLO.COM',
        parameters: 'A B',
        workingDir: '',
        drives: [{ letter: 'C', hostPath: '/dos/c', readOnly: false }],
        settings: { HW_NOSOUND: true, DOS_RMSIZE: 512 },
      },
    });
  });

  it('lists every problem instead of saving', () => {
    const d = {
      ...draftOf(undefined, DEFS, 1),
      name: '  ',
      program: 'C:\\GAMES\\README.TXT',
      workingDir: 'C:\\MY GAMES',
      drives: [
        { letter: 'C', hostPath: '', readOnly: false },
        { letter: 'c', hostPath: 'relative/dir', readOnly: true },
      ],
      settings: { HW_NOSOUND: false, DOS_RMSIZE: '100' },
    };
    const r = draftToInput(d, DEFS);
    expect('errors' in r && r.errors).toEqual([
      expect.stringMatching(/needs a name/),
      expect.stringMatching(/\.COM, \.EXE or \.BAT/),
      expect.stringMatching(/MY GAMES.*8\.3/),
      expect.stringMatching(/Drive C: needs a host folder/),
      expect.stringMatching(/Drive C: is mapped twice/),
      expect.stringMatching(/Drive C: the host folder must be a full path/),
      expect.stringMatching(/DOS_RMSIZE/),
    ]);
  });

  it('takes Windows host folders and gives the next free drive letter', () => {
    const d = { ...draftOf(undefined, DEFS, 1), name: 'X', drives: [{ letter: 'C', hostPath: 'D:\\DOS', readOnly: false }] };
    expect('input' in draftToInput(d, DEFS)).toBe(true);
    expect(nextDriveLetter([{ letter: 'C' }, { letter: 'd' }])).toBe('E');
    expect(nextDriveLetter('CDEFGHIJKLMNOPQRSTUVWXYZ'.split('').map((letter) => ({ letter })))).toBeUndefined();
  });
});

describe('sessions and runs in words', () => {
  it('says how a session is, with the exit code or the crash reason', () => {
    expect(describeSession({ state: 'running' })).toBe('running');
    expect(describeSession({ state: 'idle' })).toBe('idle');
    expect(describeSession({ state: 'stopped', exitCode: 42 })).toBe('stopped — exit code 42');
    expect(describeSession({ state: 'stopped', reason: 'closed by the user' })).toBe('stopped — closed by the user');
    expect(describeSession({ state: 'crashed', reason: 'triple fault' })).toBe('crashed — triple fault');
  });

  it('takes the application word over the page, but not back from an end the page saw', () => {
    const local = { id: 1, title: 'HELLO.COM', state: 'running' as const };
    expect(mergeSession(local, { id: 1, title: 'x', state: 'stopped', exitCode: 42 })).toEqual({ id: 1, title: 'HELLO.COM', state: 'stopped', exitCode: 42, reason: undefined });
    const ended = { ...local, state: 'stopped' as const, exitCode: 42 };
    expect(mergeSession(ended, { id: 1, title: 'x', state: 'running' })).toBe(ended);
    expect(mergeSession(local, undefined)).toBe(local);
  });

  it('describes runs', () => {
    const run: RunInfo = { id: 1, programId: 1, programName: 'Hello', startedAt: 'a', endedAt: 'b', exitCode: 42, crashReason: null };
    expect(describeRun(run)).toBe('exit code 42');
    expect(describeRun({ ...run, exitCode: null, crashReason: 'bad opcode' })).toBe('crashed: bad opcode');
    expect(describeRun({ ...run, exitCode: null, endedAt: null })).toBe('running');
  });

  it('shows errors without the bridge code in front', () => {
    expect(errorText(new Error('internal: setting X: not known'))).toBe('setting X: not known');
    expect(errorText('plain')).toBe('plain');
  });
});
