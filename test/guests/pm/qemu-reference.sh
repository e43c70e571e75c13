#!/usr/bin/env bash
# Regenerate expected.txt: run pmtest.com under QEMU (the independent oracle) and keep its output
# (test/guests/qemu-cases.sh says how the .COM is booted).
#
#   test/guests/pm/qemu-reference.sh [--cpu MODEL]     (default 486; qemu32 and pentium give the same output)
#
# Needs qemu-system-i386 (apt-get install qemu-system-x86). Rebuild the guest first after changing
# pmtest.asm or cases.inc (scripts/build-guests.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "$here/../qemu-cases.sh" "$here/pmtest.com" "$@"
