// The page's two backends behind one interface (StudioApi): the in-page Web Worker (onnxruntime-web) and the server
// (onnxruntime-node, JSON over HTTP with base64 for binary fields). The page never knows which one it talks to.
import type {
  DragEdit, DragOpenRequest, DragState, DragStepResult, GenerateRequest, ImageResult, ModelInfo, Picture, StudioApi, StyleMixRequest,
  TranslateRequest, TranslateResult, VideoInfo, VideoRequest,
} from '../studio/protocol.js';
import type { WorkerInfo, WorkerReply } from './worker.js';

/** A backend the page can use. */
export interface Backend extends StudioApi {
  /** 'wasm', 'webgpu' or 'server'. */
  readonly kind: 'wasm' | 'webgpu' | 'server';
  /** Shown next to the selector, e.g. 'wasm · 4 threads'. */
  readonly label: string;
  /** Opens a checkpoint file in the page (browser backends only). */
  openFile?(name: string, bytes: Uint8Array): Promise<ModelInfo>;
  dispose(): void;
}

/** An error the backend reported (bad input, a bad checkpoint, or a failure), with its message for the page. */
export class BackendError extends Error {}

/** The in-page backend: calls go to a module worker. */
export class WorkerBackend implements Backend {
  private readonly worker: Worker;
  private next = 1;
  private readonly calls = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  label = '';

  private constructor(readonly kind: 'wasm' | 'webgpu') {
    this.worker = new Worker('worker.js', { type: 'module', name: `stylelab-${kind}` });
    this.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const r = e.data;
      const call = this.calls.get(r.id);
      if (!call) return;
      this.calls.delete(r.id);
      if (r.ok) call.ok(r.result);
      else call.fail(new BackendError(r.error));
    };
    this.worker.onerror = (e) => {
      for (const c of this.calls.values()) c.fail(new BackendError(`the worker failed: ${e.message}`));
      this.calls.clear();
    };
  }

  /** Starts a worker with onnxruntime-web on wasm (`threads`) or WebGPU. */
  static async start(kind: 'wasm' | 'webgpu', threads: number): Promise<WorkerBackend> {
    const b = new WorkerBackend(kind);
    try {
      const info = (await b.call('init', { wasmPaths: '/ort/', threads, executionProviders: kind === 'webgpu' ? ['webgpu'] : ['wasm'] })) as WorkerInfo;
      b.label = kind === 'webgpu' ? 'WebGPU (in this page)' : `wasm · ${info.threads} thread${info.threads === 1 ? '' : 's'} (in this page)`;
    } catch (e) {
      b.dispose();
      throw e;
    }
    return b;
  }

  call(method: string, ...args: unknown[]): Promise<unknown> {
    const id = this.next++;
    return new Promise((ok, fail) => {
      this.calls.set(id, { ok, fail });
      this.worker.postMessage({ id, method, args });
    });
  }

  models = () => this.call('models') as Promise<ModelInfo[]>;
  generate = (r: GenerateRequest) => this.call('generate', r) as Promise<ImageResult>;
  styleMix = (r: StyleMixRequest) => this.call('styleMix', r) as Promise<ImageResult>;
  mixLatent = (r: StyleMixRequest) => this.call('mixLatent', r) as Promise<Float32Array>;
  dragOpen = (r: DragOpenRequest) => this.call('dragOpen', r) as Promise<DragState>;
  dragEdit = (e: DragEdit) => this.call('dragEdit', e) as Promise<DragState>;
  dragStep = () => this.call('dragStep') as Promise<DragStepResult>;
  dragEndRun = () => this.call('dragEndRun') as Promise<DragState>;
  dragLatent = () => this.call('dragLatent') as Promise<{ latent: Float32Array; numWs: number; wDim: number }>;
  translate = (r: TranslateRequest) => this.call('translate', r) as Promise<TranslateResult>;
  videoOpen = (r: VideoRequest) => this.call('videoOpen', r) as Promise<VideoInfo>;
  videoFrames = (start: number, count: number) => this.call('videoFrames', start, count) as Promise<Picture[]>;
  openFile = (name: string, bytes: Uint8Array) => this.call('openFile', name, bytes) as Promise<ModelInfo>;

  dispose(): void {
    this.worker.terminate();
    for (const c of this.calls.values()) c.fail(new BackendError('the backend was switched'));
    this.calls.clear();
  }
}

/** Base64 of bytes (chunked: String.fromCharCode takes a bounded number of arguments). */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

type Wire<T> = T extends Uint8Array | Float32Array ? string : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;
const picture = (p: Wire<Picture>): Picture => ({ ...p, data: fromBase64(p.data) });
const dragState = (s: Wire<DragState>): DragState => ({ ...s, image: picture(s.image), mask: s.mask === null ? null : fromBase64(s.mask) });

/** The server backend: a server session for this page, closed when the page goes away. */
export class ServerBackend implements Backend {
  readonly kind = 'server';
  readonly label = 'server (onnxruntime-node)';
  private constructor(
    private readonly id: string,
    private readonly onPageHide: () => void,
  ) {}

  static async start(): Promise<ServerBackend> {
    const { id } = (await ServerBackend.post('/api/sessions', {})) as { id: string };
    const close = () => navigator.sendBeacon(`/api/sessions/${id}/close`);
    addEventListener('pagehide', close);
    return new ServerBackend(id, close);
  }

  private static async post(url: string, body: unknown): Promise<unknown> {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as { error?: string };
    if (!res.ok) throw new BackendError(json.error ?? `HTTP ${res.status}`);
    return json;
  }

  private op(op: string, body: unknown = {}): Promise<unknown> {
    return ServerBackend.post(`/api/sessions/${this.id}/${op}`, body);
  }

  /** The session id (tests and the MP4 download use it). */
  get session(): string {
    return this.id;
  }

  models = async () => {
    const res = await fetch('/api/models');
    return (await res.json()) as ModelInfo[];
  };
  generate = async (r: GenerateRequest) => {
    const w = (await this.op('generate', r)) as Wire<ImageResult>;
    return { ...w, image: picture(w.image) };
  };
  styleMix = async (r: StyleMixRequest) => {
    const w = (await this.op('style-mix', r)) as Wire<ImageResult>;
    return { ...w, image: picture(w.image) };
  };
  mixLatent = async (r: StyleMixRequest) => {
    const b = fromBase64((await this.op('mix-latent', r)) as string);
    return new Float32Array(b.buffer, 0, b.length / 4);
  };
  dragOpen = async (r: DragOpenRequest) => {
    const body = 'latent' in r ? { ...r, latent: toBase64(new Uint8Array(r.latent.buffer, r.latent.byteOffset, r.latent.byteLength)) } : r;
    return dragState((await this.op('drag-open', body)) as Wire<DragState>);
  };
  dragEdit = async (e: DragEdit) => {
    const body = e.op === 'mask' ? { op: 'mask', mask: e.mask === null ? null : toBase64(e.mask) } : e;
    return dragState((await this.op('drag-edit', body)) as Wire<DragState>);
  };
  dragStep = async () => {
    const w = (await this.op('drag-step')) as Wire<DragStepResult>;
    return { ...w, image: picture(w.image) };
  };
  dragEndRun = async () => dragState((await this.op('drag-end-run')) as Wire<DragState>);
  dragLatent = async () => {
    const w = (await this.op('drag-latent')) as { latent: string; numWs: number; wDim: number };
    const b = fromBase64(w.latent);
    return { ...w, latent: new Float32Array(b.buffer, 0, b.length / 4) };
  };
  translate = async (r: TranslateRequest) => {
    const w = (await this.op('translate', { ...r, image: { ...r.image, data: toBase64(r.image.data) } })) as Wire<TranslateResult>;
    return { ...w, input: picture(w.input), output: picture(w.output), cam: picture(w.cam) };
  };
  videoOpen = (r: VideoRequest) => this.op('video-open', r) as Promise<VideoInfo>;
  videoFrames = async (start: number, count: number) => ((await this.op('video-frames', { start, count })) as Wire<Picture>[]).map(picture);
  /** Renders the open video as an MP4 on the server (ffmpeg); poll mp4Status, then download mp4Url. */
  startMp4 = (fps: number) => this.op('video-mp4', { fps }) as Promise<{ total: number }>;
  mp4Status = () => this.op('video-mp4-status') as Promise<{ done: number; total: number; ready: boolean; error: string | null }>;
  get mp4Url(): string {
    return `/api/sessions/${this.id}/video.mp4`;
  }

  dispose(): void {
    removeEventListener('pagehide', this.onPageHide);
    this.onPageHide();
  }
}
