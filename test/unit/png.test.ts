/**
 * The PNG files `mvm run --screenshot` writes and the golden-picture tests read: indexed PNGs that decode
 * (with our reader and with Chromium's in the e2e tests) to exactly the pixels and colours written.
 */
import { describe, expect, it } from 'vitest';
import { decodePng, encodeIndexedPng, indexedToRgba } from '../../main/mvm/png.js';

describe('indexed PNG', () => {
  it('round-trips pixels and palette exactly', () => {
    const w = 37;
    const h = 11;
    const pixels = new Uint8Array(w * h).map((_, i) => (i * 13) % 200);
    const palette = new Uint32Array(256).map((_, i) => (0xff000000 | ((i * 3) & 0xff) | (((i * 5) & 0xff) << 8) | (((i * 7) & 0xff) << 16)) >>> 0);
    const png = encodeIndexedPng(w, h, pixels, palette);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    const back = decodePng(png);
    expect(back.width).toBe(w);
    expect(back.height).toBe(h);
    expect(back.rgba).toEqual(indexedToRgba(pixels, palette));
  });

  it('keeps only the palette entries the picture uses', () => {
    const png = encodeIndexedPng(2, 1, Uint8Array.of(0, 3), new Uint32Array(256));
    const plte = png.indexOf(Buffer.from('PLTE'));
    expect(png.readUInt32BE(plte - 4)).toBe(4 * 3);
  });

  it('refuses what is not a PNG or is truncated', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
    const png = encodeIndexedPng(4, 4, new Uint8Array(16), new Uint32Array(256));
    expect(() => decodePng(png.subarray(0, 40))).toThrow();
    expect(() => encodeIndexedPng(4, 4, new Uint8Array(3), new Uint32Array(256))).toThrow(/pixels/);
  });
});
