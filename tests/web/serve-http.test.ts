// `stylelab serve` over HTTP (no browser): schema validation of every JSON body, path traversal, CORS and Host
// checks, body limits, errors that leave the server running, and server sessions released on close and on idle.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { findOnPath } from '../../src/io/video-file.js';
import { startServer, type StylelabServer } from '../../src/serve/server.js';
import { APP_DIR, DRAG_MODEL, SG3_MODEL, startTestServer } from './app-helpers.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request with the path sent as given (no normalisation) and any headers. */
function raw(s: StylelabServer, method: string, path: string, o: { headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((ok, fail) => {
    const headers: Record<string, string> = { ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...o.headers };
    const req = request({ host: '127.0.0.1', port: s.port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end(o.body);
  });
}

const post = (s: StylelabServer, path: string, body: unknown, headers: Record<string, string> = {}) => raw(s, 'POST', path, { body: JSON.stringify(body), headers });
const errorOf = (r: Reply): string => (JSON.parse(r.body) as { error: string }).error;

let server: StylelabServer;
let assets: string;
let outside: string;
let session: string;

before(async () => {
  // An asset folder with a symlink pointing out of it, and a secret file outside it.
  const dir = mkdtempSync(join(tmpdir(), 'stylelab-serve-test-'));
  assets = join(dir, 'app');
  cpSync(APP_DIR, assets, { recursive: true });
  outside = join(dir, 'secret.txt');
  writeFileSync(outside, 'secret');
  symlinkSync(outside, join(assets, 'link.txt'));
  symlinkSync(dir, join(assets, 'linkdir'));
  server = await startTestServer({ assetDir: assets, idleSeconds: 600 });
  session = (JSON.parse((await post(server, '/api/sessions', {})).body) as { id: string }).id;
});

after(async () => {
  await server.close();
  rmSync(join(assets, '..'), { recursive: true, force: true });
});

describe('static files', () => {
  test('index.html with the cross-origin isolation headers and no CORS header', async () => {
    const r = await raw(server, 'GET', '/');
    assert.equal(r.status, 200);
    assert.match(r.body, /<title>stylelab<\/title>/);
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });

  test("onnxruntime-web's runtime files are served locally (application/wasm)", async () => {
    const r = await raw(server, 'HEAD', '/ort/ort-wasm-simd-threaded.jsep.wasm');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/wasm');
    assert.equal((await raw(server, 'GET', '/ort/package.json')).status, 404, 'only the runtime files of onnxruntime-web are served');
  });

  test('traversal: .., encoded %2e%2e and %2f, backslashes, absolute paths and symlinks out all give 404', async () => {
    for (const path of ['/../package.json', '/%2e%2e/secret.txt', '/%2E%2E/%2E%2E/etc/passwd', '/ort/..%2f..%2fpackage.json', '/ort/%2e%2e/%2e%2e/package.json', '/..%5csecret.txt', '//etc/passwd', '/%2fetc%2fpasswd', '/link.txt', '/linkdir/secret.txt', '/models/..%2f..%2fpackage.json', '/models/stylegan2-emoji32/../../package.json', '/index.html%00.png', '/%zz']) {
      const r = await raw(server, 'GET', path);
      assert.equal(r.status, 404, `${path} gave ${r.status}`);
      assert.ok(!r.body.includes('secret') && !r.body.includes('root:'), `${path} leaked a file`);
    }
  });

  test("a model's files are served by id only, and only the files the registry lists", async () => {
    assert.equal((await raw(server, 'HEAD', '/models/stylegan2-emoji32/config.json')).status, 200);
    assert.equal((await raw(server, 'HEAD', `/models/${DRAG_MODEL}/network.pkl`)).status, 200);
    assert.equal((await raw(server, 'GET', '/models/stylegan2-emoji32/NOTICE')).status, 404);
  });
});

describe('the JSON API', () => {
  const gen = { model: 'stylegan2-emoji32', seed: 0, psi: 0.7, cutoff: null, classIdx: null, noiseMode: 'const' };
  const op = (name: string, body: unknown) => post(server, `/api/sessions/${session}/${name}`, body);

  test('a valid generate request returns an RGB picture', async () => {
    const r = await op('generate', gen);
    assert.equal(r.status, 200, r.body);
    const j = JSON.parse(r.body) as { image: { width: number; height: number; channels: number; data: string } };
    assert.deepEqual([j.image.width, j.image.height, j.image.channels], [32, 32, 3]);
    assert.equal(Buffer.from(j.image.data, 'base64').length, 32 * 32 * 3);
  });

  test("StyleGAN3: translate and rotate move the image (gen_images.py's transform); other architectures refuse them", async () => {
    const base = { ...gen, model: SG3_MODEL };
    const still = JSON.parse((await op('generate', base)).body) as { image: { data: string } };
    const moved = await op('generate', { ...base, translate: [0.25, -0.1], rotate: 30 });
    assert.equal(moved.status, 200, moved.body);
    assert.notEqual((JSON.parse(moved.body) as { image: { data: string } }).image.data, still.image.data);
    const refused = await op('generate', { ...gen, translate: [0.25, 0] });
    assert.equal(refused.status, 400);
    assert.match(errorOf(refused), /translate and rotate need a StyleGAN3 network/);
  });

  test('unknown fields, wrong types, out-of-range numbers, bad enums: 400 with a message naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ ...gen, extra: 1 }, /Unrecognized key.*extra/],
      [{ ...gen, seed: '3' }, /^seed: .*expected number/],
      [{ ...gen, seed: -1 }, /^seed: /],
      [{ ...gen, seed: 2 ** 32 }, /^seed: Too big/],
      [{ ...gen, seed: 1.5 }, /^seed: .*int/],
      [{ ...gen, psi: 7 }, /^psi: Too big/],
      [{ ...gen, noiseMode: 'loud' }, /^noiseMode: /],
      [{ ...gen, translate: [0, 99] }, /^translate\.1: Too big/],
      [{ ...gen, seed: undefined }, /^seed: /],
    ];
    for (const [body, want] of cases) {
      const r = await op('generate', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} gave ${r.status}`);
      assert.match(errorOf(r), want);
    }
  });

  test('a model named by path, or an unknown id, gets 400; the server never opens a path from a request', async () => {
    for (const model of ['/etc/passwd', '../models/stylegan2-emoji32', 'C:\\x.pkl', 'models/stylegan2-emoji32', 'Stylegan2-Emoji32']) {
      const r = await op('generate', { ...gen, model });
      assert.equal(r.status, 400);
      assert.match(errorOf(r), /model: expected a model id/);
    }
    const r = await op('generate', { ...gen, model: 'nope' });
    assert.equal(r.status, 400);
    assert.match(errorOf(r), /unknown model 'nope': this server offers stylegan2-emoji32/);
  });

  test('drag points: outside the image, too many, or unpaired get 400', async () => {
    const open = await op('drag-open', { model: DRAG_MODEL, seed: 0, psi: 0.7, settings: { wSpace: 'w+', lr: 0.001, lambdaMask: 20, r1: null, r2: 12 } });
    assert.equal(open.status, 200, open.body);
    const outsideImage = await op('drag-edit', { op: 'points', handles: [[10, 128]], targets: [[10, 20]] });
    assert.equal(outsideImage.status, 400);
    assert.match(errorOf(outsideImage), /handle point 1 \[10, 128\] is outside the 128x128 image/);
    const many = Array.from({ length: 17 }, (_, i) => [i, i]);
    const tooMany = await op('drag-edit', { op: 'points', handles: many, targets: many });
    assert.equal(tooMany.status, 400);
    assert.match(errorOf(tooMany), /^handles: Too big/);
    const unpaired = await op('drag-edit', { op: 'points', handles: [[1, 1]], targets: [] });
    assert.match(errorOf(unpaired), /targets: expected one target per handle point/);
    const badMask = await op('drag-edit', { op: 'mask', mask: Buffer.from([0, 1, 2]).toString('base64') });
    assert.match(errorOf(badMask), /the mask has 3 values but the image is 128x128/);
  });

  test('a failing step (no points yet) is a 400 with the message, and the server keeps answering', async () => {
    await op('drag-open', { model: DRAG_MODEL, seed: 1, psi: 0.7, settings: { wSpace: 'w+', lr: 0.001, lambdaMask: 20, r1: null, r2: 12 } });
    const r = await op('drag-step', {});
    assert.equal(r.status, 400);
    assert.match(errorOf(r), /set handle and target points before dragging/);
    assert.equal((await op('generate', gen)).status, 200);
  });

  test('not JSON, wrong content type, bodies over the limit', async () => {
    const bad = await raw(server, 'POST', `/api/sessions/${session}/generate`, { body: '{"seed": ', headers: { 'Content-Type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.match(errorOf(bad), /not valid JSON/);
    const text = await raw(server, 'POST', `/api/sessions/${session}/generate`, { body: '{}', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(text.status, 415);
    const big = await raw(server, 'POST', `/api/sessions/${session}/translate`, { body: JSON.stringify({ pad: 'x'.repeat(17 * 1024 * 1024) }) });
    assert.equal(big.status, 413);
    assert.equal((await op('generate', gen)).status, 200, 'the server answers after a refused upload');
  });

  test('unknown operations and sessions: 404; prototype names are not operations', async () => {
    assert.equal((await op('constructor', {})).status, 404);
    assert.equal((await op('__proto__', {})).status, 404);
    assert.equal((await post(server, '/api/sessions/00000000-0000-0000-0000-000000000000/generate', gen)).status, 404);
    assert.equal((await post(server, '/api/sessions/../status', gen)).status, 404);
  });

  test('CORS: no Access-Control-Allow-Origin ever; cross-origin requests and preflights are refused', async () => {
    const evil = { Origin: 'http://evil.example' };
    const r = await post(server, `/api/sessions/${session}/generate`, gen, evil);
    assert.equal(r.status, 403);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    const pre = await raw(server, 'OPTIONS', `/api/sessions/${session}/generate`, { headers: { ...evil, 'Access-Control-Request-Method': 'POST' } });
    assert.ok(pre.status >= 400, `preflight gave ${pre.status}`);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    const same = await post(server, `/api/sessions/${session}/generate`, gen, { Origin: `http://127.0.0.1:${server.port}` });
    assert.equal(same.status, 200);
    assert.equal(same.headers['access-control-allow-origin'], undefined);
  });

  test('a foreign Host header (DNS rebinding) is refused', async () => {
    const r = await raw(server, 'GET', '/api/status', { headers: { Host: `attacker.example:${server.port}` } });
    assert.equal(r.status, 403);
    assert.equal((await raw(server, 'GET', '/api/status', { headers: { Host: `localhost:${server.port}` } })).status, 200);
  });
});

describe('video', () => {
  const op = (name: string, body: unknown) => post(server, `/api/sessions/${session}/${name}`, body);
  const video = { model: 'stylegan2-emoji32', seeds: [0, 1, 2, 3], gridW: 2, gridH: 1, wFrames: 3, psi: 0.7, classIdx: null };

  test('video-open and video-frames give gen_video.py frames of the grid; bad layouts are 400', async () => {
    const open = await op('video-open', video);
    assert.equal(open.status, 200, open.body);
    assert.deepEqual(JSON.parse(open.body), { numFrames: 6, width: 64, height: 32, channels: 3 });
    const frames = JSON.parse((await op('video-frames', { start: 4, count: 4 })).body) as { width: number; data: string }[];
    assert.equal(frames.length, 2, 'frames past the end are not made up');
    assert.equal(Buffer.from(frames[0]!.data, 'base64').length, 64 * 32 * 3);
    assert.match(errorOf(await op('video-open', { ...video, seeds: [0, 1, 2] })), /must be divisible by the grid size 2x1/);
    assert.match(errorOf(await op('video-open', { ...video, gridW: 16, gridH: 2 })), /at most 16 grid cells/);
    assert.match(errorOf(await op('video-frames', { start: 0, count: 17 })), /^count: Too big/);
  });

  test('an MP4 rendered by the server with ffmpeg, with progress, then downloaded', { skip: findOnPath('ffmpeg') ? false : 'ffmpeg is not installed (bash scripts/install-ffmpeg.sh)' }, async () => {
    assert.equal((await op('video-open', video)).status, 200);
    const start = await op('video-mp4', { fps: 12 });
    assert.equal(start.status, 200, start.body);
    let status = { done: 0, total: 0, ready: false, error: null as string | null };
    for (let i = 0; i < 100 && !status.ready && !status.error; i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      status = JSON.parse((await op('video-mp4-status', {})).body) as typeof status;
    }
    assert.equal(status.error, null);
    assert.deepEqual([status.ready, status.done, status.total], [true, 6, 6]);
    const file = await raw(server, 'GET', `/api/sessions/${session}/video.mp4`);
    assert.equal(file.status, 200);
    assert.equal(file.headers['content-type'], 'video/mp4');
    assert.equal(file.body.slice(4, 8), 'ftyp', 'not an MP4 file');
  });
});

describe('models named on the command line', () => {
  test('a missing or bad checkpoint stops the server from starting, with one message naming it', async () => {
    const base = { port: 0, assetDir: APP_DIR, log: () => {}, models: { bundledDirs: [], networks: [], checkpoints: [] as string[] } };
    await assert.rejects(startServer({ ...base, models: { ...base.models, networks: ['/no/such.pkl'] } }), (e: Error) => e instanceof InputError && /--network \/no\/such\.pkl: not found/.test(e.message));
    const junk = join(tmpdir(), `stylelab-junk-${process.pid}.pkl`);
    writeFileSync(junk, 'not a pickle');
    try {
      await assert.rejects(startServer({ ...base, models: { ...base.models, networks: [junk] } }), (e: Error) => e instanceof InputError && e.message.startsWith(`--network ${junk}: `));
    } finally {
      rmSync(junk, { force: true });
    }
  });
});

describe('server sessions', () => {
  test('many pages opened and closed (each with a drag session that stepped): the live counts return to zero', async () => {
    const s = await startTestServer({ idleSeconds: 600 });
    try {
      const count = async () => JSON.parse((await raw(s, 'GET', '/api/status')).body) as { sessions: number; engineSessions: number };
      const settings = { wSpace: 'w+', lr: 0.001, lambdaMask: 20, r1: null, r2: 12 };
      // Warm the shared generator, so its programs are counted in the baseline.
      const warm = (JSON.parse((await post(s, '/api/sessions', {})).body) as { id: string }).id;
      await post(s, `/api/sessions/${warm}/drag-open`, { model: DRAG_MODEL, seed: 0, psi: 0.7, settings });
      await raw(s, 'POST', `/api/sessions/${warm}/close`, { body: '', headers: { 'Content-Type': 'text/plain' } });
      const base = await count();
      assert.equal(base.sessions, 0);
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const id = (JSON.parse((await post(s, '/api/sessions', {})).body) as { id: string }).id;
        ids.push(id);
        assert.equal((await post(s, `/api/sessions/${id}/drag-open`, { model: DRAG_MODEL, seed: i, psi: 0.7, settings })).status, 200);
        assert.equal((await post(s, `/api/sessions/${id}/drag-edit`, { op: 'points', handles: [[51, 57]], targets: [[51, 76]] })).status, 200);
        if (i < 3) assert.equal((await post(s, `/api/sessions/${id}/drag-step`, {})).status, 200);
      }
      const open = await count();
      assert.equal(open.sessions, 12);
      assert.ok(open.engineSessions > base.engineSessions, 'the drag sessions hold programs');
      // Pages close as the app does on pagehide: navigator.sendBeacon (text/plain).
      for (const id of ids) assert.equal((await raw(s, 'POST', `/api/sessions/${id}/close`, { body: 'bye', headers: { 'Content-Type': 'text/plain;charset=UTF-8' } })).status, 204);
      const closed = await count();
      assert.equal(closed.sessions, 0);
      assert.equal(closed.engineSessions, base.engineSessions, 'ONNX Runtime sessions left open after every page closed');
    } finally {
      await s.close();
    }
  });

  test('idle pages are released after the idle time', async () => {
    const s = await startTestServer({ idleSeconds: 1 });
    try {
      const id = (JSON.parse((await post(s, '/api/sessions', {})).body) as { id: string }).id;
      assert.equal(s.pages.count, 1);
      await s.pages.sweep(Date.now() + 1500);
      assert.equal(s.pages.count, 0);
      const r = await post(s, `/api/sessions/${id}/generate`, { model: 'stylegan2-emoji32', seed: 0, psi: 1, cutoff: null, classIdx: null, noiseMode: 'const' });
      assert.equal(r.status, 404);
      assert.match(errorOf(r), /expired or was closed: reload the page/);
    } finally {
      await s.close();
    }
  });
});
