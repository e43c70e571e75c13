#!/usr/bin/env bash
# Regenerate expected.txt: run cpu386.com under QEMU (the independent oracle) and keep its output
# (test/guests/qemu-cases.sh says how the .COM is booted).
#
#   test/guests/cpu386/qemu-reference.sh [--cpu MODEL]     (default 486; qemu32 gives the same output)
#
# Needs qemu-system-i386 (apt-get install qemu-system-x86). Rebuild the guest first after changing
# cpu386.asm or cases.inc (scripts/build-guests.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../qemu-cases.sh" "$here/cpu386.com" "$@"
