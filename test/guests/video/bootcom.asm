; build: nasm -f bin -o bootcom.bin bootcom.asm
;
; bootcom: a 512-byte boot sector that runs one of the video guest programs (a DOS .COM) on a bare PC
; BIOS, so scripts/video-reference.sh can take QEMU's picture of it for comparison. Not a guest test
; itself. The disk layout and the loader are
; ../loadcom.inc's. Nothing is written to the screen (the programs' pictures are what is being looked
; at), except a message if the disk cannot be read.
;
; INT 21h supports only AH=4Ch (and INT 20h): it writes "EXIT", 10 to the debug console port E9h and
; then idles with interrupts enabled (sti; hlt loop), so the machine keeps running and the picture stays.
; Every other function returns at once.

%include "../loadcom.inc"

disk_error:
        mov     si, msg_err
.err:   lodsb
        or      al, al
        jz      idle
        mov     ah, 0Eh
        mov     bx, 0007h
        int     10h
        jmp     short .err

; ---------------------------------------------------------------------------------------------
int21:
        cmp     ah, 4Ch
        je      exit
        iret
int20:
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

        times   510 - ($ - $$) db 0
        dw      0AA55h
