/**
 * Drives and directories: select/current drive, DTA, free space, make/remove/change/get directory,
 * find first/next, rename, truename, parse a file name into an FCB (AH=0Dh, 0Eh, 19h, 1Ah, 1Bh, 1Ch, 29h,
 * 2Fh, 36h, 39h-3Bh, 47h, 4Eh, 4Fh, 56h, 60h). Paths go through DosFileSystem (drives.ts), which keeps
 * every one inside its drive's host folder.
 */
import type { Served } from './console.js';
import { DosError, DosFail } from './dos.js';
import type { DirEntry } from './drives.js';
import { toDosTime } from './handles.js';
import type { Kernel } from './kernel.js';

/** A find in progress: its matches and the next one; the DTA's reserved bytes hold its id. */
interface Search {
  entries: DirEntry[];
  next: number;
}

const searches = new WeakMap<Kernel, Map<number, Search>>();
let nextSearchId = 1;

function searchesOf(k: Kernel): Map<number, Search> {
  let m = searches.get(k);
  if (!m) searches.set(k, (m = new Map()));
  return m;
}

/** Fill the DTA with a found entry (DOS 4Eh layout: attr 15h, time 16h, date 18h, size 1Ah, name 1Eh). */
function fillDta(k: Kernel, id: number, e: DirEntry): void {
  const v = k.vdh;
  const at = k.dta;
  v.writeByte(at, 0x80 | (k.fs.currentDrive + 1));
  v.writeWord(at + 0x0d, id & 0xffff);
  v.writeWord(at + 0x0f, id >>> 16);
  v.writeByte(at + 0x15, e.attr);
  const { time, date } = toDosTime(e.mtime);
  v.writeWord(at + 0x16, time);
  v.writeWord(at + 0x18, date);
  v.writeWord(at + 0x1a, e.size & 0xffff);
  v.writeWord(at + 0x1c, Math.floor(e.size / 0x10000) & 0xffff);
  const name = new Uint8Array(13);
  for (let i = 0; i < Math.min(12, e.name.length); i++) name[i] = e.name.charCodeAt(i);
  v.writeGuest(at + 0x1e, name);
}

export function serveDirectory(k: Kernel, ah: number): Served {
  const fs = k.fs;
  switch (ah) {
    case 0x0d: // disk reset: every write is already on the host
      return true;
    case 0x0e: {
      const d = k.dx & 0xff;
      if (fs.hasDrive(d)) fs.currentDrive = d;
      k.setAl(fs.lastDrive + 1);
      return true;
    }
    case 0x19:
      k.setAl(fs.currentDrive);
      return true;
    case 0x1a:
      k.setDta(k.r.ds, k.dx);
      return true;
    case 0x2f: {
      k.set({ es: k.dtaSegment, ebx: (k.r.ebx & ~0xffff) | k.dtaOffset });
      return true;
    }
    case 0x1b:
    case 0x1c:
    case 0x36: {
      const drive = ah === 0x1b ? fs.currentDrive : (k.dx & 0xff) === 0 ? fs.currentDrive : (k.dx & 0xff) - 1;
      if (!fs.hasDrive(drive)) {
        k.setAx(0xffff);
        return true;
      }
      const s = fs.freeSpace(drive);
      if (ah === 0x36) {
        k.setAx(s.sectorsPerCluster);
        k.setBx(s.freeClusters);
        k.setCx(s.bytesPerSector);
        k.setDx(s.clusters);
      } else {
        // AL sectors per cluster, CX bytes per sector, DX clusters, DS:BX -> media ID byte (F8h, in the LoL's spare byte)
        k.setAl(s.sectorsPerCluster);
        k.setCx(s.bytesPerSector);
        k.setDx(s.clusters);
      }
      return true;
    }
    case 0x39:
      fs.mkdir(fs.resolve(k.asciiz(k.ds(k.dx))));
      k.ok();
      return true;
    case 0x3a: {
      const r = fs.resolve(k.asciiz(k.ds(k.dx)));
      if (r.dosPath === fs.truename(`${String.fromCharCode(65 + r.drive)}:.`)) throw new DosFail(DosError.currentDirectory);
      fs.rmdir(r);
      k.ok();
      return true;
    }
    case 0x3b:
      fs.chdir(k.asciiz(k.ds(k.dx)));
      k.ok();
      return true;
    case 0x47: {
      const drive = (k.dx & 0xff) === 0 ? fs.currentDrive : (k.dx & 0xff) - 1;
      if (!fs.hasDrive(drive)) throw new DosFail(DosError.invalidDrive);
      k.writeAsciiz(k.ds(k.si), fs.cwd(drive).replace(/^\\/, ''));
      k.setAx(0x0100);
      k.ok();
      return true;
    }
    case 0x4e: {
      const path = k.asciiz(k.ds(k.dx));
      const cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'), path.lastIndexOf(':'));
      const dir = cut >= 0 ? path.slice(0, cut + 1) : '';
      const pattern = (cut >= 0 ? path.slice(cut + 1) : path) || '*.*';
      const dirResolved = fs.resolve(directoryPart(dir));
      const entries = fs.list(dirResolved, pattern, k.cx & 0xff);
      if (entries.length === 0) throw new DosFail(DosError.noMoreFiles);
      const id = nextSearchId++;
      const all = searchesOf(k);
      all.set(id, { entries, next: 1 });
      if (all.size > 256) all.delete(all.keys().next().value as number); // programs abandon searches; keep the newest
      fillDta(k, id, entries[0]);
      k.ok();
      return true;
    }
    case 0x4f: {
      const v = k.vdh;
      const id = v.readWord(k.dta + 0x0d) | (v.readWord(k.dta + 0x0f) << 16);
      const s = searchesOf(k).get(id);
      if (!s || s.next >= s.entries.length) {
        searchesOf(k).delete(id);
        throw new DosFail(DosError.noMoreFiles);
      }
      fillDta(k, id, s.entries[s.next++]);
      k.ok();
      return true;
    }
    case 0x56: {
      const from = fs.resolve(k.asciiz(k.ds(k.dx)));
      const to = fs.resolve(k.asciiz(k.es(k.di)));
      fs.rename(from, to);
      k.ok();
      return true;
    }
    case 0x60:
      k.writeAsciiz(k.es(k.di), fs.truename(k.asciiz(k.ds(k.si))));
      k.ok();
      return true;
    case 0x29:
      parseFileName(k);
      return true;
    default:
      return undefined;
  }
}

/** The directory of a search path as a path of its own: '' is '.', 'C:' is 'C:.', 'C:\\X\\' is 'C:\\X'. */
function directoryPart(dir: string): string {
  if (dir === '') return '.';
  if (dir.endsWith(':')) return dir + '.';
  if (/^([A-Za-z]:)?[\\/]$/.test(dir)) return dir;
  return dir.replace(/[\\/]$/, '');
}

/** AH=29h: parse the file name at DS:SI into the unopened FCB at ES:DI (AL: parse control bits). */
function parseFileName(k: Kernel): void {
  const v = k.vdh;
  const control = k.al;
  let at = k.ds(k.si);
  const fcb = k.es(k.di);
  const byte = (): number => v.readByte(at);
  const separators = ':.;,=+ \t/"[]<>|';
  if (control & 1) {
    while (byte() === 0x20 || byte() === 0x09) at++;
    if (separators.includes(String.fromCharCode(byte())) && byte() !== 0x2e && byte() !== 0x3a) at++;
  }
  while (byte() === 0x20 || byte() === 0x09) at++;
  let result = 0;
  // drive
  const second = v.readByte(at + 1);
  const letter = byte() | 0x20;
  if (second === 0x3a && letter >= 0x61 && letter <= 0x7a) {
    const d = letter - 0x61;
    v.writeByte(fcb, d + 1);
    if (!k.fs.hasDrive(d)) result = 0xff;
    at += 2;
  } else if (!(control & 2)) v.writeByte(fcb, 0);
  const field = (offset: number, length: number, keep: boolean): void => {
    const out: number[] = [];
    let wild = false;
    for (;;) {
      const c = byte();
      if (c <= 0x20 || separators.includes(String.fromCharCode(c)) || c === 0x2e) break;
      at++;
      if (out.length >= length) continue;
      if (c === 0x2a) {
        wild = true;
        while (out.length < length) out.push(0x3f);
      } else {
        if (c === 0x3f) wild = true;
        out.push(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
      }
    }
    if (out.length === 0 && keep) return;
    while (out.length < length) out.push(0x20);
    v.writeGuest(fcb + offset, Uint8Array.from(out));
    if (wild && result !== 0xff) result = 1;
  };
  field(1, 8, (control & 4) !== 0);
  if (byte() === 0x2e) {
    at++;
    field(9, 3, (control & 8) !== 0);
  } else if (!(control & 8)) v.writeGuest(fcb + 9, Uint8Array.of(0x20, 0x20, 0x20));
  k.setAl(result);
  const seg = k.r.ds;
  k.set({ esi: (k.r.esi & ~0xffff) | ((at - seg * 16) & 0xffff) });
}
