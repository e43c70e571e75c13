/**
 * The picture of a VgaCore, computed from its registers the way the CRTC, sequencer and attribute controller
 * scan the planes out — never from a mode number. Chain-4 256-colour (mode 13h) and unchained (mode X),
 * 16-colour planar, CGA interleaved 4-colour and text all come out of the same rules:
 *
 *  - The CRTC is followed scan line by scan line over the displayed lines (CR12 and overflow + 1): the line
 *    start address begins at CR0C/0D (+ byte panning CR08 bits 5-6), the row scan counter at the preset row
 *    scan (CR08); the row scan counter advances every line (every second one when CR09 bit 7 doubles the
 *    scan) and when it passes the maximum scan line (CR09 bits 0-4) the line start advances by 2 × CR13.
 *    On the line after the line compare (CR18, CR07 bit 4, CR09 bit 6, in physical scan lines) the address
 *    and row scan restart at 0; with AC10 bit 5 the lines below the split are not panned.
 *  - Within a line the address counter advances once per character clock (every 2 with CR17 bit 3, every 4
 *    with CR14 bit 5) and becomes a plane address by byte mode, word mode (×2, with MA13 or MA15 by CR17
 *    bit 5 in bit 0) or doubleword mode (×4, MA14-15 in bits 0-1) per CR14 bit 6 and CR17 bit 6; CR17 bits
 *    0 and 1 clear put row scan bits 0 and 1 in place of address bits 13 and 14 (CGA and Hercules banks).
 *  - Graphics (AC10 bit 0): each character clock reads the four planes and the shift mode (GR5 bits 5-6)
 *    serializes them: 8 pixels of one bit per plane, CGA interleaved 2-bit pairs (planes 0/2 then 1/3), or
 *    the 256-colour nibbles (plane 0 high, low, plane 1 ...). With AC10 bit 6 pairs of 4-bit values form one
 *    8-bit pixel that goes to the DAC without the palette registers; otherwise each value goes through the
 *    colour plane enable (AC12), the palette registers, AC10 bit 7 / AC14 colour select. A 9-dot clock in
 *    graphics gives a ninth pixel of value 0.
 *  - Text (AC10 bit 0 clear): code from plane 0, attribute from plane 1, glyph row from plane 2 at 32 bytes a
 *    glyph in the character map SR3 names for attribute bit 3 (map A when set, B when clear); the ninth dot
 *    repeats the eighth for C0h-DFh with AC10 bit 2, else it is background; AC10 bit 3 turns attribute bit 7
 *    into blink (background 0-7, foreground shown as background in the off phase) instead of bright
 *    backgrounds; the underline row (CR14 bits 0-4) is foreground for attributes with foreground 1 and
 *    background 0 in bits 0-2 and 4-6 (CR14 = 1Fh puts it out of reach in the colour modes). The cursor is
 *    not drawn: `text.cursor` reports it for the shield to draw and blink.
 *  - Horizontal panning AC13: 0-7 pixels (8 = none and 0-7 = 1-8 with 9-dot characters; 0, 2, 4, 6 = 0-3
 *    pixels in 8-bit colour).
 *  - The PEL mask applies to every pixel; the palette is the DAC scaled to 8 bits. SR1 bit 5 (screen off) or
 *    a cleared palette address source (AC index bit 5) gives a black picture with the cursor hidden.
 *
 * Not modelled: the overscan border, horizontal blanking/retrace positions (the picture is the display
 * enable area only), cursor skew, the vertical interrupt, blink of graphics pixels.
 *
 * While the SVGA (svga.ts) is enabled the picture is its memory instead: renderSvga, at the end.
 */
import { bytesPerPixel, SVGA_MEMORY, type SvgaCore } from './svga.js';
import { PLANE_SIZE, type VgaCore } from './vga.js';

export interface VgaPicture {
  /** Logical pixels per line: (CR01 + 1) × 8 or 9 dots, halved for 8-bit colour (AC10 bit 6). */
  width: number;
  /** Logical lines: displayed scan lines / 2 when double scanned / (CR09 bits 0-4 + 1) in graphics with CR17 bit 0 set. */
  height: number;
  /** width × height indices into `palette`. */
  pixels: Uint8Array;
  /** 256 entries 0xAABBGGRR from the DAC. */
  palette: Uint32Array;
  /** The text screen in alphanumeric modes, null in graphics. */
  text: null | {
    columns: number;
    rows: number;
    cellWidth: number;
    cellHeight: number;
    codes: Uint8Array;
    attrs: Uint8Array;
    cursor: { row: number; col: number; start: number; end: number; visible: boolean };
  };
}

const P1 = PLANE_SIZE;
const P2 = 2 * PLANE_SIZE;
const P3 = 3 * PLANE_SIZE;
const MAX_LINES = 2048;

/** A plane byte as its 8 pixels, one bit each: pixels 0-3 (LO) and 4-7 (HI), pixel i in byte i. */
const PLANAR_LO = new Uint32Array(256);
const PLANAR_HI = new Uint32Array(256);
/** A plane byte as its 4 CGA pixels of two bits, pixel i in byte i. */
const PAIRS = new Uint32Array(256);
for (let b = 0; b < 256; b++) {
  let lo = 0;
  let hi = 0;
  let pairs = 0;
  for (let i = 0; i < 4; i++) {
    if (b & (0x80 >> i)) lo |= 1 << (8 * i);
    if (b & (0x08 >> i)) hi |= 1 << (8 * i);
    pairs |= ((b >> (6 - 2 * i)) & 3) << (8 * i);
  }
  PLANAR_LO[b] = lo;
  PLANAR_HI[b] = hi;
  PAIRS[b] = pairs;
}

// Scratch space shared by every call (rendering is synchronous).
const lineStart = new Int32Array(MAX_LINES);
const lineRowScan = new Uint8Array(MAX_LINES);
const lineSplit = new Uint8Array(MAX_LINES);
const addrs = new Int32Array(300);
const dots = new Uint8Array(300 * 9);
const attrMap = new Uint8Array(16);

export function renderVga(vga: VgaCore, blinkPhase: boolean, out?: Uint8Array): VgaPicture {
  const cr = vga.crtc;
  const seq = vga.seq;
  const gc = vga.gc;
  const ac = vga.ac;
  const vram = vga.vram;
  const ac10 = ac[0x10];
  const graphics = (ac10 & 1) !== 0;
  const eightBit = graphics && (ac10 & 0x40) !== 0;
  const charWidth = seq[1] & 1 ? 8 : 9;
  const chars = cr[1] + 1;
  const dotsPerChar = eightBit ? 8 : charWidth;
  const width = eightBit ? chars * 4 : chars * charWidth;

  const o7 = cr[7];
  const cr9 = cr[9];
  const maxScan = cr9 & 0x1f;
  const doubleScan = (cr9 & 0x80) !== 0;
  const displayLines = Math.min(MAX_LINES, (cr[0x12] | ((o7 & 0x02) << 7) | ((o7 & 0x40) << 3)) + 1);
  const lineDivisor = (doubleScan ? 2 : 1) * (graphics && cr[0x17] & 1 ? maxScan + 1 : 1);
  const height = Math.max(1, Math.floor(displayLines / lineDivisor));

  const size = width * height;
  const pixels = out && out.length >= size ? (out.length === size ? out : out.subarray(0, size)) : new Uint8Array(size);
  const palette = dacPalette(vga.dac);

  // ---- the CRTC's walk down the screen: start address and row scan of each logical line
  const cr14 = cr[0x14];
  const cr17 = cr[0x17];
  const offset = cr[0x13] * 2;
  const lineCompare = cr[0x18] | ((o7 & 0x10) << 4) | ((cr9 & 0x40) << 3);
  const start = (((cr[0x0c] << 8) | cr[0x0d]) + ((cr[8] >> 5) & 3)) & 0xffff;
  {
    let ma = start;
    let rs = cr[8] & 0x1f;
    let held = false;
    let split = 0;
    let line = 0;
    for (let y = 0; y < displayLines && line < height; y++) {
      if (y % lineDivisor === 0) {
        lineStart[line] = ma;
        lineRowScan[line] = rs;
        lineSplit[line] = split;
        line++;
      }
      if (y === lineCompare) {
        ma = 0;
        rs = 0;
        held = false;
        split = 1;
        continue;
      }
      if (doubleScan) {
        held = !held;
        if (held) continue;
      }
      if (rs === maxScan) {
        rs = 0;
        ma = (ma + offset) & 0xffff;
      } else rs = (rs + 1) & 0x1f;
    }
    for (; line < height; line++) {
      lineStart[line] = ma;
      lineRowScan[line] = rs;
      lineSplit[line] = split;
    }
  }

  // ---- how an address counter value becomes a plane address
  const addressShift = cr14 & 0x40 ? 2 : cr17 & 0x40 ? 0 : 1;
  const wrapBit = cr17 & 0x20 ? 15 : 13;
  const countShift = cr14 & 0x20 ? 2 : cr17 & 0x08 ? 1 : 0;
  const bank13 = (cr17 & 1) === 0;
  const bank14 = (cr17 & 2) === 0;
  const keep = 0xffff & ~(bank13 ? 0x2000 : 0) & ~(bank14 ? 0x4000 : 0);
  const fetch = chars + 1;
  const fillAddresses = (ma: number, rs: number): void => {
    const banks = (bank13 ? (rs & 1) << 13 : 0) | (bank14 ? (rs & 2) << 13 : 0);
    for (let c = 0; c < fetch; c++) {
      const m = (ma + (c >> countShift)) & 0xffff;
      const a = addressShift === 0 ? m : addressShift === 1 ? (m << 1) | ((m >> wrapBit) & 1) : (m << 2) | ((m >> 14) & 3);
      addrs[c] = ((a & keep) | banks) & 0xffff;
    }
  };

  // ---- the attribute controller's path from a 4-bit value to a DAC index
  const planeEnable = ac[0x12] & 0x0f;
  const pelMask = vga.pelMask;
  const colourSelect = ac[0x14];
  for (let v = 0; v < 16; v++) {
    if (eightBit) {
      attrMap[v] = v & planeEnable;
      continue;
    }
    const pal = ac[v & planeEnable];
    let index = ac10 & 0x80 ? (pal & 0x0f) | ((colourSelect & 3) << 4) : pal & 0x3f;
    index |= (colourSelect & 0x0c) << 4;
    attrMap[v] = index & pelMask;
  }

  // ---- panning
  const pel = ac[0x13] & 0x0f;
  const pan = eightBit ? (pel & 7) >> 1 : charWidth === 9 ? (pel >= 8 ? 0 : pel + 1) : pel & 7;
  const panBelowSplit = ac10 & 0x20 ? 0 : pan;

  const screenOff = (seq[1] & 0x20) !== 0 || (vga.acIndex & 0x20) === 0;

  let text: VgaPicture['text'] = null;
  if (!graphics) {
    text = textScreen(vga, height, fillAddresses, countShift);
    if (screenOff) text.cursor.visible = false;
  }

  if (screenOff) {
    pixels.fill(0);
    palette.fill(0xff000000);
    return { width, height, pixels, palette, text };
  }

  if (!graphics) {
    // ---- text
    const sr3 = seq[3];
    const mapA = ((sr3 >> 2) & 3) | ((sr3 >> 3) & 4);
    const mapB = (sr3 & 3) | ((sr3 >> 2) & 4);
    const fontA = P2 + (((mapA & 3) << 14) | ((mapA & 4) << 11));
    const fontB = P2 + (((mapB & 3) << 14) | ((mapB & 4) << 11));
    const blink = (ac10 & 0x08) !== 0;
    const lineGraphics = (ac10 & 0x04) !== 0 && charWidth === 9;
    const underline = cr14 & 0x1f;
    for (let y = 0; y < height; y++) {
      const rs = lineRowScan[y];
      fillAddresses(lineStart[y], rs);
      let x = 0;
      for (let c = 0; c < fetch; c++, x += charWidth) {
        const a = addrs[c];
        const code = vram[a];
        const attr = vram[P1 + a];
        let glyph = vram[(attr & 8 ? fontA : fontB) + code * 32 + rs];
        let bg: number;
        let fg = attr & 0x0f;
        if (blink) {
          bg = (attr >> 4) & 7;
          if (attr & 0x80 && !blinkPhase) fg = bg;
        } else bg = attr >> 4;
        const f = attrMap[fg];
        const b = attrMap[bg];
        let ninth = false;
        if (rs === underline && (attr & 0x77) === 0x01) {
          glyph = 0xff;
          ninth = true;
        } else if (lineGraphics && code >= 0xc0 && code <= 0xdf) ninth = (glyph & 1) !== 0;
        dots[x] = glyph & 0x80 ? f : b;
        dots[x + 1] = glyph & 0x40 ? f : b;
        dots[x + 2] = glyph & 0x20 ? f : b;
        dots[x + 3] = glyph & 0x10 ? f : b;
        dots[x + 4] = glyph & 0x08 ? f : b;
        dots[x + 5] = glyph & 0x04 ? f : b;
        dots[x + 6] = glyph & 0x02 ? f : b;
        dots[x + 7] = glyph & 0x01 ? f : b;
        if (charWidth === 9) dots[x + 8] = ninth ? f : b;
      }
      const p = lineSplit[y] ? panBelowSplit : pan;
      pixels.set(dots.subarray(p, p + width), y * width);
    }
    return { width, height, pixels, palette, text };
  }

  // ---- graphics
  const shift = gc[5] & 0x40 ? 2 : gc[5] & 0x20 ? 1 : 0;
  const direct256 = eightBit && shift === 2;
  const byteMask = (planeEnable | (planeEnable << 4)) & pelMask;
  const blank = attrMap[0];
  for (let y = 0; y < height; y++) {
    fillAddresses(lineStart[y], lineRowScan[y]);
    if (direct256) {
      for (let c = 0, x = 0; c < fetch; c++, x += 4) {
        const a = addrs[c];
        dots[x] = vram[a] & byteMask;
        dots[x + 1] = vram[P1 + a] & byteMask;
        dots[x + 2] = vram[P2 + a] & byteMask;
        dots[x + 3] = vram[P3 + a] & byteMask;
      }
    } else {
      for (let c = 0, x = 0; c < fetch; c++, x += dotsPerChar) {
        const a = addrs[c];
        const p0 = vram[a];
        const p1 = vram[P1 + a];
        const p2 = vram[P2 + a];
        const p3 = vram[P3 + a];
        let lo: number;
        let hi: number;
        if (shift === 0) {
          lo = PLANAR_LO[p0] | (PLANAR_LO[p1] << 1) | (PLANAR_LO[p2] << 2) | (PLANAR_LO[p3] << 3);
          hi = PLANAR_HI[p0] | (PLANAR_HI[p1] << 1) | (PLANAR_HI[p2] << 2) | (PLANAR_HI[p3] << 3);
        } else if (shift === 1) {
          lo = PAIRS[p0] | (PAIRS[p2] << 2);
          hi = PAIRS[p1] | (PAIRS[p3] << 2);
        } else {
          lo = (p0 >> 4) | ((p0 & 15) << 8) | ((p1 >> 4) << 16) | ((p1 & 15) << 24);
          hi = (p2 >> 4) | ((p2 & 15) << 8) | ((p3 >> 4) << 16) | ((p3 & 15) << 24);
        }
        dots[x] = attrMap[lo & 0xff];
        dots[x + 1] = attrMap[(lo >> 8) & 0xff];
        dots[x + 2] = attrMap[(lo >> 16) & 0xff];
        dots[x + 3] = attrMap[lo >>> 24];
        dots[x + 4] = attrMap[hi & 0xff];
        dots[x + 5] = attrMap[(hi >> 8) & 0xff];
        dots[x + 6] = attrMap[(hi >> 16) & 0xff];
        dots[x + 7] = attrMap[hi >>> 24];
        if (dotsPerChar === 9) dots[x + 8] = blank;
      }
      if (eightBit) {
        // Pairs of 4-bit values (already through the plane enable) make one 8-bit pixel.
        const n = fetch * 4;
        for (let j = 0; j < n; j++) dots[j] = ((dots[2 * j] << 4) | dots[2 * j + 1]) & pelMask;
      }
    }
    const p = lineSplit[y] ? panBelowSplit : pan;
    pixels.set(dots.subarray(p, p + width), y * width);
  }
  return { width, height, pixels, palette, text };
}

/** The DAC as 0xAABBGGRR, six bits scaled to eight. */
function dacPalette(dac: Uint8Array): Uint32Array {
  const palette = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const r = dac[3 * i] & 0x3f;
    const g = dac[3 * i + 1] & 0x3f;
    const b = dac[3 * i + 2] & 0x3f;
    palette[i] = (0xff000000 | (((b << 2) | (b >> 4)) << 16) | (((g << 2) | (g >> 4)) << 8) | ((r << 2) | (r >> 4))) >>> 0;
  }
  return palette;
}

/** Codes, attributes and cursor of the text screen as displayed, from the line starts computed above. */
function textScreen(
  vga: VgaCore,
  height: number,
  fillAddresses: (ma: number, rs: number) => void,
  countShift: number,
): NonNullable<VgaPicture['text']> {
  const cr = vga.crtc;
  const vram = vga.vram;
  const columns = cr[1] + 1;
  const cellWidth = vga.seq[1] & 1 ? 8 : 9;
  const cellHeight = (cr[9] & 0x1f) + 1;
  const rows = Math.floor(height / cellHeight);
  const codes = new Uint8Array(rows * columns);
  const attrs = new Uint8Array(rows * columns);
  const cursorAddress = (cr[0x0e] << 8) | cr[0x0f];
  const start = cr[0x0a] & 0x1f;
  const end = cr[0x0b] & 0x1f;
  const cursor = { row: 0, col: 0, start, end, visible: false };
  let found = false;
  for (let r = 0; r < rows; r++) {
    const line = r * cellHeight;
    const ma = lineStart[line];
    fillAddresses(ma, lineRowScan[line]);
    for (let c = 0; c < columns; c++) {
      codes[r * columns + c] = vram[addrs[c]];
      attrs[r * columns + c] = vram[P1 + addrs[c]];
    }
    const col = ((cursorAddress - ma) & 0xffff) << countShift;
    if (!found && col < columns) {
      found = true;
      cursor.row = r;
      cursor.col = col;
    }
  }
  if (!found && rows > 0) {
    // Off the screen: report where it would be relative to the start address.
    const pitch = Math.max(1, cr[0x13] * 2);
    const rel = (cursorAddress - lineStart[0]) & 0xffff;
    cursor.row = Math.floor(rel / pitch);
    cursor.col = rel % pitch;
  }
  cursor.visible = found && !(cr[0x0a] & 0x20) && start <= end && start < cellHeight;
  return { columns, rows, cellWidth, cellHeight, codes, attrs, cursor };
}

// ------------------------------------------------------------------------------------------------ SVGA

/** The picture of an enabled SvgaCore: DAC indices at 8 bpp, RGBA words (0xAABBGGRR) at the other depths. */
export interface SvgaPicture {
  width: number;
  height: number;
  depth: 8 | 32;
  /** Depth 8: width × height indices into `palette`. */
  pixels: Uint8Array;
  /** Depth 32: width × height 0xAABBGGRR words. */
  rgba: Uint32Array;
  /** The DAC as at depth 8 (unused at depth 32). */
  palette: Uint32Array;
}

/** 15- and 16-bit pixel words as RGBA words, built the first time a mode of that depth is shown. */
let rgba15: Uint32Array | undefined;
let rgba16: Uint32Array | undefined;

function wordTable(bpp: 15 | 16): Uint32Array {
  const table = new Uint32Array(0x10000);
  for (let w = 0; w < 0x10000; w++) {
    const r5 = bpp === 15 ? (w >> 10) & 0x1f : w >> 11;
    const g = bpp === 15 ? (w >> 5) & 0x1f : (w >> 5) & 0x3f;
    const b5 = w & 0x1f;
    const r = (r5 << 3) | (r5 >> 2);
    const g8 = bpp === 15 ? (g << 3) | (g >> 2) : (g << 2) | (g >> 4);
    const b = (b5 << 3) | (b5 >> 2);
    table[w] = (0xff000000 | (b << 16) | (g8 << 8) | r) >>> 0;
  }
  return table;
}

/**
 * The picture of the SVGA's memory as the DISPI registers describe it: XRES × YRES pixels from the display
 * start (X_OFFSET, Y_OFFSET) at VIRT_WIDTH pixels a line; memory past the end shows black. 8-bit pixels go
 * through the PEL mask to the DAC (6-bit, scaled as in the VGA modes); 15/16-bit words are expanded by
 * repeating their high bits, 24/32-bit pixels are taken as B, G, R bytes. `out8`/`out32` are reused when
 * their size fits.
 */
export function renderSvga(svga: SvgaCore, dac: Uint8Array, pelMask: number, out8?: Uint8Array, out32?: Uint32Array): SvgaPicture {
  const width = svga.width;
  const height = svga.height;
  const bpp = svga.bpp;
  const size = width * height;
  const vram = svga.vram;
  const pitch = svga.pitch;
  const start = svga.displayStart;
  const palette = dacPalette(dac);
  if (bpp === 8) {
    const pixels = out8 && out8.length === size ? out8 : new Uint8Array(size);
    for (let y = 0; y < height; y++) {
      const o = start + y * pitch;
      const d = y * width;
      if (o + width <= SVGA_MEMORY) {
        if (pelMask === 0xff) pixels.set(vram.subarray(o, o + width), d);
        else for (let x = 0; x < width; x++) pixels[d + x] = vram[o + x] & pelMask;
      } else for (let x = 0; x < width; x++) pixels[d + x] = o + x < SVGA_MEMORY ? vram[o + x] & pelMask : 0;
    }
    return { width, height, depth: 8, pixels, rgba: new Uint32Array(0), palette };
  }
  const rgba = out32 && out32.length === size ? out32 : new Uint32Array(size);
  const bytes = bytesPerPixel(bpp);
  const black = 0xff000000;
  if (bpp === 15 || bpp === 16) {
    const table = bpp === 15 ? (rgba15 ??= wordTable(15)) : (rgba16 ??= wordTable(16));
    for (let y = 0; y < height; y++) {
      const o = start + y * pitch;
      const d = y * width;
      const whole = o + width * 2 <= SVGA_MEMORY;
      for (let x = 0, a = o; x < width; x++, a += 2) rgba[d + x] = whole || a + 2 <= SVGA_MEMORY ? table[vram[a] | (vram[a + 1] << 8)] : black;
    }
  } else if (bpp === 32) {
    const words = new Uint32Array(vram.buffer, vram.byteOffset, SVGA_MEMORY / 4);
    for (let y = 0; y < height; y++) {
      const o = (start + y * pitch) >> 2;
      const d = y * width;
      for (let x = 0; x < width; x++) {
        // Bytes B, G, R, unused as a little-endian word: swap red and blue, set alpha.
        const w = o + x < words.length ? words[o + x] : 0;
        rgba[d + x] = (black | ((w & 0xff) << 16) | (w & 0xff00) | ((w >>> 16) & 0xff)) >>> 0;
      }
    }
  } else {
    for (let y = 0; y < height; y++) {
      const o = start + y * pitch;
      const d = y * width;
      for (let x = 0, a = o; x < width; x++, a += bytes) {
        rgba[d + x] = a + 3 <= SVGA_MEMORY ? (black | (vram[a] << 16) | (vram[a + 1] << 8) | vram[a + 2]) >>> 0 : black;
      }
    }
  }
  return { width, height, depth: 32, pixels: new Uint8Array(0), rgba, palette };
}
