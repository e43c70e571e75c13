; build: nasm -f bin -o cpu386.com cpu386.asm
;
; cpu386: deterministic test cases of the 386 real-mode additions (operand- and address-size prefixes,
; 32-bit registers and SIB addressing, FS/GS, MOVZX/MOVSX, SETcc, Jcc near, BT*, BSF/BSR, SHLD/SHRD,
; IMUL forms, LSS/LFS/LGS, PUSHAD/POPAD, PUSHFD/POPFD, CWDE/CDQ, 32-bit MUL/DIV, shifts and rotates,
; string instructions with 66/67, LOOP/JECXZ with 67, MOV CRn/DRn, SMSW/LMSW/CLTS, faults).
;
; It runs as a DOS .COM (org 100h, CS=DS=ES=SS) and from the bare boot sector ../bench/boot.asm
; (which loads it at 1000:0100 behind a PSP stub and supplies INT 21h AH=09h/4Ch), so QEMU can run it
; as the oracle: expected.txt is QEMU's output (see README.md), test/unit/ist-386.test.ts compares ours.
;
; Each case is written between T (begin) and E (end) -- or in one line with C, whose trailing arguments
; are the instructions. T resets the machine to a known state: all eight 32-bit registers to fixed
; patterns (ESP = STACK_TOP), DS=ES=SS=CS, FS:0000 and GS:0010 = the scratch area, CR0 as found at
; start, the 64-byte scratch area refilled with a fixed pattern, and EFLAGS to the case's initial flags
; (IF clear: no interrupt can run in the middle of a case). The body then sets its operands with
; flag-neutral instructions (MOV, LEA, MOVZX) and runs the instruction under test. E records, without
; touching the flags first: the eight registers, the six segment registers, EFLAGS ANDed with the case's
; mask (the flags the SDM leaves undefined for that instruction and operand are masked out), a copy of
; the scratch area, and -- when an exception (#DE, #BR, #UD, #NM, #GP) was raised instead -- its
; vector and the IP it pushed. A register whose value is architecturally undefined is overwritten by
; the body with a MOV after the instruction, so it compares equal.
;
; The records go to a table in memory (from CS+1000h on, 128 bytes each); when every case has run the
; table is printed through INT 21h AH=09h, one line per case:
;     name F=xxxx [REG=xxxxxxxx ...] [SEG=xxxx ...] [Mnn=bytes ...] [X=vv@iiii]
; F is the masked FLAGS; registers and segments are printed only when they differ from the state T set
; up, memory only as runs of scratch bytes (offset nn, hex) that differ from the pattern; X is a fault.
; The last line is "end NNNN cases". The exit code is 0.
;
; Outside the cases the harness keeps to the 8086/186 subset, except what saving and setting the 32-bit
; state needs (32-bit MOV, PUSHFD/POPFD, MOV CR0), forms the cases prove in turn.

        cpu     386
        bits    16
        org     100h

STACK_TOP       equ 0FF00h
SCR_LEN         equ 64
REC             equ 128                 ; table record size (a multiple of 16: one record per 8 paragraphs)
R_NAME          equ 0                   ; dw  offset of the case name (NUL-terminated)
R_FLAGS         equ 2                   ; dw  FLAGS AND mask
R_FAULT         equ 4                   ; db  exception vector, or FFh
R_FIP           equ 6                   ; dw  IP pushed by the exception
R_REGS          equ 8                   ; 8 dd  EAX ECX EDX EBX ESP EBP ESI EDI
R_SEGS          equ 40                  ; 6 dw  ES CS SS DS FS GS
R_MEM           equ 64                  ; 64 bytes  the scratch area

PAT_EAX         equ 1A2B3C4Dh
PAT_ECX         equ 2C3D4E5Fh
PAT_EDX         equ 3E4F5061h
PAT_EBX         equ 4B5C6D7Eh
PAT_EBP         equ 5B6C7D8Eh
PAT_ESI         equ 6E7F8091h
PAT_EDI         equ 7F8091A2h

; FLAGS bits and per-instruction masks (SDM "Flags Affected": undefined flags are masked out)
F_CF            equ 0001h
F_PF            equ 0004h
F_AF            equ 0010h
F_ZF            equ 0040h
F_SF            equ 0080h
F_DF            equ 0400h
F_OF            equ 0800h
FA              equ F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF     ; all arithmetic flags
FM_ALL          equ 0FFFFh                                      ; every FLAGS bit is defined
FM_LOG          equ FM_ALL & ~F_AF                              ; AND OR XOR TEST
FM_MUL          equ FM_ALL & ~(F_SF | F_ZF | F_AF | F_PF)       ; MUL, IMUL (CF=OF defined)
FM_DIV          equ FM_ALL & ~FA                                ; DIV, IDIV
FM_SH1          equ FM_ALL & ~F_AF                              ; shifts, SHLD/SHRD by 1
FM_SHN          equ FM_ALL & ~(F_AF | F_OF)                     ; shifts, SHLD/SHRD by 2..width
FM_SHX          equ FM_ALL & ~(F_AF | F_OF | F_CF)              ; SHL/SHR by >= width (CF undefined too)
FM_ROT          equ FM_ALL & ~F_OF                              ; rotates by more than 1
FM_BT           equ FM_ALL & ~(F_OF | F_SF | F_AF | F_PF)       ; BT BTS BTR BTC (CF defined, ZF kept)
FM_BS           equ FM_ALL & ~(F_CF | F_OF | F_SF | F_AF | F_PF) ; BSF BSR (ZF defined)
FM_UND          equ FM_ALL & ~FA                                ; every arithmetic flag undefined

; ------------------------------------------------------------------------------------------------
; case macros

; T name [, flag mask [, initial flags]]: begin a case
%macro T 1-3 FM_ALL, 0
%push case
        call    case_begin
        dw      %$end, %2, %3
        db      %1, 0
%endmacro

; E: end the current case
%macro E 0
        jmp     case_end
%$end:
%pop
%endmacro

; C name, flag mask, initial flags, instruction, instruction...: a whole case on one line
%macro C 4-*
        T       %1, %2, %3
%rotate 3
%rep %0 - 3
        %1
%rotate 1
%endrep
        E
%endmacro

; ------------------------------------------------------------------------------------------------

start:
        cld
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        ; FS:0000 and GS:0010 address the scratch area; SEG_X:FFF0 too (for offsets that wrap at 64 KiB)
        add     ax, (scr - $$ + 100h) >> 4
        mov     [seg_fs], ax
        dec     ax
        mov     [seg_gs], ax
        sub     ax, 0FFEh
        mov     [seg_x], ax
        mov     ax, cs
        mov     [segpat + 0], ax
        mov     [segpat + 2], ax
        mov     [segpat + 4], ax
        mov     [segpat + 6], ax
        mov     ax, [seg_fs]
        mov     [segpat + 8], ax
        mov     ax, [seg_gs]
        mov     [segpat + 10], ax
        mov     ax, cs
        add     ax, 1000h
        mov     [tbl_start], ax
        mov     [tbl_seg], ax
        mov     eax, cr0
        mov     [saved_cr0], eax
        ; take over the exception vectors for the duration of the cases
        cli
        xor     ax, ax
        mov     es, ax
        xor     bx, bx
.hook:  mov     al, [fault_vecs + bx]
        xor     ah, ah
        mov     di, ax
        shl     di, 1
        shl     di, 1
        mov     si, bx
        shl     si, 1
        mov     ax, [es:di]                     ; offsets first, then segments
        mov     [saved_vecs + si], ax
        mov     ax, [es:di + 2]
        mov     [saved_vecs + si + 2 * NFAULT], ax
        mov     ax, bx
        mov     cl, fault1 - fault0
        mul     cl
        add     ax, fault0
        mov     [es:di], ax
        mov     [es:di + 2], cs
        inc     bx
        cmp     bx, NFAULT
        jb      .hook
        mov     ax, cs
        mov     es, ax
        mov     esp, STACK_TOP
        jmp     cases

; ------------------------------------------------------------------------------------------------
; case_begin: called by T with the descriptor (dw end, mask, flags; db name, 0) after the CALL
case_begin:
        pop     bx
        mov     ax, [bx]
        mov     [next_ip], ax
        mov     ax, [bx + 2]
        mov     [cur_mask], ax
        mov     ax, [bx + 4]
        mov     [cur_flags], ax
        lea     si, [bx + 6]
        mov     [cur_name], si
.skip:  lodsb
        or      al, al
        jnz     .skip
        mov     [body_ip], si
        mov     byte [crec + R_FAULT], 0FFh
        mov     word [crec + R_FIP], 0
        mov     ax, cs
        mov     es, ax
        mov     si, scrpat
        mov     di, scr
        mov     cx, SCR_LEN / 2
        rep     movsw
        mov     ax, [seg_fs]
        mov     fs, ax
        mov     ax, [seg_gs]
        mov     gs, ax
        mov     eax, [saved_cr0]
        mov     cr0, eax
        mov     esp, STACK_TOP
        push    word 0
        push    word [cur_flags]
        popfd
        mov     eax, PAT_EAX
        mov     ecx, PAT_ECX
        mov     edx, PAT_EDX
        mov     ebx, PAT_EBX
        mov     ebp, PAT_EBP
        mov     esi, PAT_ESI
        mov     edi, PAT_EDI
        jmp     word [body_ip]

; case_end: E jumps here straight after the instruction under test. Nothing may change the flags
; before PUSHFD, and nothing may use the case's stack (the case may have moved SS:SP anywhere).
case_end:
        mov     [cs:crec + R_REGS + 0], eax
        mov     [cs:crec + R_REGS + 16], esp
        mov     [cs:crec + R_SEGS + 4], ss
        mov     ax, cs
        mov     ss, ax
        mov     esp, STACK_TOP
        pushfd
        pop     eax
        mov     [cs:crec + R_FLAGS], ax
.common:
        mov     [cs:crec + R_REGS + 4], ecx
        mov     [cs:crec + R_REGS + 8], edx
        mov     [cs:crec + R_REGS + 12], ebx
        mov     [cs:crec + R_REGS + 20], ebp
        mov     [cs:crec + R_REGS + 24], esi
        mov     [cs:crec + R_REGS + 28], edi
        mov     [cs:crec + R_SEGS + 0], es
        mov     [cs:crec + R_SEGS + 2], cs
        mov     [cs:crec + R_SEGS + 6], ds
        mov     [cs:crec + R_SEGS + 8], fs
        mov     [cs:crec + R_SEGS + 10], gs
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        cld
        mov     ax, [crec + R_FLAGS]
        and     ax, [cur_mask]
        mov     [crec + R_FLAGS], ax
        mov     ax, [cur_name]
        mov     [crec + R_NAME], ax
        mov     si, scr
        mov     di, crec + R_MEM
        mov     cx, SCR_LEN / 2
        rep     movsw
        mov     es, [tbl_seg]
        mov     si, crec
        xor     di, di
        mov     cx, REC / 2
        rep     movsw
        add     word [tbl_seg], REC / 16
        inc     word [ncases]
        jmp     word [next_ip]

; Exception handlers for the vectors in fault_vecs (#DE, #BR, #UD, #NM, #GP, and INT 1 so a stray trap
; is reported as a result rather than ending the run): record the vector, the pushed IP and FLAGS (for a
; fault, the state before the faulting instruction), drop the frame and finish the case as E would.
; The stubs are all the same size and in fault_vecs order: the hook loop computes their addresses.
fault0: mov     byte [cs:crec + R_FAULT], 0
        jmp     short fault_common
fault1: mov     byte [cs:crec + R_FAULT], 1
        jmp     short fault_common
        mov     byte [cs:crec + R_FAULT], 5
        jmp     short fault_common
        mov     byte [cs:crec + R_FAULT], 6
        jmp     short fault_common
        mov     byte [cs:crec + R_FAULT], 7
        jmp     short fault_common
        mov     byte [cs:crec + R_FAULT], 0Dh
        jmp     short fault_common
fault_vecs:
        db      0, 1, 5, 6, 7, 0Dh
NFAULT  equ     $ - fault_vecs

fault_common:
        mov     [cs:crec + R_REGS + 0], eax
        pop     ax
        mov     [cs:crec + R_FIP], ax
        pop     ax                              ; CS
        pop     ax
        mov     [cs:crec + R_FLAGS], ax
        mov     [cs:crec + R_REGS + 16], esp
        mov     [cs:crec + R_SEGS + 4], ss
        mov     ax, cs
        mov     ss, ax
        mov     esp, STACK_TOP
        jmp     case_end.common

; ------------------------------------------------------------------------------------------------
; the cases

cases:
%include "cases.inc"

; ------------------------------------------------------------------------------------------------
; all cases ran: restore the vectors, print the table, exit

all_done:
        mov     ax, cs
        mov     ds, ax
        mov     ss, ax
        mov     esp, STACK_TOP
        mov     eax, [saved_cr0]
        mov     cr0, eax
        xor     ax, ax
        mov     es, ax
        xor     bx, bx
.unhook:
        mov     al, [fault_vecs + bx]
        xor     ah, ah
        mov     di, ax
        shl     di, 1
        shl     di, 1
        mov     si, bx
        shl     si, 1
        mov     ax, [saved_vecs + si]
        mov     [es:di], ax
        mov     ax, [saved_vecs + si + 2 * NFAULT]
        mov     [es:di + 2], ax
        inc     bx
        cmp     bx, NFAULT
        jb      .unhook
        sti
        cld
        mov     dx, msg_head
        mov     ah, 09h
        int     21h
        mov     ax, [tbl_start]
.rec:   cmp     ax, [tbl_seg]
        jae     .done
        mov     [rec_seg], ax
        call    print_record
        mov     ax, [rec_seg]
        add     ax, REC / 16
        jmp     short .rec
.done:  mov     di, linebuf
        mov     si, msg_end
        call    put_str
        mov     ax, [ncases]
        call    put_hex16
        mov     si, msg_cases
        call    put_str
        call    print_line
        mov     ax, 4C00h
        int     21h

; print_record: one table line for the record at rec_seg:0000
print_record:
        mov     es, [rec_seg]
        mov     di, linebuf
        mov     si, [es:R_NAME]
        call    put_str
        mov     si, msg_flags
        call    put_str
        mov     ax, [es:R_FLAGS]
        call    put_hex16
        ; registers that differ from the initial pattern
        xor     bx, bx
        mov     si, regnames
.reg:   mov     ax, [es:R_REGS + bx]
        mov     dx, [es:R_REGS + bx + 2]
        cmp     ax, [regpat + bx]
        jne     .regp
        cmp     dx, [regpat + bx + 2]
        je      .regn
.regp:  mov     byte [di], ' '
        inc     di
        push    si
        call    put_str
        pop     si
        mov     byte [di], '='
        inc     di
        xchg    ax, dx
        call    put_hex16
        xchg    ax, dx
        call    put_hex16
.regn:  add     si, 4
        add     bx, 4
        cmp     bx, 32
        jb      .reg
        ; segment registers that differ
        xor     bx, bx
        mov     si, segnames
.seg:   mov     ax, [es:R_SEGS + bx]
        cmp     ax, [segpat + bx]
        je      .segn
        mov     byte [di], ' '
        inc     di
        push    si
        call    put_str
        pop     si
        mov     byte [di], '='
        inc     di
        call    put_hex16
.segn:  add     si, 3
        add     bx, 2
        cmp     bx, 12
        jb      .seg
        ; runs of changed scratch bytes
        xor     bx, bx
.mem:   cmp     bx, SCR_LEN
        jae     .memd
        mov     al, [es:R_MEM + bx]
        cmp     al, [scrpat + bx]
        jne     .run
        inc     bx
        jmp     short .mem
.run:   mov     byte [di], ' '
        mov     byte [di + 1], 'M'
        add     di, 2
        mov     al, bl
        call    put_hex8
        mov     byte [di], '='
        inc     di
.runb:  mov     al, [es:R_MEM + bx]
        call    put_hex8
        inc     bx
        cmp     bx, SCR_LEN
        jae     .memd
        mov     al, [es:R_MEM + bx]
        cmp     al, [scrpat + bx]
        jne     .runb
        jmp     short .mem
.memd:  cmp     byte [es:R_FAULT], 0FFh
        je      .nof
        mov     si, msg_fault
        call    put_str
        mov     al, [es:R_FAULT]
        call    put_hex8
        mov     byte [di], '@'
        inc     di
        mov     ax, [es:R_FIP]
        call    put_hex16
.nof:   ; fall into print_line

; print_line: terminate the line at DI and print it
print_line:
        mov     word [di], 0A0Dh
        mov     byte [di + 2], '$'
        mov     dx, linebuf
        mov     ah, 09h
        int     21h
        ret

; put_str: copy the NUL-terminated string at DS:SI to DS:DI
put_str:
        push    ax
.l:     lodsb
        or      al, al
        jz      .d
        mov     [di], al
        inc     di
        jmp     short .l
.d:     pop     ax
        ret

; put_hex16: AX as four hex digits at DI; put_hex8: AL as two
put_hex16:
        xchg    al, ah
        call    put_hex8
        xchg    al, ah
put_hex8:
        push    ax
        push    cx
        mov     ah, al
        mov     cl, 4
        shr     al, cl
        call    .nib
        mov     al, ah
        and     al, 0Fh
        call    .nib
        pop     cx
        pop     ax
        ret
.nib:   add     al, '0'
        cmp     al, '9'
        jbe     .st
        add     al, 'A' - '9' - 1
.st:    mov     [di], al
        inc     di
        ret

; ------------------------------------------------------------------------------------------------
; data

msg_head:   db      'cpu386 results (name F=flags&mask, changed registers/segments/scratch bytes, X=fault)', 13, 10, '$'
msg_end:    db      'end ', 0
msg_cases:  db      ' cases', 0
msg_flags:  db      ' F=', 0
msg_fault:  db      ' X=', 0
regnames:   db      'EAX', 0, 'ECX', 0, 'EDX', 0, 'EBX', 0, 'ESP', 0, 'EBP', 0, 'ESI', 0, 'EDI', 0
segnames:   db      'ES', 0, 'CS', 0, 'SS', 0, 'DS', 0, 'FS', 0, 'GS', 0

        align   4
regpat:     dd      PAT_EAX, PAT_ECX, PAT_EDX, PAT_EBX, STACK_TOP, PAT_EBP, PAT_ESI, PAT_EDI
segpat:     dw      0, 0, 0, 0, 0, 0        ; ES CS SS DS FS GS as T sets them (filled in at start)
saved_cr0:  dd      0
seg_fs:     dw      0
seg_gs:     dw      0
seg_x:      dw      0
tbl_start:  dw      0
tbl_seg:    dw      0
rec_seg:    dw      0
ncases:     dw      0
next_ip:    dw      0
body_ip:    dw      0
cur_mask:   dw      0
cur_flags:  dw      0
cur_name:   dw      0
saved_vecs: times 4 * NFAULT db 0

; operands the cases read
        align   4
kd:         dd      0, 1, 2, 7FFFFFFFh, 80000000h, 0FFFFFFFFh, 12345678h, 87654321h            ; +00..+1C
            dd      0FFFF0000h, 0000FFFFh, 0DEADBEEFh, 00010000h, 80008000h, 55555555h, 0AAAAAAAAh, 0FEDCBA98h ; +20..+3C
kpopad:     dd      11111111h, 22222222h, 33333333h, 44444444h, 55555555h, 66666666h, 77777777h, 88888888h
kflags:     dd      0FFFFFCFFh, 0
ksegs:      dd      0ABCD1234h, 0
kfar16:     dw      1234h, 5678h
kfar32:     dd      89ABCDEFh
            dw      4321h
kss32:      dd      00012340h
            dw      2345h
kbound:     dd      -10, 10
kdtr:       dw      1234h
            dd      0ABCDEF12h
saved_idtr: dw      0
            dd      0
arrA:       dd      1, 2, 3, 4, 5
arrB:       dd      1, 2, 9, 4, 5
strA:       db      'abcdefxghij'
strB:       db      'abcdeFgh'
xtab:       db      10h, 21h, 32h, 43h, 54h, 65h, 76h, 87h, 98h, 0A9h, 0BAh, 0CBh, 0DCh, 0EDh, 0FEh, 0Fh

; the scratch pattern: byte i = i * 3Bh + 17h (all 64 distinct, none zero)
scrpat:
%assign i 0
%rep SCR_LEN
        db      (i * 3Bh + 17h) & 0FFh
%assign i i + 1
%endrep

        align   16
scr:        times SCR_LEN db 0
crec:       times REC db 0
linebuf:    times 400 db 0
