/**
 * VCMOS on the real VM monitor: the guest's view of the MC146818 through ports 70h/71h, with the clock
 * advancing in virtual time while a guest loop runs. Only IRQ 8's line is a test double (the interrupt
 * controller is another VDD); it records requests and, like a guest's INT 70h handler, can read register C.
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import { isVddModule } from '../../main/vmm/vdd-loader.js';
import type { InterruptControllerProvider, Virq } from '../../main/vmm/vdh.js';
import vcmosDefault, { createVcmos, periodicRate, type VcmosOptions } from '../../vdd/vcmos/vcmos.js';

const SEG = 0x1000;
/** Monday 23 November 2026, 12:34:56.000 local time. */
const START = (): Date => new Date(2026, 10, 23, 12, 34, 56);

interface Rig {
  vm: VirtualMachine;
  host: VddHost;
  tps: number;
  read(index: number): number;
  write(index: number, value: number): void;
  /** Run the guest loop (`jmp $`) for this many ticks of virtual time. */
  run(ticks: number): void;
  /** IRQ 8 line events in order: 'set' / 'clear'. */
  irq: string[];
  /** When true, each IRQ 8 request is serviced at once by reading register C, as an INT 70h handler does. */
  ackOnSet: boolean;
}

function rig(options: VcmosOptions = {}): Rig {
  const vm = new VirtualMachine({ model: CpuModel.i80386 });
  vm.machine.ram.set([0xeb, 0xfe], SEG * 16 + 0x100); // jmp $
  vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x002 });
  const host = new VddHost(vm);
  const ports = vm.machine.ports;
  const r: Rig = {
    vm,
    host,
    tps: vm.ticksPerSecond,
    read(index) {
      ports.out8(0x70, index);
      return ports.in8(0x71);
    },
    write(index, value) {
      ports.out8(0x70, index);
      ports.out8(0x71, value);
    },
    run(ticks) {
      const end = vm.now + ticks;
      vm.run(ticks);
      expect(vm.now).toBe(end);
    },
    irq: [],
    ackOnSet: false,
  };
  const line: Virq = {
    irq: 8,
    set() {
      r.irq.push('set');
      if (r.ackOnSet) r.read(0x0c);
    },
    clear() {
      r.irq.push('clear');
    },
    query: () => ({ pending: false, inService: false, masked: false }),
    onEoi() {},
  };
  const pic: InterruptControllerProvider = {
    openVirq(n) {
      if (n !== 8) throw new Error(`VCMOS opened IRQ ${n}`);
      return line;
    },
    acknowledge: () => -1,
  };
  host.provideInterruptController(pic);
  host.load([createVcmos({ now: START, ...options })]);
  return r;
}

const sets = (r: Rig): number => r.irq.filter((e) => e === 'set').length;
const time = (r: Rig): number[] => [0x04, 0x02, 0x00].map((i) => r.read(i));

describe('VCMOS real-time clock', () => {
  it('is a well-formed VDD module named VCMOS', () => {
    expect(isVddModule(vcmosDefault)).toBe(true);
    expect(vcmosDefault.name).toBe('VCMOS');
  });

  it('reads the host time of VM creation in BCD, with the status registers of a booted AT', () => {
    const r = rig();
    expect([0, 2, 4, 6, 7, 8, 9].map((i) => r.read(i))).toEqual([0x56, 0x34, 0x12, 0x02, 0x23, 0x11, 0x26]);
    expect(r.read(0x32)).toBe(0x20); // century
    expect(r.read(0x0a)).toBe(0x26); // 32.768 kHz, 1024 Hz, no update in progress
    expect(r.read(0x0b)).toBe(0x02); // 24-hour BCD, no interrupts
    expect(r.read(0x0d)).toBe(0x80); // battery good
  });

  it('reads the same time in binary when register B selects binary mode', () => {
    const r = rig();
    r.write(0x0b, 0x06);
    expect([0, 2, 4, 6, 7, 8, 9].map((i) => r.read(i))).toEqual([56, 34, 12, 2, 23, 11, 26]);
    r.write(0x00, 7); // a binary write is taken as binary
    r.write(0x0b, 0x02);
    expect(r.read(0x00)).toBe(0x07);
  });

  it('reads and writes hours in 12-hour mode with bit 7 for PM', () => {
    const r = rig();
    r.write(0x0b, 0x00); // 12-hour BCD
    expect(r.read(0x04)).toBe(0x92); // 12 PM
    r.write(0x04, 0x12); // 12 AM is midnight
    r.write(0x0b, 0x02);
    expect(r.read(0x04)).toBe(0x00);
    r.write(0x04, 0x15);
    r.write(0x0b, 0x04); // 12-hour binary
    expect(r.read(0x04)).toBe(0x83); // 3 PM
    r.write(0x04, 0x8b); // 11 PM
    r.write(0x0b, 0x02);
    expect(r.read(0x04)).toBe(0x23);
  });

  it('advances the seconds with the virtual clock while the guest runs, not with the host clock', () => {
    const r = rig();
    r.run(r.tps - 1);
    expect(r.read(0x00)).toBe(0x56);
    r.run(1);
    expect(r.read(0x00)).toBe(0x57);
    r.run(4 * r.tps);
    expect(time(r)).toEqual([0x12, 0x35, 0x01]);
  });

  it('raises UIP for the last 244 µs before each update and drops it when the update is done', () => {
    const r = rig();
    const uipTicks = Math.floor(244e-6 * r.tps);
    r.run(r.tps - uipTicks - 10);
    expect(r.read(0x0a) & 0x80).toBe(0);
    r.run(20);
    expect(r.read(0x0a) & 0x80).toBe(0x80);
    expect(r.read(0x00)).toBe(0x56); // not updated yet: the guest must wait for UIP to fall
    r.run(uipTicks);
    expect(r.read(0x0a) & 0x80).toBe(0);
    expect(r.read(0x00)).toBe(0x57);
  });

  it('holds the clock while SET is on and counts on from the time the guest wrote', () => {
    const r = rig();
    r.write(0x0b, 0x02 | 0x10); // UIE on ...
    r.write(0x0b, 0x80 | 0x02 | 0x10); // ... and SET clears it
    expect(r.read(0x0b)).toBe(0x82);
    r.write(0x04, 0x09);
    r.write(0x02, 0x00);
    r.write(0x00, 0x00);
    r.run(r.tps - 100);
    expect(r.read(0x0a) & 0x80).toBe(0); // no update in progress while SET inhibits it
    r.run(2 * r.tps);
    expect(time(r)).toEqual([0x09, 0x00, 0x00]);
    r.write(0x0b, 0x02);
    r.run(r.tps);
    expect(time(r)).toEqual([0x09, 0x00, 0x01]);
    expect(sets(r)).toBe(0);
  });

  it('rolls over the year and a leap day with its calendar', () => {
    const r = rig();
    const setDate = (y: number, mo: number, d: number, dow: number, h: number, mi: number, s: number): void => {
      r.write(0x0b, 0x82);
      [
        [0x09, y],
        [0x08, mo],
        [0x07, d],
        [0x06, dow],
        [0x04, h],
        [0x02, mi],
        [0x00, s],
      ].forEach(([i, v]) => r.write(i, v));
      r.write(0x0b, 0x02);
    };
    setDate(0x99, 0x12, 0x31, 0x06, 0x23, 0x59, 0x59); // Friday 31 Dec 1999, 23:59:59
    r.run(r.tps);
    expect([9, 8, 7, 6, 4, 2, 0].map((i) => r.read(i))).toEqual([0x00, 0x01, 0x01, 0x07, 0, 0, 0]);
    setDate(0x28, 0x02, 0x28, 0x02, 0x23, 0x59, 0x59); // Monday 28 Feb 2028
    r.run(r.tps);
    expect([8, 7, 6].map((i) => r.read(i))).toEqual([0x02, 0x29, 0x03]);
    setDate(0x27, 0x02, 0x28, 0x01, 0x23, 0x59, 0x59); // Sunday 28 Feb 2027
    r.run(r.tps);
    expect([8, 7, 6].map((i) => r.read(i))).toEqual([0x03, 0x01, 0x02]);
  });

  it('stops while the divider is in reset and updates half a second after it restarts', () => {
    const r = rig();
    r.write(0x0a, 0x76);
    r.run(3 * r.tps);
    expect(r.read(0x00)).toBe(0x56);
    r.write(0x0a, 0x26);
    r.run(r.tps / 2 - 1);
    expect(r.read(0x00)).toBe(0x56);
    r.run(1);
    expect(r.read(0x00)).toBe(0x57);
  });

  it('flags each update in register C, raises IRQ 8 only with UIE, and clears on read', () => {
    const r = rig();
    r.run(r.tps);
    expect(r.read(0x0c)).toBe(0x50); // UF (and PF, at 1024 Hz), no IRQF: UIE and PIE are off
    expect(r.read(0x0c)).toBe(0x00); // read clears
    expect(r.irq).toEqual([]);
    r.write(0x0b, 0x12); // UIE
    r.run(r.tps);
    expect(r.irq).toEqual(['set']);
    r.run(r.tps); // the line stays up until C is read: no second request
    expect(r.irq).toEqual(['set']);
    expect(r.read(0x0c)).toBe(0xd0); // IRQF | PF | UF
    expect(r.irq).toEqual(['set', 'clear']);
    expect(r.read(0x0c)).toBe(0x00);
  });

  it('raises IRQ 8 when UIE is enabled while UF is already up', () => {
    const r = rig();
    r.run(r.tps);
    r.write(0x0b, 0x12);
    expect(r.irq).toEqual(['set']);
    r.write(0x0b, 0x02); // and drops it when disabled again
    expect(r.irq).toEqual(['set', 'clear']);
    expect(r.read(0x0c)).toBe(0x50);
  });

  it('interrupts at the periodic rate of register A: 1024 a second at RS=6, 2 at RS=15', () => {
    expect([0, 1, 2, 3, 6, 15].map(periodicRate)).toEqual([0, 256, 128, 8192, 1024, 2]);
    const r = rig();
    r.ackOnSet = true;
    r.write(0x0b, 0x42); // PIE
    r.run(r.tps);
    expect(sets(r)).toBe(1024);
    r.irq.length = 0;
    r.write(0x0a, 0x2f);
    r.run(r.tps);
    expect(sets(r)).toBe(2);
    r.irq.length = 0;
    r.write(0x0a, 0x20); // RS=0: no periodic interrupt
    r.run(r.tps);
    expect(sets(r)).toBe(0);
  });

  it('sets PF at the periodic rate with PIE off, without raising IRQ 8', () => {
    const r = rig();
    r.read(0x0c);
    r.run(Math.floor(r.tps / 1024) + 1);
    expect(r.read(0x0c) & 0x40).toBe(0x40);
    expect(r.read(0x0c) & 0x40).toBe(0);
    expect(r.irq).toEqual([]);
  });

  it('raises the alarm when the time matches, with C0h-FFh as "any value"', () => {
    const r = rig();
    r.write(0x01, 0x58);
    r.write(0x03, 0xff);
    r.write(0x05, 0xc0);
    r.write(0x0b, 0x22); // AIE
    r.run(r.tps); // 12:34:57
    expect(r.irq).toEqual([]);
    expect(r.read(0x0c)).toBe(0x50);
    r.run(r.tps); // 12:34:58
    expect(r.irq).toEqual(['set']);
    expect(r.read(0x0c)).toBe(0xf0); // IRQF | PF | AF | UF
    r.write(0x01, 0x00);
    r.write(0x03, 0x35);
    r.write(0x05, 0x13); // 13:35:00 does not match 12:35:00
    r.run(2 * r.tps);
    expect(r.read(0x0c)).toBe(0x50);
    r.write(0x05, 0x12);
    r.write(0x00, 0x59);
    r.write(0x02, 0x34); // 12:34:59 -> 12:35:00
    r.run(r.tps);
    expect(r.read(0x0c)).toBe(0xf0);
  });
});

describe('VCMOS RAM', () => {
  it('holds the AT layout: drives, equipment, memory sizes, century and the checksum over 10h-2Dh', () => {
    const r = rig({ extendedKB: 15 * 1024 });
    expect([0x0e, 0x0f, 0x10, 0x12, 0x14].map((i) => r.read(i))).toEqual([0, 0, 0x40, 0, 0x01]);
    expect(r.read(0x15) | (r.read(0x16) << 8)).toBe(640);
    expect(r.read(0x17) | (r.read(0x18) << 8)).toBe(15360);
    expect(r.read(0x30) | (r.read(0x31) << 8)).toBe(15360);
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += r.read(i);
    expect((r.read(0x2e) << 8) | r.read(0x2f)).toBe(sum);
    expect(sum).toBe(0x40 + 0x01 + 0x80 + 0x02 + 0x00 + 0x3c);
    expect(rig({ coprocessor: true }).read(0x14)).toBe(0x03);
  });

  it('keeps what the guest writes to RAM, and ignores writes to C and D', () => {
    const r = rig();
    r.write(0x40, 0xa5);
    r.write(0x7f, 0x5a);
    expect([r.read(0x40), r.read(0x7f)]).toEqual([0xa5, 0x5a]);
    r.write(0x0c, 0xff);
    r.write(0x0d, 0x00);
    expect([r.read(0x0c), r.read(0x0d)]).toEqual([0x00, 0x80]);
  });

  it('takes port 70h bit 7 as the NMI mask, not part of the index, and reads 70h as open bus', () => {
    const r = rig();
    r.write(0x40, 0x77);
    const ports = r.vm.machine.ports;
    ports.out8(0x70, 0x80 | 0x00);
    expect(ports.in8(0x71)).toBe(0x56);
    ports.out8(0x70, 0x80 | 0x40);
    expect(ports.in8(0x71)).toBe(0x77);
    ports.out8(0x70, 0x80 | 0x32);
    expect(ports.in8(0x71)).toBe(0x20);
    expect(ports.in8(0x70)).toBe(0xff);
  });
});
