; build: nasm -f bin -o mousegfx.com mousegfx.asm
;
; mousegfx: mode 13h with the mouse cursor shown (INT 33h AX=0000h, 0001h) until a key is pressed, then
; back to text mode. The session shield draws the pointer VMOUSE reports in graphics modes.
        org 100h

        mov ax, 0013h
        int 10h
        mov ax, 0A000h          ; a blue screen, so the pointer stands out
        mov es, ax
        xor di, di
        mov cx, 32000
        mov ax, 0101h
        rep stosw
        xor ax, ax
        int 33h
        mov ax, 0001h
        int 33h
        xor ah, ah
        int 16h
        mov ax, 0003h
        int 10h
        mov ax, 4C00h
        int 21h
