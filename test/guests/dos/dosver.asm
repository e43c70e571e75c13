; build: nasm -f bin -o dosver.com dosver.asm
;
; Prints the DOS version INT 21h AH=30h reports ("DOS 5.00") and exits with the major version, for the
; per-program DOS_VERSION setting.
bits 16
org 0x100
    mov ah, 0x30
    int 0x21
    push ax
    add al, '0'
    mov [major], al
    mov al, ah
    aam                         ; AH = tens, AL = units
    add ax, '00'
    mov [minor], ah
    mov [minor+1], al
    mov dx, msg
    mov ah, 0x09
    int 0x21
    pop ax
    mov ah, 0x4c
    int 0x21
msg:   db 'DOS '
major: db '0.'
minor: db '00', 13, 10, '$'
