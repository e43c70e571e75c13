/**
 * DOS drives on host folders: path resolution, 8.3 names, wildcard listings, file operations, and above
 * all that a guest path never reaches the host outside its drive's folder.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DosError, DosFail } from '../../main/doskrnl/dos.js';
import { Attr, DosFileSystem } from '../../main/doskrnl/drives.js';

let base: string;
let c: string; // drive C:
let d: string; // drive D:
let ro: string; // drive R:, read-only
let outside: string; // a folder no drive maps

const C = 2;
const D = 3;
const R = 17;

function make(): DosFileSystem {
  return new DosFileSystem([
    { letter: 'C', hostPath: c },
    { letter: 'D', hostPath: d },
    { letter: 'R', hostPath: ro, readOnly: true },
  ]);
}

/** The DosFail code `fn` throws (fails the test if it throws anything else or nothing). */
function code(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof DosFail) return e.code;
    throw e;
  }
  throw new Error('expected a DosFail, nothing was thrown');
}

function names(fs: DosFileSystem, path: string, pattern: string, mask = 0x16): string[] {
  return fs.list(fs.resolve(path), pattern, mask).map((e) => e.name);
}

/** Every file below `dir` with its content, to prove nothing there changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    out[name] = statSync(p).isDirectory() ? '<dir>' : readFileSync(p, 'latin1');
  }
  return out;
}

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'mvm-drives-')));
  for (const sub of ['c', 'd', 'ro', 'outside']) mkdirSync(join(base, sub));
  [c, d, ro, outside] = ['c', 'd', 'ro', 'outside'].map((s) => join(base, s));
  writeFileSync(join(outside, 'passwd'), 'root:secret');
  mkdirSync(join(outside, 'etc'));
  writeFileSync(join(outside, 'etc', 'passwd'), 'root:secret');
  writeFileSync(join(ro, 'DATA.TXT'), 'read only');
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('drive configuration', () => {
  it('refuses a missing folder, a bad letter and a duplicate, naming the drive', () => {
    expect(() => new DosFileSystem([{ letter: 'E', hostPath: join(base, 'nope') }])).toThrow(/drive E:/);
    expect(() => new DosFileSystem([{ letter: '1', hostPath: c }])).toThrow(/"1"/);
    expect(() => new DosFileSystem([{ letter: 'C', hostPath: c }, { letter: 'c', hostPath: d }])).toThrow(/C: is configured twice/);
    writeFileSync(join(base, 'file'), '');
    expect(() => new DosFileSystem([{ letter: 'F', hostPath: join(base, 'file') }])).toThrow(/drive F:/);
  });

  it('starts on the first configured drive at its root and knows the last drive', () => {
    const fs = make();
    expect(fs.currentDrive).toBe(C);
    expect(new DosFileSystem([{ letter: 'D', hostPath: d }, { letter: 'C', hostPath: c }]).currentDrive).toBe(D);
    expect(fs.lastDrive).toBe(R);
    expect([fs.hasDrive(C), fs.hasDrive(0), fs.hasDrive(R)]).toEqual([true, false, true]);
    expect(fs.cwd(D)).toBe('\\');
    expect([fs.isReadOnly(C), fs.isReadOnly(R)]).toEqual([false, true]);
    expect(code(() => fs.cwd(0))).toBe(DosError.invalidDrive);
  });
});

describe('path resolution', () => {
  it('resolves absolute, relative and drive-letter paths against each drive\'s current directory', () => {
    mkdirSync(join(c, 'GAMES', 'DOOM'), { recursive: true });
    mkdirSync(join(d, 'WORK'));
    const fs = make();
    expect(fs.resolve('\\GAMES').dosPath).toBe('C:\\GAMES');
    expect(fs.resolve('games\\doom').host).toBe(join(c, 'GAMES', 'DOOM'));
    fs.chdir('games');
    expect(fs.cwd(C)).toBe('\\GAMES');
    expect(fs.resolve('doom\\x.exe').dosPath).toBe('C:\\GAMES\\DOOM\\X.EXE');
    fs.chdir('D:work');
    expect(fs.cwd(D)).toBe('\\WORK');
    expect(fs.cwd(C)).toBe('\\GAMES'); // chdir on D: leaves C: alone
    expect(fs.resolve('D:file.txt').dosPath).toBe('D:\\WORK\\FILE.TXT');
    expect(fs.resolve('d:').dosPath).toBe('D:\\WORK');
    expect(fs.resolve('D:\\').host).toBe(d);
    expect(fs.resolve('C:/games/doom/').dosPath).toBe('C:\\GAMES\\DOOM');
    expect(code(() => fs.chdir('nosuch'))).toBe(DosError.pathNotFound);
  });

  it("handles '.' and '..' in DOS terms and never climbs above the root", () => {
    mkdirSync(join(c, 'A', 'B'), { recursive: true });
    const fs = make();
    expect(fs.resolve('C:\\A\\.\\B\\..\\B\\.').dosPath).toBe('C:\\A\\B');
    expect(fs.resolve('C:\\..').dosPath).toBe('C:\\');
    expect(fs.resolve('C:\\..').host).toBe(c);
    fs.chdir('\\A\\B');
    expect(fs.resolve('..\\..\\..\\..').dosPath).toBe('C:\\');
    expect(fs.truename('..\\X')).toBe('C:\\A\\X');
    expect(code(() => fs.resolve('C:\\A\\...\\X'))).toBe(DosError.pathNotFound);
  });

  it('finds host entries case-insensitively and maps them to their real names', () => {
    mkdirSync(join(c, 'MixedDir'));
    writeFileSync(join(c, 'MixedDir', 'readme.txt'), 'hello');
    const fs = make();
    const r = fs.resolve('c:\\MIXEDDIR\\ReadMe.TXT');
    expect(r.dosPath).toBe('C:\\MIXEDDIR\\README.TXT');
    expect(r.host).toBe(join(c, 'MixedDir', 'readme.txt'));
    expect(fs.stat(r)?.size).toBe(5);
  });

  it('truncates each component to 8.3 and maps missing ones to uppercase for creation', () => {
    const fs = make();
    expect(fs.resolve('LongFileName.Text').dosPath).toBe('C:\\LONGFILE.TEX');
    expect(fs.resolve('verylongdirectory\\file').host).toBe(join(c, 'VERYLONG', 'FILE'));
    expect(fs.resolve('FOO.').dosPath).toBe('C:\\FOO');
    expect(fs.resolve('FOO.TXT  ').dosPath).toBe('C:\\FOO.TXT');
    expect(fs.truename('*.*')).toBe('C:\\????????.???');
  });

  it('refuses invalid characters and wildcards outside searches', () => {
    const fs = make();
    for (const bad of ['A<B', 'A>B', 'A|B', 'A"B', 'A\u0001B', 'A*.TXT', 'A?', 'A.B.C', '.PROFILE', 'A B', 'CAF\u00c9']) {
      expect(code(() => fs.resolve(bad)), bad).toBe(DosError.fileNotFound);
      expect(code(() => fs.resolve(`${bad}\\FILE`)), bad).toBe(DosError.pathNotFound);
    }
    expect(code(() => fs.resolve('C:\\A\\\\B'))).toBe(DosError.pathNotFound);
  });

  it('refuses a path longer than 64 characters with pathNotFound', () => {
    const fs = make();
    const ok = `\\${'ABCDEFGH\\'.repeat(7)}A`; // 64 after the backslash
    expect(fs.resolve(ok).dosPath.length).toBe(3 + 64);
    expect(code(() => fs.resolve(`${ok}B`))).toBe(DosError.pathNotFound);
  });

  it('resolves device names in any directory, with or without extension', () => {
    mkdirSync(join(c, 'DIR'));
    const fs = make();
    expect(fs.resolve('NUL').device).toBe('NUL');
    expect(fs.resolve('con').device).toBe('CON');
    expect(fs.resolve('C:\\DIR\\CON.TXT').device).toBe('CON');
    expect(fs.resolve('lpt1.prn').device).toBe('LPT1');
    expect(fs.resolve('CLOCK$').device).toBe('CLOCK$');
    expect(fs.resolve('CONFIG.SYS').device).toBeUndefined();
    expect(fs.resolve('COM5').device).toBeUndefined();
    expect(code(() => fs.openFile(fs.resolve('NUL'), 'write', 'truncate'))).toBe(DosError.accessDenied);
    expect(existsSync(join(c, 'NUL'))).toBe(false);
  });
});

describe('8.3 names of host entries', () => {
  it('shows valid 8.3 names uppercase and mangles the rest stably, like Windows', () => {
    for (const n of ['readme.txt', 'Long File Name.text', 'Long File Name.tex2', '.hidden', 'a+b.c']) writeFileSync(join(c, n), n);
    const fs = make();
    expect(fs.shortName('readme.txt', c)).toBe('README.TXT');
    // Numbered in host name order: 'tex2' sorts before 'text'.
    expect(fs.shortName('Long File Name.tex2', c)).toBe('LONGFI~1.TEX');
    expect(fs.shortName('Long File Name.text', c)).toBe('LONGFI~2.TEX');
    expect(fs.shortName('.hidden', c)).toBe('HIDDEN~1');
    expect(fs.shortName('a+b.c', c)).toBe('A+B.C');
    // New host entries never renumber existing ones.
    writeFileSync(join(c, 'Long File Name.tex0'), '');
    expect(fs.shortName('Long File Name.text', c)).toBe('LONGFI~2.TEX');
    expect(fs.shortName('Long File Name.tex0', c)).toBe('LONGFI~3.TEX');
    expect(fs.openFile(fs.resolve('LONGFI~2.TEX'), 'read').host).toBe(join(c, 'Long File Name.text'));
  });

  it('opens a file by its mangled name and lists it under that name', () => {
    writeFileSync(join(c, 'Long File Name.text'), 'long content');
    const fs = make();
    expect(names(fs, 'C:\\', '*.*')).toEqual(['LONGFI~1.TEX']);
    const f = fs.openFile(fs.resolve('longfi~1.tex'), 'read');
    expect(f.host).toBe(join(c, 'Long File Name.text'));
    expect(new TextDecoder().decode(f.read(0, 100))).toBe('long content');
    f.close();
    expect(fs.resolve('LONGFILE.TEX').host).toBe(join(c, 'LONGFILE.TEX')); // truncation is not the mangled name
  });

  it('shows both of two host names differing only in case, the second mangled', () => {
    writeFileSync(join(c, 'README.TXT'), 'upper');
    writeFileSync(join(c, 'readme.txt'), 'lower');
    let entries: string[];
    try {
      entries = readdirSync(c);
    } catch {
      entries = [];
    }
    if (entries.length < 2) return; // a case-insensitive host file system keeps one
    const fs = make();
    expect(names(fs, 'C:\\', '*.*').sort()).toEqual(['README.TXT', 'README~1.TXT']);
    expect(readFileSync(fs.resolve('README~1.TXT').host, 'utf8')).toBe('lower');
    expect(readFileSync(fs.resolve('readme.txt').host, 'utf8')).toBe('upper');
  });
});

describe('listing (find first/next)', () => {
  beforeEach(() => {
    mkdirSync(join(c, 'SUB'));
    for (const n of ['A.TXT', 'AB.TXT', 'ABC.DOC', 'NOEXT', 'B.TXT']) writeFileSync(join(c, 'SUB', n), n);
    mkdirSync(join(c, 'SUB', 'INNER'));
  });

  it('matches DOS wildcards on the name and extension parts', () => {
    const fs = make();
    expect(names(fs, 'C:\\SUB', '*.*')).toEqual(['.', '..', 'A.TXT', 'AB.TXT', 'ABC.DOC', 'B.TXT', 'INNER', 'NOEXT']);
    expect(names(fs, 'C:\\SUB', '*.TXT')).toEqual(['A.TXT', 'AB.TXT', 'B.TXT']);
    expect(names(fs, 'C:\\SUB', 'A?.*')).toEqual(['A.TXT', 'AB.TXT']);
    expect(names(fs, 'C:\\SUB', '?B*.*')).toEqual(['AB.TXT', 'ABC.DOC']);
    expect(names(fs, 'C:\\SUB', '*')).toEqual(['.', '..', 'INNER', 'NOEXT']); // '*' is '????????.   '
    expect(names(fs, 'C:\\SUB', 'NOEXT')).toEqual(['NOEXT']);
    expect(names(fs, 'C:\\SUB', 'noext.')).toEqual(['NOEXT']);
    expect(names(fs, 'C:\\SUB', 'A*.T')).toEqual([]);
    expect(names(fs, 'C:\\SUB', '..')).toEqual(['..']);
    expect(names(fs, 'C:\\', '*.*')).toEqual(['SUB']); // no '.' and '..' in the root
  });

  it('returns hidden, system and directory entries only when the mask asks for them', () => {
    writeFileSync(join(c, 'SUB', '.dotfile'), '');
    const fs = make();
    fs.setAttributes(fs.resolve('C:\\SUB\\B.TXT'), Attr.system | Attr.archive);
    expect(names(fs, 'C:\\SUB', '*.*', 0)).toEqual(['A.TXT', 'AB.TXT', 'ABC.DOC', 'NOEXT']);
    expect(names(fs, 'C:\\SUB', '*.*', Attr.directory)).toEqual(['.', '..', 'A.TXT', 'AB.TXT', 'ABC.DOC', 'INNER', 'NOEXT']);
    expect(names(fs, 'C:\\SUB', '*.*', Attr.system)).toContain('B.TXT');
    expect(names(fs, 'C:\\SUB', '*.*', Attr.hidden)).toContain('DOTFIL~1');
    const all = fs.list(fs.resolve('C:\\SUB'), '*.*', 0x37);
    expect(all.find((e) => e.name === 'INNER')?.attr).toBe(Attr.directory);
    expect(all.find((e) => e.name === 'A.TXT')).toMatchObject({ attr: Attr.archive, size: 5 });
    expect(all.find((e) => e.name === 'B.TXT')?.attr).toBe(Attr.system | Attr.archive);
  });

  it('returns the volume label alone for a mask of 08h', () => {
    const fs = make();
    expect(fs.list(fs.resolve('C:\\'), '*.*', Attr.volume).map((e) => [e.name, e.attr])).toEqual([['DRIVE_C', Attr.volume]]);
  });

  it('splits a search path into directory and pattern', () => {
    const fs = make();
    const { dir, pattern } = fs.resolveSearch('c:\\sub\\a*.txt');
    expect([dir.dosPath, pattern]).toEqual(['C:\\SUB', 'A???????.TXT']);
    expect(fs.list(dir, pattern, 0).map((e) => e.name)).toEqual(['A.TXT', 'AB.TXT']);
    expect(fs.resolveSearch('*.*').dir.dosPath).toBe('C:\\');
    expect(code(() => fs.list(fs.resolve('C:\\NOSUCH'), '*.*', 0))).toBe(DosError.pathNotFound);
  });

  it('does not list sockets or FIFOs', async () => {
    const net = await import('node:net');
    const server = net.createServer();
    const sock = join(c, 'S.SCK');
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(sock, () => done());
    });
    try {
      const fs = make();
      expect(names(fs, 'C:\\', '*.*')).not.toContain('S.SCK');
      expect(code(() => fs.openFile(fs.resolve('S.SCK'), 'read'))).toBe(DosError.accessDenied);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});

describe('file operations', () => {
  it('creates, writes, reads, truncates and commits through HostFile to the host file', () => {
    const fs = make();
    const f = fs.openFile(fs.resolve('new.dat'), 'readwrite', 'truncate');
    f.write(0, new TextEncoder().encode('hello world'));
    f.write(6, new TextEncoder().encode('WORLD'));
    expect(f.size()).toBe(11);
    expect(new TextDecoder().decode(f.read(6, 100))).toBe('WORLD');
    f.truncate(5);
    f.commit();
    f.setMtime(new Date('2001-02-03T04:05:06Z'));
    expect(f.mtime().toISOString()).toBe('2001-02-03T04:05:06.000Z');
    f.close();
    f.close();
    expect(code(() => f.read(0, 1))).toBe(DosError.invalidHandle);
    expect(readFileSync(join(c, 'NEW.DAT'), 'utf8')).toBe('hello');
    // 3Ch again truncates; 5Bh refuses an existing file.
    fs.openFile(fs.resolve('NEW.DAT'), 'readwrite', 'truncate').close();
    expect(readFileSync(join(c, 'NEW.DAT'), 'utf8')).toBe('');
    expect(code(() => fs.openFile(fs.resolve('NEW.DAT'), 'readwrite', 'new'))).toBe(DosError.fileExists);
    expect(code(() => fs.openFile(fs.resolve('MISSING.DAT'), 'read'))).toBe(DosError.fileNotFound);
    expect(code(() => fs.openFile(fs.resolve('NODIR\\MISSING.DAT'), 'read'))).toBe(DosError.pathNotFound);
    expect(code(() => fs.openFile(fs.resolve('NODIR\\NEW.DAT'), 'readwrite', 'new'))).toBe(DosError.pathNotFound);
  });

  it('makes and removes directories with DOS errors', () => {
    const fs = make();
    fs.mkdir(fs.resolve('TOOLS'));
    expect(statSync(join(c, 'TOOLS')).isDirectory()).toBe(true);
    expect(code(() => fs.mkdir(fs.resolve('tools')))).toBe(DosError.accessDenied);
    expect(code(() => fs.mkdir(fs.resolve('NO\\SUB')))).toBe(DosError.pathNotFound);
    writeFileSync(join(c, 'TOOLS', 'X'), '');
    expect(code(() => fs.rmdir(fs.resolve('TOOLS')))).toBe(DosError.accessDenied);
    fs.chdir('TOOLS');
    expect(code(() => fs.rmdir(fs.resolve('C:\\TOOLS')))).toBe(DosError.currentDirectory);
    fs.chdir('\\');
    fs.unlink(fs.resolve('TOOLS\\X'));
    fs.rmdir(fs.resolve('TOOLS'));
    expect(existsSync(join(c, 'TOOLS'))).toBe(false);
    expect(code(() => fs.rmdir(fs.resolve('TOOLS')))).toBe(DosError.pathNotFound);
    expect(code(() => fs.rmdir(fs.resolve('C:\\')))).toBe(DosError.accessDenied);
  });

  it('deletes files but not directories, missing or read-only files', () => {
    writeFileSync(join(c, 'A.TXT'), 'a');
    mkdirSync(join(c, 'DIR'));
    const fs = make();
    expect(code(() => fs.unlink(fs.resolve('DIR')))).toBe(DosError.accessDenied);
    expect(code(() => fs.unlink(fs.resolve('NONE.TXT')))).toBe(DosError.fileNotFound);
    fs.setAttributes(fs.resolve('A.TXT'), Attr.readOnly);
    expect(statSync(join(c, 'A.TXT')).mode & 0o222).toBe(0);
    expect(fs.stat(fs.resolve('A.TXT'))?.attr).toBe(Attr.readOnly);
    expect(code(() => fs.unlink(fs.resolve('A.TXT')))).toBe(DosError.accessDenied);
    expect(code(() => fs.openFile(fs.resolve('A.TXT'), 'write'))).toBe(DosError.accessDenied);
    expect(code(() => fs.setAttributes(fs.resolve('A.TXT'), Attr.directory))).toBe(DosError.accessDenied);
    fs.setAttributes(fs.resolve('A.TXT'), Attr.archive);
    fs.unlink(fs.resolve('A.TXT'));
    expect(existsSync(join(c, 'A.TXT'))).toBe(false);
  });

  it('renames within and into another directory, and refuses across drives', () => {
    writeFileSync(join(c, 'OLD.TXT'), 'content');
    writeFileSync(join(c, 'TAKEN.TXT'), 'other');
    mkdirSync(join(c, 'DEST'));
    const fs = make();
    fs.rename(fs.resolve('old.txt'), fs.resolve('NEW.TXT'));
    expect(readFileSync(join(c, 'NEW.TXT'), 'utf8')).toBe('content');
    fs.rename(fs.resolve('NEW.TXT'), fs.resolve('DEST\\MOVED.TXT'));
    expect(readFileSync(join(c, 'DEST', 'MOVED.TXT'), 'utf8')).toBe('content');
    expect(existsSync(join(c, 'NEW.TXT'))).toBe(false);
    expect(code(() => fs.rename(fs.resolve('DEST\\MOVED.TXT'), fs.resolve('TAKEN.TXT')))).toBe(DosError.accessDenied);
    expect(code(() => fs.rename(fs.resolve('DEST\\MOVED.TXT'), fs.resolve('D:\\MOVED.TXT')))).toBe(DosError.notSameDevice);
    expect(code(() => fs.rename(fs.resolve('NONE.TXT'), fs.resolve('X.TXT')))).toBe(DosError.fileNotFound);
    expect(code(() => fs.rename(fs.resolve('DEST'), fs.resolve('DEST\\INNER')))).toBe(DosError.accessDenied);
    fs.rename(fs.resolve('DEST'), fs.resolve('RENAMED'));
    expect(existsSync(join(c, 'RENAMED', 'MOVED.TXT'))).toBe(true);
  });

  it('sets times and reports free space that fits 16 bits', () => {
    writeFileSync(join(c, 'T.TXT'), '');
    const fs = make();
    fs.setTime(fs.resolve('T.TXT'), new Date('1995-08-24T12:00:00Z'));
    expect(statSync(join(c, 'T.TXT')).mtime.toISOString()).toBe('1995-08-24T12:00:00.000Z');
    const space = fs.freeSpace(C);
    expect(space.clusters).toBeGreaterThan(0);
    expect(space.clusters).toBeLessThanOrEqual(0xffff);
    expect(space.freeClusters).toBeLessThanOrEqual(space.clusters);
    expect(space.sectorsPerCluster * space.bytesPerSector * space.clusters).toBeLessThan(2 ** 31);
    expect(code(() => fs.freeSpace(0))).toBe(DosError.invalidDrive);
  });
});

describe('read-only drive', () => {
  it('reads but refuses every change with accessDenied', () => {
    mkdirSync(join(ro, 'SUB'));
    const fs = make();
    const f = fs.openFile(fs.resolve('R:\\DATA.TXT'), 'read');
    expect(new TextDecoder().decode(f.read(0, 9))).toBe('read only');
    f.close();
    expect(fs.stat(fs.resolve('R:\\DATA.TXT'))?.attr).toBe(Attr.readOnly | Attr.archive);
    const refusals: [string, () => unknown][] = [
      ['open for write', () => fs.openFile(fs.resolve('R:\\DATA.TXT'), 'readwrite')],
      ['create', () => fs.openFile(fs.resolve('R:\\NEW.TXT'), 'readwrite', 'truncate')],
      ['create new', () => fs.openFile(fs.resolve('R:\\NEW.TXT'), 'readwrite', 'new')],
      ['delete', () => fs.unlink(fs.resolve('R:\\DATA.TXT'))],
      ['rename', () => fs.rename(fs.resolve('R:\\DATA.TXT'), fs.resolve('R:\\X.TXT'))],
      ['mkdir', () => fs.mkdir(fs.resolve('R:\\NEWDIR'))],
      ['rmdir', () => fs.rmdir(fs.resolve('R:\\SUB'))],
      ['attributes', () => fs.setAttributes(fs.resolve('R:\\DATA.TXT'), 0)],
      ['time', () => fs.setTime(fs.resolve('R:\\DATA.TXT'), new Date(0))],
    ];
    for (const [what, fn] of refusals) expect(code(fn), what).toBe(DosError.accessDenied);
    expect(snapshot(ro)).toEqual({ 'DATA.TXT': 'read only', SUB: '<dir>' });
  });
});

describe('hostile paths', () => {
  it('keeps .., absolute host paths and the root of the drive inside the folder', () => {
    const fs = make();
    const before = snapshot(outside);
    for (const p of ['..\\..\\..\\etc\\passwd', 'C:\\..\\..\\x', '/etc/passwd', '../outside/passwd', 'C:..\\..\\outside\\passwd']) {
      const r = fs.resolve(p);
      expect(r.host.startsWith(c + '/') || r.host === c, p).toBe(true);
      const nested = r.dosPath.split('\\').length > 2;
      expect(code(() => fs.openFile(r, 'read')), p).toBe(nested ? DosError.pathNotFound : DosError.fileNotFound);
    }
    expect(fs.resolve('/etc/passwd').dosPath).toBe('C:\\ETC\\PASSWD');
    mkdirSync(join(c, 'ETC'));
    const f = fs.openFile(fs.resolve('/etc/passwd'), 'readwrite', 'truncate');
    f.write(0, new TextEncoder().encode('guest'));
    f.close();
    expect(readFileSync(join(c, 'ETC', 'PASSWD'), 'utf8')).toBe('guest');
    expect(snapshot(outside)).toEqual(before);
  });

  it('refuses UNC paths and unconfigured drives with invalidDrive', () => {
    const fs = make();
    expect(code(() => fs.resolve('\\\\server\\share\\x'))).toBe(DosError.invalidDrive);
    expect(code(() => fs.resolve('//server/share/x'))).toBe(DosError.invalidDrive);
    expect(code(() => fs.resolve('Z:\\x'))).toBe(DosError.invalidDrive);
    expect(code(() => fs.chdir('A:'))).toBe(DosError.invalidDrive);
  });

  it('refuses symlinks that lead outside the drive and never touches their targets', () => {
    symlinkSync(join(outside, 'passwd'), join(c, 'LINK.TXT'));
    symlinkSync(outside, join(c, 'OUTDIR'));
    symlinkSync(join(outside, 'nothing-yet'), join(c, 'DANGLE.TXT'));
    mkdirSync(join(c, 'REAL'));
    writeFileSync(join(c, 'REAL', 'IN.TXT'), 'inside');
    symlinkSync(join(c, 'REAL'), join(c, 'INLINK'));
    const fs = make();
    const before = snapshot(outside);
    const attempts: [string, () => unknown][] = [
      ['open link', () => fs.openFile(fs.resolve('LINK.TXT'), 'read')],
      ['truncate link', () => fs.openFile(fs.resolve('LINK.TXT'), 'readwrite', 'truncate')],
      ['create through dangling link', () => fs.openFile(fs.resolve('DANGLE.TXT'), 'readwrite', 'truncate')],
      ['file in linked dir', () => fs.openFile(fs.resolve('OUTDIR\\PASSWD'), 'read')],
      ['create in linked dir', () => fs.openFile(fs.resolve('OUTDIR\\NEW.TXT'), 'readwrite', 'new')],
      ['chdir linked dir', () => fs.chdir('OUTDIR')],
      ['delete link', () => fs.unlink(fs.resolve('LINK.TXT'))],
      ['attributes', () => fs.setAttributes(fs.resolve('LINK.TXT'), Attr.readOnly)],
      ['time', () => fs.setTime(fs.resolve('LINK.TXT'), new Date(0))],
    ];
    for (const [what, fn] of attempts) expect(code(fn), what).toBe(DosError.accessDenied);
    expect(names(fs, 'C:\\', '*.*')).toEqual(['INLINK', 'REAL']);
    expect(snapshot(outside)).toEqual(before);
    expect(existsSync(join(outside, 'nothing-yet'))).toBe(false);
    // A symlink that stays inside the drive works.
    expect(new TextDecoder().decode(fs.openFile(fs.resolve('INLINK\\IN.TXT'), 'read').read(0, 10))).toBe('inside');
  });

  it('refuses a name with a NUL byte or bytes no DOS name has', () => {
    const fs = make();
    expect(code(() => fs.openFile(fs.resolve('A\u0000B.TXT'), 'readwrite', 'truncate'))).toBe(DosError.fileNotFound);
    expect(code(() => fs.resolve('DIR\u0000\\X'))).toBe(DosError.pathNotFound);
    expect(code(() => fs.resolve('\u00ff'))).toBe(DosError.fileNotFound);
    expect(readdirSync(c)).toEqual([]);
  });

  it('refuses 200 levels of nesting cleanly', () => {
    const fs = make();
    expect(code(() => fs.resolve('A\\'.repeat(200) + 'A'))).toBe(DosError.pathNotFound);
    let depth = 0;
    let failure = 0;
    for (; depth < 200; depth++) {
      try {
        fs.mkdir(fs.resolve('A'));
        fs.chdir('A');
      } catch (e) {
        failure = (e as DosFail).code;
        break;
      }
    }
    expect(failure).toBe(DosError.pathNotFound);
    expect(depth).toBe(32); // '\\A' 32 times is 63 characters; the 33rd is 65
    expect(fs.cwd(C).length).toBe(64); // '\\' and 63 characters: AH=47h's buffer holds it with its NUL
    fs.chdir('\\');
    const deepest = `\\${'ABCDEFGH\\'.repeat(7)}A`; // 64 characters after the root: a file path, not a directory
    mkdirSync(join(c, ...deepest.slice(1).split('\\')), { recursive: true });
    expect(fs.stat(fs.resolve(deepest))?.attr).toBe(Attr.directory);
    expect(code(() => fs.chdir(deepest))).toBe(DosError.pathNotFound);
  });
});
