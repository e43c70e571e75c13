; build: nasm -f bin -o childexe.exe childexe.asm
;
; childexe.exe - a small MZ .EXE child that exec.com runs with 4B00h (not useful on its own).
; The MZ header is written by hand: 32-byte header, one relocation (the immediate of a
; `mov ax, DATA_PARA` in the code), code segment at image offset 0 (1024 bytes), a data segment
; after it, the stack in the data segment (SS = DATA_PARA, SP = 400h, room from the minimum
; allocation). It prints its command tail and checks, as DOS 5 loads an .EXE:
;   the relocated word = load segment (PSP + 10h) + DATA_PARA, and the data segment it names holds
;   the marker; CS = load segment; SS = load segment + DATA_PARA and SP = 400h at entry;
;   DS = ES = PSP with INT 20h at PSP:0; the tail is ' exe'.
; Exits with AL = 50h + the number of failed checks (the parent checks it through 4Dh).
bits 16
cpu 386

DATA_PARA equ 0x40
FILE_SIZE equ 0x20 + 0x400 + 0x10

section hdr start=0
    db 'MZ'
    dw FILE_SIZE % 512             ; bytes in the last page
    dw (FILE_SIZE + 511) / 512     ; pages
    dw 1                           ; relocations
    dw 2                           ; header paragraphs
    dw 0x40                        ; minimum extra paragraphs (the stack)
    dw 0xffff                      ; maximum extra paragraphs
    dw DATA_PARA                   ; SS
    dw 0x400                       ; SP
    dw 0                           ; checksum
    dw start                       ; IP
    dw 0                           ; CS
    dw 0x1c                        ; relocation table
    dw 0                           ; overlay
    dw reloc_word, 0               ; the relocation: offset, segment
    times 0x20 - ($ - $$) db 0

section text follows=hdr vstart=0
%include "dostest.inc"
start:
    mov [cs:entry_sp], sp
    mov [cs:entry_ss], ss
    mov [cs:psp], es
    db 0xb8                        ; mov ax, DATA_PARA (relocated)
reloc_word:
    dw DATA_PARA
    mov [cs:reloc], ax
    push cs
    pop ds

    ; ---- print the tail
    mov ah, 0x40
    mov bx, 1
    mov dx, tailtxt
    mov cx, tailtxt_len
    int 0x21
    push ds
    mov ds, [psp]
    mov ah, 0x40
    mov bx, 1
    mov dx, 0x81
    movzx cx, byte [0x80]
    int 0x21
    pop ds
    mov ah, 0x40
    mov bx, 1
    mov dx, endtxt
    mov cx, 3
    int 0x21

    ; ---- segments
    mov ax, [psp]
    add ax, 0x10
    mov [loadseg], ax
    mov bx, cs
    mov ax, bx
    CHECK_EQW 'exe-cs-is-load-segment', ax, [loadseg]
    mov bx, [loadseg]
    add bx, DATA_PARA
    mov ax, [reloc]
    CHECK_EQW 'exe-relocated-segment', ax, bx
    mov ax, [entry_ss]
    CHECK_EQW 'exe-entry-ss', ax, bx
    CHECK_EQW 'exe-entry-sp', [entry_sp], 0x400
    mov es, [reloc]
    CHECK_EQW 'exe-data-segment-marker', [es:0], 0xbeef

    ; ---- PSP
    mov es, [psp]
    CHECK_EQW 'exe-psp-int20', [es:0], 0x20cd
    mov ah, 0x62
    int 0x21
    mov ax, [psp]
    CHECK_EQW 'exe-get-psp-62h', bx, ax
    movzx ax, byte [es:0x80]
    CHECK_EQW 'exe-tail-length', ax, 4
    CHECK_EQW 'exe-tail-text', [es:0x81], ' e'
    CHECK_EQW 'exe-tail-text2', [es:0x83], 'xe'

    mov al, [__failures]
    add al, 0x50
    mov ah, 0x4c
    int 0x21

tailtxt:  db 'childexe tail: ['
tailtxt_len equ $ - tailtxt
endtxt:   db ']', 13, 10
entry_sp: dw 0
entry_ss: dw 0
psp:      dw 0
reloc:    dw 0
loadseg:  dw 0
    times 0x400 - ($ - $$) db 0

section data follows=text vstart=0
    dw 0xbeef
    times 0x10 - ($ - $$) db 0
