// Adam over one latent array with its state as plain values (so a drag session can snapshot, undo and
// restore it exactly), computed in float32 as torch.optim.Adam does (single-tensor path).
import { adamScalars, validateAdamOptions } from '../engine/optim.js';
import { InputError } from '../errors.js';

/** Adam's state for one parameter: step count and the two moments. */
export interface AdamState {
  readonly t: number;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

/** The state before the first step. */
export function adamInit(size: number): AdamState {
  return { t: 0, m: new Float32Array(size), v: new Float32Array(size) };
}

const f = Math.fround;

/**
 * One Adam step (torch semantics, betas 0.9/0.999, eps 1e-8): returns the new parameter and state; the inputs are left unchanged.
 * lr 0 is allowed, as torch allows it: the moments advance and the parameter stays (the projector's first step).
 * @example const { param, state } = adamStep(w, grad, state, 0.001);
 */
export function adamStep(param: Float32Array, grad: Float32Array, s: AdamState, lr: number): { param: Float32Array; state: AdamState } {
  if (!(lr >= 0) || !Number.isFinite(lr)) throw new InputError(`Adam: lr must be a number >= 0, got ${lr}`);
  const o = { ...validateAdamOptions({ lr: 1 }), lr };
  const [b1, b2] = o.betas;
  const t = s.t + 1;
  const { stepSize, bc2Sqrt } = adamScalars(o, t);
  const m = new Float32Array(param.length);
  const v = new Float32Array(param.length);
  const out = new Float32Array(param.length);
  const [fb1, fb2, fc1, fc2, fss, fbc, feps] = [f(b1), f(b2), f(1 - b1), f(1 - b2), f(stepSize), f(bc2Sqrt), f(o.eps)];
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!;
    m[i] = f(f(fb1 * s.m[i]!) + f(fc1 * g));
    v[i] = f(f(fb2 * s.v[i]!) + f(fc2 * f(g * g)));
    const denom = f(f(Math.sqrt(v[i]!) / fbc) + feps);
    out[i] = f(param[i]! - f(fss * f(m[i]! / denom)));
  }
  return { param: out, state: { t, m, v } };
}
