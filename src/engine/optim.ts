// Adam (torch.optim.Adam semantics: L2 weight decay added to the gradient, bias-corrected moments),
// with state kept in TypeScript arrays or expressed as graph ops, and gradient accumulation.
import { InputError } from '../errors.js';
import { add, div, mul, sqrt, square, sub } from './ops/elementwise.js';
import type { Parameter } from './sources.js';
import type { Tensor } from './tensor.js';

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  /** L2 penalty added to the gradient, as torch.optim.Adam's weight_decay. */
  weightDecay?: number;
}

/** Validates Adam options and fills defaults (betas 0.9/0.999, eps 1e-8, no weight decay). */
export function validateAdamOptions(o: AdamOptions): Required<AdamOptions> {
  const out = { betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: 0, ...o };
  if (!(out.lr > 0)) throw new InputError(`Adam: lr must be positive, got ${o.lr}`);
  if (!out.betas.every((b) => b >= 0 && b < 1)) throw new InputError(`Adam: betas must be in [0, 1), got ${out.betas}`);
  if (!(out.eps > 0)) throw new InputError(`Adam: eps must be positive, got ${out.eps}`);
  if (!(out.weightDecay >= 0)) throw new InputError(`Adam: weightDecay must be >= 0, got ${out.weightDecay}`);
  return out;
}

/** Per-step scalars of Adam: step size and the bias correction of the second moment. */
export function adamScalars(o: Required<AdamOptions>, t: number): { stepSize: number; bc2Sqrt: number } {
  return { stepSize: o.lr / (1 - o.betas[0] ** t), bc2Sqrt: Math.sqrt(1 - o.betas[1] ** t) };
}

/**
 * Adam with moments held in Float32Arrays; `step` updates each Parameter's data in place.
 * @example const opt = new Adam(params, { lr: 0.002, betas: [0, 0.99] }); opt.step(grads);
 */
export class Adam {
  readonly options: Required<AdamOptions>;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  constructor(
    readonly params: readonly Parameter[],
    options: AdamOptions,
  ) {
    this.options = validateAdamOptions(options);
    this.m = params.map((p) => new Float32Array(p.data.length));
    this.v = params.map((p) => new Float32Array(p.data.length));
  }

  /** Number of steps taken. */
  get steps(): number {
    return this.t;
  }

  /**
   * The moments and step count, for snapshots (the arrays are the live state, not copies).
   * @example const { t, m, v } = opt.state();
   */
  state(): { t: number; m: readonly Float32Array[]; v: readonly Float32Array[] } {
    return { t: this.t, m: this.m, v: this.v };
  }

  /**
   * Restores moments and step count saved by `state()` (resuming training).
   * @example opt.loadState(saved.t, saved.m, saved.v);
   */
  loadState(t: number, m: readonly Float32Array[], v: readonly Float32Array[]): void {
    if (!(Number.isInteger(t) && t >= 0)) throw new InputError(`Adam.loadState: step count must be a non-negative integer, got ${t}`);
    if (m.length !== this.m.length || v.length !== this.v.length) throw new InputError(`Adam.loadState: expected ${this.m.length} moment arrays, got ${m.length} and ${v.length}`);
    this.params.forEach((p, k) => {
      if (m[k]!.length !== p.data.length || v[k]!.length !== p.data.length) throw new InputError(`Adam.loadState: moments of '${p.name}' have the wrong size`);
      this.m[k]!.set(m[k]!);
      this.v[k]!.set(v[k]!);
    });
    this.t = t;
  }

  /** One update from gradients given in the order of `params`. */
  step(grads: readonly Float32Array[]): void {
    if (grads.length !== this.params.length) throw new InputError(`Adam.step: expected ${this.params.length} gradients, got ${grads.length}`);
    this.t++;
    const { betas, eps, weightDecay } = this.options;
    const [b1, b2] = betas;
    const { stepSize, bc2Sqrt } = adamScalars(this.options, this.t);
    this.params.forEach((p, k) => {
      const g = grads[k]!;
      if (g.length !== p.data.length) throw new InputError(`Adam.step: gradient of '${p.name}' has ${g.length} values, expected ${p.data.length}`);
      const w = p.data;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let i = 0; i < w.length; i++) {
        const gi = weightDecay ? g[i]! + weightDecay * w[i]! : g[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        w[i] = w[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2Sqrt + eps);
      }
    });
  }
}

/** Symbolic state of one parameter for an in-graph Adam step. */
export interface AdamGraphState {
  param: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
}

/**
 * The Adam update written as graph ops, so the gradient and the update run in one onnxruntime call.
 * `stepSize` and `bc2Sqrt` are scalar inputs fed each step (see adamScalars).
 * @example const next = adamGraphStep(state, opts, stepSize, bc2Sqrt); // { param, m, v }
 */
export function adamGraphStep(s: AdamGraphState, o: Required<AdamOptions>, stepSize: Tensor, bc2Sqrt: Tensor): { param: Tensor; m: Tensor; v: Tensor } {
  const [b1, b2] = o.betas;
  const g = o.weightDecay ? add(s.grad, mul(s.param, o.weightDecay)) : s.grad;
  const m = add(mul(s.m, b1), mul(g, 1 - b1));
  const v = add(mul(s.v, b2), mul(square(g), 1 - b2));
  const param = sub(s.param, div(mul(m, stepSize), add(div(sqrt(v), bc2Sqrt), o.eps)));
  return { param, m, v };
}

/**
 * Sums gradients over micro-batches; `mean()` gives their average.
 * @example const acc = new GradAccumulator(sizes); acc.add(g1); acc.add(g2); opt.step(acc.mean());
 */
export class GradAccumulator {
  private readonly sums: Float32Array[];
  private count = 0;
  constructor(sizes: readonly number[]) {
    this.sums = sizes.map((n) => new Float32Array(n));
  }
  add(grads: readonly Float32Array[]): void {
    if (grads.length !== this.sums.length) throw new InputError(`GradAccumulator.add: expected ${this.sums.length} gradients, got ${grads.length}`);
    grads.forEach((g, k) => {
      const s = this.sums[k]!;
      if (g.length !== s.length) throw new InputError(`GradAccumulator.add: gradient ${k} has ${g.length} values, expected ${s.length}`);
      for (let i = 0; i < s.length; i++) s[i]! += g[i]!;
    });
    this.count++;
  }
  /** Accumulated sums (not averaged). */
  total(): Float32Array[] {
    return this.sums;
  }
  /** Average over the micro-batches added since the last reset. */
  mean(): Float32Array[] {
    const c = Math.max(this.count, 1);
    return this.sums.map((s) => s.map((v) => v / c));
  }
  reset(): void {
    for (const s of this.sums) s.fill(0);
    this.count = 0;
  }
  get microBatches(): number {
    return this.count;
  }
}
