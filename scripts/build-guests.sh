#!/usr/bin/env bash
# Rebuild every guest program under test/guests from its source (nasm assembly or bcc C).
#
# Convention: an .asm file is a guest if one of its first 10 lines is a comment of the form
#     ; build: nasm <arguments>
# and a .c file if one of its first 10 lines reads
#     // build: bcc <arguments>
# The command runs in the file's own directory (so `-o cpubench.com cpubench.asm` names files
# beside the source). Files without such a line (include files, fragments) are skipped.
# The built binaries are committed next to their sources, so tests need no assembler;
# run this after changing a source (needs nasm: apt-get install nasm).
#
#   scripts/build-guests.sh            build all
#   scripts/build-guests.sh --check    build into a temp copy and fail if a committed binary differs
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
guests="$root/test/guests"
check=0
[[ "${1:-}" == "--check" ]] && check=1

if ! command -v nasm >/dev/null 2>&1; then
  echo "build-guests: nasm not found (apt-get install nasm)" >&2
  exit 1
fi
if ! command -v bcc >/dev/null 2>&1; then
  echo "build-guests: bcc not found (apt-get install bcc)" >&2
  exit 1
fi

work="$guests"
if (( check )); then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp -a "$guests/." "$tmp/"
  work="$tmp"
fi

built=0
failed=0
while IFS= read -r -d '' src; do
  line="$(head -n 10 "$src" | grep -m1 -E '^[[:space:]]*(;|//)[[:space:]]*build:[[:space:]]*(nasm|bcc)[[:space:]]' || true)"
  [[ -z "$line" ]] && continue
  cmd="${line#*build:}"
  cmd="$(echo "$cmd" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
  # only nasm with plain arguments: refuse shell metacharacters
  if [[ "$cmd" =~ [\;\&\|\`\$\<\>\(\)] ]]; then
    echo "build-guests: ${src#$work/}: refusing build line: $cmd" >&2
    failed=$((failed + 1))
    continue
  fi
  dir="$(dirname "$src")"
  rel="${src#$work/}"
  read -r -a argv <<<"$cmd"
  if (cd "$dir" && "${argv[@]}"); then
    echo "built  $rel  ($cmd)"
    built=$((built + 1))
  else
    echo "FAILED $rel  ($cmd)" >&2
    failed=$((failed + 1))
  fi
done < <(find "$work" \( -name '*.asm' -o -name '*.c' \) -type f -print0 | sort -z)

if (( check && failed == 0 )); then
  if ! diff -r -q "$guests" "$tmp" >/dev/null; then
    diff -r -q "$guests" "$tmp" >&2 || true
    echo "build-guests: committed binaries are stale; run scripts/build-guests.sh" >&2
    exit 1
  fi
  echo "build-guests: $built guests, binaries up to date"
  exit 0
fi
echo "build-guests: $built built, $failed failed"
(( failed == 0 ))
