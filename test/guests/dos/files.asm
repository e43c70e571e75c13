; build: nasm -f bin -o files.com files.asm
;
; files.com - INT 21h file-handle functions as DOS 5 defines them, on the current drive:
;   3Ch create, 40h write, 42h seek (from start/current/end; the size via AL=2 offset 0),
;   3Fh read back and compare (and 0 bytes at end of file), 3Eh close (twice -> 6),
;   3Dh open with access modes (read-only refuses a write with 5; read/write overwrites in place),
;   45h dup and 46h force-dup (stdout redirected into a file, written, restored),
;   57h get/set the date and time of a handle (kept after close), 43h get/set attributes
;   (read-only refuses open-for-write and delete with 5), 41h delete, 5Bh create-new on an
;   existing file -> 50h, 5Ah temporary file (name filled in), 6Ch extended open/create actions
;   (created 2, opened 1, replaced 3, fail-if-exists 50h, fail-if-missing 2), 68h commit,
;   invalid handle -> 6, file not found -> 2, path not found -> 3.
; One line per check (PASS name / FAIL name AX-in-hex); exit code = number of failures.
bits 16
cpu 386
org 0x100
%include "dostest.inc"

    ; ---- 3Ch create, 40h write
    mov ah, 0x3c
    xor cx, cx
    mov dx, fname
    int 0x21
    CHECK_NC 'create-3Ch'
    mov [h1], ax
    mov ah, 0x40
    mov bx, [h1]
    mov cx, 26
    mov dx, alpha
    int 0x21
    CHECK_NC 'write-40h'
    CHECK_EQW 'write-count', ax, 26

    ; ---- 42h seek
    mov ax, 0x4202
    mov bx, [h1]
    xor cx, cx
    xor dx, dx
    int 0x21
    CHECK_EQW 'seek-end-size', ax, 26
    CHECK_EQW 'seek-end-size-high', dx, 0
    mov ax, 0x4200
    mov bx, [h1]
    xor cx, cx
    mov dx, 5
    int 0x21
    CHECK_EQW 'seek-start', ax, 5
    mov ax, 0x4201
    mov bx, [h1]
    xor cx, cx
    mov dx, 3
    int 0x21
    CHECK_EQW 'seek-current', ax, 8
    mov ah, 0x3f
    mov bx, [h1]
    mov cx, 4
    mov dx, buf
    int 0x21
    CHECK_EQW 'read-count', ax, 4
    CHECK_EQW 'read-data', [buf], 'IJ'
    mov ax, 0x4201
    mov bx, [h1]
    mov cx, 0xffff
    mov dx, -2
    int 0x21
    CHECK_EQW 'seek-current-backwards', ax, 10

    ; ---- read everything back and compare
    mov ax, 0x4200
    mov bx, [h1]
    xor cx, cx
    xor dx, dx
    int 0x21
    mov ah, 0x3f
    mov bx, [h1]
    mov cx, 100
    mov dx, buf
    int 0x21
    CHECK_EQW 'read-all-count', ax, 26
    mov si, alpha
    mov di, buf
    mov cx, 26
    repe cmpsb
    mov ax, cx
    CHECK_Z 'read-all-compare'
    mov ah, 0x3f
    mov bx, [h1]
    mov cx, 10
    mov dx, buf
    int 0x21
    CHECK_EQW 'read-at-eof-zero', ax, 0

    ; ---- 68h commit, 3Eh close
    mov ah, 0x68
    mov bx, [h1]
    int 0x21
    CHECK_NC 'commit-68h'
    mov ah, 0x3e
    mov bx, [h1]
    int 0x21
    CHECK_NC 'close-3Eh'
    mov ah, 0x3e
    mov bx, [h1]
    int 0x21
    CHECK_ERR 'close-twice-invalid-handle', 6

    ; ---- 3Dh access modes
    mov ax, 0x3d00
    mov dx, fname
    int 0x21
    CHECK_NC 'open-read-only'
    mov [h1], ax
    mov ah, 0x40
    mov bx, [h1]
    mov cx, 2
    mov dx, alpha
    int 0x21
    CHECK_ERR 'write-to-read-only-handle', 5
    mov ah, 0x3e
    mov bx, [h1]
    int 0x21
    mov ax, 0x3d02
    mov dx, fname
    int 0x21
    CHECK_NC 'open-read-write'
    mov [h1], ax
    mov ah, 0x40
    mov bx, [h1]
    mov cx, 2
    mov dx, lower
    int 0x21
    mov ax, 0x4200
    mov bx, [h1]
    xor cx, cx
    xor dx, dx
    int 0x21
    mov ah, 0x3f
    mov bx, [h1]
    mov cx, 4
    mov dx, buf
    int 0x21
    CHECK_EQW 'overwrite-in-place', [buf], 'ab'
    CHECK_EQW 'overwrite-keeps-rest', [buf+2], 'CD'
    mov ax, 0x4202
    mov bx, [h1]
    xor cx, cx
    xor dx, dx
    int 0x21
    CHECK_EQW 'overwrite-keeps-size', ax, 26

    ; ---- 57h date/time (set on a handle, survives close)
    mov ax, 0x5701
    mov bx, [h1]
    mov cx, 0x645c                 ; 12:34:56
    mov dx, 0x58cf                 ; 2024-06-15
    int 0x21
    CHECK_NC 'set-file-time'
    mov ah, 0x3e
    mov bx, [h1]
    int 0x21
    mov ax, 0x3d00
    mov dx, fname
    int 0x21
    mov [h1], ax
    mov ax, 0x5700
    mov bx, [h1]
    int 0x21
    CHECK_NC 'get-file-time'
    CHECK_EQW 'file-time-kept', cx, 0x645c
    CHECK_EQW 'file-date-kept', dx, 0x58cf
    mov ah, 0x3e
    mov bx, [h1]
    int 0x21

    ; ---- 45h dup, 46h force-dup: redirect stdout into a file
    mov ah, 0x3c
    xor cx, cx
    mov dx, rname
    int 0x21
    mov [h2], ax
    mov ah, 0x45
    mov bx, 1
    int 0x21
    CHECK_NC 'dup-stdout-45h'
    mov [hsave], ax
    mov ah, 0x46
    mov bx, [h2]
    mov cx, 1
    int 0x21
    jc .fdfail
    mov ah, 0x40                   ; this goes to the file
    mov bx, 1
    mov cx, 10
    mov dx, redir
    int 0x21
    mov ah, 0x46                   ; restore stdout
    mov bx, [hsave]
    mov cx, 1
    int 0x21
    PASS 'force-dup-46h'
    jmp .fdok
.fdfail:
    FAIL 'force-dup-46h'
.fdok:
    mov ah, 0x3e
    mov bx, [hsave]
    int 0x21
    CHECK_NC 'close-dup'
    mov ax, 0x4201                 ; the file handle shares the position with the redirected stdout
    mov bx, [h2]
    xor cx, cx
    xor dx, dx
    int 0x21
    CHECK_EQW 'dup-shares-position', ax, 10
    mov ax, 0x4200
    mov bx, [h2]
    xor cx, cx
    xor dx, dx
    int 0x21
    mov ah, 0x3f
    mov bx, [h2]
    mov cx, 20
    mov dx, buf
    int 0x21
    CHECK_EQW 'redirected-output-in-file', ax, 10
    CHECK_EQW 'redirected-output-data', [buf], 're'
    mov ah, 0x3e
    mov bx, [h2]
    int 0x21
    mov ah, 0x41
    mov dx, rname
    int 0x21

    ; ---- 43h attributes
    mov ax, 0x4300
    mov dx, fname
    int 0x21
    CHECK_NC 'get-attributes'
    mov ax, 0x4301
    mov cx, 0x01
    mov dx, fname
    int 0x21
    CHECK_NC 'set-read-only'
    mov ax, 0x4300
    mov dx, fname
    int 0x21
    and cx, 0x1f
    CHECK_EQW 'read-only-attribute-set', cx, 0x01
    mov ax, 0x3d01
    mov dx, fname
    int 0x21
    jc .rofail
    mov bx, ax
    mov ah, 0x3e
    int 0x21
    stc
    mov ax, 0xffff
.rofail:
    CHECK_ERR 'open-read-only-file-for-write', 5
    mov ah, 0x41
    mov dx, fname
    int 0x21
    CHECK_ERR 'delete-read-only-file', 5
    mov ax, 0x4301
    xor cx, cx
    mov dx, fname
    int 0x21
    CHECK_NC 'clear-attributes'

    ; ---- 5Bh create new on an existing file
    mov ah, 0x5b
    xor cx, cx
    mov dx, fname
    int 0x21
    CHECK_ERR 'create-new-existing-50h', 0x50

    ; ---- 41h delete
    mov ah, 0x41
    mov dx, fname
    int 0x21
    CHECK_NC 'delete-41h'
    mov ax, 0x3d00
    mov dx, fname
    int 0x21
    CHECK_ERR 'open-deleted-file-not-found', 2
    mov ah, 0x41
    mov dx, fname
    int 0x21
    CHECK_ERR 'delete-missing-not-found', 2

    ; ---- 5Bh create new on a fresh name works
    mov ah, 0x5b
    xor cx, cx
    mov dx, fname
    int 0x21
    CHECK_NC 'create-new-5Bh'
    mov bx, ax
    mov ah, 0x3e
    int 0x21
    mov ah, 0x41
    mov dx, fname
    int 0x21

    ; ---- 5Ah temporary file
    mov ah, 0x5a
    xor cx, cx
    mov dx, tmpname
    int 0x21
    CHECK_NC 'temp-file-5Ah'
    mov bx, ax
    mov ah, 0x3e
    int 0x21
    mov al, [tmpname+3]            ; a name must follow the path
    xor ah, ah
    cmp al, 0
    jne .tmpok
    FAIL 'temp-file-name-filled'
    jmp .tmpdone
.tmpok:
    PASS 'temp-file-name-filled'
.tmpdone:
    mov ah, 0x41
    mov dx, tmpname
    int 0x21
    CHECK_NC 'temp-file-delete-by-returned-name'

    ; ---- 6Ch extended open/create
    mov ax, 0x6c00
    mov bx, 0x0002
    xor cx, cx
    mov dx, 0x0010                 ; missing: create, exists: fail
    mov si, xname
    int 0x21
    CHECK_NC 'ext-open-create'
    CHECK_EQW 'ext-open-created-action-2', cx, 2
    mov bx, ax
    mov ah, 0x40
    mov cx, 5
    mov dx, alpha
    int 0x21
    mov ah, 0x3e
    int 0x21
    mov ax, 0x6c00
    mov bx, 0x0002
    xor cx, cx
    mov dx, 0x0010
    mov si, xname
    int 0x21
    CHECK_ERR 'ext-open-exists-fails-50h', 0x50
    mov ax, 0x6c00
    mov bx, 0x0000
    xor cx, cx
    mov dx, 0x0001                 ; exists: open
    mov si, xname
    int 0x21
    CHECK_NC 'ext-open-open'
    CHECK_EQW 'ext-open-opened-action-1', cx, 1
    mov bx, ax
    mov ax, 0x4202
    xor cx, cx
    xor dx, dx
    int 0x21
    CHECK_EQW 'ext-open-keeps-contents', ax, 5
    mov ah, 0x3e
    int 0x21
    mov ax, 0x6c00
    mov bx, 0x0002
    xor cx, cx
    mov dx, 0x0002                 ; exists: replace
    mov si, xname
    int 0x21
    CHECK_NC 'ext-open-replace'
    CHECK_EQW 'ext-open-replaced-action-3', cx, 3
    mov bx, ax
    mov ax, 0x4202
    xor cx, cx
    xor dx, dx
    int 0x21
    CHECK_EQW 'ext-open-replace-truncates', ax, 0
    mov ah, 0x3e
    int 0x21
    mov ah, 0x41
    mov dx, xname
    int 0x21
    mov ax, 0x6c00
    mov bx, 0x0000
    xor cx, cx
    mov dx, 0x0001                 ; missing: fail
    mov si, xname
    int 0x21
    CHECK_ERR 'ext-open-missing-fails-2', 2

    ; ---- errors
    mov ah, 0x3e
    mov bx, 99
    int 0x21
    CHECK_ERR 'close-invalid-handle-6', 6
    mov ah, 0x40
    mov bx, 99
    mov cx, 1
    mov dx, alpha
    int 0x21
    CHECK_ERR 'write-invalid-handle-6', 6
    mov ax, 0x3d00
    mov dx, missing
    int 0x21
    CHECK_ERR 'open-file-not-found-2', 2
    mov ax, 0x3d00
    mov dx, nodir
    int 0x21
    CHECK_ERR 'open-path-not-found-3', 3
    mov ah, 0x3c
    xor cx, cx
    mov dx, nodir
    int 0x21
    CHECK_ERR 'create-path-not-found-3', 3

    FINISH

fname:   db 'TEST1.DAT', 0
rname:   db 'REDIR.TXT', 0
xname:   db 'EXTOPEN.DAT', 0
missing: db 'NOSUCH.FIL', 0
nodir:   db 'NODIR\X.DAT', 0
alpha:   db 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
lower:   db 'ab'
redir:   db 'redirected'
tmpname: db 'C:\', 0
         times 16 db 0
h1:      dw 0
h2:      dw 0
hsave:   dw 0
buf:     times 128 db 0
