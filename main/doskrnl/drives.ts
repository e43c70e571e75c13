/**
 * DOS drives backed by host folders: DOS path resolution (drive letters, current directories, '.' and '..',
 * 8.3 truncation), the 8.3 names shown for host entries (mangled like Windows/DOSBox: 'LONGFI~1.TEX'),
 * find-first wildcard listing, and the file operations of INT 21h on the host.
 *
 * The one rule above all: a guest never reaches a host path outside its drive's folder. Paths are resolved
 * in DOS terms first ('..' never climbs above the drive root), host names come only from the host's own
 * directory listing or from validated 8.3 names, and every existing entry is checked after resolving
 * symlinks. A symlink that points outside its drive (or nowhere) is REFUSED with accessDenied, not treated
 * as absent: treating it as absent would let a create follow it out of the folder. Listings leave it out.
 * Sockets, FIFOs and devices on the host are neither listed nor opened (accessDenied).
 *
 * Every failure a guest can cause is a DosFail with the code DOS returns; a read-only drive refuses every
 * change with accessDenied (as DOS does for read-only files and MSCDEX for CD-ROMs).
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statfsSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve as resolveHost, sep } from 'node:path';
import { DosError, DosFail } from './dos.js';

export interface DriveConfig {
  /** 'C' (a trailing ':' is accepted). */
  letter: string;
  /** An existing host folder. */
  hostPath: string;
  readOnly?: boolean;
}

export interface Resolved {
  /** 0 = A. */
  drive: number;
  /** Canonical DOS path, uppercase: 'C:\\DIR\\FILE.TXT' ('C:\\' for the root). */
  dosPath: string;
  /** Absolute host path inside the drive's folder; symlinks of existing entries resolved. May not exist yet. */
  host: string;
  /** The DOS device the last component names ('CON', 'NUL', ...), in any directory, with or without extension. */
  device?: string;
}

export interface DirEntry {
  /** The 8.3 name as DOS shows it: 'README.TXT', 'LONGFI~1.TXT', '.', '..'. */
  name: string;
  /** DOS attribute bits (Attr). */
  attr: number;
  size: number;
  mtime: Date;
  host: string;
}

/** An open host file; positions are absolute (the kernel keeps the DOS file pointer). */
export interface HostFile {
  readonly host: string;
  readonly dosPath: string;
  size(): number;
  /** Up to `length` bytes from `pos`; shorter at end of file. */
  read(pos: number, length: number): Uint8Array;
  write(pos: number, bytes: Uint8Array): void;
  truncate(length: number): void;
  /** Flush to the host disk (AH=68h). */
  commit(): void;
  /** Idempotent; any later call fails with invalidHandle. */
  close(): void;
  mtime(): Date;
  setMtime(d: Date): void;
}

/** AH=36h's numbers. */
export interface FreeSpace {
  clusters: number;
  freeClusters: number;
  sectorsPerCluster: number;
  bytesPerSector: number;
}

/** DOS attribute bits. */
export const Attr = {
  readOnly: 0x01,
  hidden: 0x02,
  system: 0x04,
  volume: 0x08,
  directory: 0x10,
  archive: 0x20,
} as const;

/** Devices DOS finds by name in any directory, whatever the extension. */
/** Character device names (EMMXXXX0 opens only while an EMS driver's header is behind INT 67h: handles.ts). */
const DEVICES = new Set(['CON', 'NUL', 'PRN', 'AUX', 'CLOCK$', 'COM1', 'COM2', 'COM3', 'COM4', 'LPT1', 'LPT2', 'LPT3', 'EMMXXXX0']);

/** Longest canonical path after 'C:\\' (DOS's 64-byte current-directory limit). */
const MAX_PATH = 64;

/**
 * Characters of an 8.3 name, the same set on both sides: a DOS name with another character is refused, and
 * a host name with another character is shown mangled. Printable ASCII without space and " * . / : < > ? \ |.
 */
const NAME_CHAR = /^[A-Za-z0-9!#$%&'()\-@^_`{}~+,;=[\]]$/;
const VALID_83 = /^[A-Za-z0-9!#$%&'()\-@^_`{}~+,;=[\]]{1,8}(\.[A-Za-z0-9!#$%&'()\-@^_`{}~+,;=[\]]{1,3})?$/;

/** Cluster geometry reported by freeSpace: 32 KiB clusters, so 65535 of them stay just under 2 GiB. */
const BYTES_PER_SECTOR = 512;
const SECTORS_PER_CLUSTER = 64;

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

interface Drive {
  readonly letter: string;
  /** realpath of the configured folder. */
  readonly root: string;
  readonly readOnly: boolean;
  /** Current directory: '\\' or '\\DIR\\SUB'. */
  cwd: string;
}

/** The 8.3 names of one host directory, kept for the session so a mangled name never changes under a guest. */
interface DirNames {
  byHost: Map<string, string>;
  byShort: Map<string, string>;
}

/** A DOS path split into drive and canonical components, before any host lookup. */
interface ParsedPath {
  drive: number;
  comps: string[];
}

export class DosFileSystem {
  private readonly drives: (Drive | undefined)[] = new Array(26);
  private readonly names = new Map<string, DirNames>();
  /** Hidden/system/archive bits (and read-only for directories) set by the guest, by host path: dosemu's way. */
  private readonly attrs = new Map<string, number>();
  /** The highest configured drive (0 = A), so lastDrive + 1 drive letters exist (AH=0Eh's count). */
  readonly lastDrive: number;
  /** Set by the kernel (AH=0Eh); at start the first drive of the configuration (in its order). */
  currentDrive: number;

  /** Throws Error (a configuration mistake, not a guest failure) naming the drive that is wrong. */
  constructor(drives: DriveConfig[]) {
    if (drives.length === 0) throw new Error('no DOS drives configured');
    let last = 0;
    let first = -1;
    for (const cfg of drives) {
      const letter = /^([A-Za-z]):?$/.exec(cfg.letter)?.[1]?.toUpperCase();
      if (!letter) throw new Error(`drive letter ${JSON.stringify(cfg.letter)} is not a letter A-Z`);
      const n = letter.charCodeAt(0) - 65;
      if (this.drives[n]) throw new Error(`drive ${letter}: is configured twice`);
      let root: string;
      try {
        root = realpathSync(resolveHost(cfg.hostPath));
        if (!statSync(root).isDirectory()) throw new Error('not a directory');
      } catch {
        throw new Error(`drive ${letter}: host folder ${cfg.hostPath} is not an existing directory`);
      }
      this.drives[n] = { letter, root, readOnly: cfg.readOnly === true, cwd: '\\' };
      last = Math.max(last, n);
      if (first < 0) first = n;
    }
    this.lastDrive = last;
    this.currentDrive = first;
  }

  hasDrive(drive: number): boolean {
    return this.drives[drive] !== undefined;
  }

  isReadOnly(drive: number): boolean {
    return this.drive(drive).readOnly;
  }

  cwd(drive: number): string {
    return this.drive(drive).cwd;
  }

  /**
   * AH=3Bh: the current directory of the path's drive (the current drive does not change). At most 63
   * characters after the root, so AH=47h's 64-byte buffer holds it with its NUL.
   */
  chdir(path: string): void {
    const r = this.resolve(path);
    if (r.device || !this.isDirectory(r.host)) {
      throw new DosFail(DosError.pathNotFound, `${r.dosPath} is not a directory`);
    }
    if (r.dosPath.length - 3 > MAX_PATH - 1) {
      throw new DosFail(DosError.pathNotFound, `${r.dosPath} is too long for a current directory`);
    }
    this.drive(r.drive).cwd = r.dosPath.slice(2);
  }

  /**
   * A DOS path to its canonical form and host path. With `wildcards`, '*' and '?' are allowed in the last
   * component (which is then not looked up on the host); without, they fail like any invalid character.
   */
  resolve(path: string, options: { wildcards?: boolean } = {}): Resolved {
    const { drive, comps } = this.parse(path, options.wildcards === true);
    const d = this.drive(drive);
    const dosPath = `${d.letter}:\\${comps.join('\\')}`;
    const last = comps.length > 0 ? comps[comps.length - 1] : undefined;
    const device = last !== undefined ? deviceName(last) : undefined;
    let host = d.root;
    let exists = true;
    comps.forEach((comp, i) => {
      const isLast = i === comps.length - 1;
      if (!exists || (isLast && (device || /[*?]/.test(comp)))) {
        exists = false;
        host = join(host, comp);
        return;
      }
      const real = this.dirNames(host).byShort.get(comp);
      if (real === undefined) {
        exists = false;
        host = join(host, comp);
        return;
      }
      const entry = this.confine(d, join(host, real), dosPath);
      if (!isLast && !entry.stats.isDirectory()) {
        // A file where a directory is needed: nothing below it exists.
        exists = false;
      }
      host = entry.host;
    });
    return device ? { drive, dosPath, host, device } : { drive, dosPath, host };
  }

  /**
   * A find-first argument ('C:\\DIR\\*.TXT') split into the directory it searches and the pattern, for
   * list(). The pattern is the last component in canonical form (uppercase, 8.3, '*' expanded to '?'s).
   */
  resolveSearch(path: string): { dir: Resolved; pattern: string } {
    const r = this.resolve(path, { wildcards: true });
    const cut = r.dosPath.lastIndexOf('\\');
    const pattern = r.dosPath.slice(cut + 1);
    if (pattern === '') throw new DosFail(DosError.fileNotFound, `${path}: no file name to search for`);
    return { dir: this.resolve(r.dosPath.slice(0, Math.max(cut, 3))), pattern };
  }

  /**
   * Find first/next: the entries of `dir` whose 8.3 names match `pattern` (DOS wildcards on the 11-char
   * name+extension form) and whose hidden/system/directory bits are all in `attrMask`. '.' and '..' come
   * first in a non-root directory. A mask of exactly 08h returns the drive's volume label alone.
   */
  list(dir: Resolved, pattern: string, attrMask: number): DirEntry[] {
    const d = this.drive(dir.drive);
    if (attrMask === Attr.volume) {
      const mtime = this.hostStat(d.root).mtime;
      return [{ name: `DRIVE_${d.letter}`, attr: Attr.volume, size: 0, mtime, host: d.root }];
    }
    if (dir.device || !this.isDirectory(dir.host)) {
      throw new DosFail(DosError.pathNotFound, `${dir.dosPath} is not a directory`);
    }
    const dirHost = this.confine(d, dir.host, dir.dosPath).host;
    const fcb = patternFcb(pattern);
    const out: DirEntry[] = [];
    const want = (attr: number): boolean => (attr & (Attr.hidden | Attr.system | Attr.directory) & ~attrMask) === 0;
    if (dirHost !== d.root) {
      const parent = dirname(dirHost);
      for (const [name, host] of [['.', dirHost], ['..', parent]] as const) {
        if (matchFcb(fcb, toFcb(name)) && want(Attr.directory)) {
          out.push({ name, attr: Attr.directory, size: 0, mtime: this.hostStat(host).mtime, host });
        }
      }
    }
    const names = this.dirNames(dirHost);
    for (const [hostName, short] of [...names.byHost].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (!matchFcb(fcb, toFcb(short))) continue;
      const entry = this.entryOf(d, join(dirHost, hostName), short);
      if (entry && want(entry.attr)) out.push(entry);
    }
    return out;
  }

  /** The entry `r` names, or undefined if it does not exist (devices: undefined; the root: name ''). */
  stat(r: Resolved): DirEntry | undefined {
    if (r.device) return undefined;
    const d = this.drive(r.drive);
    if (!this.exists(r.host)) return undefined;
    const name = r.host === d.root ? '' : this.shortName(basenameOf(r.host), dirname(r.host));
    return this.entryOf(d, r.host, name);
  }

  /** AH=39h. */
  mkdir(r: Resolved): void {
    const d = this.writable(r, 'create directory');
    if (r.device || this.exists(r.host)) throw new DosFail(DosError.accessDenied, `${r.dosPath} already exists`);
    this.parentDir(d, r);
    this.host(() => mkdirSync(r.host), r.dosPath, DosError.accessDenied);
  }

  /** AH=3Ah: only an empty directory that is no drive's root or current directory. */
  rmdir(r: Resolved): void {
    const d = this.writable(r, 'remove directory');
    const st = this.existing(d, r, DosError.pathNotFound);
    if (!st.isDirectory()) throw new DosFail(DosError.pathNotFound, `${r.dosPath} is not a directory`);
    if (r.host === d.root) throw new DosFail(DosError.accessDenied, `${r.dosPath} is the root directory`);
    if (r.dosPath === `${d.letter}:${d.cwd}`) {
      throw new DosFail(DosError.currentDirectory, `${r.dosPath} is the current directory`);
    }
    this.host(() => rmdirSync(r.host), r.dosPath, DosError.accessDenied);
    this.attrs.delete(r.host);
  }

  /** AH=41h: files only; a read-only file is refused. */
  unlink(r: Resolved): void {
    const d = this.writable(r, 'delete');
    const st = this.existing(d, r, DosError.fileNotFound);
    if (st.isDirectory()) throw new DosFail(DosError.accessDenied, `${r.dosPath} is a directory`);
    if (this.attrOf(d, r.host, st) & Attr.readOnly) {
      throw new DosFail(DosError.accessDenied, `${r.dosPath} is read-only`);
    }
    this.host(() => unlinkSync(r.host), r.dosPath, DosError.accessDenied);
    this.attrs.delete(r.host);
  }

  /** AH=56h: a file or directory to a new name, in the same or another directory of the same drive. */
  rename(from: Resolved, to: Resolved): void {
    if (from.drive !== to.drive) {
      throw new DosFail(DosError.notSameDevice, `${from.dosPath} and ${to.dosPath} are on different drives`);
    }
    const d = this.writable(from, 'rename');
    if (from.device || to.device) throw new DosFail(DosError.accessDenied, 'a device cannot be renamed');
    const st = this.existing(d, from, DosError.fileNotFound);
    if (this.exists(to.host)) throw new DosFail(DosError.accessDenied, `${to.dosPath} already exists`);
    this.parentDir(d, to);
    if (st.isDirectory() && (to.host + sep).startsWith(from.host + sep)) {
      throw new DosFail(DosError.accessDenied, `${from.dosPath} cannot move into itself`);
    }
    if (from.host === d.root) throw new DosFail(DosError.accessDenied, 'the root directory cannot be renamed');
    this.host(() => renameSync(from.host, to.host), from.dosPath, DosError.accessDenied);
    const bits = this.attrs.get(from.host);
    if (bits !== undefined) {
      this.attrs.delete(from.host);
      this.attrs.set(to.host, bits);
    }
  }

  /**
   * AX=4301h. The read-only bit of a file becomes the host's write permission; hidden, system, archive
   * (and read-only of a directory) are kept for the session. Volume and directory bits cannot be set.
   */
  setAttributes(r: Resolved, attr: number): void {
    const d = this.writable(r, 'change attributes of');
    if (attr & ~(Attr.readOnly | Attr.hidden | Attr.system | Attr.archive)) {
      throw new DosFail(DosError.accessDenied, `attribute ${attr.toString(16)}h cannot be set`);
    }
    const st = this.existing(d, r, DosError.fileNotFound);
    if (st.isDirectory()) {
      this.attrs.set(r.host, attr);
      return;
    }
    const mode = attr & Attr.readOnly ? st.mode & ~0o222 : st.mode | 0o200;
    this.withFd(r, constants.O_RDONLY, (fd) => fchmodSync(fd, mode & 0o7777));
    this.attrs.set(r.host, attr & ~Attr.readOnly);
  }

  /** AX=5701h on a path (the kernel usually goes through HostFile.setMtime). */
  setTime(r: Resolved, mtime: Date): void {
    const d = this.writable(r, 'change the time of');
    const st = this.existing(d, r, DosError.fileNotFound);
    this.host(() => utimesSync(r.host, st.atime, mtime), r.dosPath, DosError.accessDenied);
  }

  /**
   * Open (AH=3Dh), create/truncate (AH=3Ch, create 'truncate') or create new (AH=5Bh, create 'new':
   * fileExists if present). Creating always opens read/write on the host.
   */
  openFile(r: Resolved, mode: 'read' | 'write' | 'readwrite', create?: 'truncate' | 'new'): HostFile {
    const d = this.drive(r.drive);
    if (r.device) throw new DosFail(DosError.accessDenied, `${r.dosPath} is the device ${r.device}`);
    if (d.readOnly && (mode !== 'read' || create)) {
      throw new DosFail(DosError.accessDenied, `drive ${d.letter}: is read-only`);
    }
    const flagsOf = { read: constants.O_RDONLY, write: constants.O_WRONLY, readwrite: constants.O_RDWR };
    if (this.exists(r.host)) {
      const st = this.existing(d, r, DosError.fileNotFound);
      if (create === 'new') throw new DosFail(DosError.fileExists, `${r.dosPath} already exists`);
      if (!st.isFile()) throw new DosFail(DosError.accessDenied, `${r.dosPath} is not a file`);
      const writing = create !== undefined || mode !== 'read';
      if (writing && this.attrOf(d, r.host, st) & Attr.readOnly) {
        throw new DosFail(DosError.accessDenied, `${r.dosPath} is read-only`);
      }
      const flags = create ? constants.O_RDWR | constants.O_TRUNC : flagsOf[mode];
      return this.openHost(r, flags | O_NOFOLLOW);
    }
    if (!create) {
      this.parentDir(d, r);
      throw new DosFail(DosError.fileNotFound, `${r.dosPath} does not exist`);
    }
    this.parentDir(d, r);
    // O_EXCL never follows a symlink, so a create cannot leave the folder even if one appeared meanwhile.
    return this.openHost(r, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL);
  }

  /** AH=36h: the host file system's numbers, scaled to 16 bits (at most 65535 clusters of 32 KiB, ~2 GiB). */
  freeSpace(drive: number): FreeSpace {
    const d = this.drive(drive);
    const cluster = BYTES_PER_SECTOR * SECTORS_PER_CLUSTER;
    let total = 0xffff * cluster;
    let free = total;
    try {
      const s = statfsSync(d.root);
      total = s.blocks * s.bsize;
      free = d.readOnly ? 0 : s.bavail * s.bsize;
    } catch {
      // No statfs on this host: report a full-size, empty drive.
    }
    const clusters = Math.max(1, Math.min(0xffff, Math.floor(total / cluster)));
    const freeClusters = Math.min(clusters, Math.floor(free / cluster));
    return { clusters, freeClusters, sectorsPerCluster: SECTORS_PER_CLUSTER, bytesPerSector: BYTES_PER_SECTOR };
  }

  /** AH=60h: the canonical DOS path; wildcards in the last component come back expanded ('*' -> '?'s). */
  truename(path: string): string {
    return this.resolve(path, { wildcards: true }).dosPath;
  }

  /** The 8.3 name shown for host entry `hostName` of host directory `dirHost` (stable for the session). */
  shortName(hostName: string, dirHost: string): string {
    const names = this.dirNames(dirHost);
    const known = names.byHost.get(hostName);
    if (known !== undefined) return known;
    if (VALID_83.test(hostName) && !names.byShort.has(hostName.toUpperCase())) return hostName.toUpperCase();
    return mangle(hostName, names.byShort);
  }

  // ---- DOS paths ----

  private drive(drive: number): Drive {
    const d = this.drives[drive];
    if (!d) throw new DosFail(DosError.invalidDrive, `drive ${driveName(drive)} is not configured`);
    return d;
  }

  /** Drive and canonical components: separators, drive letter, current directory, '.', '..', 8.3 form. */
  private parse(path: string, wildcards: boolean): ParsedPath {
    let p = path.replace(/\//g, '\\');
    if (p.startsWith('\\\\')) throw new DosFail(DosError.invalidDrive, `${path}: network paths are not supported`);
    let drive = this.currentDrive;
    const letter = /^([A-Za-z]):/.exec(p);
    if (letter) {
      drive = letter[1].toUpperCase().charCodeAt(0) - 65;
      p = p.slice(2);
    }
    const d = this.drive(drive);
    // 'C:' alone is the drive's current directory; a relative path continues it.
    const full = p.startsWith('\\') ? p : p === '' ? d.cwd : d.cwd === '\\' ? `\\${p}` : `${d.cwd}\\${p}`;
    const raw = full.split('\\');
    // A leading '\\' gives an empty first element; one trailing '\\' is allowed ('C:\\DIR\\').
    raw.shift();
    if (raw.length > 0 && raw[raw.length - 1] === '' && raw.length > 1) raw.pop();
    const comps: string[] = [];
    raw.forEach((c, i) => {
      const isLast = i === raw.length - 1;
      if (c === '' && raw.length === 1) return; // 'C:\\'
      if (c === '.') return;
      if (c === '..') {
        comps.pop();
        return;
      }
      const name = dosComponent(c, isLast && wildcards);
      if (name === undefined || (!isLast && deviceName(name))) {
        const why = `${path}: invalid name ${JSON.stringify(c)}`;
        throw new DosFail(isLast ? DosError.fileNotFound : DosError.pathNotFound, why);
      }
      comps.push(name);
    });
    if (comps.join('\\').length > MAX_PATH) {
      throw new DosFail(DosError.pathNotFound, `${path}: longer than ${MAX_PATH} characters`);
    }
    return { drive, comps };
  }

  // ---- host side ----

  /** The 8.3 names of a host directory, refreshed from the host and keeping earlier assignments. */
  private dirNames(dirHost: string): DirNames {
    let list: string[];
    try {
      list = readdirSync(dirHost);
    } catch {
      // Not there (or not a directory): nothing to name; a later operation reports pathNotFound.
      return { byHost: new Map(), byShort: new Map() };
    }
    list.sort();
    const present = new Set(list);
    const old = this.names.get(dirHost);
    const names: DirNames = { byHost: new Map(), byShort: new Map() };
    const assign = (hostName: string, short: string): void => {
      names.byHost.set(hostName, short);
      names.byShort.set(short, hostName);
    };
    if (old) for (const [hostName, short] of old.byHost) if (present.has(hostName)) assign(hostName, short);
    const rest: string[] = [];
    for (const hostName of list) {
      if (names.byHost.has(hostName)) continue;
      if (VALID_83.test(hostName) && !names.byShort.has(hostName.toUpperCase())) assign(hostName, hostName.toUpperCase());
      else rest.push(hostName);
    }
    for (const hostName of rest) assign(hostName, mangle(hostName, names.byShort));
    this.names.set(dirHost, names);
    return names;
  }

  /**
   * An existing host entry checked to be inside the drive: a symlink is followed and must land inside
   * (refused with accessDenied otherwise, dangling ones too); sockets, FIFOs and devices are refused.
   */
  private confine(d: Drive, hostPath: string, dosPath: string): { host: string; stats: Stats } {
    let st: Stats;
    try {
      st = lstatSync(hostPath);
    } catch {
      throw new DosFail(DosError.pathNotFound, `${dosPath}: ${hostPath} vanished`);
    }
    let host = hostPath;
    if (st.isSymbolicLink()) {
      try {
        host = realpathSync(hostPath);
        st = statSync(host);
      } catch {
        throw new DosFail(DosError.accessDenied, `${dosPath} is a symlink to nothing`);
      }
    }
    if (!inside(d.root, host)) throw new DosFail(DosError.accessDenied, `${dosPath} leads outside drive ${d.letter}:`);
    if (!st.isFile() && !st.isDirectory()) {
      throw new DosFail(DosError.accessDenied, `${dosPath} is not a file or directory`);
    }
    return { host, stats: st };
  }

  /** A listing entry, or undefined for what a guest must not see (outside symlinks, sockets, FIFOs). */
  private entryOf(d: Drive, hostPath: string, name: string): DirEntry | undefined {
    let c: { host: string; stats: Stats };
    try {
      c = this.confine(d, hostPath, name);
    } catch {
      return undefined;
    }
    const attr = this.attrOf(d, c.host, c.stats, basenameOf(hostPath));
    const size = c.stats.isDirectory() ? 0 : Math.min(c.stats.size, 0xffffffff);
    return { name, attr, size, mtime: c.stats.mtime, host: c.host };
  }

  private attrOf(d: Drive, host: string, st: Stats, hostName = basenameOf(host)): number {
    const dir = st.isDirectory();
    const set = this.attrs.get(host);
    let attr = dir ? Attr.directory : 0;
    const kept = Attr.hidden | Attr.system | Attr.archive | (dir ? Attr.readOnly : 0);
    if (set !== undefined) attr |= set & kept;
    else attr |= (hostName.startsWith('.') ? Attr.hidden : 0) | (dir ? 0 : Attr.archive);
    if (!dir && (d.readOnly || (st.mode & 0o200) === 0)) attr |= Attr.readOnly;
    return attr;
  }

  /** The drive of `r` if it may be changed; a read-only drive refuses with accessDenied. */
  private writable(r: Resolved, what: string): Drive {
    const d = this.drive(r.drive);
    if (d.readOnly) {
      throw new DosFail(DosError.accessDenied, `cannot ${what} ${r.dosPath}: drive ${d.letter}: is read-only`);
    }
    return d;
  }

  /** The stats of the existing entry `r` (checked again against the drive), or `missing` / pathNotFound. */
  private existing(d: Drive, r: Resolved, missing: number): Stats {
    if (r.device) throw new DosFail(DosError.accessDenied, `${r.dosPath} is the device ${r.device}`);
    if (!this.exists(r.host)) {
      this.parentDir(d, r);
      throw new DosFail(missing, `${r.dosPath} does not exist`);
    }
    return this.confine(d, r.host, r.dosPath).stats;
  }

  /** The host directory `r` lives in: must exist, be a directory and be inside the drive. */
  private parentDir(d: Drive, r: Resolved): string {
    const parent = dirname(r.host);
    let real: string;
    try {
      real = realpathSync(parent);
    } catch {
      throw new DosFail(DosError.pathNotFound, `the directory of ${r.dosPath} does not exist`);
    }
    if (!inside(d.root, real)) {
      throw new DosFail(DosError.accessDenied, `${r.dosPath} leads outside drive ${d.letter}:`);
    }
    if (!this.isDirectory(real)) {
      throw new DosFail(DosError.pathNotFound, `the directory of ${r.dosPath} does not exist`);
    }
    return real;
  }

  private exists(host: string): boolean {
    try {
      lstatSync(host);
      return true;
    } catch {
      return false;
    }
  }

  private isDirectory(host: string): boolean {
    try {
      return statSync(host).isDirectory();
    } catch {
      return false;
    }
  }

  private hostStat(host: string): Stats {
    return this.host(() => statSync(host), host, DosError.pathNotFound);
  }

  /** A host call whose failure becomes the DosFail its errno means (`fallback` when unknown). */
  private host<T>(fn: () => T, what: string, fallback: number): T {
    try {
      return fn();
    } catch (e) {
      throw hostFail(e, what, fallback);
    }
  }

  private withFd(r: Resolved, flags: number, fn: (fd: number) => void): void {
    const fd = this.host(() => openSync(r.host, flags | O_NOFOLLOW), r.dosPath, DosError.accessDenied);
    try {
      this.host(() => fn(fd), r.dosPath, DosError.accessDenied);
    } finally {
      closeSync(fd);
    }
  }

  private openHost(r: Resolved, flags: number): HostFile {
    const fd = this.host(() => openSync(r.host, flags, 0o666), r.dosPath, DosError.accessDenied);
    // A write sets the archive bit again, as DOS does.
    const touched = (): void => {
      const set = this.attrs.get(r.host);
      if (set !== undefined) this.attrs.set(r.host, set | Attr.archive);
    };
    return new OpenHostFile(r.host, r.dosPath, fd, touched);
  }
}

class OpenHostFile implements HostFile {
  private fd: number | undefined;

  constructor(
    readonly host: string,
    readonly dosPath: string,
    fd: number,
    private readonly written: () => void,
  ) {
    this.fd = fd;
  }

  size(): number {
    return this.call((fd) => fstatSync(fd).size);
  }

  read(pos: number, length: number): Uint8Array {
    return this.call((fd) => {
      const buf = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    });
  }

  write(pos: number, bytes: Uint8Array): void {
    this.call((fd) => {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, pos + done);
    });
    this.written();
  }

  truncate(length: number): void {
    this.call((fd) => ftruncateSync(fd, length));
    this.written();
  }

  commit(): void {
    this.call((fd) => fsyncSync(fd));
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  mtime(): Date {
    return this.call((fd) => fstatSync(fd).mtime);
  }

  setMtime(d: Date): void {
    this.call((fd) => futimesSync(fd, fstatSync(fd).atime, d));
  }

  private call<T>(fn: (fd: number) => T): T {
    if (this.fd === undefined) throw new DosFail(DosError.invalidHandle, `${this.dosPath} is closed`);
    try {
      return fn(this.fd);
    } catch (e) {
      throw hostFail(e, this.dosPath, DosError.accessDenied);
    }
  }
}

// ---- names ----

function driveName(drive: number): string {
  return drive >= 0 && drive < 26 ? `${String.fromCharCode(65 + drive)}:` : `#${drive}`;
}

function basenameOf(host: string): string {
  const parts = host.split(sep);
  return parts[parts.length - 1];
}

/** Whether `host` is `root` or below it (both real paths). */
function inside(root: string, host: string): boolean {
  const rel = relative(root, host);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** The device a canonical last component names ('CON.TXT' -> 'CON'), if any. */
function deviceName(comp: string): string | undefined {
  const base = comp.split('.')[0];
  return DEVICES.has(base) ? base : undefined;
}

/**
 * One DOS path component in canonical 8.3 form: trailing spaces and dots dropped ('FOO.' = 'FOO'), name
 * and extension truncated to 8 and 3, uppercase; undefined if DOS would refuse it (an invalid character,
 * a second dot, an empty name). With `wildcards`, '*' fills the rest of its part with '?'.
 */
function dosComponent(raw: string, wildcards: boolean): string | undefined {
  const s = raw.replace(/[ .]+$/, '');
  if (s === '') return undefined;
  const parts = s.split('.');
  if (parts.length > 2) return undefined;
  const name = parts[0].replace(/ +$/, '');
  const ext = parts[1] ?? '';
  if (name === '') return undefined;
  const part = (text: string, len: number): string | undefined => {
    let out = '';
    for (const ch of text) {
      if (wildcards && ch === '*') return (out + '?'.repeat(len)).slice(0, len);
      if (!(NAME_CHAR.test(ch) || (wildcards && ch === '?'))) return undefined;
      out += ch.toUpperCase();
    }
    return out.slice(0, len);
  };
  const n = part(name, 8);
  const e = part(ext, 3);
  if (n === undefined || e === undefined) return undefined;
  return e ? `${n}.${e}` : n;
}

/**
 * The mangled 8.3 name of a host name that is not valid 8.3: up to 6 valid characters of the name, '~N',
 * and up to 3 of the last extension ('Long File Name.text' -> 'LONGFI~1.TEX'), N the first free number.
 */
function mangle(hostName: string, taken: Map<string, string>): string {
  const s = hostName.replace(/^\.+/, '');
  const dot = s.lastIndexOf('.');
  const clean = (t: string): string => [...t].filter((ch) => NAME_CHAR.test(ch)).join('').toUpperCase();
  const base = clean(dot >= 0 ? s.slice(0, dot) : s) || '_';
  const ext = clean(dot >= 0 ? s.slice(dot + 1) : '').slice(0, 3);
  for (let n = 1; ; n++) {
    const tail = `~${n}`;
    const short = base.slice(0, Math.min(6, 8 - tail.length)) + tail + (ext ? `.${ext}` : '');
    if (!taken.has(short)) return short;
  }
}

/** A name as DOS's 11-character FCB form: 'README.TXT' -> 'README  TXT'. */
function toFcb(name: string): string {
  if (name === '.' || name === '..') return name.padEnd(11);
  const [n, e = ''] = name.split('.');
  return n.padEnd(8) + e.padEnd(3);
}

/** A find-first pattern in FCB form: '*' fills the rest of its part with '?'. Invalid: fileNotFound. */
function patternFcb(pattern: string): string {
  if (pattern === '.' || pattern === '..') return pattern.padEnd(11);
  const comp = dosComponent(pattern, true);
  if (comp === undefined) throw new DosFail(DosError.fileNotFound, `invalid search pattern ${JSON.stringify(pattern)}`);
  return toFcb(comp);
}

/** DOS wildcard match: each '?' matches any character, padding included ('A?' matches 'A' and 'AB'). */
function matchFcb(pattern: string, name: string): boolean {
  for (let i = 0; i < 11; i++) if (pattern[i] !== '?' && pattern[i] !== name[i]) return false;
  return true;
}

function hostFail(e: unknown, what: string, fallback: number): DosFail {
  if (e instanceof DosFail) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const map: Record<string, number> = {
    ENOENT: DosError.fileNotFound,
    ENOTDIR: DosError.pathNotFound,
    EEXIST: DosError.fileExists,
    EACCES: DosError.accessDenied,
    EPERM: DosError.accessDenied,
    EISDIR: DosError.accessDenied,
    ELOOP: DosError.accessDenied,
    EROFS: DosError.accessDenied,
    ENOTEMPTY: DosError.accessDenied,
    EMFILE: DosError.tooManyOpenFiles,
    ENFILE: DosError.tooManyOpenFiles,
  };
  const mapped = code !== undefined ? map[code] : undefined;
  return new DosFail(mapped ?? fallback, `${what}: ${(e as Error).message}`);
}
