// The IST contract (main/ist/ist.ts, docs/ist.md) as the VM monitor relies on it: budgets and the
// instruction clock, stop reasons, hooked and reflected interrupts, the INTR line and interrupt shadows,
// single-step, A20, determinism, faults and the protected-mode stop.
//
// Guest programs are written inline as bytes, each with its assembly in a comment. Layout of every machine:
//   0000:0000 IVT            1000:0000 code (CS:IP at start)   2000:1000 stack top (SS:SP)
//   3000:xxxx handlers       4000:0000 data (DS)               5000:0000 data (ES)
import { describe, expect, it } from 'vitest';
import {
  CpuModel,
  Flag,
  StopReason,
  createCpu,
  type CpuRegisters,
  type Ist,
} from '../../main/ist/index.js';
import { RamBus } from '../support/ram-bus.js';

const CODE = 0x1000;
const STACK = 0x2000;
const SP0 = 0x1000;
const HANDLERS = 0x3000;
const DATA = 0x4000;
const DATA2 = 0x5000;
/** FLAGS with only the always-one bit 1; IF is added where a test wants interrupts. */
const FLAGS0 = 0x0002;

/** A plain-RAM bus that records port traffic and plays a one-line interrupt controller. */
/** RAM plus recorded port traffic and a one-line interrupt controller (a queue of vectors). */
class TestBus extends RamBus {
  readonly outs: [port: number, value: number][] = [];
  readonly ins: number[] = [];
  /** Vectors the "PIC" hands out on INTA, in order; the line drops when none is left. */
  readonly pending: number[] = [];
  acks = 0;
  cpu: Ist | null = null;
  onOut: ((port: number, value: number) => void) | null = null;
  onIn: ((port: number) => number) | null = null;

  override   in8(port: number): number {
    this.ins.push(port);
    return this.onIn ? this.onIn(port) & 0xff : 0xff;
  }
  override in16(port: number): number {
    this.ins.push(port);
    return 0xffff;
  }
  override in32(port: number): number {
    this.ins.push(port);
    return -1;
  }
  override out8(port: number, value: number): void {
    this.outs.push([port, value]);
    this.onOut?.(port, value);
  }
  override out16(port: number, value: number): void {
    this.outs.push([port, value]);
  }
  override out32(port: number, value: number): void {
    this.outs.push([port, value]);
  }
  override acknowledgeInterrupt(): number {
    this.acks++;
    const v = this.pending.shift() ?? -1;
    if (this.pending.length === 0) this.cpu?.setIrq(false);
    return v;
  }

  /** Queue an IRQ vector and raise INTR. */
  raise(vector: number): void {
    this.pending.push(vector);
    this.cpu?.setIrq(true);
  }
}

interface Machine {
  cpu: Ist;
  bus: TestBus;
}

/** A CPU on a fresh bus (1 MiB + 64K for the 8086/186, 16 MiB after), `code` at 1000:0000. */
function machine(model: CpuModel, code: number[], regs: Partial<CpuRegisters> = {}): Machine {
  const bus = new TestBus(model <= CpuModel.i80186 ? 0x110000 : 1 << 24);
  bus.ram.set(code, CODE * 16);
  const cpu = createCpu(bus, model);
  bus.cpu = cpu;
  cpu.setRegisters({ cs: CODE, eip: 0, ss: STACK, esp: SP0, ds: DATA, es: DATA2, eflags: FLAGS0, ...regs });
  return { cpu, bus };
}

/** Point IVT entry `vector` at seg:off and put `code` there. */
function handler(bus: TestBus, vector: number, off: number, code: number[]): void {
  const a = vector * 4;
  bus.ram[a] = off & 0xff;
  bus.ram[a + 1] = off >> 8;
  bus.ram[a + 2] = HANDLERS & 0xff;
  bus.ram[a + 3] = HANDLERS >> 8;
  bus.ram.set(code, HANDLERS * 16 + off);
}

function word(bus: TestBus, seg: number, off: number): number {
  const a = seg * 16 + (off & 0xffff);
  return bus.ram[a] | (bus.ram[a + 1] << 8);
}

/** The interrupt frame at SS:SP (IP, CS, FLAGS), as a handler sees it on entry. */
function frame(m: Machine): { ip: number; cs: number; flags: number } {
  const r = m.cpu.getRegisters();
  return { ip: word(m.bus, r.ss, r.esp), cs: word(m.bus, r.ss, r.esp + 2), flags: word(m.bus, r.ss, r.esp + 4) };
}

const ip = (cpu: Ist): number => cpu.getRegisters().eip & 0xffff;
const ax = (cpu: Ist): number => cpu.getRegisters().eax & 0xffff;
const bx = (cpu: Ist): number => cpu.getRegisters().ebx & 0xffff;

describe('IST contract: run(budget) and the instruction clock', () => {
  it('returns Budget after exactly `budget` instructions and counts them in `instructions`', () => {
    const m = machine(CpuModel.i8086, [
      0x40, //       0: INC AX
      0xeb, 0xfd, // 1: JMP 0
    ]);
    expect(m.cpu.run(1000)).toBe(StopReason.Budget);
    expect(m.cpu.instructions).toBe(1000);
    expect(ax(m.cpu)).toBe(500);
    expect(ip(m.cpu)).toBe(0);
    expect(m.cpu.run(7)).toBe(StopReason.Budget);
    expect(m.cpu.instructions).toBe(1007);
    expect(ax(m.cpu)).toBe(504);
    expect(ip(m.cpu)).toBe(1);
  });

  it('a stop on the last instruction of a budget does not cut the next run short', () => {
    const m = machine(CpuModel.i8086, [
      0xf4, //       0: HLT
      0x40, //       1: INC AX
      0xeb, 0xfd, // 2: JMP 1
    ]);
    expect(m.cpu.run(1)).toBe(StopReason.Halt);
    expect(m.cpu.instructions).toBe(1);
    // The HLT was the budget's last instruction; the next run must still execute its whole budget.
    expect(m.cpu.run(4)).toBe(StopReason.Budget);
    expect(m.cpu.instructions).toBe(5);
    expect(ax(m.cpu)).toBe(2);
  });

  it('keeps `instructions` current inside an I/O handler (the virtual clock a PIT read needs)', () => {
    const m = machine(CpuModel.i8086, [
      0x40, //       0: INC AX
      0x40, //       1: INC AX
      0x40, //       2: INC AX
      0xe4, 0x40, // 3: IN AL, 40h
      0xf4, //       5: HLT
    ]);
    let seen = -1;
    m.bus.onIn = () => {
      seen = m.cpu.instructions;
      return 0;
    };
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(seen).toBe(3); // three instructions retired before the IN
    expect(m.cpu.instructions).toBe(5);
  });

  it('retires a REP MOVSB of 10000 bytes as three instructions of at most 4096 iterations', () => {
    const m = machine(CpuModel.i8086, [
      0xf3, 0xa4, // 0: REP MOVSB   (DS:SI -> ES:DI)
      0xf4, //       2: HLT
    ], { ecx: 10000, esi: 0, edi: 0 });
    const src = DATA * 16;
    const dst = DATA2 * 16;
    for (let i = 0; i < 10000; i++) m.bus.ram[src + i] = (i * 7 + 3) & 0xff;

    expect(m.cpu.run(1)).toBe(StopReason.Budget);
    let r = m.cpu.getRegisters();
    expect([r.ecx, r.esi, r.edi, r.eip]).toEqual([10000 - 4096, 4096, 4096, 0]);
    expect(m.bus.ram[dst + 4095]).toBe((4095 * 7 + 3) & 0xff);
    expect(m.bus.ram[dst + 4096]).toBe(0);

    expect(m.cpu.run(1)).toBe(StopReason.Budget);
    r = m.cpu.getRegisters();
    expect([r.ecx, r.esi, r.edi, r.eip]).toEqual([10000 - 8192, 8192, 8192, 0]);

    expect(m.cpu.run(1)).toBe(StopReason.Budget);
    r = m.cpu.getRegisters();
    expect([r.ecx, r.esi, r.edi, r.eip]).toEqual([0, 10000, 10000, 2]);
    expect(m.cpu.instructions).toBe(3);
    expect(m.bus.ram.subarray(dst, dst + 10000)).toEqual(m.bus.ram.subarray(src, src + 10000));

    expect(m.cpu.run(10)).toBe(StopReason.Halt);
    expect(m.cpu.instructions).toBe(4);
  });

  it('takes an IRQ between chunks of a REP MOVSB (frame IP on the first prefix) and resumes the copy', () => {
    // 286, so resuming at the first prefix (the segment override) is the documented behaviour.
    const m = machine(CpuModel.i80286, [
      0x26, 0xf3, 0xa4, // 0: ES: REP MOVSB   (ES:SI -> ES:DI)
      0xf4, //             3: HLT
    ], { ecx: 10000, esi: 0, edi: 0x4000, eflags: FLAGS0 | Flag.IF });
    handler(m.bus, 0x08, 0x0000, [
      0xf4, // 0: HLT   (lets the test look at the frame)
      0x43, // 1: INC BX
      0xcf, // 2: IRET
    ]);
    const es = DATA2 * 16;
    for (let i = 0; i < 10000; i++) m.bus.ram[es + i] = (i * 13 + 1) & 0xff;
    for (let i = 0; i < 10000; i++) m.bus.ram[DATA * 16 + i] = 0xee; // what a lost override would copy

    expect(m.cpu.run(1)).toBe(StopReason.Budget); // first chunk
    expect(m.cpu.getRegisters().ecx).toBe(10000 - 4096);
    m.bus.raise(0x08);

    expect(m.cpu.run(100)).toBe(StopReason.Halt); // in the handler
    expect(m.bus.acks).toBe(1);
    expect(m.cpu.getRegisters().cs).toBe(HANDLERS);
    expect(frame(m)).toMatchObject({ ip: 0, cs: CODE });
    expect(m.cpu.getRegisters().ecx).toBe(10000 - 4096); // nothing more copied before the IRQ
    expect(m.cpu.instructions).toBe(2);

    expect(m.cpu.run(100)).toBe(StopReason.Halt); // INC BX, IRET, two chunks, HLT
    const r = m.cpu.getRegisters();
    expect([r.cs, r.eip, r.ecx, r.esi, r.edi, r.ebx, r.esp]).toEqual([CODE, 4, 0, 10000, 0x4000 + 10000, 1, SP0]);
    expect(m.cpu.instructions).toBe(7);
    expect(m.bus.ram.subarray(es + 0x4000, es + 0x4000 + 10000)).toEqual(m.bus.ram.subarray(es, es + 10000));
    expect(m.bus.ram[es + 0x4000 + 10000]).toBe(0);
  });
});

describe('IST contract: HLT and SVC calls', () => {
  it('HLT stops with Halt and IP past the HLT', () => {
    const m = machine(CpuModel.i8086, [
      0x40, // 0: INC AX
      0xf4, // 1: HLT
      0x40, // 2: INC AX
    ]);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(ip(m.cpu)).toBe(2);
    expect(ax(m.cpu)).toBe(1);
    expect(m.cpu.instructions).toBe(2);
  });

  it('an SVC call (HLT; db n; db ~n) stops with IP on n, and the monitor resumes past it', () => {
    const m = machine(CpuModel.i8086, [
      0xf4, 0x21, 0xde, // 0: HLT; db 21h; db ~21h   (SVC 21h)
      0x40, //             3: INC AX
      0xf4, //             4: HLT
    ]);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    const r = m.cpu.getRegisters();
    const at = r.cs * 16 + r.eip;
    expect(r.eip).toBe(1);
    expect(m.bus.ram[at]).toBe(0x21);
    expect(m.bus.ram[at + 1]).toBe(~0x21 & 0xff);
    m.cpu.setRegisters({ eip: r.eip + 2 }); // the monitor consumed the SVC
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(ip(m.cpu)).toBe(5);
    expect(ax(m.cpu)).toBe(1);
  });
});

describe('IST contract: software interrupts', () => {
  it('INT n on a hooked vector stops with IntHook, stopVector n, IP past the INT and the stack untouched', () => {
    const m = machine(CpuModel.i8086, [
      0xcd, 0x21, // 0: INT 21h
      0xcc, //       2: INT3
      0x40, //       3: INC AX
      0xf4, //       4: HLT
    ]);
    handler(m.bus, 0x21, 0x0000, [0xf4]); // would stop with Halt if the IVT were used
    handler(m.bus, 0x03, 0x0010, [0xf4]);
    m.cpu.intHooked[0x21] = 1;
    m.cpu.intHooked[0x03] = 1;

    expect(m.cpu.run(100)).toBe(StopReason.IntHook);
    expect(m.cpu.stopVector).toBe(0x21);
    let r = m.cpu.getRegisters();
    expect([r.cs, r.eip, r.esp]).toEqual([CODE, 2, SP0]);
    expect(m.cpu.instructions).toBe(1);

    expect(m.cpu.run(100)).toBe(StopReason.IntHook);
    expect(m.cpu.stopVector).toBe(3);
    r = m.cpu.getRegisters();
    expect([r.cs, r.eip, r.esp]).toEqual([CODE, 3, SP0]);

    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(ax(m.cpu)).toBe(1);
    expect(m.cpu.instructions).toBe(4);
  });

  it('an unhooked INT n pushes FLAGS, CS and IP, clears IF and enters the IVT; IRET returns', () => {
    const m = machine(CpuModel.i8086, [
      0xcd, 0x42, // 0: INT 42h
      0x40, //       2: INC AX
      0xf4, //       3: HLT
    ], { eflags: FLAGS0 | Flag.IF | Flag.CF });
    handler(m.bus, 0x42, 0x0010, [
      0xf4, // 10: HLT
      0xcf, // 11: IRET
    ]);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    let r = m.cpu.getRegisters();
    expect([r.cs, r.eip, r.esp]).toEqual([HANDLERS, 0x11, SP0 - 6]);
    const f = frame(m);
    expect(f.ip).toBe(2);
    expect(f.cs).toBe(CODE);
    expect(f.flags & (Flag.IF | Flag.CF)).toBe(Flag.IF | Flag.CF);
    expect(r.eflags & (Flag.IF | Flag.TF)).toBe(0);
    expect(r.eflags & Flag.CF).toBe(Flag.CF);

    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    r = m.cpu.getRegisters();
    expect([r.cs, r.eip, r.esp, r.eax]).toEqual([CODE, 4, SP0, 1]);
    expect(r.eflags & Flag.IF).toBe(Flag.IF);
  });

  it('interrupt(n) reflects a hooked INT into the guest and its IRET returns past the INT', () => {
    const m = machine(CpuModel.i8086, [
      0xcd, 0x21, // 0: INT 21h   (hooked)
      0x40, //       2: INC AX
      0xf4, //       3: HLT
    ], { eflags: FLAGS0 | Flag.IF });
    handler(m.bus, 0x21, 0x0020, [
      0x43, // 20: INC BX
      0xcf, // 21: IRET
    ]);
    m.cpu.intHooked[0x21] = 1;
    expect(m.cpu.run(100)).toBe(StopReason.IntHook);
    m.cpu.interrupt(m.cpu.stopVector); // the monitor declines the service and reflects it
    let r = m.cpu.getRegisters();
    expect([r.cs, r.eip, r.esp]).toEqual([HANDLERS, 0x20, SP0 - 6]);
    expect(frame(m)).toMatchObject({ ip: 2, cs: CODE });
    expect(r.eflags & Flag.IF).toBe(0);
    expect(m.cpu.instructions).toBe(1); // the reflection itself is not an instruction

    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    r = m.cpu.getRegisters();
    expect([r.cs, r.eip, r.esp, r.eax, r.ebx]).toEqual([CODE, 4, SP0, 1, 1]);
    expect(r.eflags & Flag.IF).toBe(Flag.IF);
    expect(m.cpu.instructions).toBe(5);
  });
});

describe('IST contract: the INTR line', () => {
  it('with IF=1 a raised IRQ is acknowledged between instructions and enters the vector from the bus', () => {
    const m = machine(CpuModel.i8086, [
      0x40, // 0: INC AX
      0x40, // 1: INC AX
      0x40, // 2: INC AX
      0xf4, // 3: HLT
    ], { eflags: FLAGS0 | Flag.IF });
    handler(m.bus, 0x08, 0x0000, [0xf4, 0xcf]); // HLT; IRET
    handler(m.bus, 0x09, 0x0040, [0xf4, 0xcf]); // a wrong vector would stop here: told apart by IP

    expect(m.cpu.run(1)).toBe(StopReason.Budget);
    expect(m.bus.acks).toBe(0);
    m.bus.raise(0x08);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(m.bus.acks).toBe(1);
    expect([m.cpu.getRegisters().cs, ip(m.cpu)]).toEqual([HANDLERS, 1]);
    expect(frame(m)).toMatchObject({ ip: 1, cs: CODE });
    expect(ax(m.cpu)).toBe(1);

    expect(m.cpu.run(100)).toBe(StopReason.Halt); // IRET, INC AX, INC AX, HLT
    expect(m.bus.acks).toBe(1);
    expect([m.cpu.getRegisters().cs, ip(m.cpu), ax(m.cpu)]).toEqual([CODE, 4, 3]);
    expect(m.cpu.instructions).toBe(6);
  });

  it('with IF=0 a raised IRQ waits for STI, and the instruction after STI runs first', () => {
    const m = machine(CpuModel.i8086, [
      0x40, // 0: INC AX
      0x40, // 1: INC AX
      0xfb, // 2: STI
      0x43, // 3: INC BX   (in the STI shadow)
      0x43, // 4: INC BX
      0xf4, // 5: HLT
    ], { eflags: FLAGS0 });
    handler(m.bus, 0x08, 0x0000, [0xf4, 0xcf]); // HLT; IRET
    m.bus.raise(0x08);

    expect(m.cpu.run(3)).toBe(StopReason.Budget); // INC AX, INC AX, STI
    expect(m.bus.acks).toBe(0);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(m.bus.acks).toBe(1);
    expect(m.cpu.getRegisters().cs).toBe(HANDLERS);
    expect(frame(m)).toMatchObject({ ip: 4, cs: CODE });
    expect(bx(m.cpu)).toBe(1);
  });

  it.each([
    ['MOV SS, AX', [0x8e, 0xd0]],
    ['POP SS', [0x17]],
  ])('%s opens an interrupt shadow: the IRQ waits for the instruction after it', (_name, load) => {
    const m = machine(CpuModel.i8086, [
      0xb8, 0x00, 0x60, //       0: MOV AX, 6000h
      0x50, //                   3: PUSH AX
      ...load, //                4: MOV SS, AX   |  POP SS
      0xbc, 0x00, 0x08, //       MOV SP, 0800h   (in the shadow)
      0x43, //                   INC BX
      0xf4, //                   HLT
    ], { eflags: FLAGS0 | Flag.IF });
    handler(m.bus, 0x08, 0x0000, [0xf4, 0xcf]); // HLT; IRET
    const afterSp = 4 + load.length + 3;

    expect(m.cpu.run(3)).toBe(StopReason.Budget); // MOV AX, PUSH AX, load SS
    expect(m.cpu.getRegisters().ss).toBe(0x6000);
    m.bus.raise(0x08);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    const r = m.cpu.getRegisters();
    expect(r.cs).toBe(HANDLERS);
    expect([r.ss, r.esp]).toEqual([0x6000, 0x0800 - 6]); // the frame went on the new stack
    expect(frame(m)).toMatchObject({ ip: afterSp, cs: CODE });
    expect(bx(m.cpu)).toBe(0);
  });
});

describe('IST contract: single-step', () => {
  it('after POPF sets TF the next instruction runs, then INT 1 is taken with IP after it (and again after IRET)', () => {
    const m = machine(CpuModel.i8086, [
      0x9c, //             0: PUSHF
      0x58, //             1: POP AX
      0x0d, 0x00, 0x01, // 2: OR AX, 0100h
      0x50, //             5: PUSH AX
      0x9d, //             6: POPF        ; TF=1
      0x43, //             7: INC BX      ; runs, then the trap
      0x43, //             8: INC BX
      0xf4, //             9: HLT
    ]);
    handler(m.bus, 0x01, 0x0000, [0xf4, 0xcf]); // HLT; IRET

    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    let r = m.cpu.getRegisters();
    expect([r.cs, r.eip]).toEqual([HANDLERS, 1]);
    expect(frame(m).ip).toBe(8);
    expect(frame(m).flags & Flag.TF).toBe(Flag.TF);
    expect(r.eflags & (Flag.TF | Flag.IF)).toBe(0); // the handler itself is not single-stepped
    expect(bx(m.cpu)).toBe(1);

    // IRET restores TF: one more guest instruction, then the next trap.
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    r = m.cpu.getRegisters();
    expect([r.cs, r.eip]).toEqual([HANDLERS, 1]);
    expect(frame(m).ip).toBe(9);
    expect(bx(m.cpu)).toBe(2);
  });
});

describe('IST contract: requestStop', () => {
  it('requestStop() from an out8 handler stops with Requested after the current instruction', () => {
    const m = machine(CpuModel.i8086, [
      0xb0, 0x55, // 0: MOV AL, 55h
      0xe6, 0x80, // 2: OUT 80h, AL
      0x40, //       4: INC AX
      0xf4, //       5: HLT
    ]);
    m.bus.onOut = () => m.cpu.requestStop();
    expect(m.cpu.run(100)).toBe(StopReason.Requested);
    expect(m.bus.outs).toEqual([[0x80, 0x55]]);
    expect(ip(m.cpu)).toBe(4);
    expect(ax(m.cpu)).toBe(0x55);
    expect(m.cpu.instructions).toBe(2);

    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(ax(m.cpu)).toBe(0x56);
    expect(m.cpu.instructions).toBe(4);
  });
});

describe('IST contract: A20', () => {
  const program = [
    0xa0, 0x10, 0x00, //             0: MOV AL, [0010h]      (DS = FFFFh)
    0xc6, 0x06, 0x11, 0x00, 0x77, // 3: MOV BYTE [0011h], 77h
    0xf4, //                         8: HLT
  ];

  function a20(model: CpuModel, enabled: boolean | null): { al: number; low: number; high: number } {
    const m = machine(model, program, { ds: 0xffff });
    m.bus.ram[0x000000] = 0xa5;
    m.bus.ram[0x100000] = 0x5a;
    if (enabled !== null) m.cpu.setA20(enabled);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    return { al: ax(m.cpu) & 0xff, low: m.bus.ram[0x000001], high: m.bus.ram[0x100001] };
  }

  it('on the 8086 FFFF:0010 is physical 0 (the address wraps at 1 MiB)', () => {
    expect(a20(CpuModel.i8086, null)).toEqual({ al: 0xa5, low: 0x77, high: 0 });
  });

  it.each([
    ['80286', CpuModel.i80286],
    ['80386', CpuModel.i80386],
  ])('on the %s FFFF:0010 is 0x100000 with A20 on and physical 0 after setA20(false)', (_name, model) => {
    expect(a20(model, null)).toEqual({ al: 0x5a, low: 0, high: 0x77 });
    expect(a20(model, true)).toEqual({ al: 0x5a, low: 0, high: 0x77 });
    expect(a20(model, false)).toEqual({ al: 0xa5, low: 0x77, high: 0 });
  });
});

describe('IST contract: determinism', () => {
  const program = [
    0x01, 0xc3, // 0: ADD BX, AX
    0x40, //       2: INC AX
    0xd1, 0xc3, // 3: ROL BX, 1
    0x31, 0xd9, // 5: XOR CX, BX
    0x89, 0x1d, // 7: MOV [DI], BX
    0x47, //       9: INC DI
    0x47, //       A: INC DI
    0xeb, 0xf3, // B: JMP 0
  ];

  function runWithIrqAt(model: CpuModel, at: number): Machine {
    const m = machine(model, program, { eflags: FLAGS0 | Flag.IF });
    handler(m.bus, 0x08, 0x0000, [
      0xf7, 0xd3, // 0: NOT BX
      0xcf, //       2: IRET
    ]);
    expect(m.cpu.run(at)).toBe(StopReason.Budget);
    m.bus.raise(0x08);
    expect(m.cpu.run(5000 - at)).toBe(StopReason.Budget);
    expect(m.bus.acks).toBe(1);
    return m;
  }

  it.each([
    ['8086', CpuModel.i8086],
    ['80286', CpuModel.i80286],
    ['80386', CpuModel.i80386],
  ])('two %s CPUs with the same program and the same IRQ at the same count end identical', (_name, model) => {
    const a = runWithIrqAt(model, 137);
    const b = runWithIrqAt(model, 137);
    expect(b.cpu.instructions).toBe(a.cpu.instructions);
    expect(b.cpu.getRegisters()).toEqual(a.cpu.getRegisters());
    expect(Buffer.compare(b.bus.ram, a.bus.ram)).toBe(0);
    // The comparison has teeth: the same IRQ one instruction later gives another machine state.
    const c = runWithIrqAt(model, 138);
    expect(c.cpu.instructions).toBe(a.cpu.instructions);
    expect(Buffer.compare(c.bus.ram, a.bus.ram)).not.toBe(0);
  });
});

describe('IST contract: faults', () => {
  const program = [
    0x40, //       0: INC AX
    0x31, 0xc9, // 1: XOR CX, CX
    0xf6, 0xf1, // 3: DIV CL        ; #DE
    0x43, //       5: INC BX
    0x43, //       6: INC BX
    0x42, //       7: INC DX
    0xeb, 0xfd, // 8: JMP 7
  ];
  /** #DE handler: SI = the pushed IP, then return to 5 (past the DIV) on every model. */
  const deHandler = [
    0x89, 0xe5, //                   30: MOV BP, SP
    0x8b, 0x76, 0x00, //             32: MOV SI, [BP+0]
    0xc7, 0x46, 0x00, 0x05, 0x00, // 35: MOV WORD [BP+0], 5
    0xcf, //                         3A: IRET
  ];

  it.each([
    ['8086', 5, '20', CpuModel.i8086, [20]],
    ['8086', 5, '3+17', CpuModel.i8086, [3, 17]],
    ['8086', 5, '2+1+17', CpuModel.i8086, [2, 1, 17]],
    ['80286', 3, '20', CpuModel.i80286, [20]],
    ['80286', 3, '3+17', CpuModel.i80286, [3, 17]],
    ['80286', 3, '2+1+1+16', CpuModel.i80286, [2, 1, 1, 16]],
    ['80386', 3, '20', CpuModel.i80386, [20]],
  ])('a #DE mid-run on the %s pushes IP %i, and budgets %s count it exactly', (_name, pushed, _split, model, budgets) => {
    const m = machine(model, program);
    handler(m.bus, 0x00, 0x0030, deHandler);
    for (const b of budgets) expect(m.cpu.run(b)).toBe(StopReason.Budget);
    // 1 INC AX, 2 XOR, 3 DIV (faults), 4-7 handler, 8-9 INC BX, then 11 of INC DX / JMP: 6 INC DX.
    const r = m.cpu.getRegisters();
    expect(m.cpu.instructions).toBe(20);
    expect(r.esi).toBe(pushed);
    expect([r.cs, r.eip, r.ebx, r.edx, r.esp]).toEqual([CODE, 8, 2, 6, SP0]);
  });
});

describe('IST contract: entering protected mode and shutting down', () => {
  it('on the 286, LMSW setting PE enters protected mode and runs on with the real-mode caches', () => {
    const m = machine(CpuModel.i80286, [
      0xb8, 0x02, 0x00, // 0: MOV AX, 2      (MP)
      0x0f, 0x01, 0xf0, // 3: LMSW AX
      0x40, //             6: INC AX        ; AX=3: PE
      0x0f, 0x01, 0xf0, // 7: LMSW AX
      0x43, //             A: INC BX
      0x0f, 0x01, 0xe1, // B: SMSW CX
      0xf4, //             E: HLT
    ]);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(m.cpu.instructions).toBe(7);
    expect(bx(m.cpu)).toBe(1);
    expect(m.cpu.getRegisters().ecx & 0xffff).toBe(0xfff3);
  });

  it('on the 386, MOV CR0 setting PE enters protected mode', () => {
    const m = machine(CpuModel.i80386, [
      0x0f, 0x20, 0xc0, //       0: MOV EAX, CR0
      0x66, 0x83, 0xc8, 0x01, // 3: OR EAX, 1
      0x0f, 0x22, 0xc0, //       7: MOV CR0, EAX
      0x43, //                   A: INC BX
      0xf4, //                   B: HLT
    ]);
    expect(m.cpu.run(100)).toBe(StopReason.Halt);
    expect(m.cpu.instructions).toBe(5);
    expect(bx(m.cpu)).toBe(1);
  });

  it('a fault that cannot be delivered, nor its double fault, shuts the CPU down (triple fault)', () => {
    const m = machine(CpuModel.i80386, [
      0x2e, 0x0f, 0x01, 0x1e, 0x20, 0x00, // 0: LIDT [CS:20h]  ; limit 0: no gate is reachable
      0x0f, 0x20, 0xc0, //                   6: MOV EAX, CR0
      0x0c, 0x01, //                         9: OR AL, 1
      0x0f, 0x22, 0xc0, //                   B: MOV CR0, EAX
      0xcc, //                               E: INT3 -> #GP -> #DF -> shutdown
      0x43, //                               F: INC BX
      0xf4, //                              10: HLT
      ...new Array(0x20 - 0x11).fill(0x90),
      0, 0, 0, 0, 0, 0, //                  20: IDTR image: limit 0, base 0
    ]);
    expect(m.cpu.run(100)).toBe(StopReason.Shutdown);
    expect(bx(m.cpu)).toBe(0);
  });
});
