/**
 * The session port's wire format: what travels between a VM (its VMAN surface) and each shield window over
 * the shield's own port — a MessagePort under Electron, a WebSocket to the VM process in a browser. Never
 * through the main process.
 *
 *  VM → shield: binary frame updates (encodeUpdate) and JSON text events (SessionEvent).
 *  shield → VM: JSON text messages (ShieldMessage), each checked by parseShieldMessage before use.
 *
 * Frame update layout (little-endian):
 *   u8 'F', u8 version 1, u16 width, u16 height, u32 seq, u8 flags (1 palette, 2 pointer, 4 text, 8 text=null,
 *   16 true colour)
 *   [palette: 256 × R,G,B]  [pointer: i16 x, i16 y, u8 visible]  [text: u32 n, n bytes of UTF-8 JSON,
 *   ScreenText with each line's trailing spaces left out]
 *   u16 rects, each: u16 x, y, w, h, u8 coding (0 raw, 1 run-length), u32 n, n bytes.
 * A pixel is a palette index, or with flag 16 (a 32-bit surface) four bytes R, G, B, A. Raw data is the
 * pixels row by row; run-length data is runs of (u8 count 1-255, one pixel). Rectangles are sent
 * run-length coded when that is smaller (text screens, flat areas), else raw. An 8-bit frame is the same
 * bytes as before true colour existed, so the version stays 1.
 */
import type { FrameUpdate, ScreenText } from './surface.js';

const MAGIC = 0x46;
const VERSION = 1;
const F_PALETTE = 1;
const F_POINTER = 2;
const F_TEXT = 4;
const F_TEXT_NULL = 8;
const F_TRUE_COLOUR = 16;
const RAW = 0;
const RLE = 1;

/** The widest text screen a frame may describe (VGA text modes have at most 132). */
const MAX_TEXT_COLUMNS = 256;
/** The largest surface a frame may describe (VBE 1024x768 fits with room). */
const MAX_PIXELS = 2048 * 2048;

/** Scratch space for run-length coding, grown as needed (encoding is synchronous). */
let rleScratch = new Uint8Array(0);

function scratch(size: number): Uint8Array {
  if (rleScratch.length < size) rleScratch = new Uint8Array(Math.min(Math.max(size, 2 * rleScratch.length), 1 << 26));
  return rleScratch;
}

/** The pixels as (count, value) pairs, or undefined when that is not smaller; a view of shared scratch. */
function rle(pixels: Uint8Array): Uint8Array | undefined {
  const out = scratch(pixels.length);
  let o = 0;
  for (let i = 0; i < pixels.length; ) {
    const v = pixels[i];
    let n = 1;
    while (n < 255 && i + n < pixels.length && pixels[i + n] === v) n++;
    if (o + 2 >= pixels.length) return undefined; // not smaller than raw
    out[o++] = n;
    out[o++] = v;
    i += n;
  }
  return out.subarray(0, o);
}

/** RGBA pixels (4 bytes each) as (count, R, G, B, A) runs, or undefined when that is not smaller. */
function rle32(pixels: Uint8Array): Uint8Array | undefined {
  // Runs are found on whole words; the bytes are copied as they are, so the coding does not depend on the
  // host's byte order.
  const words = pixels.byteOffset % 4 === 0 ? new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.length / 4) : new Uint32Array(pixels.slice().buffer);
  const out = scratch(pixels.length);
  let o = 0;
  for (let i = 0; i < words.length; ) {
    const v = words[i];
    let n = 1;
    while (n < 255 && i + n < words.length && words[i + n] === v) n++;
    if (o + 5 >= pixels.length) return undefined; // not smaller than raw
    out[o] = n;
    out[o + 1] = pixels[4 * i];
    out[o + 2] = pixels[4 * i + 1];
    out[o + 3] = pixels[4 * i + 2];
    out[o + 4] = pixels[4 * i + 3];
    o += 5;
    i += n;
  }
  return out.subarray(0, o);
}

export function encodeUpdate(u: FrameUpdate): Uint8Array {
  const parts: Uint8Array[] = [];
  let flags = 0;
  const trueColour = u.depth === 32;
  if (trueColour) flags |= F_TRUE_COLOUR;
  if (u.palette) flags |= F_PALETTE;
  if (u.pointer) flags |= F_POINTER;
  let textBytes: Uint8Array | undefined;
  if (u.text === null) flags |= F_TEXT_NULL;
  else if (u.text) {
    flags |= F_TEXT;
    // Lines go without their trailing spaces (most of a text screen); the decoder pads them back.
    textBytes = new TextEncoder().encode(JSON.stringify({ ...u.text, lines: u.text.lines.map((l) => l.replace(/ +$/, '')) }));
  }
  const head = new Uint8Array(11);
  const hv = new DataView(head.buffer);
  head[0] = MAGIC;
  head[1] = VERSION;
  hv.setUint16(2, u.width, true);
  hv.setUint16(4, u.height, true);
  hv.setUint32(6, u.seq >>> 0, true);
  head[10] = flags;
  parts.push(head);
  if (u.palette) {
    const pal = new Uint8Array(768);
    for (let i = 0; i < 256; i++) {
      const c = u.palette[i];
      pal[i * 3] = c & 0xff;
      pal[i * 3 + 1] = (c >>> 8) & 0xff;
      pal[i * 3 + 2] = (c >>> 16) & 0xff;
    }
    parts.push(pal);
  }
  if (u.pointer) {
    const p = new Uint8Array(5);
    const pv = new DataView(p.buffer);
    pv.setInt16(0, u.pointer.x, true);
    pv.setInt16(2, u.pointer.y, true);
    p[4] = u.pointer.visible ? 1 : 0;
    parts.push(p);
  }
  if (textBytes) {
    const n = new Uint8Array(4);
    new DataView(n.buffer).setUint32(0, textBytes.length, true);
    parts.push(n, textBytes);
  }
  const count = new Uint8Array(2);
  new DataView(count.buffer).setUint16(0, u.rects.length, true);
  parts.push(count);
  for (const { rect, pixels } of u.rects) {
    const coded = trueColour ? rle32(pixels) : rle(pixels);
    const h = new Uint8Array(13);
    const dv = new DataView(h.buffer);
    dv.setUint16(0, rect.x, true);
    dv.setUint16(2, rect.y, true);
    dv.setUint16(4, rect.w, true);
    dv.setUint16(6, rect.h, true);
    h[8] = coded ? RLE : RAW;
    const data = coded ? coded.slice() : pixels; // the scratch is reused by the next rectangle
    dv.setUint32(9, data.length, true);
    parts.push(h, data);
  }
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Decode a frame update, refusing anything malformed (a clear Error, never a partial result). */
export function decodeUpdate(bytes: Uint8Array): FrameUpdate {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const need = (n: number): void => {
    if (o + n > bytes.length) throw new Error('frame update: truncated');
  };
  need(11);
  if (bytes[0] !== MAGIC || bytes[1] !== VERSION) throw new Error('frame update: not a version-1 frame');
  const width = dv.getUint16(2, true);
  const height = dv.getUint16(4, true);
  const seq = dv.getUint32(6, true);
  const flags = bytes[10];
  o = 11;
  if (width < 1 || height < 1 || width * height > MAX_PIXELS) throw new Error(`frame update: size ${width}x${height} out of range`);
  if (flags & ~(F_PALETTE | F_POINTER | F_TEXT | F_TEXT_NULL | F_TRUE_COLOUR)) throw new Error(`frame update: unknown flags ${flags}`);
  const trueColour = (flags & F_TRUE_COLOUR) !== 0;
  const u: FrameUpdate = { width, height, depth: trueColour ? 32 : 8, seq, rects: [] };
  if (flags & F_PALETTE) {
    need(768);
    const palette = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      palette[i] = (0xff000000 | bytes[o + i * 3] | (bytes[o + i * 3 + 1] << 8) | (bytes[o + i * 3 + 2] << 16)) >>> 0;
    }
    u.palette = palette;
    o += 768;
  }
  if (flags & F_POINTER) {
    need(5);
    u.pointer = { x: dv.getInt16(o, true), y: dv.getInt16(o + 2, true), visible: bytes[o + 4] !== 0 };
    o += 5;
  }
  if (flags & F_TEXT_NULL) u.text = null;
  else if (flags & F_TEXT) {
    need(4);
    const n = dv.getUint32(o, true);
    o += 4;
    need(n);
    u.text = checkText(JSON.parse(new TextDecoder().decode(bytes.subarray(o, o + n))));
    o += n;
  }
  need(2);
  const count = dv.getUint16(o, true);
  o += 2;
  for (let i = 0; i < count; i++) {
    need(13);
    const rect = { x: dv.getUint16(o, true), y: dv.getUint16(o + 2, true), w: dv.getUint16(o + 4, true), h: dv.getUint16(o + 6, true) };
    const coding = bytes[o + 8];
    const n = dv.getUint32(o + 9, true);
    o += 13;
    need(n);
    if (rect.w < 1 || rect.h < 1 || rect.x + rect.w > width || rect.y + rect.h > height) throw new Error('frame update: a rectangle outside the surface');
    const data = bytes.subarray(o, o + n);
    o += n;
    const size = rect.w * rect.h;
    let pixels: Uint8Array;
    if (coding === RAW) {
      if (n !== (trueColour ? 4 * size : size)) throw new Error('frame update: raw rectangle of the wrong size');
      pixels = data.slice();
    } else if (coding === RLE && trueColour) {
      pixels = unrle32(data, size);
    } else if (coding === RLE) {
      pixels = new Uint8Array(size);
      let p = 0;
      for (let k = 0; k + 1 < n; k += 2) {
        const run = data[k];
        if (run === 0 || p + run > size) throw new Error('frame update: bad run-length data');
        pixels.fill(data[k + 1], p, p + run);
        p += run;
      }
      if (p !== size || n % 2) throw new Error('frame update: run-length data of the wrong size');
    } else throw new Error(`frame update: unknown coding ${coding}`);
    u.rects.push({ rect, pixels });
  }
  if (o !== bytes.length) throw new Error('frame update: trailing bytes');
  return u;
}

/** (count, R, G, B, A) runs back to `size` RGBA pixels. */
function unrle32(data: Uint8Array, size: number): Uint8Array {
  if (data.length % 5) throw new Error('frame update: run-length data of the wrong size');
  const pixels = new Uint8Array(4 * size);
  const words = new Uint32Array(pixels.buffer);
  // One pixel's bytes seen as a word in the host's own order, to fill a run with.
  const one = new Uint8Array(4);
  const oneWord = new Uint32Array(one.buffer);
  let p = 0;
  for (let k = 0; k < data.length; k += 5) {
    const run = data[k];
    if (run === 0 || p + run > size) throw new Error('frame update: bad run-length data');
    one.set(data.subarray(k + 1, k + 5));
    words.fill(oneWord[0], p, p + run);
    p += run;
  }
  if (p !== size) throw new Error('frame update: run-length data of the wrong size');
  return pixels;
}

function checkText(t: unknown): ScreenText {
  const s = t as ScreenText;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    Number.isInteger(s.columns) &&
    Number.isInteger(s.rows) &&
    Number.isInteger(s.cellWidth) &&
    Number.isInteger(s.cellHeight) &&
    s.columns > 0 &&
    s.columns <= MAX_TEXT_COLUMNS &&
    Array.isArray(s.lines) &&
    s.lines.length === s.rows &&
    s.lines.every((l) => typeof l === 'string' && l.length <= s.columns) &&
    typeof s.cursor === 'object' &&
    s.cursor !== null;
  if (!ok) throw new Error('frame update: malformed screen text');
  return { ...s, lines: s.lines.map((l) => l.padEnd(s.columns)) };
}

// ---- the other direction and the events

/** What a shield sends its VM. */
export type ShieldMessage =
  /** Set-1 scan code bytes (make and break), as the keyboard would send them. */
  | { type: 'keys'; codes: number[] }
  /** Text typed into the keyboard buffer (paste). */
  | { type: 'paste'; text: string }
  /** Relative mouse motion in mickeys and the button state (bit 0 left, 1 right, 2 middle). */
  | { type: 'mouse'; dx: number; dy: number; buttons: number }
  /** Send a full frame next (a shield that joined late or lost an update). */
  | { type: 'refresh' };

/** What a VM tells its shields besides frames. */
export type SessionEvent =
  | { type: 'title'; title: string }
  | { type: 'state'; state: 'running' | 'idle' | 'paused' | 'stopped' | 'crashed'; reason?: string; exitCode?: number }
  | { type: 'beep'; frequency: number; ms: number };

/** The most bytes one shield message may have (a pasted screen of text fits many times over). */
export const SHIELD_MESSAGE_MAX = 64 * 1024;

/** Check a shield's message; returns it typed, or an Error saying what is wrong. Never throws. */
export function parseShieldMessage(text: string): ShieldMessage | Error {
  if (text.length > SHIELD_MESSAGE_MAX) return new Error('shield message too long');
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return new Error('shield message is not JSON');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return new Error('shield message is not an object');
  const r = m as Record<string, unknown>;
  switch (r.type) {
    case 'keys':
      if (!Array.isArray(r.codes) || r.codes.length > 256 || !r.codes.every((c) => Number.isInteger(c) && (c as number) >= 0 && (c as number) <= 255)) {
        return new Error('keys: codes must be up to 256 bytes');
      }
      return { type: 'keys', codes: r.codes as number[] };
    case 'paste':
      if (typeof r.text !== 'string' || r.text.length > 32 * 1024) return new Error('paste: text must be a string up to 32 KiB');
      return { type: 'paste', text: r.text };
    case 'mouse': {
      const int = (v: unknown, lo: number, hi: number): boolean => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
      if (!int(r.dx, -32768, 32767) || !int(r.dy, -32768, 32767) || !int(r.buttons, 0, 7)) return new Error('mouse: dx, dy (16-bit) and buttons (0-7)');
      return { type: 'mouse', dx: r.dx as number, dy: r.dy as number, buttons: r.buttons as number };
    }
    case 'refresh':
      return { type: 'refresh' };
    default:
      return new Error(`unknown shield message type ${JSON.stringify(r.type)?.slice(0, 40)}`);
  }
}
