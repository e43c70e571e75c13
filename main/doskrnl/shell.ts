/**
 * COMMAND, the host half of DOSKRNL's shell (the guest half is firmware/doskrnl/command.ts). One Shell per
 * running COMMAND process: it reads lines (typed at the prompt, from /C or /K, from batch files), expands
 * %variables%, handles redirection and pipes, runs internal commands itself and hands external ones to the
 * guest stub, which EXECs them as real child processes.
 *
 * Internal commands: CD/CHDIR, CLS, COPY (concatenation with +, /B /A), DATE, DEL/ERASE, DIR (/W /P /S /B
 * /A[attrs] /O[order]), ECHO, EXIT, LH/LOADHIGH, MD/MKDIR, PATH, PAUSE, PROMPT, RD/RMDIR, REM, REN/RENAME,
 * SET, TIME, TRUENAME, TYPE, VER, VOL, and X: to change drive. Batch files: %0-%9, %VAR%, @, ECHO OFF/ON,
 * IF [NOT] ERRORLEVEL n / EXIST f / a==b, GOTO, CALL, SHIFT, FOR %%x IN (set) DO cmd, PAUSE, REM.
 * External commands: PATH search in the current directory then PATH, .COM before .EXE before .BAT.
 * LOADHIGH runs a program with the UMBs linked and the high-first strategy (DOS_UMB), as DOS 5's COMMAND
 * does, and puts both back when the EXEC returns; without UMBs the program loads low.
 */
import { ShellLayout } from '../../firmware/doskrnl/command.js';
import { Strategy } from './arena.js';
import { DosError, DosFail } from './dos.js';
import type { DirEntry } from './drives.js';
import type { Kernel } from './kernel.js';
import { buildEnvironment } from './loader.js';

interface Batch {
  path: string;
  lines: string[];
  next: number;
  args: string[];
}

/** A redirection in force for one command: the saved handles to put back afterwards. */
interface Saved {
  handle: number;
  copy: number;
}

/** What the guest stub should do after a step. */
export const StepAction = { again: 0, exec: 1, exit: 2 } as const;

export class Shell {
  private echo = true;
  private prompt = '$P$G';
  private batches: Batch[] = [];
  private queue: string[] = [];
  private exitAfterQueue = false;
  private promptShown = false;
  private errorlevel = 0;
  private restore: Saved[] = [];
  /** Temp files of a pipe: delete after the command that reads it. */
  private pipeFiles: string[] = [];
  /** A pipe's remaining stages, run one after another. */
  private pipeRest: string[] = [];
  private execEnvSeg = 0;
  /** LOADHIGH: the next EXEC allocates in upper memory first. */
  private loadHighNext = false;
  /** The UMB link and strategy LOADHIGH changed, to put back when its EXEC returns. */
  private afterLoadHigh: { linked: boolean; strategy: number } | undefined;
  /** PAUSE waits for a key. */
  private pausing = false;
  /** DIR /P: lines still to show, a screenful at a time. */
  private paged: string[] = [];
  private capture: string[] | undefined;
  readonly env: Map<string, string>;

  constructor(
    private readonly k: Kernel,
    readonly psp: number,
    tail: string,
    environment: string[],
  ) {
    this.env = new Map();
    for (const e of environment) {
      const i = e.indexOf('=');
      if (i > 0) this.env.set(e.slice(0, i).toUpperCase(), e.slice(i + 1));
    }
    const t = tail.trim();
    const c = /^\/([CK])\s*(.*)$/is.exec(t.replace(/^\/P\s*/i, ''));
    if (c) {
      this.queue.push(c[2]);
      this.exitAfterQueue = c[1].toUpperCase() === 'C';
    } else {
      if (/\/P/i.test(t)) {
        const auto = this.find('AUTOEXEC.BAT');
        if (auto) this.queue.push(auto);
      }
      this.out('\r\nMVM Desktop DOS\r\n');
    }
  }

  // ---- output through the shell's handle 1 (so `DIR > FILE` works)
  private out(text: string): void {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    this.k.files.writeTo(1, bytes);
  }
  private line(text = ''): void {
    if (this.capture) this.capture.push(text);
    else this.out(text + '\r\n');
  }

  /** Show paged lines up to a screenful, then wait for a key if more remain. */
  private flushPage(): void {
    for (const l of this.paged.splice(0, 23)) this.out(l + '\r\n');
    if (this.paged.length > 0) {
      this.out('Press any key to continue . . .');
      this.pausing = true;
    }
  }
  private error(text: string): void {
    // DOS's COMMAND writes its messages to stdout too; keep that, so scripts see them in the same stream.
    this.line(text);
  }

  /** One step: returns the action for the guest stub, or 'wait' while a line is typed. */
  step(): number | 'wait' {
    if (this.pausing) {
      const key = this.k.console.serve(0x08);
      if (key === 'wait') return 'wait';
      this.pausing = false;
      this.out('\r\n');
      if (this.paged.length > 0) {
        this.flushPage();
        if (this.pausing) return StepAction.again;
      }
    }
    for (;;) {
      const line = this.nextLine();
      if (line === 'wait') return 'wait';
      if (line === undefined) return this.exit(this.errorlevel);
      const action = this.run(line);
      if (action !== StepAction.again || this.pausing) return action;
    }
  }

  private exit(code: number): number {
    this.k.vdh.writeByte(this.psp * 16 + ShellLayout.exitCode, code & 0xff);
    return StepAction.exit;
  }

  /** The next command line: a pipe's next stage, the batch file's, the queue's, or typed at the prompt. */
  private nextLine(): string | 'wait' | undefined {
    if (this.pipeRest.length > 0) return this.pipeRest.shift()!;
    while (this.batches.length > 0) {
      const b = this.batches[this.batches.length - 1];
      if (b.next >= b.lines.length) {
        this.batches.pop();
        continue;
      }
      let text = b.lines[b.next++];
      const silent = text.trimStart().startsWith('@');
      if (silent) text = text.trimStart().slice(1);
      if (this.echo && !silent && text.trim() !== '' && !/^\s*:/.test(text)) this.line(this.promptText() + text);
      return text;
    }
    if (this.queue.length > 0) return this.queue.shift()!;
    if (this.exitAfterQueue) return undefined;
    if (!this.promptShown) {
      this.out(this.promptText());
      this.promptShown = true;
    }
    const got = this.k.console.editLine(128);
    if (got === 'wait') return 'wait';
    this.promptShown = false;
    this.out('\r\n');
    if (got === 'ctrl-c') return '';
    return String.fromCharCode(...got);
  }

  private promptText(): string {
    const fs = this.k.fs;
    const drive = String.fromCharCode(65 + fs.currentDrive);
    return this.prompt.replace(/\$(.)/g, (_, c: string) => {
      switch (c.toUpperCase()) {
        case 'P':
          return `${drive}:${fs.cwd(fs.currentDrive)}`;
        case 'N':
          return drive;
        case 'G':
          return '>';
        case 'L':
          return '<';
        case 'B':
          return '|';
        case 'Q':
          return '=';
        case '$':
          return '$';
        case '_':
          return '\r\n';
        case 'V':
          return `MVM Desktop DOS ${this.k.version[0]}.${String(this.k.version[1]).padStart(2, '0')}`;
        case 'D':
          return new Date().toLocaleDateString('en-US');
        case 'T':
          return new Date().toLocaleTimeString('en-GB');
        case 'E':
          return '\x1b';
        case 'H':
          return '\b';
        default:
          return '';
      }
    });
  }

  /** %0-%9 and %VAR% (%% is a single %). */
  private expand(text: string): string {
    const batch = this.batches[this.batches.length - 1];
    return text.replace(/%(%|[0-9]|[^%\s]+%)/g, (m, what: string) => {
      if (what === '%') return '%';
      if (/^[0-9]$/.test(what)) return batch?.args[Number(what)] ?? '';
      const name = what.slice(0, -1).toUpperCase();
      return this.env.get(name) ?? '';
    });
  }

  /** Run one line; returns StepAction.exec when the stub must EXEC a program. */
  private run(raw: string): number {
    let line = this.expand(raw).trim();
    if (line === '' || line.startsWith(':')) return StepAction.again;
    // Pipes: every stage but the last writes a temp file the next one reads.
    const stages = splitOutsideQuotes(line, '|');
    if (stages.length > 1) {
      const tmp = this.tempName();
      this.pipeRest = stages.slice(1).map((s, i) => `${s.trim()} <${i === 0 ? tmp : ''}`);
      this.pipeFiles.push(tmp);
      line = `${stages[0].trim()} >${tmp}`;
      // Later stages chain through further temp files.
      for (let i = 1; i < this.pipeRest.length; i++) {
        const t = this.tempName();
        this.pipeFiles.push(t);
        this.pipeRest[i - 1] = this.pipeRest[i - 1].replace(/<$/, `<${this.pipeFiles[i - 1]}`) + ` >${t}`;
        this.pipeRest[i] = `${stages[i + 1].trim()} <${t}`;
      }
    }
    const redirect = this.parseRedirection(line);
    if (typeof redirect === 'string') {
      this.error(redirect);
      return StepAction.again;
    }
    line = redirect.rest;
    try {
      this.applyRedirection(redirect);
    } catch (e) {
      this.undoRedirection();
      this.error(e instanceof DosFail ? dosMessage(e.code) : (e as Error).message);
      return StepAction.again;
    }
    let action: number = StepAction.again;
    try {
      action = this.command(line);
    } catch (e) {
      if (!(e instanceof DosFail)) throw e;
      this.error(dosMessage(e.code));
    } finally {
      if (action !== StepAction.exec) this.afterCommand();
    }
    return action;
  }

  private afterCommand(): void {
    this.undoRedirection();
    if (this.pipeRest.length === 0) {
      for (const f of this.pipeFiles.splice(0)) {
        try {
          this.k.fs.unlink(this.k.fs.resolve(f));
        } catch {
          // already gone
        }
      }
    }
  }

  private tempName(): string {
    const dir = this.env.get('TEMP') ?? this.env.get('TMP') ?? `${String.fromCharCode(65 + this.k.fs.currentDrive)}:\\`;
    return `${dir.replace(/\\$/, '')}\\PIPE${(Math.random() * 0xffff) | 0}.TMP`.replace(/^([A-Z]:)([^\\])/, '$1\\$2');
  }

  private parseRedirection(line: string): { rest: string; input?: string; output?: string; append: boolean } | string {
    let input: string | undefined;
    let output: string | undefined;
    let append = false;
    let rest = '';
    let i = 0;
    let quoted = false;
    while (i < line.length) {
      const c = line[i];
      if (c === '"') quoted = !quoted;
      if (!quoted && (c === '<' || c === '>')) {
        let j = i + 1;
        const isAppend = c === '>' && line[j] === '>';
        if (isAppend) j++;
        while (line[j] === ' ') j++;
        let name = '';
        while (j < line.length && !' <>|'.includes(line[j])) name += line[j++];
        if (!name) return 'Syntax error';
        if (c === '<') input = name;
        else {
          output = name;
          append = isAppend;
        }
        i = j;
        continue;
      }
      rest += c;
      i++;
    }
    return { rest: rest.trim(), input, output, append };
  }

  private applyRedirection(r: { input?: string; output?: string; append: boolean }): void {
    const t = this.k.files;
    if (r.input) {
      const h = t.open(r.input, 0);
      this.restore.push({ handle: 0, copy: t.duplicate(0) });
      t.forceDuplicate(h, 0);
      t.close(h);
    }
    if (r.output) {
      let h: number;
      if (r.append) {
        try {
          h = t.open(r.output, 1);
          const { e } = t.entry(h);
          e.pos = e.file?.size() ?? 0;
        } catch (err) {
          if (!(err instanceof DosFail) || err.code !== DosError.fileNotFound) throw err;
          h = t.open(r.output, 2, 'truncate');
        }
      } else h = t.open(r.output, 2, 'truncate');
      this.restore.push({ handle: 1, copy: t.duplicate(1) });
      t.forceDuplicate(h, 1);
      t.close(h);
    }
  }

  private undoRedirection(): void {
    const t = this.k.files;
    for (const s of this.restore.splice(0).reverse()) {
      t.forceDuplicate(s.copy, s.handle);
      t.close(s.copy);
    }
  }

  /** The EXEC came back (the stub's second SVC): the child's return code, or why it could not run. */
  execDone(): void {
    const k = this.k;
    const r = k.vdh.getRegisters();
    if (r.eflags & 1) {
      const code = r.eax & 0xffff;
      this.error(code === DosError.fileNotFound || code === DosError.pathNotFound ? 'Bad command or file name' : dosMessage(code));
      this.errorlevel = 1;
    } else {
      this.errorlevel = k.processes.returnCode & 0xff;
      k.processes.returnCode = 0;
    }
    if (this.execEnvSeg) {
      k.arena.free(this.execEnvSeg);
      this.execEnvSeg = 0;
    }
    if (this.afterLoadHigh) {
      const { linked, strategy } = this.afterLoadHigh;
      this.afterLoadHigh = undefined;
      k.arena.strategy = strategy;
      try {
        k.highMemory.setLink(linked);
      } catch (e) {
        if (!(e instanceof DosFail)) throw e; // the program broke the chain; DOS would not get further either
      }
    }
    this.afterCommand();
  }

  // ---- commands

  private command(line: string): number {
    const drive = /^([A-Za-z]):$/.exec(line);
    if (drive) {
      const d = drive[1].toUpperCase().charCodeAt(0) - 65;
      if (!this.k.fs.hasDrive(d)) this.error('Invalid drive specification');
      else this.k.fs.currentDrive = d;
      return StepAction.again;
    }
    const m = /^([^\s/=,;+"<>|]*)(.*)$/s.exec(line)!;
    let name = m[1];
    let args = m[2];
    // "ECHO." and "CD\" style: the command name ends at a dot or backslash for internal commands
    const internal = /^(echo|cd|chdir|md|mkdir|rd|rmdir|dir|type|del|erase|ren|rename|set|path|prompt|cls|ver|vol|date|time|exit|rem|pause|goto|call|shift|if|for|copy|truename|lh|loadhigh)(?=[.\\:]|$)/i.exec(name);
    if (internal && internal[1].length < name.length) {
      args = name.slice(internal[1].length) + args;
      name = internal[1];
    }
    const argv = splitArgs(args);
    switch (name.toUpperCase()) {
      case 'REM':
        return StepAction.again;
      case 'ECHO': {
        const text = args.replace(/^[\s.]/, '');
        if (args.trim() === '') this.line(`ECHO is ${this.echo ? 'on' : 'off'}`);
        else if (/^\s*off\s*$/i.test(args) && !args.startsWith('.')) this.echo = false;
        else if (/^\s*on\s*$/i.test(args) && !args.startsWith('.')) this.echo = true;
        else this.line(text);
        return StepAction.again;
      }
      case 'CLS':
        if (this.k.files.isConsole(1)) {
          const video = this.k.vdh.openVdd('VVIDEO');
          if (video) this.k.vdh.requestVdd(video, 5);
        } else this.out('\f');
        return StepAction.again;
      case 'VER':
        this.line(`\r\nMVM Desktop DOS version ${this.k.version[0]}.${String(this.k.version[1]).padStart(2, '0')}\r\n`);
        return StepAction.again;
      case 'VOL': {
        const d = argv[0] ? argv[0].toUpperCase().charCodeAt(0) - 65 : this.k.fs.currentDrive;
        this.line(` Volume in drive ${String.fromCharCode(65 + d)} is DRIVE_${String.fromCharCode(65 + d)}`);
        return StepAction.again;
      }
      case 'CD':
      case 'CHDIR':
        if (argv.length === 0) this.line(`${String.fromCharCode(65 + this.k.fs.currentDrive)}:${this.k.fs.cwd(this.k.fs.currentDrive)}`);
        else this.k.fs.chdir(argv[0]);
        return StepAction.again;
      case 'MD':
      case 'MKDIR':
        if (!argv[0]) return this.syntax();
        this.k.fs.mkdir(this.k.fs.resolve(argv[0]));
        return StepAction.again;
      case 'RD':
      case 'RMDIR':
        if (!argv[0]) return this.syntax();
        this.k.fs.rmdir(this.k.fs.resolve(argv[0]));
        return StepAction.again;
      case 'DEL':
      case 'ERASE':
        return this.del(argv);
      case 'REN':
      case 'RENAME':
        return this.ren(argv);
      case 'TYPE':
        return this.type(argv);
      case 'COPY':
        return this.copy(args);
      case 'DIR':
        return this.dir(argv);
      case 'SET':
        return this.set(args);
      case 'PATH':
        if (args.trim() === '') this.line(`PATH=${this.env.get('PATH') ?? ''}`);
        else this.env.set('PATH', args.trim().replace(/^=/, '').replace(/^;$/, ''));
        return StepAction.again;
      case 'PROMPT':
        this.prompt = args.trim() || '$P$G';
        return StepAction.again;
      case 'DATE':
        this.line(`Current date is ${new Date().toLocaleDateString('en-US', { weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit' })}`);
        return StepAction.again;
      case 'TIME':
        this.line(`Current time is ${new Date().toLocaleTimeString('en-GB')}`);
        return StepAction.again;
      case 'TRUENAME':
        this.line(this.k.fs.truename(argv[0] ?? '.'));
        return StepAction.again;
      case 'EXIT':
        this.batches = [];
        this.queue = [];
        this.exitAfterQueue = true;
        return StepAction.again;
      case 'PAUSE':
        this.out('Press any key to continue . . .');
        this.pausing = true;
        return StepAction.again;
      case 'GOTO':
        return this.goto(argv[0] ?? '');
      case 'SHIFT': {
        const b = this.batches[this.batches.length - 1];
        if (b) b.args.shift();
        return StepAction.again;
      }
      case 'CALL':
        return this.command(args.trim());
      case 'IF':
        return this.ifCommand(args);
      case 'FOR':
        return this.forCommand(args);
      case 'LH':
      case 'LOADHIGH':
        this.loadHighNext = this.k.arena.upperRoot !== undefined;
        try {
          // MS-DOS 6's region options (/L:n[,size];... and /S) choose among UMBs; here any UMB will do.
          return this.command(args.trim().replace(/^(?:(?:\/L:\S*|\/S)\s+)+/i, ''));
        } finally {
          this.loadHighNext = false;
        }
      default:
        return this.external(name, args);
    }
  }

  private syntax(): number {
    this.error('Required parameter missing');
    return StepAction.again;
  }

  private set(args: string): number {
    const a = args.trim();
    if (a === '') {
      for (const [k, v] of this.env) this.line(`${k}=${v}`);
      return StepAction.again;
    }
    const i = a.indexOf('=');
    if (i <= 0) return this.syntax();
    const name = a.slice(0, i).trim().toUpperCase();
    const value = a.slice(i + 1);
    if (value === '') this.env.delete(name);
    else this.env.set(name, value);
    return StepAction.again;
  }

  private goto(label: string): number {
    const b = this.batches[this.batches.length - 1];
    if (!b) return StepAction.again;
    const want = label.replace(/^:/, '').toUpperCase().slice(0, 8);
    const at = b.lines.findIndex((l) => l.trim().startsWith(':') && l.trim().slice(1).split(/\s/)[0].toUpperCase().slice(0, 8) === want);
    if (at < 0) {
      this.error('Label not found');
      this.batches.pop();
    } else b.next = at + 1;
    return StepAction.again;
  }

  private ifCommand(args: string): number {
    let rest = args.trim();
    let not = false;
    if (/^not\s/i.test(rest)) {
      not = true;
      rest = rest.slice(3).trim();
    }
    let result: boolean;
    let m: RegExpExecArray | null;
    if ((m = /^errorlevel\s+(\d+)\s+(.*)$/is.exec(rest))) {
      result = this.errorlevel >= Number(m[1]);
      rest = m[2];
    } else if ((m = /^exist\s+(\S+)\s+(.*)$/is.exec(rest))) {
      result = this.exists(m[1]);
      rest = m[2];
    } else if ((m = /^("[^"]*"|[^=\s]*)\s*==\s*("[^"]*"|\S*)\s+(.*)$/s.exec(rest))) {
      result = m[1] === m[2];
      rest = m[3];
    } else return this.syntax();
    return result !== not ? this.command(rest.trim()) : StepAction.again;
  }

  private exists(path: string): boolean {
    try {
      const r = this.k.fs.resolve(path, { wildcards: true });
      if (r.device) return true;
      if (/[*?]/.test(path)) {
        const cut = r.dosPath.lastIndexOf('\\');
        return this.k.fs.list(this.k.fs.resolve(r.dosPath.slice(0, cut) || r.dosPath.slice(0, 3)), r.dosPath.slice(cut + 1), 0x27).length > 0;
      }
      return this.k.fs.stat(r) !== undefined;
    } catch {
      return false;
    }
  }

  private forCommand(args: string): number {
    const m = /^%%?([A-Za-z])\s+in\s+\(([^)]*)\)\s+do\s+(.*)$/is.exec(args.trim());
    if (!m) return this.syntax();
    const variable = m[1];
    const items: string[] = [];
    for (const item of splitArgs(m[2])) {
      if (/[*?]/.test(item)) items.push(...this.glob(item).map((e) => e.name));
      else items.push(item);
    }
    const body = m[3];
    const lines = items.map((item) => body.replace(new RegExp(`%%?${variable}`, 'g'), item));
    // Run them as a little batch of their own, so external commands among them take their turn.
    this.batches.push({ path: '(FOR)', lines: lines.map((l) => '@' + l), next: 0, args: this.batches[this.batches.length - 1]?.args ?? [] });
    return StepAction.again;
  }

  private glob(pattern: string): DirEntry[] {
    const fs = this.k.fs;
    const cut = Math.max(pattern.lastIndexOf('\\'), pattern.lastIndexOf(':'));
    const dir = cut >= 0 ? pattern.slice(0, cut + 1) : '';
    const mask = pattern.slice(cut + 1) || '*.*';
    const where = dir === '' ? '.' : dir.endsWith(':') ? dir + '.' : /^([A-Za-z]:)?\\$/.test(dir) ? dir : dir.slice(0, -1);
    return fs.list(fs.resolve(where), mask, 0x01).filter((e) => !(e.attr & 0x10)).map((e) => ({ ...e, name: dir + e.name }));
  }

  private del(argv: string[]): number {
    if (!argv[0]) return this.syntax();
    const files = /[*?]/.test(argv[0]) ? this.glob(argv[0]).map((e) => e.name) : [argv[0]];
    if (files.length === 0) this.error('File not found');
    for (const f of files) this.k.fs.unlink(this.k.fs.resolve(f));
    return StepAction.again;
  }

  private ren(argv: string[]): number {
    if (argv.length < 2) return this.syntax();
    const from = this.k.fs.resolve(argv[0]);
    const dir = from.dosPath.slice(0, from.dosPath.lastIndexOf('\\'));
    this.k.fs.rename(from, this.k.fs.resolve(`${dir}\\${argv[1]}`));
    return StepAction.again;
  }

  private readAll(path: string): Uint8Array {
    const r = this.k.fs.resolve(path);
    if (r.device) throw new DosFail(DosError.accessDenied);
    const f = this.k.fs.openFile(r, 'read');
    try {
      return f.read(0, f.size());
    } finally {
      f.close();
    }
  }

  private type(argv: string[]): number {
    if (!argv[0]) return this.syntax();
    const data = this.readAll(argv[0]);
    const end = data.indexOf(0x1a);
    this.k.files.writeTo(1, end >= 0 ? data.subarray(0, end) : data);
    return StepAction.again;
  }

  private copy(args: string): number {
    const parts = splitArgs(args.replace(/\+/g, ' + ')).filter((a) => !/^\/[AVBY-]$/i.test(a) && !/^\/-Y$/i.test(a));
    const binary = /\/B/i.test(args);
    const plus = parts.indexOf('+') >= 0;
    const sources: string[] = [];
    let target: string | undefined;
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === '+') continue;
      if (i === parts.length - 1 && i > 0 && parts[i - 1] !== '+') target = parts[i];
      else sources.push(parts[i]);
    }
    if (sources.length === 0) return this.syntax();
    const fs = this.k.fs;
    let copied = 0;
    if (plus) {
      const chunks: Uint8Array[] = [];
      for (const s of sources) {
        let data = this.readAll(s);
        if (!binary) {
          const end = data.indexOf(0x1a);
          if (end >= 0) data = data.subarray(0, end);
        }
        chunks.push(data);
      }
      const dest = target ?? sources[0];
      const out = fs.openFile(fs.resolve(dest), 'readwrite', 'truncate');
      let pos = 0;
      for (const c of chunks) {
        out.write(pos, c);
        pos += c.length;
      }
      out.close();
      copied = 1;
    } else {
      const list = /[*?]/.test(sources[0]) ? this.glob(sources[0]).map((e) => e.name) : [sources[0]];
      for (const src of list) {
        const data = this.readAll(src);
        const baseName = src.split(/[\\:]/).pop()!;
        let dest = target ?? baseName;
        const destResolved = fs.resolve(dest);
        const st = destResolved.device ? undefined : fs.stat(destResolved);
        if (st && st.attr & 0x10) dest = `${destResolved.dosPath}\\${baseName}`;
        if (fs.resolve(dest).dosPath === fs.resolve(src).dosPath) {
          this.error('File cannot be copied onto itself');
          continue;
        }
        const r = fs.resolve(dest);
        if (r.device === 'CON') this.k.files.writeTo(1, data);
        else if (!r.device) {
          const out = fs.openFile(r, 'readwrite', 'truncate');
          out.write(0, data);
          out.close();
        }
        copied++;
      }
    }
    this.line(`        ${copied} file(s) copied`);
    return StepAction.again;
  }

  private dir(argv: string[]): number {
    const fs = this.k.fs;
    const opts = argv.filter((a) => a.startsWith('/')).map((a) => a.toUpperCase());
    const target = argv.find((a) => !a.startsWith('/')) ?? '*.*';
    const bare = opts.includes('/B');
    const wide = opts.includes('/W');
    const attrOpt = opts.find((o) => o.startsWith('/A'));
    const orderOpt = opts.find((o) => o.startsWith('/O'));
    const sub = opts.includes('/S');
    if (opts.includes('/P') && this.k.files.isConsole(1)) {
      this.capture = [];
      try {
        this.dir(argv.filter((a) => a.toUpperCase() !== '/P'));
      } finally {
        this.paged = this.capture ?? [];
        this.capture = undefined;
      }
      this.flushPage();
      return StepAction.again;
    }
    let dirPath: string;
    let mask: string;
    const r = fs.resolve(target, { wildcards: true });
    const st = !/[*?]/.test(target) && !r.device ? fs.stat(r) : undefined;
    if (st && st.attr & 0x10) {
      dirPath = r.dosPath;
      mask = '*.*';
    } else {
      const cut = r.dosPath.lastIndexOf('\\');
      dirPath = r.dosPath.slice(0, cut) || r.dosPath.slice(0, 2);
      if (/^[A-Z]:$/.test(dirPath)) dirPath += '\\';
      mask = r.dosPath.slice(cut + 1) || '*.*';
      if (!mask.includes('.')) mask += '.*';
    }
    let attrMask = 0x16;
    let want = (e: DirEntry): boolean => !(e.attr & 0x06);
    if (attrOpt) {
      const spec = attrOpt.slice(2).replace(/^:/, '');
      want = (e) =>
        [...spec.matchAll(/(-?)([DRHSA])/g)].every(([, neg, a]) => {
          const bit = { D: 0x10, R: 0x01, H: 0x02, S: 0x04, A: 0x20 }[a as 'D' | 'R' | 'H' | 'S' | 'A'];
          return neg ? !(e.attr & bit) : (e.attr & bit) !== 0;
        });
      attrMask = 0x37;
    }
    const dirs: string[] = [dirPath];
    let totalFiles = 0;
    let totalBytes = 0;
    let any = false;
    if (!bare) {
      const letter = dirPath[0];
      this.line(` Volume in drive ${letter} is DRIVE_${letter}`);
    }
    while (dirs.length > 0) {
      const d = dirs.shift()!;
      let entries = fs.list(fs.resolve(d), mask, attrMask).filter(want);
      if (orderOpt) entries = sortEntries(entries, orderOpt.slice(2).replace(/^:/, '') || 'N');
      if (sub) {
        for (const e of fs.list(fs.resolve(d), '*.*', 0x16)) if (e.attr & 0x10 && e.name !== '.' && e.name !== '..') dirs.push(`${d.replace(/\\$/, '')}\\${e.name}`);
      }
      if (entries.length === 0) continue;
      any = true;
      if (!bare) this.line(` Directory of ${d}\r\n`);
      let files = 0;
      let bytes = 0;
      const wideLine: string[] = [];
      for (const e of entries) {
        const isDir = (e.attr & 0x10) !== 0;
        if (!isDir) {
          files++;
          bytes += e.size;
        }
        if (bare) {
          if (e.name !== '.' && e.name !== '..') this.line(sub ? `${d.replace(/\\$/, '')}\\${e.name}` : e.name);
          continue;
        }
        if (wide) {
          wideLine.push((isDir ? `[${e.name}]` : e.name).padEnd(16));
          if (wideLine.length === 5) this.line(wideLine.splice(0).join(''));
          continue;
        }
        const [base, ext = ''] = e.name === '.' || e.name === '..' ? [e.name, ''] : e.name.split('.');
        const size = isDir ? '<DIR>'.padEnd(14) : e.size.toLocaleString('en-US').padStart(14);
        this.line(`${base.padEnd(8)} ${ext.padEnd(3)} ${size} ${formatDate(e.mtime)}`);
      }
      if (wideLine.length) this.line(wideLine.join(''));
      if (!bare) this.line(`${String(files).padStart(9)} file(s) ${bytes.toLocaleString('en-US').padStart(14)} bytes`);
      totalFiles += files;
      totalBytes += bytes;
    }
    if (!any) {
      this.line('File not found');
      return StepAction.again;
    }
    if (!bare) {
      const s = fs.freeSpace(dirPath.charCodeAt(0) - 65);
      if (sub) this.line(`\r\n     Total files listed:\r\n${String(totalFiles).padStart(9)} file(s) ${totalBytes.toLocaleString('en-US').padStart(14)} bytes`);
      this.line(`${' '.repeat(18)}${(s.freeClusters * s.sectorsPerCluster * s.bytesPerSector).toLocaleString('en-US').padStart(14)} bytes free`);
    }
    return StepAction.again;
  }

  /** Find a program: the current directory, then PATH; .COM, .EXE, .BAT. */
  private find(name: string): string | undefined {
    const fs = this.k.fs;
    const hasExt = /\.[^\\]*$/.test(name.split('\\').pop() ?? '');
    const exts = hasExt ? [''] : ['.COM', '.EXE', '.BAT'];
    const dirs = name.includes('\\') || name.includes(':') ? [''] : ['', ...(this.env.get('PATH') ?? '').split(';').filter(Boolean)];
    for (const dir of dirs) {
      for (const ext of exts) {
        const candidate = dir ? `${dir.replace(/\\$/, '')}\\${name}${ext}` : `${name}${ext}`;
        try {
          const r = fs.resolve(candidate);
          if (!r.device && fs.stat(r) && !(fs.stat(r)!.attr & 0x10)) return r.dosPath;
        } catch {
          // not there, or a path DOS refuses: keep looking
        }
      }
    }
    return undefined;
  }

  private external(name: string, args: string): number {
    const path = this.find(name);
    if (!path) {
      this.error('Bad command or file name'); // ERRORLEVEL stays as it was, as in MS-DOS
      return StepAction.again;
    }
    if (path.endsWith('.BAT')) {
      const text = new TextDecoder('latin1').decode(this.readAll(path));
      const lines = text.split(/\r?\n/).map((l) => l.replace(/\x1a.*$/, ''));
      if (this.batches.length > 0 && !/^call\b/i.test(name)) this.batches.pop(); // a batch started from a batch replaces it (no CALL)
      this.batches.push({ path, lines, next: 0, args: [path, ...splitArgs(args)] });
      return StepAction.again;
    }
    // Fill the stub's EXEC area: path, tail, parameter block with a fresh environment and blank FCBs.
    const v = this.k.vdh;
    const base = this.psp * 16;
    this.k.writeAsciiz(base + ShellLayout.path, path);
    const tail = args.length > 0 && !args.startsWith(' ') ? ' ' + args : args;
    const t = tail.slice(0, 126);
    v.writeByte(base + ShellLayout.tail, t.length);
    this.k.writeAsciiz(base + ShellLayout.tail + 1, t + '\r');
    const env = buildEnvironment([...this.env].map(([k, val]) => `${k}=${val}`), path);
    const arena = this.k.arena;
    this.execEnvSeg = arena.allocate((env.length + 15) >>> 4, this.psp);
    v.writeGuest(this.execEnvSeg * 16, env);
    if (this.loadHighNext) {
      // After the shell's own copy of the environment (freed when the EXEC returns), so it stays low.
      const saved = { linked: arena.upperLinked, strategy: arena.strategy };
      try {
        this.k.highMemory.setLink(true);
      } catch (e) {
        arena.free(this.execEnvSeg);
        this.execEnvSeg = 0;
        throw e;
      }
      this.afterLoadHigh = saved;
      arena.strategy = Strategy.highFirst;
    }
    const blank = Uint8Array.from([0, ...new Array(11).fill(0x20), 0, 0, 0, 0]);
    v.writeGuest(base + ShellLayout.fcb1, blank);
    v.writeGuest(base + ShellLayout.fcb2, blank);
    const p = base + ShellLayout.param;
    v.writeWord(p, this.execEnvSeg);
    v.writeWord(p + 2, ShellLayout.tail);
    v.writeWord(p + 4, this.psp);
    v.writeWord(p + 6, ShellLayout.fcb1);
    v.writeWord(p + 8, this.psp);
    v.writeWord(p + 10, ShellLayout.fcb2);
    v.writeWord(p + 12, this.psp);
    return StepAction.exec;
  }
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const c of s) {
    if (c === '"') q = !q;
    if (c === sep && !q) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Split command arguments on blanks, commas, semicolons and '=' (DOS's delimiters), keeping quotes. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (const c of s) {
    if (c === '"') q = !q;
    if (!q && (c === ' ' || c === '\t' || c === ',' || c === ';')) {
      if (cur) out.push(cur);
      cur = '';
      continue;
    }
    if (!q && c === '/' && cur !== '') {
      out.push(cur);
      cur = '/';
      continue;
    }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function sortEntries(entries: DirEntry[], spec: string): DirEntry[] {
  const keys = [...spec.toUpperCase().matchAll(/(-?)([NESDG])/g)];
  return [...entries].sort((a, b) => {
    for (const [, neg, key] of keys) {
      let c = 0;
      if (key === 'N') c = a.name.localeCompare(b.name);
      else if (key === 'E') c = (a.name.split('.')[1] ?? '').localeCompare(b.name.split('.')[1] ?? '');
      else if (key === 'S') c = a.size - b.size;
      else if (key === 'D') c = a.mtime.getTime() - b.mtime.getTime();
      else if (key === 'G') c = (b.attr & 0x10) - (a.attr & 0x10);
      if (c !== 0) return neg ? -c : c;
    }
    return 0;
  });
}

function formatDate(d: Date): string {
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  const yy = String(d.getFullYear() % 100).padStart(2, '0');
  let h = d.getHours();
  const ap = h >= 12 ? 'p' : 'a';
  h = h % 12 || 12;
  return `${mm}-${dd}-${yy}  ${String(h).padStart(2)}:${String(d.getMinutes()).padStart(2, '0')}${ap}`;
}

function dosMessage(code: number): string {
  switch (code) {
    case DosError.fileNotFound:
      return 'File not found';
    case DosError.pathNotFound:
      return 'Path not found';
    case DosError.accessDenied:
      return 'Access denied';
    case DosError.invalidDrive:
      return 'Invalid drive specification';
    case DosError.fileExists:
      return 'File exists';
    case DosError.notEnoughMemory:
      return 'Insufficient memory';
    case DosError.badFormat:
      return 'Program too big to fit in memory';
    case DosError.currentDirectory:
      return 'Attempt to remove current directory';
    default:
      return `DOS error ${code}`;
  }
}
