/**
 * VKBD under a guest: a real VirtualMachine with VPIC and VKBD loaded. The guest programs the PIC itself,
 * talks to the 8042 through ports 60h/64h, and reaches the BIOS keyboard services through small ROM-like
 * stubs placed in RAM at 0F00:0000 (the same stubs the firmware's ROM has: `in al,60h ; SVC 89h` for INT 09h,
 * `sti ; SVC 96h ; retf 2` for INT 16h). Keys come from the host through the 'VKBD' named request.
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { RunState, VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import { isVddModule } from '../../main/vmm/vdd-loader.js';
import vpic from '../../vdd/vpic/vpic.js';
import vkbd, { Command, QUEUE_MAX, scanCodesForText, toStandard, type VkbdStatus } from '../../vdd/vkbd/vkbd.js';

const SEG = 0x1000;
const STUBS = 0x0f00;

// 0F00:0000 INT 09h: push ax / in al,60h / SVC 89h / mov al,20h / out 20h,al / pop ax / iret
const INT09 = [0x50, 0xe4, 0x60, 0xf4, 0x89, 0x76, 0xb0, 0x20, 0xe6, 0x20, 0x58, 0xcf];
// 0F00:0010 INT 16h: sti / SVC 96h / retf 2
const INT16 = [0xfb, 0xf4, 0x96, 0x69, 0xca, 0x02, 0x00];
// 0F00:0020 INT 1Bh: inc word [cs:0030h] / iret
const INT1B = [0x2e, 0xff, 0x06, 0x30, 0x00, 0xcf];
// 0F00:0040 INT 05h: inc word [cs:0050h] / iret
const INT05 = [0x2e, 0xff, 0x06, 0x50, 0x00, 0xcf];
const INT1B_COUNT = STUBS * 16 + 0x30;
const INT05_COUNT = STUBS * 16 + 0x50;

// The PIC as a BIOS programs it, only IRQ 1 unmasked.
// cli
// mov al,11h / out 20h,al      ICW1: edge, cascade, ICW4 follows
// mov al,08h / out 21h,al      ICW2: vectors 08h-0Fh
// mov al,04h / out 21h,al      ICW3: slave on IR2
// mov al,01h / out 21h,al      ICW4: 8086 mode
// mov al,0FDh / out 21h,al     OCW1: only IRQ 1 unmasked
const PIC_INIT = [
  0xfa, 0xb0, 0x11, 0xe6, 0x20, 0xb0, 0x08, 0xe6, 0x21, 0xb0, 0x04, 0xe6, 0x21, 0xb0, 0x01, 0xe6, 0x21, 0xb0, 0xfd, 0xe6, 0x21,
];

/** A guest that reads keys forever with INT 16h function `fn`, storing each AX at ES:0400h onwards. */
function readLoop(fn: number): number[] {
  return [
    ...PIC_INIT,
    0xbf, 0x00, 0x04, // mov di,0400h
    0xfb, //             sti
    0xb4, fn, //         loop: mov ah,fn
    0xcd, 0x16, //       int 16h
    0xab, //             stosw
    0xeb, 0xf9, //       jmp loop
  ];
}

/** A guest that just takes keyboard interrupts: sti, then hlt forever. */
const IDLE = [
  ...PIC_INIT,
  0xfb, //       sti
  0xf4, //       hlt
  0xeb, 0xfd, // jmp hlt
];

/** Wait for the 8042's output buffer, read it and store it at ES:DI: in al,64h / test al,1 / jz $-4 / in al,60h / stosb */
const RECV = [0xe4, 0x64, 0xa8, 0x01, 0x74, 0xfa, 0xe4, 0x60, 0xaa];

interface Rig {
  vm: VirtualMachine;
  host: VddHost;
  posts: { topic: string; payload: unknown }[];
  /** Run until the guest idles with nothing left to wake it but an outside event. */
  settle(): RunState;
  byte(offset: number): number;
  word(offset: number): number;
  /** The words a readLoop guest has stored so far. */
  stored(): number[];
  type(text: string): void;
  keys(codes: number[]): void;
  query(): VkbdStatus;
}

function pc(main: number[], settings: Record<string, boolean> = {}): Rig {
  const vm = new VirtualMachine({ model: CpuModel.i80386 });
  const ram = vm.machine.ram;
  ram.set(main, SEG * 16 + 0x100);
  ram.set(INT09, STUBS * 16 + 0x00);
  ram.set(INT16, STUBS * 16 + 0x10);
  ram.set(INT1B, STUBS * 16 + 0x20);
  ram.set(INT05, STUBS * 16 + 0x40);
  const vector = (v: number, offset: number): void => ram.set([offset & 0xff, offset >> 8, STUBS & 0xff, STUBS >> 8], v * 4);
  vector(0x09, 0x00);
  vector(0x16, 0x10);
  vector(0x1b, 0x20);
  vector(0x05, 0x40);
  vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x2 });
  const host = new VddHost(vm, settings);
  const posts: Rig['posts'] = [];
  host.onPost((topic, payload) => posts.push({ topic, payload }));
  host.load([vpic, vkbd]);
  host.notify('post'); // what the ROM's POST does with SVC 7Fh
  const at = (offset: number): number => SEG * 16 + offset;
  return {
    vm,
    host,
    posts,
    settle() {
      for (let i = 0; i < 100; i++) {
        const state = vm.run(200_000);
        if (state === RunState.Running) continue;
        if (state !== RunState.Idle || !Number.isFinite(vm.idleUntil)) return state;
        vm.advanceIdle();
      }
      throw new Error('the guest never settled');
    },
    byte: (offset) => ram[at(offset)],
    word: (offset) => ram[at(offset)] | (ram[at(offset) + 1] << 8),
    stored() {
      const n = ((vm.cpu.getRegisters().edi & 0xffff) - 0x400) / 2;
      return Array.from({ length: n }, (_, i) => ram[at(0x400 + 2 * i)] | (ram[at(0x401 + 2 * i)] << 8));
    },
    type: (text) => void host.request('VKBD', Command.Type, text),
    keys: (codes) => void host.request('VKBD', Command.ScanCodes, codes),
    query: () => host.request('VKBD', Command.Query) as VkbdStatus,
  };
}

const bda = (rig: Rig, offset: number): number => rig.vm.machine.ram[0x400 + offset];
const bdaWord = (rig: Rig, offset: number): number => bda(rig, offset) | (bda(rig, offset + 1) << 8);

describe('VKBD: the 8042 controller', () => {
  it('is a VDD module named VKBD that registers its DOS settings', () => {
    expect(isVddModule(vkbd)).toBe(true);
    expect(vkbd.name).toBe('VKBD');
    const rig = pc(IDLE, { KBD_RATE_LOCK: true });
    expect(rig.host.property('KBD_BUFFER_EXTEND')).toBe(true);
    expect(rig.host.property('KBD_RATE_LOCK')).toBe(true);
  });

  it('passes its self test with 55h, sets the system flag, and reads and writes the command byte', () => {
    const rig = pc([
      0xbf, 0x00, 0x03, //   mov di,0300h
      0xe4, 0x64, //         in al,64h          status at power-on
      0xaa, //               stosb
      0xb0, 0xaa, //         mov al,0AAh
      0xe6, 0x64, //         out 64h,al         self test
      ...RECV, //            -> 55h
      0xe4, 0x64, //         in al,64h          status: system flag now set
      0xaa, //               stosb
      0xb0, 0xab, //         mov al,0ABh
      0xe6, 0x64, //         out 64h,al         keyboard interface test
      ...RECV, //            -> 00h
      0xb0, 0x20, //         mov al,20h
      0xe6, 0x64, //         out 64h,al         read command byte
      ...RECV, //            -> 45h
      0xb0, 0x60, //         mov al,60h
      0xe6, 0x64, //         out 64h,al         write command byte ...
      0xb0, 0x60, //         mov al,60h
      0xe6, 0x60, //         out 60h,al         ... translate + kbd clock on, IRQ 1 off, system flag off
      0xe4, 0x64, //         in al,64h          status after a data write
      0xaa, //               stosb
      0xb0, 0x20, //         mov al,20h
      0xe6, 0x64, //         out 64h,al
      ...RECV, //            -> 60h
      0xe4, 0x64, //         in al,64h          status after a command write
      0xaa, //               stosb
      0xf4, //               hlt
    ]);
    expect(rig.settle()).toBe(RunState.Idle);
    expect([...rig.vm.machine.ram.subarray(SEG * 16 + 0x300, SEG * 16 + 0x308)]).toEqual([
      0x10, // not inhibited, nothing else: system flag clear at power-on
      0x55,
      0x1c, // system flag, last write a command, not inhibited
      0x00,
      0x45, // IRQ 1, system flag, translate
      0x10, // system flag cleared by the command byte, last write was data
      0x60,
      0x18,
    ]);
  });

  it('raises IRQ 1 with OBF, drops it when port 60h is read, and delivers the next byte half a millisecond later', () => {
    const rig = pc([0xeb, 0xfe]); // jmp $
    const ports = rig.vm.machine.ports;
    const irq1 = rig.host.openVirq(1);
    rig.keys([0x1e, 0x9e]);
    expect(ports.in8(0x64) & 0x01).toBe(1);
    expect(irq1.query().pending).toBe(true);
    expect(ports.in8(0x60)).toBe(0x1e);
    expect(ports.in8(0x64) & 0x01).toBe(0);
    expect(irq1.query().pending).toBe(false);
    const delay = rig.vm.ticksPerSecond / 2000;
    rig.vm.run(delay - 10);
    expect(ports.in8(0x64) & 0x01).toBe(0); // the keyboard is still clocking the byte in
    rig.vm.run(20);
    expect(ports.in8(0x64) & 0x01).toBe(1);
    expect(ports.in8(0x60)).toBe(0x9e);
    expect(rig.query().queued).toBe(0);
  });

  it('holds keys while the keyboard interface is disabled (ADh) and raises no IRQ with command byte bit 0 clear', () => {
    const rig = pc([0xeb, 0xfe]);
    const ports = rig.vm.machine.ports;
    const irq1 = rig.host.openVirq(1);
    ports.out8(0x64, 0xad);
    rig.keys([0x1e]);
    expect(ports.in8(0x64) & 0x01).toBe(0);
    expect(rig.query().queued).toBe(1);
    ports.out8(0x64, 0x60);
    ports.out8(0x60, 0x44); // IRQ 1 off
    ports.out8(0x64, 0xae);
    expect(ports.in8(0x64) & 0x01).toBe(1);
    expect(irq1.query().pending).toBe(false);
    expect(ports.in8(0x60)).toBe(0x1e);
  });

  it('drives A20 from output port bit 1 (D1h) and port 92h, and reports it through D0h', () => {
    const rig = pc([0xeb, 0xfe]);
    const ports = rig.vm.machine.ports;
    expect(rig.host.a20).toBe(true);
    ports.out8(0x64, 0xd1);
    ports.out8(0x60, 0xdd); // A20 off, reset line high
    expect(rig.host.a20).toBe(false);
    ports.out8(0x64, 0xd0);
    expect(ports.in8(0x60) & 0x03).toBe(0x01);
    ports.out8(0x64, 0xd1);
    ports.out8(0x60, 0xdf);
    expect(rig.host.a20).toBe(true);
    ports.out8(0x92, 0x00);
    expect(rig.host.a20).toBe(false);
    expect(ports.in8(0x92)).toBe(0x00);
    ports.out8(0x92, 0x02);
    expect(rig.host.a20).toBe(true);
    expect(ports.in8(0x92)).toBe(0x02);
  });

  it('pulses the reset line on FEh: the CPU restarts at F000:FFF0', () => {
    const rig = pc([
      0xb0, 0xfe, // mov al,0FEh
      0xe6, 0x64, // out 64h,al
      0xeb, 0xfe, // jmp $        (not reached: the reset comes first)
    ]);
    expect(rig.vm.run(2)).toBe(RunState.Running); // exactly the two instructions
    const r = rig.vm.cpu.getRegisters();
    expect(r.cs).toBe(0xf000);
    expect(r.eip).toBe(0xfff0);
  });
});

describe('VKBD: the keyboard', () => {
  it('answers reset with FA AA, echo with EE, identify with FA AB 83, LEDs with FA FA, unknown with FE', () => {
    const rig = pc([
      0xbf, 0x00, 0x03, // mov di,0300h
      0xb0, 0xff, //       mov al,0FFh
      0xe6, 0x60, //       out 60h,al      reset
      ...RECV, //          FA
      ...RECV, //          AA
      0xb0, 0xee, //       mov al,0EEh
      0xe6, 0x60, //       out 60h,al      echo
      ...RECV, //          EE
      0xb0, 0xf2, //       mov al,0F2h
      0xe6, 0x60, //       out 60h,al      identify
      ...RECV, //          FA
      ...RECV, //          AB
      ...RECV, //          83
      0xb0, 0xed, //       mov al,0EDh
      0xe6, 0x60, //       out 60h,al      set LEDs ...
      ...RECV, //          FA
      0xb0, 0x07, //       mov al,07h
      0xe6, 0x60, //       out 60h,al      ... all three on
      ...RECV, //          FA
      0xb0, 0xab, //       mov al,0ABh
      0xe6, 0x60, //       out 60h,al      not a keyboard command
      ...RECV, //          FE
      0xf4, //             hlt
    ]);
    expect(rig.settle()).toBe(RunState.Idle);
    expect([...rig.vm.machine.ram.subarray(SEG * 16 + 0x300, SEG * 16 + 0x30a)]).toEqual([
      0xfa, 0xaa, 0xee, 0xfa, 0xab, 0x83, 0xfa, 0xfa, 0xfe, 0x00,
    ]);
    expect(rig.posts.filter((p) => p.topic === 'kbd-leds').at(-1)?.payload).toEqual({ scroll: true, num: true, caps: true });
  });
});

describe('VKBD: typing into INT 16h', () => {
  it('delivers typed text as BIOS key words through INT 09h to a guest reading INT 16h AH=00h', () => {
    const rig = pc(readLoop(0x00));
    expect(rig.settle()).toBe(RunState.Idle);
    rig.type('Aa\r!\x03 ');
    expect(rig.settle()).toBe(RunState.Idle);
    expect(rig.stored()).toEqual([0x1e41, 0x1e61, 0x1c0d, 0x0221, 0x2e03, 0x3920]);
    expect(bda(rig, 0x17) & 0x0f).toBe(0); // Shift and Ctrl released again
  });

  it('gives grey cursor keys E0h through AH=10h and 00h through AH=00h, which also skips F11', () => {
    const keys = [0xe0, 0x48, 0xe0, 0xc8, 0x57, 0xd7, 0xe0, 0x1c, 0xe0, 0x9c, 0x48, 0xc8];
    const enhanced = pc(readLoop(0x10));
    enhanced.settle();
    enhanced.keys(keys);
    enhanced.settle();
    // Up (grey), F11, keypad Enter, keypad 8 with NumLock on
    expect(enhanced.stored()).toEqual([0x48e0, 0x8500, 0xe00d, 0x4838]);

    const standard = pc(readLoop(0x00));
    standard.settle();
    standard.keys(keys);
    standard.settle();
    expect(standard.stored()).toEqual([0x4800, 0x1c0d, 0x4838]);
  });

  it('idles the VM in INT 16h AH=00h while the buffer is empty and resumes when a key is typed', () => {
    const rig = pc(readLoop(0x00));
    expect(rig.settle()).toBe(RunState.Idle);
    expect(rig.vm.idleUntil).toBe(Infinity);
    const before = rig.vm.cpu.instructions;
    expect(rig.vm.run(1_000_000)).toBe(RunState.Idle);
    expect(rig.vm.cpu.instructions).toBe(before); // no busy loop
    expect(rig.stored()).toEqual([]);
    rig.type('x');
    expect(rig.settle()).toBe(RunState.Idle);
    expect(rig.stored()).toEqual([0x2d78]);
  });

  it('reports an empty buffer with ZF=1 from AH=01h, and a key stored with AH=05h with ZF=0 without removing it', () => {
    const rig = pc([
      0xb4, 0x01, //             mov ah,01h
      0xcd, 0x16, //             int 16h
      0x9c, //                   pushf
      0x5b, //                   pop bx
      0x89, 0x1e, 0x00, 0x03, // mov [0300h],bx
      0xb4, 0x05, //             mov ah,05h
      0xb9, 0x34, 0x12, //       mov cx,1234h
      0xcd, 0x16, //             int 16h
      0xa3, 0x02, 0x03, //       mov [0302h],ax
      0xb4, 0x01, //             mov ah,01h
      0xcd, 0x16, //             int 16h
      0x9c, //                   pushf
      0x5b, //                   pop bx
      0x89, 0x1e, 0x04, 0x03, // mov [0304h],bx
      0xa3, 0x06, 0x03, //       mov [0306h],ax
      0xb4, 0x00, //             mov ah,00h
      0xcd, 0x16, //             int 16h
      0xa3, 0x08, 0x03, //       mov [0308h],ax
      0xb4, 0x0a, //             mov ah,0Ah
      0xcd, 0x16, //             int 16h
      0x89, 0x1e, 0x0a, 0x03, // mov [030Ah],bx
      0xf4, //                   hlt
    ]);
    expect(rig.settle()).toBe(RunState.Idle);
    expect(rig.word(0x300) & 0x40).toBe(0x40);
    expect(rig.word(0x302)).toBe(0x0500); // AL=0: stored
    expect(rig.word(0x304) & 0x40).toBe(0);
    expect(rig.word(0x306)).toBe(0x1234);
    expect(rig.word(0x308)).toBe(0x1234);
    expect(rig.word(0x30a)).toBe(0xab83);
  });

  it('keeps 15 keys in the BIOS buffer and drops the rest with a beep', () => {
    const rig = pc(IDLE);
    rig.settle();
    rig.type('abcdefghijklmnopqrst');
    expect(rig.settle()).toBe(RunState.Idle);
    expect(rig.query()).toMatchObject({ queued: 0, biosBuffered: 15, shift: 0x20 });
    expect(rig.posts.filter((p) => p.topic === 'kbd-beep')).toHaveLength(5);
    expect(bdaWord(rig, 0x1a)).toBe(0x1e);
    expect(bdaWord(rig, 0x1e)).toBe(0x1e61);
    expect(bdaWord(rig, 0x1e + 28)).toBe(0x186f); // the 15th: 'o'
  });
});

describe('VKBD: idle detection', () => {
  // loop: mov ah,1 / int 16h / jz loop / xor ah,ah / int 16h / stosw / jmp loop — how DOS waits for a key
  const POLLER = [...PIC_INIT, 0xbf, 0x00, 0x04, 0xfb, 0xb4, 0x01, 0xcd, 0x16, 0x74, 0xfa, 0x30, 0xe4, 0xcd, 0x16, 0xab, 0xeb, 0xf3];

  it('puts a guest that busy-polls INT 16h AH=01h to sleep until the next interrupt, and wakes it with a key', () => {
    const rig = pc(POLLER);
    expect(rig.settle()).toBe(RunState.Idle); // a poll loop that never slept would never settle
    const spent = rig.vm.cpu.instructions;
    expect(spent).toBeLessThan(20_000);
    expect(rig.query().waitingForKey).toBe(true);
    rig.type('x');
    expect(rig.settle()).toBe(RunState.Idle);
    expect(rig.stored()).toEqual([0x2d78]);
    expect(rig.query().waitingForKey).toBe(true);
  });

  it('keeps answering polls that come between real work', () => {
    // The same loop with 500 iterations of work between polls (mov cx,500 / loop $) never trips it.
    const busy = [...PIC_INIT, 0xbf, 0x00, 0x04, 0xfb, 0xb9, 0xf4, 0x01, 0xe2, 0xfe, 0xb4, 0x01, 0xcd, 0x16, 0x74, 0xf5, 0xeb, 0xf3];
    const rig = pc(busy);
    expect(rig.vm.run(5_000_000)).toBe(RunState.Running);
  });
});

describe('VKBD: the BIOS keyboard interrupt', () => {
  it('clears the buffer, sets 40:71h bit 7, calls INT 1Bh and stores 0000h on Ctrl+Break', () => {
    const rig = pc(IDLE);
    rig.settle();
    rig.type('ab');
    rig.keys([0x1d, 0xe0, 0x46, 0xe0, 0xc6, 0x9d]); // Ctrl, Break (E0 46), release both
    expect(rig.settle()).toBe(RunState.Idle);
    expect(rig.vm.machine.ram[INT1B_COUNT]).toBe(1);
    expect(bda(rig, 0x71)).toBe(0x80);
    expect(rig.query().biosBuffered).toBe(1);
    expect(bdaWord(rig, bdaWord(rig, 0x1a))).toBe(0x0000);
  });

  it('calls INT 05h on Print Screen', () => {
    const rig = pc(IDLE);
    rig.settle();
    rig.keys([0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa]);
    rig.settle();
    expect(rig.vm.machine.ram[INT05_COUNT]).toBe(1);
    expect(rig.query().biosBuffered).toBe(0);
  });

  it('warm boots on Ctrl+Alt+Del: 1234h at 40:72h and a CPU reset', () => {
    const rig = pc(IDLE);
    // Count resets, and end the VM at the first (there is no ROM at F000:FFF0 here to run).
    let resets = 0;
    const reset = rig.host.resetCpu.bind(rig.host);
    rig.host.resetCpu = () => {
      resets++;
      reset();
      rig.vm.stop('reset');
    };
    rig.settle();
    rig.keys([0x1d, 0x38, 0xe0, 0x53]); // Ctrl, Alt, grey Del
    expect(rig.settle()).toBe(RunState.Stopped);
    expect(resets).toBe(1);
    expect(bdaWord(rig, 0x72)).toBe(0x1234);
  });

  it('enters a character code with Alt and the keypad digits', () => {
    const rig = pc(readLoop(0x00));
    rig.settle();
    rig.keys([0x38, 0x4d, 0xcd, 0x4c, 0xcc, 0xb8]); // Alt down, keypad 6, keypad 5, Alt up
    rig.settle();
    expect(rig.stored()).toEqual([0x0041]);
  });

  it('toggles Caps Lock in 40:17h and the LEDs, and types text as written whatever the Caps Lock state', () => {
    const rig = pc(readLoop(0x10));
    rig.settle();
    rig.keys([0x3a, 0xba, 0x1e, 0x9e]); // Caps Lock, then the A key
    rig.settle();
    expect(bda(rig, 0x17) & 0x40).toBe(0x40);
    expect(bda(rig, 0x97) & 0x07).toBe(0x06); // NumLock (set at POST) and CapsLock
    expect(rig.posts.filter((p) => p.topic === 'kbd-leds').at(-1)?.payload).toEqual({ scroll: false, num: true, caps: true });
    rig.type('aB');
    rig.settle();
    expect(rig.stored()).toEqual([0x1e41, 0x1e61, 0x3042]);
  });

  it('reports the shift state through INT 16h AH=12h, with the left and right keys apart', () => {
    const rig = pc([
      ...PIC_INIT,
      0xfb, //             sti
      0xb4, 0x10, //       mov ah,10h
      0xcd, 0x16, //       int 16h          wait for a key
      0xa3, 0x00, 0x03, // mov [0300h],ax
      0xb4, 0x12, //       mov ah,12h
      0xcd, 0x16, //       int 16h          extended shift state
      0xa3, 0x02, 0x03, // mov [0302h],ax
      0xf4, //             hlt
    ]);
    rig.settle();
    rig.keys([0xe0, 0x1d, 0x2a, 0x3b]); // right Ctrl and left Shift held, F1
    rig.settle();
    expect(rig.word(0x300)).toBe(0x5e00); // Ctrl+F1
    expect(rig.word(0x302)).toBe(0x0426); // AH: right Ctrl; AL: NumLock, Ctrl, left Shift
  });
});

describe('VKBD: host input', () => {
  it('turns text into set-1 make and break codes with Shift and Ctrl around them', () => {
    expect(scanCodesForText('a')).toEqual([0x1e, 0x9e]);
    expect(scanCodesForText('A')).toEqual([0x2a, 0x1e, 0x9e, 0xaa]);
    expect(scanCodesForText('\r\n\t\b\x1b')).toEqual([0x1c, 0x9c, 0x0f, 0x8f, 0x0e, 0x8e, 0x01, 0x81]);
    expect(scanCodesForText('\x03')).toEqual([0x1d, 0x2e, 0xae, 0x9d]);
  });

  it('refuses characters it cannot type, naming them, and queues nothing', () => {
    const rig = pc(IDLE);
    expect(() => rig.type('ok é €')).toThrow(/U\+00E9, U\+20AC/);
    expect(rig.query().queued).toBe(0);
  });

  it('refuses input beyond the queue bound with "keyboard queue full"', () => {
    const rig = pc([0xeb, 0xfe]);
    rig.keys(new Array(QUEUE_MAX - 1).fill(0x1e)); // one goes straight to the output buffer
    expect(rig.query().queued).toBe(QUEUE_MAX - 2);
    expect(() => rig.keys([0x1e, 0x1e, 0x1e])).toThrow(/keyboard queue full/);
    expect(() => rig.host.request('VKBD', Command.ScanCodes, [256])).toThrow(/bytes/);
  });

  it('translates keys for the old INT 16h functions as the IBM BIOS does', () => {
    expect(toStandard(0x48e0)).toBe(0x4800);
    expect(toStandard(0xe02f)).toBe(0x352f);
    expect(toStandard(0x8500)).toBeUndefined();
    expect(toStandard(0x01f0)).toBeUndefined();
    expect(toStandard(0x00e0)).toBe(0x00e0); // Alt+224 on the keypad is a character
  });
});
