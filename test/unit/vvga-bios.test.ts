/**
 * VVGA's video BIOS on the real VM monitor: guest programs call INT 10h through its SVC (`hlt ; db 90h ;
 * db 6Fh`, what the ROM stub does) and program the CRTC, attribute controller and DAC ports themselves; the
 * screen is read back through the 'VVGA' named request and through the CPU's view of B800h/B000h (video
 * memory is the VGA's planes, reached through its MMIO window).
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { RunState, VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import { isVddModule } from '../../main/vmm/vdd-loader.js';
import vvga, { CP437, type TextScreen } from '../../vdd/vvga/vvga.js';

const SEG = 0x1000;
const CODE = SEG * 16 + 0x100;
/** Data for the programs (strings, tables) at DS:0400h = ES:0400h. */
const DATA = SEG * 16 + 0x400;
const B800 = 0xb8000;
const B000 = 0xb0000;

/** INT 10h as the ROM stub reaches it: SVC 90h. */
const INT10 = [0xf4, 0x90, 0x6f];

interface Rig {
  vm: VirtualMachine;
  host: VddHost;
  posts: { topic: string; payload: unknown }[];
  /** Run a program at 1000:0100 (a final `hlt` is appended) with DS:0400h holding `data`. */
  run(code: number[], data?: number[]): ReturnType<VirtualMachine['cpu']['getRegisters']>;
  screen(): TextScreen;
  text(): string;
  lines(): string[];
  bda(offset: number): number;
  bdaWord(offset: number): number;
  crtc(index: number, base?: number): number;
  cell(row: number, col: number, base?: number): { ch: number; attr: number };
  /** Write / read video memory as the CPU does (through the VGA's window). */
  poke(addr: number, bytes: number[]): void;
  peek(addr: number, length: number): number[];
}

function rig(ticksPerSecond?: number, settings: Record<string, boolean> = {}): Rig {
  const vm = new VirtualMachine({ model: CpuModel.i80386, ticksPerSecond });
  const host = new VddHost(vm, settings);
  const posts: Rig['posts'] = [];
  host.onPost((topic, payload) => posts.push({ topic, payload }));
  host.load([vvga]);
  host.notify('post');
  const ram = vm.machine.ram;
  const r: Rig = {
    vm,
    host,
    posts,
    run(code, data = []) {
      ram.set([...code, 0xf4], CODE); // ... ; hlt
      ram.set(data, DATA);
      vm.cpu.memoryChanged(CODE, code.length + 1);
      vm.resetCpu();
      vm.cpu.setRegisters({
        cs: SEG,
        ds: SEG,
        es: SEG,
        ss: SEG,
        esp: 0xfffe,
        eip: 0x100,
        eflags: 0x002,
        eax: 0,
        ebx: 0,
        ecx: 0,
        edx: 0,
        esi: 0,
        edi: 0,
        ebp: 0,
      });
      expect(vm.run(10_000_000)).toBe(RunState.Idle);
      return vm.cpu.getRegisters();
    },
    screen: () => host.request('VVGA', 1) as TextScreen,
    text: () => host.request('VVGA', 3) as string,
    lines: () => (host.request('VVGA', 3) as string).split('\n'),
    bda: (offset) => ram[0x400 + offset],
    bdaWord: (offset) => ram[0x400 + offset] | (ram[0x401 + offset] << 8),
    crtc(index, base = 0x3d4) {
      vm.machine.ports.out8(base, index);
      return vm.machine.ports.in8(base + 1);
    },
    poke(addr, bytes) {
      bytes.forEach((b, i) => vm.machine.memory.write(addr + i, b));
    },
    peek(addr, length) {
      return Array.from({ length }, (_, i) => vm.machine.memory.read(addr + i));
    },
    cell(row, col, base = B800) {
      const a = base + (row * 80 + col) * 2;
      return { ch: vm.machine.memory.read(a), attr: vm.machine.memory.read(a + 1) };
    },
  };
  return r;
}

/**
 * Teletype the zero-terminated string at DS:0400h.
 *   0100: mov si,0400h      BE 00 04
 *   0103: mov ah,0Eh        B4 0E
 *   0105: lodsb             AC
 *   0106: or al,al          08 C0
 *   0108: jz 010Fh          74 05
 *   010A: int 10h           F4 90 6F
 *   010D: jmp 0105h         EB F6
 *   010F: hlt               (appended)
 */
const TTY = [0xbe, 0x00, 0x04, 0xb4, 0x0e, 0xac, 0x08, 0xc0, 0x74, 0x05, ...INT10, 0xeb, 0xf6];

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}
function tty(r: Rig, s: string): void {
  r.run(TTY, [...ascii(s), 0]);
}

describe('VVGA BIOS: teletype (INT 10h AH=0Eh)', () => {
  it('writes a string with CR/LF to B800h with attribute 07h and shows it in the text request', () => {
    const r = rig();
    tty(r, 'Hello\r\nWorld');
    expect(r.lines()[0]).toBe('Hello');
    expect(r.lines()[1]).toBe('World');
    expect(r.text().split('\n')).toHaveLength(25);
    expect(r.cell(0, 0)).toEqual({ ch: 0x48, attr: 0x07 });
    expect(r.cell(1, 4)).toEqual({ ch: 0x64, attr: 0x07 });
    const s = r.screen();
    expect(s).toMatchObject({ mode: 3, columns: 80, rows: 25, cursor: { row: 1, col: 5, visible: true } });
    expect(s.text[0]).toHaveLength(80);
    expect(s.attrs[1][0]).toBe(0x07);
  });

  it('scrolls the screen up when a line feed passes the last row: the first line goes, the last is blank', () => {
    const r = rig();
    tty(r, 'first\r\n' + 'x\r\n'.repeat(23) + 'last\r\n');
    const lines = r.lines();
    expect(lines[0]).toBe('x');
    expect(lines[23]).toBe('last');
    expect(lines[24]).toBe('');
    expect(r.text()).not.toContain('first');
    expect(r.screen().attrs[24].every((a) => a === 0x07)).toBe(true);
    expect(r.screen().cursor).toMatchObject({ row: 24, col: 0 });
  });

  it('wraps at column 80 to the next line', () => {
    const r = rig();
    tty(r, 'A'.repeat(80) + 'B');
    expect(r.lines()[0]).toBe('A'.repeat(80));
    expect(r.lines()[1]).toBe('B');
    expect(r.screen().cursor).toMatchObject({ row: 1, col: 1 });
  });

  it('moves back one column on backspace without erasing, so the next character overwrites', () => {
    const r = rig();
    tty(r, 'abc\bX');
    expect(r.lines()[0]).toBe('abX');
    tty(r, '\b\b\b\b\bY');
    expect(r.lines()[0]).toBe('YbX'); // backspace stops at column 0
  });

  it('posts a beep for BEL and writes nothing', () => {
    const r = rig();
    tty(r, 'a\x07b');
    expect(r.posts.filter((p) => p.topic === 'beep')).toHaveLength(1);
    expect(r.lines()[0]).toBe('ab');
  });
});

describe('VVGA BIOS: cursor', () => {
  it('sets and gets the cursor position and shape, and the CRTC cursor location follows AH=02h', () => {
    const r = rig();
    const regs = r.run([
      0xb4, 0x02, //       mov ah,02h
      0xb7, 0x00, //       mov bh,0
      0xba, 0x10, 0x05, // mov dx,0510h      row 5, column 16
      ...INT10, //         int 10h
      0xb4, 0x01, //       mov ah,01h
      0xb9, 0x07, 0x00, // mov cx,0007h      block cursor
      ...INT10, //         int 10h
      0xb4, 0x03, //       mov ah,03h
      0xb7, 0x00, //       mov bh,0
      ...INT10, //         int 10h
    ]);
    expect(regs.edx & 0xffff).toBe(0x0510);
    expect(regs.ecx & 0xffff).toBe(0x0007);
    expect(r.bdaWord(0x50)).toBe(0x0510);
    expect(r.bdaWord(0x60)).toBe(0x0007);
    const location = 5 * 80 + 16;
    expect(r.crtc(0x0e)).toBe(location >> 8);
    expect(r.crtc(0x0f)).toBe(location & 0xff);
    expect(r.screen().cursor).toEqual({ row: 5, col: 16, visible: true });
  });

  it('hides the cursor when CH bit 5 is set', () => {
    const r = rig();
    r.run([
      0xb4, 0x01, //       mov ah,01h
      0xb9, 0x07, 0x26, // mov cx,2607h
      ...INT10, //         int 10h
    ]);
    expect(r.bdaWord(0x60)).toBe(0x2607);
    expect(r.crtc(0x0a) & 0x20).toBe(0x20);
    expect(r.screen().cursor.visible).toBe(false);
    r.run([
      0xb4, 0x01, //       mov ah,01h
      0xb9, 0x07, 0x06, // mov cx,0607h
      ...INT10, //         int 10h
    ]);
    expect(r.screen().cursor.visible).toBe(true);
  });

  it('moves the CRTC cursor only for the active page', () => {
    const r = rig();
    r.run([
      0xb4, 0x02, //       mov ah,02h
      0xb7, 0x01, //       mov bh,1           page 1 is not displayed
      0xba, 0x03, 0x02, // mov dx,0203h
      ...INT10, //         int 10h
    ]);
    expect(r.bdaWord(0x52)).toBe(0x0203);
    expect(r.crtc(0x0e)).toBe(0);
    expect(r.crtc(0x0f)).toBe(0);
  });
});

/** Fill rows 0-24 of B800h with 'a', 'b', ... (one letter per row), attribute 07h. */
function fillRows(r: Rig): void {
  for (let row = 0; row < 25; row++)
    for (let col = 0; col < 80; col++) r.poke(B800 + (row * 80 + col) * 2, [0x61 + row, 0x07]);
}

describe('VVGA BIOS: scrolling windows (AH=06h/07h)', () => {
  it('scrolls a window up one line, filling the new line with BH and leaving the rest alone', () => {
    const r = rig();
    fillRows(r);
    r.run([
      0xb8, 0x01, 0x06, // mov ax,0601h      up 1 line
      0xb7, 0x1e, //       mov bh,1Eh
      0xb9, 0x0a, 0x02, // mov cx,020Ah      top row 2, left column 10
      0xba, 0x13, 0x05, // mov dx,0513h      bottom row 5, right column 19
      ...INT10, //         int 10h
    ]);
    expect(r.cell(2, 10)).toEqual({ ch: 0x64, attr: 0x07 }); // 'd' from row 3
    expect(r.cell(4, 19)).toEqual({ ch: 0x66, attr: 0x07 }); // 'f' from row 5
    expect(r.cell(5, 10)).toEqual({ ch: 0x20, attr: 0x1e });
    expect(r.cell(5, 19)).toEqual({ ch: 0x20, attr: 0x1e });
    expect(r.cell(2, 9).ch).toBe(0x63); // outside the window: unchanged
    expect(r.cell(2, 20).ch).toBe(0x63);
    expect(r.cell(1, 10).ch).toBe(0x62);
    expect(r.cell(6, 10).ch).toBe(0x67);
  });

  it('scrolls a window down two lines', () => {
    const r = rig();
    fillRows(r);
    r.run([
      0xb8, 0x02, 0x07, // mov ax,0702h      down 2 lines
      0xb7, 0x70, //       mov bh,70h
      0xb9, 0x00, 0x0a, // mov cx,0A00h      top row 10, left column 0
      0xba, 0x4f, 0x0e, // mov dx,0E4Fh      bottom row 14, right column 79
      ...INT10, //         int 10h
    ]);
    const lines = r.lines();
    expect(lines[10]).toBe('');
    expect(lines[11]).toBe('');
    expect(lines[12]).toBe('k'.repeat(80));
    expect(lines[14]).toBe('m'.repeat(80));
    expect(lines[15]).toBe('p'.repeat(80));
    expect(r.cell(10, 0).attr).toBe(0x70);
  });

  it('clips a window that reaches past the screen, and AL=0 clears it', () => {
    const r = rig();
    fillRows(r);
    r.poke(B800 + 4000, [0x7a, 0x5a]); // just past the page: must survive
    r.run([
      0xb8, 0x00, 0x06, // mov ax,0600h      clear
      0xb7, 0x17, //       mov bh,17h
      0xb9, 0x00, 0x17, // mov cx,1700h      top row 23, left column 0
      0xba, 0xff, 0xff, // mov dx,0FFFFh     past the bottom right corner
      ...INT10, //         int 10h
    ]);
    expect(r.lines()[22]).toBe('w'.repeat(80));
    expect(r.lines()[23]).toBe('');
    expect(r.lines()[24]).toBe('');
    expect(r.cell(24, 79)).toEqual({ ch: 0x20, attr: 0x17 });
    expect(r.peek(B800 + 4000, 2)).toEqual([0x7a, 0x5a]);
  });
});

describe('VVGA BIOS: characters at the cursor (AH=08h/09h/0Ah)', () => {
  it('writes a character and attribute CX times from the cursor across the line end without moving it', () => {
    const r = rig();
    r.run([
      0xb4, 0x02, //       mov ah,02h
      0xb7, 0x00, //       mov bh,0
      0xba, 0x4e, 0x03, // mov dx,034Eh      row 3, column 78
      ...INT10, //         int 10h
      0xb8, 0x58, 0x09, // mov ax,0958h      'X'
      0xbb, 0x1f, 0x00, // mov bx,001Fh      page 0, white on blue
      0xb9, 0x05, 0x00, // mov cx,5
      ...INT10, //         int 10h
    ]);
    expect(r.cell(3, 78)).toEqual({ ch: 0x58, attr: 0x1f });
    expect(r.cell(3, 79)).toEqual({ ch: 0x58, attr: 0x1f });
    expect(r.cell(4, 2)).toEqual({ ch: 0x58, attr: 0x1f });
    expect(r.cell(4, 3)).toEqual({ ch: 0x20, attr: 0x07 });
    expect(r.bdaWord(0x50)).toBe(0x034e);
  });

  it('writes the character only with AH=0Ah and reads character and attribute back with AH=08h', () => {
    const r = rig();
    r.poke(B800 + (7 * 80 + 7) * 2, [0x41, 0x4e]);
    const regs = r.run([
      0xb4, 0x02, //       mov ah,02h
      0xb7, 0x00, //       mov bh,0
      0xba, 0x06, 0x07, // mov dx,0706h      row 7, column 6
      ...INT10, //         int 10h
      0xb8, 0x5a, 0x0a, // mov ax,0A5Ah      'Z'
      0xbb, 0x70, 0x00, // mov bx,0070h      (BL ignored)
      0xb9, 0x02, 0x00, // mov cx,2
      ...INT10, //         int 10h
      0xb4, 0x08, //       mov ah,08h
      0xb7, 0x00, //       mov bh,0
      ...INT10, //         int 10h          AX = attribute:character at 7,6
    ]);
    expect(regs.eax & 0xffff).toBe(0x075a);
    expect(r.cell(7, 7)).toEqual({ ch: 0x5a, attr: 0x4e });
  });
});

describe('VVGA BIOS: write string (AH=13h)', () => {
  it('writes character/attribute pairs at DH,DL and moves the cursor with AL=3', () => {
    const r = rig();
    r.run(
      [
        0xb8, 0x03, 0x13, // mov ax,1303h      pairs, move the cursor
        0xbb, 0x00, 0x00, // mov bx,0000h      page 0
        0xb9, 0x03, 0x00, // mov cx,3          three characters
        0xba, 0x05, 0x0a, // mov dx,0A05h      row 10, column 5
        0xbd, 0x00, 0x04, // mov bp,0400h      ES:BP = the string
        ...INT10, //         int 10h
      ],
      [0x48, 0x4e, 0x69, 0x2f, 0x21, 0x0c],
    );
    expect(r.lines()[10]).toBe('     Hi!');
    expect(r.cell(10, 5)).toEqual({ ch: 0x48, attr: 0x4e });
    expect(r.cell(10, 6)).toEqual({ ch: 0x69, attr: 0x2f });
    expect(r.cell(10, 7)).toEqual({ ch: 0x21, attr: 0x0c });
    expect(r.bdaWord(0x50)).toBe(0x0a08);
    expect(r.screen().cursor).toMatchObject({ row: 10, col: 8 });
  });

  it('uses BL for a plain string, obeys CR/LF and leaves the cursor with AL=0', () => {
    const r = rig();
    r.run(
      [
        0xb8, 0x00, 0x13, // mov ax,1300h      plain string, cursor stays
        0xbb, 0x70, 0x00, // mov bx,0070h      page 0, black on grey
        0xb9, 0x06, 0x00, // mov cx,6
        0xba, 0x02, 0x01, // mov dx,0102h      row 1, column 2
        0xbd, 0x00, 0x04, // mov bp,0400h
        ...INT10, //         int 10h
      ],
      ascii('ab\r\ncd'),
    );
    expect(r.lines()[1]).toBe('  ab');
    expect(r.lines()[2]).toBe('cd');
    expect(r.cell(2, 1).attr).toBe(0x70);
    expect(r.bdaWord(0x50)).toBe(0x0000);
  });
});

describe('VVGA BIOS: modes', () => {
  it('sets up mode 03h and the BIOS data area at POST', () => {
    const r = rig();
    expect(r.bda(0x49)).toBe(0x03);
    expect(r.bdaWord(0x4a)).toBe(80);
    expect(r.bdaWord(0x4c)).toBe(0x1000);
    expect(r.bdaWord(0x60)).toBe(0x0607);
    expect(r.bdaWord(0x63)).toBe(0x3d4);
    expect(r.bda(0x84)).toBe(24);
    expect(r.bdaWord(0x85)).toBe(16);
    expect([r.bda(0x87), r.bda(0x88), r.bda(0x89), r.bda(0x8a)]).toEqual([0x60, 0x09, 0x11, 0x08]);
    expect(r.cell(12, 40)).toEqual({ ch: 0x20, attr: 0x07 });
    expect(r.host.request('VVGA', 2)).toEqual({ mode: 3 });
    expect(r.posts).toContainEqual({ topic: 'video-mode', payload: { mode: 3, columns: 80, rows: 25 } });
    const regs = r.run([0xb4, 0x0f, ...INT10]); // mov ah,0Fh ; int 10h
    expect(regs.eax & 0xffff).toBe(0x5003);
    expect((regs.ebx >> 8) & 0xff).toBe(0);
  });

  it('mode 07h uses B000h and the CRTC at 3B4h', () => {
    const r = rig();
    r.run([
      0xb8, 0x07, 0x00, // mov ax,0007h
      ...INT10, //         int 10h
      0xb8, 0x4d, 0x0e, // mov ax,0E4Dh      teletype 'M'
      ...INT10, //         int 10h
    ]);
    expect(r.bda(0x49)).toBe(0x07);
    expect(r.bdaWord(0x63)).toBe(0x3b4);
    expect(r.cell(0, 0, B000)).toEqual({ ch: 0x4d, attr: 0x07 });
    expect(r.cell(0, 0, B800).ch).not.toBe(0x4d);
    expect(r.lines()[0]).toBe('M');
    expect(r.host.request('VVGA', 2)).toEqual({ mode: 7 });
    expect(r.crtc(0x0f, 0x3b4)).toBe(1);
    expect(r.vm.machine.ports.in8(0x3d5)).toBe(0xff); // colour ports are not decoded in mono addressing
    expect(r.posts).toContainEqual({ topic: 'video-mode', payload: { mode: 7, columns: 80, rows: 25 } });
  });

  it('a 40-column mode reports 40 columns and lays out rows of 40 cells', () => {
    const r = rig();
    r.run([0xb8, 0x01, 0x00, ...INT10]); // mov ax,0001h ; int 10h
    tty(r, 'x'.repeat(41));
    expect(r.bdaWord(0x4a)).toBe(40);
    expect(r.bdaWord(0x4c)).toBe(0x800);
    expect(r.lines()[0]).toBe('x'.repeat(40));
    expect(r.lines()[1]).toBe('x');
  });

  it('keeps the screen with AL bit 7 and clears it without', () => {
    const r = rig();
    tty(r, 'keep me');
    r.run([0xb8, 0x83, 0x00, ...INT10]); // mov ax,0083h ; int 10h
    expect(r.lines()[0]).toBe('keep me');
    r.run([0xb8, 0x03, 0x00, ...INT10]); // mov ax,0003h ; int 10h
    expect(r.lines()[0]).toBe('');
  });

  it('sets a graphics mode: BDA, registers and a cleared screen, and back to text', () => {
    const r = rig();
    r.run([0xb8, 0x13, 0x00, ...INT10]); // mov ax,0013h ; int 10h
    expect(r.bda(0x49)).toBe(0x13);
    expect(r.bdaWord(0x4a)).toBe(40);
    expect(r.host.request('VVGA', 2)).toEqual({ mode: 0x13 });
    expect(r.screen().text).toEqual([]);
    r.vm.machine.ports.out8(0x3c4, 4);
    expect(r.vm.machine.ports.in8(0x3c5)).toBe(0x0e); // chain-4
    expect(r.peek(0xa0000, 4)).toEqual([0, 0, 0, 0]);
    r.run([0xb8, 0x03, 0x00, ...INT10]); // back to text
    expect(r.bda(0x49)).toBe(0x03);
  });

  it('switches to 50 rows with AX=1112h and back to 25 with AX=1114h', () => {
    const r = rig();
    const regs = r.run([
      0xb8, 0x12, 0x11, // mov ax,1112h      8x8 font
      0xb3, 0x00, //       mov bl,0
      ...INT10, //         int 10h
      0xb8, 0x30, 0x11, // mov ax,1130h      font information
      0xb7, 0x03, //       mov bh,03h        8x8 table
      ...INT10, //         int 10h
    ]);
    expect(r.bda(0x84)).toBe(49);
    expect(r.bdaWord(0x85)).toBe(8);
    expect(regs.ecx & 0xffff).toBe(8);
    expect(regs.edx & 0xff).toBe(49);
    expect(regs.es).toBe(0xc000); // the video ROM's 8x8 font
    expect(r.vm.machine.memory.read(regs.es * 16 + (regs.ebp & 0xffff) + 0x41 * 8 + 2)).not.toBe(0); // 'A' has pixels
    const s = r.screen();
    expect(s.rows).toBe(50);
    expect(s.text).toHaveLength(50);
    tty(r, '\n'.repeat(49) + 'bottom');
    expect(r.lines()[49]).toBe('bottom');
    expect(r.posts).toContainEqual({ topic: 'video-mode', payload: { mode: 3, columns: 80, rows: 50 } });
    r.run([0xb8, 0x14, 0x11, 0xb3, 0x00, ...INT10]); // mov ax,1114h ; mov bl,0 ; int 10h
    expect(r.bda(0x84)).toBe(24);
    expect(r.screen().rows).toBe(25);
  });

  it('selects a display page with AH=05h: start address, BDA and the text request follow', () => {
    const r = rig();
    r.run([
      0xb8, 0x01, 0x05, // mov ax,0501h      page 1
      ...INT10, //         int 10h
    ]);
    tty(r, 'on page one');
    expect(r.bda(0x62)).toBe(1);
    expect(r.bdaWord(0x4e)).toBe(0x1000);
    expect((r.crtc(0x0c) << 8) | r.crtc(0x0d)).toBe(0x800);
    expect(r.vm.machine.memory.read(B800 + 0x1000)).toBe(0x6f);
    expect(r.lines()[0]).toBe('on page one');
    expect(r.screen().cursor).toMatchObject({ row: 0, col: 11 });
  });
});

describe('VVGA BIOS: adapter information', () => {
  it('answers 12h BL=10h, 1Ah, 1Bh and 1Ch as a VGA', () => {
    const r = rig();
    let regs = r.run([0xb4, 0x12, 0xb3, 0x10, 0xb9, 0x34, 0x12, ...INT10]); // mov ah,12h ; mov bl,10h ; mov cx,1234h ; int 10h
    expect(regs.ebx & 0xffff).toBe(0x0003);
    expect(regs.ecx & 0xffff).toBe(0x0009); // no feature bits; switches 1001b, an EGA+ colour display
    regs = r.run([0xb8, 0x00, 0x1a, ...INT10]); // mov ax,1A00h ; int 10h
    expect(regs.eax & 0xff).toBe(0x1a);
    expect(regs.ebx & 0xffff).toBe(0x0008);
    regs = r.run([
      0xb8, 0x00, 0x1b, // mov ax,1B00h
      0xbb, 0x00, 0x00, // mov bx,0
      0xbf, 0x00, 0x04, // mov di,0400h      ES:DI = the table
      ...INT10, //         int 10h
    ]);
    expect(regs.eax & 0xff).toBe(0x1b);
    const table = r.vm.machine.ram.subarray(DATA, DATA + 0x40);
    expect(table[4]).toBe(3);
    expect(table[5] | (table[6] << 8)).toBe(80);
    expect(table[0x22]).toBe(25);
    regs = r.run([0xb8, 0x00, 0x1c, 0xb9, 0x07, 0x00, ...INT10]); // mov ax,1C00h ; mov cx,7 ; int 10h
    expect(regs.eax & 0xff).toBe(0x1c);
    expect(regs.ebx & 0xffff).toBeGreaterThanOrEqual(Math.ceil((64 + 0x1e + 768) / 64)); // registers, BIOS data, DAC
  });

  it('leaves the registers for an unknown function and logs it once', () => {
    const r = rig();
    const code = [0xb8, 0x34, 0x55, 0xbb, 0x78, 0x56, ...INT10]; // mov ax,5534h ; mov bx,5678h ; int 10h
    const regs = r.run(code);
    r.run(code);
    expect(regs.eax & 0xffff).toBe(0x5534);
    expect(regs.ebx & 0xffff).toBe(0x5678);
    expect(r.host.messages.filter((m) => m.includes('AX=5534h'))).toHaveLength(1);
  });
});

describe('VVGA BIOS: VGA registers', () => {
  it('reads back DAC entries written through 3C8h/3C9h, masked to 6 bits, with auto-increment', () => {
    const r = rig();
    r.run([
      0xba, 0xc8, 0x03, // mov dx,3C8h
      0xb0, 0x05, //       mov al,5
      0xee, //             out dx,al         write index 5
      0x42, //             inc dx            3C9h
      0xb0, 0x3f, 0xee, // mov al,3Fh ; out dx,al
      0xb0, 0x20, 0xee, // mov al,20h ; out dx,al
      0xb0, 0x41, 0xee, // mov al,41h ; out dx,al   (6 bits: 01h)
      0xb0, 0x0a, 0xee, // mov al,0Ah ; out dx,al   entry 6
      0xb0, 0x0b, 0xee, // mov al,0Bh ; out dx,al
      0xb0, 0x0c, 0xee, // mov al,0Ch ; out dx,al
      0xba, 0xc7, 0x03, // mov dx,3C7h
      0xb0, 0x05, 0xee, // mov al,5 ; out dx,al   read index 5
      0x42, //             inc dx            3C8h
      0x42, //             inc dx            3C9h
      0xbf, 0x00, 0x04, // mov di,0400h
      0xfc, //             cld
      0xb9, 0x06, 0x00, // mov cx,6
      0xec, //             in al,dx
      0xaa, //             stosb
      0xe2, 0xfc, //       loop (in al,dx)
    ]);
    expect([...r.vm.machine.ram.subarray(DATA, DATA + 6)]).toEqual([0x3f, 0x20, 0x01, 0x0a, 0x0b, 0x0c]);
  });

  it('sets and reads DAC registers through INT 10h AX=1010h/1015h and 1012h/1017h', () => {
    const r = rig();
    let regs = r.run([
      0xb8, 0x10, 0x10, // mov ax,1010h
      0xbb, 0x20, 0x00, // mov bx,20h
      0xb6, 0x11, //       mov dh,11h        red
      0xb9, 0x33, 0x22, // mov cx,2233h      green 22h, blue 33h
      ...INT10, //         int 10h
      0xb8, 0x15, 0x10, // mov ax,1015h
      0xbb, 0x20, 0x00, // mov bx,20h
      0x31, 0xc9, //       xor cx,cx
      0x31, 0xd2, //       xor dx,dx
      ...INT10, //         int 10h
    ]);
    expect((regs.edx >> 8) & 0xff).toBe(0x11);
    expect(regs.ecx & 0xffff).toBe(0x2233);
    regs = r.run(
      [
        0xb8, 0x12, 0x10, // mov ax,1012h      set block
        0xbb, 0x40, 0x00, // mov bx,40h
        0xb9, 0x02, 0x00, // mov cx,2
        0xba, 0x00, 0x04, // mov dx,0400h      ES:DX
        ...INT10, //         int 10h
        0xb8, 0x17, 0x10, // mov ax,1017h      read block
        0xbb, 0x40, 0x00, // mov bx,40h
        0xb9, 0x02, 0x00, // mov cx,2
        0xba, 0x10, 0x04, // mov dx,0410h
        ...INT10, //         int 10h
      ],
      [1, 2, 3, 4, 5, 6],
    );
    expect([...r.vm.machine.ram.subarray(DATA + 0x10, DATA + 0x16)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('stores palette registers (1000h/1007h) and the blink/intensity toggle (1003h)', () => {
    const r = rig();
    expect(r.screen().blink).toBe(true);
    const regs = r.run([
      0xb8, 0x00, 0x10, // mov ax,1000h
      0xbb, 0x03, 0x2a, // mov bx,2A03h      register 3 = 2Ah
      ...INT10, //         int 10h
      0xb8, 0x03, 0x10, // mov ax,1003h
      0xb3, 0x00, //       mov bl,0          intensity, no blink
      ...INT10, //         int 10h
      0xb8, 0x07, 0x10, // mov ax,1007h
      0xbb, 0x03, 0x00, // mov bx,0003h
      ...INT10, //         int 10h
    ]);
    expect((regs.ebx >> 8) & 0xff).toBe(0x2a);
    expect(r.screen().blink).toBe(false);
  });

  it('resets the attribute controller flip-flop on a read of 3DAh', () => {
    const r = rig();
    const p = r.vm.machine.ports;
    p.in8(0x3da);
    p.out8(0x3c0, 0x01); // index 1, the flip-flop now expects data
    p.in8(0x3da); // back to index
    p.out8(0x3c0, 0x02); // index 2
    p.out8(0x3c0, 0x15); // data
    p.out8(0x3c0, 0x02);
    expect(p.in8(0x3c1)).toBe(0x15);
    p.out8(0x3c0, 0x01);
    expect(p.in8(0x3c1)).toBe(0x01); // register 1 kept its default
  });

  it('stores CRTC, sequencer, graphics and misc output registers', () => {
    const r = rig();
    const p = r.vm.machine.ports;
    p.out8(0x3d4, 0x13);
    p.out8(0x3d5, 0x50);
    expect(r.crtc(0x13)).toBe(0x50);
    p.out8(0x3c4, 0x02);
    p.out8(0x3c5, 0x0f);
    p.out8(0x3ce, 0x05);
    p.out8(0x3cf, 0x40);
    p.out8(0x3c4, 0x02);
    expect(p.in8(0x3c5)).toBe(0x0f);
    p.out8(0x3ce, 0x05);
    expect(p.in8(0x3cf)).toBe(0x40);
    expect(p.in8(0x3cc)).toBe(0x67);
    p.out16(0x3d4, 0x3412); // out dx,ax: index 12h, data 34h
    expect(r.crtc(0x12)).toBe(0x34);
  });
});

describe('VVGA BIOS: input status 1 (3DAh)', () => {
  /**
   * Mode 03h as the CRTC times it: 28.322 MHz dot clock, 100 characters of 9 dots a line (31.78 µs), 449
   * lines a frame (70.09 Hz); vertical retrace on lines 412-413 (CR10 = 19Ch, CR11 low nibble 0Eh), 400
   * displayed lines, 80 displayed characters of each line.
   */
  const TPS = 10_000_000;
  const LINE = (900 / 28_322_000) * TPS;
  const FRAME = 449 * LINE;

  /** Sample 3DAh 2000 times, one sample every 3 ticks: mov dx,3DAh ; mov di,0400h ; mov cx,2000 ; cld ; l: in al,dx ; stosb ; loop l */
  const SAMPLE = [0xba, 0xda, 0x03, 0xbf, 0x00, 0x04, 0xb9, 0xd0, 0x07, 0xfc, 0xec, 0xaa, 0xe2, 0xfc];

  function samples(): number[] {
    const r = rig(TPS);
    r.run(SAMPLE);
    return [...r.vm.machine.ram.subarray(DATA, DATA + 2000)];
  }

  /** Input status 1 when the virtual clock reaches `tick` (the guest spins in `jmp $` until then). */
  function reader(r: Rig): (tick: number) => number {
    return (tick) => {
      r.vm.machine.ram.set([0xeb, 0xfe], CODE);
      r.vm.cpu.memoryChanged(CODE, 2);
      r.vm.resetCpu();
      r.vm.cpu.setRegisters({ cs: SEG, eip: 0x100, eflags: 0x002 });
      const t = Math.round(tick);
      r.vm.run(t - r.vm.now);
      expect(r.vm.now).toBe(t);
      return r.vm.machine.ports.in8(0x3da) & 0x09;
    };
  }

  it('is in vertical retrace on lines 412-413 of each 449-line frame, and only there', () => {
    const r = rig(TPS);
    const at = reader(r);
    const base = (Math.ceil(r.vm.now / FRAME) + 1) * FRAME;
    for (const frame of [0, 1, 5]) {
      const f = base + frame * FRAME;
      expect(at(f + 100.5 * LINE) & 0x08).toBe(0);
      expect(at(f + 411.5 * LINE) & 0x08).toBe(0);
      expect(at(f + 412.5 * LINE) & 0x08).toBe(0x08);
      expect(at(f + 413.5 * LINE) & 0x08).toBe(0x08);
      expect(at(f + 414.5 * LINE) & 0x08).toBe(0);
    }
  });

  it('reports display disabled (bit 0) below the 400 displayed lines and after the 80 displayed characters of a line', () => {
    const r = rig(TPS);
    const at = reader(r);
    const f = (Math.ceil(r.vm.now / FRAME) + 1) * FRAME;
    expect(at(f + 200 * LINE + 0.4 * LINE)).toBe(0);
    expect(at(f + 201 * LINE + 0.9 * LINE)).toBe(0x01);
    expect(at(f + 405 * LINE + 0.4 * LINE)).toBe(0x01);
    expect(at(f + 412 * LINE + 0.5 * LINE)).toBe(0x09);
  });

  it('follows the CRTC: a 640x480 frame has 525 lines at 25.175 MHz', () => {
    const r = rig(TPS);
    r.run([0xb8, 0x12, 0x00, ...INT10]); // mov ax,0012h ; int 10h
    const line = (800 / 25_175_000) * TPS;
    const frame = 525 * line;
    const at = reader(r);
    const f = (Math.ceil(r.vm.now / frame) + 1) * frame;
    // 640x480: retrace from line 490 (CR10 = EAh + bit 8) for 2 lines (CR11 = 8Ch).
    expect(at(f + 300.5 * line) & 0x08).toBe(0);
    expect(at(f + 489.5 * line) & 0x08).toBe(0);
    expect(at(f + 490.5 * line) & 0x08).toBe(0x08);
    expect(at(f + 492.5 * line) & 0x08).toBe(0);
  });

  it('gives the same readings at the same ticks on every run', () => {
    expect(samples()).toEqual(samples());
  });
});

describe('VVGA BIOS: screen text', () => {
  it('decodes CP437: box drawing, NUL as a space, the full 256-entry table', () => {
    const r = rig();
    r.poke(B800, [0xc9, 0x07, 0xcd, 0x07, 0xbb, 0x07, 0x00, 0x07, 0x82, 0x07, 0xb0, 0x07]);
    r.poke(B800 + 160, [0xc8, 0x07, 0xcd, 0x07, 0xbc, 0x07]);
    const s = r.screen();
    expect(s.text[0].slice(0, 6)).toBe('╔═╗ é░');
    expect(s.text[1].slice(0, 3)).toBe('╚═╝');
    expect(CP437).toHaveLength(256);
    expect(new Set(CP437).size).toBe(255); // 00h and 20h are both a space
    expect(CP437[0x41]).toBe('A');
    expect(CP437[0xdb]).toBe('█');
    expect(CP437[0xe1]).toBe('ß');
    expect(CP437[0xfe]).toBe('■');
  });

  it('is a well-formed VDD module', () => {
    expect(isVddModule(vvga)).toBe(true);
    expect(vvga.name).toBe('VVGA');
  });
});

/** `mov ax,AX ; mov bx,BX ; mov cx,CX ; mov dx,DX ; int 10h` */
function call10(ax: number, bx = 0, cx = 0, dx = 0): number[] {
  const w = (op: number, v: number) => [op, v & 0xff, (v >> 8) & 0xff];
  return [...w(0xb8, ax), ...w(0xbb, bx), ...w(0xb9, cx), ...w(0xba, dx), ...INT10];
}

describe('VVGA BIOS: graphics modes', () => {
  const cases = [
    { mode: 0x04, width: 320, height: 200, colour: 3, xor: 0x81, after: 2 },
    { mode: 0x06, width: 640, height: 200, colour: 1, xor: 0x81, after: 0 },
    { mode: 0x0d, width: 320, height: 200, colour: 13, xor: 0x85, after: 8 },
    { mode: 0x12, width: 640, height: 480, colour: 9, xor: 0x8f, after: 6 },
    { mode: 0x13, width: 320, height: 200, colour: 0xc7, xor: 0x8f, after: 0x8f },
  ];
  for (const c of cases) {
    it(`mode ${c.mode.toString(16)}h: writes and reads pixels (AH=0Ch/0Dh), XORs with bit 7 outside 256 colours, and shows them`, () => {
      const r = rig();
      r.run(call10(c.mode));
      let regs = r.run([...call10(0x0c00 | c.colour, 0, 17, 11), ...call10(0x0d00, 0, 17, 11)]);
      expect(regs.eax & 0xff).toBe(c.colour);
      expect(r.run(call10(0x0d00, 0, 18, 11)).eax & 0xff).toBe(0);
      regs = r.run([...call10(0x0c00 | c.xor, 0, 17, 11), ...call10(0x0d00, 0, 17, 11)]);
      expect(regs.eax & 0xff).toBe(c.after);
      // The picture: the render request brings the VMAN surface up to date, at the mode's resolution.
      expect(r.host.request('VVGA', 6)).toBe(true);
      const s = r.host.surface();
      expect([s.width, s.height]).toEqual([c.width, c.height]);
      expect(s.screen).toBeNull();
      const at = (x: number, y: number) => s.palette[s.pixels[y * s.width + x]];
      // The pixel shows in its own colour against the background, or as background when the XOR cleared it.
      if (c.after === 0) expect(at(17, 11)).toBe(at(18, 11));
      else expect(at(17, 11)).not.toBe(at(18, 11));
      expect(r.host.request('VVGA', 6)).toBe(false); // nothing changed since
    });
  }

  it('teletypes in a graphics mode: glyphs of the INT 43h font in colour BL, then scrolls', () => {
    const r = rig();
    r.run(call10(0x12));
    r.run(call10(0x0e41, 0x000e)); // 'A' in yellow
    const font = r.vm.machine.memory;
    const off = r.vm.machine.ram[0x43 * 4] | (r.vm.machine.ram[0x43 * 4 + 1] << 8);
    const seg = r.vm.machine.ram[0x43 * 4 + 2] | (r.vm.machine.ram[0x43 * 4 + 3] << 8);
    expect(seg).toBe(0xc000);
    for (let y = 0; y < 16; y++) {
      const row = font.read(seg * 16 + off + 0x41 * 16 + y);
      for (let x = 0; x < 8; x++) {
        const regs = r.run(call10(0x0d00, 0, x, y));
        expect(regs.eax & 0xff, `pixel ${x},${y}`).toBe(row & (0x80 >> x) ? 14 : 0);
      }
    }
    expect(r.bdaWord(0x50)).toBe(0x0001);
    // 30 line feeds scroll the 30-row screen: the 'A' is gone.
    tty(r, '\n'.repeat(30));
    let lit = 0;
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) lit += r.run(call10(0x0d00, 0, x, y)).eax & 0xff;
    expect(lit).toBe(0);
  });

  it('gives 80x43 with 350 scan lines (AX=1201h BL=30h) and the 8x8 font', () => {
    const r = rig();
    r.run([...call10(0x1201, 0x30), ...call10(0x0003), ...call10(0x1112)]);
    expect(r.bda(0x84)).toBe(42);
    expect(r.bdaWord(0x85)).toBe(8);
    expect(r.screen().rows).toBe(43);
    r.host.request('VVGA', 6);
    expect([r.host.surface().width, r.host.surface().height]).toEqual([720, 43 * 8]); // the display ends after the last row
    expect(r.host.surface().screen?.rows).toBe(43);
  });

  it('loads the default 256-colour palette in mode 13h: CGA colours, greys, then the hue circle', () => {
    const r = rig();
    r.run(call10(0x13));
    const dac = (i: number) => {
      r.vm.machine.ports.out8(0x3c7, i);
      return [r.vm.machine.ports.in8(0x3c9), r.vm.machine.ports.in8(0x3c9), r.vm.machine.ports.in8(0x3c9)];
    };
    expect(dac(1)).toEqual([0, 0, 0x2a]);
    expect(dac(14)).toEqual([0x3f, 0x3f, 0x15]);
    expect(dac(31)).toEqual([0x3f, 0x3f, 0x3f]);
    expect(dac(32)).toEqual([0, 0, 0x3f]);
    expect(dac(40)).toEqual([0x3f, 0, 0]);
    expect(dac(255)).toEqual([0, 0, 0]);
  });

  it('saves and restores registers, BIOS data and DAC with AH=1Ch', () => {
    const r = rig();
    const buffer = 0x0800; // ES:BX
    r.run([...call10(0x1c01, buffer, 7)]);
    r.run([...call10(0x13), ...call10(0x1010, 0x0001, 0x0102, 0x0300)]);
    expect(r.bda(0x49)).toBe(0x13);
    r.run([...call10(0x1c02, buffer, 7)]);
    expect(r.bda(0x49)).toBe(0x03);
    r.vm.machine.ports.out8(0x3c4, 4);
    expect(r.vm.machine.ports.in8(0x3c5)).toBe(0x02); // odd/even text again
    r.vm.machine.ports.out8(0x3c7, 1);
    expect([r.vm.machine.ports.in8(0x3c9), r.vm.machine.ports.in8(0x3c9), r.vm.machine.ports.in8(0x3c9)]).toEqual([0, 0, 0x2a]);
  });
});

describe('VVGA: the picture in the VMAN surface', () => {
  it('renders text mode as 720x400 with the screen text and cursor beside the pixels, and only when something changed', () => {
    const r = rig();
    tty(r, 'C:\\>');
    expect(r.host.request('VVGA', 6)).toBe(true);
    const s = r.host.surface();
    expect([s.width, s.height]).toEqual([720, 400]);
    expect(s.screen?.lines[0].trimEnd()).toBe('C:\\>');
    expect(s.screen?.cursor).toMatchObject({ row: 0, col: 4, visible: true });
    expect(s.screen?.cellWidth).toBe(9);
    // The backslash's glyph is lit somewhere in cell 2; the blank cell 10 is all background.
    const cellLit = (col: number) => {
      let n = 0;
      for (let y = 0; y < 16; y++) for (let x = 0; x < 9; x++) n += s.pixels[y * 720 + col * 9 + x] !== s.pixels[0 * 720 + 10 * 9] ? 1 : 0;
      return n;
    };
    expect(cellLit(2)).toBeGreaterThan(4);
    expect(cellLit(10)).toBe(0);
    expect(r.host.request('VVGA', 6)).toBe(false);
  });
});

describe('VVGA: retrace emulation (VIDEO_RETRACE_EMULATION)', () => {
  /**
   * Wait for 35 vertical retraces the way games do:
   *   mov cx,35 ; mov dx,3DAh
   *   frame: w1: in al,dx ; test al,8 ; jnz w1      (leave the current retrace)
   *          w2: in al,dx ; test al,8 ; jz w2       (wait for the next one)
   *          loop frame
   */
  const WAIT_35_FRAMES = [0xb9, 0x23, 0x00, 0xba, 0xda, 0x03, 0xec, 0xa8, 0x08, 0x75, 0xfb, 0xec, 0xa8, 0x08, 0x74, 0xfb, 0xe2, 0xf4];
  const TPS = 10_000_000;

  function measure(emulation: boolean): { seconds: number; instructions: number } {
    const r = rig(TPS, { VIDEO_RETRACE_EMULATION: emulation });
    const t0 = r.vm.now;
    const i0 = r.vm.cpu.instructions;
    r.run(WAIT_35_FRAMES);
    return { seconds: (r.vm.now - t0) / TPS, instructions: r.vm.cpu.instructions - i0 };
  }

  it('lets a loop waiting for retrace sleep: the same 35 frames of virtual time for a small fraction of the instructions', () => {
    const on = measure(true);
    const off = measure(false);
    // 35 frames at 70.09 Hz take half a second of virtual time either way.
    expect(on.seconds).toBeGreaterThan(34 / 70.09);
    expect(on.seconds).toBeLessThan(36 / 70.09);
    expect(off.seconds).toBeGreaterThan(34 / 70.09);
    expect(off.seconds).toBeLessThan(36 / 70.09);
    // Spinning executes an instruction per tick; with the emulation the loop runs a few dozen times a frame.
    expect(off.instructions).toBeGreaterThan(0.9 * off.seconds * TPS);
    expect(on.instructions).toBeLessThan(0.01 * on.seconds * TPS);
  });

  it('follows the setting changed while the session runs', () => {
    const r = rig(TPS, { VIDEO_RETRACE_EMULATION: true });
    r.host.setProperty('VIDEO_RETRACE_EMULATION', false);
    const t0 = r.vm.now;
    const i0 = r.vm.cpu.instructions;
    r.run(WAIT_35_FRAMES);
    // Spinning again: about an instruction per tick.
    expect(r.vm.cpu.instructions - i0).toBeGreaterThan(0.9 * (r.vm.now - t0));
  });

  it('still shows every line to a loop that watches display enable (bit 0) as well as retrace', () => {
    // Count the displayed lines of one frame by their display-disabled ends, until the retrace:
    //   mov cx,0 ; mov dx,3DAh
    //   w: in al,dx ; test al,8 ; jnz done ; test al,1 ; jnz w      (wait for display)
    //   v: in al,dx ; test al,8 ; jnz done ; test al,1 ; jz v       (wait for the line's end)
    //      inc cx ; jmp w
    //   done:
    const count = (emulation: boolean) => {
      const r = rig(TPS, { VIDEO_RETRACE_EMULATION: emulation });
      // Start just after a retrace (in al,dx ; test al,8 ; jz $-3 ; in al,dx ; test al,8 ; jnz $-3).
      r.run([0xba, 0xda, 0x03, 0xec, 0xa8, 0x08, 0x74, 0xfb, 0xec, 0xa8, 0x08, 0x75, 0xfb]);
      const i0 = r.vm.cpu.instructions;
      const regs = r.run([
        0xb9, 0x00, 0x00, 0xba, 0xda, 0x03,
        0xec, 0xa8, 0x08, 0x75, 0x10, 0xa8, 0x01, 0x75, 0xf7,
        0xec, 0xa8, 0x08, 0x75, 0x07, 0xa8, 0x01, 0x74, 0xf7,
        0x41, 0xeb, 0xeb,
      ]);
      return { lines: regs.ecx & 0xffff, instructions: r.vm.cpu.instructions - i0 };
    };
    const on = count(true);
    expect(on.lines).toBe(400);
    expect(count(false).lines).toBe(400);
    // The skips happen inside each line too: a fraction of the frame's 142 700 ticks (8 polls per wait).
    expect(on.instructions).toBeLessThan(142_700 / 3);
  });
});
