// modulated_conv2d (StyleGAN2): style-modulated, optionally demodulated convolution (training/networks_stylegan2.py).
// Two formulations, as in the official code: `fused` (per-sample weights, one grouped conv: the official
// inference path) and not fused (scale activations before and after a conv with the shared weight: the
// official training path, and here the fast path too, because a constant weight lets onnxruntime prepack it).
import * as E from '../../engine/index.js';
import { conv2dResample } from './conv2d-resample.js';
import type { Filter } from './upfirdn2d.js';
import { winogradConv2d } from './winograd.js';

export interface ModulatedConvOptions {
  /** Added after the convolution (and after demodulation), broadcast over [N, 1|C, H, W]. */
  noise?: E.Tensor | null;
  up?: number;
  down?: number;
  padding?: number;
  resampleFilter?: Filter | null;
  demodulate?: boolean;
  flipWeight?: boolean;
  fused?: boolean;
  /** Formulation of the upsampling conv (see conv2dResample). */
  polyphase?: boolean;
  /** Multiplies the convolution's output (before the noise) with no extra pass: folded into the demodulation. */
  outputGain?: number;
  /** A stride-1 3x3 correlation (no resampling, not fused) as Winograd F(4x4, 3x3): for constant weights, whose transform folds. */
  winograd?: boolean;
}

/**
 * x [N, I, H, W], weight [O, I, kh, kw], styles [N, I] -> [N, O, H', W'].
 * @example modulatedConv2d(x, weight, styles, { padding: 1, up: 2, resampleFilter: f, flipWeight: false })
 */
export function modulatedConv2d(x: E.Tensor, weight: E.Tensor, styles: E.Tensor, o: ModulatedConvOptions = {}): E.Tensor {
  const [N, I, H, W] = x.shape as number[];
  const [O, , kh, kw] = weight.shape as number[];
  const demodulate = o.demodulate ?? true;
  const resample = { f: o.resampleFilter ?? null, up: o.up ?? 1, down: o.down ?? 1, padding: o.padding ?? 0, flipWeight: o.flipWeight ?? true, polyphase: o.polyphase };
  const noise = o.noise ?? null;
  // Calculate per-sample weights and demodulation coefficients.
  if (!o.fused) {
    // Execute by scaling the activations before and after the convolution.
    const gain = o.outputGain ?? 1;
    let dcoefs = demodulate ? demodCoefficients(weight, styles) : null; // [N, O]
    if (dcoefs && gain !== 1) dcoefs = E.mul(dcoefs, gain);
    let y = E.mul(x, E.reshape(styles, [N!, I!, 1, 1]));
    const winograd = o.winograd && resample.up === 1 && resample.down === 1 && resample.flipWeight && kh === 3 && kw === 3;
    y = winograd ? winogradConv2d(y, weight, { padding: resample.padding, m: 4 }) : conv2dResample(y, weight, resample);
    if (dcoefs) y = E.mul(y, E.reshape(dcoefs, [N!, O!, 1, 1]));
    else if (gain !== 1) y = E.mul(y, gain);
    return noise ? E.add(y, noise) : y;
  }
  // Calculate per-sample weights and demodulation coefficients, then run one grouped convolution.
  let w = E.mul(E.unsqueeze(weight, 0), E.reshape(styles, [N!, 1, I!, 1, 1])); // [N, O, I, kh, kw]
  if (demodulate) {
    const dcoefs = E.rsqrt(E.add(E.sum(E.square(w), [2, 3, 4]), 1e-8)); // [N, O]
    w = E.mul(w, E.reshape(dcoefs, [N!, O!, 1, 1, 1]));
  }
  if (o.outputGain !== undefined && o.outputGain !== 1) w = E.mul(w, o.outputGain);
  const xg = E.reshape(x, [1, N! * I!, H!, W!]);
  const wg = E.reshape(w, [N! * O!, I!, kh!, kw!]);
  let y = conv2dResample(xg, wg, { ...resample, groups: N! });
  y = E.reshape(y, [N!, O!, y.shape[2]!, y.shape[3]!]);
  return noise ? E.add(y, noise) : y;
}

/**
 * Demodulation coefficients computed without per-sample weights: rsqrt((s^2) @ sum_k(w^2)^T + 1e-8).
 * Equal to the official ones; with a constant weight the [O, I] matrix folds to a constant.
 */
export function demodCoefficients(weight: E.Tensor, styles: E.Tensor): E.Tensor {
  const w2 = E.sum(E.square(weight), [2, 3]); // [O, I]
  return E.rsqrt(E.add(E.matmul(E.square(styles), E.transposeLast(w2)), 1e-8)); // [N, O]
}
