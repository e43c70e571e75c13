/**
 * DOSBox .conf files become program objects: mounts become drive mappings (relative to the .conf), the
 * autoexec's drive, cd and program line become the program, its parameters and working directory, memory
 * settings carry over, and everything without a counterpart is reported. The result goes into a real
 * library file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importDosboxConf, parseConf } from '../../main/library/dosbox-conf.js';
import { Library } from '../../main/library/library.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const KEEN = `# This is the configuration file for DOSBox 0.74-3.
[sdl]
fullscreen=false
output=opengl

[dosbox]
machine=svga_s3
memsize=16

[cpu]
core=auto
cputype=auto
cycles=fixed 3000

[dos]
xms=true
ems=true
umb=true

[autoexec]
# Lines in this section will be run at startup.
@echo off
mount c "games/Commander Keen"
mount d ~/cdimages/keen -t cdrom
imgmount e floppy.img -t floppy
c:
cd KEEN4
keen4e.exe /nojoy
exit
`;

describe('DOSBox configuration import', () => {
  it('parses sections and keeps the autoexec lines', () => {
    const { sections, autoexec } = parseConf(KEEN);
    expect(sections.get('dosbox')?.get('memsize')).toBe('16');
    expect(sections.get('cpu')?.get('cycles')).toBe('fixed 3000');
    expect(autoexec[0]).toBe('@echo off');
    expect(autoexec).toContain('keen4e.exe /nojoy');
  });

  it('turns mounts, the program line and memory settings into a program object, and reports the rest', () => {
    const { program, notes } = importDosboxConf(KEEN, '/home/user/dosbox/keen4.conf');
    expect(program).toMatchObject({
      name: 'keen4',
      kind: 'dos-window',
      program: 'C:\\KEEN4\\KEEN4E.EXE',
      parameters: '/nojoy',
      workingDir: 'C:\\KEEN4',
      drives: [
        { letter: 'C', hostPath: '/home/user/dosbox/games/Commander Keen', readOnly: false },
        { letter: 'D', hostPath: join(homedir(), 'cdimages/keen'), readOnly: true },
      ],
      settings: { XMS_MEMORY_LIMIT: 15 * 1024, EMS_MEMORY_LIMIT: 2048, DOS_UMB: true },
      importedFrom: '/home/user/dosbox/keen4.conf',
    });
    expect(notes.join('\n')).toMatch(/imgmount e floppy\.img -t floppy: disk images/);
    expect(notes.join('\n')).toMatch(/cycles=fixed 3000/);
    expect(notes.join('\n')).toMatch(/@echo off: not carried over/);
  });

  it('takes full screen, a program at the drive root, and a generic dosbox.conf named after its program', () => {
    const { program } = importDosboxConf('[sdl]\nfullscreen=true\n[autoexec]\nmount c /dos\nc:\nDOOM -warp 1 1\n', '/x/dosbox.conf');
    expect(program).toMatchObject({ name: 'DOOM', kind: 'dos-fullscreen', program: 'C:\\DOOM', parameters: '-warp 1 1', workingDir: 'C:' });
  });

  it('refuses nonsense without throwing on it: a bad drive letter is a note, an oversized file an error', () => {
    const { program, notes } = importDosboxConf('[autoexec]\nmount 1 /x\nmount b /y\n', '/x/odd.conf');
    expect(program.drives).toEqual([]);
    expect(notes).toHaveLength(2);
    expect(() => importDosboxConf('x'.repeat(2 * 1024 * 1024), '/x/big.conf')).toThrow(/over 1 MiB/);
  });

  it('stores the imported object in the library as it came', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvm-import-'));
    try {
      const lib = Library.open(join(dir, 'library.sqlite'));
      const { program } = importDosboxConf(KEEN, '/home/user/dosbox/keen4.conf');
      const stored = lib.createProgram(program);
      expect(lib.program(stored.id)).toMatchObject({ name: 'keen4', importedFrom: '/home/user/dosbox/keen4.conf', drives: program.drives, settings: program.settings });
      lib.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mvm library', () => {
  it('imports .conf files into the "Imported" folder, prints what it could not carry over, and lists them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvm-cli-library-'));
    try {
      const conf = join(dir, 'keen4.conf');
      writeFileSync(conf, KEEN);
      writeFileSync(join(dir, 'big.conf'), 'x'.repeat(2 * 1024 * 1024));
      const mvm = (...args: string[]) =>
        spawnSync(process.execPath, [join(ROOT, 'bin/mvm.js'), 'library', ...args], { encoding: 'utf8', env: { ...process.env, MVM_DATA_DIR: dir }, timeout: 60_000 });
      const imported = mvm('import-dosbox', conf, join(dir, 'big.conf'));
      expect(imported.status).toBe(1); // one of the two failed
      expect(imported.stdout).toMatch(/imported .*keen4\.conf as \d+ "keen4": C:\\KEEN4\\KEEN4E\.EXE/);
      expect(imported.stdout).toMatch(/note: imgmount/);
      expect(imported.stderr).toMatch(/big\.conf: a DOSBox configuration file over 1 MiB/);
      const list = mvm('list');
      expect(list.status).toBe(0);
      expect(list.stdout).toMatch(/Imported\/keen4 +\[dos-window\] +C:\\KEEN4\\KEEN4E\.EXE \/nojoy/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
