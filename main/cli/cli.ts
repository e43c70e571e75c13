/**
 * The `mvm` command (bin/mvm.js launches the compiled form of this file). Each command is a function that
 * returns the process exit code; commands that need parts not written yet say so instead of pretending.
 */
import * as pathModule from 'node:path';
import { unescapeKeys } from '../mvm/boot.js';
import { CPU_MODELS, version } from '../web/info.js';
import { LIBRARY_USAGE, libraryCommand } from './library-command.js';

const USAGE = `usage: mvm <command> [options]

commands available now:
  mvm --version          print the version
  mvm help               print this help
  mvm serve [--port N]   serve the desktop UI on http://127.0.0.1 (a free port unless told)
  mvm boot [--floppy IMG] [--hdd IMG] [--keys TEXT] [--until TEXT] [--timeout S] [--screen]
           [--model 8086|186|286|386] [--memory MB] [--paced] [--setting NAME=VALUE]...
           [--bios ROM [--vga-bios ROM]]
                         boot a PC from disk images headless; type TEXT (\r = Enter) whenever the guest
                         waits for a key; stop when TEXT is on the screen or after S seconds (default 30);
                         print the final text screen with --screen. Exit 0 when --until was seen.
                         --bios runs that BIOS image (SeaBIOS's bios.bin, say) instead of MVM's own, with
                         --vga-bios as its video BIOS (vgabios-stdvga.bin); see docs/firmware.md.
  mvm request [boot options] VDD COMMAND [JSON]
                         start a VM, send a request to one of its VDDs (DosRequestVDD), print the answer

  mvm run [--drive C=DIR]... [--cwd C:\DIR] [--timeout S] [--setting NAME=VALUE]... [--model M]
          [--screenshot OUT.png [--screenshot-after S]] PROG [ARGS]
                         run a DOS program headless on the DOS kernel, host folders as drives (without
                         --drive, PROG's folder is C:); its output goes to stdout, stdin is its keyboard,
                         its return code is the exit code (124 timeout, 125 VM failure, 126 cannot run)

${LIBRARY_USAGE}

CPU models: ${CPU_MODELS.join(', ')}`;

/** Commands that are planned but need parts of the emulator that do not exist yet. */
const LATER: Record<string, string> = {};

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case '--version':
    case '-v':
    case 'version':
      console.log(version());
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    case 'serve':
      return serveCommand(rest);
    case 'boot':
      return bootCommand(rest);
    case 'request':
      return requestCommand(rest);
    case 'run':
      return runCommand(rest);
    case 'library':
      return libraryCommand(rest);
    default:
      if (Object.hasOwn(LATER, command)) {
        console.error(`mvm ${command}: not available yet — it arrives with ${LATER[command]}.`);
        return 2;
      }
      console.error(`mvm: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function serveCommand(args: readonly string[]): Promise<number> {
  let port = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = arg === '--port' ? args[++i] : arg?.startsWith('--port=') ? arg.slice(7) : undefined;
    if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) {
      console.error(`mvm serve: expected --port N (0-65535), got ${JSON.stringify(arg)}`);
      return 2;
    }
    port = Number(value);
  }
  const { serve } = await import('../web/serve.js');
  const host = await serve({ port });
  console.log(`MVM Desktop web host: ${host.url}`);
  return 0; // the listening server keeps the process alive until SIGINT/SIGTERM
}

interface VmArgs {
  floppy?: string;
  hdd?: string;
  keys?: string;
  until?: string;
  timeoutS: number;
  screen: boolean;
  model: number;
  memoryMB?: number;
  paced: boolean;
  settings: Record<string, string | number | boolean>;
  /** --bios / --vga-bios: a foreign BIOS's images (absolute paths). */
  firmware?: { bios: string; vgaBios?: string };
  rest: string[];
}

/** Parse the options `mvm boot` and `mvm request` share; returns an error message for bad input. */
export function parseVmArgs(args: readonly string[], command: string): VmArgs | string {
  const out: VmArgs = { timeoutS: 30, screen: false, model: 386, paced: false, settings: {}, rest: [] };
  const { resolve } = pathModule;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const takes = ['--floppy', '--hdd', '--keys', '--until', '--timeout', '--model', '--memory', '--setting', '--bios', '--vga-bios'];
    let value: string | undefined;
    if (takes.includes(name)) {
      value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) return `mvm ${command}: ${name} needs a value`;
    }
    switch (name) {
      case '--floppy':
        out.floppy = resolve(value!);
        break;
      case '--hdd':
        out.hdd = resolve(value!);
        break;
      case '--keys':
        out.keys = unescapeKeys(value!);
        break;
      case '--until':
        out.until = value!;
        break;
      case '--timeout':
        if (!/^\d+(\.\d+)?$/.test(value!) || Number(value) <= 0) return `mvm ${command}: --timeout wants seconds, got ${JSON.stringify(value)}`;
        out.timeoutS = Number(value);
        break;
      case '--model':
        if (!['8086', '8088', '186', '286', '386'].includes(value!)) return `mvm ${command}: --model is one of 8086, 8088, 186, 286, 386`;
        out.model = Number(value);
        break;
      case '--memory':
        if (!/^\d+$/.test(value!) || Number(value) < 2 || Number(value) > 256) return `mvm ${command}: --memory wants MB from 2 to 256`;
        out.memoryMB = Number(value);
        break;
      case '--setting': {
        const m = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(value!);
        if (!m) return `mvm ${command}: --setting wants NAME=VALUE, got ${JSON.stringify(value)}`;
        const v = m[2];
        out.settings[m[1]] = v === 'on' || v === 'true' ? true : v === 'off' || v === 'false' ? false : /^-?\d+$/.test(v) ? Number(v) : v;
        break;
      }
      case '--bios':
        out.firmware = { ...out.firmware, bios: resolve(value!) };
        break;
      case '--vga-bios':
        out.firmware = { bios: out.firmware?.bios ?? '', vgaBios: resolve(value!) };
        break;
      case '--screen':
        out.screen = true;
        break;
      case '--paced':
        out.paced = true;
        break;
      default:
        if (arg.startsWith('--')) return `mvm ${command}: unknown option ${arg}`;
        out.rest.push(arg);
    }
  }
  if (out.firmware && !out.firmware.bios) return `mvm ${command}: --vga-bios needs --bios (the system BIOS that runs it)`;
  return out;
}

/** Read and check --bios / --vga-bios before a VM starts: an error message for a bad image, else undefined. */
async function checkFirmware(a: VmArgs, command: string): Promise<string | undefined> {
  if (!a.firmware) return undefined;
  const { readForeignFirmware } = await import('../vmm/foreign-bios.js');
  try {
    readForeignFirmware(a.firmware);
    return undefined;
  } catch (e) {
    return `mvm ${command}: ${(e as Error).message}`;
  }
}

async function bootCommand(args: readonly string[]): Promise<number> {
  const a = parseVmArgs(args, 'boot');
  if (typeof a === 'string') return fail(a);
  if (a.rest.length > 0) return fail(`mvm boot: unexpected ${JSON.stringify(a.rest[0])}`);
  const bad = await checkFirmware(a, 'boot');
  if (bad) return fail(bad);
  const { MvmServer } = await import('../mvm/server.js');
  const { bootVm } = await import('../mvm/boot.js');
  const server = new MvmServer();
  server.on((e) => {
    if (e.kind === 'log' && process.env.MVM_DEBUG) console.error(`[vm ${e.vmId}] ${e.message}`);
  });
  try {
    const r = await bootVm(server, {
      floppy: a.floppy,
      hdd: a.hdd,
      keys: a.keys,
      until: a.until,
      timeoutMs: a.timeoutS * 1000,
      model: a.model,
      ramSize: a.memoryMB ? a.memoryMB * 1024 * 1024 : undefined,
      paced: a.paced,
      settings: a.settings,
      firmware: a.firmware,
    });
    if (a.screen || !r.matched) console.log(r.screen);
    if (r.outcome === 'crashed' || r.outcome === 'stopped') console.error(`mvm boot: the VM ${r.outcome}: ${r.reason ?? ''}`);
    else if (!r.matched) console.error(`mvm boot: ${JSON.stringify(a.until)} did not appear within ${a.timeoutS} s`);
    return r.matched ? 0 : 1;
  } catch (e) {
    return fail(`mvm boot: ${(e as Error).message}`);
  } finally {
    await server.shutdown();
  }
}

async function requestCommand(args: readonly string[]): Promise<number> {
  const a = parseVmArgs(args, 'request');
  if (typeof a === 'string') return fail(a);
  const [vdd, command, json] = a.rest;
  if (!vdd || !/^[A-Z][A-Z0-9_$]{0,15}$/.test(vdd) || !command || !/^\d+$/.test(command) || a.rest.length > 3) {
    return fail('usage: mvm request [boot options] VDD COMMAND [JSON]   (VDD in capitals, e.g. VCMOS 3)');
  }
  const bad = await checkFirmware(a, 'request');
  if (bad) return fail(bad);
  let input: unknown;
  if (json !== undefined) {
    try {
      input = JSON.parse(json);
    } catch {
      return fail(`mvm request: the input is not JSON: ${json}`);
    }
  }
  const { MvmServer } = await import('../mvm/server.js');
  const server = new MvmServer();
  try {
    const settings: Record<string, string | number | boolean> = { ...a.settings };
    if (a.floppy) settings.DISK_A = a.floppy;
    if (a.hdd) settings.DISK_C = a.hdd;
    const vm = await server.startVm({ model: a.model, paced: a.paced, settings, firmware: a.firmware, ramSize: a.memoryMB ? a.memoryMB * 1024 * 1024 : undefined }, 'request');
    const handle = server.openVdd(vm.id, vdd);
    const answer = await server.requestVdd(handle, Number(command), input);
    server.closeVdd(handle);
    console.log(JSON.stringify(answer, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v), 2) ?? 'null');
    return 0;
  } catch (e) {
    return fail(`mvm request: ${(e as Error).message}`);
  } finally {
    await server.shutdown();
  }
}

function fail(message: string): number {
  console.error(message);
  return 2;
}

async function runCommand(args: readonly string[]): Promise<number> {
  const { existsSync, statSync } = await import('node:fs');
  const drives: { letter: string; hostPath: string; readOnly?: boolean }[] = [];
  const settings: Record<string, string | number | boolean> = {};
  let cwd: string | undefined;
  let timeoutS = 0;
  let model = 386;
  let screenshot: string | undefined;
  let screenshotAfterS: number | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) break;
    const value = args[++i];
    if (value === undefined) return fail(`mvm run: ${arg} needs a value`);
    if (arg === '--drive') {
      const m = /^([A-Za-z])(:?)=(.+?)(:ro)?$/.exec(value);
      if (!m) return fail(`mvm run: --drive wants LETTER=FOLDER (or LETTER=FOLDER:ro), got ${JSON.stringify(value)}`);
      const hostPath = pathModule.resolve(m[3]);
      if (!existsSync(hostPath) || !statSync(hostPath).isDirectory()) return fail(`mvm run: drive ${m[1].toUpperCase()}: ${hostPath} is not a folder`);
      drives.push({ letter: m[1].toUpperCase(), hostPath, readOnly: m[4] !== undefined });
    } else if (arg === '--cwd') cwd = value;
    else if (arg === '--screenshot') screenshot = pathModule.resolve(value);
    else if (arg === '--screenshot-after') {
      if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) return fail(`mvm run: --screenshot-after wants seconds, got ${JSON.stringify(value)}`);
      screenshotAfterS = Number(value);
    } else if (arg === '--timeout') {
      if (!/^\d+(\.\d+)?$/.test(value)) return fail(`mvm run: --timeout wants seconds, got ${JSON.stringify(value)}`);
      timeoutS = Number(value);
    } else if (arg === '--model') {
      if (!['8086', '8088', '186', '286', '386'].includes(value)) return fail('mvm run: --model is one of 8086, 8088, 186, 286, 386');
      model = Number(value);
    } else if (arg === '--setting') {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(value);
      if (!m) return fail(`mvm run: --setting wants NAME=VALUE, got ${JSON.stringify(value)}`);
      settings[m[1]] = m[2] === 'on' ? true : m[2] === 'off' ? false : /^-?\d+$/.test(m[2]) ? Number(m[2]) : m[2];
    } else return fail(`mvm run: unknown option ${arg}`);
  }
  let program = args[i];
  const programArgs = args.slice(i + 1).join(' ');
  if (!program) return fail('usage: mvm run [--drive C=DIR]... [--cwd C:\\DIR] [--timeout S] [--screenshot OUT.png] PROG [ARGS]');
  if (screenshotAfterS !== undefined && !screenshot) return fail('mvm run: --screenshot-after needs --screenshot OUT.png');
  if (screenshot && !existsSync(pathModule.dirname(screenshot))) return fail(`mvm run: --screenshot: no folder ${pathModule.dirname(screenshot)}`);
  if (drives.length === 0) {
    // No drives given: PROG is a host file and its folder is C:, or a name in the current folder.
    const host = pathModule.resolve(program);
    const folder = existsSync(host) && statSync(host).isFile() ? pathModule.dirname(host) : process.cwd();
    drives.push({ letter: 'C', hostPath: folder });
    program = existsSync(host) && statSync(host).isFile() ? pathModule.basename(host) : program;
  }
  let dosArgs = programArgs;
  if (/\.bat$/i.test(program)) {
    // A batch file runs in the shell: COMMAND /C NAME.BAT ARGS.
    dosArgs = `/C ${program}${programArgs ? ' ' + programArgs : ''}`;
    program = 'COMMAND.COM';
  }
  const { MvmServer } = await import('../mvm/server.js');
  const { runProgram } = await import('../mvm/run.js');
  const server = new MvmServer();
  // A pipe or file on stdin is the program's input; a terminal is left alone (keys reach it as typed lines).
  const useStdin = !process.stdin.isTTY;
  try {
    const result = await runProgram(server, {
      dos: { drives, program, args: dosArgs, cwd },
      timeoutMs: timeoutS > 0 ? timeoutS * 1000 : 2 ** 31 - 1,
      model,
      settings,
      output: (text) => void process.stdout.write(text),
      stdin: useStdin ? process.stdin : undefined,
      terminal: useStdin ? undefined : process.stdin,
      screenshot: screenshot ? { path: screenshot, afterMs: screenshotAfterS !== undefined ? screenshotAfterS * 1000 : undefined } : undefined,
    });
    if (!result.outcome.startsWith('exit ')) console.error(`mvm run: ${result.outcome}`);
    return result.exitCode;
  } finally {
    if (useStdin) process.stdin.destroy();
    await server.shutdown();
  }
}
