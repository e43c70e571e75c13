; build: nasm -f bin -o vga13.com vga13.asm
;
; vga13: mode 13h (320x200, 256 colours, chained) and the DAC. Sets the 256 DAC entries through ports
; 3C8h/3C9h to four 64-step ramps (0-63 red, 64-127 green, 128-191 blue, 192-255 grey; entry 0 is black),
; shows every entry as a vertical bar (four rows of 64 bars, 5 pixels wide, 36 lines high, 4 black lines
; apart), then plots eight "+" marks (9 pixels, arms 2 long) with INT 10h AH=0Ch along y = 170 and
; reads them back with AH=0Dh: for each mark whose nine read-back pixels all have its colour (and a pixel
; beside it is still 0) a 12x12 square of the same colour is drawn under it. Writes "DONE vga13" to
; port E9h and exits, leaving the picture. See README.md.
        org     100h
        cpu     186

start:  mov     ax, 0013h
        int     10h
        cld

        ; DAC: four ramps of 64 entries from index 0
        mov     dx, 3C8h
        xor     al, al
        out     dx, al
        inc     dx                      ; 3C9h
        xor     bx, bx                  ; bh = ramp (0 red, 1 green, 2 blue, 3 grey), bl = step
.dac:   mov     al, bl
        xor     ah, ah                  ; red component
        cmp     bh, 0
        je      .r
        cmp     bh, 3
        jne     .r0
.r:     mov     ah, al
.r0:    mov     al, ah
        out     dx, al
        mov     al, 0                   ; green
        cmp     bh, 1
        je      .g
        cmp     bh, 3
        jne     .g0
.g:     mov     al, bl
.g0:    out     dx, al
        mov     al, 0                   ; blue
        cmp     bh, 2
        je      .b
        cmp     bh, 3
        jne     .b0
.b:     mov     al, bl
.b0:    out     dx, al
        inc     bl
        cmp     bl, 64
        jb      .dac
        xor     bl, bl
        inc     bh
        cmp     bh, 4
        jb      .dac

        ; bars: rows y = 0..159, row r = y / 40, lines 36..39 of each row stay black
        mov     ax, 0A000h
        mov     es, ax
        xor     di, di
        xor     dx, dx                  ; y
.bary:  mov     ax, dx
        mov     bl, 40
        div     bl                      ; al = row, ah = line in row
        cmp     ah, 36
        jae     .skip
        mov     bh, al
        shl     bh, 6                   ; first colour of the ramp
        xor     si, si                  ; x
.barx:  mov     ax, si
        mov     bl, 5
        div     bl                      ; al = x / 5
        add     al, bh
        stosb
        inc     si
        cmp     si, 320
        jb      .barx
        jmp     short .nexty
.skip:  add     di, 320
.nexty: inc     dx
        cmp     dx, 160
        jb      .bary

        ; eight marks through the BIOS, read back through the BIOS
        xor     bp, bp                  ; mark number i
.mark:  mov     ax, bp
        mov     cl, 5
        shl     ax, cl                  ; 32 * i
        add     al, 31                  ; colour 31, 63, 95, ... 255
        mov     [colour], al
        mov     ax, bp
        mov     cl, 40
        mul     cl
        add     ax, 20
        mov     [mx], ax                ; x = 20 + 40 * i
        ; plot the nine points of the "+"
        mov     si, plus
.plot:  lodsw
        cmp     ax, 8000h
        je      .check
        mov     cx, [mx]
        add     cx, ax
        lodsw
        mov     dx, 170
        add     dx, ax
        mov     ah, 0Ch
        mov     al, [colour]
        xor     bh, bh
        int     10h
        jmp     short .plot
        ; read them back
.check: mov     si, plus
.read:  lodsw
        cmp     ax, 8000h
        je      .beside
        mov     cx, [mx]
        add     cx, ax
        lodsw
        mov     dx, 170
        add     dx, ax
        mov     ah, 0Dh
        xor     bh, bh
        int     10h
        cmp     al, [colour]
        jne     .nomark
        jmp     short .read
.beside:
        mov     cx, [mx]
        add     cx, 10
        mov     dx, 170
        mov     ah, 0Dh
        xor     bh, bh
        int     10h
        or      al, al
        jnz     .nomark
        ; the square: x - 6 .. x + 5, y 182 .. 193
        mov     di, 182 * 320 - 6
        add     di, [mx]
        mov     al, [colour]
        mov     dx, 12
.sq:    mov     cx, 12
        rep     stosb
        add     di, 320 - 12
        dec     dx
        jnz     .sq
.nomark:
        inc     bp
        cmp     bp, 8
        jb      .mark

        mov     si, done
        jmp     finish

%include "video.inc"

; the "+": (dx, dy) pairs, 8000h ends
plus:   dw      0, 0, -1, 0, -2, 0, 1, 0, 2, 0, 0, -1, 0, -2, 0, 1, 0, 2, 8000h
colour: db      0
mx:     dw      0
done:   db      'DONE vga13', 10, 0
