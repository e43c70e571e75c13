/**
 * The `mvm` command (bin/mvm.js launches the compiled form of this file). Each command is a function that
 * returns the process exit code; commands that need parts not written yet say so instead of pretending.
 */
import { CPU_MODELS, version } from '../web/info.js';

const USAGE = `usage: mvm <command> [options]

commands available now:
  mvm --version          print the version
  mvm help               print this help
  mvm serve [--port N]   serve the desktop UI on http://127.0.0.1 (a free port unless told)

arriving with later work:
  mvm run PROG.EXE       run a DOS program headless, host folders as drives (needs the DOS kernel)

CPU models: ${CPU_MODELS.join(', ')}`;

/** Commands that are planned but need parts of the emulator that do not exist yet. */
const LATER: Record<string, string> = {
  run: 'the DOS kernel (main/doskrnl) and VM monitor (main/vmm)',
};

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
