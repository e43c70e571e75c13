; build: nasm -f bin -o anim13.com anim13.asm
;
; anim13: a 70 Hz mode 13h animation for the display benchmark (bench/display.ts). Every vertical retrace
; it redraws the whole 320x200 screen with a diagonal colour ramp shifted by one step, so every frame changes
; every pixel (the worst case for frame updates), and every 8th frame it also rotates DAC entries 1-255
; (palette cycling). Ends on a key press (INT 16h), or after COUNT frames when run with an argument
; ("anim13 500"), back in text mode, exit code 0.
        org 100h
        cpu 186

start:  mov ax, 0013h
        int 10h
        ; frame limit from the command line (decimal), 0 = until a key
        xor bx, bx
        mov si, 81h
.num:   lodsb
        cmp al, ' '
        je .num
        sub al, '0'
        jb .gotnum
        cmp al, 9
        ja .gotnum
        imul bx, bx, 10
        xor ah, ah
        add bx, ax
        jmp .num
.gotnum:
        mov [limit], bx
        mov ax, 0A000h
        mov es, ax
        xor bp, bp              ; frame counter

frame:  ; wait for the start of a vertical retrace
        mov dx, 3DAh
.inret: in al, dx
        test al, 8
        jnz .inret
.noret: in al, dx
        test al, 8
        jz .noret

        ; redraw: pixel (x, y) = x + y + frame (mod 256)
        xor di, di
        mov dx, 200
        mov bx, bp              ; bl = y + frame
.row:   mov al, bl
        mov cx, 320
.px:    stosb
        inc al
        loop .px
        inc bl
        dec dx
        jnz .row

        ; every 8th frame rotate DAC 1..255 by one entry
        test bp, 7
        jnz .nopal
        mov dx, 3C8h
        mov al, 1
        out dx, al
        inc dx
        mov cx, 255 * 3
        mov al, bl
.pal:   out dx, al
        add al, 5
        and al, 3Fh
        loop .pal
.nopal:
        inc bp
        mov ax, [limit]
        test ax, ax
        jz .key
        cmp bp, ax
        jae done
.key:   mov ah, 1
        int 16h
        jz frame
        xor ah, ah
        int 16h

done:   mov ax, 0003h
        int 10h
        mov ax, 4C00h
        int 21h

limit:  dw 0
