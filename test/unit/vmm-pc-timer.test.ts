/**
 * VPIC and VTIMER together under a guest: the guest programs the 8259 and the 8254 itself, counts IRQ 0
 * in its INT 08h handler and waits in HLT between ticks — the timer interrupt of every PC, end to end.
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { RunState, VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import vpic from '../../vdd/vpic/vpic.js';
import vtimer from '../../vdd/vtimer/vtimer.js';

const SEG = 0x1000;

// 0100: cli
//       mov al,11h / out 20h,al      ICW1: edge, cascade, ICW4 follows
//       mov al,08h / out 21h,al      ICW2: vectors 08h-0Fh
//       mov al,04h / out 21h,al      ICW3: slave on IR2
//       mov al,01h / out 21h,al      ICW4: 8086 mode
//       mov al,0FEh / out 21h,al     OCW1: only IRQ 0 unmasked
//       mov al,34h / out 43h,al      PIT channel 0, LSB then MSB, mode 2
//       xor al,al / out 40h,al / out 40h,al   count 0 = 65536: 18.2 Hz
//       sti
// 011D: hlt / jmp 011D              wait for interrupts
// 0200: INT 08h handler: inc word [0300h]; mov al,20h; out 20h,al; iret
const MAIN = [
  0xfa, 0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x08, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21, 0xb0,
  0xfe, 0xe6, 0x21, 0xb0, 0x34, 0xe6, 0x43, 0x30, 0xc0, 0xe6, 0x40, 0xe6, 0x40, 0xfb, 0xf4, 0xeb, 0xfd,
];
const HANDLER = [0xff, 0x06, 0x00, 0x03, 0xb0, 0x20, 0xe6, 0x20, 0xcf];

function pc(): VirtualMachine {
  const vm = new VirtualMachine({ model: CpuModel.i80386 });
  const ram = vm.machine.ram;
  ram.set(MAIN, SEG * 16 + 0x100);
  ram.set(HANDLER, SEG * 16 + 0x200);
  ram.set([0x00, 0x02, SEG & 0xff, SEG >> 8], 8 * 4); // IVT 08h -> 1000:0200
  vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x2 });
  new VddHost(vm).load([vpic, vtimer]);
  return vm;
}

/** Run one virtual second the way a scheduler does: run, and while idle let time pass to the next timer. */
function runFor(vm: VirtualMachine, ticks: number): { executed: number; idleWakeups: number } {
  const end = vm.now + ticks;
  const start = vm.cpu.instructions;
  let idleWakeups = 0;
  while (vm.now < end) {
    const state = vm.run(Math.min(100_000, end - vm.now));
    if (state === RunState.Idle) {
      idleWakeups++;
      vm.advanceIdle(Math.min(vm.idleUntil, end));
    } else expect(state).toBe(RunState.Running);
  }
  return { executed: vm.cpu.instructions - start, idleWakeups };
}

describe('PC timer interrupt (VPIC + VTIMER)', () => {
  it('delivers IRQ 0 at 18.2 Hz of virtual time to a guest that idles in HLT between ticks', () => {
    const vm = pc();
    const { executed, idleWakeups } = runFor(vm, vm.ticksPerSecond);
    const count = vm.machine.ram[SEG * 16 + 0x300] | (vm.machine.ram[SEG * 16 + 0x301] << 8);
    expect(count).toBeGreaterThanOrEqual(18);
    expect(count).toBeLessThanOrEqual(19);
    // The guest ran only its set-up and its handlers; the rest of the second passed idle, not spinning.
    expect(executed).toBeLessThan(500);
    expect(idleWakeups).toBeGreaterThanOrEqual(18);
  });

  it('gives the same interrupts at the same ticks on every run', () => {
    const a = pc();
    const b = pc();
    runFor(a, a.ticksPerSecond / 2);
    runFor(b, b.ticksPerSecond / 2);
    expect(b.cpu.getRegisters()).toEqual(a.cpu.getRegisters());
    expect(b.now).toBe(a.now);
    expect(b.machine.ram[SEG * 16 + 0x300]).toBe(a.machine.ram[SEG * 16 + 0x300]);
  });
});
