; build: nasm -f bin -o cga4.com cga4.asm
;
; cga4: mode 04h (320x200, 4 colours, CGA memory at B800h: even scan lines from B800:0000, odd ones from
; B800:2000, 80 bytes a line, 2 bits a pixel, leftmost pixel in bits 7-6). Through the BIOS: mode set,
; background colour blue with the intensity bit for the foreground colours (AH=0Bh BH=0 BL=11h) and
; colour palette 1 (AH=0Bh BH=1 BL=1: light cyan, light magenta, white), and two diagonal lines
; (AH=0Ch). Straight into B800h:
;   y   0- 49  four vertical bars, 80 pixels each, colours 0 1 2 3 (blue, light cyan, light magenta, white)
;   y  50- 99  one scan line per colour: line y has colour y mod 4 (tests the even/odd interleave)
;   y 100-199, x 0-159: nested rectangles, colour 3 (x 8-151, y 108-191), 2 (x 24-135, y 120-179),
;              1 (x 40-119, y 132-167) and 0 (x 56-103, y 144-155)
;   y 100-107, x 160-319: bytes 1Bh (pixels 0 1 2 3 from the left); y 108-115: bytes E4h (3 2 1 0)
;   y 116-199, x 160-319: colour 0 with the BIOS lines: colour 3 from (164,116) down-right to
;              (247,199), colour 2 from (315,116) down-left to (232,199)
; Writes "DONE cga4" to port E9h and exits. See README.md.
        org     100h
        cpu     186

start:  mov     ax, 0004h
        int     10h
        mov     ah, 0Bh                 ; background (colour 0) blue, bit 4: bright foreground colours
        mov     bx, 0011h
        int     10h
        mov     ah, 0Bh                 ; palette 1
        mov     bx, 0101h
        int     10h
        cld
        mov     ax, 0B800h
        mov     es, ax

        ; four bars
        mov     si, bars
        xor     bx, bx                  ; byte column
.bar:   lodsb
        mov     cx, 20
        xor     dx, dx
        mov     bp, 50
        call    rect
        add     bx, 20
        cmp     bx, 80
        jb      .bar

        ; single-line stripes
        mov     dx, 50
.line:  mov     bx, dx
        and     bx, 3
        mov     al, [bars + bx]
        xor     bx, bx
        mov     cx, 80
        mov     bp, 1
        call    rect
        inc     dx
        cmp     dx, 100
        jb      .line

        ; nested rectangles: (byte column, y, width in bytes, height, byte)
        mov     si, rects
.rect:  lodsw
        cmp     ax, 0FFFFh
        je      .pixels
        mov     bx, ax
        lodsw
        mov     dx, ax
        lodsw
        mov     cx, ax
        lodsw
        mov     bp, ax
        lodsb
        call    rect
        jmp     short .rect

        ; diagonals through the BIOS
.pixels:
        mov     cx, 164
        mov     dx, 116
.d1:    mov     ax, 0C03h
        xor     bh, bh
        int     10h
        inc     cx
        inc     dx
        cmp     dx, 200
        jb      .d1
        mov     cx, 315
        mov     dx, 116
.d2:    mov     ax, 0C02h
        xor     bh, bh
        int     10h
        dec     cx
        inc     dx
        cmp     dx, 200
        jb      .d2

        mov     si, done
        jmp     finish

; rect: fill CX bytes from byte column BX on BP scan lines from line DX with AL (keeps AL, BX, SI)
rect:   push    dx
.l:     push    cx
        mov     di, dx
        shr     di, 1
        imul    di, di, 80
        test    dl, 1
        jz      .even
        add     di, 2000h
.even:  add     di, bx
        rep     stosb
        pop     cx
        inc     dx
        dec     bp
        jnz     .l
        pop     dx
        ret

%include "video.inc"

bars:   db      00h, 55h, 0AAh, 0FFh
rects:  dw       2, 108, 36, 84
        db      0FFh
        dw       6, 120, 28, 60
        db      0AAh
        dw      10, 132, 20, 36
        db      55h
        dw      14, 144, 12, 12
        db      00h
        dw      40, 100, 40, 8
        db      1Bh
        dw      40, 108, 40, 8
        db      0E4h
        dw      0FFFFh
done:   db      'DONE cga4', 10, 0
