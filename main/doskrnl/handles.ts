/**
 * Handles: the system file table (SFT, here on the host) and each process's job file table (the JFT in
 * its PSP, in guest memory, as programs expect it), and the INT 21h handle calls — create, open, close,
 * read, write, seek, delete, attributes, IOCTL, duplicate, file time, temporary and new files, commit,
 * extended open (AH=3Ch-46h, 57h, 5Ah, 5Bh, 67h, 68h, 6Ah, 6Ch).
 *
 * Writes go straight to the host file (write-through), so nothing a program wrote is lost when its VM is
 * stopped; commit (68h) and close also fsync.
 */
import type { Served } from './console.js';
import { DosError, DosFail } from './dos.js';
import type { HostFile } from './drives.js';
import type { Kernel } from './kernel.js';

type DeviceName = 'CON' | 'NUL' | 'AUX' | 'PRN' | 'CLOCK$' | 'COM' | 'LPT' | 'EMMXXXX0';

export interface SftEntry {
  refs: number;
  /** 0 read, 1 write, 2 read/write (the access bits of the open mode). */
  access: number;
  device?: DeviceName;
  file?: HostFile;
  pos: number;
  dosPath: string;
  /** The handle is not inherited by child processes (open mode bit 7). */
  noInherit: boolean;
}

/** JFT entries that mean "closed". */
const CLOSED = 0xff;

export class FileTable {
  readonly sft: (SftEntry | undefined)[] = [];

  constructor(private readonly k: Kernel) {
    // The standard devices: 0 CON (stdin, stdout, stderr), 1 AUX, 2 PRN, as DOS's first SFT entries.
    this.sft[0] = { refs: 3, access: 2, device: 'CON', pos: 0, dosPath: 'CON', noInherit: false };
    this.sft[1] = { refs: 1, access: 2, device: 'AUX', pos: 0, dosPath: 'AUX', noInherit: false };
    this.sft[2] = { refs: 1, access: 1, device: 'PRN', pos: 0, dosPath: 'PRN', noInherit: false };
  }

  /** The JFT of the current process: size and linear address. */
  private jft(): { size: number; at: number } {
    const psp = this.k.processes.current * 16;
    const v = this.k.vdh;
    return { size: v.readWord(psp + 0x32) || 20, at: v.readWord(psp + 0x36) * 16 + v.readWord(psp + 0x34) };
  }

  /** The SFT entry behind a handle of the current process. */
  entry(handle: number): { index: number; e: SftEntry } {
    const { size, at } = this.jft();
    if (handle >= size) throw new DosFail(DosError.invalidHandle);
    const index = this.k.vdh.readByte(at + handle);
    const e = this.sft[index];
    if (index === CLOSED || !e) throw new DosFail(DosError.invalidHandle);
    return { index, e };
  }

  /** Put an SFT entry into the lowest free JFT slot; tooManyOpenFiles when there is none. */
  private assign(index: number): number {
    const { size, at } = this.jft();
    for (let h = 0; h < size; h++) {
      if (this.k.vdh.readByte(at + h) === CLOSED) {
        this.k.vdh.writeByte(at + h, index);
        return h;
      }
    }
    throw new DosFail(DosError.tooManyOpenFiles);
  }

  private add(e: SftEntry): number {
    let i = 0;
    while (this.sft[i]) i++;
    if (i >= 254) throw new DosFail(DosError.tooManyOpenFiles);
    this.sft[i] = e;
    try {
      return this.assign(i);
    } catch (err) {
      this.sft[i] = undefined;
      e.file?.close();
      throw err;
    }
  }

  /** Open (or create) a path and give it a handle. */
  open(path: string, mode: number, create?: 'truncate' | 'new'): number {
    const r = this.k.fs.resolve(path);
    const access = mode & 3;
    if (access === 3) throw new DosFail(DosError.invalidAccess);
    if (r.device) {
      // The EMS driver's device exists only while its header is where INT 67h points (VEMM), as on DOS.
      if (r.device === 'EMMXXXX0' && !emsDriverPresent(this.k)) throw new DosFail(DosError.fileNotFound);
      const device = (r.device.startsWith('COM') ? 'COM' : r.device.startsWith('LPT') ? 'LPT' : r.device) as DeviceName;
      return this.add({ refs: 1, access, device, pos: 0, dosPath: r.device, noInherit: (mode & 0x80) !== 0 });
    }
    const file = this.k.fs.openFile(r, create ? 'readwrite' : access === 0 ? 'read' : access === 1 ? 'write' : 'readwrite', create);
    return this.add({ refs: 1, access: create ? 2 : access, file, pos: 0, dosPath: r.dosPath, noInherit: (mode & 0x80) !== 0 });
  }

  close(handle: number): void {
    const { size, at } = this.jft();
    const { index, e } = this.entry(handle);
    void size;
    this.k.vdh.writeByte(at + handle, CLOSED);
    this.release(index, e);
  }

  private release(index: number, e: SftEntry): void {
    if (--e.refs > 0) return;
    e.file?.commit();
    e.file?.close();
    if (index > 2) this.sft[index] = undefined;
  }

  /** Close every handle of a process that ends (its JFT at PSP). */
  closeProcessHandles(psp: number): void {
    const v = this.k.vdh;
    const size = v.readWord(psp * 16 + 0x32) || 20;
    const at = v.readWord(psp * 16 + 0x36) * 16 + v.readWord(psp * 16 + 0x34);
    for (let h = 0; h < size; h++) {
      const index = v.readByte(at + h);
      const e = this.sft[index];
      if (index !== CLOSED && e) {
        v.writeByte(at + h, CLOSED);
        this.release(index, e);
      }
    }
  }

  /** A child's JFT: the parent's handles, except those opened not-inheritable; references counted. */
  inheritedJft(parentPsp: number): Uint8Array {
    const v = this.k.vdh;
    const size = v.readWord(parentPsp * 16 + 0x32) || 20;
    const at = v.readWord(parentPsp * 16 + 0x36) * 16 + v.readWord(parentPsp * 16 + 0x34);
    const jft = new Uint8Array(20).fill(CLOSED);
    for (let h = 0; h < Math.min(20, size); h++) {
      const index = v.readByte(at + h);
      const e = this.sft[index];
      if (index === CLOSED || !e || e.noInherit) continue;
      jft[h] = index;
      e.refs++;
    }
    return jft;
  }

  /** Write bytes to a handle of the current process (the shell's own output, honouring redirection). */
  writeTo(handle: number, bytes: Uint8Array): void {
    const { e } = this.entry(handle);
    if (e.access === 0) throw new DosFail(DosError.accessDenied);
    if (e.device === 'CON') this.k.console.write(bytes);
    else if (e.file) {
      e.file.write(e.pos, bytes);
      e.pos += bytes.length;
    }
  }

  /** Is a handle of the current process the console (not redirected)? */
  isConsole(handle: number): boolean {
    try {
      return this.entry(handle).e.device === 'CON';
    } catch {
      return false;
    }
  }

  duplicate(handle: number): number {
    const { index, e } = this.entry(handle);
    const h = this.assign(index);
    e.refs++;
    return h;
  }

  forceDuplicate(handle: number, target: number): void {
    const { index, e } = this.entry(handle);
    const { size, at } = this.jft();
    if (target >= size) throw new DosFail(DosError.invalidHandle);
    const old = this.k.vdh.readByte(at + target);
    if (old === index) return;
    if (old !== CLOSED && this.sft[old]) this.release(old, this.sft[old]!);
    this.k.vdh.writeByte(at + target, index);
    e.refs++;
  }

  closeAll(): void {
    for (const e of this.sft) {
      e?.file?.commit();
      e?.file?.close();
    }
  }
}

/** Whether INT 67h's segment holds the "EMMXXXX0" device name at offset 0Ah (an EMS driver is there). */
function emsDriverPresent(k: Kernel): boolean {
  const segment = k.vdh.readWord(0x67 * 4 + 2);
  return String.fromCharCode(...k.vdh.readGuest(segment * 16 + 0x0a, 8)) === 'EMMXXXX0';
}

/** IOCTL device information word (AX=4400h) for an entry. */
function deviceInfo(e: SftEntry, drive: number): number {
  if (!e.device) return drive & 0x3f; // a file: drive number, not written yet (bit 6 clear means written)
  switch (e.device) {
    case 'CON':
      return 0x80d3; // character device, stdin + stdout, special (INT 29h), cooked
    case 'NUL':
      return 0x8084;
    case 'CLOCK$':
      return 0x8088;
    default:
      return 0x80c0;
  }
}

/** AH=3Ch-46h, 57h, 5Ah, 5Bh, 67h, 68h, 6Ah, 6Ch. */
export function serveHandles(k: Kernel, ah: number): Served {
  const t = k.files;
  switch (ah) {
    case 0x3c: {
      const h = t.open(k.asciiz(k.ds(k.dx)), 2, 'truncate');
      k.fs.setAttributes(k.fs.resolve(k.asciiz(k.ds(k.dx))), k.cx & 0x27);
      k.setAx(h);
      k.ok();
      return true;
    }
    case 0x3d:
      k.setAx(t.open(k.asciiz(k.ds(k.dx)), k.al));
      k.ok();
      return true;
    case 0x3e:
      t.close(k.bx);
      k.ok();
      return true;
    case 0x3f: {
      const { e } = t.entry(k.bx);
      if (e.access === 1) throw new DosFail(DosError.accessDenied);
      let data: number[] | Uint8Array;
      if (e.device === 'CON') {
        const got = k.console.readCon(k.cx);
        if (got === 'wait') return 'wait';
        data = got;
      } else if (e.device) data = [];
      else {
        data = e.file!.read(e.pos, k.cx);
        e.pos += data.length;
      }
      k.vdh.writeGuest(k.ds(k.dx), Uint8Array.from(data));
      k.setAx(data.length);
      k.ok();
      return true;
    }
    case 0x40: {
      const { e } = t.entry(k.bx);
      if (e.access === 0) throw new DosFail(DosError.accessDenied);
      const bytes = k.vdh.readGuest(k.ds(k.dx), k.cx);
      if (e.device === 'CON') k.console.write(bytes);
      else if (!e.device) {
        const f = e.file!;
        if (bytes.length === 0) f.truncate(e.pos); // a zero-byte write sets the file's size
        else f.write(e.pos, bytes);
        e.pos += bytes.length;
      }
      k.setAx(bytes.length);
      k.ok();
      return true;
    }
    case 0x41: {
      const r = k.fs.resolve(k.asciiz(k.ds(k.dx)));
      if (r.device) throw new DosFail(DosError.accessDenied);
      k.fs.unlink(r);
      k.ok();
      return true;
    }
    case 0x42: {
      const { e } = t.entry(k.bx);
      const offset = ((k.cx << 16) | k.dx) | 0; // signed for methods 1 and 2
      const base = k.al === 0 ? 0 : k.al === 1 ? e.pos : k.al === 2 ? (e.file?.size() ?? 0) : NaN;
      if (Number.isNaN(base)) throw new DosFail(DosError.invalidFunction);
      const pos = k.al === 0 ? (offset >>> 0) : base + offset;
      if (pos < 0) throw new DosFail(DosError.invalidFunction);
      e.pos = e.device ? 0 : pos;
      k.setAx(e.pos & 0xffff);
      k.setDx(e.pos >>> 16);
      k.ok();
      return true;
    }
    case 0x43: {
      const r = k.fs.resolve(k.asciiz(k.ds(k.dx)));
      if (k.al === 0) {
        const st = k.fs.stat(r);
        if (!st) throw new DosFail(DosError.fileNotFound);
        k.setCx(st.attr);
        k.setAx(st.attr);
      } else if (k.al === 1) {
        if (k.cx & 0x18) throw new DosFail(DosError.accessDenied); // cannot make a volume label or directory
        k.fs.setAttributes(r, k.cx);
      } else throw new DosFail(DosError.invalidFunction);
      k.ok();
      return true;
    }
    case 0x44:
      return ioctl(k);
    case 0x45:
      k.setAx(t.duplicate(k.bx));
      k.ok();
      return true;
    case 0x46:
      t.forceDuplicate(k.bx, k.cx);
      k.ok();
      return true;
    case 0x57: {
      const { e } = t.entry(k.bx);
      if (!e.file) {
        k.setCx(0);
        k.setDx(0);
        k.ok();
        return true;
      }
      if (k.al === 0) {
        const { time, date } = toDosTime(e.file.mtime());
        k.setCx(time);
        k.setDx(date);
      } else if (k.al === 1) e.file.setMtime(fromDosTime(k.cx, k.dx));
      else throw new DosFail(DosError.invalidFunction);
      k.ok();
      return true;
    }
    case 0x5a: {
      // Temporary file: DS:DX is a directory path ending in '\', followed by 13 bytes for the name.
      const dir = k.asciiz(k.ds(k.dx));
      for (let n = 0; n < 1000; n++) {
        const name = ((Date.now() + n * 7919) & 0xffffff).toString(16).toUpperCase().padStart(8, '0').slice(0, 8);
        const path = dir + (dir === '' || dir.endsWith('\\') || dir.endsWith(':') ? '' : '\\') + name;
        try {
          const h = t.open(path, 2, 'new');
          k.writeAsciiz(k.ds(k.dx), path);
          k.setAx(h);
          k.ok();
          return true;
        } catch (e) {
          if (!(e instanceof DosFail) || e.code !== DosError.fileExists) throw e;
        }
      }
      throw new DosFail(DosError.cannotMake);
    }
    case 0x5b:
      k.setAx(t.open(k.asciiz(k.ds(k.dx)), 2, 'new'));
      k.ok();
      return true;
    case 0x5c: // record locks: one process per file system here, so every lock succeeds
      t.entry(k.bx);
      k.ok();
      return true;
    case 0x67: // set handle count: the JFT stays at 20 (relocation of the JFT is not supported yet)
      if (k.bx > 20) throw new DosFail(DosError.notEnoughMemory);
      k.ok();
      return true;
    case 0x68:
    case 0x6a:
      t.entry(k.bx).e.file?.commit();
      k.ok();
      return true;
    case 0x6c: {
      // Extended open/create: BX mode, CX attributes, DX action (bit 0 open, bit 1 replace, bit 4 create), DS:SI name.
      const path = k.asciiz(k.ds(k.si));
      const action = k.dx;
      const exists = (() => {
        const r = k.fs.resolve(path);
        return r.device !== undefined || k.fs.stat(r) !== undefined;
      })();
      let h: number;
      let result: number;
      if (exists) {
        if ((action & 0x0f) === 0) throw new DosFail(DosError.fileExists);
        if ((action & 0x0f) === 2) {
          h = t.open(path, k.bx & 0xff, 'truncate');
          result = 3;
        } else {
          h = t.open(path, k.bx & 0xff);
          result = 1;
        }
      } else {
        if ((action & 0xf0) === 0) throw new DosFail(DosError.fileNotFound);
        h = t.open(path, k.bx & 0xff, 'new');
        result = 2;
      }
      k.setAx(h);
      k.setCx(result);
      k.ok();
      return true;
    }
    default:
      return undefined;
  }
}

/** AH=44h IOCTL: the subfunctions programs use to tell devices from files and check status. */
function ioctl(k: Kernel): Served {
  switch (k.al) {
    case 0x00: {
      const { e } = k.files.entry(k.bx);
      const drive = e.file ? e.dosPath.charCodeAt(0) - 65 : 0;
      const info = deviceInfo(e, drive);
      k.setDx(info);
      k.setAx(info);
      k.ok();
      return true;
    }
    case 0x01: // set device information: accepted for devices (raw/cooked), refused for files
      if (!k.files.entry(k.bx).e.device) throw new DosFail(DosError.invalidFunction);
      k.ok();
      return true;
    case 0x06: {
      const { e } = k.files.entry(k.bx);
      let ready = true;
      if (e.device === 'CON') ready = k.console.serve(0x0b) !== undefined && (k.r.eax & 0xff) === 0xff;
      else if (e.file) ready = e.pos < e.file.size();
      k.setAl(ready ? 0xff : 0x00);
      k.ok();
      return true;
    }
    case 0x07:
      k.files.entry(k.bx);
      k.setAl(0xff);
      k.ok();
      return true;
    case 0x08: {
      const drive = k.bx & 0xff ? (k.bx & 0xff) - 1 : k.fs.currentDrive;
      if (!k.fs.hasDrive(drive)) throw new DosFail(DosError.invalidDrive);
      k.setAx(1); // fixed
      k.ok();
      return true;
    }
    case 0x09: {
      const drive = k.bx & 0xff ? (k.bx & 0xff) - 1 : k.fs.currentDrive;
      if (!k.fs.hasDrive(drive)) throw new DosFail(DosError.invalidDrive);
      k.setDx(0x1000); // remote (a host folder), as DOS reports a redirected drive
      k.ok();
      return true;
    }
    case 0x0e:
      k.setAl(0); // one logical drive per physical
      k.ok();
      return true;
    case 0x0f:
      k.ok();
      return true;
    default:
      return k.unsupported(`INT 21h AX=44${k.al.toString(16).padStart(2, '0')}h`), true;
  }
}

export function toDosTime(d: Date): { time: number; date: number } {
  const year = Math.min(2107, Math.max(1980, d.getFullYear()));
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

export function fromDosTime(time: number, date: number): Date {
  return new Date(1980 + (date >> 9), ((date >> 5) & 0x0f) - 1, date & 0x1f, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2);
}
