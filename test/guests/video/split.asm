; build: nasm -f bin -o split.com split.asm
;
; split: mode 12h (640x480x16, 80 bytes a line) as a split screen. CRTC line compare = 320 (register
; 18h = 40h, bit 8 in overflow register 07h bit 4 = 1, bit 9 in register 09h bit 6 = 0), start address
; (0Ch/0Dh) = 9600h (38400, memory line 480), attribute controller mode control (10h) bit 5 set (pel
; panning compatibility: the split part is not panned) and horizontal pel panning (13h) = 4. So screen
; lines 0-320 show memory from 9600h shifted 4 pixels left, and lines 321-479 show memory from 0.
; Memory from 9600h ("top", 321 lines; line n of it is screen line n):
;   green (2) background on lines 0-247; lines 16-31 the label "TOP: START ADDRESS 9600H, ..." (yellow
;   on black, made with the BIOS teletype in undisplayed memory, text row 12, and copied with write
;   mode 1); lines 248-255 black; lines 256-320 sixteen 40-pixel colour bars 0-15
; Memory from 0 ("bottom", lines 0-158 on screen lines 321-479):
;   lines 0-47 the same sixteen colour bars; lines 48-55 black; blue (1) on lines 56-158; lines 64-79
;   (text row 4) the label "BOTTOM: LINE COMPARE 320 SPLIT, ..." (light cyan on black, BIOS teletype)
; Both parts have a white ruler: 1-pixel vertical lines at memory x = 0, 32, 64, ... 608 and 639, so on
; screen the top ruler and bars sit 4 pixels left of the bottom ones (x = 28, 60, ...; the top's x = 0
; line is panned off the left edge and the 4 pixels at the right edge come from the next line).
; Writes "DONE split" to port E9h and exits. See README.md.
        org     100h
        cpu     186

TOP     equ     38400                   ; 9600h
LC      equ     320

start:  mov     ax, 0012h
        int     10h
        cld
        mov     ax, 0A000h
        mov     es, ax

        ; backgrounds and bars
        call    gcreset
        mov     di, 0                   ; bottom: bars on lines 0-47, black 48-55, blue 56-158
        mov     dx, 48
        call    bars
        mov     di, 56 * 80
        mov     dx, 159 - 56
        mov     ah, 1
        call    fill
        mov     di, TOP                 ; top: green on 0-247, black 248-255, bars on 256-320
        mov     dx, 248
        mov     ah, 2
        call    fill
        mov     di, TOP + 256 * 80
        mov     dx, LC + 1 - 256
        call    bars

        ; labels through the BIOS (bottom one in place, top one in undisplayed memory at text row 12)
        call    gcreset
        mov     dx, 0402h
        mov     bl, 11
        mov     si, botmsg
        call    print
        mov     dx, 0C02h
        mov     bl, 14
        mov     si, topmsg
        call    print

        ; copy text row 12 (lines 192-207) to top lines 16-31 through the latches (write mode 1)
        call    gcreset
        mov     ax, 0105h
        call    gc
        push    ds
        push    es
        pop     ds
        mov     si, 192 * 80
        mov     di, TOP + 16 * 80
        mov     cx, 16 * 80
        rep     movsb
        pop     ds

        ; rulers: colour 15 by set/reset, bit masks 80h (x = 32k) and 01h (x = 639)
        call    gcreset
        mov     ax, 0F00h
        call    gc
        mov     ax, 0F01h
        call    gc
        xor     di, di
        mov     dx, 159
        call    ruler
        mov     di, TOP
        mov     dx, LC + 1
        call    ruler
        call    gcreset

        ; CRTC: unprotect 0-7, line compare, start address
        mov     dx, 3D4h
        mov     al, 11h
        out     dx, al
        inc     dx
        in      al, dx
        mov     [prot11], al
        and     al, 7Fh
        out     dx, al
        dec     dx
        mov     ax, ((LC & 0FFh) << 8) | 18h
        out     dx, ax
        mov     al, 07h                 ; overflow: bit 4 = line compare bit 8
        out     dx, al
        inc     dx
        in      al, dx
        and     al, ~10h
        or      al, ((LC >> 8) & 1) << 4
        out     dx, al
        dec     dx
        mov     al, 09h                 ; maximum scan line: bit 6 = line compare bit 9
        out     dx, al
        inc     dx
        in      al, dx
        and     al, ~40h
        or      al, ((LC >> 9) & 1) << 6
        out     dx, al
        dec     dx
        mov     ax, (TOP & 0FF00h) | 0Ch
        out     dx, ax
        mov     ax, ((TOP & 0FFh) << 8) | 0Dh
        out     dx, ax
        mov     al, 11h                 ; protection back as it was
        mov     ah, [prot11]
        out     dx, ax

        ; attribute controller: mode control bit 5 (pel panning compatibility), pel panning 4
        mov     dx, 3DAh
        in      al, dx                  ; flip-flop to index
        mov     dx, 3C0h
        mov     al, 20h | 10h           ; index 10h, palette address source on (display stays on)
        out     dx, al
        inc     dx
        in      al, dx                  ; 3C1h: the current mode control
        dec     dx
        or      al, 20h
        out     dx, al
        mov     dx, 3DAh
        in      al, dx
        mov     dx, 3C0h
        mov     al, 20h | 13h
        out     dx, al
        mov     al, 4
        out     dx, al

        mov     si, done
        jmp     finish

; gc: graphics controller register AL = AH
gc:     push    dx
        mov     dx, 3CEh
        out     dx, ax
        pop     dx
        ret

; gcreset: map mask 0Fh, graphics controller in its mode 12h state
gcreset:
        push    si
        mov     dx, 3C4h
        mov     ax, 0F02h
        out     dx, ax
        mov     si, gcinit
.l:     lodsw
        cmp     ax, 0FFFFh
        je      .ok
        call    gc
        jmp     short .l
.ok:    pop     si
        ret

; fill: DX whole lines from offset DI in colour AH (set/reset)
fill:   mov     al, 00h
        call    gc
        mov     ax, 0F01h
        call    gc
        mov     ax, 80
        mul     dx
        mov     cx, ax
        rep     stosb
        ret

; bars: sixteen 40-pixel bars, colours 0-15, on DX lines from offset DI
bars:   mov     ax, 0F01h
        call    gc
        xor     bx, bx                  ; colour
.c:     mov     ah, bl
        mov     al, 00h
        call    gc
        push    di
        push    dx
        mov     ax, bx
        mov     cl, 5
        mul     cl
        add     di, ax
.l:     mov     cx, 5
        rep     stosb
        add     di, 80 - 5
        dec     dx
        jnz     .l
        pop     dx
        pop     di
        inc     bx
        cmp     bx, 16
        jb      .c
        ret

; ruler: DX lines from offset DI: set/reset colour at x = 32k (bit mask 80h) and x = 639 (bit mask 01h)
ruler:  mov     ax, 8008h
        call    gc
        push    di
        push    dx
.l:     mov     bx, 0
.x:     mov     al, [es:di + bx]        ; latches
        mov     [es:di + bx], al
        add     bx, 4
        cmp     bx, 80
        jb      .x
        add     di, 80
        dec     dx
        jnz     .l
        pop     dx
        pop     di
        mov     ax, 0108h
        call    gc
.r:     mov     al, [es:di + 79]
        mov     [es:di + 79], al
        add     di, 80
        dec     dx
        jnz     .r
        mov     ax, 0FF08h
        call    gc
        ret


%include "video.inc"

gcinit: dw      0000h, 0001h, 0002h, 0003h, 0004h, 0005h, 0F07h, 0FF08h, 0FFFFh
prot11: db      0
botmsg: db      'BOTTOM: LINE COMPARE 320 SPLIT, MEMORY FROM ADDRESS 0, NOT PANNED', 0
topmsg: db      'TOP: START ADDRESS 9600H, PEL PANNING 4: RULER 4 PIXELS LEFT OF THE BOTTOM ONE', 0
done:   db      'DONE split', 10, 0
