; build: nasm -f bin -o cga2.com cga2.asm
;
; cga2: mode 06h (640x200, 2 colours, CGA memory at B800h: even scan lines from B800:0000, odd ones from
; B800:2000, 80 bytes a line, 1 bit a pixel, leftmost pixel in bit 7). Straight into B800h:
;   a 1-pixel white frame round the screen (x 0 and 639, y 0 and 199)
;   y  24-103, x 16-623: an 8x8 checkerboard (the top-left square white)
;   y 112-127, x 16-623: a 1-pixel checkerboard (bytes AAh on even lines, 55h on odd lines)
;   y 136-167, x 16-623: vertical stripes 1, 2, 4 and 8 pixels wide, 152 pixels each (bytes AAh, CCh,
;              F0h, then FFh/00h alternating)
; and through the BIOS teletype in graphics mode (AH=02h cursor, AH=0Eh with BL=1): "CGA 640x200 MODE
; 06H" at text row 1 column 2 and the pangram at text row 22 column 2. Writes "DONE cga2" to port E9h
; and exits. See README.md.
        org     100h
        cpu     186

start:  mov     ax, 0006h
        int     10h
        cld
        mov     ax, 0B800h
        mov     es, ax

        ; frame
        mov     al, 0FFh
        xor     bx, bx
        mov     cx, 80
        xor     dx, dx
        mov     bp, 1
        call    rect
        mov     dx, 199
        mov     bp, 1
        call    rect
        xor     dx, dx
.side:  call    lineaddr
        or      byte [es:di], 80h
        or      byte [es:di + 79], 01h
        inc     dx
        cmp     dx, 200
        jb      .side

        ; 8x8 checkerboard: 10 rows of squares
        mov     dx, 24
.chk:   mov     ax, dx
        sub     ax, 24
        shr     ax, 3                   ; square row
        and     al, 1
        mov     ah, 0FFh
        jz      .c0
        not     ah
.c0:    call    lineaddr
        add     di, 2
        mov     cx, 76
        mov     al, ah
.cb:    stosb
        not     al
        loop    .cb
        inc     dx
        cmp     dx, 104
        jb      .chk

        ; 1-pixel checkerboard
        mov     dx, 112
.fine:  mov     al, 0AAh
        test    dl, 1
        jz      .f0
        mov     al, 55h
.f0:    mov     bx, 2
        mov     cx, 76
        mov     bp, 1
        call    rect
        inc     dx
        cmp     dx, 128
        jb      .fine

        ; stripes
        mov     dx, 136
.str:   call    lineaddr
        add     di, 2
        mov     al, 0AAh
        mov     cx, 19
        rep     stosb
        mov     al, 0CCh
        mov     cx, 19
        rep     stosb
        mov     al, 0F0h
        mov     cx, 19
        rep     stosb
        mov     ax, 00FFh
        mov     cx, 9
        rep     stosw
        stosb
        inc     dx
        cmp     dx, 168
        jb      .str

        ; text through the BIOS
        mov     dx, 0102h
        mov     si, title
        mov     bl, 01h
        call    print
        mov     dx, 1602h
        mov     si, fox
        mov     bl, 01h
        call    print

        mov     si, done
        jmp     finish

; lineaddr: DI = offset of scan line DX
lineaddr:
        mov     di, dx
        shr     di, 1
        imul    di, di, 80
        test    dl, 1
        jz      .even
        add     di, 2000h
.even:  ret

; rect: fill CX bytes from byte column BX on BP scan lines from line DX with AL (keeps AL, BX, DX, SI)
rect:   push    dx
.l:     push    cx
        call    lineaddr
        add     di, bx
        rep     stosb
        pop     cx
        inc     dx
        dec     bp
        jnz     .l
        pop     dx
        ret


%include "video.inc"

title:  db      'CGA 640x200 MODE 06H', 0
fox:    db      'The quick brown fox jumps over the lazy dog. 0123456789', 0
done:   db      'DONE cga2', 10, 0
