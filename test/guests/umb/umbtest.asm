; build: nasm -f bin -o umbtest.com umbtest.asm
;
; umbtest.com - upper memory blocks and DOS=HIGH as a DOS program meets them (VXMS and DOSKRNL, the DOS
; settings DOS_UMB and DOS_HIGH). The command tail says how the session was started:
;   U   DOS_UMB is on, H   DOS_HIGH is on (either, both or neither);
;   P   only print `INFO psp XXXX` (this program's PSP segment) and exit, to see where LOADHIGH put it.
; DOS_UMB off: the UMBs are the programs': XMS 10h with FFFFh paragraphs answers B0h and the largest size,
;   10h gives a block (at C800h or above, RAM), 12h grows it, refuses FFFFh with B0h and the most it can
;   have, shrinks it, 11h frees it (twice: B2h), and the largest is back; DOS has no UMBs: 5802h says
;   unlinked, 5803h BX=1 fails with 1, List of Lists 66h is FFFFh, strategy 80h allocates low.
; DOS_UMB on: DOS took them all (XMS 10h: B1h, DX=0); List of Lists 66h is 9FFFh and 63h the link flag;
;   unlinked, the chain ends at 9FFFh with DOS's "SC" block and strategy 80h still allocates low; 5803h
;   BX=1 links them (5802h: 1), the chain runs on into upper memory, strategy 80h (high first) puts a
;   block above A000h (RAM, ours), 40h (high only) refuses FFFFh with the largest UMB and gives a UMB,
;   00h allocates low; LOADHIGH's way (save link and strategy, link, 80h, 48h, put both back) leaves the
;   block in upper memory, and 49h frees it while unlinked.
; DOS_HIGH: INT 21h AX=3306h DH bit 4, XMS 01h answers 91h (the HMA is DOS's), INT 2Fh AX=4A01h gives the
;   free HMA at FFFF:xxxx, 4A02h a block there that is RAM above 1 MiB (A20 is on: XMS 07h says 1);
;   without it: DH bit 4 clear, XMS 01h gives the HMA to us, 4A01h/4A02h answer FFFF:FFFF.
; One line per check (PASS name / FAIL name AX-in-hex); exit code = number of failures.
bits 16
cpu 386
org 0x100
%include "../dos/dostest.inc"

; XMS function %1 through the entry
%macro XMS 1
    mov ah, %1
    call far [xms_entry]
%endmacro

; XMS_OK name: pass if AX=1, else fail with AH = AL(AX), AL = BL
%macro XMS_OK 1
    cmp ax, 1
    jne %%f
    PASS %1
    jmp %%d
%%f:
    mov ah, al
    mov al, bl
    FAIL %1
%%d:
%endmacro

; XMS_ERR name, code: pass if AX=0 and BL=code, else fail as XMS_OK
%macro XMS_ERR 2
    or ax, ax
    jnz %%f
    cmp bl, %2
    jne %%f
    PASS %1
    jmp %%d
%%f:
    mov ah, al
    mov al, bl
    FAIL %1
%%d:
%endmacro

; CHECK_CMP name, a, b, cc: pass if `cmp a, b` sets condition cc (the jump's suffix), else fail with a
%macro CHECK_CMP 4
    cmp word %2, %3
    j%4 %%p
    push ax
    mov ax, %2
    FAIL %1
    pop ax
    jmp %%d
%%p:
    PASS %1
%%d:
%endmacro

; INFO name: print `INFO name XXXX` with AX
%macro INFO 1
    call info_ax
    db %1, 0
%endmacro

; DOS fn: AH=58h subfunction AL=%1 with BX=%2
%macro STRATEGY 1
    mov ax, 5801h
    mov bx, %1
    int 21h
%endmacro

%macro LINK 1
    mov ax, 5803h
    mov bx, %1
    int 21h
%endmacro

    mov sp, stack_top
    mov [psp], es
    cld
    ; ---- the command tail: U, H, P
    mov si, 81h
    movzx cx, byte [80h]
.arg:
    jcxz .args_done
    lodsb
    dec cx
    and al, 0DFh
    cmp al, 'U'
    jne .not_u
    mov byte [want_umb], 1
.not_u:
    cmp al, 'H'
    jne .not_h
    mov byte [want_high], 1
.not_h:
    cmp al, 'P'
    jne .arg
    mov byte [psp_only], 1
    jmp .arg
.args_done:
    cmp byte [psp_only], 0
    je .full
    mov ax, [psp]
    INFO 'psp'
    FINISH

.full:
    mov ah, 4Ah
    mov bx, (stack_top - $$ + 0x100 + 15) / 16
    int 21h
    CHECK_NC 'shrink-own-block'
    mov ax, 4300h
    int 2Fh
    cmp al, 80h
    je .xms
    FAIL 'xms-installed'
    FINISH
.xms:
    PASS 'xms-installed'
    push es
    mov ax, 4310h
    int 2Fh
    mov [xms_entry], bx
    mov [xms_entry + 2], es
    pop es
    mov ah, 52h
    int 21h
    mov [lol], bx
    mov [lol + 2], es
    mov ax, 5800h
    int 21h
    mov [strategy], ax

    cmp byte [want_umb], 0
    jne umb_dos
    call umb_programs
    jmp high_checks
umb_dos:
    call umb_owned_by_dos
high_checks:
    cmp byte [want_high], 0
    jne .high
    call dos_low
    FINISH
.high:
    call dos_high
    FINISH

; ------------------------------------------------------------------ DOS_UMB off
umb_programs:
    mov dx, 0FFFFh
    XMS 10h
    mov [largest], dx
    XMS_ERR 'xms-umb-largest-b0h', 0B0h
    CHECK_CMP 'xms-umb-largest-size', [largest], 0, ne
    mov dx, 100h
    XMS 10h
    mov [umb], bx
    mov [size], dx
    XMS_OK 'xms-umb-request'
    mov ax, [umb]
    INFO 'xms-umb'
    CHECK_CMP 'xms-umb-size', [size], 100h, e
    CHECK_CMP 'xms-umb-above-c800h', [umb], 0C800h, ae
    mov ax, [umb]
    mov cx, 800h
    call pattern
    CHECK_Z 'xms-umb-is-ram'
    mov dx, [umb]
    mov bx, 200h
    XMS 12h
    XMS_OK 'xms-umb-grow'
    mov dx, [umb]
    mov bx, 0FFFFh
    XMS 12h
    mov [size], dx
    XMS_ERR 'xms-umb-grow-too-far-b0h', 0B0h
    CHECK_CMP 'xms-umb-grow-most', [size], 200h, ae
    mov dx, [umb]
    mov bx, 80h
    XMS 12h
    XMS_OK 'xms-umb-shrink'
    mov dx, [umb]
    XMS 11h
    XMS_OK 'xms-umb-release'
    mov dx, [umb]
    XMS 11h
    XMS_ERR 'xms-umb-release-twice-b2h', 0B2h
    mov dx, [umb]
    mov bx, 10h
    XMS 12h
    XMS_ERR 'xms-umb-realloc-freed-b2h', 0B2h
    mov dx, 0FFFFh
    XMS 10h
    mov ax, [largest]
    CHECK_CMP 'xms-umb-largest-back', dx, ax, e
    ; DOS has no UMBs
    mov ax, 5802h
    int 21h
    jc .l0f
    cmp al, 0
    je .l0p
.l0f:
    FAIL 'link-state-unlinked'
    jmp .l0d
.l0p:
    PASS 'link-state-unlinked'
.l0d:
    LINK 1
    CHECK_ERR 'link-refused-1', 1
    LINK 0
    CHECK_NC 'unlink-nothing-ok'
    les bx, [lol]
    mov ax, [es:bx + 66h]
    push ds
    pop es
    CHECK_CMP 'lol-66h-no-umbs', ax, 0FFFFh, e
    STRATEGY 80h
    CHECK_NC 'strategy-80h'
    call alloc_100h
    CHECK_CMP 'alloc-80h-low-without-umbs', [blk], 0A000h, b
    call free_blk
    STRATEGY 0
    ret

; ------------------------------------------------------------------ DOS_UMB on
umb_owned_by_dos:
    mov dx, 0FFFFh
    XMS 10h
    mov [size], dx
    XMS_ERR 'xms-umb-none-left-b1h', 0B1h
    CHECK_CMP 'xms-umb-none-left-dx', [size], 0, e
    les bx, [lol]
    mov ax, [es:bx + 66h]
    mov cl, [es:bx + 63h]
    push ds
    pop es
    CHECK_CMP 'lol-66h-9fffh', ax, 9FFFh, e
    mov al, cl
    xor ah, ah
    CHECK_CMP 'lol-63h-unlinked', ax, 0, e
    mov ax, 5802h
    int 21h
    mov ah, 0
    CHECK_CMP 'link-state-unlinked', ax, 0, e
    ; unlinked, the chain ends at DOS's "SC" block at 9FFFh
    call walk_chain
    jc .w1f
    cmp ax, 9FFFh
    jne .w1f
    push es
    mov es, ax
    cmp word [es:1], 8
    jne .w1p
    cmp word [es:8], 'SC'
.w1p:
    pop es
    je .w1ok
.w1f:
    FAIL 'chain-ends-at-9fffh-sc'
    jmp .w1d
.w1ok:
    PASS 'chain-ends-at-9fffh-sc'
.w1d:
    STRATEGY 80h
    CHECK_NC 'strategy-80h'
    call alloc_100h
    CHECK_CMP 'alloc-80h-unlinked-low', [blk], 0A000h, b
    call free_blk
    LINK 1
    CHECK_NC 'link-5803h'
    mov ax, 5802h
    int 21h
    mov ah, 0
    CHECK_CMP 'link-state-linked', ax, 1, e
    les bx, [lol]
    mov al, [es:bx + 63h]
    push ds
    pop es
    mov ah, 0
    CHECK_CMP 'lol-63h-linked', ax, 1, e
    ; linked, the chain runs on past 9FFFh into upper memory
    call walk_chain
    jc .w2f
    cmp ax, 0C800h
    jb .w2f
    cmp cx, 2
    jb .w2f
    PASS 'chain-through-umbs'
    jmp .w2d
.w2f:
    FAIL 'chain-through-umbs'
.w2d:
    ; high first: above A000h, RAM, ours
    call alloc_100h
    mov ax, [blk]
    INFO 'alloc-80h'
    CHECK_CMP 'alloc-80h-high', [blk], 0A000h, a
    mov ax, [blk]
    mov cx, 800h
    call pattern
    CHECK_Z 'umb-block-is-ram'
    push es
    mov ax, [blk]
    dec ax
    mov es, ax
    mov ax, [es:1]
    pop es
    CHECK_CMP 'umb-block-owner-psp', ax, [psp], e
    call free_blk
    CHECK_NC 'free-umb-block'
    ; high only: the largest UMB, and a UMB
    STRATEGY 40h
    CHECK_NC 'strategy-40h'
    mov ah, 48h
    mov bx, 0FFFFh
    int 21h
    mov [size], bx
    CHECK_ERR 'alloc-40h-too-much-8', 8
    CHECK_CMP 'alloc-40h-largest-is-a-umb', [size], 3000h, b
    CHECK_CMP 'alloc-40h-largest-not-0', [size], 0, ne
    call alloc_100h
    CHECK_CMP 'alloc-40h-high', [blk], 0A000h, a
    call free_blk
    ; low first: conventional memory, even linked
    STRATEGY 0
    call alloc_100h
    CHECK_CMP 'alloc-00h-low-while-linked', [blk], 0A000h, b
    call free_blk
    ; LOADHIGH's way: link, high first, allocate, put the link and the strategy back
    LINK 0
    mov ax, 5802h
    int 21h
    mov [saved_link], al
    mov ax, 5800h
    int 21h
    mov [saved_strategy], ax
    LINK 1
    STRATEGY 80h
    mov ah, 48h
    mov bx, 200h
    int 21h
    mov [blk], ax
    CHECK_NC 'loadhigh-allocate'
    movzx bx, byte [saved_link]
    mov ax, 5803h
    int 21h
    mov bx, [saved_strategy]
    mov ax, 5801h
    int 21h
    CHECK_CMP 'loadhigh-block-high', [blk], 0A000h, a
    mov ax, 5802h
    int 21h
    mov ah, 0
    CHECK_CMP 'loadhigh-link-put-back', ax, 0, e
    mov ax, 5800h
    int 21h
    CHECK_CMP 'loadhigh-strategy-put-back', ax, 0, e
    push es
    mov ax, [blk]
    dec ax
    mov es, ax
    mov ax, [es:1]
    pop es
    CHECK_CMP 'loadhigh-block-kept', ax, [psp], e
    call free_blk
    CHECK_NC 'free-umb-while-unlinked'
    mov bx, [strategy]
    mov ax, 5801h
    int 21h
    ret

; ------------------------------------------------------------------ DOS_HIGH off
dos_low:
    mov ax, 3306h
    int 21h
    mov al, dh
    and ax, 10h
    CHECK_CMP 'dos-low-3306h', ax, 0, e
    mov dx, 0FFFFh
    XMS 01h
    XMS_OK 'hma-for-programs'
    XMS 02h
    XMS_OK 'hma-release'
    push es
    mov ax, 4A01h
    int 2Fh
    mov ax, es
    pop es
    cmp bx, 0
    jne .nf
    cmp ax, 0FFFFh
    jne .nf
    cmp di, 0FFFFh
    jne .nf
    PASS 'hma-4a01h-none'
    jmp .nd
.nf:
    mov ax, bx
    FAIL 'hma-4a01h-none'
.nd:
    push es
    mov ax, 4A02h
    mov bx, 10h
    int 2Fh
    pop es
    CHECK_CMP 'hma-4a02h-refused', di, 0FFFFh, e
    ret

; ------------------------------------------------------------------ DOS_HIGH on
dos_high:
    mov ax, 3306h
    int 21h
    mov al, dh
    and ax, 10h
    CHECK_CMP 'dos-in-hma-3306h', ax, 10h, e
    mov dx, 0FFFFh
    XMS 01h
    XMS_ERR 'hma-in-use-91h', 91h
    XMS 07h
    XMS_OK 'a20-on'
    push es
    mov ax, 4A01h
    int 2Fh
    mov [hma_free], bx
    mov [hma_at], di
    mov ax, es
    pop es
    CHECK_CMP 'hma-4a01h-segment', ax, 0FFFFh, e
    CHECK_CMP 'hma-4a01h-free', [hma_free], 0, ne
    CHECK_CMP 'hma-4a01h-offset', [hma_at], 0FFFFh, ne
    mov ax, [hma_free]
    INFO 'hma-free'
    push es
    mov ax, 4A02h
    mov bx, 100h
    int 2Fh
    mov [size], bx
    mov ax, es
    mov cx, di
    pop es
    CHECK_CMP 'hma-4a02h-segment', ax, 0FFFFh, e
    CHECK_CMP 'hma-4a02h-offset', cx, [hma_at], e
    CHECK_CMP 'hma-4a02h-size', [size], 100h, e
    ; the block is above 1 MiB: a word written there reads back, and its alias 0000:(offset - 10h), where
    ; the write would land with A20 off, keeps its value
    push ds
    push es
    xor ax, ax
    mov ds, ax
    mov si, cx
    sub si, 10h
    mov ax, 0FFFFh
    mov es, ax
    mov di, cx
    mov ax, [si]
    not ax
    mov [es:di], ax
    xor bx, bx
    cmp [si], ax
    jne .no_alias
    inc bx
.no_alias:
    cmp [es:di], ax
    je .stuck
    inc bx
.stuck:
    pop es
    pop ds
    CHECK_CMP 'hma-block-above-1mib', bx, 0, e
    push es
    mov ax, 4A01h
    int 2Fh
    pop es
    mov ax, [hma_free]
    sub ax, 100h
    CHECK_CMP 'hma-free-shrinks', bx, ax, e
    ret

; ------------------------------------------------------------------ helpers

; 48h for 100h paragraphs: [blk] = the segment (0 on failure, with a FAIL line)
alloc_100h:
    mov ah, 48h
    mov bx, 100h
    int 21h
    jnc .ok
    FAIL 'allocate-48h'
    xor ax, ax
.ok:
    mov [blk], ax
    ret

; 49h of [blk] (CF as 49h left it)
free_blk:
    push es
    mov es, [blk]
    mov ah, 49h
    int 21h
    pop es
    ret

; fill CX words at AX:0 with a pattern and compare them back: ZF=1 when all read back
pattern:
    push es
    push cx
    mov es, ax
    xor di, di
    mov ax, 0A55Ah
    rep stosw
    pop cx
    xor di, di
    repe scasw
    pop es
    ret

; walk the MCB chain from the List of Lists: AX = the segment of its 'Z' MCB, CX = MCBs at or above A000h;
; CF set when it is broken (a signature neither 'M' nor 'Z', a wrap, or over 4000 blocks)
walk_chain:
    push bx
    push si
    push es
    les bx, [lol]
    mov ax, [es:bx - 2]
    xor cx, cx
    xor si, si
.next:
    inc si
    cmp si, 4000
    ja .bad
    mov es, ax
    cmp ax, 0A000h
    jb .low
    inc cx
.low:
    cmp byte [es:0], 'Z'
    je .done
    cmp byte [es:0], 'M'
    jne .bad
    add ax, [es:3]
    jc .bad
    inc ax
    jz .bad
    jmp .next
.done:
    clc
    jmp .out
.bad:
    stc
.out:
    pop es
    pop si
    pop bx
    ret

; INFO: `INFO name XXXX` with AX (the name follows the call)
info_ax:
    pushf
    pusha
    mov bp, sp
    mov si, [bp + 18]
    mov dx, info_txt
    mov cx, 5
    call __out_name
    mov [bp + 18], si
    mov ax, [bp + 14]
    mov di, __hexbuf + 4
    mov cx, 4
.hex:
    mov bx, ax
    and bx, 15
    mov bl, [cs:__hexdig + bx]
    mov [cs:di], bl
    dec di
    shr ax, 4
    loop .hex
    mov dx, __hexbuf
    mov cx, 5
    call __out
    mov dx, __crlf
    mov cx, 2
    call __out
    popa
    popf
    ret

info_txt:       db 'INFO '
xms_entry:      dd 0
lol:            dd 0
psp:            dw 0
strategy:       dw 0
saved_strategy: dw 0
saved_link:     db 0
want_umb:       db 0
want_high:      db 0
psp_only:       db 0
largest:        dw 0
umb:            dw 0
size:           dw 0
blk:            dw 0
hma_free:       dw 0
hma_at:         dw 0
                align 16
                times 512 db 0
stack_top:
