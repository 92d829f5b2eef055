// torch.nn.utils.spectral_norm: W = weight_orig / sigma with sigma = u^T W v, W viewed as [out, in*kh*kw].
// In eval mode the stored u, v are used as they are; in training mode each forward call first runs one
// power iteration (v = normalize(W^T u), u = normalize(W v)) without gradient, which `powerIteration` does.
import * as E from '../../engine/index.js';

/** eps of spectral_norm's normalize(). */
export const SN_EPS = 1e-12;

/**
 * The spectrally normalised weight: weight_orig / (u . (W v)); u and v carry no gradient (as in torch).
 * @example const w = spectralNormWeight(P.tensor('weight_orig'), u, v);
 */
export function spectralNormWeight(weightOrig: E.Tensor, u: E.Tensor, v: E.Tensor): E.Tensor {
  return E.div(weightOrig, spectralSigma(weightOrig, u, v));
}

/**
 * spectral_norm's sigma = u . (W v), a scalar; u and v carry no gradient.
 * @example const y = E.div(conv(x, wOrig), spectralSigma(wOrig, u, v)); // conv(x, W / sigma) without a W-sized tensor
 */
export function spectralSigma(weightOrig: E.Tensor, u: E.Tensor, v: E.Tensor): E.Tensor {
  const out = weightOrig.shape[0]!;
  const mat = E.reshape(weightOrig, [out, weightOrig.size / out]); // [out, in*kh*kw]
  const wv = E.matmul(mat, E.reshape(E.detach(v), [v.size, 1])); // [out, 1]
  return E.sum(E.mul(E.reshape(E.detach(u), [out, 1]), wv)); // scalar
}

/** Reference of spectralNormWeight in plain TypeScript (float64 accumulation). */
export function spectralNormWeightRef(weightOrig: Float32Array, u: Float32Array, v: Float32Array): Float32Array {
  const rows = u.length;
  const cols = v.length;
  let sigma = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < cols; k++) s += weightOrig[r * cols + k]! * v[k]!;
    sigma += u[r]! * s;
  }
  return weightOrig.map((w) => w / sigma);
}

/** x / max(||x||, eps) in place, as torch.nn.functional.normalize. */
function normalize(x: Float32Array): void {
  let s = 0;
  for (const a of x) s += a * a;
  const d = Math.max(Math.sqrt(s), SN_EPS);
  for (let i = 0; i < x.length; i++) x[i]! /= d;
}

/**
 * One power iteration in place on u [out] and v [in*kh*kw] from weight_orig (what every training-mode forward does first).
 * @example powerIteration(wOrig.data, u.data, v.data);
 */
export function powerIteration(weightOrig: Float32Array, u: Float32Array, v: Float32Array): void {
  const rows = u.length;
  const cols = v.length;
  const wtu = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const ur = u[r]!;
    const o = r * cols;
    for (let k = 0; k < cols; k++) wtu[k]! += weightOrig[o + k]! * ur;
  }
  v.set(wtu);
  normalize(v);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * cols;
    for (let k = 0; k < cols; k++) s += weightOrig[o + k]! * v[k]!;
    u[r] = s;
  }
  normalize(u);
}
