; build: nasm -f bin -o fcbtest.com fcbtest.asm
;
; fcbtest.com - the INT 21h FCB file functions as MS-DOS 5 defines them, on the current drive:
;   16h create (record size 128, drive byte filled in), 15h sequential write (current record advances,
;   file size field), 10h close, 0Fh open, 14h sequential read, 21h random read (current record set from
;   the random record; EOF -> 01h), 22h random write, 24h set random record, 28h random block write,
;   23h file size in records (rounded up), 27h random block read (EOF after whole records -> 01h with CX),
;   a partial record (03h, zero-padded), segment wrap in the DTA (02h), the current record carrying
;   into the current block, an FCB whose reserved bytes were wiped (reopened by name), 70 FCBs open at
;   once (more than the kernel keeps open: the oldest is reopened by name), 11h/12h find first/next with '?' wildcards (drive byte + directory entry in
;   the DTA), 17h rename with '?' in the new name (keeps the old characters; an existing name -> FFh),
;   13h delete with wildcards, extended FCBs with the hidden attribute (create, find, open; a normal FCB
;   does not see the file).
; Leaves FCBDATA.DAT (A*32 b*32 C*32 D*32 E*32 F*32) and HIDDEN.DAT (H*128) behind.
; One line per check through AH=09h (PASS name / FAIL name AX-in-hex); exit code = number of failures.
bits 16
cpu 386
org 0x100

    jmp start

; ---- reporting
%macro PASS 1
    call rpass
    db %1, '$'
%endmacro

%macro FAIL 1
    call rfail
    db %1, '$'
%endmacro

; CHECK_AL name, value - pass if AL = value, else fail with AX
%macro CHECK_AL 2
    cmp al, %2
    jne %%f
    PASS %1
    jmp %%d
%%f:
    FAIL %1
%%d:
%endmacro

; CHECK_EQW name, operand, value
%macro CHECK_EQW 3
    cmp word %2, %3
    jne %%f
    PASS %1
    jmp %%d
%%f:
    push ax
    mov ax, %2
    FAIL %1
    pop ax
%%d:
%endmacro

; CHECK_EQB name, operand, value
%macro CHECK_EQB 3
    cmp byte %2, %3
    jne %%f
    PASS %1
    jmp %%d
%%f:
    push ax
    mov al, %2
    xor ah, ah
    FAIL %1
    pop ax
%%d:
%endmacro

; CHECK_MEM name, a, b, n - pass if the n bytes at a and b are equal
%macro CHECK_MEM 4
    mov si, %2
    mov di, %3
    mov cx, %4
    repe cmpsb
    jne %%f
    PASS %1
    jmp %%d
%%f:
    mov ax, cx
    FAIL %1
%%d:
%endmacro

; DOS fn, DX = fcb
%macro FCBCALL 2
    mov ah, %1
    mov dx, %2
    int 0x21
%endmacro

failures: db 0
hexbuf:   db ' 0000', 13, 10, '$'
crlf:     db 13, 10, '$'
pass_txt: db 'PASS $'
fail_txt: db 'FAIL $'
hexdig:   db '0123456789ABCDEF'

; print the inline '$'-terminated name after the caller's CALL; SI -> name, returns SI past it
print_name:
    mov dx, si
    mov ah, 0x09
    int 0x21
.skip:
    lodsb
    cmp al, '$'
    jne .skip
    ret

rpass:
    pushf
    pusha
    mov bp, sp
    mov dx, pass_txt
    mov ah, 0x09
    int 0x21
    mov si, [bp+18]
    call print_name
    mov [bp+18], si
    mov dx, crlf
    mov ah, 0x09
    int 0x21
    popa
    popf
    ret

rfail:
    pushf
    pusha
    mov bp, sp
    inc byte [failures]
    mov dx, fail_txt
    mov ah, 0x09
    int 0x21
    mov si, [bp+18]
    call print_name
    mov [bp+18], si
    mov ax, [bp+14]            ; the caller's AX
    mov di, hexbuf + 4
    mov cx, 4
.hex:
    mov bx, ax
    and bx, 15
    mov bl, [hexdig + bx]
    mov [di], bl
    dec di
    shr ax, 4
    loop .hex
    mov dx, hexbuf
    mov ah, 0x09
    int 0x21
    popa
    popf
    ret

; fill the DTA buffer: AL = byte, CX = count, at DI
fill:
    push es
    push ds
    pop es
    rep stosb
    pop es
    ret

; copy 11 bytes of name from SI into the FCB at DI+1 and clear the rest of the FCB (drive 0)
setname:
    push di
    mov byte [di], 0
    inc di
    mov cx, 11
    rep movsb
    xor al, al
    mov cx, 37 - 12
    rep stosb
    pop di
    ret

start:
    cld
    mov ah, 0x1a
    mov dx, dta
    int 0x21

    ; ---- 16h create
    mov si, n_data
    mov di, fcb1
    call setname
    FCBCALL 0x16, fcb1
    CHECK_AL 'create-16h', 0
    CHECK_EQW 'create-recsize', [fcb1+0x0e], 128
    CHECK_EQB 'create-drive', [fcb1], 3
    CHECK_EQW 'create-size', [fcb1+0x10], 0

    ; ---- 15h sequential write: four records of 32 bytes 'A'..'D'
    mov word [fcb1+0x0e], 32
    mov word [fcb1+0x0c], 0
    mov byte [fcb1+0x20], 0
    mov byte [letter], 'A'
.wr:
    mov al, [letter]
    mov di, dta
    mov cx, 32
    call fill
    FCBCALL 0x15, fcb1
    cmp al, 0
    jne .wrfail
    inc byte [letter]
    cmp byte [letter], 'E'
    jne .wr
    PASS 'seq-write-15h'
    jmp .wrdone
.wrfail:
    FAIL 'seq-write-15h'
.wrdone:
    CHECK_EQB 'seq-write-currec', [fcb1+0x20], 4
    CHECK_EQW 'seq-write-size', [fcb1+0x10], 128

    ; ---- 10h close, 0Fh open
    FCBCALL 0x10, fcb1
    CHECK_AL 'close-10h', 0
    mov si, n_data
    mov di, fcb1
    call setname
    FCBCALL 0x0f, fcb1
    CHECK_AL 'open-0Fh', 0
    CHECK_EQW 'open-recsize', [fcb1+0x0e], 128
    CHECK_EQW 'open-size', [fcb1+0x10], 128
    CHECK_EQW 'open-block', [fcb1+0x0c], 0
    mov si, n_missing
    mov di, fcb2
    call setname
    FCBCALL 0x0f, fcb2
    CHECK_AL 'open-missing', 0xff

    ; ---- 14h sequential read
    mov word [fcb1+0x0e], 32
    mov byte [fcb1+0x20], 0
    FCBCALL 0x14, fcb1
    CHECK_AL 'seq-read-14h', 0
    CHECK_EQB 'seq-read-data1', [dta+31], 'A'
    FCBCALL 0x14, fcb1
    CHECK_AL 'seq-read-14h-2', 0
    CHECK_EQB 'seq-read-data2', [dta], 'B'
    CHECK_EQB 'seq-read-currec', [fcb1+0x20], 2

    ; ---- 21h random read
    mov dword [fcb1+0x21], 3
    FCBCALL 0x21, fcb1
    CHECK_AL 'random-read-21h', 0
    CHECK_EQB 'random-read-data', [dta], 'D'
    CHECK_EQB 'random-read-currec', [fcb1+0x20], 3
    CHECK_EQW 'random-read-keeps-rr', [fcb1+0x21], 3
    mov dword [fcb1+0x21], 4
    FCBCALL 0x21, fcb1
    CHECK_AL 'random-read-eof', 1

    ; ---- 22h random write
    mov al, 'b'
    mov di, dta
    mov cx, 32
    call fill
    mov dword [fcb1+0x21], 1
    FCBCALL 0x22, fcb1
    CHECK_AL 'random-write-22h', 0
    mov byte [dta], 0
    mov dword [fcb1+0x21], 1
    FCBCALL 0x21, fcb1
    CHECK_EQB 'random-write-readback', [dta+5], 'b'

    ; ---- 24h set random record
    mov word [fcb1+0x0c], 0
    mov byte [fcb1+0x20], 5
    mov dword [fcb1+0x21], 0xffffffff
    FCBCALL 0x24, fcb1
    CHECK_EQW 'set-random-24h', [fcb1+0x21], 5
    mov word [fcb1+0x0c], 2
    mov byte [fcb1+0x20], 1
    FCBCALL 0x24, fcb1
    CHECK_EQW 'set-random-block', [fcb1+0x21], 257

    ; ---- 28h random block write: records 4 and 5 ('E', 'F')
    mov al, 'E'
    mov di, dta
    mov cx, 32
    call fill
    mov al, 'F'
    mov cx, 32
    call fill
    mov dword [fcb1+0x21], 4
    mov cx, 2
    FCBCALL 0x28, fcb1
    CHECK_AL 'block-write-28h', 0
    CHECK_EQW 'block-write-count', cx, 2
    CHECK_EQW 'block-write-rr', [fcb1+0x21], 6
    CHECK_EQB 'block-write-currec', [fcb1+0x20], 6
    CHECK_EQW 'block-write-size', [fcb1+0x10], 192

    ; ---- 23h file size in records (an unopened FCB)
    mov si, n_data
    mov di, fcb2
    call setname
    mov word [fcb2+0x0e], 32
    FCBCALL 0x23, fcb2
    CHECK_AL 'file-size-23h', 0
    CHECK_EQW 'file-size-records', [fcb2+0x21], 6
    mov word [fcb2+0x0e], 100
    FCBCALL 0x23, fcb2
    CHECK_EQW 'file-size-rounded', [fcb2+0x21], 2
    mov si, n_missing
    mov di, fcb2
    call setname
    mov word [fcb2+0x0e], 32
    FCBCALL 0x23, fcb2
    CHECK_AL 'file-size-missing', 0xff

    ; ---- 27h random block read: from record 3, ask 5, get 3 (D E F), EOF
    mov di, dta
    mov al, 0
    mov cx, 256
    call fill
    mov dword [fcb1+0x21], 3
    mov cx, 5
    FCBCALL 0x27, fcb1
    CHECK_AL 'block-read-27h', 1
    CHECK_EQW 'block-read-count', cx, 3
    CHECK_EQB 'block-read-data1', [dta], 'D'
    CHECK_EQB 'block-read-data2', [dta+32], 'E'
    CHECK_EQB 'block-read-data3', [dta+95], 'F'
    CHECK_EQW 'block-read-rr', [fcb1+0x21], 6
    mov dword [fcb1+0x21], 0
    mov cx, 2
    FCBCALL 0x27, fcb1
    CHECK_AL 'block-read-all', 0
    CHECK_EQW 'block-read-all-count', cx, 2
    CHECK_EQB 'block-read-all-data', [dta+32], 'b'

    ; ---- partial record: record size 50, record 3 = bytes 150-191 (42 bytes), zero-padded
    mov di, dta
    mov al, 0xee
    mov cx, 64
    call fill
    mov word [fcb1+0x0e], 50
    mov dword [fcb1+0x21], 3
    FCBCALL 0x21, fcb1
    CHECK_AL 'read-partial', 3
    CHECK_EQB 'read-partial-data', [dta+41], 'F'
    CHECK_EQB 'read-partial-pad', [dta+42], 0
    CHECK_EQB 'read-partial-pad-end', [dta+49], 0
    CHECK_EQB 'read-partial-beyond', [dta+50], 0xee

    ; ---- segment wrap: the DTA at DS:FFF0, a 32-byte record
    mov ah, 0x1a
    mov dx, 0xfff0
    int 0x21
    mov word [fcb1+0x0e], 32
    mov dword [fcb1+0x21], 0
    FCBCALL 0x21, fcb1
    CHECK_AL 'segment-wrap', 2
    mov ah, 0x1a
    mov dx, dta
    int 0x21

    ; ---- reserved bytes wiped: the FCB is reopened by name
    mov dword [fcb1+0x18], 0
    mov dword [fcb1+0x1c], 0x12345678
    mov dword [fcb1+0x21], 2
    FCBCALL 0x21, fcb1
    CHECK_AL 'reopen-by-name', 0
    CHECK_EQB 'reopen-data', [dta], 'C'
    ; ---- the record number carries into the current block: record 127 of size 1, then block 1 record 0
    mov word [fcb1+0x0e], 1
    mov word [fcb1+0x0c], 0
    mov byte [fcb1+0x20], 127
    FCBCALL 0x14, fcb1
    CHECK_AL 'seq-block-carry', 0
    CHECK_EQB 'seq-block-carry-data', [dta], 'D'
    CHECK_EQW 'seq-block-carry-block', [fcb1+0x0c], 1
    CHECK_EQB 'seq-block-carry-currec', [fcb1+0x20], 0
    FCBCALL 0x10, fcb1
    CHECK_AL 'close-2', 0

    ; ---- 70 FCBs open on one file (more than the kernel keeps): the first still reads, reopened by name
    mov word [count], 0
    mov bx, many
.open_many:
    mov si, n_data
    mov di, bx
    call setname
    push bx
    mov ah, 0x0f
    mov dx, bx
    int 0x21
    pop bx
    cmp al, 0
    jne .many_fail
    add bx, 40
    inc word [count]
    cmp word [count], 70
    jne .open_many
    PASS 'open-70'
    jmp .many_done
.many_fail:
    FAIL 'open-70'
.many_done:
    mov word [many+0x0e], 32
    mov dword [many+0x21], 5
    FCBCALL 0x21, many
    CHECK_AL 'evicted-read', 0
    CHECK_EQB 'evicted-data', [dta], 'F'
    mov word [many+69*40+0x0e], 32
    mov dword [many+69*40+0x21], 0
    FCBCALL 0x21, many+69*40
    CHECK_EQB 'last-open-data', [dta], 'A'
    mov word [count], 0
    mov bx, many
.close_many:
    push bx
    mov ah, 0x10
    mov dx, bx
    int 0x21
    pop bx
    add bx, 40
    inc word [count]
    cmp word [count], 70
    jne .close_many

    ; ---- two more files for find, rename and delete
    mov si, n_x1
    mov di, fcb2
    call setname
    FCBCALL 0x16, fcb2
    CHECK_AL 'create-x1', 0
    mov word [fcb2+0x0e], 10
    mov al, 'x'
    mov di, dta
    mov cx, 10
    call fill
    FCBCALL 0x15, fcb2
    FCBCALL 0x10, fcb2
    mov si, n_x2
    mov di, fcb2
    call setname
    FCBCALL 0x16, fcb2
    CHECK_AL 'create-x2', 0
    FCBCALL 0x10, fcb2

    ; ---- 11h/12h find first/next with '?'
    mov si, n_xwild
    mov di, fcbs
    call setname
    FCBCALL 0x11, fcbs
    CHECK_AL 'find-first-11h', 0
    CHECK_EQB 'find-first-drive', [dta], 3
    CHECK_MEM 'find-first-name', dta+1, n_x1, 11
    CHECK_EQW 'find-first-size', [dta+1+0x1c], 10
    CHECK_EQB 'find-first-attr', [dta+1+0x0b], 0x20
    FCBCALL 0x12, fcbs
    CHECK_AL 'find-next-12h', 0
    CHECK_MEM 'find-next-name', dta+1, n_x2, 11
    FCBCALL 0x12, fcbs
    CHECK_AL 'find-next-end', 0xff
    mov si, n_missing
    mov di, fcbs
    call setname
    FCBCALL 0x11, fcbs
    CHECK_AL 'find-first-none', 0xff

    ; ---- 17h rename: FCBX?.TMP -> ????????.OLD
    mov si, n_xwild
    mov di, fcbr
    call setname
    mov si, n_oldwild
    mov di, fcbr+0x11
    mov cx, 11
    rep movsb
    FCBCALL 0x17, fcbr
    CHECK_AL 'rename-17h', 0
    mov si, n_x2old
    mov di, fcbs
    call setname
    FCBCALL 0x11, fcbs
    CHECK_AL 'rename-new-name', 0
    mov si, n_xwild
    mov di, fcbs
    call setname
    FCBCALL 0x11, fcbs
    CHECK_AL 'rename-old-gone', 0xff
    ; FCBX1.OLD -> FCBX2.OLD: the new name exists
    mov si, n_x1old
    mov di, fcbr
    call setname
    mov si, n_x2old
    mov di, fcbr+0x11
    mov cx, 11
    rep movsb
    FCBCALL 0x17, fcbr
    CHECK_AL 'rename-exists', 0xff

    ; ---- 13h delete with wildcards
    mov si, n_oldx
    mov di, fcbs
    call setname
    FCBCALL 0x13, fcbs
    CHECK_AL 'delete-13h', 0
    FCBCALL 0x11, fcbs
    CHECK_AL 'delete-gone', 0xff
    FCBCALL 0x13, fcbs
    CHECK_AL 'delete-none', 0xff

    ; ---- extended FCBs: a hidden file
    mov di, xfcb
    mov byte [di], 0xff
    mov dword [di+1], 0
    mov byte [di+5], 0
    mov byte [di+6], 0x02
    mov si, n_hidden
    add di, 7
    call setname
    FCBCALL 0x16, xfcb
    CHECK_AL 'xcreate-16h', 0
    CHECK_EQW 'xcreate-recsize', [xfcb+7+0x0e], 128
    mov al, 'H'
    mov di, dta
    mov cx, 128
    call fill
    FCBCALL 0x15, xfcb
    CHECK_AL 'xwrite-15h', 0
    FCBCALL 0x10, xfcb
    CHECK_AL 'xclose-10h', 0
    ; a normal FCB does not see it
    mov si, n_hidden
    mov di, fcbs
    call setname
    FCBCALL 0x11, fcbs
    CHECK_AL 'hidden-normal-find', 0xff
    FCBCALL 0x0f, fcbs
    CHECK_AL 'hidden-normal-open', 0xff
    ; an extended one does
    mov byte [xfcb+7], 0
    FCBCALL 0x11, xfcb
    CHECK_AL 'xfind-11h', 0
    CHECK_EQB 'xfind-dta-ext', [dta], 0xff
    CHECK_EQB 'xfind-dta-attr', [dta+6], 0x02
    CHECK_EQB 'xfind-dta-drive', [dta+7], 3
    CHECK_MEM 'xfind-dta-name', dta+8, n_hidden, 11
    mov al, [dta+8+0x0b]
    and al, 0x02
    CHECK_AL 'xfind-file-attr', 0x02
    mov si, n_hidden
    mov di, xfcb+7
    call setname
    FCBCALL 0x0f, xfcb
    CHECK_AL 'xopen-0Fh', 0
    CHECK_EQW 'xopen-size', [xfcb+7+0x10], 128
    mov byte [dta], 0
    mov dword [xfcb+7+0x21], 0
    FCBCALL 0x21, xfcb
    CHECK_AL 'xread-21h', 0
    CHECK_EQB 'xread-data', [dta+127], 'H'
    FCBCALL 0x10, xfcb
    CHECK_AL 'xclose-2', 0

    mov al, [failures]
    mov ah, 0x4c
    int 0x21

n_data:    db 'FCBDATA DAT'
n_missing: db 'NOSUCH  FIL'
n_x1:      db 'FCBX1   TMP'
n_x2:      db 'FCBX2   TMP'
n_xwild:   db 'FCBX?   TMP'
n_oldwild: db '????????OLD'
n_x1old:   db 'FCBX1   OLD'
n_x2old:   db 'FCBX2   OLD'
n_oldx:    db 'FCB??   OLD'
n_hidden:  db 'HIDDEN  DAT'
letter:    db 0
count:     dw 0

fcb1: times 40 db 0
fcb2: times 40 db 0
fcbs: times 40 db 0
fcbr: times 40 db 0
xfcb: times 48 db 0
dta:  times 512 db 0
many: times 70*40 db 0
