// Static files of `stylelab serve`: the app's asset folder and onnxruntime-web's runtime files. A URL path maps to a
// file only when, decoded once, none of its segments is '..', '.', empty or holds a separator or NUL, and the real
// path (symlinks followed) stays inside the folder; anything else is "not found".
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.mp4': 'video/mp4',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.safetensors': 'application/octet-stream',
  '.pkl': 'application/octet-stream',
  '.pt': 'application/octet-stream',
};

/**
 * The segments of a URL path below a mount, or null when any is unsafe. `rest` is the raw (still encoded) path.
 * @example safeSegments('css/app.css') // ['css', 'app.css']; safeSegments('%2e%2e/x') // null
 */
export function safeSegments(rest: string): string[] | null {
  if (rest === '') return [];
  const out: string[] = [];
  for (const raw of rest.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null; // malformed escapes
    }
    if (seg === '' || seg === '.' || seg === '..' || /[/\\\0:]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

/** The real path of a file inside `root` (symlinks resolved), or null when it is missing or escapes the folder. */
export function fileInside(root: string, segments: readonly string[]): string | null {
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(join(realRoot, ...segments));
  } catch {
    return null;
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) return null;
  try {
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** onnxruntime-web's runtime files the app's bundle loads (the default JSEP build: wasm and WebGPU). */
export const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs'] as const;

/** onnxruntime-web's dist folder, found through Node's resolution (hoisting does not matter). */
export function ortDistDir(from: string): string {
  const require = createRequire(from);
  return dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
}

/**
 * Sends a file (GET or HEAD) with a weak ETag from its size and time; answers 304 to a matching If-None-Match.
 * `headers` are added (the security headers of every response).
 */
export function sendFile(req: IncomingMessage, res: ServerResponse, file: string, headers: Record<string, string>, cache = 'no-cache'): void {
  const st = statSync(file);
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const base = { ...headers, ETag: etag, 'Cache-Control': cache };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, base).end();
    return;
  }
  res.writeHead(200, { ...base, 'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': String(st.size) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
