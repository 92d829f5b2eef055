// A DragGAN session a UI drives step by step (viz/renderer.py's drag loop, plus undo/redo): the latent, Adam's
// state, the handle and target points, the mask and the first frame's features, kept as immutable states in a
// history. Platform-neutral: no file or Node imports (latent files are bytes, see latent.ts).
import * as E from '../engine/index.js';
import { InputError } from '../errors.js';
import type { Generator } from '../models/generator.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';
import { zFromSeed } from '../random/numpy-random.js';
import { type AdamState, adamInit, adamStep } from './adam.js';
import { pixelRadii } from './features.js';
import { type DragGraphOptions, dragStepGraph } from './graph.js';

import { DRAG_DEFAULTS } from './defaults.js';

export { DRAG_DEFAULTS };

/** A pixel position [row, col]. */
export type Point = readonly [number, number];

/** Where a session starts: a seed (z as numpy's RandomState(seed).randn, mapped with truncation psi) or a latent. */
export type DragStart = { seed: number; psi?: number } | { latent: Float32Array };

export interface DragSessionOptions {
  /** Optimise one w shared by the first 6 layers ('w') or one per layer ('w+', the default). */
  wSpace?: 'w' | 'w+';
  /** Adam's learning rate (default 0.001). */
  lr?: number;
  /** Motion supervision radius, in pixels of a 512 image (default 3). */
  r1?: number;
  /** Tracking radius, in pixels of a 512 image (default 12). */
  r2?: number;
  /** Weight of the fixed-region term (default 20, the official apps'). */
  lambdaMask?: number;
  /** Weight of the L1 pull towards the start latent (default 0). */
  reg?: number;
  /** Index of the feature map in the official `feat` list (default 5, or the last one of a network with fewer). */
  featureIdx?: number;
  noiseMode?: NoiseMode;
  /** Most undo steps kept (default 1000). */
  historyLimit?: number;
}

/** What one step did. */
export interface DragStepResult {
  /** Steps taken so far, this one included. */
  step: number;
  /** The image of the latent before this step's update [1, C, H, W] in about [-1, 1] (what the renderer shows). */
  image: Float32Array;
  /** The tracked handle points. */
  points: Point[];
  /** Distance of each tracked point to its target, in pixels. */
  distances: number[];
  /** True when every point is within max(2/512 h, 2) pixels of its target: the latent was not updated. */
  stopped: boolean;
  loss: number;
}

/** One immutable state of a session (arrays are never written after a state is made). */
interface State {
  /** The optimised rows [rows, wDim] (w+) or [wDim] (w). */
  readonly w: Float32Array;
  readonly adam: AdamState;
  readonly handles: readonly Point[];
  readonly targets: readonly Point[];
  /** [h * w], 1 = fixed. */
  readonly mask: Float32Array | null;
  /** Handle features and the features of the first frame, captured by the first step after the handles were set. */
  readonly refs: Float32Array | null;
  readonly feat0: Float32Array | null;
  readonly steps: number;
}

/** Rows of ws that DragGAN optimises (ws[:, :6]). */
const OPTIMIZED_ROWS = 6;

/**
 * A drag session on a generator: set points (and a mask), then `step()` until it stops.
 * @example
 * const s = await DragSession.create(G, { seed: 3, psi: 0.7 });
 * s.setPoints([[51, 57]], [[51, 76]]);
 * const { image, points, stopped } = await s.step();
 * s.undo(); await s.dispose();
 */
export class DragSession {
  private readonly programs: E.ProgramCache;
  private history: State[];
  private at = 0;
  private learningRate: number;
  private readonly o: Required<Omit<DragSessionOptions, 'lr' | 'featureIdx'>> & Pick<DragSessionOptions, 'featureIdx'>;
  private readonly rows: number;

  private constructor(
    readonly G: Generator,
    /** The start latent ws [1, numWs, wDim] (rows past the optimised ones always come from here). */
    readonly w0: Float32Array,
    o: DragSessionOptions,
  ) {
    // r1 defaults to the renderer's 3, or to one pixel on a small network where 3 rounds to none (below 171x171).
    const r1 = Math.max(DRAG_DEFAULTS.r1, 512 / G.imgResolution);
    const d = DRAG_DEFAULTS;
    this.o = { wSpace: d.wSpace, r2: d.r2, lambdaMask: d.lambdaMask, reg: d.reg, noiseMode: 'const', historyLimit: 1000, ...o, r1: o.r1 ?? r1 };
    if (this.o.wSpace !== 'w' && this.o.wSpace !== 'w+') throw new InputError(`w space must be 'w' or 'w+', got '${this.o.wSpace}'`);
    for (const [k, v] of [['r1', this.o.r1], ['r2', this.o.r2]] as const) if (!(v > 0) || !Number.isFinite(v)) throw new InputError(`${k} must be a positive number, got ${v}`);
    for (const [k, v] of [['lambda', this.o.lambdaMask], ['reg', this.o.reg]] as const) if (!(v >= 0) || !Number.isFinite(v)) throw new InputError(`${k} must be a number >= 0, got ${v}`);
    // The renderer's disk is round(r1 / 512 * h) pixels: 0 on a small network, where nothing would ever move.
    if (pixelRadii(G.imgResolution, this.o.r1, 0).R1 === 0) throw new InputError(`r1 ${this.o.r1} is a 0-pixel motion radius on this ${G.imgResolution}x${G.imgResolution} network (r1 counts pixels of a 512 image, rounded): use r1 > ${256 / G.imgResolution}`);
    if (this.o.featureIdx !== undefined && (!Number.isInteger(this.o.featureIdx) || this.o.featureIdx < 0)) throw new InputError(`feature index must be a non-negative integer, got ${this.o.featureIdx}`);
    this.learningRate = checkLr(o.lr ?? DRAG_DEFAULTS.lr);
    this.rows = Math.min(OPTIMIZED_ROWS, G.numWs);
    this.programs = new E.ProgramCache(G.engine);
    const w = this.initialW();
    this.history = [{ w, adam: adamInit(w.length), handles: [], targets: [], mask: null, refs: null, feat0: null, steps: 0 }];
  }

  /**
   * A session from a seed (z = RandomState(seed).randn(1, zDim), mapped with psi 0.7 by default, label zeros) or
   * from a latent ws [numWs * wDim] (or one w [wDim], repeated).
   * @example const s = await DragSession.create(G, { seed: 3 }, { wSpace: 'w+' });
   */
  static async create(G: Generator, start: DragStart, o: DragSessionOptions = {}): Promise<DragSession> {
    let ws: Float32Array;
    if ('latent' in start) ws = fitLatent(start.latent, G.numWs, G.wDim);
    else {
      if (!Number.isInteger(start.seed) || start.seed < 0 || start.seed > 0xffffffff) throw new InputError(`seed must be an integer between 0 and 2**32 - 1, got ${start.seed}`);
      ws = await G.mapping(zFromSeed(start.seed, G.zDim), new Float32Array(G.cDim), { psi: start.psi ?? DRAG_DEFAULTS.psi });
    }
    return new DragSession(G, Float32Array.from(ws), o);
  }

  private get state(): State {
    return this.history[this.at]!;
  }

  /** The optimised rows of the start latent. */
  private initialW(): Float32Array {
    const { wDim } = this.G;
    return this.o.wSpace === 'w' ? this.w0.slice(0, wDim) : this.w0.slice(0, this.rows * wDim);
  }

  private push(s: State): void {
    this.history = this.history.slice(0, this.at + 1);
    this.history.push(s);
    if (this.history.length > this.o.historyLimit + 1) this.history.shift();
    this.at = this.history.length - 1;
  }

  /**
   * Adam's learning rate; changing it keeps the optimiser's moments, as changing torch's param_group lr does.
   * (The official gradio app's update_lr rebuilds Adam with fresh moments; call reset() for a fresh start.)
   */
  get lr(): number {
    return this.learningRate;
  }
  set lr(v: number) {
    this.learningRate = checkLr(v);
  }

  get handles(): Point[] {
    return this.state.handles.map((p) => [p[0], p[1]] as const);
  }
  get targets(): Point[] {
    return this.state.targets.map((p) => [p[0], p[1]] as const);
  }
  /** Steps taken from the start latent to the current state. */
  get steps(): number {
    return this.state.steps;
  }
  get canUndo(): boolean {
    return this.at > 0;
  }
  get canRedo(): boolean {
    return this.at < this.history.length - 1;
  }

  /** The current latent ws [1, numWs, wDim] as float32 (the optimised rows, then the start latent's). */
  latent(): Float32Array {
    const { wDim } = this.G;
    const ws = Float32Array.from(this.w0);
    const w = this.state.w;
    for (let r = 0; r < this.rows; r++) ws.set(this.o.wSpace === 'w' ? w : w.subarray(r * wDim, (r + 1) * wDim), r * wDim);
    return ws;
  }

  /** The image of the current latent [1, C, H, W]. */
  render(): Promise<Float32Array> {
    return this.G.synthesis(this.latent(), { noiseMode: this.o.noiseMode });
  }

  private checkPoints(points: readonly Point[], what: string): Point[] {
    const R = this.G.imgResolution;
    return points.map((p, i) => {
      if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isInteger(v))) throw new InputError(`${what} ${i + 1}: expected integer [row, col], got ${JSON.stringify(p)}`);
      if (p[0] < 0 || p[0] >= R || p[1] < 0 || p[1] >= R) throw new InputError(`${what} ${i + 1} [${p[0]}, ${p[1]}] is outside the ${R}x${R} image`);
      return [p[0], p[1]] as const;
    });
  }

  /** Sets handle and target points ([row, col] pixels); the next step takes the handles' reference features. */
  setPoints(handles: readonly Point[], targets: readonly Point[]): void {
    if (handles.length !== targets.length) throw new InputError(`expected one target per handle point, got ${handles.length} handles and ${targets.length} targets`);
    const h = this.checkPoints(handles, 'handle point');
    const t = this.checkPoints(targets, 'target point');
    this.push({ ...this.state, handles: h, targets: t, refs: null, feat0: null });
  }

  /** Moves the targets only (same count): tracking goes on with the same reference features. */
  setTargets(targets: readonly Point[]): void {
    if (targets.length !== this.state.handles.length) throw new InputError(`expected ${this.state.handles.length} targets, got ${targets.length}`);
    this.push({ ...this.state, targets: this.checkPoints(targets, 'target point') });
  }

  /** Sets the mask [H * W] (1 = fixed, 0 = flexible, as the official brush's mask) or clears it (null). */
  setMask(mask: ArrayLike<number> | null): void {
    const R = this.G.imgResolution;
    if (mask !== null) {
      if (mask.length !== R * R) throw new InputError(`the mask has ${mask.length} values but the image is ${R}x${R} (${R * R})`);
      for (let i = 0; i < mask.length; i++) if (mask[i] !== 0 && mask[i] !== 1) throw new InputError(`mask values must be 0 or 1, got ${mask[i]} at ${i}`);
    }
    this.push({ ...this.state, mask: mask === null ? null : Float32Array.from(mask) });
  }

  /** Back to the start latent and a fresh optimiser (points and mask kept). Undoable. */
  reset(): void {
    const w = this.initialW();
    this.push({ ...this.state, w, adam: adamInit(w.length), refs: null, feat0: null, steps: 0 });
  }

  /** Undoes the last step or edit; false when there is none. */
  undo(): boolean {
    if (!this.canUndo) return false;
    this.at--;
    return true;
  }

  /** Redoes an undone step or edit; false when there is none. */
  redo(): boolean {
    if (!this.canRedo) return false;
    this.at++;
    return true;
  }

  /** The mask as the renderer uses it: only when it holds both values (and lambda is not 0). */
  private activeMask(): Float32Array | null {
    const m = this.state.mask;
    if (!m || this.o.lambdaMask === 0) return null;
    let lo = false;
    let hi = false;
    for (const v of m) (v === 0 ? (lo = true) : (hi = true));
    return lo && hi ? m : null;
  }

  private program(points: number, masked: boolean): Promise<E.Program> {
    const { R1, R2 } = pixelRadii(this.G.imgResolution, this.o.r1, this.o.r2);
    const g: DragGraphOptions = { points, R1, R2, lambdaMask: masked ? this.o.lambdaMask : 0, featureIdx: this.o.featureIdx, noiseMode: this.o.noiseMode, optimizedRows: this.rows };
    return this.programs.get(JSON.stringify(g), () => dragStepGraph(this.G, g));
  }

  /**
   * One drag step: render, track the handles, and (unless every handle has reached its target) one Adam step of
   * the motion supervision (+ fixed-region) loss on the optimised rows.
   * @example const r = await s.step(); if (r.stopped) ...
   */
  async step(): Promise<DragStepResult> {
    const s = this.state;
    const P = s.handles.length;
    if (P === 0) throw new InputError('set handle and target points before dragging');
    const mask = this.activeMask();
    const prog = await this.program(P, mask !== null);
    const size = (name: string) => E.sizeOf(prog.inputs.find((i) => i.name === name)!.shape);
    const first = s.refs === null;
    const flat = (ps: readonly Point[]) => Float32Array.from(ps.flat());
    const feeds: Record<string, E.Feed> = {
      ws: this.latent(),
      points: flat(s.handles),
      targets: flat(s.targets),
      first: [first ? 1 : 0],
      refs: s.refs ?? new Float32Array(size('refs')),
    };
    if (mask) Object.assign(feeds, { mask, feat0: first ? new Float32Array(size('feat0')) : s.feat0! });
    const out = await prog.run(feeds);
    const t = out.tracked!.data;
    const points: Point[] = s.handles.map((_, j) => [t[2 * j]!, t[2 * j + 1]!] as const);
    const distances = points.map((p, j) => Math.hypot(s.targets[j]![0] - p[0], s.targets[j]![1] - p[1]));
    const h = this.G.imgResolution;
    const stopped = distances.every((d) => !(d > Math.max((2 / 512) * h, 2)));
    let { w, adam } = s;
    if (!stopped) ({ param: w, state: adam } = adamStep(w, this.paramGrad(out.grad!.data), adam, this.learningRate));
    const refs = first ? Float32Array.from(out.handleFeatures!.data) : s.refs;
    const feat0 = first ? Float32Array.from(out.features!.data) : s.feat0;
    this.push({ ...s, w, adam, handles: points, refs, feat0, steps: s.steps + 1 });
    return { step: s.steps + 1, image: out.img!.data, points, distances, stopped, loss: out.loss!.data[0]! };
  }

  /** The gradient of the optimised parameter from that of the ws rows (w mode sums the rows), plus reg's. */
  private paramGrad(rowsGrad: Float32Array): Float32Array {
    const { wDim, numWs } = this.G;
    const ws = this.latent();
    const g = new Float32Array(this.state.w.length);
    const regScale = this.o.reg / (numWs * wDim); // reg * F.l1_loss(ws, w0): sign(ws - w0) / numel
    for (let r = 0; r < this.rows; r++)
      for (let i = 0; i < wDim; i++) {
        const k = r * wDim + i;
        const d = regScale ? regScale * Math.sign(ws[k]! - this.w0[k]!) : 0;
        g[this.o.wSpace === 'w' ? i : k] += rowsGrad[k]! + d;
      }
    return g;
  }

  /**
   * Steps until every handle reaches its target or `maxSteps` steps were taken; `onStep` sees each result.
   * @example const results = await s.run({ maxSteps: 200, onStep: (r) => draw(r.image) });
   */
  async run(o: { maxSteps?: number; onStep?: (r: DragStepResult) => void | Promise<void> } = {}): Promise<DragStepResult[]> {
    const max = o.maxSteps ?? DRAG_DEFAULTS.maxSteps;
    if (!Number.isInteger(max) || max < 1) throw new InputError(`the step budget must be a positive integer, got ${max}`);
    const results: DragStepResult[] = [];
    for (let i = 0; i < max; i++) {
      const r = await this.step();
      results.push(r);
      await o.onStep?.(r);
      if (r.stopped) break;
    }
    return results;
  }

  /** Releases the session's compiled programs (the generator stays open). */
  dispose(): Promise<void> {
    return this.programs.dispose();
  }

  /** Number of compiled programs held. */
  get sessions(): number {
    return this.programs.size;
  }
}

function checkLr(lr: number): number {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`learning rate must be a positive number, got ${lr}`);
  return lr;
}

/**
 * A latent as ws [numWs * wDim]: accepts numWs * wDim values, or one w of wDim values (repeated).
 * @example fitLatent(w, G.numWs, G.wDim)
 */
export function fitLatent(latent: ArrayLike<number>, numWs: number, wDim: number): Float32Array {
  if (latent.length === numWs * wDim) return Float32Array.from(latent);
  if (latent.length === wDim) {
    const ws = new Float32Array(numWs * wDim);
    for (let r = 0; r < numWs; r++) ws.set(Float32Array.from(latent), r * wDim);
    return ws;
  }
  throw new InputError(`the latent has ${latent.length} values; this network needs [1, ${numWs}, ${wDim}] (${numWs * wDim}) or one w of ${wDim}`);
}
