/**
 * DOS paths in the settings notebook (C:\GAMES\KEEN.EXE, C:\GAMES) and host files dropped on the desktop as
 * program objects (their folder becomes drive C:).
 */
import { describe, expect, it } from 'vitest';
import { checkDosPath, droppedProgram, isDosExecutableName, splitHostPath } from '../../renderer/shell/dos-path.js';

describe('checkDosPath', () => {
  it('accepts programs with or without a drive, in 8.3 names', () => {
    for (const p of ['C:\\GAMES\\KEEN.EXE', 'C:\\HELLO.COM', 'GAMES\\KEEN1.EXE', 'd:\\run.bat', '\\TOOLS\\PKUNZIP.EXE', 'C:\\A~1\\$X.COM']) {
      expect(checkDosPath(p, 'program'), p).toBeUndefined();
    }
  });

  it('refuses what DOS cannot start and says why', () => {
    expect(checkDosPath('C:\\GAMES\\README.TXT', 'program')).toMatch(/\.COM, \.EXE or \.BAT/);
    expect(checkDosPath('C:\\GAMES\\LONGFILENAME.EXE', 'program')).toMatch(/LONGFILENAME\.EXE.*8\.3/);
    expect(checkDosPath('C:/GAMES/KEEN.EXE', 'program')).toMatch(/backslashes/);
    expect(checkDosPath('A:\\KEEN.EXE', 'program')).toMatch(/drive A:/);
    expect(checkDosPath('C:\\', 'program')).toMatch(/must name a file/);
    expect(checkDosPath('C:\\GAMES\\\\KEEN.EXE', 'program')).toMatch(/empty folder name/);
    expect(checkDosPath('C:\\..\\KEEN.EXE', 'program')).toMatch(/\. or \.\./);
    expect(checkDosPath(' C:\\KEEN.EXE', 'program')).toMatch(/spaces/);
    expect(checkDosPath('C:\\MY GAMES\\KEEN.EXE', 'program')).toMatch(/8\.3/);
  });

  it('takes directories, the root and a trailing backslash included', () => {
    for (const d of ['C:\\', 'C:\\GAMES', 'C:\\GAMES\\', 'GAMES\\KEEN', 'E:']) expect(checkDosPath(d, 'directory'), d).toBeUndefined();
    expect(checkDosPath('C:\\GAMES\\TOOLONGNAME', 'directory')).toMatch(/8\.3/);
  });
});

describe('dropped host files', () => {
  it('knows a DOS program by its 8.3 name and extension', () => {
    expect(isDosExecutableName('KEEN1.EXE')).toBe(true);
    expect(isDosExecutableName('go.bat')).toBe(true);
    expect(isDosExecutableName('readme.txt')).toBe(false);
    expect(isDosExecutableName('commander.exe')).toBe(false);
  });

  it('splits POSIX and Windows paths, keeping a root', () => {
    expect(splitHostPath('/home/me/dos/KEEN.EXE')).toEqual({ dir: '/home/me/dos', base: 'KEEN.EXE' });
    expect(splitHostPath('/KEEN.EXE')).toEqual({ dir: '/', base: 'KEEN.EXE' });
    expect(splitHostPath('C:\\Games\\Keen\\keen1.exe')).toEqual({ dir: 'C:\\Games\\Keen', base: 'keen1.exe' });
    expect(splitHostPath('C:\\keen1.exe')).toEqual({ dir: 'C:\\', base: 'keen1.exe' });
  });

  it('makes the file folder drive C: and the program C:\\NAME.EXT', () => {
    expect(droppedProgram('/home/me/games/keen/keen1.exe')).toEqual({
      name: 'KEEN1',
      program: 'C:\\KEEN1.EXE',
      drives: [{ letter: 'C', hostPath: '/home/me/games/keen', readOnly: false }],
    });
    expect(droppedProgram('D:\\Spiele\\PRINCE.COM')).toMatchObject({ program: 'C:\\PRINCE.COM', drives: [{ hostPath: 'D:\\Spiele' }] });
  });

  it('says why a file cannot be a program object', () => {
    expect(droppedProgram('/home/me/notes.txt')).toEqual({ error: expect.stringMatching(/not a DOS program/) });
    expect(droppedProgram('/home/me/installer-setup.exe')).toEqual({ error: expect.stringMatching(/8\.3/) });
    expect(droppedProgram('KEEN.EXE')).toEqual({ error: expect.stringMatching(/full path/) });
  });
});
