#!/usr/bin/env node
// Builds assets/fonts/vga8.bin, vga14.bin and vga16.bin (code page 437, 256 glyphs, 8 pixels wide) from the
// console fonts of Debian's console-setup-linux package (see assets/fonts/README.md for provenance/licence).
//
//   apt-get download console-setup-linux && dpkg-deb -x console-setup-linux_*.deb /tmp/cs
//   node scripts/fonts/build-fonts.mjs /tmp/cs/usr/share/consolefonts
//
// Each CP437 character is looked up by its Unicode code point in the *-VGA<size>.psf.gz unicode tables
// (Uni2, Uni1, Uni3, Lat15 first, then the rest; a glyph a font shares between two CP437 characters — a
// look-alike standing in for a missing one — only when no font has the character's own). The 8x14 set, and the 8x8 glyphs the 8-row fonts lack or
// draw poorly, are reduced from the 8x16 glyphs by dropping blank or repeated rows.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/fonts/build-fonts.mjs CONSOLEFONTS_DIR');
  process.exit(2);
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'fonts');

const CP437 = Array.from(
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼ !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_' +
    '`abcdefghijklmnopqrstuvwxyz{|}~⌂ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
    '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0',
);
/** Glyphs some fonts name by a neighbouring code point. */
const ALIAS = { 0x25ba: 0x25b6, 0x25c4: 0x25c0 };

/** A PSF1 or PSF2 font: its glyph bitmaps, height and Unicode → glyph map. */
function parsePsf(path) {
  const b = gunzipSync(readFileSync(path));
  const map = new Map();
  if (b[0] === 0x36 && b[1] === 0x04) {
    const mode = b[2];
    const height = b[3];
    const n = mode & 1 ? 512 : 256;
    const glyphs = b.subarray(4, 4 + n * height);
    let p = 4 + n * height;
    if (mode & 2) {
      for (let g = 0; g < n; g++) {
        let sequence = false;
        for (;;) {
          const u = b[p] | (b[p + 1] << 8);
          p += 2;
          if (u === 0xffff) break;
          if (u === 0xfffe) sequence = true;
          else if (!sequence && !map.has(u)) map.set(u, g);
        }
      }
    }
    return { glyphs, height, map };
  }
  const v = new DataView(b.buffer, b.byteOffset);
  const headerSize = v.getUint32(8, true);
  const flags = v.getUint32(12, true);
  const n = v.getUint32(16, true);
  const bytesPerGlyph = v.getUint32(20, true);
  const height = v.getUint32(24, true);
  if (v.getUint32(28, true) !== 8) throw new Error(`${path}: not 8 pixels wide`);
  const glyphs = b.subarray(headerSize, headerSize + n * bytesPerGlyph);
  let p = headerSize + n * bytesPerGlyph;
  if (flags & 1) {
    const utf8 = new TextDecoder();
    for (let g = 0; g < n; g++) {
      const start = p;
      while (b[p] !== 0xff) p++;
      const entry = b.subarray(start, p++);
      const cut = entry.indexOf(0xfe);
      for (const ch of utf8.decode(cut < 0 ? entry : entry.subarray(0, cut))) if (!map.has(ch.codePointAt(0))) map.set(ch.codePointAt(0), g);
    }
  }
  return { glyphs, height, map };
}

function fontFromPsfs(size) {
  const preferred = ['Uni2', 'Uni1', 'Uni3', 'Lat15'];
  const rank = (name) => (preferred.indexOf(name) + 1 || 99);
  const names = readdirSync(dir)
    .filter((n) => n.endsWith(`-VGA${size}.psf.gz`))
    .map((n) => n.slice(0, -`-VGA${size}.psf.gz`.length))
    .sort((a, b) => rank(a) - rank(b));
  const fonts = names.map((n) => parsePsf(join(dir, `${n}-VGA${size}.psf.gz`)));
  const font = new Uint8Array(256 * size);
  const missing = [];
  // A font that lacks a glyph often maps its code point to a look-alike it has (double-line box drawing
  // to the single-line one); such a glyph serves two CP437 characters there. Prefer a font where the
  // glyph is the character's own.
  const glyphOf = (f, u) => f.map.get(u) ?? f.map.get(ALIAS[u]);
  for (const f of fonts) {
    f.uses = new Map();
    for (let c = 1; c < 255; c++) {
      const g = glyphOf(f, CP437[c].codePointAt(0));
      if (g !== undefined) f.uses.set(g, (f.uses.get(g) ?? 0) + 1);
    }
  }
  for (let c = 1; c < 255; c++) {
    if (c === 0x20) continue;
    const u = CP437[c].codePointAt(0);
    const f = fonts.find((f) => glyphOf(f, u) !== undefined && f.uses.get(glyphOf(f, u)) === 1) ?? fonts.find((f) => glyphOf(f, u) !== undefined);
    if (!f) {
      missing.push(c);
      continue;
    }
    const g = f.map.get(u) ?? f.map.get(ALIAS[u]);
    font.set(f.glyphs.subarray(g * size, g * size + size), c * size);
  }
  return { font, missing };
}

const bits = (x) => {
  let n = 0;
  for (; x; x >>= 1) n += x & 1;
  return n;
};

/** Reduce a glyph's rows to `target`, dropping the rows whose loss shows least. */
function reduce(rows, target) {
  rows = [...rows];
  while (rows.length > target) {
    let best = 0;
    let bestCost = Infinity;
    for (let i = 0; i < rows.length; i++) {
      const last = rows.length - 1;
      const same = (i > 0 && rows[i - 1] === rows[i]) || (i < last && rows[i + 1] === rows[i]);
      let cost;
      if (rows[i] === 0 && (i === 0 || i === last)) cost = 0;
      else if (rows[i] === 0 && same) cost = 0.5;
      else if (same) cost = 1 + Math.abs(i - rows.length / 2) / 100;
      else cost = 3 + Math.min(i > 0 ? bits(rows[i] ^ rows[i - 1]) : 9, i < last ? bits(rows[i] ^ rows[i + 1]) : 9);
      if (cost < bestCost) [best, bestCost] = [i, cost];
    }
    rows.splice(best, 1);
  }
  return rows;
}

const f16 = fontFromPsfs(16);
if (f16.missing.length) throw new Error(`8x16: no glyph for ${f16.missing.map((c) => c.toString(16)).join(' ')}`);
const f8 = fontFromPsfs(8);
const f14 = new Uint8Array(256 * 14);
for (let c = 0; c < 256; c++) {
  const g = f16.font.subarray(c * 16, c * 16 + 16);
  f14.set(reduce(g, 14), c * 14);
  if ((c >= 0xe0 && c <= 0xef) || f8.missing.includes(c)) f8.font.set(reduce(g, 8), c * 8);
}
writeFileSync(join(out, 'vga16.bin'), f16.font);
writeFileSync(join(out, 'vga14.bin'), f14);
writeFileSync(join(out, 'vga8.bin'), f8.font);
console.log(`wrote ${out}/vga8.bin, vga14.bin, vga16.bin`);
