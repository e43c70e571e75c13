/**
 * The program loader behind EXEC (INT 21h AH=4Bh): .COM and MZ .EXE images, the environment block and the
 * program segment prefix (PSP), laid out as MS-DOS 5 lays them out. It does not open files or switch
 * processes: the kernel reads the image, calls `loadProgram`, and then either starts the program (4B00h)
 * or hands the registers back (4B01h).
 *
 * PSP layout (offsets in hex):
 *   00  CD 20            INT 20h, for a RET to PSP:0000 or a JMP to it
 *   02  word             segment just past the program's memory block ("top of memory")
 *   05  9A F0 FE 1D F0   CALL FAR F01D:FEF0, the CP/M-style CALL 5 entry; see CALL5_TARGET
 *   0A  dword            INT 22h (terminate address) at load time, restored when the program ends
 *   0E  dword            INT 23h (Ctrl-Break)
 *   12  dword            INT 24h (critical error)
 *   16  word             parent PSP
 *   18  20 bytes         job file table (JFT): system file numbers per handle, FFh = closed
 *   2C  word             environment segment
 *   2E  dword            SS:SP saved at the last INT 21h (the kernel's)
 *   32  word             JFT size
 *   34  dword            JFT pointer (PSP:0018 here)
 *   38  dword            previous PSP (FFFF:FFFF)
 *   40  word             version to report (5.00, as MS-DOS 5 before SETVER)
 *   50  CD 21 CB         INT 21h / RETF, for programs that far-call PSP:0050
 *   5C  16 bytes         FCB 1 (unopened: drive + 11-byte name)
 *   6C  16 bytes         FCB 2 (overlaps FCB 1's reserved part, as in DOS)
 *   80  byte + 127       command tail: length, text, CR (also the default DTA)
 */
import type { MemoryArena } from './arena.js';
import { ArenaFull } from './arena.js';
import { DosError, DosFail, type GuestMemory } from './dos.js';

/** The fields of an MZ header the loader needs. */
export interface ExeHeader {
  /** Extra paragraphs the program needs beyond its image (e_minalloc). */
  minAlloc: number;
  /** Extra paragraphs it would like (e_maxalloc); FFFFh = as much as there is. */
  maxAlloc: number;
  /** Header size in paragraphs (e_cparhdr); the load module follows it. */
  headerParas: number;
  /** Bytes of the load module: file size from e_cp/e_cblp minus the header. */
  imageSize: number;
  ss: number;
  sp: number;
  cs: number;
  ip: number;
  /** Segment fixups, relative to the load module: the word at segment:offset gets the load segment added. */
  relocations: { offset: number; segment: number }[];
}

export type Executable = { kind: 'com' } | { kind: 'exe'; header: ExeHeader };

/** The largest .COM image: a 64K segment less the PSP. */
export const MAX_COM_SIZE = 0xff00;

/**
 * Where the far call at PSP:0005 goes: F01D:FEF0, as in MS-DOS. That wraps around 1 MB to 0000:00C0 (the
 * INT 30h/31h vector slots), where the kernel must place a 5-byte JMP FAR to its CALL 5 handler (with A20
 * on, also at FFFF:00D0). The handler takes the function in CL, not AH, and returns past the caller's near
 * CALL 5. The offset word at 06h (FEF0h) doubles as the CP/M "bytes available in the segment" value that
 * old programs read, which is why the target is not simply PSP:0050 (whose INT 21h would take AH).
 */
export const CALL5_TARGET = { segment: 0xf01d, offset: 0xfef0 } as const;

/** The smallest stack a .COM program gets below the top of its block, in bytes. */
const COM_MIN_STACK = 0x100;
const PSP_PARAS = 0x10;
const JFT_ENTRIES = 20;
/** DOS 3+ refuses an environment over 32K. */
const MAX_ENVIRONMENT = 0x8000;

/**
 * Recognise an executable. 'MZ' or 'ZM' at the start makes an .EXE, checked strictly; anything else is a
 * .COM image. Bad input only ever throws DosFail(badFormat) naming the program and the fault.
 */
export function parseExecutable(bytes: Uint8Array, name: string): Executable {
  const bad = (what: string): DosFail => new DosFail(DosError.badFormat, `${name}: ${what}`);
  const sig = bytes.length >= 2 ? bytes[0] | (bytes[1] << 8) : 0;
  const isMz = sig === 0x5a4d || sig === 0x4d5a; // 'MZ' or 'ZM'
  if (!isMz) {
    if (bytes.length > MAX_COM_SIZE) throw bad(`a .COM program cannot be over ${MAX_COM_SIZE} bytes (${bytes.length})`);
    return { kind: 'com' };
  }
  if (bytes.length < 0x1c) throw bad(`truncated EXE header (${bytes.length} bytes)`);
  const word = (at: number): number => bytes[at] | (bytes[at + 1] << 8);
  const lastPageBytes = word(0x02);
  const pages = word(0x04);
  const relocCount = word(0x06);
  const headerParas = word(0x08);
  const relocTable = word(0x18);
  if (pages === 0) throw bad('EXE header gives a file size of 0 pages');
  if (lastPageBytes > 512) throw bad(`EXE header's last-page byte count ${lastPageBytes} is over 512`);
  const fileSize = lastPageBytes === 0 ? pages * 512 : (pages - 1) * 512 + lastPageBytes;
  if (fileSize > bytes.length) {
    throw bad(`EXE header gives a file size of ${fileSize} bytes, the file has ${bytes.length}`);
  }
  if (headerParas === 0) throw bad('EXE header size (e_cparhdr) is 0');
  const headerSize = headerParas * 16;
  if (headerSize < 0x1c) throw bad(`EXE header of ${headerSize} bytes is shorter than its fields`);
  if (headerSize > fileSize) throw bad(`EXE header (${headerSize} bytes) runs past the end of the file (${fileSize})`);
  const imageSize = fileSize - headerSize;
  if (relocCount > 0 && (relocTable < 0x1c || relocTable + relocCount * 4 > bytes.length)) {
    throw bad(`relocation table (${relocCount} entries at ${relocTable}) runs past the end of the file`);
  }
  const relocations: ExeHeader['relocations'] = [];
  for (let i = 0; i < relocCount; i++) {
    const offset = word(relocTable + i * 4);
    const segment = word(relocTable + i * 4 + 2);
    if (segment * 16 + offset + 2 > imageSize) {
      throw bad(`relocation ${i} (${hex(segment)}:${hex(offset)}) points outside the ${imageSize}-byte load module`);
    }
    relocations.push({ offset, segment });
  }
  return {
    kind: 'exe',
    header: {
      minAlloc: word(0x0a),
      maxAlloc: word(0x0c),
      headerParas,
      imageSize,
      ss: word(0x0e),
      sp: word(0x10),
      cs: word(0x16),
      ip: word(0x14),
      relocations,
    },
  };
}

/**
 * An environment block as DOS 3+ builds it: 'A=B\0C=D\0' and one more 0, then the word 0001h (one string
 * follows) and the program's full path with its 0. With no variables the block starts with the final 0.
 */
export function buildEnvironment(vars: string[], programPath: string): Uint8Array {
  const text = vars.map((v) => v + '\0').join('') + '\0';
  const bytes = new Uint8Array(text.length + 2 + programPath.length + 1);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  bytes[text.length] = 0x01;
  bytes[text.length + 1] = 0x00;
  for (let i = 0; i < programPath.length; i++) bytes[text.length + 2 + i] = programPath.charCodeAt(i) & 0xff;
  if (bytes.length > MAX_ENVIRONMENT) {
    throw new DosFail(DosError.badEnvironment, `environment of ${bytes.length} bytes is over 32K`);
  }
  return bytes;
}

export interface LoadRequest {
  image: Uint8Array;
  /** The name for the program's MCB ('PROG'): up to 8 characters, used as given. */
  name: string;
  /** Full DOS path, for error messages (the environment already carries it). */
  programPath: string;
  /** The environment block, from buildEnvironment or a copy of the parent's. */
  environment: Uint8Array;
  /** ' /X FOO': without the CR, at most 126 characters (longer is cut). */
  commandTail: string;
  parentPsp: number;
  /** 16 bytes each; default a blank unopened FCB. */
  fcb1?: Uint8Array;
  fcb2?: Uint8Array;
  /** INT 22h at load time, saved at PSP:000A. */
  terminateAddress: { segment: number; offset: number };
  /** INT 23h and 24h to save at PSP:000E / 0012; default the current vectors in the IVT. */
  ctrlBreak?: { segment: number; offset: number };
  criticalError?: { segment: number; offset: number };
  /** Handles in the JFT, at most 20 (the table in the PSP); default 20. */
  jftSize?: number;
  /** The parent's JFT to copy (20 bytes, FFh = closed); default handles 0-4 = SFT entries 0-4. */
  inheritHandles?: Uint8Array;
}

/** A loaded program: its PSP and environment, and the registers to start it with. */
export interface Loaded {
  psp: number;
  environmentSegment: number;
  cs: number;
  ip: number;
  ss: number;
  sp: number;
}

/**
 * EXEC's load step (4B00h / 4B01h): allocate the environment and the program's block (both owned by the new
 * PSP), build the PSP, load and relocate the image. On any failure whatever was allocated is freed again.
 */
export function loadProgram(mem: GuestMemory, arena: MemoryArena, req: LoadRequest): Loaded {
  const exe = parseExecutable(req.image, req.programPath || req.name);
  const path = req.programPath;
  const jftSize = req.jftSize ?? JFT_ENTRIES;
  if (!Number.isInteger(jftSize) || jftSize < 0 || jftSize > JFT_ENTRIES) {
    throw new DosFail(DosError.invalidParameter, `${path}: a JFT of ${jftSize} handles does not fit the PSP`);
  }
  if (req.environment.length > MAX_ENVIRONMENT) {
    throw new DosFail(DosError.badEnvironment, `${path}: environment of ${req.environment.length} bytes is over 32K`);
  }
  const allocated: number[] = [];
  try {
    // DOS allocates the environment first, so under first fit it sits below the program.
    const envSeg = arena.allocate(Math.max(1, paras(req.environment.length)), 8);
    allocated.push(envSeg);
    mem.writeGuest(envSeg * 16, req.environment);

    const { psp, size, loadSegment } = allocateProgram(arena, exe, req);
    allocated.push(psp);
    arena.setOwner(envSeg, psp);
    arena.setOwner(psp, psp);
    arena.setName(psp, req.name.slice(0, 8));

    buildPsp(mem, psp, psp + size, envSeg, jftSize, req);

    if (exe.kind === 'com') {
      mem.writeGuest(psp * 16 + 0x100, req.image);
      // SP at FFFEh, or at the top of a block under 64K, with a zero word there so RET reaches INT 20h.
      const sp = size >= 0x1000 ? 0xfffe : size * 16 - 2;
      mem.writeWord(psp * 16 + sp, 0);
      return { psp, environmentSegment: envSeg, cs: psp, ip: 0x100, ss: psp, sp };
    }
    const h = exe.header;
    placeImage(mem, req.image, h, loadSegment, loadSegment);
    return {
      psp,
      environmentSegment: envSeg,
      cs: (h.cs + loadSegment) & 0xffff,
      ip: h.ip,
      ss: (h.ss + loadSegment) & 0xffff,
      sp: h.sp,
    };
  } catch (e) {
    for (const seg of allocated.reverse()) arena.free(seg);
    if (allocated.length > 0) arena.coalesce();
    throw e;
  }
}

/**
 * EXEC's overlay load (4B03h): the image (an .EXE's load module, or a .COM file as is) goes to
 * loadSegment:0000 and each segment fixup gets `relocationFactor` added. No memory is allocated.
 */
export function loadOverlay(mem: GuestMemory, image: Uint8Array, loadSegment: number, relocationFactor: number): void {
  const exe = parseExecutable(image, 'overlay');
  if (exe.kind === 'com') {
    mem.writeGuest(loadSegment * 16, image);
    return;
  }
  placeImage(mem, image, exe.header, loadSegment, relocationFactor);
}

/**
 * AX at a program's start: AL = FFh when FCB 1's drive byte names an invalid drive, else 0; AH the same
 * for FCB 2. Drive bytes are 0 = default, 1 = A:, ...
 */
export function entryAx(fcb1Drive: number, fcb2Drive: number, validDrive: (drive: number) => boolean): number {
  const check = (d: number): number => (d === 0 || validDrive(d) ? 0 : 0xff);
  return (check(fcb2Drive) << 8) | check(fcb1Drive);
}

/** The program block: its PSP segment, size in paragraphs, and where the image goes. */
function allocateProgram(
  arena: MemoryArena,
  exe: Executable,
  req: LoadRequest,
): { psp: number; size: number; loadSegment: number } {
  // "The largest block" is the strategy's: in upper memory first under LOADHIGH's high-first strategy.
  let largest = 0;
  const short = (need: number): ArenaFull =>
    new ArenaFull(
      largest,
      `${req.programPath}: not enough memory (${hex(need)} paragraphs needed, ${hex(largest)} free)`,
    );
  if (exe.kind === 'com') {
    // A .COM program gets the largest free block, which must hold the PSP, the image and a stack.
    const need = PSP_PARAS + paras(req.image.length + COM_MIN_STACK);
    largest = arena.largestFor(need);
    if (largest < need) throw short(need);
    const psp = arena.allocate(largest, 8);
    return { psp, size: largest, loadSegment: psp + PSP_PARAS };
  }
  const h = exe.header;
  const base = PSP_PARAS + paras(h.imageSize);
  const min = base + h.minAlloc;
  largest = arena.largestFor(Math.min(min, 0xffff));
  if (min > 0xffff || largest < min) throw short(min);
  if (h.minAlloc === 0 && h.maxAlloc === 0) {
    // "Load high": the largest block, with the image at its top and the PSP at its bottom.
    const psp = arena.allocate(largest, 8);
    return { psp, size: largest, loadSegment: psp + largest - paras(h.imageSize) };
  }
  const max = Math.min(0xffff, base + Math.max(h.maxAlloc, h.minAlloc));
  const size = Math.min(max, largest);
  const psp = arena.allocate(size, 8);
  return { psp, size, loadSegment: psp + PSP_PARAS };
}

/** Copy an .EXE's load module to `segment`:0 and add `factor` to each fixup. */
function placeImage(mem: GuestMemory, image: Uint8Array, h: ExeHeader, segment: number, factor: number): void {
  const start = h.headerParas * 16;
  mem.writeGuest(segment * 16, image.subarray(start, start + h.imageSize));
  for (const r of h.relocations) {
    const at = (((segment + r.segment) & 0xffff) * 16 + r.offset) & 0xfffff;
    mem.writeWord(at, (mem.readWord(at) + factor) & 0xffff);
  }
}

function buildPsp(mem: GuestMemory, psp: number, top: number, envSeg: number, jftSize: number, req: LoadRequest): void {
  const p = new Uint8Array(0x100);
  const w = (at: number, v: number): void => {
    p[at] = v & 0xff;
    p[at + 1] = (v >>> 8) & 0xff;
  };
  const far = (at: number, v: { segment: number; offset: number }): void => {
    w(at, v.offset);
    w(at + 2, v.segment);
  };
  const vector = (n: number): { segment: number; offset: number } => ({
    offset: mem.readWord(n * 4),
    segment: mem.readWord(n * 4 + 2),
  });
  p.set([0xcd, 0x20], 0x00);
  w(0x02, top);
  p[0x05] = 0x9a;
  far(0x06, CALL5_TARGET);
  far(0x0a, req.terminateAddress);
  far(0x0e, req.ctrlBreak ?? vector(0x23));
  far(0x12, req.criticalError ?? vector(0x24));
  w(0x16, req.parentPsp);
  p.fill(0xff, 0x18, 0x18 + JFT_ENTRIES);
  if (req.inheritHandles) {
    p.set(req.inheritHandles.subarray(0, Math.min(jftSize, req.inheritHandles.length)), 0x18);
  } else {
    for (let h = 0; h < Math.min(5, jftSize); h++) p[0x18 + h] = h;
  }
  w(0x2c, envSeg);
  w(0x32, jftSize);
  far(0x34, { segment: psp, offset: 0x18 });
  w(0x38, 0xffff);
  w(0x3a, 0xffff);
  w(0x40, 0x0005);
  p.set([0xcd, 0x21, 0xcb], 0x50);
  p.set(blankFcb(), 0x5c);
  p.set(blankFcb(), 0x6c);
  if (req.fcb1) p.set(req.fcb1.subarray(0, 16), 0x5c);
  if (req.fcb2) p.set(req.fcb2.subarray(0, 16), 0x6c);
  const tail = req.commandTail.slice(0, 126);
  p[0x80] = tail.length;
  for (let i = 0; i < tail.length; i++) p[0x81 + i] = tail.charCodeAt(i) & 0xff;
  p[0x81 + tail.length] = 0x0d;
  mem.writeGuest(psp * 16, p);
}

/** An unopened FCB naming nothing: default drive, 11 blanks, zeros. */
function blankFcb(): Uint8Array {
  const f = new Uint8Array(16);
  f.fill(0x20, 1, 12);
  return f;
}

function paras(bytes: number): number {
  return Math.ceil(bytes / 16);
}

function hex(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0') + 'h';
}
