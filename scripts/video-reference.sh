#!/usr/bin/env bash
# QEMU's pictures of the video guest programs (test/guests/video), for comparing by eye with our goldens
# (test/golden/video, test/unit/vvga-golden.test.ts). Nothing this produces is committed.
#
# Each program is booted on a bare PC BIOS: test/guests/video/bootcom.bin as the boot sector of a 1.44 MB
# floppy image, the .COM from sector 2 on (bootcom loads it to 1000:0100 and serves INT 21h AH=4Ch by
# idling with interrupts on, so the picture stays). QEMU runs with its standard VGA (-vga std, SeaVGABIOS),
# no display, the debug console (port E9h) in a file and the monitor on a unix socket. When the program
# has written "DONE <name>" to port E9h the monitor's `screendump` takes the picture (PPM), which a few
# lines of python3 turn into /tmp/video-reference/<name>.png.
#
#   scripts/video-reference.sh [NAME...]      (default: every program; NAME is e.g. vga13)
#   VIDEO_REF_OUT=DIR scripts/video-reference.sh     (another output folder)
#
# Needs qemu-system-i386 (apt-get install qemu-system-x86) and python3; nasm if bootcom.bin must be built.
# Known differences from real VGA: QEMU's text cursor blinks with the host clock, so whether it is in a
# text-mode picture depends on when the picture was taken (see test/guests/video/README.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
video="$root/test/guests/video"
out="${VIDEO_REF_OUT:-/tmp/video-reference}"

for tool in qemu-system-i386 python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "video-reference: $tool not found" >&2
    exit 1
  fi
done
boot="$video/bootcom.bin"
if [[ ! -f "$boot" || "$video/bootcom.asm" -nt "$boot" ]]; then
  (cd "$video" && nasm -f bin -o bootcom.bin bootcom.asm)
fi

names=("$@")
if (( ${#names[@]} == 0 )); then
  for f in "$video"/*.com; do
    n="$(basename "$f" .com)"
    [[ "$n" == bootcom ]] && continue
    names+=("$n")
  done
fi
mkdir -p "$out"

tmp="$(mktemp -d)"
qpid=""
cleanup() {
  if [[ -n "$qpid" ]] && kill -0 "$qpid" 2>/dev/null; then kill "$qpid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# python3 helper: `mon SOCKET COMMAND...` sends HMP commands one by one, waiting for the prompt after each;
# `png IN.ppm OUT.png` converts a binary PPM (P6) to PNG.
cat >"$tmp/helper.py" <<'PY'
import socket, struct, sys, time, zlib

def mon(path, cmds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            s.connect(path)
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit('video-reference: cannot reach the QEMU monitor')
    s.settimeout(30)
    def prompt():
        buf = b''
        while not buf.endswith(b'(qemu) '):
            chunk = s.recv(4096)
            if not chunk:
                return buf
            buf += chunk
        return buf
    prompt()
    for c in cmds:
        s.sendall(c.encode() + b'\n')
        prompt()                # after quit: until QEMU closes the connection
    s.close()

def png(src, dst):
    data = open(src, 'rb').read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos)
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    pos += 1
    if fields[0] != b'P6' or fields[3] != b'255':
        sys.exit('video-reference: %s is not an 8-bit P6 PPM' % src)
    w, h = int(fields[1]), int(fields[2])
    pix = data[pos:pos + w * h * 3]
    raw = b''.join(b'\0' + pix[y * w * 3:(y + 1) * w * 3] for y in range(h))
    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body))
    with open(dst, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b'IDAT', zlib.compress(raw, 9)))
        f.write(chunk(b'IEND', b''))

if sys.argv[1] == 'mon':
    mon(sys.argv[2], sys.argv[3:])
else:
    png(sys.argv[2], sys.argv[3])
PY

failed=0
for name in "${names[@]}"; do
  com="$video/$name.com"
  if [[ ! -f "$com" ]]; then
    echo "video-reference: no $com" >&2
    failed=$((failed + 1))
    continue
  fi
  size=$(stat -c %s "$com")
  if (( size > 64 * 512 )); then
    echo "video-reference: $name.com is $size bytes; bootcom loads at most 32 KiB" >&2
    failed=$((failed + 1))
    continue
  fi
  img="$tmp/$name.img"
  truncate -s 1474560 "$img"
  dd if="$boot" of="$img" conv=notrunc status=none
  dd if="$com" of="$img" bs=512 seek=1 conv=notrunc status=none
  e9="$tmp/$name.e9"
  sock="$tmp/$name.sock"
  : >"$e9"
  qemu-system-i386 -accel tcg -m 16 -vga std -display none \
    -drive "file=$img,format=raw,if=floppy" -boot a \
    -debugcon "file:$e9" -monitor "unix:$sock,server=on,wait=off" \
    -serial none -parallel none -net none -no-reboot &
  qpid=$!
  ok=0
  for _ in $(seq 1 600); do
    if grep -q "^DONE $name\$" "$e9" 2>/dev/null && grep -q '^EXIT$' "$e9"; then ok=1; break; fi
    kill -0 "$qpid" 2>/dev/null || break
    sleep 0.1
  done
  if (( ! ok )); then
    echo "video-reference: $name did not write 'DONE $name' and exit within 60 s; port E9h said:" >&2
    cat "$e9" >&2 || true
    kill "$qpid" 2>/dev/null || true
    wait "$qpid" 2>/dev/null || true
    qpid=""
    failed=$((failed + 1))
    continue
  fi
  sleep 1                                   # a few more frames, so every register change is on screen
  python3 "$tmp/helper.py" mon "$sock" "screendump $tmp/$name.ppm" "info status" quit
  for _ in $(seq 1 50); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.1; done
  kill "$qpid" 2>/dev/null || true
  wait "$qpid" 2>/dev/null || true
  qpid=""
  python3 "$tmp/helper.py" png "$tmp/$name.ppm" "$out/$name.png"
  echo "video-reference: $out/$name.png"
done
(( failed == 0 ))
