#!/usr/bin/env bash
# Build the test386.asm CPU tester ROM (github.com/barotto/test386.asm) for our harness
# (test/support/test386.ts, test/support/test386-cli.ts, test/unit/test386.test.ts). Nothing this reads or
# produces is committed: the checkout and the output folder both live outside the repository.
#
# The checkout's src/ is copied to a temp folder and src/configuration.asm patched there: POST codes to
# port 190h, the ASCII results to port E9h (OUT_PORT; LPT and COM off), the 128 KiB ROM (ROM128 1, so the
# TSS task-switch tests are in), no undefined-behaviour tests (TEST_UNDEF 0), no Bochs ARPL workaround.
# nasm builds test386.bin (131,072 bytes) and its listing test386.lst into the output folder, and
# test386-EE-reference.txt (the published output of POST EEh) is copied beside them.
#
#   scripts/test386.sh [CHECKOUT]       (default $MVM_TEST386_SRC; a bare git repository works too: its HEAD)
#   MVM_TEST386=DIR scripts/test386.sh CHECKOUT     (output folder; default /work/local-images/test386)
#
# Needs nasm (apt-get install nasm).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="${1:-${MVM_TEST386_SRC:-}}"
out="${MVM_TEST386:-/work/local-images/test386}"

if [[ -z "$src" ]]; then
  echo "test386: give a test386.asm checkout as argument or in MVM_TEST386_SRC" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bare=0
if [[ ! -d "$src/src" && "$(git -C "$src" rev-parse --is-bare-repository 2>/dev/null)" == true ]]; then bare=1; fi
rev=""
if [[ -e "$src/.git" ]] || (( bare )); then rev=" ($(git -C "$src" rev-parse --short HEAD))"; fi
if (( bare )); then
  mkdir "$tmp/checkout"
  git -C "$src" archive HEAD | tar -x -C "$tmp/checkout"
  src_label="$src"
  src="$tmp/checkout"
fi
if [[ ! -f "$src/src/test386.asm" || ! -f "$src/src/configuration.asm" || ! -f "$src/test386-EE-reference.txt" ]]; then
  echo "test386: $src is not a test386.asm checkout (no src/test386.asm, src/configuration.asm or test386-EE-reference.txt)" >&2
  exit 1
fi
if ! command -v nasm >/dev/null 2>&1; then
  echo "test386: nasm not found (apt-get install nasm)" >&2
  exit 1
fi
out="$(realpath -m "$out")"
case "$out/" in
  "$root/"*)
    echo "test386: the output folder $out is inside the repository; choose one outside it (MVM_TEST386)" >&2
    exit 1
    ;;
esac
mkdir -p "$out"

cp -a "$src/src" "$tmp/src"

# Set one `NAME equ VALUE` line of configuration.asm, failing if the line is not there.
conf="$tmp/src/configuration.asm"
set_equ() {
  if ! grep -qE "^$1[[:space:]]+equ[[:space:]]" "$conf"; then
    echo "test386: configuration.asm has no '$1 equ' line" >&2
    exit 1
  fi
  sed -i -E "s/^($1[[:space:]]+equ[[:space:]]+)[^;[:space:]]+/\\1$2/" "$conf"
}
set_equ POST_PORT 0x190
set_equ LPT_PORT 0
set_equ COM_PORT 0
set_equ OUT_PORT 0xE9
set_equ TEST_UNDEF 0
set_equ BOCHS 0
set_equ IBM_PS1 0
set_equ DEBUG 0
set_equ ROM128 1

(cd "$tmp" && nasm -i./src/ -f bin src/test386.asm -w-all -l test386.lst -o test386.bin)
size=$(stat -c %s "$tmp/test386.bin")
if (( size != 131072 )); then
  echo "test386: test386.bin is $size bytes, expected 131072 (the 128 KiB ROM)" >&2
  exit 1
fi
cp "$tmp/test386.bin" "$tmp/test386.lst" "$out/"
cp "$src/test386-EE-reference.txt" "$out/"
grep -E '^(POST_PORT|LPT_PORT|COM_PORT|OUT_PORT|TEST_UNDEF|BOCHS|IBM_PS1|DEBUG|ROM128)[[:space:]]' "$conf" >"$out/configuration.txt"
echo "test386: built from ${src_label:-$src}$rev into $out (test386.bin, test386.lst, test386-EE-reference.txt)"
