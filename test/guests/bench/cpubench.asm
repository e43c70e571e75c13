; build: nasm -f bin -o cpubench.com cpubench.asm
;
; cpubench: a deterministic, CPU-bound 16-bit real-mode workload for benchmarking CPU emulators.
;
; It runs as a plain DOS .COM (org 100h, CS=DS=ES=SS; constants beside the code, writable data at
; offset 1000h-1AFFh of the same segment, stack at the top) and also from the
; bare boot sector boot.asm (which loads it at 1000:0100 behind a tiny PSP and supplies INT 21h).
; 8086 instructions only (`cpu 8086` below makes nasm refuse anything newer), and nothing whose
; result differs between the 8086 and later chips (no undefined flags consumed, no PUSH SP, no
; shift counts >= 16, no byte/word IDIV quotient of -128/-32768), so every model gives the same sum.
;
; Layout (file offsets; add 100h for the in-segment address):
;   0000  EB xx        jmp short main
;   0002  "CPUBENCH"   signature, 8 bytes
;   000A  dw iters     outer iteration count (harnesses patch this word; 0 runs no iteration)
;   000C  dw 1         layout version
;
; Each outer iteration runs the same work from the same starting state (one "round"):
;   sort     LCG fill (MUL) + insertion sort of 48 signed words, weighted sum
;   crc      bitwise CRC-16/CCITT over 128 bytes (shifts, conditional XOR, short loops)
;   strings  REP STOSB/MOVSW/MOVSB (both directions), LODSB/XLAT/STOSB, LODSW/STOSW,
;            REPNE SCASB, REPE CMPSB
;   muldiv   MUL/DIV/IMUL/IDIV, byte and word forms, CBW/CWD
;   fib      recursive fib(12) with BP stack frames (CALL/RET n, PUSH/POP)
;   matmul   8x8 signed word matrix product ([base+index+disp] and [bp+disp] addressing)
;   sieve    Eratosthenes below 1024 (byte stores, data-dependent branches, counting loop)
;   bitmix   popcount / rotates through carry / SAR / NEG / NOT / ADC / SBB / TEST
; and combines the module results into one 16-bit round sum. The first round's sum is kept;
; every later round must produce the same sum, else the result is marked bad (XOR 0DEADh).
; So the printed checksum does not depend on the iteration count (0 rounds print 0000).
;
; At the end it prints "cpubench n=NNNN sum=SSSS" (hex) via INT 21h AH=09h and exits via
; INT 21h AH=4Ch with AL = low byte of the checksum.

        cpu     8086
        org     100h

DEFAULT_ITERS   equ 100
SORT_N          equ 48
CRC_LEN         equ 128
SIEVE_N         equ 1024
BUF_LEN         equ 256

start:
        jmp     short main
signature:
        db      'CPUBENCH'
iters:  dw      DEFAULT_ITERS
version:
        dw      1

main:
        cld
        ; clear all uninitialised data (DOS does not zero memory; emulators might)
        mov     di, bss_start
        mov     cx, (bss_end - bss_start) / 2
        xor     ax, ax
        rep     stosw
        ; translation table for XLAT: xtab[i] = (i * 73 + 41) & 0FFh, rotated left by 3
        mov     di, xtab
        xor     bx, bx
.xt:    mov     al, 73
        mul     bl                      ; ax = bl * 73
        add     al, 41
        mov     cl, 3
        rol     al, cl
        stosb
        inc     bl
        jnz     .xt

        mov     word [first], 1
        mov     word [bad], 0
        mov     word [result], 0
        mov     cx, [iters]
        jcxz    .done
.round: push    cx
        call    round
        cmp     word [first], 0
        je      .cmp
        mov     [result], ax
        mov     word [first], 0
        jmp     short .next
.cmp:   cmp     ax, [result]
        je      .next
        inc     word [bad]
.next:  pop     cx
        loop    .round
.done:
        mov     ax, [result]
        cmp     word [bad], 0
        je      .ok
        xor     ax, 0DEADh
.ok:    mov     [result], ax
        ; report
        mov     ax, [iters]
        mov     di, msg_n
        call    hex4
        mov     ax, [result]
        mov     di, msg_sum
        call    hex4
        mov     dx, msg
        mov     ah, 09h
        int     21h
        mov     al, [result]
        mov     ah, 4Ch
        int     21h
        int     20h                     ; not reached

; hex4: write AX as 4 uppercase hex digits at [DI]
hex4:
        mov     cx, 4
.h:     push    cx
        mov     cl, 4
        rol     ax, cl
        pop     cx
        mov     bx, ax
        and     bx, 0Fh
        mov     dl, [hexdigits + bx]
        mov     [di], dl
        inc     di
        loop    .h
        ret

; ---------------------------------------------------------------------------------------------
; round: one outer iteration; returns the round sum in AX. Clobbers everything but SP and segs.
round:
        mov     word [seed], 1234h
        mov     word [acc], 0

        call    sort
        call    mix
        call    strings
        call    mix
        call    crc16
        call    mix
        call    muldiv
        call    mix
        mov     ax, 12
        push    ax
        call    fib                     ; fib(12) = 144 = 90h
        call    mix
        call    matmul
        call    mix
        call    sieve                   ; 172 primes below 1024
        call    mix
        call    bitmix
        call    mix
        mov     ax, [acc]
        ret

; mix: fold AX into acc (acc = rol(acc, 3) + ax, xor 5A5Ah)
mix:
        mov     cl, 3
        mov     dx, [acc]
        rol     dx, cl
        add     dx, ax
        xor     dx, 5A5Ah
        mov     [acc], dx
        ret

; rand: LCG, seed = seed * 25173 + 13849; returns AX = new seed. Clobbers DX.
rand:
        mov     ax, 25173
        mul     word [seed]
        add     ax, 13849
        mov     [seed], ax
        ret

; ---------------------------------------------------------------------------------------------
; sort: fill arr with SORT_N random words, insertion-sort them (signed), weighted sum -> AX
sort:
        mov     di, arr
        mov     cx, SORT_N
.fill:  call    rand
        stosw
        loop    .fill

        mov     si, 2                   ; i * 2
.outer: mov     ax, [arr + si]          ; key
        mov     di, si
.inner: or      di, di
        jz      .place
        mov     bx, [arr + di - 2]
        cmp     bx, ax
        jle     .place
        mov     [arr + di], bx
        sub     di, 2
        jmp     short .inner
.place: mov     [arr + di], ax
        add     si, 2
        cmp     si, SORT_N * 2
        jb      .outer

        ; check order and sum: dx = sum of rol(arr[i], 1) xor i*2
        mov     bx, arr
        xor     si, si
        xor     dx, dx
        mov     cx, SORT_N
.sum:   mov     ax, [bx + si]
        rol     ax, 1
        xor     ax, si
        add     dx, ax
        add     si, 2
        loop    .sum
        mov     ax, dx
        ret

; ---------------------------------------------------------------------------------------------
; strings: string instructions over bufA/bufB/bufC -> AX
strings:
        ; bufA[i] = pseudo-random bytes (STOSB loop with ALU)
        mov     di, bufA
        mov     cx, BUF_LEN
        mov     al, [seed]
        mov     ah, 0C3h
.gen:   stosb
        add     al, ah
        xor     al, 5Ah
        ror     ah, 1
        loop    .gen
        ; bufC = 0EEh * BUF_LEN (REP STOSB)
        mov     di, bufC
        mov     cx, BUF_LEN
        mov     al, 0EEh
        rep     stosb
        ; bufB = bufA (REP MOVSW)
        mov     si, bufA
        mov     di, bufB
        mov     cx, BUF_LEN / 2
        rep     movsw
        ; bufB[i] = xtab[bufB[i]] (LODSB / XLAT / STOSB)
        mov     si, bufB
        mov     di, bufB
        mov     bx, xtab
        mov     cx, BUF_LEN
.tr:    lodsb
        xlat
        stosb
        loop    .tr
        ; overlapping move backwards: bufB[8..255] = old bufB[0..247] (STD, REP MOVSB)
        std
        mov     si, bufB + BUF_LEN - 9
        mov     di, bufB + BUF_LEN - 1
        mov     cx, BUF_LEN - 8
        rep     movsb
        cld
        ; bufC[i] = bufB[i] + bufA[i] as words (LODSW / ADD / STOSW), running sum in dx
        mov     si, bufB
        mov     di, bufC
        xor     dx, dx
        mov     cx, BUF_LEN / 2
.wd:    lodsw
        add     ax, [si + bufA - bufB - 2]
        add     dx, ax
        stosw
        loop    .wd
        ; REPNE SCASB: position of first byte equal to bufB[200] in bufB
        mov     al, [bufB + 200]
        mov     di, bufB
        mov     cx, BUF_LEN
        repne   scasb
        sub     di, bufB
        add     dx, di
        add     dx, cx
        ; REPE CMPSB: bufB vs a copy with one changed byte
        mov     si, bufB
        mov     di, bufD
        mov     cx, BUF_LEN / 2
        rep     movsw
        mov     bx, [seed]
        and     bx, 0FFh
        not     byte [bufD + bx]
        mov     si, bufB
        mov     di, bufD
        mov     cx, BUF_LEN
        repe    cmpsb
        add     dx, cx
        add     dx, si
        ; REPNE SCASB over the program's own data (ES = CS in a .COM): length of msg up to '$'
        mov     di, msg
        mov     al, '$'
        mov     cx, 64
        repne   scasb
        sub     di, msg
        add     dx, di
        mov     ax, dx
        ret

; ---------------------------------------------------------------------------------------------
; crc16: CRC-16/CCITT (poly 1021h, init FFFFh) over bufC[0..CRC_LEN-1] -> AX
crc16:
        mov     si, bufC
        mov     cx, CRC_LEN
        mov     ax, 0FFFFh
.byte:  xor     ah, [si]
        inc     si
        mov     bl, 8
.bit:   shl     ax, 1
        jnc     .nx
        xor     ax, 1021h
.nx:    dec     bl
        jnz     .bit
        loop    .byte
        ret

; ---------------------------------------------------------------------------------------------
; muldiv: MUL/DIV/IMUL/IDIV mix -> AX
muldiv:
        mov     cx, 64
        mov     si, [seed]
        xor     di, di
.m:     mov     ax, si
        mul     cx                      ; dx:ax = si * cx (dx < cx)
        mov     bx, cx
        or      bx, 0101h               ; divisor >= cx > dx: no overflow
        div     bx
        add     di, dx
        add     di, ax
        mov     ax, si
        cwd
        mov     bx, cx
        add     bx, 2
        neg     bx                      ; divisor -3 .. -66
        idiv    bx
        xor     di, ax
        add     di, dx
        imul    dx                      ; signed dx:ax = ax * dx
        add     di, ax
        xor     di, dx
        mov     al, cl
        mov     bl, 7
        mul     bl                      ; ax = cl * 7 (<= 448)
        mov     bl, 13
        div     bl                      ; al = ax / 13, ah = ax % 13
        add     di, ax
        mov     ax, si
        cbw                             ; sign-extend low byte of si
        mov     bl, -5
        idiv    bl                      ; al = q (|q| <= 25), ah = r
        add     di, ax
        mov     al, ah
        mov     bl, 11
        imul    bl                      ; ax = r * 11 signed
        sub     di, ax
        add     si, di
        mov     ax, si
        mov     bx, 3
        mul     bx
        add     si, ax
        loop    .m
        mov     ax, di
        ret

; ---------------------------------------------------------------------------------------------
; fib: recursive Fibonacci; argument on the stack, result in AX, pops its argument
fib:
        push    bp
        mov     bp, sp
        mov     ax, [bp + 4]
        cmp     ax, 2
        jb      .done                   ; fib(0) = 0, fib(1) = 1
        dec     ax
        push    ax
        call    fib
        push    ax                      ; fib(n-1)
        mov     ax, [bp + 4]
        sub     ax, 2
        push    ax
        call    fib
        pop     dx
        add     ax, dx
.done:  pop     bp
        ret     2

; ---------------------------------------------------------------------------------------------
; matmul: matC = matA * matB (8x8 signed words, low 16 bits), sum of matC -> AX
matmul:
        ; fill matA and matB with small random values
        mov     di, matA
        mov     cx, 128
.fill:  call    rand
        mov     al, ah
        cbw                             ; -128..127
        stosw
        loop    .fill

        push    bp
        xor     si, si                  ; i * 16
.il:    xor     di, di                  ; j * 2
.jl:    xor     cx, cx                  ; accumulator
        xor     bx, bx                  ; k * 2
        mov     bp, di                  ; k * 16 + j * 2
.kl:    mov     ax, [matA + si + bx]
        imul    word [matB + bp]        ; [bp + disp16]: SS = DS
        add     cx, ax
        add     bx, 2
        add     bp, 16
        cmp     bx, 16
        jb      .kl
        mov     bx, di
        mov     [matC + bx + si], cx
        add     di, 2
        cmp     di, 16
        jb      .jl
        add     si, 16
        cmp     si, 128
        jb      .il
        pop     bp

        mov     si, matC
        mov     cx, 64
        xor     dx, dx
.s:     lodsw
        xor     dx, ax
        rol     dx, 1
        loop    .s
        mov     ax, dx
        ret

; ---------------------------------------------------------------------------------------------
; sieve: primes below SIEVE_N; returns count * 256 + xor of the last prime's low byte -> AX
sieve:
        mov     di, sieveBuf
        mov     cx, SIEVE_N / 2
        mov     ax, 0101h
        rep     stosw
        mov     byte [sieveBuf], 0
        mov     byte [sieveBuf + 1], 0
        mov     si, 2                   ; p
.p:     mov     ax, si
        mul     si                      ; p * p
        cmp     ax, SIEVE_N
        jae     .count
        cmp     byte [sieveBuf + si], 0
        je      .np
        mov     bx, ax
.mark:  mov     byte [sieveBuf + bx], 0
        add     bx, si
        cmp     bx, SIEVE_N
        jb      .mark
.np:    inc     si
        jmp     short .p
.count: mov     si, sieveBuf
        mov     cx, SIEVE_N
        xor     dx, dx                  ; count
        xor     bx, bx                  ; last prime
.c:     lodsb
        test    al, al
        jz      .nc
        inc     dx
        mov     bx, si                  ; one past the last prime seen
.nc:    loop    .c
        sub     bx, sieveBuf + 1
        mov     ah, dl                  ; count mod 256 (172)
        mov     al, bl
        xor     al, dh
        ret

; ---------------------------------------------------------------------------------------------
; bitmix: popcounts and rotates over arr -> AX
bitmix:
        mov     si, arr
        mov     cx, SORT_N
        xor     di, di                  ; total popcount
        xor     bp, bp                  ; rotate accumulator
.w:     lodsw
        mov     dx, ax
        ; popcount of dx by shifting out bits
.pc:    shr     dx, 1
        adc     di, 0
        test    dx, dx
        jnz     .pc
        ; rotate-through-carry / arithmetic-shift mix
        mov     bx, ax
        sar     bx, 1
        rcl     bp, 1
        xor     bp, bx
        mov     dx, ax
        not     dx
        neg     dx                      ; dx = ax + 1 (two's complement), CF set unless dx was 0
        sbb     bp, dx
        xchg    ax, bx
        rcr     ax, 1
        and     ax, 0F0Fh
        or      bp, ax
        test    bp, 8000h
        jz      .pos
        xor     bp, 1357h
.pos:   loop    .w
        mov     ax, bp
        add     ax, di
        ret

; ---------------------------------------------------------------------------------------------
        align   2
hexdigits:
        db      '0123456789ABCDEF'
msg:    db      'cpubench n='
msg_n:  db      '0000 sum='
msg_sum:
        db      '0000', 13, 10, '$'

; Uninitialised data lives from offset 1000h of the segment, in 4 KiB pages apart from the code.
; (With the writes in the code's page, translating peers (QEMU TCG, DOSBox dynamic) take their
; self-modifying-code path on every store and slow down 10x-100x: that measures their SMC detection,
; not the CPU. The read-only data above stays beside the code, as in a real .COM.)
; Assemble with -DDATA_IN_CODE_PAGE for a variant whose data follows the code directly: a stress
; test of a translator's self-modifying-code detection (its checksum differs: some module sums
; include data addresses).
%ifdef DATA_IN_CODE_PAGE
        align   2
bss_start:
%else
bss_start equ   1000h
%endif
first   equ     bss_start
bad     equ     first + 2
result  equ     bad + 2
seed    equ     result + 2
acc     equ     seed + 2
arr     equ     acc + 2                 ; SORT_N words
bufA    equ     arr + SORT_N * 2
bufB    equ     bufA + BUF_LEN
bufC    equ     bufB + BUF_LEN
bufD    equ     bufC + BUF_LEN
xtab    equ     bufD + BUF_LEN
matA    equ     xtab + 256
matB    equ     matA + 128
matC    equ     matB + 128
sieveBuf equ    matC + 128
bss_end equ     sieveBuf + SIEVE_N
