/**
 * The guest half of DOSKRNL's COMMAND shell: a tiny .COM whose whole life is a loop around one SVC. The
 * host half (main/doskrnl/shell.ts) reads and runs command lines; when a line names a program it fills
 * in the path, command tail and EXEC parameter block here and answers "exec", and this code calls INT 21h
 * AX=4B00h — so programs run as real children of a real process — then reports the result with a second
 * SVC. DOSKRNL serves this image as COMMAND.COM wherever no COMMAND.COM exists on the drive.
 */
import { Asm, CC, R16, R8, SREG } from '../asm.js';

export const ShellSvc = {
  /** Run the shell until it needs the guest: AL = 0 again, 1 exec (PATH/PARAM filled), 2 exit (EXIT_CODE). */
  step: 0x51,
  /** The EXEC came back: CF/AX as INT 21h left them. */
  execDone: 0x52,
} as const;

/** Offsets in the shell's PSP segment. */
export const ShellLayout = {
  path: 0x180,
  tail: 0x200,
  param: 0x280,
  fcb1: 0x2a0,
  fcb2: 0x2b0,
  exitCode: 0x2c0,
  end: 0x2c2,
  stackTop: 0x800,
  /** Paragraphs the shell keeps of its block (PSP + code + data + stack). */
  paragraphs: 0x80,
} as const;

export function buildShellImage(): Uint8Array {
  const a = new Asm(0x100);
  a.movRegImm16(R16.sp, ShellLayout.stackTop)
    .movRegImm16(R16.bx, ShellLayout.paragraphs)
    .movRegImm8(R8.ah, 0x4a)
    .int(0x21)
    .label('loop')
    .pushSreg(SREG.cs)
    .popSreg(SREG.ds)
    .pushSreg(SREG.cs)
    .popSreg(SREG.es)
    .svc(ShellSvc.step)
    .cmpAlImm(1)
    .j(CC.z, 'exec')
    .cmpAlImm(2)
    .j(CC.z, 'exit')
    .jmpShort('loop')
    .label('exec')
    .movRegImm16(R16.ax, 0x4b00)
    .movRegImm16(R16.dx, ShellLayout.path)
    .movRegImm16(R16.bx, ShellLayout.param)
    .int(0x21)
    .svc(ShellSvc.execDone)
    .jmpShort('loop')
    .label('exit')
    .db(0x2e, 0xa0)
    .dw(ShellLayout.exitCode) // mov al,[cs:EXIT_CODE]
    .movRegImm8(R8.ah, 0x4c)
    .int(0x21)
    .org(ShellLayout.end, 0);
  return a.assemble();
}
