; build: nasm -f bin -o exec.com exec.asm
;
; exec.com - INT 21h process functions as DOS 5 defines them (needs child.com and childexe.exe
; beside it in the current directory):
;   62h get PSP (= the PSP we started with), 4B00h runs CHILD.COM with a command tail and an
;   environment we build (MVMTEST=42, PARENTPSP=<our PSP>); the child inherits a file handle we
;   opened and writes to it (we read 'child' back through our handle, whose position moved);
;   4Dh returns the child's exit code with AH=0 (normal termination); 4B00h of CHILDEXE.EXE
;   (an MZ .EXE with a relocation; it checks its own segments) and its exit code;
;   4B00h of a missing file -> 2; 4B01h load-only of CHILD.COM returns CS:IP = PSP:100h and
;   SS:SP = PSP:FFFEh in the parameter block, with a PSP at CS:0; 4B01h of CHILDEXE.EXE returns
;   SS - CS = 40h, SP = 400h and the IP from its header.
; The children print their own PASS/FAIL lines. Exit code = number of our failed checks.
bits 16
cpu 386
org 0x100
%include "dostest.inc"

    mov sp, stack_top
    mov [psp], es
    mov ah, 0x4a                   ; give back the memory a .COM owns
    mov bx, (stack_top - $$ + 0x100 + 15) / 16
    int 0x21
    CHECK_NC 'shrink-for-exec'
    mov ah, 0x62
    int 0x21
    mov ax, [psp]
    CHECK_EQW 'get-psp-62h', bx, ax

    ; ---- our environment for the child: PARENTPSP=<hex of 62h>
    mov ax, bx
    mov di, env_hex
    mov cx, 4
.hx:
    rol ax, 4
    mov bl, al
    and bl, 15
    add bl, '0'
    cmp bl, '9'
    jbe .hd
    add bl, 7
.hd:
    mov [di], bl
    inc di
    loop .hx
    mov ax, ds
    add ax, (env_block - $$ + 0x100) / 16
    mov [pb_env], ax

    ; ---- a file for the child to write to
    mov ah, 0x3c
    xor cx, cx
    mov dx, inhname
    int 0x21
    CHECK_NC 'create-inherited-file'
    mov [hfile], ax
    add al, '0'
    mov [tail_hdigit], al

    ; ---- 4B00h CHILD.COM
    mov word [pb_tail], tail
    mov [pb_tail+2], ds
    call setfcbs
    mov dx, childcom
    call exec0
    CHECK_NC 'exec-com-4B00h'
    mov ah, 0x4d
    int 0x21
    CHECK_EQW 'child-exit-code-4Dh', ax, 0x0040
    mov ax, 0x4201
    mov bx, [hfile]
    xor cx, cx
    xor dx, dx
    int 0x21
    CHECK_EQW 'inherited-handle-position-moved', ax, 5
    mov ax, 0x4200
    mov bx, [hfile]
    xor cx, cx
    xor dx, dx
    int 0x21
    mov ah, 0x3f
    mov bx, [hfile]
    mov cx, 16
    mov dx, buf
    int 0x21
    CHECK_EQW 'inherited-handle-child-wrote', ax, 5
    CHECK_EQW 'inherited-handle-data', [buf], 'ch'
    mov ah, 0x3e
    mov bx, [hfile]
    int 0x21
    mov ah, 0x41
    mov dx, inhname
    int 0x21
    mov ah, 0x62
    int 0x21
    mov ax, [psp]
    CHECK_EQW 'psp-back-after-child', bx, ax

    ; ---- 4B00h CHILDEXE.EXE
    mov word [pb_env], 0           ; a copy of ours
    mov word [pb_tail], tail_exe
    mov dx, childexe
    call exec0
    CHECK_NC 'exec-exe-4B00h'
    mov ah, 0x4d
    int 0x21
    CHECK_EQW 'exe-child-exit-code-4Dh', ax, 0x0050

    ; ---- missing program
    mov dx, missing
    call exec0
    CHECK_ERR 'exec-missing-file-2', 2

    ; ---- 4B01h load only
    mov dx, childcom
    mov al, 1
    call exec
    CHECK_NC 'load-only-com-4B01h'
    jc .lo1done
    CHECK_EQW 'load-only-com-ip', [pb_ip], 0x100
    CHECK_EQW 'load-only-com-sp', [pb_sp], 0xfffe
    mov ax, [pb_cs]
    CHECK_EQW 'load-only-com-ss-is-cs', [pb_ss], ax
    mov es, ax
    CHECK_EQW 'load-only-com-psp-int20', [es:0], 0x20cd
    call unload
.lo1done:
    mov ax, 0x3d00                 ; the IP its MZ header asks for
    mov dx, childexe
    int 0x21
    jc .nohdr
    mov bx, ax
    mov ah, 0x3f
    mov cx, 0x20
    mov dx, hdr
    int 0x21
    mov ah, 0x3e
    int 0x21
.nohdr:
    mov dx, childexe
    mov al, 1
    call exec
    CHECK_NC 'load-only-exe-4B01h'
    jc .lo2done
    mov ax, [exe_ip]
    CHECK_EQW 'load-only-exe-ip', [pb_ip], ax
    CHECK_EQW 'load-only-exe-sp', [pb_sp], 0x400
    mov ax, [pb_ss]
    sub ax, [pb_cs]
    CHECK_EQW 'load-only-exe-ss-minus-cs', ax, 0x40
    mov ax, [pb_cs]
    sub ax, 0x10
    mov es, ax
    CHECK_EQW 'load-only-exe-psp-below-cs', [es:0], 0x20cd
    mov [pb_cs], ax                ; unload frees the PSP block
    call unload
.lo2done:
    FINISH

; make the PSP of a 4B01h-loaded program (at [pb_cs]) go away, and ours current again
unload:
    mov ah, 0x50
    mov bx, [psp]
    int 0x21
    mov es, [pb_cs]
    push word [es:0x2c]
    mov ah, 0x49
    int 0x21
    pop es
    mov ah, 0x49
    int 0x21
    push ds
    pop es
    ret

setfcbs:
    mov word [pb_fcb1], 0x5c
    mov [pb_fcb1+2], ds
    mov word [pb_fcb2], 0x6c
    mov [pb_fcb2+2], ds
    ret

exec0:
    xor al, al
; AL = subfunction, DS:DX = program; registers saved around the call
exec:
    mov [save_sp], sp
    mov [save_ss], ss
    push ds
    pop es
    mov bx, pblock
    mov ah, 0x4b
    int 0x21
    cli
    mov ss, [cs:save_ss]
    mov sp, [cs:save_sp]
    sti
    push cs
    pop ds
    push cs
    pop es
    ret

childcom: db 'CHILD.COM', 0
childexe: db 'CHILDEXE.EXE', 0
missing:  db 'NOTHERE.COM', 0
inhname:  db 'INHERIT.TXT', 0
tail:     db 10, ' /h'
tail_hdigit: db '5', ' hello', 13
tail_exe: db 4, ' exe', 13
psp:      dw 0
hfile:    dw 0
save_sp:  dw 0
save_ss:  dw 0
pblock:
pb_env:   dw 0
pb_tail:  dw 0, 0
pb_fcb1:  dw 0, 0
pb_fcb2:  dw 0, 0
pb_sp:    dw 0
pb_ss:    dw 0
pb_ip:    dw 0
pb_cs:    dw 0
buf:      times 16 db 0
hdr:      times 0x14 db 0
exe_ip:   dw 0
          times 10 db 0
          align 16
env_block:
          db 'MVMTEST=42', 0
          db 'PARENTPSP='
env_hex:  db '0000', 0
          db 0
          align 16
          times 512 db 0
stack_top:
