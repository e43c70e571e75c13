/**
 * A VMAN surface: what an engine (the VGA VDD's renderer, later the Win16 GDI) draws into and a shield
 * window shows. A surface is 8-bit palette indices with a 256-entry RGBA palette (every VGA mode and
 * 256-colour Win16 fit), or 32-bit true colour (the VBE direct-colour modes): four bytes R, G, B, A a pixel,
 * also reachable as 0xAABBGGRR words (ImageData's order on the little-endian hosts we run on). The
 * primitives are the GRADD-like few — blit, fill, line, text (glyph bitmaps), pointer — and every one records
 * damage, so a frame update carries only the rectangles that changed (docs/vman.md).
 */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Bits per pixel of a surface: palette indices or RGBA. */
export type SurfaceDepth = 8 | 32;

/** A frame update for a shield: changed rectangles with their pixels, and the palette when it changed. */
export interface FrameUpdate {
  width: number;
  height: number;
  /** The surface's depth; absent means 8. */
  depth?: SurfaceDepth;
  /** Sequence number; a shield that missed one asks for a full frame. */
  seq: number;
  /** Each rectangle's pixels row by row: one index (depth 8) or R, G, B, A bytes (depth 32) a pixel. */
  rects: { rect: Rect; pixels: Uint8Array }[];
  /** 256 RGBA entries (0xAABBGGRR little-endian, as ImageData wants), present when changed. */
  palette?: Uint32Array;
  pointer?: { x: number; y: number; visible: boolean };
  /** The screen as text (text modes), present when it changed; null when the surface stopped being text. */
  text?: ScreenText | null;
}

/**
 * What a text-mode screen says, beside its pixels: the lines as Unicode (for assistive technology, mark and
 * copy) and the cursor, which the shield draws and blinks itself (so frames do not change with the blink).
 */
export interface ScreenText {
  columns: number;
  rows: number;
  /** Cell size in surface pixels (8 or 9 wide; 8, 14 or 16 high, say). */
  cellWidth: number;
  cellHeight: number;
  /** `rows` strings of `columns` characters each. */
  lines: string[];
  /** Cursor cell and its scan lines inside the cell (start > end or visible false: no cursor). */
  cursor: { row: number; col: number; start: number; end: number; visible: boolean };
}

/** Damage rectangles beyond this many are merged into their bounding box (a full-ish update is cheaper). */
const MAX_RECTS = 16;

const NO_WORDS = new Uint32Array(0);

export class Surface {
  /** 8: `pixels` are palette indices; 32: `pixels` are R, G, B, A bytes and `rgba` their words. */
  depth: SurfaceDepth = 8;
  /** The picture row by row, width × height × depth / 8 bytes. */
  pixels: Uint8Array;
  /** At depth 32 the pixels as 0xAABBGGRR words (a view of `pixels`); empty at depth 8. */
  rgba: Uint32Array = NO_WORDS;
  /** Used at depth 8; kept (and sent when it changes) at depth 32, where it means nothing. */
  readonly palette = new Uint32Array(256);
  private damage: Rect[] = [];
  private paletteDirty = true;
  private seq = 0;
  private pointer = { x: 0, y: 0, visible: false };
  private pointerDirty = false;
  private screenText: ScreenText | null = null;
  private textDirty = false;
  /** How the surface is meant to be shown: its display aspect ratio (4:3 for every VGA mode). */
  aspect = 4 / 3;

  constructor(
    public width: number,
    public height: number,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > 4096 * 4096) {
      throw new Error(`surface size ${width}x${height} is out of range`);
    }
    this.pixels = new Uint8Array(width * height);
    this.damageAll();
  }

  /** A new size or depth (a mode change): everything is damaged. */
  resize(width: number, height: number, depth: SurfaceDepth = 8): void {
    if (width === this.width && height === this.height && depth === this.depth) return;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > 4096 * 4096) {
      throw new Error(`surface size ${width}x${height} is out of range`);
    }
    if (depth !== 8 && depth !== 32) throw new Error(`surface depth ${String(depth)} is neither 8 nor 32`);
    this.width = width;
    this.height = height;
    this.depth = depth;
    this.pixels = new Uint8Array((width * height * depth) / 8);
    this.rgba = depth === 32 ? new Uint32Array(this.pixels.buffer) : NO_WORDS;
    this.damageAll();
  }

  setPalette(entries: Uint32Array): void {
    for (let i = 0; i < 256; i++) {
      if (this.palette[i] !== entries[i]) {
        this.palette.set(entries.subarray(0, 256));
        this.paletteDirty = true;
        return;
      }
    }
  }

  // ---- primitives

  /** Copy `src` (w×h indices) to (x, y) of an 8-bit surface, clipped; only pixels that change are damaged. */
  blit(x: number, y: number, w: number, h: number, src: Uint8Array, srcStride = w): void {
    if (this.depth !== 8) throw new Error('blit: the surface is true colour (blitRgba)');
    const r = this.clip({ x, y, w, h });
    if (!r) return;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -1;
    let maxY = -1;
    for (let row = 0; row < r.h; row++) {
      const sy = r.y - y + row;
      const so = sy * srcStride + (r.x - x);
      const d = (r.y + row) * this.width + r.x;
      for (let col = 0; col < r.w; col++) {
        const v = src[so + col];
        if (this.pixels[d + col] !== v) {
          this.pixels[d + col] = v;
          if (col < minX) minX = col;
          if (col > maxX) maxX = col;
          if (row < minY) minY = row;
          maxY = row;
        }
      }
    }
    if (maxX >= 0) this.addDamage({ x: r.x + minX, y: r.y + minY, w: maxX - minX + 1, h: maxY - minY + 1 });
  }

  /** Copy `src` (w×h 0xAABBGGRR words) to (x, y) of a 32-bit surface, clipped; only changed pixels are damaged. */
  blitRgba(x: number, y: number, w: number, h: number, src: Uint32Array, srcStride = w): void {
    if (this.depth !== 32) throw new Error('blitRgba: the surface has palette indices (blit)');
    const r = this.clip({ x, y, w, h });
    if (!r) return;
    const dst = this.rgba;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -1;
    let maxY = -1;
    for (let row = 0; row < r.h; row++) {
      const so = (r.y - y + row) * srcStride + (r.x - x);
      const d = (r.y + row) * this.width + r.x;
      for (let col = 0; col < r.w; col++) {
        const v = src[so + col];
        if (dst[d + col] !== v) {
          dst[d + col] = v;
          if (col < minX) minX = col;
          if (col > maxX) maxX = col;
          if (row < minY) minY = row;
          maxY = row;
        }
      }
    }
    if (maxX >= 0) this.addDamage({ x: r.x + minX, y: r.y + minY, w: maxX - minX + 1, h: maxY - minY + 1 });
  }

  /** Replace the whole 8-bit surface (an engine that renders full frames): the damage is what differs. */
  present(frame: Uint8Array): void {
    if (frame.length !== this.width * this.height) throw new Error(`a ${frame.length}-pixel frame for a ${this.width}x${this.height} surface`);
    this.blit(0, 0, this.width, this.height, frame);
  }

  /** Replace the whole 32-bit surface with 0xAABBGGRR words: the damage is what differs. */
  presentRgba(frame: Uint32Array): void {
    if (frame.length !== this.width * this.height) throw new Error(`a ${frame.length}-pixel frame for a ${this.width}x${this.height} surface`);
    this.blitRgba(0, 0, this.width, this.height, frame);
  }

  /** A rectangle in `color`: an index at depth 8, an 0xAABBGGRR word at depth 32. */
  fill(x: number, y: number, w: number, h: number, color: number): void {
    const r = this.clip({ x, y, w, h });
    if (!r) return;
    const dst = this.depth === 8 ? this.pixels : this.rgba;
    const value = this.depth === 8 ? color & 0xff : color >>> 0;
    for (let row = 0; row < r.h; row++) dst.fill(value, (r.y + row) * this.width + r.x, (r.y + row) * this.width + r.x + r.w);
    this.addDamage(r);
  }

  /** A line from (x0, y0) to (x1, y1) inclusive (Bresenham), clipped per pixel; `color` as for fill. */
  line(x0: number, y0: number, x1: number, y1: number, color: number): void {
    const dst = this.depth === 8 ? this.pixels : this.rgba;
    const value = this.depth === 8 ? color & 0xff : color >>> 0;
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    let x = x0;
    let y = y0;
    for (let n = 0; n <= 2 * 4096 * 4096; n++) {
      if (x >= 0 && y >= 0 && x < this.width && y < this.height) dst[y * this.width + x] = value;
      if (x === x1 && y === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
    const r = this.clip({ x: Math.min(x0, x1), y: Math.min(y0, y1), w: dx + 1, h: -dy + 1 });
    if (r) this.addDamage(r);
  }

  /**
   * Text: glyphs are `cellHeight` bytes each (one byte per scan line, bit 7 leftmost), drawn at (x, y)
   * with fg/bg colours as for fill; `cellWidth` 8 or 9 (the 9th column repeats the 8th for line-drawing
   * codes C0h-DFh).
   */
  text(x: number, y: number, codes: ArrayLike<number>, font: Uint8Array, cellHeight: number, fg: number, bg: number, cellWidth = 8): void {
    const w = codes.length * cellWidth;
    const cell = this.depth === 8 ? new Uint8Array(w * cellHeight) : new Uint32Array(w * cellHeight);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i] & 0xff;
      for (let row = 0; row < cellHeight; row++) {
        const bits = font[c * cellHeight + row] ?? 0;
        for (let col = 0; col < cellWidth; col++) {
          const on = col < 8 ? (bits >> (7 - col)) & 1 : c >= 0xc0 && c <= 0xdf ? bits & 1 : 0;
          cell[row * w + i * cellWidth + col] = on ? fg : bg;
        }
      }
    }
    if (cell instanceof Uint8Array) this.blit(x, y, w, cellHeight, cell);
    else this.blitRgba(x, y, w, cellHeight, cell);
  }

  setPointer(x: number, y: number, visible: boolean): void {
    if (x === this.pointer.x && y === this.pointer.y && visible === this.pointer.visible) return;
    this.pointer = { x, y, visible };
    this.pointerDirty = true;
  }

  /** The screen's text (text modes) or null; a change goes out with the next update. */
  setText(text: ScreenText | null): void {
    if (sameText(this.screenText, text)) return;
    this.screenText = text;
    this.textDirty = true;
  }

  get screen(): ScreenText | null {
    return this.screenText;
  }

  // ---- damage and updates

  damageAll(): void {
    this.damage = [{ x: 0, y: 0, w: this.width, h: this.height }];
  }

  get dirty(): boolean {
    return this.damage.length > 0 || this.paletteDirty || this.pointerDirty || this.textDirty;
  }

  /** The update since the last one (undefined when nothing changed); `full` sends everything. */
  takeUpdate(full = false): FrameUpdate | undefined {
    if (full) {
      this.damageAll();
      this.paletteDirty = true;
      this.pointerDirty = true;
      this.textDirty = true;
    }
    if (!this.dirty) return undefined;
    const bytes = this.depth / 8;
    const rects = this.damage.map((rect) => {
      const pixels = new Uint8Array(rect.w * rect.h * bytes);
      const rowBytes = rect.w * bytes;
      for (let row = 0; row < rect.h; row++) {
        const from = ((rect.y + row) * this.width + rect.x) * bytes;
        pixels.set(this.pixels.subarray(from, from + rowBytes), row * rowBytes);
      }
      return { rect, pixels };
    });
    const update: FrameUpdate = { width: this.width, height: this.height, depth: this.depth, seq: ++this.seq, rects };
    if (this.paletteDirty) update.palette = this.palette.slice();
    if (this.pointerDirty) update.pointer = { ...this.pointer };
    if (this.textDirty) update.text = this.screenText;
    this.damage = [];
    this.paletteDirty = this.pointerDirty = this.textDirty = false;
    return update;
  }

  private clip(r: Rect): Rect | undefined {
    const x = Math.max(0, r.x);
    const y = Math.max(0, r.y);
    const x2 = Math.min(this.width, r.x + r.w);
    const y2 = Math.min(this.height, r.y + r.h);
    return x2 > x && y2 > y ? { x, y, w: x2 - x, h: y2 - y } : undefined;
  }

  private addDamage(r: Rect): void {
    // Absorb into an overlapping or touching rectangle when the union is not much bigger than the parts.
    for (let i = 0; i < this.damage.length; i++) {
      const d = this.damage[i];
      const u = union(d, r);
      if (u.w * u.h <= d.w * d.h + r.w * r.h + Math.min(d.w * d.h, r.w * r.h) / 2) {
        this.damage.splice(i, 1);
        this.addDamage(u);
        return;
      }
    }
    this.damage.push(r);
    if (this.damage.length > MAX_RECTS) this.damage = [this.damage.reduce(union)];
  }
}

function sameText(a: ScreenText | null, b: ScreenText | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.columns !== b.columns || a.rows !== b.rows || a.cellWidth !== b.cellWidth || a.cellHeight !== b.cellHeight) return false;
  const c = a.cursor;
  const d = b.cursor;
  if (c.row !== d.row || c.col !== d.col || c.start !== d.start || c.end !== d.end || c.visible !== d.visible) return false;
  return a.lines.length === b.lines.length && a.lines.every((l, i) => l === b.lines[i]);
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/**
 * Apply an update to a shield's own copy of the surface (what the renderer does before painting). The copy's
 * `depth` (absent: 8) follows the update's; its pixels are laid out as a Surface's.
 */
export function applyUpdate(
  target: { width: number; height: number; depth?: SurfaceDepth; pixels: Uint8Array; palette: Uint32Array; text?: ScreenText | null },
  u: FrameUpdate,
): void {
  const depth = u.depth ?? 8;
  if (depth !== 8 && depth !== 32) throw new Error(`a frame update of depth ${String(depth)}`);
  if (target.width !== u.width || target.height !== u.height || (target.depth ?? 8) !== depth) {
    target.width = u.width;
    target.height = u.height;
    target.depth = depth;
    target.pixels = new Uint8Array((u.width * u.height * depth) / 8);
  }
  const bytes = depth / 8;
  for (const { rect, pixels } of u.rects) {
    if (rect.x < 0 || rect.y < 0 || rect.x + rect.w > u.width || rect.y + rect.h > u.height || pixels.length !== rect.w * rect.h * bytes) {
      throw new Error('a frame update rectangle outside its surface');
    }
    const rowBytes = rect.w * bytes;
    for (let row = 0; row < rect.h; row++) {
      target.pixels.set(pixels.subarray(row * rowBytes, (row + 1) * rowBytes), ((rect.y + row) * u.width + rect.x) * bytes);
    }
  }
  if (u.palette) target.palette.set(u.palette);
  if (u.text !== undefined) target.text = u.text;
}
