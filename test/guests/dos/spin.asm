; build: nasm -f bin -o spin.com spin.asm
;
; A program that never ends (a tight loop with interrupts on), for `mvm run --timeout`.
bits 16
org 0x100
    sti
.again:
    jmp .again
