; build: nasm -f bin -o dirs.com dirs.asm
;
; dirs.com - INT 21h directory functions as DOS 5 defines them, run from the root of drive C:
;   19h current drive (C = 2) and 0Eh select drive (AL = number of drives >= 3), 47h getcwd
;   (root is an empty string; after 3Bh chdir it is the path without drive and leading backslash),
;   39h mkdir (again -> 5, under a missing path -> 3), 3Bh chdir (missing -> 3), 1Ah/2Fh DTA,
;   4Eh/4Fh find first/next: '*.TXT' finds exactly the two files made, '.' and '..' in a
;   subdirectory, attribute 10h also returns directories while attribute 0 hides them, no match
;   and the end of the list -> 12h, 56h rename in place and into a subdirectory,
;   3Ah rmdir (non-empty -> 5, the current directory -> 10h, empty -> ok), 60h truename of a
;   relative name, 36h free space (sane numbers; invalid drive -> AX=FFFFh).
; One line per check (PASS name / FAIL name AX-in-hex); exit code = number of failures.
bits 16
cpu 386
org 0x100
%include "dostest.inc"

    ; ---- drives
    mov ah, 0x19
    int 0x21
    CHECK_EQB 'current-drive-C-19h', al, 2
    mov ah, 0x0e
    mov dl, 2
    int 0x21
    cmp al, 3
    jae .drok
    xor ah, ah
    FAIL 'select-drive-count-0Eh'
    jmp .drdone
.drok:
    PASS 'select-drive-count-0Eh'
.drdone:
    mov ah, 0x47
    xor dl, dl
    mov si, path
    mov byte [path], 'x'
    int 0x21
    CHECK_NC 'getcwd-47h'
    CHECK_EQB 'getcwd-root-empty', [path], 0

    ; ---- mkdir
    mov ah, 0x39
    mov dx, sub
    int 0x21
    CHECK_NC 'mkdir-39h'
    mov ah, 0x39
    mov dx, sub
    int 0x21
    CHECK_ERR 'mkdir-existing-5', 5
    mov ah, 0x39
    mov dx, nodir
    int 0x21
    CHECK_ERR 'mkdir-path-not-found-3', 3
    mov dx, f_a1
    call mkfile
    mov dx, f_a2
    call mkfile
    mov dx, f_b1
    call mkfile
    mov dx, f_move
    call mkfile

    ; ---- DTA
    mov ah, 0x1a
    mov dx, dta
    int 0x21
    mov ah, 0x2f
    int 0x21
    mov ax, es                     ; the same memory: ES*16+BX = DS*16+dta
    movzx eax, ax
    shl eax, 4
    movzx ebx, bx
    add eax, ebx
    mov cx, ds
    movzx ecx, cx
    shl ecx, 4
    add ecx, dta
    cmp eax, ecx
    jne .dtabad
    PASS 'get-dta-2Fh-same-memory'
    jmp .dtadone
.dtabad:
    FAIL 'get-dta-2Fh-same-memory'
.dtadone:
    mov ah, 0x2f                   ; and the pointer exactly as set (DOS keeps the far pointer)
    int 0x21
    mov ax, es
    mov cx, ds
    cmp ax, cx
    jne .dtaptrbad
    CHECK_EQW 'get-dta-2Fh-same-pointer', bx, dta
    jmp .dtaptrdone
.dtaptrbad:
    FAIL 'get-dta-2Fh-same-pointer'
.dtaptrdone:
    push ds
    pop es

    ; ---- chdir, getcwd
    mov ah, 0x3b
    mov dx, sub
    int 0x21
    CHECK_NC 'chdir-3Bh'
    mov ah, 0x47
    xor dl, dl
    mov si, path
    int 0x21
    mov si, path
    mov di, sub
    call strcmp
    CHECK_Z 'getcwd-after-chdir'
    mov ah, 0x3b
    mov dx, nodir
    int 0x21
    CHECK_ERR 'chdir-path-not-found-3', 3

    ; ---- find first/next with a wildcard
    mov ah, 0x4e
    xor cx, cx
    mov dx, w_txt
    int 0x21
    CHECK_NC 'find-first-4Eh'
    xor bp, bp                     ; matches
    xor di, di                     ; names starting with 'A'
.ftxt:
    jc .ftxtend
    inc bp
    cmp byte [dta+0x1e], 'A'
    jne .fnext
    inc di
.fnext:
    mov ah, 0x4f
    int 0x21
    jmp .ftxt
.ftxtend:
    CHECK_ERR 'find-next-end-12h', 0x12
    CHECK_EQW 'find-txt-count', bp, 2
    CHECK_EQW 'find-txt-names', di, 2
    CHECK_EQW 'find-size-field', [dta+0x1a], 3
    mov ah, 0x4e
    xor cx, cx
    mov dx, w_xyz
    int 0x21
    CHECK_ERR 'find-first-no-match-12h', 0x12

    ; ---- '.' and '..' in a subdirectory
    mov ah, 0x4e
    mov cx, 0x10
    mov dx, w_all
    int 0x21
    xor bp, bp                     ; bit0 '.', bit1 '..'
.fdot:
    jc .fdotend
    test byte [dta+0x15], 0x10
    jz .fdotn
    cmp word [dta+0x1e], '.'       ; '.', 0
    jne .f2
    or bp, 1
.f2:
    cmp word [dta+0x1e], '..'
    jne .fdotn
    cmp byte [dta+0x20], 0
    jne .fdotn
    or bp, 2
.fdotn:
    mov ah, 0x4f
    int 0x21
    jmp .fdot
.fdotend:
    CHECK_EQW 'find-dot-and-dotdot', bp, 3

    ; ---- 60h truename of a relative name
    mov ah, 0x60
    mov si, f_rel
    mov di, path
    int 0x21
    CHECK_NC 'truename-60h'
    mov si, path
    mov di, t_a1
    call strcmp
    CHECK_Z 'truename-full-path'

    ; ---- rename in place
    mov ah, 0x56
    mov dx, f_rel                  ; a1.txt -> C1.TXT (we are in SUBDIR)
    mov di, f_c1
    int 0x21
    CHECK_NC 'rename-56h'
    mov ax, 0x3d00
    mov dx, f_c1
    int 0x21
    CHECK_NC 'rename-new-name-opens'
    jc .r1
    mov bx, ax
    mov ah, 0x3e
    int 0x21
.r1:
    mov ax, 0x3d00
    mov dx, f_rel
    int 0x21
    CHECK_ERR 'rename-old-name-gone-2', 2

    ; ---- a subdirectory of the current one, then try to remove the current directory
    mov ah, 0x39
    mov dx, inner
    int 0x21
    mov ah, 0x3b
    mov dx, inner
    int 0x21
    mov ah, 0x3a
    mov dx, t_inner
    int 0x21
    CHECK_ERR 'rmdir-current-dir-10h', 0x10
    mov ah, 0x3b
    mov dx, root
    int 0x21
    CHECK_NC 'chdir-root'

    ; ---- attribute 10h returns directories, attribute 0 hides them
    mov ah, 0x4e
    mov cx, 0x10
    mov dx, w_all
    int 0x21
    xor bp, bp
.fdir:
    jc .fdirend
    test byte [dta+0x15], 0x10
    jz .fdirn
    inc bp
.fdirn:
    mov ah, 0x4f
    int 0x21
    jmp .fdir
.fdirend:
    CHECK_EQW 'find-attr-10h-directories', bp, 1
    mov ah, 0x4e
    xor cx, cx
    mov dx, w_all
    int 0x21
    xor bp, bp
.fnodir:
    jc .fnodirend
    test byte [dta+0x15], 0x10
    jz .fnodirn
    inc bp
.fnodirn:
    mov ah, 0x4f
    int 0x21
    jmp .fnodir
.fnodirend:
    CHECK_EQW 'find-attr-0-hides-directories', bp, 0

    ; ---- rename into a subdirectory
    mov ah, 0x56
    mov dx, f_move
    mov di, f_moved
    int 0x21
    CHECK_NC 'rename-into-subdirectory'
    mov ax, 0x3d00
    mov dx, f_moved
    int 0x21
    CHECK_NC 'moved-file-opens'
    jc .m1
    mov bx, ax
    mov ah, 0x3e
    int 0x21
.m1:
    mov ax, 0x3d00
    mov dx, f_move
    int 0x21
    CHECK_ERR 'moved-file-gone-from-root-2', 2

    ; ---- rmdir
    mov ah, 0x3a
    mov dx, sub
    int 0x21
    CHECK_ERR 'rmdir-non-empty-5', 5
    mov ah, 0x3a
    mov dx, t_inner
    int 0x21
    CHECK_NC 'rmdir-3Ah'
    mov dx, f_a2
    call rmfile
    mov dx, f_b1
    call rmfile
    mov dx, f_c1s
    call rmfile
    mov dx, f_moved
    call rmfile
    mov ah, 0x3a
    mov dx, sub
    int 0x21
    CHECK_NC 'rmdir-emptied'
    mov ah, 0x3b
    mov dx, sub
    int 0x21
    CHECK_ERR 'chdir-removed-3', 3

    ; ---- 36h free space
    mov ah, 0x36
    xor dl, dl
    int 0x21
    cmp ax, 0xffff
    je .dfbad
    or ax, ax
    jz .dfbad
    or cx, cx
    jz .dfbad
    or dx, dx
    jz .dfbad
    cmp bx, dx
    ja .dfbad
    PASS 'free-space-36h'
    jmp .dfdone
.dfbad:
    FAIL 'free-space-36h'
.dfdone:
    mov ah, 0x36
    mov dl, 26                     ; Z:
    int 0x21
    CHECK_EQW 'free-space-invalid-drive', ax, 0xffff

    FINISH

; create an empty 3-byte file named at DS:DX
mkfile:
    mov ah, 0x3c
    xor cx, cx
    int 0x21
    jc .x
    mov bx, ax
    mov ah, 0x40
    mov cx, 3
    mov dx, abc
    int 0x21
    mov ah, 0x3e
    int 0x21
.x: ret

rmfile:
    mov ah, 0x41
    int 0x21
    ret

; compare ASCIIZ DS:SI with DS:DI; ZF=1 if equal
strcmp:
    mov al, [si]
    cmp al, [di]
    jne .x
    inc si
    inc di
    or al, al
    jnz strcmp
.x: ret

abc:     db 'abc'
sub:     db 'SUBDIR', 0
inner:   db 'INNER', 0
t_inner: db 'C:\SUBDIR\INNER', 0
root:    db '\', 0
nodir:   db 'NODIR\X', 0
f_a1:    db 'SUBDIR\A1.TXT', 0
f_a2:    db 'SUBDIR\A2.TXT', 0
f_b1:    db 'SUBDIR\B1.DAT', 0
f_c1s:   db 'SUBDIR\C1.TXT', 0
f_move:  db 'MOVE.TXT', 0
f_moved: db 'SUBDIR\MOVED.TXT', 0
f_rel:   db 'a1.txt', 0
f_c1:    db 'C1.TXT', 0
t_a1:    db 'C:\SUBDIR\A1.TXT', 0
w_txt:   db '*.TXT', 0
w_xyz:   db '*.XYZ', 0
w_all:   db '*.*', 0
dta:     times 128 db 0
path:    times 128 db 0
