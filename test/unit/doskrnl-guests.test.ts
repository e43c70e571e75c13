/**
 * DOS programs of our own (test/guests/dos: files, dirs, memory, exec + child + childexe, console), each
 * checking one group of INT 21h functions as DOS 5 defines them and printing `PASS name` or
 * `FAIL name XXXX` per check, run through the real CLI (`mvm run`) in a fresh drive C: folder. Each
 * program's exit code is its failure count, so a clean run exits 0.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUESTS = join(ROOT, 'test', 'guests', 'dos');

interface GuestRun {
  status: number | null;
  stdout: string;
  stderr: string;
  passed: Set<string>;
  /** name -> detail (AX in hex) */
  failed: Map<string, string>;
}

/** Copy `files` into a fresh folder, run `C:\PROGRAM` from it with `mvm run`, and collect the report lines. */
function runGuest(files: readonly string[], program: string, input?: string): GuestRun {
  const drive = mkdtempSync(join(tmpdir(), 'mvm-doskrnl-guest-'));
  try {
    for (const f of files) copyFileSync(join(GUESTS, f), join(drive, f.toUpperCase()));
    const r = spawnSync(process.execPath, ['bin/mvm.js', 'run', '--drive', 'C=' + drive, 'C:\\' + program.toUpperCase()], {
      cwd: ROOT,
      input: input ?? '',
      encoding: 'utf8',
      timeout: 60_000,
    });
    const passed = new Set<string>();
    const failed = new Map<string, string>();
    for (const line of r.stdout.split(/\r?\n|\r/)) {
      const m = /^(PASS|FAIL) (\S+)(?: (\S+))?/.exec(line.trim());
      if (!m) continue;
      if (m[1] === 'PASS') passed.add(m[2]);
      else failed.set(m[2], m[3] ?? '');
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, passed, failed };
  } finally {
    rmSync(drive, { recursive: true, force: true });
  }
}

/** Every named check reported PASS and none of them FAIL (the FAIL detail shows in the diff). */
function expectPassed(run: GuestRun, names: readonly string[]): void {
  const outcome = (n: string): string => (run.failed.has(n) ? `FAIL ${run.failed.get(n)}` : run.passed.has(n) ? 'PASS' : 'missing');
  expect(Object.fromEntries(names.map((n) => [n, outcome(n)]))).toEqual(Object.fromEntries(names.map((n) => [n, 'PASS'])));
}

function expectCleanRun(run: GuestRun, checks: number): void {
  expect([...run.failed].map(([n, d]) => `FAIL ${n} ${d}`), run.stdout + run.stderr).toEqual([]);
  expect(run.passed.size).toBe(checks);
  expect(run.status).toBe(0);
}

describe('files.com: INT 21h file handles', () => {
  let run: GuestRun;
  beforeAll(() => {
    run = runGuest(['files.com'], 'files.com');
  });

  it('creates a file, writes it, seeks from start/current/end and reads the same bytes back', () => {
    expectPassed(run, [
      'create-3Ch', 'write-40h', 'write-count', 'seek-end-size', 'seek-end-size-high', 'seek-start', 'seek-current',
      'read-count', 'read-data', 'seek-current-backwards', 'read-all-count', 'read-all-compare', 'read-at-eof-zero',
      'commit-68h', 'close-3Eh',
    ]);
  });

  it('opens with access modes: a read-only handle refuses writes with 5, read/write overwrites in place', () => {
    expectPassed(run, [
      'open-read-only', 'write-to-read-only-handle', 'open-read-write', 'overwrite-in-place', 'overwrite-keeps-rest',
      'overwrite-keeps-size',
    ]);
  });

  it('keeps a date and time set on a handle after close', () => {
    expectPassed(run, ['set-file-time', 'get-file-time', 'file-time-kept', 'file-date-kept']);
  });

  it('redirects stdout into a file with dup and force-dup, sharing the file position, and restores it', () => {
    expectPassed(run, [
      'dup-stdout-45h', 'force-dup-46h', 'close-dup', 'dup-shares-position', 'redirected-output-in-file',
      'redirected-output-data',
    ]);
  });

  it('honours the read-only attribute: no open for writing, no delete (5)', () => {
    expectPassed(run, [
      'get-attributes', 'set-read-only', 'read-only-attribute-set', 'open-read-only-file-for-write',
      'delete-read-only-file', 'clear-attributes',
    ]);
  });

  it('deletes files, refuses create-new on an existing name (50h) and makes temporary files', () => {
    expectPassed(run, [
      'create-new-existing-50h', 'delete-41h', 'open-deleted-file-not-found', 'delete-missing-not-found', 'create-new-5Bh',
      'temp-file-5Ah', 'temp-file-name-filled', 'temp-file-delete-by-returned-name',
    ]);
  });

  it('extended open (6Ch) reports created/opened/replaced and fails as its action code says', () => {
    expectPassed(run, [
      'ext-open-create', 'ext-open-created-action-2', 'ext-open-exists-fails-50h', 'ext-open-open',
      'ext-open-opened-action-1', 'ext-open-keeps-contents', 'ext-open-replace', 'ext-open-replaced-action-3',
      'ext-open-replace-truncates', 'ext-open-missing-fails-2',
    ]);
  });

  it('fails with invalid handle (6), file not found (2) and path not found (3)', () => {
    expectPassed(run, [
      'close-twice-invalid-handle', 'close-invalid-handle-6', 'write-invalid-handle-6', 'open-file-not-found-2',
      'open-path-not-found-3', 'create-path-not-found-3',
    ]);
  });

  it('reports no failures and exits 0', () => {
    expectCleanRun(run, 61);
  });
});

describe('dirs.com: INT 21h drives and directories', () => {
  let run: GuestRun;
  beforeAll(() => {
    run = runGuest(['dirs.com'], 'dirs.com');
  });

  it('reports drive C as current and the root as an empty current directory', () => {
    expectPassed(run, ['current-drive-C-19h', 'select-drive-count-0Eh', 'getcwd-47h', 'getcwd-root-empty']);
  });

  it('makes directories and changes into them, failing on existing (5) and missing paths (3)', () => {
    expectPassed(run, [
      'mkdir-39h', 'mkdir-existing-5', 'mkdir-path-not-found-3', 'chdir-3Bh', 'getcwd-after-chdir',
      'chdir-path-not-found-3', 'chdir-root',
    ]);
  });

  it('returns the DTA exactly as it was set', () => {
    expectPassed(run, ['get-dta-2Fh-same-memory', 'get-dta-2Fh-same-pointer']);
  });

  it('finds files by wildcard, . and .. in a subdirectory, directories only with attribute 10h, and ends with 12h', () => {
    expectPassed(run, [
      'find-first-4Eh', 'find-next-end-12h', 'find-txt-count', 'find-txt-names', 'find-size-field',
      'find-first-no-match-12h', 'find-dot-and-dotdot', 'find-attr-10h-directories', 'find-attr-0-hides-directories',
    ]);
  });

  it('renames in place and into a subdirectory', () => {
    expectPassed(run, [
      'rename-56h', 'rename-new-name-opens', 'rename-old-name-gone-2', 'rename-into-subdirectory', 'moved-file-opens',
      'moved-file-gone-from-root-2',
    ]);
  });

  it('removes only empty directories that are not current (5, 10h)', () => {
    expectPassed(run, ['rmdir-current-dir-10h', 'rmdir-non-empty-5', 'rmdir-3Ah', 'rmdir-emptied', 'chdir-removed-3']);
  });

  it('expands a relative name with truename and reports sane free space', () => {
    expectPassed(run, ['truename-60h', 'truename-full-path', 'free-space-36h', 'free-space-invalid-drive']);
  });

  it('reports no failures and exits 0', () => {
    expectCleanRun(run, 37);
  });
});

describe('memory.com: INT 21h memory arena', () => {
  let run: GuestRun;
  beforeAll(() => {
    run = runGuest(['memory.com'], 'memory.com');
  });

  it('shrinks its own block and allocates a usable block with a proper MCB', () => {
    expectPassed(run, [
      'shrink-own-block-4Ah', 'allocate-too-much-8', 'largest-block-sane', 'allocate-48h', 'allocated-mcb-signature-M',
      'allocated-mcb-owner-psp', 'allocated-mcb-size', 'largest-shrinks-by-size-plus-1', 'block-write-read',
    ]);
  });

  it('grows a block in place keeping its contents, fails past the free memory (8) and shrinks it', () => {
    expectPassed(run, [
      'grow-block-4Ah', 'grow-keeps-contents', 'grown-mcb-size', 'grow-too-much-8', 'grow-too-much-bx-max',
      'shrink-block-4Ah', 'shrunk-mcb-size', 'split-off-block-free',
    ]);
  });

  it('keeps a well-formed MCB chain from the list of lists up to the Z block', () => {
    expectPassed(run, ['mcb-chain-signatures', 'mcb-chain-has-psp-and-block', 'mcb-chain-reaches-top']);
  });

  it('frees blocks and refuses a segment without an MCB (9)', () => {
    expectPassed(run, ['free-bogus-segment-9', 'free-49h', 'free-restores-largest']);
  });

  it('allocates with the last-fit strategy above first fit', () => {
    expectPassed(run, [
      'get-strategy-58h', 'default-strategy-first-fit', 'set-strategy-last-fit', 'strategy-reads-back',
      'last-fit-above-first-fit', 'all-freed-largest-back',
    ]);
  });

  it('reports no failures and exits 0', () => {
    expectCleanRun(run, 29);
  });
});

describe('exec.com: INT 21h EXEC of .COM and .EXE children', () => {
  let run: GuestRun;
  beforeAll(() => {
    run = runGuest(['exec.com', 'child.com', 'childexe.exe'], 'exec.com');
  });

  it('runs a .COM child with its command tail', () => {
    expect(run.stdout).toContain('child tail: [ /h5 hello]');
    expectPassed(run, ['shrink-for-exec', 'get-psp-62h', 'exec-com-4B00h', 'child-tail-length', 'child-tail-text', 'child-tail-ends-cr']);
  });

  it('gives the child a PSP with INT 20h, the parent PSP, and the environment the parent built with its name after it', () => {
    expectPassed(run, [
      'child-psp-int20', 'child-get-psp-62h', 'child-environment-from-parent', 'child-psp16-is-parent-psp',
      'child-env-string-count', 'child-program-name-after-env',
    ]);
  });

  it('returns the child exit code through 4Dh and makes the parent current again', () => {
    expectPassed(run, ['child-exit-code-4Dh', 'psp-back-after-child', 'exe-child-exit-code-4Dh']);
  });

  it('lets the child write to a handle the parent opened', () => {
    expectPassed(run, [
      'create-inherited-file', 'child-write-inherited-handle', 'child-write-inherited-count',
      'inherited-handle-position-moved', 'inherited-handle-child-wrote', 'inherited-handle-data',
    ]);
  });

  it('loads an MZ .EXE with its relocation, segments, stack and tail', () => {
    expect(run.stdout).toContain('childexe tail: [ exe]');
    expectPassed(run, [
      'exec-exe-4B00h', 'exe-cs-is-load-segment', 'exe-relocated-segment', 'exe-entry-ss', 'exe-entry-sp',
      'exe-data-segment-marker', 'exe-psp-int20', 'exe-get-psp-62h', 'exe-tail-length', 'exe-tail-text', 'exe-tail-text2',
    ]);
  });

  it('fails to run a missing program with 2', () => {
    expectPassed(run, ['exec-missing-file-2']);
  });

  it('load-only (4B01h) returns the entry CS:IP and SS:SP of a .COM and an .EXE', () => {
    expectPassed(run, [
      'load-only-com-4B01h', 'load-only-com-ip', 'load-only-com-sp', 'load-only-com-ss-is-cs', 'load-only-com-psp-int20',
      'load-only-exe-4B01h', 'load-only-exe-ip', 'load-only-exe-sp', 'load-only-exe-ss-minus-cs',
      'load-only-exe-psp-below-cs',
    ]);
  });

  it('reports no failures and exits 0 (parent and both children)', () => {
    expectCleanRun(run, 22 + 11 + 10);
  });
});

describe('console.com: INT 21h console, device and information functions', () => {
  let run: GuestRun;
  beforeAll(() => {
    run = runGuest(['console.com'], 'console.com', 'abc\r\nxyz\r\n');
  });

  it('writes characters with 02h and strings with 09h', () => {
    expectPassed(run, ['output-02h', 'output-09h']);
  });

  it('reports DOS 5.0 as both version and true version', () => {
    expectPassed(run, ['version-30h-5.0', 'true-version-3306h-5.0']);
  });

  it('returns a current date and time in range', () => {
    expectPassed(run, ['date-year-2024-or-later', 'date-month-day-weekday-in-range', 'time-in-range']);
  });

  it('returns US country information', () => {
    expectPassed(run, [
      'country-38h', 'country-code-us', 'country-date-format-mdy', 'country-currency', 'country-thousands',
      'country-decimal', 'country-time-separator',
    ]);
  });

  it('round-trips an interrupt vector and the Ctrl-Break flag', () => {
    expectPassed(run, ['vector-25h-35h-round-trip', 'vector-int-reaches-handler', 'break-flag-set-on', 'break-flag-set-off']);
  });

  it('parses file names into an FCB', () => {
    expectPassed(run, [
      'parse-29h-no-wildcards', 'parse-drive', 'parse-name-and-extension', 'parse-wildcard-al-1', 'parse-default-drive-0',
      'parse-star-to-question-marks', 'parse-si-after-name',
    ]);
  });

  it('tells the console devices from a disk file with IOCTL 4400h', () => {
    expectPassed(run, [
      'ioctl-stdin-console-input-device', 'ioctl-stdout-console-output-device', 'open-con', 'ioctl-con-is-console-device',
      'ioctl-file-not-device-drive-c',
    ]);
  });

  it('reads piped stdin lines through handle 0 and buffered input, then finds no more keys', () => {
    expectPassed(run, [
      'read-stdin-3Fh', 'read-stdin-line-length', 'read-stdin-text', 'read-stdin-text2', 'read-stdin-crlf',
      'buffered-input-0Ah-count', 'buffered-input-text', 'buffered-input-text2', 'buffered-input-ends-cr',
      'direct-input-06h-nothing-waiting', 'input-status-0Bh-none',
    ]);
  });

  it('reports no failures and exits 0', () => {
    expectCleanRun(run, 41);
  });
});
