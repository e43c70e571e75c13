; build: nasm -f bin -o xmstest.com xmstest.asm
;
; xmstest.com - the XMS 3.0 driver (VXMS) as a DOS program uses it:
;   INT 2Fh AX=4300h (AL=80h: installed) and AX=4310h (the far-call entry in ES:BX), then through the
;   entry: 00h version, 08h/88h free memory before and after, 09h two 64 KB blocks, 0Bh moves
;   conventional -> block 1 -> block 2 -> conventional and a compare, an odd length refused (A7h),
;   0Ch lock (the linear address), 0Eh handle info, 0Ah refused while locked (ABh), 0Dh unlock, 0Fh grow
;   a block keeping its bytes, 0Ah free (twice: A2h), 89h/8Eh the 32-bit forms, 10h the largest UMB
;   (B0h: a smaller one than FFFFh paragraphs, DX its size; test/guests/umb has the rest), 01h/02h the HMA
;   (91h in use, 93h not allocated), 03h/04h/05h/06h/07h A20, checked by the wrap of FFFF:0500 onto
;   0000:04F0.
; Each check prints `PASS name` or `FAIL name XXXX` (XXXX = AX, or the error code in BL) to the debug
; console (port E9h) and to standard output; INFO lines report values. The exit code is the failure count.

    org 100h
    cpu 386

%macro PASS 1
    call report_pass
    db %1, 0
%endmacro

%macro FAIL 1
    call report_fail
    db %1, 0
%endmacro

%macro INFO 1
    call report_info
    db %1, 0
%endmacro

; XMS function %1 through the entry
%macro XMS 1
    mov ah, %1
    call far [xms_entry]
%endmacro

; CHECK_OK name: pass if AX=1, else fail with BL
%macro CHECK_OK 1
    cmp ax, 1
    jne %%f
    PASS %1
    jmp %%d
%%f:
    xor ax, ax
    mov al, bl
    FAIL %1
%%d:
%endmacro

; CHECK_ERR name, code: pass if AX=0 and BL=code, else fail with AX:BL as AH=AL(AX) AL=BL
%macro CHECK_ERR 2
    cmp ax, 0
    jne %%f
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

PATTERN_LEN equ 4096

start:
    cld
    ; ------------------------------------------------------------ detection
    mov ax, 4300h
    int 2Fh
    cmp al, 80h
    je .installed
    FAIL 'detect-4300h'
    jmp finish
.installed:
    PASS 'detect-4300h'
    push es
    mov ax, 4310h
    int 2Fh
    mov [xms_entry], bx
    mov [xms_entry + 2], es
    pop es
    mov ax, [xms_entry + 2]
    or ax, [xms_entry]
    jnz .entry
    FAIL 'entry-4310h'
    jmp finish
.entry:
    mov ax, [xms_entry + 2]
    mov dx, [xms_entry]
    INFO 'entry'
    PASS 'entry-4310h'

    ; ------------------------------------------------------------ 00h version
    XMS 00h
    INFO 'version'
    cmp ax, 0300h
    jne .badver
    PASS 'version-0300'
    jmp .ver_done
.badver:
    FAIL 'version-0300'
.ver_done:
    cmp dx, 1
    je .hma_exists
    mov ax, dx
    FAIL 'version-hma-exists'
    jmp .free_before
.hma_exists:
    PASS 'version-hma-exists'

    ; ------------------------------------------------------------ 08h free memory
.free_before:
    XMS 08h
    mov [free_largest], ax
    mov [free_total], dx
    INFO 'free-before'
    test ax, ax
    jz .nofree
    cmp dx, ax
    jb .nofree
    PASS 'query-free'
    jmp .alloc
.nofree:
    FAIL 'query-free'

    ; ------------------------------------------------------------ 09h allocate two blocks
.alloc:
    mov dx, 64
    XMS 09h
    mov [handle1], dx
    CHECK_OK 'alloc-block-1'
    mov dx, 64
    XMS 09h
    mov [handle2], dx
    CHECK_OK 'alloc-block-2'
    mov ax, [handle1]
    mov dx, [handle2]
    INFO 'handles'
    cmp ax, dx
    jne .distinct
    FAIL 'handles-distinct'
    jmp .free_after
.distinct:
    PASS 'handles-distinct'
.free_after:
    XMS 08h
    INFO 'free-after-alloc'
    mov ax, [free_total]
    sub ax, 128
    cmp dx, ax
    jne .free_after_bad
    PASS 'free-after-alloc'
    jmp .moves
.free_after_bad:
    mov ax, dx
    FAIL 'free-after-alloc'

    ; ------------------------------------------------------------ 0Bh moves
.moves:
    mov di, pattern
    mov cx, PATTERN_LEN
    xor bx, bx
.fill:
    mov al, bl
    imul ax, ax, 7                    ; a pattern no two pages share: (i * 7 + i >> 8) & 255
    add al, bh
    stosb
    inc bx
    loop .fill

    ; conventional -> block 1 at offset 0
    mov dword [mv_len], PATTERN_LEN
    mov word [mv_src_handle], 0
    mov word [mv_src_off], pattern
    mov [mv_src_off + 2], ds
    mov ax, [handle1]
    mov [mv_dst_handle], ax
    mov dword [mv_dst_off], 0
    mov si, move_struct
    XMS 0Bh
    CHECK_OK 'move-conv-to-emb'

    ; block 1 at 0 -> block 2 at 1000h
    mov ax, [handle1]
    mov [mv_src_handle], ax
    mov dword [mv_src_off], 0
    mov ax, [handle2]
    mov [mv_dst_handle], ax
    mov dword [mv_dst_off], 1000h
    mov si, move_struct
    XMS 0Bh
    CHECK_OK 'move-emb-to-emb'

    ; block 2 at 1000h -> copy buffer
    call copy_back
    CHECK_OK 'move-emb-to-conv'
    call compare
    jne .differ
    PASS 'move-compare'
    jmp .odd
.differ:
    FAIL 'move-compare'

    ; an odd length is refused with A7h
.odd:
    mov dword [mv_len], 3
    mov si, move_struct
    XMS 0Bh
    CHECK_ERR 'move-odd-length', 0A7h
    ; beyond the block's end: A7h too
    mov dword [mv_len], 65536
    mov si, move_struct
    XMS 0Bh
    CHECK_ERR 'move-past-end', 0A7h
    ; an unknown source handle: A3h
    mov dword [mv_len], 2
    mov word [mv_src_handle], 7777h
    mov si, move_struct
    XMS 0Bh
    CHECK_ERR 'move-bad-source-handle', 0A3h

    ; ------------------------------------------------------------ 0Ch lock, 0Eh info, 0Dh unlock
    mov dx, [handle1]
    XMS 0Ch
    mov [lock_lo], bx
    mov [lock_hi], dx
    CHECK_OK 'lock'
    mov ax, [lock_hi]
    mov dx, [lock_lo]
    INFO 'lock-address'
    cmp word [lock_hi], 0011h
    jae .lock_high
    FAIL 'lock-above-hma'
    jmp .info
.lock_high:
    PASS 'lock-above-hma'
.info:
    mov dx, [handle1]
    XMS 0Eh
    cmp ax, 1
    jne .info_bad
    cmp bh, 1
    jne .info_bad
    cmp dx, 64
    jne .info_bad
    PASS 'handle-info'
    jmp .free_locked
.info_bad:
    mov ax, bx
    FAIL 'handle-info'
.free_locked:
    mov dx, [handle1]
    XMS 0Ah
    CHECK_ERR 'free-locked-refused', 0ABh
    mov dx, [handle1]
    XMS 0Dh
    CHECK_OK 'unlock'
    mov dx, [handle1]
    XMS 0Dh
    CHECK_ERR 'unlock-not-locked', 0AAh

    ; ------------------------------------------------------------ 0Fh grow block 2, keeping its bytes
    mov dx, [handle1]                 ; free block 1 first, so block 2 may move or grow in place
    XMS 0Ah
    CHECK_OK 'free-block-1'
    mov dx, [handle2]
    mov bx, 256
    XMS 0Fh
    CHECK_OK 'realloc-grow'
    mov di, copy
    mov cx, PATTERN_LEN
    xor al, al
    rep stosb
    call copy_back
    CHECK_OK 'realloc-move-back'
    call compare
    jne .realloc_differ
    PASS 'realloc-keeps-data'
    jmp .free2
.realloc_differ:
    FAIL 'realloc-keeps-data'
.free2:
    mov dx, [handle2]
    XMS 0Ah
    CHECK_OK 'free-block-2'
    mov dx, [handle2]
    XMS 0Ah
    CHECK_ERR 'free-twice-refused', 0A2h
    XMS 08h
    INFO 'free-after-free'
    cmp dx, [free_total]
    jne .not_restored
    PASS 'free-restored'
    jmp .xms32
.not_restored:
    mov ax, dx
    FAIL 'free-restored'

    ; ------------------------------------------------------------ 32-bit forms
.xms32:
    XMS 88h
    cmp eax, 0FFFFh
    ja .q32_skip                      ; more than 64 MB: 08h saturates, do not compare
    cmp ax, [free_largest]
    jne .q32_bad
.q32_skip:
    cmp bl, 0
    jne .q32_bad
    PASS 'query-free-88h'
    jmp .a32
.q32_bad:
    FAIL 'query-free-88h'
.a32:
    mov edx, 16
    XMS 89h
    mov [handle1], dx
    CHECK_OK 'alloc-89h'
    mov dx, [handle1]
    XMS 8Eh
    cmp ax, 1
    jne .i32_bad
    cmp edx, 16
    jne .i32_bad
    PASS 'handle-info-8Eh'
    jmp .f32
.i32_bad:
    FAIL 'handle-info-8Eh'
.f32:
    mov dx, [handle1]
    XMS 0Ah
    CHECK_OK 'free-89h-block'

    ; ------------------------------------------------------------ UMBs: FFFFh paragraphs is more than
    ; any; B0h says a smaller one is there, DX its size (DOS_UMB is off: they are the programs')
    mov dx, 0FFFFh
    XMS 10h
    or ax, ax
    jnz .umb_bad
    cmp bl, 0B0h
    jne .umb_bad
    or dx, dx
    jz .umb_bad
    PASS 'umb-largest'
    INFO 'umb-largest'
    jmp .umb_done
.umb_bad:
    mov ah, al
    mov al, bl
    FAIL 'umb-largest'
.umb_done:

    ; ------------------------------------------------------------ 01h/02h the HMA
    mov dx, 0FFFFh
    XMS 01h
    CHECK_OK 'hma-request'
    mov dx, 0FFFFh
    XMS 01h
    CHECK_ERR 'hma-in-use', 91h
    XMS 02h
    CHECK_OK 'hma-release'
    XMS 02h
    CHECK_ERR 'hma-release-twice', 93h

    ; ------------------------------------------------------------ A20
    XMS 07h
    mov [a20_initial], al
    INFO 'a20-initial'
    XMS 03h
    CHECK_OK 'a20-global-enable'
    XMS 07h
    cmp ax, 1
    jne .a20_on_bad
    PASS 'a20-query-on'
    jmp .nowrap
.a20_on_bad:
    FAIL 'a20-query-on'
.nowrap:
    call check_wrap
    je .wrapped_on
    PASS 'a20-on-no-wrap'
    jmp .gdisable
.wrapped_on:
    FAIL 'a20-on-no-wrap'
.gdisable:
    XMS 04h
    CHECK_OK 'a20-global-disable'
    XMS 07h
    cmp ax, 0
    jne .a20_off_bad
    PASS 'a20-query-off'
    jmp .wrap
.a20_off_bad:
    FAIL 'a20-query-off'
.wrap:
    call check_wrap
    jne .nowrap_off
    PASS 'a20-off-wraps'
    jmp .local
.nowrap_off:
    FAIL 'a20-off-wraps'
.local:
    XMS 05h
    CHECK_OK 'a20-local-enable'
    XMS 05h
    CHECK_OK 'a20-local-enable-2'
    XMS 06h
    CHECK_ERR 'a20-local-disable-still-on', 94h
    call check_wrap
    je .local_wrapped
    PASS 'a20-local-no-wrap'
    jmp .local2
.local_wrapped:
    FAIL 'a20-local-no-wrap'
.local2:
    XMS 06h
    CHECK_OK 'a20-local-disable'
    call check_wrap
    jne .local_nowrap
    PASS 'a20-local-off-wraps'
    jmp .restore
.local_nowrap:
    FAIL 'a20-local-off-wraps'
.restore:
    cmp byte [a20_initial], 0
    je finish
    XMS 03h                          ; leave A20 as DOS had it

finish:
    mov al, [failures]
    mov ah, 4Ch
    int 21h

; ---------------------------------------------------------------- helpers

; Move PATTERN_LEN bytes from block 2 at 1000h into `copy`; AX/BL as the driver left them.
copy_back:
    mov dword [mv_len], PATTERN_LEN
    mov ax, [handle2]
    mov [mv_src_handle], ax
    mov dword [mv_src_off], 1000h
    mov word [mv_dst_handle], 0
    mov word [mv_dst_off], copy
    mov [mv_dst_off + 2], ds
    mov si, move_struct
    XMS 0Bh
    ret

; ZF=1 when `copy` equals `pattern`.
compare:
    push si
    push di
    push cx
    mov si, pattern
    mov di, copy
    mov cx, PATTERN_LEN
    repe cmpsb
    pop cx
    pop di
    pop si
    ret

; ZF=1 when FFFF:0500 is 0000:04F0 (A20 off: the address wraps at 1 MB).
check_wrap:
    push ds
    push es
    push ax
    xor ax, ax
    mov ds, ax
    mov ax, 0FFFFh
    mov es, ax
    cli
    mov word [ds:04F0h], 1234h
    mov word [es:0500h], 5678h
    mov ax, [ds:04F0h]
    sti
    cmp ax, 5678h
    pop ax
    pop es
    pop ds
    ret

; PASS/FAIL/INFO: the name follows the call; FAIL adds AX in hex, INFO adds AX and DX.
report_pass:
    push bp
    mov bp, sp
    pusha
    mov si, msg_pass
    call puts
    jmp report_name

report_fail:
    push bp
    mov bp, sp
    pusha
    inc byte [failures]
    mov si, msg_fail
    call puts
    mov si, [bp + 2]
    call puts
    mov [bp + 2], si
    mov al, ' '
    call putc
    mov ax, [bp - 2]                  ; AX as pusha saved it
    call puthex
    jmp report_end

report_info:
    push bp
    mov bp, sp
    pusha
    mov si, msg_info
    call puts
    mov si, [bp + 2]
    call puts
    mov [bp + 2], si
    mov al, ' '
    call putc
    mov ax, [bp - 2]
    call puthex
    mov al, ' '
    call putc
    mov ax, [bp - 6]                  ; DX
    call puthex
    jmp report_end

report_name:
    mov si, [bp + 2]
    call puts
    mov [bp + 2], si
report_end:
    mov al, 13
    call putc_dos
    mov al, 10
    call putc
    popa
    pop bp
    ret

; Print the zero-terminated string at SI; SI ends past the zero.
puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

; AX as four hex digits.
puthex:
    mov cx, 4
.digit:
    rol ax, 4
    push ax
    and al, 0Fh
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '0' - 10
.out:
    call putc
    pop ax
    loop .digit
    ret

; One character to the debug console and to standard output.
putc:
    out 0E9h, al
putc_dos:
    push ax
    push dx
    mov dl, al
    mov ah, 02h
    int 21h
    pop dx
    pop ax
    ret

; ---------------------------------------------------------------- data
msg_pass db 'PASS ', 0
msg_fail db 'FAIL ', 0
msg_info db 'INFO ', 0
failures db 0
a20_initial db 0
xms_entry dd 0
handle1 dw 0
handle2 dw 0
free_largest dw 0
free_total dw 0
lock_lo dw 0
lock_hi dw 0

move_struct:
mv_len dd 0
mv_src_handle dw 0
mv_src_off dd 0
mv_dst_handle dw 0
mv_dst_off dd 0

align 16
pattern times PATTERN_LEN db 0
copy times PATTERN_LEN db 0
