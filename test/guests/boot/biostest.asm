; build: nasm -f bin -o biostest.bin biostest.asm
;
; A boot floppy's first sectors that exercise the BIOS of a PC the way early boot code does, and report
; what they see on the screen (INT 10h teletype) and on the debug console port E9h (one line per
; result), for test/unit/pc-boot.test.ts. Layout: LBA 0 this boot sector; LBA 1-4 stage 2; LBA 5 a
; signature sector the test writes into the image (read back through INT 13h AH=02h from cylinder 0,
; head 0, sector 6).
;
; Reports, in order:
;   BOOT dl=XXXX            the drive the BIOS booted from (DX)
;   EQUIP XXXX MEM XXXX     INT 11h, INT 12h
;   EXT XXXX                INT 15h AH=88h (extended memory, KB)
;   A20 XXXX                INT 15h AX=2402h (status)
;   TICKS XXXX              how many timer ticks 20 HLTs took (INT 1Ah AH=00h before and after)
;   RTC XXXX XXXX           INT 1Ah AH=02h: CX (hours, minutes), AH=04h: CX (century, year)
;   SECTOR <text>           the signature sector's text
;   KEYS <text>             what INT 16h AH=00h returned until Enter (echoed), then the scan code of
;   SCAN XXXX               the Enter key's word
;   DONE
bits 16
org 0x7c00

boot:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov [bootdx], dx
    mov ax, 0x0204              ; read 4 sectors: stage 2
    mov bx, stage2
    mov cx, 0x0002              ; cylinder 0, sector 2
    xor dh, dh
    int 0x13
    jc .fail
    jmp stage2
.fail:
    mov si, msg_diskfail
    call print
.halt:
    hlt
    jmp .halt

; print the zero-terminated string at DS:SI to the screen and to port E9h
print:
    push ax
    push bx
.next:
    lodsb
    or al, al
    jz .done
    out 0xe9, al
    mov ah, 0x0e
    mov bx, 0x0007
    int 0x10
    jmp .next
.done:
    pop bx
    pop ax
    ret

msg_diskfail: db 'DISK FAIL', 13, 10, 0
bootdx: dw 0

times 510-($-$$) db 0
dw 0xaa55

; ---------------------------------------------------------------- stage 2 (LBA 1-4, at 7E00h)
stage2:
    mov si, msg_boot
    call print
    mov ax, [bootdx]
    call hex_nl

    mov si, msg_equip
    call print
    int 0x11
    call hex
    mov si, msg_mem
    call print
    int 0x12
    call hex_nl

    mov si, msg_ext
    call print
    mov ah, 0x88
    int 0x15
    call hex_nl

    mov si, msg_a20
    call print
    mov ax, 0x2402
    int 0x15
    call hex_nl

    ; 20 HLTs: each ends at the next interrupt, which is the 18.2 Hz timer while nobody types
    xor ah, ah
    int 0x1a
    mov [ticks], dx
    mov cx, 20
.wait:
    hlt
    loop .wait
    xor ah, ah
    int 0x1a
    sub dx, [ticks]
    mov si, msg_ticks
    call print
    mov ax, dx
    call hex_nl

    mov si, msg_rtc
    call print
    mov ah, 0x02
    int 0x1a
    mov ax, cx
    call hex
    mov si, msg_space
    call print
    mov ah, 0x04
    int 0x1a
    mov ax, cx
    call hex_nl

    ; the signature sector (C0 H0 S6) to 9000h
    mov ax, 0x0201
    mov bx, 0x9000
    mov cx, 0x0006
    xor dh, dh
    mov dl, [bootdx]
    int 0x13
    mov si, msg_sector
    call print
    mov si, 0x9000
    call print
    mov si, msg_nl
    call print

    ; keys until Enter, echoed
    mov si, msg_keys
    call print
.key:
    xor ah, ah
    int 0x16
    cmp al, 13
    je .enter
    mov [keybuf], al
    mov si, keybuf
    call print
    jmp .key
.enter:
    push ax
    mov si, msg_nl
    call print
    mov si, msg_scan
    call print
    pop ax
    call hex_nl

    mov si, msg_done
    call print
.idle:
    hlt
    jmp .idle

; print AX as four hex digits (hex) and a newline (hex_nl)
hex_nl:
    call hex
    mov si, msg_nl
    jmp print
hex:
    push cx
    mov cx, 4
.digit:
    push cx
    mov cl, 4
    rol ax, cl                  ; (8086: no rotate by an immediate count)
    pop cx
    push ax
    and al, 0x0f
    add al, '0'
    cmp al, '9'
    jbe .put
    add al, 'A' - '9' - 1
.put:
    mov [keybuf], al
    mov si, keybuf
    call print
    pop ax
    loop .digit
    pop cx
    ret

msg_boot:   db 'BOOT dl=', 0
msg_equip:  db 'EQUIP ', 0
msg_mem:    db ' MEM ', 0
msg_ext:    db 'EXT ', 0
msg_a20:    db 'A20 ', 0
msg_ticks:  db 'TICKS ', 0
msg_rtc:    db 'RTC ', 0
msg_space:  db ' ', 0
msg_sector: db 'SECTOR ', 0
msg_keys:   db 'KEYS ', 0
msg_scan:   db 'SCAN ', 0
msg_done:   db 'DONE', 13, 10, 0
msg_nl:     db 13, 10, 0
keybuf:     db 0, 0
ticks:      dw 0

times 512*5-($-$$) db 0
