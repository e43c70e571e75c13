; build: nasm -f bin -o textattr.com textattr.asm
;
; textattr: mode 03h (80x25 colour text) and the attribute byte. Through the BIOS: mode set (AX=0003h),
; blink off (AX=1003h BL=0, so attributes 80h-FFh show bright backgrounds instead of blinking), a title
; and a pangram by teletype (AH=02h/0Eh), the 40 box-drawing characters B3h-DAh by AH=09h, the cursor
; shape (AH=01h, lines 8-15: the lower half of the cell) and position (row 24, column 40). Straight into
; B800h: a 16x16 grid of all 256 attributes, each cell 4 characters " HL " (the attribute in hex) in
; that attribute, rows 2-17 = high nibble 0-F, cells left to right = low nibble 0-F, framed by a
; single-line box in attribute 0Fh. Writes "DONE textattr" to port E9h and exits. See README.md.
        org     100h
        cpu     186

start:  mov     ax, 0003h
        int     10h
        mov     ax, 1003h               ; attribute bit 7 = background intensity, not blink
        xor     bl, bl
        int     10h
        cld

        ; title, row 0 column 2, by teletype
        mov     dx, 0002h
        mov     si, title
        mov     bl, 07h
        call    print

        ; the grid straight into text memory
        mov     ax, 0B800h
        mov     es, ax
        xor     bl, bl                  ; attribute
.cell:  mov     al, bl
        xor     ah, ah
        mov     cl, 4
        shr     al, cl                  ; row 2 + high nibble
        add     al, 2
        mov     dl, 160
        mul     dl
        mov     di, ax
        mov     al, bl
        and     al, 0Fh
        shl     al, 3                   ; column 8 + 4 * low nibble, 2 bytes a column
        add     al, 16
        xor     ah, ah
        add     di, ax
        mov     ah, bl
        mov     al, ' '
        stosw
        mov     al, bl
        shr     al, 4
        call    hexdigit
        stosw
        mov     al, bl
        and     al, 0Fh
        call    hexdigit
        stosw
        mov     al, ' '
        stosw
        inc     bl
        jnz     .cell

        ; the frame: rows 1 and 18, columns 7 and 72
        mov     ah, 0Fh
        mov     di, 1 * 160 + 7 * 2
        mov     al, 0DAh
        stosw
        mov     al, 0C4h
        mov     cx, 64
        rep     stosw
        mov     al, 0BFh
        stosw
        mov     di, 18 * 160 + 7 * 2
        mov     al, 0C0h
        stosw
        mov     al, 0C4h
        mov     cx, 64
        rep     stosw
        mov     al, 0D9h
        stosw
        mov     di, 2 * 160 + 7 * 2
        mov     al, 0B3h
        mov     cx, 16
.side:  mov     [es:di], ax
        mov     [es:di + 65 * 2], ax
        add     di, 160
        loop    .side

        ; box-drawing characters B3h..DAh through AH=09h, white on blue, row 20 columns 20..59
        mov     bp, 0B3h
.box:   mov     dx, bp
        sub     dl, 0B3h - 20           ; column
        mov     dh, 20
        mov     ah, 02h
        xor     bh, bh
        int     10h
        mov     ax, bp
        mov     ah, 09h
        mov     bx, 001Fh               ; page 0, attribute 1Fh
        mov     cx, 1
        int     10h
        inc     bp
        cmp     bp, 0DAh
        jbe     .box

        ; the pangram, row 22 column 2, by teletype
        mov     dx, 1602h
        mov     si, fox
        mov     bl, 07h
        call    print
        mov     dx, 1815h               ; row 24 column 21
        mov     si, curmsg
        mov     bl, 07h
        call    print

        ; cursor: lines 8..15, row 24 column 40
        mov     ah, 01h
        mov     cx, 080Fh
        int     10h
        mov     ah, 02h
        xor     bh, bh
        mov     dx, 1828h
        int     10h

        mov     si, done
        jmp     finish


; hexdigit: AL (0..15) -> ASCII
hexdigit:
        add     al, '0'
        cmp     al, '9'
        jbe     .ok
        add     al, 'A' - '9' - 1
.ok:    ret

%include "video.inc"

title:  db      'MODE 03H  256 ATTRIBUTES (BLINK OFF)  BOX CHARS B3-DA  CURSOR 8-15 AT 24,40', 0
fox:    db      'The quick brown fox jumps over the lazy dog. 0123456789 !?#$%&*()[]{}<>/\|', 0
curmsg: db      'cursor (24,40) -->', 0
done:   db      'DONE textattr', 10, 0
