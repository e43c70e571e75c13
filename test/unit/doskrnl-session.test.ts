/**
 * A DOS session in one process: the PC (ROM, VDDs) with DOSKRNL running its COMMAND shell, typed at on
 * the keyboard through VKBD — the path a DOS window takes. The prompt's line editing and history, and a
 * program reading keys through INT 21h.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createDosKernel } from '../../main/doskrnl/kernel.js';
import { STANDARD_MODULES, tempDir, testPc, type TestPc } from '../support/pc.js';

const GUESTS = fileURLToPath(new URL('../guests/dos/', import.meta.url));
let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function session(): TestPc {
  const t = tempDir();
  cleanup.push(t.remove);
  copyFileSync(join(GUESTS, 'hello.com'), join(t.dir, 'HELLO.COM'));
  copyFileSync(join(GUESTS, 'upcase.com'), join(t.dir, 'UPCASE.COM'));
  const pc = testPc({}, [...STANDARD_MODULES, createDosKernel({ drives: [{ letter: 'C', hostPath: t.dir }], program: 'C:\\COMMAND.COM' })]);
  expect(pc.runUntil(() => pc.screen().includes('C:\\>'))).toBe(true);
  return pc;
}

const prompts = (pc: TestPc): number => pc.screen().split('C:\\>').length - 1;
const UP = [0xe0, 0x48, 0xe0, 0xc8];
const ENTER = [0x1c, 0x9c];

describe('DOS session (DOSKRNL + COMMAND on the keyboard)', () => {
  it('shows a prompt, runs what is typed, and recalls the last line with the up arrow', () => {
    const pc = session();
    pc.type('hello\r');
    expect(pc.runUntil(() => prompts(pc) >= 2)).toBe(true);
    pc.host.request('VKBD', 1, [...UP, ...ENTER]);
    expect(pc.runUntil(() => prompts(pc) >= 3)).toBe(true);
    expect(pc.screen().split('Hello from DOS on MVM').length - 1).toBe(2);
    expect(pc.screen()).toContain('C:\\>hello');
  });

  it('edits the line with backspace and cancels it with Esc', () => {
    const pc = session();
    pc.type('hellx\bo\r');
    expect(pc.runUntil(() => prompts(pc) >= 2)).toBe(true);
    expect(pc.screen()).toContain('Hello from DOS on MVM');
    pc.type('garbage\x1bver\r');
    expect(pc.runUntil(() => prompts(pc) >= 3)).toBe(true);
    expect(pc.screen()).toContain('MVM Desktop DOS version 5.00');
    expect(pc.screen()).not.toContain('Bad command');
  });

  it('ends a program waiting for input when Ctrl-Break is pressed, back at the prompt', () => {
    const pc = session();
    pc.type('upcase\r');
    pc.runUntil(() => false, pc.vm.ticksPerSecond / 2); // UPCASE now waits in a read from CON
    expect(prompts(pc)).toBe(1);
    pc.host.request('VKBD', 1, [0x1d, 0xe0, 0x46, 0xe0, 0xc6, 0x9d]); // Ctrl + Break
    expect(pc.runUntil(() => prompts(pc) >= 2)).toBe(true);
    expect(pc.screen()).toContain('^C');
  });

  it('idles at the prompt: waiting for a key costs no instructions', () => {
    const pc = session();
    const before = pc.vm.cpu.instructions;
    pc.runUntil(() => false, pc.vm.ticksPerSecond); // a second of guest time with nothing typed
    expect(pc.vm.cpu.instructions - before).toBeLessThan(20_000); // only the timer's ticks
  });
});
