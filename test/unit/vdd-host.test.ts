/**
 * The VDH helper API as a VDD sees it: settings checked against their definitions, named requests with
 * the pass-on chain, guest memory writes that drop translated code, hooks and lifecycle events.
 */
import { describe, expect, it } from 'vitest';
import { buildBiosRom } from '../../firmware/bios/rom.js';
import { CpuModel } from '../../main/ist/index.js';
import { RunState, VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import type { Vdh } from '../../main/vmm/vdh.js';
import { PASS, type VddModule } from '../../main/vmm/vdh.js';

const SEG = 0x1000;

function machine(code: number[] = [0xeb, 0xfe]): VirtualMachine {
  const vm = new VirtualMachine({ model: CpuModel.i80386 });
  vm.machine.ram.set(code, SEG * 16 + 0x100);
  vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x202 });
  return vm;
}

describe('VDD host', () => {
  it('checks chosen DOS settings against the owning VDD and names the bad one', () => {
    const vdd: VddModule = {
      name: 'VTEST',
      init(vdh) {
        vdh.registerProperty({ type: 'int', name: 'DOS_FILES', help: 'handles', default: 20, min: 20, max: 255 });
        vdh.registerProperty({ type: 'enum', name: 'VIDEO_MODE_RESTRICTION', help: '', default: 'NONE', values: ['NONE', 'CGA', 'MONO'] });
        vdh.registerProperty({ type: 'bool', name: 'DOS_BREAK', help: '', default: false });
      },
    };
    const ok = new VddHost(machine(), { DOS_FILES: 40 });
    ok.load([vdd]);
    expect([ok.property('DOS_FILES'), ok.property('VIDEO_MODE_RESTRICTION'), ok.property('DOS_BREAK')]).toEqual([40, 'NONE', false]);
    expect(() => new VddHost(machine(), { DOS_FILES: 300 }).load([vdd])).toThrow(/VTEST failed to load: DOS setting DOS_FILES: 300 is outside 20\.\.255/);
    expect(() => new VddHost(machine(), { VIDEO_MODE_RESTRICTION: 'EGA' }).load([vdd])).toThrow(/is not one of NONE, CGA, MONO/);
    expect(() => new VddHost(machine(), { DOS_BREAK: 'yes' }).load([vdd])).toThrow(/DOS_BREAK: "yes" is not on\/off/);
  });

  it('passes a request down the VDDs that share a name until one answers', () => {
    const host = new VddHost(machine());
    host.load([
      { name: 'A', init: (vdh) => vdh.registerName('VMOUSE', (cmd) => (cmd === 1 ? 'first' : PASS)) },
      { name: 'B', init: (vdh) => vdh.registerName('VMOUSE', (cmd, input) => `second:${cmd}:${JSON.stringify(input)}`) },
    ]);
    const h = host.openVdd('VMOUSE')!;
    expect(host.requestVdd(h, 1)).toBe('first');
    expect(host.requestVdd(h, 2, { x: 1 })).toBe('second:2:{"x":1}');
    expect(host.openVdd('NOSUCH')).toBeUndefined();
  });

  it('drops translated code that a device overwrites in guest memory', () => {
    // 100: mov ax,1 ; 103: jmp 100 -- translated once hot; then a "DMA" write turns it into mov ax,2
    const vm = machine([0xb8, 0x01, 0x00, 0xeb, 0xfb]);
    const host = new VddHost(vm);
    expect(vm.run(10_000)).toBe(RunState.Running);
    expect(vm.cpu.getRegisters().eax & 0xffff).toBe(1);
    host.writeGuest(SEG * 16 + 0x101, Uint8Array.of(0x02));
    expect(vm.run(10_000)).toBe(RunState.Running);
    expect(vm.cpu.getRegisters().eax & 0xffff).toBe(2);
    expect(Array.from(host.readGuest(SEG * 16 + 0x100, 3))).toEqual([0xb8, 0x02, 0x00]);
  });

  it('serves an interrupt hook and a port hook from a VDD, and runs its terminate hook', () => {
    // mov dx,0300h; in al,dx; int 60h; hlt; db 1,FEh
    const vm = machine([0xba, 0x00, 0x03, 0xec, 0xcd, 0x60, 0xf4, 0x01, 0xfe]);
    const host = new VddHost(vm);
    const seen: string[] = [];
    host.load([
      {
        name: 'VTEST',
        init(vdh) {
          vdh.installIoHook(0x300, 1, { byteIn: () => 0x5a, byteOut: () => {} });
          vdh.installIntHook(0x60, () => {
            seen.push(`int60 al=${(vdh.getRegisters().eax & 0xff).toString(16)}`);
            return true;
          });
          vdh.onUserHook('terminate', () => seen.push('terminate'));
        },
      },
    ]);
    vm.registerSvc(1, (m) => m.stop('done'));
    expect(vm.run(1000)).toBe(RunState.Stopped);
    host.notify('terminate');
    expect(seen).toEqual(['int60 al=5a', 'terminate']);
  });

  it('asks every VDD hooking one vector in install order until one takes the interrupt', () => {
    // int 60h; int 60h; hlt; db 1,FEh — AL says which VDD should take each
    const vm = machine([0xb0, 0x01, 0xcd, 0x60, 0xb0, 0x02, 0xcd, 0x60, 0xf4, 0x01, 0xfe]);
    const host = new VddHost(vm);
    const seen: string[] = [];
    const hooker = (name: string, takes: number) => ({
      name,
      init(vdh: Vdh) {
        vdh.installIntHook(0x60, () => {
          const al = vdh.getRegisters().eax & 0xff;
          seen.push(`${name} al=${al}`);
          return al === takes;
        });
      },
    });
    host.load([hooker('VONE', 1), hooker('VTWO', 2)]);
    vm.registerSvc(1, (m) => m.stop('done'));
    expect(vm.run(1000)).toBe(RunState.Stopped);
    expect(seen).toEqual(['VONE al=1', 'VONE al=2', 'VTWO al=2']);
  });

  it('refuses IRQ lines before an interrupt controller is loaded', () => {
    const host = new VddHost(machine());
    expect(() => host.load([{ name: 'VTIMER', init: (vdh) => void vdh.openVirq(0) }])).toThrow(/load VPIC first/);
  });
});

describe('VDD host: the hook families', () => {
  it('turns a port hook\'s trap off and on (VDHSetIOHookState)', () => {
    const vm = machine();
    const host = new VddHost(vm);
    let reads = 0;
    host.load([{ name: 'VTEST', init: (vdh) => vdh.installIoHook(0x300, 2, { byteIn: () => (reads++, 0x42), byteOut: () => {} }) }]);
    expect(vm.machine.ports.in8(0x300)).toBe(0x42);
    host.setIoHookState(0x300, 2, false);
    expect(vm.machine.ports.in8(0x300)).toBe(0xff);
    host.setIoHookState(0x300, 2, true);
    expect(vm.machine.ports.in8(0x301)).toBe(0x42);
    expect(reads).toBe(2);
    expect(() => host.installIoHook(0x300, 1, { byteIn: () => 0, byteOut: () => {} })).toThrow(/already hooked/);
  });

  it('runs a context hook at the next instruction boundary, outside the code that armed it', () => {
    const vm = machine([0x90, 0x90, 0x90, 0xf4]);
    const host = new VddHost(vm);
    const seen: number[] = [];
    host.armContextHook(() => seen.push(vm.cpu.instructions));
    expect(seen).toEqual([]);
    vm.run(10);
    expect(seen).toEqual([1]);
  });

  it('runs a return hook when the guest returns from the BIOS service that armed it (VDHArmReturnHook)', () => {
    // 1000:0100  int 11h / mov bx,ax / hlt   with INT 11h -> the ROM's stub (sti ; SVC 91h ; retf 2)
    const vm = machine([0xcd, 0x11, 0x89, 0xc3, 0xf4]);
    const rom = buildBiosRom();
    vm.machine.memory.loadRom(0xf0000, rom.image);
    const stub = rom.vectors.get(0x11)!;
    vm.machine.ram.set([stub & 0xff, stub >> 8, 0x00, 0xf0], 0x11 * 4);
    const host = new VddHost(vm);
    const order: string[] = [];
    host.load([
      {
        name: 'VTEST',
        init: (vdh) =>
          vdh.installBiosService(0x11, () => {
            order.push('service');
            vdh.setRegisters({ eax: 0x1234 });
            vdh.armReturnHook(() => order.push(`returned to ${vdh.getRegisters().cs.toString(16)}:${vdh.getRegisters().eip.toString(16)}`));
          }),
      },
    ]);
    expect(vm.run(1000)).toBe(RunState.Idle);
    expect(order).toEqual(['service', 'returned to 1000:102']);
    expect(vm.cpu.getRegisters().ebx & 0xffff).toBe(0x1234);
  });
});
