; build: nasm -f bin -o fputest.com fputest.asm
;
; fputest: a DOS .COM exercising the x87 (main/ist/fpu.ts): sqrt(2), the area of a circle, a BCD sum and a
; compare chain. Each check prints "PASS name" or "FAIL name" to port E9h and through INT 21h AH=02h; the
; exit code is the number of failures.
        cpu 386
        org 100h

start:  fninit
        ; sqrt(2) squared, rounded to 6 places: 1414214 via FIST of sqrt(2) * 1e6
        fld qword [two]
        fsqrt
        fmul dword [million]
        fistp dword [result]
        cmp dword [result], 1414214
        mov si, n_sqrt
        call check

        ; pi * r^2 with r = 3, *1000, rounded: 28274
        fild word [radius]
        fmul st0, st0
        fldpi
        fmulp st1, st0
        fimul word [thousand]
        fistp word [result]
        cmp word [result], 28274
        mov si, n_area
        call check

        ; a sum in BCD: 123456789 + 987654321 = 1111111110
        fild dword [int_a]
        fiadd dword [int_b]
        fbstp tword [bcd]
        cmp dword [bcd], 0x11111110
        jne .bad
        cmp word [bcd + 4], 0x0011
.bad:   mov si, n_bcd
        call check

        ; compare chain: 1 < 2, 2 == 2, 3 > 2 via FSTSW AX / SAHF
        xor bx, bx
        fild word [val2]
        fild word [val1]
        fcom st1
        fstsw ax
        sahf
        jnb .c1
        inc bx
.c1:    fstp st0
        fild word [val2]
        fcomp st1
        fstsw ax
        sahf
        jne .c2
        inc bx
.c2:    fild word [val3]
        fcompp
        fstsw ax
        sahf
        jbe .c3
        inc bx
.c3:    cmp bx, 3
        mov si, n_cmp
        call check

        ; the stack is empty again: FXAM says so (C3 and C0)
        fxam
        fstsw ax
        and ah, 0x45
        cmp ah, 0x41
        mov si, n_empty
        call check

        mov al, [failures]
        mov ah, 4ch
        int 21h

; ZF set: PASS, else FAIL; SI names the check.
check:  push si
        mov si, s_pass
        je .ok
        inc byte [failures]
        mov si, s_fail
.ok:    call print
        pop si
        call print
        mov si, s_crlf
        call print
        ret

print:  lodsb
        or al, al
        jz .done
        out 0xe9, al
        mov dl, al
        mov ah, 2
        int 21h
        jmp print
.done:  ret

two:      dq 2.0
million:  dd 1000000.0
radius:   dw 3
thousand: dw 1000
int_a:    dd 123456789
int_b:    dd 987654321
val1:       dw 1
val2:       dw 2
val3:       dw 3
result:   dd 0
bcd:      times 10 db 0
failures: db 0
s_pass:   db "PASS ", 0
s_fail:   db "FAIL ", 0
s_crlf:   db 13, 10, 0
n_sqrt:   db "sqrt(2)", 0
n_area:   db "pi*r^2", 0
n_bcd:    db "fbstp sum", 0
n_cmp:    db "compare chain", 0
n_empty:  db "empty stack", 0
