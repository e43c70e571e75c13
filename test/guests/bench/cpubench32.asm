; build: nasm -f bin -o cpubench32.com cpubench32.asm
;
; cpubench32: cpubench's workload as 32-bit protected-mode code, for timing CPU emulators in protected
; mode (with and without paging) next to cpubench.com in real mode.
;
; It runs as a plain DOS .COM (org 100h; no memory manager: it switches CR0 itself, so EMM386 or any
; other V86 monitor makes it stop with a message) and from the bare boot sector boot.asm (which loads it
; at 1000:0100 behind a tiny PSP and supplies INT 21h). 386 instructions only (`cpu 386` below makes
; nasm refuse anything newer), and nothing whose result is undefined (no undefined flag consumed, no
; BSF/BSR of zero), so every 386-compatible CPU gives the same sum.
;
; Layout (file offsets; add 100h for the in-segment address):
;   0000  EB xx        jmp short main
;   0002  "CPUBEN32"   signature, 8 bytes
;   000A  dw iters     outer iteration count (harnesses patch this word; 0 runs no iteration)
;   000C  dw 1         layout version
;   000E  dw mode      0: protected mode without paging; 1: with paging (harnesses patch this word)
;
; What it does, from real mode:
;   - copies its 32-bit part (section pm32 below, assembled for linear address PM_BASE) to PM_BASE;
;     that part's data, page tables and stack follow it there (PM_BASE .. PM_BASE + PM_SIZE - 1, in
;     conventional memory a .COM owns: it checks that its segment lies below and that the PSP's
;     top-of-memory word lies above). Nothing at or above 1 MiB is touched, so the A20 gate does not matter.
;   - builds a GDT: flat 32-bit code and data (base 0, limit 4 GiB), and 16-bit code and data whose
;     base is this segment's (limit 64 KiB) for the way back; loads an IDT of limit 0, so any exception or
;     NMI in protected mode shuts the machine down (a triple fault) instead of running the real-mode IVT;
;   - CLI, sets CR0.PE and far-jumps to the 32-bit code, which loads the flat selectors and a flat stack,
;     and in mode 1 builds a page directory and one page table identity-mapping the first 4 MiB (4 KiB
;     pages), loads CR3 and sets CR0.PG;
;   - runs all rounds in that one excursion, clears PG (mode 1), far-jumps to the 16-bit code segment,
;     loads the 16-bit data selector (64 KiB limits for real mode), clears PE, far-jumps to the real-mode
;     CS, restores the segments, the stack and the real-mode IDTR, and STI.
; Interrupts stay disabled in protected mode.
;
; Each outer iteration runs the same work from the same starting state (one "round"), cpubench's modules
; in 32-bit form (32-bit registers and addressing, SIB, dword data where natural):
;   sort     LCG fill (MUL) + insertion sort of 48 signed dwords ([disp + index*4]), weighted sum
;   crc      bitwise CRC-32 (reflected, poly EDB88320h) over 128 bytes
;   strings  REP STOSB/MOVSD/MOVSB (both directions), LODSB/XLAT/STOSB, LODSD/STOSD, REPNE SCASB,
;            REPE CMPSB, REPE CMPSW
;   muldiv   MUL/DIV/IMUL/IDIV in byte, word and dword forms, IMUL r,r/m and r,r/m,imm, CBW/CWD/CDQ,
;            MOVZX/MOVSX
;   fib      recursive fib(12) with EBP stack frames (CALL/RET n, PUSH/POP)
;   matmul   8x8 signed dword matrix product ([base+index*4+disp], [ebp+disp], IMUL r,m)
;   sieve    Eratosthenes below 1024 (byte stores, data-dependent branches, counting loop)
;   bitmix   popcount (LEA/AND), BSF/BSR, SHLD, BT, SETcc, rotates through carry, SAR/NEG/NOT/SBB
; and combines the module results into one 32-bit round sum. The first round's sum is kept; every later
; round must produce the same sum, else the result is marked bad (XOR 0DEADh). So the printed checksum
; does not depend on the iteration count (0 rounds print 00000000).
;
; At the end it prints "cpubench32 n=NNNN sum=SSSSSSSS mode=M" (hex) via INT 21h AH=09h and exits via
; INT 21h AH=4Ch with AL = low byte of the checksum. It refuses (message, exit code FFh) when already in
; protected or V86 mode, when mode is not 0 or 1, or when the memory at PM_BASE is not its own.

        cpu     386
        bits    16
        org     100h

DEFAULT_ITERS   equ 100
SORT_N          equ 48
CRC_LEN         equ 128
SIEVE_N         equ 1024
BUF_LEN         equ 256

; the 32-bit part's linear layout
PM_BASE         equ 40000h                      ; code and read-only data (copied from this file)
BSS             equ PM_BASE + 2000h             ; writable data, in pages apart from the code
PDIR            equ PM_BASE + 4000h             ; page directory (mode 1)
PTAB            equ PM_BASE + 5000h             ; page table for 0 .. 4 MiB
PM_SIZE         equ 8000h                       ; stack top at PM_BASE + PM_SIZE

; GDT selectors
SEL_CODE32      equ 08h
SEL_DATA32      equ 10h
SEL_CODE16      equ 18h
SEL_DATA16      equ 20h

        section .text
start:
        jmp     short main
signature:
        db      'CPUBEN32'
iters:  dw      DEFAULT_ITERS
version:
        dw      1
mode:   dw      0

main:
        cld
        smsw    ax
        test    al, 1
        mov     dx, msg_v86
        jnz     fail
        cmp     word [mode], 1
        mov     dx, msg_mode
        ja      fail
        mov     dx, msg_mem
        mov     ax, cs
        cmp     ax, (PM_BASE - 10000h) >> 4     ; this segment (64 KiB) lies below PM_BASE
        ja      fail
        cmp     word [2], (PM_BASE + PM_SIZE) >> 4      ; PSP: first segment past our memory
        jb      fail

        ; the 32-bit part to PM_BASE
        push    es
        mov     ax, PM_BASE >> 4
        mov     es, ax
        mov     si, section.pm32.start
        xor     di, di
        mov     cx, (pm32_end - pm32_start + 3) / 4
        rep     movsd
        pop     es

        ; this segment's linear base into the GDT pointer and the 16-bit descriptors
        xor     eax, eax
        mov     ax, cs
        shl     eax, 4
        lea     edx, [eax + gdt]
        mov     [gdtr + 2], edx
        mov     [gdt + SEL_CODE16 + 2], ax      ; base 15..0
        mov     [gdt + SEL_DATA16 + 2], ax
        shr     eax, 16
        mov     [gdt + SEL_CODE16 + 4], al      ; base 23..16 (below 1 MiB: 31..24 stay 0)
        mov     [gdt + SEL_DATA16 + 4], al
        ; what the way back restores
        mov     [rm_cs], cs
        mov     [rm_ss], ss
        mov     [rm_sp], sp
        mov     [rm_fs], fs
        mov     [rm_gs], gs
        sidt    [rm_idtr]

        movzx   ecx, word [iters]
        movzx   edx, word [mode]
        cli
        lgdt    [gdtr]
        lidt    [pm_idtr]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     dword SEL_CODE32:pm_entry

; The 32-bit part jumps here (16-bit protected mode, CS base = this segment's) with the checksum in EAX.
pm_back16:
        mov     bx, SEL_DATA16
        mov     ds, bx
        mov     es, bx
        mov     fs, bx
        mov     gs, bx
        mov     ss, bx
        mov     ebx, cr0
        and     ebx, 7FFFFFFEh                  ; PG (already clear) and PE
        mov     cr0, ebx
        db      0EAh                            ; jmp far rm_cs:pm_back_rm
        dw      pm_back_rm
rm_cs:  dw      0
pm_back_rm:
        mov     bx, cs
        mov     ds, bx
        mov     es, bx
        mov     fs, [rm_fs]
        mov     gs, [rm_gs]
        mov     ss, [rm_ss]
        movzx   esp, word [rm_sp]
        lidt    [rm_idtr]
        sti

        mov     [result], eax
        mov     ax, [iters]
        mov     di, msg_n
        call    hex4
        mov     eax, [result]
        mov     di, msg_sum
        call    hex8
        mov     al, [mode]
        add     al, '0'
        mov     [msg_mode_digit], al
        mov     dx, msg
        mov     ah, 09h
        int     21h
        mov     al, [result]
        mov     ah, 4Ch
        int     21h
        int     20h                             ; not reached

fail:   mov     ah, 09h
        int     21h
        mov     ax, 4CFFh
        int     21h
        int     20h

; hex8: write EAX as 8 uppercase hex digits at [DI]; hex4: AX as 4
hex8:   mov     cx, 8
        jmp     short hexn
hex4:   mov     cx, 4
        shl     eax, 16
hexn:   rol     eax, 4
        mov     bx, ax
        and     bx, 0Fh
        mov     dl, [hexdigits + bx]
        mov     [di], dl
        inc     di
        loop    hexn
        ret

        align   8
; descriptors: limit 15..0, base 15..0, base 23..16, access, flags + limit 19..16, base 31..24
; (the accessed bit is preset, so loading a selector writes nothing back)
gdt:    dq      0
        db      0FFh, 0FFh, 0, 0, 0, 9Bh, 0CFh, 0       ; 08h: code, base 0, 4 GiB, 32-bit
        db      0FFh, 0FFh, 0, 0, 0, 93h, 0CFh, 0       ; 10h: data, base 0, 4 GiB, 32-bit
        db      0FFh, 0FFh, 0, 0, 0, 9Bh, 00h, 0        ; 18h: code, base = this segment, 64 KiB, 16-bit
        db      0FFh, 0FFh, 0, 0, 0, 93h, 00h, 0        ; 20h: data, base = this segment, 64 KiB, 16-bit
gdt_end:
gdtr:   dw      gdt_end - gdt - 1
        dd      0                               ; linear address of gdt, set at run time
pm_idtr:
        dw      0                               ; limit 0: every vector faults, up to a shutdown
        dd      0
rm_idtr:
        dw      0
        dd      0
rm_ss:  dw      0
rm_sp:  dw      0
rm_fs:  dw      0
rm_gs:  dw      0
result: dd      0

hexdigits:
        db      '0123456789ABCDEF'
msg:    db      'cpubench32 n='
msg_n:  db      '0000 sum='
msg_sum:
        db      '00000000 mode='
msg_mode_digit:
        db      '0', 13, 10, '$'
msg_v86:
        db      'cpubench32: the CPU is in protected or V86 mode (a memory manager?)', 13, 10, '$'
msg_mode:
        db      'cpubench32: mode must be 0 or 1', 13, 10, '$'
msg_mem:
        db      'cpubench32: the memory at 40000h-47FFFh is not this program', 39, 's', 13, 10, '$'

; ---------------------------------------------------------------------------------------------
; The 32-bit part: assembled for PM_BASE, copied there before the switch.
        section pm32 follows=.text align=16 vstart=PM_BASE
        bits    32
pm32_start:

; Entered from real mode: ECX = rounds, EDX = mode. Interrupts are off.
pm_entry:
        mov     ax, SEL_DATA32
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, PM_BASE + PM_SIZE
        push    edx
        push    ecx
        cmp     edx, 1
        jne     .run
        call    paging_on
.run:   pop     ecx
        call    bench                           ; EAX = checksum
        pop     edx
        cmp     edx, 1
        jne     .back
        mov     ebx, cr0
        and     ebx, 7FFFFFFFh
        mov     cr0, ebx
        jmp     short .flat
.flat:  xor     ebx, ebx
        mov     cr3, ebx                        ; flush the TLB
.back:  jmp     SEL_CODE16:pm_back16

; paging_on: identity-map 0 .. 4 MiB with 4 KiB pages (supervisor, writable) and enable paging.
paging_on:
        mov     edi, PDIR
        xor     eax, eax
        mov     ecx, 1024
        rep     stosd
        mov     dword [PDIR], PTAB + 3          ; present, writable
        mov     edi, PTAB
        mov     eax, 3
        mov     ecx, 1024
.pte:   stosd
        add     eax, 1000h
        loop    .pte
        mov     eax, PDIR
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 80000000h
        mov     cr0, eax
        jmp     short .paged
.paged: ret

; bench: ECX rounds -> EAX checksum
bench:
        push    ecx
        cld
        ; clear all uninitialised data
        mov     edi, bss_start
        mov     ecx, (bss_end - bss_start) / 4
        xor     eax, eax
        rep     stosd
        ; translation table for XLAT: xtab[i] = (i * 73 + 41) & 0FFh, rotated left by 3
        mov     edi, xtab
        xor     ebx, ebx
.xt:    mov     al, 73
        mul     bl
        add     al, 41
        rol     al, 3
        stosb
        inc     bl
        jnz     .xt

        mov     dword [first], 1
        mov     dword [bad], 0
        mov     dword [sum], 0
        pop     ecx
        jecxz   .done
.round: push    ecx
        call    round
        cmp     dword [first], 0
        je      .cmp
        mov     [sum], eax
        mov     dword [first], 0
        jmp     short .next
.cmp:   cmp     eax, [sum]
        je      .next
        inc     dword [bad]
.next:  pop     ecx
        loop    .round
.done:  mov     eax, [sum]
        cmp     dword [bad], 0
        je      .ok
        xor     eax, 0DEADh
.ok:    ret

; ---------------------------------------------------------------------------------------------
; round: one outer iteration; returns the round sum in EAX. Clobbers everything but ESP and segments.
round:
        mov     dword [seed], 12345678h
        mov     dword [acc], 0

        call    sort
        call    mix
        call    strings
        call    mix
        call    crc32
        call    mix
        call    muldiv
        call    mix
        push    dword 12
        call    fib                             ; fib(12) = 144 = 90h
        call    mix
        call    matmul
        call    mix
        call    sieve                           ; 172 primes below 1024
        call    mix
        call    bitmix
        call    mix
        mov     eax, [acc]
        ret

; mix: fold EAX into acc (acc = rol(acc, 3) + eax, xor 5A5A5A5Ah)
mix:
        mov     edx, [acc]
        rol     edx, 3
        add     edx, eax
        xor     edx, 5A5A5A5Ah
        mov     [acc], edx
        ret

; rand: LCG, seed = seed * 1664525 + 1013904223; returns EAX = new seed. Clobbers EDX.
rand:
        mov     eax, 1664525
        mul     dword [seed]
        add     eax, 1013904223
        mov     [seed], eax
        ret

; ---------------------------------------------------------------------------------------------
; sort: fill arr with SORT_N random dwords, insertion-sort them (signed), weighted sum -> EAX
sort:
        mov     edi, arr
        mov     ecx, SORT_N
.fill:  call    rand
        stosd
        loop    .fill

        mov     esi, 1                          ; i
.outer: mov     eax, [arr + esi * 4]            ; key
        mov     edi, esi
.inner: test    edi, edi
        jz      .place
        mov     ebx, [arr + edi * 4 - 4]
        cmp     ebx, eax
        jle     .place
        mov     [arr + edi * 4], ebx
        dec     edi
        jmp     short .inner
.place: mov     [arr + edi * 4], eax
        inc     esi
        cmp     esi, SORT_N
        jb      .outer

        ; sum of rol(arr[i], 1) xor i
        mov     ebx, arr
        xor     esi, esi
        xor     edx, edx
        mov     ecx, SORT_N
.sum:   mov     eax, [ebx + esi * 4]
        rol     eax, 1
        xor     eax, esi
        add     edx, eax
        inc     esi
        loop    .sum
        mov     eax, edx
        ret

; ---------------------------------------------------------------------------------------------
; strings: string instructions over bufA/bufB/bufC/bufD -> EAX
strings:
        ; bufA[i] = pseudo-random bytes (STOSB loop with ALU)
        mov     edi, bufA
        mov     ecx, BUF_LEN
        mov     al, [seed]
        mov     ah, 0C3h
.gen:   stosb
        add     al, ah
        xor     al, 5Ah
        ror     ah, 1
        loop    .gen
        ; bufC = 0EEh * BUF_LEN (REP STOSB)
        mov     edi, bufC
        mov     ecx, BUF_LEN
        mov     al, 0EEh
        rep     stosb
        ; bufB = bufA (REP MOVSD)
        mov     esi, bufA
        mov     edi, bufB
        mov     ecx, BUF_LEN / 4
        rep     movsd
        ; bufB[i] = xtab[bufB[i]] (LODSB / XLAT / STOSB)
        mov     esi, bufB
        mov     edi, bufB
        mov     ebx, xtab
        mov     ecx, BUF_LEN
.tr:    lodsb
        xlatb
        stosb
        loop    .tr
        ; overlapping move backwards: bufB[8..255] = old bufB[0..247] (STD, REP MOVSB)
        std
        mov     esi, bufB + BUF_LEN - 9
        mov     edi, bufB + BUF_LEN - 1
        mov     ecx, BUF_LEN - 8
        rep     movsb
        cld
        ; bufC[i] = bufB[i] + bufA[i] as dwords (LODSD / ADD / STOSD), running sum in edx
        mov     esi, bufB
        mov     edi, bufC
        xor     edx, edx
        mov     ecx, BUF_LEN / 4
.wd:    lodsd
        add     eax, [esi + bufA - bufB - 4]
        add     edx, eax
        stosd
        loop    .wd
        ; REPNE SCASB: position of the first byte equal to bufB[200] in bufB
        mov     al, [bufB + 200]
        mov     edi, bufB
        mov     ecx, BUF_LEN
        repne   scasb
        sub     edi, bufB
        add     edx, edi
        add     edx, ecx
        ; REPE CMPSB: bufB against a copy with one changed byte
        mov     esi, bufB
        mov     edi, bufD
        mov     ecx, BUF_LEN / 4
        rep     movsd
        movzx   ebx, byte [seed]
        not     byte [bufD + ebx]
        mov     esi, bufB
        mov     edi, bufD
        mov     ecx, BUF_LEN
        repe    cmpsb
        add     edx, ecx
        sub     esi, bufB
        add     edx, esi
        ; REPE CMPSW (operand-size prefix): the same, by words
        mov     esi, bufB
        mov     edi, bufD
        mov     ecx, BUF_LEN / 2
        repe    cmpsw
        rol     edx, 5
        add     edx, ecx
        ; REPNE SCASB over the program's own read-only data: length of msg32 up to '$'
        mov     edi, msg32
        mov     al, '$'
        mov     ecx, 64
        repne   scasb
        sub     edi, msg32
        add     edx, edi
        mov     eax, edx
        ret

; ---------------------------------------------------------------------------------------------
; crc32: CRC-32 (reflected, poly EDB88320h, init and final xor FFFFFFFFh) over bufC[0..CRC_LEN-1] -> EAX
crc32:
        mov     esi, bufC
        mov     ecx, CRC_LEN
        mov     eax, 0FFFFFFFFh
.byte:  xor     al, [esi]
        inc     esi
        mov     bl, 8
.bit:   shr     eax, 1
        jnc     .nx
        xor     eax, 0EDB88320h
.nx:    dec     bl
        jnz     .bit
        loop    .byte
        not     eax
        ret

; ---------------------------------------------------------------------------------------------
; muldiv: MUL/DIV/IMUL/IDIV mix -> EAX
muldiv:
        mov     ecx, 64
        mov     esi, [seed]
        xor     edi, edi
.m:     mov     eax, esi
        mul     ecx                             ; edx:eax = esi * ecx (edx < ecx)
        mov     ebx, ecx
        or      ebx, 01010101h                  ; divisor >= ecx > edx: no overflow
        div     ebx
        add     edi, edx
        add     edi, eax
        mov     eax, esi
        cdq
        lea     ebx, [ecx + 2]
        neg     ebx                             ; divisor -3 .. -66
        idiv    ebx
        xor     edi, eax
        add     edi, edx
        imul    edx                             ; signed edx:eax = eax * edx
        add     edi, eax
        xor     edi, edx
        mov     al, cl
        mov     bl, 7
        mul     bl                              ; ax = cl * 7 (<= 448)
        mov     bl, 13
        div     bl                              ; al = ax / 13, ah = ax % 13
        movzx   eax, ax
        add     edi, eax
        mov     ax, si
        cwd                                     ; word forms: dx:ax = low word of esi, signed
        mov     bx, cx
        or      bx, 0100h                       ; divisor 257 .. 320: |quotient| <= 128
        idiv    bx
        movsx   eax, ax
        add     edi, eax
        movsx   edx, dx
        xor     edi, edx
        mov     eax, esi
        cbw                                     ; sign-extend the low byte of esi
        mov     bl, -5
        idiv    bl                              ; al = q (|q| <= 25), ah = r
        movsx   ebx, al
        add     edi, ebx
        mov     al, ah
        mov     bl, 11
        imul    bl                              ; ax = r * 11 signed
        movsx   eax, ax
        sub     edi, eax
        imul    eax, esi, 69069                 ; three-operand form
        add     edi, eax
        imul    eax, edi                        ; two-operand form
        add     esi, eax
        lea     esi, [esi + esi * 2 + 7]
        loop    .m
        mov     eax, edi
        ret

; ---------------------------------------------------------------------------------------------
; fib: recursive Fibonacci; argument on the stack, result in EAX, pops its argument
fib:
        push    ebp
        mov     ebp, esp
        mov     eax, [ebp + 8]
        cmp     eax, 2
        jb      .done                           ; fib(0) = 0, fib(1) = 1
        dec     eax
        push    eax
        call    fib
        push    eax                             ; fib(n-1)
        mov     eax, [ebp + 8]
        sub     eax, 2
        push    eax
        call    fib
        pop     edx
        add     eax, edx
.done:  pop     ebp
        ret     4

; ---------------------------------------------------------------------------------------------
; matmul: matC = matA * matB (8x8 signed dwords, low 32 bits), a sum of matC -> EAX
matmul:
        ; fill matA and matB with small random values
        mov     edi, matA
        mov     ecx, 128
.fill:  call    rand
        sar     eax, 22                         ; -512 .. 511
        stosd
        loop    .fill

        push    ebp
        xor     esi, esi                        ; i * 32
.il:    xor     edi, edi                        ; j * 4
.jl:    xor     ecx, ecx                        ; accumulator
        xor     ebx, ebx                        ; k
        mov     ebp, edi                        ; k * 32 + j * 4
.kl:    mov     eax, [matA + esi + ebx * 4]
        imul    eax, [matB + ebp]               ; [ebp + disp32]: SS, flat like DS
        add     ecx, eax
        inc     ebx
        add     ebp, 32
        cmp     ebx, 8
        jb      .kl
        mov     [matC + esi + edi], ecx
        add     edi, 4
        cmp     edi, 32
        jb      .jl
        add     esi, 32
        cmp     esi, 256
        jb      .il
        pop     ebp

        mov     esi, matC
        mov     ecx, 64
        xor     edx, edx
.s:     lodsd
        xor     edx, eax
        rol     edx, 1
        loop    .s
        mov     eax, edx
        ret

; ---------------------------------------------------------------------------------------------
; sieve: primes below SIEVE_N; returns count * 65536 + (index of the last prime) -> EAX
sieve:
        mov     edi, sieveBuf
        mov     ecx, SIEVE_N / 4
        mov     eax, 01010101h
        rep     stosd
        mov     word [sieveBuf], 0
        mov     esi, 2                          ; p
.p:     mov     eax, esi
        mul     esi                             ; p * p
        cmp     eax, SIEVE_N
        jae     .count
        cmp     byte [sieveBuf + esi], 0
        je      .np
        mov     ebx, eax
.mark:  mov     byte [sieveBuf + ebx], 0
        add     ebx, esi
        cmp     ebx, SIEVE_N
        jb      .mark
.np:    inc     esi
        jmp     short .p
.count: mov     esi, sieveBuf
        mov     ecx, SIEVE_N
        xor     edx, edx                        ; count
        xor     ebx, ebx                        ; last prime
.c:     lodsb
        test    al, al
        jz      .nc
        inc     edx
        mov     ebx, esi                        ; one past the last prime seen
.nc:    loop    .c
        sub     ebx, sieveBuf + 1
        mov     eax, edx
        shl     eax, 16
        or      eax, ebx
        ret

; ---------------------------------------------------------------------------------------------
; bitmix: popcounts, bit scans, double shifts and rotates over arr -> EAX
bitmix:
        mov     esi, arr
        mov     ecx, SORT_N
        xor     edi, edi                        ; total popcount (+ scan results)
        xor     ebp, ebp                        ; rotate accumulator
.w:     lodsd
        test    eax, eax
        jz      .zero                           ; BSF/BSR of 0 leave their result undefined
        ; popcount by clearing the lowest set bit
        mov     edx, eax
.pc:    inc     edi
        lea     ebx, [edx - 1]
        and     edx, ebx
        jnz     .pc
        bsf     edx, eax
        bsr     ebx, eax
        shl     ebx, 5
        or      ebx, edx
        add     edi, ebx
.zero:  ; rotate-through-carry / arithmetic-shift mix
        mov     ebx, eax
        sar     ebx, 1
        rcl     ebp, 1
        xor     ebp, ebx
        mov     edx, eax
        not     edx
        neg     edx                             ; edx = eax + 1, CF set unless it is 0
        sbb     ebp, edx
        xchg    eax, ebx
        rcr     eax, 1
        and     eax, 0F0F0F0Fh
        or      ebp, eax
        shld    ebp, ebx, 5
        cmp     ebx, ebp
        setl    al
        movzx   eax, al
        add     edi, eax
        bt      ebp, 31
        jnc     .pos
        xor     ebp, 13571357h
.pos:   loop    .w
        mov     eax, ebp
        add     eax, edi
        ret

msg32:  db      'cpubench32 in protected mode$'

pm32_end:
        ; the code must end below the data
        times   -((pm32_end - pm32_start) > (BSS - PM_BASE)) db 0

; Uninitialised data from BSS on, in 4 KiB pages apart from the code (see cpubench.asm on why).
bss_start equ   BSS
first   equ     bss_start
bad     equ     first + 4
sum     equ     bad + 4
seed    equ     sum + 4
acc     equ     seed + 4
arr     equ     acc + 4                 ; SORT_N dwords
bufA    equ     arr + SORT_N * 4
bufB    equ     bufA + BUF_LEN
bufC    equ     bufB + BUF_LEN
bufD    equ     bufC + BUF_LEN
xtab    equ     bufD + BUF_LEN
matA    equ     xtab + 256
matB    equ     matA + 256              ; 64 dwords each
matC    equ     matB + 256
sieveBuf equ    matC + 256
bss_end equ     sieveBuf + SIEVE_N
        ; the data must end below the page directory
        times   -(bss_end > PDIR) db 0
