/**
 * PNG files of a VM's display, exact to the pixel, for `mvm run --screenshot` and the golden-picture tests:
 * indexed-colour PNGs (colour type 3, a PLTE of the palette entries used) of 8-bit surfaces, RGB PNGs
 * (colour type 2) of true-colour ones; and the reader those tests use to compare pictures (indexed or RGB(A)
 * 8-bit PNGs, no interlace).
 */
import { deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An indexed picture as a PNG: `palette` holds 0xAABBGGRR entries (alpha ignored: VGA colours are opaque). */
export function encodeIndexedPng(width: number, height: number, pixels: Uint8Array, palette: Uint32Array | number[]): Buffer {
  if (pixels.length !== width * height) throw new Error(`PNG: ${pixels.length} pixels for ${width}x${height}`);
  let used = 0;
  for (let i = 0; i < pixels.length; i++) if (pixels[i] >= used) used = pixels[i] + 1;
  const plte = new Uint8Array(Math.max(1, used) * 3);
  for (let i = 0; i < used; i++) {
    const c = palette[i] >>> 0;
    plte[i * 3] = c & 0xff;
    plte[i * 3 + 1] = (c >>> 8) & 0xff;
    plte[i * 3 + 2] = (c >>> 16) & 0xff;
  }
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // indexed colour
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('PLTE', plte), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

/**
 * A true-colour picture as an RGB PNG: `rgba` holds R, G, B, A bytes a pixel (a 32-bit surface's pixels);
 * alpha is dropped, VGA and VBE colours being opaque.
 */
export function encodeRgbPng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`PNG: ${rgba.length} bytes for ${width}x${height} RGBA`);
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    let o = y * (stride + 1) + 1;
    for (let i = y * width * 4, end = i + width * 4; i < end; i += 4) {
      raw[o++] = rgba[i];
      raw[o++] = rgba[i + 1];
      raw[o++] = rgba[i + 2];
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

/** A PNG decoded to RGBA (8-bit indexed, grey, RGB or RGBA sources, no interlace). */
export function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let o = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let type = 0;
  let interlace = 0;
  let plte: Buffer | undefined;
  const idat: Buffer[] = [];
  while (o + 12 <= buf.length) {
    const len = buf.readUInt32BE(o);
    const kind = buf.toString('latin1', o + 4, o + 8);
    const data = buf.subarray(o + 8, o + 8 + len);
    if (o + 12 + len > buf.length) throw new Error('PNG: truncated chunk');
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8];
      type = data[9];
      interlace = data[12];
    } else if (kind === 'PLTE') plte = data;
    else if (kind === 'IDAT') idat.push(data);
    else if (kind === 'IEND') break;
    o += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 3: 1, 6: 4 } as Record<number, number>)[type];
  if (depth !== 8 || interlace !== 0 || channels === undefined || width < 1 || height < 1) {
    throw new Error(`PNG: unsupported form (depth ${depth}, colour type ${type}, interlace ${interlace})`);
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) throw new Error('PNG: not enough image data');
  const line = new Uint8Array(stride);
  const prev = new Uint8Array(stride);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? line[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v = src[i];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new Error(`PNG: bad filter ${f}`);
      line[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const d = (y * width + x) * 4;
      if (type === 3) {
        const k = line[x] * 3;
        if (!plte || k + 3 > plte.length) throw new Error('PNG: index outside the palette');
        rgba[d] = plte[k];
        rgba[d + 1] = plte[k + 1];
        rgba[d + 2] = plte[k + 2];
        rgba[d + 3] = 255;
      } else if (type === 0) {
        rgba[d] = rgba[d + 1] = rgba[d + 2] = line[x];
        rgba[d + 3] = 255;
      } else {
        rgba[d] = line[x * channels];
        rgba[d + 1] = line[x * channels + 1];
        rgba[d + 2] = line[x * channels + 2];
        rgba[d + 3] = channels === 4 ? line[x * channels + 3] : 255;
      }
    }
    prev.set(line);
  }
  return { width, height, rgba };
}

/** An indexed picture as RGBA, to compare with a decoded PNG. */
export function indexedToRgba(pixels: Uint8Array, palette: Uint32Array | number[]): Uint8Array {
  const out = new Uint8Array(pixels.length * 4);
  for (let i = 0; i < pixels.length; i++) {
    const c = palette[pixels[i]] >>> 0;
    out[i * 4] = c & 0xff;
    out[i * 4 + 1] = (c >>> 8) & 0xff;
    out[i * 4 + 2] = (c >>> 16) & 0xff;
    out[i * 4 + 3] = 255;
  }
  return out;
}
