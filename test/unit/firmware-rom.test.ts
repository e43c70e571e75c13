/**
 * The BIOS ROM image: the fixed addresses programs rely on, and the vector stubs' shape.
 */
import { describe, expect, it } from 'vitest';
import { BIOS_SIZE, buildBiosRom, RomOffset, svcBios } from '../../firmware/bios/rom.js';

describe('BIOS ROM', () => {
  const { image, vectors } = buildBiosRom();

  it('is 64 KiB with a far jump to POST at the reset vector, the date and the AT model byte', () => {
    expect(image.length).toBe(BIOS_SIZE);
    expect([...image.subarray(0xfff0, 0xfff5)]).toEqual([0xea, RomOffset.post & 0xff, RomOffset.post >> 8, 0x00, 0xf0]);
    expect(Buffer.from(image.subarray(0xfff5, 0xfffd)).toString('latin1')).toBe('11/23/26');
    expect(image[0xfffe]).toBe(0xfc);
  });

  it('keeps the diskette parameter table and the configuration table at IBM addresses', () => {
    expect(image[RomOffset.disketteTable + 4]).toBe(18); // sectors per track
    expect(image[RomOffset.configTable + 2]).toBe(0xfc); // model
    expect(vectors.get(0x1e)).toBe(RomOffset.disketteTable);
  });

  it('points each software service at sti ; SVC 80h+v ; retf 2', () => {
    for (const v of [0x10, 0x13, 0x16, 0x1a]) {
      const at = vectors.get(v)!;
      expect([...image.subarray(at, at + 7)]).toEqual([0xfb, 0xf4, svcBios(v), svcBios(v) ^ 0xff, 0xca, 0x02, 0x00]);
    }
  });

  it('points unowned vectors at an IRET, keeps the user vectors and data pointers null, and covers every IRQ', () => {
    const iret = vectors.get(0x00)!;
    expect(image[iret]).toBe(0xcf);
    for (const v of [0x20, 0x21, 0x2f, 0x33, 0x4a, 0x5f, 0x68, 0x80, 0xff]) expect(vectors.get(v)).toBe(iret);
    for (const v of [0x1d, 0x1f, 0x41, 0x43, 0x46, 0x60, 0x67]) expect(vectors.has(v)).toBe(false);
    for (const v of [8, 9, 10, 11, 12, 13, 14, 15, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77]) expect(vectors.has(v)).toBe(true);
  });
});
