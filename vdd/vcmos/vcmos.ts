/**
 * VCMOS: the AT's real-time clock and CMOS RAM, a Motorola MC146818 at ports 70h (index; bit 7 masks NMI)
 * and 71h (data). Registers 00-09 are the clock and its alarm, 0A-0D the status registers, 0E-7F battery
 * backed RAM laid out as an IBM AT BIOS expects it.
 *
 * The clock is read from the host once, when the VM is created, and from then on advances only in the VM's
 * virtual time (vdh.now / vdh.ticksPerSecond): the same run at the same ticks reads the same time. The
 * once-a-second update cycle, the periodic interrupt and the alarm are timers armed in ticks, and raise
 * IRQ 8 through the interrupt controller's Virq.
 */
import type { Vdh, VddModule, Virq } from '../../main/vmm/vdh.js';

export interface VcmosOptions {
  /**
   * Extended memory above 1 MB in KB, for CMOS 17h-18h and 30h-31h. Default 0 under MVM's own BIOS (whose
   * INT 15h answers from the RAM size itself); under a foreign BIOS, the RAM above 1 MiB.
   */
  extendedKB?: number;
  /** The host's clock, read once at VM creation (tests pass a fixed date). */
  now?: () => Date;
  /** Report a math coprocessor in the equipment byte (14h bit 1). */
  coprocessor?: boolean;
}

// Register numbers.
const SECONDS = 0x00;
const SECONDS_ALARM = 0x01;
const MINUTES = 0x02;
const MINUTES_ALARM = 0x03;
const HOURS = 0x04;
const HOURS_ALARM = 0x05;
const DAY_OF_WEEK = 0x06;
const DAY = 0x07;
const MONTH = 0x08;
const YEAR = 0x09;
const REG_A = 0x0a;
const REG_B = 0x0b;
const REG_C = 0x0c;
const REG_D = 0x0d;
const CENTURY = 0x32;

// Register A.
const A_UIP = 0x80;
const A_DV_MASK = 0x70;
/** DV = 010: the 32.768 kHz time base, divider running. */
const A_DV_RUN = 0x20;
const A_RS_MASK = 0x0f;

// Register B.
const B_SET = 0x80;
const B_PIE = 0x40;
const B_AIE = 0x20;
const B_UIE = 0x10;
const B_DM_BINARY = 0x04;
const B_24H = 0x02;
const B_DSE = 0x01;

// Register C.
const C_IRQF = 0x80;
const C_PF = 0x40;
const C_AF = 0x20;
const C_UF = 0x10;

// Register D: the battery is always good (VRT).
const D_VRT = 0x80;

/** UIP rises this long before the update cycle, so a reader that saw UIP=0 has that long to read (244 µs). */
const UIP_SECONDS = 244e-6;
/** Alarm register values C0h-FFh match any value ("don't care"). */
const DONT_CARE = 0xc0;

const IRQ = 8;

/** The periodic interrupt rate in Hz for register A's rate select bits, on the 32.768 kHz time base. */
export function periodicRate(rs: number): number {
  if (rs === 0) return 0;
  if (rs <= 2) return 32768 >> (rs + 6); // 1: 256 Hz, 2: 128 Hz (the 4 MHz taps aliased on a 32 kHz crystal)
  return 32768 >> (rs - 1); // 3: 8192 Hz ... 6: 1024 Hz ... 15: 2 Hz
}

function toBcd(v: number): number {
  return ((Math.floor(v / 10) % 10) << 4) | v % 10;
}
function fromBcd(v: number): number {
  return (v >> 4) * 10 + (v & 0x0f);
}

function daysInMonth(month: number, year: number): number {
  // The MC146818's leap year rule: every year divisible by 4 (year 00 included; right for 1901-2099).
  if (month === 2) return year % 4 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The clock and CMOS of one VM. The time is kept in binary fields and converted to the guest's chosen format
 * (BCD or binary, 12 or 24 hours) on each access, so a guest that switches format mid-run reads a sane value
 * (a real chip would keep the old encoding and count garbage; no software relies on that). The alarm bytes
 * are kept as written, since they are compared in the format the guest wrote them in.
 */
export class Vcmos {
  /** The selected register (port 70h bits 6-0). */
  index = 0x0d;
  /** Port 70h bit 7: NMI masked. Kept for state; nothing here raises NMI. */
  nmiMasked = false;
  /** The 128 bytes: alarm bytes at 01/03/05, status A-D at 0A-0D (C is live), RAM from 0Eh. */
  readonly ram = new Uint8Array(128);

  // The time, binary: hour 0-23, day of week 1-7 (Sunday = 1), day 1-31, month 1-12, year 0-99.
  second = 0;
  minute = 0;
  hour = 0;
  dayOfWeek = 1;
  day = 1;
  month = 1;
  year = 0;
  /** DSE: the October fall-back from 1:59:59 to 1:00:00 already happened this year (it must not repeat). */
  dstFellBack = false;

  /**
   * The divider's phase origin in ticks (may be fractional or negative): updates happen at origin + n seconds
   * and periodic interrupts at origin + k periods, both taps of the same divider chain as on the chip.
   */
  phaseOrigin = 0;
  /** The tick of the next update cycle (valid while the divider runs). */
  nextUpdate = 0;
  /** The index k of the next periodic boundary origin + k * period, while the periodic timer is armed. */
  nextPeriodic = 0;
  /** The tick register C was last read (for PF set with PIE off, evaluated lazily). */
  lastCRead = 0;

  private disarmUpdate: (() => void) | undefined;
  private disarmPeriodic: (() => void) | undefined;
  private virq: Virq | undefined;
  private virqMissingLogged = false;

  constructor(
    private readonly vdh: Vdh,
    options: VcmosOptions = {},
  ) {
    const date = (options.now ?? (() => new Date()))();
    this.second = date.getSeconds();
    this.minute = date.getMinutes();
    this.hour = date.getHours();
    this.dayOfWeek = date.getDay() + 1;
    this.day = date.getDate();
    this.month = date.getMonth() + 1;
    this.year = date.getFullYear() % 100;

    const r = this.ram;
    r[REG_A] = A_DV_RUN | 0x06; // 32.768 kHz, 1024 Hz periodic rate: what an AT BIOS programs
    r[REG_B] = B_24H; // BCD, 24-hour, no interrupts, no daylight saving
    r[REG_C] = 0;
    r[REG_D] = D_VRT;
    r[0x0e] = 0; // diagnostic status: all good
    r[0x0f] = 0; // shutdown status: a normal reset
    r[0x10] = 0x40; // floppy types: A: 1.44 MB, no B:
    r[0x12] = 0; // no hard disk types (drives are the disk VDD's business, through INT 13h)
    r[0x14] = 0x01 | (options.coprocessor ? 0x02 : 0); // one floppy drive, EGA/VGA display
    const base = 640;
    r[0x15] = base & 0xff;
    r[0x16] = base >> 8;
    // A foreign BIOS sizes memory from here (SeaBIOS with no fw_cfg does): the RAM as QEMU writes it —
    // 17h/18h and 30h/31h the KB from 1 MiB up to 64 MiB, 34h/35h the 64 KiB blocks above 16 MiB.
    const foreign = vdh.firmware.kind === 'foreign';
    const aboveOneMiB = Math.max(0, vdh.ramSize - 0x100000);
    const ext = Math.max(0, Math.min(0xffff, Math.floor(options.extendedKB ?? (foreign ? aboveOneMiB / 1024 : 0))));
    r[0x17] = r[0x30] = ext & 0xff;
    r[0x18] = r[0x31] = ext >> 8;
    if (foreign) {
      const above16 = Math.min(0xffff, Math.max(0, vdh.ramSize - 0x1000000) / 0x10000);
      r[0x34] = above16 & 0xff;
      r[0x35] = above16 >> 8;
    }
    r[CENTURY] = toBcd(Math.floor(date.getFullYear() / 100));
    this.updateChecksum();

    // The last update happened when the host's second began, so the next comes at the host's next second.
    const tps = vdh.ticksPerSecond;
    this.nextUpdate = vdh.now + ((1000 - date.getMilliseconds()) / 1000) * tps;
    this.phaseOrigin = this.nextUpdate - tps;
    this.lastCRead = vdh.now;
  }

  /** Hook the ports and start the clock. */
  install(): void {
    this.vdh.installIoHook(0x70, 2, {
      byteIn: (port) => (port === 0x71 ? this.readData() : 0xff), // 70h is write-only on the AT
      byteOut: (port, value) => (port === 0x71 ? this.writeData(value) : this.writeIndex(value)),
    });
    this.armUpdate();
    this.vdh.registerName('VCMOS', (command, input) => this.request(command, input));
    this.vdh.onUserHook('terminate', () => {
      this.disarmUpdate?.();
      this.disarmPeriodic?.();
    });
  }

  /**
   * The named request `VCMOS` (VBIOS's INT 1Ah goes through it): 1 read register `{reg}` -> byte,
   * 2 write register `{reg, value}`, 3 the clock `{century, year, month, day, hour, minute, second, dayOfWeek}`
   * (binary), 4 set any of those fields.
   */
  request(command: number, input: unknown): unknown {
    const arg = (input ?? {}) as Record<string, unknown>;
    const reg = Number(arg.reg) & 0x7f;
    switch (command) {
      case 1:
      case 2: {
        const saved = this.index;
        this.index = reg;
        const answer = command === 1 ? this.readData() : this.writeData(Number(arg.value) & 0xff);
        this.index = saved;
        return answer;
      }
      case 3: {
        const bcd = (v: number): number => ((v >> 4) & 0x0f) * 10 + (v & 0x0f);
        return {
          century: bcd(this.ram[CENTURY]),
          year: this.year,
          month: this.month,
          day: this.day,
          hour: this.hour,
          minute: this.minute,
          second: this.second,
          dayOfWeek: this.dayOfWeek,
        };
      }
      case 4: {
        const set = (k: string, lo: number, hi: number, apply: (v: number) => void): void => {
          const v = arg[k];
          if (v === undefined) return;
          if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new Error(`VCMOS: ${k} ${String(v)} is outside ${lo}..${hi}`);
          apply(v);
        };
        set('century', 0, 99, (v) => (this.ram[CENTURY] = ((v / 10) << 4) | v % 10));
        set('year', 0, 99, (v) => (this.year = v));
        set('month', 1, 12, (v) => (this.month = v));
        set('day', 1, 31, (v) => (this.day = v));
        set('hour', 0, 23, (v) => (this.hour = v));
        set('minute', 0, 59, (v) => (this.minute = v));
        set('second', 0, 59, (v) => (this.second = v));
        set('dayOfWeek', 1, 7, (v) => (this.dayOfWeek = v));
        return undefined;
      }
      default:
        throw new Error(`VCMOS: unknown request ${command}`);
    }
  }

  /** The checksum the BIOS keeps over 10h-2Dh, big-endian at 2Eh-2Fh. */
  updateChecksum(): void {
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += this.ram[i];
    this.ram[0x2e] = (sum >> 8) & 0xff;
    this.ram[0x2f] = sum & 0xff;
  }

  writeIndex(value: number): void {
    this.index = value & 0x7f;
    this.nmiMasked = (value & 0x80) !== 0;
  }

  readData(): number {
    const i = this.index;
    switch (i) {
      case SECONDS:
        return this.encode(this.second);
      case MINUTES:
        return this.encode(this.minute);
      case HOURS:
        return this.encodeHour(this.hour);
      case DAY_OF_WEEK:
        return this.encode(this.dayOfWeek);
      case DAY:
        return this.encode(this.day);
      case MONTH:
        return this.encode(this.month);
      case YEAR:
        return this.encode(this.year);
      case REG_A:
        return (this.ram[REG_A] & ~A_UIP) | (this.updateInProgress() ? A_UIP : 0);
      case REG_C:
        return this.readC();
      case REG_D:
        return D_VRT;
      default:
        return this.ram[i];
    }
  }

  writeData(value: number): void {
    const i = this.index;
    switch (i) {
      case SECONDS:
        this.second = this.decode(value);
        break;
      case MINUTES:
        this.minute = this.decode(value);
        break;
      case HOURS:
        this.hour = this.decodeHour(value);
        break;
      case DAY_OF_WEEK:
        this.dayOfWeek = this.decode(value);
        break;
      case DAY:
        this.day = this.decode(value);
        break;
      case MONTH:
        this.month = this.decode(value);
        break;
      case YEAR:
        this.year = this.decode(value);
        break;
      case REG_A:
        this.writeA(value);
        break;
      case REG_B:
        this.writeB(value);
        break;
      case REG_C:
      case REG_D:
        break; // read-only
      default:
        this.ram[i] = value; // alarm bytes and RAM
    }
  }

  private get running(): boolean {
    return (this.ram[REG_A] & A_DV_MASK) === A_DV_RUN;
  }

  private get binary(): boolean {
    return (this.ram[REG_B] & B_DM_BINARY) !== 0;
  }

  private encode(v: number): number {
    return this.binary ? v & 0xff : toBcd(v);
  }

  private decode(v: number): number {
    return this.binary ? v : fromBcd(v);
  }

  /** 24-hour: 0-23. 12-hour: 1-12 with bit 7 for PM. */
  private encodeHour(h: number): number {
    if (this.ram[REG_B] & B_24H) return this.encode(h);
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return this.encode(h12) | (h >= 12 ? 0x80 : 0);
  }

  private decodeHour(v: number): number {
    if (this.ram[REG_B] & B_24H) return this.decode(v);
    const h12 = this.decode(v & 0x7f) % 12;
    return h12 + (v & 0x80 ? 12 : 0);
  }

  /** UIP: from 244 µs before an update until it happens; never while SET inhibits updates or the divider is off. */
  private updateInProgress(): boolean {
    if (!this.running || this.ram[REG_B] & B_SET) return false;
    return this.nextUpdate - this.vdh.now <= UIP_SECONDS * this.vdh.ticksPerSecond;
  }

  private writeA(value: number): void {
    const wasRunning = this.running;
    this.ram[REG_A] = value & ~A_UIP;
    if (this.running && !wasRunning) {
      // Leaving divider reset: the first update comes half a second later (MC146818 data sheet).
      const tps = this.vdh.ticksPerSecond;
      this.nextUpdate = this.vdh.now + tps / 2;
      this.phaseOrigin = this.nextUpdate - tps;
      this.armUpdate();
    } else if (!this.running && wasRunning) {
      this.disarmUpdate?.();
      this.disarmUpdate = undefined;
    }
    this.armPeriodic();
  }

  private writeB(value: number): void {
    // SET clears UIE: no update-ended interrupts while the guest sets the time.
    if (value & B_SET) value &= ~B_UIE;
    this.ram[REG_B] = value;
    this.armPeriodic();
    // IRQF follows (PF & PIE) | (AF & AIE) | (UF & UIE) on the chip: enabling an interrupt whose flag is up
    // raises it at once, disabling the last one that held it drops it.
    const c = this.ram[REG_C];
    if (c & C_IRQF && !(c & value & (C_PF | C_AF | C_UF))) {
      this.ram[REG_C] = c & ~C_IRQF;
      this.irq()?.clear();
    }
    this.raise(0);
  }

  /** Register C: flags since the last read; reading clears them and drops IRQ 8. */
  private readC(): number {
    const now = this.vdh.now;
    // PF is set at every periodic boundary whether or not PIE is on; with PIE off no timer runs for it (the
    // periodic timer sets it otherwise), so it is worked out here: did a boundary pass since the last read?
    const rate = this.running ? periodicRate(this.ram[REG_A] & A_RS_MASK) : 0;
    if (rate > 0 && !(this.ram[REG_B] & B_PIE)) {
      const period = this.vdh.ticksPerSecond / rate;
      if (Math.floor((now - this.phaseOrigin) / period) > Math.floor((this.lastCRead - this.phaseOrigin) / period)) {
        this.ram[REG_C] |= C_PF;
      }
    }
    const c = this.ram[REG_C];
    this.ram[REG_C] = 0;
    this.lastCRead = now;
    if (c & C_IRQF) this.irq()?.clear();
    return c;
  }

  /** Set flags in register C; when an enabled flag is up and IRQF was not, raise IRQF and IRQ 8. */
  private raise(flags: number): void {
    const c = this.ram[REG_C] | flags;
    const enabled = this.ram[REG_B] & (B_PIE | B_AIE | B_UIE); // same bit positions as PF, AF, UF
    const irqf = (c & enabled & (C_PF | C_AF | C_UF)) !== 0;
    const wasUp = (c & C_IRQF) !== 0;
    this.ram[REG_C] = c | (irqf ? C_IRQF : 0);
    // The line stays asserted until C is read, so only the rising edge is a new request.
    if (irqf && !wasUp) this.irq()?.set();
  }

  /** IRQ 8, opened when first needed (the interrupt controller VDD may load after this one). */
  private irq(): Virq | undefined {
    if (!this.virq) {
      try {
        this.virq = this.vdh.openVirq(IRQ);
      } catch (e) {
        if (!this.virqMissingLogged) this.vdh.log(`VCMOS: IRQ 8 unavailable: ${(e as Error).message}`);
        this.virqMissingLogged = true;
      }
    }
    return this.virq;
  }

  private armUpdate(): void {
    this.disarmUpdate?.();
    this.disarmUpdate = undefined;
    if (!this.running) return;
    this.disarmUpdate = this.vdh.armTimer(this.nextUpdate - this.vdh.now, () => this.onUpdate());
  }

  /** The once-a-second update cycle. */
  private onUpdate(): void {
    this.nextUpdate += this.vdh.ticksPerSecond;
    this.disarmUpdate = undefined;
    if (!(this.ram[REG_B] & B_SET)) {
      this.tick();
      let flags = C_UF;
      if (this.alarmMatches()) flags |= C_AF;
      this.raise(flags);
    }
    this.armUpdate();
  }

  private alarmMatches(): boolean {
    const r = this.ram;
    const match = (alarm: number, now: number) => alarm >= DONT_CARE || alarm === now;
    return (
      match(r[SECONDS_ALARM], this.encode(this.second)) &&
      match(r[MINUTES_ALARM], this.encode(this.minute)) &&
      match(r[HOURS_ALARM], this.encodeHour(this.hour))
    );
  }

  /** Advance the time by one second, with the chip's calendar and (DSE) its US daylight-saving rule. */
  private tick(): void {
    if (this.ram[REG_B] & B_DSE && this.dayOfWeek === 1 && this.minute === 59 && this.second === 59) {
      // Last Sunday in April: 1:59:59 -> 3:00:00. Last Sunday in October: 1:59:59 -> 1:00:00, once.
      if (this.month === 4 && this.day >= 24 && this.hour === 1) {
        this.second = 0;
        this.minute = 0;
        this.hour = 3;
        return;
      }
      if (this.month === 10 && this.day >= 25 && this.hour === 1 && !this.dstFellBack) {
        this.second = 0;
        this.minute = 0;
        this.dstFellBack = true;
        return;
      }
    }
    if (++this.second < 60) return;
    this.second = 0;
    if (++this.minute < 60) return;
    this.minute = 0;
    if (++this.hour < 24) return;
    this.hour = 0;
    this.dayOfWeek = (this.dayOfWeek % 7) + 1;
    if (++this.day <= daysInMonth(this.month, this.year)) return;
    this.day = 1;
    if (++this.month <= 12) return;
    this.month = 1;
    this.dstFellBack = false;
    // The chip counts years 0-99 only; the century byte at 32h is plain RAM the BIOS maintains.
    this.year = (this.year + 1) % 100;
  }

  /** Run a timer at each periodic boundary while PIE is on (PF alone is worked out lazily in readC). */
  private armPeriodic(): void {
    this.disarmPeriodic?.();
    this.disarmPeriodic = undefined;
    const rate = periodicRate(this.ram[REG_A] & A_RS_MASK);
    if (!(this.ram[REG_B] & B_PIE) || !this.running || rate === 0) return;
    const period = this.vdh.ticksPerSecond / rate;
    this.nextPeriodic = Math.floor((this.vdh.now - this.phaseOrigin) / period) + 1;
    const schedule = (): void => {
      const at = this.phaseOrigin + this.nextPeriodic * period;
      this.disarmPeriodic = this.vdh.armTimer(at - this.vdh.now, () => {
        this.nextPeriodic++;
        schedule();
        this.raise(C_PF);
      });
    };
    schedule();
  }
}

/** A VCMOS module with the given options (extended memory size, host clock). */
export function createVcmos(options: VcmosOptions = {}): VddModule {
  return {
    name: 'VCMOS',
    init(vdh: Vdh): void {
      new Vcmos(vdh, options).install();
    },
  };
}

export default createVcmos();
