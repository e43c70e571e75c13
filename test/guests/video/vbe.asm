; build: nasm -f bin -o vbe.com vbe.asm
;
; vbe: VESA mode 101h (640x480, 256 colours) through the banked A000h window. Sets the mode with INT 10h
; AX=4F02h and draws every pixel through one routine that works out the 64 KiB bank of its linear offset
; (y * 640 + x) and switches window A with AX=4F05h when it changes, so every shape below that crosses a
; bank boundary (every 102.4 lines, mid-line) must come out whole. In the default 256-colour palette:
; a white frame round the screen, a title by BIOS teletype, hue bars, a grey ramp, the 16 CGA colours, a
; yellow/light-red cross and a white/blue checkerboard. Writes "DONE vbe" to port E9h and exits, leaving
; the picture. See README.md.
        org     100h
        cpu     186

start:  mov     ax, 4F02h
        mov     bx, 0101h
        int     10h
        mov     ax, 0A000h
        mov     es, ax
        cld

        ; title, white, text row 1 column 2
        mov     si, title
        mov     bl, 15
        mov     dx, 0102h
        call    print

        ; a white frame round the whole screen
        mov     al, 15
        xor     cx, cx
        xor     dx, dx
        mov     si, 640
        mov     bp, 1
        call    fillrect                ; top
        mov     dx, 479
        call    fillrect                ; bottom
        xor     dx, dx
        mov     si, 1
        mov     bp, 480
        call    fillrect                ; left
        mov     cx, 639
        call    fillrect                ; right

        ; hue bars: 30 bars of 20 pixels, colours 32-61, x 20-619, y 40-135 (across the bank 0/1 line)
        mov     al, 32
        mov     cx, 20
        mov     dx, 40
        mov     si, 20
        mov     bp, 96
.hue:   call    fillrect
        add     cx, 20
        inc     al
        cmp     al, 62
        jb      .hue

        ; grey ramp: 16 bars of 36 pixels, colours 16-31, x 32-607, y 150-199
        mov     al, 16
        mov     cx, 32
        mov     dx, 150
        mov     si, 36
        mov     bp, 50
.grey:  call    fillrect
        add     cx, 36
        inc     al
        cmp     al, 32
        jb      .grey

        ; the 16 CGA colours, same bars, y 210-259 (bar 0 black)
        xor     al, al
        mov     cx, 32
        mov     dx, 210
.cga:   call    fillrect
        add     cx, 36
        inc     al
        cmp     al, 16
        jb      .cga

        ; a cross of two diagonals in x 20-199, y 280-459: yellow down-right, light red down-left
        mov     al, 14
        mov     cx, 20
        mov     dx, 280
        mov     si, 180
        mov     bx, 1
        call    line
        mov     al, 12
        mov     cx, 199
        mov     bx, -1
        call    line

        ; an 8x8 checkerboard in x 260-619, y 280-455 (across the bank 4 line at y 409), white at the top left
        mov     dx, 280
.cy:    mov     cx, 260
.cx:    mov     ax, cx
        sub     ax, 260
        shr     ax, 3
        mov     bx, dx
        sub     bx, 280
        shr     bx, 3
        xor     ax, bx
        test    al, 1
        mov     al, 15
        jz      .white
        mov     al, 1
.white: call    putpixel
        inc     cx
        cmp     cx, 620
        jb      .cx
        inc     dx
        cmp     dx, 456
        jb      .cy

        mov     si, done
        jmp     finish

; putpixel: colour AL at (CX, DX) through window A at ES = A000h; keeps every register
putpixel:
        push    ax
        push    bx
        push    dx
        push    di
        push    ax
        mov     ax, 640
        mul     dx                      ; dx:ax = y * 640
        add     ax, cx
        adc     dx, 0                   ; dx = bank, ax = offset in it
        mov     di, ax
        cmp     dx, [bank]
        je      .same
        mov     [bank], dx
        mov     ax, 4F05h               ; set window A (BH=0, BL=0) to bank DX
        xor     bx, bx
        int     10h
.same:  pop     ax
        mov     [es:di], al
        pop     di
        pop     dx
        pop     bx
        pop     ax
        ret

; fillrect: colour AL, SI x BP pixels from (CX, DX); keeps every register
fillrect:
        pusha
.row:   push    cx
        mov     bx, si
.col:   call    putpixel
        inc     cx
        dec     bx
        jnz     .col
        pop     cx
        inc     dx
        dec     bp
        jnz     .row
        popa
        ret

; line: colour AL, SI pixels from (CX, DX), x stepping by BX (1 or -1), y by 1; keeps every register
line:   pusha
.next:  call    putpixel
        add     cx, bx
        inc     dx
        dec     si
        jnz     .next
        popa
        ret

%include "video.inc"

bank:   dw      0FFFFh
title:  db      'VBE MODE 101H 640X480X256, BANKED WINDOW (AX=4F05H)', 0
done:   db      'DONE vbe', 10, 0
