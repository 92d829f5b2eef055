// `stylelab serve`: the web app (docs/web.md). Serves the bundled app from dist/app, the bundled models and those
// named with --network/--checkpoint, and the server backend's API; prints `stylelab: serving URL` once it listens.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { isLoopback, startServer, type StylelabServer } from '../serve/server.js';
import { bundledModelsDir } from './default-model.js';
import { parseIndex } from './options.js';
import { type GlobalOptions, warn } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface ServeArgs {
  network?: string[];
  checkpoint?: string[];
  port: string;
  host: string;
  open?: boolean;
  idleTimeout: string;
}

/** The built app: dist/app beside dist/src (npm run build makes it). */
export const appDir = (): string => fileURLToPath(new URL('../../app/', import.meta.url));

/** Opens a URL in the desktop's browser, if there is a way to; returns false when there is none. */
function openBrowser(url: string): boolean {
  const cmd = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  try {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'ignore', detached: true });
    child.on('error', () => process.stdout.write(`stylelab: could not open a browser; open ${url} yourself\n`));
    child.unref();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the server and resolves with it once it listens (it runs until the process ends).
 * @example await runServe({ port: '7860', host: '127.0.0.1', idleTimeout: '600' }, {});
 */
export async function runServe(a: ServeArgs, g: GlobalOptions): Promise<StylelabServer> {
  const port = parseIndex(a.port, '--port');
  if (port > 65535) throw new InputError(`--port must be at most 65535, got ${port}`);
  const idleSeconds = parseIndex(a.idleTimeout, '--idle-timeout');
  if (idleSeconds < 1) throw new InputError('--idle-timeout must be at least 1 second');
  const host = a.host.trim();
  if (!host) throw new InputError('--host must not be empty');
  const assetDir = appDir();
  if (!existsSync(`${assetDir}index.html`)) throw new InputError(`the web app is not built (${assetDir}index.html is missing): run npm run build`);
  if (!isLoopback(host)) warn(`listening on ${host}: the app has no authentication, so anyone who can reach this address can use it (and this machine's CPU)`);
  const server = await startServer({
    host,
    port,
    assetDir,
    idleSeconds,
    threads: g.threads,
    models: { bundledDirs: [bundledModelsDir()], networks: a.network ?? [], checkpoints: a.checkpoint ?? [] },
  });
  process.stdout.write(`stylelab: serving ${server.url}\n`);
  if (a.open && !openBrowser(server.url)) process.stdout.write(`stylelab: could not open a browser; open ${server.url} yourself\n`);
  return server;
}
