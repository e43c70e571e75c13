/**
 * The session shield's arithmetic, kept apart from the element so unit tests run it in Node: which character
 * cells a selection covers and what text it copies, where the cursor is drawn and in which colour, how big
 * the picture is shown, how a paste is cut into messages, what a screenshot file is called.
 */
import type { ScreenText } from '../../main/vman/surface.js';

export interface Cell {
  col: number;
  row: number;
}

/** A rectangle of character cells, inclusive on both ends, col0 <= col1 and row0 <= row1. */
export interface CellRect {
  col0: number;
  row0: number;
  col1: number;
  row1: number;
}

type ScreenGrid = Pick<ScreenText, 'columns' | 'rows'>;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The rectangle two corner cells span, in either order, clipped to the screen. */
export function cellRect(a: Cell, b: Cell, screen: ScreenGrid): CellRect {
  const maxCol = Math.max(0, screen.columns - 1);
  const maxRow = Math.max(0, screen.rows - 1);
  return {
    col0: clamp(Math.min(a.col, b.col), 0, maxCol),
    row0: clamp(Math.min(a.row, b.row), 0, maxRow),
    col1: clamp(Math.max(a.col, b.col), 0, maxCol),
    row1: clamp(Math.max(a.row, b.row), 0, maxRow),
  };
}

/** The cell under a point in surface pixels (outside points give the nearest edge cell). */
export function cellAt(x: number, y: number, screen: Pick<ScreenText, 'columns' | 'rows' | 'cellWidth' | 'cellHeight'>): Cell {
  return {
    col: clamp(Math.floor(x / screen.cellWidth), 0, screen.columns - 1),
    row: clamp(Math.floor(y / screen.cellHeight), 0, screen.rows - 1),
  };
}

/**
 * The text of a cell rectangle (the whole screen when there is none): its rows joined with "\n", each with
 * its trailing blanks trimmed — what a console's Mark/Copy gives, ready to paste into a host editor.
 */
export function selectionText(screen: Pick<ScreenText, 'columns' | 'rows' | 'lines'>, rect?: CellRect): string {
  const r = rect ?? { col0: 0, row0: 0, col1: screen.columns - 1, row1: screen.rows - 1 };
  const rows: string[] = [];
  for (let row = r.row0; row <= r.row1 && row < screen.lines.length; row++) {
    rows.push((screen.lines[row] ?? '').slice(r.col0, r.col1 + 1).trimEnd());
  }
  return rows.join('\n');
}

/** How the picture is enlarged: whole multiples of its pixels (sharp), or filling the room at 4:3. */
export type ScaleMode = 'integer' | '4:3';

export interface Size {
  width: number;
  height: number;
}

/**
 * The size in CSS pixels to show a `source`-sized picture in a `box`. "integer": the largest whole multiple
 * of device pixels that fits (so every guest pixel is the same size on screen), or shrunk to fit when not
 * even 1× fits. "4:3": as large as fits at the surface's display aspect. An unmeasured box (0) shows 1×.
 */
export function fitSize(mode: ScaleMode, source: Size, box: Size, aspect = 4 / 3, devicePixelRatio = 1): Size {
  const dpr = devicePixelRatio > 0 ? devicePixelRatio : 1;
  if (!(box.width > 0) || !(box.height > 0)) return { width: source.width, height: source.height };
  if (mode === 'integer') {
    const n = Math.floor(Math.min((box.width * dpr) / source.width, (box.height * dpr) / source.height));
    if (n >= 1) return { width: (source.width * n) / dpr, height: (source.height * n) / dpr };
    const s = Math.min(box.width / source.width, box.height / source.height);
    return { width: Math.floor(source.width * s), height: Math.floor(source.height * s) };
  }
  const width = Math.min(box.width, box.height * aspect);
  return { width: Math.floor(width), height: Math.floor(width / aspect) };
}

/**
 * Where the text cursor is drawn, in surface pixels, or null when it is off (hidden, off screen, or its
 * start line below its end line — how programs hide the VGA cursor).
 */
export function cursorBox(screen: ScreenText): { x: number; y: number; w: number; h: number } | null {
  const c = screen.cursor;
  if (!c.visible || c.start > c.end || c.row < 0 || c.col < 0 || c.row >= screen.rows || c.col >= screen.columns) return null;
  const start = clamp(c.start, 0, screen.cellHeight - 1);
  const end = clamp(c.end, 0, screen.cellHeight - 1);
  return {
    x: c.col * screen.cellWidth,
    y: c.row * screen.cellHeight + start,
    w: screen.cellWidth,
    h: end - start + 1,
  };
}

/**
 * The palette index the cursor is drawn in: the VGA draws it in the cell's foreground colour. A cell shows
 * its background most and its glyph in the other colour. A blank cell does not say: then `fallback` (light
 * grey, the usual DOS foreground), or bright white (15) when the blank cell is itself light grey.
 */
export function cursorColor(pixels: Uint8Array, stride: number, cell: { x: number; y: number; w: number; h: number }, fallback = 7): number {
  const counts = new Map<number, number>();
  for (let y = cell.y; y < cell.y + cell.h; y++) {
    for (let x = cell.x; x < cell.x + cell.w; x++) {
      const v = pixels[y * stride + x];
      if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  let background = -1;
  let most = -1;
  for (const [v, n] of counts) {
    if (n > most) {
      most = n;
      background = v;
    }
  }
  let foreground = -1;
  let next = 0;
  for (const [v, n] of counts) {
    if (v !== background && n > next) {
      next = n;
      foreground = v;
    }
  }
  if (foreground >= 0) return foreground;
  return background === fallback ? 15 : fallback;
}

/**
 * A paste cut into pieces that each fit one shield message (main/vman/wire.ts: 32 Ki characters and 64 KiB
 * of JSON, where a control character costs six bytes), never splitting a surrogate pair.
 */
export function pasteChunks(text: string, max = 8192): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - i > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    chunks.push(text.slice(i, end));
    i = end;
  }
  return chunks;
}

/** A file name for a screenshot of a session called `title`: no path or reserved characters. */
export function screenshotName(title: string): string {
  const base = title
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .replace(/^[\s.]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return `${base || 'screen'}.png`;
}
