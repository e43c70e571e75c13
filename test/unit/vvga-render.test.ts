/**
 * VVGA's picture as the registers make it: each mode is programmed through the ports with the BIOS's
 * register values (text 03h, 80x50 text, 0Dh, 12h, 13h, mode X, CGA 04h), memory written as a program
 * writes it, and the rendered indices, palette and text report checked.
 */
import { describe, expect, it } from 'vitest';
import { renderVga } from '../../vdd/vvga/render.js';
import { PLANE_SIZE, VgaCore } from '../../vdd/vvga/vga.js';
import { biosMode, programMode, type ModeRegs } from '../support/vga-modes.js';

const EGA_PALETTE = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f];

const MODE_03 = biosMode(0x03);

/** 80x50: mode 03h with 8-line characters. */
const MODE_03_50: ModeRegs = { ...MODE_03, crtc: MODE_03.crtc.map((v, i) => (i === 9 ? 0x47 : i === 0x0a ? 0x06 : i === 0x0b ? 0x07 : v)) };

const MODE_0D = biosMode(0x0d);
const MODE_12 = biosMode(0x12);
const MODE_13 = biosMode(0x13);

/** Mode X, 320x240 unchained: mode 13h with chain-4 off, byte addressing and 480 lines. */
const MODE_X: ModeRegs = {
  ...MODE_13,
  misc: 0xe3,
  seq: [0x03, 0x01, 0x0f, 0x00, 0x06],
  crtc: MODE_13.crtc.map((v, i) => ({ 0x06: 0x0d, 0x07: 0x3e, 0x10: 0xea, 0x11: 0xac, 0x12: 0xdf, 0x14: 0x00, 0x15: 0xe7, 0x16: 0x06, 0x17: 0xe3 })[i] ?? v),
};

const MODE_04 = biosMode(0x04);

const clock = { now: () => 0, ticksPerSecond: 1_000_000 };

function out(vga: VgaCore, port: number, value: number): void {
  vga.portOut(port, value);
}

function crtcOut(vga: VgaCore, i: number, v: number): void {
  out(vga, 0x3d4, i);
  out(vga, 0x3d5, v);
}

function acOut(vga: VgaCore, i: number, v: number): void {
  vga.portIn(0x3da);
  out(vga, 0x3c0, i | 0x20);
  out(vga, 0x3c0, v);
}

function setMode(m: ModeRegs, vga = new VgaCore(clock)): VgaCore {
  programMode(vga, m);
  // A recognisable DAC: entry i = (i & 63, i >> 2 & 63, 63 - (i & 63)).
  out(vga, 0x3c8, 0);
  for (let i = 0; i < 256; i++) {
    out(vga, 0x3c9, i & 63);
    out(vga, 0x3c9, (i >> 2) & 63);
    out(vga, 0x3c9, 63 - (i & 63));
  }
  return vga;
}

/** Load glyphs into plane 2 the way the BIOS does (planar access to A0000h), then restore the text mode. */
function loadGlyphs(vga: VgaCore, glyphs: Record<number, number[]>, map = 0): void {
  const seq = (i: number, v: number) => (out(vga, 0x3c4, i), out(vga, 0x3c5, v));
  const gc = (i: number, v: number) => (out(vga, 0x3ce, i), out(vga, 0x3cf, v));
  seq(2, 0x04);
  seq(4, 0x07);
  gc(4, 0x02);
  gc(5, 0x00);
  gc(6, 0x04);
  const base = ((map & 3) << 14) | ((map & 4) << 11);
  for (const [code, rows] of Object.entries(glyphs)) rows.forEach((row, r) => vga.memWrite(0xa0000 + base + Number(code) * 32 + r, row));
  seq(2, 0x03);
  seq(4, 0x02);
  gc(4, 0x00);
  gc(5, 0x10);
  gc(6, 0x0e);
}

function putChar(vga: VgaCore, row: number, col: number, code: number, attr: number): void {
  vga.memWrite(0xb8000 + (row * 80 + col) * 2, code);
  vga.memWrite(0xb8000 + (row * 80 + col) * 2 + 1, attr);
}

/** The DAC index a 4-bit attribute value ends at in the EGA-palette modes. */
function ega(v: number): number {
  return EGA_PALETTE[v];
}

function pixel(p: { width: number; pixels: Uint8Array }, x: number, y: number): number {
  return p.pixels[y * p.width + x];
}

/** Row `y` of a picture from x0, `n` pixels. */
function row(p: { width: number; pixels: Uint8Array }, x0: number, y: number, n: number): number[] {
  return [...p.pixels.subarray(y * p.width + x0, y * p.width + x0 + n)];
}

/** Mode 12h/0Dh: put a colour at (x, y) with write mode 2 and the bit mask, as a program does. */
function planarPixel(vga: VgaCore, bytesPerLine: number, x: number, y: number, colour: number): void {
  out(vga, 0x3ce, 5);
  out(vga, 0x3cf, 0x02);
  out(vga, 0x3ce, 8);
  out(vga, 0x3cf, 0x80 >> (x & 7));
  const a = 0xa0000 + y * bytesPerLine + (x >> 3);
  vga.memRead(a);
  vga.memWrite(a, colour);
  out(vga, 0x3cf, 0xff);
  out(vga, 0x3ce, 5);
  out(vga, 0x3cf, 0x00);
}

/** Mode X: put a colour at (x, y) on the page at `page` (plane addresses). */
function modeXPixel(vga: VgaCore, page: number, x: number, y: number, colour: number): void {
  out(vga, 0x3c4, 2);
  out(vga, 0x3c5, 1 << (x & 3));
  vga.memWrite(0xa0000 + page + y * 80 + (x >> 2), colour);
}

describe('VGA text rendering', () => {
  it('mode 03h is 720x400 of 9x16 cells, 80x25, codes and attributes as displayed', () => {
    const vga = setMode(MODE_03);
    putChar(vga, 0, 0, 0x41, 0x1e);
    putChar(vga, 24, 79, 0x5a, 0x70);
    const p = renderVga(vga, true);
    expect([p.width, p.height]).toEqual([720, 400]);
    expect(p.text).not.toBeNull();
    const t = p.text!;
    expect([t.columns, t.rows, t.cellWidth, t.cellHeight]).toEqual([80, 25, 9, 16]);
    expect([t.codes[0], t.attrs[0]]).toEqual([0x41, 0x1e]);
    expect([t.codes[24 * 80 + 79], t.attrs[24 * 80 + 79]]).toEqual([0x5a, 0x70]);
  });

  it('80x50 text is 400 lines of 8-line cells', () => {
    const vga = setMode(MODE_03_50);
    const p = renderVga(vga, true);
    expect([p.width, p.height, p.text!.rows, p.text!.cellHeight]).toEqual([720, 400, 50, 8]);
  });

  it('draws the glyph from plane 2 in the foreground and background colours through the palette', () => {
    const vga = setMode(MODE_03);
    loadGlyphs(vga, { 0x41: [0, 0x18, 0x24, 0x42, 0x7e, 0x42, 0x42, 0x81] });
    putChar(vga, 1, 2, 0x41, 0x1e); // yellow on blue
    const p = renderVga(vga, true);
    const Y = ega(0xe);
    const B = ega(0x1);
    expect(row(p, 18, 16 + 1, 9)).toEqual([B, B, B, Y, Y, B, B, B, B]);
    expect(row(p, 18, 16 + 7, 9)).toEqual([Y, B, B, B, B, B, B, Y, B]); // ninth dot: background for 41h
  });

  it('the ninth dot repeats the eighth for line-graphics characters C0h-DFh when AC10 bit 2 is set', () => {
    const vga = setMode(MODE_03);
    loadGlyphs(vga, { 0xc4: [0, 0, 0xff], 0xb4: [0, 0, 0xff] });
    putChar(vga, 0, 0, 0xc4, 0x07);
    putChar(vga, 0, 1, 0xb4, 0x07);
    let p = renderVga(vga, true);
    const W = ega(7);
    expect(row(p, 0, 2, 18)).toEqual([...Array(9).fill(W), ...Array(8).fill(W), 0]);
    acOut(vga, 0x10, 0x08); // line graphics off
    p = renderVga(vga, true);
    expect(row(p, 0, 2, 9)).toEqual([...Array(8).fill(W), 0]);
  });

  it('blinking characters show their background in the off phase; with blink off bit 7 is a bright background', () => {
    const vga = setMode(MODE_03);
    loadGlyphs(vga, { 0xdb: Array(16).fill(0xff) });
    putChar(vga, 0, 0, 0xdb, 0x9e); // blink, yellow on blue
    expect(pixel(renderVga(vga, true), 0, 0)).toBe(ega(0xe));
    expect(pixel(renderVga(vga, false), 0, 0)).toBe(ega(0x1));
    putChar(vga, 0, 0, 0x20, 0x9e);
    acOut(vga, 0x10, 0x04); // blink disabled
    const p = renderVga(vga, false);
    expect(pixel(p, 0, 0)).toBe(ega(0x9));
  });

  it('attribute bit 3 selects between the two character maps of SR3', () => {
    const vga = setMode(MODE_03);
    loadGlyphs(vga, { 0x41: [0xff] }, 0);
    loadGlyphs(vga, { 0x41: [0x0f] }, 1);
    out(vga, 0x3c4, 3);
    out(vga, 0x3c5, 0x04); // map A (attr bit 3 set) = 1, map B = 0
    putChar(vga, 0, 0, 0x41, 0x0f);
    putChar(vga, 0, 1, 0x41, 0x07);
    const p = renderVga(vga, true);
    expect(row(p, 0, 0, 8).map((v) => (v === 0 ? 0 : 1))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(row(p, 9, 0, 8).map((v) => (v === 0 ? 0 : 1))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('the underline row is drawn for foreground 1 on background 0 at CR14', () => {
    const vga = setMode(MODE_03);
    crtcOut(vga, 0x14, 0x0d);
    putChar(vga, 0, 0, 0x20, 0x01);
    putChar(vga, 0, 1, 0x20, 0x02);
    const p = renderVga(vga, true);
    expect(row(p, 0, 13, 18)).toEqual([...Array(9).fill(ega(1)), ...Array(9).fill(0)]);
    expect(row(p, 0, 12, 9)).toEqual(Array(9).fill(0));
  });

  it('reports the cursor from CR0A/0B/0E/0F relative to the start address, hidden by CR0A bit 5', () => {
    const vga = setMode(MODE_03);
    crtcOut(vga, 0x0e, 0x01);
    crtcOut(vga, 0x0f, 0x43); // 323 = row 4, column 3
    let c = renderVga(vga, true).text!.cursor;
    expect(c).toEqual({ row: 4, col: 3, start: 0x0d, end: 0x0e, visible: true });
    crtcOut(vga, 0x0d, 80); // scrolled one row
    c = renderVga(vga, true).text!.cursor;
    expect([c.row, c.col, c.visible]).toEqual([3, 3, true]);
    crtcOut(vga, 0x0a, 0x2d);
    expect(renderVga(vga, true).text!.cursor.visible).toBe(false);
    crtcOut(vga, 0x0a, 0x0d);
    crtcOut(vga, 0x0e, 0x10); // far below the screen
    expect(renderVga(vga, true).text!.cursor.visible).toBe(false);
  });

  it('the cursor is not drawn into the pixels', () => {
    const vga = setMode(MODE_03);
    crtcOut(vga, 0x0a, 0x00);
    crtcOut(vga, 0x0b, 0x0f);
    const p = renderVga(vga, true);
    expect(p.pixels.every((v) => v === 0)).toBe(true);
  });

  it('the start address scrolls the text and the preset row scan shifts it up by scan lines', () => {
    const vga = setMode(MODE_03);
    loadGlyphs(vga, { 0xdb: Array(16).fill(0xff) });
    putChar(vga, 1, 0, 0xdb, 0x0f);
    crtcOut(vga, 0x0d, 80);
    let p = renderVga(vga, true);
    expect(p.text!.codes[0]).toBe(0xdb);
    expect(pixel(p, 0, 0)).toBe(ega(0xf));
    crtcOut(vga, 0x0d, 0);
    crtcOut(vga, 0x08, 4);
    p = renderVga(vga, true);
    expect(pixel(p, 0, 11)).toBe(0);
    expect(pixel(p, 0, 12)).toBe(ega(0xf));
  });

  it('9-dot text pans by AC13 (8 = none, 0-7 = 1-8 pixels)', () => {
    const vga = setMode(MODE_03);
    loadGlyphs(vga, { 0xdb: Array(16).fill(0x80) });
    putChar(vga, 0, 1, 0xdb, 0x0f);
    expect(pixel(renderVga(vga, true), 9, 0)).toBe(ega(0xf));
    acOut(vga, 0x13, 0x02); // 3 pixels
    expect(pixel(renderVga(vga, true), 6, 0)).toBe(ega(0xf));
    expect(pixel(renderVga(vga, true), 9, 0)).toBe(0);
  });

  it('colour select: AC10 bit 7 takes DAC index bits 4-5 from AC14, and AC14 bits 2-3 are bits 6-7', () => {
    const vga = setMode(MODE_03);
    loadGlyphs(vga, { 0xdb: Array(16).fill(0xff) });
    putChar(vga, 0, 0, 0xdb, 0x0c); // palette[0Ch] = 3Ch
    acOut(vga, 0x14, 0x0e);
    expect(pixel(renderVga(vga, true), 0, 0)).toBe(0x3c | 0xc0);
    acOut(vga, 0x10, 0x8c);
    expect(pixel(renderVga(vga, true), 0, 0)).toBe(0x0c | 0x20 | 0xc0);
  });
});

describe('VGA graphics rendering', () => {
  it('mode 13h: byte n of A0000h is pixel n, an index into the DAC scaled to 8 bits', () => {
    const vga = setMode(MODE_13);
    vga.memWrite(0xa0000 + 5 * 320 + 7, 0x2a);
    vga.memWrite(0xa0000 + 199 * 320 + 319, 0xff);
    const p = renderVga(vga, true);
    expect([p.width, p.height, p.text]).toEqual([320, 200, null]);
    expect(pixel(p, 7, 5)).toBe(0x2a);
    expect(pixel(p, 6, 5)).toBe(0);
    expect(pixel(p, 319, 199)).toBe(0xff);
    // Entry 2Ah: R 2Ah, G 0Ah, B 15h → 8 bits (v << 2 | v >> 4).
    const s = (v: number) => (v << 2) | (v >> 4);
    expect(p.palette[0x2a]).toBe((0xff000000 | (s(0x15) << 16) | (s(0x0a) << 8) | s(0x2a)) >>> 0);
  });

  it('the PEL mask masks every pixel', () => {
    const vga = setMode(MODE_13);
    vga.memWrite(0xa0000, 0xab);
    out(vga, 0x3c6, 0x0f);
    expect(pixel(renderVga(vga, true), 0, 0)).toBe(0x0b);
  });

  it('mode 13h start address scrolls by whole lines (×4 plane addressing)', () => {
    const vga = setMode(MODE_13);
    vga.memWrite(0xa0000 + 10 * 320 + 3, 9);
    crtcOut(vga, 0x0c, 0);
    crtcOut(vga, 0x0d, 80 * 2); // two lines of 80 character clocks
    expect(pixel(renderVga(vga, true), 3, 8)).toBe(9);
  });

  it('mode 13h pans by half the AC13 value', () => {
    const vga = setMode(MODE_13);
    vga.memWrite(0xa0000 + 4, 7);
    acOut(vga, 0x13, 2);
    expect(pixel(renderVga(vga, true), 3, 0)).toBe(7);
  });

  it('mode 12h is 640x480 of 16 colours from the four planes through the palette registers', () => {
    const vga = setMode(MODE_12);
    planarPixel(vga, 80, 100, 200, 6);
    planarPixel(vga, 80, 639, 479, 9);
    const p = renderVga(vga, true);
    expect([p.width, p.height]).toEqual([640, 480]);
    expect(row(p, 99, 200, 3)).toEqual([0, 0x14, 0]);
    expect(pixel(p, 639, 479)).toBe(0x39);
  });

  it('the colour plane enable drops disabled planes before the palette', () => {
    const vga = setMode(MODE_12);
    planarPixel(vga, 80, 0, 0, 0x0f);
    acOut(vga, 0x12, 0x03);
    expect(pixel(renderVga(vga, true), 0, 0)).toBe(ega(0x03));
  });

  it('planar graphics pan by AC13 pixels', () => {
    const vga = setMode(MODE_12);
    planarPixel(vga, 80, 10, 0, 0x0f);
    acOut(vga, 0x13, 3);
    const p = renderVga(vga, true);
    expect(pixel(p, 7, 0)).toBe(0x3f);
    expect(pixel(p, 10, 0)).toBe(0);
  });

  it('mode 0Dh is 320x200 double-scanned, 40 bytes a line', () => {
    const vga = setMode(MODE_0D);
    planarPixel(vga, 40, 319, 199, 0x0c);
    planarPixel(vga, 40, 8, 1, 0x02);
    const p = renderVga(vga, true);
    expect([p.width, p.height]).toEqual([320, 200]);
    expect(pixel(p, 319, 199)).toBe(0x14);
    expect(pixel(p, 8, 1)).toBe(0x02);
  });

  it('CGA mode 04h: 2-bit pixels, even lines at B8000h and odd lines at BA000h', () => {
    const vga = setMode(MODE_04);
    vga.memWrite(0xb8000, 0xe4); // pixels 0-3: 3 2 1 0
    vga.memWrite(0xb8001, 0x1b); // pixels 4-7: 0 1 2 3
    vga.memWrite(0xba000 + 80 * 2, 0x10); // line 5, pixel 1 = 1
    const p = renderVga(vga, true);
    expect([p.width, p.height]).toEqual([320, 200]);
    expect(row(p, 0, 0, 8)).toEqual([0x17, 0x15, 0x13, 0x00, 0x00, 0x13, 0x15, 0x17]);
    expect(row(p, 0, 1, 8)).toEqual(Array(8).fill(0));
    expect(row(p, 0, 5, 2)).toEqual([0x00, 0x13]);
  });

  it('mode X is 320x240 and flips pages by the start address', () => {
    const vga = setMode(MODE_X);
    const page1 = 80 * 240;
    modeXPixel(vga, 0, 5, 10, 0x11);
    modeXPixel(vga, page1, 5, 10, 0x22);
    modeXPixel(vga, page1, 318, 239, 0x33);
    let p = renderVga(vga, true);
    expect([p.width, p.height]).toEqual([320, 240]);
    expect(pixel(p, 5, 10)).toBe(0x11);
    crtcOut(vga, 0x0c, page1 >> 8);
    crtcOut(vga, 0x0d, page1 & 0xff);
    p = renderVga(vga, true);
    expect(pixel(p, 5, 10)).toBe(0x22);
    expect(pixel(p, 318, 239)).toBe(0x33);
  });

  it('mode 13h pixels written chained appear every fourth plane byte when seen unchained', () => {
    const vga = setMode(MODE_13);
    for (let x = 0; x < 8; x++) vga.memWrite(0xa0000 + x, x + 1);
    setMode(MODE_X, vga);
    const p = renderVga(vga, true);
    // Plane byte 0 holds pixels 0-3, plane byte 1 (pixels 4-7 unchained) is empty, byte 4 holds pixels 4-7.
    expect(row(p, 0, 0, 8)).toEqual([1, 2, 3, 4, 0, 0, 0, 0]);
    expect(row(p, 16, 0, 4)).toEqual([5, 6, 7, 8]);
  });

  it('the line compare restarts the display at address 0 below the split, without panning when AC10 bit 5 is set', () => {
    const vga = setMode(MODE_X);
    const page1 = 80 * 240;
    for (let y = 0; y < 240; y++) modeXPixel(vga, 0, 4, y, 0x40);
    modeXPixel(vga, page1, 4, 0, 0x50);
    crtcOut(vga, 0x0c, page1 >> 8);
    crtcOut(vga, 0x0d, page1 & 0xff);
    // Split after physical line 199 (logical line 99): bits 8 and 9 of 199 are 0.
    crtcOut(vga, 0x18, 199);
    out(vga, 0x3d4, 7);
    out(vga, 0x3d5, MODE_X.crtc[7] & ~0x10);
    out(vga, 0x3d4, 9);
    out(vga, 0x3d5, MODE_X.crtc[9] & ~0x40);
    let p = renderVga(vga, true);
    expect(pixel(p, 4, 0)).toBe(0x50);
    expect(pixel(p, 4, 99)).toBe(0);
    expect(pixel(p, 4, 100)).toBe(0x40);
    acOut(vga, 0x13, 2);
    acOut(vga, 0x10, 0x61);
    p = renderVga(vga, true);
    expect(pixel(p, 3, 0)).toBe(0x50);
    expect(pixel(p, 4, 100)).toBe(0x40);
  });

  it('the screen-off bit of SR1 gives a black picture', () => {
    const vga = setMode(MODE_13);
    vga.memWrite(0xa0000, 0x2a);
    out(vga, 0x3c4, 1);
    out(vga, 0x3c5, 0x21);
    const p = renderVga(vga, true);
    expect(p.pixels.every((v) => p.palette[v] === 0xff000000)).toBe(true);
    out(vga, 0x3c5, 0x01);
    expect(pixel(renderVga(vga, true), 0, 0)).toBe(0x2a);
  });

  it('reuses the output buffer when it is large enough', () => {
    const vga = setMode(MODE_13);
    const buf = new Uint8Array(320 * 200);
    expect(renderVga(vga, true, buf).pixels).toBe(buf);
    const big = new Uint8Array(720 * 400);
    expect(renderVga(vga, true, big).pixels.buffer).toBe(big.buffer);
    expect(renderVga(vga, true, new Uint8Array(10)).pixels.length).toBe(64000);
  });

  it('renders a 320x200 and a 720x400 frame in well under 2 ms', () => {
    const text = setMode(MODE_03);
    for (let i = 0; i < 4000; i++) text.vram[i] = i & 0xff;
    for (let i = 0; i < 4000; i++) text.vram[PLANE_SIZE + i] = (i * 7) & 0xff;
    const vga13 = setMode(MODE_13);
    for (let i = 0; i < 64000; i++) vga13.memWrite(0xa0000 + i, i & 0xff);
    const bufText = new Uint8Array(720 * 400);
    const buf13 = new Uint8Array(320 * 200);
    const time = (f: () => void): number => {
      for (let i = 0; i < 20; i++) f();
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) f();
      return (performance.now() - t0) / 100;
    };
    const ms13 = time(() => renderVga(vga13, true, buf13));
    const msText = time(() => renderVga(text, true, bufText));
    // Generous bounds for slow CI machines; typical figures are a fraction of these.
    expect(ms13).toBeLessThan(2);
    expect(msText).toBeLessThan(4);
  });
});
