; build: nasm -f bin -o modex.com modex.asm
;
; modex: "mode X", 320x240 with 256 colours, unchained (Abrash's register set): from mode 13h, chain-4
; off (sequencer 4 = 06h), 25 MHz dot clock and 480-line timing (misc output E3h, under a sequencer
; reset), CRTC 06h=0Dh 07h=3Eh 09h=41h 10h=EAh 11h=ACh 12h=DFh 14h=00h (no doubleword mode) 15h=E7h
; 16h=06h 17h=E3h (byte mode). Pixel (x, y) of a page at offset P is in plane x mod 4 at
; P + 80y + x / 4. All 256 KiB cleared, then two pages drawn plane by plane (map mask 1, 2, 4, 8):
;   page 1 at offset 0: solid red (colour 4) with a yellow (14) diagonal cross - must NOT be seen
;   page 2 at offset 4B00h (19200): the picture, in the default mode 13h palette:
;     a white (15) 1-pixel frame: x = 0, x = 319, y = 0, y = 239
;     y   1- 79  40 vertical bars 8 pixels wide, colours 32 .. 71 (the hue wheel) left to right
;     y  80-159  diagonal grey bands: colour 16 + ((x + y) / 16) mod 16
;     y 160-199  1-pixel columns in colours 1 2 3 4 (blue green cyan red) repeating: colour 1 + x mod 4,
;                so each plane holds one colour
;     y 200-238  16x16 checkerboard, yellow (14) where (x / 16 + y / 16) is odd, else black
; Then the CRTC start address (0Ch/0Dh) = 4B00h shows page 2 (set in vertical retrace, a bounded wait).
; Writes "DONE modex" to port E9h and exits. See README.md.
        org     100h
        cpu     186

PAGE2   equ     4B00h

start:  mov     ax, 0013h
        int     10h
        cld

        mov     dx, 3C4h
        mov     ax, 0604h               ; chain-4 off
        out     dx, ax
        mov     ax, 0100h               ; synchronous reset
        out     dx, ax
        mov     dx, 3C2h
        mov     al, 0E3h                ; 25 MHz dot clock, 480-line sync polarities
        out     dx, al
        mov     dx, 3C4h
        mov     ax, 0300h               ; restart the sequencer
        out     dx, ax
        mov     dx, 3D4h
        mov     al, 11h                 ; unprotect CRTC 0-7
        out     dx, al
        inc     dx
        in      al, dx
        and     al, 7Fh
        out     dx, al
        dec     dx
        mov     si, crtc
        mov     cx, CRTC_N
.crtc:  lodsw
        out     dx, ax
        loop    .crtc

        ; clear all four planes
        mov     ax, 0A000h
        mov     es, ax
        mov     dx, 3C4h
        mov     ax, 0F02h
        out     dx, ax
        xor     di, di
        xor     ax, ax
        mov     cx, 8000h
        rep     stosw

        ; both pages, plane by plane
        xor     bp, bp                  ; plane
.plane: mov     cx, bp
        mov     ah, 1
        shl     ah, cl
        mov     al, 02h
        mov     dx, 3C4h
        out     dx, ax
        xor     di, di
        xor     dx, dx                  ; y
.row:   mov     si, bp                  ; x = plane, plane + 4, ...
.pix:   call    page1
        mov     [es:di], al
        call    page2
        mov     [es:di + PAGE2], al
        inc     di
        add     si, 4
        cmp     si, 320
        jb      .pix
        inc     dx
        cmp     dx, 240
        jb      .row
        inc     bp
        cmp     bp, 4
        jb      .plane

        ; show page 2: start address, changed while the beam is in vertical retrace (bounded wait)
        mov     dx, 3DAh
        mov     cx, 0FFFFh
.nr:    in      al, dx
        test    al, 8
        jz      .w
        loop    .nr
.w:     mov     cx, 0FFFFh
.r:     in      al, dx
        test    al, 8
        jnz     .set
        loop    .r
.set:   mov     dx, 3D4h
        mov     ax, (PAGE2 & 0FF00h) | 0Ch
        out     dx, ax
        mov     ax, ((PAGE2 & 0FFh) << 8) | 0Dh
        out     dx, ax

        mov     si, done
        jmp     finish

; page1: AL = colour of (SI, DX) on page 1: red with a yellow cross
page1:  mov     al, 14
        mov     bx, si
        sub     bx, 40
        cmp     bx, dx                  ; x - 40 = y
        je      .ret
        mov     bx, 279
        sub     bx, si
        cmp     bx, dx                  ; 279 - x = y
        je      .ret
        mov     al, 4
.ret:   ret

; page2: AL = colour of (SI, DX) on page 2
page2:  mov     al, 15
        or      si, si
        jz      .ret
        cmp     si, 319
        je      .ret
        or      dx, dx
        jz      .ret
        cmp     dx, 239
        je      .ret
        cmp     dx, 80
        jae     .grey
        mov     ax, si                  ; hue bars
        shr     ax, 3
        add     al, 32
        ret
.grey:  cmp     dx, 160
        jae     .cols
        mov     ax, si
        add     ax, dx
        shr     ax, 4
        and     al, 15
        add     al, 16
        ret
.cols:  cmp     dx, 200
        jae     .chk
        mov     ax, si
        and     al, 3
        inc     al
        ret
.chk:   mov     ax, si
        shr     ax, 4
        mov     bx, dx
        shr     bx, 4
        add     ax, bx
        and     al, 1
        jz      .ret
        mov     al, 14
.ret:   ret

%include "video.inc"

crtc:   dw      0D06h, 3E07h, 4109h, 0EA10h, 0AC11h, 0DF12h, 0014h, 0E715h, 0616h, 0E317h
CRTC_N  equ     ($ - crtc) / 2
done:   db      'DONE modex', 10, 0
