// The browser backend: a module Web Worker running stylelab on onnxruntime-web (wasm, threaded when the page is
// cross-origin isolated, or WebGPU), so long work never blocks the page. It answers the page's calls
// { id, method, args } with { id, ok, result | error }, one call at a time, through a Studio.
import { CheckpointError, InputError } from '../errors.js';
import type { Engine } from '../engine/runtime.js';
import { readStylelabModel } from '../models/checkpoint.js';
import { openGenerator } from '../models/open.js';
import { isUgatitConfigJson, isUgatitParams, readUgatitModel, readUgatitParams } from '../models/ugatit-checkpoint.js';
import { UgatitModel } from '../models/ugatit.js';
import type { ModelInfo } from '../studio/protocol.js';
import { generatorInfo, type ModelProvider, type OpenModel, Studio, ugatitInfo } from '../studio/studio.js';
import { createEngine, hasWebGpuAdapter, loadCheckpointFromBytes, loadCheckpointFromUrl, type WebEngineOptions } from '../web.js';

/** What the page asks of the worker. */
export type WorkerRequest =
  | { id: number; method: 'init'; args: [WebEngineOptions] }
  | { id: number; method: 'openFile'; args: [name: string, bytes: Uint8Array] }
  | { id: number; method: string; args: unknown[] };

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string; kind: string };

/** What `init` answers: the engine the worker runs. */
export interface WorkerInfo {
  providers: string[];
  threads: number;
  crossOriginIsolated: boolean;
  webgpuAdapter: boolean;
}

/** The server's models (fetched lazily from their URLs) plus checkpoints the user opened from a file. */
class BrowserModels implements ModelProvider {
  private listed: (ModelInfo & { url?: string })[] | null = null;
  private readonly opened = new Map<string, Promise<OpenModel>>();
  private readonly files = new Map<string, { info: ModelInfo; model: OpenModel }>();

  constructor(private readonly engine: Engine) {}

  async list(): Promise<ModelInfo[]> {
    if (!this.listed) {
      const res = await fetch('/api/models');
      if (!res.ok) throw new InputError(`cannot list the server's models: HTTP ${res.status}`);
      this.listed = (await res.json()) as (ModelInfo & { url: string })[];
    }
    return [...this.listed, ...[...this.files.values()].map((f) => f.info)];
  }

  open(id: string): Promise<OpenModel> {
    const file = this.files.get(id);
    if (file) return Promise.resolve(file.model);
    let p = this.opened.get(id);
    if (!p) {
      p = this.load(id);
      this.opened.set(id, p);
      p.catch(() => this.opened.delete(id)); // a failed load can be retried
    }
    return p;
  }

  private async load(id: string): Promise<OpenModel> {
    const info = (await this.list()).find((m) => m.id === id) as (ModelInfo & { url?: string }) | undefined;
    if (!info?.url) throw new InputError(`unknown model '${id}'`);
    if (info.kind === 'generator') return { kind: 'generator', G: openGenerator(this.engine, await loadCheckpointFromUrl(info.url)) };
    return { kind: 'ugatit', model: new UgatitModel(this.engine, await fetchUgatit(info.url)) };
  }

  /** Opens a checkpoint picked in the page (never sent to the server): a StyleGAN .pkl/model or a U-GAT-IT .pt. */
  openFile(name: string, bytes: Uint8Array): ModelInfo {
    const id = `file-${this.files.size + 1}`;
    const base = { id, name, source: 'file' as const };
    let entry: { info: ModelInfo; model: OpenModel };
    if (isUgatitParams(bytes)) {
      const m = new UgatitModel(this.engine, readUgatitParams(bytes));
      entry = { info: ugatitInfo(m, base), model: { kind: 'ugatit', model: m } };
    } else {
      const G = openGenerator(this.engine, loadCheckpointFromBytes(bytes));
      entry = { info: generatorInfo(G, base), model: { kind: 'generator', G } };
    }
    this.files.set(id, entry);
    return entry.info;
  }
}

/** A U-GAT-IT checkpoint over HTTP: a .pt snapshot, or a stylelab folder (URL ending in '/'). */
async function fetchUgatit(url: string) {
  const get = async (u: string) => {
    const res = await fetch(u);
    if (!res.ok) throw new InputError(`cannot fetch ${u}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  if (!url.endsWith('/')) return readUgatitParams(await get(url));
  const config = new TextDecoder().decode(await get(`${url}config.json`));
  if (!isUgatitConfigJson(config)) throw new CheckpointError(`${url} is not a U-GAT-IT model`);
  return readUgatitModel(config, await get(`${url}weights.safetensors`));
}

/** The worker's state: made by 'init'. */
let state: { engine: Engine; models: BrowserModels; studio: Studio; info: WorkerInfo } | null = null;

async function init(opts: WebEngineOptions): Promise<WorkerInfo> {
  if (state) throw new InputError('the worker is already initialised');
  const webgpuAdapter = await hasWebGpuAdapter();
  const providers = opts.executionProviders?.filter((p) => p !== 'webgpu' || webgpuAdapter) ?? ['wasm'];
  if (opts.executionProviders?.includes('webgpu') && !webgpuAdapter) throw new InputError('this browser gives no WebGPU adapter: use the wasm backend');
  const engine = createEngine({ ...opts, executionProviders: providers.length > 0 ? providers : ['wasm'] });
  const models = new BrowserModels(engine);
  const coi = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const info: WorkerInfo = { providers: [...(engine.options.executionProviders ?? ['wasm'])].map(String), threads: coi ? (opts.threads ?? 1) : 1, crossOriginIsolated: coi, webgpuAdapter };
  state = { engine, models, studio: new Studio(models), info };
  return info;
}

async function handle(req: WorkerRequest): Promise<unknown> {
  if (req.method === 'init') return init(req.args[0] as WebEngineOptions);
  if (!state) throw new InputError('the worker is not initialised');
  if (req.method === 'openFile') return state.models.openFile(req.args[0] as string, req.args[1] as Uint8Array);
  if (req.method === 'liveSessions') return state.engine.liveSessions;
  const studio = state.studio as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const fn = ['models', 'generate', 'styleMix', 'mixLatent', 'dragOpen', 'dragEdit', 'dragStep', 'dragEndRun', 'dragLatent', 'translate', 'videoOpen', 'videoFrames'].includes(req.method) ? studio[req.method] : undefined;
  if (!fn) throw new InputError(`unknown worker method '${req.method}'`);
  return fn.apply(state.studio, req.args);
}

interface WorkerScope {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(m: WorkerReply): void;
}
const scope = globalThis as unknown as WorkerScope;

// One call at a time, in order: the engine runs one graph at a time anyway.
let tail: Promise<void> = Promise.resolve();
scope.onmessage = (e) => {
  const req = e.data;
  tail = tail.then(async () => {
    try {
      const result = await handle(req);
      // Copied, not transferred: small images, and some arrays (masks) stay in use here.
      scope.postMessage({ id: req.id, ok: true, result });
    } catch (err) {
      const kind = err instanceof InputError ? 'input' : err instanceof CheckpointError ? 'checkpoint' : 'internal';
      scope.postMessage({ id: req.id, ok: false, error: (err as Error).message ?? String(err), kind });
    }
  });
};
