; build: nasm -f bin -o memory.com memory.asm
;
; memory.com - INT 21h memory functions as DOS 5 defines them:
;   4Ah shrink the program's own block (a .COM owns all memory at start), 48h allocate (its MCB
;   says 'M', owner = our PSP, size as asked), write and read back the whole block, 4Ah grow it in
;   place (contents kept) and shrink it, 4Ah grow beyond memory -> 8 with BX = the most possible,
;   48h BX=FFFFh -> 8 with BX = the largest block (which shrinks by size+1 after an allocation),
;   49h free, 49h of a segment that has no MCB -> 9, 58h get/set strategy (last fit gives a higher
;   segment than first fit; the strategy reads back), and the MCB chain from 52h (word at ES:BX-2):
;   every block says 'M' until one 'Z', sizes chain up, and our PSP's and allocated blocks are in it.
; One line per check (PASS name / FAIL name AX-in-hex); exit code = number of failures.
bits 16
cpu 386
org 0x100
%include "dostest.inc"

    mov sp, stack_top
    mov [psp], es
    ; ---- 4Ah shrink own block
    mov ah, 0x4a
    mov bx, (stack_top - $$ + 0x100 + 15) / 16
    int 0x21
    CHECK_NC 'shrink-own-block-4Ah'

    ; ---- largest free block
    mov ah, 0x48
    mov bx, 0xffff
    int 0x21
    CHECK_ERR 'allocate-too-much-8', 8
    mov [largest], bx
    cmp bx, 0x1000
    jae .lgok
    mov ax, bx
    FAIL 'largest-block-sane'
    jmp .lgd
.lgok:
    PASS 'largest-block-sane'
.lgd:

    ; ---- 48h allocate and use it
    mov ah, 0x48
    mov bx, 0x100
    int 0x21
    CHECK_NC 'allocate-48h'
    mov [blk], ax
    dec ax
    mov es, ax
    CHECK_EQB 'allocated-mcb-signature-M', [es:0], 'M'
    mov ax, [psp]
    CHECK_EQW 'allocated-mcb-owner-psp', [es:1], ax
    CHECK_EQW 'allocated-mcb-size', [es:3], 0x100
    mov ah, 0x48
    mov bx, 0xffff
    int 0x21
    mov ax, [largest]
    sub ax, 0x101
    CHECK_EQW 'largest-shrinks-by-size-plus-1', bx, ax
    mov es, [blk]
    xor di, di
    mov cx, 0x800                  ; 0x100 paragraphs = 0x800 words
    mov ax, 0x5a5a
    cld
    rep stosw
    xor di, di
    mov cx, 0x800
    repe scasw
    mov ax, cx
    CHECK_Z 'block-write-read'

    ; ---- 4Ah grow / shrink the allocated block
    mov ah, 0x4a
    mov es, [blk]
    mov bx, 0x200
    int 0x21
    CHECK_NC 'grow-block-4Ah'
    mov es, [blk]
    xor di, di
    mov cx, 0x800
    mov ax, 0x5a5a
    repe scasw
    mov ax, cx
    CHECK_Z 'grow-keeps-contents'
    mov ax, [blk]
    dec ax
    mov es, ax
    CHECK_EQW 'grown-mcb-size', [es:3], 0x200
    mov ah, 0x4a
    mov es, [blk]
    mov bx, 0xfff0
    int 0x21
    CHECK_ERR 'grow-too-much-8', 8
    mov ax, [largest]
    CHECK_EQW 'grow-too-much-bx-max', bx, ax
    mov ah, 0x4a
    mov es, [blk]
    mov bx, 0x80
    int 0x21
    CHECK_NC 'shrink-block-4Ah'
    mov ax, [blk]
    dec ax
    mov es, ax
    CHECK_EQW 'shrunk-mcb-size', [es:3], 0x80
    mov ax, [blk]                  ; the rest became a free block
    add ax, 0x80
    mov es, ax
    CHECK_EQW 'split-off-block-free', [es:1], 0

    ; ---- walk the MCB chain
    mov ah, 0x52
    int 0x21
    mov ax, [es:bx-2]
    xor bp, bp                     ; bit0 PSP block found, bit1 allocated block found
    xor si, si                     ; blocks
.walk:
    mov es, ax
    inc si
    cmp si, 2000
    ja .walkbad
    mov dx, ax
    inc dx
    cmp dx, [psp]
    jne .w1
    or bp, 1
.w1:
    cmp dx, [blk]
    jne .w2
    or bp, 2
.w2:
    cmp byte [es:0], 'Z'
    je .walkend
    cmp byte [es:0], 'M'
    jne .walkbad
    add ax, [es:3]
    jc .walkbad
    inc ax
    jmp .walk
.walkbad:
    FAIL 'mcb-chain-signatures'
    jmp .walkdone
.walkend:
    PASS 'mcb-chain-signatures'
    CHECK_EQW 'mcb-chain-has-psp-and-block', bp, 3
    add ax, [es:3]
    inc ax
    cmp ax, 0x9000                 ; the last block ends near the top of conventional memory
    jae .topok
    FAIL 'mcb-chain-reaches-top'
    jmp .walkdone
.topok:
    PASS 'mcb-chain-reaches-top'
.walkdone:

    ; ---- 49h free, bogus free
    mov es, [blk]
    xor di, di
    mov cx, 0x400
    xor ax, ax
    rep stosw                      ; zeros: no MCB signature inside
    mov ax, [blk]
    add ax, 0x20
    mov es, ax
    mov ah, 0x49
    int 0x21
    CHECK_ERR 'free-bogus-segment-9', 9
    mov es, [blk]
    mov ah, 0x49
    int 0x21
    CHECK_NC 'free-49h'
    mov ah, 0x48
    mov bx, 0xffff
    int 0x21
    mov ax, [largest]
    CHECK_EQW 'free-restores-largest', bx, ax

    ; ---- 58h strategy
    mov ax, 0x5800
    int 0x21
    CHECK_NC 'get-strategy-58h'
    and ax, 0xff
    CHECK_EQW 'default-strategy-first-fit', ax, 0
    mov ax, 0x5801
    mov bx, 2
    int 0x21
    CHECK_NC 'set-strategy-last-fit'
    mov ax, 0x5800
    int 0x21
    and ax, 0xff
    CHECK_EQW 'strategy-reads-back', ax, 2
    mov ah, 0x48
    mov bx, 0x10
    int 0x21
    mov [blk_last], ax
    mov ax, 0x5801
    xor bx, bx
    int 0x21
    mov ah, 0x48
    mov bx, 0x10
    int 0x21
    mov [blk_first], ax
    mov ax, [blk_last]
    cmp ax, [blk_first]
    ja .lfok
    FAIL 'last-fit-above-first-fit'
    jmp .lfd
.lfok:
    PASS 'last-fit-above-first-fit'
.lfd:
    mov es, [blk_last]
    mov ah, 0x49
    int 0x21
    mov es, [blk_first]
    mov ah, 0x49
    int 0x21
    mov ah, 0x48
    mov bx, 0xffff
    int 0x21
    mov ax, [largest]
    CHECK_EQW 'all-freed-largest-back', bx, ax

    FINISH

psp:       dw 0
blk:       dw 0
blk_last:  dw 0
blk_first: dw 0
largest:   dw 0
           align 16
           times 512 db 0
stack_top:
