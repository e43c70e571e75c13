/**
 * DOSBox configuration files as program objects: what a user's thousands of game .conf files say about
 * starting a program — the [autoexec] section's mounts and the command it runs, and the [dosbox], [cpu],
 * [dos] and [mixer]-level settings that have an MVM counterpart — turned into a ProgramInput for the
 * library. What has no counterpart is reported, not silently dropped.
 *
 *  - `mount X path [-t cdrom|floppy|dir] [-ro]` → a drive mapping (paths relative to the .conf's folder,
 *    ~ for the home folder); `imgmount` is reported (disk images come with boot images).
 *  - The commands after the mounts: `X:`, `cd dir` and the program line give the working directory, the
 *    program and its parameters; `exit` ends it; other lines (set, echo, config) are reported.
 *  - [dosbox] memsize (MB) → XMS_MEMORY_LIMIT; [dos] xms/ems/umb → XMS_MEMORY_LIMIT 0, EMS_MEMORY_LIMIT,
 *    DOS_UMB; [sdl] fullscreen → a full-screen object; cputype, cycles and machine are reported.
 */
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { homedir } from 'node:os';
import type { DriveMapping, ProgramInput, SettingValue } from './library.js';

export interface DosboxImport {
  program: ProgramInput;
  /** Lines and settings that had no MVM counterpart, to show the user. */
  notes: string[];
}

/** Parse a .conf's text: sections of key = value lines, and [autoexec] kept as lines. */
export function parseConf(textIn: string): { sections: Map<string, Map<string, string>>; autoexec: string[] } {
  const sections = new Map<string, Map<string, string>>();
  const autoexec: string[] = [];
  let section = '';
  for (const raw of textIn.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[([A-Za-z0-9_-]+)\]$/.exec(line);
    if (header) {
      section = header[1].toLowerCase();
      continue;
    }
    if (section === 'autoexec') {
      if (line && !line.startsWith('#') && !/^(@?rem\b|::)/i.test(line)) autoexec.push(line);
      continue;
    }
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (!sections.has(section)) sections.set(section, new Map());
    sections.get(section)!.set(key, value);
  }
  return { sections, autoexec };
}

/** Split a DOSBox command line into words, honouring double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2]);
  return out;
}

/**
 * Import one .conf. `confPath` is where the file is (mount paths are relative to it); `name` defaults to
 * the program's name or the file's.
 */
export function importDosboxConf(textIn: string, confPath: string, name?: string): DosboxImport {
  if (textIn.length > 1024 * 1024) throw new Error('a DOSBox configuration file over 1 MiB is not one');
  const { sections, autoexec } = parseConf(textIn);
  const notes: string[] = [];
  const settings: Record<string, SettingValue> = {};
  const drives: DriveMapping[] = [];
  const base = dirname(confPath);
  const hostPath = (p: string): string => {
    const expanded = p.startsWith('~') ? join(homedir(), p.slice(1)) : p;
    return normalize(isAbsolute(expanded) ? expanded : join(base, expanded));
  };

  let drive = 'Z';
  let dir = '';
  let program = '';
  let parameters = '';
  for (const line of autoexec) {
    const w = words(line.replace(/^@/, ''));
    const cmd = (w[0] ?? '').toLowerCase();
    if (cmd === 'mount' && w.length >= 3) {
      const letter = w[1].replace(/:$/, '').toUpperCase();
      if (!/^[C-Z]$/.test(letter)) {
        notes.push(`${line}: drive ${letter} cannot be mapped (C to Z only)`);
        continue;
      }
      const options = w.slice(3).map((o) => o.toLowerCase());
      const t = options.indexOf('-t');
      const type = t >= 0 ? options[t + 1] : 'dir';
      if (type === 'floppy') notes.push(`${line}: mapped as a folder drive (floppy drives come with disk images)`);
      if (type === 'cdrom') notes.push(`${line}: mapped read-only as a folder drive (no MSCDEX yet)`);
      drives.push({ letter, hostPath: hostPath(w[2]), readOnly: type === 'cdrom' || options.includes('-ro') });
      continue;
    }
    if (cmd === 'imgmount') {
      notes.push(`${line}: disk images are not mounted by program objects yet`);
      continue;
    }
    if (/^[a-z]:$/i.test(cmd)) {
      drive = cmd[0].toUpperCase();
      dir = '';
      continue;
    }
    if (cmd === 'cd' || cmd.startsWith('cd\\') || cmd.startsWith('cd/')) {
      const target = cmd === 'cd' ? (w[1] ?? '') : line.slice(2).trim();
      dir = target.startsWith('\\') || target.startsWith('/') ? target.replace(/^[\\/]+/, '') : [dir, target].filter(Boolean).join('\\');
      dir = dir.replace(/\//g, '\\').replace(/\\+$/, '');
      continue;
    }
    if (cmd === 'exit') break;
    if (['set', 'echo', 'cls', 'config', 'keyb', 'path', 'mixer', 'loadfix', 'cycles', 'core'].includes(cmd)) {
      notes.push(`${line}: not carried over`);
      continue;
    }
    if (program) {
      notes.push(`${line}: only the first program line is the program object's program`);
      continue;
    }
    program = `${drive}:\\${dir ? dir + '\\' : ''}${w[0].replace(/\//g, '\\').toUpperCase()}`;
    parameters = w.slice(1).join(' ');
  }

  const get = (s: string, k: string) => sections.get(s)?.get(k)?.toLowerCase();
  const memsize = Number(get('dosbox', 'memsize'));
  if (Number.isInteger(memsize) && memsize >= 1 && memsize <= 256) settings.XMS_MEMORY_LIMIT = (memsize - 1) * 1024;
  if (get('dos', 'xms') === 'false') settings.XMS_MEMORY_LIMIT = 0;
  if (get('dos', 'ems') === 'false') settings.EMS_MEMORY_LIMIT = 0;
  else if (get('dos', 'ems') === 'true') settings.EMS_MEMORY_LIMIT = 2048;
  if (get('dos', 'umb') === 'true') settings.DOS_UMB = true;
  else if (get('dos', 'umb') === 'false') settings.DOS_UMB = false;
  const cputype = get('cpu', 'cputype');
  if (cputype && cputype !== 'auto' && !cputype.startsWith('386')) notes.push(`[cpu] cputype=${cputype}: the session runs on a 386`);
  const cycles = get('cpu', 'cycles');
  if (cycles && cycles !== 'auto' && cycles !== 'max') notes.push(`[cpu] cycles=${cycles}: MVM runs the guest at its own pace`);
  const machine = get('dosbox', 'machine');
  if (machine && !/^(svga_\w+|vgaonly|vesa_\w+)$/.test(machine)) notes.push(`[dosbox] machine=${machine}: MVM emulates a VGA`);
  const fullscreen = get('sdl', 'fullscreen') === 'true';

  const fileName = confPath.split(/[\\/]/).pop()!.replace(/\.conf$/i, '');
  const programName = program ? program.split('\\').pop()!.replace(/\.(com|exe|bat)$/i, '') : '';
  return {
    program: {
      name: (name ?? (fileName.toLowerCase().startsWith('dosbox') && programName ? programName : fileName) ?? 'DOSBox program').slice(0, 200) || 'DOSBox program',
      kind: fullscreen ? 'dos-fullscreen' : 'dos-window',
      program,
      parameters: parameters.slice(0, 127),
      workingDir: program ? program.slice(0, program.lastIndexOf('\\')) || `${drive}:\\` : '',
      drives,
      settings,
      importedFrom: confPath,
    },
    notes,
  };
}
