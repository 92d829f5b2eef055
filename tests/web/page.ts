// The test page bundled by scripts/build-web.mjs into dist/web-test/page.js and driven by tests/web/browser.test.ts.
// It exposes `globalThis.stylelabPage`, whose methods run stylelab/web in the browser and return plain data.
import * as E from '../../src/engine/index.js';
import { createEngine, hasWebGpuAdapter, loadCheckpointFromUrl, openGenerator, resolveWebEngineOptions, webRuntimeInfo, zFromSeed, type WebEngineOptions, type WebRuntimeInfo } from '../../src/web.js';

/** Arrays returned to the test, by name. */
export type Arrays = Record<string, number[]>;

export interface SmallGraphResult {
  /** Programs that ran on WebGPU (pipeline labels; empty on wasm). */
  webgpuKernels: string[];
  ort: Arrays;
  reference: Arrays;
  shapes: Record<string, number[]>;
}

export interface GenerateResult {
  img: number[];
  shape: [number, number, number, number];
  ms: number;
  liveSessionsAfterDispose: number;
  webgpuKernels: string[];
}

export interface PageApi {
  info(opts?: WebEngineOptions): Promise<WebRuntimeInfo & { webgpuAdapter: boolean; resolved: ReturnType<typeof resolveWebEngineOptions> }>;
  smallGraph(opts?: WebEngineOptions, forwardOnly?: boolean): Promise<SmallGraphResult>;
  conv(opts: WebEngineOptions, kernel: number, padding: [number, number, number, number]): Promise<SmallGraphResult>;
  generate(url: string, seed: number, psi: number, opts?: WebEngineOptions): Promise<GenerateResult>;
}

/**
 * Labels of the WebGPU compute pipelines set since the last reset: onnxruntime-web labels each pipeline with its
 * program's name (Conv2DMatMul, Transpose, ...), so a non-empty list proves work ran on WebGPU.
 */
const webgpuKernels: string[] = [];
const passEncoder = (globalThis as { GPUComputePassEncoder?: { prototype: { setPipeline(p: { label: string }): void } } }).GPUComputePassEncoder;
if (passEncoder) {
  const setPipeline = passEncoder.prototype.setPipeline;
  passEncoder.prototype.setPipeline = function (this: unknown, pipeline: { label: string }) {
    webgpuKernels.push(pipeline.label);
    return setPipeline.call(this, pipeline);
  };
}

/** Deterministic values in [-1, 1) (a sine hash; no seeding library needed). */
function values(n: number, salt: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const s = Math.sin((i + 1) * 12.9898 + salt * 78.233) * 43758.5453;
    return 2 * (s - Math.floor(s)) - 1;
  });
}

/**
 * conv2d + leakyRelu (y) and, unless `forwardOnly`, the gradients of sum(y^2) with respect to the input (gx) and
 * the filter (gw), run on onnxruntime-web and on the reference interpreter.
 */
async function smallGraph(opts: WebEngineOptions = {}, forwardOnly = false): Promise<SmallGraphResult> {
  const xShape = [2, 3, 6, 6];
  const wShape = [4, 3, 3, 3];
  const x = E.input('x', xShape);
  const w = E.input('w', wShape);
  const y = E.leakyRelu(E.conv2d(x, w, { padding: 1 }), 0.2);
  const outputs: Record<string, E.Tensor> = { y };
  if (!forwardOnly) {
    const [gx, gw] = E.grad(E.sum(E.mul(y, y)), [x, w]);
    outputs.gx = gx!;
    outputs.gw = gw!;
  }
  const names = Object.keys(outputs);
  const xs = values(xShape.reduce((a, b) => a * b), 1);
  const ws = values(wShape.reduce((a, b) => a * b), 2);

  const refs = E.evaluate(Object.values(outputs), { x: E.ndarray(xShape, xs), w: E.ndarray(wShape, ws) });
  const engine = createEngine(opts);
  const prog = await engine.compile(outputs);
  try {
    webgpuKernels.length = 0;
    const out = await prog.run({ x: Float32Array.from(xs), w: Float32Array.from(ws) });
    return {
      webgpuKernels: [...webgpuKernels],
      ort: Object.fromEntries(names.map((k) => [k, Array.from(out[k]!.data)])),
      reference: Object.fromEntries(names.map((k, i) => [k, Array.from(refs[i]!.data)])),
      shapes: Object.fromEntries(names.map((k) => [k, out[k]!.shape])),
    };
  } finally {
    await prog.dispose();
    await engine.dispose();
  }
}

/** One conv2d x [1,8,4,4] * w [8,8,k,k] with explicit [top, left, bottom, right] padding, on onnxruntime-web and the reference. */
async function conv(opts: WebEngineOptions, kernel: number, padding: [number, number, number, number]): Promise<SmallGraphResult> {
  const xShape = [1, 8, 4, 4];
  const wShape = [8, 8, kernel, kernel];
  const y = E.conv2d(E.input('x', xShape), E.input('w', wShape), { padding });
  const xs = values(xShape.reduce((a, b) => a * b), 3);
  const ws = values(wShape.reduce((a, b) => a * b), 4);
  const [ref] = E.evaluate([y], { x: E.ndarray(xShape, xs), w: E.ndarray(wShape, ws) });
  const engine = createEngine(opts);
  const prog = await engine.compile({ y });
  try {
    webgpuKernels.length = 0;
    const out = await prog.run({ x: Float32Array.from(xs), w: Float32Array.from(ws) });
    return { webgpuKernels: [...webgpuKernels], ort: { y: Array.from(out.y!.data) }, reference: { y: Array.from(ref!.data) }, shapes: { y: out.y!.shape } };
  } finally {
    await prog.dispose();
    await engine.dispose();
  }
}

/** Loads a checkpoint by URL (an NVIDIA .pkl or a stylelab model folder) and generates one image, as gen_images.py. */
async function generate(url: string, seed: number, psi: number, opts: WebEngineOptions = {}): Promise<GenerateResult> {
  const engine = createEngine(opts);
  const G = openGenerator(engine, await loadCheckpointFromUrl(url));
  try {
    webgpuKernels.length = 0;
    const t0 = performance.now();
    const img = await G.generate(zFromSeed(seed, G.config.zDim), null, { psi, noiseMode: 'const' });
    const ms = performance.now() - t0;
    const { imgChannels: C, imgResolution: R } = G.config;
    await G.dispose();
    return { img: Array.from(img), shape: [1, C, R, R], ms, liveSessionsAfterDispose: engine.liveSessions, webgpuKernels: [...webgpuKernels] };
  } finally {
    await G.dispose();
    await engine.dispose();
  }
}

const api: PageApi = {
  info: async (opts = {}) => ({ ...webRuntimeInfo(), webgpuAdapter: await hasWebGpuAdapter(), resolved: resolveWebEngineOptions(opts) }),
  smallGraph,
  conv,
  generate,
};
(globalThis as { stylelabPage?: PageApi }).stylelabPage = api;
