; build: nasm -f bin -o mvmsvc.com mvmsvc.asm
;
; Calls the MVM services DOS programs reach through SVC 50h (docs/doskrnl.md): query (expects AX=4D56h
; 'MV'), host time zone, set and get the session clipboard, then exit to host with return code 7 from
; inside the program. Prints what it got.
bits 16
org 0x100
%macro svc 1
    hlt
    db %1, (~%1) & 0xff
%endmacro
    mov ah, 0x00
    svc 0x50
    cmp ax, 0x4d56
    jne .bad
    mov dx, msg_query
    mov ah, 0x09
    int 0x21
    mov ah, 0x02                ; time zone: just call it
    svc 0x50
    mov si, cliptext
    mov ah, 0x04
    svc 0x50
    mov di, buf
    mov cx, 64
    mov ah, 0x03
    svc 0x50
    mov bx, cx                  ; length
    mov byte [buf+bx], '$'
    mov dx, msg_clip
    mov ah, 0x09
    int 0x21
    mov dx, buf
    mov ah, 0x09
    int 0x21
    mov dx, msg_nl
    mov ah, 0x09
    int 0x21
    mov al, 7
    mov ah, 0x01
    svc 0x50                    ; the session ends here
    mov dx, msg_after
    mov ah, 0x09
    int 0x21
    mov ax, 0x4c01
    int 0x21
.bad:
    mov dx, msg_bad
    mov ah, 0x09
    int 0x21
    mov ax, 0x4c02
    int 0x21
msg_query: db 'MVM services present', 13, 10, '$'
msg_clip:  db 'clipboard: $'
msg_nl:    db 13, 10, '$'
msg_after: db 'still running after exit-to-host', 13, 10, '$'
msg_bad:   db 'no MVM services', 13, 10, '$'
cliptext:  db 'copied from DOS', 0
buf:       times 66 db 0
