/**
 * The VM monitor core: SVC calls, idling in HLT without spinning, the virtual clock and its timers,
 * interrupt hooks, and the memory map and port bus the CPU runs on.
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { RunState, VirtualMachine } from '../../main/vmm/monitor.js';
import { PhysicalMemory } from '../../main/vmm/memory.js';
import { PortBus } from '../../main/vmm/ports.js';

const SEG = 0x1000;

/** A VM with `code` at SEG:0100 and SS:SP = SEG:FFFE; IVT entries point at `handlers` (vector -> offset in SEG). */
function vm(code: number[], options: { handlers?: Record<number, number>; model?: CpuModel } = {}): VirtualMachine {
  const v = new VirtualMachine({ model: options.model ?? CpuModel.i80386 });
  const ram = v.machine.ram;
  ram.set(code, SEG * 16 + 0x100);
  for (const [vector, off] of Object.entries(options.handlers ?? {})) {
    const at = Number(vector) * 4;
    ram[at] = off & 0xff;
    ram[at + 1] = off >> 8;
    ram[at + 2] = SEG & 0xff;
    ram[at + 3] = SEG >> 8;
  }
  v.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x202 });
  return v;
}

describe('VM monitor', () => {
  it('serves an SVC call and resumes after its two bytes', () => {
    // mov ax,1; hlt; db 7, F8h; inc ax; hlt; db 8, F7h
    const v = vm([0xb8, 0x01, 0x00, 0xf4, 0x07, 0xf8, 0x40, 0xf4, 0x08, 0xf7]);
    const seen: number[] = [];
    v.registerSvc(7, (m) => void seen.push(m.cpu.getRegisters().eax & 0xffff));
    v.registerSvc(8, (m) => m.stop(`exit ${m.cpu.getRegisters().eax & 0xffff}`));
    expect(v.run(1000)).toBe(RunState.Stopped);
    expect(seen).toEqual([1]);
    expect(v.stopReason).toBe('exit 2');
  });

  it('ends the VM with a clear reason on an SVC nobody serves', () => {
    const v = vm([0xf4, 0x33, 0xcc]);
    expect(v.run(1000)).toBe(RunState.Stopped);
    expect(v.stopReason).toBe('unknown SVC 51 at 1000:100');
  });

  it('idles in a plain HLT without executing or spinning, and an IRQ wakes it', () => {
    // 100: sti; hlt; mov bx,1; hlt; db 1,FEh     handler at 0200: mov cx,5; iret
    const code = new Array(0x110).fill(0x90);
    code.splice(0, 8, 0xfb, 0xf4, 0xbb, 0x01, 0x00, 0xf4, 0x01, 0xfe);
    code.splice(0x100, 4, 0xb9, 0x05, 0x00, 0xcf);
    const v = vm(code, { handlers: { 8: 0x200 } });
    let acks = 0;
    v.machine.interruptController = {
      acknowledge: () => {
        acks++;
        v.setIrq(false);
        return 8;
      },
    };
    v.registerSvc(1, (m) => m.stop('done'));
    expect(v.run(1_000_000)).toBe(RunState.Idle);
    expect(v.idleUntil).toBe(Infinity);
    const at = v.now;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) expect(v.run(1_000_000)).toBe(RunState.Idle);
    // A thousand calls on an idle VM execute nothing and return at once.
    expect(v.now).toBe(at);
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(500);
    v.setIrq(true);
    expect(v.run(1_000_000)).toBe(RunState.Stopped);
    expect(acks).toBe(1);
    const r = v.cpu.getRegisters();
    expect([r.ecx & 0xffff, r.ebx & 0xffff]).toEqual([5, 1]);
  });

  it('does not wake from HLT with interrupts disabled', () => {
    const v = vm([0xfa, 0xf4, 0xf4, 0x01, 0xfe]); // cli; hlt; hlt; db 1,FEh
    v.registerSvc(1, (m) => m.stop('ran past the HLT'));
    expect(v.run(1000)).toBe(RunState.Idle);
    v.setIrq(true);
    expect(v.run(1000)).toBe(RunState.Idle);
  });

  it('fires timers at exact ticks of the virtual clock while the guest runs', () => {
    const v = vm([0xeb, 0xfe]); // jmp $
    const fired: number[] = [];
    v.addTimer(1000, () => fired.push(v.now));
    v.addTimer(250, () => fired.push(v.now));
    const cancel = v.addTimer(500, () => fired.push(-1));
    cancel();
    expect(v.run(2000)).toBe(RunState.Running);
    expect(fired).toEqual([250, 1000]);
    expect(v.now).toBe(2000);
  });

  it('lets idle time pass to the next timer, which can wake the guest, at the same tick every time', () => {
    const ticks: number[] = [];
    for (let run = 0; run < 2; run++) {
      // sti; hlt; then the SVC (hlt; db 1,FEh) that ends the run     handler: iret
      const code = new Array(0x110).fill(0x90);
      code.splice(0, 5, 0xfb, 0xf4, 0xf4, 0x01, 0xfe);
      code.splice(0x100, 1, 0xcf);
      const v = vm(code, { handlers: { 8: 0x200 } });
      v.machine.interruptController = { acknowledge: () => (v.setIrq(false), 8) };
      v.registerSvc(1, (m) => m.stop('done'));
      v.addTimer(5000, () => v.setIrq(true));
      expect(v.run(1_000_000)).toBe(RunState.Idle);
      expect(v.idleUntil).toBe(5000);
      v.advanceIdle();
      expect(v.now).toBe(5000); // idle time passed exactly to the timer, which raised the IRQ
      expect(v.run(1_000_000)).toBe(RunState.Stopped); // IRQ handler, IRET, then the SVC
      ticks.push(v.now);
    }
    expect(ticks[0]).toBe(ticks[1]);
    expect(ticks[0]).toBeGreaterThanOrEqual(5000);
  });

  it('lets an interrupt hook emulate a service or chain to the guest handler', () => {
    // int 21h (AH=1: emulated, AH=2: chained to the IVT handler at 0200: mov dx,7; iret); hlt; db 1,FEh
    const code = new Array(0x110).fill(0x90);
    code.splice(0, 12, 0xb4, 0x01, 0xcd, 0x21, 0xb4, 0x02, 0xcd, 0x21, 0xf4, 0x01, 0xfe, 0x90);
    code.splice(0x100, 4, 0xba, 0x07, 0x00, 0xcf);
    const v = vm(code, { handlers: { 0x21: 0x200 } });
    const served: number[] = [];
    v.hookInterrupt(0x21, (m) => {
      const ah = (m.cpu.getRegisters().eax >> 8) & 0xff;
      if (ah !== 1) return false;
      served.push(ah);
      m.cpu.setRegisters({ ebx: 0x1234 });
      return true;
    });
    v.registerSvc(1, (m) => m.stop('done'));
    expect(v.run(10_000)).toBe(RunState.Stopped);
    const r = v.cpu.getRegisters();
    expect(served).toEqual([1]);
    expect([r.ebx & 0xffff, r.edx & 0xffff]).toEqual([0x1234, 7]);
  });
});

describe('memory map', () => {
  it('keeps ROM read-only, leaves the upper memory area unmapped and routes MMIO pages to their handler', () => {
    const m = new PhysicalMemory({ ramSize: 0x110000 });
    m.loadRom(0xf0000, new Uint8Array(0x10000).fill(0xea));
    m.write(0xf1234, 0x00);
    expect(m.read(0xf1234)).toBe(0xea);
    expect(m.read(0xc8000)).toBe(0xff); // nothing there yet
    const log: string[] = [];
    m.mapMmio(0xb8000, 0x8000, { read: (a) => (log.push(`r${a.toString(16)}`), 0x42), write: (a, v) => log.push(`w${a.toString(16)}=${v}`) });
    m.write(0xb8001, 7);
    expect(m.read(0xb8002)).toBe(0x42);
    expect(log).toEqual(['wb8001=7', 'rb8002']);
  });

  it('refuses ranges that are not whole pages inside memory', () => {
    const m = new PhysicalMemory({ ramSize: 0x110000 });
    expect(() => m.mapRam(0xd0001, 0x1000)).toThrow(/whole 4 KiB pages/);
    expect(() => m.mapRam(0x10f000, 0x2000)).toThrow(/whole 4 KiB pages/);
    expect(() => new PhysicalMemory({ ramSize: 0x80000 })).toThrow(/at least 1 MiB/);
  });

  it('runs the CPU against ROM and MMIO through the machine bus', () => {
    // mov ax,F000h; mov ds,ax; mov byte [0],5 (ROM: dropped); mov al,[0]; hlt; db 1,FEh
    const v = vm([0xb8, 0x00, 0xf0, 0x8e, 0xd8, 0xc6, 0x06, 0x00, 0x00, 0x05, 0xa0, 0x00, 0x00, 0xf4, 0x01, 0xfe]);
    v.machine.memory.loadRom(0xf0000, new Uint8Array(0x10000).fill(0x99));
    v.registerSvc(1, (m) => m.stop('done'));
    expect(v.run(1000)).toBe(RunState.Stopped);
    expect(v.cpu.getRegisters().eax & 0xff).toBe(0x99);
  });
});

describe('port bus', () => {
  it('dispatches hooked ports, splits word access into bytes and floats unhooked ports', () => {
    const bus = new PortBus();
    const out: string[] = [];
    bus.install(0x40, 4, { byteIn: (p) => p, byteOut: (p, v) => out.push(`${p.toString(16)}=${v.toString(16)}`) });
    expect(bus.in8(0x41)).toBe(0x41);
    expect(bus.in16(0x42)).toBe(0x4342);
    bus.out16(0x40, 0xbeef);
    expect(out).toEqual(['40=ef', '41=be']);
    expect(bus.in8(0x60)).toBe(0xff);
    expect(() => bus.install(0x43, 2, { byteIn: () => 0, byteOut: () => {} })).toThrow(/already hooked/);
    bus.remove(0x40, 4);
    expect(bus.in8(0x41)).toBe(0xff);
  });
});
