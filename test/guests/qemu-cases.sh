#!/usr/bin/env bash
# Run a case guest (a .COM printing one line per case and "end NNNN cases") under QEMU, the independent
# oracle, and write its output to expected.txt beside it. Shared by cpu386/ and pm/qemu-reference.sh.
#
# The .COM is booted the way bench/peers.mjs times cpubench: bench/boot.bin as the boot sector of a
# 1.44 MB floppy image, the program from sector 2 on (boot.bin loads 32 KiB to 1000:0100 and serves
# INT 21h AH=09h/4Ch, printing to COM1). The serial output goes to a file; isa-debug-exit ends QEMU
# with status (AL << 1) | 1, so exit code 0 from the guest is status 1.
#
#   test/guests/qemu-cases.sh GUEST.COM [--cpu MODEL]     (default 486)
#
# Needs qemu-system-i386 (apt-get install qemu-system-x86). Rebuild the guest first after changing its
# sources (scripts/build-guests.sh).
set -euo pipefail

guests="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
com="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(dirname "$com")"
name="$(basename "$com")"
shift
cpu=486
[[ "${1:-}" == "--cpu" ]] && cpu="$2"

boot="$guests/bench/boot.bin"
size=$(stat -c %s "$com")
if (( size > 64 * 512 )); then
  echo "qemu-cases: $name is $size bytes; boot.bin loads at most 32 KiB" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
img="$tmp/floppy.img"
truncate -s 1474560 "$img"
dd if="$boot" of="$img" conv=notrunc status=none
dd if="$com" of="$img" bs=512 seek=1 conv=notrunc status=none

status=0
timeout 300 qemu-system-i386 -accel tcg -cpu "$cpu" -m 16 \
  -drive "file=$img,format=raw,if=floppy" -boot a \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -display none -serial "file:$tmp/serial.txt" -monitor none -parallel none -net none -no-reboot \
  || status=$?
if (( status != 1 )); then
  echo "qemu-cases: QEMU exited with status $status (expected 1: guest exit code 0)" >&2
  exit 1
fi
out="$tmp/out.txt"
tr -d '\r' <"$tmp/serial.txt" >"$out"
if ! tail -n 1 "$out" | grep -qE '^end [0-9A-F]{4} cases$'; then
  echo "qemu-cases: output does not end with the case count" >&2
  tail -n 5 "$out" >&2
  exit 1
fi
cp "$out" "$here/expected.txt"
echo "qemu-cases: $(($(wc -l <"$out") - 2)) cases written to expected.txt (QEMU -cpu $cpu)"
