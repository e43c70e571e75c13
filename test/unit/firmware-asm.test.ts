/**
 * The firmware's own assembler: its encodings match what nasm produces for the same source (the expected
 * bytes below were produced by nasm 2.16 from the listing in the comment), and its errors are clear.
 */
import { describe, expect, it } from 'vitest';
import { Asm, CC, R16, R8, SREG } from '../../firmware/asm.js';

// nasm -f bin of: org 100h / mov ax,1234h / mov dl,80h / mov bx,cx / mov ds,ax / mov ax,cs / push si /
// pop di / push es / pop ds / xor ax,ax / or al,al / cmp al,5 / cmp dl,80h / cmp word [es:7DFEh],0AA55h /
// cld / lodsb / lodsw / stosw / out 20h,al / in al,60h / cli / sti / hlt / int 13h / iret / ret / retf 2 /
// retf / back: call fwd / jmp near fwd / jmp short back / jmp 0F000h:0E05Bh / jc back / jnz fwd / loop back /
// fwd: db 0F4h,93h,6Ch
const NASM =
  'b83412b28089cb8ed88cc8565f061f31c008c03c0580fa8026813efe7d55aafcacadabe620e460fafbf4cd13cfc3ca0200cbe81000e90d00ebf8ea5be000f072f17502e2edf4936c';

describe('firmware assembler', () => {
  it('encodes the instructions firmware uses exactly as nasm does', () => {
    const a = new Asm(0x100)
      .movRegImm16(R16.ax, 0x1234)
      .movRegImm8(R8.dl, 0x80)
      .movReg(R16.bx, R16.cx)
      .movSreg(SREG.ds, R16.ax)
      .movFromSreg(R16.ax, SREG.cs)
      .push(R16.si)
      .pop(R16.di)
      .pushSreg(SREG.es)
      .popSreg(SREG.ds)
      .xorReg(R16.ax, R16.ax)
      .orReg8(R8.al, R8.al)
      .cmpAlImm(5)
      .cmpRegImm8(R8.dl, 0x80)
      .cmpEsWordImm(0x7dfe, 0xaa55)
      .cld()
      .lodsb()
      .lodsw()
      .stosw()
      .outImm(0x20)
      .inImm(0x60)
      .cli()
      .sti()
      .hlt()
      .int(0x13)
      .iret()
      .ret()
      .retf(2)
      .retf()
      .label('back')
      .call('fwd')
      .jmp('fwd')
      .jmpShort('back')
      .jmpFar(0xf000, 0xe05b)
      .j(CC.c, 'back')
      .j(CC.nz, 'fwd')
      .loop('back')
      .label('fwd')
      .svc(0x93);
    expect(Buffer.from(a.assemble()).toString('hex')).toBe(NASM);
  });

  it('refuses a short jump out of range, an undefined label and an org that goes backwards', () => {
    const far = new Asm(0).jmpShort('x').org(0x200).label('x');
    expect(() => far.assemble()).toThrow(/short jump to x .* out of range/);
    expect(() => new Asm(0).jmp('nowhere').assemble()).toThrow(/label nowhere is not defined/);
    expect(() => new Asm(0).db(1, 2, 3).org(1)).toThrow(/org 0001h is behind/);
    expect(() => new Asm(0).label('a').label('a')).toThrow(/defined twice/);
  });
});
