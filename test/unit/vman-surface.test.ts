/**
 * VMAN surfaces: the primitives draw what they should, damage covers exactly what changed, updates are
 * compact, and a shield's copy rebuilt from the updates equals the surface.
 */
import { describe, expect, it } from 'vitest';
import { applyUpdate, Surface } from '../../main/vman/surface.js';


describe('VMAN surface', () => {
  it('sends everything first, then nothing until something changes', () => {
    const s = new Surface(320, 200);
    const first = s.takeUpdate()!;
    expect(first.rects).toHaveLength(1);
    expect(first.rects[0].rect).toEqual({ x: 0, y: 0, w: 320, h: 200 });
    expect(first.palette).toHaveLength(256);
    expect(s.takeUpdate()).toBeUndefined();
  });

  it('damages only the pixels a blit changed', () => {
    const s = new Surface(16, 16);
    s.takeUpdate();
    const src = new Uint8Array(8 * 8); // all zero: the surface is zero already except where we set it
    src[3 * 8 + 5] = 7;
    s.blit(4, 4, 8, 8, src);
    const u = s.takeUpdate()!;
    expect(u.rects.map((r) => r.rect)).toEqual([{ x: 9, y: 7, w: 1, h: 1 }]);
    expect(Array.from(u.rects[0].pixels)).toEqual([7]);
    expect(u.palette).toBeUndefined();
  });

  it('clips fills, lines and blits at the edges', () => {
    const s = new Surface(10, 10);
    s.takeUpdate();
    s.fill(-5, -5, 8, 8, 3);
    expect(s.takeUpdate()!.rects[0].rect).toEqual({ x: 0, y: 0, w: 3, h: 3 });
    s.line(-3, 5, 20, 5, 9);
    for (let x = 0; x < 10; x++) expect(s.pixels[5 * 10 + x]).toBe(9);
    s.blit(8, 8, 4, 4, new Uint8Array(16).fill(1));
    expect(s.pixels[9 * 10 + 9]).toBe(1);
    expect(() => s.fill(100, 100, 5, 5, 1)).not.toThrow();
  });

  it('draws a diagonal line pixel by pixel', () => {
    const s = new Surface(8, 8);
    s.line(0, 0, 7, 7, 4);
    for (let i = 0; i < 8; i++) expect(s.pixels[i * 8 + i]).toBe(4);
    expect(s.pixels.reduce((n, p) => n + (p ? 1 : 0), 0)).toBe(8);
  });

  it('draws text from glyph bitmaps with the 9th column repeated for line-drawing characters', () => {
    const font = new Uint8Array(256 * 2);
    font[0x41 * 2] = 0b10000001; // 'A': first and last column on row 0
    font[0xc4 * 2] = 0b00000001; // a horizontal line piece: last column on
    const s = new Surface(18, 2);
    s.text(0, 0, [0x41, 0xc4], font, 2, 15, 1, 9);
    const row0 = Array.from(s.pixels.subarray(0, 18));
    expect(row0).toEqual([15, 1, 1, 1, 1, 1, 1, 15, 1, 1, 1, 1, 1, 1, 1, 1, 15, 15]);
    expect(Array.from(s.pixels.subarray(18, 36)).every((p) => p === 1)).toBe(true);
  });

  it('merges many scattered changes into few rectangles, and a shield rebuilt from updates matches', () => {
    const s = new Surface(64, 64);
    const copy = { width: 0, height: 0, pixels: new Uint8Array(0), palette: new Uint32Array(256) };
    applyUpdate(copy, s.takeUpdate()!);
    let seed = 1;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    for (let i = 0; i < 200; i++) s.fill(rnd(64), rnd(64), 1 + rnd(4), 1 + rnd(4), 1 + rnd(200));
    const p = new Uint32Array(256);
    p[5] = 0xff0000ff;
    s.setPalette(p);
    const u = s.takeUpdate()!;
    expect(u.rects.length).toBeLessThanOrEqual(16);
    expect(u.palette?.[5]).toBe(0xff0000ff);
    applyUpdate(copy, u);
    expect(copy.pixels).toEqual(s.pixels);
    expect(copy.palette[5]).toBe(0xff0000ff);
  });

  it('refuses an update rectangle outside its surface and sizes outside range', () => {
    const copy = { width: 4, height: 4, pixels: new Uint8Array(16), palette: new Uint32Array(256) };
    expect(() => applyUpdate(copy, { width: 4, height: 4, seq: 1, rects: [{ rect: { x: 2, y: 2, w: 4, h: 4 }, pixels: new Uint8Array(16) }] })).toThrow(
      /outside its surface/,
    );
    expect(() => new Surface(0, 10)).toThrow(/out of range/);
    expect(() => new Surface(5000, 5000)).toThrow(/out of range/);
  });

  it('reports pointer moves and resizes (a mode change damages everything)', () => {
    const s = new Surface(8, 8);
    s.takeUpdate();
    s.setPointer(3, 4, true);
    expect(s.takeUpdate()!.pointer).toEqual({ x: 3, y: 4, visible: true });
    s.resize(16, 8);
    const u = s.takeUpdate()!;
    expect([u.width, u.height]).toEqual([16, 8]);
    expect(u.rects[0].rect).toEqual({ x: 0, y: 0, w: 16, h: 8 });
  });
});
