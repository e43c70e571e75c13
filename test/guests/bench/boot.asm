; build: nasm -f bin -o boot.bin boot.asm
;
; A 512-byte boot sector that runs a small DOS .COM program on a bare PC BIOS (used to time
; cpubench.com under qemu-system-i386). Disk layout (1.44 MB floppy, 18 sectors/track, 2 heads):
;   sector 1 (LBA 0)     this boot sector
;   LBA 1 .. LBA 64      the .COM body, padded with zeros (at most 32 KiB is loaded)
;
; It loads the body to LOAD_SEG:0100 with INT 13h, puts a tiny PSP at LOAD_SEG:0000 (CD 20 = INT 20h
; at offset 0, top-of-memory word at offset 2), installs minimal INT 20h / INT 21h handlers and
; jumps to the program with CS = DS = ES = SS = LOAD_SEG, SP = FFFEh (a zero word on the stack, so
; a RET reaches INT 20h as under DOS).
;
; INT 21h supports:
;   AH=02h  print DL
;   AH=09h  print the '$'-terminated string at DS:DX
;   AH=4Ch  exit with code AL
; Output goes to COM1 (port 3F8h; `-serial stdio` / `-nographic` shows it) and to the screen
; through INT 10h AH=0Eh. Exit writes AL to the isa-debug-exit port F4h, so
; `qemu-system-i386 -device isa-debug-exit,iobase=0xf4,iosize=0x04` terminates with status
; (AL << 1) | 1 (low 8 bits). Without that device the machine halts with interrupts off.
; INT 20h exits with code 0.

        cpu     8086
        org     7C00h

LOAD_SEG        equ 1000h
LOAD_SECTORS    equ 64
SPT             equ 18
HEADS           equ 2
COM1            equ 3F8h
EXIT_PORT       equ 0F4h

start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 7C00h
        sti
        cld
        jmp     0:boot                  ; normalise CS:IP to 0000:7Cxx
boot:
        mov     [drive], dl
        ; vectors
        mov     word [20h * 4], int20
        mov     word [20h * 4 + 2], 0
        mov     word [21h * 4], int21
        mov     word [21h * 4 + 2], 0

        ; load the body sector by sector, CHS (0, 0, 2) onwards, to LOAD_SEG:0100
        mov     ax, LOAD_SEG + 10h
        mov     es, ax
        mov     byte [sect], 2
        mov     byte [head], 0
        mov     byte [cyl], 0
        mov     si, LOAD_SECTORS
.next:  mov     di, 4                   ; tries
.try:   mov     ax, 0201h               ; read 1 sector
        xor     bx, bx
        mov     ch, [cyl]
        mov     cl, [sect]
        mov     dh, [head]
        mov     dl, [drive]
        int     13h
        jnc     .ok
        xor     ax, ax                  ; reset and retry
        mov     dl, [drive]
        int     13h
        dec     di
        jnz     .try
        mov     si, msg_err
        call    puts
        jmp     halt
.ok:    mov     ax, es
        add     ax, 20h                 ; 512 bytes further
        mov     es, ax
        inc     byte [sect]
        cmp     byte [sect], SPT
        jbe     .same
        mov     byte [sect], 1
        inc     byte [head]
        cmp     byte [head], HEADS
        jb      .same
        mov     byte [head], 0
        inc     byte [cyl]
.same:  dec     si
        jnz     .next

        ; PSP stub and registers
        mov     ax, LOAD_SEG
        mov     es, ax
        mov     word [es:0], 20CDh      ; INT 20h
        mov     word [es:2], 0A000h     ; first segment past the program's memory
        cli
        mov     ss, ax
        mov     sp, 0FFFEh
        mov     word [es:0FFFEh], 0
        sti
        mov     ds, ax
        xor     ax, ax
        xor     bx, bx
        mov     cx, 00FFh
        mov     dx, LOAD_SEG
        mov     si, 100h
        mov     di, 0FFFEh
        mov     bp, 091Ch
        jmp     LOAD_SEG:100h

; ---------------------------------------------------------------------------------------------
int20:
        xor     al, al
        jmp     short exit

int21:
        sti
        cmp     ah, 4Ch
        je      exit
        cmp     ah, 09h
        je      .print
        cmp     ah, 02h
        je      .putc
        iret
.putc:  push    ax
        mov     al, dl
        call    putc
        pop     ax
        iret
.print: push    ax
        push    si
        cld
        mov     si, dx
.pl:    lodsb                           ; DS = the caller's
        cmp     al, '$'
        je      .pd
        call    putc
        jmp     short .pl
.pd:    pop     si
        pop     ax
        mov     al, '$'                 ; as DOS returns
        iret

exit:
        mov     dx, EXIT_PORT
        out     dx, al
halt:   cli
        hlt
        jmp     short halt

; puts: print the NUL-terminated string at CS:SI (boot messages)
puts:
        lodsb                           ; DS = 0 here
        or      al, al
        jz      .done
        call    putc
        jmp     short puts
.done:  ret

; putc: AL to COM1 and to the screen
putc:
        push    ax
        push    bx
        push    dx
        push    ax
        mov     dx, COM1 + 5            ; line status: wait for THR empty
        mov     bx, 0FFFFh
.w:     in      al, dx
        test    al, 20h
        jnz     .tx
        dec     bx
        jnz     .w
.tx:    pop     ax
        mov     dx, COM1
        out     dx, al
        mov     ah, 0Eh
        mov     bx, 0007h
        int     10h
        pop     dx
        pop     bx
        pop     ax
        ret

msg_err: db     'boot: disk read error', 13, 10, 0

drive:  db      0
sect:   db      0
head:   db      0
cyl:    db      0

        times   510 - ($ - $$) db 0
        dw      0AA55h
