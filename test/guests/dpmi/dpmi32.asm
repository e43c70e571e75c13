; build: nasm -f bin -o dpmi32.com dpmi32.asm
;
; dpmi32.com - dpmitest.asm as a 32-bit DPMI client: AX=1 at the mode switch, then a 32-bit code segment
; of its own (CS's descriptor with the D bit) for every check, 32-bit offsets in EDX/ESI/EDI, IRETD from
; interrupt handlers and callbacks, and the 32-bit exception frame. The checks and their names are the same,
; plus 32bit-flag-1687h, esp-high-zero and flags-0400h (and without offsets-ignore-high-words).

%define CLIENT32
%include "dpmitest.asm"
