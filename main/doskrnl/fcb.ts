/**
 * FCB file functions (INT 21h AH=0Fh-17h, 21h-24h, 27h, 28h), MS-DOS 5 semantics after Ralf Brown's
 * Interrupt List: open, close, find first/next, delete, sequential read/write, create, rename, random
 * read/write, file size, set random record, random block read/write. Normal and extended FCBs (FFh, 5
 * reserved bytes, attribute, then the normal FCB) everywhere.
 *
 * Results are in AL (00h success, FFh failure; reads 00h/01h EOF/02h segment wrap/03h partial record,
 * writes 00h/01h disk full/02h segment wrap), never CF/AX: every DosFail is caught here.
 *
 * An open FCB maps to a host file kept in a per-kernel Map, keyed by an id written into the FCB's reserved
 * bytes (18h dword, 1Ch dword check). The id is only trusted when the check matches, the Map knows it and
 * the entry names the same drive and file; otherwise the FCB counts as not open and is reopened by name,
 * as DOS does for FCBs. The Map keeps at most MAX_OPEN files (the oldest are closed). Find first/next keep
 * their matches in a second bounded Map, keyed by an id in the search FCB's reserved bytes (0Dh dword).
 *
 * Paths are the FCB's drive + 8.3 name in that drive's current directory, through DosFileSystem.
 * Not supported: devices by FCB name (CON, NUL... open fails with FFh), creating volume labels or
 * directories, the DTA's real segment (the segment-wrap check takes DS's segment when the DTA lies in it).
 */
import type { Served } from './console.js';
import { DosError, DosFail } from './dos.js';
import { Attr, type DirEntry, type HostFile, type Resolved } from './drives.js';
import { toDosTime } from './handles.js';
import type { Kernel } from './kernel.js';

/** An open FCB on the host side. */
interface OpenFcb {
  file: HostFile;
  drive: number;
  /** The 11-byte FCB name (name + extension, blank padded). */
  name: string;
  writable: boolean;
}

/** An FCB find in progress. */
interface FcbSearch {
  entries: DirEntry[];
  next: number;
  drive: number;
}

interface FcbState {
  open: Map<number, OpenFcb>;
  nextOpen: number;
  searches: Map<number, FcbSearch>;
  nextSearch: number;
}

/** Open FCB files kept at most; beyond, the oldest is closed (it reopens by name when used again). */
export const MAX_OPEN = 64;
const MAX_SEARCHES = 64;
const CHECK = 0x4d564d46; // 'FMVM': the reserved bytes' check against stray ids

const states = new WeakMap<Kernel, FcbState>();

function stateOf(k: Kernel): FcbState {
  let s = states.get(k);
  if (!s) states.set(k, (s = { open: new Map(), nextOpen: 1, searches: new Map(), nextSearch: 1 }));
  return s;
}

// ---- FCB fields (offsets in the normal FCB)
const F_DRIVE = 0x00;
const F_NAME = 0x01;
const F_BLOCK = 0x0c;
const F_RECSIZE = 0x0e;
const F_SIZE = 0x10;
const F_DATE = 0x14;
const F_TIME = 0x16;
const F_ID = 0x18;
const F_CHECK = 0x1c;
const F_RECORD = 0x20;
const F_RANDOM = 0x21;
const F_NEWNAME = 0x11; // AH=17h
const F_SEARCH = 0x0d; // AH=11h/12h: the search id

/** The FCB at DS:DX: where its normal part is, whether it is extended, the attribute of an extended one. */
interface FcbRef {
  /** Linear address of the normal FCB. */
  at: number;
  extended: boolean;
  attr: number;
}

function fcbRef(k: Kernel): FcbRef {
  const base = k.ds(k.dx);
  if (k.vdh.readByte(base) === 0xff) return { at: base + 7, extended: true, attr: k.vdh.readByte(base + 6) };
  return { at: base, extended: false, attr: 0 };
}

function readDword(k: Kernel, addr: number): number {
  return (k.vdh.readWord(addr) | (k.vdh.readWord(addr + 2) << 16)) >>> 0;
}

function writeDword(k: Kernel, addr: number, v: number): void {
  k.vdh.writeWord(addr, v & 0xffff);
  k.vdh.writeWord(addr + 2, (v >>> 16) & 0xffff);
}

function readText(k: Kernel, addr: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(k.vdh.readByte(addr + i));
  return s;
}

/** The FCB's drive, 0 = A (its byte 0 is 0 = default, 1 = A:); invalidDrive if not configured. */
function driveOf(k: Kernel, f: FcbRef): number {
  const b = k.vdh.readByte(f.at + F_DRIVE);
  const drive = b === 0 ? k.fs.currentDrive : b - 1;
  if (!k.fs.hasDrive(drive)) throw new DosFail(DosError.invalidDrive);
  return drive;
}

/** 'NAME    EXT' -> 'NAME.EXT' (wildcards kept); fileNotFound when the name part is blank. */
function dottedName(fcbName: string): string {
  const name = fcbName.slice(0, 8).replace(/ +$/, '');
  const ext = fcbName.slice(8, 11).replace(/ +$/, '');
  if (name === '') throw new DosFail(DosError.fileNotFound, 'an FCB without a file name');
  return ext ? `${name}.${ext}` : name;
}

/** 'NAME.EXT' (a directory entry's 8.3 name) -> 'NAME    EXT'. */
function fcbName(name: string): string {
  if (name === '.' || name === '..') return name.padEnd(11);
  const dot = name.indexOf('.');
  const n = dot >= 0 ? name.slice(0, dot) : name;
  const e = dot >= 0 ? name.slice(dot + 1) : '';
  return n.slice(0, 8).padEnd(8) + e.slice(0, 3).padEnd(3);
}

function letter(drive: number): string {
  return String.fromCharCode(65 + drive);
}

/** The file an FCB names, in its drive's current directory. */
function resolveFcb(k: Kernel, drive: number, name11: string): Resolved {
  return k.fs.resolve(`${letter(drive)}:${dottedName(name11)}`);
}

/** The current directory of a drive, resolved, and the FCB's name as a search pattern. */
function searchOf(k: Kernel, f: FcbRef): { drive: number; dir: Resolved; pattern: string } {
  const drive = driveOf(k, f);
  const dir = k.fs.resolve(`${letter(drive)}:.`);
  return { drive, dir, pattern: dottedName(readText(k, f.at + F_NAME, 11)) };
}

function inDir(dir: Resolved, name: string): string {
  return dir.dosPath.endsWith('\\') ? dir.dosPath + name : `${dir.dosPath}\\${name}`;
}

// ---- the open-file map

/** The open file behind an FCB, if its reserved bytes name one of ours for the same file. */
function lookup(k: Kernel, f: FcbRef): { id: number; o: OpenFcb } | undefined {
  const id = readDword(k, f.at + F_ID);
  if (id === 0 || readDword(k, f.at + F_CHECK) !== (id ^ CHECK) >>> 0) return undefined;
  const o = stateOf(k).open.get(id);
  if (!o) return undefined;
  const b = k.vdh.readByte(f.at + F_DRIVE);
  const drive = b === 0 ? k.fs.currentDrive : b - 1;
  if (o.drive !== drive || o.name !== readText(k, f.at + F_NAME, 11).toUpperCase()) return undefined;
  return { id, o };
}

function forget(k: Kernel, id: number): void {
  const s = stateOf(k);
  const o = s.open.get(id);
  if (!o) return;
  s.open.delete(id);
  try {
    o.file.commit();
  } catch {
    // closing anyway
  }
  o.file.close();
}

/** Close every FCB file open on a host path (before it is deleted or renamed). */
function forgetHost(k: Kernel, host: string): void {
  for (const [id, o] of [...stateOf(k).open]) if (o.file.host === host) forget(k, id);
}

/** Register an open file and write its id into the FCB. */
function register(k: Kernel, f: FcbRef, o: OpenFcb): void {
  const s = stateOf(k);
  const id = s.nextOpen;
  s.nextOpen = s.nextOpen >= 0x7fffffff ? 1 : s.nextOpen + 1;
  s.open.set(id, o);
  while (s.open.size > MAX_OPEN) forget(k, s.open.keys().next().value as number);
  writeDword(k, f.at + F_ID, id);
  writeDword(k, f.at + F_CHECK, (id ^ CHECK) >>> 0);
}

/** Open a file by name for an FCB: read/write, or read-only if the file is read-only. */
function openByName(k: Kernel, f: FcbRef, drive: number, name11: string): OpenFcb {
  const r = resolveFcb(k, drive, name11);
  if (r.device) throw new DosFail(DosError.fileNotFound, `${r.dosPath}: devices are not opened by FCB here`);
  const st = k.fs.stat(r);
  if (!st || st.attr & (Attr.directory | Attr.volume)) throw new DosFail(DosError.fileNotFound);
  // A normal FCB does not see hidden or system files; an extended one sees those its attribute allows.
  if (st.attr & (Attr.hidden | Attr.system) & ~f.attr) throw new DosFail(DosError.fileNotFound);
  try {
    return { file: k.fs.openFile(r, 'readwrite'), drive, name: name11, writable: true };
  } catch (e) {
    if (!(e instanceof DosFail) || e.code !== DosError.accessDenied) throw e;
    return { file: k.fs.openFile(r, 'read'), drive, name: name11, writable: false };
  }
}

/** The open file of an FCB; an FCB we do not know is reopened by name. */
function fileOf(k: Kernel, f: FcbRef): OpenFcb {
  const known = lookup(k, f);
  if (known) return known.o;
  const name11 = readText(k, f.at + F_NAME, 11).toUpperCase();
  const o = openByName(k, f, driveOf(k, f), name11);
  register(k, f, o);
  return o;
}

/** Fill the fields of a freshly opened or created FCB. */
function initOpened(k: Kernel, f: FcbRef, o: OpenFcb): void {
  const v = k.vdh;
  if (v.readByte(f.at + F_DRIVE) === 0) v.writeByte(f.at + F_DRIVE, o.drive + 1);
  v.writeWord(f.at + F_BLOCK, 0);
  v.writeWord(f.at + F_RECSIZE, 128);
  updateSize(k, f, o);
}

/** The FCB's file size, date and time from the host file. */
function updateSize(k: Kernel, f: FcbRef, o: OpenFcb): void {
  writeDword(k, f.at + F_SIZE, Math.min(o.file.size(), 0xffffffff));
  const { time, date } = toDosTime(o.file.mtime());
  k.vdh.writeWord(f.at + F_DATE, date);
  k.vdh.writeWord(f.at + F_TIME, time);
}

// ---- records

function recordSize(k: Kernel, f: FcbRef): number {
  let rs = k.vdh.readWord(f.at + F_RECSIZE);
  if (rs === 0) {
    rs = 128;
    k.vdh.writeWord(f.at + F_RECSIZE, rs);
  }
  return rs;
}

function currentRecord(k: Kernel, f: FcbRef): number {
  return k.vdh.readWord(f.at + F_BLOCK) * 128 + (k.vdh.readByte(f.at + F_RECORD) & 0x7f);
}

function setCurrentRecord(k: Kernel, f: FcbRef, n: number): void {
  k.vdh.writeWord(f.at + F_BLOCK, Math.floor(n / 128) & 0xffff);
  k.vdh.writeByte(f.at + F_RECORD, n % 128);
}

/** The random record field: 4 bytes when the record size is below 64, else 3. */
function randomRecord(k: Kernel, f: FcbRef, rs: number): number {
  const v = readDword(k, f.at + F_RANDOM);
  return rs < 64 ? v : v & 0xffffff;
}

function setRandomRecord(k: Kernel, f: FcbRef, rs: number, n: number): void {
  k.vdh.writeWord(f.at + F_RANDOM, n & 0xffff);
  k.vdh.writeByte(f.at + F_RANDOM + 2, (n >>> 16) & 0xff);
  if (rs < 64) k.vdh.writeByte(f.at + F_RANDOM + 3, (n >>> 24) & 0xff);
}

/**
 * Would `length` bytes at the DTA cross its segment's end? The kernel keeps the DTA linear; its offset is
 * taken relative to DS when the DTA lies in DS's segment (the usual case), else as normalized (0-15).
 */
function wraps(k: Kernel, length: number): boolean {
  const rel = k.dta - k.r.ds * 16;
  const offset = rel >= 0 && rel < 0x10000 ? rel : k.dta & 0x0f;
  return offset + length > 0x10000;
}

/** Read `count` records from record `n` into the DTA: AL code and the records read (a partial one counts). */
function readRecords(k: Kernel, o: OpenFcb, rs: number, n: number, count: number): { al: number; records: number } {
  if (count === 0) return { al: 0, records: 0 };
  if (wraps(k, rs * count)) return { al: 2, records: 0 };
  const data = o.file.read(n * rs, rs * count);
  if (data.length === 0) return { al: 1, records: 0 };
  const records = Math.ceil(data.length / rs);
  const out = new Uint8Array(records * rs);
  out.set(data);
  k.vdh.writeGuest(k.dta, out);
  // Short of what was asked: 03h if the last record is partial (zero-padded), else 01h (EOF after whole records).
  return { al: data.length === rs * count ? 0 : data.length % rs ? 3 : 1, records };
}

/** Write `count` records from the DTA at record `n`: AL code (01h: the file is read-only). */
function writeRecords(k: Kernel, f: FcbRef, o: OpenFcb, rs: number, n: number, count: number): number {
  if (wraps(k, rs * count)) return 2;
  if (!o.writable) return 1;
  o.file.write(n * rs, k.vdh.readGuest(k.dta, rs * count));
  updateSize(k, f, o);
  return 0;
}

// ---- find

/** Put a found entry into the DTA: [extended header], drive byte, the 32-byte directory entry. */
function fillDta(k: Kernel, f: FcbRef, drive: number, e: DirEntry): void {
  const out = new Uint8Array((f.extended ? 7 : 0) + 33);
  let i = 0;
  if (f.extended) {
    out[0] = 0xff;
    out[6] = f.attr;
    i = 7;
  }
  out[i] = drive + 1;
  const name = fcbName(e.name);
  for (let j = 0; j < 11; j++) out[i + 1 + j] = name.charCodeAt(j) & 0xff;
  out[i + 1 + 0x0b] = e.attr;
  const { time, date } = toDosTime(e.mtime);
  const entry = i + 1;
  out[entry + 0x16] = time & 0xff;
  out[entry + 0x17] = time >> 8;
  out[entry + 0x18] = date & 0xff;
  out[entry + 0x19] = date >> 8;
  const size = Math.min(e.size, 0xffffffff);
  out[entry + 0x1c] = size & 0xff;
  out[entry + 0x1d] = (size >>> 8) & 0xff;
  out[entry + 0x1e] = (size >>> 16) & 0xff;
  out[entry + 0x1f] = (size >>> 24) & 0xff;
  k.vdh.writeGuest(k.dta, out);
}

function findFirst(k: Kernel, f: FcbRef): number {
  const { drive, dir, pattern } = searchOf(k, f);
  const entries = k.fs.list(dir, pattern, f.attr);
  if (entries.length === 0) return 0xff;
  const s = stateOf(k);
  const id = s.nextSearch;
  s.nextSearch = s.nextSearch >= 0x7fffffff ? 1 : s.nextSearch + 1;
  s.searches.set(id, { entries, next: 1, drive });
  while (s.searches.size > MAX_SEARCHES) s.searches.delete(s.searches.keys().next().value as number);
  writeDword(k, f.at + F_SEARCH, id);
  k.vdh.writeByte(f.at + 0x15, drive + 1);
  fillDta(k, f, drive, entries[0]);
  return 0;
}

function findNext(k: Kernel, f: FcbRef): number {
  const id = readDword(k, f.at + F_SEARCH);
  const s = stateOf(k).searches;
  const search = s.get(id);
  if (!search || search.next >= search.entries.length) {
    s.delete(id);
    return 0xff;
  }
  fillDta(k, f, search.drive, search.entries[search.next++]);
  return 0;
}

// ---- delete, rename, create

/** The files of the FCB's pattern that delete and rename act on (no volume label, no '.' or '..'). */
function matches(k: Kernel, f: FcbRef): { dir: Resolved; entries: DirEntry[] } {
  const { dir, pattern } = searchOf(k, f);
  const entries = k.fs
    .list(dir, pattern, f.attr & ~Attr.volume)
    .filter((e) => !(e.attr & Attr.volume) && e.name !== '.' && e.name !== '..');
  return { dir, entries };
}

function deleteFiles(k: Kernel, f: FcbRef): number {
  const { dir, entries } = matches(k, f);
  let deleted = 0;
  for (const e of entries) {
    if (e.attr & Attr.directory) continue;
    try {
      const r = k.fs.resolve(inDir(dir, e.name));
      forgetHost(k, r.host);
      k.fs.unlink(r);
      deleted++;
    } catch (err) {
      if (!(err instanceof DosFail)) throw err;
    }
  }
  return deleted > 0 ? 0 : 0xff;
}

function renameFiles(k: Kernel, f: FcbRef): number {
  const { dir, entries } = matches(k, f);
  if (entries.length === 0) return 0xff;
  const template = readText(k, f.at + F_NEWNAME, 11).toUpperCase();
  for (const e of entries) {
    const old = fcbName(e.name);
    let next = '';
    for (let i = 0; i < 11; i++) next += template[i] === '?' ? old[i] : template[i];
    const from = k.fs.resolve(inDir(dir, e.name));
    const to = k.fs.resolve(inDir(dir, dottedName(next)));
    if (to.device) return 0xff;
    forgetHost(k, from.host);
    k.fs.rename(from, to); // an existing new name fails (accessDenied): FFh, as DOS stops there too
  }
  return 0;
}

function create(k: Kernel, f: FcbRef): number {
  if (f.attr & (Attr.volume | Attr.directory)) return 0xff; // drives are folders: no labels; no directories
  const drive = driveOf(k, f);
  const name11 = readText(k, f.at + F_NAME, 11).toUpperCase();
  const r = resolveFcb(k, drive, name11);
  if (r.device) return 0xff;
  const known = lookup(k, f);
  if (known) forget(k, known.id);
  forgetHost(k, r.host);
  const file = k.fs.openFile(r, 'readwrite', 'truncate');
  const o: OpenFcb = { file, drive, name: name11, writable: true };
  const attr = f.attr & (Attr.readOnly | Attr.hidden | Attr.system | Attr.archive);
  if (attr) {
    try {
      k.fs.setAttributes(r, attr);
    } catch (e) {
      file.close();
      throw e;
    }
  }
  register(k, f, o);
  initOpened(k, f, o);
  return 0;
}

function open(k: Kernel, f: FcbRef): number {
  const known = lookup(k, f);
  if (known) forget(k, known.id);
  const drive = driveOf(k, f);
  const o = openByName(k, f, drive, readText(k, f.at + F_NAME, 11).toUpperCase());
  register(k, f, o);
  initOpened(k, f, o);
  return 0;
}

function close(k: Kernel, f: FcbRef): number {
  const known = lookup(k, f);
  if (known) {
    forget(k, known.id);
    return 0;
  }
  // Not one of ours (never opened, or closed since): DOS succeeds if the file is still there.
  const r = resolveFcb(k, driveOf(k, f), readText(k, f.at + F_NAME, 11));
  const st = k.fs.stat(r);
  return st && !(st.attr & Attr.directory) ? 0 : 0xff;
}

function fileSize(k: Kernel, f: FcbRef): number {
  const r = resolveFcb(k, driveOf(k, f), readText(k, f.at + F_NAME, 11));
  const st = r.device ? undefined : k.fs.stat(r);
  if (!st || st.attr & (Attr.directory | Attr.volume)) return 0xff;
  if (st.attr & (Attr.hidden | Attr.system) & ~f.attr) return 0xff;
  const rs = recordSize(k, f);
  setRandomRecord(k, f, rs, Math.ceil(st.size / rs));
  return 0;
}

// ---- the dispatcher

/** A function's work; its AL result, or the AL to give when it fails with a DosFail. */
function run(k: Kernel, failAl: number, fn: () => number): true {
  let al: number;
  try {
    al = fn();
  } catch (e) {
    if (!(e instanceof DosFail)) throw e;
    k.lastError = e.code;
    al = failAl;
  }
  k.setAl(al);
  return true;
}

/** AH=0Fh-17h, 21h-24h, 27h, 28h. */
export function serveFcb(k: Kernel, ah: number): Served {
  switch (ah) {
    case 0x0f:
      return run(k, 0xff, () => open(k, fcbRef(k)));
    case 0x10:
      return run(k, 0xff, () => close(k, fcbRef(k)));
    case 0x11:
      return run(k, 0xff, () => findFirst(k, fcbRef(k)));
    case 0x12:
      return run(k, 0xff, () => findNext(k, fcbRef(k)));
    case 0x13:
      return run(k, 0xff, () => deleteFiles(k, fcbRef(k)));
    case 0x14:
      return run(k, 1, () => {
        const f = fcbRef(k);
        const o = fileOf(k, f);
        const rs = recordSize(k, f);
        const n = currentRecord(k, f);
        const { al, records } = readRecords(k, o, rs, n, 1);
        if (records > 0) setCurrentRecord(k, f, n + 1);
        return al;
      });
    case 0x15:
      return run(k, 1, () => {
        const f = fcbRef(k);
        const o = fileOf(k, f);
        const rs = recordSize(k, f);
        const n = currentRecord(k, f);
        const al = writeRecords(k, f, o, rs, n, 1);
        if (al === 0) setCurrentRecord(k, f, n + 1);
        return al;
      });
    case 0x16:
      return run(k, 0xff, () => create(k, fcbRef(k)));
    case 0x17:
      return run(k, 0xff, () => renameFiles(k, fcbRef(k)));
    case 0x21:
    case 0x22:
      return run(k, 1, () => {
        const f = fcbRef(k);
        const o = fileOf(k, f);
        const rs = recordSize(k, f);
        const n = randomRecord(k, f, rs);
        setCurrentRecord(k, f, n);
        return ah === 0x21 ? readRecords(k, o, rs, n, 1).al : writeRecords(k, f, o, rs, n, 1);
      });
    case 0x23:
      return run(k, 0xff, () => fileSize(k, fcbRef(k)));
    case 0x24: {
      // No status (AL is left as it is).
      const f = fcbRef(k);
      const rs = k.vdh.readWord(f.at + F_RECSIZE);
      setRandomRecord(k, f, rs, currentRecord(k, f));
      return true;
    }
    case 0x27:
      return run(k, 1, () => {
        const f = fcbRef(k);
        const o = fileOf(k, f);
        const rs = recordSize(k, f);
        const n = randomRecord(k, f, rs);
        const { al, records } = readRecords(k, o, rs, n, k.cx);
        k.setCx(records);
        setRandomRecord(k, f, rs, n + records);
        setCurrentRecord(k, f, n + records);
        return al;
      });
    case 0x28:
      return run(k, 1, () => {
        const f = fcbRef(k);
        const o = fileOf(k, f);
        const rs = recordSize(k, f);
        const n = randomRecord(k, f, rs);
        const count = k.cx;
        if (count === 0) {
          // CX=0: the file's size becomes random record * record size (truncated or extended).
          if (!o.writable) return 1;
          o.file.truncate(n * rs);
          updateSize(k, f, o);
          return 0;
        }
        const al = writeRecords(k, f, o, rs, n, count);
        if (al !== 0) {
          k.setCx(0);
          return al;
        }
        setRandomRecord(k, f, rs, n + count);
        setCurrentRecord(k, f, n + count);
        return 0;
      });
    default:
      return undefined;
  }
}
