/**
 * What every part of the DOS kernel shares: DOS error codes, the failure they travel in, and the view of
 * guest memory the kernel works through (the VDH helpers satisfy it; tests use a plain array).
 */

/** DOS extended error codes (INT 21h AX on CF=1; INT 21h AH=59h). */
export const DosError = {
  invalidFunction: 0x01,
  fileNotFound: 0x02,
  pathNotFound: 0x03,
  tooManyOpenFiles: 0x04,
  accessDenied: 0x05,
  invalidHandle: 0x06,
  arenaTrashed: 0x07,
  notEnoughMemory: 0x08,
  invalidBlock: 0x09,
  badEnvironment: 0x0a,
  badFormat: 0x0b,
  invalidAccess: 0x0c,
  invalidData: 0x0d,
  invalidDrive: 0x0f,
  currentDirectory: 0x10,
  notSameDevice: 0x11,
  noMoreFiles: 0x12,
  writeProtect: 0x13,
  sharingViolation: 0x20,
  lockViolation: 0x21,
  fileExists: 0x50,
  cannotMake: 0x52,
  invalidParameter: 0x57,
} as const;

/** A DOS call that fails: the kernel turns it into CF=1, AX=code. */
export class DosFail extends Error {
  constructor(
    readonly code: number,
    message = `DOS error ${code}`,
  ) {
    super(message);
  }
}

/** Guest memory as the kernel sees it: linear addresses, little-endian. */
export interface GuestMemory {
  readByte(addr: number): number;
  readWord(addr: number): number;
  writeByte(addr: number, value: number): void;
  writeWord(addr: number, value: number): void;
  readGuest(addr: number, length: number): Uint8Array;
  writeGuest(addr: number, bytes: Uint8Array): void;
}

/** A plain RAM array as GuestMemory (tests, and loaders that build images before copying them in). */
export function arrayMemory(ram: Uint8Array): GuestMemory {
  return {
    readByte: (a) => ram[a],
    readWord: (a) => ram[a] | (ram[a + 1] << 8),
    writeByte: (a, v) => void (ram[a] = v & 0xff),
    writeWord: (a, v) => {
      ram[a] = v & 0xff;
      ram[a + 1] = (v >>> 8) & 0xff;
    },
    readGuest: (a, n) => ram.slice(a, a + n),
    writeGuest: (a, b) => ram.set(b, a),
  };
}
