/**
 * The 386 real-mode additions of the IST against an independent oracle, QEMU.
 *
 * test/guests/cpu386/cpu386.com runs several hundred small cases (66h/67h prefixes, SIB, FS/GS, MOVZX,
 * SETcc, Jcc near, BT*, BSF/BSR, SHLD/SHRD, IMUL, 32-bit MUL/DIV, shifts, strings, LOOP/JECXZ, stack,
 * LxS, control registers, exceptions) and prints one line per case: the result registers, the flags with
 * the SDM's undefined flags masked out, changed scratch memory and any exception. expected.txt is the
 * same program's output under qemu-system-i386 TCG (test/guests/cpu386/README.md says how it was made).
 * Here the guest runs on our CPU (model 80386) behind a plain RAM bus, as bench/cpu.ts runs cpubench,
 * and every case must print exactly what QEMU printed. A mismatch names the case and the fields.
 */
import { describe } from 'vitest';

import { guestDir, qemuCaseTests } from '../support/com-guest.js';

/** Case families by name prefix, one test each, so a failure points at the behaviour that broke. */
const FAMILIES: [string, RegExp][] = [
  ['computes 32-bit, SIB and 66h/67h effective addresses with the right default segments and FS/GS overrides', /^(mov|sib|ovr|st|lea|xlat|xchg|pfx|sreg|imm)\./],
  ['does 32-bit ALU arithmetic with the flags QEMU computes at carry, overflow, sign and zero boundaries', /^((add|adc|sub|sbb|cmp|and|or|xor|test|inc|dec|neg|not)\d+|lazy)\./],
  ['extends with MOVZX/MOVSX/CWDE/CDQ and keeps the high halves the 16-bit forms do not write', /^(movzx|movsx|cwde|cdq|cbw|cwd)\./],
  ['evaluates all sixteen conditions for SETcc', /^setcc\./],
  ['takes Jcc near, 32-bit displacements and 66h near/far transfers as QEMU does', /^(jcc|jmp|call|ret|callf|jmpf|retf|iretd|iret)\./],
  ['tests and changes bits with BT/BTS/BTR/BTC, register offsets reaching outside the operand', /^bt[src]?\d+\./],
  ['scans bits with BSF/BSR', /^bs[fr]\d+\./],
  ['double-shifts with SHLD/SHRD', /^sh[lr]d\d+\./],
  ['multiplies with the two- and three-operand IMUL forms', /^imul\d+\.(rr|rm|rri|same)/],
  ['multiplies and divides EDX:EAX, raising #DE on zero and overflow', /^(mul|imul\d+\.one|div|idiv)/],
  ['shifts and rotates 32-bit operands and masks counts to five bits', /^(shl|shr|sar|rol|ror|rcl|rcr)\d+\./],
  ['runs string instructions with dword elements, 32-bit index registers and REP prefixes', /^(rep|repe|repne|movs|stos|lods|cmps|scas|ins|outs|a32)/],
  ['loops and branches on CX or ECX by address size', /^(loop|loope|loopne|jcxz|jecxz)\./],
  ['pushes and pops 32-bit values, all registers, EFLAGS and frames on a 16-bit stack', /^(push|pop|pusha|popa|pushad|popad|pushfd|popfd|enter|leave)/],
  ['loads far pointers with LSS/LFS/LGS and 16:32 LDS/LES', /^(lfs|lgs|lss|lds|les)\./],
  ['moves control, debug and descriptor-table registers, ignoring the mod bits of MOV CRn/DRn', /^(cr\d|clts|smsw|lmsw|dr\d|lgdt|lidt)\./],
  ['raises #UD, #NM, #BR and #GP where a 386 does in real mode', /^(esc|wait|bound32|ud|lock|len)\./],
];

describe('80386 real mode against QEMU (test/guests/cpu386)', () => {
  qemuCaseTests(guestDir('cpu386', 'cpu386.com', import.meta.url), 'cpu386.com', FAMILIES);
});
