/**
 * VDSK: the BIOS disk services (INT 13h) on raw floppy and hard-disk image files.
 *
 * Drives 00h/01h are diskettes (DOS settings DISK_A, DISK_B), 80h/81h hard disks (DISK_C, DISK_D). Each
 * setting is the path of a raw image (sector 0 first, 512-byte sectors, no header), chosen in the VM's
 * configuration by the user — never by the guest. The ROM's INT 13h stub is `sti ; SVC 93h ; retf 2`, so
 * the registers and flags this service leaves are what the caller sees. Data moves between the image file
 * (vdh.openFile) and guest memory (readGuest/writeGuest) with no controller or DMA emulated underneath;
 * what a real BIOS + FDC + DMA would refuse (a floppy buffer crossing a 64 KiB page) is still refused, so
 * programs that work around it behave the same.
 *
 * The host reaches VDSK through the named request 'VDSK': command 1 the drive counts (VBIOS sets the
 * equipment word from them), 2 reads sectors (boot checks, disk previews), 3 changes the floppy in a drive,
 * 4 describes a diskette drive and its disk and 5 writes sectors to it — the floppy controller VFDC reads
 * and writes the same images through 2, 4 and 5 under a foreign BIOS (docs/firmware.md).
 */
import type { Vdh, VddModule, VdhFile } from '../../main/vmm/vdh.js';

/** The named requests. */
export const Command = {
  /** -> { floppies, hardDisks } */
  Counts: 1,
  /** { drive, lba, count } -> Uint8Array of those sectors. */
  ReadSectors: 2,
  /** { drive, path } -> change the floppy in drive 0 or 1 ('' ejects); sets the change line. */
  ChangeFloppy: 3,
  /** { drive } -> FloppyMedia: a diskette drive and the disk in it, for the floppy controller (VFDC). */
  FloppyMedia: 4,
  /** { drive, lba, data } -> write whole sectors to a diskette (the floppy controller's writes). */
  WriteSectors: 5,
} as const;

/** What request 4 answers: the drive unit (undefined when the machine has no such drive) and its disk. */
export interface FloppyMedia {
  /** The drive's type as INT 13h AH=08h reports it (1 360K, 2 1.2M, 3 720K, 4 1.44M, 6 2.88M). */
  driveType: number;
  /** A disk is in the drive. */
  present: boolean;
  /** The disk's geometry and sectors (0 when empty). */
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
  sectors: number;
  writable: boolean;
  /** The data rate the disk is recorded at: 0 500 kbps, 1 300, 2 250, 3 1 Mbps (the FDC's rate select). */
  dataRate: number;
  /** Counts media changes (request 3): a controller that saw a different count raises its change line. */
  changes: number;
}

/** INT 13h status codes (AH on return; kept in the BDA as the "last status"). */
export const Status = {
  ok: 0x00,
  badCommand: 0x01,
  writeProtected: 0x03,
  sectorNotFound: 0x04,
  changeLine: 0x06,
  dmaBoundary: 0x09,
  mediaTypeNotFound: 0x0c,
  timeout: 0x80,
  hdNotReady: 0xaa,
} as const;

export const SECTOR = 512;

/** The diskette parameter table in the ROM (F000:EFC7, firmware/bios/rom.ts RomOffset.disketteTable). */
export const DISKETTE_TABLE_SEGMENT = 0xf000;
export const DISKETTE_TABLE_OFFSET = 0xefc7;

export interface Geometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

/** A diskette format: its geometry, the BIOS drive type (INT 13h AH=08h BL) and the BDA media state byte. */
export interface FloppyFormat extends Geometry {
  /** 1 = 360K, 2 = 1.2M, 3 = 720K, 4 = 1.44M, 6 = 2.88M. */
  type: number;
  /**
   * The BDA media state (40:90h/91h) of this format, established, in a drive of its own type. Bits 7-6
   * data rate (00 500 kbps, 01 300, 10 250, 11 1 Mbps), bit 4 media established, bits 2-0 the media/drive
   * pair: 011 360K in a 360K drive, 101 1.2M in a 1.2M drive, 111 anything else (720K, 1.44M, 2.88M).
   * So 360K (and 160K-320K) = 93h, 1.2M = 15h, 720K = 97h, 1.44M = 17h, 2.88M = D7h.
   */
  mediaState: number;
}

function format(cylinders: number, heads: number, sectorsPerTrack: number, type: number, mediaState: number): FloppyFormat {
  return { cylinders, heads, sectorsPerTrack, type, mediaState };
}

/** The standard diskette formats by image size. */
export const FLOPPY_FORMATS: ReadonlyMap<number, FloppyFormat> = new Map([
  [160 * 1024, format(40, 1, 8, 1, 0x93)],
  [180 * 1024, format(40, 1, 9, 1, 0x93)],
  [320 * 1024, format(40, 2, 8, 1, 0x93)],
  [360 * 1024, format(40, 2, 9, 1, 0x93)],
  [720 * 1024, format(80, 2, 9, 3, 0x97)],
  [1200 * 1024, format(80, 2, 15, 2, 0x15)],
  [1440 * 1024, format(80, 2, 18, 4, 0x17)],
  [2880 * 1024, format(80, 2, 36, 6, 0xd7)],
]);

/**
 * The geometry of a diskette image from its size: a standard size, or else a guess. The guess accepts an
 * image whose sector count is a whole number of 2-sided tracks of a known track length (36, 21 (DMF), 18,
 * 15, 9 or 8 sectors, tried in that order) on a cylinder count real drives have: 80-84 for every length,
 * 40-44 only for the 8/9-sector double-density ones (high-density media are 80-track only, which also
 * keeps the guess unambiguous). That covers the extended formats tools like fdformat write (82 or 83
 * tracks, 21-sector DMF 1.68M) and disks imaged with their few extra tracks. The drive type is the one
 * whose data rate reads that track length. Anything else (a truncated image, a stray file) is refused
 * rather than misread. Returns undefined when no rule fits.
 */
export function floppyFormat(size: number): FloppyFormat | undefined {
  const standard = FLOPPY_FORMATS.get(size);
  if (standard) return standard;
  if (size <= 0 || size % SECTOR !== 0) return undefined;
  const sectors = size / SECTOR;
  for (const spt of [36, 21, 18, 15, 9, 8]) {
    if (sectors % (2 * spt) !== 0) continue;
    const cylinders = sectors / (2 * spt);
    const fits = (cylinders >= 80 && cylinders <= 84) || (spt <= 9 && cylinders >= 40 && cylinders <= 44);
    if (!fits) continue;
    if (spt === 36) return format(cylinders, 2, spt, 6, 0xd7);
    if (spt >= 18) return format(cylinders, 2, spt, 4, 0x17);
    if (spt === 15) return format(cylinders, 2, spt, 2, 0x15);
    return cylinders > 44 ? format(cylinders, 2, spt, 3, 0x97) : format(cylinders, 2, spt, 1, 0x93);
  }
  return undefined;
}

/** The most cylinders CHS services can address (10 bits). */
export const CHS_MAX_CYLINDERS = 1024;

/**
 * A hard-disk image's geometry. With a partition table in sector 0 (55AAh at 510, and at least one entry
 * with a type and a valid boot flag), heads and sectors per track come from the entries' CHS end fields,
 * as partitioning tools write them for the disk's geometry: heads = the largest end head + 1, sectors =
 * the largest end sector. Otherwise 16 heads x 63 sectors. Cylinders = whole cylinders in the image,
 * capped at 1024 for CHS; the LBA services see the whole image.
 */
export function hardDiskGeometry(sector0: Uint8Array, totalSectors: number): Geometry {
  let heads = 16;
  let spt = 63;
  if (sector0.length >= SECTOR && sector0[510] === 0x55 && sector0[511] === 0xaa) {
    let maxHead = -1;
    let maxSector = 0;
    for (let i = 0; i < 4; i++) {
      const e = 0x1be + i * 16;
      const status = sector0[e];
      const type = sector0[e + 4];
      if (type === 0 || (status !== 0 && status !== 0x80)) continue;
      maxHead = Math.max(maxHead, sector0[e + 5]);
      maxSector = Math.max(maxSector, sector0[e + 6] & 0x3f);
    }
    if (maxHead >= 0 && maxSector > 0) {
      heads = maxHead + 1;
      spt = maxSector;
    }
  }
  const cylinders = Math.min(CHS_MAX_CYLINDERS, Math.floor(totalSectors / (heads * spt)));
  return { cylinders, heads, sectorsPerTrack: spt };
}

/** A drive unit: its image (if any), the image's geometry and the BIOS state kept for it. */
interface Drive {
  /** 00h, 01h, 80h, 81h. */
  readonly number: number;
  readonly floppy: boolean;
  file: VdhFile | undefined;
  geometry: Geometry;
  /** Floppies: the drive's type (kept when the disk is ejected, as the drive itself stays). */
  format: FloppyFormat | undefined;
  /** Sectors in the image. */
  sectors: number;
  /** Floppies: the change line (set by a media change, reported once by AH=16h). */
  changed: boolean;
  /** Floppies: how many times the disk was changed (request 3), for the floppy controller's change line. */
  changes: number;
}

const BDA = 0x400;
const DISKETTE_STATUS = BDA + 0x41;
const HD_STATUS = BDA + 0x74;
const HD_COUNT = BDA + 0x75;
const MEDIA_STATE = BDA + 0x90;

const CF = 0x0001;

/** What a service leaves in the caller's registers. */
interface Result {
  /** AH on return (also the drive's new last status unless `keepStatus`). */
  status: number;
  /** AL on return; undefined leaves AL as it was. */
  al?: number;
  /** Other registers to set (BX, CX, DX, ES, DI...). */
  regs?: Partial<{ ebx: number; ecx: number; edx: number; es: number; edi: number }>;
  /** Leave CF clear even though AH is not 0 (AH=15h returns the drive type in AH, AH=41h the version). */
  noError?: boolean;
}

/** The disks of one VM. */
export class Vdsk {
  readonly floppies: Drive[];
  readonly hardDisks: Drive[] = [];
  /** Floppy drive units (A:, B:) the machine has; VBIOS's equipment word. */
  floppyCount = 0;
  readonly readOnly: boolean;

  constructor(
    private readonly vdh: Vdh,
    paths: { a: string; b: string; c: string; d: string; readOnly: boolean },
  ) {
    this.readOnly = paths.readOnly;
    this.floppies = [this.emptyFloppy(0), this.emptyFloppy(1)];
    try {
      [paths.a, paths.b].forEach((path, i) => {
        if (path === '') return;
        this.insert(this.floppies[i], path);
        this.floppyCount = i + 1;
      });
      for (const [i, path] of [paths.c, paths.d].entries()) {
        if (path === '') continue;
        if (i > this.hardDisks.length) throw new Error(`disk ${driveLetter(0x80 + i)}: ${path} needs a C: disk too`);
        this.hardDisks.push(this.openHardDisk(0x80 + i, path));
      }
    } catch (e) {
      // The VM will not start: let go of the images already opened.
      for (const d of [...this.floppies, ...this.hardDisks]) d.file?.close();
      throw e;
    }
  }

  install(): void {
    const v = this.vdh;
    v.installBiosService(0x13, () => this.int13());
    v.onUserHook('post', () => this.post());
    v.onUserHook('terminate', () => {
      for (const d of [...this.floppies, ...this.hardDisks]) if (d.file?.writable) d.file.flush();
    });
    v.registerName('VDSK', (command, input) => this.request(command, input));
  }

  // ---- images

  private emptyFloppy(n: number): Drive {
    const f = FLOPPY_FORMATS.get(1440 * 1024)!;
    return { number: n, floppy: true, file: undefined, geometry: f, format: f, sectors: 0, changed: false, changes: 0 };
  }

  /** Open an image for writing unless the VM is read-only; a file the host will not let us write is opened read-only. */
  private open(drive: number, path: string): VdhFile {
    const what = `disk ${driveLetter(drive)}: cannot open image ${path}`;
    if (this.readOnly) {
      try {
        return this.vdh.openFile(path);
      } catch (e) {
        throw new Error(`${what}: ${(e as Error).message}`);
      }
    }
    try {
      return this.vdh.openFile(path, { write: true });
    } catch (writeError) {
      try {
        const file = this.vdh.openFile(path);
        this.vdh.log(`VDSK: ${path} opened read-only (${(writeError as Error).message})`);
        return file;
      } catch {
        throw new Error(`${what}: ${(writeError as Error).message}`);
      }
    }
  }

  /** Put the image at `path` into a floppy drive (or eject with ''), checking its size first. */
  private insert(drive: Drive, path: string): void {
    let file: VdhFile | undefined;
    let fmt: FloppyFormat | undefined;
    if (path !== '') {
      file = this.open(drive.number, path);
      fmt = floppyFormat(file.size);
      if (!fmt) {
        file.close();
        throw new Error(
          `disk ${driveLetter(drive.number)}: ${path} is ${file.size} bytes, which is no diskette size ` +
            '(160K, 180K, 320K, 360K, 720K, 1.2M, 1.44M or 2.88M)',
        );
      }
    }
    drive.file?.close();
    drive.file = file;
    if (fmt) {
      drive.format = fmt;
      drive.geometry = fmt;
    }
    drive.sectors = file ? file.size / SECTOR : 0;
  }

  private openHardDisk(n: number, path: string): Drive {
    const file = this.open(n, path);
    if (file.size < SECTOR || file.size % SECTOR !== 0) {
      file.close();
      throw new Error(`disk ${driveLetter(n)}: ${path} is ${file.size} bytes; a hard-disk image is a whole number of 512-byte sectors`);
    }
    const sectors = file.size / SECTOR;
    const geometry = hardDiskGeometry(file.read(0, SECTOR), sectors);
    return { number: n, floppy: false, file, geometry, format: undefined, sectors, changed: false, changes: 0 };
  }

  // ---- POST: the BIOS data area

  private post(): void {
    const v = this.vdh;
    for (let a = 0x3e; a <= 0x41; a++) v.writeByte(BDA + a, 0); // recalibrate, motor, motor count, status
    for (let a = 0x8b; a <= 0x95; a++) v.writeByte(BDA + a, 0); // data rate, hd controller, media state, cylinders
    v.writeByte(HD_STATUS, 0);
    v.writeByte(HD_COUNT, this.hardDisks.length);
    v.writeByte(BDA + 0x76, 0);
    v.writeByte(BDA + 0x77, 0);
    for (const d of this.floppies) this.writeMediaState(d);
  }

  /**
   * 40:90h/91h: the media in drive 0/1 as an AT BIOS records it once established (see FloppyFormat's
   * mediaState), 0 for no drive or no disk. 40:92h-95h (state at the start of an operation, the current
   * cylinders) stay 0: nothing here steps a head.
   */
  private writeMediaState(d: Drive): void {
    const present = d.number < this.floppyCount && d.file && d.format;
    this.vdh.writeByte(MEDIA_STATE + d.number, present ? d.format!.mediaState : 0);
  }

  // ---- named requests

  request(command: number, input: unknown): unknown {
    switch (command) {
      case Command.Counts:
        return { floppies: this.floppyCount, hardDisks: this.hardDisks.length };
      case Command.ReadSectors: {
        const { drive, lba, count } = (input ?? {}) as { drive?: number; lba?: number; count?: number };
        const d = typeof drive === 'number' ? this.drive(drive) : undefined;
        if (!d || !d.file) throw new Error(`VDSK: no disk in drive ${String(drive)}`);
        if (!isCount(lba) || !isCount(count) || lba + count > d.sectors) {
          throw new Error(`VDSK: sectors ${String(lba)}+${String(count)} are outside drive ${hex2(d.number)} (${d.sectors} sectors)`);
        }
        return this.readSectors(d, lba, count);
      }
      case Command.ChangeFloppy: {
        const { drive, path } = (input ?? {}) as { drive?: number; path?: string };
        if (drive !== 0 && drive !== 1) throw new Error(`VDSK: ${String(drive)} is no floppy drive (0 or 1)`);
        if (typeof path !== 'string') throw new Error('VDSK: the image path must be text');
        const d = this.floppies[drive];
        this.insert(d, path);
        d.changed = true;
        d.changes++;
        // A disk put into B: of a one-drive machine adds the drive (the equipment word follows at the next POST).
        if (path !== '') this.floppyCount = Math.max(this.floppyCount, drive + 1);
        this.writeMediaState(d);
        return true;
      }
      case Command.FloppyMedia: {
        const { drive } = (input ?? {}) as { drive?: number };
        const d = drive === 0 || drive === 1 ? this.drive(drive) : undefined;
        if (!d) return undefined;
        const f = d.format!;
        const present = d.file !== undefined;
        return {
          driveType: f.type,
          present,
          cylinders: present ? d.geometry.cylinders : 0,
          heads: present ? d.geometry.heads : 0,
          sectorsPerTrack: present ? d.geometry.sectorsPerTrack : 0,
          sectors: d.sectors,
          writable: present && d.file!.writable,
          dataRate: f.mediaState >> 6,
          changes: d.changes,
        } satisfies FloppyMedia;
      }
      case Command.WriteSectors: {
        const { drive, lba, data } = (input ?? {}) as { drive?: number; lba?: number; data?: Uint8Array };
        const d = drive === 0 || drive === 1 ? this.drive(drive) : undefined;
        if (!d || !d.file) throw new Error(`VDSK: no disk in drive ${String(drive)}`);
        if (!(data instanceof Uint8Array) || data.length % SECTOR !== 0) throw new Error('VDSK: write whole sectors');
        if (!isCount(lba) || lba + data.length / SECTOR > d.sectors) throw new Error(`VDSK: sectors from ${String(lba)} are outside drive ${hex2(d.number)}`);
        if (!d.file.writable) throw new Error(`VDSK: drive ${hex2(d.number)} is write-protected`);
        d.file.write(lba * SECTOR, data);
        return true;
      }
      default:
        throw new Error(`VDSK: unknown request ${command}`);
    }
  }

  // ---- INT 13h

  /** The drive unit for DL, or undefined when the machine has no such drive. */
  private drive(dl: number): Drive | undefined {
    if (dl < 0x80) return dl < this.floppyCount ? this.floppies[dl] : undefined;
    return this.hardDisks[dl - 0x80];
  }

  private int13(): void {
    const r = this.vdh.getRegisters();
    const ah = (r.eax >>> 8) & 0xff;
    const dl = r.edx & 0xff;
    const drive = this.drive(dl);
    const result = this.serve(ah, dl, drive);
    const regs: Partial<typeof r> = { ...result.regs };
    const al = result.al ?? r.eax & 0xff;
    regs.eax = (r.eax & 0xffff0000) | (result.status << 8) | al;
    const error = result.status !== Status.ok && !result.noError;
    regs.eflags = error ? r.eflags | CF : r.eflags & ~CF;
    this.vdh.setRegisters(regs);
  }

  private setStatus(dl: number, status: number): void {
    this.vdh.writeByte(dl < 0x80 ? DISKETTE_STATUS : HD_STATUS, status);
  }

  private serve(ah: number, dl: number, drive: Drive | undefined): Result {
    // Functions that answer for a drive the machine lacks.
    if (ah === 0x01) {
      const status = this.vdh.readByte(dl < 0x80 ? DISKETTE_STATUS : HD_STATUS);
      this.setStatus(dl, Status.ok);
      return { status, al: status };
    }
    if (ah === 0x08) return this.finish(dl, this.parameters(dl, drive));
    if (ah === 0x15) return this.finish(dl, this.driveType(drive));
    const floppyUnit = dl < 2;
    if (!drive) {
      // No such drive: an empty floppy position times out; anything else is a bad call.
      return this.finish(dl, { status: floppyUnit ? Status.timeout : Status.badCommand, al: 0 });
    }
    return this.finish(dl, drive.floppy ? this.floppyService(ah, drive) : this.hardDiskService(ah, drive));
  }

  /** Record the status of this call as the drive's last status. */
  private finish(dl: number, result: Result): Result {
    this.setStatus(dl, result.noError ? Status.ok : result.status);
    return result;
  }

  private floppyService(ah: number, d: Drive): Result {
    switch (ah) {
      case 0x00: // reset
        return { status: Status.ok };
      case 0x02:
        return this.transfer(d, 'read');
      case 0x03:
        return this.transfer(d, 'write');
      case 0x04:
        return this.transfer(d, 'verify');
      case 0x05:
        return this.formatTrack(d);
      case 0x16: {
        // The change line: reported once after a media change; an empty drive is not ready.
        if (d.changed) {
          d.changed = false;
          return { status: Status.changeLine };
        }
        return { status: d.file ? Status.ok : Status.timeout };
      }
      case 0x17: // set DASD type for format: accepted (the image's format is what it is)
        return d.file ? { status: Status.ok } : { status: Status.timeout };
      case 0x18: // set media type for format: accepted, ES:DI -> the parameter table
        if (!d.file) return { status: Status.timeout };
        return { status: Status.ok, regs: { es: DISKETTE_TABLE_SEGMENT, edi: DISKETTE_TABLE_OFFSET } };
      default:
        return { status: Status.badCommand };
    }
  }

  private hardDiskService(ah: number, d: Drive): Result {
    switch (ah) {
      case 0x00: // reset
      case 0x0d: // alternate reset
      case 0x10: // test drive ready
      case 0x11: // recalibrate
        return { status: Status.ok };
      case 0x02:
        return this.transfer(d, 'read');
      case 0x03:
        return this.transfer(d, 'write');
      case 0x04:
        return this.transfer(d, 'verify');
      case 0x05: // format track: accepted, the image is left as it is (a low-level format has no meaning here)
        return d.file?.writable ? { status: Status.ok } : { status: Status.writeProtected };
      case 0x0c: {
        // seek
        const { cylinder } = this.chs();
        return { status: cylinder < d.geometry.cylinders ? Status.ok : Status.sectorNotFound };
      }
      case 0x41:
        return this.extensionsCheck();
      case 0x42:
        return this.extendedTransfer(d, 'read');
      case 0x43:
        return this.extendedTransfer(d, 'write');
      case 0x44:
        return this.extendedTransfer(d, 'verify');
      case 0x47:
        return this.extendedTransfer(d, 'seek');
      case 0x48:
        return this.extendedParameters(d);
      default:
        return { status: Status.badCommand };
    }
  }

  /** CH/CL/DH as the BIOS packs them: cylinder bits 8-9 in CL bits 6-7. */
  private chs(): { cylinder: number; head: number; sector: number; count: number; address: number } {
    const r = this.vdh.getRegisters();
    const cl = r.ecx & 0xff;
    return {
      cylinder: ((r.ecx >>> 8) & 0xff) | ((cl & 0xc0) << 2),
      sector: cl & 0x3f,
      head: (r.edx >>> 8) & 0xff,
      count: r.eax & 0xff,
      address: ((r.es & 0xffff) << 4) + (r.ebx & 0xffff),
    };
  }

  /** AH=02h/03h/04h: CHS -> LBA = (c*heads + h)*spt + (s-1), checked whole before anything moves. */
  private transfer(d: Drive, op: 'read' | 'write' | 'verify'): Result {
    if (!d.file) return { status: Status.timeout, al: 0 };
    const { cylinder, head, sector, count, address } = this.chs();
    const g = d.geometry;
    if (count === 0) return { status: Status.badCommand, al: 0 };
    if (sector === 0 || sector > g.sectorsPerTrack || head >= g.heads || cylinder >= g.cylinders) {
      return { status: Status.sectorNotFound, al: 0 };
    }
    const lba = (cylinder * g.heads + head) * g.sectorsPerTrack + (sector - 1);
    return this.move(d, op, lba, count, address);
  }

  /** Check and do a transfer of `count` sectors at `lba` to/from guest memory at `address`. */
  private move(d: Drive, op: 'read' | 'write' | 'verify' | 'seek', lba: number, count: number, address: number): Result {
    const file = d.file!;
    if (lba + count > d.sectors) return { status: Status.sectorNotFound, al: 0 };
    const bytes = count * SECTOR;
    // The diskette controller's DMA channel cannot cross a 64 KiB physical page.
    if (d.floppy && op !== 'verify' && op !== 'seek' && address >>> 16 !== (address + bytes - 1) >>> 16) {
      return { status: Status.dmaBoundary, al: 0 };
    }
    if (op === 'write' && !file.writable) return { status: Status.writeProtected, al: 0 };
    if (op === 'read') this.vdh.writeGuest(address, this.readSectors(d, lba, count));
    else if (op === 'write') file.write(lba * SECTOR, this.vdh.readGuest(address, bytes));
    return { status: Status.ok, al: count };
  }

  private readSectors(d: Drive, lba: number, count: number): Uint8Array {
    const data = d.file!.read(lba * SECTOR, count * SECTOR);
    if (data.length === count * SECTOR) return data;
    const full = new Uint8Array(count * SECTOR); // a file that shrank under us reads as zeros
    full.set(data);
    return full;
  }

  /** AH=05h on a diskette: the track at CH/DH becomes F6h bytes, as a fresh format leaves it. */
  private formatTrack(d: Drive): Result {
    if (!d.file) return { status: Status.timeout, al: 0 };
    const { cylinder, head } = this.chs();
    const g = d.geometry;
    if (head >= g.heads || cylinder >= g.cylinders) return { status: Status.sectorNotFound, al: 0 };
    if (!d.file.writable) return { status: Status.writeProtected, al: 0 };
    const lba = (cylinder * g.heads + head) * g.sectorsPerTrack;
    if (lba + g.sectorsPerTrack > d.sectors) return { status: Status.sectorNotFound, al: 0 };
    d.file.write(lba * SECTOR, new Uint8Array(g.sectorsPerTrack * SECTOR).fill(0xf6));
    return { status: Status.ok, al: g.sectorsPerTrack };
  }

  /** AH=08h: drive parameters. */
  private parameters(dl: number, d: Drive | undefined): Result {
    if (dl < 0x80) {
      if (!d) {
        // No such drive (an AT BIOS): everything 0 but the drive count, no error.
        return {
          status: Status.ok,
          al: 0,
          regs: {
            ebx: this.low16(0, 'ebx'),
            ecx: this.low16(0, 'ecx'),
            edx: this.low16(this.floppyCount, 'edx'),
            es: 0,
            edi: this.low16(0, 'edi'),
          },
        };
      }
      // An empty drive still reports its own type's geometry.
      const f = d.format!;
      const maxCyl = f.cylinders - 1;
      return {
        status: Status.ok,
        al: 0,
        regs: {
          ebx: this.low16(f.type, 'ebx'),
          ecx: this.low16(((maxCyl & 0xff) << 8) | ((maxCyl >> 2) & 0xc0) | f.sectorsPerTrack, 'ecx'),
          edx: this.low16(((f.heads - 1) << 8) | this.floppyCount, 'edx'),
          es: DISKETTE_TABLE_SEGMENT,
          edi: this.low16(DISKETTE_TABLE_OFFSET, 'edi'),
        },
      };
    }
    if (!d) return { status: Status.badCommand, regs: { edx: this.low16(this.hardDisks.length, 'edx') } };
    const g = d.geometry;
    const maxCyl = Math.max(0, g.cylinders - 1);
    return {
      status: Status.ok,
      al: 0,
      regs: {
        ecx: this.low16(((maxCyl & 0xff) << 8) | ((maxCyl >> 2) & 0xc0) | g.sectorsPerTrack, 'ecx'),
        edx: this.low16(((g.heads - 1) << 8) | this.hardDisks.length, 'edx'),
      },
    };
  }

  /** AH=15h: the drive type. Never an error: no drive is AH=00h. */
  private driveType(d: Drive | undefined): Result {
    if (!d) return { status: 0x00, noError: true };
    if (d.floppy) return { status: 0x02, noError: true }; // a diskette drive with change-line support
    const g = d.geometry;
    const sectors = g.cylinders * g.heads * g.sectorsPerTrack; // what CHS reaches, as an AT BIOS counts
    return {
      status: 0x03,
      noError: true,
      regs: { ecx: this.low16(sectors >>> 16, 'ecx'), edx: this.low16(sectors & 0xffff, 'edx') },
    };
  }

  /** AH=41h: EDD 1.1 with the extended disk access functions (42h-44h, 47h, 48h). */
  private extensionsCheck(): Result {
    const r = this.vdh.getRegisters();
    if ((r.ebx & 0xffff) !== 0x55aa) return { status: Status.badCommand };
    return { status: 0x21, noError: true, regs: { ebx: this.low16(0xaa55, 'ebx'), ecx: this.low16(0x0001, 'ecx') } };
  }

  /**
   * AH=42h/43h/44h/47h: the disk address packet at DS:SI: size (10h+), 0, count, buffer offset:segment,
   * 64-bit LBA. On an error the packet's count becomes the sectors transferred (0).
   */
  private extendedTransfer(d: Drive, op: 'read' | 'write' | 'verify' | 'seek'): Result {
    const v = this.vdh;
    const r = v.getRegisters();
    const dap = ((r.ds & 0xffff) << 4) + (r.esi & 0xffff);
    const size = v.readByte(dap);
    const count = v.readWord(dap + 2);
    const offset = v.readWord(dap + 4);
    const segment = v.readWord(dap + 6);
    const lbaLow = (v.readWord(dap + 8) | (v.readWord(dap + 10) << 16)) >>> 0;
    const lbaHigh = (v.readWord(dap + 12) | (v.readWord(dap + 14) << 16)) >>> 0;
    const fail = (status: number): Result => {
      v.writeWord(dap + 2, 0);
      return { status };
    };
    if (size < 0x10 || count > 0x7f) return fail(Status.badCommand);
    if (offset === 0xffff && segment === 0xffff) return fail(Status.badCommand); // EDD 3.0 64-bit buffers: not offered
    if (lbaHigh !== 0) return fail(Status.sectorNotFound);
    if (op === 'seek') return lbaLow < d.sectors ? { status: Status.ok } : fail(Status.sectorNotFound);
    if (count === 0) return { status: Status.ok };
    const result = this.move(d, op, lbaLow, count, (segment << 4) + offset);
    if (result.status !== Status.ok) return fail(result.status);
    return { status: Status.ok };
  }

  /** AH=48h: the EDD 1.1 parameter buffer (1Ah bytes) at DS:SI. */
  private extendedParameters(d: Drive): Result {
    const v = this.vdh;
    const r = v.getRegisters();
    const buf = ((r.ds & 0xffff) << 4) + (r.esi & 0xffff);
    if (v.readWord(buf) < 0x1a) return { status: Status.badCommand };
    const g = d.geometry;
    const cylinders = Math.floor(d.sectors / (g.heads * g.sectorsPerTrack));
    const out = new Uint8Array(0x1a);
    const view = new DataView(out.buffer);
    view.setUint16(0, 0x1a, true);
    // Flags bit 1: the CHS information is valid (the geometry covers the whole disk).
    view.setUint16(2, cylinders <= CHS_MAX_CYLINDERS ? 0x0002 : 0, true);
    view.setUint32(4, cylinders, true);
    view.setUint32(8, g.heads, true);
    view.setUint32(12, g.sectorsPerTrack, true);
    view.setUint32(16, d.sectors >>> 0, true);
    view.setUint32(20, Math.floor(d.sectors / 0x1_0000_0000), true);
    view.setUint16(24, SECTOR, true);
    v.writeGuest(buf, out);
    return { status: Status.ok };
  }

  /** A 32-bit register with its low 16 bits replaced (a real-mode BIOS leaves the high halves alone). */
  private low16(value: number, reg: 'ebx' | 'ecx' | 'edx' | 'edi'): number {
    const r = this.vdh.getRegisters();
    return ((r[reg] & 0xffff0000) | (value & 0xffff)) >>> 0;
  }
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

function driveLetter(n: number): string {
  return n < 0x80 ? String.fromCharCode(0x41 + n) : String.fromCharCode(0x43 + n - 0x80);
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0') + 'h';
}

/** A VDSK module: its DOS settings name the images; init opens them (an unusable image fails the VM's start). */
export function createVdsk(): VddModule {
  return {
    name: 'VDSK',
    init(vdh: Vdh): void {
      const image = (name: string, help: string): string => {
        vdh.registerProperty({ type: 'string', name, help, default: '' });
        return (vdh.property(name) as string).trim();
      };
      const a = image('DISK_A', 'Diskette image for drive A: (a raw 160K-2.88M image file; empty for no drive).');
      const b = image('DISK_B', 'Diskette image for drive B: (a raw image file; empty for no drive).');
      const c = image('DISK_C', 'Hard-disk image for drive C: (a raw image file of 512-byte sectors; empty for none).');
      const d = image('DISK_D', 'Hard-disk image for drive D: (a raw image file; empty for none).');
      vdh.registerProperty({
        type: 'bool',
        name: 'DISK_READ_ONLY',
        help: 'Open every disk image read-only: writes fail as on a write-protected disk.',
        default: false,
      });
      const readOnly = vdh.property('DISK_READ_ONLY') as boolean;
      new Vdsk(vdh, { a, b, c, d, readOnly }).install();
    },
  };
}

export default createVdsk();
