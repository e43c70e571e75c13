/**
 * VTIMER on the real VM monitor: the guest's view of the 8254 through ports 40h-43h and 61h, with time
 * advancing only as a guest loop (`jmp $`) runs. Only IRQ 0's line is a test double (the interrupt
 * controller is another VDD); it records set()/clear() with the virtual tick of each.
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import { isVddModule } from '../../main/vmm/vdd-loader.js';
import type { InterruptControllerProvider, Virq } from '../../main/vmm/vdh.js';
import vtimerDefault, { createVtimer, PIT_HZ, type ChannelInfo, type SpeakerEvent } from '../../vdd/vtimer/vtimer.js';

const SEG = 0x1000;

interface Rig {
  vm: VirtualMachine;
  host: VddHost;
  tps: number;
  in8(port: number): number;
  out8(port: number, value: number): void;
  /** Run the guest loop for this many ticks of virtual time. */
  run(ticks: number): void;
  /** IRQ 0 line events in order, with the tick they happened at. */
  irq: { kind: 'set' | 'clear'; tick: number }[];
  /** Ticks of IRQ 0's rising edges (set()). */
  sets(): number[];
  /** The pit clock now (as the 8254 sees it). */
  pit(): number;
  query(channel: number): ChannelInfo;
  request(command: number, input?: unknown): unknown;
}

function rig(ticksPerSecond?: number): Rig {
  const vm = new VirtualMachine({ model: CpuModel.i80386, ticksPerSecond });
  vm.machine.ram.set([0xeb, 0xfe], SEG * 16 + 0x100); // jmp $
  vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x002 });
  const host = new VddHost(vm);
  const ports = vm.machine.ports;
  const irq: Rig['irq'] = [];
  const line: Virq = {
    irq: 0,
    set: () => irq.push({ kind: 'set', tick: vm.now }),
    clear: () => irq.push({ kind: 'clear', tick: vm.now }),
    query: () => ({ pending: false, inService: false, masked: false }),
    onEoi() {},
  };
  const pic: InterruptControllerProvider = {
    openVirq(n) {
      if (n !== 0) throw new Error(`VTIMER opened IRQ ${n}`);
      return line;
    },
    acknowledge: () => -1,
  };
  host.provideInterruptController(pic);
  host.load([createVtimer()]);
  const handle = host.openVdd('VTIMER');
  if (!handle) throw new Error('VTIMER registered no name');
  return {
    vm,
    host,
    tps: vm.ticksPerSecond,
    in8: (port) => ports.in8(port),
    out8: (port, value) => ports.out8(port, value),
    run(ticks) {
      const end = vm.now + ticks;
      vm.run(ticks);
      expect(vm.now).toBe(end);
    },
    irq,
    sets: () => irq.filter((e) => e.kind === 'set').map((e) => e.tick),
    pit: () => Math.floor((vm.now * PIT_HZ) / vm.ticksPerSecond),
    query: (channel) => host.requestVdd(handle, 1, channel) as ChannelInfo,
    request: (command, input) => host.requestVdd(handle, command, input),
  };
}

/** Program a channel: control word, then the count in LSB-then-MSB order. */
function program(r: Rig, channel: number, mode: number, count: number, bcd = false): void {
  r.out8(0x43, (channel << 6) | 0x30 | (mode << 1) | (bcd ? 1 : 0));
  r.out8(0x40 + channel, count & 0xff);
  r.out8(0x40 + channel, count >> 8);
}
/** Read a channel's count in LSB-then-MSB access. */
function read16(r: Rig, channel: number): number {
  const lo = r.in8(0x40 + channel);
  return lo | (r.in8(0x40 + channel) << 8);
}
/** The virtual ticks one pit clock lasts, rounded up. */
const pitTicks = (r: Rig): number => Math.ceil(r.tps / PIT_HZ);

describe('VTIMER 8254', () => {
  it('is a well-formed VDD module named VTIMER', () => {
    expect(isVddModule(vtimerDefault)).toBe(true);
    expect(vtimerDefault.name).toBe('VTIMER');
  });

  it('raises no IRQ 0 at power-on until channel 0 is programmed', () => {
    const r = rig();
    r.run(r.tps / 4);
    expect(r.irq).toEqual([]);
    expect(r.query(0).programmed).toBe(false);
  });

  it('gives 18.2 interrupts per virtual second in mode 2 with count 0 (65536), as the BIOS sets it', () => {
    const r = rig();
    program(r, 0, 2, 0);
    expect(r.irq).toEqual([]); // programming itself is no edge
    r.run(r.tps);
    const n = r.sets().length;
    expect(n).toBeGreaterThanOrEqual(18);
    expect(n).toBeLessThanOrEqual(19);
    // Each rising edge is one period apart (65536 pit clocks), the falling edge one clock before it.
    const s = r.sets();
    const period = (65536 * r.tps) / PIT_HZ;
    for (let i = 1; i < s.length; i++) expect(Math.abs(s[i] - s[i - 1] - period)).toBeLessThanOrEqual(1);
    const clears = r.irq.filter((e) => e.kind === 'clear').map((e) => e.tick);
    expect(clears.length).toBe(s.length);
    for (let i = 0; i < s.length; i++) expect(s[i] - clears[i]).toBeLessThanOrEqual(pitTicks(r));
  });

  it('reprogrammed to count 1193 interrupts at about 1000 Hz, the new rate from the next period on', () => {
    const r = rig();
    program(r, 0, 2, 0);
    r.run(r.tps * 0.3); // five of the BIOS's 54.9 ms periods
    const before = r.sets().length;
    expect(before).toBe(5);
    program(r, 0, 2, 1193); // a new control word restarts with the new count
    r.run(r.tps / 2);
    const after = r.sets().length - before;
    expect(after).toBeGreaterThanOrEqual(499);
    expect(after).toBeLessThanOrEqual(501);
  });

  it('a count written during mode 2 counting (no control word) takes over at the end of the period', () => {
    const r = rig();
    program(r, 0, 2, 0);
    r.run(r.tps / 100); // well inside the first 55 ms period
    r.out8(0x40, 1193 & 0xff);
    r.out8(0x40, 1193 >> 8);
    r.run(r.tps / 10 - r.tps / 100); // to 100 ms
    const s = r.sets();
    // The first 65536-clock period completes (at ~54.9 ms), then ~1 kHz: about 45 more by 100 ms.
    expect(s[0]).toBeGreaterThan((65535 * r.tps) / PIT_HZ);
    expect(s.length).toBeGreaterThanOrEqual(45);
    expect(s.length).toBeLessThanOrEqual(47);
    expect(Math.abs(s[2] - s[1] - (1193 * r.tps) / PIT_HZ)).toBeLessThanOrEqual(1);
  });

  it('counts down in virtual time, and a latched count stays while the counter moves on', () => {
    const r = rig();
    program(r, 0, 2, 0);
    const start = r.pit() + 1; // the count reaches the counting element on the next clock
    r.run(50_000);
    const a = read16(r, 0);
    expect(a).toBe(65536 - (r.pit() - start));
    r.out8(0x43, 0x00); // counter latch, channel 0
    const latchedAt = r.pit();
    r.run(100_000);
    r.out8(0x43, 0x00); // a second latch before reading is ignored
    const lo = r.in8(0x40);
    r.run(30_000); // between the two bytes: still the latched value
    const hi = r.in8(0x40);
    expect(lo | (hi << 8)).toBe(65536 - (latchedAt - start));
    // Unlatched again: the live count, lower by the time that passed.
    const live = read16(r, 0);
    expect(live).toBe(65536 - (r.pit() - start));
    expect(live).toBeLessThan(lo | (hi << 8));
  });

  it('reads and writes in the selected access mode: LSB only, MSB only, LSB then MSB', () => {
    const r = rig();
    // Channel 1, LSB only, mode 2: count 0x40.
    r.out8(0x43, 0x54);
    r.out8(0x41, 0x40);
    expect(r.query(1).reload).toBe(0x40);
    r.run(pitTicks(r) * 3);
    r.out8(0x43, 0x40); // latch
    const v = r.in8(0x41);
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThanOrEqual(0x40);
    // Channel 1, MSB only, mode 2: 0x12 means 0x1200.
    r.out8(0x43, 0x64);
    r.out8(0x41, 0x12);
    expect(r.query(1).reload).toBe(0x1200);
    r.run(pitTicks(r) * 3);
    expect(r.in8(0x41)).toBe(0x11); // 0x1200 minus a couple of clocks: MSB 11h
    // LSB then MSB: the flip-flop alternates on reads, and a control word resets it.
    r.out8(0x43, 0x74);
    r.out8(0x41, 0x34);
    expect(r.query(1).reload).toBe(0); // half a count is no count
    r.out8(0x41, 0x12);
    expect(r.query(1).reload).toBe(0x1234);
    r.run(pitTicks(r) * 2); // the count reaches the counting element on the next clock
    r.out8(0x43, 0x40);
    const lsb = r.in8(0x41);
    const msb = r.in8(0x41);
    expect(msb).toBe(0x12);
    expect(lsb).toBeLessThanOrEqual(0x34);
    r.in8(0x41); // LSB of the live count; the next read would be the MSB...
    r.out8(0x43, 0x74); // ...but a control word resets the flip-flop
    r.out8(0x41, 0x00);
    r.out8(0x41, 0x80);
    r.run(pitTicks(r) * 3);
    r.out8(0x43, 0x40);
    expect(r.in8(0x41)).toBeGreaterThanOrEqual(0xfd); // LSB first again: 8000h less a clock or two
    expect(r.in8(0x41)).toBe(0x7f);
  });

  it('answers read-back with status bytes (output, null count, access, mode, BCD) and latched counts of several channels', () => {
    const r = rig();
    r.out8(0x43, 0x34); // channel 0: LSB/MSB, mode 2, binary
    r.out8(0x43, 0xe2); // read-back status of channel 0
    expect(r.in8(0x40)).toBe(0x80 | 0x40 | 0x30 | 0x04); // out high, null count (no count yet)
    r.out8(0x40, 0x00);
    r.out8(0x40, 0x10); // 1000h
    r.run(pitTicks(r) * 2);
    r.out8(0x43, 0xe2);
    expect(r.in8(0x40)).toBe(0xb4); // the count is loaded: null count clear
    r.out8(0x43, 0xb1); // channel 2: LSB/MSB, mode 0, BCD
    r.out8(0x42, 0x99);
    r.out8(0x42, 0x09);
    r.run(pitTicks(r) * 2);
    // Count and status of channels 0 and 2 at once: status first, then the count's LSB and MSB.
    r.out8(0x43, 0xc0 | 0x08 | 0x02);
    const p = r.pit();
    r.run(10_000);
    expect(r.in8(0x40)).toBe(0xb4);
    const c0 = read16(r, 0);
    expect(r.in8(0x42)).toBe(0x31); // out low (mode 0 before terminal), LSB/MSB, mode 0, BCD
    const c2 = read16(r, 2);
    expect(c0).toBeGreaterThan(0x1000 - 10);
    expect(c0).toBeLessThan(0x1000);
    expect(c2).toBeGreaterThan(0x0990 - 0x10);
    expect(c2).toBeLessThanOrEqual(0x0999);
    // Both latched at p: later reads are live and lower.
    expect(read16(r, 0)).toBeLessThan(c0);
    expect(p).toBeGreaterThan(0);
    // Channel 1 was not selected: nothing latched there, its read-back status shows an unprogrammed counter.
    r.out8(0x43, 0xe4);
    expect(r.in8(0x41) & 0x3f).toBe(0);
  });

  it('mode 0 raises its output at terminal count once: one interrupt, and stays high', () => {
    const r = rig();
    r.out8(0x43, 0x30); // channel 0, mode 0: output goes low
    expect(r.irq.map((e) => e.kind)).toEqual(['clear']);
    r.out8(0x40, 1000 & 0xff);
    r.out8(0x40, 1000 >> 8);
    const written = r.vm.now;
    const terminal = Math.ceil(((r.pit() + 1 + 1000) * r.tps) / PIT_HZ);
    r.run(terminal - written - 1);
    expect(r.sets()).toEqual([]);
    r.out8(0x43, 0xe2);
    expect(r.in8(0x40) & 0x80).toBe(0);
    r.run(1);
    expect(r.sets()).toEqual([terminal]);
    r.out8(0x43, 0xe2);
    expect(r.in8(0x40) & 0x80).toBe(0x80);
    r.run(r.tps / 5); // the counter wraps and goes on, the output stays high: no more interrupts
    expect(r.sets()).toEqual([terminal]);
    expect(r.query(0).output).toBe(true);
    // A new count starts another one-shot: output low, then one more interrupt.
    program(r, 0, 0, 500);
    r.run(r.tps / 100);
    expect(r.sets().length).toBe(2);
  });

  it('mode 4 strobes its output low for one clock at terminal count: one interrupt', () => {
    const r = rig();
    program(r, 0, 4, 2000);
    r.run(r.tps / 10);
    expect(r.irq.map((e) => e.kind)).toEqual(['clear', 'set']);
    expect(r.irq[1].tick - r.irq[0].tick).toBeLessThanOrEqual(pitTicks(r));
  });

  it('mode 3 on channel 2 shows a square wave on port 61h bit 5, gated by bit 0', () => {
    const r = rig();
    r.out8(0x61, 0x00); // gate low
    program(r, 2, 3, 1000); // 1193 Hz: 20951 ticks a period
    const period = (1000 * r.tps) / PIT_HZ;
    const sample = (): { high: number; low: number; flips: number } => {
      let high = 0;
      let low = 0;
      let flips = 0;
      let last = -1;
      for (let i = 0; i < 400; i++) {
        const b = (r.in8(0x61) >> 5) & 1;
        if (b) high++;
        else low++;
        if (last >= 0 && b !== last) flips++;
        last = b;
        r.run(Math.round(period / 40)); // 10 periods
      }
      return { high, low, flips };
    };
    // Gate low: the output is held high and the counter does not count.
    const held = sample();
    expect(held.low).toBe(0);
    const c = read16(r, 2);
    r.run(5000);
    expect(read16(r, 2)).toBe(c);
    // Gate high: half high, half low, two edges a period.
    r.out8(0x61, 0x01);
    const s = sample();
    expect(s.high).toBeGreaterThanOrEqual(190);
    expect(s.high).toBeLessThanOrEqual(210);
    expect(s.flips).toBeGreaterThanOrEqual(19);
    expect(s.flips).toBeLessThanOrEqual(21);
    expect(r.in8(0x61) & 0x0f).toBe(0x01);
    // Gate low again: output high at once.
    r.out8(0x61, 0x00);
    expect(r.in8(0x61) & 0x20).toBe(0x20);
    expect(r.irq).toEqual([]); // channel 2 never touches IRQ 0
  });

  it('a low gate pauses mode 0 where it stands, and mode 3 counts down by two', () => {
    const r = rig();
    r.out8(0x61, 0x01);
    program(r, 2, 0, 1000);
    r.run(Math.round((500 * r.tps) / PIT_HZ));
    r.out8(0x61, 0x00); // gate low: counting stops
    const paused = read16(r, 2);
    expect(paused).toBeGreaterThan(495);
    expect(paused).toBeLessThan(505);
    r.run(r.tps / 100);
    expect(read16(r, 2)).toBe(paused);
    r.out8(0x61, 0x01); // gate high: counting resumes from there, not from the top
    r.run(Math.round((100 * r.tps) / PIT_HZ));
    const resumed = read16(r, 2);
    expect(paused - resumed).toBeGreaterThanOrEqual(99);
    expect(paused - resumed).toBeLessThanOrEqual(101);
    expect(r.in8(0x61) & 0x20).toBe(0); // still short of terminal count
    program(r, 2, 3, 1000);
    const start = r.pit() + 1;
    r.run(Math.round((100.5 * r.tps) / PIT_HZ));
    const c = read16(r, 2);
    expect(c).toBe(1000 - 2 * (r.pit() - start));
    expect(c % 2).toBe(0);
  });

  it('mode 1 on channel 2 is a one-shot triggered by the gate rising', () => {
    const r = rig();
    program(r, 2, 1, 100);
    const pulse = Math.ceil((100 * r.tps) / PIT_HZ);
    r.run(pulse * 2);
    expect(r.in8(0x61) & 0x20).toBe(0x20); // no trigger yet
    r.out8(0x61, 0x01);
    r.run(pitTicks(r) + 1);
    expect(r.in8(0x61) & 0x20).toBe(0); // low for 100 clocks
    r.run(pulse);
    expect(r.in8(0x61) & 0x20).toBe(0x20);
    r.out8(0x61, 0x00);
    r.out8(0x61, 0x01); // retrigger
    r.run(pitTicks(r) + 1);
    expect(r.in8(0x61) & 0x20).toBe(0);
  });

  it('counts in BCD: count 0 is 10000 and reads are decimal digits', () => {
    const r = rig();
    program(r, 0, 2, 0, true); // BCD count 0: period 10000 clocks, 119.3 Hz
    r.run(r.tps);
    expect(r.sets().length).toBe(119);
    const r2 = rig();
    program(r2, 2, 2, 0x1000, true); // 1000 decimal
    r2.out8(0x61, 0x01);
    const start = r2.pit() + 1;
    for (let i = 0; i < 20; i++) {
      r2.run(7919);
      const v = read16(r2, 2);
      const expected = 1000 - ((r2.pit() - start) % 1000);
      const dec = Math.floor(expected / 1000) % 10;
      const bcd = (dec << 12) | (Math.floor(expected / 100) % 10 << 8) | (Math.floor(expected / 10) % 10 << 4) | expected % 10;
      expect(v.toString(16)).toBe(bcd.toString(16));
      for (const nibble of [v >> 12, (v >> 8) & 15, (v >> 4) & 15, v & 15]) expect(nibble).toBeLessThan(10);
    }
  });

  it('toggles the refresh bit (61h bit 4) every 15 µs of virtual time', () => {
    const r = rig();
    const step = Math.floor(r.tps / 1_000_000); // 1 µs
    let last = (r.in8(0x61) >> 4) & 1;
    let toggles = 0;
    for (let i = 0; i < 1500; i++) {
      r.run(step);
      const b = (r.in8(0x61) >> 4) & 1;
      if (b !== last) toggles++;
      last = b;
    }
    // 1.5 ms / 15.09 µs ≈ 99 toggles.
    expect(toggles).toBeGreaterThanOrEqual(97);
    expect(toggles).toBeLessThanOrEqual(101);
    // Between two reads in the same tick nothing changes: it is virtual time, not host time.
    expect(r.in8(0x61)).toBe(r.in8(0x61));
  });

  it('accepts modes 6 and 7 as 2 and 3', () => {
    const r = rig();
    r.out8(0x43, 0x3c); // channel 0, mode 6
    r.out8(0x40, 0xa9);
    r.out8(0x40, 0x04); // 1193
    expect(r.query(0).mode).toBe(2);
    r.run(r.tps / 10);
    expect(r.sets().length).toBe(100);
    r.out8(0x43, 0xe2);
    expect((r.in8(0x40) >> 1) & 7).toBe(6); // status shows the bits as written
    r.out8(0x43, 0x3e); // mode 7
    r.out8(0x40, 0xa9);
    r.out8(0x40, 0x04);
    expect(r.query(0).mode).toBe(3);
    const before = r.sets().length;
    r.run(r.tps / 10);
    expect(r.sets().length - before).toBe(100);
  });

  it('answers queries and records speaker events for channel 2 through its named request', () => {
    const r = rig();
    program(r, 0, 2, 0);
    const q = r.query(0);
    expect(q).toMatchObject({ channel: 0, mode: 2, output: true, programmed: true, reload: 65536 });
    expect((r.request(1) as ChannelInfo[]).map((c) => c.channel)).toEqual([0, 1, 2]);
    program(r, 2, 3, 1193);
    expect(r.request(2)).toEqual([]); // gate and speaker data off: silent
    r.run(1000);
    r.out8(0x61, 0x03);
    const on = r.vm.now;
    r.run(1000);
    program(r, 2, 3, 2386); // ~500 Hz
    const changed = r.vm.now;
    r.run(1000);
    r.out8(0x61, 0x00);
    const off = r.vm.now;
    const events = r.request(2) as SpeakerEvent[];
    expect(events).toEqual([
      { tick: on, frequencyHz: PIT_HZ / 1193 },
      { tick: changed, frequencyHz: 0 }, // the control word stops channel 2 until its count is written
      { tick: changed, frequencyHz: PIT_HZ / 2386 },
      { tick: off, frequencyHz: 0 },
    ]);
    expect(r.request(2)).toEqual([]); // handed over once
    expect(r.request(99)).toBeUndefined(); // unknown commands are passed on (and nobody else answers)
  });

  it('is deterministic: two VMs with the same inputs interrupt at the same ticks', () => {
    const go = (): number[] => {
      const r = rig();
      r.run(12_345);
      program(r, 0, 3, 5000);
      r.run(r.tps / 20);
      program(r, 0, 2, 777);
      r.run(r.tps / 20);
      return r.irq.map((e) => (e.kind === 'set' ? e.tick : -e.tick));
    };
    const a = go();
    const b = go();
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
  });

  it('keeps exact pit time on a slow virtual clock with several pit clocks per tick', () => {
    const r = rig(100_000); // ~12 pit clocks per tick
    program(r, 0, 2, 24); // 49.7 kHz: every pulse is shorter than a tick
    r.run(r.tps / 10);
    const n = r.sets().length;
    expect(n).toBeGreaterThanOrEqual(4970);
    expect(n).toBeLessThanOrEqual(4972);
  });
});
