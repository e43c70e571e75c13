; build: nasm -f bin -o bootcom.bin bootcom.asm
;
; bootcom: a 512-byte boot sector that runs one of the video guest programs (a DOS .COM) on a bare PC
; BIOS, so scripts/video-reference.sh can take QEMU's picture of it for comparison. Not a guest test
; itself. Disk layout (1.44 MB floppy, 18 sectors/track, 2 heads):
;   LBA 0              this boot sector
;   LBA 1 .. LBA 64    the .COM body, padded with zeros (at most 32 KiB is loaded)
;
; It loads the body to LOAD_SEG:0100 with INT 13h, puts a tiny PSP at LOAD_SEG:0000 (CD 20 = INT 20h
; at offset 0, top-of-memory word at offset 2), installs minimal INT 20h / INT 21h handlers and jumps to
; the program with CS = DS = ES = SS = LOAD_SEG, SP = FFFEh. Nothing is written to the screen (the
; programs' pictures are what is being looked at), except a message if the disk cannot be read.
;
; INT 21h supports only AH=4Ch (and INT 20h): it writes "EXIT", 10 to the debug console port E9h and
; then idles with interrupts enabled (sti; hlt loop), so the machine keeps running and the picture stays.
; Every other function returns at once.

        cpu     8086
        org     7C00h

LOAD_SEG        equ 1000h
LOAD_SECTORS    equ 64
SPT             equ 18
HEADS           equ 2

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
        mov     word [20h * 4], exit
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
.err:   lodsb
        or      al, al
        jz      idle
        mov     ah, 0Eh
        mov     bx, 0007h
        int     10h
        jmp     short .err
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
int21:
        cmp     ah, 4Ch
        je      exit
        iret
exit:
        mov     al, 'E'
        out     0E9h, al
        mov     al, 'X'
        out     0E9h, al
        mov     al, 'I'
        out     0E9h, al
        mov     al, 'T'
        out     0E9h, al
        mov     al, 10
        out     0E9h, al
idle:   sti
        hlt
        jmp     short idle

msg_err: db     'bootcom: disk read error', 0

drive:  db      0
sect:   db      0
head:   db      0
cyl:    db      0

        times   510 - ($ - $$) db 0
        dw      0AA55h
