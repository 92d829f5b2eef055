// torch.optim.Adam as the official training loop drives it: one optimizer per network shared by its main and
// regularization phases, a per-parameter step count (parameters without a gradient in a phase are skipped,
// as torch skips grad=None), NaN/Inf gradients cleaned (nan_to_num), and lazy-regularization correction of
// lr and betas (mb_ratio = interval / (interval + 1), Karras et al. 2020 appendix B).
import { InputError } from '../errors.js';
import type * as E from '../engine/index.js';
import { type TensorData, toFloat32 } from '../io/tensor.js';

export interface NetworkOptimizerOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  /** Lazy regularization interval of this network (null: regularization runs with the main loss, no correction). */
  regInterval: number | null;
}

/**
 * lr and betas after lazy-regularization correction (training_loop.py: lr * mb_ratio, beta ** mb_ratio).
 * @example lazyRegularizationCorrection(0.002, [0, 0.99], 16) // { lr: 0.00188..., betas: [0, 0.99^(16/17)] }
 */
export function lazyRegularizationCorrection(lr: number, betas: [number, number], interval: number | null): { lr: number; betas: [number, number] } {
  if (interval === null) return { lr, betas };
  const mbRatio = interval / (interval + 1);
  return { lr: lr * mbRatio, betas: [betas[0] ** mbRatio, betas[1] ** mbRatio] };
}

/**
 * True when a phase with this interval runs at step `batchIdx` (training_loop.py: batch_idx % interval == 0).
 * @example phaseRuns(4, 8) // true
 */
export function phaseRuns(interval: number | null, batchIdx: number): boolean {
  return interval !== null && batchIdx % interval === 0;
}

/** nan_to_num(nan=0, posinf=1e5, neginf=-1e5) in place. */
function cleanGradient(g: Float32Array): void {
  for (let i = 0; i < g.length; i++) {
    const v = g[i]!;
    if (Number.isNaN(v)) g[i] = 0;
    else if (v === Infinity) g[i] = 1e5;
    else if (v === -Infinity) g[i] = -1e5;
  }
}

/**
 * Adam over one network's parameters (moments in Float32Arrays, updated in place in `Parameter.data`).
 * @example const opt = new NetworkOptimizer(G.parameters(), { lr: 0.002, betas: [0, 0.99], eps: 1e-8, regInterval: 4 }); opt.step(grads);
 */
export class NetworkOptimizer {
  lr: number;
  readonly betas: [number, number];
  private readonly regInterval: number | null;
  readonly eps: number;
  private readonly index = new Map<string, number>();
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly t: number[];

  constructor(
    readonly params: readonly E.Parameter[],
    o: NetworkOptimizerOptions,
  ) {
    const c = lazyRegularizationCorrection(o.lr, o.betas, o.regInterval);
    this.lr = c.lr;
    this.betas = c.betas;
    this.eps = o.eps;
    this.regInterval = o.regInterval;
    params.forEach((p, i) => this.index.set(p.name, i));
    this.m = params.map((p) => new Float32Array(p.data.length));
    this.v = params.map((p) => new Float32Array(p.data.length));
    this.t = params.map(() => 0);
  }

  /** One update from gradients by parameter name (parameters without one are left alone, moments included). */
  step(grads: ReadonlyMap<string, Float32Array>): void {
    const [b1, b2] = this.betas;
    for (const [name, g] of grads) {
      const k = this.index.get(name);
      if (k === undefined) throw new InputError(`optimizer: no parameter '${name}'`);
      const w = this.params[k]!.data;
      if (g.length !== w.length) throw new InputError(`optimizer: gradient of '${name}' has ${g.length} values, expected ${w.length}`);
      cleanGradient(g);
      const m = this.m[k]!;
      const v = this.v[k]!;
      const t = ++this.t[k]!;
      const stepSize = this.lr / (1 - b1 ** t);
      const bc2Sqrt = Math.sqrt(1 - b2 ** t);
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        w[i] = w[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + this.eps);
      }
    }
  }

  /** Sets the learning rate (before the lazy-regularization correction), e.g. per resolution of a progressive schedule. */
  setLearningRate(lr: number): void {
    this.lr = lazyRegularizationCorrection(lr, [0, 0], this.regInterval).lr;
  }

  /** Forgets the moments and step counts (reset_optimizer_state of the progressive loop). */
  reset(): void {
    this.m.forEach((m) => m.fill(0));
    this.v.forEach((v) => v.fill(0));
    this.t.fill(0);
  }

  /** Steps taken by a parameter. */
  steps(name: string): number {
    return this.t[this.index.get(name) ?? -1] ?? 0;
  }

  /** State for snapshots: moments as tensors `<prefix>exp_avg.<name>` / `exp_avg_sq.<name>`, and step counts. */
  state(prefix: string): { tensors: Map<string, TensorData>; steps: Record<string, number> } {
    const tensors = new Map<string, TensorData>();
    const steps: Record<string, number> = {};
    this.params.forEach((p, k) => {
      tensors.set(`${prefix}exp_avg.${p.name}`, { dtype: 'float32', shape: [...p.shape], data: this.m[k]!.slice() });
      tensors.set(`${prefix}exp_avg_sq.${p.name}`, { dtype: 'float32', shape: [...p.shape], data: this.v[k]!.slice() });
      steps[p.name] = this.t[k]!;
    });
    return { tensors, steps };
  }

  /** Restores `state(prefix)`; every parameter must be present with its shape. */
  load(prefix: string, tensors: ReadonlyMap<string, TensorData>, steps: Record<string, number>): void {
    this.params.forEach((p, k) => {
      for (const [kind, dst] of [['exp_avg', this.m[k]!], ['exp_avg_sq', this.v[k]!]] as const) {
        const t = tensors.get(`${prefix}${kind}.${p.name}`);
        if (!t || t.data.length !== dst.length) throw new InputError(`optimizer state lacks ${prefix}${kind}.${p.name} (or its size differs)`);
        dst.set(toFloat32(t));
      }
      const s = steps[p.name];
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) throw new InputError(`optimizer state has no step count for '${p.name}'`);
      this.t[k] = s;
    });
  }
}
