/**
 * The session port's wire format (main/vman/wire.ts): frame updates survive the trip exactly, flat areas
 * travel run-length coded, and anything malformed from either side is refused with a reason.
 */
import { describe, expect, it } from 'vitest';
import { applyUpdate, Surface, type ScreenText } from '../../main/vman/surface.js';
import { decodeUpdate, encodeUpdate, parseShieldMessage } from '../../main/vman/wire.js';

function shieldCopy() {
  return { width: 1, height: 1, pixels: new Uint8Array(1), palette: new Uint32Array(256), text: null as ScreenText | null };
}

const TEXT: ScreenText = {
  columns: 3,
  rows: 1,
  cellWidth: 9,
  cellHeight: 16,
  lines: ['C:\\'],
  cursor: { row: 0, col: 3, start: 14, end: 15, visible: true },
};

describe('frame updates on the wire', () => {
  it('rebuild the surface exactly: pixels, palette, pointer and text', () => {
    const s = new Surface(64, 40);
    for (let i = 0; i < s.pixels.length; i++) s.pixels[i] = (i * 7) & 0xff;
    s.damageAll();
    const pal = new Uint32Array(256).map((_, i) => (0xff000000 | (i << 16) | ((255 - i) << 8) | i) >>> 0);
    s.setPalette(pal);
    s.setPointer(10, 20, true);
    s.setText(TEXT);
    const copy = shieldCopy();
    const u = decodeUpdate(encodeUpdate(s.takeUpdate()!));
    applyUpdate(copy, u);
    expect(copy.width).toBe(64);
    expect(copy.pixels).toEqual(s.pixels);
    expect(Array.from(copy.palette)).toEqual(Array.from(pal));
    expect(u.pointer).toEqual({ x: 10, y: 20, visible: true });
    expect(copy.text).toEqual(TEXT);
  });

  it('send a flat screen run-length coded, a small fraction of its raw size', () => {
    const s = new Surface(720, 400);
    s.fill(0, 0, 720, 400, 1);
    const bytes = encodeUpdate(s.takeUpdate(true)!);
    expect(bytes.length).toBeLessThan(720 * 400 / 50);
    const copy = shieldCopy();
    applyUpdate(copy, decodeUpdate(bytes));
    expect(copy.pixels.every((p) => p === 1)).toBe(true);
  });

  it('send noise raw, never bigger than the pixels plus headers', () => {
    const s = new Surface(320, 200);
    let x = 1;
    const frame = new Uint8Array(320 * 200).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24) & 0xff);
    s.present(frame);
    const bytes = encodeUpdate(s.takeUpdate()!);
    expect(bytes.length).toBeLessThan(320 * 200 + 1024 + 100);
    const copy = shieldCopy();
    applyUpdate(copy, decodeUpdate(bytes));
    expect(copy.pixels).toEqual(frame);
  });

  it('carry only the changed rectangle after a one-character change', () => {
    const s = new Surface(720, 400);
    s.takeUpdate(true);
    s.fill(9, 16, 9, 16, 7);
    const u = s.takeUpdate()!;
    expect(u.palette).toBeUndefined();
    expect(encodeUpdate(u).length).toBeLessThan(64);
  });

  it('say when the screen stops being text', () => {
    const s = new Surface(8, 8);
    s.setText(TEXT);
    s.takeUpdate();
    s.setText(null);
    const u = decodeUpdate(encodeUpdate(s.takeUpdate()!));
    expect(u.text).toBeNull();
  });

  it('send a text screen without its trailing spaces and give it back padded to its columns', () => {
    const screen: ScreenText = { ...TEXT, columns: 80, rows: 25, lines: Array.from({ length: 25 }, (_, i) => (i === 0 ? 'C:\\>' : '').padEnd(80)) };
    const s = new Surface(8, 8);
    s.takeUpdate(); // the first update carries the palette
    s.setText(screen);
    const bytes = encodeUpdate(s.takeUpdate()!);
    expect(bytes.length).toBeLessThan(300); // 2000 characters of screen, nearly all blank
    expect(decodeUpdate(bytes).text).toEqual(screen);
  });

  it('refuse a screen text whose lines are longer than its columns', () => {
    const s = new Surface(8, 8);
    s.setText({ ...TEXT, lines: ['too long for three'] });
    expect(() => decodeUpdate(encodeUpdate(s.takeUpdate()!))).toThrow(/malformed screen text/);
  });

  it('refuse truncated, oversized, out-of-bounds or trailing data', () => {
    const s = new Surface(16, 16);
    const good = encodeUpdate(s.takeUpdate(true)!);
    expect(() => decodeUpdate(good.subarray(0, good.length - 3))).toThrow(/truncated|run-length/);
    expect(() => decodeUpdate(Uint8Array.of(...good, 0))).toThrow(/trailing/);
    const big = good.slice();
    new DataView(big.buffer).setUint16(2, 0xffff, true);
    new DataView(big.buffer).setUint16(4, 0xffff, true);
    expect(() => decodeUpdate(big)).toThrow(/out of range/);
    const wide = good.slice();
    new DataView(wide.buffer).setUint16(2, 8, true); // the 16-wide rectangle no longer fits
    expect(() => decodeUpdate(wide)).toThrow(/outside/);
    expect(() => decodeUpdate(Uint8Array.of(0x47, 1))).toThrow(/truncated|version/);
  });
});

describe('shield messages', () => {
  it('accept keys, paste, mouse and refresh', () => {
    expect(parseShieldMessage('{"type":"keys","codes":[30,158]}')).toEqual({ type: 'keys', codes: [30, 158] });
    expect(parseShieldMessage('{"type":"paste","text":"dir\\r"}')).toEqual({ type: 'paste', text: 'dir\r' });
    expect(parseShieldMessage('{"type":"mouse","dx":-3,"dy":4,"buttons":1}')).toEqual({ type: 'mouse', dx: -3, dy: 4, buttons: 1 });
    expect(parseShieldMessage('{"type":"refresh"}')).toEqual({ type: 'refresh' });
  });

  it('refuse garbage with a reason', () => {
    for (const bad of ['nope', '[]', '{"type":"keys","codes":[256]}', '{"type":"keys","codes":"ab"}', '{"type":"mouse","dx":1.5,"dy":0,"buttons":0}', '{"type":"exec"}', 'x'.repeat(70000)]) {
      expect(parseShieldMessage(bad)).toBeInstanceOf(Error);
    }
  });
});
