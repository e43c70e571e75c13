/**
 * `mvm serve`: the web host over the built renderer (out/renderer), until SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { api, packageRoot } from './info.js';
import { startWebHost, type WebHost } from './server.js';

export async function serve(options: { port?: number; host?: string }): Promise<WebHost> {
  const root = join(packageRoot(), 'out', 'renderer');
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the renderer is not built (no ${join(root, 'index.html')}); run \`npm run build\``);
  }
  const host = await startWebHost({ root, api, ...options });
  const stop = (): void => void host.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return host;
}
