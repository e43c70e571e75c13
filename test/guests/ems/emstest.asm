; build: nasm -f bin -o emstest.com emstest.asm
;
; emstest: LIM EMS 4.0 (INT 67h, VEMM) as a DOS program uses it. Each check prints one line, to the debug
; console (port E9h) and to standard output (INT 21h AH=40h, which is what `mvm run` shows):
;     PASS <name>      or      FAIL <name> <detail in hex>
; and the program exits with AH=4Ch, AL = the number of failed checks.
;
; It finds the driver by the name "EMMXXXX0" at offset 0Ah of vector 67h's segment and opens the device of
; that name through DOS (a character device by IOCTL 4400h), asks for the status,
; version, page frame and page counts, allocates 8 pages and writes a distinct word pattern into each
; logical page through the frame (4 at a time), remaps them in other orders and checks every word, saves
; and restores the map (AH=4Eh, AH=47h/48h), maps several pages at once (AH=50h), moves a 24 KiB region
; conventional -> expanded -> conventional and exchanges one (AH=57h), names the handle and finds it
; (AH=53h/54h), and deallocates it.
        org 100h
        cpu 186

BUF     equ 8000h               ; conventional buffer for AH=57h (in this program's 64 KiB segment)
LEN     equ 6000h
DIRBUF  equ 0E000h              ; AH=54h AL=00h directory (at most 255 * 10 bytes)

%macro PASS 1
        call report_pass
        db %1, 0
%endmacro

; FAIL name - detail is AX
%macro FAIL 1
        call report_fail
        db %1, 0
%endmacro

; CHECK_OK name - pass if AH = 0 (EMS success), else fail with AX
%macro CHECK_OK 1
        test ah, ah
        jnz %%f
        PASS %1
        jmp %%d
%%f:    FAIL %1
%%d:
%endmacro

; CHECK_AH name, status - pass if AH = status, else fail with AX
%macro CHECK_AH 2
        cmp ah, %2
        jne %%f
        PASS %1
        jmp %%d
%%f:    FAIL %1
%%d:
%endmacro

start:  cld
        ; --- detect: "EMMXXXX0" at vector 67h's segment:000Ah
        xor ax, ax
        mov es, ax
        mov es, [es:67h*4+2]
        mov di, 0Ah
        mov si, emmname
        mov cx, 8
        repe cmpsb
        mov ax, es
        je .found
        FAIL "detect"
        jmp finish
.found: PASS "detect"

        ; --- device: DOS opens "EMMXXXX0" (the other way programs look), a character device (IOCTL bit 7)
        mov ax, 3D00h
        mov dx, emmname0
        int 21h
        jc .nodev
        mov bx, ax
        mov ax, 4400h
        int 21h
        pushf
        push dx
        mov ah, 3Eh
        int 21h
        pop dx
        popf
        jc .nodev
        mov ax, dx
        test dl, 80h
        jz .nodev
        PASS "device"
        jmp .devdone
.nodev: FAIL "device"
.devdone:

        mov ah, 40h
        int 67h
        CHECK_OK "status"

        mov ah, 46h
        int 67h
        test ah, ah
        jnz .badver
        cmp al, 40h
        jne .badver
        PASS "version"
        jmp .frame
.badver:
        FAIL "version"

.frame: mov ah, 41h
        int 67h
        mov [frame], bx
        mov al, 0
        test ah, ah
        jnz .badframe
        test bx, bx
        jz .badframe
        PASS "frame"
        jmp .pages
.badframe:
        mov ax, bx
        FAIL "frame"
        jmp finish

.pages: mov ah, 42h
        int 67h
        mov [free0], bx
        test ah, ah
        jnz .badpages
        cmp bx, 8
        jb .badpages
        cmp dx, bx
        jb .badpages
        PASS "pages"
        jmp .alloc
.badpages:
        mov ax, bx
        FAIL "pages"

.alloc: mov ah, 43h
        mov bx, 8
        int 67h
        mov [handle], dx
        test ah, ah
        jz .allocok
        FAIL "alloc"
        jmp finish
.allocok:
        PASS "alloc"

        mov ah, 42h
        int 67h
        mov ax, [free0]
        sub ax, 8
        cmp bx, ax
        mov ax, bx
        jne .f_ac
        PASS "alloc-count"
        jmp .hp
.f_ac:  FAIL "alloc-count"

.hp:    mov ah, 4Ch
        mov dx, [handle]
        int 67h
        cmp bx, 8
        mov ax, bx
        jne .f_hp
        PASS "handle-pages"
        jmp .fill
.f_hp:  FAIL "handle-pages"

        ; --- fill logical pages 0-3, then 4-7, through physical pages 0-3
.fill:  mov si, grp0
        call map4
        jc .f_fill
        call fill4
        mov si, grp1
        call map4
        jc .f_fill
        call fill4
        PASS "fill"
        jmp .remap
.f_fill:
        FAIL "fill"

        ; --- map them back in other orders; every word must be its page's pattern
.remap: mov si, ord1
        call map4
        jc .f_remap
        call check4
        jc .f_remap
        mov si, ord2
        call map4
        jc .f_remap
        call check4
        jc .f_remap
        mov si, grp0
        call map4
        jc .f_remap
        call check4
        jc .f_remap
        PASS "remap-verify"
        jmp .unmap
.f_remap:
        FAIL "remap-verify"

        ; --- unmap physical page 3 (BX=FFFFh), then map order 2 again
.unmap: mov al, 3
        mov bx, 0FFFFh
        call map
        test ah, ah
        jnz .f_unmap
        mov si, ord2
        call map4
        jc .f_unmap
        call check4
        jc .f_unmap
        PASS "unmap"
        jmp .errs
.f_unmap:
        FAIL "unmap"

.errs:  mov al, 4               ; physical page 4 does not exist
        mov bx, 0
        call map
        CHECK_AH "bad-physical", 8Bh
        mov al, 0
        mov bx, 8               ; logical page 8 does not exist
        call map
        CHECK_AH "bad-logical", 8Ah
        mov ah, 43h
        mov bx, 0FFFFh
        int 67h
        CHECK_AH "too-many-pages", 87h

        ; --- AH=4Eh: get the map, change it, set it back
        mov ax, 4E03h
        int 67h
        test ah, ah
        jnz .f_4e
        cmp al, 64
        ja .f_4e
        push cs
        pop es
        mov di, mapbuf
        mov ax, 4E00h
        int 67h
        test ah, ah
        jnz .f_4e
        mov si, ord1
        call map4
        jc .f_4e
        mov si, mapbuf
        mov ax, 4E01h
        int 67h
        test ah, ah
        jnz .f_4e
        mov si, ord2
        call check4
        jc .f_4e
        PASS "map-save-restore-4E"
        jmp .s47
.f_4e:  FAIL "map-save-restore-4E"

        ; --- AH=47h/48h: save the map for the handle, change it, restore it
.s47:   mov ah, 47h
        mov dx, [handle]
        int 67h
        test ah, ah
        jnz .f_47
        mov si, ord1
        call map4
        jc .f_47
        mov ah, 48h
        mov dx, [handle]
        int 67h
        test ah, ah
        jnz .f_47
        mov si, ord2
        call check4
        jc .f_47
        PASS "map-save-restore-47"
        jmp .m50
.f_47:  FAIL "map-save-restore-47"

        ; --- AH=50h: map multiple, by physical page number and by segment
.m50:   mov ax, 5000h
        mov dx, [handle]
        mov cx, 2
        mov si, mmap0
        int 67h
        test ah, ah
        jnz .f_50
        mov si, exp50
        call check4
        jc .f_50
        PASS "map-multiple"
        jmp .m50s
.f_50:  FAIL "map-multiple"
.m50s:  mov ax, [frame]
        add ax, 400h
        mov [mmap1+2], ax
        mov ax, 5001h
        mov dx, [handle]
        mov cx, 1
        mov si, mmap1
        int 67h
        test ah, ah
        jnz .f_50s
        mov si, exp50b
        call check4
        jc .f_50s
        PASS "map-multiple-seg"
        jmp .move
.f_50s: FAIL "map-multiple-seg"

        ; --- AH=57h: conventional -> expanded (logical page 1 offset 2000h, 24 KiB, live in the frame), back
.move:  push cs
        pop es
        mov di, BUF
        mov ax, 1234h
        mov cx, LEN/2
.mfill: stosw
        inc ax
        loop .mfill
        mov ax, cs
        mov [mv1.srcseg], ax
        mov [mv2.dstseg], ax
        mov [xc.srcseg], ax
        mov ax, [handle]
        mov [mv1.dsth], ax
        mov [mv2.srch], ax
        mov [xc.dsth], ax
        mov ax, 5700h
        mov si, mv1
        int 67h
        test ah, ah
        jnz .f_mv1
        mov si, ordmv           ; logical 1, 2 at physical 0, 1: the region is frame:2000h-7FFFh
        call map4
        jc .f_mv1
        mov es, [frame]
        mov di, 2000h
        mov ax, 1234h
        mov cx, LEN/2
.mchk1: scasw
        jne .f_mv1
        inc ax
        loop .mchk1
        PASS "move-conv-to-ems"
        jmp .mv2
.f_mv1: FAIL "move-conv-to-ems"

.mv2:   push cs
        pop es
        mov di, BUF
        xor ax, ax
        mov cx, LEN/2
        rep stosw
        mov ax, 5700h
        mov si, mv2
        int 67h
        test ah, ah
        jnz .f_mv2
        push cs
        pop es
        mov di, BUF
        mov ax, 1234h
        mov cx, LEN/2
.mchk2: scasw
        jne .f_mv2
        inc ax
        loop .mchk2
        PASS "move-ems-to-conv"
        jmp .xchg
.f_mv2: FAIL "move-ems-to-conv"

        ; --- exchange the buffer's first 16 KiB with logical page 7 (not mapped now)
.xchg:  mov ax, 5701h
        mov si, xc
        int 67h
        test ah, ah
        jnz .f_xc
        push cs
        pop es
        mov di, BUF
        mov ax, 7*8192
        mov cx, 2000h
.xchk1: scasw
        jne .f_xc
        inc ax
        loop .xchk1
        mov al, 0
        mov bx, 7
        call map
        test ah, ah
        jnz .f_xc
        mov es, [frame]
        xor di, di
        mov ax, 1234h
        mov cx, 2000h
.xchk2: scasw
        jne .f_xc
        inc ax
        loop .xchk2
        PASS "exchange"
        jmp .name
.f_xc:  FAIL "exchange"

        ; --- name the handle, get the name back, find it by name and in the directory
.name:  mov ax, 5301h
        mov dx, [handle]
        mov si, hname
        int 67h
        CHECK_OK "name-set"
        push cs
        pop es
        mov di, namebuf
        mov ax, 5300h
        mov dx, [handle]
        int 67h
        test ah, ah
        jnz .f_ng
        mov si, hname
        mov di, namebuf
        mov cx, 8
        repe cmpsb
        jne .f_ng
        PASS "name-get"
        jmp .nsrch
.f_ng:  FAIL "name-get"
.nsrch: mov ax, 5401h
        mov si, hname
        int 67h
        test ah, ah
        jnz .f_ns
        cmp dx, [handle]
        mov ax, dx
        jne .f_ns
        PASS "name-search"
        jmp .dir
.f_ns:  FAIL "name-search"
.dir:   push cs
        pop es
        mov di, DIRBUF
        mov ax, 5400h
        int 67h
        test ah, ah
        jnz .f_dir
        ; find our handle's entry (handle word, 8-byte name)
        xor cx, cx
        mov cl, al
        mov bx, DIRBUF
.dnext: jcxz .f_dir
        mov ax, [bx]
        cmp ax, [handle]
        je .dname
        add bx, 10
        dec cx
        jmp .dnext
.dname: lea di, [bx+2]
        mov si, hname
        mov cx, 8
        repe cmpsb
        jne .f_dir
        PASS "handle-directory"
        jmp .hcount
.f_dir: FAIL "handle-directory"

.hcount:
        mov ah, 4Bh
        int 67h
        test ah, ah
        jnz .f_hc
        cmp bx, 2               ; the OS handle and ours
        mov ax, bx
        jne .f_hc
        PASS "handle-count"
        jmp .dealloc
.f_hc:  FAIL "handle-count"

.dealloc:
        mov ah, 45h
        mov dx, [handle]
        int 67h
        CHECK_OK "dealloc"
        mov ah, 42h
        int 67h
        cmp bx, [free0]
        mov ax, bx
        jne .f_dc
        PASS "dealloc-count"
        jmp .badh
.f_dc:  FAIL "dealloc-count"
.badh:  mov ah, 4Ch
        mov dx, [handle]
        int 67h
        CHECK_AH "bad-handle", 83h

finish: mov al, [failures]
        mov ah, 4Ch
        int 21h

; ---------------------------------------------------------------------------------------- EMS helpers

; map: AL = physical page, BX = logical page (FFFFh unmaps) of our handle; AH = status
map:    push dx
        mov ah, 44h
        mov dx, [handle]
        int 67h
        pop dx
        ret

; seg_of: AL = physical page -> ES = its segment in the frame
seg_of: push ax
        xor ah, ah
        shl ax, 10
        add ax, [frame]
        mov es, ax
        pop ax
        ret

; fill: AL = physical page, BX = the logical page it holds: word k = logical * 8192 + k
fill:   pusha
        call seg_of
        mov ax, bx
        shl ax, 13
        xor di, di
        mov cx, 8192
.l:     stosw
        inc ax
        loop .l
        popa
        ret

; check: AL = physical page, BX = the logical page it should hold; CF=1 if a word differs
check:  pusha
        call seg_of
        mov ax, bx
        shl ax, 13
        xor di, di
        mov cx, 8192
.l:     scasw
        jne .bad
        inc ax
        loop .l
        popa
        clc
        ret
.bad:   popa
        stc
        ret

; map4: SI -> 4 logical pages (bytes) for physical pages 0-3; CF=1 and AX = status if a map failed
map4:   pusha
        xor cx, cx
.l:     mov bl, [si]
        xor bh, bh
        mov al, cl
        call map
        test ah, ah
        jnz .bad
        inc si
        inc cx
        cmp cx, 4
        jb .l
        popa
        clc
        ret
.bad:   mov bp, sp
        mov [bp+14], ax
        popa
        stc
        ret

; fill4: SI -> the 4 logical pages now in physical pages 0-3
fill4:  pusha
        xor cx, cx
.l:     mov bl, [si]
        xor bh, bh
        mov al, cl
        call fill
        inc si
        inc cx
        cmp cx, 4
        jb .l
        popa
        ret

; check4: SI -> the 4 logical pages physical pages 0-3 should hold; CF=1 and AX = physical:logical if not
check4: pusha
        xor cx, cx
.l:     mov bl, [si]
        xor bh, bh
        mov al, cl
        call check
        jc .bad
        inc si
        inc cx
        cmp cx, 4
        jb .l
        popa
        clc
        ret
.bad:   mov bp, sp
        mov ah, cl
        mov al, bl
        mov [bp+14], ax
        popa
        stc
        ret

; ---------------------------------------------------------------------------------------- reporting

; putc: AL to port E9h and to the line buffer (DS = CS)
putc:   push bx
        out 0E9h, al
        mov bx, [linelen]
        cmp bx, 78
        jae .full
        mov [linebuf+bx], al
        inc word [linelen]
.full:  pop bx
        ret

; endline: CR LF; the line buffer goes to standard output
endline:
        mov al, 13
        call putc
        mov al, 10
        call putc
        mov ah, 40h
        mov bx, 1
        mov cx, [linelen]
        mov dx, linebuf
        int 21h
        mov word [linelen], 0
        ret

; puts: the ASCIIZ string at SI; SI ends past its 0
puts:   lodsb
        test al, al
        jz .done
        call putc
        jmp puts
.done:  ret

; hex4: AX as 4 hex digits
hex4:   mov cx, 4
.l:     rol ax, 4
        push ax
        and al, 0Fh
        add al, '0'
        cmp al, '9'
        jbe .d
        add al, 'A' - '9' - 1
.d:     call putc
        pop ax
        loop .l
        ret

; report_pass / report_fail: the name is the ASCIIZ string after the CALL; every register and flag kept
report_pass:
        pushf
        pusha
        push ds
        push cs
        pop ds
        mov bp, sp
        mov si, txt_pass
        call puts
        mov si, [bp+20]
        call puts
        mov [bp+20], si
        call endline
        pop ds
        popa
        popf
        ret

report_fail:
        pushf
        pusha
        push ds
        push cs
        pop ds
        mov bp, sp
        inc byte [failures]
        mov si, txt_fail
        call puts
        mov si, [bp+20]
        call puts
        mov [bp+20], si
        mov al, ' '
        call putc
        mov ax, [bp+16]         ; the caller's AX
        call hex4
        call endline
        pop ds
        popa
        popf
        ret

; ---------------------------------------------------------------------------------------- data

emmname0: db 'EMMXXXX0', 0
emmname:  db 'EMMXXXX0'
hname:    db 'EMSTEST1'
txt_pass: db 'PASS ', 0
txt_fail: db 'FAIL ', 0
grp0:     db 0, 1, 2, 3
grp1:     db 4, 5, 6, 7
ord1:     db 7, 6, 5, 4
ord2:     db 3, 1, 0, 2
exp50:    db 6, 1, 0, 2         ; ord2 after AH=50h maps 6 -> 0 and 2 -> 3
exp50b:   db 6, 5, 0, 2         ; then 5 into the frame's second segment
ordmv:    db 1, 2, 0, 3
mmap0:      dw 6, 0, 2, 3         ; (logical, physical page) pairs
mmap1:      dw 5, 0               ; (logical, segment): the segment is filled in
; AH=57h descriptors: length dword; source type, handle, offset, segment/page; the same for the destination
mv1:      dd LEN
          db 0
          dw 0, BUF
.srcseg:  dw 0
          db 1
.dsth:    dw 0
          dw 2000h, 1
mv2:      dd LEN
          db 1
.srch:    dw 0
          dw 2000h, 1
          db 0
          dw 0, BUF
.dstseg:  dw 0
xc:       dd 4000h
          db 0
          dw 0, BUF
.srcseg:  dw 0
          db 1
.dsth:    dw 0
          dw 0, 7
failures: db 0
frame:    dw 0
handle:   dw 0
free0:    dw 0
linelen:  dw 0
mapbuf:   times 64 db 0
namebuf:  times 8 db 0
linebuf:  times 80 db 0
