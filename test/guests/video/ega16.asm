; build: nasm -f bin -o ega16.com ega16.asm
;
; ega16: mode 12h (640x480, 16 colours, planar, 80 bytes a line) and the graphics controller. Seven
; bands of 64 lines, each with a label (BIOS teletype, colour 11, text row 1 + 4k) over 48 lines of
; picture (y = 32 + 64k .. 79 + 64k); the title in colour 15 on text row 0. Boxes are 4 bytes (32 px)
; wide, one every 5 bytes (box c at x = 40c .. 40c + 31). Every write that does not cover a whole byte
; reads the byte first, to load the latches. See README.md for what each band must look like.
;   0 y  32- 79  write mode 0: set/reset colour c in box c with enable set/reset 0Fh (y 32-55); the same
;                with bit mask CCh over black (y 56-67: 2-pixel stripes); enable set/reset 05h, set/reset
;                c, CPU data F0h (y 68-79: left half colour (c & 5) | 0Ah, right half c & 5)
;   1 y  96-143  write mode 1 (bit mask 0Fh, which write mode 1 ignores): y 32-55 copied through the
;                latches 2 bytes (16 px) to the right (bytes 0-77 -> 2-79) to y 96-119; y 56-79 copied to
;                y 120-143 with the byte order reversed (byte b -> 79 - b)
;   2 y 160-207  write mode 2: y 160-183 colour (x / 4) mod 16 (two writes a byte, bit masks F0h/0Fh);
;                y 184-207 colour ((x + y) / 4) mod 16, one write a pixel (bit mask 80h >> (x mod 8))
;   3 y 224-271  grey (colour 8) background; write mode 3 (enable set/reset 0, which it ignores) with
;                rotate count y mod 8, set/reset colour (x / 40) = box number: y 224-247 CPU data 80h,
;                bit mask FFh (1-pixel diagonal lines, one per byte); y 248-271 CPU data F0h, bit mask 7Eh
;   4 y 288-335  four 160-pixel sections; each has colours 0-15 as 8-pixel bars (byte j of the section =
;                colour j, x 160s .. 160s + 127); over y 300-323 colour 0Ah is written with data rotate
;                function replace / AND / OR / XOR (section 0 / 1 / 2 / 3): bar j shows 0Ah / j & 0Ah /
;                j | 0Ah / j ^ 0Ah there
;   5 y 352-399  read mode 1, the compare bytes written back as pixels: y 160-175 compared with colour 5
;                (don't care 0Fh) -> y 352-367 white; with don't care 07h (so 5 and 13 match) -> y 368-383
;                yellow (map mask 0Eh); y 184-199 compared with colour 3 -> y 384-399 light cyan (map mask
;                0Bh)
;   6 y 416-463  read mode 0, read map select p = 0, 1, 2, 3: plane p of y 160-171 written to all
;                planes (white where the plane has a 1) at y 416 + 12p .. 427 + 12p
; Writes "DONE ega16" to port E9h and exits.
        org     100h
        cpu     186

start:  mov     ax, 0012h
        int     10h
        cld

        ; labels first: the BIOS text output may leave the registers as it likes
        mov     dx, 0001h
        mov     bl, 15
        mov     si, title
        call    print
        mov     si, labels
        mov     dx, 0101h
.lab:   cmp     byte [si], 0
        je      .labok
        mov     bl, 11
        call    print
        add     dh, 4
        jmp     short .lab
.labok:
        mov     ax, 0A000h
        mov     es, ax

; ---- band 0: write mode 0 -------------------------------------------------------------------------
        call    gcreset
        xor     bp, bp
.b0:    mov     ax, bp                  ; set/reset = c
        mov     ah, al
        mov     al, 00h
        call    gc
        mov     ax, 0F01h               ; enable set/reset 0Fh
        call    gc
        mov     ax, 0FF08h              ; bit mask FFh
        call    gc
        mov     di, 32 * 80
        mov     dx, 24
        xor     bl, bl
        call    boxc
        mov     ax, 0CC08h              ; bit mask CCh
        call    gc
        mov     di, 56 * 80
        mov     dx, 12
        call    boxc
        mov     ax, 0FF08h
        call    gc
        mov     ax, 0501h               ; enable set/reset 05h, CPU data F0h
        call    gc
        mov     di, 68 * 80
        mov     dx, 12
        mov     bl, 0F0h
        call    boxc
        inc     bp
        cmp     bp, 16
        jb      .b0

; ---- band 1: write mode 1 -------------------------------------------------------------------------
        call    gcreset
        mov     ax, 0105h               ; write mode 1
        call    gc
        mov     ax, 0F08h               ; bit mask 0Fh: ignored in write mode 1
        call    gc
        push    ds
        mov     ax, es
        mov     ds, ax
        mov     si, 32 * 80
        mov     di, 96 * 80 + 2
        mov     dx, 24
.b1a:   mov     cx, 78
        rep     movsb                   ; read (latches) and write (latches)
        add     si, 2
        add     di, 2
        dec     dx
        jnz     .b1a
        mov     si, 56 * 80
        mov     di, 120 * 80 + 79
        mov     dx, 24
.b1b:   mov     cx, 80
.b1c:   lodsb
        mov     [es:di], al
        dec     di
        loop    .b1c
        add     di, 160
        dec     dx
        jnz     .b1b
        pop     ds

; ---- band 2: write mode 2 -------------------------------------------------------------------------
        call    gcreset
        mov     ax, 0205h               ; write mode 2
        call    gc
        mov     di, 160 * 80
        mov     dx, 24
.b2a:   xor     bx, bx                  ; byte column
.b2b:   mov     ax, 0F008h
        call    gc
        mov     al, bl
        shl     al, 1                   ; colour of x = 8b: (8b / 4) mod 16 = 2b mod 16
        and     al, 0Fh
        mov     ah, [es:di + bx]
        mov     [es:di + bx], al
        mov     ax, 0F08h
        call    gc
        mov     al, bl
        shl     al, 1
        inc     al
        and     al, 0Fh
        mov     ah, [es:di + bx]
        mov     [es:di + bx], al
        inc     bx
        cmp     bx, 80
        jb      .b2b
        add     di, 80
        dec     dx
        jnz     .b2a
        ; diagonals, pixel by pixel
        mov     di, 184 * 80
        mov     bp, 184                 ; y
.b2c:   xor     si, si                  ; x
.b2d:   mov     cx, si
        and     cl, 7
        mov     ah, 80h
        shr     ah, cl
        mov     al, 08h
        call    gc                      ; bit mask = this pixel
        mov     ax, si
        add     ax, bp
        shr     ax, 2
        and     al, 0Fh
        mov     bx, si
        shr     bx, 3
        mov     ah, [es:di + bx]
        mov     [es:di + bx], al
        inc     si
        cmp     si, 640
        jb      .b2d
        add     di, 80
        inc     bp
        cmp     bp, 208
        jb      .b2c

; ---- band 3: write mode 3 -------------------------------------------------------------------------
        call    gcreset
        mov     ax, 0800h               ; grey background by set/reset
        call    gc
        mov     ax, 0F01h
        call    gc
        mov     di, 224 * 80
        mov     cx, 48 * 80
        rep     stosb
        mov     ax, 0001h               ; enable set/reset 0: write mode 3 ignores it
        call    gc
        mov     ax, 0305h               ; write mode 3
        call    gc
        mov     di, 224 * 80
        xor     bp, bp                  ; line in band
.b3a:   mov     ax, bp
        and     al, 7
        mov     ah, al
        mov     al, 03h                 ; rotate count = line mod 8, function replace
        call    gc
        mov     ax, 0FF08h
        mov     cl, 80h
        cmp     bp, 24
        jb      .b3m
        mov     ax, 7E08h
        mov     cl, 0F0h
.b3m:   call    gc
        xor     bx, bx
.b3b:   mov     ax, bx
        push    cx
        mov     cl, 5
        div     cl                      ; al = box number
        pop     cx
        mov     ah, al
        mov     al, 00h
        call    gc                      ; set/reset colour
        mov     al, [es:di + bx]
        mov     [es:di + bx], cl
        inc     bx
        cmp     bx, 80
        jb      .b3b
        add     di, 80
        inc     bp
        cmp     bp, 48
        jb      .b3a

; ---- band 4: data rotate function ----------------------------------------------------------------
        call    gcreset
        mov     ax, 0F01h
        call    gc
        xor     bx, bx                  ; byte column
.b4a:   mov     ax, bx
        mov     cl, 20
        div     cl                      ; ah = byte in section
        cmp     ah, 16
        jae     .b4n
        mov     al, 00h
        call    gc
        mov     di, 288 * 80
        add     di, bx
        mov     cx, 48
.b4b:   mov     al, [es:di]
        mov     [es:di], al
        add     di, 80
        loop    .b4b
.b4n:   inc     bx
        cmp     bx, 80
        jb      .b4a
        mov     ax, 0A00h               ; colour 0Ah
        call    gc
        xor     bp, bp                  ; section
.b4c:   mov     ax, bp
        shl     al, 3
        mov     ah, al
        mov     al, 03h                 ; function = section
        call    gc
        mov     ax, bp
        mov     dl, 20
        mul     dl
        mov     di, 300 * 80
        add     di, ax
        mov     dx, 24
.b4d:   mov     cx, 16
.b4e:   mov     al, [es:di]             ; latches
        stosb
        loop    .b4e
        add     di, 80 - 16
        dec     dx
        jnz     .b4d
        inc     bp
        cmp     bp, 4
        jb      .b4c

; ---- band 5: read mode 1 -------------------------------------------------------------------------
        call    gcreset
        mov     ax, 0805h               ; read mode 1, write mode 0
        call    gc
        mov     ax, 0502h               ; compare with colour 5
        call    gc
        mov     si, 160 * 80
        mov     di, 352 * 80
        call    copy16
        mov     ax, 0707h               ; don't care: plane 3
        call    gc
        mov     ah, 0Eh
        call    mapmask
        mov     si, 160 * 80
        mov     di, 368 * 80
        call    copy16
        mov     ax, 0F07h
        call    gc
        mov     ax, 0302h               ; compare with colour 3
        call    gc
        mov     ah, 0Bh
        call    mapmask
        mov     si, 184 * 80
        mov     di, 384 * 80
        call    copy16

; ---- band 6: read map select ---------------------------------------------------------------------
        call    gcreset
        xor     bp, bp
        mov     di, 416 * 80
.b6:    mov     ax, bp
        mov     ah, al
        mov     al, 04h
        call    gc
        mov     si, 160 * 80
        push    ds
        push    es
        pop     ds
        mov     cx, 12 * 80
        rep     movsb
        pop     ds
        inc     bp
        cmp     bp, 4
        jb      .b6

        call    gcreset
        mov     si, done
        jmp     finish

; gc: graphics controller register AL = AH
gc:     push    dx
        mov     dx, 3CEh
        out     dx, ax
        pop     dx
        ret

; mapmask: sequencer register 2 = AH
mapmask:
        push    dx
        mov     al, 02h
        mov     dx, 3C4h
        out     dx, ax
        pop     dx
        ret

; gcreset: map mask 0Fh and every graphics controller register in its mode 12h state
gcreset:
        push    si
        mov     ah, 0Fh
        call    mapmask
        mov     si, gcinit
.l:     lodsw
        cmp     ax, 0FFFFh
        je      .ok
        call    gc
        jmp     short .l
.ok:    pop     si
        ret

; boxc: box BP (4 bytes at byte column 5 * BP) from offset DI on DX lines, CPU data BL; each byte is
; read (latches) before it is written
boxc:   push    bp
        mov     ax, bp
        mov     cl, 5
        mul     cl
        add     di, ax
.l:     mov     cx, 4
.b:     mov     al, [es:di]
        mov     al, bl
        stosb
        loop    .b
        add     di, 80 - 4
        dec     dx
        jnz     .l
        pop     bp
        ret

; copy16: 16 lines from offset SI to offset DI in video memory, byte by byte (MOVSB: read, then write)
copy16: push    ds
        push    es
        pop     ds
        mov     cx, 16 * 80
        rep     movsb
        pop     ds
        ret


%include "video.inc"

gcinit: dw      0000h, 0001h, 0002h, 0003h, 0004h, 0005h, 0F07h, 0FF08h, 0FFFFh
title:  db      'MODE 12H 640X480X16 GRAPHICS CONTROLLER', 0
labels: db      'WRITE MODE 0: SET/RESET 0-F; + BIT MASK CCH; ENABLE S/R 5 + DATA F0H', 0
        db      'WRITE MODE 1 (BIT MASK 0FH IGNORED): LATCH COPY 16 PX RIGHT; BYTES REVERSED', 0
        db      'WRITE MODE 2: COLOUR FROM CPU DATA, PER-PIXEL BIT MASK (STRIPES, DIAGONALS)', 0
        db      'WRITE MODE 3: ROTATED DATA AND BIT MASK PICK SET/RESET COLOUR, OVER GREY', 0
        db      'ALU: COLOUR 0AH REPLACE / AND / OR / XOR WITH LATCHES OVER COLOURS 0-F', 0
        db      'READ MODE 1: STRIPES = 5, = 5 IGNORING PLANE 3, DIAGONALS = 3', 0
        db      'READ MODE 0: READ MAP SELECT 0, 1, 2, 3 OF THE STRIPES', 0
        db      0
done:   db      'DONE ega16', 10, 0
