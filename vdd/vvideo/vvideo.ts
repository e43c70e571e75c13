/**
 * VVIDEO: the text-mode video stage of a colour VGA-class adapter, until the full VGA VDD replaces it.
 *
 * - Text memory is plain guest RAM (B800h for modes 0-3, B000h for mode 7), so the CPU writes it at full
 *   speed; the host reads it only when it wants the screen (named request 'VVIDEO').
 * - Ports: the CRTC (3D4h/3D5h, or 3B4h/3B5h when the misc output register selects mono addressing) with
 *   the cursor and start address registers, input status 1 (3DAh/3BAh) whose retrace bits are computed from
 *   the virtual clock (70 Hz frames, 31.5 kHz lines), and the attribute controller, misc output,
 *   sequencer, graphics controller and DAC registers stored and read back.
 * - INT 10h (the ROM stub `sti ; SVC 90h ; retf 2`): the text services of a VGA BIOS. Graphics modes are
 *   only recorded in the BIOS data area for now.
 * - BIOS data area 40:49h-66h and 40:84h-8Ah, set up at POST (mode 03h) and on every mode set.
 */
import { CP437 } from '../../main/vmm/vdh-cp437.js';
import type { Vdh, VddModule } from '../../main/vmm/vdh.js';

const BDA = 0x400;
const BDA_MODE = BDA + 0x49;
const BDA_COLUMNS = BDA + 0x4a;
const BDA_PAGE_SIZE = BDA + 0x4c;
const BDA_PAGE_START = BDA + 0x4e;
const BDA_CURSOR_POS = BDA + 0x50;
const BDA_CURSOR_SHAPE = BDA + 0x60;
const BDA_ACTIVE_PAGE = BDA + 0x62;
const BDA_CRTC_BASE = BDA + 0x63;
const BDA_MODE_SELECT = BDA + 0x65;
const BDA_PALETTE = BDA + 0x66;
const BDA_ROWS = BDA + 0x84;
const BDA_CHAR_HEIGHT = BDA + 0x85;
const BDA_EGA_MISC = BDA + 0x87;
const BDA_EGA_SWITCHES = BDA + 0x88;
const BDA_VGA_FLAGS = BDA + 0x89;
const BDA_DCC = BDA + 0x8a;

const COLOUR_MEMORY = 0xb8000;
const MONO_MEMORY = 0xb0000;
const TEXT_MEMORY_SIZE = 0x8000;

/** IBM's 8x8 character table (first 128 characters) in the BIOS ROM, as INT 10h AX=1130h BH=03h reports it. */
const FONT_8X8_SEGMENT = 0xf000;
const FONT_8X8_OFFSET = 0xfa6e;

/** Frame and line rates of VGA text modes (720x400 at 70 Hz). */
const FRAME_HZ = 70;
const LINE_HZ = 31469;
/** Fractions of the frame / line spent in vertical retrace / horizontal blanking. */
const VRETRACE_FRACTION = 1 / 20;
const HBLANK_FRACTION = 0.2;

/** CRTC registers. */
const CRTC_MAX_SCANLINE = 0x09;
const CRTC_CURSOR_START = 0x0a;
const CRTC_CURSOR_END = 0x0b;
const CRTC_START_HIGH = 0x0c;
const CRTC_START_LOW = 0x0d;
const CRTC_CURSOR_HIGH = 0x0e;
const CRTC_CURSOR_LOW = 0x0f;
const CURSOR_OFF = 0x20;

/** The CRTC of VGA mode 03h (80 columns) and 01h (40 columns), registers 00h-18h. */
const CRTC_80 = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f,
  0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];
const CRTC_40 = [
  0x2d, 0x27, 0x28, 0x90, 0x2b, 0xa0, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f,
  0x14, 0x1f, 0x96, 0xb9, 0xa3, 0xff,
];
/** The default EGA palette in the attribute controller (registers 00h-0Fh). */
const DEFAULT_PALETTE = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
];
/** Attribute mode control (10h) bits. */
const AMC_BLINK = 0x08;

/** Text modes: columns, mode select register (40:65h), mono (B000h, 3B4h). */
const TEXT_MODES: Record<number, { columns: number; modeSelect: number; mono: boolean }> = {
  0x00: { columns: 40, modeSelect: 0x2c, mono: false },
  0x01: { columns: 40, modeSelect: 0x28, mono: false },
  0x02: { columns: 80, modeSelect: 0x2d, mono: false },
  0x03: { columns: 80, modeSelect: 0x29, mono: false },
  0x07: { columns: 80, modeSelect: 0x29, mono: true },
};
/** Graphics modes accepted (recorded only, for now): text columns and rows of each. */
const GRAPHICS_MODES: Record<number, { columns: number; rows: number }> = {
  0x04: { columns: 40, rows: 25 },
  0x05: { columns: 40, rows: 25 },
  0x06: { columns: 80, rows: 25 },
  0x0d: { columns: 40, rows: 25 },
  0x0e: { columns: 80, rows: 25 },
  0x0f: { columns: 80, rows: 25 },
  0x10: { columns: 80, rows: 25 },
  0x11: { columns: 80, rows: 30 },
  0x12: { columns: 80, rows: 30 },
  0x13: { columns: 40, rows: 25 },
};

export { CP437 };

/** What command 1 of the 'VVIDEO' request returns. */
export interface TextScreen {
  mode: number;
  columns: number;
  rows: number;
  cursor: { row: number; col: number; visible: boolean };
  /** Attribute bit 7 means blinking (true) or a bright background (false): INT 10h AX=1003h. */
  blink: boolean;
  text: string[];
  attrs: number[][];
}

/** Commands of the 'VVIDEO' named request. */
export const VVIDEO_SCREEN = 1;
export const VVIDEO_MODE = 2;
export const VVIDEO_TEXT = 3;
/** Request 4: write bytes (CP437) as teletype output on the active page. */
export const VVIDEO_TELETYPE = 4;
/** Request 5: clear the active page and home the cursor. */
export const VVIDEO_CLEAR = 5;

function hex2(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0') + 'h';
}

class Vvideo {
  private mode = 0x03;
  private columns = 80;
  private rows = 25;
  private charHeight = 16;

  private readonly crtc = new Uint8Array(0x20);
  private crtcIndex = 0;
  private misc = 0x67;
  private readonly attr = new Uint8Array(0x20);
  private attrIndex = 0;
  /** The attribute controller's flip-flop: false = the next 3C0h write is an index, true = data. */
  private attrData = false;
  private readonly seq = new Uint8Array(8);
  private seqIndex = 0;
  private readonly gfx = new Uint8Array(16);
  private gfxIndex = 0;
  private featureControl = 0;
  private subsystemEnable = 1;
  private readonly dac = new Uint8Array(256 * 3);
  private pelMask = 0xff;
  private dacReadIndex = 0;
  private dacReadComponent = 0;
  private dacWriteIndex = 0;
  private dacWriteComponent = 0;
  private readonly dacLatch = new Uint8Array(3);
  /** 3C7h read: 00h after a write to 3C8h, 03h after a write to 3C7h. */
  private dacState = 0;

  private readonly logged = new Set<string>();

  constructor(private readonly vdh: Vdh) {}

  install(): void {
    const vdh = this.vdh;
    vdh.mapRam(MONO_MEMORY, TEXT_MEMORY_SIZE);
    vdh.mapRam(COLOUR_MEMORY, TEXT_MEMORY_SIZE);
    const io = { byteIn: (p: number) => this.portIn(p), byteOut: (p: number, v: number) => this.portOut(p, v) };
    vdh.installIoHook(0x3b4, 2, io);
    vdh.installIoHook(0x3ba, 1, io);
    vdh.installIoHook(0x3c0, 16, io);
    vdh.installIoHook(0x3d4, 2, io);
    vdh.installIoHook(0x3da, 1, io);
    vdh.installBiosService(0x10, () => this.int10());
    vdh.onUserHook('post', () => this.setMode(0x03));
    vdh.registerName('VVIDEO', (command, input) => this.request(command, input));
    vdh.onUserHook('terminate', () => this.flushTty());
  }

  // ---- named request

  private request(command: number, input?: unknown): unknown {
    switch (command) {
      case VVIDEO_SCREEN:
        return this.screen();
      case VVIDEO_MODE:
        return { mode: this.mode };
      case VVIDEO_TEXT:
        return this.screen()
          .text.map((line) => line.replace(/[ \u00a0]+$/, ''))
          .join('\n');
      case VVIDEO_TELETYPE: {
        // Teletype output from the host (the DOS kernel's console device): bytes, CP437.
        const bytes = typeof input === 'string' ? Array.from(input, (c) => c.charCodeAt(0) & 0xff) : Array.from(input as ArrayLike<number>);
        for (const b of bytes) this.teletype(this.activePage(), b & 0xff);
        return undefined;
      }
      case VVIDEO_CLEAR: {
        // Clear the active page with attribute 07h and home the cursor (the shell's CLS).
        const page = this.activePage();
        this.scroll(page, 0, 0x07, 0, 0, this.rows - 1, this.columns - 1);
        this.setCursor(page, 0, 0);
        return undefined;
      }
      default:
        throw new Error(`VVIDEO: unknown request ${command}`);
    }
  }

  /** The screen as displayed: from the CRTC start address, with the CRTC's cursor. */
  private screen(): TextScreen {
    const blink = (this.attr[0x10] & AMC_BLINK) !== 0;
    if (!this.isText()) {
      return {
        mode: this.mode,
        columns: this.columns,
        rows: this.rows,
        cursor: { row: 0, col: 0, visible: false },
        blink,
        text: [],
        attrs: [],
      };
    }
    const start = (this.crtc[CRTC_START_HIGH] << 8) | this.crtc[CRTC_START_LOW];
    const memory = this.vdh.readGuest(this.memoryBase(), TEXT_MEMORY_SIZE);
    const text: string[] = [];
    const attrs: number[][] = [];
    for (let row = 0; row < this.rows; row++) {
      let line = '';
      const lineAttrs: number[] = [];
      for (let col = 0; col < this.columns; col++) {
        const offset = ((start + row * this.columns + col) * 2) & (TEXT_MEMORY_SIZE - 1);
        line += CP437[memory[offset]];
        lineAttrs.push(memory[offset + 1]);
      }
      text.push(line);
      attrs.push(lineAttrs);
    }
    const location = ((this.crtc[CRTC_CURSOR_HIGH] << 8) | this.crtc[CRTC_CURSOR_LOW]) - start;
    const row = Math.floor(location / this.columns);
    const col = location - row * this.columns;
    const cursorStart = this.crtc[CRTC_CURSOR_START];
    const inside = location >= 0 && row < this.rows;
    const visible =
      inside && !(cursorStart & CURSOR_OFF) && (cursorStart & 0x1f) <= (this.crtc[CRTC_CURSOR_END] & 0x1f);
    return {
      mode: this.mode,
      columns: this.columns,
      rows: this.rows,
      cursor: { row: inside ? row : 0, col: inside ? col : 0, visible },
      blink,
      text,
      attrs,
    };
  }

  // ---- ports

  private crtcPorts(): number {
    return this.misc & 1 ? 0x3d0 : 0x3b0;
  }

  private portIn(port: number): number {
    const low = port & 0x0f;
    if (port < 0x3c0 || port >= 0x3d0) {
      if ((port & 0x3f0) !== this.crtcPorts()) return 0xff; // not decoded in this addressing mode
      if (low === 0x04) return this.crtcIndex;
      if (low === 0x05) return this.crtc[this.crtcIndex];
      if (low === 0x0a) {
        this.attrData = false;
        return this.status1();
      }
      return 0xff;
    }
    switch (port) {
      case 0x3c0:
        return this.attrIndex;
      case 0x3c1:
        return this.attr[this.attrIndex & 0x1f];
      case 0x3c2:
        return 0x10; // input status 0: switch sense
      case 0x3c3:
        return this.subsystemEnable;
      case 0x3c4:
        return this.seqIndex;
      case 0x3c5:
        return this.seq[this.seqIndex & 7];
      case 0x3c6:
        return this.pelMask;
      case 0x3c7:
        return this.dacState;
      case 0x3c8:
        return this.dacWriteIndex;
      case 0x3c9: {
        const v = this.dac[this.dacReadIndex * 3 + this.dacReadComponent];
        if (++this.dacReadComponent === 3) {
          this.dacReadComponent = 0;
          this.dacReadIndex = (this.dacReadIndex + 1) & 0xff;
        }
        return v;
      }
      case 0x3ca:
        return this.featureControl;
      case 0x3cc:
        return this.misc;
      case 0x3ce:
        return this.gfxIndex;
      case 0x3cf:
        return this.gfx[this.gfxIndex & 0x0f];
      default:
        return 0xff;
    }
  }

  private portOut(port: number, value: number): void {
    const low = port & 0x0f;
    if (port < 0x3c0 || port >= 0x3d0) {
      if ((port & 0x3f0) !== this.crtcPorts()) return;
      if (low === 0x04) this.crtcIndex = value & 0x1f;
      else if (low === 0x05) this.crtc[this.crtcIndex] = value;
      else if (low === 0x0a) this.featureControl = value;
      return;
    }
    switch (port) {
      case 0x3c0:
        if (this.attrData) this.attr[this.attrIndex & 0x1f] = value;
        else this.attrIndex = value & 0x3f;
        this.attrData = !this.attrData;
        return;
      case 0x3c2:
        this.misc = value;
        return;
      case 0x3c3:
        this.subsystemEnable = value;
        return;
      case 0x3c4:
        this.seqIndex = value;
        return;
      case 0x3c5:
        this.seq[this.seqIndex & 7] = value;
        return;
      case 0x3c6:
        this.pelMask = value;
        return;
      case 0x3c7:
        this.dacReadIndex = value;
        this.dacReadComponent = 0;
        this.dacState = 3;
        return;
      case 0x3c8:
        this.dacWriteIndex = value;
        this.dacWriteComponent = 0;
        this.dacState = 0;
        return;
      case 0x3c9:
        this.dacLatch[this.dacWriteComponent++] = value & 0x3f;
        if (this.dacWriteComponent === 3) {
          this.dac.set(this.dacLatch, this.dacWriteIndex * 3);
          this.dacWriteComponent = 0;
          this.dacWriteIndex = (this.dacWriteIndex + 1) & 0xff;
        }
        return;
      case 0x3ce:
        this.gfxIndex = value;
        return;
      case 0x3cf:
        this.gfx[this.gfxIndex & 0x0f] = value;
        return;
      default:
        return;
    }
  }

  /** Input status 1, worked out from the virtual clock: bit 3 vertical retrace, bit 0 display disabled. */
  private status1(): number {
    const tps = this.vdh.ticksPerSecond;
    const frame = tps / FRAME_HZ;
    const t = this.vdh.now % frame;
    const vretrace = t >= frame * (1 - VRETRACE_FRACTION);
    const line = tps / LINE_HZ;
    const hblank = t % line >= line * (1 - HBLANK_FRACTION);
    return (vretrace ? 0x08 : 0) | (vretrace || hblank ? 0x01 : 0);
  }

  // ---- modes and the BIOS data area

  private isText(): boolean {
    return this.mode in TEXT_MODES;
  }

  private memoryBase(): number {
    return this.mode === 0x07 ? MONO_MEMORY : COLOUR_MEMORY;
  }

  private pageSize(): number {
    return (this.columns * this.rows * 2 + 0xff) & ~0xff;
  }

  private pages(): number {
    return Math.min(8, Math.floor(TEXT_MEMORY_SIZE / this.pageSize()));
  }

  private setMode(request: number): void {
    const mode = request & 0x7f;
    const keep = (request & 0x80) !== 0;
    const text = TEXT_MODES[mode];
    const graphics = GRAPHICS_MODES[mode];
    if (!text && !graphics) {
      this.logOnce(`mode ${hex2(mode)}`, `VVIDEO: INT 10h AH=00h: mode ${hex2(mode)} is not supported`);
      return;
    }
    const vdh = this.vdh;
    this.mode = mode;
    this.columns = text ? text.columns : graphics.columns;
    this.rows = text ? 25 : graphics.rows;
    this.charHeight = 16;
    const mono = text?.mono ?? false;
    this.misc = mono ? 0x66 : 0x67;
    this.crtc.fill(0);
    this.crtc.set(this.columns === 40 ? CRTC_40 : CRTC_80);
    this.attr.fill(0);
    this.attr.set(DEFAULT_PALETTE);
    this.attr[0x10] = mono ? 0x0e : 0x0c;
    this.attr[0x12] = 0x0f;
    this.attr[0x13] = 0x08;
    this.attrIndex = 0x20;
    this.attrData = false;
    this.seq.set([0x03, 0x00, 0x03, 0x00, 0x02]);
    this.gfx.fill(0);
    this.gfx.set([0x00, 0x00, 0x00, 0x00, 0x00, 0x10, mono ? 0x0a : 0x0e, 0x00, 0xff]);
    this.loadDefaultDac();
    this.pelMask = 0xff;

    vdh.writeByte(BDA_MODE, mode);
    vdh.writeWord(BDA_COLUMNS, this.columns);
    vdh.writeWord(BDA_PAGE_START, 0);
    for (let p = 0; p < 8; p++) vdh.writeWord(BDA_CURSOR_POS + 2 * p, 0);
    vdh.writeByte(BDA_ACTIVE_PAGE, 0);
    vdh.writeWord(BDA_CRTC_BASE, mono ? 0x3b4 : 0x3d4);
    vdh.writeByte(BDA_MODE_SELECT, text ? text.modeSelect : 0x2a);
    vdh.writeByte(BDA_PALETTE, 0x30);
    vdh.writeByte(BDA_EGA_MISC, 0x60 | (keep ? 0x80 : 0));
    vdh.writeByte(BDA_EGA_SWITCHES, 0x09);
    vdh.writeByte(BDA_VGA_FLAGS, 0x11);
    vdh.writeByte(BDA_DCC, 0x08);
    this.writeRowsToBda();
    this.setCursorShape(mono ? 0x0b : 0x06, mono ? 0x0c : 0x07);

    if (text) {
      if (!keep) {
        const blank = new Uint8Array(TEXT_MEMORY_SIZE);
        for (let i = 0; i < blank.length; i += 2) {
          blank[i] = 0x20;
          blank[i + 1] = 0x07;
        }
        vdh.writeGuest(this.memoryBase(), blank);
      }
    } else {
      vdh.log(`VVIDEO: graphics mode ${hex2(mode)} is not emulated yet`);
    }
    this.postMode();
  }

  /** Columns x rows dependent BDA fields and CRTC scan line count (after a mode set or a font change). */
  private writeRowsToBda(): void {
    const vdh = this.vdh;
    vdh.writeWord(BDA_PAGE_SIZE, this.pageSize());
    vdh.writeByte(BDA_ROWS, this.rows - 1);
    vdh.writeWord(BDA_CHAR_HEIGHT, this.charHeight);
    this.crtc[CRTC_MAX_SCANLINE] = (this.crtc[CRTC_MAX_SCANLINE] & 0xe0) | ((this.charHeight - 1) & 0x1f);
  }

  private postMode(): void {
    this.vdh.post('video-mode', { mode: this.mode, columns: this.columns, rows: this.rows });
  }

  /** INT 10h AX=1111h/1112h/1114h (and the 1101h/1102h/1104h forms): the font height decides the rows. */
  private setFont(height: number): void {
    if (!this.isText()) return;
    this.charHeight = height;
    this.rows = height === 8 ? 50 : 25;
    this.writeRowsToBda();
    // The BIOS's font load resets page 0 and the cursor shape for the new cell height.
    this.vdh.writeByte(BDA_ACTIVE_PAGE, 0);
    this.vdh.writeWord(BDA_PAGE_START, 0);
    this.setStartAddress(0);
    for (let p = 0; p < 8; p++) {
      const pos = this.vdh.readWord(BDA_CURSOR_POS + 2 * p);
      if (pos >> 8 >= this.rows) this.vdh.writeWord(BDA_CURSOR_POS + 2 * p, ((this.rows - 1) << 8) | (pos & 0xff));
    }
    this.setCursorShape(0x06, 0x07);
    this.updateCrtcCursor(0);
    this.postMode();
  }

  private loadDefaultDac(): void {
    this.dac.fill(0);
    for (let i = 0; i < 64; i++) {
      const c = (lo: number, hi: number) => ((i >> lo) & 1) * 0x2a + ((i >> hi) & 1) * 0x15;
      this.dac[i * 3] = c(2, 5);
      this.dac[i * 3 + 1] = c(1, 4);
      this.dac[i * 3 + 2] = c(0, 3);
    }
  }

  // ---- cursor

  private activePage(): number {
    return this.vdh.readByte(BDA_ACTIVE_PAGE) & 7;
  }

  private cursor(page: number): { row: number; col: number } {
    const w = this.vdh.readWord(BDA_CURSOR_POS + 2 * (page & 7));
    return { row: w >> 8, col: w & 0xff };
  }

  private setCursor(page: number, row: number, col: number): void {
    this.vdh.writeWord(BDA_CURSOR_POS + 2 * (page & 7), ((row & 0xff) << 8) | (col & 0xff));
    if ((page & 7) === this.activePage()) this.updateCrtcCursor(page);
  }

  private updateCrtcCursor(page: number): void {
    const { row, col } = this.cursor(page);
    const location = ((page * this.pageSize()) >> 1) + row * this.columns + col;
    this.crtc[CRTC_CURSOR_HIGH] = (location >> 8) & 0xff;
    this.crtc[CRTC_CURSOR_LOW] = location & 0xff;
  }

  private setStartAddress(words: number): void {
    this.crtc[CRTC_START_HIGH] = (words >> 8) & 0xff;
    this.crtc[CRTC_START_LOW] = words & 0xff;
  }

  /**
   * INT 10h AH=01h: BDA 40:60h keeps the caller's CGA-style shape; the CRTC gets it scaled to the cell
   * height (the VGA BIOS's cursor emulation), so 0607h is an underline on a 16-line cell too.
   */
  private setCursorShape(start: number, end: number): void {
    this.vdh.writeWord(BDA_CURSOR_SHAPE, ((start & 0xff) << 8) | (end & 0xff));
    const off = start & 0x60 ? CURSOR_OFF : 0;
    let s = start & 0x1f;
    let e = end & 0x1f;
    const h = this.charHeight;
    const emulate = !(this.vdh.readByte(BDA_EGA_MISC) & 1);
    if (emulate && !off && h > 8 && s <= 7 && e <= 7 && s <= e) {
      if (e >= 6) {
        // An underline-type cursor stays at the bottom of the taller cell.
        const bottom = h - 2 - (7 - e);
        s = s >= 4 ? bottom - (e - s) : Math.floor((s * h) / 8);
        e = bottom;
      } else {
        s = Math.floor((s * h) / 8);
        e = Math.floor(((e + 1) * h) / 8) - 1;
      }
    }
    this.crtc[CRTC_CURSOR_START] = (this.crtc[CRTC_CURSOR_START] & 0xc0) | off | s;
    this.crtc[CRTC_CURSOR_END] = (this.crtc[CRTC_CURSOR_END] & 0xe0) | e;
  }

  // ---- text memory

  private cellAddress(page: number, row: number, col: number): number {
    return this.memoryBase() + (((page & 7) * this.pageSize() + (row * this.columns + col) * 2) & (TEXT_MEMORY_SIZE - 1));
  }

  private readCell(page: number, row: number, col: number): { ch: number; attr: number } {
    const w = this.vdh.readWord(this.cellAddress(page, row, col));
    return { ch: w & 0xff, attr: w >> 8 };
  }

  /** Write a character (and its attribute, unless undefined) to one cell; nothing in graphics modes. */
  private writeCell(page: number, row: number, col: number, ch: number, attr?: number): void {
    if (!this.isText()) return;
    const addr = this.cellAddress(page, row, col);
    if (attr === undefined) this.vdh.writeByte(addr, ch);
    else this.vdh.writeWord(addr, (ch & 0xff) | ((attr & 0xff) << 8));
  }

  /** Scroll a window (rows top..bottom, columns left..right) up (lines > 0) or down (lines < 0); 0 clears. */
  private scroll(page: number, lines: number, attr: number, top: number, left: number, bottom: number, right: number): void {
    if (!this.isText()) return;
    bottom = Math.min(bottom, this.rows - 1);
    right = Math.min(right, this.columns - 1);
    if (top > bottom || left > right) return;
    const height = bottom - top + 1;
    const count = lines === 0 || Math.abs(lines) >= height ? height : Math.abs(lines);
    const width = (right - left + 1) * 2;
    const blank = new Uint8Array(width);
    for (let i = 0; i < width; i += 2) {
      blank[i] = 0x20;
      blank[i + 1] = attr;
    }
    const up = lines >= 0;
    for (let i = 0; i < height; i++) {
      const row = up ? top + i : bottom - i;
      const from = up ? row + count : row - count;
      const dst = this.cellAddress(page, row, left);
      if (up ? from <= bottom : from >= top) this.vdh.writeGuest(dst, this.vdh.readGuest(this.cellAddress(page, from, left), width));
      else this.vdh.writeGuest(dst, blank);
    }
  }

  /**
   * The teletype stream: what was written as a terminal would show it (AH=0Eh, AH=13h, the DOS console),
   * posted to the host as `tty` events `{ bytes }` (CP437) in batches at most 10 ms of guest time apart —
   * how `mvm run` gets a program's output for its stdout.
   */
  private ttyOut: number[] = [];
  private ttyFlushArmed = false;
  private recordTty(ch: number): void {
    this.ttyOut.push(ch);
    if (this.ttyOut.length >= 4096) this.flushTty();
    else if (!this.ttyFlushArmed) {
      this.ttyFlushArmed = true;
      this.vdh.armTimer(this.vdh.ticksPerSecond / 100, () => this.flushTty());
    }
  }
  private flushTty(): void {
    this.ttyFlushArmed = false;
    if (this.ttyOut.length === 0) return;
    this.vdh.post('tty', { bytes: this.ttyOut });
    this.ttyOut = [];
  }

  /** Teletype output of one character on `page` (AH=0Eh, and AH=13h's control characters). */
  private teletype(page: number, ch: number, attr?: number): void {
    this.recordTty(ch);
    let { row, col } = this.cursor(page);
    switch (ch) {
      case 0x07:
        this.vdh.post('beep', {});
        return;
      case 0x08:
        if (col > 0) col--;
        break;
      case 0x0a:
        row++;
        break;
      case 0x0d:
        col = 0;
        break;
      default:
        this.writeCell(page, row, col, ch, attr);
        if (++col >= this.columns) {
          col = 0;
          row++;
        }
    }
    if (row >= this.rows) {
      row = this.rows - 1;
      // Like the BIOS: the new line takes the attribute of the cell at the cursor.
      const fill = this.isText() ? this.readCell(page, row, col).attr : 0;
      this.scroll(page, 1, fill, 0, 0, this.rows - 1, this.columns - 1);
    }
    this.setCursor(page, row, col);
  }

  /** AH=09h/0Ah: `count` copies from the cursor on, the cursor unmoved, clipped to the page. */
  private writeRepeated(page: number, ch: number, attr: number | undefined, count: number): void {
    const { row, col } = this.cursor(page);
    const first = row * this.columns + col;
    const end = Math.min(first + count, this.rows * this.columns);
    for (let i = first; i < end; i++) this.writeCell(page, Math.floor(i / this.columns), i % this.columns, ch, attr);
  }

  // ---- INT 10h

  private logOnce(key: string, message: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.vdh.log(message);
  }

  private int10(): void {
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    const ax = r.eax & 0xffff;
    const ah = ax >> 8;
    const al = ax & 0xff;
    const bh = (r.ebx >> 8) & 0xff;
    const bl = r.ebx & 0xff;
    const cx = r.ecx & 0xffff;
    const ch = cx >> 8;
    const cl = cx & 0xff;
    const dh = (r.edx >> 8) & 0xff;
    const dl = r.edx & 0xff;
    const setAx = (v: number) => vdh.setRegisters({ eax: (r.eax & ~0xffff) | (v & 0xffff) });
    const setAl = (v: number) => setAx((ax & 0xff00) | (v & 0xff));
    const setBx = (v: number) => vdh.setRegisters({ ebx: (r.ebx & ~0xffff) | (v & 0xffff) });
    const setCx = (v: number) => vdh.setRegisters({ ecx: (r.ecx & ~0xffff) | (v & 0xffff) });
    const setDx = (v: number) => vdh.setRegisters({ edx: (r.edx & ~0xffff) | (v & 0xffff) });
    const unknown = () =>
      this.logOnce(
        `${ah}:${al}`,
        `VVIDEO: INT 10h AX=${ax.toString(16).toUpperCase().padStart(4, '0')}h is not supported`,
      );
    const esLinear = (offset: number) => ((r.es << 4) + (offset & 0xffff)) & 0xfffff;

    switch (ah) {
      case 0x00:
        this.setMode(al);
        return;
      case 0x01:
        this.setCursorShape(ch, cl);
        return;
      case 0x02:
        this.setCursor(bh & 7, dh, dl);
        return;
      case 0x03: {
        const { row, col } = this.cursor(bh & 7);
        setDx((row << 8) | col);
        setCx(vdh.readWord(BDA_CURSOR_SHAPE));
        return;
      }
      case 0x04:
        setAx(ax & 0x00ff); // no light pen
        return;
      case 0x05: {
        if (al >= this.pages()) return;
        const start = al * this.pageSize();
        vdh.writeByte(BDA_ACTIVE_PAGE, al);
        vdh.writeWord(BDA_PAGE_START, start);
        this.setStartAddress(start >> 1);
        this.updateCrtcCursor(al);
        return;
      }
      case 0x06:
      case 0x07:
        this.scroll(this.activePage(), ah === 0x06 ? al : -al, bh, ch, cl, dh, dl);
        return;
      case 0x08: {
        if (!this.isText()) return;
        const { row, col } = this.cursor(bh & 7);
        const cell = this.readCell(bh & 7, row, col);
        setAx((cell.attr << 8) | cell.ch);
        return;
      }
      case 0x09:
        this.writeRepeated(bh & 7, al, bl, cx);
        return;
      case 0x0a:
        this.writeRepeated(bh & 7, al, undefined, cx);
        return;
      case 0x0e:
        this.teletype(this.activePage(), al);
        return;
      case 0x0f:
        setAx((this.columns << 8) | this.mode | (vdh.readByte(BDA_EGA_MISC) & 0x80));
        setBx((this.activePage() << 8) | bl);
        return;
      case 0x10:
        this.palette(al, bl, bh, cx, r.edx & 0xffff, esLinear(r.edx), setBx, setCx, setDx, unknown);
        return;
      case 0x11:
        switch (al) {
          case 0x01:
          case 0x11:
            this.setFont(16); // 8x14 on an EGA; a VGA's 400 lines keep 25 rows of the 16-line font here
            return;
          case 0x02:
          case 0x12:
            this.setFont(8);
            return;
          case 0x04:
          case 0x14:
            this.setFont(16);
            return;
          case 0x30: {
            let seg = 0;
            let off = 0;
            if (bh === 0 || bh === 1) {
              const vector = bh === 0 ? 0x1f : 0x43;
              off = vdh.readWord(vector * 4);
              seg = vdh.readWord(vector * 4 + 2);
            } else if (bh === 3) {
              seg = FONT_8X8_SEGMENT;
              off = FONT_8X8_OFFSET;
            }
            vdh.setRegisters({
              es: seg,
              ebp: (r.ebp & ~0xffff) | off,
              ecx: (r.ecx & ~0xffff) | this.charHeight,
              edx: (r.edx & ~0xff) | ((this.rows - 1) & 0xff),
            });
            return;
          }
          default:
            unknown();
            return;
        }
      case 0x12:
        if (bl === 0x10) {
          setBx(0x0003); // BH=0 colour, BL=3 256K
          setCx(0);
        } else unknown();
        return;
      case 0x13:
        this.writeString(al, bh & 7, bl, cx, dh, dl, esLinear(r.ebp));
        return;
      case 0x1a:
        if (al === 0x00) {
          setAl(0x1a);
          setBx(0x0008);
        } else if (al === 0x01) setAl(0x1a);
        else unknown();
        return;
      case 0x1b:
        if (bl !== 0x00) {
          unknown();
          return;
        }
        this.writeStateTable(esLinear(r.edi));
        setAl(0x1b);
        return;
      case 0x1c:
        setAl(0x00); // save/restore video state: not supported
        return;
      default:
        unknown();
    }
  }

  /** INT 10h AH=10h: palette registers and the DAC. */
  private palette(
    al: number,
    bl: number,
    bh: number,
    cx: number,
    dx: number,
    table: number,
    setBx: (v: number) => void,
    setCx: (v: number) => void,
    setDx: (v: number) => void,
    unknown: () => void,
  ): void {
    const vdh = this.vdh;
    const bx = (bh << 8) | bl;
    switch (al) {
      case 0x00:
        if (bl < 0x14) this.attr[bl] = bh;
        return;
      case 0x01:
        this.attr[0x11] = bh;
        return;
      case 0x02: {
        const bytes = vdh.readGuest(table, 17);
        this.attr.set(bytes.subarray(0, 16));
        this.attr[0x11] = bytes[16];
        return;
      }
      case 0x03:
        if (bl === 0) this.attr[0x10] &= ~AMC_BLINK;
        else if (bl === 1) this.attr[0x10] |= AMC_BLINK;
        vdh.writeByte(BDA_MODE_SELECT, (vdh.readByte(BDA_MODE_SELECT) & ~0x20) | (this.attr[0x10] & AMC_BLINK ? 0x20 : 0));
        return;
      case 0x07:
        if (bl < 0x14) setBx((this.attr[bl] << 8) | bl);
        return;
      case 0x08:
        setBx((this.attr[0x11] << 8) | bl);
        return;
      case 0x09: {
        const bytes = new Uint8Array(17);
        bytes.set(this.attr.subarray(0, 16));
        bytes[16] = this.attr[0x11];
        vdh.writeGuest(table, bytes);
        return;
      }
      case 0x10: {
        const i = (bx & 0xff) * 3;
        this.dac[i] = (dx >> 8) & 0x3f;
        this.dac[i + 1] = (cx >> 8) & 0x3f;
        this.dac[i + 2] = cx & 0x3f;
        return;
      }
      case 0x12: {
        const bytes = vdh.readGuest(table, cx * 3);
        for (let n = 0; n < cx; n++) {
          const i = ((bx + n) & 0xff) * 3;
          this.dac[i] = bytes[n * 3] & 0x3f;
          this.dac[i + 1] = bytes[n * 3 + 1] & 0x3f;
          this.dac[i + 2] = bytes[n * 3 + 2] & 0x3f;
        }
        return;
      }
      case 0x15: {
        const i = (bx & 0xff) * 3;
        setDx((this.dac[i] << 8) | (dx & 0xff));
        setCx((this.dac[i + 1] << 8) | this.dac[i + 2]);
        return;
      }
      case 0x17: {
        const bytes = new Uint8Array(cx * 3);
        for (let n = 0; n < cx; n++) bytes.set(this.dac.subarray(((bx + n) & 0xff) * 3, ((bx + n) & 0xff) * 3 + 3), n * 3);
        vdh.writeGuest(table, bytes);
        return;
      }
      case 0x1a:
        setBx(((this.attr[0x14] & 0x0f) << 8) | (this.attr[0x10] >> 7));
        return;
      default:
        unknown();
    }
  }

  /** INT 10h AH=13h: write a string at DH,DL on page BH; AL bit 0 moves the cursor, bit 1 means char/attr pairs. */
  private writeString(al: number, page: number, bl: number, count: number, row: number, col: number, addr: number): void {
    if (al > 3) return;
    const withAttrs = (al & 2) !== 0;
    const bytes = this.vdh.readGuest(addr, count * (withAttrs ? 2 : 1));
    const saved = this.cursor(page);
    this.setCursor(page, row, col);
    for (let i = 0; i < count; i++) {
      const ch = withAttrs ? bytes[i * 2] : bytes[i];
      const attr = withAttrs ? bytes[i * 2 + 1] : bl;
      if (ch === 0x07 || ch === 0x08 || ch === 0x0a || ch === 0x0d) this.teletype(page, ch);
      else this.teletype(page, ch, attr);
    }
    if (!(al & 1)) this.setCursor(page, saved.row, saved.col);
  }

  /** INT 10h AH=1Bh: the 40h-byte video state table. */
  private writeStateTable(addr: number): void {
    const vdh = this.vdh;
    const t = new Uint8Array(0x40);
    const word = (at: number, v: number) => {
      t[at] = v & 0xff;
      t[at + 1] = (v >> 8) & 0xff;
    };
    // 00h: pointer to the static functionality table (none yet: 0000:0000).
    t[0x04] = this.mode;
    word(0x05, this.columns);
    word(0x07, this.pageSize());
    word(0x09, vdh.readWord(BDA_PAGE_START));
    t.set(vdh.readGuest(BDA_CURSOR_POS, 16), 0x0b);
    const shape = vdh.readWord(BDA_CURSOR_SHAPE);
    t[0x1b] = shape & 0xff;
    t[0x1c] = shape >> 8;
    t[0x1d] = this.activePage();
    word(0x1e, vdh.readWord(BDA_CRTC_BASE));
    t[0x20] = vdh.readByte(BDA_MODE_SELECT);
    t[0x21] = vdh.readByte(BDA_PALETTE);
    t[0x22] = this.rows;
    word(0x23, this.charHeight);
    t[0x25] = 0x08; // active display combination: VGA colour
    t[0x26] = 0x00;
    word(0x27, this.mode === 0x07 ? 0 : this.mode === 0x13 ? 256 : 16);
    t[0x29] = this.isText() ? this.pages() : 1;
    t[0x2a] = 0x02; // 400 scan lines
    t[0x2d] = (this.attr[0x10] & AMC_BLINK ? 0x20 : 0) | (vdh.readByte(BDA_VGA_FLAGS) & 0x0f);
    t[0x31] = 0x03; // 256K
    vdh.writeGuest(addr, t);
  }
}

/** A VVIDEO module. */
export function createVvideo(): VddModule {
  return {
    name: 'VVIDEO',
    init(vdh: Vdh): void {
      new Vvideo(vdh).install();
    },
  };
}

export default createVvideo();
