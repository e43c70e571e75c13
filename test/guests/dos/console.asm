; build: nasm -f bin -o console.com console.asm
;
; console.com - INT 21h console and information functions as DOS 5 defines them. Run it with
; two lines on stdin:   printf 'abc\r\nxyz\r\n' | mvm run console.com
;   02h and 09h output (they print their own PASS lines), 30h version 5.0, 3306h true version 5.0,
;   2Ah/2Ch date and time in range (year >= 2024), 38h country info (US: code 1, m/d/y, '$', ','
;   '.' ':'), 25h/35h set and get a vector (and INT reaches the new handler), 33h Ctrl-Break flag
;   round trip, 29h parse a filename into an FCB (drive, blank-padded name, wildcard -> '?', AL),
;   44h/00h device info (handles 0 and 1 and an opened CON are character devices with the
;   console-input / console-output bits; a disk file is not a device and names drive C),
;   3Fh from handle 0 reads the first line with its CR LF, 0Ah buffered input reads the second,
;   then 06h DL=FFh finds no key waiting (ZF=1) and 0Bh says none (AL=0).
; One line per check (PASS name / FAIL name AX-in-hex); exit code = number of failures.
bits 16
cpu 386
org 0x100
%include "dostest.inc"

    ; ---- 02h / 09h output
    mov si, out02
.o2:
    lodsb
    or al, al
    jz .o2d
    mov dl, al
    mov ah, 0x02
    int 0x21
    jmp .o2
.o2d:
    mov ah, 0x09
    mov dx, out09
    int 0x21

    ; ---- versions
    mov ax, 0x3000
    int 0x21
    CHECK_EQW 'version-30h-5.0', ax, 0x0005
    mov ax, 0x3306
    int 0x21
    CHECK_EQW 'true-version-3306h-5.0', bx, 0x0005

    ; ---- date / time
    mov ah, 0x2a
    int 0x21
    mov [dow], al
    cmp cx, 2024
    jae .y
    mov ax, cx
    FAIL 'date-year-2024-or-later'
    jmp .yd
.y:
    PASS 'date-year-2024-or-later'
.yd:
    mov ax, dx
    cmp dh, 1
    jb .dbad
    cmp dh, 12
    ja .dbad
    cmp dl, 1
    jb .dbad
    cmp dl, 31
    ja .dbad
    cmp byte [dow], 6
    ja .dbad
    PASS 'date-month-day-weekday-in-range'
    jmp .dd
.dbad:
    FAIL 'date-month-day-weekday-in-range'
.dd:
    mov ah, 0x2c
    int 0x21
    mov ax, cx
    cmp ch, 23
    ja .tbad
    cmp cl, 59
    ja .tbad
    mov ax, dx
    cmp dh, 59
    ja .tbad
    cmp dl, 99
    ja .tbad
    PASS 'time-in-range'
    jmp .td
.tbad:
    FAIL 'time-in-range'
.td:

    ; ---- country
    mov ax, 0x3800
    mov dx, country
    int 0x21
    CHECK_NC 'country-38h'
    CHECK_EQW 'country-code-us', bx, 1
    CHECK_EQW 'country-date-format-mdy', [country], 0
    CHECK_EQB 'country-currency', [country+2], '$'
    CHECK_EQB 'country-thousands', [country+7], ','
    CHECK_EQB 'country-decimal', [country+9], '.'
    CHECK_EQB 'country-time-separator', [country+0x0d], ':'

    ; ---- 25h / 35h
    mov ax, 0x3566
    int 0x21
    mov [oldvec], bx
    mov [oldvec+2], es
    mov ax, 0x2566
    mov dx, int66
    int 0x21
    mov ax, 0x3566
    int 0x21
    mov ax, es
    mov cx, ds
    cmp ax, cx
    jne .vbad
    CHECK_EQW 'vector-25h-35h-round-trip', bx, int66
    jmp .vd
.vbad:
    FAIL 'vector-25h-35h-round-trip'
.vd:
    push ds
    pop es
    mov ax, 0x1234
    int 0x66
    CHECK_EQW 'vector-int-reaches-handler', ax, 0x4321
    push ds
    mov ax, 0x2566
    mov dx, [oldvec]
    mov ds, [oldvec+2]
    int 0x21
    pop ds

    ; ---- 33h break flag
    mov ax, 0x3300
    int 0x21
    mov [oldbrk], dl
    mov ax, 0x3301
    mov dl, 1
    int 0x21
    mov ax, 0x3300
    int 0x21
    CHECK_EQB 'break-flag-set-on', dl, 1
    mov ax, 0x3301
    mov dl, 0
    int 0x21
    mov ax, 0x3300
    int 0x21
    CHECK_EQB 'break-flag-set-off', dl, 0
    mov ax, 0x3301
    mov dl, [oldbrk]
    int 0x21

    ; ---- 29h parse filename
    mov ax, 0x2900
    mov si, pname1
    mov di, fcb
    int 0x21
    CHECK_EQB 'parse-29h-no-wildcards', al, 0
    CHECK_EQB 'parse-drive', [fcb], 3
    mov si, fcb+1
    mov di, fcbname1
    mov cx, 11
    repe cmpsb
    mov ax, cx
    CHECK_Z 'parse-name-and-extension'
    mov ax, 0x2900
    mov si, pname2
    mov di, fcb
    int 0x21
    mov bx, si
    CHECK_EQB 'parse-wildcard-al-1', al, 1
    CHECK_EQB 'parse-default-drive-0', [fcb], 0
    mov si, fcb+1
    mov di, fcbname2
    mov cx, 11
    repe cmpsb
    mov ax, cx
    CHECK_Z 'parse-star-to-question-marks'
    mov ax, pname2 + 5
    CHECK_EQW 'parse-si-after-name', bx, ax

    ; ---- 44h/00h device information
    mov ax, 0x4400
    xor bx, bx
    int 0x21
    mov ax, dx
    and ax, 0x81
    CHECK_EQW 'ioctl-stdin-console-input-device', ax, 0x81
    mov ax, 0x4400
    mov bx, 1
    int 0x21
    mov ax, dx
    and ax, 0x82
    CHECK_EQW 'ioctl-stdout-console-output-device', ax, 0x82
    mov ax, 0x3d02
    mov dx, conname
    int 0x21
    CHECK_NC 'open-con'
    jc .nocon
    mov bx, ax
    mov ax, 0x4400
    int 0x21
    mov ax, dx
    and ax, 0x83
    CHECK_EQW 'ioctl-con-is-console-device', ax, 0x83
    mov ah, 0x3e
    int 0x21
.nocon:
    mov ah, 0x3c
    xor cx, cx
    mov dx, fname
    int 0x21
    mov [hfile], ax
    mov ax, 0x4400
    mov bx, [hfile]
    int 0x21
    mov ax, dx
    and ax, 0xbf
    CHECK_EQW 'ioctl-file-not-device-drive-c', ax, 0x02
    mov ah, 0x3e
    mov bx, [hfile]
    int 0x21
    mov ah, 0x41
    mov dx, fname
    int 0x21

    ; ---- input from stdin
    mov ah, 0x3f
    xor bx, bx
    mov cx, 80
    mov dx, line
    int 0x21
    CHECK_NC 'read-stdin-3Fh'
    CHECK_EQW 'read-stdin-line-length', ax, 5
    CHECK_EQW 'read-stdin-text', [line], 'ab'
    CHECK_EQB 'read-stdin-text2', [line+2], 'c'
    CHECK_EQW 'read-stdin-crlf', [line+3], 0x0a0d
    mov ah, 0x0a
    mov dx, kbuf
    int 0x21
    mov ah, 0x02                   ; (0Ah echoes no LF)
    mov dl, 10
    int 0x21
    CHECK_EQB 'buffered-input-0Ah-count', [kbuf+1], 3
    CHECK_EQW 'buffered-input-text', [kbuf+2], 'xy'
    CHECK_EQB 'buffered-input-text2', [kbuf+4], 'z'
    CHECK_EQB 'buffered-input-ends-cr', [kbuf+5], 13
    mov ah, 0x06
    mov dl, 0xff
    int 0x21
    CHECK_Z 'direct-input-06h-nothing-waiting'
    mov ah, 0x0b
    int 0x21
    CHECK_EQB 'input-status-0Bh-none', al, 0

    FINISH

int66:
    mov ax, 0x4321
    iret

out02:    db 'PASS output-02h', 13, 10, 0
out09:    db 'PASS output-09h', 13, 10, '$'
pname1:   db 'C:FOO.TXT', 0
fcbname1: db 'FOO     TXT'
pname2:   db '*.BAT', 0
fcbname2: db '????????BAT'
conname:  db 'CON', 0
fname:    db 'CONTEST.DAT', 0
dow:      db 0
oldbrk:   db 0
oldvec:   dw 0, 0
hfile:    dw 0
kbuf:     db 20, 0
          times 22 db 0
fcb:      times 40 db 0
country:  times 34 db 0
line:     times 84 db 0
