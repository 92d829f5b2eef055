// `stylelab serve`'s HTTP server (node:http): the web app's static files, onnxruntime-web's runtime files, the
// registry's model files, and the JSON API of the server backend. Security rules (docs/web.md): loopback by default,
// same-origin only (no CORS headers; cross-origin and foreign-Host requests refused), strict schemas, body limits,
// no path from a request ever reaches the file system except through the asset folder's checks.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine } from '../node.js';
import { CheckpointError, InputError } from '../errors.js';
import { findOnPath } from '../io/video-file.js';
import { LIMITS } from '../studio/protocol.js';
import { jsonReplacer, OPS } from './api.js';
import { ModelRegistry, MODEL_ID, type RegistrySources } from './registry.js';
import { MAX_JSON_BODY } from './schemas.js';
import { SESSION_ID, SessionManager } from './sessions.js';
import { fileInside, ORT_RUNTIME_FILES, ortDistDir, safeSegments, sendFile } from './static.js';

export interface ServeOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 7860; 0 picks a free one). */
  port?: number;
  models: RegistrySources;
  /** The built app (index.html, app.js, worker.js, style.css). */
  assetDir: string;
  /** Seconds without a request before a page's server session is released (default 600). */
  idleSeconds?: number;
  /** onnxruntime-node threads (0 or undefined: one per core). */
  threads?: number;
  /** Largest JSON body in bytes (default MAX_JSON_BODY). */
  maxBody?: number;
  /** Where server errors are reported (default: stderr). */
  log?: (line: string) => void;
}

/** A running server. */
export interface StylelabServer {
  url: string;
  port: number;
  host: string;
  server: Server;
  registry: ModelRegistry;
  pages: SessionManager;
  close(): Promise<void>;
}

/** Headers of every response: cross-origin isolation (wasm threads), no sniffing, no framing, a strict CSP. */
const SECURITY_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; img-src 'self' data: blob:; style-src 'self'; connect-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
};

/** An error that answers with an HTTP status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
/** Whether a --host value only accepts connections from this machine. */
export const isLoopback = (host: string): boolean => LOOPBACK.has(host) || host.startsWith('127.');

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, jsonReplacer);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The request's JSON body, within the size limit (413 past it; the rest of the upload is not read). */
async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, `expected Content-Type application/json, got '${type || 'none'}'`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw new HttpError(413, `the request body (${declared} bytes) is over the ${limit}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `the request body is over the ${limit}-byte limit`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Starts the server; resolves once it listens. A taken port is an InputError naming it.
 * @example const s = await startServer({ models: { bundledDirs: ['models'], networks: [], checkpoints: [] }, assetDir: 'dist/app', port: 0 });
 */
export async function startServer(o: ServeOptions): Promise<StylelabServer> {
  const host = o.host ?? '127.0.0.1';
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limit = o.maxBody ?? MAX_JSON_BODY;
  const engine = createEngine({ threads: o.threads });
  let registry: ModelRegistry;
  try {
    registry = ModelRegistry.load(engine, o.models);
  } catch (e) {
    await engine.dispose();
    throw e;
  }
  const pages = new SessionManager(registry, o.idleSeconds ?? 600);
  const ortDir = ortDistDir(import.meta.url);
  const ffmpeg = findOnPath('ffmpeg') !== null;
  let port = 0;

  /** Host headers this server answers to (DNS-rebinding protection); any Host when bound to every interface. */
  const hostAllowed = (h: string | undefined): boolean => {
    if (host === '0.0.0.0' || host === '::') return true;
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host.includes(':') ? `[${host}]` : host}:${port}`];
    return h !== undefined && allowed.includes(h.toLowerCase());
  };

  async function api(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    // Same-origin only: a browser sends Origin on cross-origin requests (and on POSTs); refuse foreign ones.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) throw new HttpError(403, `cross-origin requests are refused (Origin ${origin})`);
    if (req.method === 'OPTIONS') throw new HttpError(405, 'cross-origin requests are refused');
    const [what, id, op, ...extra] = parts;
    if (req.method === 'GET' && what === 'status' && parts.length === 1) {
      sendJson(res, 200, { version: 1, sessions: pages.count, engineSessions: engine.liveSessions, queue: pages.queue.pending, ffmpeg, idleSeconds: pages.idleSeconds, limits: LIMITS });
      return;
    }
    if (req.method === 'GET' && what === 'models' && parts.length === 1) {
      sendJson(res, 200, await registry.list());
      return;
    }
    if (what !== 'sessions') throw new HttpError(404, `no API route ${req.method} /api/${parts.join('/')}`);
    if (req.method === 'POST' && parts.length === 1) {
      await readJson(req, limit);
      const s = pages.create();
      sendJson(res, 201, { id: s.id, idleSeconds: pages.idleSeconds });
      return;
    }
    if (id === undefined || !SESSION_ID.test(id)) throw new HttpError(404, 'no such session');
    const s = pages.get(id);
    if (!s) throw new HttpError(404, 'this page\'s server session expired or was closed: reload the page');
    if (req.method === 'GET' && op === 'video.mp4' && extra.length === 0) {
      if (!s.mp4?.file) throw new HttpError(404, 'no finished MP4 for this page');
      sendFile(req, res, s.mp4.file, { ...SECURITY_HEADERS, 'Content-Disposition': 'attachment; filename="stylelab-video.mp4"' }, 'no-store');
      return;
    }
    if (req.method !== 'POST' || extra.length > 0) throw new HttpError(404, `no API route ${req.method} /api/${parts.join('/')}`);
    if (op === 'close') {
      // navigator.sendBeacon posts text/plain; the body is ignored.
      for await (const _ of req as AsyncIterable<Buffer>) void _;
      await pages.close(id);
      res.writeHead(204, SECURITY_HEADERS).end();
      return;
    }
    const fn = op !== undefined && Object.hasOwn(OPS, op) ? OPS[op] : undefined;
    if (!fn) throw new HttpError(404, `unknown operation '${op}'`);
    const body = await readJson(req, limit);
    s.busy++;
    try {
      sendJson(res, 200, await fn(s, body, pages));
    } finally {
      s.busy--;
      s.lastUsed = Date.now();
    }
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed here`);
    const segments = safeSegments(pathname.slice(1));
    if (!segments) throw new HttpError(404, 'not found');
    if (segments[0] === 'ort' && segments.length === 2 && (ORT_RUNTIME_FILES as readonly string[]).includes(segments[1]!)) {
      sendFile(req, res, `${ortDir}/${segments[1]}`, SECURITY_HEADERS, 'public, max-age=86400');
      return;
    }
    if (segments[0] === 'models' && segments.length >= 2) {
      const file = MODEL_ID.test(segments[1]!) ? registry.file(segments[1]!, segments.length === 2 ? '' : segments.slice(2).join('/')) : null;
      if (!file) throw new HttpError(404, 'not found');
      sendFile(req, res, file, SECURITY_HEADERS);
      return;
    }
    const file = fileInside(o.assetDir, segments.length === 0 ? ['index.html'] : segments);
    if (!file) throw new HttpError(404, 'not found');
    sendFile(req, res, file, SECURITY_HEADERS);
  }

  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (!hostAllowed(req.headers.host)) throw new HttpError(403, `unexpected Host '${req.headers.host ?? ''}' (only this server's own address is answered)`);
        const raw = (req.url ?? '/').split('?')[0]!;
        if (!raw.startsWith('/')) throw new HttpError(400, 'bad request path');
        if (raw === '/api' || raw.startsWith('/api/')) await api(req, res, raw.slice(5).split('/'));
        else serveStatic(req, res, raw);
      } catch (e) {
        const status = e instanceof HttpError ? e.status : e instanceof InputError || e instanceof CheckpointError ? 400 : 500;
        if (status === 500) log(`stylelab: error: ${req.method} ${req.url}: ${(e as Error).message}`);
        if (status === 413) res.setHeader('Connection', 'close');
        if (res.headersSent) res.destroy();
        else sendJson(res, status, { error: (e as Error).message });
        // A body over the limit is discarded (so the client reads the answer), up to a bound; past it the connection is cut.
        if (status === 413) {
          if (Number(req.headers['content-length'] ?? 0) > 4 * limit) res.once('finish', () => req.destroy());
          else req.resume();
        }
      }
    })();
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;

  try {
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(o.port ?? 7860, host, () => {
        server.off('error', fail);
        ok();
      });
    });
  } catch (e) {
    await pages.dispose();
    await registry.dispose();
    await engine.dispose();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new InputError(`port ${o.port} on ${host} is already in use: stop the other server or pick another port with --port`);
    if (code === 'EACCES') throw new InputError(`no permission to listen on port ${o.port} of ${host}: use a port above 1023`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new InputError(`cannot listen on ${host}: not an address of this machine`);
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    host,
    server,
    registry,
    pages,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await pages.dispose();
      await registry.dispose();
      await engine.dispose();
    },
  };
}
