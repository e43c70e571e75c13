/**
 * VBIOS: the BIOS services that belong to no single device — the equipment and memory-size services
 * (INT 11h, 12h), the AT system services (INT 15h), the time of day (INT 1Ah, the tick count and the RTC
 * through VCMOS), the timer tick itself (INT 08h's host half), print screen and the "no bootable disk"
 * report — and the BIOS data area fields they own (docs/firmware.md).
 *
 * The ROM's stubs reach these through SVC 80h+vector; each service reads and sets the caller's registers.
 */
import { CpuModel, type Vdh, type VddModule } from '../../main/vmm/vdh.js';

const BDA = 0x400;
const CF = 0x0001;
/** Ticks in a day at 1,193,182 / 65,536 Hz: the BIOS rolls the count over here and sets the midnight flag. */
const TICKS_PER_DAY = 0x1800b0;
/** The fixed ROM tables (firmware/bios/rom.ts: RomOffset). */
const CONFIG_TABLE = 0xe6f5;
const BIOS_SEGMENT = 0xf000;

class Vbios {
  constructor(private readonly vdh: Vdh) {}

  install(): void {
    const v = this.vdh;
    v.registerProperty({
      type: 'int',
      name: 'DOS_RMSIZE',
      help: 'Conventional memory in KB the BIOS reports (INT 12h).',
      default: 640,
      min: 128,
      max: 640,
      step: 16,
    });
    v.onUserHook('post', () => this.post());
    v.installBiosService(0x05, () => v.post('print-screen', {}));
    v.installBiosService(0x08, () => this.timerTick());
    v.installBiosService(0x11, () => this.setAx(v.readWord(BDA + 0x10)));
    v.installBiosService(0x12, () => this.setAx(v.readWord(BDA + 0x13)));
    v.installBiosService(0x14, () => this.serial());
    v.installBiosService(0x15, () => this.system());
    v.installBiosService(0x17, () => this.printer());
    v.installBiosService(0x18, () => {
      v.log('no bootable disk');
      v.post('boot-failed', { reason: 'No bootable disk' });
    });
    v.installBiosService(0x19, () => {
      const drive = v.getRegisters().edx & 0xff;
      v.log(`booting from drive ${drive.toString(16).padStart(2, '0')}h`);
      v.post('boot', { drive });
    });
    v.installBiosService(0x1a, () => this.timeOfDay());
    v.installBiosService(0x70, () => this.rtcInterrupt());
  }

  /** The POST call: equipment, memory size, ports, the time of day. */
  private post(): void {
    const v = this.vdh;
    const kb = v.property('DOS_RMSIZE') as number;
    const disks = this.requestOf<{ floppies: number }>('VDSK', 1);
    const floppies = disks?.floppies ?? 0;
    const mode = this.requestOf<{ mode: number }>('VVIDEO', 2)?.mode ?? 3;
    let equipment = 0;
    if (floppies > 0) equipment |= 0x0001 | ((floppies - 1) << 6);
    equipment |= mode === 7 ? 0x30 : 0x20; // initial video: 80x25 colour, or monochrome
    if (v.fpu) equipment |= 0x0002; // math coprocessor
    v.writeWord(BDA + 0x10, equipment);
    v.writeWord(BDA + 0x13, kb);
    for (let i = 0; i < 8; i++) v.writeWord(BDA + i * 2, 0); // no COM or LPT ports yet
    v.writeByte(BDA + 0x6b, 0);
    v.writeWord(BDA + 0x72, 0);
    this.setTicksFromClock();
  }

  /** INT 08h's host half: the tick count, the midnight flag, the diskette motor's run-down. */
  private timerTick(): void {
    const v = this.vdh;
    let ticks = (v.readWord(BDA + 0x6c) | (v.readWord(BDA + 0x6e) << 16)) >>> 0;
    ticks++;
    if (ticks >= TICKS_PER_DAY) {
      ticks = 0;
      v.writeByte(BDA + 0x70, 1);
    }
    v.writeWord(BDA + 0x6c, ticks & 0xffff);
    v.writeWord(BDA + 0x6e, ticks >>> 16);
    const motor = v.readByte(BDA + 0x40);
    if (motor > 0) {
      v.writeByte(BDA + 0x40, motor - 1);
      if (motor === 1) v.writeByte(BDA + 0x3f, v.readByte(BDA + 0x3f) & 0xf0);
    }
  }

  /** INT 15h: the AT system services. */
  private system(): void | 'wait' {
    const v = this.vdh;
    const r = v.getRegisters();
    const ah = (r.eax >>> 8) & 0xff;
    const al = r.eax & 0xff;
    // An XT's INT 15h is the cassette interface: nothing from the AT (extended memory, A20, ...) answers.
    if (v.model < CpuModel.i80286 && ![0x4f, 0x85, 0x86, 0x90, 0x91, 0xc0].includes(ah)) return this.unsupported();
    switch (ah) {
      case 0x4f: // keyboard intercept: keep the scan code
        return this.flags(CF, 0);
      case 0x85: // SysReq
      case 0x90: // device busy
      case 0x91: // interrupt complete
        return this.okAh(0);
      case 0x86:
        return this.wait((((r.ecx & 0xffff) << 16) | (r.edx & 0xffff)) >>> 0);
      case 0x87:
        return this.moveBlock();
      case 0x88: {
        const kb = Math.min(0xffff, Math.max(0, (v.ramSize - 0x100000) >> 10));
        this.setAx(kb);
        return this.flags(0, CF);
      }
      case 0xc0:
        v.setRegisters({ es: BIOS_SEGMENT, ebx: (r.ebx & ~0xffff) | CONFIG_TABLE });
        return this.okAh(0);
      case 0x24:
        return this.a20(al);
      case 0xe8:
        if (al === 0x01) return this.e801();
        if (al === 0x20 && v.model >= CpuModel.i80386 && r.edx >>> 0 === 0x534d4150) return this.e820();
        return this.unsupported();
      default:
        return this.unsupported();
    }
  }

  /** INT 15h AH=86h: wait CX:DX microseconds of virtual time without spinning. */
  private waitUntil = -1;
  private wait(microseconds: number): void | 'wait' {
    const v = this.vdh;
    if (this.waitUntil < 0) {
      const ticks = Math.max(1, Math.round((microseconds / 1e6) * v.ticksPerSecond));
      this.waitUntil = v.now + ticks;
      v.armTimer(ticks, () => v.endWait());
      return 'wait';
    }
    if (v.now < this.waitUntil) return 'wait';
    this.waitUntil = -1;
    return this.okAh(0);
  }

  /** INT 15h AH=87h: copy CX words between the 24-bit addresses of the descriptors at ES:SI. */
  private moveBlock(): void {
    const v = this.vdh;
    const r = v.getRegisters();
    const gdt = ((r.es << 4) + (r.esi & 0xffff)) >>> 0;
    const base = (at: number): number => v.readWord(at + 2) | (v.readByte(at + 4) << 16) | (v.readByte(at + 7) << 24);
    const words = r.ecx & 0xffff;
    if (words > 0x8000) return this.failAh(0x01);
    const bytes = v.readGuest(base(gdt + 0x10), words * 2);
    v.writeGuest(base(gdt + 0x18), bytes);
    this.okAh(0);
  }

  /** INT 15h AH=24h: the A20 gate. */
  private a20(al: number): void {
    const v = this.vdh;
    switch (al) {
      case 0x00:
      case 0x01:
        v.setA20(al === 1);
        return this.okAh(0);
      case 0x02:
        this.setAx(v.a20 ? 0x0001 : 0x0000);
        return this.flags(0, CF);
      case 0x03: {
        const r = v.getRegisters();
        v.setRegisters({ ebx: (r.ebx & ~0xffff) | 0x0003 }); // through the 8042 and port 92h
        return this.okAh(0);
      }
      default:
        return this.unsupported();
    }
  }

  /** INT 15h AX=E801h: memory between 1 MB and 16 MB in KB, above 16 MB in 64 KB blocks. */
  private e801(): void {
    const v = this.vdh;
    const above1 = Math.max(0, v.ramSize - 0x100000);
    const low = Math.min(above1, 15 * 1024 * 1024) >> 10;
    const high = Math.max(0, v.ramSize - 0x1000000) >> 16;
    const r = v.getRegisters();
    v.setRegisters({
      eax: (r.eax & ~0xffff) | low,
      ecx: (r.ecx & ~0xffff) | low,
      ebx: (r.ebx & ~0xffff) | high,
      edx: (r.edx & ~0xffff) | high,
      eflags: r.eflags & ~CF,
    });
  }

  /** INT 15h EAX=E820h: the memory map, one entry per call; EBX is the continuation. */
  private e820(): void {
    const v = this.vdh;
    const r = v.getRegisters();
    const kb = v.property('DOS_RMSIZE') as number;
    const map: [number, number, number][] = [
      [0, kb * 1024, 1],
      [kb * 1024, 0xa0000 - kb * 1024, 2],
      [0xf0000, 0x10000, 2],
      [0x100000, v.ramSize - 0x100000, 1],
    ].filter((e) => e[1] > 0) as [number, number, number][];
    const i = r.ebx >>> 0;
    if (i >= map.length || (r.ecx >>> 0) < 20) return this.unsupported();
    const [base, length, type] = map[i];
    const entry = new Uint8Array(20);
    const view = new DataView(entry.buffer);
    view.setUint32(0, base, true);
    view.setUint32(8, length, true);
    view.setUint32(16, type, true);
    v.writeGuest(((r.es << 4) + (r.edi & 0xffff)) >>> 0, entry);
    v.setRegisters({ eax: 0x534d4150, ecx: 20, ebx: i + 1 < map.length ? i + 1 : 0, eflags: r.eflags & ~CF });
  }

  /** INT 1Ah: the tick count and the real-time clock. */
  private timeOfDay(): void {
    const v = this.vdh;
    const r = v.getRegisters();
    const ah = (r.eax >>> 8) & 0xff;
    const bcd = (n: number): number => ((Math.floor(n / 10) % 10) << 4) | n % 10;
    const bin = (b: number): number => (b >> 4) * 10 + (b & 0x0f);
    switch (ah) {
      case 0x00: {
        const midnight = v.readByte(BDA + 0x70);
        v.writeByte(BDA + 0x70, 0);
        v.setRegisters({
          eax: (r.eax & ~0xff) | midnight,
          ecx: (r.ecx & ~0xffff) | v.readWord(BDA + 0x6e),
          edx: (r.edx & ~0xffff) | v.readWord(BDA + 0x6c),
        });
        return;
      }
      case 0x01:
        v.writeWord(BDA + 0x6c, r.edx & 0xffff);
        v.writeWord(BDA + 0x6e, r.ecx & 0xffff);
        v.writeByte(BDA + 0x70, 0);
        return;
      case 0x02: {
        const c = this.clock();
        if (!c) return this.flags(CF, 0);
        v.setRegisters({
          ecx: (r.ecx & ~0xffff) | (bcd(c.hour) << 8) | bcd(c.minute),
          edx: (r.edx & ~0xffff) | (bcd(c.second) << 8),
          eflags: r.eflags & ~CF,
        });
        return;
      }
      case 0x03:
        this.setClock({ hour: bin((r.ecx >> 8) & 0xff), minute: bin(r.ecx & 0xff), second: bin((r.edx >> 8) & 0xff) });
        this.setTicksFromClock();
        return this.flags(0, CF);
      case 0x04: {
        const c = this.clock();
        if (!c) return this.flags(CF, 0);
        v.setRegisters({
          ecx: (r.ecx & ~0xffff) | (bcd(c.century) << 8) | bcd(c.year),
          edx: (r.edx & ~0xffff) | (bcd(c.month) << 8) | bcd(c.day),
          eflags: r.eflags & ~CF,
        });
        return;
      }
      case 0x05:
        this.setClock({
          century: bin((r.ecx >> 8) & 0xff),
          year: bin(r.ecx & 0xff),
          month: bin((r.edx >> 8) & 0xff),
          day: bin(r.edx & 0xff),
        });
        return this.flags(0, CF);
      default:
        return this.flags(CF, 0);
    }
  }

  /** INT 70h's host half: AL holds CMOS register C. An alarm calls the user's INT 4Ah. */
  private rtcInterrupt(): void {
    const c = this.vdh.getRegisters().eax & 0xff;
    if (c & 0x20) this.vdh.pushInt(0x4a);
  }

  private serial(): void {
    // No serial ports yet (VCOM comes later): every function reports a timeout, as with no UART fitted.
    const r = this.vdh.getRegisters();
    this.vdh.setRegisters({ eax: (r.eax & 0xff) | 0x8000 });
  }

  private printer(): void {
    // No printer ports yet: "time-out" status.
    const r = this.vdh.getRegisters();
    this.vdh.setRegisters({ eax: (r.eax & 0xff) | 0x0100 });
  }

  private clock(): { century: number; year: number; month: number; day: number; hour: number; minute: number; second: number } | undefined {
    return this.requestOf('VCMOS', 3);
  }
  private setClock(fields: Record<string, number>): void {
    const h = this.vdh.openVdd('VCMOS');
    if (h) this.vdh.requestVdd(h, 4, fields);
  }

  /** The tick count since midnight from the RTC, as the BIOS sets it at POST. */
  private setTicksFromClock(): void {
    const c = this.clock();
    if (!c) return;
    const seconds = c.hour * 3600 + c.minute * 60 + c.second;
    const ticks = Math.floor((seconds * 1193182) / 65536);
    this.vdh.writeWord(BDA + 0x6c, ticks & 0xffff);
    this.vdh.writeWord(BDA + 0x6e, ticks >>> 16);
    this.vdh.writeByte(BDA + 0x70, 0);
  }

  private requestOf<T>(name: string, command: number): T | undefined {
    const h = this.vdh.openVdd(name);
    return h ? (this.vdh.requestVdd(h, command) as T) : undefined;
  }

  private setAx(value: number): void {
    const r = this.vdh.getRegisters();
    this.vdh.setRegisters({ eax: (r.eax & ~0xffff) | (value & 0xffff) });
  }
  private flags(set: number, clear: number): void {
    const r = this.vdh.getRegisters();
    this.vdh.setRegisters({ eflags: (r.eflags & ~clear) | set });
  }
  private okAh(ah: number): void {
    const r = this.vdh.getRegisters();
    this.vdh.setRegisters({ eax: (r.eax & ~0xff00) | (ah << 8), eflags: r.eflags & ~CF });
  }
  private failAh(ah: number): void {
    const r = this.vdh.getRegisters();
    this.vdh.setRegisters({ eax: (r.eax & ~0xff00) | (ah << 8), eflags: r.eflags | CF });
  }
  private unsupported(): void {
    this.failAh(0x86);
  }
}

const vbios: VddModule = {
  name: 'VBIOS',
  init(vdh: Vdh): void {
    new Vbios(vdh).install();
  },
};
export default vbios;
