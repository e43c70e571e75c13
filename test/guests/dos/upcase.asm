; build: nasm -f bin -o upcase.com upcase.asm
;
; A filter: copies stdin to stdout (INT 21h AH=3Fh / AH=40h on handles 0 and 1), upper-casing letters,
; until end of input; exits with the number of bytes read modulo 256. Used to test pipes and redirection.
bits 16
org 0x100
    xor si, si                  ; bytes read
.read:
    mov ah, 0x3f
    xor bx, bx
    mov cx, 1
    mov dx, buf
    int 0x21
    jc .done
    or ax, ax
    jz .done
    inc si
    mov al, [buf]
    cmp al, 0x1a                ; ^Z ends text input too
    je .done
    cmp al, 'a'
    jb .write
    cmp al, 'z'
    ja .write
    sub al, 0x20
    mov [buf], al
.write:
    mov ah, 0x40
    mov bx, 1
    mov cx, 1
    mov dx, buf
    int 0x21
    jmp .read
.done:
    mov ax, si
    mov ah, 0x4c
    int 0x21
buf: db 0
