; build: nasm -f bin -o ega0d.com ega0d.asm
;
; ega0d: mode 0Dh (320x200, 16 colours, planar: four planes at A000h, 40 bytes a line, leftmost pixel
; in bit 7) and the sequencer map mask (register 2). Graphics controller in its reset state (write
; mode 0, no set/reset, replace, bit mask FFh), every pixel colour made by choosing which planes a
; write reaches:
;   y  16-111, x 32-287: sixteen vertical bars 16 pixels wide, colours 0-15 left to right (for colour c:
;              map mask 0Fh, write 00h, then map mask c, write FFh), a white 1-pixel frame round them
;              (x 31 and 288, y 15 and 112, drawn with map mask 0Fh)
;   y 136-167, x 32-287: each plane written on its own: plane 0 bytes 55h, plane 1 33h, plane 2 0Fh,
;              plane 3 00h/FFh alternately, so every 16 pixels show colours 0-15 one pixel each
; Through the BIOS (text in colour 15 by AH=0Eh teletype): "MODE 0DH 320X200X16" at text row 0
; column 1, the hex digit of each bar under it (text row 15, column 4 + 2c) and "PALETTE REGISTER 1 =
; 16H" at row 22 column 1.
; Last, INT 10h AX=1000h BL=1 BH=16h remaps attribute palette register 1: bar 1 (and every colour-1
; pixel) shows colour 16h, which in the 200-line colour set is bright yellow (the same as bar 14)
; instead of blue. Writes "DONE ega0d" to port E9h and exits. See README.md.
        org     100h
        cpu     186

start:  mov     ax, 000Dh
        int     10h
        cld

        ; text first (the BIOS may leave the sequencer and graphics controller as it likes)
        mov     dx, 0001h
        mov     si, title
        mov     bl, 0Fh
        call    print
        xor     bp, bp
.digit: mov     dx, bp
        shl     dl, 1
        add     dl, 4
        mov     dh, 15
        mov     ah, 02h
        xor     bh, bh
        int     10h
        mov     ax, bp
        add     al, '0'
        cmp     al, '9'
        jbe     .dec
        add     al, 'A' - '9' - 1
.dec:   mov     ah, 0Eh
        mov     bx, 000Fh
        int     10h
        inc     bp
        cmp     bp, 16
        jb      .digit
        mov     dx, 1601h
        mov     si, remap
        mov     bl, 0Fh
        call    print

        ; graphics controller reset state
        mov     dx, 3CEh
        mov     si, gcregs
.gc:    lodsw
        cmp     ax, 0FFFFh
        je      .gcok
        out     dx, ax
        jmp     short .gc
.gcok:
        mov     ax, 0A000h
        mov     es, ax

        ; the bars
        xor     bp, bp                  ; colour
.bar:   mov     ah, 0Fh
        call    mapmask
        xor     al, al
        call    bar
        mov     ax, bp
        mov     ah, al
        call    mapmask
        mov     al, 0FFh
        call    bar
        inc     bp
        cmp     bp, 16
        jb      .bar

        ; the frame
        mov     ah, 0Fh
        call    mapmask
        mov     di, 15 * 40 + 3
        call    hline
        mov     di, 112 * 40 + 3
        call    hline
        mov     di, 16 * 40 + 3
        mov     cx, 96
.side:  mov     byte [es:di], 01h       ; x 31
        mov     byte [es:di + 33], 80h  ; x 288
        add     di, 40
        loop    .side

        ; planes one by one
        mov     si, planes
        mov     ah, 1                   ; map mask
.plane: call    mapmask
        lodsw                           ; the plane's two bytes (even, odd byte column)
        mov     di, 136 * 40 + 4
        mov     dx, 32
.prow:  mov     cx, 16
        rep     stosw
        add     di, 40 - 32
        dec     dx
        jnz     .prow
        mov     ah, [cs:mm]
        shl     ah, 1
        cmp     ah, 10h
        jb      .plane
        mov     ah, 0Fh
        call    mapmask

        ; remap palette register 1 through the BIOS
        mov     ax, 1000h
        mov     bx, 1601h               ; BH = value, BL = register
        int     10h

        mov     si, done
        jmp     finish

; mapmask: sequencer register 2 = AH (kept in mm)
mapmask:
        push    ax
        push    dx
        mov     [cs:mm], ah
        mov     al, 02h
        mov     dx, 3C4h
        out     dx, ax
        pop     dx
        pop     ax
        ret

; bar: AL into the two byte columns of bar BP on lines 16..111
bar:    mov     di, bp
        shl     di, 1
        add     di, 16 * 40 + 4
        mov     cx, 96
.l:     mov     [es:di], al
        mov     [es:di + 1], al
        add     di, 40
        loop    .l
        ret

; hline: x 31..288 on the line at DI (= line * 40 + 3)
hline:  mov     byte [es:di], 01h
        inc     di
        mov     al, 0FFh
        mov     cx, 32
        rep     stosb
        mov     byte [es:di], 80h
        ret


%include "video.inc"

gcregs: dw      0000h, 0001h, 0003h, 0005h, 0FF08h, 0FFFFh
planes: dw      5555h, 3333h, 0F0Fh, 0FF00h
mm:     db      0
title:  db      'MODE 0DH 320X200X16', 0
remap:  db      'PALETTE REGISTER 1 = 16H', 0
done:   db      'DONE ega0d', 10, 0
