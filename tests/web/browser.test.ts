// stylelab in a real browser: bundles tests/web/page.ts (scripts/build-web.mjs), serves it with COOP/COEP headers
// from 127.0.0.1, and drives headless Chromium (Debian's, via playwright-core) to run graphs and the tiny
// StyleGAN2 generator on onnxruntime-web, comparing with the reference interpreter and the official outputs.
import assert from 'node:assert/strict';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { readNpy } from '../../src/io/npy.js';
import type { WebEngineOptions } from '../../src/web.js';
import { fixture, repoRoot } from '../fixtures.js';
import type { GenerateResult, PageApi, SmallGraphResult } from './page.js';

const CHROMIUM = process.env.STYLELAB_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Engine options of every page run: two wasm threads (the page is cross-origin isolated), files beside the page. */
const WASM: WebEngineOptions = { threads: 2, wasmPaths: '/' };

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** URL prefix -> folder served under it. */
type Mounts = [prefix: string, dir: string][];

/** A static file server on 127.0.0.1 with the headers that make a page cross-origin isolated (wasm threads). */
function serve(mounts: Mounts): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    let file = mount ? normalize(join(mount[1], path.slice(mount[0].length))) : '';
    if (mount && !(file + sep).startsWith(resolve(mount[1]) + sep)) file = '';
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file || !existsSync(file) || req.method !== 'GET') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

/** |a - b| <= tol * max(1, |b|) element-wise, reporting the worst element. */
function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): number {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  assert.ok(worst <= tol, `${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (scaled error ${worst}, tolerance ${tol})`);
  return worst;
}

/** A headless Chromium on a fresh profile with the test page open. */
interface TestBrowser {
  context: BrowserContext;
  page: Page;
  profile: string;
  /** Page errors and console errors seen so far. */
  errors: string[];
  /** Console warnings seen so far (onnxruntime-web reports dropped providers there). */
  warnings: string[];
}

let server: Server | undefined;
let origin = '';
const browsers: TestBrowser[] = [];

/** Builds the page and starts the server (once). */
async function startServer(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with 'bash scripts/install-browser.sh' (Debian's chromium package), or set STYLELAB_CHROMIUM`);
  }
  if (server) return;
  const { buildWeb } = (await import(pathToFileURL(join(repoRoot, 'scripts', 'build-web.mjs')).href)) as { buildWeb: (dir: string) => Promise<string> };
  const webDir = await buildWeb(join(repoRoot, 'dist', 'web-test'));
  server = await serve([
    ['/fixtures/', fixture()],
    ['/models/', join(repoRoot, 'tests', 'models', 'data')],
    ['/', webDir],
  ]);
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Launches Chromium with the test's arguments (plus `extraArgs`) on a fresh profile and opens the page. */
async function openBrowser(extraArgs: string[] = []): Promise<TestBrowser> {
  await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'stylelab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 30_000 });
  const b: TestBrowser = { context, page: context.pages()[0] ?? (await context.newPage()), profile, errors: [], warnings: [] };
  browsers.push(b);
  b.page.setDefaultTimeout(45_000);
  b.page.on('pageerror', (e) => b.errors.push(`pageerror: ${e.message}`));
  b.page.on('console', (m) => {
    if (m.type() === 'error') b.errors.push(`console.error: ${m.text()}`);
    if (m.type() === 'warning') b.warnings.push(m.text());
  });
  await b.page.goto(`${origin}/index.html`);
  await b.page.waitForFunction(() => 'stylelabPage' in globalThis);
  return b;
}

/** Calls a method of the page's `stylelabPage` with JSON arguments. */
function call<K extends keyof PageApi>(b: TestBrowser, method: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
  return b.page.evaluate(
    async ([m, a]) => {
      const api = (globalThis as unknown as { stylelabPage: Record<string, (...x: unknown[]) => unknown> }).stylelabPage;
      return api[m]!(...a);
    },
    [method, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<PageApi[K]>>>;
}

after(async () => {
  for (const b of browsers) {
    await b.context.close();
    rmSync(b.profile, { recursive: true, force: true });
  }
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
});

const expected = readNpy(readFileSync(fixture('stylegan2-tiny', 'img_seed0_psi0.7_const.npy')));

describe('stylelab in headless Chromium on wasm (onnxruntime-web)', () => {
  let b: TestBrowser;
  before(async () => {
    b = await openBrowser();
  });

  test('the page is cross-origin isolated, so wasm runs on 2 threads', async (t) => {
    const info = await call(b, 'info', WASM);
    t.diagnostic(`crossOriginIsolated=${info.crossOriginIsolated} navigator.gpu=${info.webgpu} adapter=${info.webgpuAdapter} cores=${info.hardwareConcurrency} providers=${info.resolved.executionProviders.join(',')} threads=${info.resolved.threads}`);
    assert.equal(info.crossOriginIsolated, true, 'COOP/COEP headers did not make the page cross-origin isolated');
    assert.deepEqual(info.resolved, { executionProviders: ['wasm'], threads: 2 });
  });

  test('conv2d + leakyRelu and its gradients on wasm match the reference interpreter (1e-4)', async (t) => {
    const r: SmallGraphResult = await call(b, 'smallGraph', WASM);
    assert.deepEqual(r.shapes, { y: [2, 4, 6, 6], gx: [2, 3, 6, 6], gw: [4, 3, 3, 3] });
    for (const k of ['y', 'gx', 'gw']) {
      const err = assertClose(r.ort[k]!, r.reference[k]!, 1e-4, k);
      t.diagnostic(`${k}: worst scaled error ${err.toExponential(2)}`);
    }
    assert.ok(r.ort.gw!.some((v) => Math.abs(v) > 1), 'the filter gradient is trivially small; the check would prove nothing');
    assert.deepEqual(r.webgpuKernels, []);
  });

  test('stylegan2-tiny from network.pkl over HTTP: seed 0, psi 0.7, noise const matches the official image (1e-3)', async (t) => {
    const r: GenerateResult = await call(b, 'generate', '/fixtures/stylegan2-tiny/network.pkl', 0, 0.7, WASM);
    assert.deepEqual(r.shape, expected.shape);
    const err = assertClose(r.img, expected.data as Float32Array, 1e-3, 'image');
    t.diagnostic(`generate on wasm: ${r.ms.toFixed(0)} ms in the page (first call: compiles mapping and synthesis); worst error ${err.toExponential(2)}`);
    assert.equal(r.liveSessionsAfterDispose, 0, 'sessions left open after dispose');
  });

  test('the same generator from the stylelab model folder (config.json + weights.safetensors) by URL', async () => {
    const r: GenerateResult = await call(b, 'generate', '/models/stylegan2-tiny/', 0, 0.7, WASM);
    assertClose(r.img, expected.data as Float32Array, 1e-3, 'image');
  });

  test('asking for WebGPU without an adapter (--disable-gpu) still runs, on wasm', async (t) => {
    const opts: WebEngineOptions = { ...WASM, executionProviders: ['webgpu', 'wasm'] };
    const info = await call(b, 'info', opts);
    t.diagnostic(`navigator.gpu ${info.webgpu ? 'present' : 'absent'}, adapter ${info.webgpuAdapter ? 'present' : 'absent'}; providers asked of onnxruntime-web: ${info.resolved.executionProviders.join(', ')}`);
    if (!info.webgpu) assert.deepEqual(info.resolved.executionProviders, ['wasm']);
    const r: SmallGraphResult = await call(b, 'smallGraph', opts);
    for (const k of ['y', 'gx', 'gw']) assertClose(r.ort[k]!, r.reference[k]!, 1e-4, k);
    if (!info.webgpuAdapter) assert.deepEqual(r.webgpuKernels, [], 'kernels ran on WebGPU without an adapter?');
  });

  test('no errors in the page, and wasm kept its threads', (t) => {
    for (const w of b.warnings) t.diagnostic(`console.warn: ${w}`);
    assert.deepEqual(b.errors, []);
    assert.deepEqual(b.warnings.filter((w) => /single-thread/i.test(w)), [], 'onnxruntime-web fell back to one thread');
  });
});

describe('stylelab in headless Chromium on WebGPU (SwiftShader, software)', () => {
  let b: TestBrowser;
  const opts: WebEngineOptions = { ...WASM, executionProviders: ['webgpu'] };
  before(async () => {
    b = await openBrowser(['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']);
  });

  test('WebGPU has an adapter', async (t) => {
    const info = await call(b, 'info', opts);
    t.diagnostic(`navigator.gpu=${info.webgpu} adapter=${info.webgpuAdapter} providers=${info.resolved.executionProviders.join(',')}`);
    assert.equal(info.webgpuAdapter, true, 'no WebGPU adapter even with --enable-unsafe-webgpu --use-webgpu-adapter=swiftshader');
    assert.deepEqual(info.resolved.executionProviders, ['webgpu']);
  });

  test('conv2d + leakyRelu on WebGPU matches the reference interpreter (1e-4)', async (t) => {
    const r: SmallGraphResult = await call(b, 'smallGraph', opts, true);
    const err = assertClose(r.ort.y!, r.reference.y!, 1e-4, 'y');
    t.diagnostic(`y: worst scaled error ${err.toExponential(2)}; WebGPU programs: ${[...new Set(r.webgpuKernels)].join(', ')}`);
    assert.ok(r.webgpuKernels.some((k) => k.startsWith('Conv')), `the convolution did not run on WebGPU (WebGPU programs: ${r.webgpuKernels.join(', ') || 'none'})`);
  });

  test('1x1 and 3x3 conv2d with symmetric or begin padding on WebGPU match the reference interpreter', async () => {
    for (const [k, pads] of [[1, [1, 1, 1, 1]], [1, [1, 1, 0, 0]], [3, [0, 0, 2, 2]], [3, [2, 1, 0, 1]]] as [number, [number, number, number, number]][]) {
      const r: SmallGraphResult = await call(b, 'conv', opts, k, pads);
      assertClose(r.ort.y!, r.reference.y!, 1e-4, `${k}x${k} padding [${pads}]`);
    }
  });

  test('no errors in the page', () => {
    assert.deepEqual(b.errors, []);
  });

  // Known onnxruntime-web 1.30 WebGPU (JSEP) problems; an engine whose execution providers include 'webgpu'
  // emits equivalents that avoid them (EmitCompat.webgpu in src/engine/tensor.ts), and these tests check that:
  // - Conv with a 1x1 kernel and stride 1 is run as a MatMul when its *begin* pads are 0, ignoring nonzero end pads
  //   (pads [0,0,1,1] gives garbage). The polyphase up-sampling of the synthesis network emits exactly that, so
  //   the generator's images are wrong on WebGPU (ONNX Runtime's optimiser folds a Pad before the Conv back into
  //   it; emitting the unpadded Conv followed by a Pad of its output works).
  // - Slice with negative steps clamps a negative end to 0, so a full flip drops an element (the input gradient of
  //   conv2d flips the filter that way): the run fails with a Reshape error.
  // - Concat binds one storage buffer per input, so more than 7 inputs exceed WebGPU's default limit of 8 per
  //   stage and the kernel silently does nothing (the filter gradient concatenates 9 taps of a 3x3 kernel).
  test('a 1x1 conv2d with end-only padding [0,0,1,1] on WebGPU matches the reference interpreter', async () => {
    const r: SmallGraphResult = await call(b, 'conv', opts, 1, [0, 0, 1, 1]);
    assert.deepEqual(r.shapes.y, [1, 8, 5, 5]);
    assertClose(r.ort.y!, r.reference.y!, 1e-4, 'y');
  });

  test('gradients of conv2d on WebGPU match the reference interpreter', async () => {
    const r: SmallGraphResult = await call(b, 'smallGraph', opts);
    for (const k of ['y', 'gx', 'gw']) assertClose(r.ort[k]!, r.reference[k]!, 1e-4, k);
  });

  test('stylegan2-tiny on WebGPU matches the official image (1e-3)', async (t) => {
    const r: GenerateResult = await call(b, 'generate', '/fixtures/stylegan2-tiny/network.pkl', 0, 0.7, opts);
    const err = assertClose(r.img, expected.data as Float32Array, 1e-3, 'image');
    t.diagnostic(`generate on WebGPU (SwiftShader): ${r.ms.toFixed(0)} ms; ${r.webgpuKernels.length} kernel runs on WebGPU (${[...new Set(r.webgpuKernels)].join(', ')}); worst error ${err.toExponential(2)}`);
    assert.ok(r.webgpuKernels.length > 0, 'nothing ran on WebGPU');
    assert.equal(r.liveSessionsAfterDispose, 0, 'sessions left open after dispose');
  });
});
