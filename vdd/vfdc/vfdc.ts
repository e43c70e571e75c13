/**
 * VFDC: the diskette controller, an Intel 82077AA at 3F0h-3F7h in AT mode, on DMA channel 2 and IRQ 6, with
 * drives A: and B: holding the images VDSK opened (DISK_A, DISK_B; read through VDSK's named requests, so a
 * disk changed through VDSK is the disk the controller sees). It exists only on a machine with a foreign
 * BIOS (`vdh.firmware.kind === 'foreign'`, docs/firmware.md): such a BIOS's INT 13h programs the controller;
 * MVM's own BIOS serves INT 13h in VDSK with no controller underneath, so there the ports stay unhooked.
 * At start it writes the drive types into CMOS 10h (VCMOS), where an AT BIOS looks for them.
 *
 * Registers: 3F2h DOR (drive select, reset (bit 2 low), DMA and IRQ gate, motors), 3F3h TDR, 3F4h MSR on
 * read (RQM, DIO, NDMA, CB, drive busy bits) and DSR on write (software reset, data rate), 3F5h the FIFO,
 * 3F7h DIR on read (bit 7 the selected drive's change line) and CCR on write (data rate). 3F0h/3F1h (PS/2
 * status) and 3F6h (the hard-disk controller's) are not hooked.
 *
 * Commands (the MT, MFM and SK bits are taken where the chip has them): READ DATA, WRITE DATA (and WRITE
 * DELETED DATA, written as normal data), VERIFY, READ ID, FORMAT TRACK, SEEK, RELATIVE SEEK, RECALIBRATE,
 * SENSE INTERRUPT STATUS, SENSE DRIVE STATUS, SPECIFY, CONFIGURE, DUMPREG, VERSION (90h), PERPENDICULAR MODE
 * and LOCK. Anything else is invalid: a one-byte result 80h. Each command goes through the chip's phases:
 * command bytes while MSR shows RQM with DIO clear, execution (CB set, RQM clear) and result bytes (RQM and
 * DIO set).
 *
 * The disk: a standard format, sector IDs C/H/R/N = cylinder, head, 1..sectors per track, 2 (512 bytes).
 * A sector is found only where the head is (the drive's present cylinder, the head selected in the command)
 * and at the data rate the disk was recorded at (VDSK's media state): READ ID at another rate, on an empty
 * drive or past the disk's last cylinder ends abnormally with "missing address mark", as it does on the
 * chip, which is how a BIOS senses the media. READ and WRITE transfer sector after sector through VDMA
 * channel 2 until terminal count, following MT onto the other head; past the track's EOT without terminal
 * count they end abnormally with "end of cylinder", as on the chip. Results carry the next sector's ID.
 *
 * Timing: a command completes, and raises IRQ 6 if the DOR's gate bit is set, COMPLETION_SECONDS of virtual
 * time after its last byte — far quicker than a drive (no rotation or step time is modelled) but never
 * inside the OUT that ended the command, since a BIOS clears its "interrupt seen" flag after that OUT. The
 * line drops when the first result byte is read or SENSE INTERRUPT STATUS runs, and on reset.
 *
 * Not modelled: the non-DMA (PIO) data phase (SPECIFY's ND bit is stored; data still moves by DMA), the
 * FIFO threshold, implied seeks, the motors' spin-up (a command runs whether or not its motor is on),
 * double stepping, deleted data marks and CRC errors.
 */
import type { Vdh, VddModule, Virq } from '../../main/vmm/vdh.js';

export const BASE = 0x3f0;
export const IRQ = 6;
export const DMA_CHANNEL = 2;
/** A command's execution takes this long (virtual time): 50 µs. */
export const COMPLETION_SECONDS = 50e-6;

export const SECTOR = 512;

// MSR bits
export const MSR_RQM = 0x80;
export const MSR_DIO = 0x40;
export const MSR_NDMA = 0x20;
export const MSR_CB = 0x10;

// DOR bits
const DOR_RESET = 0x04; // 0: held in reset
const DOR_GATE = 0x08; // DMA and IRQ enabled

// Status register bits
export const ST0_ABNORMAL = 0x40;
export const ST0_INVALID = 0x80;
export const ST0_POLL = 0xc0;
export const ST0_SEEK_END = 0x20;
export const ST0_EQUIPMENT = 0x10;
export const ST1_END_OF_CYLINDER = 0x80;
export const ST1_NO_DATA = 0x04;
export const ST1_NOT_WRITABLE = 0x02;
export const ST1_MISSING_AM = 0x01;
export const ST2_WRONG_CYLINDER = 0x10;
export const ST3_WRITE_PROTECTED = 0x40;
export const ST3_READY = 0x20;
export const ST3_TRACK0 = 0x10;
export const ST3_TWO_SIDED = 0x08;

/** A command's parameter count by its low five bits (the MT/MFM/SK bits aside), and how it runs. */
interface CommandInfo {
  name: string;
  params: number;
}
const COMMANDS: ReadonlyMap<number, CommandInfo> = new Map([
  [0x03, { name: 'specify', params: 2 }],
  [0x04, { name: 'sense drive status', params: 1 }],
  [0x05, { name: 'write data', params: 8 }],
  [0x06, { name: 'read data', params: 8 }],
  [0x07, { name: 'recalibrate', params: 1 }],
  [0x08, { name: 'sense interrupt status', params: 0 }],
  [0x09, { name: 'write deleted data', params: 8 }],
  [0x0a, { name: 'read id', params: 1 }],
  [0x0d, { name: 'format track', params: 5 }],
  [0x0e, { name: 'dumpreg', params: 0 }],
  [0x0f, { name: 'seek', params: 2 }],
  [0x10, { name: 'version', params: 0 }],
  [0x12, { name: 'perpendicular mode', params: 1 }],
  [0x13, { name: 'configure', params: 3 }],
  [0x14, { name: 'lock', params: 0 }],
  [0x16, { name: 'verify', params: 8 }],
]);

/** The command a first byte starts, keyed as in COMMANDS, or undefined when it is invalid. */
export function commandKey(byte: number): number | undefined {
  if ((byte & 0x8f) === 0x8f) return 0x8f; // RELATIVE SEEK (bit 6 the direction)
  const low = byte & 0x1f;
  // Which of the top three bits each command allows (MT 80h, MFM 40h, SK 20h); others make it invalid.
  const allowed: Record<number, number> = { 0x05: 0xc0, 0x06: 0xe0, 0x09: 0xc0, 0x0a: 0x40, 0x0d: 0x40, 0x14: 0x80, 0x16: 0xe0 };
  if (!COMMANDS.has(low)) return undefined;
  if (byte & 0xe0 & ~(allowed[low] ?? 0)) return undefined;
  return low;
}

/** A disk as the controller sees it (VDSK request 4). */
export interface Media {
  driveType: number;
  present: boolean;
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
  sectors: number;
  writable: boolean;
  dataRate: number;
  changes: number;
}

/** Where the controller gets its disks and moves its data: VDSK and VDMA through named requests. */
export interface FdcBackend {
  /** Drive 0 or 1: undefined when the machine has no such drive. */
  media(drive: number): Media | undefined;
  readSectors(drive: number, lba: number, count: number): Uint8Array;
  writeSectors(drive: number, lba: number, data: Uint8Array): void;
  /** Device -> memory on channel 2: bytes moved and whether terminal count was reached. */
  dmaWrite(data: Uint8Array): { bytes: number; terminalCount: boolean };
  /** Memory -> device: up to `length` bytes, and whether terminal count was reached. */
  dmaRead(length: number): { data: Uint8Array; terminalCount: boolean };
}

/** One drive unit's state (the head position and the change line). */
interface Unit {
  cylinder: number;
  /** The change line (DIR bit 7): set at power-on and by a media change, cleared by a step with a disk in. */
  changeLine: boolean;
  /** VDSK's change count when the controller last looked. */
  changes: number;
}

type Phase = 'reset' | 'command' | 'execution' | 'result';

/** The 82077AA's state. Plain fields, so a VM's state can be saved and restored. */
export class Fdc {
  dor = 0;
  tdr = 0;
  dataRate = 0;
  phase: Phase = 'reset';
  /** The command being received: its bytes so far. */
  command: number[] = [];
  result: number[] = [];
  /** SENSE INTERRUPT STATUS answers waiting: [ST0, PCN] each. */
  pendingSense: [number, number][] = [];
  /** SPECIFY's bytes; CONFIGURE's; PERPENDICULAR MODE's; LOCK. */
  specify = [0, 0];
  configure = [0, 0x20, 0];
  perpendicular = 0;
  locked = false;
  /** Drives 0-3 (only 0 and 1 can hold disks). */
  readonly units: Unit[] = [0, 1, 2, 3].map(() => ({ cylinder: 0, changeLine: true, changes: 0 }));
  /** Drives seeking: MSR bits 0-3 until their seek ends. */
  busyDrives = 0;
  irqRaised = false;
  private disarmCompletion: (() => void) | undefined;

  constructor(
    private readonly backend: FdcBackend,
    private readonly timer: { arm(seconds: number, fn: () => void): () => void },
    private readonly irq: { set(): void; clear(): void },
    private readonly log: (message: string) => void = () => {},
  ) {}

  // ---- registers

  readPort(port: number): number {
    switch (port - BASE) {
      case 2:
        return this.dor;
      case 3:
        return this.tdr;
      case 4:
        return this.msr();
      case 5:
        return this.readFifo();
      case 7: {
        const unit = this.units[this.dor & 3];
        this.pollChange(this.dor & 3);
        return unit.changeLine ? 0x80 : 0x00;
      }
      default:
        return 0xff;
    }
  }

  writePort(port: number, value: number): void {
    switch (port - BASE) {
      case 2:
        this.writeDor(value);
        return;
      case 3:
        this.tdr = value & 3;
        return;
      case 4: // DSR
        this.dataRate = value & 3;
        if (value & 0x80) {
          this.enterReset();
          this.leaveReset();
        }
        return;
      case 5:
        this.writeFifo(value);
        return;
      case 7: // CCR
        this.dataRate = value & 3;
        return;
    }
  }

  msr(): number {
    switch (this.phase) {
      case 'reset':
        return 0;
      case 'command':
        return MSR_RQM | (this.command.length > 0 ? MSR_CB : 0) | this.busyDrives;
      case 'execution':
        return MSR_CB | this.busyDrives;
      case 'result':
        return MSR_RQM | MSR_DIO | MSR_CB | this.busyDrives;
    }
  }

  private writeDor(value: number): void {
    const old = this.dor;
    this.dor = value & 0xff;
    if (!(value & DOR_RESET)) {
      if (old & DOR_RESET || this.phase !== 'reset') this.enterReset();
    } else if (this.phase === 'reset') this.leaveReset();
    // The gate bit masks the interrupt line without forgetting the interrupt.
    if (this.irqRaised) {
      if (value & DOR_GATE) this.irq.set();
      else this.irq.clear();
    }
  }

  private enterReset(): void {
    this.disarmCompletion?.();
    this.disarmCompletion = undefined;
    this.phase = 'reset';
    this.command = [];
    this.result = [];
    this.pendingSense = [];
    this.busyDrives = 0;
    this.lowerIrq();
    if (!this.locked) this.configure = [0, 0x20, 0];
    this.perpendicular = 0;
  }

  /** Out of reset: idle, and after a moment an interrupt with a "ready changed" status for each drive. */
  private leaveReset(): void {
    this.phase = 'command';
    this.after(() => {
      this.pendingSense = [0, 1, 2, 3].map((d) => [ST0_POLL | d, this.units[d].cylinder]);
      this.raiseIrq();
    });
  }

  // ---- the FIFO

  private writeFifo(value: number): void {
    if (this.phase !== 'command') {
      this.log(`VFDC: byte ${hex2(value)} written while the controller is ${this.phase === 'result' ? 'giving results' : 'busy'}; ignored`);
      return;
    }
    this.command.push(value & 0xff);
    const key = commandKey(this.command[0]);
    if (key === undefined) {
      this.command = [];
      this.finish([ST0_INVALID], false);
      return;
    }
    const params = key === 0x8f ? 2 : COMMANDS.get(key)!.params;
    if (this.command.length <= params) return;
    const bytes = this.command;
    this.command = [];
    this.execute(key, bytes);
  }

  private readFifo(): number {
    if (this.phase !== 'result') return 0xff;
    this.lowerIrq();
    const b = this.result.shift()!;
    if (this.result.length === 0) this.phase = 'command';
    return b;
  }

  /** Enter the result phase with `bytes` now (irq false) or after the execution time with an interrupt. */
  private finish(bytes: number[], irq: boolean, work?: () => number[]): void {
    if (!irq) {
      this.result = bytes;
      this.phase = bytes.length > 0 ? 'result' : 'command';
      return;
    }
    this.phase = 'execution';
    this.after(() => {
      this.result = work ? work() : bytes;
      this.phase = 'result';
      this.raiseIrq();
    });
  }

  private after(fn: () => void): void {
    this.disarmCompletion?.();
    this.disarmCompletion = this.timer.arm(COMPLETION_SECONDS, () => {
      this.disarmCompletion = undefined;
      fn();
    });
  }

  private raiseIrq(): void {
    if (this.irqRaised) this.irq.clear(); // a fresh edge
    this.irqRaised = true;
    if (this.dor & DOR_GATE) this.irq.set();
  }

  private lowerIrq(): void {
    if (!this.irqRaised) return;
    this.irqRaised = false;
    this.irq.clear();
  }

  // ---- commands

  private execute(key: number, c: number[]): void {
    const drive = (c[1] ?? 0) & 3;
    const head = ((c[1] ?? 0) >> 2) & 1;
    switch (key) {
      case 0x03: // SPECIFY
        this.specify = [c[1], c[2]];
        return this.finish([], false);
      case 0x04: // SENSE DRIVE STATUS
        return this.finish([this.st3(drive, head)], false);
      case 0x07: // RECALIBRATE
        return this.seek(drive, 0);
      case 0x0f: // SEEK
        return this.seek(drive, c[2]);
      case 0x8f: {
        // RELATIVE SEEK: bit 6 of the command byte, set = towards the spindle (up)
        const unit = this.units[drive];
        const target = c[0] & 0x40 ? unit.cylinder + c[2] : unit.cylinder - c[2];
        return this.seek(drive, Math.max(0, Math.min(255, target)));
      }
      case 0x08: {
        // SENSE INTERRUPT STATUS
        this.lowerIrq();
        const next = this.pendingSense.shift();
        return this.finish(next ? [next[0], next[1]] : [ST0_INVALID], false);
      }
      case 0x0a: // READ ID
        return this.finish([], true, () => this.readId(drive, head));
      case 0x06: // READ DATA
      case 0x16: // VERIFY
      case 0x05: // WRITE DATA
      case 0x09: // WRITE DELETED DATA
        return this.finish([], true, () => this.transfer(key, c));
      case 0x0d: // FORMAT TRACK
        return this.finish([], true, () => this.format(c));
      case 0x0e: {
        // DUMPREG
        const u = this.units;
        return this.finish(
          [u[0].cylinder, u[1].cylinder, u[2].cylinder, u[3].cylinder, this.specify[0], this.specify[1], 0, (this.locked ? 0x80 : 0) | (this.perpendicular & 0x7f), this.configure[1], this.configure[2]],
          false,
        );
      }
      case 0x10: // VERSION: an 82077AA
        return this.finish([0x90], false);
      case 0x12: // PERPENDICULAR MODE
        this.perpendicular = c[1];
        return this.finish([], false);
      case 0x13: // CONFIGURE
        this.configure = [c[1], c[2], c[3]];
        return this.finish([], false);
      case 0x14: // LOCK
        this.locked = (c[0] & 0x80) !== 0;
        return this.finish([this.locked ? 0x10 : 0x00], false);
    }
  }

  /** SEEK and RECALIBRATE: no result phase; the interrupt and its sense status come when the head is there. */
  private seek(drive: number, cylinder: number): void {
    this.phase = 'command';
    this.busyDrives |= 1 << drive;
    this.after(() => {
      this.busyDrives &= ~(1 << drive);
      const media = this.media(drive);
      const unit = this.units[drive];
      if (!media) {
        // No drive: the track 0 signal never comes (recalibrate) and nothing steps: equipment check.
        this.pendingSense = [[ST0_ABNORMAL | ST0_SEEK_END | ST0_EQUIPMENT | drive, unit.cylinder]];
      } else {
        unit.cylinder = cylinder;
        if (media.present) unit.changeLine = false; // a step with a disk in clears the change line
        this.pendingSense = [[ST0_SEEK_END | drive, cylinder]];
      }
      this.raiseIrq();
    });
  }

  /** The drive's media, noting a change VDSK made since the controller last looked. */
  private media(drive: number): Media | undefined {
    if (drive > 1) return undefined;
    this.pollChange(drive);
    return this.backend.media(drive);
  }

  private pollChange(drive: number): void {
    if (drive > 1) return;
    const m = this.backend.media(drive);
    if (!m) return;
    const unit = this.units[drive];
    if (m.changes !== unit.changes) {
      unit.changes = m.changes;
      unit.changeLine = true;
    }
  }

  /** Can the head read IDs here: a disk, recorded at the selected data rate, this side and cylinder on it. */
  private readable(drive: number, head: number): Media | undefined {
    const m = this.media(drive);
    if (!m || !m.present || m.dataRate !== this.dataRate) return undefined;
    if (head >= m.heads || this.units[drive].cylinder >= m.cylinders) return undefined;
    return m;
  }

  private st0(drive: number, head: number, status = 0): number {
    return status | (head << 2) | drive;
  }

  private st3(drive: number, head: number): number {
    const m = this.media(drive);
    let st3 = ST3_READY | ST3_TWO_SIDED | (head << 2) | drive;
    if (this.units[drive].cylinder === 0) st3 |= ST3_TRACK0;
    if (m?.present && !m.writable) st3 |= ST3_WRITE_PROTECTED;
    return st3;
  }

  private readId(drive: number, head: number): number[] {
    const m = this.readable(drive, head);
    const cyl = this.units[drive].cylinder;
    if (!m) return [this.st0(drive, head, ST0_ABNORMAL), ST1_MISSING_AM, 0, cyl, head, 1, 2];
    return [this.st0(drive, head), 0, 0, cyl, head, 1, 2];
  }

  /** READ DATA, VERIFY, WRITE DATA: sector after sector from R until terminal count (or EOT). */
  private transfer(key: number, c: number[]): number[] {
    const drive = c[1] & 3;
    let head = (c[1] >> 2) & 1;
    let [cyl, h, r] = [c[2], c[3], c[4]];
    const n = c[5];
    const eot = c[6];
    const multiTrack = (c[0] & 0x80) !== 0;
    const writing = key === 0x05 || key === 0x09;
    const verify = key === 0x16;
    const fail = (st1: number, st2 = 0): number[] => [this.st0(drive, head, ST0_ABNORMAL), st1, st2, cyl, h, r, n];
    const m = this.readable(drive, head);
    if (!m) return fail(ST1_MISSING_AM);
    if (writing && !m.writable) return fail(ST1_NOT_WRITABLE);
    const physical = this.units[drive].cylinder;
    if (cyl !== physical) return fail(ST1_NO_DATA, ST2_WRONG_CYLINDER);
    for (;;) {
      if (n !== 2 || h !== head || r < 1 || r > m.sectorsPerTrack) return fail(ST1_NO_DATA);
      const lba = (physical * m.heads + head) * m.sectorsPerTrack + (r - 1);
      let terminalCount: boolean;
      if (verify) terminalCount = false;
      else if (writing) {
        const got = this.backend.dmaRead(SECTOR);
        const sector = new Uint8Array(SECTOR); // a sector cut short by terminal count is filled with zeros
        sector.set(got.data.subarray(0, SECTOR));
        this.backend.writeSectors(drive, lba, sector);
        terminalCount = got.terminalCount || got.data.length < SECTOR;
      } else {
        const moved = this.backend.dmaWrite(this.backend.readSectors(drive, lba, 1));
        terminalCount = moved.terminalCount || moved.bytes < SECTOR;
      }
      // The ID of the sector after this one.
      const atEot = r === eot;
      if (atEot) {
        r = 1;
        if (multiTrack && head === 0) {
          h ^= 1;
          head = 1;
        } else {
          if (multiTrack) h ^= 1;
          cyl++;
        }
      } else r++;
      if (terminalCount) return [this.st0(drive, head), 0, 0, cyl, h, r, n];
      if (atEot && (!multiTrack || h === 0 || head >= m.heads)) {
        // Past the last sector of the track (or both tracks) with terminal count still to come.
        if (verify) return [this.st0(drive, head), 0, 0, cyl, h, r, n];
        return [this.st0(drive, head, ST0_ABNORMAL), ST1_END_OF_CYLINDER, 0, cyl, h, r, n];
      }
      if (head >= m.heads) return fail(ST1_MISSING_AM);
    }
  }

  /** FORMAT TRACK: the sector IDs come by DMA (C, H, R, N each); every sector of the track becomes D. */
  private format(c: number[]): number[] {
    const drive = c[1] & 3;
    const head = (c[1] >> 2) & 1;
    const [n, count, , fill] = [c[2], c[3], c[4], c[5]];
    const cyl = this.units[drive].cylinder;
    const m = this.readable(drive, head);
    if (!m) return [this.st0(drive, head, ST0_ABNORMAL), ST1_MISSING_AM, 0, cyl, head, 1, n];
    if (!m.writable) return [this.st0(drive, head, ST0_ABNORMAL), ST1_NOT_WRITABLE, 0, cyl, head, 1, n];
    const ids = this.backend.dmaRead(count * 4).data;
    const sector = new Uint8Array(SECTOR).fill(fill);
    let last = [cyl, head, 1, n];
    for (let i = 0; i + 3 < ids.length; i += 4) {
      last = [ids[i], ids[i + 1], ids[i + 2], ids[i + 3]];
      const r = ids[i + 2];
      // Only a layout the image can hold is written: IDs of this cylinder and head, 512-byte sectors.
      if (ids[i] !== cyl || ids[i + 1] !== head || ids[i + 3] !== 2 || n !== 2 || r < 1 || r > m.sectorsPerTrack) continue;
      this.backend.writeSectors(drive, (cyl * m.heads + head) * m.sectorsPerTrack + (r - 1), sector);
    }
    return [this.st0(drive, head), 0, 0, ...last];
  }
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0') + 'h';
}

/** The CMOS drive type (register 10h's nibbles) of a drive of INT 13h type `t`: 2.88M is 5 there, 6 at INT 13h. */
function cmosType(t: number): number {
  return t === 6 ? 5 : t;
}

const vfdc: VddModule = {
  name: 'VFDC',
  init(vdh: Vdh): void {
    if (vdh.firmware.kind !== 'foreign') return;
    const request = (name: string, command: number, input?: unknown): unknown => {
      const h = vdh.openVdd(name);
      if (!h) throw new Error(`VFDC: no ${name} loaded`);
      return vdh.requestVdd(h, command, input);
    };
    const virq: Virq = vdh.openVirq(IRQ);
    const backend: FdcBackend = {
      media: (drive) => request('VDSK', 4, { drive }) as Media | undefined,
      readSectors: (drive, lba, count) => request('VDSK', 2, { drive, lba, count }) as Uint8Array,
      writeSectors: (drive, lba, data) => void request('VDSK', 5, { drive, lba, data }),
      dmaWrite: (data) => request('VDMA', 1, { channel: DMA_CHANNEL, data }) as { bytes: number; terminalCount: boolean },
      dmaRead: (length) => {
        const r = request('VDMA', 1, { channel: DMA_CHANNEL, length }) as { bytes: number; data?: Uint8Array; terminalCount: boolean };
        return { data: r.data ?? new Uint8Array(0), terminalCount: r.terminalCount };
      },
    };
    const fdc = new Fdc(backend, { arm: (seconds, fn) => vdh.armTimer(seconds * vdh.ticksPerSecond, fn) }, virq, (m) => vdh.log(m));
    vdh.installIoHook(BASE + 2, 4, { byteIn: (p) => fdc.readPort(p), byteOut: (p, v) => fdc.writePort(p, v) });
    vdh.installIoHook(BASE + 7, 1, { byteIn: (p) => fdc.readPort(p), byteOut: (p, v) => fdc.writePort(p, v) });
    // CMOS 10h: drive A: in the high nibble, B: in the low one, as an AT BIOS's setup would have stored them.
    const type = (drive: number): number => cmosType(backend.media(drive)?.driveType ?? 0);
    if (vdh.openVdd('VCMOS')) request('VCMOS', 2, { reg: 0x10, value: (type(0) << 4) | type(1) });
  },
};
export default vfdc;
