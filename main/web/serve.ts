/**
 * `mvm serve`: the web host over the built renderer (out/renderer), until SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MvmServer } from '../mvm/server.js';
import { createApi } from './api.js';
import { packageRoot } from './info.js';
import { startWebHost, type WebHost } from './server.js';

export async function serve(options: { port?: number; host?: string }): Promise<WebHost> {
  const root = join(packageRoot(), 'out', 'renderer');
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the renderer is not built (no ${join(root, 'index.html')}); run \`npm run build\``);
  }
  const server = new MvmServer();
  const api = createApi(server);
  const host = await startWebHost({ root, api, ...options });
  const stop = (): void =>
    void Promise.all([host.close(), server.shutdown()]).then(() => {
      api.close();
      process.exit(0);
    });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return host;
}
