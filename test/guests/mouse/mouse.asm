; build: nasm -f bin -o mouse.com mouse.asm
;
; mouse: the INT 33h driver as a program uses it, reporting on the debug console (port E9h), one line each:
;   VECTOR <seg> <first byte>   vector 33h points at a driver (not 0000:0000, not an IRET)
;   RESET <ax> <bx>             AX=0000h: FFFF and 2 buttons
;   READY                       handler installed (AX=000Ch, all events) and the cursor shown (AX=0001h)
; then it waits until its event handler has run three times (the test moves the mouse, presses and
; releases the left button), and reports what the handler got and what the driver says now:
;   EV <ax> <bx> <cx> <dx>      condition, buttons, x, y (three lines)
;   POS <bx> <cx> <dx>          AX=0003h
;   PRESS <ax> <bx> <cx> <dx>   AX=0005h BX=0: buttons, left presses, where
;   DONE
        org 100h
        cpu 186

start:  xor ax, ax
        mov es, ax
        mov si, msg_vector
        call puts
        mov ax, [es:33h*4+2]
        call hex4
        les bx, [es:33h*4]
        mov al, [es:bx]
        xor ah, ah
        call hex4
        call newline

        xor ax, ax
        int 33h
        push bx
        mov si, msg_reset
        call puts
        call hex4
        pop ax
        call hex4
        call newline

        push cs
        pop es
        mov ax, 000Ch
        mov cx, 007Fh
        mov dx, handler
        int 33h
        mov ax, 0001h
        int 33h
        mov si, msg_ready
        call puts
        call newline

        sti
.wait:  cmp word [count], 3
        jb .wait

        mov si, events
        mov cx, 3
.ev:    push cx
        push si
        mov si, msg_ev
        call puts
        pop si
        mov cx, 4
.evw:   lodsw
        call hex4
        loop .evw
        call newline
        pop cx
        loop .ev

        mov ax, 0003h
        int 33h
        push dx
        push cx
        mov si, msg_pos
        call puts
        mov ax, bx
        call hex4
        pop ax
        call hex4
        pop ax
        call hex4
        call newline

        mov ax, 0005h
        xor bx, bx
        int 33h
        push dx
        push cx
        push bx
        push ax
        mov si, msg_press
        call puts
        mov cx, 4
.pr:    pop ax
        call hex4
        loop .pr
        call newline

        mov si, msg_done
        call puts
        call newline
        cli
        hlt

; The event handler: record AX, BX, CX, DX (up to 3 events), count, return far.
handler:
        push ds
        push di
        push cs
        pop ds
        mov di, [count]
        cmp di, 3
        jae .full
        shl di, 3
        add di, events
        mov [di], ax
        mov [di+2], bx
        mov [di+4], cx
        mov [di+6], dx
        inc word [count]
.full:  pop di
        pop ds
        retf

; Write the zero-terminated string at SI to port E9h.
puts:   push ax
.l:     lodsb
        test al, al
        jz .e
        out 0E9h, al
        jmp .l
.e:     pop ax
        ret

; Write AX as " XXXX".
hex4:   push ax
        push cx
        push dx
        mov dx, ax
        mov al, ' '
        out 0E9h, al
        mov cx, 4
.d:     rol dx, 4
        mov al, dl
        and al, 0Fh
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 7
.o:     out 0E9h, al
        loop .d
        pop dx
        pop cx
        pop ax
        ret

newline:
        push ax
        mov al, 10
        out 0E9h, al
        pop ax
        ret

msg_vector: db 'VECTOR', 0
msg_reset:  db 'RESET', 0
msg_ready:  db 'READY', 0
msg_ev:     db 'EV', 0
msg_pos:    db 'POS', 0
msg_press:  db 'PRESS', 0
msg_done:   db 'DONE', 0
count:      dw 0
events:     times 12 dw 0
