; build: nasm -f bin -o gpnest.com gpnest.asm
;
; gpnest: a 16-bit DPMI client whose #GP handler faults again. A DPMI host must end such a client with a
; message (its exception stack would overflow), not loop or run frames into its own memory. Exit code FFh
; is what VDPMI gives a client it ends; the program itself never gets to exit.
        org 100h
        mov ah, 4Ah
        mov bx, 1000h
        int 21h
        mov ax, 1687h
        int 2Fh
        test ax, ax
        jnz .none
        mov [entry], di
        mov [entry + 2], es
        mov ah, 48h
        mov bx, si
        int 21h
        jc .none
        mov es, ax
        xor ax, ax
        call far [entry]
        jc .none
        mov ax, 0203h                   ; #GP handler: handler (below)
        mov bl, 0Dh
        mov cx, cs
        mov dx, handler
        int 31h
        mov ax, 0FFF8h                  ; an invalid selector
        mov ds, ax                      ; #GP -> handler -> #GP -> ...
        mov ax, 4C00h                   ; never reached
        int 21h
.none:  mov ax, 4C01h
        int 21h

handler:
        mov ax, 0FFF8h
        mov es, ax                      ; faults again, inside the handler
        retf

entry   dd 0
