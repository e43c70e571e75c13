; build: nasm -f bin -o dpmitest.com dpmitest.asm
;
; dpmitest.com - a DPMI 0.9 client as a DOS program is one: it finds the host (INT 2Fh AX=1687h), gives it
; its private data, switches to protected mode and then exercises INT 31h (descriptors, DOS memory, extended
; memory, interrupt vectors, real-mode calls and callbacks, exception handlers, the virtual interrupt flag)
; and the host's reflection of IRQ 0 to real mode, ending with INT 21h AH=4Ch from protected mode.
; dpmi32.asm includes this file with CLIENT32 defined: the same checks as a 32-bit client (a 32-bit code
; segment of its own, 32-bit offsets in EDX/ESI/EDI, 32-bit interrupt and exception frames).
; Each check prints `PASS name` or `FAIL name detail XXXX` (INFO lines report values); the exit code is the
; number of failed checks. The program needs a 386 (the host must report CL >= 3).

%ifdef CLIENT32
  %define PMBITS 32
  CLIENT_TYPE equ 1                 ; AX for the mode switch: bit 0 = 32-bit client
%else
  %define PMBITS 16
  CLIENT_TYPE equ 0
%endif

; Register names of the protected-mode code's own width (offsets the host reads as DX/SI/DI or EDX/ESI/EDI).
%if PMBITS == 32
  %define rAX eax
  %define rDX edx
  %define rSI esi
  %define rDI edi
  %define rBP ebp
  %define rSP esp
  W equ 4                           ; bytes a CALL or a segment PUSH puts on the stack
  ; DPMI exception frame for 32-bit clients, from SS:ESP at the handler's entry
  F_ERR equ 08h
  F_IP  equ 0Ch
  F_CS  equ 10h
  F_FL  equ 14h
  F_SP  equ 18h
  F_SS  equ 1Ch
%else
  %define rAX ax
  %define rDX dx
  %define rSI si
  %define rDI di
  %define rBP bp
  %define rSP sp
  W equ 2
  ; DPMI exception frame for 16-bit clients, from SS:SP at the handler's entry
  F_ERR equ 04h
  F_IP  equ 06h
  F_CS  equ 08h
  F_FL  equ 0Ah
  F_SP  equ 0Ch
  F_SS  equ 0Eh
%endif

; DPMI real-mode call structure (0300h/0301h/0303h)
R_EDI   equ 00h
R_ESI   equ 04h
R_EBP   equ 08h
R_EBX   equ 10h
R_EDX   equ 14h
R_ECX   equ 18h
R_EAX   equ 1Ch
R_FLAGS equ 20h
R_ES    equ 22h
R_DS    equ 24h
R_FS    equ 26h
R_GS    equ 28h
R_IP    equ 2Ah
R_CS    equ 2Ch
R_SP    equ 2Eh
R_SS    equ 30h
R_SIZE  equ 32h

WAIT_LOOPS equ 20000000             ; bound for waiting on the timer (~55 ms of guest time is ~1.4M steps)
PROBE_VALUE equ 44504D49h           ; 'IMPD' - a dword read back through other selectors
STACK_SIZE equ 4096

; Single-line names of the reporter in use: rm_* before the switch, pm_* after it.
%define REP_PASS  rm_pass
%define REP_FAIL  rm_fail
%define REP_FAILD rm_faild
%define REP_INFO  rm_info
%define REP_INFOD rm_infod

; CHECK name: the check now running (printed by PASS/FAIL and by the unexpected-exception report)
%macro CHECK 1
[section .data]
%%name: db %1, 0
__SECT__
    mov word [cur_test], %%name
%endmacro

%macro PASS 0
    call REP_PASS
%endmacro

; FAIL detail: `FAIL <check> <detail> <AX>`; FAILD prints EAX
%macro FAIL 1
[section .data]
%%d: db %1, 0
__SECT__
    mov word [detail], %%d
    call REP_FAIL
%endmacro

%macro FAILD 1
[section .data]
%%d: db %1, 0
__SECT__
    mov word [detail], %%d
    call REP_FAILD
%endmacro

; INFO label: `INFO <label> <AX>`; INFOD prints EAX
%macro INFO 1
[section .data]
%%d: db %1, 0
__SECT__
    mov word [detail], %%d
    call REP_INFO
%endmacro

%macro INFOD 1
[section .data]
%%d: db %1, 0
__SECT__
    mov word [detail], %%d
    call REP_INFOD
%endmacro

; REPORTER prefix, flush: the line builders for one mode. Lines are built in linebuf (CR LF '$') through
; DS:EBX and handed to the flush routine; every register is preserved.
%macro REPORTER 2
%1_pass:
    mov [saved_eax], eax
    pushad
    mov ebx, linebuf
    mov esi, msg_pass
    call %1_cat
    movzx esi, word [cur_test]
    call %1_cat
    jmp %1_eol
%1_fail:
    mov [saved_eax], eax
    pushad
    mov ecx, 4
    jmp %1_fail_common
%1_faild:
    mov [saved_eax], eax
    pushad
    mov ecx, 8
%1_fail_common:
    inc byte [failures]
    mov ebx, linebuf
    mov esi, msg_fail
    call %1_cat
    movzx esi, word [cur_test]
    call %1_cat
    mov byte [ebx], ' '
    inc ebx
    jmp %1_detail
%1_info:
    mov [saved_eax], eax
    pushad
    mov ecx, 4
    jmp %1_info_common
%1_infod:
    mov [saved_eax], eax
    pushad
    mov ecx, 8
%1_info_common:
    mov ebx, linebuf
    mov esi, msg_info
    call %1_cat
%1_detail:
    movzx esi, word [detail]
    call %1_cat
    mov byte [ebx], ' '
    inc ebx
    mov eax, [saved_eax]
    call %1_hex
%1_eol:
    mov byte [ebx], 13
    mov byte [ebx + 1], 10
    mov byte [ebx + 2], '$'
    call %2
    popad
    mov eax, [saved_eax]
    ret

; append the zero-terminated string at DS:ESI to DS:EBX
%1_cat:
    mov al, [esi]
    inc esi
    test al, al
    jz .done
    mov [ebx], al
    inc ebx
    jmp %1_cat
.done:
    ret

; append EAX as ECX (4 or 8) hex digits
%1_hex:
    cmp ecx, 8
    je .digit
    shl eax, 16
.digit:
    rol eax, 4
    mov dl, al
    and dl, 0Fh
    add dl, '0'
    cmp dl, '9'
    jbe .store
    add dl, 'A' - '0' - 10
.store:
    mov [ebx], dl
    inc ebx
    dec ecx
    jnz .digit
    ret
%endmacro

    cpu 386
    org 100h
    section .text
    bits 16

; ==================================================================================== real mode
start:
    cld
    ; a 386 first, with 8086 instructions only: FLAGS bits 12-15 read back set on an 8086 and cannot be set
    ; on a 286 in real mode
    pushf
    pop ax
    mov cx, ax
    and ax, 0FFFh
    push ax
    popf
    pushf
    pop ax
    and ax, 0F000h
    cmp ax, 0F000h
    je .not386
    mov ax, cx
    or ax, 7000h
    push ax
    popf
    pushf
    pop ax
    push cx
    popf
    test ax, 7000h
    jnz .is386
.not386:
    mov dx, msg_not386
    mov ah, 09h
    int 21h
    mov ax, 4C01h
    int 21h
.is386:
    mov [psp_seg], cs
    mov ax, [2Ch]
    mov [env_seg], ax
    mov sp, stack_top

    CHECK 'shrink-4Ah'              ; give DOS back everything past our image, data and stack
    mov bx, prog_end
    add bx, 15
    shr bx, 4
    mov ah, 4Ah                     ; ES = PSP
    int 21h
    jnc .shrunk
    FAIL 'DOS error'
    jmp rm_exit
.shrunk:
    PASS

    CHECK 'detect-1687h'
    mov ax, 1687h
    int 2Fh
    test ax, ax
    jz .found
    FAIL 'no DPMI host: INT 2Fh AX=1687h returned AX'
    jmp rm_exit
.found:
    mov [dpmi_flags], bx
    mov [dpmi_cpu], cl
    mov [dpmi_ver], dx
    mov [host_paras], si
    mov [dpmi_entry], di
    mov [dpmi_entry + 2], es
    push cs
    pop es
    PASS
    mov ax, [dpmi_flags]
    INFO 'flags'
    movzx ax, byte [dpmi_cpu]
    INFO 'processor'
    mov ax, [dpmi_ver]
    INFO 'version'
    mov ax, [host_paras]
    INFO 'host data paragraphs'
    mov ax, [dpmi_entry + 2]
    INFO 'entry segment'
    mov ax, [dpmi_entry]
    INFO 'entry offset'

    CHECK 'version-1687h'           ; DH = 0, DL = 90 (binary): version 0.90
    mov ax, [dpmi_ver]
    cmp ax, 005Ah
    je .ver_ok
    FAIL 'DH.DL is not 0.90'
    jmp .cpu
.ver_ok:
    PASS

.cpu:
    CHECK 'cpu-1687h'               ; this program uses 386 instructions throughout
    movzx ax, byte [dpmi_cpu]
    cmp al, 3
    jb .cpu_bad
    cmp al, 6
    ja .cpu_bad
    PASS
    jmp .bits
.cpu_bad:
    FAIL 'CL is not a 386 or later'
    jmp rm_exit

.bits:
%ifdef CLIENT32
    CHECK '32bit-flag-1687h'
    mov ax, [dpmi_flags]
    test al, 1
    jnz .bits_ok
    FAIL 'BX bit 0 clear: no 32-bit clients'
    jmp rm_exit
.bits_ok:
    PASS
%endif

    CHECK 'host-data-48h'           ; SI paragraphs of conventional memory for the host
    mov bx, [host_paras]
    test bx, bx
    jz .no_data
    mov ah, 48h
    int 21h
    jnc .data_ok
    FAIL 'DOS error'
    jmp rm_exit
.data_ok:
    mov [host_seg], ax
.no_data:
    PASS

    CHECK 'enter-pm'
    mov es, [host_seg]              ; ignored by the host when SI was 0
    mov ax, CLIENT_TYPE
    call far [dpmi_entry]
    jnc pm_entered
    push cs
    pop ds
    FAIL 'CF set, AX'
    ; fall through

rm_exit:
    mov al, [failures]
    mov ah, 4Ch
    int 21h

rm_flush:
    mov ah, 09h
    mov dx, linebuf
    int 21h
    ret

    REPORTER rm, rm_flush

; ---------------------------------------------------------------- real-mode code the client calls from PM
; 0301h target: AX = the word the caller copied onto the stack XOR 5A5Ah, BX = CS
rm_proc:
    push bp
    mov bp, sp
    mov ax, [bp + 6]
    xor ax, 5A5Ah
    mov bx, cs
    pop bp
    retf

; INT 61h in real mode (0201h installs it): AX = 6161h, BX = CS
rm_int61:
    mov ax, 6161h
    mov bx, cs
    iret

; 0301h target: calls the real-mode callback with AX = 1111h and returns what it left
rm_call_cb:
    mov ax, 1111h
    call far [cs:cb_addr]
    retf

; 0301h target: AX = the sum of the 256 bytes at ES:0
rm_sum:
    xor ax, ax
    xor bx, bx
    mov cx, 256
.add:
    add al, [es:bx]
    adc ah, 0
    inc bx
    loop .add
    retf

; ==================================================================================== protected mode (16-bit)
; The host returns here: CS/DS/SS/ES are selectors for our segment, our stack and the PSP.
pm_entered:
    mov [esp_at_entry], esp
    mov [code_sel], cs
    mov [data_sel], ds
    mov [stack_sel], ss
    mov [psp_sel], es
    mov [fs_at_entry], fs
    mov [gs_at_entry], gs
    push ds
    pop es
%ifdef CLIENT32
    ; a 32-bit code segment: CS's descriptor with the D bit, in a new LDT descriptor
    mov ax, 0000h
    mov cx, 1
    int 31h
    jc fatal16
    mov [pm_cs], ax
    mov bx, cs
    mov edi, desc_buf
    mov ax, 000Bh
    int 31h
    jc fatal16
    or byte [desc_buf + 6], 40h
    mov bx, [pm_cs]
    mov ax, 000Ch
    int 31h
    jc fatal16
    push word [pm_cs]
    push word pm_main
    retf

; no 32-bit code segment: say so one character at a time (INT 21h AH=02h, reflected) and leave
fatal16:
    mov si, msg_fatal32
.char:
    lodsb
    test al, al
    jz .exit
    mov dl, al
    mov ah, 02h
    int 21h
    jmp .char
.exit:
    mov al, [failures]
    inc al
    mov ah, 4Ch
    int 21h
%else
    mov [pm_cs], cs
    jmp pm_main
%endif

; ==================================================================================== protected mode
    bits PMBITS
%define REP_PASS  pm_pass
%define REP_FAIL  pm_fail
%define REP_FAILD pm_faild
%define REP_INFO  pm_info
%define REP_INFOD pm_infod

pm_main:
    PASS                            ; enter-pm
    call t_exceptions
    call t_segregs
    call t_env
    call t_version
    call t_ldt
%if PMBITS == 16
    call t_high_words
%endif
    call t_seg2desc
    call t_flat
    call t_dosmem
    call t_meminfo
    call t_extmem
    call t_rmvec
    call t_callrm
    call t_callback
    call t_pmvec
    call t_gp
    call t_vif
    call t_irq0
pm_finish:
    movzx eax, byte [failures]
    INFO 'failures'
    mov al, [failures]
    mov ah, 4Ch
    int 21h
    ; a host that returns from INT 21h AH=4Ch has not ended the client
    CHECK 'exit-4Ch'
    FAIL 'INT 21h AH=4Ch returned to the client'
    mov ax, 4CFFh
    int 21h
    jmp $

; Print linebuf through DPMI 0300h (simulate INT 21h AH=09h, DS:DX = our real-mode segment:linebuf);
; if the host refuses, one character at a time through INT 21h AH=02h (reflected to real mode).
pm_flush:
    push es
    push ds
    pop es
    mov dword [print_regs + R_EAX], 0900h
    mov dword [print_regs + R_EDX], linebuf
    mov ax, [psp_seg]
    mov [print_regs + R_DS], ax
    mov [print_regs + R_ES], ax
    mov word [print_regs + R_FLAGS], 0
    mov dword [print_regs + R_SP], 0    ; SS:SP = 0: the host's stack
    mov edi, print_regs
    mov ax, 0300h
    mov bx, 0021h
    xor cx, cx
    int 31h
    pop es
    jnc .done
    mov esi, linebuf
.char:
    mov dl, [esi]
    cmp dl, '$'
    je .done
    mov ah, 02h
    int 21h
    inc esi
    jmp .char
.done:
    ret

    REPORTER pm, pm_flush

; ---------------------------------------------------------------- helpers
; BX = selector -> EAX = linear base (0006h); CF and AX = error on failure
get_base:
    mov ax, 0006h
    int 31h
    jc .ret
    movzx eax, cx
    shl eax, 16
    mov ax, dx
    clc
.ret:
    ret

; BX = selector, EAX = linear base (0007h)
set_base:
    push eax
    mov dx, ax
    shr eax, 16
    mov cx, ax
    mov ax, 0007h
    int 31h
    pop edx                         ; keeps CF and AX
    ret

; BX = selector, EAX = limit (0008h)
set_limit:
    push eax
    mov dx, ax
    shr eax, 16
    mov cx, ax
    mov ax, 0008h
    int 31h
    pop edx
    ret

; BX = selector, DL = expected access byte (bit 0, accessed, ignored), ECX = expected limit.
; CF clear if LAR and LSL agree; else CF set, [detail] says what differs and EAX holds it.
expect_desc:
    movzx ebx, bx
    lar eax, ebx
    jnz .nolar
    push eax
    shr eax, 8
    and al, 0FEh
    cmp al, dl
    pop eax
    jne .badar
    lsl eax, ebx
    jnz .nolsl
    cmp eax, ecx
    jne .badlim
    clc
    ret
.nolar:
    mov word [detail], d_nolar
    mov eax, ebx
    stc
    ret
.badar:
    mov word [detail], d_badar
    stc
    ret
.nolsl:
    mov word [detail], d_nolsl
    mov eax, ebx
    stc
    ret
.badlim:
    mov word [detail], d_badlim
    stc
    ret

; AX = selector: ZF set if its RPL is our CPL
rpl_is_cpl:
    push ax
    and al, 3
    cmp al, [cpl]
    pop ax
    ret

; zero the real-mode call structure `regs`
clear_regs:
    mov edi, regs
    mov ecx, R_SIZE
.zero:
    mov byte [edi], 0
    inc edi
    dec ecx
    jnz .zero
    ret

; AX = 0300h (BL = interrupt) or 0301h, with `regs`; no stack words copied
rm_call:
    push es
    push ds
    pop es
    mov edi, regs
    xor bh, bh
    xor cx, cx
    int 31h
    pop es
    ret

; EAX = linear address -> EAX = the dword there, read through the flat selector (CF if there is none)
flat_read:
    cmp word [flat_sel], 0
    je .none
    push es
    push ebx
    mov ebx, eax
    mov es, [flat_sel]
    mov eax, [es:ebx]
    pop ebx
    pop es
    clc
    ret
.none:
    stc
    ret

; ---------------------------------------------------------------- exception handlers
; One stub per exception we catch: it notes the number and goes to exc_common.
%macro EXC_STUB 1
exc_stub_%1:
    push ds
    mov ds, [cs:data_sel]
    mov byte [exc_num], %1
    pop ds
    jmp exc_common
%endmacro

    EXC_STUB 00h
    EXC_STUB 06h
    EXC_STUB 0Bh
    EXC_STUB 0Ch
    EXC_STUB 0Dh
    EXC_STUB 0Eh

; The DPMI exception frame is at SS:(E)SP (F_* offsets). An expected #GP resumes at gp_resume. Anything
; else is reported from here at once (the check that was running, the exception, CS:EIP, the error code:
; a broken host may never come back) and resumes at unexpected_exit on our own stack, which ends the
; program; a second unexpected exception (while reporting, or the host faulting on its own return path)
; ends it from here.
exc_common:
    push rBP
    mov rBP, rSP
    push ds
    push eax
    mov ds, [cs:data_sel]
%if PMBITS == 32
    mov eax, [ebp + W + F_ERR]
    mov [exc_err], eax
    mov eax, [ebp + W + F_IP]
    mov [exc_ip], eax
%else
    movzx eax, word [bp + W + F_ERR]
    mov [exc_err], eax
    movzx eax, word [bp + W + F_IP]
    mov [exc_ip], eax
%endif
    mov ax, [rBP + W + F_CS]
    mov [exc_cs], ax
    cmp byte [exc_num], 0Dh
    jne .unexpected
    cmp byte [gp_expected], 0
    je .unexpected
    mov byte [gp_expected], 0
    inc byte [gp_count]
    mov rAX, [gp_resume]
    mov [rBP + W + F_IP], rAX
    jmp .ret
.unexpected:
    cmp byte [in_unexpected], 0
    jne .again
    mov byte [in_unexpected], 1
    call report_exception
    mov word [rBP + W + F_IP], unexpected_exit
%if PMBITS == 32
    mov word [ebp + W + F_IP + 2], 0
    mov dword [ebp + W + F_SP], stack_top
%else
    mov word [bp + W + F_SP], stack_top
%endif
    mov ax, [pm_cs]
    mov [rBP + W + F_CS], ax
    mov ax, [stack_sel]
    mov [rBP + W + F_SS], ax
.ret:
    pop eax
    pop ds
    pop rBP
    retf
.again:
    mov al, [failures]
    mov ah, 4Ch
    int 21h
    jmp $

report_exception:
    movzx eax, byte [exc_num]
    FAIL 'unexpected exception'
    movzx eax, word [exc_cs]
    INFO 'exception cs'
    mov eax, [exc_ip]
    INFOD 'exception eip'
    mov eax, [exc_err]
    INFOD 'exception error code'
    ret

; Back from the host after an unexpected exception, on our own stack: end the program.
unexpected_exit:
    mov ax, [cs:data_sel]
    mov ds, ax
    mov es, ax
    jmp pm_finish

; ---------------------------------------------------------------- interrupt handlers and callbacks
; INT 60h in protected mode (0205h installs it): counts, AX = 6060h
int60_handler:
    push ds
    mov ds, [cs:data_sel]
    inc byte [int60_count]
    pop ds
    mov ax, 6060h
    iret

; IRQ 0 in protected mode (0205h on the master PIC's first vector): counts, then the previous handler
irq0_handler:
    push ds
    mov ds, [cs:data_sel]
    inc word [irq0_count]
    pop ds
    jmp far [cs:old_irq0]

; Real-mode callback (0303h): DS:(E)SI = the real-mode stack, ES:(E)DI = cb_regs. Return the way the
; spec asks: CS:IP from the real-mode stack into the structure, SP + 4 (the far call's return address).
cb_proc:
    mov ax, [rSI]
    mov [es:rDI + R_IP], ax
    mov ax, [rSI + 2]
    mov [es:rDI + R_CS], ax
    add word [es:rDI + R_SP], 4
    mov bx, [es:rDI + R_EAX]
    mov dword [es:rDI + R_EAX], 0C0DEh
    push ds
    mov ds, [cs:data_sel]
    mov [cb_seen_ax], bx
    inc byte [cb_count]
    pop ds
    iret

; ==================================================================================== the checks
; ---------------------------------------------------------------- 0202h/0203h exception handlers
%macro SET_EXC 1
    mov ax, 0203h
    mov bl, %1
    mov cx, [pm_cs]
    mov edx, exc_stub_%1
    int 31h
    jc .set_fail
%endmacro

t_exceptions:
    CHECK 'exc-get-0202h'
    mov ax, 0202h
    mov bl, 0Dh
    int 31h
    jnc .got
    FAIL 'CF set, AX'
    jmp .set
.got:
    mov [old_exc0d], rDX
    mov [old_exc0d + W], cx
    mov ax, cx
    test ax, ax
    jnz .got_ok
    FAIL 'null handler selector'
    jmp .set
.got_ok:
    PASS

.set:
    CHECK 'exc-set-0203h'           ; #DE, #UD, #NP, #SS, #GP, #PF: ours from here on
    SET_EXC 00h
    SET_EXC 06h
    SET_EXC 0Bh
    SET_EXC 0Ch
    SET_EXC 0Dh
    SET_EXC 0Eh
    mov ax, 0202h                   ; read #GP's back
    mov bl, 0Dh
    int 31h
    jc .set_fail
    cmp cx, [pm_cs]
    jne .readback
    cmp rDX, exc_stub_0Dh
    jne .readback
    PASS
    ret
.readback:
    mov ax, cx
    FAIL '0202h reads back another handler: selector'
    ret
.set_fail:
    FAIL 'CF set, AX'
    ret

; ---------------------------------------------------------------- the segment registers after the switch
t_segregs:
    mov ax, [code_sel]
    and al, 3
    mov [cpl], al
    shl al, 5
    mov ah, al
    or al, 92h                      ; present, DPL = CPL, data read/write
    mov [ar_data], al
    mov al, ah
    or al, 9Ah                      ; present, DPL = CPL, code execute/read
    mov [ar_code], al
    mov al, ah
    or al, 90h                      ; present, DPL = CPL, data (any)
    mov [ar_new], al
    movzx ax, byte [cpl]
    INFO 'cpl'
    mov ax, [code_sel]
    INFO 'cs'
    mov ax, [data_sel]
    INFO 'ds'
    mov ax, [stack_sel]
    INFO 'ss'
    mov ax, [psp_sel]
    INFO 'es (psp)'

    CHECK 'segregs-rpl'             ; DS, SS and ES carry the RPL of CS
    mov ax, [data_sel]
    call rpl_is_cpl
    jne .rpl_bad
    mov ax, [stack_sel]
    call rpl_is_cpl
    jne .rpl_bad
    mov ax, [psp_sel]
    call rpl_is_cpl
    jne .rpl_bad
    PASS
    jmp .cs
.rpl_bad:
    FAIL 'selector'

.cs:
    CHECK 'cs-descriptor'           ; present readable code at our CPL, 64 KiB, 16-bit
    mov bx, [code_sel]
    mov dl, [ar_code]
    mov ecx, 0FFFFh
    call expect_desc
    jnc .cs_16
    call pm_faild
    jmp .ds
.cs_16:
    lar eax, ebx
    test eax, 400000h
    jz .cs_ok
    FAILD 'D bit set (the spec gives a 16-bit CS)'
    jmp .ds
.cs_ok:
    PASS

.ds:
    CHECK 'ds-descriptor'           ; present writable data at our CPL, 64 KiB
    mov bx, [data_sel]
    mov dl, [ar_data]
    mov ecx, 0FFFFh
    call expect_desc
    jnc .ds_ok
    call pm_faild
    jmp .ss
.ds_ok:
    PASS

.ss:
    CHECK 'ss-descriptor'
    mov bx, [stack_sel]
    mov dl, [ar_data]
    mov ecx, 0FFFFh
    call expect_desc
    jnc .ss_ok
    call pm_faild
    jmp .es
.ss_ok:
    PASS

.es:
    CHECK 'psp-descriptor'          ; ES: the PSP, limit 0FFh
    mov bx, [psp_sel]
    mov dl, [ar_data]
    mov ecx, 0FFh
    call expect_desc
    jnc .es_ok
    call pm_faild
    jmp .bases
.es_ok:
    PASS

.bases:
    CHECK 'segment-bases-0006h'     ; CS, DS, SS and ES all start at our PSP
    movzx edi, word [psp_seg]
    shl edi, 4
    mov bx, [code_sel]
    call get_base
    jc .base_cf
    cmp eax, edi
    jne .base_bad
    mov bx, [data_sel]
    call get_base
    jc .base_cf
    cmp eax, edi
    jne .base_bad
    mov bx, [stack_sel]
    call get_base
    jc .base_cf
    cmp eax, edi
    jne .base_bad
    mov bx, [psp_sel]
    call get_base
    jc .base_cf
    cmp eax, edi
    jne .base_bad
    PASS
    jmp .fsgs
.base_cf:
    FAIL 'CF set, AX'
    jmp .fsgs
.base_bad:
    FAILD 'base'

.fsgs:
    CHECK 'fs-gs-zero'
    mov ax, [fs_at_entry]
    or ax, [gs_at_entry]
    jz .fsgs_ok
    mov ax, [fs_at_entry]
    FAIL 'FS'
    mov ax, [gs_at_entry]
    INFO 'GS'
    jmp .esp
.fsgs_ok:
    PASS

.esp:
%if PMBITS == 32
    CHECK 'esp-high-zero'           ; 32-bit clients: the high word of ESP is 0
    mov eax, [esp_at_entry]
    test eax, 0FFFF0000h
    jz .esp_ok
    FAILD 'ESP'
    ret
.esp_ok:
    PASS
%endif
    ret

; ---------------------------------------------------------------- PSP:2Ch holds an environment selector
t_env:
    CHECK 'env-selector'
    push es
    mov es, [psp_sel]
    mov ax, [es:2Ch]
    pop es
    mov [env_sel], ax
    INFO 'environment selector'
    mov ax, [env_seg]
    test ax, ax
    jnz .have_env
    INFO 'no environment segment to convert; skipped'
    PASS
    ret
.have_env:
    mov ax, [env_sel]
    test ax, ax
    jz .not_sel
    call rpl_is_cpl
    jne .not_sel
    movzx ebx, ax
    lar eax, ebx
    jnz .not_sel
    test eax, 0800h                 ; data
    jnz .not_sel
    call get_base
    jc .not_sel
    movzx edx, word [env_seg]
    shl edx, 4
    cmp eax, edx
    jne .bad_base
    PASS
    ret
.not_sel:
    mov ax, [env_sel]
    FAIL 'PSP:2Ch is not a selector for the environment'
    ret
.bad_base:
    FAILD 'environment selector base'
    ret

; ---------------------------------------------------------------- 0400h
t_version:
    mov ax, 0400h
    int 31h
    mov [v_ax], ax
    mov [v_bx], bx
    mov [v_cx], cx
    mov [v_dx], dx
    INFO 'version AX'
    mov ax, bx
    INFO 'version BX'
    mov ax, dx
    INFO 'version DX'

    CHECK 'version-0400h'           ; AH.AL = 0.90
    mov ax, [v_ax]
    cmp ax, 005Ah
    jne .ver_bad
    PASS
    jmp .cpu
.ver_bad:
    FAIL 'AX'

.cpu:
    CHECK 'cpu-0400h'               ; CL as INT 2Fh AX=1687h said
    mov al, [v_cx]
    cmp al, [dpmi_cpu]
    jne .cpu_bad
    PASS
    jmp .pic
.cpu_bad:
    mov ax, [v_cx]
    FAIL 'CL differs from 1687h'

.pic:
    CHECK 'pic-bases-0400h'         ; DH = master PIC base (08h), DL = slave (70h), as the BIOS set them
    mov ax, [v_dx]
    cmp ax, 0870h
    jne .pic_bad
    PASS
    jmp .flags
.pic_bad:
    FAIL 'DX'
    cmp ah, 0
    je .flags
    mov [pic_master], ah

.flags:
%if PMBITS == 32
    CHECK 'flags-0400h'             ; bit 0: a 32-bit host
    mov ax, [v_bx]
    test al, 1
    jnz .flags_ok
    FAIL 'BX bit 0 clear'
    ret
.flags_ok:
    PASS
%endif
    ret

; ---------------------------------------------------------------- LDT descriptors: 0000h-000Ch, 0001h
t_ldt:
    CHECK 'increment-0003h'         ; a power of two, at least 8
    mov ax, 0003h
    int 31h
    jc .inc_cf
    mov [sel_inc], ax
    cmp ax, 8
    jb .inc_bad
    mov dx, ax
    dec dx
    test ax, dx
    jnz .inc_bad
    PASS
    jmp .alloc
.inc_cf:
    FAIL 'CF set, AX'
    jmp .alloc
.inc_bad:
    FAIL 'increment'
    mov word [sel_inc], 8

.alloc:
    CHECK 'alloc-0000h'             ; 4 descriptors: LDT, RPL = CPL, present data at our CPL, base 0, limit 0
    mov ax, 0000h
    mov cx, 4
    int 31h
    jnc .alloc_ok
    FAIL 'CF set, AX'
    ret
.alloc_ok:
    mov [ldt_sel], ax
    INFO 'first selector'
    test al, 4
    jz .alloc_ti
    call rpl_is_cpl
    jne .alloc_ti
    mov bx, ax
    mov si, 4
.each:
    movzx ebx, bx
    lar eax, ebx
    jnz .each_lar
    mov edx, eax                    ; P, DPL, S and the code bit (read-only or read/write both do)
    shr edx, 8
    and dl, 0F8h
    cmp dl, [ar_new]
    jne .each_ar
    lsl eax, ebx
    jnz .each_lar
    test eax, eax
    jnz .each_lim
    call get_base
    jc .each_base
    test eax, eax
    jnz .each_base
    add bx, [sel_inc]
    dec si
    jnz .each
    PASS
    jmp .set_base
.each_lar:
    mov eax, ebx
    FAIL 'LAR/LSL fail on selector'
    jmp .set_base
.each_ar:
    FAILD 'access rights (LAR)'
    jmp .set_base
.each_lim:
    FAILD 'limit is not 0'
    jmp .set_base
.each_base:
    FAILD 'base is not 0'
    jmp .set_base
.alloc_ti:
    FAIL 'not an LDT selector at our RPL'
    ret

.set_base:
    CHECK 'set-base-0007h'          ; selector 0 onto our PSP, read back by 0006h
    mov bx, [ldt_sel]
    movzx eax, word [psp_seg]
    shl eax, 4
    call set_base
    jc .sb_cf
    call get_base
    jc .sb_cf
    movzx edx, word [psp_seg]
    shl edx, 4
    cmp eax, edx
    jne .sb_bad
    PASS
    jmp .set_limit
.sb_cf:
    FAIL 'CF set, AX'
    jmp .set_limit
.sb_bad:
    FAILD 'base read back'

.set_limit:
    CHECK 'set-limit-0008h'         ; 64 KiB, then our probe dword through it
    mov bx, [ldt_sel]
    mov eax, 0FFFFh
    call set_limit
    jc .sl_cf
    movzx ebx, bx
    lsl eax, ebx
    jnz .sl_lsl
    cmp eax, 0FFFFh
    jne .sl_lsl
    push es
    mov es, bx
    mov eax, [es:probe]
    pop es
    cmp eax, PROBE_VALUE
    jne .sl_read
    PASS
    jmp .big
.sl_cf:
    FAIL 'CF set, AX'
    jmp .big
.sl_lsl:
    FAILD 'LSL'
    jmp .big
.sl_read:
    FAILD 'read through the selector'

.big:
    CHECK 'set-limit-big-0008h'     ; 2 MiB - 1: above 1 MiB, so page granular (G set in the descriptor)
    mov bx, [ldt_sel]
    add bx, [sel_inc]
    mov eax, 1FFFFFh
    call set_limit
    jc .big_cf
    movzx ebx, bx
    lsl eax, ebx
    jnz .big_lsl
    cmp eax, 1FFFFFh
    jne .big_lsl
    push es
    push ds
    pop es
    mov edi, desc_buf
    mov ax, 000Bh
    int 31h
    pop es
    jc .big_cf
    movzx eax, byte [desc_buf + 6]
    test al, 80h
    jz .big_g
    and al, 0Fh                     ; limit in pages: 001FFh
    jnz .big_g
    cmp word [desc_buf], 01FFh
    jne .big_g
    PASS
    jmp .unaligned
.big_cf:
    FAIL 'CF set, AX'
    jmp .unaligned
.big_lsl:
    FAILD 'LSL'
    jmp .unaligned
.big_g:
    mov eax, [desc_buf + 4]
    FAILD 'descriptor high dword (want G and limit 001FFh pages)'

.unaligned:
    CHECK 'set-limit-unaligned-refused'   ; above 1 MiB without the low 12 bits set
    mov bx, [ldt_sel]
    add bx, [sel_inc]
    add bx, [sel_inc]
    mov eax, 123456h
    call set_limit
    jc .ua_ok
    movzx ebx, bx
    lsl eax, ebx
    FAILD 'accepted; LSL now'
    jmp .rights
.ua_ok:
    PASS

.rights:
    CHECK 'set-rights-0009h'        ; selector 2: code, then data again
    mov bx, [ldt_sel]
    add bx, [sel_inc]
    add bx, [sel_inc]
    mov eax, 0FFFFh
    call set_limit
    mov cl, [ar_code]
    xor ch, ch
    mov ax, 0009h
    int 31h
    jc .r_cf
    mov dl, [ar_code]
    mov ecx, 0FFFFh
    call expect_desc
    jc .r_desc
    mov cl, [ar_data]
    xor ch, ch
    mov ax, 0009h
    int 31h
    jc .r_cf
    mov dl, [ar_data]
    mov ecx, 0FFFFh
    call expect_desc
    jc .r_desc
    PASS
    jmp .r32
.r_cf:
    FAIL 'CF set, AX'
    jmp .r32
.r_desc:
    call pm_faild

.r32:
    CHECK 'set-rights-32bit'        ; CH bit 6 (B/D) shows in LAR bit 22, and clears again
    mov bx, [ldt_sel]
    add bx, [sel_inc]
    add bx, [sel_inc]
    mov cl, [ar_data]
    mov ch, 40h
    mov ax, 0009h
    int 31h
    jc .r32_cf
    movzx ebx, bx
    lar eax, ebx
    jnz .r32_bad
    test eax, 400000h
    jz .r32_bad
    mov cl, [ar_data]
    xor ch, ch
    mov ax, 0009h
    int 31h
    jc .r32_cf
    lar eax, ebx
    jnz .r32_bad
    test eax, 400000h
    jnz .r32_bad
    PASS
    jmp .dpl
.r32_cf:
    FAIL 'CF set, AX'
    jmp .dpl
.r32_bad:
    FAILD 'LAR'

.dpl:
    CHECK 'set-rights-dpl-refused'  ; a DPL other than our CPL
    mov bx, [ldt_sel]
    add bx, [sel_inc]
    add bx, [sel_inc]
    mov cl, [cpl]
    xor cl, 3
    shl cl, 5
    or cl, 92h
    xor ch, ch
    mov ax, 0009h
    int 31h
    jc .dpl_ok
    movzx ebx, bx
    lar eax, ebx
    FAILD 'accepted; LAR now'
    mov cl, [ar_data]               ; put it back
    xor ch, ch
    mov ax, 0009h
    int 31h
    jmp .getd
.dpl_ok:
    PASS

.getd:
    CHECK 'get-descriptor-000Bh'    ; DS: base = our PSP, limit FFFFh, byte granular
    push es
    push ds
    pop es
    mov bx, [data_sel]
    mov edi, desc_buf
    mov ax, 000Bh
    int 31h
    pop es
    jc .getd_cf
    mov eax, [desc_buf + 2]         ; base 23:0
    and eax, 0FFFFFFh
    movzx edx, byte [desc_buf + 7]
    shl edx, 24
    or eax, edx
    movzx edx, word [psp_seg]
    shl edx, 4
    cmp eax, edx
    jne .getd_bad
    cmp word [desc_buf], 0FFFFh
    jne .getd_bad
    test byte [desc_buf + 6], 8Fh   ; G clear, limit 19:16 = 0
    jnz .getd_bad
    mov al, [desc_buf + 5]
    and al, 0FEh
    cmp al, [ar_data]
    jne .getd_bad
    PASS
    jmp .setd
.getd_cf:
    FAIL 'CF set, AX'
    jmp .setd
.getd_bad:
    mov eax, [desc_buf + 4]
    FAILD 'descriptor high dword'
    mov eax, [desc_buf]
    INFOD 'descriptor low dword'

.setd:
    CHECK 'set-descriptor-000Ch'    ; DS's descriptor with base + 10h onto selector 3
    push es
    push ds
    pop es
    mov bx, [data_sel]
    mov edi, desc_buf
    mov ax, 000Bh
    int 31h
    jc .setd_cf_pop
    mov eax, [desc_buf + 2]
    add eax, 10h                    ; base 23:0 (byte 5, the access byte, rides along unchanged...
    mov [desc_buf + 2], ax          ; ...so write back only the low 24 bits)
    shr eax, 16
    mov [desc_buf + 4], al
    mov bx, [ldt_sel]
    add bx, [sel_inc]
    add bx, [sel_inc]
    add bx, [sel_inc]
    mov edi, desc_buf
    mov ax, 000Ch
    int 31h
    pop es
    jc .setd_cf
    call get_base
    jc .setd_cf
    movzx edx, word [psp_seg]
    shl edx, 4
    add edx, 10h
    cmp eax, edx
    jne .setd_base
    push es
    mov es, bx
    mov eax, [es:probe - 10h]
    pop es
    cmp eax, PROBE_VALUE
    jne .setd_read
    PASS
    jmp .alias
.setd_cf_pop:
    pop es
.setd_cf:
    FAIL 'CF set, AX'
    jmp .alias
.setd_base:
    FAILD 'base'
    jmp .alias
.setd_read:
    FAILD 'read through the selector'

.alias:
    CHECK 'alias-000Ah'             ; a writable data alias of our code segment
    mov bx, [pm_cs]
    mov ax, 000Ah
    int 31h
    jnc .alias_ok
    FAIL 'CF set, AX'
    jmp .free
.alias_ok:
    mov [alias_sel], ax
    movzx ebx, ax
    lar eax, ebx
    jnz .alias_rights
    test eax, 0800h                 ; data
    jnz .alias_rights
    test eax, 0200h                 ; writable
    jz .alias_rights
    call get_base
    jc .alias_base
    mov edi, eax
    mov bx, [pm_cs]
    call get_base
    jc .alias_base
    cmp eax, edi
    jne .alias_base
    mov byte [alias_probe], 0
    push es
    mov es, [alias_sel]
    mov byte [es:alias_probe], 5Ah
    pop es
    cmp byte [alias_probe], 5Ah
    jne .alias_write
    PASS
    jmp .alias_free
.alias_rights:
    FAILD 'LAR'
    jmp .alias_free
.alias_base:
    FAILD 'base differs from CS'
    jmp .alias_free
.alias_write:
    FAIL 'a write through the alias did not land'
.alias_free:
    mov bx, [alias_sel]
    mov ax, 0001h
    int 31h

.free:
    CHECK 'free-0001h'              ; the 4 descriptors
    mov bx, [ldt_sel]
    mov si, 4
.free_each:
    mov ax, 0001h
    int 31h
    jc .free_cf
    add bx, [sel_inc]
    dec si
    jnz .free_each
    PASS
    jmp .twice
.free_cf:
    FAIL 'CF set, AX'

.twice:
    CHECK 'free-twice-refused'
    mov bx, [ldt_sel]
    mov ax, 0001h
    int 31h
    jc .twice_ok
    FAIL 'a freed selector freed again'
    ret
.twice_ok:
    PASS
    ret

%if PMBITS == 16
; ---------------------------------------------------------------- a 16-bit client's offsets are 16 bits
t_high_words:
    CHECK 'offsets-ignore-high-words'     ; 000Bh with junk in EDI's high word
    push es
    push ds
    pop es
    mov dword [desc_buf], 0
    mov edi, 0DEAD0000h + desc_buf
    mov bx, [data_sel]
    mov ax, 000Bh
    int 31h
    pop es
    jc .cf
    cmp word [desc_buf], 0FFFFh
    jne .bad
    PASS
    ret
.cf:
    FAIL 'CF set, AX'
    ret
.bad:
    mov eax, [desc_buf]
    FAILD 'descriptor not written at DI'
    ret
%endif

; ---------------------------------------------------------------- 0002h segment to descriptor
t_seg2desc:
    CHECK 'seg-to-desc-0002h'       ; B800h: base B8000h, limit FFFFh, data
    mov bx, 0B800h
    mov ax, 0002h
    int 31h
    jnc .got
    FAIL 'CF set, AX'
    jmp .bios
.got:
    mov [vid_sel], ax
    mov bx, ax
    mov dl, [ar_data]
    mov ecx, 0FFFFh
    call expect_desc
    jnc .desc_ok
    call pm_faild
    jmp .same
.desc_ok:
    call get_base
    jc .base_bad
    cmp eax, 0B8000h
    jne .base_bad
    PASS
    jmp .same
.base_bad:
    FAILD 'base'

.same:
    CHECK 'seg-to-desc-same'        ; the same segment gives the same selector
    mov bx, 0B800h
    mov ax, 0002h
    int 31h
    jc .same_cf
    cmp ax, [vid_sel]
    jne .same_bad
    PASS
    jmp .bios
.same_cf:
    FAIL 'CF set, AX'
    jmp .bios
.same_bad:
    FAIL 'another selector'

.bios:
    CHECK 'seg-to-desc-0040h'       ; the BIOS data area, for the timer checks
    mov bx, 0040h
    mov ax, 0002h
    int 31h
    jc .bios_cf
    mov [bios_sel], ax
    mov bx, ax
    call get_base
    jc .bios_cf
    cmp eax, 400h
    jne .bios_bad
    PASS
    ret
.bios_cf:
    FAIL 'CF set, AX'
    ret
.bios_bad:
    FAILD 'base'
    ret

; ---------------------------------------------------------------- a flat selector (base 0, limit 4 GiB - 1)
t_flat:
    CHECK 'flat-selector'
    mov ax, 0000h
    mov cx, 1
    int 31h
    jc .cf
    mov bx, ax
    xor eax, eax
    call set_base
    jc .cf_free
    mov eax, 0FFFFFFFFh
    call set_limit
    jc .cf_free
    movzx ebx, bx
    lsl eax, ebx
    jnz .lsl
    cmp eax, 0FFFFFFFFh
    jne .lsl
    mov [flat_sel], bx
    movzx eax, word [psp_seg]
    shl eax, 4
    add eax, probe
    call flat_read
    cmp eax, PROBE_VALUE
    jne .read
    PASS
    ret
.cf_free:
    push ax
    mov ax, 0001h
    int 31h
    pop ax
.cf:
    FAIL 'CF set, AX'
    ret
.lsl:
    FAILD 'LSL'
    ret
.read:
    FAILD 'our probe read through it'
    ret

; ---------------------------------------------------------------- 0100h-0102h DOS memory
t_dosmem:
    CHECK 'dos-alloc-0100h'         ; 4 KiB
    mov bx, 100h
    mov ax, 0100h
    int 31h
    jnc .ok
    FAIL 'CF set, AX (DOS error)'
    ret
.ok:
    mov [dos_seg], ax
    mov [dos_sel], dx
    PASS
    INFO 'segment'

    CHECK 'dos-selector'            ; base = segment * 16, limit FFFh
    mov bx, [dos_sel]
    mov dl, [ar_data]
    mov ecx, 0FFFh
    call expect_desc
    jnc .sel_desc
    call pm_faild
    jmp .write
.sel_desc:
    call get_base
    jc .sel_base
    movzx edx, word [dos_seg]
    shl edx, 4
    cmp eax, edx
    jne .sel_base
    PASS
    jmp .write
.sel_base:
    FAILD 'base'

.write:
    CHECK 'dos-write-read'          ; 256 bytes through the selector, read back at segment * 16
    push es
    mov es, [dos_sel]
    xor ebx, ebx
    xor edx, edx                    ; their sum, for dos-visible-in-rm
.fill:
    mov al, bl
    mov ah, 7
    mul ah
    add al, 3
    mov [es:ebx], al
    movzx eax, al
    add edx, eax
    inc ebx
    cmp ebx, 256
    jb .fill
    pop es
    mov [dos_sum], dx
    movzx eax, word [dos_seg]
    shl eax, 4
    add eax, 4                      ; bytes 4..7: 1Fh 26h 2Dh 34h
    call flat_read
    jc .no_flat
    cmp eax, 342D261Fh
    jne .wr_bad
    PASS
    jmp .rm
.no_flat:
    FAIL 'no flat selector'
    jmp .rm
.wr_bad:
    FAILD 'dword at 4'

.rm:
    CHECK 'dos-visible-in-rm'       ; 0301h: a real-mode routine sums the bytes at segment:0
    call clear_regs
    mov ax, [psp_seg]
    mov [regs + R_CS], ax
    mov word [regs + R_IP], rm_sum
    mov ax, [dos_seg]
    mov [regs + R_ES], ax
    mov ax, 0301h
    call rm_call
    jc .rm_cf
    mov ax, [regs + R_EAX]
    cmp ax, [dos_sum]
    jne .rm_bad
    PASS
    jmp .resize
.rm_cf:
    FAIL 'CF set, AX'
    jmp .resize
.rm_bad:
    FAIL 'sum'

.resize:
    CHECK 'dos-resize-0102h'        ; shrink to 2 KiB: the limit follows
    mov bx, 80h
    mov dx, [dos_sel]
    mov ax, 0102h
    int 31h
    jc .rs_cf
    mov bx, [dos_sel]
    movzx ebx, bx
    lsl eax, ebx
    jnz .rs_lim
    cmp eax, 7FFh
    jne .rs_lim
    PASS
    jmp .toobig
.rs_cf:
    FAIL 'CF set, AX'
    jmp .toobig
.rs_lim:
    FAILD 'LSL'

.toobig:
    CHECK 'dos-resize-refused'      ; FFFFh paragraphs cannot be had: CF, BX = the most there is
    mov bx, 0FFFFh
    mov dx, [dos_sel]
    mov ax, 0102h
    int 31h
    jc .tb_ok
    FAIL 'grown to FFFFh paragraphs'
    jmp .free
.tb_ok:
    PASS
    mov ax, bx
    INFO 'largest DOS block'

.free:
    CHECK 'dos-free-0101h'
    mov dx, [dos_sel]
    mov ax, 0101h
    int 31h
    jc .free_cf
    PASS
    ret
.free_cf:
    FAIL 'CF set, AX'
    ret

; ---------------------------------------------------------------- 0500h
t_meminfo:
    CHECK 'free-info-0500h'         ; the largest free block, at least the 2 MiB t_extmem will want
    mov dword [meminfo], 0AAAAAAAAh
    push es
    push ds
    pop es
    mov edi, meminfo
    mov ax, 0500h
    int 31h
    pop es
    jc .cf
    mov eax, [meminfo]
    INFOD 'largest free block'
    mov eax, [meminfo + 14h]
    INFOD 'free pages'
    mov eax, [meminfo]
    cmp eax, 0AAAAAAAAh
    je .unwritten
    cmp eax, 200000h
    jb .small
    PASS
    ret
.cf:
    FAIL 'CF set, AX'
    ret
.unwritten:
    FAILD 'buffer not written'
    ret
.small:
    FAILD 'less than 2 MiB'
    ret

; ---------------------------------------------------------------- 0501h-0503h, 0600h/0601h, 0604h
t_extmem:
    CHECK 'alloc-0501h'             ; 1 MiB
    mov bx, 0010h
    xor cx, cx
    mov ax, 0501h
    int 31h
    jnc .ok
    FAIL 'CF set, AX'
    ret
.ok:
    mov [mem_linear], cx
    mov [mem_linear + 2], bx
    mov [mem_handle], di
    mov [mem_handle + 2], si
    PASS
    mov eax, [mem_linear]
    INFOD 'linear address'
    mov eax, [mem_handle]
    INFOD 'handle'

    CHECK 'map-block'               ; a selector on it; a dword at its start and at its end
    mov ax, 0000h
    mov cx, 1
    int 31h
    jnc .map_sel
    FAIL 'CF set, AX'
    jmp .free                       ; no selector: free the block and stop here
.map_sel:
    mov [map_sel], ax
    mov bx, ax
    mov eax, [mem_linear]
    call set_base
    jc .map_cf
    mov eax, 0FFFFFh
    call set_limit
    jc .map_cf
    push es
    mov es, [map_sel]
    mov dword [es:0], 12345678h
    mov ebx, 0FFFFCh
    mov dword [es:ebx], 9ABCDEF0h
    mov eax, [es:0]
    mov edx, [es:ebx]
    pop es
    cmp eax, 12345678h
    jne .map_bad
    mov eax, edx
    cmp eax, 9ABCDEF0h
    jne .map_bad
    mov eax, [mem_linear]           ; the same bytes at the same linear address through the flat selector
    call flat_read
    jc .map_ok
    cmp eax, 12345678h
    jne .map_flat
.map_ok:
    PASS
    jmp .lock
.map_cf:
    FAIL 'CF set, AX'
    jmp .lock
.map_bad:
    FAILD 'read back'
    jmp .lock
.map_flat:
    FAILD 'flat selector sees'

.lock:
    CHECK 'lock-0600h'              ; the whole block
    mov bx, [mem_linear + 2]
    mov cx, [mem_linear]
    mov si, 0010h
    xor di, di
    mov ax, 0600h
    int 31h
    jc .lock_cf
    PASS
    jmp .unlock
.lock_cf:
    FAIL 'CF set, AX'

.unlock:
    CHECK 'unlock-0601h'
    mov bx, [mem_linear + 2]
    mov cx, [mem_linear]
    mov si, 0010h
    xor di, di
    mov ax, 0601h
    int 31h
    jc .unlock_cf
    PASS
    jmp .page
.unlock_cf:
    FAIL 'CF set, AX'

.page:
    CHECK 'page-size-0604h'         ; BX:CX = 4096
    mov ax, 0604h
    int 31h
    jc .page_cf
    cmp bx, 0
    jne .page_bad
    cmp cx, 1000h
    jne .page_bad
    PASS
    jmp .resize
.page_cf:
    FAIL 'CF set, AX'
    jmp .resize
.page_bad:
    mov ax, bx
    shl eax, 16
    mov ax, cx
    FAILD 'BX:CX'

.resize:
    CHECK 'resize-0503h'            ; to 2 MiB: maybe a new address and handle
    mov bx, 0020h
    xor cx, cx
    mov si, [mem_handle + 2]
    mov di, [mem_handle]
    mov ax, 0503h
    int 31h
    jc .resize_cf
    mov [mem_linear], cx
    mov [mem_linear + 2], bx
    mov [mem_handle], di
    mov [mem_handle + 2], si
    PASS
    mov eax, [mem_linear]
    INFOD 'new linear address'
    jmp .keeps
.resize_cf:
    FAIL 'CF set, AX'
    jmp .free

.keeps:
    CHECK 'resize-keeps-data'       ; both dwords still there; the new end holds one too
    mov bx, [map_sel]
    test bx, bx
    jz .keeps_nosel
    mov eax, [mem_linear]
    call set_base
    jc .keeps_cf
    mov eax, 1FFFFFh
    call set_limit
    jc .keeps_cf
    push es
    mov es, [map_sel]
    mov eax, [es:0]
    mov ebx, 0FFFFCh
    mov edx, [es:ebx]
    mov ebx, 1FFFFCh
    mov dword [es:ebx], 0FEDCBA98h
    mov ecx, [es:ebx]
    pop es
    cmp eax, 12345678h
    jne .keeps_bad
    mov eax, edx
    cmp eax, 9ABCDEF0h
    jne .keeps_bad
    mov eax, ecx
    cmp eax, 0FEDCBA98h
    jne .keeps_bad
    PASS
    jmp .free
.keeps_nosel:
    FAIL 'no selector'
    jmp .free
.keeps_cf:
    FAIL 'CF set, AX'
    jmp .free
.keeps_bad:
    FAILD 'read back'

.free:
    CHECK 'free-0502h'
    mov si, [mem_handle + 2]
    mov di, [mem_handle]
    mov ax, 0502h
    int 31h
    jc .free_cf
    PASS
    jmp .twice
.free_cf:
    FAIL 'CF set, AX'

.twice:
    CHECK 'free-twice-refused-0502h'
    mov si, [mem_handle + 2]
    mov di, [mem_handle]
    mov ax, 0502h
    int 31h
    jc .twice_ok
    FAIL 'a freed handle freed again'
    jmp .done
.twice_ok:
    PASS
.done:
    mov bx, [map_sel]
    test bx, bx
    jz .ret
    mov ax, 0001h
    int 31h
.ret:
    ret

; ---------------------------------------------------------------- 0200h/0201h, 0300h, reflection
t_rmvec:
    CHECK 'rm-vector-0200h'         ; INT 21h's vector, as the IVT holds it
    mov bl, 21h
    mov ax, 0200h
    int 31h
    jc .get_cf
    mov ax, cx
    shl eax, 16
    mov ax, dx
    test eax, eax
    jz .get_bad
    mov edi, eax
    mov eax, 21h * 4
    call flat_read
    jc .get_ok
    cmp eax, edi
    jne .get_ivt
.get_ok:
    PASS
    jmp .set
.get_cf:
    FAIL 'CF set, AX'
    jmp .set
.get_bad:
    FAILD 'CX:DX'
    jmp .set
.get_ivt:
    FAILD 'the IVT holds'

.set:
    CHECK 'rm-vector-0201h'         ; INT 61h -> rm_int61, read back by 0200h and in the IVT
    mov bl, 61h
    mov ax, 0200h
    int 31h
    jc .set_cf
    mov [old_rm61], dx
    mov [old_rm61 + 2], cx
    mov bl, 61h
    mov cx, [psp_seg]
    mov dx, rm_int61
    mov ax, 0201h
    int 31h
    jc .set_cf
    mov bl, 61h
    mov ax, 0200h
    int 31h
    jc .set_cf
    cmp cx, [psp_seg]
    jne .set_bad
    cmp dx, rm_int61
    jne .set_bad
    mov eax, 61h * 4
    call flat_read
    jc .set_ok
    mov edi, eax
    mov ax, [psp_seg]
    shl eax, 16
    mov ax, rm_int61
    cmp eax, edi
    jne .set_ivt
.set_ok:
    PASS
    jmp .sim
.set_cf:
    FAIL 'CF set, AX'
    jmp .sim
.set_bad:
    mov ax, cx
    shl eax, 16
    mov ax, dx
    FAILD '0200h reads back'
    jmp .sim
.set_ivt:
    mov eax, edi
    FAILD 'the IVT holds'

.sim:
    CHECK 'simulate-int-0300h'      ; INT 21h AH=30h: DOS version in AL
    call clear_regs
    mov dword [regs + R_EAX], 3000h
    mov bl, 21h
    mov ax, 0300h
    call rm_call
    jc .sim_cf
    mov ax, [regs + R_EAX]
    INFO 'DOS version'
    cmp al, 2
    jb .sim_bad
    PASS
    jmp .own
.sim_cf:
    FAIL 'CF set, AX'
    jmp .own
.sim_bad:
    FAIL 'AX'

.own:
    CHECK 'simulate-own-int-0300h'  ; INT 61h reaches rm_int61 in our real-mode segment
    call clear_regs
    mov bl, 61h
    mov ax, 0300h
    call rm_call
    jc .own_cf
    mov ax, [regs + R_EAX]
    cmp ax, 6161h
    jne .own_bad
    mov ax, [regs + R_EBX]
    cmp ax, [psp_seg]
    jne .own_bad
    PASS
    jmp .reflect
.own_cf:
    FAIL 'CF set, AX'
    jmp .reflect
.own_bad:
    FAIL 'AX/BX'

.reflect:
    CHECK 'pm-int-reflected'        ; INT 61h in PM with no PM handler goes to the real-mode vector
    xor ax, ax
    xor bx, bx
    int 61h
    cmp ax, 6161h
    jne .reflect_bad
    cmp bx, [psp_seg]
    jne .reflect_bad
    PASS
    jmp .int21
.reflect_bad:
    FAIL 'AX'

.int21:
    CHECK 'int21-reflected'         ; INT 21h AH=30h straight from PM
    mov ax, 3000h
    int 21h
    cmp al, 2
    jb .int21_bad
    PASS
    jmp .restore
.int21_bad:
    FAIL 'AX'

.restore:
    CHECK 'rm-vector-restore'
    mov bl, 61h
    mov dx, [old_rm61]
    mov cx, [old_rm61 + 2]
    mov ax, 0201h
    int 31h
    jc .restore_cf
    PASS
    ret
.restore_cf:
    FAIL 'CF set, AX'
    ret

; ---------------------------------------------------------------- 0301h
t_callrm:
    CHECK 'call-rm-0301h'           ; rm_proc: one word copied from our stack, AX = word ^ 5A5Ah, BX = CS
    call clear_regs
    mov ax, [psp_seg]
    mov [regs + R_CS], ax
    mov word [regs + R_IP], rm_proc
    push es
    push ds
    pop es
    mov edi, regs
    push word 1234h
    mov ax, 0301h
    xor bx, bx
    mov cx, 1
    int 31h
    pop dx                          ; the word (POP keeps CF)
    pop es
    jc .cf
    mov ax, [regs + R_EAX]
    cmp ax, 1234h ^ 5A5Ah
    jne .bad_ax
    mov ax, [regs + R_EBX]
    cmp ax, [psp_seg]
    jne .bad_bx
    PASS
    ret
.cf:
    FAIL 'CF set, AX'
    ret
.bad_ax:
    FAIL 'AX (want 486Eh)'
    ret
.bad_bx:
    FAIL 'BX (want our segment)'
    ret

; ---------------------------------------------------------------- 0303h/0304h real-mode callback
t_callback:
    CHECK 'callback-0303h'
    mov byte [cb_count], 0
    mov word [cb_seen_ax], 0
    mov ax, [pm_cs]
    push ds
    push es
    push ds
    pop es
    mov edi, cb_regs
    mov esi, cb_proc
    mov ds, ax
    mov ax, 0303h
    int 31h
    pop es
    pop ds
    jnc .ok
    FAIL 'CF set, AX'
    ret
.ok:
    mov [cb_addr], dx
    mov [cb_addr + 2], cx
    PASS
    mov ax, [cb_addr + 2]
    INFO 'callback segment'
    mov ax, [cb_addr]
    INFO 'callback offset'

    CHECK 'callback-called'         ; real mode (0301h -> rm_call_cb) calls it with AX = 1111h; it leaves C0DEh
    call clear_regs
    mov ax, [psp_seg]
    mov [regs + R_CS], ax
    mov word [regs + R_IP], rm_call_cb
    mov ax, 0301h
    call rm_call
    jc .called_cf
    cmp byte [cb_count], 1
    jne .called_count
    mov ax, [cb_seen_ax]
    cmp ax, 1111h
    jne .called_in
    mov ax, [regs + R_EAX]
    cmp ax, 0C0DEh
    jne .called_out
    PASS
    jmp .free
.called_cf:
    FAIL 'CF set, AX'
    jmp .free
.called_count:
    movzx ax, byte [cb_count]
    FAIL 'times the PM procedure ran'
    jmp .free
.called_in:
    FAIL 'AX the PM procedure saw in the structure'
    jmp .free
.called_out:
    FAIL 'AX back in real mode'

.free:
    CHECK 'callback-free-0304h'
    mov cx, [cb_addr + 2]
    mov dx, [cb_addr]
    mov ax, 0304h
    int 31h
    jc .free_cf
    PASS
    ret
.free_cf:
    FAIL 'CF set, AX'
    ret

; ---------------------------------------------------------------- 0204h/0205h protected-mode vectors
t_pmvec:
    CHECK 'pm-vector-0204h'
    mov bl, 60h
    mov ax, 0204h
    int 31h
    jnc .got
    FAIL 'CF set, AX'
    ret
.got:
    mov [old_int60], rDX
    mov [old_int60 + W], cx
    mov ax, cx
    test ax, ax
    jz .null
    PASS
    jmp .set
.null:
    FAIL 'null selector'

.set:
    CHECK 'pm-vector-0205h'         ; ours, read back
    mov bl, 60h
    mov cx, [pm_cs]
    mov edx, int60_handler
    mov ax, 0205h
    int 31h
    jc .set_cf
    mov bl, 60h
    mov ax, 0204h
    int 31h
    jc .set_cf
    cmp cx, [pm_cs]
    jne .set_bad
    cmp rDX, int60_handler
    jne .set_bad
    PASS
    jmp .int
.set_cf:
    FAIL 'CF set, AX'
    ret
.set_bad:
    mov eax, edx
    FAILD 'offset read back'

.int:
    CHECK 'pm-int-handler'          ; INT 60h runs it
    mov byte [int60_count], 0
    xor ax, ax
    int 60h
    cmp byte [int60_count], 1
    jne .int_count
    cmp ax, 6060h
    jne .int_ax
    PASS
    jmp .restore
.int_count:
    movzx ax, byte [int60_count]
    FAIL 'times it ran'
    jmp .restore
.int_ax:
    FAIL 'AX'

.restore:
    CHECK 'pm-vector-restore'
    mov bl, 60h
    mov cx, [old_int60 + W]
    mov rDX, [old_int60]
    mov ax, 0205h
    int 31h
    jc .restore_cf
    PASS
    ret
.restore_cf:
    FAIL 'CF set, AX'
    ret

; ---------------------------------------------------------------- #GP through our 0203h handler
t_gp:
    CHECK 'exc-gp-write-cs'         ; a write through CS: #GP(0), resumed past the instruction
    mov byte [gp_count], 0
    mov dword [gp_resume], .after1
    mov byte [gp_expected], 1
    mov ecx, 13579BDFh
.fault1:
    mov [cs:gp_probe], al
.after1:
    mov byte [gp_expected], 0
    cmp byte [gp_count], 1
    jne .count1
    cmp ecx, 13579BDFh
    jne .regs1
    mov eax, [exc_err]
    test ax, ax
    jnz .err1
    mov eax, [exc_ip]
    cmp eax, .fault1
    jne .ip1
    mov ax, [exc_cs]
    cmp ax, [pm_cs]
    jne .cs1
    PASS
    jmp .badsel
.count1:
    movzx ax, byte [gp_count]
    FAIL 'handler calls'
    jmp .badsel
.regs1:
    mov eax, ecx
    FAILD 'ECX not kept'
    jmp .badsel
.err1:
    FAILD 'error code'
    jmp .badsel
.ip1:
    FAILD 'faulting EIP in the frame'
    jmp .badsel
.cs1:
    FAIL 'faulting CS in the frame'

.badsel:
    CHECK 'exc-gp-bad-selector'     ; ES = LDT selector 1FFFh (past anything allocated): #GP(FFFCh)
    mov ax, 0FFFCh
    or al, [cpl]
    mov byte [gp_count], 0
    mov dword [gp_resume], .after2
    mov byte [gp_expected], 1
    push es
.fault2:
    mov es, ax
.after2:
    pop es
    mov byte [gp_expected], 0
    cmp byte [gp_count], 1
    jne .count2
    mov eax, [exc_err]
    cmp ax, 0FFFCh
    jne .err2
    mov eax, [exc_ip]
    cmp eax, .fault2
    jne .ip2
    PASS
    jmp .restore
.count2:
    movzx ax, byte [gp_count]
    FAIL 'handler calls'
    jmp .restore
.err2:
    FAILD 'error code'
    jmp .restore
.ip2:
    FAILD 'faulting EIP in the frame'

.restore:
    ret

; ---------------------------------------------------------------- 0900h-0902h virtual interrupt flag
t_vif:
    CHECK 'vif-0900h'               ; disable: AL = 1 (was on), AH kept
    mov ax, 0901h
    int 31h
    mov ax, 0900h
    int 31h
    jc .v0_cf
    cmp ax, 0901h
    jne .v0_bad
    PASS
    jmp .v2off
.v0_cf:
    FAIL 'CF set, AX'
    jmp .v2off
.v0_bad:
    FAIL 'AX (want 0901h)'

.v2off:
    CHECK 'vif-0902h-off'
    mov ax, 0902h
    int 31h
    jc .v2off_cf
    cmp al, 0
    jne .v2off_bad
    PASS
    jmp .v1
.v2off_cf:
    FAIL 'CF set, AX'
    jmp .v1
.v2off_bad:
    FAIL 'AX'

.v1:
    CHECK 'vif-0901h'               ; enable: AL = 0 (was off), AH kept
    mov ax, 0901h
    int 31h
    jc .v1_cf
    cmp ax, 0900h
    jne .v1_bad
    PASS
    jmp .v2on
.v1_cf:
    FAIL 'CF set, AX'
    jmp .v2on
.v1_bad:
    FAIL 'AX (want 0900h)'

.v2on:
    CHECK 'vif-0902h-on'
    mov ax, 0902h
    int 31h
    jc .v2on_cf
    cmp al, 1
    jne .v2on_bad
    PASS
    jmp .clisti
.v2on_cf:
    FAIL 'CF set, AX'
    jmp .clisti
.v2on_bad:
    FAIL 'AX'

.clisti:
    CHECK 'vif-cli-sti'             ; CLI and STI move the same virtual flag
    cli
    mov ax, 0902h
    int 31h
    mov dl, al
    sti
    mov ax, 0902h
    int 31h
    mov dh, al
    cmp dx, 0100h
    jne .clisti_bad
    PASS
    ret
.clisti_bad:
    mov ax, dx
    FAIL 'states after CLI (low) and STI (high)'
    ret

; ---------------------------------------------------------------- IRQ 0 while the client runs in PM
t_irq0:
    CHECK 'irq0-reflected'          ; the BIOS tick count advances: IRQ 0 reaches the real-mode handler
    sti
    mov ax, 0901h
    int 31h
    mov ax, [bios_sel]
    test ax, ax
    jnz .have_bios
    FAIL 'no selector for 0040h'
    jmp .pm
.have_bios:
    push es
    mov es, ax
    mov eax, [es:6Ch]
    mov ecx, WAIT_LOOPS
.wait:
    cmp eax, [es:6Ch]
    jne .ticked
    dec ecx
    jnz .wait
    pop es
    FAILD 'tick count stayed at'
    jmp .pm
.ticked:
    pop es
    PASS

.pm:
    CHECK 'irq0-pm-handler'         ; a PM handler on the timer's vector sees IRQ 0 and chains on
    mov bl, [pic_master]
    mov ax, 0204h
    int 31h
    jc .pm_cf
    mov [old_irq0], rDX
    mov [old_irq0 + W], cx
    mov word [irq0_count], 0
    mov bl, [pic_master]
    mov cx, [pm_cs]
    mov edx, irq0_handler
    mov ax, 0205h
    int 31h
    jc .pm_cf
    sti
    mov ecx, WAIT_LOOPS
.pm_wait:
    cmp word [irq0_count], 2
    jae .pm_seen
    dec ecx
    jnz .pm_wait
.pm_seen:
    mov bl, [pic_master]
    mov cx, [old_irq0 + W]
    mov rDX, [old_irq0]
    mov ax, 0205h
    int 31h
    jc .pm_cf
    mov ax, [irq0_count]
    cmp ax, 2
    jb .pm_bad
    PASS
    ret
.pm_cf:
    FAIL 'CF set, AX'
    ret
.pm_bad:
    FAIL 'handler calls'
    ret

; ==================================================================================== data
    section .data
msg_pass    db 'PASS ', 0
msg_fail    db 'FAIL ', 0
msg_info    db 'INFO ', 0
msg_not386  db 'FAIL cpu-386 this program needs a 386', 13, 10, '$'
msg_fatal32 db 'FAIL setup-32bit-cs 000Bh/000Ch/0000h refused', 13, 10, 0
d_nolar     db 'LAR fails on selector', 0
d_badar     db 'access rights (LAR)', 0
d_nolsl     db 'LSL fails on selector', 0
d_badlim    db 'limit (LSL)', 0
name_start  db 'startup', 0

    align 4
probe       dd PROBE_VALUE
saved_eax   dd 0
dpmi_entry  dd 0
esp_at_entry dd 0
mem_linear  dd 0
mem_handle  dd 0
exc_ip      dd 0
exc_err     dd 0
gp_resume   dd 0
old_exc0d   dd 0, 0
old_int60   dd 0, 0
old_irq0    dd 0, 0
old_rm61    dd 0
cb_addr     dd 0
cur_test    dw name_start
detail      dw 0
psp_seg     dw 0
env_seg     dw 0
env_sel     dw 0
host_seg    dw 0
host_paras  dw 0
dpmi_flags  dw 0
dpmi_ver    dw 0
code_sel    dw 0
data_sel    dw 0
stack_sel   dw 0
psp_sel     dw 0
pm_cs       dw 0
fs_at_entry dw 0
gs_at_entry dw 0
v_ax        dw 0
v_bx        dw 0
v_cx        dw 0
v_dx        dw 0
sel_inc     dw 8
ldt_sel     dw 0
alias_sel   dw 0
vid_sel     dw 0
bios_sel    dw 0
flat_sel    dw 0
map_sel     dw 0
dos_seg     dw 0
dos_sel     dw 0
dos_sum     dw 0
cb_seen_ax  dw 0
irq0_count  dw 0
exc_cs      dw 0
failures    db 0
in_unexpected db 0
dpmi_cpu    db 0
cpl         db 0
ar_data     db 0
ar_code     db 0
ar_new      db 0
pic_master  db 08h
cb_count    db 0
int60_count db 0
exc_num     db 0
gp_expected db 0
gp_count    db 0
alias_probe db 0
gp_probe    db 0
    align 4
regs        times R_SIZE db 0
    align 4
print_regs  times R_SIZE db 0
    align 4
cb_regs     times R_SIZE db 0
    align 4
desc_buf    times 8 db 0
meminfo     times 30h db 0

    section .bss
linebuf     resb 160
    alignb 16
stack       resb STACK_SIZE
stack_top:
prog_end:
