// Browser entry: everything in the core plus onnxruntime-web (WebAssembly, optionally WebGPU) and loading
// checkpoints over HTTP. Nothing here may import a Node module: tests/web/no-node-imports.test.ts checks it.
import * as ort from 'onnxruntime-web';
import { CheckpointError, InputError } from './errors.js';
import { Engine, type EngineOptions } from './engine/runtime.js';
import { type Checkpoint, readCheckpointBytes, readStylelabModel } from './models/checkpoint.js';

export * from './index.js';

/** Execution providers of onnxruntime-web that stylelab runs on. */
export type WebExecutionProvider = 'wasm' | 'webgpu';

/** Options of `createEngine` in browsers. */
export interface WebEngineOptions {
  /**
   * WebAssembly threads (ort.env.wasm.numThreads). Threads need a cross-origin isolated page (served with
   * COOP/COEP headers); elsewhere 1 is used. Undefined: onnxruntime-web's default (half the cores, at most 4).
   */
  threads?: number;
  /**
   * Providers in order of preference (default ['wasm']). 'webgpu' is dropped where `navigator.gpu` is missing
   * (['wasm'] is used when nothing is left). Where `navigator.gpu` exists but gives no adapter, onnxruntime-web
   * skips 'webgpu' with a console warning if another provider follows, so ask for ['webgpu', 'wasm'].
   */
  executionProviders?: readonly WebExecutionProvider[];
  /**
   * Where the onnxruntime-web .wasm and .mjs files are served (ort.env.wasm.wasmPaths), e.g. '/ort/'.
   * Undefined: next to the script that bundles onnxruntime-web.
   */
  wasmPaths?: string | { wasm?: string; mjs?: string };
}

/** What the page offers onnxruntime-web (read once per call; nothing is cached). */
export interface WebRuntimeInfo {
  /** The page is cross-origin isolated, so SharedArrayBuffer and wasm threads work. */
  crossOriginIsolated: boolean;
  /** `navigator.gpu` exists (an adapter may still be refused). */
  webgpu: boolean;
  /** Logical cores the browser reports. */
  hardwareConcurrency: number;
}

interface NavigatorLike {
  gpu?: unknown;
  hardwareConcurrency?: number;
}

/**
 * What the page offers onnxruntime-web: cross-origin isolation (threads) and WebGPU.
 * @example if (!webRuntimeInfo().crossOriginIsolated) console.warn('serve with COOP/COEP headers for threads');
 */
export function webRuntimeInfo(): WebRuntimeInfo {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: NavigatorLike };
  return {
    crossOriginIsolated: g.crossOriginIsolated === true,
    webgpu: g.navigator?.gpu !== undefined && g.navigator.gpu !== null,
    hardwareConcurrency: g.navigator?.hardwareConcurrency ?? 1,
  };
}

/**
 * Whether WebGPU can really be used here: `navigator.gpu` exists and gives an adapter (headless browsers and
 * blocked GPUs often give none).
 * @example const engine = createEngine({ executionProviders: (await hasWebGpuAdapter()) ? ['webgpu', 'wasm'] : ['wasm'] });
 */
export async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch (e) {
    // A browser that refuses an adapter has no WebGPU for us; say why on the console rather than nowhere.
    console.warn(`stylelab: navigator.gpu.requestAdapter() failed: ${(e as Error).message}`);
    return false;
  }
}

/**
 * Fills defaults and rejects bad values; returns the providers and threads `createEngine` will use on this page.
 * @example resolveWebEngineOptions({ threads: 4 }) // { executionProviders: ['wasm'], threads: 1 } on a page that is not cross-origin isolated
 */
export function resolveWebEngineOptions(opts: WebEngineOptions, info: WebRuntimeInfo = webRuntimeInfo()): { executionProviders: WebExecutionProvider[]; threads: number | undefined } {
  if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 0)) throw new InputError(`threads must be a non-negative integer, got ${opts.threads}`);
  const asked = opts.executionProviders ?? ['wasm'];
  if (asked.length === 0) throw new InputError('executionProviders is empty: give at least one of wasm, webgpu');
  for (const ep of asked) {
    if (ep !== 'wasm' && ep !== 'webgpu') throw new InputError(`unknown execution provider '${String(ep)}' for browsers: expected wasm or webgpu`);
  }
  // WebGPU only where the browser has it; wasm when nothing else is left.
  const providers = asked.filter((ep) => ep !== 'webgpu' || info.webgpu);
  if (providers.length === 0) providers.push('wasm');
  const wanted = opts.threads === undefined || opts.threads === 0 ? undefined : opts.threads;
  const threads = info.crossOriginIsolated ? wanted : 1;
  return { executionProviders: providers, threads };
}

/**
 * An engine on onnxruntime-web. The wasm settings (threads, wasmPaths) are onnxruntime-web's global ones and
 * take effect when it first starts, that is at the first session of the page: create engines with the same settings.
 * @example
 * import { createEngine, loadCheckpointFromUrl, openGenerator, zFromSeed } from 'stylelab/web';
 * const engine = createEngine({ wasmPaths: '/ort/' });
 * const G = openGenerator(engine, await loadCheckpointFromUrl('/models/ffhq/'));
 * const img = await G.generate(zFromSeed(0, G.config.zDim), null, { psi: 0.7, noiseMode: 'const' });
 */
export function createEngine(opts: WebEngineOptions = {}): Engine {
  const { executionProviders, threads } = resolveWebEngineOptions(opts);
  if (threads !== undefined) ort.env.wasm.numThreads = threads;
  if (opts.wasmPaths !== undefined) ort.env.wasm.wasmPaths = opts.wasmPaths;
  const engineOptions: EngineOptions = { ort: ort as unknown as EngineOptions['ort'], executionProviders };
  if (threads !== undefined) engineOptions.threads = threads;
  return new Engine(engineOptions);
}

/** Fetches a URL's bytes, with errors that name the URL and the HTTP status. */
async function fetchBytes(url: string | URL, what: string, init?: RequestInit): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new InputError(`cannot fetch ${what} ${String(url)}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new InputError(`cannot fetch ${what} ${String(url)}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Reads checkpoint bytes already in memory (a File from an <input>, a fetched body): an NVIDIA .pkl snapshot.
 * @example const ckpt = loadCheckpointFromBytes(new Uint8Array(await file.arrayBuffer()));
 */
export function loadCheckpointFromBytes(bytes: Uint8Array | ArrayBuffer): Checkpoint {
  return readCheckpointBytes(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
}

/**
 * Loads a checkpoint over HTTP: an NVIDIA .pkl snapshot, or a stylelab model folder given by a URL ending in '/'
 * or in config.json (config.json and weights.safetensors are fetched from that folder). Relative URLs resolve
 * against the page. `init` is passed to fetch (credentials, an AbortSignal).
 * @example const ckpt = await loadCheckpointFromUrl('/models/stylegan2-emoji32/');
 */
export async function loadCheckpointFromUrl(url: string | URL, init?: RequestInit): Promise<Checkpoint> {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  let abs: URL;
  try {
    abs = base === undefined ? new URL(url) : new URL(url, base);
  } catch (e) {
    throw new InputError(`not a URL: ${String(url)} (${(e as Error).message})`);
  }
  const path = abs.pathname;
  if (path.endsWith('/') || path.endsWith('/config.json')) {
    const folder = new URL(path.endsWith('/') ? './' : '.', abs);
    const [configBytes, weights] = await Promise.all([
      fetchBytes(new URL('config.json', folder), 'model config', init),
      fetchBytes(new URL('weights.safetensors', folder), 'model weights', init),
    ]);
    let configJson: string;
    try {
      configJson = new TextDecoder('utf-8', { fatal: true }).decode(configBytes);
    } catch (e) {
      throw new CheckpointError(`config.json at ${folder.href} is not UTF-8 text (${(e as Error).message})`);
    }
    return readStylelabModel(configJson, weights);
  }
  return loadCheckpointFromBytes(await fetchBytes(abs, 'network', init));
}
