; build: nasm -f bin -o pmtest.com pmtest.asm
;
; pmtest: deterministic test cases of 386 protected mode (segment loads and descriptor checks, 16- and
; 32-bit code segments, far transfers, call gates and privilege changes, interrupt and trap gates,
; exceptions and their error codes, paging, LAR/LSL/VERR/VERW/ARPL and the system-register stores,
; task switches, V86 mode, the I/O permission bitmap, and unreal mode after the return to real mode).
;
; It runs as a DOS .COM (org 100h) and from the bare boot sector ../bench/boot.asm (which loads it at
; 1000:0100 behind a PSP stub and supplies INT 21h AH=09h/4Ch), so QEMU can run it as the oracle:
; expected.txt is QEMU's output (README.md says how it was made), test/unit/ist-pm.test.ts compares ours.
;
; The program starts in real mode, relocates the descriptor bases of its GDT and LDTs to where it was
; loaded, masks the interrupt controllers, enters protected mode and runs the cases at CPL 0 in a 32-bit
; code segment. Each case is written between T (begin) and an end macro: E for a case that ends at CPL 0,
; EI for one that ends elsewhere (ring 1 or 3: INT VEC_DONE through a DPL-3 gate), EV for one that ends
; in V86 mode, E16 in a 16-bit code segment. T resets the machine: the GDT, LDTs and IDT are copied afresh
; from their pristine images (so accessed and busy bits start known), GDTR/IDTR/LDTR are reloaded, TR is
; loaded with the main task's TSS, CR0 = PE|ET (no paging, TS, EM, MP), CR3 = the page directory, DR6 =
; DR7 = 0, the 64-byte scratch area is refilled with a fixed pattern, the eight 32-bit registers get fixed
; patterns (ESP = STACK_TOP), DS=ES=GS=SS = DATA, FS = FLAT, and EFLAGS the case's initial flags.
;
; Every exception vector (and every other vector the IDT holds but the test gates) has a stub that
; records the vector, the error code when the vector has one, the pushed EIP relative to the case's first
; instruction, the pushed EFLAGS, CS, and -- after a privilege change -- the pushed SS:ESP (V86 mode: also
; ES DS FS GS), and CR2 for #PF and DR6 for #DB; the general registers at the fault are recorded as they
; were, and the case ends there. The end macros record the same state without a fault.
;
; The records go to a table (64 KiB from load base + 10000h, 128 bytes each); when every case has run,
; the program returns to real mode (FS keeps a 4 GiB limit: the unreal case), prints one line per case
; through INT 21h AH=09h and exits with code 0:
;     name F=xxxx [VM=1] [REG=xxxxxxxx ...] [SEG=xxxx ...] [Mnn=bytes ...] [X=vv[:eeee][@rrrr]] [CR2=..] [DR6=..]
; F is FLAGS ANDed with the case's mask; VM=1 means the case ended (or faulted) in V86 mode; registers
; and segment registers are printed only when they differ from the state T set up; memory only as runs
; of scratch bytes (offset nn, hex) that differ from the pattern; X is an exception: vector, error code
; and the pushed EIP minus the case's start (absent for #DF, whose pushed CS:EIP is undefined; a linear
; address for code run through the flat code selector). The last line is "end NNNN cases".

        cpu     386
        bits    16
        org     100h

; ------------------------------------------------------------------------------------------------
; memory map, as offsets from the load base B (the program's segment << 4)

STACK_TOP       equ 0FF00h              ; harness stack (ring 0), also in real mode
STACK0_TOP      equ 0F800h              ; TSS0 SS0:ESP0 (entries to ring 0 from outer rings and V86)
STACK1_TOP      equ 0F400h              ; TSS0 SS1:ESP1
STACK2_TOP      equ 0F200h              ; TSS0 SS2:ESP2
STACK3_TOP      equ 0F000h              ; ring 3 stack
RING1_SP        equ 0F300h              ; ring 1 stack when a case IRETs to ring 1
V86_SP          equ 0EC00h              ; V86 stack
TASK1_SP        equ 0E800h              ; task 1 (TSS1) stack
TASK16_SP       equ 0E400h              ; the 16-bit task (TSS16) stack
BSS             equ 8400h               ; runtime-only tables (the image ends below; checked at the end)
LIVE_GDT        equ BSS + 0             ; the GDT the CPU uses (copied from gdt at each case)
LIVE_LDT        equ BSS + 200h          ; the LDT (from ldt)
LIVE_LDT2       equ BSS + 240h          ; the second LDT (from ldt2)
LIVE_IDT        equ BSS + 280h          ; the IDT (from idt)
TSS1            equ BSS + 500h          ; task 1's 32-bit TSS (filled by init_tss1)
TSS16           equ BSS + 580h          ; the 16-bit (286) TSS (filled by init_tss16)
SCR             equ BSS + 600h          ; the 64-byte scratch area
CREC            equ BSS + 640h          ; the current record
LINEBUF         equ BSS + 700h          ; one output line
BSS_END         equ BSS + 900h
TABLE           equ 10000h              ; the records
PAGING          equ 20000h              ; page directory, tables and frames (4 KiB aligned at run time)

; paging layout, from the page directory's (4 KiB aligned) address
PG_PD           equ 0                   ; PDE0 -> PT0, PDE1 -> PT1, PDE2 not present, PDE3 -> PT1 supervisor, PDE4 -> PT1 read-only
PG_PT0          equ 1000h               ; identity map of 0-4 MiB, user, writable
PG_PT1          equ 2000h               ; the test pages at 400000h:
PG_F0           equ 3000h               ;   PTE0 F0 user RW, PTE1 F1 user RO, PTE2 F2 supervisor RW,
PG_F1           equ 4000h               ;   PTE3 not present, PTE4 F0 (changed by the CR3 case),
PG_F2           equ 5000h               ;   PTE5 F3 supervisor RO
PG_F3           equ 6000h
PG_END          equ 7000h

; the records
SCR_LEN         equ 64
REC             equ 128
R_NAME          equ 0                   ; dw  offset of the case name
R_FLAGS         equ 2                   ; dw  FLAGS AND mask
R_VEC           equ 4                   ; db  exception vector, or FFh
R_HASERR        equ 5                   ; db  1: R_ERR is valid
R_ERR           equ 6                   ; dw  error code
R_REL           equ 8                   ; dd  pushed EIP - case start
R_XTRA          equ 12                  ; dd  CR2 (#PF) or DR6 (#DB)
R_REGS          equ 16                  ; 8 dd  EAX ECX EDX EBX ESP EBP ESI EDI
R_SEGS          equ 48                  ; 6 dw  ES CS SS DS FS GS
R_EFL           equ 60                  ; dd  EFLAGS
R_MEM           equ 64                  ; 64 bytes  the scratch area
R_EAX           equ R_REGS + 0
R_ECX           equ R_REGS + 4
R_EDX           equ R_REGS + 8
R_EBX           equ R_REGS + 12
R_ESP           equ R_REGS + 16
R_EBP           equ R_REGS + 20
R_ESI           equ R_REGS + 24
R_EDI           equ R_REGS + 28
R_ES            equ R_SEGS + 0
R_CS            equ R_SEGS + 2
R_SS            equ R_SEGS + 4
R_DS            equ R_SEGS + 6
R_FS            equ R_SEGS + 8
R_GS            equ R_SEGS + 10

PAT_EAX         equ 1A2B3C4Dh
PAT_ECX         equ 2C3D4E5Fh
PAT_EDX         equ 3E4F5061h
PAT_EBX         equ 4B5C6D7Eh
PAT_EBP         equ 5B6C7D8Eh
PAT_ESI         equ 6E7F8091h
PAT_EDI         equ 7F8091A2h

; EFLAGS
F_CF            equ 0001h
F_PF            equ 0004h
F_AF            equ 0010h
F_ZF            equ 0040h
F_SF            equ 0080h
F_OF            equ 0800h
EFL_TF          equ 0100h
EFL_IF          equ 0200h
EFL_NT          equ 4000h
EFL_VM          equ 20000h
FM_ALL          equ 0FFFFh
FM_LOG          equ FM_ALL & ~F_AF      ; after AND/OR/XOR/TEST
FM_NONE         equ 0

CR0_BASE        equ 00000011h           ; PE | ET
ERRVECS         equ 00027D00h           ; vectors with an error code: 8, 10-14, 17
NVEC            equ 50h                 ; IDT entries
STUB_LEN        equ 7                   ; push imm8 + jmp rel32
VEC_DONE        equ 4Eh                 ; INT VEC_DONE ends a case outside ring 0

; descriptor access bytes
A_CODE          equ 9Bh                 ; present, DPL 0, code, readable, accessed
A_DATA          equ 93h                 ; present, DPL 0, data, writable, accessed
DPL1            equ 20h
DPL2            equ 40h
DPL3            equ 60h
; descriptor flags (the high nibble of byte 6)
G               equ 8                   ; 4 KiB granularity
BIG             equ 4                   ; 32-bit code / big stack
LBREL             equ 1                   ; (the AVL bit) base is relative to the load address: relocated and cleared at start

; DESC base, limit, access, flags: a segment or system descriptor
%macro DESC 4
        dw      (%2) & 0FFFFh
        dw      (%1) & 0FFFFh
        db      ((%1) >> 16) & 0FFh
        db      %3
        db      (((%2) >> 16) & 0Fh) | ((%4) << 4)
        db      ((%1) >> 24) & 0FFh
%endmacro

; GATE offset, selector, parameter count, access: a call, task, interrupt or trap gate
%macro GATE 4
        dw      %1
        dw      %2
        db      %3
        db      %4
        dw      0
%endmacro

; ------------------------------------------------------------------------------------------------
; case macros

; T name [, flag mask [, initial EFLAGS]]: begin a case (32-bit code, CPL 0)
%macro T 1-3 FM_ALL, 0
%push case
        call    case_begin
        dd      %$end
        dw      %2
        dd      %3
        db      %1, 0
%endmacro

; E: end the current case at CPL 0 in 32-bit code (SS:ESP must have 12 bytes of room)
%macro E 0
        jmp     case_end
%$end:
%pop
%endmacro

; E16: the same from 16-bit code
%macro E16 0
        jmp     dword SEL_CODE32:case_end
        bits    32
%$end:
%pop
%endmacro

; EI: end the current case in ring 1-3 (or at CPL 0 on a stack that may not be touched): INT VEC_DONE
%macro EI 0
        int     VEC_DONE
%$end:
%pop
%endmacro

; EV: end the current case in V86 mode (INT VEC_DONE: with IOPL < 3 this is the #GP(0) recorded)
%macro EV 0
        int     VEC_DONE
        bits    32
%$end:
%pop
%endmacro

; TO_R3 [iopl [, flags]]: IRETD to ring 3 at the next instruction, DS = ES = DATA3 (FS and GS become null)
%macro TO_R3 0-2 0, 0
        push    dword SEL_DATA3 | 3
        pop     ds
        push    dword SEL_DATA3 | 3
        pop     es
        push    dword SEL_DATA3 | 3
        push    dword STACK3_TOP
        push    dword ((%1) << 12) | (%2) | 2
        push    dword SEL_CODE3 | 3
        push    dword %%r3
        iretd
%%r3:
%endmacro

; TO_V86 [iopl [, esp]]: IRETD to V86 mode at the next instruction (16-bit code follows), CS = DS = ES =
; SS = the program's segment, FS = GS = 0
%macro TO_V86 0-2 3, V86_SP
        push    dword 0
        push    dword 0
        push    dword [v86seg]
        push    dword [v86seg]
        push    dword [v86seg]
        push    dword %2
        push    dword EFL_VM | ((%1) << 12) | 2
        push    dword [v86seg]
        push    dword %%v
        iretd
        bits    16
%%v:
%endmacro

; PTE reg, offset: reg = the low byte (P RW US ... A D) of the paging entry at page directory + offset
%macro PTE 2
        push    esi
        mov     esi, [pgbase]
        movzx   %1, byte [fs:esi + %2]
        pop     esi
%endmacro

; ------------------------------------------------------------------------------------------------
; real-mode start

start:
        cli
        cld
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     esp, STACK_TOP
        in      al, 21h                         ; mask both interrupt controllers for the whole run
        mov     [pic_masks], al
        in      al, 0A1h
        mov     [pic_masks + 1], al
        mov     al, 0FFh
        out     0A1h, al
        out     21h, al
        xor     eax, eax
        mov     ax, cs
        mov     [rm_seg], ax
        mov     [v86seg], eax
        shl     eax, 4
        mov     [lbase], eax
        add     eax, PAGING + 0FFFh
        and     eax, ~0FFFh
        mov     [pgbase], eax
        mov     [tss0 + 1Ch], eax               ; CR3 of the main task
        mov     si, gdt
        mov     cx, (gdt_end - gdt) / 8
        call    reloc
        mov     si, ldt
        mov     cx, (ldt_end - ldt) / 8
        call    reloc
        mov     si, ldt2
        mov     cx, (ldt2_end - ldt2) / 8
        call    reloc
        mov     eax, [lbase]
        add     eax, LIVE_GDT
        mov     [gdtr + 2], eax
        mov     eax, [lbase]
        add     eax, LIVE_IDT
        mov     [idtr + 2], eax
        mov     [idtr_df + 2], eax
        mov     [idtr_46 + 2], eax
        mov     [idtr_46ok + 2], eax
        mov     si, gdt
        mov     di, LIVE_GDT
        mov     cx, (gdt_end - gdt) / 2
        rep     movsw
        o32 lgdt [gdtr]
        mov     eax, cr0
        mov     [saved_cr0], eax
        or      al, 1
        mov     cr0, eax
        jmp     dword SEL_CODE32:pm_entry

; reloc: for the CX descriptors at DS:SI, add the load base to each base whose LBREL (AVL) bit is set
reloc:
        test    byte [si + 6], LBREL << 4
        jz      .skip
        and     byte [si + 6], ~(LBREL << 4)
        xor     eax, eax
        mov     al, [si + 7]
        shl     eax, 8
        mov     al, [si + 4]
        shl     eax, 16
        mov     ax, [si + 2]
        add     eax, [lbase]
        mov     [si + 2], ax
        shr     eax, 16
        mov     [si + 4], al
        mov     [si + 7], ah
.skip:  add     si, 8
        loop    reloc
        ret

; ------------------------------------------------------------------------------------------------
; targets reached through descriptors with a small limit (SEL_SMALLC: limit 0FFFh) stay near the start

        bits    32
smallc_target:                                  ; far.jmp.limit.ok: running in SEL_SMALLC
        mov     ebx, 0
        mov     bx, cs
        jmp     SEL_CODE32:case_end

; ------------------------------------------------------------------------------------------------
; protected mode: harness

pm_entry:
        mov     ax, SEL_DATA
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     esp, STACK_TOP
        jmp     cases

; case_begin: called by T with the descriptor (dd end, dw mask, dd flags, db name, 0) after the CALL
case_begin:
        pop     ebx
        mov     eax, [ebx]
        mov     [next_ip], eax
        mov     ax, [ebx + 4]
        mov     [cur_mask], ax
        mov     eax, [ebx + 6]
        mov     [cur_flags], eax
        lea     esi, [ebx + 10]
        mov     [cur_name], si
.skip:  lodsb
        or      al, al
        jnz     .skip
        mov     [body_ip], esi
        mov     ax, SEL_DATA
        mov     es, ax
        mov     esi, gdt
        mov     edi, LIVE_GDT
        mov     ecx, (gdt_end - gdt) / 4
        rep     movsd
        mov     esi, ldt
        mov     edi, LIVE_LDT
        mov     ecx, (ldt_end - ldt) / 4
        rep     movsd
        mov     esi, ldt2
        mov     edi, LIVE_LDT2
        mov     ecx, (ldt2_end - ldt2) / 4
        rep     movsd
        mov     esi, idt
        mov     edi, LIVE_IDT
        mov     ecx, (idt_end - idt) / 4
        rep     movsd
        lgdt    [gdtr]
        lidt    [idtr]
        mov     ax, SEL_LDT
        lldt    ax
        mov     ax, SEL_TSS0
        ltr     ax
        mov     eax, [pgbase]
        mov     cr3, eax
        mov     eax, CR0_BASE
        mov     cr0, eax
        xor     eax, eax
        mov     dr7, eax
        mov     dr6, eax
        mov     [tss0 + 0], eax                 ; back link
        mov     dword [tss0 + 04h], STACK0_TOP  ; inner stacks (a case may change them)
        mov     dword [tss0 + 08h], SEL_DATA
        mov     dword [tss0 + 0Ch], STACK1_TOP
        mov     dword [tss0 + 10h], SEL_DATA1 | 1
        mov     dword [tss0 + 14h], STACK2_TOP
        mov     dword [tss0 + 18h], SEL_DATA2 | 2
        mov     esi, scrpat
        mov     edi, SCR
        mov     ecx, SCR_LEN / 4
        rep     movsd
        mov     esi, stack_tops                 ; 32 zero bytes above each stack top: what a case reads
.tops:  lodsd                                   ; above its stack is known
        or      eax, eax
        jz      .topsd
        mov     edi, eax
        xor     eax, eax
        mov     ecx, 8
        rep     stosd
        jmp     short .tops
.topsd: mov     byte [CREC + R_VEC], 0FFh
        mov     byte [CREC + R_HASERR], 0
        mov     dword [CREC + R_REL], 0
        mov     dword [CREC + R_XTRA], 0
        mov     ax, SEL_FLAT
        mov     fs, ax
        mov     ax, SEL_DATA
        mov     gs, ax
        mov     ss, ax
        mov     esp, STACK_TOP
        push    dword [cur_flags]
        popfd
        mov     eax, PAT_EAX
        mov     ecx, PAT_ECX
        mov     edx, PAT_EDX
        mov     ebx, PAT_EBX
        mov     ebp, PAT_EBP
        mov     esi, PAT_ESI
        mov     edi, PAT_EDI
        jmp     [body_ip]

; SAVE_REST: the registers nothing has touched yet, into the record (DS = DATA)
%macro SAVE_REST 0
        mov     [CREC + R_ECX], ecx
        mov     [CREC + R_EDX], edx
        mov     [CREC + R_EBX], ebx
        mov     [CREC + R_EBP], ebp
        mov     [CREC + R_ESI], esi
        mov     [CREC + R_EDI], edi
        mov     [CREC + R_ES], es
        mov     [CREC + R_FS], fs
        mov     [CREC + R_GS], gs
%endmacro

; case_end: E jumps here straight after the instruction under test (CPL 0, any data segments)
case_end:
        pushfd
        push    eax
        push    ds
        mov     ax, SEL_DATA
        mov     ds, ax
        pop     eax
        mov     [CREC + R_DS], ax
        pop     dword [CREC + R_EAX]
        pop     dword [CREC + R_EFL]
        mov     [CREC + R_ESP], esp
        mov     [CREC + R_SS], ss
        mov     [CREC + R_CS], cs
        SAVE_REST
        jmp     finish

; Exception and interrupt stubs, one per IDT vector, all the same size: push the vector, go to exc_common.
stubs:
%assign v 0
%rep NVEC
        push    byte v
        jmp     near exc_common
%assign v v + 1
%endrep

; exc_common: [esp] = vector, then the frame the CPU pushed (error code, EIP, CS, EFLAGS, [ESP, SS,
; [ES, DS, FS, GS]]). VEC_DONE is no fault: the case's registers, taken from the frame.
exc_common:
        push    ds
        push    eax
        mov     ax, SEL_DATA
        mov     ds, ax
        pop     dword [CREC + R_EAX]
        pop     eax
        mov     [CREC + R_DS], ax
        SAVE_REST
        pop     eax                             ; vector
        mov     [CREC + R_VEC], al
        cmp     eax, VEC_DONE
        jne     .fault
        mov     byte [CREC + R_VEC], 0FFh
        jmp     short .frame
.fault: cmp     eax, 32
        jae     .frame
        mov     ecx, ERRVECS
        bt      ecx, eax
        jnc     .frame
        pop     eax
        mov     [CREC + R_ERR], ax
        mov     byte [CREC + R_HASERR], 1
.frame: pop     ebx                             ; EIP
        pop     eax                             ; CS
        mov     [CREC + R_CS], ax
        pop     ecx                             ; EFLAGS
        mov     [CREC + R_EFL], ecx
        test    ecx, EFL_VM
        jnz     .v86
        test    al, 3
        jnz     .outer
        mov     [CREC + R_ESP], esp             ; same privilege: the stack the case was on
        mov     [CREC + R_SS], ss
        jmp     short .rel
.outer: pop     dword [CREC + R_ESP]
        pop     eax
        mov     [CREC + R_SS], ax
        jmp     short .rel
.v86:   pop     dword [CREC + R_ESP]
        pop     eax
        mov     [CREC + R_SS], ax
        pop     eax
        mov     [CREC + R_ES], ax
        pop     eax
        mov     [CREC + R_DS], ax
        pop     eax
        mov     [CREC + R_FS], ax
        pop     eax
        mov     [CREC + R_GS], ax
        movzx   eax, word [CREC + R_CS]
        shl     eax, 4
        add     ebx, eax
        sub     ebx, [lbase]                    ; linear -> offset in the program
.rel:   cmp     word [CREC + R_CS], SEL_FLATCODE
        je      .abs
        sub     ebx, [body_ip]
.abs:   mov     [CREC + R_REL], ebx
        mov     al, [CREC + R_VEC]
        cmp     al, 14
        jne     .n14
        mov     eax, cr2
        mov     [CREC + R_XTRA], eax
        jmp     short finish
.n14:   cmp     al, 1
        jne     finish
        mov     eax, dr6
        and     eax, 0E00Fh                     ; BS BT BD and B0-B3 (the rest differs by model)
        mov     [CREC + R_XTRA], eax
        ; fall into finish

; finish: back to the harness stack, paging off, complete and store the record, next case
finish:
        mov     ax, SEL_DATA
        mov     ss, ax
        mov     esp, STACK_TOP
        mov     es, ax
        mov     eax, CR0_BASE
        mov     cr0, eax
        cld
        mov     ax, [CREC + R_EFL]
        and     ax, [cur_mask]
        mov     [CREC + R_FLAGS], ax
        mov     ax, [cur_name]
        mov     [CREC + R_NAME], ax
        mov     esi, SCR
        mov     edi, CREC + R_MEM
        mov     ecx, SCR_LEN / 4
        rep     movsd
        mov     ax, SEL_TBL
        mov     es, ax
        mov     esi, CREC
        mov     edi, [tbl_off]
        mov     ecx, REC / 4
        rep     movsd
        mov     [tbl_off], edi
        mov     ax, SEL_DATA
        mov     es, ax
        inc     word [ncases]
        jmp     far [next_ip]                   ; through SEL_CODE32: a case may end in another code segment

; ------------------------------------------------------------------------------------------------
; handlers and targets the cases reach through gates and descriptors

; h32: interrupt/trap gates 40h, 41h, 44h, 46h, 49h (32-bit). Notes the entry in registers and IRETs:
; EDX = EFLAGS in the handler, EBX = its ESP, ECX = pushed EFLAGS, ESI = pushed CS, EDI = pushed EIP -
; case start; after a privilege change (or from V86) EBP = pushed ESP, EAX = pushed SS.
h32:
        pushfd
        pop     edx
        mov     ebx, esp
        mov     ecx, [esp + 8]
        movzx   esi, word [esp + 4]
        mov     edi, [esp]
        sub     edi, [cs:body_ip]
        test    ecx, EFL_VM
        jnz     .outer
        test    esi, 3
        jz      .done
.outer: mov     ebp, [esp + 12]
        movzx   eax, word [esp + 16]
.done:  iretd

; cg32: the 32-bit call gates' target (2 parameters): EAX, ECX = the parameters (EAX the one pushed
; last), EDX = return CS, ESI = the dword above them (outer ESP after a privilege change), EDI = the
; next (outer SS), EBX = ESP, EBP = SS; RETF 8.
cg32:
        mov     eax, [esp + 8]
        mov     ecx, [esp + 12]
        movzx   edx, word [esp + 4]
        mov     esi, [esp + 16]
        movzx   edi, word [esp + 20]
        mov     ebx, esp
        mov     ebp, 0
        mov     bp, ss
        retf    8

; conf_target: reached through the conforming segment (CPL unchanged): EBP = CS, EBX = ESP; RETF
conf_target:
        mov     ebp, 0
        mov     bp, cs
        mov     ebx, esp
        retf

; confg_target: reached from ring 3 through a call gate to the conforming segment (CPL stays 3):
; EBX = ESP, EBP = SS; RETF. (CS is not looked at: QEMU gives it RPL 0, a 386 RPL 3 -- see README.)
confg_target:
        mov     ebx, esp
        mov     ebp, 0
        mov     bp, ss
        retf

; jg_target: reached by JMP through a call gate: EBX = ESP, EBP = CS; ends the case
jg_target:
        mov     ebx, esp
        mov     ebp, 0
        mov     bp, cs
        jmp     case_end

; t1_report: task 1's entry for CALL/INT switches: notes its state in the scratch area (TR, back
; link, EFLAGS, busy bytes of TSS0 and TSS1, MSW, LDTR), returns with IRETD (NT: back to the caller)
t1_report:
        str     [SCR + 0]
        mov     ax, [TSS1 + 0]
        mov     [SCR + 2], ax
        pushfd
        pop     eax
        mov     [SCR + 4], eax
        mov     al, [LIVE_GDT + SEL_TSS0 + 5]
        mov     [SCR + 8], al
        mov     al, [LIVE_GDT + SEL_TSS1 + 5]
        mov     [SCR + 9], al
        smsw    [SCR + 10]
        sldt    [SCR + 12]
        mov     [SCR + 14], ebx                 ; a register loaded from TSS1
        iretd
t1_report_end:
        jmp     t1_report

; t1_jmp: task 1's entry for JMP switches: EDI = EFLAGS at entry, EAX = TR, EBX = back link, ECX = EIP
; saved in TSS0 - case start, EDX = EFLAGS saved in TSS0, ESI = EAX saved in TSS0, EBP = busy bytes
; (TSS0 | TSS1 << 8); ends the case in task 1
t1_jmp:
        pushfd
        pop     edi
        mov     eax, 0
        str     ax
        movzx   ebx, word [TSS1 + 0]
        mov     ecx, [tss0 + 20h]
        sub     ecx, [body_ip]
        mov     edx, [tss0 + 24h]
        mov     esi, [tss0 + 28h]
        mov     ebp, 0
        mov     al, [LIVE_GDT + SEL_TSS1 + 5]
        mov     ah, al
        mov     al, [LIVE_GDT + SEL_TSS0 + 5]
        mov     bp, ax
        mov     eax, 0
        str     ax
        jmp     case_end

; t1_saved: task 1's entry for JMP: copies what the switch saved in TSS0 (EFLAGS, EAX-EDI, ES-GS) to the
; scratch area; ends the case in task 1
t1_saved:
        mov     esi, tss0 + 24h
        mov     edi, SCR
        mov     ecx, 16
        rep     movsd
        mov     esi, 0
        mov     edi, 0
        jmp     case_end

; t1_back: task 1's entry for the JMP round trip: notes TR and its busy bytes, JMPs back to TSS0
t1_back:
        str     [SCR + 0]
        mov     al, [LIVE_GDT + SEL_TSS0 + 5]
        mov     [SCR + 2], al
        mov     al, [LIVE_GDT + SEL_TSS1 + 5]
        mov     [SCR + 3], al
        mov     [SCR + 4], ecx                  ; from TSS1
        jmp     SEL_TSS0:0
t1_back_end:
        jmp     t1_back

; t1_ldt: task 1 with TSS1's LDT = LDT2: EAX = LSL of LDT selector 4 (1234h in LDT2), EBX = LDTR; IRETD
t1_ldt:
        mov     ecx, 4
        lsl     eax, ecx
        mov     ebx, 0
        sldt    bx
        mov     [SCR + 0], eax
        mov     [SCR + 4], bx
        iretd
        jmp     t1_ldt

; init_tss1: TSS1 for a task at CPL 0 starting at EAX (flags and registers kept)
TASK_EFLAGS     equ 08C3h                       ; OF SF ZF CF: visible in the new task
init_tss1:
        pushfd
        pushad
        mov     edi, TSS1
        mov     ebx, eax
        xor     eax, eax
        mov     ecx, 68h / 4
        rep     stosd
        mov     dword [TSS1 + 04h], STACK0_TOP
        mov     dword [TSS1 + 08h], SEL_DATA
        mov     eax, [pgbase]
        mov     [TSS1 + 1Ch], eax
        mov     [TSS1 + 20h], ebx
        mov     dword [TSS1 + 24h], TASK_EFLAGS
        mov     edi, TSS1 + 28h
        mov     eax, 0A0A00000h
        mov     ecx, 8
.regs:  stosd
        add     eax, 1111h
        loop    .regs
        mov     dword [TSS1 + 38h], TASK1_SP
        mov     dword [TSS1 + 48h], SEL_DATA    ; ES
        mov     dword [TSS1 + 4Ch], SEL_CODE32  ; CS
        mov     dword [TSS1 + 50h], SEL_DATA    ; SS
        mov     dword [TSS1 + 54h], SEL_DATA    ; DS
        mov     dword [TSS1 + 58h], SEL_FLAT    ; FS
        mov     dword [TSS1 + 5Ch], SEL_DATA    ; GS
        mov     dword [TSS1 + 60h], SEL_LDT
        mov     dword [TSS1 + 64h], 00680000h   ; no I/O bitmap (its base is past the limit)
        popad
        popfd
        ret

; init_tss16: TSS16 for a 16-bit task at CPL 0 starting at AX (flags and registers kept)
init_tss16:
        pushfd
        pushad
        mov     edi, TSS16
        mov     ebx, eax
        xor     eax, eax
        mov     ecx, 2Ch / 4
        rep     stosd
        mov     word [TSS16 + 02h], STACK0_TOP
        mov     word [TSS16 + 04h], SEL_DATA
        mov     [TSS16 + 0Eh], bx
        mov     word [TSS16 + 10h], TASK_EFLAGS
        mov     edi, TSS16 + 12h
        mov     ax, 0B0B0h
        mov     ecx, 8
.regs:  stosw
        add     ax, 0101h
        loop    .regs
        mov     word [TSS16 + 1Ah], TASK16_SP
        mov     word [TSS16 + 22h], SEL_DATA16  ; ES
        mov     word [TSS16 + 24h], SEL_CODE16  ; CS
        mov     word [TSS16 + 26h], SEL_DATA16  ; SS
        mov     word [TSS16 + 28h], SEL_DATA16  ; DS
        mov     word [TSS16 + 2Ah], SEL_LDT
        popad
        popfd
        ret

; pg_on: build the page tables (see PG_*), load CR3 and turn paging on (flags and registers kept)
pg_on:
        pushfd
        pushad
        push    es
        mov     ax, SEL_FLAT
        mov     es, ax
        cld
        mov     ebx, [pgbase]
        mov     edi, ebx
        xor     eax, eax
        mov     ecx, PG_END / 4
        rep     stosd
        lea     edi, [ebx + PG_PT0]
        mov     eax, 7
        mov     ecx, 1024
.id:    stosd
        add     eax, 1000h
        loop    .id
        lea     eax, [ebx + PG_PT0 + 7]
        mov     [es:ebx + PG_PD + 0], eax       ; 000000h: identity, user, writable
        lea     eax, [ebx + PG_PT1 + 7]
        mov     [es:ebx + PG_PD + 4], eax       ; 400000h: the test pages
        lea     eax, [ebx + PG_PT1 + 3]
        mov     [es:ebx + PG_PD + 12], eax      ; C00000h: the same through a supervisor PDE
        lea     eax, [ebx + PG_PT1 + 5]
        mov     [es:ebx + PG_PD + 16], eax      ; 1000000h: the same through a read-only PDE
        lea     eax, [ebx + PG_F0 + 7]
        mov     [es:ebx + PG_PT1 + 0], eax      ; 400000h F0 user RW
        lea     eax, [ebx + PG_F1 + 5]
        mov     [es:ebx + PG_PT1 + 4], eax      ; 401000h F1 user RO
        lea     eax, [ebx + PG_F2 + 3]
        mov     [es:ebx + PG_PT1 + 8], eax      ; 402000h F2 supervisor RW
        lea     eax, [ebx + PG_F0 + 7]          ; 403000h not present
        mov     [es:ebx + PG_PT1 + 16], eax     ; 404000h F0 (the CR3 case changes it)
        lea     eax, [ebx + PG_F3 + 1]
        mov     [es:ebx + PG_PT1 + 20], eax     ; 405000h F3 supervisor RO
        mov     dword [es:ebx + PG_F0], 0F0F00000h
        mov     dword [es:ebx + PG_F1], 0F1F10001h
        mov     dword [es:ebx + PG_F2], 0F2F20002h
        mov     dword [es:ebx + PG_F3], 0F3F30003h
        mov     cr3, ebx
        mov     eax, cr0
        or      eax, 80000000h
        mov     cr0, eax
        pop     es
        popad
        popfd
        ret

        bits    16
; h16: interrupt/trap gates 42h, 43h (16-bit): as h32 from a 16-bit frame (IP, CS, FLAGS [, SP, SS])
h16:
        pushfd
        pop     edx
        mov     ebx, esp
        movzx   ecx, word [esp + 4]
        movzx   esi, word [esp + 2]
        movzx   edi, word [esp]
        sub     edi, [cs:body_ip]
        test    si, 3
        jz      .done
        movzx   ebp, word [esp + 6]
        movzx   eax, word [esp + 8]
.done:  iret

; cg16: the 16-bit call gate's target (2 word parameters): EAX, ECX = the parameters, EDX = return CS,
; ESI = the word above them (outer SP), EDI = the next (outer SS), EBX = ESP, EBP = SS; RETF 4.
cg16:
        movzx   eax, word [esp + 4]
        movzx   ecx, word [esp + 6]
        movzx   edx, word [esp + 2]
        movzx   esi, word [esp + 8]
        movzx   edi, word [esp + 10]
        mov     ebx, esp
        mov     ebp, 0
        mov     bp, ss
        retf    4

; t16_report: the 16-bit task's entry: notes its state in the scratch area, returns with IRET
t16_report:
        str     [SCR + 0]
        mov     ax, [TSS16 + 0]
        mov     [SCR + 2], ax
        pushf
        pop     word [SCR + 4]
        mov     al, [LIVE_GDT + SEL_TSS0 + 5]
        mov     [SCR + 6], al
        mov     al, [LIVE_GDT + SEL_TSS16 + 5]
        mov     [SCR + 7], al
        mov     [SCR + 8], cs
        mov     [SCR + 10], ss
        mov     [SCR + 12], sp
        mov     [SCR + 14], bx
        mov     [SCR + 16], ds
        iret
t16_report_end:
        jmp     t16_report
        bits    32

; ------------------------------------------------------------------------------------------------
; the cases

cases:
%include "cases.inc"

; ------------------------------------------------------------------------------------------------
; all cases ran: FS gets a 4 GiB limit, back to real mode, the unreal case, print the table, exit

all_done:
        mov     ax, SEL_FLAT
        mov     fs, ax
        mov     dword [fs:200000h], 55AA1234h
        mov     dword [fs:280000h], 0A55A5678h
        jmp     SEL_CODE16:.pm16
        bits    16
.pm16:  mov     ax, SEL_DATA16                  ; 64 KiB, 16-bit: what real mode expects to find
        mov     ds, ax
        mov     es, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, STACK_TOP
        mov     eax, [saved_cr0]
        and     eax, 7FFFFFFEh
        mov     cr0, eax
        push    word [rm_seg]
        push    word .rm
        retf
.rm:    mov     ax, cs
        mov     ds, ax
        mov     es, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, STACK_TOP
        o32 lidt [real_idtr]

        ; unreal.fs.4g: FS still has base 0 and a 4 GiB limit from protected mode
        mov     word [CREC + R_NAME], name_unreal
        mov     byte [CREC + R_VEC], 0FFh
        mov     byte [CREC + R_HASERR], 0
        mov     dword [CREC + R_EFL], 2
        mov     dword [CREC + R_ESP], STACK_TOP
        mov     eax, PAT_EAX
        mov     ebp, PAT_EBP
        mov     ebx, [fs:dword 200000h]
        mov     ecx, [fs:dword 280000h]
        mov     dword [fs:dword 200004h], 0C0DEF00Dh
        mov     edx, [fs:dword 200004h]
        mov     esi, 200000h
        mov     edi, [fs:esi + 80000h]
        mov     [CREC + R_EAX], eax
        mov     [CREC + R_ECX], ecx
        mov     [CREC + R_EDX], edx
        mov     [CREC + R_EBX], ebx
        mov     [CREC + R_EBP], ebp
        mov     [CREC + R_ESI], esi
        mov     [CREC + R_EDI], edi
        mov     si, segpat                      ; segments as T would have them, but FS's selector
        mov     di, CREC + R_SEGS
        mov     cx, 6
        rep     movsw
        mov     [CREC + R_FS], fs
        mov     si, scrpat
        mov     di, CREC + R_MEM
        mov     cx, SCR_LEN / 2
        rep     movsw
        mov     ax, [CREC + R_EFL]
        mov     [CREC + R_FLAGS], ax
        mov     ax, cs
        add     ax, TABLE >> 4
        mov     es, ax
        mov     si, CREC
        mov     di, [tbl_off]
        mov     cx, REC / 2
        rep     movsw
        mov     [tbl_off], di
        inc     word [ncases]
        mov     ax, cs
        mov     es, ax

        mov     al, [pic_masks + 1]
        out     0A1h, al
        mov     al, [pic_masks]
        out     21h, al
        sti
        cld
        mov     dx, msg_head
        mov     ah, 09h
        int     21h
        xor     bx, bx
.rec:   cmp     bx, [tbl_off]
        jae     .done
        push    bx
        call    print_record
        pop     bx
        add     bx, REC
        jmp     short .rec
.done:  mov     ax, cs
        mov     es, ax
        mov     di, LINEBUF
        mov     si, msg_end
        call    put_str
        mov     ax, [ncases]
        call    put_hex16
        mov     si, msg_cases
        call    put_str
        call    print_line
        mov     ax, 4C00h
        int     21h

; print_record: one line for the record at table:BX
print_record:
        mov     ax, cs
        add     ax, TABLE >> 4
        mov     es, ax
        movzx   ebx, bx
        mov     di, LINEBUF
        mov     si, [es:bx + R_NAME]
        call    put_str
        mov     si, msg_flags
        call    put_str
        mov     ax, [es:bx + R_FLAGS]
        call    put_hex16
        test    byte [es:bx + R_EFL + 2], EFL_VM >> 16
        jz      .novm
        mov     si, msg_vm
        call    put_str
.novm:  ; registers that differ from the initial pattern
        xor     ebp, ebp
        mov     si, regnames
.reg:   mov     eax, [es:ebx + ebp + R_REGS]
        cmp     eax, [ds:ebp + regpat]
        je      .regn
        call    put_name
        call    put_hex32
.regn:  add     si, 4
        add     bp, 4
        cmp     bp, 32
        jb      .reg
        ; segment registers that differ
        xor     ebp, ebp
        mov     si, segnames
.seg:   mov     ax, [es:ebx + ebp + R_SEGS]
        cmp     ax, [ds:ebp + segpat]
        je      .segn
        call    put_name
        call    put_hex16
.segn:  add     si, 3
        add     bp, 2
        cmp     bp, 12
        jb      .seg
        ; runs of changed scratch bytes
        xor     ebp, ebp
.mem:   cmp     bp, SCR_LEN
        jae     .memd
        mov     al, [es:ebx + ebp + R_MEM]
        cmp     al, [ds:ebp + scrpat]
        jne     .run
        inc     bp
        jmp     short .mem
.run:   mov     byte [di], ' '
        mov     byte [di + 1], 'M'
        add     di, 2
        mov     ax, bp
        call    put_hex8
        mov     byte [di], '='
        inc     di
.runb:  mov     al, [es:ebx + ebp + R_MEM]
        call    put_hex8
        inc     bp
        cmp     bp, SCR_LEN
        jae     .memd
        mov     al, [es:ebx + ebp + R_MEM]
        cmp     al, [ds:ebp + scrpat]
        jne     .runb
        jmp     short .mem
.memd:  mov     al, [es:bx + R_VEC]
        cmp     al, 0FFh
        je      .nof
        mov     si, msg_fault
        call    put_str
        call    put_hex8
        cmp     byte [es:bx + R_HASERR], 0
        je      .noerr
        mov     byte [di], ':'
        inc     di
        mov     ax, [es:bx + R_ERR]
        call    put_hex16
.noerr: cmp     byte [es:bx + R_VEC], 8
        je      .xtra
        mov     byte [di], '@'
        inc     di
        mov     eax, [es:bx + R_REL]
        test    eax, 0FFFF0000h
        jz      .rel16
        call    put_hex32
        jmp     short .xtra
.rel16: call    put_hex16
.xtra:  mov     al, [es:bx + R_VEC]
        cmp     al, 14
        jne     .x1
        mov     si, msg_cr2
        call    put_str
        mov     eax, [es:bx + R_XTRA]
        call    put_hex32
        jmp     short .nof
.x1:    cmp     al, 1
        jne     .nof
        mov     si, msg_dr6
        call    put_str
        mov     ax, [es:bx + R_XTRA]
        call    put_hex16
.nof:   ; fall into print_line

; print_line: terminate the line at DI and print it
print_line:
        mov     word [di], 0A0Dh
        mov     byte [di + 2], '$'
        mov     dx, LINEBUF
        mov     ah, 09h
        int     21h
        ret

; put_name: " NAME=" for the NUL-terminated name at SI (SI kept)
put_name:
        mov     byte [di], ' '
        inc     di
        push    si
        call    put_str
        pop     si
        mov     byte [di], '='
        inc     di
        ret

; put_str: copy the NUL-terminated string at DS:SI to DS:DI
put_str:
        push    ax
.l:     lodsb
        or      al, al
        jz      .d
        mov     [di], al
        inc     di
        jmp     short .l
.d:     pop     ax
        ret

; put_hex32: EAX as eight hex digits at DI; put_hex16: AX as four; put_hex8: AL as two
put_hex32:
        ror     eax, 16
        call    put_hex16
        ror     eax, 16
put_hex16:
        xchg    al, ah
        call    put_hex8
        xchg    al, ah
put_hex8:
        push    ax
        push    cx
        mov     ah, al
        mov     cl, 4
        shr     al, cl
        call    .nib
        mov     al, ah
        and     al, 0Fh
        call    .nib
        pop     cx
        pop     ax
        ret
.nib:   add     al, '0'
        cmp     al, '9'
        jbe     .st
        add     al, 'A' - '9' - 1
.st:    mov     [di], al
        inc     di
        ret

; ------------------------------------------------------------------------------------------------
; data

msg_head:   db      'pmtest results (name F=flags&mask, changed registers/segments/scratch bytes, X=vector:error@EIP-case)', 13, 10, '$'
msg_end:    db      'end ', 0
msg_cases:  db      ' cases', 0
msg_flags:  db      ' F=', 0
msg_vm:     db      ' VM=1', 0
msg_fault:  db      ' X=', 0
msg_cr2:    db      ' CR2=', 0
msg_dr6:    db      ' DR6=', 0
name_unreal: db     'unreal.fs.4g', 0
regnames:   db      'EAX', 0, 'ECX', 0, 'EDX', 0, 'EBX', 0, 'ESP', 0, 'EBP', 0, 'ESI', 0, 'EDI', 0
segnames:   db      'ES', 0, 'CS', 0, 'SS', 0, 'DS', 0, 'FS', 0, 'GS', 0

        align   4
regpat:     dd      PAT_EAX, PAT_ECX, PAT_EDX, PAT_EBX, STACK_TOP, PAT_EBP, PAT_ESI, PAT_EDI
segpat:     dw      SEL_DATA, SEL_CODE32, SEL_DATA, SEL_DATA, SEL_FLAT, SEL_DATA
lbase:      dd      0                       ; linear load base B
pgbase:     dd      0                       ; linear (and physical) page directory address
v86seg:     dd      0                       ; the program's real-mode segment
saved_cr0:  dd      0
next_ip:    dd      0                       ; the next case, as a far pointer
            dw      SEL_CODE32
body_ip:    dd      0
cur_flags:  dd      0
tbl_off:    dd      0
cur_mask:   dw      0
cur_name:   dw      0
ncases:     dw      0
rm_seg:     dw      0
pic_masks:  db      0, 0
stack_tops: dd      STACK_TOP, STACK0_TOP, STACK1_TOP, STACK2_TOP, STACK3_TOP, RING1_SP, V86_SP, TASK1_SP, TASK16_SP, 0
gdtr:       dw      gdt_end - gdt - 1
            dd      0
idtr:       dw      idt_end - idt - 1
            dd      0
idtr_df:    dw      9 * 8 - 1               ; vectors 0-8: #GP is outside
            dd      0
idtr_46:    dw      46h * 8 + 6             ; one byte short of vector 46h
            dd      0
idtr_46ok:  dw      46h * 8 + 7             ; vector 46h just inside
            dd      0
real_idtr:  dw      3FFh
            dd      0

; operands the cases read
kd:         dd      0, 1, 2, 7FFFFFFFh, 80000000h, 0FFFFFFFFh, 12345678h, 87654321h
kbound:     dd      -10, 10
far_npd:    dd      0
            dw      SEL_NPD
far_data3:  dd      STACK3_TOP
            dw      SEL_DATA3 | 3

; the scratch pattern: byte i = i * 3Bh + 17h
scrpat:
%assign i 0
%rep SCR_LEN
        db      (i * 3Bh + 17h) & 0FFh
%assign i i + 1
%endrep

; ------------------------------------------------------------------------------------------------
; descriptor tables (pristine images; T copies them to LIVE_*)

        align   8
gdt:
        dq      0
SEL_CODE32      equ $ - gdt
        DESC    0, 0FFFFh, A_CODE, BIG | LBREL
SEL_DATA        equ $ - gdt
        DESC    0, 0FFFFh, A_DATA, BIG | LBREL
SEL_CODE16      equ $ - gdt
        DESC    0, 0FFFFh, A_CODE, LBREL
SEL_DATA16      equ $ - gdt
        DESC    0, 0FFFFh, A_DATA, LBREL
SEL_TBL         equ $ - gdt
        DESC    TABLE, 0FFFFh, A_DATA, LBREL
SEL_FLAT        equ $ - gdt
        DESC    0, 0FFFFFh, A_DATA, G | BIG
SEL_FLATCODE    equ $ - gdt
        DESC    0, 0FFFFFh, A_CODE, G | BIG
SEL_CODE3       equ $ - gdt
        DESC    0, 0FFFFh, A_CODE | DPL3, BIG | LBREL
SEL_DATA3       equ $ - gdt
        DESC    0, 0FFFFh, A_DATA | DPL3, BIG | LBREL
SEL_FLAT3       equ $ - gdt
        DESC    0, 0FFFFFh, A_DATA | DPL3, G | BIG
SEL_CODE1       equ $ - gdt
        DESC    0, 0FFFFh, A_CODE | DPL1, BIG | LBREL
SEL_DATA1       equ $ - gdt
        DESC    0, 0FFFFh, A_DATA | DPL1, BIG | LBREL
SEL_CONF        equ $ - gdt                     ; conforming, readable, DPL 0
        DESC    0, 0FFFFh, 9Fh, BIG | LBREL
SEL_CONF3       equ $ - gdt                     ; conforming, readable, DPL 3
        DESC    0, 0FFFFh, 9Fh | DPL3, BIG | LBREL
SEL_XO          equ $ - gdt                     ; execute-only
        DESC    0, 0FFFFh, 99h, BIG | LBREL
SEL_RO          equ $ - gdt                     ; read-only data
        DESC    0, 0FFFFh, 91h, BIG | LBREL
SEL_NA          equ $ - gdt                     ; data, accessed bit clear
        DESC    0, 0FFFFh, 92h, BIG | LBREL
SEL_NPD         equ $ - gdt                     ; data, not present
        DESC    0, 0FFFFh, 13h, BIG | LBREL
SEL_NPC         equ $ - gdt                     ; code, not present
        DESC    0, 0FFFFh, 1Bh, BIG | LBREL
SEL_SMALLC      equ $ - gdt                     ; code, limit 0FFFh
        DESC    0, 0FFFh, A_CODE, BIG | LBREL
SEL_GRAN        equ $ - gdt                     ; data, limit 1 page-granular = 1FFFh
        DESC    0, 1, A_DATA, G | BIG | LBREL
SEL_ED          equ $ - gdt                     ; expand-down data, limit 0FFFh
        DESC    0, 0FFFh, 97h, LBREL
SEL_DATA2       equ $ - gdt
        DESC    0, 0FFFFh, A_DATA | DPL2, BIG | LBREL
SEL_LDT         equ $ - gdt
        DESC    LIVE_LDT, ldt_end - ldt - 1, 82h, LBREL
SEL_LDT2        equ $ - gdt
        DESC    LIVE_LDT2, ldt2_end - ldt2 - 1, 82h, LBREL
SEL_LDTNP       equ $ - gdt
        DESC    LIVE_LDT, ldt_end - ldt - 1, 02h, LBREL
SEL_TSS0        equ $ - gdt
        DESC    tss0 - $$ + 100h, tss0_end - tss0 - 1, 89h, LBREL
SEL_TSS1        equ $ - gdt
        DESC    TSS1, 67h, 89h, LBREL
SEL_TSS16       equ $ - gdt
        DESC    TSS16, 2Bh, 81h, LBREL
SEL_TSSSM       equ $ - gdt                     ; limit below 67h
        DESC    TSS1, 50h, 89h, LBREL
SEL_TSSNP       equ $ - gdt                     ; not present
        DESC    TSS1, 67h, 09h, LBREL
SEL_CG32        equ $ - gdt                     ; 386 call gate, DPL 3, 2 parameters
        GATE    cg32, SEL_CODE32, 2, 0ECh
SEL_CG16        equ $ - gdt                     ; 286 call gate, DPL 3, 2 parameters
        GATE    cg16, SEL_CODE16, 2, 0E4h
SEL_CG1         equ $ - gdt                     ; to ring 1
        GATE    cg32, SEL_CODE1, 2, 0ECh
SEL_CGDPL0      equ $ - gdt                     ; DPL 0
        GATE    cg32, SEL_CODE32, 2, 8Ch
SEL_CGOUT       equ $ - gdt                     ; to a less privileged segment
        GATE    cg32, SEL_CODE3, 0, 8Ch
SEL_TG          equ $ - gdt                     ; task gate to TSS1, DPL 3
        GATE    0, SEL_TSS1, 0, 0E5h
SEL_CGNP        equ $ - gdt                     ; not present
        GATE    cg32, SEL_CODE32, 2, 6Ch
SEL_CGCONF      equ $ - gdt                     ; to the conforming segment
        GATE    confg_target, SEL_CONF, 0, 0ECh
SEL_CGJMP       equ $ - gdt                     ; for JMP
        GATE    jg_target, SEL_CODE32, 0, 0ECh
SEL_TG16        equ $ - gdt                     ; task gate to TSS16
        GATE    0, SEL_TSS16, 0, 0E5h
SEL_CGDATA      equ $ - gdt                     ; a call gate whose target is a data segment
        GATE    cg32, SEL_DATA, 0, 0ECh
SEL_IG          equ $ - gdt                     ; an interrupt gate in the GDT
        GATE    h32, SEL_CODE32, 0, 0EEh
SEL_NA2         equ $ - gdt                     ; data, accessed bit clear (for SS)
        DESC    0, 0FFFFh, 92h, BIG | LBREL
SEL_DATA3_16    equ $ - gdt                     ; 16-bit data, DPL 3 (a ring-3 stack with B = 0)
        DESC    0, 0FFFFh, A_DATA | DPL3, LBREL
gdt_end:
GDT_LIMIT       equ gdt_end - gdt - 1

ldt:
LSEL_DATA       equ $ - ldt + 4                 ; index 0
        DESC    0, 0FFFFh, A_DATA, BIG | LBREL
LSEL_DATA3      equ $ - ldt + 4
        DESC    0, 0FFFFh, A_DATA | DPL3, BIG | LBREL
LSEL_CODE       equ $ - ldt + 4
        DESC    0, 0FFFFh, A_CODE, BIG | LBREL
LSEL_NA         equ $ - ldt + 4
        DESC    0, 0FFFFh, 92h, BIG | LBREL
LSEL_NPD        equ $ - ldt + 4
        DESC    0, 0FFFFh, 13h, BIG | LBREL
ldt_end:
ldt2:
        DESC    0, 1234h, A_DATA, BIG | LBREL
ldt2_end:

; IGATE offset, selector, access: an IDT entry
%macro IGATE 3
        dw      %1, %2
        db      0, %3
        dw      0
%endmacro

idt:
%assign v 0
%rep 40h
%if v == 3 || v == 4
        IGATE   stubs + v * STUB_LEN, SEL_CODE32, 0EEh  ; INT3 and INTO: DPL 3
%else
        IGATE   stubs + v * STUB_LEN, SEL_CODE32, 8Eh
%endif
%assign v v + 1
%endrep
        IGATE   h32, SEL_CODE32, 0EEh                   ; 40h 386 interrupt gate, DPL 3
        IGATE   h32, SEL_CODE32, 0EFh                   ; 41h 386 trap gate, DPL 3
        IGATE   h16, SEL_CODE16, 0E6h                   ; 42h 286 interrupt gate, DPL 3
        IGATE   h16, SEL_CODE16, 0E7h                   ; 43h 286 trap gate, DPL 3
        IGATE   h32, SEL_CODE32, 8Eh                    ; 44h DPL 0
        IGATE   h32, SEL_CODE32, 6Eh                    ; 45h not present
        IGATE   h32, SEL_CODE32, 0EEh                   ; 46h (IDT limit cases)
        IGATE   h32, SEL_CODE3, 0EEh                    ; 47h to a DPL 3 code segment
        IGATE   0, SEL_TSS1, 0E5h                       ; 48h task gate to TSS1
        IGATE   h32, SEL_CONF, 0EEh                     ; 49h to the conforming segment
        IGATE   h32, SEL_DATA, 0EEh                     ; 4Ah to a data segment
        IGATE   h32, 0, 0EEh                            ; 4Bh null selector
        IGATE   h32, SEL_CODE32, 0ECh                   ; 4Ch a call gate type
        IGATE   stubs + 4Dh * STUB_LEN, SEL_CODE32, 8Eh ; 4Dh
        IGATE   stubs + VEC_DONE * STUB_LEN, SEL_CODE32, 0EEh ; 4Eh VEC_DONE, DPL 3
        IGATE   stubs + 4Fh * STUB_LEN, SEL_CODE32, 8Eh ; 4Fh
idt_end:

; TSS0: the main task's 32-bit TSS, with an I/O permission bitmap for ports 0-3FFh: all denied but
; 2E0h, 2E2h and 2E3h
        align   16
tss0:
        dd      0                                       ; 00 back link
        dd      STACK0_TOP, SEL_DATA                    ; 04 ESP0, SS0
        dd      STACK1_TOP, SEL_DATA1 | 1               ; 0C ESP1, SS1
        dd      STACK2_TOP, SEL_DATA2 | 2               ; 14 ESP2, SS2
        dd      0                                       ; 1C CR3 (set at start)
        times   10 dd 0                                 ; 20 EIP, EFLAGS, EAX-EDI
        times   6 dd 0                                  ; 48 ES CS SS DS FS GS
        dd      SEL_LDT                                 ; 60 LDT
        dw      0, iomap - tss0                         ; 64 T, I/O map base
iomap:
        times   2E0h / 8 db 0FFh
        db      0F2h                                    ; 2E0h-2E7h: 2E0h, 2E2h, 2E3h allowed
        times   80h - 2E0h / 8 - 1 db 0FFh
        db      0FFh                                    ; the byte past the map
tss0_end:

image_end:
%if BSS_END > STACK_TOP - 4000h
%error the runtime tables run into the stacks
%endif
        times   -((image_end - $$ + 100h) > BSS) db 0   ; (an error here: the image reaches BSS)
