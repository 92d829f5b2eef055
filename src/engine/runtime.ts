// Executes compiled graphs with ONNX Runtime. The ORT module is injected (onnxruntime-node in Node,
// onnxruntime-web in browsers), so this file has no platform-specific imports.
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import { InputError } from '../errors.js';
import { toOrtData, type DType } from './dtype.js';
import { toOnnx, type InputInfo, type OnnxModel, type ParamsAs, type ValueInfo } from './onnx.js';
import { fmt, sizeOf } from './shape.js';
import type { Parameter } from './sources.js';
import type { Tensor } from './tensor.js';

/** The part of an onnxruntime module stylelab uses (onnxruntime-node and onnxruntime-web both fit). */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32' | 'int64' | 'int32' | 'bool', data: Float32Array | BigInt64Array | Int32Array | Uint8Array, dims: readonly number[]) => OrtTensor;
}

export interface EngineOptions {
  /** The onnxruntime module to run on. */
  ort: OrtModule;
  /** Intra-op threads (0 or undefined: onnxruntime's default, one per core). */
  threads?: number;
  /** Execution providers in order of preference, e.g. ['cuda', 'cpu'] or ['webgpu', 'wasm']. */
  executionProviders?: InferenceSession.SessionOptions['executionProviders'];
  /** ONNX Runtime's graph optimisation level (default 'all'); large gradient graphs compile much faster with 'disabled'. */
  graphOptimizationLevel?: InferenceSession.SessionOptions['graphOptimizationLevel'];
  /** Writes an onnxruntime profile (JSON, per-node kernel times) per session to files named `<prefix>_<date>.json`, closed at dispose. */
  profilePrefix?: string;
  /**
   * Whether idle intra-op threads spin before sleeping (ORT's `session.intra_op.allow_spinning`; default on).
   * Spinning burns CPU that other processes on a busy machine could use; off, each run wakes its threads.
   */
  intraOpSpinning?: boolean;
  /**
   * Parameters with at least this many values are fed at run time instead of baked into the model (no copy in the
   * model bytes and the session: U-GAT-IT full's 268M-value fc layer compiles in seconds instead of tens of them).
   * Leave unset where inputs are copied on every run (onnxruntime-web's wasm).
   */
  feedLargeParams?: number;
}

/**
 * Per-program memory settings. ONNX Runtime's CPU arena keeps each session's peak of intermediate tensors
 * reserved after a run, and its memory pattern reserves one block of that peak size planned from the first
 * run, so two large gradient programs hold both peaks at once (U-GAT-IT training at 128x128: 9.7 GiB with
 * both on, 4.2 GiB with both off, at the same speed). Large programs that run one after another turn both off.
 */
export interface SessionMemory {
  /** ORT's CPU memory arena (enableCpuMemArena; default true). */
  arena?: boolean;
  /** ORT's memory pattern (enableMemPattern; default true). */
  pattern?: boolean;
}

/** Source of the numbers for random inputs (seeded, so runs are reproducible). */
export interface RandomSource {
  normal(count: number): Float32Array;
  uniform(count: number): Float32Array;
}

/** A value fed to an input: data in row-major order (shape is the graph's), or data with its shape. */
export type Feed = Float32Array | BigInt64Array | Int32Array | Uint8Array | number[] | { data: ArrayLike<number> | BigInt64Array; shape: readonly number[] };

/** One output of a run. */
export interface Output {
  data: Float32Array;
  shape: number[];
}

export interface RunOptions {
  /** Fills random inputs that were not fed. */
  random?: RandomSource;
}

/** A compiled graph with its ONNX Runtime session. Call `dispose()` when done (cached programs are disposed with their engine). */
export class Program {
  private session: InferenceSession | null;
  constructor(
    private readonly engine: Engine,
    session: InferenceSession,
    readonly inputs: readonly InputInfo[],
    readonly params: readonly Parameter[],
    readonly outputs: readonly ValueInfo[],
  ) {
    this.session = session;
  }

  /**
   * Runs the graph. Parameters emitted as inputs are read from their current `data`.
   * @example const { img } = await program.run({ ws });
   */
  async run(feeds: Record<string, Feed>, opts: RunOptions = {}): Promise<Record<string, Output>> {
    if (!this.session) throw new InputError('Program.run: this program has been disposed');
    const ort = this.engine.options.ort;
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const info of this.inputs) {
      const feed = feeds[info.name];
      if (feed === undefined) {
        if (!info.random) throw new InputError(`missing input '${info.name}' (shape ${fmt(info.shape)})`);
        if (!opts.random) throw new InputError(`input '${info.name}' is random: pass { random } or feed it`);
        const n = sizeOf(info.shape);
        ortFeeds[info.name] = new ort.Tensor('float32', info.random === 'normal' ? opts.random.normal(n) : opts.random.uniform(n), info.shape);
        continue;
      }
      ortFeeds[info.name] = new ort.Tensor(info.dtype, checkFeed(info, feed), info.shape);
    }
    for (const p of this.params) ortFeeds[p.name] = new ort.Tensor('float32', p.data, p.shape);
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((i) => i.name === name)) throw new InputError(`unknown input '${name}' (inputs: ${this.inputs.map((i) => i.name).join(', ') || 'none'})`);
    }
    const result = await this.session.run(ortFeeds);
    const out: Record<string, Output> = {};
    for (const o of this.outputs) {
      const t = result[o.name]!;
      out[o.name] = { data: t.data as Float32Array, shape: [...t.dims] };
    }
    return out;
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    if (!this.session) return;
    const s = this.session;
    this.session = null;
    if (this.engine.profiling) s.endProfiling(); // flushes the profile file
    await s.release();
    this.engine.sessionReleased();
  }

  get disposed(): boolean {
    return this.session === null;
  }
}

/** Converts a feed to the typed array for its input, checking the element count. */
function checkFeed(info: InputInfo, feed: Feed): Float32Array | BigInt64Array | Int32Array | Uint8Array {
  const data = Array.isArray(feed) || ArrayBuffer.isView(feed) ? (feed as ArrayLike<number>) : (feed as { data: ArrayLike<number> }).data;
  const shape = !Array.isArray(feed) && !ArrayBuffer.isView(feed) ? (feed as { shape: readonly number[] }).shape : undefined;
  const n = sizeOf(info.shape);
  if (shape && fmt(shape) !== fmt(info.shape)) throw new InputError(`input '${info.name}' expects shape ${fmt(info.shape)}, got ${fmt(shape)}`);
  if (data.length !== n) throw new InputError(`input '${info.name}' expects ${n} values (shape ${fmt(info.shape)}), got ${data.length}`);
  if (info.dtype === 'int64' && data instanceof BigInt64Array) return data;
  return toOrtData(info.dtype as DType, data as ArrayLike<number>);
}

/**
 * Opens ONNX Runtime sessions and counts the live ones.
 * @example const engine = new Engine({ ort, threads: 2 }); const cache = new ProgramCache(engine);
 */
export class Engine {
  private live = 0;
  private readonly shared: ProgramCache;
  constructor(readonly options: EngineOptions) {
    this.shared = new ProgramCache(this);
  }

  /** Number of ONNX Runtime sessions currently open (for leak tests). */
  /** True when sessions write onnxruntime profiles (`profilePrefix`). */
  get profiling(): boolean {
    return this.options.profilePrefix !== undefined;
  }

  get liveSessions(): number {
    return this.live;
  }

  /** @internal called by Program.dispose */
  sessionReleased(): void {
    this.live--;
  }

  /** Creates a session for an already-serialised model. */
  async load(model: OnnxModel, memory: SessionMemory = {}): Promise<Program> {
    const session = await this.options.ort.InferenceSession.create(model.bytes, {
      graphOptimizationLevel: this.options.graphOptimizationLevel ?? 'all',
      executionMode: 'sequential',
      enableCpuMemArena: memory.arena ?? true,
      enableMemPattern: memory.pattern ?? true,
      intraOpNumThreads: this.options.threads ?? 0,
      interOpNumThreads: 1,
      ...(this.options.profilePrefix ? { enableProfiling: true, profileFilePrefix: this.options.profilePrefix } : {}),
      ...(this.options.intraOpSpinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
      ...(this.options.executionProviders ? { executionProviders: this.options.executionProviders } : {}),
    });
    this.live++;
    return new Program(this, session, model.inputs, model.params, model.outputs);
  }

  /**
   * Compiles outputs to a new program (not cached: the caller disposes it).
   * @example const p = await engine.compile({ y: relu(x) });
   * @example const step = await engine.compile(grads, 'inputs', { arena: false, pattern: false }); // a large gradient program
   */
  async compile(outputs: Record<string, Tensor>, paramsAs: ParamsAs = 'initializers', memory: SessionMemory = {}): Promise<Program> {
    return this.load(toOnnx(outputs, paramsAs, { webgpu: this.usesWebGpu, feedParamsFrom: this.options.feedLargeParams }), memory);
  }

  /** True when WebGPU is among the execution providers (graphs are then emitted with its work-arounds). */
  get usesWebGpu(): boolean {
    return (this.options.executionProviders ?? []).some((ep) => (typeof ep === 'string' ? ep : ep.name) === 'webgpu');
  }

  /** A program from the engine's shared cache (see ProgramCache.get); released by `dispose()`. */
  cached(key: string, build: () => Record<string, Tensor>, paramsAs: ParamsAs = 'initializers'): Promise<Program> {
    return this.shared.get(key, build, paramsAs);
  }

  /** Drops and releases one program of the shared cache. */
  evict(key: string): Promise<void> {
    return this.shared.evict(key);
  }

  /** Releases the shared cache's programs (programs owned elsewhere are their owners' to release). */
  dispose(): Promise<void> {
    return this.shared.dispose();
  }
}

/**
 * Programs by key (graph and shape), each compiled once on first use. A model owns one and disposes it.
 * @example const p = await cache.get(`synthesis:${batch}`, () => ({ img: net(ws) }));
 */
export class ProgramCache {
  private readonly programs = new Map<string, Promise<Program>>();
  constructor(readonly engine: Engine) {}

  get(key: string, build: () => Record<string, Tensor>, paramsAs: ParamsAs = 'initializers'): Promise<Program> {
    let p = this.programs.get(key);
    if (!p) {
      p = this.engine.compile(build(), paramsAs);
      this.programs.set(key, p);
      p.catch(() => this.programs.delete(key));
    }
    return p;
  }

  get size(): number {
    return this.programs.size;
  }

  async evict(key: string): Promise<void> {
    const p = this.programs.get(key);
    this.programs.delete(key);
    if (p) await (await p).dispose();
  }

  async dispose(): Promise<void> {
    const all = [...this.programs.values()];
    this.programs.clear();
    for (const p of all) {
      const prog = await p.catch(() => null);
      await prog?.dispose();
    }
  }
}
