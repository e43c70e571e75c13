/**
 * System information calls: interrupt vectors (25h/35h), date and time from the host (2Ah-2Dh), version
 * (30h, 3306h), Ctrl-Break and boot drive (33h), verify (2Eh/54h), switch character (37h), country (38h,
 * 65h), code page (66h), List of Lists (52h), extended error (59h).
 */
import { DOS_SEGMENT } from '../../firmware/doskrnl/stubs.js';
import type { Served } from './console.js';
import { DosError, DosFail } from './dos.js';
import type { Kernel } from './kernel.js';

/** The United States country information (code 1), DOS 3+ layout, 34 bytes. */
function countryInfo(): Uint8Array {
  const b = new Uint8Array(34);
  b[0] = 0; // date format: m d y
  b.set([0x24, 0], 2); // currency '$'
  b.set([0x2c, 0], 7); // thousands ','
  b.set([0x2e, 0], 9); // decimal '.'
  b.set([0x2d, 0], 11); // date separator '-'
  b.set([0x3a, 0], 13); // time separator ':'
  b[15] = 0; // currency before the amount
  b[16] = 2; // digits after the decimal point
  b[17] = 0; // 12-hour clock
  // 18: case map routine (far pointer): a RETF in the DOS segment would do; 0 tells programs there is none
  b.set([0x2c, 0], 22); // data-list separator ','
  return b;
}

export function serveInfo(k: Kernel, ah: number): Served {
  const v = k.vdh;
  switch (ah) {
    case 0x25: {
      const n = k.al;
      v.writeWord(n * 4, k.dx);
      v.writeWord(n * 4 + 2, k.r.ds);
      return true;
    }
    case 0x35: {
      const n = k.al;
      k.set({ es: v.readWord(n * 4 + 2), ebx: (k.r.ebx & ~0xffff) | v.readWord(n * 4) });
      return true;
    }
    case 0x2a: {
      const d = new Date();
      k.setCx(d.getFullYear());
      k.setDx(((d.getMonth() + 1) << 8) | d.getDate());
      k.setAl(d.getDay());
      return true;
    }
    case 0x2c: {
      const d = new Date();
      k.setCx((d.getHours() << 8) | d.getMinutes());
      k.setDx((d.getSeconds() << 8) | Math.floor(d.getMilliseconds() / 10));
      return true;
    }
    case 0x2b:
    case 0x2d:
      // The guest does not set the host's clock; DOS says the value was invalid only when it was.
      k.setAl(0);
      return true;
    case 0x2e:
      k.verify = (k.al & 1) === 1;
      return true;
    case 0x54:
      k.setAl(k.verify ? 1 : 0);
      return true;
    case 0x30: {
      const [major, minor] = k.versionFor(k.processes.programName(k.processes.current));
      k.setAx((minor << 8) | major);
      k.setBx(k.al === 1 ? 0x0000 : 0xff00); // OEM FFh ("MS-DOS"), DOS not in ROM/HMA
      k.setCx(0);
      return true;
    }
    case 0x33:
      switch (k.al) {
        case 0x00:
          k.setDx((k.dx & 0xff00) | (k.breakChecking ? 1 : 0));
          return true;
        case 0x01:
          k.breakChecking = (k.dx & 0xff) !== 0;
          return true;
        case 0x05:
          k.setDx((k.dx & 0xff00) | 3); // booted from C:
          return true;
        case 0x06:
          k.setBx((k.version[1] << 8) | k.version[0]);
          k.setDx(k.highMemory.dosInHma ? 0x1000 : 0x0000); // revision 0; DH bit 4: DOS in the HMA (DOS_HIGH)
          return true;
        default:
          k.setAl(0xff);
          return true;
      }
    case 0x37:
      if (k.al === 0) k.setDx((k.dx & 0xff00) | 0x2f); // switch character '/'
      else if (k.al !== 1) k.setAl(0xff);
      return true;
    case 0x38: {
      if (k.dx === 0xffff) {
        // set country: only the United States here
        if (k.al !== 0 && k.al !== 1 && k.bx !== 1) throw new DosFail(DosError.invalidFunction);
        k.ok();
        return true;
      }
      v.writeGuest(k.ds(k.dx), countryInfo());
      k.setBx(1);
      k.setAx(1);
      k.ok();
      return true;
    }
    case 0x65: {
      switch (k.al) {
        case 0x01: {
          // extended country information: 01h, size, country, code page, the 34-byte block
          const out = new Uint8Array(41);
          out[0] = 1;
          out[1] = 38;
          out[3] = 1;
          out.set([0xb5, 0x01], 5); // code page 437
          out.set(countryInfo(), 7);
          v.writeGuest(k.es(k.di), out.subarray(0, Math.min(41, k.cx)));
          k.setCx(Math.min(41, k.cx));
          k.ok();
          return true;
        }
        case 0x02:
        case 0x04:
        case 0x05:
        case 0x06:
        case 0x07: {
          // A pointer to a table in the DOS segment: info ID byte, then the far pointer (5 bytes).
          const e = k.stubs.entry;
          const table = { 2: e.upperTable, 4: e.upperTable, 5: e.terminatorTable, 6: e.collateTable, 7: e.dbcsTable }[k.al as 2 | 4 | 5 | 6 | 7];
          if (k.cx < 5) throw new DosFail(DosError.invalidFunction);
          const at = k.es(k.di);
          v.writeByte(at, k.al);
          v.writeWord(at + 1, table);
          v.writeWord(at + 3, DOS_SEGMENT);
          k.setCx(5);
          k.ok();
          return true;
        }
        case 0x20: {
          const c = k.dx & 0xff;
          k.setDx((k.dx & 0xff00) | (c >= 0x61 && c <= 0x7a ? c - 0x20 : c));
          k.ok();
          return true;
        }
        case 0x21:
        case 0x22: {
          const at = k.ds(k.dx);
          const n = k.al === 0x21 ? k.cx : 0x10000;
          for (let i = 0; i < n; i++) {
            const c = v.readByte(at + i);
            if (k.al === 0x22 && c === 0) break;
            if (c >= 0x61 && c <= 0x7a) v.writeByte(at + i, c - 0x20);
          }
          k.ok();
          return true;
        }
        default:
          throw new DosFail(DosError.invalidFunction);
      }
    }
    case 0x66:
      if (k.al === 1) {
        k.setBx(437);
        k.setDx(437);
      }
      k.ok();
      return true;
    case 0x52:
      k.set({ es: DOS_SEGMENT, ebx: (k.r.ebx & ~0xffff) | k.stubs.entry.lol });
      return true;
    case 0x59:
      k.setAx(k.lastError);
      k.setBx(k.lastError === 0 ? 0 : 0x0101); // class: out of resource / action: retry — a rough but valid answer
      k.setCx(k.cx & 0x00ff);
      return true;
    default:
      return undefined;
  }
}
