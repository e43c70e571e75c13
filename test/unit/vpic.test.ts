/**
 * VPIC, the virtual 8259A pair, on the real VM monitor: programmed through its ports as a BIOS or a guest
 * would, IRQs raised through Virqs, INTA through the machine's bus (what the CPU calls), and a guest
 * program that takes timer interrupts through its own handler.
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { RunState, VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import vpic from '../../vdd/vpic/vpic.js';

const SEG = 0x1000;

function boot(): { vm: VirtualMachine; host: VddHost; out: (p: number, v: number) => void; inp: (p: number) => number; inta: () => number } {
  const vm = new VirtualMachine({ model: CpuModel.i80386 });
  const host = new VddHost(vm);
  host.load([vpic]);
  return {
    vm,
    host,
    out: (p, v) => vm.machine.ports.out8(p, v),
    inp: (p) => vm.machine.ports.in8(p),
    inta: () => vm.machine.acknowledgeInterrupt(),
  };
}

/** What an AT BIOS programs: master base 08h, slave 70h, cascade on IR2, 8086 mode; then `masks`. */
function atInit(out: (p: number, v: number) => void, masterIcw4 = 0x01, slaveIcw4 = 0x01, masterMask = 0, slaveMask = 0): void {
  for (const [cmd, base, icw3, icw4, mask] of [
    [0x20, 0x08, 0x04, masterIcw4, masterMask],
    [0xa0, 0x70, 0x02, slaveIcw4, slaveMask],
  ]) {
    out(cmd, 0x11);
    out(cmd + 1, base);
    out(cmd + 1, icw3);
    out(cmd + 1, icw4);
    out(cmd + 1, mask);
  }
}

const EOI = 0x20;
const readIrr = (t: ReturnType<typeof boot>, port = 0x20) => (t.out(port, 0x0a), t.inp(port));
const readIsr = (t: ReturnType<typeof boot>, port = 0x20) => (t.out(port, 0x0b), t.inp(port));

describe('VPIC (8259A pair)', () => {
  it('powers on with every IRQ masked, so a request stays pending and reaches no one', () => {
    const t = boot();
    expect([t.inp(0x21), t.inp(0xa1)]).toEqual([0xff, 0xff]);
    const irq0 = t.host.openVirq(0);
    irq0.set();
    expect(irq0.query()).toEqual({ pending: true, inService: false, masked: true });
    expect(t.inta()).toBe(-1);
    // Unmasking lets it through, at the PC's power-on vector base.
    t.out(0x21, 0xfe);
    expect(t.inta()).toBe(0x08);
  });

  it('takes its vector base from ICW2 and clears the mask at ICW1', () => {
    const t = boot();
    t.out(0x20, 0x13); // ICW1: edge, single, ICW4 follows
    t.out(0x21, 0x57); // ICW2: T7-T3 = 50h (the low bits are ignored)
    t.out(0x21, 0x01); // ICW4: 8086 mode (no ICW3 in single mode)
    expect(t.inp(0x21)).toBe(0x00);
    t.host.openVirq(3).set();
    expect(t.inta()).toBe(0x53);
    expect(readIsr(t)).toBe(0x08);
  });

  it('raises and drops the CPU interrupt line as requests come and are acknowledged', () => {
    const t = boot();
    atInit(t.out);
    const lines: boolean[] = [];
    const setIrq = t.vm.setIrq.bind(t.vm);
    t.vm.setIrq = (raised) => {
      lines.push(raised);
      setIrq(raised);
    };
    t.host.openVirq(4).set();
    expect(t.inta()).toBe(0x0c);
    t.out(0x20, EOI);
    expect(lines).toEqual([true, false]);
  });

  it('serves IRQ 0 before IRQ 1 and holds a lower IRQ off until the EOI', () => {
    const t = boot();
    atInit(t.out);
    t.host.openVirq(1).set();
    t.host.openVirq(0).set();
    expect(readIrr(t)).toBe(0x03);
    expect(t.inta()).toBe(0x08);
    expect(t.inta()).toBe(-1); // IRQ 1 waits while IRQ 0 is in service
    expect(readIrr(t)).toBe(0x02);
    t.out(0x20, EOI);
    expect(t.inta()).toBe(0x09);
    expect(readIsr(t)).toBe(0x02);
  });

  it('nests a higher-priority IRQ inside a lower one, and a non-specific EOI ends the inner one first', () => {
    const t = boot();
    atInit(t.out);
    t.host.openVirq(3).set();
    expect(t.inta()).toBe(0x0b);
    t.host.openVirq(1).set();
    expect(t.inta()).toBe(0x09);
    expect(readIsr(t)).toBe(0x0a);
    t.out(0x20, EOI);
    expect(readIsr(t)).toBe(0x08);
    t.out(0x20, EOI);
    expect(readIsr(t)).toBe(0x00);
  });

  it('keeps a masked IRQ pending until OCW1 unmasks it', () => {
    const t = boot();
    atInit(t.out, 0x01, 0x01, 0x20);
    expect(t.inp(0x21)).toBe(0x20);
    const irq5 = t.host.openVirq(5);
    irq5.set();
    expect(t.inta()).toBe(-1);
    expect(irq5.query()).toEqual({ pending: true, inService: false, masked: true });
    t.out(0x21, 0x00);
    expect(t.inta()).toBe(0x0d);
    expect(irq5.query()).toEqual({ pending: false, inService: true, masked: false });
  });

  it('clears exactly the named level on a specific EOI and tells only that IRQ', () => {
    const t = boot();
    atInit(t.out);
    const eois: number[] = [];
    const irq3 = t.host.openVirq(3);
    const irq1 = t.host.openVirq(1);
    irq3.onEoi(() => eois.push(3));
    irq1.onEoi(() => eois.push(1));
    irq3.set();
    t.inta();
    irq1.set();
    t.inta();
    t.out(0x20, 0x63); // specific EOI, level 3: the outer one, not the highest in service
    expect(readIsr(t)).toBe(0x02);
    expect(eois).toEqual([3]);
    t.out(0x20, 0x63); // already clear: no second EOI
    t.out(0x20, EOI);
    expect(eois).toEqual([3, 1]);
  });

  it('answers a poll command with the highest request and puts it in service', () => {
    const t = boot();
    atInit(t.out);
    t.host.openVirq(6).set();
    t.host.openVirq(4).set();
    t.out(0x20, 0x0c); // OCW3: poll
    expect(t.inp(0x20)).toBe(0x84);
    expect(readIsr(t)).toBe(0x10);
    t.out(0x20, 0x0c);
    expect(t.inp(0x20)).toBe(0x00); // IRQ 6 is held off by IRQ 4 in service
    t.out(0x20, EOI);
    t.out(0x20, 0x0c);
    expect(t.inp(0x20)).toBe(0x86);
  });

  it('routes IRQ 8-15 through the slave on IR2, with the slave vector and an EOI on each chip', () => {
    const t = boot();
    atInit(t.out);
    const irq12 = t.host.openVirq(12);
    let eoi12 = 0;
    irq12.onEoi(() => eoi12++);
    irq12.set();
    expect(readIrr(t, 0xa0)).toBe(0x10);
    expect(t.inta()).toBe(0x74);
    expect([readIsr(t), readIsr(t, 0xa0)]).toEqual([0x04, 0x10]);
    // While IR2 is in service on the master, IRQ 3 (lower priority than IR2) waits and IRQ 1 nests.
    t.host.openVirq(3).set();
    expect(t.inta()).toBe(-1);
    t.out(0xa0, EOI);
    expect(eoi12).toBe(1);
    expect(irq12.query().inService).toBe(false);
    expect(t.inta()).toBe(-1); // the master's IR2 is still in service
    t.out(0x20, EOI);
    expect(t.inta()).toBe(0x0b);
    t.out(0x20, EOI);

    // Two slave requests: each INTA ends the slave's INT, and its next request is a new edge on IR2.
    t.host.openVirq(8).set();
    t.host.openVirq(15).set();
    expect(t.inta()).toBe(0x70);
    t.out(0xa0, EOI);
    t.out(0x20, EOI);
    expect(t.inta()).toBe(0x77);
    expect([readIsr(t), readIsr(t, 0xa0)]).toEqual([0x04, 0x80]);
  });

  it('masks the whole slave through the master cascade input', () => {
    const t = boot();
    atInit(t.out, 0x01, 0x01, 0x04, 0x00);
    const irq9 = t.host.openVirq(9);
    irq9.set();
    expect(irq9.query()).toEqual({ pending: true, inService: false, masked: true });
    expect(t.inta()).toBe(-1);
    t.out(0x21, 0x00);
    expect(t.inta()).toBe(0x71);
  });

  it('clears the ISR itself in auto-EOI mode and still reports the EOI', () => {
    const t = boot();
    atInit(t.out, 0x03); // master ICW4: 8086 mode + AEOI
    const irq0 = t.host.openVirq(0);
    let eois = 0;
    irq0.onEoi(() => eois++);
    irq0.set();
    expect(t.inta()).toBe(0x08);
    expect(readIsr(t)).toBe(0x00);
    expect(eois).toBe(1);
    // With no ISR bit standing, a lower IRQ is delivered at once.
    t.host.openVirq(1).set();
    expect(t.inta()).toBe(0x09);
  });

  it('delivers back-to-back requests of an auto-EOI slave, each INTA ending its INT pulse on IR2', () => {
    const t = boot();
    atInit(t.out, 0x01, 0x03); // slave in AEOI, master normal
    t.host.openVirq(8).set();
    t.host.openVirq(15).set();
    expect(t.inta()).toBe(0x70);
    expect([readIsr(t), readIsr(t, 0xa0)]).toEqual([0x04, 0x00]);
    t.out(0x20, EOI);
    expect(t.inta()).toBe(0x77);
  });

  it('rotates priorities: rotate in auto-EOI, set priority, rotate on non-specific EOI', () => {
    const t = boot();
    atInit(t.out, 0x03);
    const irq = [0, 1, 3, 4, 5].map((n) => t.host.openVirq(n));
    const [irq0, irq1, irq3, irq4, irq5] = irq;
    t.out(0x20, 0x80); // rotate in AEOI mode: set
    irq0.set();
    expect(t.inta()).toBe(0x08); // IRQ 0 served, now the lowest
    irq1.set();
    irq0.clear();
    irq0.set();
    expect(t.inta()).toBe(0x09); // IRQ 1 beats IRQ 0
    t.out(0x20, 0x00); // rotate in AEOI mode: clear

    atInit(t.out);
    t.out(0x20, 0xc3); // set priority: IRQ 3 lowest, so IRQ 4 highest
    irq1.clear();
    for (const v of [irq1, irq3, irq4, irq5]) v.set();
    expect(t.inta()).toBe(0x0c);
    irq4.clear();
    irq4.set(); // IRQ 4 asks again while in service
    t.out(0x20, 0xa0); // rotate on non-specific EOI: IRQ 4 becomes the lowest, IRQ 5 the highest
    expect(t.inta()).toBe(0x0d);
    t.out(0x20, EOI);
    expect(t.inta()).toBe(0x09);
    t.out(0x20, EOI);
    expect(t.inta()).toBe(0x0b);
    t.out(0x20, EOI);

    // Two slave requests: each INTA ends the slave's INT, and its next request is a new edge on IR2.
    t.host.openVirq(8).set();
    t.host.openVirq(15).set();
    expect(t.inta()).toBe(0x70);
    t.out(0xa0, EOI);
    t.out(0x20, EOI);
    expect(t.inta()).toBe(0x77);
    expect([readIsr(t), readIsr(t, 0xa0)]).toEqual([0x04, 0x80]);
  });

  it('lets lower levels through in special mask mode', () => {
    const t = boot();
    atInit(t.out);
    t.host.openVirq(1).set();
    expect(t.inta()).toBe(0x09);
    t.out(0x21, 0x02); // the handler masks its own level...
    t.out(0x20, 0x68); // ...and sets special mask mode
    t.host.openVirq(5).set();
    expect(t.inta()).toBe(0x0d);
    t.out(0x20, 0x48); // reset special mask mode: IRQ 1 in service holds IRQ 6 off again
    t.host.openVirq(6).set();
    expect(t.inta()).toBe(-1);
  });

  it('answers with the IR7 vector when the request went away before INTA', () => {
    const t = boot();
    atInit(t.out);
    const irq5 = t.host.openVirq(5);
    irq5.set();
    irq5.clear(); // the device dropped its line after INT went out
    expect(t.inta()).toBe(0x0f);
    expect(readIsr(t)).toBe(0x00); // a spurious IRQ 7 sets no ISR bit
    expect(t.inta()).toBe(-1);

    // Behind the slave: the master acknowledges IR2, the slave has nothing and gives IRQ 15's vector.
    const irq10 = t.host.openVirq(10);
    irq10.set();
    irq10.clear();
    expect(t.inta()).toBe(0x77);
    expect([readIsr(t), readIsr(t, 0xa0)]).toEqual([0x04, 0x00]);
  });

  it('does not signal a request the guest masked before the CPU could take it', () => {
    const t = boot();
    atInit(t.out);
    t.host.openVirq(5).set();
    t.out(0x21, 0x20);
    expect(t.inta()).toBe(-1);
  });

  it('runs a guest handler for timer interrupts that EOIs through port 20h', () => {
    const t = boot();
    const { vm, host } = t;
    const base = SEG * 16;
    // The guest programs the PIC itself (AT layout, only IRQ 0 unmasked), then waits in HLT for 5 ticks.
    const main = [
      ...[0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x08, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21], // ICW1-4
      ...[0xb0, 0xfe, 0xe6, 0x21], // OCW1
      0xfb, // sti
    ];
    const wait = main.length;
    main.push(0xf4, 0x83, 0x3e, 0x00, 0x03, 0x05); // hlt ; cmp word [300h],5
    main.push(0x72, (wait - (main.length + 2)) & 0xff); // jb wait
    main.push(0xf4, 0x01, 0xfe); // SVC 1
    vm.machine.ram.set(main, base + 0x100);
    // INT 08h: inc word [300h] ; push ax ; mov al,20h ; out 20h,al ; pop ax ; iret
    vm.machine.ram.set([0xff, 0x06, 0x00, 0x03, 0x50, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf], base + 0x200);
    vm.machine.ram.set([0x00, 0x02, SEG & 0xff, SEG >> 8], 0x08 * 4);
    vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x002 });
    vm.registerSvc(1, (m) => m.stop('done'));

    // The "timer": raise IRQ 0 every 10 000 ticks, drop the line when the guest EOIs it.
    const irq0 = host.openVirq(0);
    let raised = 0;
    let eois = 0;
    irq0.onEoi(() => {
      eois++;
      irq0.clear();
    });
    const tick = (): void => {
      raised++;
      irq0.set();
      vm.addTimer(10_000, tick);
    };
    vm.addTimer(10_000, tick);

    for (let i = 0; i < 100; i++) {
      const state = vm.run(1_000_000);
      if (state === RunState.Idle) vm.advanceIdle();
      else if (state !== RunState.Running) break;
    }
    expect(vm.stopReason).toBe('done');
    expect(vm.machine.ram[base + 0x300] | (vm.machine.ram[base + 0x301] << 8)).toBe(5);
    expect([raised, eois]).toEqual([5, 5]);
    expect(readIsr(t)).toBe(0x00);
  });
});
