; build: nasm -f bin -o hello.com hello.asm
;
; The smallest DOS program worth running: prints a line through INT 21h AH=09h and exits with
; return code 42 (AH=4Ch), so `mvm run hello.com` shows both the output and the exit code.
bits 16
org 0x100
    mov dx, msg
    mov ah, 0x09
    int 0x21
    mov ax, 0x4c2a
    int 0x21
msg: db 'Hello from DOS on MVM', 13, 10, '$'
