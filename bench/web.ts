// npm run bench:web: the web app's work at the draggan-tiny fixture's size (128x128 StyleGAN2): milliseconds per
// generated image and per DragGAN step (the fixture's two points and mask) in headless Chromium's Web Worker on wasm
// (1 thread and N threads), on WebGPU where the browser gives an adapter (here SwiftShader, Chromium's software
// Vulkan: it says nothing of a real GPU), and in Node (onnxruntime-node, 1 and N threads) through the same Studio.
// Medians of BENCH_WEB_RUNS runs (default 5) after one warm-up call that compiles.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { readNpy } from '../src/io/npy.js';
import { toFloat32 } from '../src/io/tensor.js';
import { openGenerator } from '../src/models/open.js';
import { createEngine, loadCheckpoint } from '../src/node.js';
import { startServer } from '../src/serve/server.js';
import { DRAG_DEFAULTS } from '../src/studio/protocol.js';
import { generatorInfo, Studio } from '../src/studio/studio.js';
import { fixture, repoRoot } from '../tests/fixtures.js';
import { pageWorker, type WorkerCall } from '../tests/web/app-helpers.js';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);
const N = Number(process.env.BENCH_WEB_THREADS ?? 2);
const CHROMIUM = process.env.STYLELAB_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MODEL = 'draggan-tiny-network';
const ref = JSON.parse(readFileSync(fixture('draggan-tiny', 'reference.json'), 'utf8')) as { points_rc: [number, number][]; targets_rc: [number, number][] };
const w0 = Array.from(toFloat32(readNpy(readFileSync(fixture('draggan-tiny', 'w0.npy')))));
const mask = Array.from(toFloat32(readNpy(readFileSync(fixture('draggan-tiny', 'mask.npy')))));
const settings = { ...DRAG_DEFAULTS, lambdaMask: 10, r1: 3 }; // the fixture's

interface Timing {
  generate: number[];
  step: number[];
  firstGenerate: number;
  firstStep: number;
  note?: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The work of one configuration, through any object with the Studio's methods. Times are the backend's own (`ms` of
 * each result, measured around the Studio call where it runs), so moving results to Node costs nothing here.
 */
async function work(call: WorkerCall, runs: number): Promise<Timing> {
  const ms = async (p: Promise<unknown>) => ((await p) as { ms: number }).ms;
  const gen = (seed: number) => ms(call('generate', { model: MODEL, seed, psi: 0.7, cutoff: null, classIdx: null, noiseMode: 'const' }));
  const firstGenerate = await gen(0);
  const generate: number[] = [];
  for (let i = 1; i <= runs; i++) generate.push(await gen(i));
  await call('dragOpen', { model: MODEL, settings, latent: Float32Array.from(w0) });
  await call('dragEdit', { op: 'points', handles: ref.points_rc, targets: ref.targets_rc });
  await call('dragEdit', { op: 'mask', mask: Uint8Array.from(mask) });
  const firstStep = await ms(call('dragStep'));
  const step: number[] = [];
  for (let i = 0; i < runs; i++) step.push(await ms(call('dragStep')));
  return { generate, step, firstGenerate, firstStep };
}

async function inNode(threads: number): Promise<Timing> {
  const engine = createEngine({ threads });
  const G = openGenerator(engine, loadCheckpoint(fixture('draggan-tiny', 'network.pkl')));
  const info = generatorInfo(G, { id: MODEL, name: MODEL, source: 'cli' });
  const studio = new Studio({ list: async () => [info], open: async () => ({ kind: 'generator', G }) });
  try {
    return await work((m, ...a) => (studio as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[m]!.apply(studio, a), RUNS);
  } finally {
    await studio.dispose();
    await G.dispose();
    await engine.dispose();
  }
}

async function inBrowser(url: string, kind: 'wasm' | 'webgpu', threads: number): Promise<Timing | string> {
  const extra = kind === 'webgpu' ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : ['--disable-gpu'];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...ARGS, ...extra] });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(600_000);
    await page.goto(`${url}#translate`);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    let call: WorkerCall;
    try {
      call = await pageWorker(page, { wasmPaths: '/ort/', threads, executionProviders: [kind] });
    } catch (e) {
      return `not run: ${(e as Error).message.split('\n')[0]}`;
    }
    return { ...(await work(call, RUNS)), note: `crossOriginIsolated=${await page.evaluate(() => crossOriginIsolated)}` };
  } finally {
    await browser.close();
  }
}

const server = await startServer({ port: 0, assetDir: join(repoRoot, 'dist', 'app'), log: () => {}, models: { bundledDirs: [], networks: [fixture('draggan-tiny', 'network.pkl')], checkpoints: [] } });
const rows: [string, Timing | string][] = [];
try {
  rows.push([`Node (onnxruntime-node), 1 thread`, await inNode(1)]);
  rows.push([`Node (onnxruntime-node), ${N} threads`, await inNode(N)]);
  rows.push([`Chromium worker, wasm, 1 thread`, await inBrowser(server.url, 'wasm', 1)]);
  rows.push([`Chromium worker, wasm, ${N} threads`, await inBrowser(server.url, 'wasm', N)]);
  rows.push([`Chromium worker, WebGPU (SwiftShader)`, await inBrowser(server.url, 'webgpu', N)]);
} finally {
  await server.close();
}

console.log(`draggan-tiny (128x128 StyleGAN2, w_dim 64): medians of ${RUNS} runs after a compiling first call; drag steps with 2 points and a mask`);
console.log('| where | ms / image | ms / drag step | first image (compile) | first step (compile) |');
console.log('| --- | --- | --- | --- | --- |');
const node = new Map<number, Timing>();
for (const [name, t] of rows) {
  if (typeof t === 'string') {
    console.log(`| ${name} | ${t} | | | |`);
    continue;
  }
  if (name.startsWith('Node')) node.set(name.includes(' 1 thread') ? 1 : N, t);
  const vs = !name.startsWith('Node') && node.size ? ` (x${(median(t.step) / median(node.get(name.includes(' 1 thread') ? 1 : N)!.step)).toFixed(2)} Node)` : '';
  console.log(`| ${name} | ${median(t.generate).toFixed(0)} | ${median(t.step).toFixed(0)}${vs} | ${t.firstGenerate.toFixed(0)} | ${t.firstStep.toFixed(0)} |`);
}
