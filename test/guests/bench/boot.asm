; build: nasm -f bin -o boot.bin boot.asm
;
; A 512-byte boot sector that runs a small DOS .COM program on a bare PC BIOS (used to time
; cpubench.com under qemu-system-i386). The disk layout and the loader are
; ../loadcom.inc's; this file adds the INT 20h / INT 21h handlers.
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

%include "../loadcom.inc"

COM1            equ 3F8h
EXIT_PORT       equ 0F4h

disk_error:
        mov     si, msg_err
        call    puts
        jmp     halt

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

        times   510 - ($ - $$) db 0
        dw      0AA55h
