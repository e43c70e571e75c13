; build: nasm -f bin -o child.com child.asm
;
; child.com - the .COM child that exec.com runs with 4B00h (not useful on its own).
; It prints its command tail, then checks what DOS 5 hands a child program:
;   PSP:0 holds INT 20h (CD 20), PSP:16h the parent's PSP (exec.com passes the value its 62h
;   returned as PARENTPSP=XXXX in the environment it builds), the environment is the one the
;   parent gave (MVMTEST=42) followed by a word count of 1 and the program's full name ending in
;   \CHILD.COM, 62h returns our own PSP, and the tail matches ' /hN hello' - N being a handle the
;   parent opened, which the child inherits and writes 'child' to.
; Exits with AL = 40h + the number of failed checks (the parent checks it through 4Dh).
bits 16
cpu 386
org 0x100
%include "dostest.inc"

    ; ---- print the tail
    mov ah, 0x40
    mov bx, 1
    mov dx, tailtxt
    mov cx, tailtxt_len
    int 0x21
    mov ah, 0x40
    mov bx, 1
    mov dx, 0x81
    movzx cx, byte [0x80]
    int 0x21
    mov ah, 0x40
    mov bx, 1
    mov dx, endtxt
    mov cx, 3
    int 0x21

    ; ---- the tail
    movzx ax, byte [0x80]
    CHECK_EQW 'child-tail-length', ax, 10
    mov si, 0x81
    mov di, tailpat
    mov cx, 10
    mov al, [0x84]                 ; the handle digit is ours to take
    mov [tailpat+3], al
    repe cmpsb
    mov ax, cx
    CHECK_Z 'child-tail-text'
    CHECK_EQB 'child-tail-ends-cr', [0x81+10], 13

    ; ---- PSP fields
    CHECK_EQW 'child-psp-int20', [0], 0x20cd
    mov ah, 0x62
    int 0x21
    mov ax, ds
    CHECK_EQW 'child-get-psp-62h', bx, ax

    ; ---- environment: find PARENTPSP=, MVMTEST=42, then the program name
    mov es, [0x2c]
    xor di, di
    xor bp, bp                     ; bit0 MVMTEST=42 seen, bit1 PARENTPSP ok
.var:
    cmp byte [es:di], 0
    je .envend
    mov si, v_test
    mov cx, v_test_len
    push di
    repe cmpsb
    pop di
    jne .v2
    or bp, 1
.v2:
    mov si, v_ppsp
    mov cx, v_ppsp_len
    push di
    repe cmpsb
    jne .v3
    call hex4                      ; ES:DI -> AX
    cmp ax, [0x16]
    jne .v3
    or bp, 2
.v3:
    pop di
.skip:
    inc di
    cmp byte [es:di-1], 0
    jne .skip
    jmp .var
.envend:
    CHECK_EQW 'child-environment-from-parent', bp, 3
    mov ax, bp                     ; (the parent PSP check shows PSP:16h on failure)
    test bp, 2
    jnz .ppok
    mov ax, [0x16]
    FAIL 'child-psp16-is-parent-psp'
    jmp .ppd
.ppok:
    PASS 'child-psp16-is-parent-psp'
.ppd:
    inc di
    CHECK_EQW 'child-env-string-count', [es:di], 1
    add di, 2
.nm:
    inc di
    cmp byte [es:di-1], 0
    jne .nm
    sub di, 11                     ; '\CHILD.COM', 0
    mov si, progname
    mov cx, 11
    repe cmpsb
    mov ax, cx
    CHECK_Z 'child-program-name-after-env'
    push ds
    pop es

    ; ---- inherited handle
    movzx bx, byte [0x84]
    sub bx, '0'
    mov ah, 0x40
    mov cx, 5
    mov dx, childtxt
    int 0x21
    CHECK_NC 'child-write-inherited-handle'
    CHECK_EQW 'child-write-inherited-count', ax, 5

    mov al, [__failures]
    add al, 0x40
    mov ah, 0x4c
    int 0x21

; ES:DI -> 4 hex digits (upper case) -> AX
hex4:
    xor ax, ax
    mov cx, 4
.d:
    shl ax, 4
    mov bl, [es:di]
    inc di
    sub bl, '0'
    cmp bl, 9
    jbe .a
    sub bl, 7
.a:
    or al, bl
    loop .d
    ret

tailtxt:  db 'child tail: ['
tailtxt_len equ $ - tailtxt
endtxt:   db ']', 13, 10
tailpat:  db ' /hN hello'
v_test:   db 'MVMTEST=42', 0
v_test_len equ $ - v_test
v_ppsp:   db 'PARENTPSP='
v_ppsp_len equ $ - v_ppsp
progname: db '\CHILD.COM', 0
childtxt: db 'child'
