/**
 * The session shield's arithmetic: what Mark/Copy takes from a text screen, which cell a point is in, where
 * and in which colour the cursor is drawn, how large the picture is shown, how a paste is cut into shield
 * messages and what a screenshot file is called.
 */
import { describe, expect, it } from 'vitest';
import type { ScreenText } from '../../main/vman/surface.js';
import { SHIELD_MESSAGE_MAX } from '../../main/vman/wire.js';
import {
  cellAt,
  cellRect,
  cursorBox,
  cursorColor,
  fitSize,
  pasteChunks,
  screenshotName,
  selectionText,
} from '../../renderer/session/screen-text.js';

function screen(lines: string[], cursor: Partial<ScreenText['cursor']> = {}): ScreenText {
  const columns = Math.max(...lines.map((l) => l.length));
  return {
    columns,
    rows: lines.length,
    cellWidth: 9,
    cellHeight: 16,
    lines: lines.map((l) => l.padEnd(columns)),
    cursor: { row: 0, col: 0, start: 14, end: 15, visible: true, ...cursor },
  };
}

const dir = screen([
  'C:\\>dir          ',
  ' Volume in drive C',
  'README   TXT    21',
  'C:\\>             ',
]);

describe('mark and copy', () => {
  it('copies a rectangle of cells, rows joined with newlines and trailing blanks trimmed', () => {
    expect(selectionText(dir, { col0: 0, row0: 0, col1: 10, row1: 2 })).toBe('C:\\>dir\n Volume in\nREADME   TX');
  });

  it('copies the columns of the rectangle only, not whole lines', () => {
    expect(selectionText(dir, { col0: 9, row0: 2, col1: 11, row1: 2 })).toBe('TXT');
  });

  it('copies the whole screen when nothing is marked', () => {
    expect(selectionText(dir)).toBe('C:\\>dir\n Volume in drive C\nREADME   TXT    21\nC:\\>');
  });

  it('keeps blank rows inside the rectangle as empty lines', () => {
    const s = screen(['a   ', '    ', 'b   ']);
    expect(selectionText(s, { col0: 0, row0: 0, col1: 3, row1: 2 })).toBe('a\n\nb');
  });

  it('orders and clips the corners of a drag in any direction', () => {
    expect(cellRect({ col: 12, row: 3 }, { col: 2, row: 1 }, dir)).toEqual({ col0: 2, row0: 1, col1: 12, row1: 3 });
    expect(cellRect({ col: -4, row: 9 }, { col: 500, row: -1 }, dir)).toEqual({ col0: 0, row0: 0, col1: dir.columns - 1, row1: 3 });
  });

  it('finds the cell under a point in surface pixels, clamped to the screen', () => {
    expect(cellAt(0, 0, dir)).toEqual({ col: 0, row: 0 });
    expect(cellAt(9 * 3 + 8, 16 * 2 + 15, dir)).toEqual({ col: 3, row: 2 });
    expect(cellAt(9 * 3 + 9, 16 * 2 + 16, dir)).toEqual({ col: 4, row: 3 });
    expect(cellAt(-5, 9999, dir)).toEqual({ col: 0, row: 3 });
  });
});

describe('text cursor', () => {
  it('covers its scan lines in its cell', () => {
    expect(cursorBox(screen(['ab', 'cd'], { row: 1, col: 1, start: 14, end: 15 }))).toEqual({ x: 9, y: 16 + 14, w: 9, h: 2 });
  });

  it('is a full block when it spans the whole cell', () => {
    expect(cursorBox(screen(['ab'], { start: 0, end: 15 }))).toEqual({ x: 0, y: 0, w: 9, h: 16 });
  });

  it('is off when hidden, when its start is below its end, or when it is off the screen', () => {
    expect(cursorBox(screen(['ab'], { visible: false }))).toBeNull();
    expect(cursorBox(screen(['ab'], { start: 0x20, end: 0 }))).toBeNull();
    expect(cursorBox(screen(['ab'], { row: 5 }))).toBeNull();
    expect(cursorBox(screen(['ab'], { col: 2 }))).toBeNull();
  });

  it('keeps scan lines beyond the cell inside it', () => {
    expect(cursorBox(screen(['ab'], { start: 6, end: 31 }))).toEqual({ x: 0, y: 6, w: 9, h: 10 });
  });

  it("takes the colour of its cell's glyph, not its background", () => {
    const pixels = new Uint8Array(4 * 4).fill(1); // blue background
    pixels[5] = pixels[6] = pixels[9] = 14; // a yellow glyph
    expect(cursorColor(pixels, 4, { x: 0, y: 0, w: 4, h: 4 })).toBe(14);
  });

  it('is light grey in a blank cell, or white when the blank cell is light grey', () => {
    expect(cursorColor(new Uint8Array(16), 4, { x: 0, y: 0, w: 4, h: 4 })).toBe(7);
    expect(cursorColor(new Uint8Array(16).fill(7), 4, { x: 0, y: 0, w: 4, h: 4 })).toBe(15);
  });
});

describe('picture size', () => {
  it('shows the largest whole multiple that fits in integer mode', () => {
    expect(fitSize('integer', { width: 320, height: 200 }, { width: 760, height: 600 })).toEqual({ width: 640, height: 400 });
    expect(fitSize('integer', { width: 320, height: 200 }, { width: 1920, height: 1080 })).toEqual({ width: 1600, height: 1000 });
    expect(fitSize('integer', { width: 720, height: 400 }, { width: 760, height: 600 })).toEqual({ width: 720, height: 400 });
  });

  it('counts whole multiples in device pixels on a scaled display', () => {
    // 2 device pixels per CSS pixel: 720×400 fits twice in 760×600 CSS pixels (1520×1200 device pixels).
    expect(fitSize('integer', { width: 720, height: 400 }, { width: 760, height: 600 }, 4 / 3, 2)).toEqual({ width: 720, height: 400 });
    expect(fitSize('integer', { width: 640, height: 400 }, { width: 700, height: 500 }, 4 / 3, 1.5)).toEqual({ width: 640 / 1.5, height: 400 / 1.5 });
  });

  it('shrinks to fit when not even one multiple fits', () => {
    expect(fitSize('integer', { width: 640, height: 480 }, { width: 320, height: 1000 })).toEqual({ width: 320, height: 240 });
  });

  it('fills the room at 4:3 in 4:3 mode, whatever the pixel grid', () => {
    expect(fitSize('4:3', { width: 720, height: 400 }, { width: 800, height: 1000 })).toEqual({ width: 800, height: 600 });
    expect(fitSize('4:3', { width: 320, height: 200 }, { width: 1920, height: 1080 })).toEqual({ width: 1440, height: 1080 });
  });

  it('shows 1× while the room is not measured yet', () => {
    expect(fitSize('4:3', { width: 720, height: 400 }, { width: 0, height: 0 })).toEqual({ width: 720, height: 400 });
  });
});

describe('paste', () => {
  it('sends short text as one message', () => {
    expect(pasteChunks('dir\r\n')).toEqual(['dir\r\n']);
    expect(pasteChunks('')).toEqual([]);
  });

  it('cuts long text into pieces whose JSON fits a shield message', () => {
    const text = '\u0001'.repeat(20000);
    const chunks = pasteChunks(text);
    expect(chunks.join('')).toBe(text);
    for (const c of chunks) expect(JSON.stringify({ type: 'paste', text: c }).length).toBeLessThanOrEqual(SHIELD_MESSAGE_MAX);
  });

  it('never splits a surrogate pair', () => {
    const chunks = pasteChunks('ab😀cd', 3);
    expect(chunks.join('')).toBe('ab😀cd');
    for (const c of chunks) expect(c).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
  });
});

describe('screenshot name', () => {
  it('is the title with .png, without path or reserved characters', () => {
    expect(screenshotName('DOS Window')).toBe('DOS Window.png');
    expect(screenshotName('C:\\GAMES\\*.EXE')).toBe('C GAMES .EXE.png');
    expect(screenshotName('../etc/passwd')).toBe('etc passwd.png');
    expect(screenshotName('  ')).toBe('screen.png');
  });
});
